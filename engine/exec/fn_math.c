/* fn_math.c -- the math functions: round, bround, floor, ceil, sqrt, log, log10, log2, exp, pow.
 * (abs and unary minus live with the arithmetic in eval.c.)
 *
 * round and bround follow Spark exactly: a double is rounded as the decimal Java prints for it
 * (BigDecimal(Double.toString(x)).setScale(d, HALF_UP)), so round(2.675, 2) is 2.68 where C's
 * printf would say 2.67. The common case takes a fast path (scale, round, divide: exact unless
 * the scaled value sits on a .5 boundary) and only boundary values go through the decimal text.
 * Logarithms of values <= 0 are null, as in Spark; sqrt of a negative number is NaN. isnan and
 * signum live here too.
 */
#include "expr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double pow10s[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Rounds x to d decimal places through its shortest decimal text. */
static double round_text(double x, int64_t d, bool even) {
    char buf[48];
    int p = 1;
    for (; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, x);
        if (strtod(buf, NULL) == x) break;
    }
    /* buf: [-]D[.DDD]e[+-]XX */
    bool neg = buf[0] == '-';
    const char *q = buf + neg;
    char dig[24];
    int nd = 0;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9') dig[nd++] = *q;
    int E = atoi(q + 1);
    int64_t k = E + 1 + d; /* digits kept */
    if (k >= nd) return x;
    if (k < 0) return neg ? -0.0 : 0.0;
    int64_t kept = 0;
    for (int64_t i = 0; i < k; i++) kept = kept * 10 + (dig[i] - '0');
    int next = dig[k] - '0';
    bool rest = false;
    for (int i = (int)k + 1; i < nd; i++) rest |= dig[i] != '0';
    bool up = even ? (next > 5 || (next == 5 && (rest || (kept & 1)))) : next >= 5;
    if (up) kept++;
    snprintf(buf, sizeof buf, "%s%llde%lld", neg ? "-" : "", (long long)kept, (long long)(E + 1 - k));
    return strtod(buf, NULL);
}

static double round_f(double x, int64_t d, bool even) {
    if (!isfinite(x) || x == 0) return x;
    if (d >= 0 && d <= 22) {
        double y = x * pow10s[d];
        if (fabs(y) < 4e15) {
            double f = floor(y), frac = y - f;
            if (fabs(frac - 0.5) > 1e-9) {
                double m = frac > 0.5 ? f + 1 : f;
                return m / pow10s[d];
            }
        }
    } else if (d < 0 && d >= -22) {
        double y = x / pow10s[-d];
        if (fabs(y) < 4e15) {
            double f = floor(y), frac = y - f;
            if (fabs(frac - 0.5) > 1e-9) return (frac > 0.5 ? f + 1 : f) * pow10s[-d];
        }
    }
    if (d > 340) return x;
    if (d < -340) return x < 0 ? -0.0 : 0.0;
    return round_text(x, d, even);
}

static int64_t round_i(int64_t x, int64_t d, bool even) {
    if (d >= 0) return x;
    if (d < -18) return 0;
    int64_t p = 1;
    for (int64_t i = 0; i < -d; i++) p *= 10;
    int64_t q = x / p, rem = x % p;
    uint64_t a = (uint64_t)(rem < 0 ? -rem : rem) * 2;
    bool up = even ? (a > (uint64_t)p || (a == (uint64_t)p && (q & 1))) : a >= (uint64_t)p;
    if (up) q += x < 0 ? -1 : 1;
    return (int64_t)((uint64_t)q * (uint64_t)p);
}

static inline int64_t d2i(double f) {
    if (isnan(f)) return 0;
    if (f >= 9223372036854775807.0) return INT64_MAX;
    if (f <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)f;
}

lp_status lp_fn_math(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, e->nargs, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_col_new(e->type, n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    const lp_column *x = a[0].col;
    bool maybe_null = false; /* logs: rows <= 0 become null */
    switch (e->fn) {
    case LP_FN_ROUND: case LP_FN_BROUND: {
        bool even = e->fn == LP_FN_BROUND;
        bool one = e->nargs == 1 || a[1].cnst || n == 1;
        int64_t d0 = e->nargs == 2 ? a[1].col->v.i[0] : 0;
        if (x->type.kind == LP_INT64) {
            for (int64_t r = 0; r < n; r++)
                o->v.i[r] = round_i(x->v.i[lp_vec_row(&a[0], r)], one ? d0 : a[1].col->v.i[r], even);
        } else {
            for (int64_t r = 0; r < n; r++)
                o->v.f[r] = round_f(x->v.f[lp_vec_row(&a[0], r)], one ? d0 : a[1].col->v.i[r], even);
        }
        break;
    }
    case LP_FN_FLOOR: case LP_FN_CEIL:
        if (x->type.kind == LP_INT64)
            memcpy(o->v.i, x->v.i, sizeof(int64_t) * (size_t)n);
        else if (e->fn == LP_FN_FLOOR)
            for (int64_t r = 0; r < n; r++) o->v.i[r] = d2i(floor(x->v.f[r]));
        else
            for (int64_t r = 0; r < n; r++) o->v.i[r] = d2i(ceil(x->v.f[r]));
        break;
    case LP_FN_SQRT: for (int64_t r = 0; r < n; r++) o->v.f[r] = sqrt(x->v.f[r]); break;
    case LP_FN_EXP: for (int64_t r = 0; r < n; r++) o->v.f[r] = exp(x->v.f[r]); break;
    case LP_FN_LOG10: for (int64_t r = 0; r < n; r++) o->v.f[r] = log10(x->v.f[r]); maybe_null = true; break;
    case LP_FN_LOG2: for (int64_t r = 0; r < n; r++) o->v.f[r] = log2(x->v.f[r]); maybe_null = true; break;
    case LP_FN_LOG:
        if (e->nargs == 1) {
            for (int64_t r = 0; r < n; r++) o->v.f[r] = log(x->v.f[r]);
        } else {
            for (int64_t r = 0; r < n; r++) {
                double base = a[0].col->v.f[lp_vec_row(&a[0], r)], v = a[1].col->v.f[lp_vec_row(&a[1], r)];
                o->v.f[r] = base <= 0 ? NAN : log(v) / log(base);
                if (v <= 0) o->v.f[r] = NAN;
            }
        }
        maybe_null = true;
        break;
    case LP_FN_ISNAN:
        for (int64_t r = 0; r < n; r++) o->v.b[r] = isnan(x->v.f[r]) != 0;
        lp_free(valid); /* never null */
        valid = NULL;
        break;
    case LP_FN_SIGNUM:
        for (int64_t r = 0; r < n; r++) {
            double v = x->v.f[r];
            o->v.f[r] = isnan(v) ? v : (double)((v > 0) - (v < 0));
        }
        break;
    default: /* pow */
        for (int64_t r = 0; r < n; r++)
            o->v.f[r] = pow(a[0].col->v.f[lp_vec_row(&a[0], r)], a[1].col->v.f[lp_vec_row(&a[1], r)]);
        break;
    }
    if (maybe_null) {
        const lp_vec *arg = &a[e->nargs - 1];
        for (int64_t r = 0; r < n; r++) {
            double v = arg->col->v.f[lp_vec_row(arg, r)];
            bool bad = v <= 0 || (e->nargs == 2 && a[0].col->v.f[lp_vec_row(&a[0], r)] <= 0);
            if (!bad) continue;
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
