/* fn_date.c -- dates and times: Spark datetime patterns (parse and format), to_date,
 * to_timestamp, from_unixtime, unix_timestamp, the field extractors, date_trunc, datediff,
 * date_add, date_sub, current_date.
 *
 * Everything is UTC (the session time zone Loupe fixes). Dates are int32 days since the epoch,
 * timestamps int64 microseconds; calendar arithmetic is proleptic Gregorian through
 * lp_days_from_civil / lp_civil_from_days, and divisions floor so that 1969 works.
 * Pattern letters supported: y M d H h m s S a E and X/x/Z (offsets), text in 'quotes'.
 * Text that does not match its pattern gives null and is counted in the node's `nulled`.
 */
#include "expr_int.h"

#include <stdio.h>
#include <time.h>

#define US_PER_DAY 86400000000LL

static const char *const month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

static inline int64_t fdiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline int64_t fmod64(int64_t a, int64_t b) { return a - fdiv(a, b) * b; }

bool lp_dtfmt_compile(const char *p, int64_t n, lp_dtfmt *f) {
    f->n = 0;
    for (int64_t i = 0; i < n;) {
        if (f->n >= LP_DTFMT_MAX) return false;
        lp_dttok *t = &f->t[f->n];
        char c = p[i];
        if (c == '\'') {
            if (i + 1 < n && p[i + 1] == '\'') { /* '' is a quote */
                *t = (lp_dttok){0, 0, p + i, 1};
                f->n++;
                i += 2;
                continue;
            }
            int64_t j = i + 1;
            while (j < n && p[j] != '\'') j++;
            if (j >= n) return false;
            *t = (lp_dttok){0, 0, p + i + 1, j - i - 1};
            f->n++;
            i = j + 1;
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (!strchr("yMdHhmsSaEXxZ", c)) return false;
            int64_t j = i;
            while (j < n && p[j] == c) j++;
            *t = (lp_dttok){c, (int)(j - i), NULL, 0};
            if (c == 'M' && t->count > 4) return false;
            f->n++;
            i = j;
            continue;
        }
        int64_t j = i;
        while (j < n && p[j] != '\'' && !((p[j] >= 'a' && p[j] <= 'z') || (p[j] >= 'A' && p[j] <= 'Z'))) j++;
        *t = (lp_dttok){0, 0, p + i, j - i};
        f->n++;
        i = j;
    }
    return true;
}

/* Reads min..max digits at s[*i]. */
static bool digits(const char *s, int64_t n, int64_t *i, int min, int max, int64_t *v) {
    int k = 0;
    int64_t x = 0;
    while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
        x = x * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *v = x;
    return k >= min;
}

static int match_name(const char *s, int64_t n, int64_t i, const char *const *names, int count, bool full, int64_t *len) {
    for (int k = 0; k < count; k++) {
        size_t l = full ? strlen(names[k]) : 3;
        if (i + (int64_t)l <= n && strncasecmp(s + i, names[k], l) == 0) {
            *len = (int64_t)l;
            return k;
        }
    }
    return -1;
}

/* Parses s with f into microseconds; false when the text does not match. */
static bool dt_parse(const lp_dtfmt *f, const char *s, int64_t n, int64_t *out) {
    int64_t y = 1970, M = 1, d = 1, H = 0, h = -1, m = 0, sec = 0, us = 0, off = 0;
    int pm = -1;
    int64_t i = 0;
    for (int k = 0; k < f->n; k++) {
        const lp_dttok *t = &f->t[k];
        int64_t v, len;
        switch (t->letter) {
        case 0:
            if (i + t->litlen > n || memcmp(s + i, t->lit, (size_t)t->litlen) != 0) return false;
            i += t->litlen;
            break;
        case 'y':
            if (t->count == 2) {
                if (!digits(s, n, &i, 2, 2, &v)) return false;
                y = 2000 + v;
            } else {
                if (!digits(s, n, &i, t->count, t->count >= 4 ? 9 : (t->count == 1 ? 9 : t->count), &v)) return false;
                y = v;
            }
            break;
        case 'M':
            if (t->count >= 3) {
                int mi = match_name(s, n, i, month_names, 12, t->count == 4, &len);
                if (mi < 0) return false;
                M = mi + 1;
                i += len;
            } else if (!digits(s, n, &i, t->count, 2, &M)) {
                return false;
            }
            break;
        case 'd': if (!digits(s, n, &i, t->count, 2, &d)) return false; break;
        case 'H': if (!digits(s, n, &i, t->count, 2, &H)) return false; break;
        case 'h': if (!digits(s, n, &i, t->count, 2, &h)) return false; break;
        case 'm': if (!digits(s, n, &i, t->count, 2, &m)) return false; break;
        case 's': if (!digits(s, n, &i, t->count, 2, &sec)) return false; break;
        case 'S': {
            int64_t st = i;
            if (!digits(s, n, &i, 1, t->count, &v)) return false;
            for (int64_t q = i - st; q < 6; q++) v *= 10;
            for (int64_t q = i - st; q > 6; q--) v /= 10;
            us = v;
            break;
        }
        case 'a':
            if (i + 2 > n) return false;
            if (strncasecmp(s + i, "AM", 2) == 0) pm = 0;
            else if (strncasecmp(s + i, "PM", 2) == 0) pm = 1;
            else return false;
            i += 2;
            break;
        case 'E':
            if (match_name(s, n, i, day_names, 7, t->count >= 4, &len) < 0) return false;
            i += len;
            break;
        default: /* X x Z: Z, +hh, +hhmm, +hh:mm */
            if (i < n && s[i] == 'Z') {
                i++;
                break;
            }
            if (i >= n || (s[i] != '+' && s[i] != '-')) return false;
            {
                int sign = s[i] == '-' ? -1 : 1;
                int64_t hh, mm = 0;
                i++;
                if (!digits(s, n, &i, 2, 2, &hh)) return false;
                if (i < n && s[i] == ':') i++;
                digits(s, n, &i, 0, 2, &mm);
                off = sign * (hh * 60 + mm) * 60 * 1000000LL;
            }
            break;
        }
    }
    if (i != n) return false;
    if (h >= 0) {
        if (h < 1 || h > 12) return false;
        H = h % 12 + (pm == 1 ? 12 : 0);
    } else if (pm == 1 && H < 12) {
        H += 12;
    }
    if (M < 1 || M > 12 || d < 1 || d > 31 || H > 23 || m > 59 || sec > 59) return false;
    int32_t days = lp_days_from_civil(y, (unsigned)M, (unsigned)d);
    int64_t yy;
    unsigned mm2, dd2;
    lp_civil_from_days(days, &yy, &mm2, &dd2);
    if (dd2 != d) return false;
    *out = (int64_t)days * US_PER_DAY + ((H * 60 + m) * 60 + sec) * 1000000LL + us - off;
    return true;
}

static void pad(lp_strbuf *o, int64_t v, int width) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%0*lld", width, (long long)v);
    lp_strbuf_append(o, buf, (size_t)n);
}

/* Formats micros with f. */
static void dt_format(const lp_dtfmt *f, int64_t t, lp_strbuf *o) {
    int64_t days = fdiv(t, US_PER_DAY), rem = t - days * US_PER_DAY;
    int64_t y;
    unsigned M, d;
    lp_civil_from_days(days, &y, &M, &d);
    int64_t secs = rem / 1000000, us = rem % 1000000;
    int64_t H = secs / 3600, m = secs / 60 % 60, s = secs % 60;
    int dow = (int)fmod64(days + 3, 7); /* 0 = Monday */
    for (int k = 0; k < f->n; k++) {
        const lp_dttok *tk = &f->t[k];
        switch (tk->letter) {
        case 0: lp_strbuf_append(o, tk->lit, (size_t)tk->litlen); break;
        case 'y': tk->count == 2 ? pad(o, fmod64(y, 100), 2) : pad(o, y, tk->count); break;
        case 'M':
            if (tk->count >= 3) lp_strbuf_append(o, month_names[M - 1], tk->count == 4 ? strlen(month_names[M - 1]) : 3);
            else pad(o, M, tk->count);
            break;
        case 'd': pad(o, d, tk->count); break;
        case 'H': pad(o, H, tk->count); break;
        case 'h': pad(o, H % 12 == 0 ? 12 : H % 12, tk->count); break;
        case 'm': pad(o, m, tk->count); break;
        case 's': pad(o, s, tk->count); break;
        case 'S': {
            char buf[8];
            snprintf(buf, sizeof buf, "%06lld", (long long)us);
            for (int q = 0; q < tk->count; q++) lp_strbuf_putc(o, q < 6 ? buf[q] : '0');
            break;
        }
        case 'a': lp_strbuf_puts(o, H < 12 ? "AM" : "PM"); break;
        case 'E': lp_strbuf_append(o, day_names[dow], tk->count >= 4 ? strlen(day_names[dow]) : 3); break;
        case 'X': lp_strbuf_putc(o, 'Z'); break;
        case 'x': lp_strbuf_puts(o, tk->count >= 3 ? "+00:00" : "+00"); break;
        default: lp_strbuf_puts(o, "+0000"); break;
        }
    }
}

/* The format for row r: the binder's, or the row's text compiled into *tmp. */
static const lp_dtfmt *fmt_at(const lp_expr *e, const lp_vec *a, int i, int64_t r, lp_dtfmt *tmp, const lp_dtfmt *dflt) {
    if (e->nargs <= i) return dflt;
    if (e->pre && e->pre->fmt) return e->pre->fmt;
    int64_t n;
    const char *p = lp_col_str(a[i].col, lp_vec_row(&a[i], r), &n);
    return lp_dtfmt_compile(p, n, tmp) ? tmp : NULL;
}

static const lp_dtfmt *default_fmt(lp_dtfmt *f) {
    static const char txt[] = "yyyy-MM-dd HH:mm:ss";
    (void)lp_dtfmt_compile(txt, sizeof txt - 1, f);
    return f;
}

static int64_t trunc_ts(const char *unit, int64_t un, int64_t t, bool *ok) {
    int64_t days = fdiv(t, US_PER_DAY);
    int64_t y;
    unsigned M, d;
    *ok = true;
#define U(s) (un == (int64_t)strlen(s) && strncasecmp(unit, s, (size_t)un) == 0)
    if (U("year") || U("yyyy") || U("yy")) {
        lp_civil_from_days(days, &y, &M, &d);
        return (int64_t)lp_days_from_civil(y, 1, 1) * US_PER_DAY;
    }
    if (U("quarter")) {
        lp_civil_from_days(days, &y, &M, &d);
        return (int64_t)lp_days_from_civil(y, (M - 1) / 3 * 3 + 1, 1) * US_PER_DAY;
    }
    if (U("month") || U("mon") || U("mm")) {
        lp_civil_from_days(days, &y, &M, &d);
        return (int64_t)lp_days_from_civil(y, M, 1) * US_PER_DAY;
    }
    if (U("week")) return (days - fmod64(days + 3, 7)) * US_PER_DAY;
    if (U("day") || U("dd")) return days * US_PER_DAY;
    if (U("hour")) return fdiv(t, 3600000000LL) * 3600000000LL;
    if (U("minute")) return fdiv(t, 60000000LL) * 60000000LL;
    if (U("second")) return fdiv(t, 1000000LL) * 1000000LL;
    if (U("millisecond")) return fdiv(t, 1000LL) * 1000LL;
    if (U("microsecond")) return t;
#undef U
    *ok = false;
    return 0;
}

static lp_status parse_family(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    lp_kind want = e->type.kind;
    lp_colbuf b;
    lp_colbuf_init(&b, e->type);
    lp_colbuf_reserve(&b, n, want == LP_STRING ? (size_t)n * 20 : 0);
    lp_dtfmt tmp, dflt;
    default_fmt(&dflt);
    int64_t bad = 0;
    lp_strbuf sb;
    lp_strbuf_init(&sb);
    for (int64_t r = 0; r < n; r++) {
        bool ok = true;
        for (int i = 0; i < e->nargs; i++) ok &= lp_col_valid(a[i].col, lp_vec_row(&a[i], r));
        if (!ok) {
            lp_colbuf_append_null(&b);
            continue;
        }
        const lp_column *x = a[0].col;
        int64_t xr = lp_vec_row(&a[0], r), t = 0;
        if (e->fn == LP_FN_FROM_UNIXTIME) {
            const lp_dtfmt *f = fmt_at(e, a, 1, r, &tmp, &dflt);
            if (!f) {
                lp_colbuf_append_null(&b);
                continue;
            }
            lp_strbuf_clear(&sb);
            dt_format(f, (int64_t)((uint64_t)x->v.i[xr] * 1000000u), &sb);
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            continue;
        }
        switch ((lp_kind)x->type.kind) {
        case LP_DATE: t = (int64_t)x->v.d[xr] * US_PER_DAY; break;
        case LP_TIMESTAMP: t = x->v.i[xr]; break;
        default: {
            int64_t sn;
            const char *s = lp_col_str(x, xr, &sn);
            const lp_dtfmt *f = fmt_at(e, a, 1, r, &tmp, e->fn == LP_FN_UNIX_TIMESTAMP ? &dflt : NULL);
            if (f) {
                ok = dt_parse(f, s, sn, &t);
            } else if (e->nargs == 2) {
                ok = false; /* a bad pattern from a column */
            } else {
                /* no pattern: the cast's lenient rules */
                if (want == LP_DATE) {
                    int32_t dd;
                    ok = lp_ev_parse_date(s, sn, &dd);
                    t = (int64_t)dd * US_PER_DAY;
                } else {
                    ok = lp_ev_parse_ts(s, sn, &t);
                }
            }
            break;
        }
        }
        if (!ok) {
            bad++;
            lp_colbuf_append_null(&b);
            continue;
        }
        switch (want) {
        case LP_DATE: lp_colbuf_append_date(&b, (int32_t)fdiv(t, US_PER_DAY)); break;
        case LP_TIMESTAMP: lp_colbuf_append_i64(&b, t); break;
        default: lp_colbuf_append_i64(&b, fdiv(t, 1000000)); break;
        }
    }
    if (sb.nomem) b.nomem = true;
    lp_strbuf_reset(&sb);
    if (bad && e->nulled) atomic_fetch_add(e->nulled, bad);
    return lp_colbuf_finish(&b, out);
}

lp_status lp_fn_date(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    *out = NULL;
    switch (e->fn) {
    case LP_FN_TO_DATE: case LP_FN_TO_TIMESTAMP: case LP_FN_FROM_UNIXTIME:
        return parse_family(e, a, n, out);
    case LP_FN_UNIX_TIMESTAMP:
        if (e->nargs > 0) return parse_family(e, a, n, out);
        break;
    default: break;
    }
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, e->nargs, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_col_new(e->type, n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    const lp_column *x = e->nargs ? a[0].col : NULL;
    switch (e->fn) {
    case LP_FN_YEAR: case LP_FN_MONTH: case LP_FN_DAY:
        for (int64_t r = 0; r < n; r++) {
            int64_t y;
            unsigned M, d;
            lp_civil_from_days(x->v.d[r], &y, &M, &d);
            o->v.i[r] = e->fn == LP_FN_YEAR ? y : e->fn == LP_FN_MONTH ? M : d;
        }
        break;
    case LP_FN_QUARTER: case LP_FN_DAYOFYEAR: case LP_FN_WEEKOFYEAR:
        for (int64_t r = 0; r < n; r++) {
            int64_t days = x->v.d[r], y;
            unsigned M, d;
            lp_civil_from_days(days, &y, &M, &d);
            if (e->fn == LP_FN_QUARTER) {
                o->v.i[r] = (M - 1) / 3 + 1;
            } else if (e->fn == LP_FN_DAYOFYEAR) {
                o->v.i[r] = days - lp_days_from_civil(y, 1, 1) + 1;
            } else { /* ISO 8601: the week of this week's Thursday, counted in its year */
                int64_t thu = days - fmod64(days + 3, 7) + 3;
                lp_civil_from_days(thu, &y, &M, &d);
                o->v.i[r] = (thu - lp_days_from_civil(y, 1, 1)) / 7 + 1;
            }
        }
        break;
    case LP_FN_DAYOFWEEK:
        for (int64_t r = 0; r < n; r++) o->v.i[r] = fmod64((int64_t)x->v.d[r] + 4, 7) + 1;
        break;
    case LP_FN_HOUR: for (int64_t r = 0; r < n; r++) o->v.i[r] = fmod64(x->v.i[r], US_PER_DAY) / 3600000000LL; break;
    case LP_FN_MINUTE: for (int64_t r = 0; r < n; r++) o->v.i[r] = fmod64(x->v.i[r], 3600000000LL) / 60000000LL; break;
    case LP_FN_SECOND: for (int64_t r = 0; r < n; r++) o->v.i[r] = fmod64(x->v.i[r], 60000000LL) / 1000000LL; break;
    case LP_FN_DATE_TRUNC:
        for (int64_t r = 0; r < n; r++) {
            int64_t un;
            const char *u = lp_col_str(a[0].col, lp_vec_row(&a[0], r), &un);
            bool ok;
            o->v.i[r] = trunc_ts(u, un, a[1].col->v.i[lp_vec_row(&a[1], r)], &ok);
            if (!ok && lp_col_valid(a[0].col, lp_vec_row(&a[0], r))) {
                if (!valid && !(valid = lp_ev_bitmap_new(n))) {
                    lp_column_unref(o);
                    return LP_ENOMEM;
                }
                lp_bit_clear(valid, r);
            }
        }
        break;
    case LP_FN_DATEDIFF:
        for (int64_t r = 0; r < n; r++)
            o->v.i[r] = (int64_t)a[0].col->v.d[lp_vec_row(&a[0], r)] - a[1].col->v.d[lp_vec_row(&a[1], r)];
        break;
    case LP_FN_DATE_ADD: case LP_FN_DATE_SUB:
        for (int64_t r = 0; r < n; r++) {
            int64_t k = a[1].col->v.i[lp_vec_row(&a[1], r)];
            o->v.d[r] = (int32_t)(a[0].col->v.d[lp_vec_row(&a[0], r)] + (e->fn == LP_FN_DATE_ADD ? k : -k));
        }
        break;
    case LP_FN_CURRENT_DATE:
        for (int64_t r = 0; r < n; r++) o->v.d[r] = (int32_t)fdiv((int64_t)time(NULL), 86400);
        break;
    default: /* unix_timestamp() */
        for (int64_t r = 0; r < n; r++) o->v.i[r] = (int64_t)time(NULL);
        break;
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}
