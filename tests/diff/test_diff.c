/* test_diff.c -- differential test: the same queries in Loupe and in SQLite, results compared.
 *
 * The generator writes the same reviews twice (seed fixed): as JSON lines, which Loupe reads
 * (so `helpful` is a list column), and as CSV, which the sqlite3 shell imports into a typed
 * table (where `helpful` stays JSON text for json_extract). Each query is written once in SQL
 * for SQLite and once as a Loupe operator pipeline (qdsl.h), and the two results must agree:
 * the same rows (as a multiset, or in order when the query orders by a unique key), integers
 * and strings exactly, floats within a relative 1e-9.
 */
#include "testutil.h"
#include "qdsl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct query {
    const char *name;
    const char *sql;
    const char *loupe;
    bool ordered;
} query;

/* h0/h1: helpful votes / total votes; t: unixReviewTime. In SQLite those come from the view
 * `rv`, which derives them the way the workshop does. */
static const query queries[] = {
    {"count_all", "SELECT count(*) FROM rv", "r | group : count_star() n", false},
    {"count_by_overall", "SELECT overall, count(*) FROM rv GROUP BY overall",
     "r | group overall : count_star() n", false},
    {"sum_mean_by_overall", "SELECT overall, sum(t), avg(t) FROM rv GROUP BY overall",
     "r | group overall : sum(t) s, mean(t) m", false},
    {"min_max_time", "SELECT min(t), max(t), min(overall), max(overall) FROM rv",
     "r | group : min(t) a, max(t) b, min(overall) c, max(overall) d", false},
    {"per_reviewer", "SELECT reviewerID, count(*), avg(overall) FROM rv GROUP BY reviewerID",
     "r | group reviewerID : count_star() n, mean(overall) m", false},
    {"per_product", "SELECT asin, count(*), min(overall), max(overall) FROM rv GROUP BY asin",
     "r | group asin : count_star() n, min(overall) a, max(overall) b", false},
    {"count_distinct_reviewers", "SELECT count(DISTINCT reviewerID) FROM rv",
     "r | group : count_distinct(reviewerID) n", false},
    {"count_distinct_by_overall", "SELECT overall, count(DISTINCT asin) FROM rv GROUP BY overall",
     "r | group overall : count_distinct(asin) n", false},
    {"filter_eq", "SELECT count(*) FROM rv WHERE overall = 5",
     "r | where (= overall 5) | group : count_star() n", false},
    {"filter_between", "SELECT overall, count(*) FROM rv WHERE overall BETWEEN 2 AND 4 GROUP BY overall",
     "r | where (between overall 2 4) | group overall : count_star() n", false},
    {"filter_in", "SELECT overall, count(*) FROM rv WHERE overall IN (1, 5) GROUP BY overall",
     "r | where (in overall 1 5) | group overall : count_star() n", false},
    {"filter_and_or", "SELECT count(*) FROM rv WHERE (overall >= 4 AND t > 1300000000) OR overall = 1",
     "r | where (or (and (>= overall 4) (> t 1300000000)) (= overall 1)) | group : count_star() n", false},
    {"filter_not", "SELECT count(*) FROM rv WHERE NOT (overall > 3)",
     "r | where (not (> overall 3)) | group : count_star() n", false},
    {"is_null", "SELECT count(*) FROM rv WHERE reviewerName IS NULL",
     "r | where (isnull reviewerName) | group : count_star() n", false},
    {"count_column_skips_nulls", "SELECT count(reviewerName), count(*) FROM rv",
     "r | group : count(reviewerName) a, count_star() b", false},
    {"length_by_overall", "SELECT overall, avg(length(reviewText)), max(length(summary)) FROM rv GROUP BY overall",
     "r | with lt=(length reviewText), ls=(length summary) | group overall : mean(lt) a, max(ls) b", false},
    {"short_texts", "SELECT count(*) FROM rv WHERE length(reviewText) < 20",
     "r | where (< (length reviewText) 20) | group : count_star() n", false},
    {"like_phrase", "SELECT asin, count(*) FROM rv WHERE reviewText LIKE '%honest review%' GROUP BY asin",
     "r | where (like reviewText '%honest review%') | group asin : count_star() n", false},
    {"like_prefix", "SELECT count(*) FROM rv WHERE summary LIKE 'Great%'",
     "r | where (like summary 'Great%') | group : count_star() n", false},
    {"lower_like", "SELECT count(*) FROM rv WHERE lower(reviewText) LIKE '%discount%'",
     "r | where (like (lower reviewText) '%discount%') | group : count_star() n", false},
    {"upper_group", "SELECT upper(substr(summary, 1, 4)) u, count(*) FROM rv GROUP BY u",
     "r | with u=(upper (substring summary 1 4)) | group u : count_star() n", false},
    {"substr_group", "SELECT substr(reviewerID, 1, 3) p, count(*) FROM rv GROUP BY p",
     "r | with p=(substring reviewerID 1 3) | group p : count_star() n", false},
    {"year_counts", "SELECT CAST(strftime('%Y', t, 'unixepoch') AS INTEGER) y, count(*) FROM rv GROUP BY y",
     "r | with y=(year (to_date (from_unixtime t))) | group y : count_star() n", false},
    {"month_counts", "SELECT CAST(strftime('%m', t, 'unixepoch') AS INTEGER) m, count(*) FROM rv GROUP BY m",
     "r | with m=(month (to_date (from_unixtime t))) | group m : count_star() n", false},
    {"day_counts", "SELECT date(t, 'unixepoch') d, count(*) FROM rv GROUP BY d",
     "r | with d=(to_date (from_unixtime t)) | group d : count_star() n", false},
    {"activity_span",
     "SELECT reviewerID, CAST(julianday(date(max(t), 'unixepoch')) - julianday(date(min(t), 'unixepoch')) AS INTEGER) "
     "FROM rv GROUP BY reviewerID",
     "r | with d=(to_date (from_unixtime t)) | group reviewerID : min(d) a, max(d) b | select reviewerID, s=(datediff b a)",
     false},
    {"helpful_sums", "SELECT sum(h0), sum(h1), max(h1) FROM rv", "r | group : sum(h0) a, sum(h1) b, max(h1) c", false},
    {"fraction_helpful", "SELECT overall, avg(h0 * 1.0 / NULLIF(h1, 0)) FROM rv GROUP BY overall",
     "r | with f=(/ h0 h1) | group overall : mean(f) m", false},
    {"case_buckets",
     "SELECT CASE WHEN overall >= 4 THEN 'pos' WHEN overall <= 2 THEN 'neg' ELSE 'neu' END s, count(*) FROM rv GROUP BY s",
     "r | with s=(case (>= overall 4) 'pos' (<= overall 2) 'neg' 'neu') | group s : count_star() n", false},
    {"coalesce_names", "SELECT coalesce(reviewerName, 'anonymous') n, count(*) FROM rv GROUP BY n",
     "r | with x=(coalesce reviewerName 'anonymous') | group x : count_star() n", false},
    {"round_arith", "SELECT round(overall * 1.37, 1) x, count(*) FROM rv GROUP BY x",
     "r | with x=(round (* overall 1.37) 1) | group x : count_star() n", false},
    {"modulo_sum", "SELECT sum((t % 86400) * 2 - 1), sum(abs(t % 1000 - 500)) FROM rv",
     "r | with a=(- (* (% t 86400) 2) 1), b=(abs (- (% t 1000) 500)) | group : sum(a) x, sum(b) y", false},
    {"greatest_least", "SELECT sum(max(h0, overall)), sum(min(h1, overall)) FROM rv",
     "r | with a=(greatest h0 overall), b=(least h1 overall) | group : sum(a) x, sum(b) y", false},
    {"topk_reviewers",
     "SELECT reviewerID, count(*) c FROM rv GROUP BY reviewerID ORDER BY c DESC, reviewerID LIMIT 10",
     "r | group reviewerID : count_star() c | sort c desc, reviewerID | limit 10", true},
    {"sort_time", "SELECT t, reviewerID, asin, overall FROM rv ORDER BY t, reviewerID, asin, overall LIMIT 200",
     "r | select t, reviewerID, asin, overall | sort t, reviewerID, asin, overall | limit 200", true},
    {"sort_desc_nulls_last", "SELECT reviewerName FROM rv ORDER BY reviewerName DESC NULLS LAST LIMIT 25",
     "r | select reviewerName | sort reviewerName desc nl | limit 25", true},
    {"sort_asc_nulls_first", "SELECT reviewerName FROM rv ORDER BY reviewerName ASC NULLS FIRST LIMIT 25",
     "r | select reviewerName | sort reviewerName nf | limit 25", true},
    {"sort_full_products", "SELECT asin, count(*) c FROM rv GROUP BY asin ORDER BY c DESC, asin",
     "r | group asin : count_star() c | sort c desc, asin", true},
    {"distinct_overall", "SELECT DISTINCT overall FROM rv", "r | select overall | distinct", false},
    {"distinct_pairs", "SELECT DISTINCT overall, substr(asin, 1, 3) FROM rv",
     "r | select overall, p=(substring asin 1 3) | distinct", false},
    {"join_profiles",
     "SELECT count(*), sum(p.c) FROM rv r JOIN (SELECT reviewerID, count(*) c FROM rv GROUP BY reviewerID) p "
     "ON r.reviewerID = p.reviewerID",
     "p = r | group reviewerID : count_star() c ; r | join p reviewerID=reviewerID inner | group : count_star() n, sum(c) s",
     false},
    {"join_busy_reviewers",
     "SELECT r.reviewerID, r.asin, r.overall, p.c FROM rv r JOIN (SELECT reviewerID, count(*) c FROM rv GROUP BY reviewerID) p "
     "ON r.reviewerID = p.reviewerID WHERE p.c > 8",
     "p = r | group reviewerID : count_star() c ; r | join p reviewerID=reviewerID inner | where (> c 8) | "
     "select reviewerID, asin, overall, c",
     false},
    {"left_join",
     "SELECT a.asin, o.n FROM (SELECT DISTINCT asin FROM rv) a LEFT JOIN "
     "(SELECT asin, count(*) n FROM rv WHERE overall = 1 GROUP BY asin) o ON a.asin = o.asin",
     "a = r | select asin | distinct ; o = r | where (= overall 1) | group asin : count_star() n ; "
     "a | join o asin=asin left | select asin, n",
     false},
    {"right_join",
     "SELECT o.asin, a.n FROM (SELECT asin, count(*) n FROM rv WHERE overall = 5 GROUP BY asin) a RIGHT JOIN "
     "(SELECT DISTINCT asin FROM rv WHERE overall <= 2) o ON a.asin = o.asin",
     "a = r | where (= overall 5) | group asin : count_star() n ; o = r | where (<= overall 2) | select asin | distinct ; "
     "a | join o asin=asin right | select asin, n",
     false},
    {"full_join",
     "SELECT coalesce(f.asin, o.asin), f.n, o.m FROM (SELECT asin, count(*) n FROM rv WHERE overall = 5 GROUP BY asin) f FULL JOIN "
     "(SELECT asin, count(*) m FROM rv WHERE overall = 1 GROUP BY asin) o ON f.asin = o.asin",
     "f = r | where (= overall 5) | group asin : count_star() n ; o = r | where (= overall 1) | group asin : count_star() m ; "
     "f | join o asin=asin full | select asin, n, m",
     false},
    {"semi_join",
     "SELECT count(*) FROM rv r WHERE EXISTS (SELECT 1 FROM rv o WHERE o.overall = 1 AND o.asin = r.asin)",
     "o = r | where (= overall 1) | select asin ; r | join o asin=asin semi | group : count_star() n", false},
    {"anti_join",
     "SELECT overall, count(*) FROM rv r WHERE NOT EXISTS (SELECT 1 FROM rv o WHERE o.overall = 1 AND o.asin = r.asin) "
     "GROUP BY overall",
     "o = r | where (= overall 1) | select asin ; r | join o asin=asin anti | group overall : count_star() n", false},
    {"multi_key_join",
     "SELECT count(*), sum(k.c) FROM rv r JOIN (SELECT reviewerID, asin, count(*) c FROM rv GROUP BY reviewerID, asin) k "
     "ON r.reviewerID = k.reviewerID AND r.asin = k.asin",
     "k = r | group reviewerID, asin : count_star() c ; r | join k reviewerID=reviewerID,asin=asin inner | "
     "group : count_star() n, sum(c) s",
     false},
    {"join_then_group",
     "SELECT r.overall, avg(p.m) FROM rv r JOIN (SELECT asin, avg(overall) m FROM rv GROUP BY asin) p ON r.asin = p.asin "
     "GROUP BY r.overall",
     "p = r | group asin : mean(overall) m ; r | join p asin=asin inner | group overall : mean(m) x", false},
    {"union_all",
     "SELECT overall, count(*) FROM (SELECT overall FROM rv WHERE overall = 1 UNION ALL SELECT overall FROM rv WHERE overall >= 4) "
     "GROUP BY overall",
     "a = r | where (= overall 1) | select overall ; b = r | where (>= overall 4) | select overall ; "
     "a | union b | group overall : count_star() n",
     false},
    {"limit_count", "SELECT count(*) FROM (SELECT * FROM rv LIMIT 123)", "r | limit 123 | group : count_star() n", false},
    {"two_keys", "SELECT overall, CAST(strftime('%Y', t, 'unixepoch') AS INTEGER) y, count(*), avg(h1) FROM rv GROUP BY 1, 2",
     "r | with y=(year (to_date (from_unixtime t))) | group overall, y : count_star() n, mean(h1) m", false},
    {"min_max_strings", "SELECT overall, min(reviewerID), max(asin), min(summary) FROM rv GROUP BY overall",
     "r | group overall : min(reviewerID) a, max(asin) b, min(summary) c", false},
    {"having", "SELECT asin, count(*) c FROM rv GROUP BY asin HAVING count(*) >= 5",
     "r | group asin : count_star() c | where (>= c 5)", false},
    {"agg_of_agg", "SELECT avg(c), max(c), sum(c) FROM (SELECT count(*) c FROM rv GROUP BY reviewerID)",
     "r | group reviewerID : count_star() c | group : mean(c) a, max(c) b, sum(c) s", false},
    {"concat_group", "SELECT substr(asin, 1, 2) || '-' || overall k, count(*) FROM rv GROUP BY k",
     "r | with k=(concat (substring asin 1 2) '-' overall) | group k : count_star() n", false},
    {"contains", "SELECT count(*) FROM rv WHERE instr(summary, 'great') > 0",
     "r | where (contains summary 'great') | group : count_star() n", false},
    {"starts_ends", "SELECT count(*) FROM rv WHERE substr(asin, 1, 1) = 'B' AND reviewerID LIKE '%A'",
     "r | where (and (startswith asin 'B') (endswith reviewerID 'A')) | group : count_star() n", false},
    {"empty_groups", "SELECT overall, count(*) FROM rv WHERE overall > 10 GROUP BY overall",
     "r | where (> overall 10) | group overall : count_star() n", false},
    {"empty_no_keys", "SELECT count(*), sum(t) FROM rv WHERE overall > 10",
     "r | where (> overall 10) | group : count_star() n, sum(t) s", false},
    {"trim_length", "SELECT sum(length(trim(summary))) FROM rv",
     "r | with x=(length (trim summary)) | group : sum(x) s", false},
};

static char tmpdir[256];
static lp_table *reviews;

/* Runs a shell command; fails the test run when it fails. */
static void sh(const char *cmd) {
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
        exit(1);
    }
}

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Generates the data once, loads it into Loupe (JSON lines) and into SQLite (CSV). */
static int group_setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/loupe-diff-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    char cmd[2048];
    const char *gen = env_or("LOUPE_GEN", "loupe-gen");
    snprintf(cmd, sizeof cmd, "%s --rows 20000 --seed 11 --format json --out %s/r.json --labels %s/labels.csv", gen,
             tmpdir, tmpdir);
    sh(cmd);
    snprintf(cmd, sizeof cmd, "%s --rows 20000 --seed 11 --format csv --out %s/r.csv --labels %s/labels2.csv", gen,
             tmpdir, tmpdir);
    sh(cmd);
    char sql[4096];
    snprintf(sql, sizeof sql,
             "CREATE TABLE reviews(reviewerID TEXT, asin TEXT, reviewerName TEXT, helpful TEXT, reviewText TEXT,"
             " overall REAL, summary TEXT, unixReviewTime INTEGER, reviewTime TEXT);\n"
             ".import --csv --skip 1 %s/r.csv reviews\n"
             "UPDATE reviews SET reviewerName = NULL WHERE reviewerName = '';\n"
             "CREATE INDEX reviews_asin ON reviews(asin);\n"
             "CREATE INDEX reviews_reviewer ON reviews(reviewerID);\n"
             "CREATE VIEW rv AS SELECT *, unixReviewTime AS t, json_extract(helpful, '$[0]') AS h0,"
             " json_extract(helpful, '$[1]') AS h1 FROM reviews;\n",
             tmpdir);
    char path[512];
    snprintf(path, sizeof path, "%s/load.sql", tmpdir);
    FILE *f = fopen(path, "w");
    fputs(sql, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s -bail %s/db.sqlite < %s", env_or("LOUPE_SQLITE3", "sqlite3"), tmpdir, path);
    sh(cmd);

    loupe_read_options o;
    loupe_read_options_init(&o);
    o.mode = LOUPE_FAILFAST;
    lp_diag d;
    lp_diag_init(&d);
    snprintf(path, sizeof path, "%s/r.json", tmpdir);
    lp_table *raw;
    if (loupe_read_file(path, &o, &raw, NULL, &d) != LP_OK) {
        fprintf(stderr, "loading %s: %s\n", path, d.msg);
        return -1;
    }
    /* the same derived columns as the view rv */
    char *err = NULL;
    reviews = qdsl_run("r | with t=unixReviewTime, h0=(at helpful 0), h1=(at helpful 1)", raw, &err);
    lp_table_unref(raw);
    if (!reviews) {
        fprintf(stderr, "deriving columns: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    lp_table_unref(reviews);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    sh(cmd);
    lp_pool_shutdown();
    return 0;
}

/* Runs SQL in the sqlite3 shell; rows separated by \x1e, cells by \x1f, nulls as \x1a. */
static char *run_sqlite(const char *sql) {
    char path[512], cmd[1024];
    snprintf(path, sizeof path, "%s/q.sql", tmpdir);
    FILE *f = fopen(path, "w");
    fprintf(f, ".mode list\n.separator \"\\037\" \"\\036\"\n.nullvalue \"\\032\"\nPRAGMA case_sensitive_like = ON;\n%s;\n", sql);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s -bail %s/db.sqlite < %s", env_or("LOUPE_SQLITE3", "sqlite3"), tmpdir, path);
    FILE *p = popen(cmd, "r");
    lp_strbuf out;
    lp_strbuf_init(&out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) lp_strbuf_append(&out, buf, n);
    int rc = pclose(p);
    if (rc != 0) fail_msg("sqlite3 failed on: %s", sql);
    return lp_strbuf_take(&out);
}

typedef struct rows {
    char **row;  /* each row: cells joined by \x1f */
    size_t n;
} rows;

static rows split_rows(char *text, char sep) {
    rows r = {0};
    size_t cap = 16;
    r.row = calloc(cap, sizeof *r.row);
    char *p = text;
    while (*p) {
        char *end = strchr(p, sep);
        if (end) *end = 0;
        if (r.n == cap) r.row = realloc(r.row, (cap *= 2) * sizeof *r.row);
        r.row[r.n++] = p;
        if (!end) break;
        p = end + 1;
    }
    return r;
}

/* The Loupe result in the same shape: cells formatted as Spark prints them, nulls as \x1a. */
static char *loupe_text(const lp_table *t) {
    lp_strbuf out;
    lp_strbuf_init(&out);
    for (int p = 0; p < t->nparts; p++)
        for (int64_t r = 0; r < t->parts[p].nrows; r++) {
            for (int c = 0; c < t->ncols; c++) {
                if (c) lp_strbuf_putc(&out, '\x1f');
                lp_value v = lp_column_get(t->parts[p].cols[c], r);
                if (v.null)
                    lp_strbuf_putc(&out, '\x1a');
                else
                    lp_value_format(&v, &out);
            }
            lp_strbuf_putc(&out, '\x1e');
        }
    return lp_strbuf_take(&out);
}

static bool as_number(const char *s, double *v) {
    char *end;
    if (!*s) return false;
    *v = strtod(s, &end);
    return *end == 0;
}

static bool cell_eq(const char *a, const char *b) {
    if (strcmp(a, b) == 0) return true;
    double x, y;
    if (as_number(a, &x) && as_number(b, &y)) {
        if (x == y) return true;
        return fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
    }
    return false;
}

static bool row_eq(const char *a, const char *b) {
    char *ca = strdup(a), *cb = strdup(b);
    rows ra = split_rows(ca, '\x1f'), rb = split_rows(cb, '\x1f');
    bool eq = ra.n == rb.n;
    for (size_t i = 0; eq && i < ra.n; i++) eq = cell_eq(ra.row[i], rb.row[i]);
    free(ra.row);
    free(rb.row);
    free(ca);
    free(cb);
    return eq;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorting by the text of the row and comparing with float tolerance can misalign rows whose
 * floats differ in the last digit; canonicalise numbers to 12 significant digits for sorting. */
static char *canon(const char *row) {
    char *c = strdup(row);
    rows cells = split_rows(c, '\x1f');
    lp_strbuf out;
    lp_strbuf_init(&out);
    for (size_t i = 0; i < cells.n; i++) {
        if (i) lp_strbuf_putc(&out, '\x1f');
        double v;
        if (as_number(cells.row[i], &v))
            lp_strbuf_printf(&out, "%.12g", v);
        else
            lp_strbuf_puts(&out, cells.row[i]);
    }
    free(cells.row);
    free(c);
    return lp_strbuf_take(&out);
}

static void show_rows(const char *label, rows *r) {
    fprintf(stderr, "--- %s (%zu rows)\n", label, r->n);
    for (size_t i = 0; i < r->n && i < 10; i++) {
        for (const char *p = r->row[i]; *p; p++) fputc(*p == '\x1f' ? '|' : *p == '\x1a' ? '~' : *p, stderr);
        fputc('\n', stderr);
    }
}

static void run_query(void **state) {
    const query *q = *state;
    char *err = NULL;
    lp_table *t = qdsl_run(q->loupe, reviews, &err);
    if (!t) {
        fprintf(stderr, "loupe failed: %s\n", err ? err : "?");
        free(err);
        fail();
    }
    char *lt = loupe_text(t);
    lp_table_unref(t);
    char *st = run_sqlite(q->sql);
    rows a = split_rows(lt, '\x1e'), b = split_rows(st, '\x1e');
    if (!q->ordered) {
        for (size_t i = 0; i < a.n; i++) a.row[i] = canon(a.row[i]);
        for (size_t i = 0; i < b.n; i++) b.row[i] = canon(b.row[i]);
        qsort(a.row, a.n, sizeof *a.row, cmp_str);
        qsort(b.row, b.n, sizeof *b.row, cmp_str);
    }
    bool ok = a.n == b.n;
    size_t bad = 0;
    for (size_t i = 0; ok && i < a.n; i++)
        if (!row_eq(a.row[i], b.row[i])) {
            ok = false;
            bad = i;
        }
    if (!ok) {
        fprintf(stderr, "query %s differs (first at row %zu)\n", q->name, bad);
        show_rows("loupe", &a);
        show_rows("sqlite", &b);
    }
    if (!q->ordered) {
        for (size_t i = 0; i < a.n; i++) lp_free(a.row[i]);
        for (size_t i = 0; i < b.n; i++) lp_free(b.row[i]);
    }
    free(a.row);
    free(b.row);
    lp_free(lt);
    lp_free(st);
    assert_true(ok);
    /* a query over real data that returns nothing proves little: the data must exercise it */
    if (strstr(q->name, "empty") == NULL) assert_true(a.n > 0);
}

int main(void) {
    enum { N = sizeof queries / sizeof queries[0] };
    struct CMUnitTest tests[N];
    for (size_t i = 0; i < N; i++) {
        tests[i] = (struct CMUnitTest){.name = queries[i].name, .test_func = run_query,
                                       .initial_state = (void *)&queries[i]};
    }
    return _cmocka_run_group_tests("test_diff", tests, N, group_setup, group_teardown);
}
