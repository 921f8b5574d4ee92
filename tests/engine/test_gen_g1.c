/* test_gen_g1.c -- the db-benchmark tables of loupe-gen (engine/gen/g1.c): G1's columns and
 * ranges, J1's key splits (every key present, 90% of the left side matching the right),
 * determinism across threads and seeds, errors and allocation failures.
 *
 * The CSV is read back with a small parser written here, strict about the layout g1.h promises.
 */
#include "testutil.h"

#include "gen/g1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static const char *path_in_dir(const char *name) {
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
    s[len] = 0;
    fclose(f);
    if (n) *n = (size_t)len;
    return s;
}

static int make_dir(void **state) {
    snprintf(dir, sizeof dir, "/tmp/loupe-g1-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return tu_setup(state);
}

static int remove_dir(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return tu_teardown(state);
}

#define G1_TEST(f) cmocka_unit_test_setup_teardown(f, make_dir, remove_dir)

static lp_status g1(int64_t rows, int64_t groups, uint64_t seed, int threads, const char *name) {
    lp_diag d;
    lp_diag_init(&d);
    lp_pool_set_threads(threads);
    lp_status st = lp_gen_g1_write(rows, groups, seed, path_in_dir(name), NULL, &d);
    lp_pool_set_threads(0);
    return st;
}

/* "id" and exactly `width` digits (width 0: any), as a number; -1 when malformed. */
static long long id_field(const char *s, size_t len, int width) {
    if (len < 3 || s[0] != 'i' || s[1] != 'd' || (width && len != (size_t)width + 2)) return -1;
    long long v = 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static long long int_field(const char *s, size_t len) {
    if (!len) return -1;
    long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Splits one line into fields (no quoting in these tables); returns the field count. */
static int fields(const char *line, const char *end, const char **f, size_t *len, int max) {
    int n = 0;
    const char *p = line;
    while (n < max) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *e = c ? c : end;
        f[n] = p;
        len[n++] = (size_t)(e - p);
        if (!c) break;
        p = c + 1;
    }
    return n;
}

static void test_gen_g1_same_bytes_whatever_the_threads(void **state) {
    (void)state;
    assert_int_equal(g1(150000, 100, 7, 1, "a.csv"), LP_OK);
    assert_int_equal(g1(150000, 100, 7, 4, "b.csv"), LP_OK);
    assert_int_equal(g1(150000, 100, 8, 4, "c.csv"), LP_OK);
    size_t na, nb, nc;
    char *a = slurp(path_in_dir("a.csv"), &na), *b = slurp(path_in_dir("b.csv"), &nb);
    char *c = slurp(path_in_dir("c.csv"), &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_true(na != nc || memcmp(a, c, na) != 0);
    free(a), free(b), free(c);
}

static void test_gen_g1_columns_and_ranges(void **state) {
    (void)state;
    const int64_t rows = 100000, k = 20, nk = rows / k;
    assert_int_equal(g1(rows, k, 42, 0, "g1.csv"), LP_OK);
    char *s = slurp(path_in_dir("g1.csv"), NULL);
    char *p = strchr(s, '\n');
    assert_non_null(p);
    *p++ = 0;
    assert_string_equal(s, "id1,id2,id3,id4,id5,id6,v1,v2,v3");
    int64_t n = 0, seen1[21] = {0}, v1sum = 0;
    double v3sum = 0;
    while (*p) {
        char *e = strchr(p, '\n');
        assert_non_null(e);
        const char *f[12];
        size_t len[12];
        assert_int_equal(fields(p, e, f, len, 12), 9);
        long long id1 = id_field(f[0], len[0], 3), id2 = id_field(f[1], len[1], 3), id3 = id_field(f[2], len[2], 10);
        assert_true(id1 >= 1 && id1 <= k);
        assert_true(id2 >= 1 && id2 <= k);
        assert_true(id3 >= 1 && id3 <= nk);
        seen1[id1]++;
        long long id4 = int_field(f[3], len[3]), id5 = int_field(f[4], len[4]), id6 = int_field(f[5], len[5]);
        assert_true(id4 >= 1 && id4 <= k && id5 >= 1 && id5 <= k && id6 >= 1 && id6 <= nk);
        long long v1 = int_field(f[6], len[6]), v2 = int_field(f[7], len[7]);
        assert_true(v1 >= 1 && v1 <= 5 && v2 >= 1 && v2 <= 15);
        v1sum += v1;
        /* v3: 0..100 with at most 6 decimals, no trailing zero */
        const char *dot = memchr(f[8], '.', len[8]);
        if (dot) {
            size_t dec = len[8] - (size_t)(dot - f[8]) - 1;
            assert_true(dec >= 1 && dec <= 6);
            assert_true(f[8][len[8] - 1] != '0');
        }
        double v3 = strtod(f[8], NULL);
        assert_true(v3 >= 0 && v3 <= 100);
        v3sum += v3;
        n++;
        p = e + 1;
    }
    assert_int_equal(n, rows);
    for (int i = 1; i <= k; i++) assert_true(seen1[i] > rows / k / 2);
    assert_true(v1sum > 2.9 * (double)rows && v1sum < 3.1 * (double)rows);
    assert_true(v3sum > 49 * (double)rows && v3sum < 51 * (double)rows);
    free(s);
}

/* One column of a J1 table as numbers (0 = header check only). */
static int64_t *column(const char *name, const char *header, int col, int64_t *nrows) {
    char *s = slurp(path_in_dir(name), NULL);
    char *p = strchr(s, '\n');
    assert_non_null(p);
    *p++ = 0;
    assert_string_equal(s, header);
    int64_t cap = 1024, n = 0;
    int64_t *v = malloc(sizeof *v * (size_t)cap);
    while (*p) {
        char *e = strchr(p, '\n');
        assert_non_null(e);
        const char *f[8];
        size_t len[8];
        int nf = fields(p, e, f, len, 8);
        /* the string ids are "id" + the int ids, in the same order */
        int nid = (nf - 1) / 2;
        for (int i = 0; i < nid; i++) assert_int_equal(id_field(f[nid + i], len[nid + i], 0), int_field(f[i], len[i]));
        if (n == cap) v = realloc(v, sizeof *v * (size_t)(cap *= 2));
        v[n++] = int_field(f[col], len[col]);
        p = e + 1;
    }
    free(s);
    *nrows = n;
    return v;
}

static int64_t distinct(const int64_t *v, int64_t n, int64_t max) {
    char *seen = calloc((size_t)max + 1, 1);
    int64_t d = 0;
    for (int64_t i = 0; i < n; i++) {
        assert_true(v[i] >= 1 && v[i] <= max);
        if (!seen[v[i]]) seen[v[i]] = 1, d++;
    }
    free(seen);
    return d;
}

/* The share of left values found among the right values. */
static double matched(const int64_t *l, int64_t nl, const int64_t *r, int64_t nr, int64_t max) {
    char *in = calloc((size_t)max + 1, 1);
    for (int64_t i = 0; i < nr; i++) in[r[i]] = 1;
    int64_t m = 0;
    for (int64_t i = 0; i < nl; i++) m += in[l[i]];
    free(in);
    return (double)m / (double)nl;
}

static void test_gen_j1_keys_split_as_join_datagen(void **state) {
    (void)state;
    const int64_t rows = 100000;  /* small 10 keys, medium 100, big 100000 */
    lp_diag d;
    lp_diag_init(&d);
    int64_t bytes = 0;
    assert_int_equal(lp_gen_j1_write(rows, 3, path_in_dir("j"), &bytes, &d), LP_OK);
    assert_true(bytes > rows * 30);
    int64_t nx, ns, nm, nb, n;
    const char *hx = "id1,id2,id3,id4,id5,id6,v1", *hb = "id1,id2,id3,id4,id5,id6,v2";
    int64_t *x1 = column("j_x.csv", hx, 0, &nx), *x2 = column("j_x.csv", hx, 1, &n), *x3 = column("j_x.csv", hx, 2, &n);
    int64_t *s1 = column("j_small.csv", "id1,id4,v2", 0, &ns);
    int64_t *m2 = column("j_medium.csv", "id1,id2,id4,id5,v2", 1, &nm);
    int64_t *b3 = column("j_big.csv", hb, 2, &nb);
    assert_int_equal(nx, rows);
    assert_int_equal(ns, 10);
    assert_int_equal(nm, 100);
    assert_int_equal(nb, rows);
    /* every key of a side appears: uniqueN(x, by = id1) == N/1e6 and so on */
    assert_int_equal(distinct(x1, nx, 11), 10);
    assert_int_equal(distinct(x2, nx, 110), 100);
    assert_int_equal(distinct(x3, nx, 110000), rows);
    assert_int_equal(distinct(s1, ns, 11), 10);
    assert_int_equal(distinct(m2, nm, 110), 100);
    assert_int_equal(distinct(b3, nb, 110000), rows);
    /* 90% of the keys are common: the left rows that find a match */
    double f1 = matched(x1, nx, s1, ns, 11), f2 = matched(x2, nx, m2, nm, 110), f3 = matched(x3, nx, b3, nb, 110000);
    assert_true(f1 > 0.8 && f1 < 0.97);
    assert_true(f2 > 0.85 && f2 < 0.95);
    assert_true(f3 > 0.89 && f3 < 0.91);
    free(x1), free(x2), free(x3), free(s1), free(m2), free(b3);
}

static void test_gen_g1_errors_and_allocation_failures(void **state) {
    (void)state;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_gen_g1_write(10, 100, 1, path_in_dir("e.csv"), NULL, &d), LP_EVALUE);
    assert_int_equal(lp_gen_g1_write(10, 0, 1, path_in_dir("e.csv"), NULL, &d), LP_EVALUE);
    assert_int_equal(lp_gen_j1_write(99, 1, path_in_dir("e"), NULL, &d), LP_EVALUE);
    assert_int_equal(lp_gen_g1_write(1000, 10, 1, "/nonexistent-dir/g1.csv", NULL, &d), LP_EIO);
    assert_non_null(strstr(d.msg, "/nonexistent-dir/g1.csv"));
    assert_int_equal(lp_gen_j1_write(1000, 1, "/nonexistent-dir/j1", NULL, &d), LP_EIO);
    int64_t before = lp_mem_used();
    bool ok = false;
    for (int64_t k = 1; k < 100 && !ok; k++) {
        lp_diag_init(&d);
        lp_mem_fail_at(k, false);
        lp_status st = lp_gen_j1_write(1000, 1, path_in_dir("f"), NULL, &d);
        lp_mem_fail_at(0, false);
        assert_int_equal(lp_mem_used(), before);
        if (st == LP_OK) ok = true;
        else assert_int_equal(st, LP_ENOMEM);
    }
    assert_true(ok);
    ok = false;
    for (int64_t k = 1; k < 100 && !ok; k++) {
        lp_diag_init(&d);
        lp_mem_fail_at(k, false);
        lp_status st = lp_gen_g1_write(1000, 10, 1, path_in_dir("f.csv"), NULL, &d);
        lp_mem_fail_at(0, false);
        assert_int_equal(lp_mem_used(), before);
        if (st == LP_OK) ok = true;
        else assert_int_equal(st, LP_ENOMEM);
    }
    assert_true(ok);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        G1_TEST(test_gen_g1_same_bytes_whatever_the_threads),
        G1_TEST(test_gen_g1_columns_and_ranges),
        G1_TEST(test_gen_j1_keys_split_as_join_datagen),
        G1_TEST(test_gen_g1_errors_and_allocation_failures),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
