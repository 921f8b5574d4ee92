/* column.c -- immutable reference-counted columns and the builder that makes them.
 *
 * DESIGN
 * A column is built once, by one thread, through an lp_colbuf, then finished into an lp_column
 * that never changes again. From then on it is shared by reference: a table's partition, a
 * projection that passes it through untouched, and every worker thread that reads it all hold
 * the same buffers. The reference count is the only thing written after finishing, atomically.
 *
 * Layout is Apache Arrow's (see loupe_int.h), with two deliberate differences: bool values are
 * one byte per row (filter masks are produced and consumed far more often than bool columns
 * are stored, and bytes keep those loops branch-free), and string/list offsets are int64 so a
 * partition can hold more than 2 GiB of text (a 2 GB single line must not overflow).
 *
 * The builder's appends never report failure: a refused allocation sets the sticky `nomem`
 * flag and the append is dropped; lp_colbuf_finish reports LP_ENOMEM. That keeps the hot
 * append loops free of error checks without ever losing a failure.
 */
#include "loupe_int.h"

#include <stdlib.h>

static size_t elem_size(lp_kind k) {
    switch (k) {
    case LP_BOOL: return 1;
    case LP_DATE: return 4;
    case LP_INT64: case LP_FLOAT64: case LP_TIMESTAMP: case LP_STRING: case LP_LIST: case LP_VECTOR: return 8;
    default: return 1;
    }
}

static bool has_offsets(lp_type t) { return t.kind == LP_STRING || t.kind == LP_LIST || t.kind == LP_VECTOR; }
/* The child's type: a list's elements, a vector's float64 values. */
static lp_type child_type(lp_type t) { return lp_type_of(t.kind == LP_VECTOR ? LP_FLOAT64 : (lp_kind)t.elem); }

static int nfields(lp_type t) {
    const lp_struct_schema *s = lp_struct_schema_of(t);
    return s ? s->nfields : 0;
}

/* ---- columns ---- */

lp_column *lp_column_ref(lp_column *c) {
    if (c) atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void lp_column_unref(lp_column *c) {
    if (!c) return;
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1) return;
    lp_free(c->valid);
    lp_free(c->v.raw);
    lp_free(c->data);
    lp_free(c->vsize);
    lp_free(c->vidx);
    lp_column_unref(c->child);
    if (c->fields) {
        int nf = nfields(c->type);
        for (int k = 0; k < nf; k++) lp_column_unref(c->fields[k]);
        lp_free(c->fields);
    }
    lp_free(c);
}

lp_value lp_column_get(const lp_column *c, int64_t row) {
    lp_value v;
    memset(&v, 0, sizeof v);
    v.type = c->type;
    if (!lp_col_valid(c, row)) {
        v.null = true;
        return v;
    }
    switch ((lp_kind)c->type.kind) {
    case LP_BOOL: v.u.b = c->v.b[row]; break;
    case LP_INT64: case LP_TIMESTAMP: v.u.i = c->v.i[row]; break;
    case LP_FLOAT64: v.u.f = c->v.f[row]; break;
    case LP_DATE: v.u.d = c->v.d[row]; break;
    case LP_STRING: v.u.s.p = lp_col_str(c, row, &v.u.s.n); break;
    case LP_LIST:
        v.u.list.child = c->child;
        v.u.list.start = c->v.off[row];
        v.u.list.n = c->v.off[row + 1] - c->v.off[row];
        break;
    case LP_VECTOR: {
        int64_t o = c->v.off[row];
        int32_t sz = c->vsize[row];
        v.u.vec.val = c->child->v.f + o;
        v.u.vec.nnz = (int32_t)(c->v.off[row + 1] - o);
        /* a sparse row without entries in a column that stores no indices: an empty array, so
         * that idx == NULL still means dense */
        static const int32_t no_idx[1];
        v.u.vec.idx = sz < 0 ? NULL : c->vidx ? c->vidx + o : no_idx;
        v.u.vec.size = sz < 0 ? ~sz : sz;
        break;
    }
    case LP_STRUCT:
        v.u.st.col = c;
        v.u.st.row = row;
        break;
    default: v.null = true; break;
    }
    return v;
}

size_t lp_column_bytes(const lp_column *c) {
    size_t n = (size_t)c->len * elem_size(c->type.kind) + (has_offsets(c->type) ? 8 : 0);
    if (c->valid) n += (size_t)(c->len + 7) / 8;
    if (c->type.kind == LP_STRING) n += (size_t)c->v.off[c->len];
    if (c->vsize) n += 4 * (size_t)c->len;
    if (c->vidx) n += 4 * (size_t)c->v.off[c->len];
    if (c->child) n += lp_column_bytes(c->child);
    if (c->fields)
        for (int k = 0, nf = nfields(c->type); k < nf; k++) n += lp_column_bytes(c->fields[k]);
    return n;
}

lp_column *lp_column_new_null(lp_type t, int64_t len) {
    lp_colbuf b;
    lp_colbuf_init(&b, t);
    lp_colbuf_reserve(&b, len, 0);
    for (int64_t i = 0; i < len; i++) lp_colbuf_append_null(&b);
    lp_column *c;
    return lp_colbuf_finish(&b, &c) == LP_OK ? c : NULL;
}

lp_column *lp_column_new_const(const lp_value *v, int64_t len) {
    lp_type t = v->type;
    if (t.kind == LP_NULLTYPE) t = lp_type_of(LP_STRING);
    lp_colbuf b;
    lp_colbuf_init(&b, t);
    lp_colbuf_reserve(&b, len, t.kind == LP_STRING && !v->null ? (size_t)(v->u.s.n * len) : 0);
    for (int64_t i = 0; i < len; i++) lp_colbuf_append_value(&b, v);
    lp_column *c;
    return lp_colbuf_finish(&b, &c) == LP_OK ? c : NULL;
}

lp_column *lp_column_struct(lp_type t, int64_t len, lp_column **fields, const uint8_t *valid) {
    int nf = nfields(t);
    lp_column *c = lp_calloc(1, sizeof *c);
    lp_column **f = lp_malloc(sizeof *f * (size_t)(nf ? nf : 1));
    uint8_t *raw = lp_calloc((size_t)(len ? len : 1), 1);
    int64_t nulls = 0;
    if (valid)
        for (int64_t r = 0; r < len; r++) nulls += !((valid[r >> 3] >> (r & 7)) & 1);
    uint8_t *vm = nulls ? lp_malloc((size_t)(len + 7) / 8) : NULL;
    if (!c || !f || !raw || (nulls && !vm)) {
        for (int k = 0; k < nf; k++) lp_column_unref(fields[k]);
        lp_free(c);
        lp_free(f);
        lp_free(raw);
        lp_free(vm);
        return NULL;
    }
    if (vm) memcpy(vm, valid, (size_t)(len + 7) / 8);
    memcpy(f, fields, sizeof *f * (size_t)nf);
    atomic_init(&c->refs, 1);
    c->type = t;
    c->len = len;
    c->null_count = nulls;
    c->valid = vm;
    c->v.raw = raw;
    c->fields = f;
    return c;
}

/* A struct's rows idx[0..n): each field taken on its own (idx < 0 gives nulls there too). */
static lp_column *struct_take(const lp_column *c, const int64_t *idx, int64_t n) {
    int nf = nfields(c->type);
    lp_column **f = lp_calloc((size_t)nf + 1, sizeof *f);
    uint8_t *valid = lp_malloc((size_t)(n + 7) / 8 + 1);
    bool ok = f && valid;
    for (int k = 0; ok && k < nf; k++) ok = (f[k] = lp_column_take(c->fields[k], idx, n)) != NULL;
    lp_column *out = NULL;
    if (ok) {
        memset(valid, 0, (size_t)(n + 7) / 8 + 1);
        for (int64_t r = 0; r < n; r++)
            if (idx[r] >= 0 && lp_col_valid(c, idx[r])) valid[r >> 3] |= (uint8_t)(1u << (r & 7));
        out = lp_column_struct(c->type, n, f, valid);
    } else if (f) {
        for (int k = 0; k < nf; k++) lp_column_unref(f[k]);
    }
    lp_free(f);
    lp_free(valid);
    return out;
}

lp_column *lp_column_take(const lp_column *c, const int64_t *idx, int64_t n) {
    if (c->type.kind == LP_STRUCT) return struct_take(c, idx, n);
    lp_colbuf b;
    lp_colbuf_init(&b, c->type);
    size_t bytes = 0;
    if (c->type.kind == LP_STRING)
        for (int64_t k = 0; k < n; k++)
            if (idx[k] >= 0) bytes += (size_t)(c->v.off[idx[k] + 1] - c->v.off[idx[k]]);
    lp_colbuf_reserve(&b, n, bytes);
    if (!b.nomem && !c->valid && !has_offsets(c->type)) {
        /* fixed width, no nulls in the source: a plain gather */
        bool any_neg = false;
        for (int64_t k = 0; k < n; k++) any_neg |= idx[k] < 0;
        if (!any_neg) {
            size_t es = elem_size(c->type.kind);
            char *dst = b.vals;
            const char *src = c->v.raw;
            if (es == 8)
                for (int64_t k = 0; k < n; k++) memcpy(dst + 8 * k, src + 8 * idx[k], 8);
            else
                for (int64_t k = 0; k < n; k++) memcpy(dst + es * (size_t)k, src + es * (size_t)idx[k], es);
            b.len = n;
            lp_column *out;
            return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
        }
    }
    for (int64_t k = 0; k < n; k++) {
        /* a gather of millions of strings takes seconds: let an interrupt stop it (the caller
         * sees NULL and checks lp_cancelled() to tell this from a refused allocation) */
        if ((k & 0xFFFF) == 0xFFFF && lp_cancelled()) {
            lp_colbuf_reset(&b);
            return NULL;
        }
        if (idx[k] < 0) {
            lp_colbuf_append_null(&b);
        } else {
            lp_value v = lp_column_get(c, idx[k]);
            lp_colbuf_append_value(&b, &v);
        }
    }
    lp_column *out;
    return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
}

void lp_colbuf_append_rows(lp_colbuf *b, const lp_column *c, int64_t start, int64_t n) {
    if (n <= 0) return;
    lp_kind k = c->type.kind;
    if (lp_type_nested(c->type) || !lp_type_eq(b->type, c->type)) {
        for (int64_t r = start; r < start + n; r++) {
            lp_value v = lp_column_get(c, r);
            lp_colbuf_append_value(b, &v);
        }
        return;
    }
    size_t bytes = k == LP_STRING ? (size_t)(c->v.off[start + n] - c->v.off[start]) : 0;
    if (!lp_colbuf_reserve(b, n, bytes)) return;
    int64_t base = b->len;
    if (k == LP_STRING) {
        int64_t *off = b->vals;
        int64_t delta = (int64_t)b->dlen - c->v.off[start];
        if (bytes) memcpy(b->data + b->dlen, c->data + c->v.off[start], bytes);  /* data may be NULL when empty */
        for (int64_t r = 0; r < n; r++) off[base + r + 1] = c->v.off[start + r + 1] + delta;
        b->dlen += bytes;
    } else {
        size_t es = elem_size(k);
        memcpy((char *)b->vals + es * (size_t)base, (const char *)c->v.raw + es * (size_t)start, es * (size_t)n);
    }
    b->len += n;
    if (c->valid || b->valid) {
        /* re-append validity row by row: rare (only columns with nulls) */
        b->len = base;
        for (int64_t r = 0; r < n; r++) {
            if (lp_col_valid(c, start + r)) {
                if (b->valid) b->valid[(base + r) >> 3] |= (uint8_t)(1u << ((base + r) & 7));
                b->len++;
            } else {
                lp_colbuf_append_null(b); /* empty slot, zero value, bit cleared */
            }
        }
    }
}

lp_column *lp_column_slice(const lp_column *c, int64_t start, int64_t n) {
    lp_colbuf b;
    lp_colbuf_init(&b, c->type);
    lp_colbuf_append_rows(&b, c, start, n);
    lp_column *out;
    return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
}

lp_column *lp_column_concat(lp_column *const *cols, int ncols) {
    if (ncols == 1) return lp_column_ref((lp_column *)cols[0]);
    lp_colbuf b;
    lp_colbuf_init(&b, ncols ? cols[0]->type : lp_type_of(LP_STRING));
    int64_t rows = 0;
    size_t bytes = 0;
    for (int i = 0; i < ncols; i++) {
        rows += cols[i]->len;
        if (cols[i]->type.kind == LP_STRING) bytes += (size_t)cols[i]->v.off[cols[i]->len];
    }
    lp_colbuf_reserve(&b, rows, bytes);
    for (int i = 0; i < ncols; i++) lp_colbuf_append_rows(&b, cols[i], 0, cols[i]->len);
    lp_column *out;
    return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
}

/* ---- builder ---- */

void lp_colbuf_init(lp_colbuf *b, lp_type t) {
    memset(b, 0, sizeof *b);
    b->type = t;
}

void lp_colbuf_reset(lp_colbuf *b) {
    lp_free(b->valid);
    lp_free(b->vals);
    lp_free(b->data);
    lp_free(b->vsize);
    lp_free(b->vidx);
    if (b->child) {
        lp_colbuf_reset(b->child);
        lp_free(b->child);
    }
    if (b->fields) {
        for (int k = 0, nf = nfields(b->type); k < nf; k++) lp_colbuf_reset(&b->fields[k]);
        lp_free(b->fields);
    }
    memset(b, 0, sizeof *b);
}

bool lp_colbuf_reserve(lp_colbuf *b, int64_t rows, size_t bytes) {
    if (b->nomem) return false;
    int64_t need = b->len + rows;
    if (need > b->cap || !b->vals) {
        int64_t cap = b->cap ? b->cap : 16;
        while (cap < need) cap += cap / 2 + 16;
        size_t es = elem_size(b->type.kind);
        size_t slots = (size_t)cap + (has_offsets(b->type) ? 1 : 0);
        void *v = lp_realloc(b->vals, slots * es);
        if (!v) goto nomem;
        if (!b->vals && has_offsets(b->type)) ((int64_t *)v)[0] = 0;
        b->vals = v;
        if (b->type.kind == LP_VECTOR) {
            int32_t *sz = lp_realloc(b->vsize, (size_t)cap * 4);
            if (!sz) goto nomem;
            b->vsize = sz;
        }
        if (b->valid) {
            size_t old = (size_t)(b->cap + 7) / 8, nw = (size_t)(cap + 7) / 8;
            uint8_t *m = lp_realloc(b->valid, nw);
            if (!m) goto nomem;
            memset(m + old, 0, nw - old);
            b->valid = m;
        }
        b->cap = cap;
    }
    if (bytes && b->dlen + bytes > b->dcap) {
        size_t cap = b->dcap ? b->dcap : 256;
        while (cap < b->dlen + bytes) cap += cap / 2 + 256;
        char *d = lp_realloc(b->data, cap);
        if (!d) goto nomem;
        b->data = d;
        b->dcap = cap;
    }
    return true;
nomem:
    b->nomem = true;
    return false;
}

/* Makes room for one more row. */
static inline bool room(lp_colbuf *b) { return LP_LIKELY(b->len < b->cap && b->vals) || lp_colbuf_reserve(b, 1, 0); }

static inline void mark_valid(lp_colbuf *b) {
    if (LP_UNLIKELY(b->valid != NULL)) b->valid[b->len >> 3] |= (uint8_t)(1u << (b->len & 7));
}

void lp_colbuf_append_null(lp_colbuf *b) {
    if (!room(b)) return;
    if (!b->valid) {
        size_t nb = (size_t)(b->cap + 7) / 8;
        b->valid = lp_malloc(nb);
        if (!b->valid) {
            b->nomem = true;
            return;
        }
        memset(b->valid, 0, nb);
        for (int64_t i = 0; i < b->len; i++) b->valid[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    b->valid[b->len >> 3] &= (uint8_t) ~(1u << (b->len & 7));
    if (b->type.kind == LP_STRUCT)
        for (int k = 0, nf = nfields(b->type); k < nf; k++) lp_colbuf_append_null(lp_colbuf_struct_field(b, k));
    size_t es = elem_size(b->type.kind);
    if (has_offsets(b->type)) {
        int64_t *off = b->vals;
        off[b->len + 1] = off[b->len];
        if (b->vsize) b->vsize[b->len] = 0;
    } else {
        memset((char *)b->vals + es * (size_t)b->len, 0, es);
    }
    b->len++;
    b->null_count++;
}

void lp_colbuf_append_bool(lp_colbuf *b, bool v) {
    if (!room(b)) return;
    mark_valid(b);
    ((uint8_t *)b->vals)[b->len++] = v;
}

void lp_colbuf_append_i64(lp_colbuf *b, int64_t v) {
    if (!room(b)) return;
    mark_valid(b);
    ((int64_t *)b->vals)[b->len++] = v;
}

void lp_colbuf_append_f64(lp_colbuf *b, double v) {
    if (!room(b)) return;
    mark_valid(b);
    ((double *)b->vals)[b->len++] = v;
}

void lp_colbuf_append_date(lp_colbuf *b, int32_t v) {
    if (!room(b)) return;
    mark_valid(b);
    ((int32_t *)b->vals)[b->len++] = v;
}

void lp_colbuf_append_str(lp_colbuf *b, const char *s, size_t n) {
    if (!(LP_LIKELY(b->len < b->cap && b->vals && b->dlen + n <= b->dcap)) && !lp_colbuf_reserve(b, 1, n)) return;
    mark_valid(b);
    if (n) memcpy(b->data + b->dlen, s, n);
    b->dlen += n;
    ((int64_t *)b->vals)[++b->len] = (int64_t)b->dlen;
}

lp_colbuf *lp_colbuf_list_child(lp_colbuf *b) {
    if (!b->child) {
        b->child = lp_malloc(sizeof *b->child);
        if (!b->child) {
            /* A builder already in the failed state: the caller's appends to it do nothing and
             * allocate nothing, and finish reports the failure through b. */
            static _Thread_local lp_colbuf sink;
            b->nomem = true;
            lp_colbuf_init(&sink, lp_type_of(b->type.elem));
            sink.nomem = true;
            return &sink;
        }
        lp_colbuf_init(b->child, child_type(b->type));
    }
    return b->child;
}

void lp_colbuf_append_vec(lp_colbuf *b, int32_t size, int32_t nnz, const int32_t *idx, const double *val) {
    if (!room(b)) return;
    lp_colbuf *ch = lp_colbuf_list_child(b);
    if (nnz > 0 && !lp_colbuf_reserve(ch, nnz, 0)) {
        b->nomem = true;
        return;
    }
    int64_t base = ch->len;
    if ((idx || b->vidx) && b->vicap < base + nnz) {
        /* the first sparse row (or growth): indices as many slots as the values have, the ones
         * under dense rows zero */
        int64_t cap = LP_MAX(ch->cap, base + nnz);
        int32_t *x = lp_realloc(b->vidx, (size_t)cap * 4 + 4);
        if (!x) {
            b->nomem = true;
            return;
        }
        memset(x + b->vicap, 0, (size_t)(cap - b->vicap) * 4);
        b->vidx = x;
        b->vicap = cap;
    }
    if (nnz > 0) {
        memcpy((double *)ch->vals + base, val, (size_t)nnz * 8);
        if (idx) memcpy(b->vidx + base, idx, (size_t)nnz * 4);
        else if (b->vidx) memset(b->vidx + base, 0, (size_t)nnz * 4);
        ch->len += nnz;
    }
    mark_valid(b);
    b->vsize[b->len] = idx ? size : ~size;
    ((int64_t *)b->vals)[b->len + 1] = ch->len;
    b->len++;
}

double lp_vec_at(const lp_value *v, int32_t i) {
    if (i < 0 || i >= v->u.vec.size) return 0.0;
    if (!v->u.vec.idx) return v->u.vec.val[i];
    int32_t lo = 0, hi = v->u.vec.nnz;
    while (lo < hi) {
        int32_t m = lo + (hi - lo) / 2;
        if (v->u.vec.idx[m] < i) lo = m + 1;
        else hi = m;
    }
    return lo < v->u.vec.nnz && v->u.vec.idx[lo] == i ? v->u.vec.val[lo] : 0.0;
}

lp_colbuf *lp_colbuf_struct_field(lp_colbuf *b, int k) {
    if (!b->fields) {
        const lp_struct_schema *st = lp_struct_schema_of(b->type);
        int nf = st ? st->nfields : 0;
        b->fields = lp_malloc(sizeof *b->fields * (size_t)(nf ? nf : 1));
        if (!b->fields || !st) {
            static _Thread_local lp_colbuf sink;  /* as in lp_colbuf_list_child */
            b->nomem = true;
            lp_colbuf_init(&sink, lp_type_of(LP_STRING));
            sink.nomem = true;
            return &sink;
        }
        for (int i = 0; i < nf; i++) lp_colbuf_init(&b->fields[i], st->types[i]);
    }
    return &b->fields[k];
}

void lp_colbuf_struct_end(lp_colbuf *b) {
    if (!room(b)) return;
    mark_valid(b);
    ((uint8_t *)b->vals)[b->len++] = 0;
}

void lp_colbuf_list_end(lp_colbuf *b) {
    if (!room(b)) return;
    mark_valid(b);
    ((int64_t *)b->vals)[b->len + 1] = b->child ? b->child->len : 0;
    b->len++;
}

void lp_colbuf_append_value(lp_colbuf *b, const lp_value *v) {
    if (v->null || v->type.kind == LP_NULLTYPE) {
        lp_colbuf_append_null(b);
        return;
    }
    lp_kind want = b->type.kind, have = v->type.kind;
    switch (want) {
    case LP_BOOL:
        lp_colbuf_append_bool(b, have == LP_BOOL ? v->u.b : have == LP_INT64 ? v->u.i != 0 : v->u.f != 0);
        return;
    case LP_INT64:
        lp_colbuf_append_i64(b, have == LP_FLOAT64 ? (int64_t)v->u.f : have == LP_BOOL ? v->u.b : v->u.i);
        return;
    case LP_FLOAT64:
        lp_colbuf_append_f64(b, have == LP_FLOAT64 ? v->u.f : have == LP_BOOL ? (double)v->u.b : (double)v->u.i);
        return;
    case LP_DATE:
        if (have == LP_TIMESTAMP) {
            int64_t us = v->u.i;
            int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86399999999LL) / 86400000000LL);
            lp_colbuf_append_date(b, (int32_t)days);
        } else {
            lp_colbuf_append_date(b, v->u.d);
        }
        return;
    case LP_TIMESTAMP:
        lp_colbuf_append_i64(b, have == LP_DATE ? (int64_t)v->u.d * 86400000000LL : v->u.i);
        return;
    case LP_STRING:
        if (have == LP_STRING) {
            lp_colbuf_append_str(b, v->u.s.p, (size_t)v->u.s.n);
        } else {
            lp_strbuf s;
            lp_strbuf_init(&s);
            lp_value_format(v, &s);
            if (s.nomem) b->nomem = true;
            lp_colbuf_append_str(b, s.p ? s.p : "", s.len);
            lp_strbuf_reset(&s);
        }
        return;
    case LP_LIST:
        if (have == LP_LIST) {
            lp_colbuf *ch = lp_colbuf_list_child(b);
            for (int64_t k = 0; k < v->u.list.n; k++) {
                lp_value e = lp_column_get(v->u.list.child, v->u.list.start + k);
                lp_colbuf_append_value(ch, &e);
            }
            lp_colbuf_list_end(b);
        } else {
            lp_colbuf_append_null(b);
        }
        return;
    case LP_VECTOR:
        if (have == LP_VECTOR) lp_colbuf_append_vec(b, v->u.vec.size, v->u.vec.nnz, v->u.vec.idx, v->u.vec.val);
        else lp_colbuf_append_null(b);
        return;
    case LP_STRUCT: {
        int nf = nfields(b->type);
        if (have != LP_STRUCT || nfields(v->type) != nf) {
            lp_colbuf_append_null(b);
            return;
        }
        /* field by field, by position (as Spark casts one struct to another) */
        for (int k = 0; k < nf; k++) {
            lp_value e = lp_column_get(v->u.st.col->fields[k], v->u.st.row);
            lp_colbuf_append_value(lp_colbuf_struct_field(b, k), &e);
        }
        lp_colbuf_struct_end(b);
        return;
    }
    default:
        lp_colbuf_append_null(b);
        return;
    }
}

lp_status lp_colbuf_finish(lp_colbuf *b, lp_column **out) {
    *out = NULL;
    if (!b->vals) lp_colbuf_reserve(b, 0, 0);
    if ((b->type.kind == LP_LIST || b->type.kind == LP_VECTOR) && !b->child) (void)lp_colbuf_list_child(b);
    if (b->type.kind == LP_STRUCT && !b->fields) (void)lp_colbuf_struct_field(b, 0);
    lp_column *child = NULL;
    if (b->child && !b->nomem) {
        if (lp_colbuf_finish(b->child, &child) != LP_OK) b->nomem = true;
        lp_free(b->child);
        b->child = NULL;
    }
    int nf = nfields(b->type);
    lp_column **fields = NULL;
    if (b->fields && !b->nomem) {
        fields = lp_calloc((size_t)nf + 1, sizeof *fields);
        if (!fields) b->nomem = true;
        for (int k = 0; k < nf && !b->nomem; k++)
            if (lp_colbuf_finish(&b->fields[k], &fields[k]) != LP_OK) b->nomem = true;
        if (b->nomem && fields) {
            for (int k = 0; k < nf; k++) lp_column_unref(fields[k]);
            lp_free(fields);
            fields = NULL;
        }
    }
    lp_column *c = b->nomem ? NULL : lp_malloc(sizeof *c);
    if (!c) {
        lp_column_unref(child);
        if (fields) {
            for (int k = 0; k < nf; k++) lp_column_unref(fields[k]);
            lp_free(fields);
        }
        lp_colbuf_reset(b);
        return LP_ENOMEM;
    }
    if (b->fields) {
        for (int k = 0; k < nf; k++) lp_colbuf_reset(&b->fields[k]);
        lp_free(b->fields);
        b->fields = NULL;
    }
    memset(c, 0, sizeof *c);
    atomic_init(&c->refs, 1);
    c->type = b->type;
    c->len = b->len;
    c->null_count = b->null_count;
    c->valid = b->null_count ? b->valid : NULL;
    if (!b->null_count) lp_free(b->valid);
    c->v.raw = b->vals;
    c->data = b->data;
    if (c->type.kind == LP_STRING && !c->data) c->data = lp_malloc(0);
    c->child = child;
    c->vsize = b->vsize;
    c->vidx = b->vidx;
    c->fields = fields;
    memset(b, 0, sizeof *b);
    if (c->type.kind == LP_STRING && !c->data) {
        lp_column_unref(c);
        return LP_ENOMEM;
    }
    *out = c;
    return LP_OK;
}

/* ---- values ---- */

void lp_value_format(const lp_value *v, lp_strbuf *out) {
    char buf[48];
    if (v->null || v->type.kind == LP_NULLTYPE) {
        lp_strbuf_puts(out, "null");
        return;
    }
    switch ((lp_kind)v->type.kind) {
    case LP_BOOL: lp_strbuf_puts(out, v->u.b ? "true" : "false"); return;
    case LP_INT64: lp_strbuf_printf(out, "%lld", (long long)v->u.i); return;
    case LP_FLOAT64: lp_strbuf_append(out, buf, (size_t)lp_format_float64(v->u.f, buf)); return;
    case LP_DATE: lp_strbuf_append(out, buf, (size_t)lp_format_date(v->u.d, buf)); return;
    case LP_TIMESTAMP: lp_strbuf_append(out, buf, (size_t)lp_format_timestamp(v->u.i, buf)); return;
    case LP_STRING: lp_strbuf_append(out, v->u.s.p, (size_t)v->u.s.n); return;
    case LP_LIST:
        lp_strbuf_putc(out, '[');
        for (int64_t k = 0; k < v->u.list.n; k++) {
            if (k) lp_strbuf_puts(out, ", ");
            lp_value e = lp_column_get(v->u.list.child, v->u.list.start + k);
            lp_value_format(&e, out);
        }
        lp_strbuf_putc(out, ']');
        return;
    case LP_VECTOR:  /* as Spark's show(): (size,[indices],[values]) sparse, [values] dense */
        if (v->u.vec.idx) {
            lp_strbuf_printf(out, "(%d,[", (int)v->u.vec.size);
            for (int32_t k = 0; k < v->u.vec.nnz; k++) lp_strbuf_printf(out, k ? ",%d" : "%d", (int)v->u.vec.idx[k]);
            lp_strbuf_puts(out, "],");
        }
        lp_strbuf_putc(out, '[');
        for (int32_t k = 0; k < v->u.vec.nnz; k++) {
            if (k) lp_strbuf_putc(out, ',');
            lp_strbuf_append(out, buf, (size_t)lp_format_float64(v->u.vec.val[k], buf));
        }
        lp_strbuf_puts(out, v->u.vec.idx ? "])" : "]");
        return;
    case LP_STRUCT: {
        lp_strbuf_putc(out, '{');
        for (int k = 0, nf = nfields(v->type); k < nf; k++) {
            if (k) lp_strbuf_puts(out, ", ");
            lp_value e = lp_column_get(v->u.st.col->fields[k], v->u.st.row);
            lp_value_format(&e, out);
        }
        lp_strbuf_putc(out, '}');
        return;
    }
    default: lp_strbuf_puts(out, "?"); return;
    }
}
