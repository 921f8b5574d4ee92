/* test_read.c -- the CSV and JSON lines readers: formats, inference and widening, parse modes,
 * chunking at record boundaries, gzip, errors, fault injection, threads and a throughput smoke. */
#include "testutil.h"
#include "read/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* Reads `path` and asserts the status; returns the table (NULL on error). */
static lp_table *read_path(const char *path, const loupe_read_options *o, loupe_read_report *rep, lp_status want,
                           lp_diag *d) {
    lp_diag local;
    if (!d) d = &local;
    lp_diag_init(d);
    lp_table *t = NULL;
    lp_status st = loupe_read_file(path, o, &t, rep, d);
    if (st != want) fail_msg("read '%s': status %d (%s), wanted %d", path, st, d->msg, want);
    if (want == LP_OK) assert_non_null(t);
    else assert_null(t);
    return t;
}

static lp_table *read_text(const char *text, const char *suffix, const loupe_read_options *o,
                           loupe_read_report *rep) {
    return read_path(tu_temp_text(text, suffix), o, rep, LP_OK, NULL);
}

static void expect(const char *text, const char *suffix, const loupe_read_options *o, const char *want) {
    lp_table *t = read_text(text, suffix, o, NULL);
    tu_assert_table(t, want);
    lp_table_unref(t);
}

/* ---- CSV ---- */

static void test_read_csv_infers_types(void **state) {
    (void)state;
    expect("id,score,ok,day,at,name\n"
           "1,2.5,true,2013-06-02,2013-06-02 10:00:00,ann\n"
           "2,3,FALSE,2013-06-03,2013-06-03T11:30:00Z,bob\n"
           "-3,1e2,true,2013-06-04,2013-06-04,cy\n",
           ".csv", NULL,
           "id:bigint|score:double|ok:boolean|day:date|at:timestamp|name:string\n"
           "1|2.5|true|2013-06-02|2013-06-02 10:00:00|ann\n"
           "2|3.0|false|2013-06-03|2013-06-03 11:30:00|bob\n"
           "-3|100.0|true|2013-06-04|2013-06-04 00:00:00|cy\n");
    /* mixed kinds promote: int + float -> double, int + text -> string, date + timestamp */
    expect("a,b,c\n1,1,2013-06-02\n2.5,x,2013-06-02 01:02:03\n", ".csv", NULL,
           "a:double|b:string|c:timestamp\n1.0|1|2013-06-02 00:00:00\n2.5|x|2013-06-02 01:02:03\n");
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.infer_schema = false;
    expect("a,b\n1,2\n", ".csv", &o, "a:string|b:string\n1|2\n");
}

static void test_read_csv_quoting_rfc4180(void **state) {
    (void)state;
    /* BOM, CRLF, separators, doubled quotes and newlines inside quotes, no final newline */
    expect("\xEF\xBB\xBFname,text\r\n"
           "a,\"x, y\"\r\n"
           "b,\"say \"\"hi\"\"\"\r\n"
           "c,\"two\r\nlines\"\r\n"
           "d,plain",
           ".csv", NULL,
           "name:string|text:string\na|x, y\nb|say \"hi\"\nc|two\r\nlines\nd|plain\n");
    /* unquoted empty -> null, quoted empty -> "", blank lines skipped */
    expect("a,b,c\n1,,\"\"\n\n2,\"\",x\n", ".csv", NULL, "a:bigint|b:string|c:string\n1|null|\n2||x\n");
    /* a trailing separator is one more (empty) field */
    expect("a,b\nx,\n", ".csv", NULL, "a:string|b:string\nx|null\n");
}

static void test_read_csv_options(void **state) {
    (void)state;
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.sep = ';';
    o.null_value = "NA";
    expect("a;b\n1;NA\nNA;\"x;y\"\n", ".csv", &o, "a:bigint|b:string\n1|null\nnull|x;y\n");
    loupe_read_options_init(&o);
    o.header = false;
    expect("1,x\n2,y\n", ".csv", &o, "_c0:bigint|_c1:string\n1|x\n2|y\n");
    loupe_read_options_init(&o);
    o.quote = '\'';
    o.escape = '\\';
    expect("a,b\n'it\\'s, ok',1\n'multi\nline',2\n", ".csv", &o,
           "a:string|b:bigint\nit's, ok|1\nmulti\nline|2\n");
    loupe_read_options_init(&o);
    o.sep = '\t';
    expect("a\tb\n1\t2\n", ".tsv", &o, "a:bigint|b:bigint\n1|2\n");
}

static void test_read_csv_empty_and_header_only(void **state) {
    (void)state;
    loupe_read_report rep;
    lp_table *t = read_text("", ".csv", NULL, &rep);
    assert_int_equal(t->ncols, 0);
    assert_int_equal(t->nrows, 0);
    assert_int_equal(rep.rows, 0);
    lp_table_unref(t);
    expect("a,b\n", ".csv", NULL, "a:string|b:string\n");
    expect("a,b", ".csv", NULL, "a:string|b:string\n");
    t = read_text("", ".json", NULL, &rep);
    assert_int_equal(t->ncols, 0);
    assert_int_equal(t->nrows, 0);
    lp_table_unref(t);
    expect("\n\n  \n", ".json", NULL, "\n");
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.schema = "a INT, b STRING";
    expect("", ".csv", &o, "a:bigint|b:string\n");
}

static void test_read_csv_malformed_modes(void **state) {
    (void)state;
    const char *text = "a,b\n1,2\n3\n4,5,6\n7,8\n";
    loupe_read_options o;
    loupe_read_options_init(&o);
    loupe_read_report rep;
    lp_table *t = read_text(text, ".csv", &o, &rep);
    tu_assert_table(t, "a:bigint|b:bigint\n1|2\nnull|null\nnull|null\n7|8\n");
    assert_int_equal(rep.rows, 4);
    assert_int_equal(rep.malformed, 2);
    assert_int_equal(rep.dropped, 0);
    assert_int_equal(rep.first_bad_line, 3);
    assert_int_equal(t->malformed, 2);
    lp_table_unref(t);

    o.corrupt_column = "_corrupt_record";
    expect(text, ".csv", &o,
           "a:bigint|b:bigint|_corrupt_record:string\n1|2|null\nnull|null|3\nnull|null|4,5,6\n7|8|null\n");

    loupe_read_options_init(&o);
    o.mode = LOUPE_DROPMALFORMED;
    t = read_text(text, ".csv", &o, &rep);
    tu_assert_table(t, "a:bigint|b:bigint\n1|2\n7|8\n");
    assert_int_equal(rep.malformed, 2);
    assert_int_equal(rep.dropped, 2);
    lp_table_unref(t);

    o.mode = LOUPE_FAILFAST;
    const char *path = tu_temp_text(text, ".csv");
    lp_diag d;
    read_path(path, &o, NULL, LP_EVALUE, &d);
    char want[1024];
    snprintf(want, sizeof want, "malformed CSV record at line 3, column 1 of '%s': expected 2 fields, found 1: 3", path);
    assert_string_equal(d.msg, want);
    assert_string_equal(d.file, path);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.column, 1);

    /* the snippet keeps whole UTF-8 characters and shows newlines as \n */
    path = tu_temp_text("a,b\n\"caf\xC3\xA9\nx\",\xFF,3\n", ".csv");
    read_path(path, &o, NULL, LP_EVALUE, &d);
    snprintf(want, sizeof want,
             "malformed CSV record at line 2, column 1 of '%s': expected 2 fields, found 3: \"caf\xC3\xA9\\nx\",?,3", path);
    assert_string_equal(d.msg, want);
    o.sep = '"';
    read_path(path, &o, NULL, LP_EVALUE, &d);
    assert_string_equal(d.msg, "the CSV separator and quote must be two different characters, neither a newline");
    o.sep = ',';

    /* an unterminated quote and junk after a closing quote */
    path = tu_temp_text("a,b\n1,\"x\"y\n", ".csv");
    read_path(path, &o, NULL, LP_EVALUE, &d);
    snprintf(want, sizeof want,
             "malformed CSV record at line 2, column 6 of '%s': unexpected character after a closing quote: 1,\"x\"y",
             path);
    assert_string_equal(d.msg, want);
    loupe_read_options_init(&o);
    expect("a,b\n1,2\n3,\"open\n", ".csv", &o, "a:bigint|b:bigint\n1|2\nnull|null\n");
}

static void test_read_csv_explicit_schema(void **state) {
    (void)state;
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.schema = "x INT, `y z` DOUBLE, d DATE";
    loupe_read_report rep;
    lp_table *t = read_text("a,b,c\n1,2,2020-01-02\nq,3,2020-01-03\n4,5.5,\n", ".csv", &o, &rep);
    tu_assert_table(t, "x:bigint|y z:double|d:date\n1|2.0|2020-01-02\nnull|null|null\n4|5.5|null\n");
    assert_int_equal(rep.malformed, 1);
    lp_table_unref(t);
    o.mode = LOUPE_FAILFAST;
    const char *path = tu_temp_text("a,b,c\n1,2,2020-01-02\n5,3,soon\n", ".csv");
    lp_diag d;
    read_path(path, &o, NULL, LP_EVALUE, &d);
    char want[1024];
    snprintf(want, sizeof want,
             "malformed CSV record at line 3, column 5 of '%s': cannot read 'soon' as date for column 'd': 5,3,soon",
             path);
    assert_string_equal(d.msg, want);
    /* the corrupt column may be placed by the schema; CSV fields skip it */
    loupe_read_options_init(&o);
    o.schema = "a INT, _corrupt_record STRING, b INT";
    o.corrupt_column = "_corrupt_record";
    o.header = false;
    expect("1,2\nx,3\n", ".csv", &o, "a:bigint|_corrupt_record:string|b:bigint\n1|null|2\nnull|x,3|null\n");
    o.mode = LOUPE_FAILFAST;
    o.schema = "x INT, y";
    read_path(path, &o, NULL, LP_ESYNTAX, &d);
    o.schema = "x ARRAY<INT>";
    read_path(path, &o, NULL, LP_EUNSUPPORTED, &d);
}

static void test_read_csv_widens_past_the_sample(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, "i,f,s,n\n");
    for (int r = 0; r < 300; r++) {
        if (r == 250) lp_strbuf_puts(&b, "7,2.5,word,9\n");
        else lp_strbuf_printf(&b, "%d,%d,%d,\n", r, r, r);
    }
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.sample_rows = 10;
    lp_read_set_chunk_size(256);
    lp_table *t = read_text(b.p, ".csv", &o, NULL);
    lp_read_set_chunk_size(0);
    assert_string_equal(lp_type_name(t->types[0]), "bigint");
    assert_string_equal(lp_type_name(t->types[1]), "double");
    assert_string_equal(lp_type_name(t->types[2]), "string");
    assert_string_equal(lp_type_name(t->types[3]), "bigint");
    assert_int_equal(t->nrows, 300);
    lp_column *f = lp_table_column(t, 1), *s = lp_table_column(t, 2), *n = lp_table_column(t, 3);
    assert_true(f->v.f[250] == 2.5 && f->v.f[249] == 249.0);
    int64_t len;
    const char *w = lp_col_str(s, 250, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(w, "word", 4);
    assert_int_equal(n->null_count, 299);
    assert_int_equal(n->v.i[250], 9);
    lp_column_unref(f);
    lp_column_unref(s);
    lp_column_unref(n);
    lp_table_unref(t);
    lp_strbuf_reset(&b);
}

/* Quoted newlines straddling chunk boundaries: every tiny chunk size gives the same table. */
typedef struct chunk_case {
    const char *path;
    const loupe_read_options *o;
    size_t chunk;
} chunk_case;

static char *read_dump(void *arg) {
    chunk_case *c = arg;
    lp_read_set_chunk_size(c->chunk);
    lp_table *t = NULL;
    lp_diag d;
    loupe_read_report rep;
    lp_status st = loupe_read_file(c->path, c->o, &t, &rep, &d);
    lp_read_set_chunk_size(0);
    if (st != LP_OK) fail_msg("read: %s", d.msg);
    char *s = tu_dump(t);
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_printf(&b, "%s#rows=%lld malformed=%lld bad_line=%lld utf8=%lld\n", s, (long long)rep.rows,
                     (long long)rep.malformed, (long long)rep.first_bad_line, (long long)rep.invalid_utf8);
    lp_free(s);
    lp_table_unref(t);
    return lp_strbuf_take(&b);
}

static void test_read_csv_quoted_newlines_across_chunks(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, "id,text,n\n");
    for (int r = 0; r < 60; r++) {
        switch (r % 5) {
        case 0: lp_strbuf_printf(&b, "%d,\"line one\nline two, \"\"quoted\"\"\n\",%d\n", r, r); break;
        case 1: lp_strbuf_printf(&b, "%d,\"\n\n\",%d\r\n", r, r); break;
        case 2: lp_strbuf_printf(&b, "%d,plain,%d\n", r, r); break;
        case 3: lp_strbuf_printf(&b, "%d,\"a,\"\"\nb\",%d\n", r, r); break;
        default: lp_strbuf_printf(&b, "%d,bad\n", r); break; /* malformed: 2 fields */
        }
    }
    const char *path = tu_temp_text(b.p, ".csv");
    chunk_case c = {path, NULL, 0};
    char *ref = read_dump(&c);
    assert_non_null(strstr(ref, "#rows=60 malformed=12 bad_line=11 "));
    assert_non_null(strstr(ref, "\n0|line one\nline two, \"quoted\"\n|0\n"));
    static const size_t sizes[] = {1, 2, 3, 5, 7, 11, 16, 31, 64, 200};
    for (size_t k = 0; k < LP_ARRAY_LEN(sizes); k++) {
        c.chunk = sizes[k];
        char *got = tu_same_across_threads(read_dump, &c);
        assert_string_equal(got, ref);
        lp_free(got);
    }
    /* with a backslash escape the split is sequential: the same table */
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.escape = '\\';
    c.o = &o;
    c.chunk = 0;
    char *ref2 = read_dump(&c);
    c.chunk = 7;
    char *got = tu_same_across_threads(read_dump, &c);
    assert_string_equal(got, ref2);
    assert_string_equal(ref2, ref);
    lp_free(got);
    lp_free(ref2);
    lp_free(ref);
    lp_strbuf_reset(&b);
}

static void test_read_csv_first_bad_line_is_absolute(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, "a,b\n");
    for (int r = 0; r < 500; r++) {
        if (r == 377) lp_strbuf_puts(&b, "oops\n");
        else if (r % 50 == 0) lp_strbuf_puts(&b, "1,\"x\ny\"\n");
        else lp_strbuf_printf(&b, "%d,%d\n", r, r);
    }
    /* lines: header 1, rows 2.., each quoted row adds one line; 8 quoted rows before row 377 */
    const char *path = tu_temp_text(b.p, ".csv");
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.mode = LOUPE_FAILFAST;
    for (int threads = 1; threads <= 4; threads += 3) {
        lp_pool_set_threads(threads);
        for (size_t cs = 13; cs < 5000; cs *= 3) {
            lp_read_set_chunk_size(cs);
            lp_diag d;
            read_path(path, &o, NULL, LP_EVALUE, &d);
            assert_int_equal(d.line, 2 + 377 + 8);
            assert_int_equal(d.column, 1);
        }
    }
    lp_read_set_chunk_size(0);
    lp_pool_set_threads(0);
    lp_strbuf_reset(&b);
}

/* ---- JSON lines ---- */

static void test_read_json_values(void **state) {
    (void)state;
    expect("{\"id\": 1, \"score\": 2.5, \"ok\": true, \"name\": \"ann\", \"none\": null}\n"
           "{\"id\": -9223372036854775808, \"score\": 3, \"ok\": false, \"name\": \"b\\u00e9\\n\\\"q\\\"\\/\\t\"}\n"
           "\n"
           "  {\"name\": \"\\ud83d\\ude00 \xC3\xA9\", \"id\": 3, \"score\": 1e-2}  \r\n",
           ".json", NULL,
           "id:bigint|score:double|ok:boolean|name:string|none:string\n"
           "1|2.5|true|ann|null\n"
           "-9223372036854775808|3.0|false|b\xC3\xA9\n\"q\"/\t|null\n"
           "3|0.01|null|\xF0\x9F\x98\x80 \xC3\xA9|null\n");
    /* numbers: out-of-range integers are doubles; long mantissas go through strtod */
    expect("{\"a\": 9223372036854775808, \"b\": 0.1, \"c\": 123456789012345678901234567890, \"d\": -0.0}\n", ".json",
           NULL, "a:double|b:double|c:double|d:double\n9.223372036854776E18|0.1|1.2345678901234568E29|-0.0\n");
    /* JSON strings stay strings, dates included */
    expect("{\"d\": \"2013-06-02\"}\n", ".json", NULL, "d:string\n2013-06-02\n");
}

static void test_read_json_nested_and_arrays(void **state) {
    (void)state;
    expect("{\"user\": {\"name\": \"ann\", \"geo\": {\"lat\": 1.5}}, \"tags\": [\"a\", \"b\"], \"h\": [1, 2]}\n"
           "{\"tags\": [], \"h\": [1, 2.5, null], \"user\": {\"geo\": {\"lat\": 2}}}\n"
           "{\"objs\": [{\"k\": 1}, [1, 2], 3, true], \"mixed\": [1, \"x\"], \"e\": []}\n",
           ".json", NULL,
           "user.name:string|user.geo.lat:double|tags:array<string>|h:array<double>|objs:array<string>|"
           "mixed:array<string>|e:array<string>\n"
           "ann|1.5|[a, b]|[1.0, 2.0]|null|null|null\n"
           "null|2.0|[]|[1.0, 2.5, null]|null|null|null\n"
           "null|null|null|null|[{\"k\": 1}, [1, 2], 3, true]|[1, x]|[]\n");
    /* a value that is sometimes an array and sometimes not is a string with the JSON text */
    expect("{\"a\": [1, 2]}\n{\"a\": 5}\n", ".json", NULL, "a:string\n[1, 2]\n5\n");
    /* duplicate keys: the last one wins */
    expect("{\"a\": 1, \"a\": 2}\n", ".json", NULL, "a:bigint\n2\n");
}

static void test_read_json_learns_past_the_sample(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int r = 0; r < 400; r++) {
        if (r == 300) lp_strbuf_puts(&b, "{\"a\": 1.5, \"late\": \"hi\", \"n\": {\"x\": [1]}}\n");
        else lp_strbuf_printf(&b, "{\"a\": %d, \"b\": \"s%d\"}\n", r, r);
    }
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.sample_rows = 5;
    lp_read_set_chunk_size(500);
    lp_table *t = read_text(b.p, ".json", &o, NULL);
    lp_read_set_chunk_size(0);
    assert_int_equal(t->ncols, 4);
    assert_string_equal(t->names[2], "late");
    assert_string_equal(t->names[3], "n.x");
    assert_string_equal(lp_type_name(t->types[0]), "double");
    assert_string_equal(lp_type_name(t->types[3]), "array<bigint>");
    assert_int_equal(t->nrows, 400);
    lp_column *a = lp_table_column(t, 0), *late = lp_table_column(t, 2);
    assert_true(a->v.f[300] == 1.5 && a->v.f[299] == 299.0);
    assert_int_equal(late->null_count, 399);
    lp_column_unref(a);
    lp_column_unref(late);
    lp_table_unref(t);
    lp_strbuf_reset(&b);
}

static void test_read_json_depth_limit(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    /* 64 levels of objects: fine; 65: malformed */
    for (int depth = 64; depth <= 65; depth++) {
        lp_strbuf_clear(&b);
        for (int i = 0; i < depth - 1; i++) lp_strbuf_puts(&b, "{\"k\": ");
        lp_strbuf_puts(&b, "{\"v\": 1}");
        for (int i = 0; i < depth - 1; i++) lp_strbuf_putc(&b, '}');
        lp_strbuf_puts(&b, "\n{\"ok\": 1}\n");
        loupe_read_report rep;
        lp_table *t = read_text(b.p, ".json", NULL, &rep);
        assert_int_equal(rep.malformed, depth == 65);
        assert_int_equal(t->nrows, 2);
        lp_table_unref(t);
    }
    /* arrays count as levels too, and a hostile line never overflows the stack */
    lp_strbuf_clear(&b);
    lp_strbuf_puts(&b, "{\"a\": ");
    for (int i = 0; i < 200000; i++) lp_strbuf_putc(&b, '[');
    lp_strbuf_puts(&b, "\n{\"a\": [[1]]}\n");
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.mode = LOUPE_DROPMALFORMED;
    loupe_read_report rep;
    lp_table *t = read_text(b.p, ".json", &o, &rep);
    tu_assert_table(t, "a:array<string>\n[[1]]\n");
    assert_int_equal(rep.dropped, 1);
    lp_table_unref(t);
    lp_strbuf_reset(&b);
}

static void test_read_json_malformed_modes(void **state) {
    (void)state;
    const char *text = "{\"a\": 1}\n{\"a\": }\n[1]\n{\"a\": 2} x\n{\"a\": \"\\q\"}\n{\"a\" 3}\n{\"a\": 4}\n";
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.corrupt_column = "_corrupt_record";
    loupe_read_report rep;
    lp_table *t = read_text(text, ".json", &o, &rep);
    tu_assert_table(t, "a:bigint|_corrupt_record:string\n1|null\nnull|{\"a\": }\nnull|[1]\nnull|{\"a\": 2} x\n"
                       "null|{\"a\": \"\\q\"}\nnull|{\"a\" 3}\n4|null\n");
    assert_int_equal(rep.malformed, 5);
    assert_int_equal(rep.first_bad_line, 2);
    lp_table_unref(t);
    o.mode = LOUPE_DROPMALFORMED;
    expect(text, ".json", &o, "a:bigint\n1\n4\n");
    o.mode = LOUPE_FAILFAST;
    const char *path = tu_temp_text(text, ".json");
    lp_diag d;
    read_path(path, &o, NULL, LP_EVALUE, &d);
    char want[1024];
    snprintf(want, sizeof want, "malformed JSON record at line 2, column 7 of '%s': expected a value: {\"a\": }", path);
    assert_string_equal(d.msg, want);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 7);
    assert_string_equal(d.file, path);
    /* a long record's snippet is cut */
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, "{\"a\": \"");
    for (int i = 0; i < 100; i++) lp_strbuf_putc(&b, 'x');
    lp_strbuf_puts(&b, "\", oops}\n");
    path = tu_temp_text(b.p, ".json");
    read_path(path, &o, NULL, LP_EVALUE, &d);
    snprintf(want, sizeof want,
             "malformed JSON record at line 1, column 111 of '%s': expected a string key: {\"a\": \"%.53s...", path,
             b.p + 7);
    assert_string_equal(d.msg, want);
    lp_strbuf_reset(&b);
}

static void test_read_json_explicit_schema(void **state) {
    (void)state;
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.schema = "b STRING, a INT, d DATE, l ARRAY<BIGINT>, missing DOUBLE";
    loupe_read_report rep;
    lp_table *t = read_text("{\"a\": 1, \"b\": 2, \"d\": \"2020-01-02\", \"l\": [1, null], \"extra\": 1}\n"
                            "{\"a\": 1.5}\n"
                            "{\"l\": [\"x\"]}\n"
                            "{\"a\": 7, \"d\": null}\n",
                            ".json", &o, &rep);
    tu_assert_table(t, "b:string|a:bigint|d:date|l:array<bigint>|missing:double\n"
                       "2|1|2020-01-02|[1, null]|null\n"
                       "null|null|null|null|null\n"
                       "null|null|null|null|null\n"
                       "null|7|null|null|null\n");
    assert_int_equal(rep.malformed, 2);
    lp_table_unref(t);
    o.mode = LOUPE_FAILFAST;
    const char *path = tu_temp_text("{\"a\": 1}\n{\"a\": \"x\"}\n", ".json");
    lp_diag d;
    read_path(path, &o, NULL, LP_EVALUE, &d);
    char want[1024];
    snprintf(want, sizeof want,
             "malformed JSON record at line 2, column 1 of '%s': a string value for column 'a' of type bigint: "
             "{\"a\": \"x\"}",
             path);
    assert_string_equal(d.msg, want);
}

/* ---- shared: UTF-8, large fields, gzip, errors ---- */

static void test_read_invalid_utf8_is_replaced(void **state) {
    (void)state;
    loupe_read_report rep;
    lp_table *t = read_text("a,b\nok\xFF,x\n\"q\xC3\",\xE2\x82\xAC\n", ".csv", NULL, &rep);
    tu_assert_table(t, "a:string|b:string\nok\xEF\xBF\xBD|x\nq\xEF\xBF\xBD|\xE2\x82\xAC\n");
    assert_int_equal(rep.invalid_utf8, 2);
    lp_table_unref(t);
    t = read_text("{\"s\": \"a\xFF\", \"l\": [\"\xC0\", \"ok\"], \"e\": \"\\ud800x\"}\n{\"s\": \"\\\"\xFE\"}\n", ".json", NULL,
                  &rep);
    tu_assert_table(t, "s:string|l:array<string>|e:string\na\xEF\xBF\xBD|[\xEF\xBF\xBD, ok]|\xEF\xBF\xBDx\n"
                       "\"\xEF\xBF\xBD|null|null\n");
    assert_int_equal(rep.invalid_utf8, 4);
    lp_table_unref(t);
    /* a header with bad bytes, and a corrupt record kept as text */
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.corrupt_column = "bad";
    expect("n\xFF\n1\n2,\xFF\n", ".csv", &o, "n\xEF\xBF\xBD:bigint|bad:string\n1|null\nnull|2,\xEF\xBF\xBD\n");
}

static void test_read_ten_megabyte_field(void **state) {
    (void)state;
    size_t big = 10u << 20;
    char *text = malloc(big + 64);
    memcpy(text, "a,b\n1,\"", 7);
    memset(text + 7, 'x', big);
    text[7 + 1000] = '\n';
    text[7 + 2000] = ',';
    memcpy(text + 7 + big, "\"\n2,y\n", 7);
    loupe_read_report rep;
    lp_table *t = read_path(tu_temp_text(text, ".csv"), NULL, &rep, LP_OK, NULL);
    assert_int_equal(t->nrows, 2);
    lp_column *b = lp_table_column(t, 1);
    int64_t n;
    lp_col_str(b, 0, &n);
    assert_int_equal(n, (int64_t)big);
    lp_column_unref(b);
    lp_table_unref(t);
    memcpy(text, "{\"s\": \"", 7);
    text[7 + 1000] = 'x';
    text[7 + 2000] = 'x';
    memcpy(text + 7 + big, "\"}\n", 4);
    t = read_path(tu_temp_text(text, ".json"), NULL, &rep, LP_OK, NULL);
    assert_int_equal(t->nrows, 1);
    b = lp_table_column(t, 0);
    lp_col_str(b, 0, &n);
    assert_int_equal(n, (int64_t)big);
    lp_column_unref(b);
    lp_table_unref(t);
    free(text);
}

/* Writes `text` gzip-compressed to a new temporary file, as `members` gzip members. */
static const char *temp_gzip(const char *text, const char *suffix, int members) {
    const char *path = tu_temp_text("", suffix);
    size_t n = strlen(text), per = (n + (size_t)members - 1) / (size_t)members;
    for (int m = 0; m < members; m++) {
        gzFile g = gzopen(path, m == 0 ? "wb" : "ab");
        assert_non_null(g);
        size_t off = per * (size_t)m, len = off < n ? LP_MIN(per, n - off) : 0;
        if (len) assert_int_equal(gzwrite(g, text + off, (unsigned)len), (int)len);
        assert_int_equal(gzclose(g), Z_OK);
    }
    return path;
}

static void test_read_gzip(void **state) {
    (void)state;
    const char *csv = "a,b\n1,\"x\ny\"\n2,z\n";
    lp_table *t = read_path(temp_gzip(csv, ".csv.gz", 1), NULL, NULL, LP_OK, NULL);
    tu_assert_table(t, "a:bigint|b:string\n1|x\ny\n2|z\n");
    lp_table_unref(t);
    t = read_path(temp_gzip(csv, ".csv.gz", 3), NULL, NULL, LP_OK, NULL);
    tu_assert_table(t, "a:bigint|b:string\n1|x\ny\n2|z\n");
    lp_table_unref(t);
    /* detected by magic bytes, whatever the name says */
    t = read_path(temp_gzip("{\"a\": 1}\n", ".data", 1), NULL, NULL, LP_OK, NULL);
    tu_assert_table(t, "a:bigint\n1\n");
    lp_table_unref(t);

    /* truncated and corrupt streams are I/O errors naming the file */
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int i = 0; i < 2000; i++) lp_strbuf_printf(&b, "%d,row %d\n", i, i * 7);
    const char *path = temp_gzip(b.p, ".csv.gz", 1);
    FILE *f = fopen(path, "rb");
    char raw[65536];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    lp_diag d;
    const char *cut = tu_temp_file(raw, n / 2, ".csv.gz");
    read_path(cut, NULL, NULL, LP_EIO, &d);
    char want[1024];
    snprintf(want, sizeof want, "gzip file '%s' is truncated: the compressed data ends before the stream does", cut);
    assert_string_equal(d.msg, want);
    raw[n / 2] ^= 0x55;
    raw[n / 2 + 1] ^= 0x55;
    raw[n - 6] ^= 0x55; /* the CRC */
    const char *bad = tu_temp_file(raw, n, ".csv.gz");
    read_path(bad, NULL, NULL, LP_EIO, &d);
    assert_non_null(strstr(d.msg, "is corrupt"));
    assert_non_null(strstr(d.msg, bad));
    lp_strbuf_reset(&b);
}

static void test_read_missing_file(void **state) {
    (void)state;
    lp_diag d;
    read_path("/nonexistent/loupe/data.csv", NULL, NULL, LP_ENAME, &d);
    assert_string_equal(d.msg, "cannot open '/nonexistent/loupe/data.csv': No such file or directory");
    assert_string_equal(d.file, "/nonexistent/loupe/data.csv");
    read_path("/tmp", NULL, NULL, LP_EIO, &d);
    assert_non_null(strstr(d.msg, "Is a directory"));
}

static void test_read_format_detection(void **state) {
    (void)state;
    expect("{\"a\": 1}\n", ".txt.data", NULL, "a:bigint\n1\n");
    expect("a\n1\n", ".data", NULL, "a:bigint\n1\n");
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.format = LOUPE_FORMAT_CSV;
    o.header = false;
    expect("{\"a\": 1}\n", ".json", &o, "_c0:string\n{\"a\": 1}\n");
}

/* ---- threads, faults, cancellation, throughput ---- */

static const char *mixed_json(lp_strbuf *b, int rows) {
    lp_strbuf_clear(b);
    for (int r = 0; r < rows; r++) {
        if (r % 97 == 13) lp_strbuf_puts(b, "{broken\n");
        else if (r % 31 == 5) lp_strbuf_puts(b, "\n");
        else
            lp_strbuf_printf(b, "{\"id\": %d, \"t\": \"r\\u00e9view %d\", \"h\": [%d, %d], \"u\": {\"n\": \"x%d\"}%s}\n", r,
                             r, r % 3, r % 5, r % 11, r == rows / 2 ? ", \"late\": 1.5" : "");
    }
    return b->p;
}

static void test_read_same_across_threads(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.sample_rows = 20;
    o.corrupt_column = "_corrupt_record";
    chunk_case c = {tu_temp_text(mixed_json(&b, 300), ".json"), &o, 0};
    char *ref = read_dump(&c);
    assert_non_null(strstr(ref, "id:bigint|t:string|h:array<bigint>|u.n:string|late:double|_corrupt_record:string\n"));
    static const size_t sizes[] = {0, 1, 9, 100, 1000};
    for (size_t k = 0; k < LP_ARRAY_LEN(sizes); k++) {
        c.chunk = sizes[k];
        char *got = tu_same_across_threads(read_dump, &c);
        assert_string_equal(got, ref);
        lp_free(got);
    }
    lp_free(ref);
    lp_strbuf_reset(&b);
}

static void fault_loop(const char *path, const loupe_read_options *o) {
    int ok = 0;
    int64_t failures = 0;
    for (int64_t at = 1; at < 20000 && ok < 3; at++) {
        lp_mem_fail_at(at, false);
        lp_table *t = NULL;
        lp_diag d;
        lp_status st = loupe_read_file(path, o, &t, NULL, &d);
        int64_t failed = lp_mem_fail_at(0, false);
        if (st == LP_OK) {
            assert_non_null(t);
            lp_table_unref(t);
            if (!failed) ok++;
        } else {
            assert_int_equal(st, LP_ENOMEM);
            assert_null(t);
            assert_non_null(strstr(d.msg, "out of memory in read_"));
            failures++;
        }
    }
    assert_true(ok > 0);
    assert_true(failures > 20);
}

static void test_read_fault_injection(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.sample_rows = 10;
    o.corrupt_column = "c";
    lp_read_set_chunk_size(700);
    fault_loop(tu_temp_text(mixed_json(&b, 40), ".json"), &o);
    fault_loop(temp_gzip(b.p, ".json.gz", 2), &o);
    lp_strbuf_clear(&b);
    lp_strbuf_puts(&b, "a,b,c\n");
    for (int r = 0; r < 40; r++) lp_strbuf_printf(&b, "%d,\"x\n%d\",%s\n", r, r, r == 30 ? "1.5" : "2");
    fault_loop(tu_temp_text(b.p, ".csv"), &o);
    lp_read_set_chunk_size(0);
    lp_strbuf_reset(&b);
}

static void test_read_cancellation(void **state) {
    (void)state;
    const char *path = tu_temp_text("a,b\n1,2\n", ".csv");
    lp_cancel_request();
    lp_diag d;
    read_path(path, NULL, NULL, LP_ECANCELLED, &d);
    lp_cancel_clear();
    lp_table *t = read_path(path, NULL, NULL, LP_OK, NULL);
    lp_table_unref(t);
}

static void test_read_cancelled_while_running(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    const char *path = tu_temp_text(mixed_json(&b, 60000), ".json");
    lp_strbuf_reset(&b);
    lp_read_set_chunk_size(16 << 10);
    int cancelled = 0;
    for (int rep = 0; rep < 3; rep++) {
        lp_cancel_clear();
        tu_canceller th;
        tu_cancel_after(&th, 2000);
        lp_table *t = NULL;
        lp_diag d;
        lp_status st = loupe_read_file(path, NULL, &t, NULL, &d);
        tu_cancel_join(&th);
        if (st == LP_ECANCELLED) {
            assert_null(t);
            assert_non_null(strstr(d.msg, "cancelled"));
            cancelled++;
        } else {
            assert_int_equal(st, LP_OK); /* it finished first */
            lp_table_unref(t);
        }
    }
    lp_cancel_clear();
    lp_read_set_chunk_size(0);
    assert_true(cancelled > 0);
}

static void test_read_throughput_smoke(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int r = 0; b.len < (8u << 20); r++)
        lp_strbuf_printf(&b,
                         "{\"review_id\": %d, \"user\": {\"id\": \"u%d\", \"name\": \"Reviewer %d\"}, \"stars\": %d, "
                         "\"score\": %d.%d, \"text\": \"Solid place, would go again \\u2014 the %dth visit.\", "
                         "\"helpful\": [%d, %d], \"verified\": %s}\n",
                         r, r % 1000, r % 1000, r % 5 + 1, r % 10, r % 7, r, r % 3, r % 4, r % 2 ? "true" : "false");
    const char *path = tu_temp_file(b.p, b.len, ".json");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lp_table *t = read_path(path, NULL, NULL, LP_OK, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "read %.1f MB of JSON lines in %.3f s (%.0f MB/s, sanitizer build)\n", (double)b.len / 1e6, s,
            (double)b.len / 1e6 / s);
    assert_int_equal(t->ncols, 8);
    assert_true(t->nrows > 10000);
    lp_table_unref(t);
    lp_strbuf_reset(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_read_csv_infers_types),
        TU_TEST(test_read_csv_quoting_rfc4180),
        TU_TEST(test_read_csv_options),
        TU_TEST(test_read_csv_empty_and_header_only),
        TU_TEST(test_read_csv_malformed_modes),
        TU_TEST(test_read_csv_explicit_schema),
        TU_TEST(test_read_csv_widens_past_the_sample),
        TU_TEST(test_read_csv_quoted_newlines_across_chunks),
        TU_TEST(test_read_csv_first_bad_line_is_absolute),
        TU_TEST(test_read_json_values),
        TU_TEST(test_read_json_nested_and_arrays),
        TU_TEST(test_read_json_learns_past_the_sample),
        TU_TEST(test_read_json_depth_limit),
        TU_TEST(test_read_json_malformed_modes),
        TU_TEST(test_read_json_explicit_schema),
        TU_TEST(test_read_invalid_utf8_is_replaced),
        TU_TEST(test_read_ten_megabyte_field),
        TU_TEST(test_read_gzip),
        TU_TEST(test_read_missing_file),
        TU_TEST(test_read_format_detection),
        TU_TEST(test_read_same_across_threads),
        TU_TEST(test_read_fault_injection),
        TU_TEST(test_read_cancellation),
        TU_TEST(test_read_cancelled_while_running),
        TU_TEST(test_read_throughput_smoke),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
