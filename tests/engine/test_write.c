/* test_write.c -- the CSV and JSON lines writers: exact bytes, round trips through the readers,
 * every save mode, I/O errors that leave nothing behind, allocation failure at every point,
 * cancellation, and the same bytes with 1 and 4 threads over many partitions. */
#include "testutil.h"
#include "write/write.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

/* A fresh directory for one test; removed (with its files) by dir_remove. */
static void dir_new(char *buf, size_t cap) {
    snprintf(buf, cap, "/tmp/loupe-write-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static void dir_remove(const char *dir) {
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *e;
    char p[512];
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(dp);
    assert_int_equal(rmdir(dir), 0);
}

/* Names in dir (not . and ..), sorted, joined with ' '. Caller frees. */
static char *dir_list(const char *dir) {
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    closedir(dp);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *x = names[j];
            names[j] = names[j - 1];
            names[j - 1] = x;
        }
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(names[i]) + 1;
    char *out = calloc(1, len);
    for (int i = 0; i < n; i++) {
        if (i) strcat(out, " ");
        strcat(out, names[i]);
        free(names[i]);
    }
    return out;
}

static void assert_dir(const char *dir, const char *want) {
    char *got = dir_list(dir);
    if (strcmp(got, want)) fail_msg("directory %s holds '%s', wanted '%s'", dir, got, want);
    free(got);
}

/* The whole file (malloc'd, NUL-terminated); NULL if it cannot be opened. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = 0;
    fclose(f);
    return p;
}

static void put_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#define assert_file(path, want) assert_file_((path), (want), __LINE__)
static void assert_file_(const char *path, const char *want, int line) {
    char *got = slurp(path);
    if (!got) fail_msg("line %d: %s was not written", line, path);
    if (strcmp(got, want)) fail_msg("line %d: %s holds\n%s\nwanted\n%s", line, path, got, want);
    free(got);
}

static lp_write_opts opts(int format, lp_write_mode mode, bool header) {
    lp_write_opts o;
    lp_write_opts_init(&o);
    o.format = format;
    o.mode = mode;
    o.header = header;
    return o;
}

/* Writes and asserts the status; returns the rows written. */
static int64_t write_ok(lp_table *t, const char *path, const lp_write_opts *o) {
    lp_diag d;
    int64_t n = -1;
    lp_status st = lp_write_file(t, path, o, &n, &d);
    if (st != LP_OK) fail_msg("write %s: %d %s (%s)", path, st, d.msg, d.hint);
    return n;
}

static lp_status write_err(lp_table *t, const char *path, const lp_write_opts *o, lp_diag *d) {
    int64_t n = -1;
    lp_status st = lp_write_file(t, path, o, &n, d);
    assert_int_not_equal(st, LP_OK);
    assert_int_equal(n, 0);
    return st;
}

static lp_table *read_back(const char *path, int format, bool header) {
    loupe_read_options ro;
    loupe_read_options_init(&ro);
    ro.format = format;
    ro.header = header;
    lp_table *t = NULL;
    lp_diag d;
    lp_status st = loupe_read_file(path, &ro, &t, NULL, &d);
    if (st != LP_OK) fail_msg("read back %s: %s", path, d.msg);
    return t;
}

/* A string table from C strings (NULL = null), for text tu_table cannot spell; with_id puts a
 * bigint row number first (a one-column CSV row of null is a blank line, which readers skip,
 * in Spark as here). */
static lp_table *strings(const char *name, const char *const *v, int n, bool with_id) {
    const char *names[] = {"id", name};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_STRING)};
    int first = with_id ? 0 : 1;
    lp_table *t = lp_table_new(2 - first, names + first, types + first);
    assert_non_null(t);
    lp_colbuf ids, b;
    lp_colbuf_init(&ids, types[0]);
    lp_colbuf_init(&b, types[1]);
    for (int i = 0; i < n; i++) {
        lp_colbuf_append_i64(&ids, i);
        if (v[i]) lp_colbuf_append_str(&b, v[i], strlen(v[i]));
        else lp_colbuf_append_null(&b);
    }
    lp_column *c[2];
    assert_int_equal(lp_colbuf_finish(&ids, &c[0]), LP_OK);
    assert_int_equal(lp_colbuf_finish(&b, &c[1]), LP_OK);
    if (!with_id) lp_column_unref(c[0]);
    assert_int_equal(lp_table_add_part(t, n, c + first), LP_OK);
    return t;
}

static const char *const tricky[] = {
    "plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", " lead", "trail ", "", NULL, "tab\there", "ü → 😀", "semi;colon|pipe",
};

/* ---- CSV ---- */

static void test_write_csv_exact_bytes(void **state) {
    (void)state;
    char dir[64], path[128];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.csv", dir);
    lp_table *t = strings("text", tricky, (int)LP_ARRAY_LEN(tricky), false);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_ERROR, true);
    assert_int_equal(write_ok(t, path, &o), 12);
    assert_file(path, "text\nplain\n\"a,b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\"cr\rhere\"\n\" lead\"\n\"trail \"\n"
                      "\"\"\n\ntab\there\nü → 😀\nsemi;colon|pipe\n");
    /* the header is off by default, as in Spark; a custom sep, quote and null text */
    lp_table_unref(t);
    t = tu_table("a:bigint,b:string,c:double", "1|it's|null;null|plain|2.5;3|null|null", 0);
    lp_write_opts_init(&o);
    o.mode = LP_WRITE_OVERWRITE;
    o.sep = ';';
    o.quote = '\'';
    o.null_value = "NA";
    assert_int_equal(write_ok(t, path, &o), 3);
    assert_file(path, "1;'it''s';NA\nNA;plain;2.5\n3;NA;NA\n");
    /* a header name that needs quoting is quoted too */
    lp_table_unref(t);
    t = tu_table("a b :bigint,c\"d:bigint", "1|2", 0);
    o = opts(LOUPE_FORMAT_CSV, LP_WRITE_OVERWRITE, true);
    assert_int_equal(write_ok(t, path, &o), 1);
    assert_file(path, "\"a b \",\"c\"\"d\"\n1,2\n");
    lp_table_unref(t);
    assert_dir(dir, "out.csv");
    dir_remove(dir);
}

static void test_write_csv_every_type(void **state) {
    (void)state;
    char dir[64], path[128];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/types.csv", dir);
    lp_table *t = tu_table("b:boolean,i:bigint,f:double,s:string,d:date,ts:timestamp,l:array<bigint>",
                           "true|-9223372036854775808|10000000.0|x|2013-06-02|2013-06-02 00:00:00|[2,3];"
                           "false|42|0.1|y|1969-12-31|1969-12-31 23:59:59.123456|[];"
                           "null|null|null|null|null|null|null",
                           0);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_ERROR, true);
    assert_int_equal(write_ok(t, path, &o), 3);
    assert_file(path, "b,i,f,s,d,ts,l\n"
                      "true,-9223372036854775808,1.0E7,x,2013-06-02,2013-06-02T00:00:00.000Z,\"[2, 3]\"\n"
                      "false,42,0.1,y,1969-12-31,1969-12-31T23:59:59.123Z,[]\n"
                      ",,,,,,\n");
    lp_table_unref(t);
    /* floats as Java prints them, NaN and infinities included */
    t = tu_table("f:double", "1.5;-0.0;1e-5;123456789.0;NaN;Infinity;-Infinity", 0);
    o.mode = LP_WRITE_OVERWRITE;
    o.header = false;
    assert_int_equal(write_ok(t, path, &o), 7);
    assert_file(path, "1.5\n-0.0\n1.0E-5\n1.23456789E8\nNaN\nInfinity\n-Infinity\n");
    lp_table_unref(t);
    dir_remove(dir);
}

static void test_write_csv_round_trip(void **state) {
    (void)state;
    char dir[64], path[128];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rt.csv", dir);
    /* every type; timestamps with millisecond precision (the format keeps milliseconds) */
    const char *schema = "b:boolean,i:bigint,f:double,s:string,d:date,ts:timestamp";
    const char *rows = "true|1|10000000.0|x y|2013-06-02|2013-06-02 10:20:30.5;"
                       "false|-2|0.25|a,b|2020-02-29|1999-12-31 23:59:59.999;"
                       "null|null|null|null|null|null";
    lp_table *t = tu_table(schema, rows, 2);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_ERROR, true);
    write_ok(t, path, &o);
    lp_table *back = read_back(path, LOUPE_FORMAT_CSV, true);
    char *want = tu_dump(t);
    tu_assert_table(back, want);
    lp_table_unref(back);
    /* without a header: the reader names the columns _c0.., the data is the same */
    o.mode = LP_WRITE_OVERWRITE;
    o.header = false;
    write_ok(t, path, &o);
    back = read_back(path, LOUPE_FORMAT_CSV, false);
    assert_int_equal(back->nrows, 3);
    char *got = tu_dump(back);
    assert_string_equal(strchr(got, '\n'), strchr(want, '\n'));
    lp_free(got);
    lp_free(want);
    lp_table_unref(back);
    lp_table_unref(t);

    /* quotes, separators, newlines, spaces, unicode; null and "" stay distinct */
    t = strings("text", tricky, (int)LP_ARRAY_LEN(tricky), true);
    want = tu_dump(t);
    char seps[] = {',', ';', '\t', '|'};
    for (size_t k = 0; k < LP_ARRAY_LEN(seps); k++) {
        o = opts(LOUPE_FORMAT_CSV, LP_WRITE_OVERWRITE, true);
        o.sep = seps[k];
        write_ok(t, path, &o);
        loupe_read_options ro;
        loupe_read_options_init(&ro);
        ro.sep = seps[k];
        ro.format = LOUPE_FORMAT_CSV;
        lp_diag d;
        back = NULL;
        assert_int_equal(loupe_read_file(path, &ro, &back, NULL, &d), LP_OK);
        tu_assert_table(back, want);
        lp_table_unref(back);
    }
    lp_free(want);
    lp_table_unref(t);
    dir_remove(dir);
}

/* ---- JSON ---- */

static void test_write_json_exact_bytes(void **state) {
    (void)state;
    char dir[64], path[128];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.json", dir);
    lp_table *t = tu_table("b:boolean,i:bigint,f:double,s:string,d:date,ts:timestamp,l:array<string>,m:array<double>",
                           "true|7|10000000.0|x|2013-06-02|2013-06-02 00:00:00|[a,b]|[1.5,NaN];"
                           "false|-1|NaN|/|1970-01-01|2013-06-02 01:02:03.004|[]|[Infinity];"
                           "null|null|Infinity|null|null|null|null|null;"
                           "null|null|-Infinity|null|null|null|null|null;"
                           "null|null|null|null|null|null|null|null",
                           2);
    lp_write_opts o = opts(LOUPE_FORMAT_JSON, LP_WRITE_ERROR, false);
    assert_int_equal(write_ok(t, path, &o), 5);
    assert_file(path, "{\"b\":true,\"i\":7,\"f\":1.0E7,\"s\":\"x\",\"d\":\"2013-06-02\",\"ts\":\"2013-06-02T00:00:00.000Z\","
                      "\"l\":[\"a\",\"b\"],\"m\":[1.5,\"NaN\"]}\n"
                      "{\"b\":false,\"i\":-1,\"f\":\"NaN\",\"s\":\"/\",\"d\":\"1970-01-01\","
                      "\"ts\":\"2013-06-02T01:02:03.004Z\",\"l\":[],\"m\":[\"Infinity\"]}\n"
                      "{\"f\":\"Infinity\"}\n"
                      "{\"f\":\"-Infinity\"}\n"
                      "{}\n");
    lp_table_unref(t);
    /* escapes: quote, backslash, the short forms, other control characters as \u00XX, UTF-8
     * and '/' passed through; a dotted name stays one key */
    const char *v[] = {"q\"b\\s/", "\b\f\n\r\t", "\x01\x1f\x7f", "ü → 😀", NULL};
    t = strings("a.b", v, 5, false);
    o.mode = LP_WRITE_OVERWRITE;
    assert_int_equal(write_ok(t, path, &o), 5);
    assert_file(path, "{\"a.b\":\"q\\\"b\\\\s/\"}\n"
                      "{\"a.b\":\"\\b\\f\\n\\r\\t\"}\n"
                      "{\"a.b\":\"\\u0001\\u001f\x7f\"}\n"
                      "{\"a.b\":\"ü → 😀\"}\n"
                      "{}\n");
    lp_table_unref(t);
    dir_remove(dir);
}

static void test_write_json_round_trip(void **state) {
    (void)state;
    char dir[64], path[128];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rt.json", dir);
    lp_table *t = tu_table("b:boolean,i:bigint,f:double,s:string,li:array<bigint>,ls:array<string>",
                           "true|1|10000000.0|x|[1,2]|[a];false|-2|0.1|null|[]|[b,c];null|3|null|z|null|null", 1);
    lp_write_opts o = opts(LOUPE_FORMAT_JSON, LP_WRITE_ERROR, false);
    write_ok(t, path, &o);
    lp_table *back = read_back(path, LOUPE_FORMAT_JSON, false);
    char *want = tu_dump(t);
    tu_assert_table(back, want);
    lp_free(want);
    lp_table_unref(back);
    lp_table_unref(t);
    /* dates and timestamps are strings in JSON (Spark infers neither); a schema reads them back */
    t = tu_table("d:date,ts:timestamp", "2013-06-02|2013-06-02 10:20:30.5;null|1969-12-31 23:59:59.999;1900-01-01|null", 0);
    o.mode = LP_WRITE_OVERWRITE;
    write_ok(t, path, &o);
    loupe_read_options ro;
    loupe_read_options_init(&ro);
    ro.schema = "d DATE, ts TIMESTAMP";
    back = NULL;
    lp_diag d;
    assert_int_equal(loupe_read_file(path, &ro, &back, NULL, &d), LP_OK);
    want = tu_dump(t);
    tu_assert_table(back, want);
    lp_free(want);
    lp_table_unref(back);
    lp_table_unref(t);
    /* every awkward string survives */
    const char *v[] = {"q\"b\\s/", "\b\f\n\r\t", "\x01\x1f", "ü → 😀", "", NULL, "end"};
    t = strings("s", v, 7, true);
    o.mode = LP_WRITE_OVERWRITE;
    write_ok(t, path, &o);
    back = read_back(path, LOUPE_FORMAT_JSON, false);
    want = tu_dump(t);
    tu_assert_table(back, want);
    lp_free(want);
    lp_table_unref(back);
    lp_table_unref(t);
    dir_remove(dir);
}

/* ---- modes ---- */

static void test_write_modes(void **state) {
    (void)state;
    char dir[64], path[128];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.csv", dir);
    lp_table *t1 = tu_table("a:bigint,b:string", "1|x;2|y", 0);
    lp_table *t2 = tu_table("a:bigint,b:string", "3|z", 0);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_ERROR, true);
    assert_int_equal(write_ok(t1, path, &o), 2);
    assert_file(path, "a,b\n1,x\n2,y\n");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);

    /* error (errorifexists): refused, file untouched */
    lp_diag d;
    assert_int_equal(write_err(t2, path, &o, &d), LP_EIO);
    assert_non_null(strstr(d.msg, "already exists"));
    assert_non_null(strstr(d.msg, path));
    assert_non_null(strstr(d.hint, "mode('overwrite')"));
    assert_file(path, "a,b\n1,x\n2,y\n");

    /* ignore: nothing happens */
    o.mode = LP_WRITE_IGNORE;
    assert_int_equal(write_ok(t2, path, &o), 0);
    assert_file(path, "a,b\n1,x\n2,y\n");

    /* append: the rows follow, the header is not repeated */
    o.mode = LP_WRITE_APPEND;
    assert_int_equal(write_ok(t2, path, &o), 1);
    assert_file(path, "a,b\n1,x\n2,y\n3,z\n");

    /* overwrite: replaced */
    o.mode = LP_WRITE_OVERWRITE;
    assert_int_equal(write_ok(t2, path, &o), 1);
    assert_file(path, "a,b\n3,z\n");

    /* append keeps the old permission bits and adds a missing final newline */
    put_file(path, "a,b\n9,q");
    assert_int_equal(chmod(path, 0600), 0);
    o.mode = LP_WRITE_APPEND;
    assert_int_equal(write_ok(t2, path, &o), 1);
    assert_file(path, "a,b\n9,q\n3,z\n");
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);

    /* append to an empty file writes the header; ignore and append create a missing file */
    put_file(path, "");
    assert_int_equal(write_ok(t2, path, &o), 1);
    assert_file(path, "a,b\n3,z\n");
    char p2[160];
    snprintf(p2, sizeof p2, "%s/new.json", dir);
    o = opts(LOUPE_FORMAT_JSON, LP_WRITE_APPEND, false);
    assert_int_equal(write_ok(t2, p2, &o), 1);
    assert_int_equal(write_ok(t1, p2, &o), 2);
    assert_file(p2, "{\"a\":3,\"b\":\"z\"}\n{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n");
    unlink(p2);
    o.mode = LP_WRITE_IGNORE;
    assert_int_equal(write_ok(t2, p2, &o), 1);
    assert_file(p2, "{\"a\":3,\"b\":\"z\"}\n");
    /* format AUTO goes by the suffix */
    o.format = LOUPE_FORMAT_AUTO;
    o.mode = LP_WRITE_OVERWRITE;
    assert_int_equal(write_ok(t1, p2, &o), 2);
    assert_file(p2, "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n");

    assert_dir(dir, "m.csv new.json");
    lp_table_unref(t1);
    lp_table_unref(t2);
    dir_remove(dir);
}

/* ---- errors ---- */

static void test_write_missing_directory(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/nope/out.csv", dir);
    lp_table *t = tu_table("a:bigint", "1", 0);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_OVERWRITE, false);
    lp_diag d;
    assert_int_equal(write_err(t, path, &o, &d), LP_EIO);
    assert_non_null(strstr(d.msg, path));
    assert_non_null(strstr(d.msg, strerror(ENOENT)));
    assert_non_null(strstr(d.hint, "does the directory"));
    assert_non_null(strstr(d.hint, "/nope"));
    assert_dir(dir, "");
    /* a file where a directory should be */
    char file[160];
    snprintf(file, sizeof file, "%s/f", dir);
    put_file(file, "x");
    snprintf(path, sizeof path, "%s/f/out.csv", dir);
    assert_int_equal(write_err(t, path, &o, &d), LP_EIO);
    assert_non_null(strstr(d.msg, strerror(ENOTDIR)));
    assert_dir(dir, "f");
    /* the target is a directory (Spark would write one there; Loupe writes a file) */
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(write_err(t, path, &o, &d), LP_EIO);
    assert_non_null(strstr(d.msg, strerror(EISDIR)));
    assert_non_null(strstr(d.hint, "one file"));
    assert_int_equal(rmdir(path), 0);
    assert_dir(dir, "f");
    lp_table_unref(t);
    dir_remove(dir);
}

static void test_write_unwritable_directory(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    assert_int_equal(chmod(dir, 0555), 0);
    /* root may write anywhere: then use a directory the kernel refuses to everyone */
    bool root_bypass = access(dir, W_OK) == 0;
    const char *target_dir = root_bypass ? "/sys" : dir;
    snprintf(path, sizeof path, "%s/loupe-write-test.csv", target_dir);
    lp_table *t = tu_table("a:bigint", "1", 0);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_OVERWRITE, false);
    lp_diag d;
    assert_int_equal(write_err(t, path, &o, &d), LP_EIO);
    assert_non_null(strstr(d.msg, path));
    assert_true(strstr(d.msg, strerror(EACCES)) || strstr(d.msg, strerror(EROFS)) || strstr(d.msg, strerror(EPERM)));
    assert_non_null(strstr(d.hint, "may write"));
    assert_int_equal(access(path, F_OK), -1);
    assert_dir(dir, "");
    assert_int_equal(chmod(dir, 0755), 0);
    lp_table_unref(t);
    dir_remove(dir);
}

static void test_write_options_and_empty_frames(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x.csv", dir);
    lp_table *t = tu_table("a:bigint", "1", 0);
    lp_write_opts o = opts(LOUPE_FORMAT_CSV, LP_WRITE_ERROR, false);
    o.sep = '"';
    lp_diag d;
    assert_int_equal(write_err(t, path, &o, &d), LP_EVALUE);
    o.sep = '\n';
    assert_int_equal(write_err(t, path, &o, &d), LP_EVALUE);
    o.sep = ',';
    o.quote = '\r';
    assert_int_equal(write_err(t, path, &o, &d), LP_EVALUE);
    assert_non_null(strstr(d.msg, "newline"));
    o.quote = '"';
    assert_int_equal(write_err(t, "", &o, &d), LP_EVALUE);
    assert_dir(dir, "");
    /* an empty frame: the header alone (CSV), an empty file (JSON) */
    const char *names[] = {"a", "b"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_STRING)};
    lp_table *empty = lp_table_new(2, names, types);
    assert_non_null(empty);
    o = opts(LOUPE_FORMAT_CSV, LP_WRITE_ERROR, true);
    assert_int_equal(write_ok(empty, path, &o), 0);
    assert_file(path, "a,b\n");
    o = opts(LOUPE_FORMAT_JSON, LP_WRITE_OVERWRITE, true);
    assert_int_equal(write_ok(empty, path, &o), 0);
    assert_file(path, "");
    lp_table_unref(empty);
    unlink(path);
    /* NULL options are the defaults: CSV, no header */
    int64_t n = 0;
    assert_int_equal(lp_write_file(t, path, NULL, &n, &d), LP_OK);
    assert_int_equal(n, 1);
    assert_file(path, "1\n");
    lp_table_unref(t);
    dir_remove(dir);
}

/* Allocation failure at every point: each failing run reports LP_ENOMEM, leaves no temporary
 * file and leaves the old file as it was. */
static void test_write_fault_injection(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f.csv", dir);
    lp_table *t = tu_table("a:bigint,s:string,l:array<bigint>", "1|x|[1];2|y,z|[2,3];3|null|null", 1);
    int formats[] = {LOUPE_FORMAT_CSV, LOUPE_FORMAT_JSON};
    lp_write_mode modes[] = {LP_WRITE_OVERWRITE, LP_WRITE_APPEND};
    for (int f = 0; f < 2; f++) {
        for (int m = 0; m < 2; m++) {
            int ok = 0, failures = 0;
            for (int64_t at = 1; at < 200 && ok < 2; at++) {
                put_file(path, "old\n");
                lp_write_opts o = opts(formats[f], modes[m], true);
                lp_diag d;
                int64_t n = -1;
                lp_mem_fail_at(at, false);
                lp_status st = lp_write_file(t, path, &o, &n, &d);
                int64_t failed = lp_mem_fail_at(0, false);
                if (st == LP_OK) {
                    assert_int_equal(n, 3);
                    if (!failed) ok++;
                } else {
                    assert_int_equal(st, LP_ENOMEM);
                    assert_int_equal(n, 0);
                    assert_non_null(strstr(d.msg, "out of memory in write"));
                    assert_file(path, "old\n");
                    failures++;
                }
                assert_dir(dir, "f.csv");
            }
            assert_true(ok > 0);
            assert_true(failures >= 3);
        }
    }
    lp_table_unref(t);
    dir_remove(dir);
}

static void test_write_cancellation(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/c.json", dir);
    lp_table *t = tu_table("a:bigint", "1;2;3", 1);
    lp_write_opts o = opts(LOUPE_FORMAT_JSON, LP_WRITE_OVERWRITE, false);
    lp_diag d;
    lp_cancel_request();
    assert_int_equal(write_err(t, path, &o, &d), LP_ECANCELLED);
    assert_dir(dir, "");
    /* an existing file survives a cancelled overwrite and a cancelled append */
    put_file(path, "old\n");
    assert_int_equal(write_err(t, path, &o, &d), LP_ECANCELLED);
    o.mode = LP_WRITE_APPEND;
    assert_int_equal(write_err(t, path, &o, &d), LP_ECANCELLED);
    assert_file(path, "old\n");
    assert_dir(dir, "c.json");
    lp_cancel_clear();
    assert_int_equal(write_ok(t, path, &o), 3);
    assert_file(path, "old\n{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    lp_table_unref(t);
    dir_remove(dir);
}

/* ---- many partitions, threads, cancellation while running ---- */

/* A table of n rows in partitions of `per` rows: i, i/4 as a double, "s<i>" (null every 7th). */
static lp_table *big(int64_t n, int64_t per) {
    const char *names[] = {"i", "f", "s"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64), lp_type_of(LP_STRING)};
    lp_table *t = lp_table_new(3, names, types);
    assert_non_null(t);
    for (int64_t start = 0; start < n; start += per) {
        int64_t end = LP_MIN(n, start + per);
        lp_colbuf b[3];
        for (int c = 0; c < 3; c++) lp_colbuf_init(&b[c], types[c]);
        for (int64_t i = start; i < end; i++) {
            lp_colbuf_append_i64(&b[0], i);
            lp_colbuf_append_f64(&b[1], (double)i / 4);
            char s[32];
            int k = snprintf(s, sizeof s, "s%lld", (long long)i);
            if (i % 7 == 0) lp_colbuf_append_null(&b[2]);
            else lp_colbuf_append_str(&b[2], s, (size_t)k);
        }
        lp_column *cols[3];
        for (int c = 0; c < 3; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, end - start, cols), LP_OK);
    }
    return t;
}

/* A write that fails halfway (here the file-size limit, which fails write(2) with EFBIG as a
 * full disk fails it with ENOSPC): LP_EIO naming the reason, the old file intact, no
 * temporary left. */
static void test_write_fails_halfway(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/full.csv", dir);
    put_file(path, "old\n");
    lp_table *t = big(100000, 30000);
    struct rlimit old_lim, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old_lim;
    lim.rlim_cur = 100000;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int formats[] = {LOUPE_FORMAT_CSV, LOUPE_FORMAT_JSON};
    for (int f = 0; f < 2; f++) {
        lp_write_opts o = opts(formats[f], LP_WRITE_OVERWRITE, true);
        lp_diag d;
        assert_int_equal(write_err(t, path, &o, &d), LP_EIO);
        assert_non_null(strstr(d.msg, path));
        assert_non_null(strstr(d.msg, strerror(EFBIG)));
        assert_non_null(strstr(d.hint, "ulimit"));
        o.mode = LP_WRITE_APPEND;
        assert_int_equal(write_err(t, path, &o, &d), LP_EIO);
    }
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
    signal(SIGXFSZ, old_sig);
    assert_file(path, "old\n");
    assert_dir(dir, "full.csv");
    lp_table_unref(t);
    dir_remove(dir);
}

typedef struct big_arg {
    lp_table *t;
    const char *path;
    int format;
} big_arg;

static char *write_big(void *arg) {
    big_arg *a = arg;
    lp_write_opts o = opts(a->format, LP_WRITE_OVERWRITE, true);
    write_ok(a->t, a->path, &o);
    char *text = slurp(a->path);
    char *out = lp_strdup(text);
    free(text);
    return out;
}

static void test_write_same_across_threads(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.csv", dir);
    const int64_t n = 50000;
    lp_table *t = big(n, 7001);
    big_arg a = {t, path, LOUPE_FORMAT_CSV};
    char *csv = tu_same_across_threads(write_big, &a);
    /* the rows in order, whatever the slicing */
    lp_strbuf want;
    lp_strbuf_init(&want);
    lp_strbuf_puts(&want, "i,f,s\n");
    for (int64_t i = 0; i < n; i++) {
        char f[48];
        lp_format_float64((double)i / 4, f);
        if (i % 7 == 0) lp_strbuf_printf(&want, "%lld,%s,\n", (long long)i, f);
        else lp_strbuf_printf(&want, "%lld,%s,s%lld\n", (long long)i, f, (long long)i);
    }
    assert_string_equal(csv, want.p);
    lp_strbuf_reset(&want);
    lp_free(csv);
    lp_table *back = read_back(path, LOUPE_FORMAT_CSV, true);
    assert_int_equal(back->nrows, n);
    lp_table_unref(back);

    snprintf(path, sizeof path, "%s/big.json", dir);
    a.format = LOUPE_FORMAT_JSON;
    char *json = tu_same_across_threads(write_big, &a);
    assert_non_null(strstr(json, "{\"i\":0,\"f\":0.0}\n{\"i\":1,\"f\":0.25,\"s\":\"s1\"}\n"));
    assert_non_null(strstr(json, "{\"i\":49999,\"f\":12499.75,\"s\":\"s49999\"}\n"));
    lp_free(json);
    back = read_back(path, LOUPE_FORMAT_JSON, false);
    assert_int_equal(back->nrows, n);
    lp_table_unref(back);
    lp_table_unref(t);
    dir_remove(dir);
}

static void test_write_cancelled_while_running(void **state) {
    (void)state;
    char dir[64], path[160];
    dir_new(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/slow.json", dir);
    lp_table *t = big(2000000, 100000);
    lp_write_opts o = opts(LOUPE_FORMAT_JSON, LP_WRITE_ERROR, false);
    tu_canceller c;
    tu_cancel_after(&c, 20000);
    int64_t n = -1;
    lp_diag d;
    lp_status st = lp_write_file(t, path, &o, &n, &d);
    tu_cancel_join(&c);
    assert_int_equal(st, LP_ECANCELLED);
    assert_int_equal(n, 0);
    assert_dir(dir, "");
    lp_table_unref(t);
    dir_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_write_csv_exact_bytes),
        TU_TEST(test_write_csv_every_type),
        TU_TEST(test_write_csv_round_trip),
        TU_TEST(test_write_json_exact_bytes),
        TU_TEST(test_write_json_round_trip),
        TU_TEST(test_write_modes),
        TU_TEST(test_write_missing_directory),
        TU_TEST(test_write_unwritable_directory),
        TU_TEST(test_write_options_and_empty_frames),
        TU_TEST(test_write_fails_halfway),
        TU_TEST(test_write_fault_injection),
        TU_TEST(test_write_cancellation),
        TU_TEST(test_write_same_across_threads),
        TU_TEST(test_write_cancelled_while_running),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
