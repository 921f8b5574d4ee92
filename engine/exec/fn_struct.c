/* fn_struct.c -- struct values and event-time windows: struct(), named_struct(), field access
 * (`window.start`, getField) and window(ts, '10 minutes'[, slide[, start]]).
 *
 * A struct column is its fields' columns side by side (see loupe_int.h): building one from
 * evaluated arguments shares their columns by reference, and taking a field hands out the
 * field's column, so neither copies any rows. window() evaluated row by row gives the one
 * tumbling window of each timestamp; sliding windows put a row in several windows, which a
 * projection cannot do: the planner expands those rows instead (lp_plan_aggregate, through
 * lp_window_last_start). Pure functions of their arguments; any thread.
 */
#include "expr_int.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

/* ---- durations ---- */

static const struct { const char *name; int64_t us; } units[] = {
    {"microsecond", 1},          {"microseconds", 1},          {"us", 1},
    {"millisecond", 1000},       {"milliseconds", 1000},       {"ms", 1000},
    {"second", 1000000},         {"seconds", 1000000},         {"sec", 1000000},   {"secs", 1000000},
    {"minute", 60000000},        {"minutes", 60000000},        {"min", 60000000},  {"mins", 60000000},
    {"hour", 3600000000LL},      {"hours", 3600000000LL},
    {"day", 86400000000LL},      {"days", 86400000000LL},
    {"week", 604800000000LL},    {"weeks", 604800000000LL},
};

static lp_status bad_duration(lp_diag *d, const char *s, size_t n, const char *why) {
    lp_diag_set(d, LP_EVALUE, "'%.*s' is not a duration: %s", (int)LP_MIN(n, 80), s, why);
    if (!d || !d->hint[0])
        lp_diag_hint(d, "write a number and a unit, such as '10 minutes', '1 hour', '2 days', '1 week' or "
                        "'1 day 12 hours'");
    return LP_EVALUE;
}

lp_status lp_duration_parse(const char *s, size_t n, int64_t *us, lp_diag *d) {
    size_t i = 0;
    int64_t total = 0;
    int parts = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    if (n - i >= 8 && strncasecmp(s + i, "interval", 8) == 0 && (n - i == 8 || isspace((unsigned char)s[i + 8]))) i += 8;
    for (;;) {
        while (i < n && isspace((unsigned char)s[i])) i++;
        if (i == n) break;
        size_t j = i;
        if (j < n && (s[j] == '-' || s[j] == '+')) j++;
        while (j < n && isdigit((unsigned char)s[j])) j++;
        int64_t num;
        if (!lp_parse_int64(s + i, j - i, &num))
            return bad_duration(d, s, n, i == 0 || parts == 0 ? "it does not start with a number" : "a unit must be followed by a number");
        i = j;
        while (i < n && isspace((unsigned char)s[i])) i++;
        j = i;
        while (j < n && isalpha((unsigned char)s[j])) j++;
        if (j == i) return bad_duration(d, s, n, "the number has no unit");
        int64_t mul = 0;
        for (size_t u = 0; u < LP_ARRAY_LEN(units) && !mul; u++)
            if (strlen(units[u].name) == j - i && strncasecmp(units[u].name, s + i, j - i) == 0) mul = units[u].us;
        if (!mul) {
            char word[64], why[160];
            snprintf(word, sizeof word, "%.*s", (int)LP_MIN(j - i, 60), s + i);
            if (strncasecmp(word, "month", 5) == 0 || strncasecmp(word, "year", 4) == 0) {
                snprintf(why, sizeof why, "%s have no fixed length", word);
                lp_diag_hint(d, "use days or weeks: '30 days', '52 weeks'");
                return bad_duration(d, s, n, why);
            }
            snprintf(why, sizeof why, "'%s' is not a unit", word);
            const char *names[LP_ARRAY_LEN(units)];
            for (size_t u = 0; u < LP_ARRAY_LEN(units); u++) names[u] = units[u].name;
            const char *best = lp_expr_closest(word, names, (int)LP_ARRAY_LEN(units));
            size_t pre = i;
            while (pre > 0 && isspace((unsigned char)s[pre - 1])) pre--;
            if (best) lp_diag_hint(d, "did you mean '%.*s %s'? units: microseconds, milliseconds, seconds, minutes, "
                                      "hours, days, weeks", (int)pre, s, best);
            return bad_duration(d, s, n, why);
        }
        if (num > INT64_MAX / mul || num < -(INT64_MAX / mul)) return bad_duration(d, s, n, "it is too long");
        total += num * mul;
        parts++;
        i = j;
    }
    if (!parts) return bad_duration(d, s, n, "it is empty");
    *us = total;
    return LP_OK;
}

lp_status lp_window_def_of(const lp_expr *e, lp_window_def *w, lp_diag *d) {
    int64_t v[3] = {0, 0, 0};
    for (int i = 1; i < e->nargs && i < 4; i++) {
        const lp_expr *x = e->args[i];
        if (x->kind != LP_EXPR_LIT || x->lit.null || x->lit.type.kind != LP_STRING) {
            lp_diag_set(d, LP_ETYPE, "window's durations must be strings such as '10 minutes'");
            lp_diag_span(d, x->start, x->end);
            return LP_ETYPE;
        }
        lp_status st = lp_duration_parse(x->lit.u.s.p, (size_t)x->lit.u.s.n, &v[i - 1], d);
        if (st) {
            lp_diag_span(d, x->start, x->end);
            return st;
        }
    }
    w->dur = v[0];
    w->slide = e->nargs > 2 ? v[1] : v[0];
    w->offset = e->nargs > 3 ? v[2] : 0;
    const lp_expr *at = NULL;
    if (w->dur <= 0) {
        lp_diag_set(d, LP_EVALUE, "the window duration must be positive");
        at = e->args[1];
    } else if (w->slide <= 0) {
        lp_diag_set(d, LP_EVALUE, "the slide duration must be positive");
        at = e->args[2];
    } else if (w->slide > w->dur) {
        lp_diag_set(d, LP_EVALUE, "the slide duration must be less than or equal to the window duration");
        lp_diag_hint(d, "a slide longer than the window would leave rows in no window");
        at = e->args[2];
    } else if (w->offset <= -w->slide || w->offset >= w->slide) {
        lp_diag_set(d, LP_EVALUE, "the absolute value of the start time must be less than the slide duration");
        at = e->args[3];
    } else if (w->dur / w->slide > 1000) {
        lp_diag_set(d, LP_ELIMIT, "a window that slides %lld times within its duration puts each row in too many "
                    "windows (at most 1000)", (long long)(w->dur / w->slide));
        at = e->args[2];
    }
    if (!at) return LP_OK;
    lp_diag_span(d, at->start, at->end);
    return d ? d->status : LP_EVALUE;
}

/* ---- evaluation ---- */

/* The argument as a column of n rows (a constant one expanded). NULL when refused. */
static lp_column *full(const lp_vec *v, int64_t n) {
    if (!v->cnst || v->col->len == n) return lp_column_ref(v->col);
    lp_value x = lp_column_get(v->col, 0);
    return x.null ? lp_column_new_null(v->col->type, n) : lp_column_new_const(&x, n);
}

static lp_status eval_struct(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    bool named = e->fn == LP_FN_NAMED_STRUCT;
    int nf = named ? e->nargs / 2 : e->nargs;
    lp_column **f = lp_calloc((size_t)nf + 1, sizeof *f);
    if (!f) return LP_ENOMEM;
    bool ok = true;
    for (int i = 0; i < nf && ok; i++) ok = (f[i] = full(&a[named ? 2 * i + 1 : i], n)) != NULL;
    if (!ok) {
        for (int i = 0; i < nf; i++) lp_column_unref(f[i]);
        lp_free(f);
        return LP_ENOMEM;
    }
    *out = lp_column_struct(e->type, n, f, NULL);
    lp_free(f);
    return *out ? LP_OK : LP_ENOMEM;
}

static lp_status eval_field(const lp_expr *e, const lp_vec *a, lp_column **out) {
    const lp_expr *nm = e->args[1];
    int k = lp_struct_field(a[0].col->type, nm->lit.u.s.p, (size_t)nm->lit.u.s.n);
    if (k < 0) return LP_EUNSUPPORTED; /* bind checked it */
    *out = lp_column_ref(a[0].col->fields[k]);
    return LP_OK;
}

/* The tumbling window of each timestamp (null for a null one). */
static lp_status eval_window(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    lp_window_def w;
    if (lp_window_def_of(e, &w, NULL) != LP_OK || w.slide != w.dur) return LP_EUNSUPPORTED;
    const lp_column *ts = a[0].col;
    lp_column *s = lp_ev_col_new(lp_type_of(LP_TIMESTAMP), n), *t = lp_ev_col_new(lp_type_of(LP_TIMESTAMP), n);
    uint8_t *valid = ts->valid ? lp_ev_bitmap_new(n) : NULL, *valid2 = ts->valid ? lp_ev_bitmap_new(n) : NULL;
    if (!s || !t || (ts->valid && (!valid || !valid2))) {
        lp_column_unref(s);
        lp_column_unref(t);
        lp_free(valid);
        lp_free(valid2);
        return LP_ENOMEM;
    }
    for (int64_t r = 0; r < n; r++) {
        int64_t i = lp_vec_row(&a[0], r);
        if (!lp_col_valid(ts, i)) {
            lp_bit_clear(valid, r);
            lp_bit_clear(valid2, r);
            s->v.i[r] = t->v.i[r] = 0;
            continue;
        }
        s->v.i[r] = lp_window_last_start(&w, ts->v.i[i]);
        t->v.i[r] = s->v.i[r] + w.dur;
    }
    lp_ev_set_valid(s, valid);
    lp_ev_set_valid(t, valid2);
    lp_column *f[2] = {s, t};
    *out = lp_column_struct(e->type, n, f, s->valid);
    return *out ? LP_OK : LP_ENOMEM;
}

lp_status lp_fn_struct(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    switch (e->fn) {
    case LP_FN_STRUCT: case LP_FN_NAMED_STRUCT: return eval_struct(e, a, n, out);
    case LP_FN_GET_FIELD: return eval_field(e, a, out);
    case LP_FN_WINDOW: return eval_window(e, a, n, out);
    default: return LP_EUNSUPPORTED;
    }
}
