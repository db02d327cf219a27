/*
 * A fuzzer without libFuzzer: each file named on the command line (or each
 * file of each directory named) is one input. The test suite runs the seed
 * corpora and the regression inputs through it; any crash fails the test.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static int
replay_file(const char *path)
{
    FILE     *f;
    long      len;
    uint8_t  *data;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }

    data = malloc(len ? len : 1);
    if (data == NULL || fread(data, 1, len, f) != (size_t) len) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }

    fclose(f);
    LLVMFuzzerTestOneInput(data, len);
    free(data);

    return 0;
}


int
main(int argc, char **argv)
{
    int             i, n = 0;
    char            path[4096];
    DIR            *dir;
    struct stat     st;
    struct dirent  *e;

    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or directory: %s\n",
                    argv[i]);
            return 2;
        }

        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i]) != 0) {
                return 2;
            }
            n++;
            continue;
        }

        dir = opendir(argv[i]);
        if (dir == NULL) {
            return 2;
        }

        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }

            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (replay_file(path) != 0) {
                return 2;
            }
            n++;
        }

        closedir(dir);
    }

    printf("%d inputs\n", n);

    return 0;
}
