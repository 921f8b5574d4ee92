/* gen.c -- a deterministic generator of Amazon-Electronics-shaped reviews with planted fakes.
 *
 * The real data set (McAuley et al., 1,689,188 reviews, ~192k reviewers, ~63k products) cannot
 * be downloaded where the workshop runs, so the lessons run on this one. It keeps the original
 * keys, their order and their formats, and the shape that the lessons look at: reviews per
 * reviewer and per product heavily skewed, ratings skewed to five stars, text lengths with a
 * long tail, dates growing towards 2014, and about 1% planted fake-review behaviour for the
 * fraud-detection lesson, each planted reviewer named in a labels file.
 *
 * DESIGN
 * A plan is made first, on the calling thread, from the seed alone: the reviewers (genuine ones
 * with a capped power-law number of reviews, then the planted ones), each with its review count,
 * kind and active window, and the products with their own power-law counts. Row r belongs to
 * reviewer R and product P through two keyed Feistel permutations of [0, rows): slot
 * perm_rev(r) falls in R's range of the reviewers' prefix sums (and its offset there is the
 * review's index within R), slot perm_prod(r) in P's. So any row can be made on its own, from
 * the plan and the row's block stream, which is what makes the output independent of threads.
 *
 * Rows are made in blocks of BLOCK_ROWS, each block with its own random stream seeded from
 * (seed, block), into a per-block buffer; a wave of WAVE_BLOCKS blocks runs on the pool while
 * one more task writes the previous wave's buffers in block order (two buffer sets alternate),
 * so writing overlaps generating and the bytes never depend on scheduling. Buffers grow by
 * doubling and are reused across waves: no allocation per row.
 *
 * The planted kinds, about 1% of the rows together (shares in PLANT_SHARE):
 *   burst          20-60 five-star reviews within 1-4 days (count > 19, > 2.6 reviews a day)
 *   duplicate      groups of 2-4 accounts posting one summary and (near-)identical text
 *   short          3-10 very short texts ("Great product!"); genuine texts are never that short
 *   phrase         texts saying "received this product at a discount", "honest review"
 *   lowhelp        15-40 reviews each with many votes and at most one helpful
 *   product_burst  groups of 8-20 accounts reviewing one new product within 1-3 days
 * Genuine reviewers with more than 19 reviews are spread over at least two days per review.
 */
#include "gen/gen.h"

#include "gen/vocab.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define BLOCK_ROWS 4096
#define WAVE_BLOCKS 16
#define TEXT_CAP (192 * 1024)  /* scratch for one review's text; generation stops short of it */
#define SUM_CAP 1024

/* The real set's ratios: reviewers and products per review come out of the count laws. */
#define REV_MEAN 8.78     /* 1,689,188 / 192,403 */
#define REV_CAP 450       /* the busiest real reviewer has about 430 */
#define PROD_MEAN 26.8    /* 1,689,188 / 63,001 */
#define PROD_CAP 5000     /* the most reviewed real product has about 4,900 */
#define PLANT_FRACTION 0.01

static const double PLANT_SHARE[LP_GEN_KIND_COUNT] = {
    [LP_GEN_BURST] = 0.25, [LP_GEN_DUPLICATE] = 0.20, [LP_GEN_SHORT] = 0.10,
    [LP_GEN_PHRASE] = 0.15, [LP_GEN_LOWHELP] = 0.15, [LP_GEN_PRODUCT_BURST] = 0.15,
};

static const char *const KIND_NAMES[LP_GEN_KIND_COUNT] = {
    "genuine", "burst", "duplicate", "short", "phrase", "lowhelp", "product_burst",
};

const char *lp_gen_kind_name(lp_gen_kind k) {
    return (unsigned)k < LP_GEN_KIND_COUNT ? KIND_NAMES[k] : "?";
}

void lp_gen_options_init(lp_gen_options *o) {
    o->rows = 200000;
    o->seed = 42;
    o->format = LP_GEN_JSON;
    o->plant = true;
}

/* ---- random numbers ---------------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t seed3(uint64_t a, uint64_t b, uint64_t c) {
    return mix64(mix64(mix64(a + 0x9e3779b97f4a7c15ULL) ^ b) + c);
}

typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rng_next(rng *r) { return mix64(r->s += 0x9e3779b97f4a7c15ULL); }
/* Uniform in [0, n) (n < 2^32), by multiplication: no division, bias below 2^-32. */
static inline uint32_t rng_below(rng *r, uint32_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}
static inline double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
/* Uniform in (0, 1]. */
static inline double rng_unit_pos(rng *r) { return ((double)(rng_next(r) >> 11) + 1.0) * 0x1.0p-53; }
static inline int rng_range(rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }
static inline const char *rng_pick(rng *r, const lp_gen_wordlist *l) { return l->w[rng_below(r, (uint32_t)l->n)]; }

/* A capped discrete power law: P(X >= k) = k^-a for k <= cap. */
static int power_count(rng *r, double a, int cap) {
    double x = floor(pow(rng_unit_pos(r), -1.0 / a));
    return x >= cap ? cap : (int)x;
}

/* The exponent a of the capped power law with the given mean: sum_{k=1..cap} k^-a = mean, by
 * bisection (the sum falls as a grows). Lower caps (small row counts) get heavier tails, so the
 * reviewers and products per review stay those of the real set at every size. */
static double solve_exponent(double mean, int cap) {
    double lo = 0.0, hi = 4.0;
    if ((double)cap <= mean) return 0.0;
    for (int it = 0; it < 40; it++) {
        double a = (lo + hi) / 2, s = 0;
        for (int k = 1; k <= cap; k++) s += pow((double)k, -a);
        if (s > mean) lo = a; else hi = a;
    }
    return (lo + hi) / 2;
}

/* ---- the calendar ------------------------------------------------------------------------- */

/* Days are counted from 1999-06-01 (day_first, days since 1970) to 2014-07-23, as in the real
 * set: nday days in all. Constants, so that concurrent callers share nothing mutable. */
enum { day_first = 10743, nday = 16274 - 10743 + 1 };

/* A day in [lo, nday) with density growing as exp(GROWTH * t): review volume grew about 150-fold
 * from 1999 to 2014. */
#define GROWTH 5.0
static int32_t late_day(rng *r, int32_t lo) {
    double t = log1p(rng_unit(r) * expm1(GROWTH)) / GROWTH;
    int32_t d = lo + (int32_t)(t * (double)(nday - lo));
    return d >= nday ? nday - 1 : d;
}

/* ---- a keyed permutation of [0, n): 4-round Feistel network with cycle walking ------------ */

typedef struct perm {
    uint64_t n, mask;
    int half;
    uint64_t key[4];
} perm;

static void perm_init(perm *p, uint64_t n, uint64_t seed) {
    int bits = 2;
    while (bits < 62 && (1ULL << bits) < n) bits++;
    bits += bits & 1;
    p->n = n;
    p->half = bits / 2;
    p->mask = (1ULL << p->half) - 1;
    for (int i = 0; i < 4; i++) p->key[i] = seed3(seed, 0x7065726dULL, (uint64_t)i);
}

static inline uint64_t perm_apply(const perm *p, uint64_t x) {
    do {
        uint64_t l = x >> p->half, r = x & p->mask;
        for (int i = 0; i < 4; i++) {
            uint64_t t = l ^ (mix64(r ^ p->key[i]) & p->mask);
            l = r;
            r = t;
        }
        x = (l << p->half) | r;
    } while (x >= p->n);
    return x;
}

/* A prefix-sum array with a coarse index: hint[j] = the range holding slot j << HINT_SHIFT, so a
 * lookup binary-searches a few cache-near entries instead of the whole array. */
#define HINT_SHIFT 6
typedef struct ranges {
    int64_t *first;  /* n + 1 prefix sums */
    int64_t n;
    int32_t *hint;
} ranges;

/* Index i with first[i] <= slot < first[i + 1]. */
static inline int64_t find_range(const ranges *g, int64_t slot) {
    const int64_t *first = g->first;
    int64_t j = slot >> HINT_SHIFT;
    int64_t lo = g->hint[j], hi = g->hint[j + 1] + 1;  /* first[lo] <= slot < first[hi] */
    if (hi > g->n) hi = g->n;
    while (hi - lo > 1) {
        int64_t mid = (lo + hi) / 2;
        if (first[mid] <= slot) lo = mid; else hi = mid;
    }
    return lo;
}

/* Builds g->hint for slots [0, total); false when refused. */
static bool ranges_index(ranges *g, int64_t total) {
    int64_t nh = (total >> HINT_SHIFT) + 2;
    g->hint = lp_malloc((size_t)nh * sizeof *g->hint);
    if (!g->hint) return false;
    int64_t i = 0;
    for (int64_t j = 0; j < nh; j++) {
        int64_t slot = j << HINT_SHIFT;
        while (i + 1 < g->n && g->first[i + 1] <= slot) i++;
        g->hint[j] = (int32_t)i;
    }
    return true;
}

/* ---- the plan ----------------------------------------------------------------------------- */

typedef struct reviewer {
    int32_t count;
    int32_t start, span;  /* active window, days from day_first */
    int32_t group;        /* duplicate / product_burst group, else -1 */
    uint8_t kind;
} reviewer;

/* Products of product_burst groups are numbered from here, apart from the catalogue's. */
#define GROUP_PRODUCT_BASE ((int64_t)1 << 40)

typedef struct group {
    int64_t product;      /* product_burst: the product everyone reviews */
    uint64_t seed;        /* duplicate: the shared summary and text */
} group;

typedef struct plan {
    uint64_t seed;
    int64_t rows;
    int64_t nrev, caprev;
    reviewer *rev;
    ranges revr;          /* the reviewers' row slots: prefix sums of their counts */
    ranges prodr;         /* the products' (group products are numbered after them) */
    int64_t ngroups, capgroups;
    group *groups;
    int64_t planted_rev, planted_rows;
    perm prev, pprod;
    char (*review_time)[16];  /* per day: "06 2, 2013" */
    char (*unix_time)[12];    /* per day: "1370131200" */
    uint8_t *review_time_len, *unix_time_len;
} plan;

static void plan_free(plan *p) {
    lp_free(p->rev);
    lp_free(p->revr.first);
    lp_free(p->revr.hint);
    lp_free(p->prodr.first);
    lp_free(p->prodr.hint);
    lp_free(p->groups);
    lp_free(p->review_time);
    lp_free(p->unix_time);
    lp_free(p->review_time_len);
    lp_free(p->unix_time_len);
    memset(p, 0, sizeof *p);
}

/* Appends a reviewer; false when refused. */
static bool add_reviewer(plan *p, reviewer r) {
    if (p->nrev == p->caprev) {
        int64_t cap = p->caprev ? p->caprev * 2 : 1024;
        reviewer *nr = lp_realloc(p->rev, (size_t)cap * sizeof *nr);
        if (!nr) return false;
        p->rev = nr;
        p->caprev = cap;
    }
    p->rev[p->nrev++] = r;
    return true;
}

static int64_t add_group(plan *p, group g) {
    if (p->ngroups == p->capgroups) {
        int64_t cap = p->capgroups ? p->capgroups * 2 : 64;
        group *ng = lp_realloc(p->groups, (size_t)cap * sizeof *ng);
        if (!ng) return -1;
        p->groups = ng;
        p->capgroups = cap;
    }
    p->groups[p->ngroups] = g;
    return p->ngroups++;
}

/* A planted reviewer of kind k (group g or -1), with its count and window; false if refused. */
static bool plant_one(plan *p, rng *r, lp_gen_kind k, int32_t g, int32_t gstart, int32_t gspan) {
    reviewer v = {.kind = (uint8_t)k, .group = g};
    int32_t recent = lp_days_from_civil(2010, 1, 1) - day_first;
    switch (k) {
    case LP_GEN_BURST:
        v.count = rng_range(r, 20, 60);
        v.span = rng_range(r, 1, 4);
        v.start = late_day(r, recent);
        break;
    case LP_GEN_DUPLICATE:
        v.count = rng_range(r, 3, 8);
        v.start = gstart;
        v.span = gspan;
        break;
    case LP_GEN_SHORT:
        v.count = rng_range(r, 3, 10);
        v.span = rng_range(r, 10, 200);
        v.start = late_day(r, recent);
        break;
    case LP_GEN_PHRASE:
        v.count = rng_range(r, 4, 15);
        v.span = rng_range(r, 30, 300);
        v.start = late_day(r, lp_days_from_civil(2012, 6, 1) - day_first);
        break;
    case LP_GEN_LOWHELP:
        v.count = rng_range(r, 15, 40);
        v.span = rng_range(r, 60, 500);
        v.start = late_day(r, recent);
        break;
    case LP_GEN_PRODUCT_BURST:
        v.count = rng_range(r, 1, 2);
        v.start = gstart;
        v.span = gspan;
        break;
    default: return false;
    }
    if (v.start + v.span >= nday) v.start = nday - 1 - v.span;
    p->planted_rev++;
    p->planted_rows += v.count;
    return add_reviewer(p, v);
}

/* The planted reviewers: about PLANT_FRACTION of the rows, shared among the kinds. */
static bool plan_planted(plan *p, rng *r) {
    double budget_rows = (double)p->rows * PLANT_FRACTION;
    for (int k = LP_GEN_BURST; k < LP_GEN_KIND_COUNT; k++) {
        double budget = budget_rows * PLANT_SHARE[k];
        int64_t used0 = p->planted_rows;
        do {
            if (k == LP_GEN_DUPLICATE || k == LP_GEN_PRODUCT_BURST) {
                bool dup = k == LP_GEN_DUPLICATE;
                group g = {.product = -1, .seed = rng_next(r)};
                if (!dup) g.product = GROUP_PRODUCT_BASE + p->ngroups;  /* a new product of its own */
                int64_t gi = add_group(p, g);
                if (gi < 0) return false;
                int32_t span = dup ? rng_range(r, 30, 120) : rng_range(r, 1, 2);
                int32_t start = late_day(r, lp_days_from_civil(2011, 1, 1) - day_first);
                int accounts = dup ? rng_range(r, 2, 4) : rng_range(r, 8, 20);
                for (int a = 0; a < accounts; a++)
                    if (!plant_one(p, r, (lp_gen_kind)k, (int32_t)gi, start, span)) return false;
            } else if (!plant_one(p, r, (lp_gen_kind)k, -1, 0, 0)) {
                return false;
            }
        } while ((double)(p->planted_rows - used0) < budget);
    }
    return true;
}

/* Genuine reviewers, then the planted ones after them (so labels follow the plan's order), and
 * the prefix sums. The planted reviewers are planned first so that the genuine ones fill the
 * rest exactly. */
static bool plan_reviewers(plan *p, rng *r, bool plant) {
    plan planted = {.rows = p->rows};
    bool ok = true;
    if (plant && p->rows >= 1000) ok = plan_planted(&planted, r);
    if (!ok) {
        plan_free(&planted);
        return false;
    }
    p->groups = planted.groups;
    p->ngroups = planted.ngroups;
    p->capgroups = planted.capgroups;
    planted.groups = NULL;
    int64_t genuine = p->rows - planted.planted_rows;
    if (genuine < 0) genuine = 0;
    int cap = (int)LP_MIN((int64_t)REV_CAP, LP_MAX((int64_t)20, p->rows / 50));
    double alpha = solve_exponent(REV_MEAN, cap);
    int32_t recent_cap = nday - 1;
    for (int64_t sum = 0; ok && sum < genuine;) {
        reviewer v = {.kind = LP_GEN_GENUINE, .group = -1};
        v.count = power_count(r, alpha, cap);
        if (sum + v.count > genuine) v.count = (int32_t)(genuine - sum);
        /* Busy reviewers spread out: at least two days per review, plus up to two years. */
        int64_t span = (int64_t)v.count * rng_range(r, 2, 10) + rng_below(r, 730);
        v.span = (int32_t)LP_MIN(span, (int64_t)recent_cap);
        /* The window is centred on a day of the growing volume, kept inside the calendar. */
        int32_t start = late_day(r, 0) - v.span / 2;
        v.start = start < 0 ? 0 : start + v.span >= nday ? nday - 1 - v.span : start;
        sum += v.count;
        ok = add_reviewer(p, v);
    }
    for (int64_t i = 0; ok && i < planted.nrev; i++) ok = add_reviewer(p, planted.rev[i]);
    p->planted_rev = planted.planted_rev;
    p->planted_rows = planted.planted_rows;
    plan_free(&planted);
    if (!ok) return false;
    int64_t *first = p->revr.first = lp_malloc((size_t)(p->nrev + 1) * sizeof(int64_t));
    if (!first) return false;
    p->revr.n = p->nrev;
    first[0] = 0;
    for (int64_t i = 0; i < p->nrev; i++) first[i + 1] = first[i] + p->rev[i].count;
    return ranges_index(&p->revr, p->rows);
}

/* Products with power-law counts summing to the row count. */
static bool plan_products(plan *p, rng *r) {
    int cap = (int)LP_MIN((int64_t)PROD_CAP, LP_MAX((int64_t)40, p->rows / 300));
    double beta = solve_exponent(PROD_MEAN, cap);
    int64_t capn = p->rows / 16 + 64, n = 0;
    p->prodr.first = lp_malloc((size_t)(capn + 1) * sizeof(int64_t));
    if (!p->prodr.first) return false;
    p->prodr.first[0] = 0;
    for (int64_t sum = 0; sum < p->rows;) {
        int64_t c = power_count(r, beta, cap);
        if (sum + c > p->rows) c = p->rows - sum;
        if (n == capn) {
            int64_t *nf = lp_realloc(p->prodr.first, (size_t)(capn * 2 + 1) * sizeof(int64_t));
            if (!nf) return false;
            p->prodr.first = nf;
            capn *= 2;
        }
        sum += c;
        p->prodr.first[++n] = sum;
    }
    p->prodr.n = n;
    return ranges_index(&p->prodr, p->rows);
}

/* The per-day date strings, formatted once. */
static bool plan_days(plan *p) {
    p->review_time = lp_malloc((size_t)nday * sizeof *p->review_time);
    p->unix_time = lp_malloc((size_t)nday * sizeof *p->unix_time);
    p->review_time_len = lp_malloc((size_t)nday);
    p->unix_time_len = lp_malloc((size_t)nday);
    if (!p->review_time || !p->unix_time || !p->review_time_len || !p->unix_time_len) return false;
    for (int32_t i = 0; i < nday; i++) {
        int64_t y;
        unsigned m, dd;
        lp_civil_from_days(day_first + i, &y, &m, &dd);
        p->review_time_len[i] = (uint8_t)snprintf(p->review_time[i], sizeof p->review_time[i],
                                                  "%02u %u, %04lld", m, dd, (long long)y);
        p->unix_time_len[i] = (uint8_t)snprintf(p->unix_time[i], sizeof p->unix_time[i], "%lld",
                                                (long long)(day_first + i) * 86400);
    }
    return true;
}

static bool plan_make(plan *p, const lp_gen_options *o) {
    memset(p, 0, sizeof *p);
    assert(day_first == lp_days_from_civil(1999, 6, 1) && day_first + nday - 1 == lp_days_from_civil(2014, 7, 23));
    p->seed = o->seed;
    p->rows = o->rows;
    rng r = {seed3(o->seed, 0x706c616eULL, 1)};
    rng rp = {seed3(o->seed, 0x70726f64ULL, 2)};
    if (!plan_days(p) || !plan_reviewers(p, &r, o->plant) || !plan_products(p, &rp)) {
        plan_free(p);
        return false;
    }
    perm_init(&p->prev, (uint64_t)LP_MAX(p->rows, (int64_t)1), seed3(o->seed, 1, 0));
    perm_init(&p->pprod, (uint64_t)LP_MAX(p->rows, (int64_t)1), seed3(o->seed, 2, 0));
    return true;
}

/* ---- identifiers and names ---------------------------------------------------------------- */

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* "A" + 13 upper-case alphanumerics, from the reviewer's index. */
static void reviewer_id(uint64_t seed, int64_t ri, char out[14]) {
    uint64_t h1 = seed3(seed, 0x726964ULL, (uint64_t)ri), h2 = mix64(h1 ^ 0x5bd1e995ULL);
    out[0] = 'A';
    for (int i = 1; i < 14; i++) {
        uint64_t *h = i < 8 ? &h1 : &h2;
        out[i] = ALNUM[*h % 36];
        *h /= 36;
    }
}

/* "B00" + 7 alphanumerics, or about one in twenty an ISBN-like "0" + 9 digits. */
static void product_asin(uint64_t seed, int64_t pi, char out[10]) {
    uint64_t h = seed3(seed, 0x6173696eULL, (uint64_t)pi);
    if (h % 20 == 0) {
        h /= 20;
        out[0] = '0';
        for (int i = 1; i < 10; i++) { out[i] = (char)('0' + h % 10); h /= 10; }
    } else {
        out[0] = 'B'; out[1] = '0'; out[2] = '0';
        for (int i = 3; i < 10; i++) { out[i] = ALNUM[h % 36]; h /= 36; }
    }
}

static inline int product_category(uint64_t seed, int64_t pi) {
    return (int)(seed3(seed, 0x636174ULL, (uint64_t)pi) % (uint64_t)lp_gen_ncategories);
}

static char *put(char *w, const char *s, size_t n) {
    memcpy(w, s, n);
    return w + n;
}
static char *puts0(char *w, const char *s) { return put(w, s, strlen(s)); }

/* The reviewer's display name into out (at most 96 bytes); returns its length, or -1 when the
 * reviewer has none (the key is then left out, as in the original). */
static int reviewer_name(uint64_t seed, int64_t ri, char *out) {
    rng r = {seed3(seed, 0x6e616d65ULL, (uint64_t)ri)};
    uint32_t form = rng_below(&r, 1000);
    if (form < 15) return -1;
    const char *first = rng_pick(&r, &lp_gen_first_names), *last = rng_pick(&r, &lp_gen_last_names);
    char *w = out;
    if (form < 45) {
        w = puts0(w, "Amazon Customer");
    } else if (form < 400) {
        w = puts0(w, first); *w++ = ' '; w = puts0(w, last);
    } else if (form < 650) {
        *w++ = first[0]; w = puts0(w, ". "); w = puts0(w, last);
    } else if (form < 750) {
        w = puts0(w, first);
    } else if (form < 850) {
        w = puts0(w, first); *w++ = ' '; w = puts0(w, last); w = puts0(w, " \"");
        w = puts0(w, rng_pick(&r, &lp_gen_nicknames)); *w++ = '"';
    } else if (form < 900) {
        w = puts0(w, first); *w++ = ' '; *w++ = last[0]; *w++ = '.';
    } else if (form < 930) {
        w = puts0(w, last); w = puts0(w, ", "); w = puts0(w, first);
    } else {
        for (const char *s = first; *s; s++) *w++ = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
        w += snprintf(w, 8, "%u", rng_below(&r, 100));
    }
    return (int)(w - out);
}

/* ---- text --------------------------------------------------------------------------------- */

/* A growable byte buffer, reused across rows and waves. */
typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static bool buf_reserve(buf *b, size_t more) {
    if (b->len + more <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + more) cap *= 2;
    char *np = lp_realloc(b->p, cap);
    if (!np) return false;
    b->p = np;
    b->cap = cap;
    return true;
}

/* Whether a filled noun reads as plural ("buttons", "headphones"; not "lens", "bass", "GPS"). */
static bool plural(const char *s, size_t n) {
    if (n < 3 || s[n - 1] != 's') return false;
    if (s[n - 2] == 's' || s[n - 2] == 'S' || s[n - 2] == 'P') return false;  /* bass, GPS */
    return !(n >= 4 && memcmp(s + n - 4, "lens", 4) == 0);
}

/* The verb after a plural noun: " is " -> " are " and so on. `t` points at the slot letter;
 * returns the last template character consumed. */
static const char *agree(const char *t, char **w) {
    static const char *const from[] = {" is ", " was ", " makes ", " takes "};
    static const char *const to[] = {" are ", " were ", " make ", " take "};
    for (size_t i = 0; i < LP_ARRAY_LEN(from); i++) {
        size_t n = strlen(from[i]);
        if (strncmp(t + 1, from[i], n) == 0) {
            *w = puts0(*w, to[i]);
            return t + n;
        }
    }
    return t;
}

/* Expands template t at w (the caller leaves 512 bytes of room), capitalising its first letter.
 * Literal runs and fillers are copied whole (memcpy), never byte by byte. */
static char *expand(char *w, const char *t, rng *r, int cat) {
    char *start = w;
    const lp_gen_category *c = &lp_gen_categories[cat];
    for (;;) {
        const char *dollar = strchrnul(t, '$');
        w = put(w, t, (size_t)(dollar - t));
        if (!*dollar) break;
        t = dollar + 1;
        char slot = *t;
        const char *s;
        if (slot == 'P') s = rng_pick(r, &c->nouns);
        else if (slot == 'F') s = rng_pick(r, &c->features);
        else s = rng_pick(r, &lp_gen_slots[slot - 'A']);
        size_t n = strlen(s);
        w = put(w, s, n);
        if ((slot == 'P' || slot == 'F') && plural(s, n)) t = agree(t, &w);
        t++;
    }
    if (*start >= 'a' && *start <= 'z') *start = (char)(*start - 32);
    return w;
}

/* Generated text averages this many bytes per word (space included): lengths are planned in
 * words and measured in bytes, which saves counting. */
#define BYTES_PER_WORD 5.2

enum { SENT_POS, SENT_NEU, SENT_NEG };

/* Sentence mix per rating (percent positive, neutral; the rest negative). */
static const int MIX[6][2] = {{0, 0}, {5, 15}, {10, 30}, {30, 40}, {65, 30}, {85, 13}};

/* A review text of about `target` words for the rating at w; returns its end. */
static char *gen_text(char *w, char *end, rng *r, int rating, int cat, int target) {
    bool good = rating >= 3;
    char *stop = w + (size_t)(target * BYTES_PER_WORD);
    w = expand(w, rng_pick(r, good ? &lp_gen_open_pos : &lp_gen_open_neg), r, cat);
    while (w < stop && end - w > 1024) {
        *w++ = ' ';
        int u = (int)rng_below(r, 100);
        const lp_gen_wordlist *l = u < MIX[rating][0] ? &lp_gen_sent_pos
                                   : u < MIX[rating][0] + MIX[rating][1] ? &lp_gen_sent_neu
                                                                         : &lp_gen_sent_neg;
        w = expand(w, rng_pick(r, l), r, cat);
    }
    if (rng_below(r, 2)) {
        *w++ = ' ';
        w = expand(w, rng_pick(r, good ? &lp_gen_close_pos : &lp_gen_close_neg), r, cat);
    }
    return w;
}

/* Review length in words: log-normal, median 80, a tail into the thousands. */
static int text_words(rng *r) {
    double u1 = rng_unit_pos(r), u2 = rng_unit(r);
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    double n = 80.0 * exp(0.85 * z);
    return n < 16 ? 16 : n > 5000 ? 5000 : (int)n;
}

static int gen_rating(rng *r) {
    uint32_t u = rng_below(r, 100);
    return u < 55 ? 5 : u < 76 ? 4 : u < 85 ? 3 : u < 91 ? 2 : 1;
}

/* A genuine summary for the rating. */
static char *gen_summary(char *w, rng *r, int rating, int cat) {
    uint32_t u = rng_below(r, 100);
    if (u < 12) {
        static const char *const STARS[6] = {"", "One Star", "Two Stars", "Three Stars", "Four Stars", "Five Stars"};
        if (u < 5) return puts0(w, STARS[rating]);
        if (rating >= 4) return puts0(w, lp_gen_sum_generic.w[2 + rng_below(r, (uint32_t)lp_gen_sum_generic.n - 2)]);
    }
    const lp_gen_wordlist *l = rating >= 4 ? &lp_gen_sum_pos : rating == 3 ? &lp_gen_sum_neu : &lp_gen_sum_neg;
    return expand(w, rng_pick(r, l), r, cat);
}

/* ---- rows --------------------------------------------------------------------------------- */

/* One row's fields before formatting. */
typedef struct row {
    char id[14], asin[10], name[96];
    int name_len;  /* -1: no reviewerName key */
    int64_t helpful, votes;
    int rating;
    int32_t day;
    const char *text, *summary;
    size_t text_len, summary_len;
} row;

/* Appends s as a JSON string body (quotes and backslashes escaped). */
static char *json_str(char *w, const char *s, size_t n) {
    if (!memchr(s, '"', n) && !memchr(s, '\\', n)) return put(w, s, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') *w++ = '\\';
        *w++ = s[i];
    }
    return w;
}

/* Appends s as a CSV field, quoted when it holds a comma, quote or line break. */
static char *csv_str(char *w, const char *s, size_t n) {
    bool q = memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n);
    if (!q) return put(w, s, n);
    *w++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') *w++ = '"';
        *w++ = s[i];
    }
    *w++ = '"';
    return w;
}

static char *put_i64(char *w, int64_t v) {
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *w++ = '-';
    while (n) *w++ = tmp[--n];
    return w;
}

static char *format_json(char *w, const plan *p, const row *x) {
    w = puts0(w, "{\"reviewerID\": \"");
    w = put(w, x->id, 14);
    w = puts0(w, "\", \"asin\": \"");
    w = put(w, x->asin, 10);
    if (x->name_len >= 0) {
        w = puts0(w, "\", \"reviewerName\": \"");
        w = json_str(w, x->name, (size_t)x->name_len);
    }
    w = puts0(w, "\", \"helpful\": [");
    w = put_i64(w, x->helpful);
    w = puts0(w, ", ");
    w = put_i64(w, x->votes);
    w = puts0(w, "], \"reviewText\": \"");
    w = json_str(w, x->text, x->text_len);
    w = puts0(w, "\", \"overall\": ");
    *w++ = (char)('0' + x->rating);
    w = puts0(w, ".0, \"summary\": \"");
    w = json_str(w, x->summary, x->summary_len);
    w = puts0(w, "\", \"unixReviewTime\": ");
    w = put(w, p->unix_time[x->day], p->unix_time_len[x->day]);
    w = puts0(w, ", \"reviewTime\": \"");
    w = put(w, p->review_time[x->day], p->review_time_len[x->day]);
    return puts0(w, "\"}\n");
}

static const char CSV_HEADER[] =
    "reviewerID,asin,reviewerName,helpful,reviewText,overall,summary,unixReviewTime,reviewTime\n";

static char *format_csv(char *w, const plan *p, const row *x) {
    w = put(w, x->id, 14);
    *w++ = ',';
    w = put(w, x->asin, 10);
    *w++ = ',';
    if (x->name_len > 0) w = csv_str(w, x->name, (size_t)x->name_len);
    w = puts0(w, ",\"[");
    w = put_i64(w, x->helpful);
    w = puts0(w, ", ");
    w = put_i64(w, x->votes);
    w = puts0(w, "]\",");
    w = csv_str(w, x->text, x->text_len);
    *w++ = ',';
    *w++ = (char)('0' + x->rating);
    w = puts0(w, ".0,");
    w = csv_str(w, x->summary, x->summary_len);
    *w++ = ',';
    w = put(w, p->unix_time[x->day], p->unix_time_len[x->day]);
    *w++ = ',';
    *w++ = '"';
    w = put(w, p->review_time[x->day], p->review_time_len[x->day]);
    *w++ = '"';
    *w++ = '\n';
    return w;
}

/* Genuine helpful votes: mostly none; otherwise a power law of votes, most found helpful (less
 * so for harsh ratings). */
static void gen_helpful(rng *r, int rating, row *x) {
    x->helpful = x->votes = 0;
    if (rng_below(r, 100) < 63) return;
    double v = floor(pow(rng_unit_pos(r), -1.0 / 1.15));
    x->votes = v > 3000 ? 3000 : (int64_t)v;
    double q = (rating >= 4 ? 0.80 : rating == 3 ? 0.65 : 0.55) + 0.35 * (rng_unit(r) - 0.5);
    if (x->votes <= 20) {
        for (int64_t i = 0; i < x->votes; i++) x->helpful += rng_unit(r) < q;
    } else {
        x->helpful = (int64_t)(q * (double)x->votes + 0.5);
    }
}

typedef struct gen_ctx {
    const plan *p;
    lp_gen_format format;
    int64_t block0;        /* first block of the wave */
    int nblocks;           /* blocks in the wave */
    bool writer;           /* task 0 writes the previous wave */
    buf *out[2];           /* two sets of WAVE_BLOCKS buffers */
    int cur;               /* the set this wave fills */
    int pending;           /* blocks of the other set still to write */
    char *scratch[WAVE_BLOCKS];
    FILE *f;
    atomic_bool nomem, ioerr;
    int io_errno;
} gen_ctx;

/* Makes row r into x, using the block's stream and the scratch buffer for the text. */
static void gen_row(const plan *p, int64_t r, rng *g, char *scratch, row *x) {
    int64_t slot = (int64_t)perm_apply(&p->prev, (uint64_t)r);
    int64_t ri = find_range(&p->revr, slot);
    int64_t k = slot - p->revr.first[ri];
    const reviewer *v = &p->rev[ri];
    int64_t pi = find_range(&p->prodr, (int64_t)perm_apply(&p->pprod, (uint64_t)r));
    if (v->kind == LP_GEN_PRODUCT_BURST && k == 0) pi = p->groups[v->group].product;
    reviewer_id(p->seed, ri, x->id);
    product_asin(p->seed, pi, x->asin);
    x->name_len = reviewer_name(p->seed, ri, x->name);
    int cat = product_category(p->seed, pi);
    char *text = scratch, *tend = scratch + TEXT_CAP - SUM_CAP;
    char *sum = tend, *w;
    x->day = v->start + (int32_t)rng_below(g, (uint32_t)v->span + 1);
    switch ((lp_gen_kind)v->kind) {
    case LP_GEN_GENUINE:
    default:
        x->rating = gen_rating(g);
        gen_helpful(g, x->rating, x);
        w = gen_text(text, tend, g, x->rating, cat, text_words(g));
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(gen_summary(sum, g, x->rating, cat) - sum);
        break;
    case LP_GEN_BURST:
        x->rating = 5;
        x->day = v->start + (int32_t)(v->count > 1 ? k * v->span / (v->count - 1) : 0);
        gen_helpful(g, 5, x);
        w = gen_text(text, tend, g, 5, cat, 15 + (int)rng_below(g, 60));
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(gen_summary(sum, g, 5, cat) - sum);
        break;
    case LP_GEN_DUPLICATE: {
        /* The group's text and summary, from the group's own stream. */
        rng gr = {p->groups[v->group].seed};
        int gcat = (int)rng_below(&gr, (uint32_t)lp_gen_ncategories);
        x->rating = rng_below(&gr, 4) ? 5 : 4;
        w = gen_text(text, tend, &gr, 5, gcat, 40 + (int)rng_below(&gr, 110));
        uint32_t variant = rng_below(g, 10);
        if (variant >= 6 && variant < 8) w = puts0(w, " Highly recommend it!");
        else if (variant >= 8 && w[-1] == '.') w[-1] = '!';
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(expand(sum, rng_pick(&gr, &lp_gen_sum_pos), &gr, gcat) - sum);
        x->helpful = x->votes = 0;
        if (rng_below(g, 4) == 0) x->helpful = x->votes = 1 + rng_below(g, 3);
        break;
    }
    case LP_GEN_SHORT:
        x->rating = rng_below(g, 10) ? 5 : 4;
        x->helpful = x->votes = 0;
        w = puts0(text, rng_pick(g, &lp_gen_short_texts));
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(puts0(sum, rng_below(g, 2) ? "Five Stars" : rng_pick(g, &lp_gen_short_texts)) - sum);
        break;
    case LP_GEN_PHRASE: {
        x->rating = rng_below(g, 7) ? 5 : 4;
        gen_helpful(g, x->rating, x);
        const char *ph = rng_pick(g, &lp_gen_promo_phrases);
        w = text;
        if (rng_below(g, 2)) {
            w = puts0(w, ph);
            *w++ = ' ';
            w = gen_text(w, tend, g, x->rating, cat, 30 + (int)rng_below(g, 90));
        } else {
            w = gen_text(w, tend, g, x->rating, cat, 30 + (int)rng_below(g, 90));
            *w++ = ' ';
            w = puts0(w, ph);
        }
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(gen_summary(sum, g, x->rating, cat) - sum);
        break;
    }
    case LP_GEN_LOWHELP:
        x->rating = rng_below(g, 5) ? 5 : 1;
        x->votes = 4 + rng_below(g, 20);
        x->helpful = rng_below(g, 2);
        w = gen_text(text, tend, g, x->rating, cat, 20 + (int)rng_below(g, 80));
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(gen_summary(sum, g, x->rating, cat) - sum);
        break;
    case LP_GEN_PRODUCT_BURST:
        x->rating = 5;
        x->helpful = x->votes = 0;
        w = gen_text(text, tend, g, 5, cat, 20 + (int)rng_below(g, 40));
        x->text_len = (size_t)(w - text);
        x->summary_len = (size_t)(puts0(sum, rng_pick(g, &lp_gen_hype_summaries)) - sum);
        break;
    }
    x->text = text;
    x->summary = sum;
}

/* Pool task: task 0 of a wave writes the previous wave when one is pending; the others make one
 * block each into the current set's buffers. */
static void gen_task(void *vctx, int task) {
    gen_ctx *c = vctx;
    if (c->writer) {
        if (task == 0) {
            buf *set = c->out[c->cur ^ 1];
            for (int b = 0; b < c->pending; b++) {
                if (set[b].len && !atomic_load(&c->ioerr) &&
                    fwrite(set[b].p, 1, set[b].len, c->f) != set[b].len) {
                    c->io_errno = errno;
                    atomic_store(&c->ioerr, true);
                }
            }
            return;
        }
        task--;
    }
    if (lp_cancelled() || atomic_load_explicit(&c->nomem, memory_order_relaxed)) return;
    const plan *p = c->p;
    int64_t block = c->block0 + task;
    int64_t r0 = block * BLOCK_ROWS, r1 = LP_MIN(p->rows, r0 + BLOCK_ROWS);
    buf *o = &c->out[c->cur][task];
    o->len = 0;
    rng g = {seed3(p->seed, 0x626c6f636bULL, (uint64_t)block)};
    row x;
    for (int64_t r = r0; r < r1; r++) {
        gen_row(p, r, &g, c->scratch[task], &x);
        /* Escaping at most doubles a field; the rest of a row is under 512 bytes. */
        if (!buf_reserve(o, 2 * (x.text_len + x.summary_len) + 512 + 2 * sizeof x.name)) {
            atomic_store(&c->nomem, true);
            return;
        }
        char *w = o->p + o->len;
        w = c->format == LP_GEN_CSV ? format_csv(w, p, &x) : format_json(w, p, &x);
        o->len = (size_t)(w - o->p);
    }
}

static lp_status io_error(lp_diag *d, const char *what, int err) {
    return lp_diag_set(d, LP_EIO, "loupe-gen: could not write the %s: %s", what, strerror(err ? err : EIO));
}

/* The labels CSV: one line per planted reviewer, in plan order. */
static lp_status write_labels(const plan *p, FILE *f, lp_diag *d) {
    if (fputs("reviewerID,kind\n", f) < 0) return io_error(d, "labels", errno);
    for (int64_t i = 0; i < p->nrev; i++) {
        if (p->rev[i].kind == LP_GEN_GENUINE) continue;
        char id[15];
        reviewer_id(p->seed, i, id);
        id[14] = 0;
        if (fprintf(f, "%s,%s\n", id, KIND_NAMES[p->rev[i].kind]) < 0) return io_error(d, "labels", errno);
    }
    return LP_OK;
}

lp_status lp_gen_write(const lp_gen_options *o, FILE *out, FILE *labels, lp_gen_report *report,
                       lp_diag *d) {
    if (report) memset(report, 0, sizeof *report);
    if (o->rows < 0) return lp_diag_set(d, LP_EVALUE, "loupe-gen: the row count must not be negative (got %lld)",
                                        (long long)o->rows);
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "loupe-gen: cancelled");
    plan p;
    if (!plan_make(&p, o)) return lp_diag_nomem(d, "the reviews generator");
    lp_status st = LP_OK;
    gen_ctx c = {.p = &p, .format = o->format, .f = out};
    buf sets[2][WAVE_BLOCKS];
    memset(sets, 0, sizeof sets);
    c.out[0] = sets[0];
    c.out[1] = sets[1];
    for (int i = 0; i < WAVE_BLOCKS; i++) {
        c.scratch[i] = lp_malloc(TEXT_CAP);
        if (!c.scratch[i]) st = lp_diag_nomem(d, "the reviews generator");
    }
    if (st == LP_OK && labels) st = write_labels(&p, labels, d);
    int64_t bytes = 0;
    if (st == LP_OK && o->format == LP_GEN_CSV) {
        if (fputs(CSV_HEADER, out) < 0) st = io_error(d, "output", errno);
        bytes += (int64_t)sizeof CSV_HEADER - 1;
    }
    int64_t nblocks = (p.rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
    for (int64_t b0 = 0; st == LP_OK && (b0 < nblocks || c.pending);) {
        c.block0 = b0;
        c.nblocks = (int)LP_MIN((int64_t)WAVE_BLOCKS, nblocks - b0);
        c.writer = c.pending > 0;
        st = lp_pool_run(c.nblocks + (c.writer ? 1 : 0), gen_task, &c);
        if (st != LP_OK) {
            lp_diag_set(d, st, "loupe-gen: cancelled");
        } else if (atomic_load(&c.nomem)) {
            st = lp_diag_nomem(d, "the reviews generator");
        } else if (atomic_load(&c.ioerr)) {
            st = io_error(d, "output", c.io_errno);
        }
        for (int i = 0; i < c.nblocks; i++) bytes += (int64_t)c.out[c.cur][i].len;
        c.pending = c.nblocks;
        c.cur ^= 1;
        b0 += c.nblocks;
    }
    if (st == LP_OK && fflush(out) != 0) st = io_error(d, "output", errno);
    if (st == LP_OK && labels && fflush(labels) != 0) st = io_error(d, "labels", errno);
    if (st == LP_OK && report) {
        report->rows = p.rows;
        report->reviewers = p.nrev;
        report->products = p.prodr.n + p.ngroups;
        report->planted_reviewers = p.planted_rev;
        report->planted_rows = p.planted_rows;
        report->bytes = bytes;
    }
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < WAVE_BLOCKS; i++) lp_free(sets[s][i].p);
    for (int i = 0; i < WAVE_BLOCKS; i++) lp_free(c.scratch[i]);
    plan_free(&p);
    return st;
}

lp_status lp_gen_write_path(const lp_gen_options *o, const char *path, const char *labels_path,
                            lp_gen_report *report, lp_diag *d) {
    bool to_stdout = !path || strcmp(path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(path, "wb");
    if (!out) {
        lp_diag_set(d, LP_EIO, "loupe-gen: cannot open '%s' for writing: %s", path, strerror(errno));
        return LP_EIO;
    }
    FILE *labels = NULL;
    if (labels_path && !(labels = fopen(labels_path, "wb"))) {
        lp_diag_set(d, LP_EIO, "loupe-gen: cannot open '%s' for writing: %s", labels_path, strerror(errno));
        if (!to_stdout) fclose(out);
        return LP_EIO;
    }
    lp_status st = lp_gen_write(o, out, labels, report, d);
    if (labels && fclose(labels) != 0 && st == LP_OK) st = io_error(d, "labels", errno);
    if (!to_stdout && fclose(out) != 0 && st == LP_OK) st = io_error(d, "output", errno);
    return st;
}
