/*
 * The arena: memory handed out in order from malloc'ed blocks and released all
 * at once. Allocations are aligned for any type.
 */

#include <stdlib.h>

#include "hd_pool.h"


#define HD_ALIGNMENT  16
#define hd_align(n)   (((n) + HD_ALIGNMENT - 1) & ~((size_t) HD_ALIGNMENT - 1))


struct hd_arena_block_s {
    hd_arena_block_t  *next;
    size_t             size;
    size_t             used;
    _Alignas(HD_ALIGNMENT) hd_uchar  data[];
};


static void *hd_arena_alloc(void *data, size_t size);


hd_arena_t *
hd_arena_create(size_t block_size)
{
    hd_arena_t  *arena;

    arena = calloc(1, sizeof(hd_arena_t));
    if (arena == NULL) {
        return NULL;
    }

    arena->pool.alloc = hd_arena_alloc;
    arena->pool.data = arena;
    arena->block_size = block_size ? block_size : 16384;

    return arena;
}


void
hd_arena_destroy(hd_arena_t *arena)
{
    hd_arena_block_t  *b, *next;

    if (arena == NULL) {
        return;
    }

    for (b = arena->blocks; b; b = next) {
        next = b->next;
        free(b);
    }

    free(arena);
}


static void *
hd_arena_alloc(void *data, size_t size)
{
    size_t             need, block;
    hd_arena_t        *arena = data;
    hd_arena_block_t  *b;

    need = hd_align(size ? size : 1);
    b = arena->blocks;

    if (b == NULL || b->size - b->used < need) {
        block = need > arena->block_size ? need : arena->block_size;

        b = malloc(sizeof(hd_arena_block_t) + block);
        if (b == NULL) {
            return NULL;
        }

        b->size = block;
        b->used = 0;

        /* a big allocation goes behind the current block, keeping its room */
        if (need > arena->block_size && arena->blocks != NULL) {
            b->next = arena->blocks->next;
            arena->blocks->next = b;

        } else {
            b->next = arena->blocks;
            arena->blocks = b;
        }
    }

    b->used += need;

    return b->data + b->used - need;
}


/* a chunk fits a small block of nginx's request pool */
#define HD_POOL_CHUNK  3968
#define HD_POOL_SMALL  256


void *
hd_palloc(hd_pool_t *pool, size_t size)
{
    size_t     need;
    hd_uchar  *p;

    need = hd_align(size ? size : 1);

    /* a view makes hundreds of small nodes: bumped in chunks, not asked
       of the allocator one by one */
    if (need > HD_POOL_SMALL) {
        return pool->alloc(pool->data, size);
    }

    if (pool->pos == NULL || (size_t) (pool->end - pool->pos) < need) {
        p = pool->alloc(pool->data, HD_POOL_CHUNK + HD_ALIGNMENT);
        if (p == NULL) {
            return NULL;
        }

        pool->pos = (hd_uchar *) hd_align((uintptr_t) p);
        pool->end = p + HD_POOL_CHUNK + HD_ALIGNMENT;
    }

    p = pool->pos;
    pool->pos += need;

    return p;
}


void *
hd_pcalloc(hd_pool_t *pool, size_t size)
{
    void  *p;

    p = hd_palloc(pool, size);
    if (p != NULL) {
        memset(p, 0, size);
    }

    return p;
}


hd_uchar *
hd_pstrdup(hd_pool_t *pool, const void *data, size_t len)
{
    hd_uchar  *p;

    /* always NUL-terminated, for the C library functions that need it */
    p = hd_palloc(pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    if (len) {
        memcpy(p, data, len);
    }

    p[len] = '\0';

    return p;
}


char *
hd_pstrcat(hd_pool_t *pool, const char *a, const char *b)
{
    char    *p;
    size_t   la = strlen(a), lb = strlen(b);

    p = pool->alloc(pool->data, la + lb + 1);
    if (p == NULL) {
        return NULL;
    }

    memcpy(p, a, la);
    memcpy(p + la, b, lb + 1);

    return p;
}
