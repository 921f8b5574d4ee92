/* testutil.c -- see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t mem_at_setup;
static char *temp_paths[64];
static int ntemp;

int tu_setup(void **state) {
    (void)state;
    lp_cancel_clear();
    lp_mem_fail_at(0, false);
    mem_at_setup = lp_mem_used();
    return 0;
}

int tu_teardown(void **state) {
    (void)state;
    for (int i = 0; i < ntemp; i++) {
        unlink(temp_paths[i]);
        free(temp_paths[i]);
    }
    ntemp = 0;
    lp_mem_fail_at(0, false);
    lp_cancel_clear();
    int64_t now = lp_mem_used();
    if (now != mem_at_setup) {
        fprintf(stderr, "engine memory leaked: %lld bytes still in use after the test\n",
                (long long)(now - mem_at_setup));
        return -1;
    }
    return 0;
}

/* Splits s at sep into at most max pieces (in place). */
static int split(char *s, char sep, char **out, int max) {
    int n = 0;
    if (!*s) return 0;
    out[n++] = s;
    for (char *p = s; *p && n < max; p++) {
        if (*p == '[') { /* do not split inside a list */
            while (*p && *p != ']') p++;
            if (!*p) break;
        }
        if (*p == sep) {
            *p = 0;
            out[n++] = p + 1;
        }
    }
    return n;
}

static void append_cell(lp_colbuf *b, lp_type t, const char *s) {
    size_t n = strlen(s);
    if (strcmp(s, "null") == 0) {
        lp_colbuf_append_null(b);
        return;
    }
    switch ((lp_kind)t.kind) {
    case LP_BOOL: lp_colbuf_append_bool(b, strcmp(s, "true") == 0); break;
    case LP_INT64: {
        int64_t v;
        if (!lp_parse_int64(s, n, &v)) fail_msg("bad int64 cell '%s'", s);
        lp_colbuf_append_i64(b, v);
        break;
    }
    case LP_FLOAT64: {
        double v;
        if (!lp_parse_float64(s, n, &v)) fail_msg("bad double cell '%s'", s);
        lp_colbuf_append_f64(b, v);
        break;
    }
    case LP_DATE: {
        int32_t v;
        if (!lp_parse_date(s, n, &v)) fail_msg("bad date cell '%s'", s);
        lp_colbuf_append_date(b, v);
        break;
    }
    case LP_TIMESTAMP: {
        int64_t v;
        if (!lp_parse_timestamp(s, n, &v)) fail_msg("bad timestamp cell '%s'", s);
        lp_colbuf_append_i64(b, v);
        break;
    }
    case LP_STRING: lp_colbuf_append_str(b, s, n); break;
    case LP_LIST: {
        if (s[0] != '[' || s[n - 1] != ']') fail_msg("bad list cell '%s'", s);
        char *inner = strndup(s + 1, n - 2);
        char *items[256];
        int k = split(inner, ',', items, 256);
        lp_colbuf *ch = lp_colbuf_list_child(b);
        for (int i = 0; i < k; i++) {
            while (*items[i] == ' ') items[i]++;
            append_cell(ch, lp_type_of(t.elem), items[i]);
        }
        lp_colbuf_list_end(b);
        free(inner);
        break;
    }
    default: fail_msg("unsupported type in tu_table");
    }
}

lp_table *tu_table(const char *schema, const char *rows, int rows_per_part) {
    char *sc = strdup(schema);
    char *defs[256];
    int ncols = split(sc, ',', defs, 256);
    const char *names[256];
    lp_type types[256];
    for (int i = 0; i < ncols; i++) {
        char *colon = strchr(defs[i], ':');
        if (!colon) fail_msg("schema entry '%s' has no type", defs[i]);
        *colon = 0;
        names[i] = defs[i];
        if (!lp_type_parse(colon + 1, strlen(colon + 1), &types[i])) fail_msg("bad type '%s'", colon + 1);
    }
    lp_table *t = lp_table_new(ncols, names, types);
    assert_non_null(t);
    char *rs = strdup(rows);
    char *lines[4096];
    int nrows = split(rs, ';', lines, 4096);
    int per = rows_per_part > 0 ? rows_per_part : (nrows ? nrows : 1);
    for (int start = 0; start < nrows; start += per) {
        int end = start + per < nrows ? start + per : nrows;
        lp_colbuf bufs[256];
        for (int c = 0; c < ncols; c++) lp_colbuf_init(&bufs[c], types[c]);
        for (int r = start; r < end; r++) {
            char *line = strdup(lines[r]);
            char *cells[256];
            int k = split(line, '|', cells, 256);
            if (k != ncols) fail_msg("row '%s' has %d cells, the schema %d", lines[r], k, ncols);
            for (int c = 0; c < ncols; c++) append_cell(&bufs[c], types[c], cells[c]);
            free(line);
        }
        lp_column *cols[256];
        for (int c = 0; c < ncols; c++) assert_int_equal(lp_colbuf_finish(&bufs[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, end - start, cols), LP_OK);
    }
    free(rs);
    free(sc);
    return t;
}

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *dump(const lp_table *t, bool sorted) {
    lp_strbuf out;
    lp_strbuf_init(&out);
    for (int c = 0; c < t->ncols; c++) {
        if (c) lp_strbuf_putc(&out, '|');
        lp_strbuf_printf(&out, "%s:%s", t->names[c], lp_type_name(t->types[c]));
    }
    lp_strbuf_putc(&out, '\n');
    size_t nlines = (size_t)t->nrows;
    char **lines = calloc(nlines + 1, sizeof *lines);
    size_t k = 0;
    for (int p = 0; p < t->nparts; p++) {
        for (int64_t r = 0; r < t->parts[p].nrows; r++) {
            lp_strbuf line;
            lp_strbuf_init(&line);
            for (int c = 0; c < t->ncols; c++) {
                if (c) lp_strbuf_putc(&line, '|');
                lp_value v = lp_column_get(t->parts[p].cols[c], r);
                lp_value_format(&v, &line);
            }
            lines[k++] = lp_strbuf_take(&line);
        }
    }
    if (sorted) qsort(lines, k, sizeof *lines, cmp_lines);
    for (size_t i = 0; i < k; i++) {
        lp_strbuf_puts(&out, lines[i]);
        lp_strbuf_putc(&out, '\n');
        lp_free(lines[i]);
    }
    free(lines);
    return lp_strbuf_take(&out);
}

char *tu_dump(const lp_table *t) { return dump(t, false); }
char *tu_dump_sorted(const lp_table *t) { return dump(t, true); }

void tu_assert_table_(const lp_table *t, const char *expected, bool sorted, const char *file, int line) {
    char *got = dump(t, sorted);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "%s:%d: table differs\n--- expected\n%s--- got\n%s---\n", file, line, expected, got);
        lp_free(got);
        _fail(file, line);
    }
    lp_free(got);
}

const char *tu_temp_file(const void *data, size_t len, const char *suffix) {
    char tmpl[256];
    snprintf(tmpl, sizeof tmpl, "/tmp/loupe-test-XXXXXX%s", suffix ? suffix : "");
    int fd = mkstemps(tmpl, suffix ? (int)strlen(suffix) : 0);
    if (fd < 0) fail_msg("mkstemps failed");
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w <= 0) fail_msg("write failed");
        off += (size_t)w;
    }
    close(fd);
    if (ntemp == 64) fail_msg("too many temporary files in one test");
    temp_paths[ntemp] = strdup(tmpl);
    return temp_paths[ntemp++];
}

const char *tu_temp_text(const char *text, const char *suffix) { return tu_temp_file(text, strlen(text), suffix); }

char *tu_same_across_threads(char *(*fn)(void *arg), void *arg) {
    lp_pool_set_threads(1);
    char *one = fn(arg);
    lp_pool_set_threads(4);
    char *four = fn(arg);
    lp_pool_set_threads(0);
    assert_non_null(one);
    assert_non_null(four);
    if (strcmp(one, four) != 0) {
        fprintf(stderr, "--- 1 thread\n%s--- 4 threads\n%s---\n", one, four);
        fail_msg("results differ between 1 and 4 threads");
    }
    lp_free(one);
    return four;
}

static void *cancel_thread(void *arg) {
    tu_canceller *c = arg;
    struct timespec ts = {c->micros / 1000000, (c->micros % 1000000) * 1000};
    nanosleep(&ts, NULL);
    lp_cancel_request();
    return NULL;
}

void tu_cancel_after(tu_canceller *c, long micros) {
    c->micros = micros;
    if (pthread_create(&c->thread, NULL, cancel_thread, c) != 0) fail_msg("pthread_create failed");
}

void tu_cancel_join(tu_canceller *c) { pthread_join(c->thread, NULL); }
