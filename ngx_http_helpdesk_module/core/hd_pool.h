/*
 * Memory for the core: an allocator interface (a request's nginx pool in the
 * module, an arena in the CLI and tests), and the arena itself. Everything
 * allocated from a pool lives until the pool is destroyed.
 */

#ifndef HD_POOL_H
#define HD_POOL_H


#include "hd_core.h"


typedef struct hd_pool_s  hd_pool_t;

struct hd_pool_s {
    void     *(*alloc)(void *data, size_t size);
    void      *data;
    hd_uchar  *pos;         /* small allocations are bumped here, in */
    hd_uchar  *end;         /* chunks taken from alloc: a view's nodes */
};


typedef struct hd_arena_block_s  hd_arena_block_t;

typedef struct {
    hd_pool_t          pool;        /* first: an arena is a pool */
    hd_arena_block_t  *blocks;
    size_t             block_size;
} hd_arena_t;


hd_arena_t *hd_arena_create(size_t block_size);
void hd_arena_destroy(hd_arena_t *arena);

void *hd_palloc(hd_pool_t *pool, size_t size);
void *hd_pcalloc(hd_pool_t *pool, size_t size);
hd_uchar *hd_pstrdup(hd_pool_t *pool, const void *data, size_t len);
char *hd_pstrcat(hd_pool_t *pool, const char *a, const char *b);


#endif /* HD_POOL_H */
