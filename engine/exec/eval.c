/* eval.c -- vectorized evaluation of bound expressions over one partition.
 *
 * Each call evaluates its arguments into lp_vecs (whole columns, or one-row constants), then
 * computes its result over all rows at once: the switch on function and type sits outside the
 * row loops, and the loops index the column buffers directly. Nulls are handled through the
 * validity bitmaps: the result's bitmap is the AND of the arguments' for functions that
 * propagate nulls, and values are computed under null slots too (they are zero there, so no
 * branch is needed) and zeroed afterwards.
 *
 * Thread safety: a bound tree is only read (the lossy-conversion counters are atomic), every
 * column made here is private to the calling thread until it is returned.
 */
#include "expr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- column helpers ---- */

static size_t esize(lp_kind k) {
    switch (k) {
    case LP_BOOL: return 1;
    case LP_DATE: return 4;
    default: return 8;
    }
}

lp_column *lp_ev_col_new(lp_type t, int64_t n) {
    lp_column *c = lp_malloc(sizeof *c);
    if (!c) return NULL;
    memset(c, 0, sizeof *c);
    atomic_init(&c->refs, 1);
    c->type = t;
    c->len = n;
    bool offs = t.kind == LP_STRING || t.kind == LP_LIST;
    c->v.raw = lp_malloc((size_t)(n + (offs ? 1 : 0)) * esize(t.kind));
    if (!c->v.raw) {
        lp_free(c);
        return NULL;
    }
    return c;
}

lp_column *lp_ev_bool_col(int64_t n) { return lp_ev_col_new(lp_type_of(LP_BOOL), n); }

uint8_t *lp_ev_bitmap_new(int64_t n) {
    size_t nb = (size_t)(n + 7) / 8;
    uint8_t *m = lp_malloc(nb ? nb : 1);
    if (m) memset(m, 0xff, nb);
    return m;
}

uint8_t *lp_ev_valid_and(const lp_vec *args, int na, int64_t n, bool *nomem) {
    *nomem = false;
    uint8_t *m = NULL;
    size_t nb = (size_t)(n + 7) / 8;
    for (int i = 0; i < na; i++) {
        const lp_column *c = args[i].col;
        if (!c->valid) continue;
        if (!m && !(m = lp_ev_bitmap_new(n))) {
            *nomem = true;
            return NULL;
        }
        if (args[i].cnst) {
            if (!lp_col_valid(c, 0)) memset(m, 0, nb);
        } else {
            for (size_t k = 0; k < nb; k++) m[k] &= c->valid[k];
        }
    }
    return m;
}

void lp_ev_set_valid(lp_column *c, uint8_t *valid) {
    c->valid = NULL;
    c->null_count = 0;
    if (!valid) return;
    int64_t n = c->len, nulls = 0;
    int64_t full = n / 8;
    for (int64_t k = 0; k < full; k++) nulls += 8 - __builtin_popcount(valid[k]);
    for (int64_t r = full * 8; r < n; r++) nulls += !lp_bit_get(valid, r);
    if (!nulls) {
        lp_free(valid);
        return;
    }
    c->valid = valid;
    c->null_count = nulls;
    switch ((lp_kind)c->type.kind) {
    case LP_BOOL:
        for (int64_t r = 0; r < n; r++) c->v.b[r] &= (uint8_t)lp_bit_get(valid, r);
        break;
    case LP_DATE:
        for (int64_t r = 0; r < n; r++)
            if (!lp_bit_get(valid, r)) c->v.d[r] = 0;
        break;
    case LP_INT64: case LP_TIMESTAMP: case LP_FLOAT64:
        for (int64_t r = 0; r < n; r++)
            if (!lp_bit_get(valid, r)) c->v.i[r] = 0;
        break;
    default: break;
    }
}

/* A column of n nulls of type t. */
static lp_status all_null(lp_type t, int64_t n, lp_column **out) {
    if (t.kind == LP_NULLTYPE) t = lp_type_of(LP_STRING);
    *out = lp_column_new_null(t, n);
    return *out ? LP_OK : LP_ENOMEM;
}

/* ---- gather: row r from args[ch[r]] ---- */

lp_status lp_ev_gather(lp_type t, const lp_vec *args, const int32_t *ch, int64_t n, lp_column **out) {
    *out = NULL;
    if (t.kind == LP_NULLTYPE) return all_null(t, n, out);
    if (lp_type_nested(t)) {
        lp_colbuf b;
        lp_colbuf_init(&b, t);
        lp_colbuf_reserve(&b, n, 0);
        for (int64_t r = 0; r < n; r++) {
            if (ch[r] < 0) {
                lp_colbuf_append_null(&b);
                continue;
            }
            const lp_vec *v = &args[ch[r]];
            lp_value x = lp_column_get(v->col, lp_vec_row(v, r));
            lp_colbuf_append_value(&b, &x);
        }
        return lp_colbuf_finish(&b, out);
    }
    uint8_t *valid = lp_ev_bitmap_new(n);
    if (!valid) return LP_ENOMEM;
    for (int64_t r = 0; r < n; r++) {
        if (ch[r] < 0 || !lp_col_valid(args[ch[r]].col, lp_vec_row(&args[ch[r]], r))) lp_bit_clear(valid, r);
    }
    if (t.kind == LP_STRING) {
        int64_t bytes = 0;
        for (int64_t r = 0; r < n; r++) {
            if (!lp_bit_get(valid, r)) continue;
            const lp_column *c = args[ch[r]].col;
            int64_t i = lp_vec_row(&args[ch[r]], r);
            bytes += c->v.off[i + 1] - c->v.off[i];
        }
        lp_column *o = lp_ev_col_new(t, n);
        char *data = lp_malloc((size_t)bytes);
        if (!o || !data) {
            lp_free(valid);
            lp_free(data);
            lp_column_unref(o);
            return LP_ENOMEM;
        }
        o->data = data;
        int64_t pos = 0;
        o->v.off[0] = 0;
        for (int64_t r = 0; r < n; r++) {
            if (lp_bit_get(valid, r)) {
                const lp_column *c = args[ch[r]].col;
                int64_t i = lp_vec_row(&args[ch[r]], r), len = c->v.off[i + 1] - c->v.off[i];
                memcpy(data + pos, c->data + c->v.off[i], (size_t)len);
                pos += len;
            }
            o->v.off[r + 1] = pos;
        }
        lp_ev_set_valid(o, valid);
        *out = o;
        return LP_OK;
    }
    lp_column *o = lp_ev_col_new(t, n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    switch ((lp_kind)t.kind) {
    case LP_BOOL:
        for (int64_t r = 0; r < n; r++) o->v.b[r] = ch[r] < 0 ? 0 : args[ch[r]].col->v.b[lp_vec_row(&args[ch[r]], r)];
        break;
    case LP_DATE:
        for (int64_t r = 0; r < n; r++) o->v.d[r] = ch[r] < 0 ? 0 : args[ch[r]].col->v.d[lp_vec_row(&args[ch[r]], r)];
        break;
    default:
        for (int64_t r = 0; r < n; r++) o->v.i[r] = ch[r] < 0 ? 0 : args[ch[r]].col->v.i[lp_vec_row(&args[ch[r]], r)];
        break;
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* ---- arithmetic ---- */

/* out[r] = EXPR(x, y) over the three shapes (column/column, column/constant, constant/column);
 * two constants arrive as two one-row columns and take the first shape. */
#define BINLOOP(OUT, A, B, EXPR)                                                   \
    do {                                                                           \
        if (a[0].cnst == a[1].cnst || n == 1) {                                    \
            for (int64_t r = 0; r < n; r++) {                                      \
                __typeof__(A[0]) x = A[r];                                         \
                __typeof__(B[0]) y = B[r];                                         \
                OUT[r] = (EXPR);                                                   \
            }                                                                      \
        } else if (a[1].cnst) {                                                    \
            __typeof__(B[0]) y = B[0];                                             \
            for (int64_t r = 0; r < n; r++) {                                      \
                __typeof__(A[0]) x = A[r];                                         \
                OUT[r] = (EXPR);                                                   \
            }                                                                      \
        } else {                                                                   \
            __typeof__(A[0]) x = A[0];                                             \
            for (int64_t r = 0; r < n; r++) {                                      \
                __typeof__(B[0]) y = B[r];                                         \
                OUT[r] = (EXPR);                                                   \
            }                                                                      \
        }                                                                          \
    } while (0)

static inline int64_t wadd(int64_t x, int64_t y) { return (int64_t)((uint64_t)x + (uint64_t)y); }
static inline int64_t wsub(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }
static inline int64_t wmul(int64_t x, int64_t y) { return (int64_t)((uint64_t)x * (uint64_t)y); }
static inline int64_t imod(int64_t x, int64_t y) { return (y == 0 || y == -1) ? 0 : x % y; }

/* + - * / % over int64, float64 and dates; a zero divisor gives null. */
static lp_status eval_arith(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 2, n, &nm);
    if (nm) return LP_ENOMEM;
    lp_column *o = lp_ev_col_new(e->type, n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    const lp_column *x = a[0].col, *y = a[1].col;
    lp_kind kx = x->type.kind, ky = y->type.kind;
    bool zero_null = false; /* rows where the divisor is zero become null */
    if (e->type.kind == LP_DATE) {
        int32_t *O = o->v.d;
        if (kx == LP_DATE) {
            const int32_t *A = x->v.d;
            const int64_t *B = y->v.i;
            if (e->fn == LP_FN_ADD) BINLOOP(O, A, B, (int32_t)((int64_t)x + y));
            else BINLOOP(O, A, B, (int32_t)((int64_t)x - y));
        } else {
            const int64_t *A = x->v.i;
            const int32_t *B = y->v.d;
            BINLOOP(O, A, B, (int32_t)(x + (int64_t)y));
        }
    } else if (kx == LP_DATE) {
        int64_t *O = o->v.i;
        const int32_t *A = x->v.d, *B = y->v.d;
        BINLOOP(O, A, B, (int64_t)x - (int64_t)y);
    } else if (kx == LP_INT64 && ky == LP_INT64) {
        int64_t *O = o->v.i;
        const int64_t *A = x->v.i, *B = y->v.i;
        switch (e->fn) {
        case LP_FN_ADD: BINLOOP(O, A, B, wadd(x, y)); break;
        case LP_FN_SUB: BINLOOP(O, A, B, wsub(x, y)); break;
        case LP_FN_MUL: BINLOOP(O, A, B, wmul(x, y)); break;
        default: BINLOOP(O, A, B, imod(x, y)); zero_null = true; break;
        }
    } else {
        double *O = o->v.f;
        const double *A = x->v.f, *B = y->v.f;
        switch (e->fn) {
        case LP_FN_ADD: BINLOOP(O, A, B, x + y); break;
        case LP_FN_SUB: BINLOOP(O, A, B, x - y); break;
        case LP_FN_MUL: BINLOOP(O, A, B, x * y); break;
        case LP_FN_DIV: BINLOOP(O, A, B, y == 0 ? 0.0 : x / y); zero_null = true; break;
        default: BINLOOP(O, A, B, y == 0 ? 0.0 : fmod(x, y)); zero_null = true; break;
        }
    }
    if (zero_null) {
        bool isf = ky == LP_FLOAT64;
        bool any = false;
        for (int64_t r = 0; r < n && !any; r++) {
            int64_t i = lp_vec_row(&a[1], r);
            any = isf ? y->v.f[i] == 0 : y->v.i[i] == 0;
        }
        if (any) {
            if (!valid && !(valid = lp_ev_bitmap_new(n))) {
                lp_column_unref(o);
                return LP_ENOMEM;
            }
            for (int64_t r = 0; r < n; r++) {
                int64_t i = lp_vec_row(&a[1], r);
                if (isf ? y->v.f[i] == 0 : y->v.i[i] == 0) lp_bit_clear(valid, r);
            }
        }
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* Unary minus and abs (int64 wraps, as Java's Math.abs(Long.MIN_VALUE)). */
static lp_status eval_neg(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 1, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_col_new(e->type, n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    const lp_column *x = a[0].col;
    if (e->type.kind == LP_INT64) {
        if (e->fn == LP_FN_NEG)
            for (int64_t r = 0; r < n; r++) o->v.i[r] = wsub(0, x->v.i[r]);
        else
            for (int64_t r = 0; r < n; r++) o->v.i[r] = x->v.i[r] < 0 ? wsub(0, x->v.i[r]) : x->v.i[r];
    } else {
        if (e->fn == LP_FN_NEG)
            for (int64_t r = 0; r < n; r++) o->v.f[r] = -x->v.f[r];
        else
            for (int64_t r = 0; r < n; r++) o->v.f[r] = fabs(x->v.f[r]);
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* ---- comparison ---- */

/* Spark orders NaN above every other double and equal to itself. */
static inline int8_t fcmp3(double x, double y) {
    if (LP_LIKELY(!isnan(x) && !isnan(y))) return (int8_t)((x > y) - (x < y));
    return (int8_t)(isnan(x) - isnan(y));
}
static inline int8_t scmp3(const lp_column *a, int64_t i, const lp_column *b, int64_t j) {
    int64_t an = a->v.off[i + 1] - a->v.off[i], bn = b->v.off[j + 1] - b->v.off[j];
    int c = memcmp(a->data + a->v.off[i], b->data + b->v.off[j], (size_t)LP_MIN(an, bn));
    if (c) return (int8_t)(c < 0 ? -1 : 1);
    return (int8_t)((an > bn) - (an < bn));
}

/* c[r] = three-way comparison of a and b (same type) at row r, as -1/0/1 bytes. */
static void cmp3(const lp_vec *a, int64_t n, int8_t *c) {
    const lp_column *x = a[0].col, *y = a[1].col;
    switch ((lp_kind)x->type.kind) {
    case LP_BOOL: { const uint8_t *A = x->v.b, *B = y->v.b; BINLOOP(c, A, B, (int8_t)((x > y) - (x < y))); break; }
    case LP_DATE: { const int32_t *A = x->v.d, *B = y->v.d; BINLOOP(c, A, B, (int8_t)((x > y) - (x < y))); break; }
    case LP_INT64: case LP_TIMESTAMP: {
        const int64_t *A = x->v.i, *B = y->v.i;
        BINLOOP(c, A, B, (int8_t)((x > y) - (x < y)));
        break;
    }
    case LP_FLOAT64: { const double *A = x->v.f, *B = y->v.f; BINLOOP(c, A, B, fcmp3(x, y)); break; }
    case LP_STRING:
        for (int64_t r = 0; r < n; r++) c[r] = scmp3(x, lp_vec_row(&a[0], r), y, lp_vec_row(&a[1], r));
        break;
    default:
        for (int64_t r = 0; r < n; r++)
            c[r] = (int8_t)lp_value_cmp_rows(x, lp_vec_row(&a[0], r), y, lp_vec_row(&a[1], r));
        break;
    }
}

/* A comparison of a[0] and a[1] as a bool column (fn: EQ..GE, EQ_NS). */
static lp_status eval_cmp_fn(lp_fn fn, const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 2, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_bool_col(n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    int8_t *c = (int8_t *)o->v.b;
    uint8_t *b = o->v.b;
    if (a[0].col->type.kind == LP_STRING && (fn == LP_FN_EQ || fn == LP_FN_NE || fn == LP_FN_EQ_NS)) {
        /* string equality: lengths first, bytes only when they agree */
        const lp_column *x = a[0].col, *y = a[1].col;
        bool want = fn != LP_FN_NE;
        for (int64_t r = 0; r < n; r++) {
            int64_t i = lp_vec_row(&a[0], r), j = lp_vec_row(&a[1], r);
            int64_t xn = x->v.off[i + 1] - x->v.off[i], yn = y->v.off[j + 1] - y->v.off[j];
            bool eq = xn == yn && memcmp(x->data + x->v.off[i], y->data + y->v.off[j], (size_t)xn) == 0;
            b[r] = eq == want;
        }
        goto nulls;
    }
    cmp3(a, n, c);
    switch (fn) {
    case LP_FN_EQ: case LP_FN_EQ_NS: for (int64_t r = 0; r < n; r++) b[r] = c[r] == 0; break;
    case LP_FN_NE: for (int64_t r = 0; r < n; r++) b[r] = c[r] != 0; break;
    case LP_FN_LT: for (int64_t r = 0; r < n; r++) b[r] = c[r] < 0; break;
    case LP_FN_LE: for (int64_t r = 0; r < n; r++) b[r] = c[r] <= 0; break;
    case LP_FN_GT: for (int64_t r = 0; r < n; r++) b[r] = c[r] > 0; break;
    default: for (int64_t r = 0; r < n; r++) b[r] = c[r] >= 0; break;
    }
nulls:
    if (fn == LP_FN_EQ_NS) {
        if (valid) {
            for (int64_t r = 0; r < n; r++) {
                bool vx = lp_col_valid(a[0].col, lp_vec_row(&a[0], r)), vy = lp_col_valid(a[1].col, lp_vec_row(&a[1], r));
                if (!vx || !vy) b[r] = !vx && !vy;
            }
            lp_free(valid);
        }
        valid = NULL;
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* ---- three-valued logic ---- */

/* and/or of two bool vecs with SQL's truth tables. */
static lp_status eval_logic(bool is_and, const lp_vec *a, int64_t n, lp_column **out) {
    lp_column *o = lp_ev_bool_col(n);
    if (!o) return LP_ENOMEM;
    const lp_column *x = a[0].col, *y = a[1].col;
    uint8_t *valid = NULL;
    if (x->valid || y->valid) {
        if (!(valid = lp_ev_bitmap_new(n))) {
            lp_column_unref(o);
            return LP_ENOMEM;
        }
    }
    int64_t sx = a[0].cnst ? 0 : 1, sy = a[1].cnst ? 0 : 1;
    if (!valid) {
        if (is_and)
            for (int64_t r = 0; r < n; r++) o->v.b[r] = x->v.b[r * sx] & y->v.b[r * sy];
        else
            for (int64_t r = 0; r < n; r++) o->v.b[r] = x->v.b[r * sx] | y->v.b[r * sy];
    } else {
        for (int64_t r = 0; r < n; r++) {
            bool vx = lp_col_valid(x, r * sx), vy = lp_col_valid(y, r * sy);
            bool bx = x->v.b[r * sx], by = y->v.b[r * sy];
            bool ok;
            if (is_and) {
                o->v.b[r] = bx & by;
                ok = (vx && vy) || (vx && !bx) || (vy && !by);
            } else {
                o->v.b[r] = (vx && bx) || (vy && by);
                ok = (vx && vy) || (vx && bx) || (vy && by);
            }
            if (!ok) lp_bit_clear(valid, r);
        }
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* NOT: null stays null. */
static lp_status eval_not(const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 1, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_bool_col(n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    for (int64_t r = 0; r < n; r++) o->v.b[r] = !a[0].col->v.b[r];
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* IS [NOT] NULL: never null itself. */
static lp_status eval_isnull(bool want_null, const lp_vec *a, int64_t n, lp_column **out) {
    lp_column *o = lp_ev_bool_col(n);
    if (!o) return LP_ENOMEM;
    const lp_column *x = a[0].col;
    for (int64_t r = 0; r < n; r++) o->v.b[r] = lp_col_valid(x, r) != want_null;
    *out = o;
    return LP_OK;
}

/* x IN (constants): one pass over the rows, each compared with every non-null item. */
static lp_status eval_in_consts(const lp_vec *a, int nargs, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 1, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_bool_col(n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    const lp_column *x = a[0].col;
    bool item_null = false;
    for (int i = 1; i < nargs; i++) item_null |= !lp_col_valid(a[i].col, 0);
    for (int64_t r = 0; r < n; r++) {
        bool found = false;
        for (int i = 1; i < nargs && !found; i++) {
            const lp_column *c = a[i].col;
            if (!lp_col_valid(c, 0)) continue;
            switch ((lp_kind)x->type.kind) {
            case LP_BOOL: found = x->v.b[r] == c->v.b[0]; break;
            case LP_DATE: found = x->v.d[r] == c->v.d[0]; break;
            case LP_FLOAT64: found = fcmp3(x->v.f[r], c->v.f[0]) == 0; break;
            case LP_STRING: {
                int64_t xn = x->v.off[r + 1] - x->v.off[r], cn = c->v.off[1];
                found = xn == cn && memcmp(x->data + x->v.off[r], c->data, (size_t)xn) == 0;
                break;
            }
            default: found = x->v.i[r] == c->v.i[0]; break;
            }
        }
        o->v.b[r] = found;
        if (!found && item_null) {
            if (!valid && !(valid = lp_ev_bitmap_new(n))) {
                lp_column_unref(o);
                return LP_ENOMEM;
            }
            lp_bit_clear(valid, r);
        }
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* x IN (items): the OR of x = item, with three-valued logic. */
static lp_status eval_in(const lp_vec *a, int nargs, int64_t n, lp_column **out) {
    bool consts = !lp_type_nested(a[0].col->type);
    for (int i = 1; i < nargs; i++) consts &= a[i].cnst;
    if (consts) return eval_in_consts(a, nargs, n, out);
    lp_column *acc = NULL;
    for (int i = 1; i < nargs; i++) {
        lp_vec pair[2] = {a[0], a[i]};
        lp_column *eq;
        if (eval_cmp_fn(LP_FN_EQ, pair, n, &eq)) {
            lp_column_unref(acc);
            return LP_ENOMEM;
        }
        if (!acc) {
            acc = eq;
            continue;
        }
        lp_vec two[2] = {{acc, false}, {eq, false}};
        lp_column *o;
        lp_status st = eval_logic(false, two, n, &o);
        lp_column_unref(acc);
        lp_column_unref(eq);
        if (st) return st;
        acc = o;
    }
    *out = acc;
    return LP_OK;
}

/* x BETWEEN lo AND hi as (x >= lo) AND (x <= hi). */
static lp_status eval_between(const lp_vec *a, int64_t n, lp_column **out) {
    lp_vec lo[2] = {a[0], a[1]}, hi[2] = {a[0], a[2]};
    lp_column *x = NULL, *y = NULL;
    lp_status st = eval_cmp_fn(LP_FN_GE, lo, n, &x);
    if (!st) st = eval_cmp_fn(LP_FN_LE, hi, n, &y);
    if (!st) {
        lp_vec two[2] = {{x, false}, {y, false}};
        st = eval_logic(true, two, n, out);
    }
    lp_column_unref(x);
    lp_column_unref(y);
    return st;
}

/* ---- conditionals ---- */

static inline bool is_true(const lp_vec *v, int64_t r) {
    int64_t i = lp_vec_row(v, r);
    return lp_col_valid(v->col, i) && v->col->v.b[i];
}

/* CASE, IF, COALESCE, NVL, GREATEST, LEAST: pick, per row, which argument gives the value,
 * then gather the values in one typed pass. */
static lp_status eval_choose(const lp_expr *e, const lp_vec *a, int nargs, int64_t n, lp_column **out) {
    int32_t *ch = lp_malloc(sizeof *ch * (size_t)(n ? n : 1));
    if (!ch) return LP_ENOMEM;
    switch (e->fn) {
    case LP_FN_CASE:
    case LP_FN_IF: {
        int32_t dflt = nargs % 2 ? nargs - 1 : -1;
        for (int64_t r = 0; r < n; r++) ch[r] = -2;
        for (int i = 0; i + 1 < nargs; i += 2)
            for (int64_t r = 0; r < n; r++)
                if (ch[r] == -2 && is_true(&a[i], r)) ch[r] = i + 1;
        for (int64_t r = 0; r < n; r++)
            if (ch[r] == -2) ch[r] = dflt;
        break;
    }
    case LP_FN_COALESCE:
    case LP_FN_NVL:
        for (int64_t r = 0; r < n; r++) {
            ch[r] = -1;
            for (int i = 0; i < nargs; i++)
                if (lp_col_valid(a[i].col, lp_vec_row(&a[i], r))) {
                    ch[r] = i;
                    break;
                }
        }
        break;
    default: { /* greatest, least: skip nulls */
        int want = e->fn == LP_FN_GREATEST ? 1 : -1;
        for (int64_t r = 0; r < n; r++) {
            int32_t best = -1;
            for (int i = 0; i < nargs; i++) {
                int64_t ri = lp_vec_row(&a[i], r);
                if (!lp_col_valid(a[i].col, ri)) continue;
                if (best < 0) {
                    best = i;
                    continue;
                }
                int c = a[i].col->type.kind == LP_FLOAT64
                            ? fcmp3(a[i].col->v.f[ri], a[best].col->v.f[lp_vec_row(&a[best], r)])
                            : lp_value_cmp_rows(a[i].col, ri, a[best].col, lp_vec_row(&a[best], r));
                if (c * want > 0) best = i;
            }
            ch[r] = best;
        }
        break;
    }
    }
    lp_status st = lp_ev_gather(e->type, a, ch, n, out);
    lp_free(ch);
    return st;
}

/* ---- lists ---- */

/* list[index] (0-based) and element_at(list, index) (1-based, negative from the end); a null list
 * or index, or an index out of range, gives null. */
static lp_status eval_get(const lp_vec *a, int64_t n, bool one_based, lp_column **out) {
    const lp_column *l = a[0].col, *ix = a[1].col;
    int64_t *idx = lp_malloc(sizeof *idx * (size_t)(n ? n : 1));
    if (!idx) return LP_ENOMEM;
    for (int64_t r = 0; r < n; r++) {
        int64_t i = lp_vec_row(&a[0], r), j = lp_vec_row(&a[1], r);
        idx[r] = -1;
        if (!lp_col_valid(l, i) || !lp_col_valid(ix, j)) continue;
        int64_t k = ix->v.i[j], len = l->v.off[i + 1] - l->v.off[i];
        if (one_based) k = k > 0 ? k - 1 : k < 0 ? len + k : -1;
        if (k >= 0 && k < len) idx[r] = l->v.off[i] + k;
    }
    *out = lp_column_take(l->child, idx, n);
    lp_free(idx);
    return *out ? LP_OK : LP_ENOMEM;
}

/* size(list): -1 for a null list, as Spark's legacy default. */
static lp_status eval_size(const lp_vec *a, int64_t n, lp_column **out) {
    lp_column *o = lp_ev_col_new(lp_type_of(LP_INT64), n);
    if (!o) return LP_ENOMEM;
    const lp_column *l = a[0].col;
    for (int64_t r = 0; r < n; r++) o->v.i[r] = lp_col_valid(l, r) ? l->v.off[r + 1] - l->v.off[r] : -1;
    *out = o;
    return LP_OK;
}

/* array_contains: null for a null list; null when not found but the list holds nulls. */
static lp_status eval_array_contains(const lp_vec *a, int64_t n, lp_column **out) {
    lp_column *o = lp_ev_bool_col(n);
    uint8_t *valid = o ? lp_ev_bitmap_new(n) : NULL;
    if (!valid) {
        lp_column_unref(o);
        return LP_ENOMEM;
    }
    const lp_column *l = a[0].col, *v = a[1].col, *ch = l->child;
    for (int64_t r = 0; r < n; r++) {
        int64_t i = lp_vec_row(&a[0], r), j = lp_vec_row(&a[1], r);
        o->v.b[r] = 0;
        if (!lp_col_valid(l, i) || !lp_col_valid(v, j)) {
            lp_bit_clear(valid, r);
            continue;
        }
        bool found = false, nulls = false;
        for (int64_t k = l->v.off[i]; k < l->v.off[i + 1] && !found; k++) {
            if (!lp_col_valid(ch, k)) nulls = true;
            else if (ch->type.kind == LP_FLOAT64) found = fcmp3(ch->v.f[k], v->v.f[j]) == 0;
            else found = lp_value_cmp_rows(ch, k, v, j) == 0;
        }
        o->v.b[r] = found;
        if (!found && nulls) lp_bit_clear(valid, r);
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* ---- cast ---- */

static bool parse_bool(const char *s, int64_t n, bool *out) {
    static const char *const t[] = {"t", "true", "y", "yes", "1"}, *const f[] = {"f", "false", "n", "no", "0"};
    for (size_t k = 0; k < 5; k++) {
        if ((int64_t)strlen(t[k]) == n && strncasecmp(s, t[k], (size_t)n) == 0) return *out = true, true;
        if ((int64_t)strlen(f[k]) == n && strncasecmp(s, f[k], (size_t)n) == 0) return *out = false, true;
    }
    return false;
}

static void trim_ws(const char **s, int64_t *n) {
    while (*n > 0 && (unsigned char)**s <= ' ') (*s)++, (*n)--;
    while (*n > 0 && (unsigned char)(*s)[*n - 1] <= ' ') (*n)--;
}

/* Spark casts "4.7" to int as 4: an integer, or a decimal truncated toward zero. */
static bool parse_int_lenient(const char *s, int64_t n, int64_t *out) {
    if (lp_parse_int64(s, (size_t)n, out)) return true;
    int64_t k = 0;
    if (k < n && (s[k] == '+' || s[k] == '-')) k++;
    int64_t digits = 0, dot = -1;
    for (int64_t i = k; i < n; i++) {
        if (s[i] == '.' && dot < 0) dot = i;
        else if (s[i] >= '0' && s[i] <= '9') digits++;
        else return false;
    }
    if (dot < 0 || digits == 0) return false;
    if (dot == k) return *out = 0, true;
    return lp_parse_int64(s, (size_t)dot, out);
}

/* Saturating double -> int64, NaN -> 0, as Java's (long) cast. */
static inline int64_t d2i(double f) {
    if (isnan(f)) return 0;
    if (f >= 9223372036854775807.0) return INT64_MAX;
    if (f <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)f;
}

static int64_t floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Lenient date text as Spark's cast accepts it: yyyy, yyyy-[m]m, yyyy-[m]m-[d]d, optionally
 * followed by ' ' or 'T' and anything. */
bool lp_ev_parse_date(const char *s, int64_t n, int32_t *out) {
    if (lp_parse_date(s, (size_t)n, out)) return true;
    int64_t f[3] = {0, 1, 1};
    int nf = 0;
    int64_t i = 0;
    while (nf < 3) {
        int64_t st = i, v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 6) v = v * 10 + (s[i++] - '0');
        int64_t len = i - st;
        if (len == 0 || (nf == 0 && len < 4) || (nf > 0 && len > 2)) return false;
        f[nf++] = v;
        if (i < n && s[i] == '-' && nf < 3) {
            i++;
            continue;
        }
        break;
    }
    if (i < n && !(nf == 3 && (s[i] == ' ' || s[i] == 'T'))) return false;
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31) return false;
    int32_t d = lp_days_from_civil(f[0], (unsigned)f[1], (unsigned)f[2]);
    int64_t y;
    unsigned m, dd;
    lp_civil_from_days(d, &y, &m, &dd);
    if (dd != f[2]) return false;
    *out = d;
    return true;
}

bool lp_ev_parse_ts(const char *s, int64_t n, int64_t *out) {
    if (lp_parse_timestamp(s, (size_t)n, out)) return true;
    int32_t d;
    if (lp_parse_date(s, (size_t)n, &d) || lp_ev_parse_date(s, n, &d)) {
        bool only_date = true;
        for (int64_t i = 0; i < n; i++)
            if (s[i] == ' ' || s[i] == 'T') only_date = false;
        if (!only_date) return false;
        *out = (int64_t)d * 86400000000LL;
        return true;
    }
    return false;
}

/* CAST(c AS STRING): Spark's text for every type, the type switch outside the row loops. */
static lp_status cast_to_string(const lp_column *c, lp_column **out) {
    int64_t n = c->len;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_STRING));
    lp_colbuf_reserve(&b, n, (size_t)n * 12);
    char buf[48];
    lp_kind from = c->type.kind;
    switch (from) {
    case LP_INT64:
        for (int64_t r = 0; r < n; r++) {
            if (!lp_col_valid(c, r)) lp_colbuf_append_null(&b);
            else lp_colbuf_append_str(&b, buf, (size_t)snprintf(buf, sizeof buf, "%lld", (long long)c->v.i[r]));
        }
        break;
    case LP_FLOAT64:
        for (int64_t r = 0; r < n; r++) {
            if (!lp_col_valid(c, r)) lp_colbuf_append_null(&b);
            else lp_colbuf_append_str(&b, buf, (size_t)lp_format_float64(c->v.f[r], buf));
        }
        break;
    case LP_BOOL:
        for (int64_t r = 0; r < n; r++) {
            if (!lp_col_valid(c, r)) lp_colbuf_append_null(&b);
            else lp_colbuf_append_str(&b, c->v.b[r] ? "true" : "false", c->v.b[r] ? 4 : 5);
        }
        break;
    case LP_DATE:
        for (int64_t r = 0; r < n; r++) {
            if (!lp_col_valid(c, r)) lp_colbuf_append_null(&b);
            else lp_colbuf_append_str(&b, buf, (size_t)lp_format_date(c->v.d[r], buf));
        }
        break;
    case LP_TIMESTAMP:
        for (int64_t r = 0; r < n; r++) {
            if (!lp_col_valid(c, r)) lp_colbuf_append_null(&b);
            else lp_colbuf_append_str(&b, buf, (size_t)lp_format_timestamp(c->v.i[r], buf));
        }
        break;
    default: { /* lists: as show() prints them */
        lp_strbuf sb;
        lp_strbuf_init(&sb);
        for (int64_t r = 0; r < n; r++) {
            if (!lp_col_valid(c, r)) {
                lp_colbuf_append_null(&b);
                continue;
            }
            lp_value v = lp_column_get(c, r);
            lp_strbuf_clear(&sb);
            lp_value_format(&v, &sb);
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
        }
        if (sb.nomem) b.nomem = true;
        lp_strbuf_reset(&sb);
        break;
    }
    }
    return lp_colbuf_finish(&b, out);
}

lp_status lp_ev_cast(const lp_column *c, lp_type to, lp_column **out, int64_t *nulled) {
    *out = NULL;
    int64_t n = c->len;
    lp_kind from = c->type.kind;
    if (lp_type_eq(c->type, to)) {
        *out = lp_column_ref((lp_column *)c);
        return LP_OK;
    }
    if (c->null_count == n && !lp_type_nested(to)) return all_null(to, n, out);
    if (to.kind == LP_STRUCT) return all_null(to, n, out); /* bind allows only struct -> the same struct */
    if (to.kind == LP_LIST) {
        if (from != LP_LIST) return all_null(to, n, out);
        lp_column *ch;
        lp_status st = lp_ev_cast(c->child, lp_type_of((lp_kind)to.elem), &ch, nulled);
        if (st) return st;
        lp_column *o = lp_ev_col_new(to, n);
        uint8_t *valid = c->valid && o ? lp_malloc((size_t)(n + 7) / 8) : NULL;
        if (!o || (c->valid && !valid)) {
            lp_column_unref(ch);
            lp_column_unref(o);
            return LP_ENOMEM;
        }
        memcpy(o->v.off, c->v.off, sizeof(int64_t) * (size_t)(n + 1));
        if (valid) memcpy(valid, c->valid, (size_t)(n + 7) / 8);
        o->child = ch;
        lp_ev_set_valid(o, valid);
        *out = o;
        return LP_OK;
    }
    if (to.kind == LP_STRING) return cast_to_string(c, out);
    /* fixed-width targets: one typed loop per (from, to) pair, straight into the buffers */
    lp_column *o = lp_ev_col_new(to, n);
    uint8_t *valid = o ? lp_ev_bitmap_new(n) : NULL;
    if (!valid) {
        lp_column_unref(o);
        return LP_ENOMEM;
    }
    if (c->valid) memcpy(valid, c->valid, (size_t)(n + 7) / 8);
    int64_t bad = 0;
/* ROWS(body): body for each row r; body sets `ok = false` for a value that does not convert */
#define ROWS(body)                                                       \
    for (int64_t r = 0; r < n; r++) {                                  \
        if (!lp_bit_get(valid, r)) continue;                           \
        bool ok = true;                                                \
        body;                                                          \
        if (!ok) {                                                     \
            lp_bit_clear(valid, r);                                    \
            bad++;                                                     \
        }                                                              \
    }
#define TEXT int64_t len; const char *s = lp_col_str(c, r, &len); trim_ws(&s, &len)
    switch ((lp_kind)to.kind) {
    case LP_INT64:
        switch (from) {
        case LP_FLOAT64: ROWS(o->v.i[r] = d2i(c->v.f[r])); break;
        case LP_BOOL: ROWS(o->v.i[r] = c->v.b[r]); break;
        case LP_TIMESTAMP: ROWS(o->v.i[r] = floordiv(c->v.i[r], 1000000)); break;
        case LP_STRING: ROWS(TEXT; ok = parse_int_lenient(s, len, &o->v.i[r])); break;
        default: ROWS(ok = false); break;
        }
        break;
    case LP_FLOAT64:
        switch (from) {
        case LP_INT64: ROWS(o->v.f[r] = (double)c->v.i[r]); break;
        case LP_BOOL: ROWS(o->v.f[r] = c->v.b[r]); break;
        case LP_TIMESTAMP: ROWS(o->v.f[r] = (double)c->v.i[r] / 1e6); break;
        case LP_STRING: ROWS(TEXT; ok = lp_parse_float64(s, (size_t)len, &o->v.f[r])); break;
        default: ROWS(ok = false); break;
        }
        break;
    case LP_BOOL:
        switch (from) {
        case LP_INT64: ROWS(o->v.b[r] = c->v.i[r] != 0); break;
        case LP_FLOAT64: ROWS(o->v.b[r] = c->v.f[r] != 0); break;
        case LP_STRING: ROWS(TEXT; bool v = false; ok = parse_bool(s, len, &v); o->v.b[r] = v); break;
        default: ROWS(ok = false); break;
        }
        break;
    case LP_DATE:
        switch (from) {
        case LP_TIMESTAMP: ROWS(o->v.d[r] = (int32_t)floordiv(c->v.i[r], 86400000000LL)); break;
        case LP_STRING: ROWS(TEXT; ok = lp_ev_parse_date(s, len, &o->v.d[r])); break;
        default: ROWS(ok = false); break;
        }
        break;
    case LP_TIMESTAMP:
        switch (from) {
        case LP_DATE: ROWS(o->v.i[r] = (int64_t)c->v.d[r] * 86400000000LL); break;
        case LP_INT64: ROWS(o->v.i[r] = wmul(c->v.i[r], 1000000)); break;
        case LP_FLOAT64: ROWS(o->v.i[r] = d2i(c->v.f[r] * 1e6)); break;
        case LP_STRING: ROWS(TEXT; ok = lp_ev_parse_ts(s, len, &o->v.i[r])); break;
        default: ROWS(ok = false); break;
        }
        break;
    default:
        ROWS(ok = false);
        break;
    }
#undef ROWS
#undef TEXT
    if (nulled) *nulled += bad;
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* ---- external functions ---- */

/* Constant arguments are broadcast to n rows first: an external function sees whole columns. */
/* An external function (lp_xfn); its error message and the node's span go into d (may be NULL). */
static lp_status eval_xcall(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out, lp_diag *d) {
    lp_column *small[8];
    lp_column **c = e->nargs <= 8 ? small : lp_calloc((size_t)e->nargs, sizeof *c);
    if (!c) return LP_ENOMEM;
    lp_status st = LP_OK;
    int done = 0;
    for (; done < e->nargs; done++) {
        if (!a[done].cnst || n == 1) {
            c[done] = lp_column_ref(a[done].col);
            continue;
        }
        lp_value x = lp_column_get(a[done].col, 0);
        if (x.null) x.type = a[done].col->type;
        c[done] = x.null ? lp_column_new_null(a[done].col->type, n) : lp_column_new_const(&x, n);
        if (!c[done]) {
            st = LP_ENOMEM;
            break;
        }
    }
    if (st == LP_OK) st = e->xfn->eval(e->xfn, c, e->nargs, n, out, d);
    if (st != LP_OK && st != LP_ENOMEM && d) lp_diag_span(d, e->start, e->end);
    for (int i = 0; i < done; i++) lp_column_unref(c[i]);
    if (c != small) lp_free(c);
    return st;
}

/* ---- dispatch ---- */

/* Dispatches a call over n rows of evaluated arguments. */
static lp_status eval_call(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    switch (e->fn) {
    case LP_FN_ADD: case LP_FN_SUB: case LP_FN_MUL: case LP_FN_DIV: case LP_FN_MOD:
        return eval_arith(e, a, n, out);
    case LP_FN_NEG: case LP_FN_ABS:
        return eval_neg(e, a, n, out);
    case LP_FN_EQ: case LP_FN_NE: case LP_FN_LT: case LP_FN_LE: case LP_FN_GT: case LP_FN_GE: case LP_FN_EQ_NS:
        return eval_cmp_fn(e->fn, a, n, out);
    case LP_FN_AND: return eval_logic(true, a, n, out);
    case LP_FN_OR: return eval_logic(false, a, n, out);
    case LP_FN_NOT: return eval_not(a, n, out);
    case LP_FN_IS_NULL: return eval_isnull(true, a, n, out);
    case LP_FN_IS_NOT_NULL: return eval_isnull(false, a, n, out);
    case LP_FN_IN: return eval_in(a, e->nargs, n, out);
    case LP_FN_BETWEEN: return eval_between(a, n, out);
    case LP_FN_CASE: case LP_FN_IF: case LP_FN_COALESCE: case LP_FN_NVL: case LP_FN_GREATEST: case LP_FN_LEAST:
        return eval_choose(e, a, e->nargs, n, out);
    case LP_FN_CAST: {
        int64_t bad = 0;
        lp_status st = lp_ev_cast(a[0].col, e->type, out, &bad);
        if (bad && e->nulled) atomic_fetch_add(e->nulled, bad);
        return st;
    }
    case LP_FN_GET: return eval_get(a, n, false, out);
    case LP_FN_STRUCT: case LP_FN_NAMED_STRUCT: case LP_FN_GET_FIELD: case LP_FN_WINDOW:
    case LP_FN_EXPLODE: case LP_FN_EXPLODE_OUTER: case LP_FN_POSEXPLODE: case LP_FN_POSEXPLODE_OUTER:
        return lp_fn_struct(e, a, n, out);
    case LP_FN_ELEMENT_AT: return eval_get(a, n, true, out);
    case LP_FN_SIZE: return eval_size(a, n, out);
    case LP_FN_ARRAY_CONTAINS: return eval_array_contains(a, n, out);
    case LP_FN_XCALL: return eval_xcall(e, a, n, out, NULL);
    case LP_FN_LENGTH: case LP_FN_LOWER: case LP_FN_UPPER: case LP_FN_TRIM: case LP_FN_LTRIM: case LP_FN_RTRIM:
    case LP_FN_SUBSTRING: case LP_FN_CONCAT: case LP_FN_CONCAT_WS: case LP_FN_CONTAINS: case LP_FN_STARTSWITH:
    case LP_FN_ENDSWITH: case LP_FN_LIKE: case LP_FN_ILIKE: case LP_FN_INITCAP: case LP_FN_INSTR: case LP_FN_LPAD:
    case LP_FN_RPAD: case LP_FN_REVERSE:
        return lp_fn_string(e, a, n, out);
    case LP_FN_RLIKE: case LP_FN_SPLIT: case LP_FN_REGEXP_EXTRACT: case LP_FN_REGEXP_REPLACE:
        return lp_fn_regex(e, a, n, out);
    case LP_FN_ROUND: case LP_FN_BROUND: case LP_FN_FLOOR: case LP_FN_CEIL: case LP_FN_SQRT: case LP_FN_LOG:
    case LP_FN_LOG10: case LP_FN_LOG2: case LP_FN_EXP: case LP_FN_POW: case LP_FN_ISNAN: case LP_FN_SIGNUM:
        return lp_fn_math(e, a, n, out);
    default:
        return lp_fn_date(e, a, n, out);
    }
}

/* Whether e is contains(lower(x), t) with a constant t that lower() leaves unchanged. */
static bool contains_lower(const lp_expr *e) {
    if (e->fn != LP_FN_CONTAINS || e->nargs != 2 || e->args[0]->kind != LP_EXPR_CALL ||
        e->args[0]->fn != LP_FN_LOWER || e->args[0]->nargs != 1 || e->args[1]->kind != LP_EXPR_LIT ||
        !e->args[1]->pre || !e->args[1]->pre->lit || e->args[1]->type.kind != LP_STRING)
        return false;
    const lp_column *lit = e->args[1]->pre->lit;
    if (!lp_col_valid(lit, 0)) return false;
    int64_t tn;
    const char *t = lp_col_str(lit, 0, &tn);
    return lp_fn_lower_unchanged(t, tn);
}

lp_status lp_expr_eval_vec(const lp_expr *e, const lp_part *part, lp_vec *out, lp_diag *d) {
    out->col = NULL;
    out->cnst = false;
    switch ((lp_expr_kind)e->kind) {
    case LP_EXPR_COL:
        out->col = lp_column_ref(part->cols[e->col]);
        return LP_OK;
    case LP_EXPR_LIT:
        out->col = lp_column_ref(e->pre->lit);
        out->cnst = true;
        return LP_OK;
    case LP_EXPR_CALL: break;
    case LP_EXPR_WINDOW:  /* the planner computes these (lp_window); bind refuses them elsewhere */
        lp_diag_set(d, LP_EUNSUPPORTED, "a window function cannot be computed row by row");
        lp_diag_span(d, e->start, e->end);
        return LP_EUNSUPPORTED;
    }
    const lp_fninfo *fi = lp_fn_info(e->fn);
    if (fi && (fi->flags & LP_FNF_AGG)) {
        lp_diag_set(d, LP_EUNSUPPORTED, "the aggregate %s cannot be computed row by row", e->fname);
        lp_diag_hint(d, "use it in agg() or groupBy().agg(), or in a SQL query with GROUP BY");
        lp_diag_span(d, e->start, e->end);
        return LP_EUNSUPPORTED;
    }
    lp_vec small[8];
    lp_vec *a = e->nargs <= 8 ? small : lp_calloc((size_t)e->nargs, sizeof *a);
    if (!a) return lp_diag_nomem(d, "expression");
    lp_status st = LP_OK;
    bool cnst = true;
    /* contains(lower(x), 'lowercase text'): evaluate x, not lower(x) (lp_fn_contains_lower) */
    bool fused = contains_lower(e);
    int done = 0;
    for (; done < e->nargs; done++) {
        const lp_expr *arg = fused && done == 0 ? e->args[0]->args[0] : e->args[done];
        if ((st = lp_expr_eval_vec(arg, part, &a[done], d))) break;
        cnst &= a[done].cnst;
    }
    if (!st) {
        int64_t n = cnst ? 1 : part->nrows;
        st = fused                  ? lp_fn_contains_lower(a, n, &out->col)
             : e->fn == LP_FN_XCALL ? eval_xcall(e, a, n, &out->col, d)
                                    : eval_call(e, a, n, &out->col);
        out->cnst = cnst;
        if (st == LP_ENOMEM) lp_diag_nomem(d, "expression");
        if (st == LP_EUNSUPPORTED && (!d || d->status == LP_OK)) {
            /* a generator, or a sliding window, where rows cannot multiply */
            lp_diag_set(d, LP_EUNSUPPORTED, "%s cannot be computed here", e->fname ? e->fname : "this function");
            lp_diag_hint(d, "use it as a column of its own in select() or groupBy(): df.groupBy(F.window('ts', "
                            "'3 days', '1 day')).count(), df.select(F.explode('tags'))");
            lp_diag_span(d, e->start, e->end);
        }
    }
    for (int i = 0; i < done; i++) lp_column_unref(a[i].col);
    if (a != small) lp_free(a);
    return st;
}

lp_status lp_expr_eval(const lp_expr *e, const lp_part *part, lp_column **out, lp_diag *d) {
    *out = NULL;
    lp_vec v;
    lp_status st = lp_expr_eval_vec(e, part, &v, d);
    if (st) return st;
    if (!v.cnst || part->nrows == 1) {
        *out = v.col;
        return LP_OK;
    }
    lp_value x = lp_column_get(v.col, 0);
    if (x.null) x.type = v.col->type;
    *out = x.null ? lp_column_new_null(v.col->type, part->nrows) : lp_column_new_const(&x, part->nrows);
    lp_column_unref(v.col);
    return *out ? LP_OK : lp_diag_nomem(d, "expression");
}
