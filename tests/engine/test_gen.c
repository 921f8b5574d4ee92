/* test_gen.c -- the reviews generator: determinism, the original keys and formats, the shape of
 * the data, the planted fake reviewers and their labels, CSV, failures and cancellation.
 *
 * The JSON and CSV are checked with small parsers written here (the engine's readers are
 * tested on their own), strict about the exact layout the generator promises.
 */
#include "testutil.h"

#include "gen/gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ---- */

typedef struct blob {
    char *p;
    size_t n;
} blob;

static void blob_free(blob *b) {
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

/* Runs the generator into memory (data and labels); returns the status. */
static lp_status gen(int64_t rows, uint64_t seed, lp_gen_format fmt, int threads, blob *data, blob *labels,
                     lp_gen_report *rep) {
    lp_gen_options o;
    lp_gen_options_init(&o);
    o.rows = rows;
    o.seed = seed;
    o.format = fmt;
    lp_pool_set_threads(threads);
    FILE *f = open_memstream(&data->p, &data->n);
    FILE *l = labels ? open_memstream(&labels->p, &labels->n) : NULL;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_gen_write(&o, f, l, rep, &d);
    fclose(f);
    if (l) fclose(l);
    lp_pool_set_threads(0);
    return st;
}

/* One parsed review. Strings point into `store`. */
typedef struct rec {
    char id[15], asin[11];
    bool has_name;
    char name[128];
    int64_t helpful, votes, unix_time;
    double overall;
    char *text;
    size_t text_len;
    char summary[512];
    char review_time[32];
} rec;

/* Parses `"..."` at *s into out (unescaped, at most cap-1 bytes); false if malformed. */
static bool jstr(const char **s, char *out, size_t cap, size_t *len) {
    const char *p = *s;
    if (*p++ != '"') return false;
    size_t n = 0;
    for (; *p && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            c = *++p;
            if (c != '"' && c != '\\') return false;
        } else if ((unsigned char)c < 0x20) {
            return false;
        }
        if (n + 1 >= cap) return false;
        out[n++] = c;
    }
    if (*p != '"') return false;
    out[n] = 0;
    if (len) *len = n;
    *s = p + 1;
    return true;
}

static bool lit(const char **s, const char *t) {
    size_t n = strlen(t);
    if (strncmp(*s, t, n) != 0) return false;
    *s += n;
    return true;
}

static bool jint(const char **s, int64_t *v) {
    char *end;
    long long x = strtoll(*s, &end, 10);
    if (end == *s) return false;
    *v = x;
    *s = end;
    return true;
}

/* Parses one JSON line (NUL-terminated, no newline) with the 9 keys in the original order. */
static bool parse_json(const char *s, rec *r, char *textbuf, size_t textcap) {
    memset(r, 0, sizeof *r);
    r->text = textbuf;
    if (!lit(&s, "{\"reviewerID\": ") || !jstr(&s, r->id, sizeof r->id, NULL)) return false;
    if (!lit(&s, ", \"asin\": ") || !jstr(&s, r->asin, sizeof r->asin, NULL)) return false;
    if (lit(&s, ", \"reviewerName\": ")) {
        r->has_name = true;
        if (!jstr(&s, r->name, sizeof r->name, NULL)) return false;
    }
    if (!lit(&s, ", \"helpful\": [") || !jint(&s, &r->helpful) || !lit(&s, ", ") || !jint(&s, &r->votes) ||
        !lit(&s, "]"))
        return false;
    if (!lit(&s, ", \"reviewText\": ") || !jstr(&s, textbuf, textcap, &r->text_len)) return false;
    if (!lit(&s, ", \"overall\": ")) return false;
    char *end;
    r->overall = strtod(s, &end);
    if (end - s != 3 || s[1] != '.' || s[2] != '0') return false;
    s = end;
    if (!lit(&s, ", \"summary\": ") || !jstr(&s, r->summary, sizeof r->summary, NULL)) return false;
    if (!lit(&s, ", \"unixReviewTime\": ") || !jint(&s, &r->unix_time)) return false;
    if (!lit(&s, ", \"reviewTime\": ") || !jstr(&s, r->review_time, sizeof r->review_time, NULL)) return false;
    return lit(&s, "}") && *s == 0;
}

/* Calls fn for each JSON line of data; fails the test on a malformed line. */
typedef void (*rec_fn)(const rec *r, void *arg);
static int64_t each_json(blob *data, rec_fn fn, void *arg) {
    static char textbuf[1 << 20];
    int64_t n = 0;
    char *p = data->p, *end = data->p + data->n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        *nl = 0;
        rec r;
        if (!parse_json(p, &r, textbuf, sizeof textbuf)) fail_msg("malformed line %lld: %.300s", (long long)n, p);
        fn(&r, arg);
        *nl = '\n';
        p = nl + 1;
        n++;
    }
    return n;
}

/* ---- determinism ---- */

static void test_gen_deterministic_across_threads_and_seeds(void **state) {
    (void)state;
    blob a = {0}, b = {0}, c = {0}, la = {0}, lb = {0};
    assert_int_equal(gen(70000, 7, LP_GEN_JSON, 1, &a, &la, NULL), LP_OK);
    assert_int_equal(gen(70000, 7, LP_GEN_JSON, 4, &b, &lb, NULL), LP_OK);
    assert_true(a.n > 1000000);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    assert_int_equal(la.n, lb.n);
    assert_memory_equal(la.p, lb.p, la.n);
    blob_free(&b);
    assert_int_equal(gen(70000, 7, LP_GEN_JSON, 4, &b, NULL, NULL), LP_OK);
    assert_memory_equal(a.p, b.p, a.n);
    assert_int_equal(gen(70000, 8, LP_GEN_JSON, 4, &c, NULL, NULL), LP_OK);
    assert_true(c.n != a.n || memcmp(a.p, c.p, a.n) != 0);
    assert_true(memcmp(a.p, c.p, 200) != 0);  /* even the first row differs */
    blob_free(&a);
    blob_free(&b);
    blob_free(&c);
    blob_free(&la);
    blob_free(&lb);
}

/* ---- keys and formats ---- */

typedef struct fmt_check {
    int64_t rows, no_name, helpful_nonzero;
} fmt_check;

static void check_fields(const rec *r, void *arg) {
    fmt_check *c = arg;
    c->rows++;
    assert_int_equal(strlen(r->id), 14);
    assert_int_equal(r->id[0], 'A');
    for (int i = 1; i < 14; i++)
        assert_true((r->id[i] >= 'A' && r->id[i] <= 'Z') || (r->id[i] >= '0' && r->id[i] <= '9'));
    assert_int_equal(strlen(r->asin), 10);
    if (r->asin[0] == 'B') {
        assert_memory_equal(r->asin, "B00", 3);
    } else {
        assert_int_equal(r->asin[0], '0');
        for (int i = 1; i < 10; i++) assert_true(r->asin[i] >= '0' && r->asin[i] <= '9');
    }
    if (!r->has_name) c->no_name++;
    else assert_true(strlen(r->name) > 0);
    assert_true(r->helpful >= 0 && r->helpful <= r->votes);
    if (r->votes) c->helpful_nonzero++;
    assert_true(r->overall >= 1.0 && r->overall <= 5.0 && r->overall == floor(r->overall));
    assert_true(r->text_len > 0);
    assert_true(strlen(r->summary) > 0 && strlen(r->summary) < 80);
    /* reviewTime "MM d, yyyy" is the UTC day of unixReviewTime, which is a midnight. */
    assert_int_equal(r->unix_time % 86400, 0);
    int64_t y;
    unsigned m, d;
    lp_civil_from_days(r->unix_time / 86400, &y, &m, &d);
    char want[32];
    snprintf(want, sizeof want, "%02u %u, %lld", m, d, (long long)y);
    assert_string_equal(r->review_time, want);
    assert_true(y >= 1999 && y <= 2014);
}

static void test_gen_json_keys_and_formats(void **state) {
    (void)state;
    blob a = {0};
    lp_gen_report rep;
    assert_int_equal(gen(30000, 42, LP_GEN_JSON, 4, &a, NULL, &rep), LP_OK);
    assert_int_equal(rep.rows, 30000);
    assert_int_equal(rep.bytes, (int64_t)a.n);
    fmt_check c = {0};
    assert_int_equal(each_json(&a, check_fields, &c), 30000);
    /* Some names are missing entirely; most reviews have no votes. */
    assert_true(c.no_name > 0 && c.no_name < 30000 / 20);
    assert_true(c.helpful_nonzero > 30000 / 5 && c.helpful_nonzero < 30000 / 2);
    /* The original's exact layout, first key to last. */
    assert_memory_equal(a.p, "{\"reviewerID\": \"A", 17);
    assert_non_null(strstr(a.p, "\", \"helpful\": ["));
    assert_non_null(strstr(a.p, ".0, \"summary\": \""));
    blob_free(&a);
}

static void test_gen_zero_and_negative_rows(void **state) {
    (void)state;
    blob a = {0}, l = {0};
    lp_gen_report rep;
    assert_int_equal(gen(0, 1, LP_GEN_JSON, 2, &a, &l, &rep), LP_OK);
    assert_int_equal(a.n, 0);
    assert_string_equal(l.p, "reviewerID,kind\n");
    blob_free(&a);
    blob_free(&l);
    assert_int_equal(gen(0, 1, LP_GEN_CSV, 2, &a, NULL, NULL), LP_OK);
    assert_string_equal(a.p, "reviewerID,asin,reviewerName,helpful,reviewText,overall,summary,unixReviewTime,reviewTime\n");
    blob_free(&a);
    assert_int_equal(gen(3, 1, LP_GEN_JSON, 2, &a, NULL, &rep), LP_OK);
    assert_int_equal(rep.rows, 3);
    int lines = 0;
    for (size_t i = 0; i < a.n; i++) lines += a.p[i] == '\n';
    assert_int_equal(lines, 3);
    blob_free(&a);
    lp_gen_options o;
    lp_gen_options_init(&o);
    o.rows = -5;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_gen_write(&o, stdout, NULL, NULL, &d), LP_EVALUE);
    assert_non_null(strstr(d.msg, "negative"));
}

/* ---- shape ---- */

typedef struct shape {
    int64_t rows, stars[6];
    char (*ids)[15];
    int64_t *words;
    int64_t years[20];
} shape;

static void collect_shape(const rec *r, void *arg) {
    shape *s = arg;
    s->stars[(int)r->overall]++;
    memcpy(s->ids[s->rows], r->id, 15);
    int64_t w = 1;
    for (size_t i = 0; i < r->text_len; i++) w += r->text[i] == ' ';
    s->words[s->rows] = w;
    int64_t y;
    unsigned m, d;
    lp_civil_from_days(r->unix_time / 86400, &y, &m, &d);
    s->years[y - 1999]++;
    s->rows++;
}

static int cmp_id(const void *a, const void *b) { return memcmp(a, b, 14); }
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_gen_shape_of_50k_rows(void **state) {
    (void)state;
    const int64_t N = 50000;
    blob a = {0};
    lp_gen_report rep;
    assert_int_equal(gen(N, 42, LP_GEN_JSON, 4, &a, NULL, &rep), LP_OK);
    shape s = {0};
    s.ids = malloc((size_t)N * sizeof *s.ids);
    s.words = malloc((size_t)N * sizeof *s.words);
    assert_int_equal(each_json(&a, collect_shape, &s), N);
    /* Ratings: 5: 55%, 4: 21%, 3: 9%, 2: 6%, 1: 9%. */
    const double want[6] = {0, 0.09, 0.06, 0.09, 0.21, 0.55};
    for (int k = 1; k <= 5; k++) {
        double share = (double)s.stars[k] / (double)N;
        if (fabs(share - want[k]) > 0.02) fail_msg("%d stars: %.3f, want about %.2f", k, share, want[k]);
    }
    /* Reviews per reviewer: most have 1-5, a few have hundreds; ~8.8 reviews per reviewer. */
    qsort(s.ids, (size_t)N, sizeof *s.ids, cmp_id);
    int64_t nrev = 0, le5 = 0, max = 0, run = 1;
    for (int64_t i = 1; i <= N; i++) {
        if (i < N && memcmp(s.ids[i], s.ids[i - 1], 14) == 0) {
            run++;
            continue;
        }
        nrev++;
        le5 += run <= 5;
        max = LP_MAX(max, run);
        run = 1;
    }
    assert_int_equal(nrev, rep.reviewers);
    double per = (double)N / (double)nrev;
    if (per < 7.0 || per > 11.0) fail_msg("%.2f reviews per reviewer", per);
    assert_true((double)le5 / (double)nrev > 0.7);
    assert_true(max >= 200);
    /* Products: ~27 reviews each. */
    double pp = (double)N / (double)rep.products;
    if (pp < 18 || pp > 36) fail_msg("%.2f reviews per product", pp);
    /* Lengths: median about 80 words, a long tail. */
    qsort(s.words, (size_t)N, sizeof *s.words, cmp_i64);
    int64_t median = s.words[N / 2];
    if (median < 65 || median > 100) fail_msg("median length %lld words", (long long)median);
    assert_true(s.words[N - 1] > 1000);
    assert_true(s.words[N * 999 / 1000] > 5 * median);
    /* Dates grow towards the end: 2013 (the last full year) is the busiest. */
    for (int y = 0; y < 14; y++) assert_true(s.years[y] < s.years[2013 - 1999]);
    assert_true(s.years[0] > 0);
    free(s.ids);
    free(s.words);
    blob_free(&a);
}

/* ---- planted reviewers ---- */

typedef struct rv {
    char id[15];
    int kind;   /* lp_gen_kind, from the labels */
    int64_t n, first, last, helpful, votes, fives, short_texts, phrase;
} rv;

typedef struct planted {
    rv *r;
    int64_t nr, rows;
    uint64_t *pair_hash;  /* per row: hash of (summary, text) */
    int64_t *pair_row_rv;
    struct pb { uint64_t asin; int64_t day, rv; } *pb;  /* product_burst rows */
    int64_t npb;
} planted;

static rv *find_rv(planted *p, const char *id) {
    rv key;
    memcpy(key.id, id, 15);
    return bsearch(&key, p->r, (size_t)p->nr, sizeof *p->r, cmp_id);
}

static void collect_planted(const rec *r, void *arg) {
    planted *p = arg;
    rv *v = find_rv(p, r->id);
    assert_non_null(v);
    int64_t day = r->unix_time / 86400;
    if (v->n == 0 || day < v->first) v->first = day;
    if (v->n == 0 || day > v->last) v->last = day;
    v->n++;
    v->helpful += r->helpful;
    v->votes += r->votes;
    v->fives += r->overall == 5.0;
    v->short_texts += r->text_len < 25;
    v->phrase += strstr(r->text, "honest review") || strstr(r->text, "at a discount");
    uint64_t h = lp_hash_bytes(r->summary, strlen(r->summary), lp_hash_bytes(r->text, r->text_len, 1));
    p->pair_hash[p->rows] = h;
    p->pair_row_rv[p->rows] = v - p->r;
    p->rows++;
    if (v->kind == LP_GEN_PRODUCT_BURST)
        p->pb[p->npb++] = (struct pb){lp_hash_bytes(r->asin, 10, 0), day, v - p->r};
}

static int kind_of(const char *name) {
    for (int k = 0; k < LP_GEN_KIND_COUNT; k++)
        if (strcmp(lp_gen_kind_name((lp_gen_kind)k), name) == 0) return k;
    return -1;
}

typedef struct hp {
    uint64_t h;
    int64_t rv;
} hp;
static int cmp_hp(const void *a, const void *b) {
    uint64_t x = ((const hp *)a)->h, y = ((const hp *)b)->h;
    return (x > y) - (x < y);
}

static void test_gen_planted_reviewers_and_heuristics(void **state) {
    (void)state;
    const int64_t N = 60000;
    blob a = {0}, l = {0};
    lp_gen_report rep;
    assert_int_equal(gen(N, 42, LP_GEN_JSON, 4, &a, &l, &rep), LP_OK);
    /* Every reviewer of the data, from a first pass over the ids. */
    planted p = {0};
    p.r = calloc((size_t)N, sizeof *p.r);
    p.pair_hash = malloc((size_t)N * sizeof *p.pair_hash);
    p.pair_row_rv = malloc((size_t)N * sizeof *p.pair_row_rv);
    p.pb = malloc((size_t)N * sizeof *p.pb);
    for (char *s = a.p; s < a.p + a.n; s = strchr(s, '\n') + 1) {
        assert_memory_equal(s, "{\"reviewerID\": \"", 16);
        memcpy(p.r[p.nr].id, s + 16, 14);
        p.nr++;
    }
    assert_int_equal(p.nr, N);
    qsort(p.r, (size_t)p.nr, sizeof *p.r, cmp_id);
    int64_t u = 1;
    for (int64_t i = 1; i < p.nr; i++)
        if (strcmp(p.r[i].id, p.r[u - 1].id) != 0) p.r[u++] = p.r[i];
    p.nr = u;
    assert_int_equal(p.nr, rep.reviewers);
    /* The labels: header, then reviewerID,kind; each labelled reviewer is in the data. */
    assert_memory_equal(l.p, "reviewerID,kind\n", 16);
    int64_t nlab = 0, per_kind[LP_GEN_KIND_COUNT] = {0};
    for (char *s = l.p + 16; s < l.p + l.n;) {
        char *nl = strchr(s, '\n');
        assert_non_null(nl);
        assert_int_equal(s[14], ',');
        *nl = 0;
        int k = kind_of(s + 15);
        assert_true(k > 0);
        s[14] = 0;
        rv *v = find_rv(&p, s);
        if (!v) fail_msg("labelled reviewer %s is not in the data", s);
        v->kind = k;
        per_kind[k]++;
        nlab++;
        s = nl + 1;
    }
    assert_int_equal(nlab, rep.planted_reviewers);
    for (int k = 1; k < LP_GEN_KIND_COUNT; k++) assert_true(per_kind[k] > 0);
    assert_int_equal(each_json(&a, collect_planted, &p), N);
    int64_t planted_rows = 0;
    for (int64_t i = 0; i < p.nr; i++)
        if (p.r[i].kind) planted_rows += p.r[i].n;
    assert_int_equal(planted_rows, rep.planted_rows);
    double share = (double)planted_rows / (double)N;
    if (share < 0.007 || share > 0.016) fail_msg("planted share %.4f", share);

    /* The workshop's heuristics, per reviewer: flagged[kind] counts, [0] = genuine flagged. */
    int64_t busy[LP_GEN_KIND_COUNT] = {0}, shorts[LP_GEN_KIND_COUNT] = {0};
    int64_t phrase[LP_GEN_KIND_COUNT] = {0}, lowhelp[LP_GEN_KIND_COUNT] = {0};
    for (int64_t i = 0; i < p.nr; i++) {
        rv *v = &p.r[i];
        int64_t days = v->last - v->first;
        if (v->kind == LP_GEN_BURST) {
            assert_true(v->n >= 20 && days <= 5);
            assert_int_equal(v->fives, v->n);
        }
        if (v->n > 19 && (days == 0 || (double)v->n / (double)days > 2.6)) busy[v->kind]++;
        if (v->short_texts) shorts[v->kind]++;
        if (v->phrase) phrase[v->kind]++;
        if (v->n >= 10 && v->votes >= 30 && (double)v->helpful / (double)v->votes < 0.2) lowhelp[v->kind]++;
    }
    assert_int_equal(busy[LP_GEN_BURST], per_kind[LP_GEN_BURST]);
    assert_int_equal(shorts[LP_GEN_SHORT], per_kind[LP_GEN_SHORT]);
    assert_int_equal(phrase[LP_GEN_PHRASE], per_kind[LP_GEN_PHRASE]);
    assert_true(lowhelp[LP_GEN_LOWHELP] * 2 >= per_kind[LP_GEN_LOWHELP]);
    assert_true(busy[0] == 0 && shorts[0] == 0 && phrase[0] == 0);
    assert_true(lowhelp[0] <= 2);
    /* Duplicated (summary, text) pairs: the duplicate accounts, and almost nobody genuine. */
    hp *pairs = malloc((size_t)N * sizeof *pairs);
    for (int64_t i = 0; i < N; i++) pairs[i] = (hp){p.pair_hash[i], p.pair_row_rv[i]};
    qsort(pairs, (size_t)N, sizeof *pairs, cmp_hp);
    bool *dup = calloc((size_t)p.nr, 1);
    for (int64_t i = 0; i + 1 < N; i++)
        if (pairs[i].h == pairs[i + 1].h) dup[pairs[i].rv] = dup[pairs[i + 1].rv] = true;
    int64_t dup_kind[LP_GEN_KIND_COUNT] = {0};
    for (int64_t i = 0; i < p.nr; i++)
        if (dup[i]) dup_kind[p.r[i].kind]++;
    assert_true(dup_kind[LP_GEN_DUPLICATE] * 10 >= per_kind[LP_GEN_DUPLICATE] * 8);
    assert_true(dup_kind[0] <= 2);
    /* Product bursts: most accounts sit in a pile of >= 8 reviews of one product within 3 days. */
    qsort(p.pb, (size_t)p.npb, sizeof *p.pb, cmp_hp);  /* by asin hash (first member) */
    bool *piled = calloc((size_t)p.nr, 1);
    for (int64_t i = 0, j; i < p.npb; i = j) {
        int64_t lo = p.pb[i].day, hi = lo;
        for (j = i; j < p.npb && p.pb[j].asin == p.pb[i].asin; j++) {
            lo = LP_MIN(lo, p.pb[j].day);
            hi = LP_MAX(hi, p.pb[j].day);
        }
        if (j - i >= 8 && hi - lo <= 3)
            for (int64_t k = i; k < j; k++) piled[p.pb[k].rv] = true;
    }
    int64_t npiled = 0;
    for (int64_t i = 0; i < p.nr; i++) npiled += piled[i];
    assert_true(npiled * 10 >= per_kind[LP_GEN_PRODUCT_BURST] * 9);
    free(piled);
    free(p.pb);
    free(dup);
    free(pairs);
    free(p.r);
    free(p.pair_hash);
    free(p.pair_row_rv);
    blob_free(&a);
    blob_free(&l);
}

/* ---- CSV ---- */

/* Splits one RFC 4180 record at *s into fields (unquoted, in place); returns the field count or
 * -1 when malformed. *s moves past the record's line break. */
static int csv_record(char **s, char **fields, int max) {
    char *p = *s, *w;
    int n = 0;
    for (;;) {
        if (n == max) return -1;
        fields[n++] = w = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) return -1;
                if (*p == '"') {
                    if (p[1] == '"') { *w++ = '"'; p += 2; continue; }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
        } else {
            while (*p && *p != ',' && *p != '\n') {
                if (*p == '"') return -1;
                *w++ = *p++;
            }
        }
        char sep = *p;
        *w = 0;
        if (sep == ',') { p++; continue; }
        if (sep != '\n') return -1;
        *s = p + 1;
        return n;
    }
}

static void test_gen_csv_matches_json(void **state) {
    (void)state;
    const int64_t N = 8000;
    blob c = {0}, j = {0};
    assert_int_equal(gen(N, 5, LP_GEN_CSV, 4, &c, NULL, NULL), LP_OK);
    assert_int_equal(gen(N, 5, LP_GEN_JSON, 1, &j, NULL, NULL), LP_OK);
    char *s = c.p, *f[16];
    assert_int_equal(csv_record(&s, f, 16), 9);
    const char *hdr[] = {"reviewerID", "asin", "reviewerName", "helpful", "reviewText", "overall", "summary",
                         "unixReviewTime", "reviewTime"};
    for (int i = 0; i < 9; i++) assert_string_equal(f[i], hdr[i]);
    static char textbuf[1 << 20];
    char *jl = j.p;
    int64_t n = 0;
    while (s < c.p + c.n) {
        int k = csv_record(&s, f, 16);
        if (k != 9) fail_msg("record %lld has %d fields", (long long)n, k);
        char *nl = strchr(jl, '\n');
        *nl = 0;
        rec r;
        assert_true(parse_json(jl, &r, textbuf, sizeof textbuf));
        jl = nl + 1;
        assert_string_equal(f[0], r.id);
        assert_string_equal(f[1], r.asin);
        assert_string_equal(f[2], r.has_name ? r.name : "");
        char hv[64];
        snprintf(hv, sizeof hv, "[%lld, %lld]", (long long)r.helpful, (long long)r.votes);
        assert_string_equal(f[3], hv);
        assert_int_equal(strlen(f[4]), r.text_len);
        assert_memory_equal(f[4], r.text, r.text_len);
        double ov;
        assert_true(lp_parse_float64(f[5], strlen(f[5]), &ov) && ov == r.overall);
        assert_string_equal(f[6], r.summary);
        assert_int_equal(atoll(f[7]), r.unix_time);
        assert_string_equal(f[8], r.review_time);
        n++;
    }
    assert_int_equal(n, N);
    blob_free(&c);
    blob_free(&j);
}

/* ---- failures ---- */

static void test_gen_fault_injection(void **state) {
    (void)state;
    lp_gen_options o;
    lp_gen_options_init(&o);
    o.rows = 9000;
    int64_t before = lp_mem_used();
    bool ok = false;
    for (int64_t k = 1; k < 200 && !ok; k++) {
        char *p = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&p, &n);
        lp_diag d;
        lp_diag_init(&d);
        lp_mem_fail_at(k, false);
        lp_status st = lp_gen_write(&o, f, NULL, NULL, &d);
        lp_mem_fail_at(0, false);
        fclose(f);
        free(p);
        assert_int_equal(lp_mem_used(), before);
        if (st == LP_OK) ok = true;
        else assert_int_equal(st, LP_ENOMEM);
        if (st == LP_ENOMEM) assert_non_null(strstr(d.msg, "out of memory"));
    }
    assert_true(ok);
}

/* A stream that cancels the run on its first write, or fails every write. */
static ssize_t cancel_write(void *c, const char *buf, size_t n) {
    (void)buf;
    int *mode = c;
    if (*mode == 1) {
        lp_cancel_request();
        return (ssize_t)n;
    }
    return 0;  /* fopencookie: 0 is the error */
}

static void test_gen_cancellation_and_io_errors(void **state) {
    (void)state;
    lp_gen_options o;
    lp_gen_options_init(&o);
    o.rows = 300000;
    lp_diag d;
    lp_diag_init(&d);
    /* Cancelled before the call. */
    lp_cancel_request();
    assert_int_equal(lp_gen_write(&o, stdout, NULL, NULL, &d), LP_ECANCELLED);
    lp_cancel_clear();
    /* Cancelled while running: the first write of a block cancels the rest. */
    int mode = 1;
    cookie_io_functions_t io = {.write = cancel_write};
    FILE *f = fopencookie(&mode, "w", io);
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(lp_gen_write(&o, f, NULL, NULL, &d), LP_ECANCELLED);
    fclose(f);
    lp_cancel_clear();
    /* A stream that refuses writes. */
    mode = 2;
    f = fopencookie(&mode, "w", io);
    setvbuf(f, NULL, _IONBF, 0);
    o.rows = 100000;
    assert_int_equal(lp_gen_write(&o, f, NULL, NULL, &d), LP_EIO);
    fclose(f);
    /* Paths that cannot be opened. */
    assert_int_equal(lp_gen_write_path(&o, "/nonexistent-dir/x.json", NULL, NULL, &d), LP_EIO);
    assert_non_null(strstr(d.msg, "/nonexistent-dir/x.json"));
    const char *tmp = tu_temp_text("", ".json");
    assert_int_equal(lp_gen_write_path(&o, tmp, "/nonexistent-dir/l.csv", NULL, &d), LP_EIO);
}

/* ---- the command ---- */

static int run(const char *args) {
    const char *bin = getenv("LOUPE_BIN");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/loupe-gen %s >/dev/null 2>&1", bin, args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_gen_command_line(void **state) {
    (void)state;
    const char *bin = getenv("LOUPE_BIN");
    char path[1024];
    snprintf(path, sizeof path, "%s/loupe-gen", bin ? bin : "");
    if (!bin || access(path, X_OK) != 0) skip();
    assert_int_equal(run("--rows abc"), 2);
    assert_int_equal(run("--rows -3"), 2);
    assert_int_equal(run("--format xml"), 2);
    assert_int_equal(run("--bogus"), 2);
    assert_int_equal(run("--out"), 2);
    assert_int_equal(run("--rows 10 --out /nonexistent-dir/x"), 1);
    const char *out = tu_temp_text("", ".csv");
    const char *lab = tu_temp_text("", ".labels");
    char args[512];
    snprintf(args, sizeof args, "--rows 3000 --seed 9 --format csv --threads 3 --out %s --labels %s", out, lab);
    assert_int_equal(run(args), 0);
    FILE *f = fopen(out, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "reviewerID,asin,reviewerName,helpful,reviewText,overall,summary,unixReviewTime,reviewTime\n");
    fclose(f);
    f = fopen(lab, "r");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "reviewerID,kind\n");
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_gen_deterministic_across_threads_and_seeds),
        TU_TEST(test_gen_json_keys_and_formats),
        TU_TEST(test_gen_zero_and_negative_rows),
        TU_TEST(test_gen_shape_of_50k_rows),
        TU_TEST(test_gen_planted_reviewers_and_heuristics),
        TU_TEST(test_gen_csv_matches_json),
        TU_TEST(test_gen_fault_injection),
        TU_TEST(test_gen_cancellation_and_io_errors),
        TU_TEST(test_gen_command_line),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
