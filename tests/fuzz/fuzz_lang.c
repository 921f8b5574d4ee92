/* fuzz_lang.c -- libFuzzer harness for the language: statements, and the SQL inside them.
 *
 * Each input is a cell's text (at most 4 KB, so every input stays quick) run by loupe_run on a
 * fresh session, after a prelude that reads the fixtures and registers them, so statements and
 * spark.sql(...) / filter("...") strings do real work over real tables:
 *     people  (data/people.csv), orders (data/orders.csv), reviews (200 reviews made here),
 *     df = people; each also a temp view of the same name (only those the input names).
 * The session runs in a scratch directory holding data/ (tests/lang/data/ and the reviews),
 * the paths the language cases use, so their .lp files are good seeds; fuzz_sandbox.c resolves
 * every relative path the input names there and refuses the others. The memory cap is 128 MB.
 *
 * Every displayed value is rendered as the front ends do (text table, HTML table, SVG and text
 * chart); a failed run's diagnostic is formatted against the input (its span must point into
 * it); completion, inspection and is_complete run at a point of the input. What must hold
 * besides "no sanitizer report": an error has a message, and once the session is freed the
 * engine's allocator holds what it held before, to the byte.
 */
#include "fuzz_sandbox.h"
#include "loupe.h"
#include "loupe_int.h"
#include "render/chart.h"
#include "render/render.h"
#include "render/web.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LOUPE_ROOT
#define LOUPE_ROOT "."
#endif
#define FUZZ_MAX_INPUT 4096

static char root[256];
static int64_t baseline;

/* tests/lang/data/: copied into the scratch data/ (the sandbox keeps them unchanged). */
static const char *const fixtures[] = {"bad.json",   "codes.csv", "orders.csv", "people.csv", "people.csv.gz",
                                       "quoted.csv", "semi.csv",  "reviews.json", NULL};

/* The prelude, one part per table, each run only when the input names the table (reading the
 * JSON reviews for an input that never uses them would be most of the time an input takes). */
static const struct {
    const char *name, *code;
} prelude[] = {
    {"people", "people = spark.read.csv(\"data/people.csv\", header=True, inferSchema=True)\n"
               "df = people\n"
               "people.createOrReplaceTempView(\"people\")\n"},
    {"df", NULL},
    {"orders", "orders = spark.read.csv(\"data/orders.csv\", header=True, inferSchema=True)\n"
               "orders.createOrReplaceTempView(\"orders\")\n"},
    {"reviews", "reviews = spark.read.json(\"data/reviews.json\")\n"
                "reviews.createOrReplaceTempView(\"reviews\")\n"},
};

/* Runs the prelude's parts the input needs (all of them when code is NULL). */
static void run_prelude(loupe_session *s, const char *code) {
    bool people = false;
    for (size_t i = 0; i < sizeof prelude / sizeof prelude[0]; i++) {
        bool named = !code || strstr(code, prelude[i].name);
        const char *text = prelude[i].code;
        if (!text) {  /* df is people */
            if (!named || people) continue;
            text = prelude[0].code;
        } else if (!named) {
            continue;
        }
        if (i == 0) people = true;
        loupe_diag d;
        if (loupe_run(s, text, strlen(text), "<prelude>", 1, NULL, &d) != LOUPE_OK) {
            fprintf(stderr, "fuzz_lang: the prelude failed: %s\n", d.msg);
            abort();
        }
    }
}

static bool verbose;  /* FUZZ_VERBOSE: print what the input printed and its error */

static void display(void *ctx, const loupe_display *d) {
    (void)ctx;
    lp_strbuf b;
    lp_strbuf_init(&b);
    if (d->kind == LOUPE_DISPLAY_TABLE && d->table) {
        lp_render_table_text(d->table, d->total_rows, 100, 40, &b);
        lp_strbuf_clear(&b);
        lp_render_table_html(d->table, d->total_rows, 40, &b);
    } else if (d->kind == LOUPE_DISPLAY_CHART && d->chart) {
        lp_render_chart_svg(d->chart, 640, 400, &b);
        lp_strbuf_clear(&b);
        lp_chart_render_text(d->chart, 80, 20, &b);
    }
    if (d->text_len && !d->text) abort();
    if (verbose && d->text) fprintf(stderr, "%.*s\n", (int)d->text_len, d->text);
    lp_strbuf_reset(&b);
}

static void sink(void *ctx, const char *s, size_t n) {
    (void)ctx;
    if (n && !s) abort();
    if (verbose) fwrite(s, 1, n, stderr);
}

/* data/reviews.json: 200 reviews in the generator's shape (the generator itself, engine/gen/,
 * is not in the fuzz build), from a fixed linear congruential sequence, so every run is the
 * same. Nulls, a missing key, an empty text, escaped quotes and non-ASCII text are among them. */
static void write_reviews(const char *path) {
    static const char *const names[] = {"R. Clark", "Patricia", "J\u00f6rg", "Ann", "Bob O'Neil"};
    static const char *const summaries[] = {"Great", "Disappointed", "Not worth it", "Five stars", "Meh"};
    static const char *const texts[] = {"Works well at home.", "It broke after two weeks.", "",
                                        "Caf\u00e9 quality, \\\"really\\\" good.", "Do not buy this camera."};
    FILE *f = fopen(path, "w");
    if (!f) abort();
    uint64_t x = 7;
    for (int i = 0; i < 200; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(x >> 33);
        fprintf(f, "{\"reviewerID\": \"A%04u\", \"asin\": \"B%03u\", ", r % 40, (r >> 8) % 25);
        if (i % 17 == 3) fprintf(f, "\"reviewerName\": null, ");
        else if (i % 19 != 5) fprintf(f, "\"reviewerName\": \"%s\", ", names[(r >> 4) % 5]);
        fprintf(f, "\"helpful\": [%u, %u], \"reviewText\": \"%s\", \"overall\": %u.0, \"summary\": \"%s\", ",
                (r >> 12) % 3, (r >> 12) % 3 + (r >> 14) % 4, texts[(r >> 16) % 5], 1 + (r >> 18) % 5,
                summaries[(r >> 20) % 5]);
        unsigned t = 1200000000u + (r % 400000000u) / 86400u * 86400u;
        fprintf(f, "\"unixReviewTime\": %u, \"reviewTime\": \"%02u %02u, 20%02u\"}\n", t, 1 + (r >> 3) % 12,
                1 + (r >> 5) % 28, 8 + (r >> 7) % 10);
    }
    if (fclose(f) != 0) abort();
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) {
        fprintf(stderr, "fuzz_lang: cannot copy %s to %s: %s\n", from, to, strerror(errno));
        abort();
    }
    char buf[8192];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, k, out) != k) abort();
    fclose(in);
    if (fclose(out) != 0) abort();
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void remove_root(void) {
    fuzz_sandbox_disarm();
    if (root[0]) nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One run of code on s; the checks after it. */
static void run(loupe_session *s, const char *code, size_t n, const char *name) {
    loupe_output out = {NULL, sink, sink, display};
    loupe_diag d;
    memset(&d, 0, sizeof d);
    loupe_cancel_reset();
    loupe_status st = loupe_run(s, code, n, name, 1, &out, &d);
    if (st != LOUPE_OK) {
        if (d.msg[0] == 0) {
            fprintf(stderr, "fuzz_lang: status %d (%s) without a message\n", (int)st, loupe_status_name(st));
            abort();
        }
        char *f = loupe_diag_format(&d, code, n, false);
        if (!f) abort();
        if (verbose) fprintf(stderr, "%s\n", f);
        free(f);
    }
}

/* libFuzzer ends a fuzzing run with _Exit, so atexit does not always remove the scratch
 * directory: each run removes those left by processes that no longer exist. */
static void remove_stale(const char *tmp) {
    DIR *d = opendir(tmp);
    if (!d) return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        long pid;
        if (sscanf(e->d_name, "loupe-fuzz-lang-%ld-", &pid) != 1 || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        snprintf(p, sizeof p, "%s/%s", tmp, e->d_name);
        nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    remove_stale(tmp);
    snprintf(root, sizeof root, "%s/loupe-fuzz-lang-%ld-XXXXXX", tmp, (long)getpid());
    if (!mkdtemp(root)) {
        perror(root);
        abort();
    }
    atexit(remove_root);
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    char p[512], q[512];
    snprintf(p, sizeof p, "%s/data", root);
    if (mkdir(p, 0700) != 0) abort();
    const char *src = getenv("LOUPE_FUZZ_DATA") ? getenv("LOUPE_FUZZ_DATA") : LOUPE_ROOT "/tests/lang/data";
    for (int i = 0; fixtures[i]; i++) {
        if (strcmp(fixtures[i], "reviews.json") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", src, fixtures[i]);
        snprintf(q, sizeof q, "%s/data/%s", root, fixtures[i]);
        copy_file(p, q);
    }
    snprintf(p, sizeof p, "%s/data/reviews.json", root);
    write_reviews(p);
    loupe_set_threads(getenv("LOUPE_THREADS") ? 0 : 1);  /* one: quicker; 0: the variable says */
    loupe_set_memory_limit(128 << 20);
    /* a first session warms up what the engine keeps for the process (the pool) */
    fuzz_sandbox_arm(root, fixtures);
    loupe_session *s = loupe_session_new();
    if (!s) abort();
    run_prelude(s, NULL);
    loupe_session_free(s);
    fuzz_sandbox_disarm();
    baseline = loupe_memory_used();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return -1;
    /* a NUL-terminated copy: the exact-size heap block lets ASan see reads past the end */
    char *code = malloc(size + 1);
    if (!code) abort();
    memcpy(code, data, size);
    code[size] = 0;

    fuzz_sandbox_arm(root, fixtures);
    loupe_session *s = loupe_session_new();
    if (!s) abort();
    loupe_session_set_display_rows(s, 20);
    run_prelude(s, code);
    run(s, code, size, "<fuzz>");

    /* the front ends' other entry points, at a point of the input */
    size_t cursor = size ? (size_t)data[0] * 31 % (size + 1) : 0;
    (void)loupe_is_complete(code, size);
    char **m = NULL;
    int nm = 0;
    size_t b = 0, e = 0;
    if (loupe_complete(s, code, size, cursor, &m, &nm, &b, &e) == LOUPE_OK) {
        if (b > e || e > size) {
            fprintf(stderr, "fuzz_lang: completion range [%zu, %zu) outside the %zu bytes\n", b, e, size);
            abort();
        }
        loupe_free_matches(m, nm);
    }
    free(loupe_inspect(s, code, size, cursor));

    loupe_session_free(s);
    fuzz_sandbox_disarm();
    fuzz_sandbox_clean();
    free(code);
    if (loupe_memory_used() != baseline) {
        fprintf(stderr, "fuzz_lang: the engine holds %lld bytes after the session was freed (%lld before)\n",
                (long long)loupe_memory_used(), (long long)baseline);
        abort();
    }
    return 0;
}
