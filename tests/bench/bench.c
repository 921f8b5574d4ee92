/* bench.c -- Loupe's side of the benchmark: runs a sectioned Loupe script through the public
 * session API and times each step, so the figures exclude process start.
 *
 *   loupe-bench [--runs N] [--once] [--only a,b,...] [--skip a,b,...] [-D name=value]... SCRIPT.lp
 *
 * A script is Loupe code cut into sections by marker lines:
 *     #@ step NAME     code timed as step NAME (it should materialise its result: .cache()
 *                      and .count(), as DuckDB's CREATE TABLE AS does)
 *     #@ check NAME    code run once, untimed, after step NAME: writes the step's result (or a
 *                      summary of it) to OUT + "/NAME.csv" for tests/bench/compare.mjs
 * Code before the first marker runs once first. Each -D name=value runs `name = "value"` before
 * everything (paths: JSON, CSV, G1, J1, OUT).
 *
 * Default mode: every step runs once to warm up, then N times (default 5); prints
 * "NAME<TAB>median seconds<TAB>note" per step, then the step's check runs. A step that fails
 * with NotSupportedError prints "NAME<TAB>-<TAB>unsupported: message" and its check is skipped
 * (the comparison then reports it); any other error stops the run (exit 1).
 * --only: only the named steps are timed; the others run once, untimed, for the variables the
 * timed ones need; no checks (the threads table). --once: every step once, no checks, then
 * "total<TAB>seconds" (the whole-script measurement under /usr/bin/time -v). --skip: the named
 * steps and their checks do not run at all (the whole script leaves out the CSV load).
 */
#include "loupe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct section {
    char kind;          /* 'p' prologue, 's' step, 'c' check */
    char name[64];
    const char *code;
    size_t len;
    int line;           /* of the section's first code line */
} section;

/* Wall time; with BENCH_CLOCK=cpu the process's CPU time over all threads instead, a figure
 * that other work on the machine disturbs less (for comparing two builds while profiling; the
 * table in README.md is always wall time). */
static double now(void) {
    static int cpu = -1;
    if (cpu < 0) cpu = getenv("BENCH_CLOCK") && strcmp(getenv("BENCH_CLOCK"), "cpu") == 0;
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    s[n] = 0;
    fclose(f);
    return s;
}

/* Cuts text into sections at "#@ step NAME" / "#@ check NAME" lines (the text is modified:
 * marker lines are blanked so each section is a plain slice). */
static int split_sections(char *text, section *out, int max) {
    int n = 0, line = 1;
    out[n++] = (section){.kind = 'p', .code = text, .line = 1};
    for (char *p = text; *p;) {
        char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char kind = 0;
        if (strncmp(p, "#@ step ", 8) == 0) kind = 's';
        else if (strncmp(p, "#@ check ", 9) == 0) kind = 'c';
        if (kind) {
            if (n == max) {
                fprintf(stderr, "loupe-bench: too many sections\n");
                exit(2);
            }
            section *prev = &out[n - 1];
            prev->len = (size_t)(p - prev->code);
            const char *nm = p + (kind == 's' ? 8 : 9);
            size_t nl = (size_t)(p + len - nm);
            if (nl >= sizeof out[n].name) nl = sizeof out[n].name - 1;
            out[n] = (section){.kind = kind, .line = line + 1};
            memcpy(out[n].name, nm, nl);
            out[n].name[strcspn(out[n].name, " \r\t")] = 0;
            out[n].code = eol ? eol + 1 : p + len;
            n++;
        }
        line++;
        p = eol ? eol + 1 : p + len;
    }
    out[n - 1].len = strlen(out[n - 1].code);
    return n;
}

static void to_stderr(void *ctx, const char *s, size_t n) {
    (void)ctx;
    fwrite(s, 1, n, stderr);
}

static loupe_session *sess;
static const char *script_name;

/* Runs code; LOUPE_OK, or LOUPE_EUNSUPPORTED with the message in msg; other errors exit. */
static loupe_status run(const section *sec, char *msg, size_t msgn) {
    loupe_output out = {.out = NULL, .err = to_stderr, .display = NULL};
    loupe_diag d;
    loupe_status st = loupe_run(sess, sec->code, sec->len, script_name, sec->line, &out, &d);
    if (st == LOUPE_OK) return st;
    char *text = loupe_diag_format(&d, sec->code, sec->len, false);
    if (st == LOUPE_EUNSUPPORTED && msg) {
        snprintf(msg, msgn, "%s", d.msg);
        free(text);
        return st;
    }
    fprintf(stderr, "loupe-bench: %s %s failed:\n%s\n", sec->kind == 'c' ? "check" : "step", sec->name,
            text ? text : d.msg);
    free(text);
    exit(1);
}

/* Whether name is in the comma-separated list (a NULL list holds every name). */
static bool listed(const char *only, const char *name) {
    if (!only) return true;
    size_t n = strlen(name);
    for (const char *p = only; *p;) {
        size_t m = strcspn(p, ",");
        if (m == n && strncmp(p, name, n) == 0) return true;
        p += m + (p[m] == ',');
    }
    return false;
}

int main(int argc, char **argv) {
    int runs = 5;
    bool once = false;
    const char *only = NULL, *skip = NULL, *script = NULL;
    char defs[8192] = "";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--once") == 0) once = true;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
        else if (strcmp(argv[i], "--skip") == 0 && i + 1 < argc) skip = argv[++i];
        else if (strcmp(argv[i], "-D") == 0 && i + 1 < argc) {
            const char *eq = strchr(argv[++i], '=');
            if (!eq) {
                fprintf(stderr, "loupe-bench: -D wants name=value\n");
                return 2;
            }
            size_t used = strlen(defs);
            snprintf(defs + used, sizeof defs - used, "%.*s = \"%s\"\n", (int)(eq - argv[i]), argv[i], eq + 1);
        } else if (!script && argv[i][0] != '-') script = argv[i];
        else {
            fprintf(stderr, "usage: loupe-bench [--runs N] [--once] [--only a,b] [--skip a,b] [-D name=value]... SCRIPT.lp\n");
            return 2;
        }
    }
    if (!script) {
        fprintf(stderr, "usage: loupe-bench [--runs N] [--once] [--only a,b] [--skip a,b] [-D name=value]... SCRIPT.lp\n");
        return 2;
    }
    if (runs < 1 || runs > 31) runs = 5;
    script_name = script;
    char *text = read_all(script);
    section secs[128];
    int n = split_sections(text, secs, 128);
    sess = loupe_session_new();
    if (!sess) {
        fprintf(stderr, "loupe-bench: no memory for a session\n");
        return 1;
    }
    section def = {.kind = 'p', .name = "-D", .code = defs, .len = strlen(defs), .line = 1};
    run(&def, NULL, 0);
    if (!once) printf("threads\t%d\t\n", loupe_threads());
    fflush(stdout);
    double t_all = now();
    bool skip_check = false;
    for (int i = 0; i < n; i++) {
        section *s = &secs[i];
        char msg[1024] = "";
        if (s->kind != 'p' && skip && listed(skip, s->name)) {
            skip_check = true;
        } else if (s->kind == 'p') {
            run(s, NULL, 0);
        } else if (s->kind == 'c') {
            if (!once && !only && !skip_check) run(s, NULL, 0);
        } else if (once || !listed(only, s->name)) {
            skip_check = run(s, msg, sizeof msg) != LOUPE_OK;
            if (skip_check && once) fprintf(stderr, "loupe-bench: %s: unsupported: %s\n", s->name, msg);
        } else {
            double t[32];
            skip_check = false;
            for (int k = -1; k < runs && !skip_check; k++) {
                double t0 = now();
                skip_check = run(s, msg, sizeof msg) != LOUPE_OK;
                if (k >= 0) t[k] = now() - t0;
            }
            if (skip_check) {
                for (char *c = msg; *c; c++)
                    if (*c == '\n' || *c == '\t') *c = ' ';
                printf("%s\t-\tunsupported: %s\n", s->name, msg);
            } else {
                qsort(t, (size_t)runs, sizeof *t, cmp_double);
                double m = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
                printf("%s\t%.4f\t\n", s->name, m);
            }
            fflush(stdout);
        }
    }
    if (once) printf("total\t%.4f\t\n", now() - t_all);
    printf("peak_engine_mb\t%.0f\t\n", (double)loupe_memory_peak() / 1e6);
    loupe_session_free(sess);
    free(text);
    return 0;
}
