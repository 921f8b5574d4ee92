/* bench.c -- Loupe's side of the benchmark: load throughput and operator times, medians.
 *
 *   loupe-bench REVIEWS.json REVIEWS.csv [runs]
 *
 * Each step runs once to warm up, then `runs` times (default 5); the median wall time is
 * printed as a tab-separated line "step<TAB>seconds<TAB>extra", which tests/bench/run joins
 * with the peer's figures. The last lines give the engine's peak accounted memory and the
 * process's peak RSS.
 */
#include "loupe_int.h"
#include "qdsl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static lp_table *load(const char *path, loupe_format fmt) {
    loupe_read_options o;
    loupe_read_options_init(&o);
    o.format = fmt;
    lp_diag d;
    lp_diag_init(&d);
    lp_table *t;
    if (loupe_read_file(path, &o, &t, NULL, &d) != LP_OK) {
        fprintf(stderr, "loupe-bench: %s: %s\n", path, d.msg);
        exit(1);
    }
    return t;
}

static int runs = 5;

static void bench_load(const char *step, const char *path, loupe_format fmt) {
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(1);
    }
    double t[32];
    int64_t rows = 0;
    for (int i = -1; i < runs; i++) {
        double t0 = now();
        lp_table *tab = load(path, fmt);
        double dt = now() - t0;
        rows = tab->nrows;
        lp_table_unref(tab);
        if (i >= 0) t[i] = dt;
    }
    double m = median(t, runs);
    printf("%s\t%.4f\t%.0f MB/s, %lld rows\n", step, m, (double)st.st_size / 1e6 / m, (long long)rows);
    fflush(stdout);
}

static void bench_query(const char *step, const char *program, lp_table *r) {
    double t[32];
    int64_t rows = 0;
    for (int i = -1; i < runs; i++) {
        char *err = NULL;
        double t0 = now();
        lp_table *out = qdsl_run(program, r, &err);
        double dt = now() - t0;
        if (!out) {
            fprintf(stderr, "loupe-bench: %s: %s\n", step, err ? err : "?");
            exit(1);
        }
        rows = out->nrows;
        lp_table_unref(out);
        if (i >= 0) t[i] = dt;
    }
    printf("%s\t%.4f\t%lld rows\n", step, median(t, runs), (long long)rows);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: loupe-bench REVIEWS.json REVIEWS.csv [runs]\n");
        return 2;
    }
    if (argc > 3) runs = atoi(argv[3]);
    if (runs < 1 || runs > 31) runs = 5;
    printf("threads\t%d\t\n", lp_pool_threads());
    bench_load("load_json", argv[1], LOUPE_FORMAT_JSON);
    bench_load("load_csv", argv[2], LOUPE_FORMAT_CSV);
    lp_table *raw = load(argv[1], LOUPE_FORMAT_JSON);
    char *err = NULL;
    lp_table *r = qdsl_run("r | with t=unixReviewTime, h0=(at helpful 0), h1=(at helpful 1)", raw, &err);
    lp_table_unref(raw);
    if (!r) {
        fprintf(stderr, "loupe-bench: derive: %s\n", err);
        return 1;
    }
    bench_query("group_reviewer", "r | group reviewerID : count_star() n, mean(overall) m", r);
    bench_query("join_back",
                "p = r | group reviewerID : count_star() c ; r | join p reviewerID=reviewerID inner", r);
    bench_query("filter", "r | where (and (= overall 5) (< (length reviewText) 100))", r);
    bench_query("sort", "r | select reviewerID, t, asin | sort reviewerID, t desc", r);
    lp_table_unref(r);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_engine_mb\t%.0f\t\n", (double)lp_mem_peak() / 1e6);
    printf("peak_rss_mb\t%.0f\t\n", (double)ru.ru_maxrss / 1e3);
    lp_pool_shutdown();
    return 0;
}
