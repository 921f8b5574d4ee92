/* type.c -- column types: names, parsing, unification; calendar arithmetic; exact text-to-value
 * parsing and value-to-text formatting shared by readers, casts and rendering.
 *
 * Formatting follows what a student sees in Spark: floats print as Java's Double.toString does
 * (shortest digits that read back the same value; "1.0", "0.1", "1.0E10"), dates as ISO dates,
 * timestamps as "yyyy-MM-dd HH:mm:ss[.ffffff]". Pure functions; any thread.
 */
#include "loupe_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* ---- the struct registry (see loupe_int.h's DESIGN note) ---- */

#define STRUCT_MAX 65535

static pthread_mutex_t struct_mu = PTHREAD_MUTEX_INITIALIZER;  /* guards interning (writers) */
static _Atomic(lp_struct_schema *) struct_reg[STRUCT_MAX + 1]; /* [sid]; [0] unused */
static int struct_count;                                       /* under struct_mu */

const lp_struct_schema *lp_struct_schema_of(lp_type t) {
    if (t.kind != LP_STRUCT || t.sid == 0) return NULL;
    return atomic_load_explicit(&struct_reg[t.sid], memory_order_acquire);
}

int lp_struct_field(lp_type t, const char *name, size_t n) {
    const lp_struct_schema *s = lp_struct_schema_of(t);
    if (!s) return -1;
    for (int i = 0; i < s->nfields; i++)
        if (strlen(s->names[i]) == n && memcmp(s->names[i], name, n) == 0) return i;
    for (int i = 0; i < s->nfields; i++)
        if (strlen(s->names[i]) == n && strncasecmp(s->names[i], name, n) == 0) return i;
    return -1;
}

static bool schema_same(const lp_struct_schema *s, int n, const char *const *names, const lp_type *types) {
    if (s->nfields != n) return false;
    for (int i = 0; i < n; i++)
        if (strcmp(s->names[i], names[i]) != 0 || !lp_type_eq(s->types[i], types[i])) return false;
    return true;
}

/* One malloc holds the schema, its arrays, the names and the type name. */
static lp_struct_schema *schema_new(int n, const char *const *names, const lp_type *types) {
    size_t text = 8;
    for (int i = 0; i < n; i++) text += 2 * strlen(names[i]) + strlen(lp_type_name(types[i])) + 3;
    size_t head = sizeof(lp_struct_schema) + sizeof(char *) * (size_t)n + sizeof(lp_type) * (size_t)n;
    char *m = malloc(head + text);
    if (!m) return NULL;
    lp_struct_schema *s = (lp_struct_schema *)m;
    const char **nm = (const char **)(m + sizeof *s);
    lp_type *ty = (lp_type *)(m + sizeof *s + sizeof(char *) * (size_t)n);
    char *p = m + head, *end = m + head + text;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        memcpy(p, names[i], len + 1);
        nm[i] = p;
        p += len + 1;
        ty[i] = types[i];
    }
    s->nfields = n;
    s->names = nm;
    s->types = ty;
    s->name = p;
    int w = snprintf(p, (size_t)(end - p), "struct<");
    for (int i = 0; i < n; i++)
        w += snprintf(p + w, (size_t)(end - p - w), "%s%s:%s", i ? "," : "", names[i], lp_type_name(types[i]));
    snprintf(p + w, (size_t)(end - p - w), ">");
    return s;
}

bool lp_type_struct(int nfields, const char *const *names, const lp_type *types, lp_type *out) {
    pthread_mutex_lock(&struct_mu);
    int sid = 0;
    for (int i = 1; i <= struct_count && !sid; i++)
        if (schema_same(atomic_load_explicit(&struct_reg[i], memory_order_relaxed), nfields, names, types)) sid = i;
    if (!sid && struct_count < STRUCT_MAX) {
        lp_struct_schema *s = schema_new(nfields, names, types);
        if (s) {
            sid = ++struct_count;
            atomic_store_explicit(&struct_reg[sid], s, memory_order_release);
        }
    }
    pthread_mutex_unlock(&struct_mu);
    if (!sid) return false;
    *out = (lp_type){LP_STRUCT, 0, (uint16_t)sid};
    return true;
}

const char *lp_type_name(lp_type t) {
    switch ((lp_kind)t.kind) {
    case LP_NULLTYPE: return "void";
    case LP_BOOL: return "boolean";
    case LP_INT64: return "bigint";
    case LP_FLOAT64: return "double";
    case LP_STRING: return "string";
    case LP_DATE: return "date";
    case LP_TIMESTAMP: return "timestamp";
    case LP_LIST:
        switch ((lp_kind)t.elem) {
        case LP_INT64: return "array<bigint>";
        case LP_FLOAT64: return "array<double>";
        case LP_STRING: return "array<string>";
        case LP_VECTOR: return "array<vector>";
        default: return "array<void>";
        }
    case LP_VECTOR: return "vector";
    case LP_STRUCT: {
        const lp_struct_schema *st = lp_struct_schema_of(t);
        return st ? st->name : "struct<>";
    }
    case LP_KIND_COUNT: break;
    }
    return "?";
}

static bool word_eq(const char *s, size_t n, const char *w) { return strlen(w) == n && strncasecmp(s, w, n) == 0; }

static bool scalar_parse(const char *s, size_t n, lp_kind *k) {
    static const struct { const char *name; lp_kind kind; } names[] = {
        {"boolean", LP_BOOL}, {"bool", LP_BOOL},         {"int", LP_INT64},      {"integer", LP_INT64},
        {"long", LP_INT64},   {"bigint", LP_INT64},      {"smallint", LP_INT64}, {"tinyint", LP_INT64},
        {"short", LP_INT64},  {"byte", LP_INT64},        {"double", LP_FLOAT64}, {"float", LP_FLOAT64},
        {"real", LP_FLOAT64}, {"decimal", LP_FLOAT64},   {"string", LP_STRING},  {"varchar", LP_STRING},
        {"text", LP_STRING},  {"date", LP_DATE},         {"timestamp", LP_TIMESTAMP},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(names); i++)
        if (word_eq(s, n, names[i].name)) {
            *k = names[i].kind;
            return true;
        }
    return false;
}

/* struct<name:type,...> (the text between the brackets): nested brackets may hold commas. */
static bool struct_parse(const char *s, size_t n, lp_type *out) {
    enum { MAXF = 64 };
    char names[MAXF][64];
    const char *np[MAXF];
    lp_type types[MAXF];
    int nf = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        int depth = 0;
        while (j < n && (depth > 0 || s[j] != ',')) {
            if (s[j] == '<') depth++;
            if (s[j] == '>') depth--;
            j++;
        }
        const char *colon = memchr(s + i, ':', j - i);
        if (!colon || nf == MAXF) return false;
        const char *a = s + i, *b = colon;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        if (a == b || (size_t)(b - a) >= sizeof names[0]) return false;
        memcpy(names[nf], a, (size_t)(b - a));
        names[nf][b - a] = 0;
        np[nf] = names[nf];
        if (!lp_type_parse(colon + 1, (size_t)(s + j - colon - 1), &types[nf])) return false;
        nf++;
        i = j + 1;
    }
    return nf > 0 && lp_type_struct(nf, np, types, out);
}

bool lp_type_parse(const char *s, size_t n, lp_type *out) {
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n > 8 && strncasecmp(s, "struct<", 7) == 0 && s[n - 1] == '>') return struct_parse(s + 7, n - 8, out);
    lp_kind k;
    if (n > 7 && strncasecmp(s, "array<", 6) == 0 && s[n - 1] == '>') {
        if (!scalar_parse(s + 6, n - 7, &k)) {
            /* tolerate spaces inside the brackets */
            const char *p = s + 6;
            size_t m = n - 7;
            while (m && isspace((unsigned char)*p)) p++, m--;
            while (m && isspace((unsigned char)p[m - 1])) m--;
            if (!scalar_parse(p, m, &k)) return false;
        }
        if (k != LP_INT64 && k != LP_FLOAT64 && k != LP_STRING) return false;
        *out = lp_type_list(k);
        return true;
    }
    /* decimal(10,2) and varchar(20) take their parameters and ignore them */
    const char *paren = memchr(s, '(', n);
    if (paren && s[n - 1] == ')') n = (size_t)(paren - s);
    if (!scalar_parse(s, n, &k)) return false;
    *out = lp_type_of(k);
    return true;
}

lp_type lp_type_unify(lp_type a, lp_type b) {
    if (a.kind == LP_NULLTYPE) return b;
    if (b.kind == LP_NULLTYPE) return a;
    if (lp_type_eq(a, b)) return a;
    if (lp_type_numeric(a) && lp_type_numeric(b)) return lp_type_of(LP_FLOAT64);
    if ((a.kind == LP_DATE && b.kind == LP_TIMESTAMP) || (a.kind == LP_TIMESTAMP && b.kind == LP_DATE))
        return lp_type_of(LP_TIMESTAMP);
    if (a.kind == LP_LIST && b.kind == LP_LIST) {
        lp_type e = lp_type_unify(lp_type_of(a.elem), lp_type_of(b.elem));
        return lp_type_list(e.kind);
    }
    return lp_type_of(LP_STRING);
}

/* ---- calendar (Howard Hinnant's days_from_civil) ---- */

int32_t lp_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

void lp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, unsigned m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* Reads exactly `w` digits at s[*i]. */
static bool digits(const char *s, size_t n, size_t *i, int w, int64_t *out) {
    int64_t v = 0;
    for (int k = 0; k < w; k++) {
        if (*i >= n || !isdigit((unsigned char)s[*i])) return false;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return true;
}

/* yyyy-mm-dd at s[*i]; leaves *i after it. */
static bool parse_ymd(const char *s, size_t n, size_t *i, int32_t *days) {
    int64_t y, m, d;
    if (!digits(s, n, i, 4, &y) || *i >= n || s[(*i)++] != '-') return false;
    if (!digits(s, n, i, 2, &m) || *i >= n || s[(*i)++] != '-') return false;
    if (!digits(s, n, i, 2, &d)) return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m)) return false;
    *days = lp_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

bool lp_parse_date(const char *s, size_t n, int32_t *days) {
    size_t i = 0;
    return parse_ymd(s, n, &i, days) && i == n;
}

bool lp_parse_timestamp(const char *s, size_t n, int64_t *micros) {
    size_t i = 0;
    int32_t days;
    if (!parse_ymd(s, n, &i, &days)) return false;
    int64_t hh = 0, mm = 0, ss = 0, frac = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != ' ') return false;
        i++;
        if (!digits(s, n, &i, 2, &hh) || i >= n || s[i++] != ':' || !digits(s, n, &i, 2, &mm)) return false;
        if (i < n && s[i] == ':') {
            i++;
            if (!digits(s, n, &i, 2, &ss)) return false;
            if (i < n && s[i] == '.') {
                i++;
                int w = 0;
                while (i < n && isdigit((unsigned char)s[i])) {
                    if (w < 6) frac = frac * 10 + (s[i] - '0'), w++;
                    i++;
                }
                if (w == 0) return false;
                while (w < 6) frac *= 10, w++;
            }
        }
        if (hh > 23 || mm > 59 || ss > 59) return false;
        int64_t offset = 0;
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i++] == '-' ? -1 : 1;
            int64_t oh, om = 0;
            if (!digits(s, n, &i, 2, &oh)) return false;
            if (i < n && s[i] == ':') i++;
            if (i < n && !digits(s, n, &i, 2, &om)) return false;
            offset = sign * (oh * 3600 + om * 60);
        }
        if (i != n) return false;
        ss -= offset;
    }
    *micros = ((int64_t)days * 86400 + hh * 3600 + mm * 60 + ss) * 1000000 + frac;
    return true;
}

bool lp_parse_int64(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (n == 0) return false;
    if (s[0] == '-' || s[0] == '+') neg = s[i++] == '-';
    if (i == n) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned c = (unsigned char)s[i] - '0';
        if (c > 9) return false;
        if (v > (UINT64_MAX - c) / 10) return false;
        v = v * 10 + c;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)v;
    }
    return true;
}

bool lp_parse_float64(const char *s, size_t n, double *out) {
    if (n == 0 || n > 400) return false;
    char buf[401];
    memcpy(buf, s, n);
    buf[n] = 0;
    /* strtod accepts leading space, hex and "infinity"; we want decimal numbers, plus the
     * NaN / Infinity spellings Spark and JSON writers use. */
    if (isspace((unsigned char)buf[0])) return false;
    if (strcmp(buf, "NaN") == 0) { *out = NAN; return true; }
    if (strcmp(buf, "Infinity") == 0 || strcmp(buf, "+Infinity") == 0) { *out = INFINITY; return true; }
    if (strcmp(buf, "-Infinity") == 0) { *out = -INFINITY; return true; }
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (!(isdigit((unsigned char)c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return false;
    }
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n) return false;
    *out = v;
    return true;
}

int lp_format_date(int32_t days, char *buf) {
    int64_t y;
    unsigned m, d;
    lp_civil_from_days(days, &y, &m, &d);
    return snprintf(buf, 40, "%04lld-%02u-%02u", (long long)y, m, d);
}

int lp_format_timestamp(int64_t micros, char *buf) {
    int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
    int64_t frac = micros - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int n = lp_format_date((int32_t)days, buf);
    n += snprintf(buf + n, 40 - (size_t)n, " %02d:%02d:%02d", (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    if (frac) {
        n += snprintf(buf + n, 40 - (size_t)n, ".%06lld", (long long)frac);
        while (buf[n - 1] == '0') buf[--n] = 0;
    }
    return n;
}

int lp_format_float64(double v, char *buf) {
    if (isnan(v)) return snprintf(buf, 40, "NaN");
    if (isinf(v)) return snprintf(buf, 40, v > 0 ? "Infinity" : "-Infinity");
    if (v == 0) return snprintf(buf, 40, signbit(v) ? "-0.0" : "0.0");
    /* Shortest round-tripping digits: try 1..17 significant digits. */
    char tmp[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    /* tmp = [-]d.ddde[+-]xx; split digits and exponent */
    char dig[20];
    int nd = 0, i = 0;
    bool neg = tmp[0] == '-';
    if (neg) i++;
    for (; tmp[i] && tmp[i] != 'e'; i++)
        if (tmp[i] != '.') dig[nd++] = tmp[i];
    int exp = atoi(tmp + i + 1);
    while (nd > 1 && dig[nd - 1] == '0') nd--;
    int n = 0;
    if (neg) buf[n++] = '-';
    double a = fabs(v);
    if (a >= 1e-3 && a < 1e7) {
        if (exp >= 0) {
            for (int k = 0; k <= exp; k++) buf[n++] = k < nd ? dig[k] : '0';
            buf[n++] = '.';
            if (nd > exp + 1)
                for (int k = exp + 1; k < nd; k++) buf[n++] = dig[k];
            else
                buf[n++] = '0';
        } else {
            buf[n++] = '0';
            buf[n++] = '.';
            for (int k = 0; k < -exp - 1; k++) buf[n++] = '0';
            for (int k = 0; k < nd; k++) buf[n++] = dig[k];
        }
        buf[n] = 0;
        return n;
    }
    buf[n++] = dig[0];
    buf[n++] = '.';
    if (nd > 1)
        for (int k = 1; k < nd; k++) buf[n++] = dig[k];
    else
        buf[n++] = '0';
    n += snprintf(buf + n, 12, "E%d", exp);
    return n;
}
