/* keys.c -- row keys across columns: hashing, equality and ordering.
 *
 * Shared by aggregation, distinct, joins and sort, so that "the same key" means one thing
 * everywhere: nulls group together (and never join), floats compare by value with NaN equal to
 * NaN and -0.0 equal to 0.0 (as Spark normalises them), strings compare by bytes, which for
 * UTF-8 is code point order. Pure functions over immutable columns; any thread.
 */
#include "loupe_int.h"

#include <math.h>

#define NULL_HASH 0x5bd1e9955bd1e995ULL

static inline uint64_t f64_bits(double f) {
    if (f == 0) f = 0;       /* -0.0 -> 0.0 */
    if (isnan(f)) f = NAN;   /* one NaN */
    uint64_t u;
    memcpy(&u, &f, 8);
    return u;
}

/* Hash of one column's value at row r (not null). */
static uint64_t hash_value(const lp_column *c, int64_t r) {
    switch ((lp_kind)c->type.kind) {
    case LP_BOOL: return lp_hash_u64(c->v.b[r] + 1);
    case LP_INT64: case LP_TIMESTAMP: return lp_hash_u64((uint64_t)c->v.i[r]);
    case LP_FLOAT64: return lp_hash_u64(f64_bits(c->v.f[r]));
    case LP_DATE: return lp_hash_u64((uint64_t)(int64_t)c->v.d[r]);
    case LP_STRING: {
        int64_t n;
        const char *s = lp_col_str(c, r, &n);
        return lp_hash_bytes(s, (size_t)n, 0);
    }
    case LP_LIST: {
        uint64_t h = lp_hash_u64((uint64_t)(c->v.off[r + 1] - c->v.off[r]));
        for (int64_t k = c->v.off[r]; k < c->v.off[r + 1]; k++)
            h = lp_hash_combine(h, lp_col_valid(c->child, k) ? hash_value(c->child, k) : NULL_HASH);
        return h;
    }
    case LP_VECTOR: {  /* by size, representation, indices and values (distinct(), dropDuplicates) */
        lp_value v = lp_column_get(c, r);
        uint64_t h = lp_hash_u64((uint64_t)v.u.vec.size * 2 + (v.u.vec.idx != NULL));
        for (int32_t k = 0; k < v.u.vec.nnz; k++) {
            h = lp_hash_combine(h, lp_hash_u64(f64_bits(v.u.vec.val[k])));
            if (v.u.vec.idx) h = lp_hash_combine(h, (uint64_t)v.u.vec.idx[k]);
        }
        return h;
    }
    case LP_STRUCT: {
        const lp_struct_schema *st = lp_struct_schema_of(c->type);
        uint64_t h = 0x2545f4914f6cdd1dULL;
        for (int k = 0; k < st->nfields; k++) {
            const lp_column *f = c->fields[k];
            h = lp_hash_combine(h, lp_col_valid(f, r) ? hash_value(f, r) : NULL_HASH);
        }
        return h;
    }
    default: return 0;
    }
}

void lp_keys_hash(lp_column *const *cols, int ncols, int64_t nrows, uint64_t *out) {
    for (int k = 0; k < ncols; k++) {
        const lp_column *c = cols[k];
        bool first = k == 0;
        /* The common single-column, no-null cases get tight loops. */
        if (!c->valid && (c->type.kind == LP_INT64 || c->type.kind == LP_TIMESTAMP)) {
            for (int64_t r = 0; r < nrows; r++) {
                uint64_t h = lp_hash_u64((uint64_t)c->v.i[r]);
                out[r] = first ? h : lp_hash_combine(out[r], h);
            }
        } else if (!c->valid && c->type.kind == LP_STRING) {
            for (int64_t r = 0; r < nrows; r++) {
                uint64_t h = lp_hash_bytes(c->data + c->v.off[r], (size_t)(c->v.off[r + 1] - c->v.off[r]), 0);
                out[r] = first ? h : lp_hash_combine(out[r], h);
            }
        } else {
            for (int64_t r = 0; r < nrows; r++) {
                uint64_t h = lp_col_valid(c, r) ? hash_value(c, r) : NULL_HASH;
                out[r] = first ? h : lp_hash_combine(out[r], h);
            }
        }
    }
}

/* Equality of two non-null values of the same type. */
static bool value_eq(const lp_column *a, int64_t ra, const lp_column *b, int64_t rb) {
    switch ((lp_kind)a->type.kind) {
    case LP_BOOL: return a->v.b[ra] == b->v.b[rb];
    case LP_INT64: case LP_TIMESTAMP: return a->v.i[ra] == b->v.i[rb];
    case LP_FLOAT64: return f64_bits(a->v.f[ra]) == f64_bits(b->v.f[rb]);
    case LP_DATE: return a->v.d[ra] == b->v.d[rb];
    case LP_STRING: {
        int64_t na, nb;
        const char *sa = lp_col_str(a, ra, &na), *sb = lp_col_str(b, rb, &nb);
        return na == nb && memcmp(sa, sb, (size_t)na) == 0;
    }
    case LP_LIST: {
        int64_t na = a->v.off[ra + 1] - a->v.off[ra], nb = b->v.off[rb + 1] - b->v.off[rb];
        if (na != nb) return false;
        for (int64_t k = 0; k < na; k++) {
            int64_t ka = a->v.off[ra] + k, kb = b->v.off[rb] + k;
            bool va = lp_col_valid(a->child, ka), vb = lp_col_valid(b->child, kb);
            if (va != vb) return false;
            if (va && !value_eq(a->child, ka, b->child, kb)) return false;
        }
        return true;
    }
    case LP_VECTOR: {
        lp_value x = lp_column_get(a, ra), y = lp_column_get(b, rb);
        if (x.u.vec.size != y.u.vec.size || x.u.vec.nnz != y.u.vec.nnz || !x.u.vec.idx != !y.u.vec.idx) return false;
        for (int32_t k = 0; k < x.u.vec.nnz; k++)
            if (f64_bits(x.u.vec.val[k]) != f64_bits(y.u.vec.val[k]) || (x.u.vec.idx && x.u.vec.idx[k] != y.u.vec.idx[k]))
                return false;
        return true;
    }
    case LP_STRUCT: {
        const lp_struct_schema *st = lp_struct_schema_of(a->type);
        for (int k = 0; k < st->nfields; k++) {
            const lp_column *fa = a->fields[k], *fb = b->fields[k];
            bool va = lp_col_valid(fa, ra), vb = lp_col_valid(fb, rb);
            if (va != vb) return false;
            if (va && !value_eq(fa, ra, fb, rb)) return false;
        }
        return true;
    }
    default: return true;
    }
}

bool lp_keys_equal(lp_column *const *a, int64_t ra, lp_column *const *b, int64_t rb, int ncols,
                   bool nulls_equal) {
    for (int k = 0; k < ncols; k++) {
        bool va = lp_col_valid(a[k], ra), vb = lp_col_valid(b[k], rb);
        if (!va || !vb) {
            if (!nulls_equal || va != vb) return false;
            continue;
        }
        if (!value_eq(a[k], ra, b[k], rb)) return false;
    }
    return true;
}

static int cmp_f64(double x, double y) {
    bool nx = isnan(x), ny = isnan(y);
    if (nx || ny) return nx - ny;  /* NaN sorts after every number */
    return (x > y) - (x < y);
}

int lp_value_cmp_rows(const lp_column *a, int64_t ra, const lp_column *b, int64_t rb) {
    switch ((lp_kind)a->type.kind) {
    case LP_BOOL: return (int)a->v.b[ra] - (int)b->v.b[rb];
    case LP_INT64: case LP_TIMESTAMP: return (a->v.i[ra] > b->v.i[rb]) - (a->v.i[ra] < b->v.i[rb]);
    case LP_FLOAT64: return cmp_f64(a->v.f[ra], b->v.f[rb]);
    case LP_DATE: return (a->v.d[ra] > b->v.d[rb]) - (a->v.d[ra] < b->v.d[rb]);
    case LP_STRING: {
        int64_t na, nb;
        const char *sa = lp_col_str(a, ra, &na), *sb = lp_col_str(b, rb, &nb);
        int c = memcmp(sa, sb, (size_t)(na < nb ? na : nb));
        return c ? (c > 0) - (c < 0) : (na > nb) - (na < nb);
    }
    case LP_LIST: {
        int64_t na = a->v.off[ra + 1] - a->v.off[ra], nb = b->v.off[rb + 1] - b->v.off[rb];
        for (int64_t k = 0; k < na && k < nb; k++) {
            int64_t ka = a->v.off[ra] + k, kb = b->v.off[rb] + k;
            bool va = lp_col_valid(a->child, ka), vb = lp_col_valid(b->child, kb);
            if (va != vb) return va ? 1 : -1; /* null elements first */
            if (va) {
                int c = lp_value_cmp_rows(a->child, ka, b->child, kb);
                if (c) return c;
            }
        }
        return (na > nb) - (na < nb);
    }
    case LP_STRUCT: {
        /* field by field, a null field before any value (Spark's ascending order) */
        const lp_struct_schema *st = lp_struct_schema_of(a->type);
        for (int k = 0; k < st->nfields; k++) {
            const lp_column *fa = a->fields[k], *fb = b->fields[k];
            bool va = lp_col_valid(fa, ra), vb = lp_col_valid(fb, rb);
            if (va != vb) return va ? 1 : -1;
            if (va) {
                int c = lp_value_cmp_rows(fa, ra, fb, rb);
                if (c) return c;
            }
        }
        return 0;
    }
    default: return 0;
    }
}
