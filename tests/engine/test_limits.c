/* test_limits.c -- hostile input and faults: a file that changes or vanishes while it is read,
 * records of megabytes, 100,000 columns, JSON nested past the limit, queries nested 10,000
 * deep, the memory cap (named operator, size, how to change it, memory returned), and a write
 * that hits a full disk. Each must end in a clear error or a correct result, and the session
 * must go on. The sizes that take long under AddressSanitizer (a 2 GB line) are in
 * tests/limits/limits.sh, run on the plain build.
 */
#include "testutil.h"

#include "loupe.h"
#include "read/read.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- running statements ---- */

typedef struct capture {
    char *out;
    size_t n;
} capture;

static void cap_text(void *ctx, const char *s, size_t n) {
    capture *c = ctx;
    char *p = realloc(c->out, c->n + n + 1);
    assert_non_null(p);
    memcpy(p + c->n, s, n);
    c->n += n;
    p[c->n] = 0;
    c->out = p;
}

static void cap_display(void *ctx, const loupe_display *d) {
    if (d->text) cap_text(ctx, d->text, d->text_len);
}

/* Runs code; returns its status, with the output in c->out and the error in *d. */
static loupe_status run(loupe_session *s, capture *c, const char *code, loupe_diag *d) {
    free(c->out);
    memset(c, 0, sizeof *c);
    cap_text(c, "", 0);
    loupe_output o = {.ctx = c, .out = cap_text, .err = cap_text, .display = cap_display};
    return loupe_run(s, code, strlen(code), "test", 1, &o, d);
}

static void run_ok(loupe_session *s, capture *c, const char *code) {
    loupe_diag d;
    loupe_status st = run(s, c, code, &d);
    if (st != LOUPE_OK) fail_msg("<%.200s> failed: %s", code, d.msg);
}

/* A file of `rows` JSON lines, each about 100 bytes. */
static const char *json_rows(int rows) {
    size_t cap = (size_t)rows * 120 + 1;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    for (int i = 0; i < rows; i++)
        n += (size_t)snprintf(text + n, cap - n, "{\"id\": %d, \"name\": \"reviewer number %d\", \"text\": \"%s\"}\n",
                              i, i, "a review text that is long enough to fill a line");
    const char *path = tu_temp_file(text, n, ".json");
    free(text);
    return path;
}

/* ---- a file that changes or vanishes while it is read ---- */

static void test_limits_truncated_while_mapped(void **state) {
    (void)state;
    const char *path = json_rows(40000); /* about 4 MB: many pages */
    lp_read_source src;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_read_source_open(path, "read_json", &src, &d), LP_OK);
    assert_non_null(src.map);
    assert_int_equal(truncate(path, 1000), 0);
    /* every page past the new end now faults: the watch must zero-fill, not end the process */
    volatile unsigned sum = 0;
    for (size_t i = 0; i < src.len; i += 512) sum += (unsigned char)src.data[i];
    assert_true(lp_map_watch_cut(src.watch));
    assert_int_equal(lp_read_source_check(&src, path, &d), LP_EIO);
    assert_non_null(strstr(d.msg, "changed while it was being read (it was cut short)"));
    assert_string_equal(d.file, path);
    lp_read_source_close(&src);
    (void)sum;
}

static void test_limits_rewritten_while_read(void **state) {
    (void)state;
    const char *path = json_rows(100);
    lp_read_source src;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_read_source_open(path, "read_json", &src, &d), LP_OK);
    assert_int_equal(lp_read_source_check(&src, path, &d), LP_OK);
    /* same size, new content and time: an editor saving in place */
    FILE *f = fopen(path, "r+");
    assert_non_null(f);
    fputs("{\"id\": 99}", f);
    fclose(f);
    struct timespec t[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
    assert_int_equal(lp_read_source_check(&src, path, &d), LP_EIO);
    assert_non_null(strstr(d.msg, "(it was rewritten)"));
    lp_read_source_close(&src);
}

static void test_limits_deleted_while_read(void **state) {
    (void)state;
    const char *path = json_rows(3000);
    loupe_table *want = NULL;
    loupe_diag d;
    assert_int_equal(loupe_read_file(path, NULL, &want, NULL, &d), LOUPE_OK);
    lp_read_source src;
    assert_int_equal(lp_read_source_open(path, "read_json", &src, &d), LP_OK);
    char *copy = malloc(src.len);
    assert_non_null(copy);
    memcpy(copy, src.data, src.len);
    assert_int_equal(unlink(path), 0);
    /* the open file's data stays whole after the name is gone: a consistent snapshot */
    assert_memory_equal(src.data, copy, src.len);
    assert_int_equal(lp_read_source_check(&src, path, &d), LP_OK);
    lp_read_source_close(&src);
    free(copy);
    loupe_table_free(want);
}

/* The whole reader with a writer truncating the file in a loop: every read ends in the right
 * count or in the "changed" error, never in a crash or a wrong count. */
static void test_limits_read_while_truncating(void **state) {
    (void)state;
    const char *orig = json_rows(20000);
    char path[4096];
    snprintf(path, sizeof path, "%s.live.json", orig);
    FILE *in = fopen(orig, "rb");
    assert_non_null(in);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    int right = 0, changed = 0;
    for (int round = 0; round < 12; round++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, n, f), n);
        fclose(f);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            usleep((useconds_t)(round * 1500));
            _exit(truncate(path, (off_t)(n / 3)) == 0 ? 0 : 1);
        }
        loupe_table *t = NULL;
        loupe_diag d;
        loupe_status st = loupe_read_file(path, NULL, &t, NULL, &d);
        int ws;
        waitpid(pid, &ws, 0);
        if (st == LOUPE_OK) {
            /* the read finished before the cut, or started after it */
            int64_t rows = loupe_table_rows(t);
            if (rows != 20000 && rows != 20000 / 3) {
                /* a cut after the read's last look is fine only if the rows are whole */
                assert_true(rows > 0 && rows <= 20000);
            }
            right++;
            loupe_table_free(t);
        } else {
            assert_int_equal(st, LOUPE_EIO);
            assert_non_null(strstr(d.msg, "changed while it was being read"));
            changed++;
        }
    }
    assert_int_equal(right + changed, 12);
    unlink(path);
}

/* A FIFO nobody writes to: the read waits, and an interrupt stops it (open used to block for
 * ever, and read() after it). A late writer's data is read whole. */
static void test_limits_fifo_read_is_interruptible(void **state) {
    (void)state;
    char path[] = "/tmp/loupe-fifo-XXXXXX";
    assert_non_null(mkdtemp(path));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/f.csv", path);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    tu_canceller th;
    tu_cancel_after(&th, 200000);
    loupe_table *t = NULL;
    loupe_diag d;
    assert_int_equal(loupe_read_file(fifo, NULL, &t, NULL, &d), LOUPE_ECANCELLED);
    tu_cancel_join(&th);
    loupe_cancel_reset();
    assert_null(t);
    assert_non_null(strstr(d.msg, "was cancelled"));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        usleep(300000);
        /* non-blocking, with a deadline: the child must not outlive a failed parent */
        int fd = -1;
        for (int tries = 0; tries < 100 && fd < 0; tries++) {
            fd = open(fifo, O_WRONLY | O_NONBLOCK);
            if (fd < 0) usleep(50000);
        }
        if (fd < 0) _exit(1);
        fcntl(fd, F_SETFL, 0);
        FILE *f = fdopen(fd, "w");
        if (!f) _exit(1);
        fputs("a,b\n1,2\n", f);
        fflush(f);
        usleep(200000); /* a slow writer */
        fputs("3,4\n", f);
        _exit(fclose(f) == 0 ? 0 : 1);
    }
    assert_int_equal(loupe_read_file(fifo, NULL, &t, NULL, &d), LOUPE_OK);
    int ws;
    waitpid(pid, &ws, 0);
    assert_int_equal(loupe_table_rows(t), 2);
    loupe_table_free(t);
    unlink(fifo);
    rmdir(path);
}

/* ---- long records, wide records, deep records ---- */

static void test_limits_record_of_megabytes(void **state) {
    (void)state;
    /* one JSON record of 3 MB, past LP_READ_BIG_RECORD: escapes, invalid UTF-8 that grows when
     * replaced (one byte becomes three), and a nested key, so every overflow path is taken */
    size_t big = (size_t)3 << 20;
    char *text = malloc(big + 256);
    assert_non_null(text);
    size_t n = (size_t)sprintf(text, "{\"a\": {\"b\": \"");
    for (size_t i = 0; i < big; i++) {
        if (i % 3 == 0) text[n++] = (char)0xFF;
        else text[n++] = 'x';
    }
    n += (size_t)sprintf(text + n, "\\n\"}, \"c\": 1}\n{\"c\": 2}\n");
    const char *path = tu_temp_file(text, n, ".json");
    free(text);
    loupe_session *s = loupe_session_new();
    capture c = {0};
    char code[8192];
    snprintf(code, sizeof code,
             "d = spark.read.json('%s')\n"
             "print(d.select(F.length(d['a.b']).alias('n'), 'c').collect())\n",
             path);
    run_ok(s, &c, code);
    /* 3 MB of characters (each 0xFF one U+FFFD) and the decoded newline */
    assert_non_null(strstr(c.out, "[Row(n=3145729, c=1), Row(n=None, c=2)]"));
    assert_non_null(strstr(c.out, "invalid UTF-8"));
    /* a CSV field of 3 MB with doubled quotes inside */
    char *csv = malloc(big * 2 + 64);
    assert_non_null(csv);
    n = (size_t)sprintf(csv, "k,v\n1,\"");
    for (size_t i = 0; i < big; i++) {
        if (i % 2) {
            csv[n++] = '"';
            csv[n++] = '"';
        } else {
            csv[n++] = 'y';
        }
    }
    n += (size_t)sprintf(csv + n, "\"\n2,z\n");
    const char *cpath = tu_temp_file(csv, n, ".csv");
    free(csv);
    snprintf(code, sizeof code,
             "e = spark.read.csv('%s', header=True)\n"
             "print(e.select('k', F.length('v').alias('n')).collect())\n",
             cpath);
    run_ok(s, &c, code);
    assert_non_null(strstr(c.out, "[Row(k='1', n=3145728), Row(k='2', n=1)]"));
    free(c.out);
    loupe_session_free(s);
}

static void test_limits_hundred_thousand_columns(void **state) {
    (void)state;
    int cols = 100000;
    size_t cap = (size_t)cols * 40;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    for (int i = 0; i < cols; i++) n += (size_t)snprintf(text + n, cap - n, "%sc%d", i ? "," : "", i);
    text[n++] = '\n';
    for (int r = 0; r < 3; r++) {
        for (int i = 0; i < cols; i++) n += (size_t)snprintf(text + n, cap - n, "%s%d", i ? "," : "", i * 3 + r);
        text[n++] = '\n';
    }
    const char *path = tu_temp_file(text, n, ".csv");
    free(text);
    loupe_session *s = loupe_session_new();
    capture c = {0};
    char code[4096];
    snprintf(code, sizeof code,
             "w = spark.read.csv('%s', header=True, inferSchema=True)\n"
             "print(len(w.columns), w.count())\n"
             "print(w.select('c0', 'c99999').collect())\n"
             "print(w.agg(F.sum('c54321')).collect())\n",
             path);
    run_ok(s, &c, code);
    assert_non_null(strstr(c.out, "100000 3\n"));
    assert_non_null(strstr(c.out, "[Row(c0=0, c99999=299997), Row(c0=1, c99999=299998), Row(c0=2, c99999=299999)]"));
    assert_non_null(strstr(c.out, "[Row(sum(c54321)=488892)]"));
    free(c.out);
    loupe_session_free(s);
}

static void test_limits_deeply_nested_json(void **state) {
    (void)state;
    size_t depth = 100000;
    char *text = malloc(depth * 2 + 64);
    assert_non_null(text);
    size_t n = (size_t)sprintf(text, "{\"ok\": 1}\n{\"a\": ");
    for (size_t i = 0; i < depth; i++) text[n++] = '[';
    for (size_t i = 0; i < depth; i++) text[n++] = ']';
    n += (size_t)sprintf(text + n, "}\n{\"ok\": 3}\n");
    const char *path = tu_temp_file(text, n, ".json");
    free(text);
    loupe_table *t = NULL;
    loupe_diag d;
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.mode = LOUPE_FAILFAST;
    assert_int_equal(loupe_read_file(path, &o, &t, NULL, &d), LOUPE_EVALUE);
    assert_non_null(strstr(d.msg, "line 2"));
    assert_non_null(strstr(d.msg, "nesting deeper than 64 levels"));
    /* leniently: the record is dropped and counted, the others read */
    o.mode = LOUPE_DROPMALFORMED;
    loupe_read_report rep;
    assert_int_equal(loupe_read_file(path, &o, &t, &rep, &d), LOUPE_OK);
    assert_int_equal(loupe_table_rows(t), 2);
    assert_int_equal(rep.dropped, 1);
    assert_int_equal(rep.first_bad_line, 2);
    loupe_table_free(t);
}

/* Each query is nested 10,000 deep one way; each ends in a LimitError or SyntaxError with a
 * bounded message, and the session still answers afterwards. */
static void test_limits_queries_nested_ten_thousand_deep(void **state) {
    (void)state;
    loupe_session *s = loupe_session_new();
    capture c = {0};
    char code[512];
    snprintf(code, sizeof code, "x = spark.read.csv('%s', header=True, inferSchema=True)\n",
             tu_temp_text("id\n1\n2\n3\n", ".csv"));
    run_ok(s, &c, code);
    enum { DEEP = 10000 };
    const char *shapes[][3] = {
        {"y = ", "(", ")"},                       /* brackets */
        {"y = x.select(", "F.abs(", ")"},         /* calls */
        {"y = x", ".filter('id > 0')", ""},       /* a chain of methods */
        {"y = 1", " + 1", ""},                    /* a chain of operators */
        {"y = x.filter(", "~(", ")"},             /* unary operators */
        {"y = spark.sql('SELECT ", "(", ") FROM t')"},       /* SQL brackets */
        {"y = x.filter('id > 0", " AND id > 0", "')"},       /* SQL operators */
        {"y = spark.sql('SELECT * FROM ", "(SELECT * FROM ", ")')"}, /* subqueries */
    };
    run_ok(s, &c, "x.createOrReplaceTempView('t')");
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        size_t cap = strlen(shapes[k][0]) + DEEP * (strlen(shapes[k][1]) + strlen(shapes[k][2])) + 64;
        char *q = malloc(cap);
        assert_non_null(q);
        size_t n = (size_t)sprintf(q, "%s", shapes[k][0]);
        for (int i = 0; i < DEEP; i++) n += (size_t)sprintf(q + n, "%s", shapes[k][1]);
        n += (size_t)sprintf(q + n, "%s", k == 0 ? "1" : k == 1 ? "x.id" : k == 4 ? "(x.id > 0)" : k == 5 ? "1" : k == 7 ? "t" : "");
        if (k != 6)
            for (int i = 0; i < DEEP; i++) n += (size_t)sprintf(q + n, "%s", shapes[k][2]);
        if (k == 6) n += (size_t)sprintf(q + n, "%s", shapes[k][2]);
        if (k == 1 || k == 4) n += (size_t)sprintf(q + n, ")");
        if (k == 7) n += (size_t)sprintf(q + n, " AS s");
        loupe_diag d;
        loupe_status st = run(s, &c, q, &d);
        if (st != LOUPE_ELIMIT && st != LOUPE_ESYNTAX)
            fail_msg("shape %zu: status %s: %s", k, loupe_status_name(st), d.msg);
        char *msg = loupe_diag_format(&d, q, n, false);
        assert_non_null(msg);
        assert_true(strlen(msg) < 1000); /* the line is shown as a window around the caret */
        free(msg);
        free(q);
        run_ok(s, &c, "print(x.count())");
        assert_string_equal(c.out, "3\n");
    }
    free(c.out);
    loupe_session_free(s);
}

/* ---- the memory cap ---- */

static void test_limits_memory_cap(void **state) {
    (void)state;
    int64_t cap0 = loupe_memory_limit();
    loupe_session *s = loupe_session_new();
    capture c = {0};
    char code[512];
    snprintf(code, sizeof code, "r = spark.read.json('%s')\n", json_rows(20000));
    run_ok(s, &c, code);
    run_ok(s, &c, "spark.conf.set('loupe.memory.limit', '96m')\nprint(spark.conf.get('loupe.memory.limit'))");
    assert_string_equal(c.out, "96m\n");
    assert_int_equal(loupe_memory_limit(), INT64_C(96) << 20);
    int64_t before = loupe_memory_used();
    lp_mem_reset_peak();
    /* a cross join of 20,000 x 20,000 rows: refused before it allocates */
    loupe_diag d;
    assert_int_equal(run(s, &c, "r.crossJoin(r).count()", &d), LOUPE_ENOMEM);
    assert_non_null(strstr(d.msg, "out of memory in join: it asked for"));
    assert_non_null(strstr(d.msg, "the cap is 96.0 MB"));
    assert_non_null(strstr(d.hint, "filter and select fewer columns"));
    assert_int_equal(loupe_memory_used(), before);
    /* one that runs into the cap part way: a sort of many copies of the frame */
    run_ok(s, &c, "u = r.union(r)\nu = u.union(u)\nu = u.union(u)\nu = u.union(u)\nu = u.union(u)\nu = u.union(u)\n");
    before = loupe_memory_used();
    assert_int_equal(run(s, &c, "u.orderBy('text', 'name').collect()", &d), LOUPE_ENOMEM);
    if (!strstr(d.msg, "out of memory in ") || !strstr(d.hint, "spark.conf.set(\"loupe.memory.limit\", \"")) fail_msg("%s / %s", d.msg, d.hint);
    assert_non_null(strstr(d.hint, "spark.conf.set(\"loupe.memory.limit\", \""));
    assert_true(loupe_memory_peak() <= INT64_C(96) << 20);
    assert_int_equal(loupe_memory_used(), before); /* the memory came back */
    /* the session goes on, and a bad size is a clear error */
    run_ok(s, &c, "print(r.count())");
    assert_string_equal(c.out, "20000\n");
    assert_int_equal(run(s, &c, "spark.conf.set('loupe.memory.limit', 'lots')", &d), LOUPE_EVALUE);
    assert_non_null(strstr(d.msg, "loupe.memory.limit takes a size"));
    lp_mem_set_cap(cap0);
    free(c.out);
    loupe_session_free(s);
}

/* ---- a full disk ---- */

static void test_limits_write_on_full_disk(void **state) {
    (void)state;
    loupe_session *s = loupe_session_new();
    capture c = {0};
    char dir[] = "/tmp/loupe-full-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char code[1024];
    snprintf(code, sizeof code,
             "r = spark.read.json('%s')\n"
             "r.limit(2).write.mode('overwrite').json('%s/out.json')\n",
             json_rows(5000), dir);
    run_ok(s, &c, code);
    /* a file-size limit makes writes fail as a full disk does (EFBIG instead of ENOSPC) */
    struct rlimit old, small = {.rlim_cur = 64 << 10, .rlim_max = RLIM_INFINITY};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    loupe_diag d;
    snprintf(code, sizeof code, "r.write.mode('overwrite').json('%s/out.json')", dir);
    loupe_status st = run(s, &c, code, &d);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(st, LOUPE_EIO);
    assert_non_null(strstr(d.msg, "out.json"));
    /* the old file is still whole, and no temporary file is left beside it */
    snprintf(code, sizeof code, "print(spark.read.json('%s/out.json').count())", dir);
    run_ok(s, &c, code);
    assert_string_equal(c.out, "2\n");
    char ls[1200];
    snprintf(ls, sizeof ls, "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(ls), 0);
    /* an unwritable place: a clear error too */
    assert_int_equal(run(s, &c, "r.write.json('/proc/loupe/out.json')", &d), LOUPE_EIO);
    assert_non_null(strstr(d.msg, "/proc/loupe/out.json"));
    snprintf(ls, sizeof ls, "rm -rf %s", dir);
    assert_int_equal(system(ls), 0);
    free(c.out);
    loupe_session_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_limits_truncated_while_mapped),
        TU_TEST(test_limits_rewritten_while_read),
        TU_TEST(test_limits_deleted_while_read),
        TU_TEST(test_limits_read_while_truncating),
        TU_TEST(test_limits_fifo_read_is_interruptible),
        TU_TEST(test_limits_record_of_megabytes),
        TU_TEST(test_limits_hundred_thousand_columns),
        TU_TEST(test_limits_deeply_nested_json),
        TU_TEST(test_limits_queries_nested_ten_thousand_deep),
        TU_TEST(test_limits_memory_cap),
        TU_TEST(test_limits_write_on_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
