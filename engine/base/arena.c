/* arena.c -- bump allocation for one statement's tokens, trees, plans and messages.
 *
 * Chunks come from lp_malloc, so an arena counts against the memory cap like everything else.
 * Cleanups registered with lp_arena_on_reset release outside resources (compiled regexes,
 * table references) when the statement ends. One owner thread.
 */
#include "loupe_int.h"

#include <stdio.h>

struct lp_arena_chunk {
    lp_arena_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char mem[];
};

struct lp_arena_cleanup {
    lp_arena_cleanup *next;
    void (*fn)(void *);
    void *ptr;
};

#define CHUNK_MIN 8192

void lp_arena_init(lp_arena *a) { memset(a, 0, sizeof *a); }

void *lp_arena_alloc(lp_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    lp_arena_chunk *c = a->chunk;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (c && size < c->size * 2 && c->size < (1u << 20)) size = c->size * 2 >= n ? c->size * 2 : n;
        c = lp_malloc(sizeof *c + size);
        if (!c) return NULL;
        c->next = a->chunk;
        c->used = 0;
        c->size = size;
        a->chunk = c;
        a->total += size;
    }
    void *p = c->mem + c->used;
    c->used += n;
    return p;
}

void *lp_arena_zalloc(lp_arena *a, size_t n) {
    void *p = lp_arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

char *lp_arena_strndup(lp_arena *a, const char *s, size_t n) {
    char *p = lp_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *lp_arena_printf(lp_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = lp_arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

lp_status lp_arena_on_reset(lp_arena *a, void (*fn)(void *), void *ptr) {
    lp_arena_cleanup *c = lp_arena_alloc(a, sizeof *c);
    if (!c) {
        fn(ptr); /* the caller hands ptr over either way */
        return LP_ENOMEM;
    }
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return LP_OK;
}

void lp_arena_reset(lp_arena *a) {
    for (lp_arena_cleanup *c = a->cleanups; c; c = c->next) c->fn(c->ptr);
    lp_arena_chunk *c = a->chunk;
    while (c) {
        lp_arena_chunk *next = c->next;
        lp_free(c);
        c = next;
    }
    memset(a, 0, sizeof *a);
}
