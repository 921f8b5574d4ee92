/* test_complete.c -- what the front ends ask the engine about text (engine/lang/complete.c)
 * and how a session behaves through loupe_run (engine/lang/session.c): completeness for the
 * REPL's continuation prompt, tab completion (variables, methods, columns, F. functions, file
 * paths) with the range to replace, inspection (help and schemas), a failing statement that
 * keeps the session, the one error format, cancellation of a long query from another thread,
 * and allocation failure at every point of a small script.
 */
#include "testutil.h"
#include "loupe.h"
#include "exec/expr.h"
#include "lang/interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- output capture ---- */

typedef struct capture {
    char out[65536], err[8192];
    size_t nout, nerr;
    int displays;
    loupe_display_kind last_kind;
    int64_t last_rows, last_total;  /* TABLE: rows shown, rows in the frame */
} capture;

static void cap_out(void *ctx, const char *s, size_t n) {
    capture *c = ctx;
    if (c->nout + n < sizeof c->out) {
        memcpy(c->out + c->nout, s, n);
        c->nout += n;
        c->out[c->nout] = 0;
    }
}
static void cap_err(void *ctx, const char *s, size_t n) {
    capture *c = ctx;
    if (c->nerr + n < sizeof c->err) {
        memcpy(c->err + c->nerr, s, n);
        c->nerr += n;
        c->err[c->nerr] = 0;
    }
}
static void cap_display(void *ctx, const loupe_display *d) {
    capture *c = ctx;
    c->displays++;
    c->last_kind = d->kind;
    c->last_rows = d->kind == LOUPE_DISPLAY_TABLE && d->table ? loupe_table_rows(d->table) : -1;
    c->last_total = d->kind == LOUPE_DISPLAY_TABLE ? d->total_rows : -1;
    if (d->text) cap_out(ctx, d->text, d->text_len);
}

static loupe_status run(loupe_session *s, capture *c, const char *code, loupe_diag *d) {
    loupe_output o = {.ctx = c, .out = cap_out, .err = cap_err, .display = cap_display};
    memset(c, 0, sizeof *c);
    return loupe_run(s, code, strlen(code), "test", 1, &o, d);
}

#define RUN_OK(s, c, code)                                                   \
    do {                                                                     \
        loupe_diag d_;                                                       \
        loupe_status st_ = run((s), (c), (code), &d_);                       \
        if (st_ != LOUPE_OK) fail_msg("<%s> failed: %s", (code), d_.msg);   \
    } while (0)

static const char *people_csv(void) {
    return tu_temp_text("id,name,age\n1,Ann,34\n2,Bob,27\n3,Cid,\n", ".csv");
}

/* A session with df (id, name, age) and a second frame `orders`. */
static loupe_session *session_with_df(void) {
    loupe_session *s = loupe_session_new();
    assert_non_null(s);
    char code[1024];
    snprintf(code, sizeof code,
             "df = spark.read.csv('%s', header=True, inferSchema=True)\n"
             "orders = spark.read.csv('%s', header=True, inferSchema=True)\n"
             "n = 3\nname_prefix = 'x'\n",
             people_csv(), tu_temp_text("order_id,amount\n1,2.5\n", ".csv"));
    capture c;
    RUN_OK(s, &c, code);
    return s;
}

/* ---- loupe_is_complete ---- */

static void test_complete_is_complete(void **state) {
    (void)state;
    struct { const char *code; loupe_completeness want; } cases[] = {
        {"x = 1", LOUPE_COMPLETE},
        {"", LOUPE_COMPLETE},
        {"# just a comment", LOUPE_COMPLETE},
        {"df.filter(col('a') > 1).show()", LOUPE_COMPLETE},
        {"df.select('a',\n  'b')", LOUPE_COMPLETE},
        {"df.filter(", LOUPE_INCOMPLETE},
        {"df.select('a',\n  'b'", LOUPE_INCOMPLETE},
        {"[1, (2,", LOUPE_INCOMPLETE},
        {"{'a': ", LOUPE_INCOMPLETE},
        {"x = df \\", LOUPE_INCOMPLETE},
        {"x = df.filter(a) \\\n    .select('b') \\", LOUPE_INCOMPLETE},
        {"df.", LOUPE_INCOMPLETE},
        {"x = 1 +", LOUPE_INCOMPLETE},
        {"x = a &", LOUPE_INCOMPLETE},
        {"x =", LOUPE_INCOMPLETE},
        {"x = not", LOUPE_INCOMPLETE},
        {"x = a or", LOUPE_INCOMPLETE},
        {"spark.sql('''SELECT *\nFROM t", LOUPE_INCOMPLETE},
        {"spark.sql(\"\"\"SELECT 1", LOUPE_INCOMPLETE},
        {"x = 'abc", LOUPE_INVALID},
        {"x = 1)", LOUPE_INVALID},
        {"x = [1)", LOUPE_INVALID},
        {"x = 3 $ 4", LOUPE_INVALID},
        {"x y", LOUPE_INVALID},
        {"x = 1 = 2", LOUPE_INVALID},
        {"f(a=1, 2)", LOUPE_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        loupe_completeness r = loupe_is_complete(cases[i].code, strlen(cases[i].code));
        if (r != cases[i].want) fail_msg("<%s>: %d, want %d", cases[i].code, (int)r, (int)cases[i].want);
    }
}

/* ---- loupe_complete ---- */

typedef struct completion {
    char **m;
    int n;
    size_t start, end;
} completion;

static completion complete_at(loupe_session *s, const char *code, size_t cursor) {
    completion c = {0};
    assert_int_equal(loupe_complete(s, code, strlen(code), cursor, &c.m, &c.n, &c.start, &c.end), LOUPE_OK);
    return c;
}
static completion complete_end(loupe_session *s, const char *code) { return complete_at(s, code, strlen(code)); }

static bool has(const completion *c, const char *m) {
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->m[i], m) == 0) return true;
    return false;
}
static void done(completion *c) { loupe_free_matches(c->m, c->n); }

static void test_complete_variables(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    completion c = complete_end(s, "na");
    assert_true(has(&c, "name_prefix"));
    assert_false(has(&c, "df"));
    assert_int_equal(c.start, 0);
    assert_int_equal(c.end, 2);
    done(&c);
    c = complete_end(s, "x = d");
    assert_true(has(&c, "df"));
    assert_true(has(&c, "display"));
    assert_false(has(&c, "orders"));
    assert_int_equal(c.start, 4);
    assert_int_equal(c.end, 5);
    done(&c);
    /* the cursor in the middle of a word replaces the whole word */
    c = complete_at(s, "ord.count()", 2);
    assert_true(has(&c, "orders"));
    assert_int_equal(c.start, 0);
    assert_int_equal(c.end, 3);
    done(&c);
    /* matches come sorted */
    c = complete_end(s, "");
    assert_true(c.n > 3);
    for (int i = 1; i < c.n; i++) assert_true(strcmp(c.m[i - 1], c.m[i]) < 0);
    done(&c);
    loupe_session_free(s);
}

static void test_complete_methods_and_columns(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    completion c = complete_end(s, "df.fil");
    assert_true(has(&c, "filter("));
    assert_int_equal(c.start, 3);
    assert_int_equal(c.end, 6);
    done(&c);
    c = complete_end(s, "df.");
    assert_true(has(&c, "select("));
    assert_true(has(&c, "groupBy("));
    assert_true(has(&c, "show("));
    assert_true(has(&c, "columns"));  /* a property: no paren */
    assert_true(has(&c, "age"));      /* columns as attributes */
    assert_true(has(&c, "name"));
    assert_false(has(&c, "amount"));
    done(&c);
    c = complete_end(s, "df.a");
    assert_true(has(&c, "age"));
    assert_true(has(&c, "agg("));
    assert_false(has(&c, "filter("));
    done(&c);
    /* columns inside col("... and df["... */
    c = complete_end(s, "df.filter(col(\"a");
    assert_true(has(&c, "age"));
    assert_false(has(&c, "amount"));
    assert_int_equal(c.start, strlen("df.filter(col(\""));
    done(&c);
    c = complete_end(s, "df.select(df[\"n");
    assert_true(has(&c, "name"));
    assert_int_equal(c.n, 1);
    done(&c);
    c = complete_end(s, "orders.select('am");
    assert_true(has(&c, "amount"));
    assert_false(has(&c, "age"));
    done(&c);
    /* bare column names inside a SQL expression string, and views inside spark.sql */
    c = complete_end(s, "df.filter(\"age > 3 and na");
    assert_true(has(&c, "name"));
    assert_int_equal(c.start, strlen("df.filter(\"age > 3 and "));
    done(&c);
    c = complete_end(s, "df.select('na");
    assert_true(has(&c, "name"));
    done(&c);
    {
        capture cp;
        RUN_OK(s, &cp, "df.createOrReplaceTempView('people_view')");
    }
    c = complete_end(s, "spark.sql(\"SELECT * FROM peo");
    assert_true(has(&c, "people_view"));
    done(&c);
    /* F. functions */
    c = complete_end(s, "F.date");
    assert_true(has(&c, "datediff("));
    assert_true(has(&c, "date_add("));
    assert_false(has(&c, "year("));
    assert_int_equal(c.start, 2);
    done(&c);
    c = complete_end(s, "df.select(F.coun");
    assert_true(has(&c, "count("));
    assert_true(has(&c, "countDistinct("));
    done(&c);
    /* spark. */
    c = complete_end(s, "spark.re");
    assert_true(has(&c, "read"));
    done(&c);
    /* a chain: the last call decides (last, so that the rest is checked first) */
    c = complete_end(s, "df.groupBy('name').a");
    assert_true(has(&c, "agg("));
    assert_true(has(&c, "avg("));
    done(&c);
    c = complete_end(s, "df.filter(df.age > 1).sel");
    assert_true(has(&c, "select("));
    assert_true(has(&c, "selectExpr("));
    done(&c);
    loupe_session_free(s);
}

static void test_complete_paths(void **state) {
    (void)state;
    char dir[] = "/tmp/loupe_complete_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p1[256], p2[256], p3[256];
    snprintf(p1, sizeof p1, "%s/reviews.json", dir);
    snprintf(p2, sizeof p2, "%s/reviews_small.csv", dir);
    snprintf(p3, sizeof p3, "%s/sub", dir);
    FILE *f = fopen(p1, "w");
    assert_non_null(f);
    fclose(f);
    f = fopen(p2, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mkdir(p3, 0700), 0);
    loupe_session *s = loupe_session_new();
    char code[512];
    snprintf(code, sizeof code, "r = spark.read.json(\"%s/rev", dir);
    completion c = complete_end(s, code);
    assert_int_equal(c.n, 2);
    assert_true(has(&c, p1));
    assert_true(has(&c, p2));
    assert_int_equal(c.start, strlen("r = spark.read.json(\""));
    assert_int_equal(c.end, strlen(code));
    done(&c);
    snprintf(code, sizeof code, "spark.read.csv('%s/s", dir);
    c = complete_end(s, code);
    char want[300];
    snprintf(want, sizeof want, "%s/sub/", dir);
    assert_int_equal(c.n, 1);
    assert_true(has(&c, want));
    done(&c);
    snprintf(code, sizeof code, "spark.read.format('json').load(\"%s/reviews.j", dir);
    c = complete_end(s, code);
    assert_int_equal(c.n, 1);
    assert_true(has(&c, p1));
    done(&c);
    loupe_session_free(s);
    unlink(p1);
    unlink(p2);
    rmdir(p3);
    rmdir(dir);
}

/* ---- loupe_inspect ---- */

static void test_complete_inspect(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    const char *code = "x = F.datediff";
    char *h = loupe_inspect(s, code, strlen(code), strlen(code));
    assert_non_null(h);
    assert_true(strncmp(h, "datediff(end, start)", 20) == 0);
    assert_non_null(strstr(h, "PySpark: pyspark.sql.functions.datediff"));
    free(h);
    /* the cursor inside the name, and after the call's paren */
    code = "df.select(F.datediff(a, b))";
    h = loupe_inspect(s, code, strlen(code), 14);
    assert_non_null(h);
    assert_true(strncmp(h, "datediff(", 9) == 0);
    free(h);
    code = "df.select(F.datediff(";
    h = loupe_inspect(s, code, strlen(code), strlen(code));
    assert_non_null(h);
    assert_true(strncmp(h, "datediff(", 9) == 0);
    free(h);
    /* a method of a DataFrame variable */
    code = "df.filter";
    h = loupe_inspect(s, code, strlen(code), strlen(code));
    assert_non_null(h);
    assert_true(strncmp(h, "df.filter(condition)", 20) == 0);
    free(h);
    /* a DataFrame variable gives its schema */
    code = "df";
    h = loupe_inspect(s, code, strlen(code), 2);
    assert_non_null(h);
    assert_non_null(strstr(h, "DataFrame with 3 columns"));
    assert_non_null(strstr(h, "id: bigint"));
    assert_non_null(strstr(h, "name: string"));
    assert_non_null(strstr(h, "age: bigint"));
    free(h);
    /* a column of it */
    code = "df.age";
    h = loupe_inspect(s, code, strlen(code), strlen(code));
    assert_non_null(h);
    assert_string_equal(h, "column age: bigint\n");
    free(h);
    /* methods reached through a chain, and the reader */
    code = "df.groupBy('name').agg";
    h = loupe_inspect(s, code, strlen(code), strlen(code));
    assert_non_null(h);
    assert_non_null(strstr(h, "agg("));
    free(h);
    code = "spark.read.csv";
    h = loupe_inspect(s, code, strlen(code), strlen(code));
    assert_non_null(h);
    assert_true(strncmp(h, "spark.read.csv(path", 19) == 0);
    free(h);
    /* nothing to say */
    code = "x = 1 + ";
    assert_null(loupe_inspect(s, code, strlen(code), strlen(code)));
    code = "nosuchname";
    assert_null(loupe_inspect(s, code, strlen(code), strlen(code)));
    loupe_session_free(s);
}

/* Every function and every method has a help page that names its PySpark equivalent
 * ("help(x) documents any function, method or DataFrame"). */
static void check_help(loupe_session *s, const char *prefix, const char *name) {
    char code[256];
    snprintf(code, sizeof code, "%s%s", prefix, name);
    char *h = loupe_inspect(s, code, strlen(code), strlen(code));
    if (!h || !strstr(h, "PySpark")) fail_msg("help for <%s> is missing or has no PySpark line: %s", code, h ? h : "(null)");
    free(h);
}

static void test_complete_help_everywhere(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    capture c;
    RUN_OK(s, &c, "c = F.col('x')\nna = df.na\ng = df.groupBy('id')");
    for (int i = 0; i < lp_fn_count(); i++) {
        const lp_fninfo *f = lp_fn_at(i);
        if (!(f->flags & LP_FNF_OPERATOR) && lp_fexists(f->name)) check_help(s, "F.", f->name);
    }
    static const struct { lp_vkind kind; const char *prefix; } kinds[] = {
        {LV_DF, "df."}, {LV_GROUPED, "g."}, {LV_COL, "c."}, {LV_NA, "na."}, {LV_READER, "spark.read."},
        {LV_WRITER, "df.write."},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n;
        const lp_method *m = lp_methods(kinds[k].kind, &n);
        assert_true(n > 0);
        for (int i = 0; i < n; i++)
            if (m[i].params) check_help(s, kinds[k].prefix, m[i].name);
    }
    loupe_session_free(s);
}

/* ---- sessions through loupe_run ---- */

static void test_complete_session_survives_errors(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    capture c;
    loupe_diag d;
    /* the first statement runs, the second fails: x is set, y is not */
    assert_int_equal(run(s, &c, "x = n * 2\ny = df.select('nope')\nz = 1", &d), LOUPE_ENAME);
    assert_string_equal(d.msg, "column 'nope' does not exist");
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 16);
    RUN_OK(s, &c, "print(x, n)");
    assert_string_equal(c.out, "6 3\n");
    assert_int_equal(run(s, &c, "print(y)", &d), LOUPE_ENAME);
    assert_string_equal(d.msg, "name 'y' is not defined");
    assert_int_equal(run(s, &c, "print(z)", &d), LOUPE_ENAME);
    /* a failed reassignment keeps the old value */
    assert_int_equal(run(s, &c, "df = df.filter(df.agee > 1)", &d), LOUPE_ENAME);
    RUN_OK(s, &c, "print(df.count())");
    assert_string_equal(c.out, "3\n");
    /* a syntax error runs nothing at all */
    assert_int_equal(run(s, &c, "w = 5\nv = (", &d), LOUPE_ESYNTAX);
    assert_int_equal(run(s, &c, "print(w)", &d), LOUPE_ENAME);
    /* type and value errors keep the session too */
    assert_int_equal(run(s, &c, "df.filter(df.name > 5).count()", &d), LOUPE_ETYPE);
    assert_int_equal(run(s, &c, "df.select(df.age.cast('integr'))", &d), LOUPE_EVALUE);
    assert_int_equal(run(s, &c, "df.select(F.flatten('age'))", &d), LOUPE_EUNSUPPORTED);
    RUN_OK(s, &c, "df.filter(df.age > 30).count()");
    assert_string_equal(c.out, "1\n");
    assert_int_equal(c.displays, 1);
    /* a missing file names the path */
    assert_int_equal(run(s, &c, "spark.read.json('no/such/file.json')", &d), LOUPE_ENAME);
    assert_string_equal(d.msg, "cannot open 'no/such/file.json': No such file or directory");
    assert_true(strncmp(d.hint, "paths are relative to ", 22) == 0);
    RUN_OK(s, &c, "print('alive')");
    assert_string_equal(c.out, "alive\n");
    loupe_session_free(s);
}

/* What a statement displays: a DataFrame as a table of its first rows (the session's setting),
 * scalars as text, help as help; print() goes to out without a display. */
static void test_complete_displays(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    capture c;
    RUN_OK(s, &c, "df");
    assert_int_equal(c.displays, 1);
    assert_int_equal(c.last_kind, LOUPE_DISPLAY_TABLE);
    assert_int_equal(c.last_rows, 3);
    assert_int_equal(c.last_total, 3);
    loupe_session_set_display_rows(s, 2);
    RUN_OK(s, &c, "df");
    assert_int_equal(c.last_kind, LOUPE_DISPLAY_TABLE);
    assert_int_equal(c.last_rows, 2);
    RUN_OK(s, &c, "display(df, n=1)");
    assert_int_equal(c.last_kind, LOUPE_DISPLAY_TABLE);
    assert_int_equal(c.last_rows, 1);
    RUN_OK(s, &c, "n + 1");
    assert_int_equal(c.last_kind, LOUPE_DISPLAY_TEXT);
    assert_string_equal(c.out, "4\n");
    RUN_OK(s, &c, "help(F.datediff)");
    assert_int_equal(c.last_kind, LOUPE_DISPLAY_HELP);
    RUN_OK(s, &c, "print('a', 1)");
    assert_int_equal(c.displays, 0);
    assert_string_equal(c.out, "a 1\n");
    /* only the value of an expression statement is shown; assignments show nothing */
    RUN_OK(s, &c, "m = n * 2");
    assert_int_equal(c.displays, 0);
    assert_int_equal(c.nout, 0);
    RUN_OK(s, &c, "df.hist('age', bins=2)");
    assert_int_equal(c.last_kind, LOUPE_DISPLAY_CHART);
    loupe_session_free(s);
}

static void test_complete_warnings_go_to_err(void **state) {
    (void)state;
    loupe_session *s = loupe_session_new();
    capture c;
    char code[512];
    snprintf(code, sizeof code, "c = spark.read.csv('%s', header=True)\nprint(c.select(c.code.cast('int').alias('i')).filter('i IS NULL').count())",
             tu_temp_text("code\n1\nx7\n3\n", ".csv"));
    RUN_OK(s, &c, code);
    assert_string_equal(c.out, "1\n");
    assert_non_null(strstr(c.err, "warning: 1 value could not be converted and became null"));
    loupe_session_free(s);
}

static void test_complete_diag_format(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    capture c;
    loupe_diag d;
    const char *code = "x = 1\ndf.filter(col(\"ovrall\") > 4)";
    assert_int_equal(run(s, &c, code, &d), LOUPE_ENAME);
    char *text = loupe_diag_format(&d, code, strlen(code), false);
    assert_non_null(text);
    assert_string_equal(text,
                        "test:2:16: NameError: column 'ovrall' does not exist\n"
                        "    df.filter(col(\"ovrall\") > 4)\n"
                        "                   ^~~~~~\n"
                        "hint: available columns: id, name, age\n");
    free(text);
    /* without source text: the message only */
    text = loupe_diag_format(&d, NULL, 0, false);
    assert_non_null(text);
    assert_non_null(strstr(text, "NameError: column 'ovrall' does not exist"));
    assert_null(strstr(text, "^"));
    free(text);
    /* with colour: ANSI escapes, the same words */
    text = loupe_diag_format(&d, code, strlen(code), true);
    assert_non_null(text);
    assert_non_null(strstr(text, "\x1b["));
    assert_non_null(strstr(text, "column 'ovrall' does not exist"));
    free(text);
    assert_string_equal(loupe_status_name(LOUPE_ENAME), "NameError");
    assert_string_equal(loupe_status_name(LOUPE_ESYNTAX), "SyntaxError");
    loupe_session_free(s);
}

static void test_complete_cancel(void **state) {
    (void)state;
    /* 4000 x 4000 rows: 16 million pairs, far longer than the 20 ms before the cancel */
    size_t cap = 4000 * 12 + 16;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t k = (size_t)snprintf(csv, cap, "a\n");
    for (int i = 0; i < 4000; i++) k += (size_t)snprintf(csv + k, cap - k, "%d\n", i);
    const char *path = tu_temp_text(csv, ".csv");
    free(csv);
    loupe_session *s = loupe_session_new();
    capture c;
    char code[512];
    snprintf(code, sizeof code, "t = spark.read.csv('%s', header=True, inferSchema=True)\nu = t.withColumnRenamed('a', 'b')", path);
    RUN_OK(s, &c, code);
    loupe_diag d;
    loupe_cancel_reset();
    tu_canceller th;
    tu_cancel_after(&th, 20000);
    loupe_status st = run(s, &c, "t.crossJoin(u).filter('a + b < 0').count()", &d);
    tu_cancel_join(&th);
    loupe_cancel_reset();
    assert_int_equal(st, LOUPE_ECANCELLED);
    /* the session goes on */
    RUN_OK(s, &c, "print(t.count())");
    assert_string_equal(c.out, "4000\n");
    loupe_session_free(s);
}

/* Allocation failure at every point of a small script: an error (LOUPE_ENOMEM) or success,
 * never a crash, and nothing left allocated once the session is freed. */
static void test_complete_alloc_failure(void **state) {
    (void)state;
    char code[1024];
    snprintf(code, sizeof code,
             "import pyspark.sql.functions as F\n"
             "df = spark.read.csv('%s', header=True, inferSchema=True)\n"
             "r = df.filter(F.col('age') > 20).withColumn('a2', df.age * 2).groupBy('name').agg(F.max('a2').alias('m'))\n"
             "r.orderBy(F.desc('m')).show()\n"
             "print(r.count(), [1, 'x'])\n"
             "df.createOrReplaceTempView('p')\n"
             "spark.sql('SELECT name FROM p WHERE age IS NULL').collect()\n",
             people_csv());
    int64_t before = lp_mem_used();
    int oks = 0, k;
    for (k = 1; k < 20000; k++) {
        loupe_session *s = loupe_session_new();
        assert_non_null(s);
        capture c;
        loupe_diag d;
        lp_mem_fail_at(k, k % 3 == 0);
        loupe_status st = run(s, &c, code, &d);
        int64_t failed = lp_mem_fail_at(0, false);
        if (st == LOUPE_OK) {
            oks++;
            assert_non_null(strstr(c.out, "[1, 'x']"));
        } else if (st != LOUPE_ENOMEM) {
            fail_msg("allocation %d: status %d: %s", k, (int)st, d.msg);
        }
        loupe_session_free(s);
        assert_int_equal(lp_mem_used(), before);
        if (failed == 0) break;
    }
    assert_true(k > 50);
    assert_true(oks >= 1);
}

/* Completion, inspection and completeness under allocation failure: an answer or nothing,
 * never a crash or a leak. */
static void test_complete_alloc_failure_queries(void **state) {
    (void)state;
    loupe_session *s = session_with_df();
    static const char *const codes[] = {"x = F.datediff", "df.groupBy('name').agg", "df", "df.filter(col(\"a",
                                        "spark.sql(\"SELECT * FROM t WHERE na", "x = (1 +\n  2", "F.co"};
    int64_t before = lp_mem_used();
    for (size_t q = 0; q < sizeof codes / sizeof codes[0]; q++) {
        const char *code = codes[q];
        int k;
        for (k = 1; k < 5000; k++) {
            lp_mem_fail_at(k, k % 2 == 0);
            char *h = loupe_inspect(s, code, strlen(code), strlen(code));
            char **m = NULL;
            int n = 0;
            size_t st = 0, en = 0;
            loupe_status cs = loupe_complete(s, code, strlen(code), strlen(code), &m, &n, &st, &en);
            loupe_completeness cc = loupe_is_complete(code, strlen(code));
            int64_t failed = lp_mem_fail_at(0, false);
            assert_true(cs == LOUPE_OK || cs == LOUPE_ENOMEM);
            assert_true(cc == LOUPE_COMPLETE || cc == LOUPE_INCOMPLETE || cc == LOUPE_INVALID);
            free(h);
            loupe_free_matches(m, n);
            assert_int_equal(lp_mem_used(), before);
            if (failed == 0) break;
        }
    }
    loupe_session_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_complete_is_complete),
        TU_TEST(test_complete_variables),
        TU_TEST(test_complete_methods_and_columns),
        TU_TEST(test_complete_paths),
        TU_TEST(test_complete_inspect),
        TU_TEST(test_complete_help_everywhere),
        TU_TEST(test_complete_session_survives_errors),
        TU_TEST(test_complete_displays),
        TU_TEST(test_complete_warnings_go_to_err),
        TU_TEST(test_complete_diag_format),
        TU_TEST(test_complete_cancel),
        TU_TEST(test_complete_alloc_failure),
        TU_TEST(test_complete_alloc_failure_queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
