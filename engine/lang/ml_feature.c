/* ml_feature.c -- pyspark.ml.feature's text steps: Tokenizer, RegexTokenizer, StopWordsRemover,
 * NGram, HashingTF, CountVectorizer (+ Model).
 *
 * Each transformer is an lp_mlclass whose xprep compiles its params (a regex, a stop-word set,
 * a vocabulary lookup) into the snapshot's `prep`, and whose lp_xfn evaluates one partition's
 * column in one pass with per-partition scratch buffers (nothing allocated per row once they
 * have grown). Evaluation runs on pool threads: prep and the model state are read-only there.
 *
 * Spark's semantics kept: Tokenizer is toLowerCase.split("\\s") (consecutive spaces give empty
 * tokens, trailing ones dropped); HashingTF hashes the term's UTF-8 bytes with MurmurHash3_x86_32,
 * seed 42, and takes the non-negative remainder by numFeatures, so indices equal Spark 3's;
 * CountVectorizer orders its vocabulary by descending corpus frequency, then by term.
 * Lower-casing is ASCII only (review text is ASCII; Java's toLowerCase maps all of Unicode).
 */
#include "lang/ml.h"
#include "exec/expr_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "ml"); }

#define IN_OUT                                                                       \
    {"inputCol", LP_MLP_STR, NULL, "input column name.", NULL, NULL},                \
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL}

static const char *positive(const lp_val *v) {
    return (v->kind == LV_INT ? v->u.i > 0 : v->u.f > 0) ? NULL : "requirement failed: the value must be > 0";
}
static const char *nonneg(const lp_val *v) {
    return (v->kind == LV_INT ? v->u.i >= 0 : v->u.f >= 0) ? NULL : "requirement failed: the value must be >= 0";
}

static lp_status need_type(lp_diag *d, const char *cls, lp_type got, const char *want) {
    return lp_diag_set(d, LP_ETYPE, "requirement failed: %s: input type must be %s but got %s.", cls, want,
                       lp_type_name(got));
}

static inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* A growable scratch byte buffer owned by one evaluation (one partition). */
typedef struct scratch {
    char *p;
    size_t cap;
} scratch;

static bool scratch_fit(scratch *s, size_t n) {
    if (n <= s->cap) return true;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < n) cap *= 2;
    char *p = lp_realloc(s->p, cap);
    if (!p) return false;
    s->p = p;
    s->cap = cap;
    return true;
}

/* ---- Tokenizer ---------------------------------------------------------------------------- */

static lp_status str_in_bind(const lp_xfn *f, const lp_type *t, int n, lp_type *out, lp_diag *d) {
    (void)n;
    if (t[0].kind != LP_STRING) return need_type(d, f->name, t[0], "string");
    *out = lp_type_list(LP_STRING);
    return LP_OK;
}

static inline bool java_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

static lp_status tok_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)f, (void)n, (void)d;
    const lp_column *c = args[0];
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_list(LP_STRING));
    lp_colbuf_reserve(&b, nrows, 0);
    lp_colbuf *ch = lp_colbuf_list_child(&b);
    lp_colbuf_reserve(ch, nrows * 8, c->type.kind == LP_STRING ? (size_t)c->v.off[c->len] : 0);
    scratch sc = {0};
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t len;
        const char *s = lp_col_str(c, r, &len);
        if (!scratch_fit(&sc, (size_t)len + 1)) {
            b.nomem = true;
            break;
        }
        for (int64_t i = 0; i < len; i++) sc.p[i] = ascii_lower(s[i]);
        /* Java's split: trailing empty tokens removed; "" -> [""] */
        int64_t end = len;
        while (end > 0 && java_space(sc.p[end - 1])) end--;
        if (len == 0) {
            lp_colbuf_append_str(ch, "", 0);
        } else {
            int64_t st = 0;
            for (int64_t i = 0; i <= end; i++)
                if (i == end || java_space(sc.p[i])) {
                    if (i == end && end == 0) break;  /* all spaces: no tokens */
                    lp_colbuf_append_str(ch, sc.p + st, (size_t)(i - st));
                    st = i + 1;
                }
        }
        lp_colbuf_list_end(&b);
    }
    lp_free(sc.p);
    return lp_colbuf_finish(&b, out);
}

static lp_status tok_prep(loupe_session *s, lp_mlobj *o) {
    (void)s;
    o->xfn = (lp_xfn){.name = "Tokenizer", .bind = str_in_bind, .eval = tok_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

static const lp_mlparam tok_params[] = {IN_OUT};

const lp_mlclass lp_ml_tokenizer = {
    .name = "Tokenizer", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = tok_params, .nparams = 2, .transform = lp_ml_transform_unary, .xprep = tok_prep,
    .doc = "A tokenizer that converts the input string to lowercase and then splits it by white spaces: "
           "Tokenizer(inputCol='text', outputCol='words').transform(df) adds an array<string> column.",
};

/* ---- RegexTokenizer ----------------------------------------------------------------------- */

typedef struct rx_prep {
    pcre2_code *re;
    bool gaps, lower;
    int64_t min_len;
} rx_prep;

static void rx_free(void *p) {
    rx_prep *x = p;
    if (!x) return;
    if (x->re) pcre2_code_free(x->re);
    lp_free(x);
}

static void rx_emit(lp_colbuf *ch, const char *s, size_t n, int64_t min_len) {
    if (min_len > 0 && lp_utf8_length(s, n) < min_len) return;
    lp_colbuf_append_str(ch, s, n);
}

static lp_status rx_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)n, (void)d;
    const lp_mlobj *o = f->ctx;
    const rx_prep *x = o->prep;
    const lp_column *c = args[0];
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(x->re, NULL);
    if (!md) return LP_ENOMEM;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_list(LP_STRING));
    lp_colbuf_reserve(&b, nrows, 0);
    lp_colbuf *ch = lp_colbuf_list_child(&b);
    scratch sc = {0};
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t len;
        const char *s = lp_col_str(c, r, &len);
        if (x->lower) {
            if (!scratch_fit(&sc, (size_t)len + 1)) {
                b.nomem = true;
                break;
            }
            for (int64_t i = 0; i < len; i++) sc.p[i] = ascii_lower(s[i]);
            s = sc.p;
        }
        int64_t first = ch->len;
        PCRE2_SIZE pos = 0, prev = 0;
        while (pos <= (PCRE2_SIZE)len) {
            /* column text is valid UTF-8 (the readers make it so): no check per call, which would
             * rescan the subject for every token */
            int rc = pcre2_match(x->re, (PCRE2_SPTR)s, (PCRE2_SIZE)len, pos, PCRE2_NO_UTF_CHECK, md, NULL);
            if (rc < 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (x->gaps) {
                /* Java's split: a zero-width match at 0 gives no leading empty token */
                if (!(ov[1] == 0 && ov[0] == 0)) rx_emit(ch, s + prev, ov[0] - prev, x->min_len);
                prev = ov[1];
            } else {
                rx_emit(ch, s + ov[0], ov[1] - ov[0], x->min_len);
            }
            pos = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
        }
        if (x->gaps) {
            rx_emit(ch, s + prev, (size_t)len - prev, x->min_len);
            /* trailing empty tokens are dropped, as Java's split does */
            while (ch->len > first && ((int64_t *)ch->vals)[ch->len] == ((int64_t *)ch->vals)[ch->len - 1]) {
                ch->len--;
                ch->dlen = (size_t)((int64_t *)ch->vals)[ch->len];
            }
        }
        lp_colbuf_list_end(&b);
    }
    lp_free(sc.p);
    pcre2_match_data_free(md);
    return lp_colbuf_finish(&b, out);
}

static lp_status rx_prepare(loupe_session *s, lp_mlobj *o) {
    rx_prep *x = lp_calloc(1, sizeof *x);
    if (!x) return nomem(s);
    o->prep = x;
    const char *pat = lp_ml_str(o, "pattern");
    char err[256];
    int64_t off = 0;
    bool nm = false;
    x->re = lp_regex_compile(pat, (int64_t)strlen(pat), err, sizeof err, &off, &nm);
    if (!x->re) {
        if (nm) return nomem(s);
        lp_err_span(s, LP_EVALUE, -1, -1, "RegexTokenizer: the pattern '%s' does not compile: %s at offset %lld", pat, err,
                    (long long)off);
        return LP_EVALUE;
    }
    x->gaps = lp_ml_bool(o, "gaps");
    x->lower = lp_ml_bool(o, "toLowercase");
    x->min_len = lp_ml_int(o, "minTokenLength");
    o->xfn = (lp_xfn){.name = "RegexTokenizer", .bind = str_in_bind, .eval = rx_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

static const lp_mlparam rx_params[] = {
    IN_OUT,
    {"pattern", LP_MLP_STR, "'\\s+'", "regex pattern (Java dialect) used for tokenizing.", NULL, NULL},
    {"gaps", LP_MLP_BOOL, "True", "whether regex splits on gaps (True) or matches tokens (False).", NULL, NULL},
    {"minTokenLength", LP_MLP_INT, "1", "minimum token length (>= 0).", nonneg, NULL},
    {"toLowercase", LP_MLP_BOOL, "True", "whether to convert all characters to lowercase before tokenizing.", NULL, NULL},
};

const lp_mlclass lp_ml_regex_tokenizer = {
    .name = "RegexTokenizer", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = rx_params, .nparams = 6, .transform = lp_ml_transform_unary, .xprep = rx_prepare, .prep_free = rx_free,
    .doc = "A regex based tokenizer: splits the text on the pattern (gaps=True, the default, pattern '\\\\s+') or "
           "extracts its matches (gaps=False, e.g. pattern='\\\\w+'); drops tokens shorter than minTokenLength; "
           "lowercases first unless toLowercase=False.",
};

/* ---- a set of strings (stop words, vocabulary) -------------------------------------------- */

typedef struct strset {
    char **s;       /* the strings, in order (vocabulary index = position) */
    int32_t *len;
    int32_t n;
    int32_t *slot;  /* open addressing: index + 1, 0 empty */
    uint64_t mask;
} strset;

static void strset_free(strset *t) {
    if (!t) return;
    for (int32_t i = 0; t->s && i < t->n; i++) lp_free(t->s[i]);
    lp_free(t->s);
    lp_free(t->len);
    lp_free(t->slot);
    lp_free(t);
}

/* Builds a set of n strings (copied; lowered when `lower`). Duplicates keep the first. */
static strset *strset_new(const char *const *s, const int32_t *len, int32_t n, bool lower) {
    strset *t = lp_calloc(1, sizeof *t);
    if (!t) return NULL;
    uint64_t cap = 16;
    while (cap < (uint64_t)n * 2) cap *= 2;
    t->mask = cap - 1;
    t->s = lp_calloc((size_t)n + 1, sizeof *t->s);
    t->len = lp_calloc((size_t)n + 1, sizeof *t->len);
    t->slot = lp_calloc(cap, sizeof *t->slot);
    if (!t->s || !t->len || !t->slot) {
        strset_free(t);
        return NULL;
    }
    for (int32_t i = 0; i < n; i++) {
        char *c = lp_malloc((size_t)len[i] + 1);
        if (!c) {
            strset_free(t);
            return NULL;
        }
        for (int32_t k = 0; k < len[i]; k++) c[k] = lower ? ascii_lower(s[i][k]) : s[i][k];
        c[len[i]] = 0;
        uint64_t h = lp_hash_bytes(c, (size_t)len[i], 0) & t->mask;
        bool dup = false;
        while (t->slot[h]) {
            int32_t j = t->slot[h] - 1;
            if (t->len[j] == len[i] && memcmp(t->s[j], c, (size_t)len[i]) == 0) {
                dup = true;
                break;
            }
            h = (h + 1) & t->mask;
        }
        t->s[t->n] = c;
        t->len[t->n] = len[i];
        if (!dup) t->slot[h] = t->n + 1;
        t->n++;
    }
    return t;
}

/* The index of s in t, or -1. */
static int32_t strset_find(const strset *t, const char *s, int64_t n) {
    uint64_t h = lp_hash_bytes(s, (size_t)n, 0) & t->mask;
    while (t->slot[h]) {
        int32_t j = t->slot[h] - 1;
        if (t->len[j] == n && memcmp(t->s[j], s, (size_t)n) == 0) return j;
        h = (h + 1) & t->mask;
    }
    return -1;
}

/* ---- StopWordsRemover --------------------------------------------------------------------- */

static const char *const english[] = {
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
    "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
    "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
    "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
    "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
    "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
    "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor",
    "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should",
    "now", "d", "ll", "m", "o", "re", "ve", "y", "ain", "aren", "couldn", "didn", "doesn", "hadn", "hasn", "haven",
    "isn", "ma", "mightn", "mustn", "needn", "shan", "shouldn", "wasn", "weren", "won", "wouldn",
};

static lp_val *english_list(void) {
    lp_val *l = lp_val_list(LV_LIST, (int)LP_ARRAY_LEN(english));
    for (size_t i = 0; l && i < LP_ARRAY_LEN(english); i++)
        if (!(l->u.list.v[i] = lp_val_str(english[i], strlen(english[i])))) {
            lp_val_unref(l);
            return NULL;
        }
    return l;
}

typedef struct sw_prep {
    strset *set;
    bool cs;
} sw_prep;

static void sw_free(void *p) {
    sw_prep *x = p;
    if (!x) return;
    strset_free(x->set);
    lp_free(x);
}

static lp_status strs_in_bind(const lp_xfn *f, const lp_type *t, int n, lp_type *out, lp_diag *d) {
    (void)n;
    if (!lp_type_eq(t[0], lp_type_list(LP_STRING))) return need_type(d, f->name, t[0], "array<string>");
    *out = lp_type_list(LP_STRING);
    return LP_OK;
}

static lp_status sw_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)n, (void)d;
    const sw_prep *x = ((const lp_mlobj *)f->ctx)->prep;
    const lp_column *c = args[0], *e = c->child;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_list(LP_STRING));
    lp_colbuf_reserve(&b, nrows, 0);
    lp_colbuf *ch = lp_colbuf_list_child(&b);
    scratch sc = {0};
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        for (int64_t k = c->v.off[r]; k < c->v.off[r + 1]; k++) {
            if (!lp_col_valid(e, k)) {
                lp_colbuf_append_null(ch);
                continue;
            }
            int64_t len;
            const char *w = lp_col_str(e, k, &len);
            const char *key = w;
            if (!x->cs) {
                if (!scratch_fit(&sc, (size_t)len + 1)) {
                    b.nomem = true;
                    break;
                }
                for (int64_t i = 0; i < len; i++) sc.p[i] = ascii_lower(w[i]);
                key = sc.p;
            }
            if (strset_find(x->set, key, len) < 0) lp_colbuf_append_str(ch, w, (size_t)len);
        }
        lp_colbuf_list_end(&b);
    }
    lp_free(sc.p);
    return lp_colbuf_finish(&b, out);
}

/* The strings of a list value, as arrays (borrowed). */
static bool str_arrays(const lp_val *l, const char ***s, int32_t **len) {
    int n = l->u.list.n;
    *s = lp_calloc((size_t)n + 1, sizeof **s);
    *len = lp_calloc((size_t)n + 1, sizeof **len);
    if (!*s || !*len) {
        lp_free(*s);
        lp_free(*len);
        return false;
    }
    for (int i = 0; i < n; i++) {
        (*s)[i] = l->u.list.v[i]->u.s.p;
        (*len)[i] = (int32_t)l->u.list.v[i]->u.s.n;
    }
    return true;
}

static lp_status sw_prepare(loupe_session *s, lp_mlobj *o) {
    sw_prep *x = lp_calloc(1, sizeof *x);
    if (!x) return nomem(s);
    o->prep = x;
    x->cs = lp_ml_bool(o, "caseSensitive");
    const lp_val *l = lp_ml_get(o, "stopWords");
    const char **w;
    int32_t *len;
    if (!str_arrays(l, &w, &len)) return nomem(s);
    x->set = strset_new(w, len, l->u.list.n, !x->cs);
    lp_free(w);
    lp_free(len);
    if (!x->set) return nomem(s);
    o->xfn = (lp_xfn){.name = "StopWordsRemover", .bind = strs_in_bind, .eval = sw_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

static const lp_mlparam sw_params[] = {
    IN_OUT,
    {"stopWords", LP_MLP_STRS, NULL, "The words to be filtered out.", NULL, english_list},
    {"caseSensitive", LP_MLP_BOOL, "False", "whether to do a case sensitive comparison over the stop words.", NULL, NULL},
    {"locale", LP_MLP_STR, "'en_US'", "locale of the input. ignored when case sensitive is true.", NULL, NULL},
};

static lp_status sw_load(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)self;
    lp_val *v;
    lp_ast *at;
    lp_status st = lp_args_one(s, a, "language", true, &v, &at);
    if (st != LP_OK) return st;
    if (v->kind != LV_STR || strcmp(v->u.s.p, "english") != 0) {
        lp_err(s, LP_EUNSUPPORTED, at, "Loupe has the english stop words only");
        return LP_EUNSUPPORTED;
    }
    *out = english_list();
    return *out ? LP_OK : nomem(s);
}

static const lp_method sw_methods[] = {{"loadDefaultStopWords", sw_load, "language"}};

const lp_mlclass lp_ml_stopwords = {
    .name = "StopWordsRemover", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = sw_params, .nparams = 5, .transform = lp_ml_transform_unary, .xprep = sw_prepare, .prep_free = sw_free,
    .methods = sw_methods, .nmethods = 1,
    .doc = "Filters out stop words from an array<string> column. The default list is Spark's English one "
           "(StopWordsRemover.loadDefaultStopWords('english')); comparison ignores case unless caseSensitive=True.",
};

/* ---- NGram -------------------------------------------------------------------------------- */

static lp_status ng_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)n, (void)d;
    int64_t g = lp_ml_int(f->ctx, "n");
    const lp_column *c = args[0], *e = c->child;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_list(LP_STRING));
    lp_colbuf_reserve(&b, nrows, 0);
    lp_colbuf *ch = lp_colbuf_list_child(&b);
    scratch sc = {0};
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t o = c->v.off[r], m = c->v.off[r + 1] - o;
        for (int64_t k = 0; k + g <= m; k++) {
            size_t len = 0;
            for (int64_t j = 0; j < g; j++) {
                int64_t wl;
                const char *w = lp_col_str(e, o + k + j, &wl);
                if (!scratch_fit(&sc, len + (size_t)wl + 2)) {
                    b.nomem = true;
                    break;
                }
                if (j) sc.p[len++] = ' ';
                memcpy(sc.p + len, w, (size_t)wl);
                len += (size_t)wl;
            }
            if (b.nomem) break;
            lp_colbuf_append_str(ch, sc.p ? sc.p : "", len);
        }
        lp_colbuf_list_end(&b);
    }
    lp_free(sc.p);
    return lp_colbuf_finish(&b, out);
}

static lp_status ng_prepare(loupe_session *s, lp_mlobj *o) {
    (void)s;
    o->xfn = (lp_xfn){.name = "NGram", .bind = strs_in_bind, .eval = ng_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

static const char *at_least_1(const lp_val *v) { return v->u.i >= 1 ? NULL : "requirement failed: n must be >= 1"; }

static const lp_mlparam ng_params[] = {
    IN_OUT,
    {"n", LP_MLP_INT, "2", "number of elements per n-gram (>=1)", at_least_1, NULL},
};

const lp_mlclass lp_ml_ngram = {
    .name = "NGram", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = ng_params, .nparams = 3, .transform = lp_ml_transform_unary, .xprep = ng_prepare,
    .doc = "Turns an array<string> of words into its n-grams (n=2 default), each the words joined by a space; "
           "an input shorter than n gives an empty array.",
};

/* ---- HashingTF ---------------------------------------------------------------------------- */

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

/* MurmurHash3_x86_32 (Austin Appleby's reference), little-endian blocks. */
uint32_t lp_ml_murmur3(const void *key, size_t len, uint32_t seed) {
    const uint8_t *p = key;
    size_t nb = len / 4;
    uint32_t h = seed;
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    for (size_t i = 0; i < nb; i++) {
        uint32_t k = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
                     (uint32_t)p[4 * i + 3] << 24;
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64;
    }
    const uint8_t *t = p + nb * 4;
    uint32_t k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)t[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)t[1] << 8;  /* fall through */
    case 1:
        k ^= t[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

/* Spark's index of a term: nonNegativeMod(murmur3(utf8, 42), numFeatures). */
int32_t lp_ml_term_index(const char *s, size_t n, int32_t num_features) {
    int32_t h = (int32_t)lp_ml_murmur3(s, n, 42);
    int32_t m = h % num_features;
    return m < 0 ? m + num_features : m;
}

static lp_status tf_bind(const lp_xfn *f, const lp_type *t, int n, lp_type *out, lp_diag *d) {
    (void)n;
    if (!lp_type_eq(t[0], lp_type_list(LP_STRING))) return need_type(d, f->name, t[0], "array<string>");
    *out = lp_type_of(LP_VECTOR);
    return LP_OK;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts idx[0..m) and appends the sparse vector of their counts (or 1.0 each when binary). */
static void append_counts(lp_colbuf *b, int32_t size, int32_t *idx, double *val, int64_t m, bool binary) {
    qsort(idx, (size_t)m, sizeof *idx, cmp_i32);
    int32_t k = 0;
    for (int64_t i = 0; i < m; i++) {
        if (k && idx[k - 1] == idx[i]) {
            if (!binary) val[k - 1] += 1.0;
            continue;
        }
        idx[k] = idx[i];
        val[k++] = 1.0;
    }
    lp_colbuf_append_vec(b, size, k, idx, val);
}

typedef struct ibuf {
    int32_t *idx;
    double *val;
    int64_t cap;
} ibuf;

static bool ibuf_fit(ibuf *x, int64_t n) {
    if (n <= x->cap) return true;
    int64_t cap = x->cap ? x->cap : 64;
    while (cap < n) cap *= 2;
    int32_t *i = lp_realloc(x->idx, sizeof *i * (size_t)cap);
    if (i) x->idx = i;
    double *v = lp_realloc(x->val, sizeof *v * (size_t)cap);
    if (v) x->val = v;
    if (!i || !v) return false;
    x->cap = cap;
    return true;
}

static lp_status tf_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)n, (void)d;
    int32_t nf = (int32_t)lp_ml_int(f->ctx, "numFeatures");
    bool binary = lp_ml_bool(f->ctx, "binary");
    const lp_column *c = args[0], *e = c->child;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    lp_colbuf_reserve(&b, nrows, 0);
    ibuf x = {0};
    for (int64_t r = 0; r < nrows && !b.nomem; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t o = c->v.off[r], m = c->v.off[r + 1] - o;
        if (!ibuf_fit(&x, m)) {
            b.nomem = true;
            break;
        }
        for (int64_t k = 0; k < m; k++) {
            int64_t wl = 0;
            const char *w = lp_col_valid(e, o + k) ? lp_col_str(e, o + k, &wl) : NULL;
            /* Spark hashes a null term as the seed itself */
            x.idx[k] = w ? lp_ml_term_index(w, (size_t)wl, nf) : (int32_t)(42 % nf);
        }
        append_counts(&b, nf, x.idx, x.val, m, binary);
    }
    lp_free(x.idx);
    lp_free(x.val);
    return lp_colbuf_finish(&b, out);
}

static lp_status tf_prepare(loupe_session *s, lp_mlobj *o) {
    (void)s;
    o->xfn = (lp_xfn){.name = "HashingTF", .bind = tf_bind, .eval = tf_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

static const char *int32_positive(const lp_val *v) {
    return v->u.i > 0 && v->u.i <= INT32_MAX ? NULL : "requirement failed: numFeatures must be > 0 (and fit in an int)";
}

static lp_status tf_index_of(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    lp_val *v;
    lp_ast *at;
    lp_status st = lp_args_one(s, a, "term", true, &v, &at);
    if (st != LP_OK) return st;
    if (v->kind != LV_STR) return lp_err(s, LP_ETYPE, at, "indexOf() takes a str term here, got %s", lp_val_type_name(v));
    *out = lp_val_int(lp_ml_term_index(v->u.s.p, v->u.s.n, (int32_t)lp_ml_int(lp_ml_obj(self), "numFeatures")));
    return *out ? LP_OK : nomem(s);
}

static const lp_method tf_methods[] = {{"indexOf", tf_index_of, "term"}};

static const lp_mlparam tf_params[] = {
    IN_OUT,
    {"numFeatures", LP_MLP_INT, "262144", "Number of features. Should be greater than 0.", int32_positive, NULL},
    {"binary", LP_MLP_BOOL, "False",
     "If True, all non zero counts are set to 1. This is useful for discrete probabilistic models that model binary "
     "events rather than integer counts. Default False.", NULL, NULL},
};

const lp_mlclass lp_ml_hashing_tf = {
    .name = "HashingTF", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = tf_params, .nparams = 4, .transform = lp_ml_transform_unary, .xprep = tf_prepare,
    .methods = tf_methods, .nmethods = 1,
    .doc = "Maps a sequence of terms to their term frequencies using the hashing trick: a sparse vector of "
           "numFeatures (default 262144) where term t counts at index murmur3(t, seed 42) mod numFeatures, as "
           "Spark 3 computes it (indexOf(term) tells the index).",
};

/* ---- CountVectorizer ---------------------------------------------------------------------- */

/* A term count table over one partition: keys point into the partition's column bytes. */
typedef struct tcount {
    const char *p;
    int64_t n;
    uint64_t h;
    int64_t tf, df, last;
} tcount;

typedef struct ttable {
    tcount *e;
    uint64_t mask;
    int64_t used;
    bool nomem;
} ttable;

static tcount *tt_slot(ttable *t, const char *p, int64_t n, uint64_t h) {
    if ((uint64_t)(t->used + 1) * 2 > t->mask + 1 || !t->e) {
        uint64_t cap = t->e ? (t->mask + 1) * 2 : 1024;
        tcount *ne = lp_calloc(cap, sizeof *ne);
        if (!ne) {
            t->nomem = true;
            return NULL;
        }
        for (uint64_t i = 0; t->e && i <= t->mask; i++)
            if (t->e[i].p) {
                uint64_t j = t->e[i].h & (cap - 1);
                while (ne[j].p) j = (j + 1) & (cap - 1);
                ne[j] = t->e[i];
            }
        lp_free(t->e);
        t->e = ne;
        t->mask = cap - 1;
    }
    uint64_t j = h & t->mask;
    while (t->e[j].p) {
        if (t->e[j].h == h && t->e[j].n == n && memcmp(t->e[j].p, p, (size_t)n) == 0) return &t->e[j];
        j = (j + 1) & t->mask;
    }
    t->e[j] = (tcount){.p = p, .n = n, .h = h, .last = -1};
    t->used++;
    return &t->e[j];
}

typedef struct cv_fit {
    lp_table *t;
    int col;
    ttable *tabs;  /* one per partition */
} cv_fit;

static void cv_task(void *ctx, int part) {
    cv_fit *f = ctx;
    if (lp_cancelled()) return;
    const lp_column *c = f->t->parts[part].cols[f->col], *e = c->child;
    ttable *t = &f->tabs[part];
    for (int64_t r = 0; r < c->len && !t->nomem; r++) {
        if (!lp_col_valid(c, r)) continue;
        for (int64_t k = c->v.off[r]; k < c->v.off[r + 1]; k++) {
            if (!lp_col_valid(e, k)) continue;
            int64_t n;
            const char *p = lp_col_str(e, k, &n);
            if (!n) p = "";  /* a key pointer must not be NULL */
            tcount *x = tt_slot(t, p, n, lp_hash_bytes(p, (size_t)n, 7));
            if (!x) break;
            x->tf++;
            if (x->last != r) {
                x->df++;
                x->last = r;
            }
        }
    }
}

static int cmp_vocab(const void *a, const void *b) {
    const tcount *x = *(const tcount *const *)a, *y = *(const tcount *const *)b;
    if (x->tf != y->tf) return x->tf > y->tf ? -1 : 1;
    int c = memcmp(x->p, y->p, (size_t)LP_MIN(x->n, y->n));
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void vocab_free(void *p) { strset_free(p); }

static lp_status cv_fit_fn(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model) {
    int col;
    lp_status st = lp_ml_input(s, o, "inputCol", df, lp_type_list(LP_STRING), a, &col);
    if (st != LP_OK) return st;
    lp_table *t = NULL;
    if ((st = lp_ml_run(s, df, &t)) != LP_OK) return st;
    cv_fit f = {.t = t, .col = col, .tabs = lp_calloc((size_t)t->nparts + 1, sizeof(ttable))};
    if (!f.tabs) {
        lp_table_unref(t);
        return nomem(s);
    }
    lp_progress_stage("CountVectorizer");
    st = lp_pool_run(t->nparts, cv_task, &f);
    if (st == LP_ECANCELLED) lp_err_span(s, st, a->start, a->end, "CountVectorizer.fit cancelled");
    /* merge into partition 0's table, in partition order */
    ttable all = {0};
    for (int i = 0; st == LP_OK && i < t->nparts; i++) {
        if (f.tabs[i].nomem) st = nomem(s);
        for (uint64_t j = 0; st == LP_OK && f.tabs[i].e && j <= f.tabs[i].mask; j++) {
            tcount *x = &f.tabs[i].e[j];
            if (!x->p) continue;
            tcount *y = tt_slot(&all, x->p, x->n, x->h);
            if (!y) {
                st = nomem(s);
                break;
            }
            y->tf += x->tf;
            y->df += x->df;
        }
    }
    for (int i = 0; i < t->nparts; i++) lp_free(f.tabs[i].e);
    lp_free(f.tabs);
    double min_df = lp_ml_float(o, "minDF"), max_df = lp_ml_float(o, "maxDF");
    int64_t docs = t->nrows;
    double lo = min_df >= 1.0 ? min_df : min_df * (double)docs, hi = max_df >= 1.0 ? max_df : max_df * (double)docs;
    tcount **keep = st == LP_OK ? lp_calloc((size_t)all.used + 1, sizeof *keep) : NULL;
    if (st == LP_OK && !keep) st = nomem(s);
    int64_t nk = 0;
    for (uint64_t j = 0; st == LP_OK && all.e && j <= all.mask; j++)
        if (all.e[j].p && (double)all.e[j].df >= lo && (double)all.e[j].df <= hi) keep[nk++] = &all.e[j];
    strset *voc = NULL;
    if (st == LP_OK) {
        qsort(keep, (size_t)nk, sizeof *keep, cmp_vocab);
        int64_t vs = LP_MIN(nk, lp_ml_int(o, "vocabSize"));
        const char **w = lp_calloc((size_t)vs + 1, sizeof *w);
        int32_t *len = lp_calloc((size_t)vs + 1, sizeof *len);
        for (int64_t i = 0; w && len && i < vs; i++) {
            w[i] = keep[i]->p;
            len[i] = (int32_t)keep[i]->n;
        }
        voc = w && len ? strset_new(w, len, (int32_t)vs, false) : NULL;
        lp_free(w);
        lp_free(len);
        if (!voc) st = nomem(s);
    }
    lp_free(keep);
    lp_free(all.e);
    lp_table_unref(t);
    lp_mlobj *m = st == LP_OK ? lp_ml_new(&lp_ml_count_vectorizer_model) : NULL;
    if (st == LP_OK && !m) st = nomem(s);
    if (st != LP_OK) {
        strset_free(voc);
        return st;
    }
    lp_ml_copy_params(m, o);
    m->state = voc;
    *model = m;
    return LP_OK;
}

static lp_status cvm_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)n, (void)d;
    const lp_mlobj *o = f->ctx;
    const strset *voc = lp_ml_state(o);
    double min_tf = lp_ml_float(o, "minTF");
    bool binary = lp_ml_bool(o, "binary");
    const lp_column *c = args[0], *e = c->child;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    lp_colbuf_reserve(&b, nrows, 0);
    ibuf x = {0};
    for (int64_t r = 0; r < nrows && !b.nomem; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t o0 = c->v.off[r], m = c->v.off[r + 1] - o0, k2 = 0;
        if (!ibuf_fit(&x, m)) {
            b.nomem = true;
            break;
        }
        for (int64_t k = 0; k < m; k++) {
            if (!lp_col_valid(e, o0 + k)) continue;
            int64_t wl;
            const char *w = lp_col_str(e, o0 + k, &wl);
            int32_t i = strset_find(voc, w, wl);
            if (i >= 0) x.idx[k2++] = i;
        }
        qsort(x.idx, (size_t)k2, sizeof *x.idx, cmp_i32);
        int32_t nz = 0;
        for (int64_t i = 0; i < k2; i++) {
            if (nz && x.idx[nz - 1] == x.idx[i]) {
                x.val[nz - 1] += 1.0;
                continue;
            }
            x.idx[nz] = x.idx[i];
            x.val[nz++] = 1.0;
        }
        double thr = min_tf >= 1.0 ? min_tf : min_tf * (double)m;
        int32_t kept = 0;
        for (int32_t i = 0; i < nz; i++)
            if (x.val[i] >= thr) {
                x.idx[kept] = x.idx[i];
                x.val[kept++] = binary ? 1.0 : x.val[i];
            }
        lp_colbuf_append_vec(&b, voc->n, kept, x.idx, x.val);
    }
    lp_free(x.idx);
    lp_free(x.val);
    return lp_colbuf_finish(&b, out);
}

static lp_status cvm_prepare(loupe_session *s, lp_mlobj *o) {
    (void)s;
    o->xfn = (lp_xfn){.name = "CountVectorizerModel", .bind = tf_bind, .eval = cvm_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

static lp_status cvm_vocab(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    const strset *v = lp_ml_state(lp_ml_obj(self));
    lp_val *l = lp_val_list(LV_LIST, v->n);
    for (int32_t i = 0; l && i < v->n; i++)
        if (!(l->u.list.v[i] = lp_val_str(v->s[i], (size_t)v->len[i]))) {
            lp_val_unref(l);
            l = NULL;
        }
    *out = l;
    return l ? LP_OK : nomem(s);
}

static const lp_method cvm_methods[] = {{"vocabulary", cvm_vocab, NULL}};

#define CV_PARAMS                                                                                                    \
    IN_OUT,                                                                                                          \
    {"vocabSize", LP_MLP_INT, "262144", "max size of the vocabulary. Default 1 << 18.", positive, NULL},             \
    {"minDF", LP_MLP_FLOAT, "1.0",                                                                                   \
     "Specifies the minimum number of different documents a term must appear in to be included in the vocabulary. " \
     "If this is an integer >= 1, this specifies the number of documents the term must appear in; if this is a "   \
     "double in [0,1), then this specifies the fraction of documents. Default 1.0", nonneg, NULL},                  \
    {"maxDF", LP_MLP_FLOAT, "9.223372036854776E18",                                                                  \
     "Specifies the maximum number of different documents a term could appear in to be included in the "           \
     "vocabulary. A term that appears more than the threshold will be ignored. If this is an integer >= 1, this "  \
     "specifies the maximum number of documents the term could appear in; if this is a double in [0,1), then this " \
     "specifies the maximum fraction of documents the term could appear in.", nonneg, NULL},                        \
    {"minTF", LP_MLP_FLOAT, "1.0",                                                                                   \
     "Filter to ignore rare words in a document. For each document, terms with frequency/count less than the "     \
     "given threshold are ignored. If this is an integer >= 1, then this specifies a count (of times the term must " \
     "appear in the document); if this is a double in [0,1), then this specifies a fraction (out of the document's " \
     "token count). Default 1.0", nonneg, NULL},                                                                    \
    {"binary", LP_MLP_BOOL, "False",                                                                                 \
     "Binary toggle to control the output vector values. If True, all nonzero counts (after minTF filter applied) " \
     "are set to 1. Default False", NULL, NULL}

static const lp_mlparam cv_params[] = {CV_PARAMS};

const lp_mlclass lp_ml_count_vectorizer = {
    .name = "CountVectorizer", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR,
    .params = cv_params, .nparams = 7, .model = &lp_ml_count_vectorizer_model, .fit = cv_fit_fn,
    .doc = "Extracts a vocabulary from array<string> documents (fit, in parallel: the vocabSize most frequent "
           "terms appearing in at least minDF documents, most frequent first, ties by term) and turns documents "
           "into sparse count vectors over it (the model's transform).",
};

const lp_mlclass lp_ml_count_vectorizer_model = {
    .name = "CountVectorizerModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL,
    .params = cv_params, .nparams = 7, .transform = lp_ml_transform_unary, .xprep = cvm_prepare,
    .state_free = vocab_free, .methods = cvm_methods, .nmethods = 1,
    .doc = "A fitted CountVectorizer: .vocabulary lists the terms (index = position); transform(df) adds the "
           "count vectors (minTF and binary apply here).",
};
