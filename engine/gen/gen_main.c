/* gen_main.c -- `loupe-gen`: writes the synthetic Amazon Electronics reviews for the workshop,
 * and the db-benchmark tables for the benchmark.
 *
 *   loupe-gen [--rows N] [--seed S] [--format json|csv] [--out FILE] [--labels FILE]
 *             [--threads N] [--no-plant]
 *   loupe-gen --table g1 [--rows N] [--groups K] [--seed S] --out FILE
 *   loupe-gen --table j1 [--rows N] [--seed S] --out PREFIX
 *
 * Defaults: 200,000 rows, seed 42, JSON lines, standard output, no labels file. The same
 * arguments always give the same bytes, whatever the thread count. A usage mistake prints the
 * usage and exits 2; a failure to write exits 1.
 */
#include "gen/g1.h"
#include "gen/gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "usage: loupe-gen [--rows N] [--seed S] [--format json|csv] [--out FILE] [--labels FILE]\n"
    "                 [--threads N] [--no-plant]\n"
    "  --rows N        reviews to write (default 200000)\n"
    "  --seed S        random seed (default 42); the same rows and seed give the same bytes\n"
    "  --format F      json (JSON lines, the original's format, default) or csv (with a header)\n"
    "  --out FILE      where to write the reviews (default: standard output; '-' too)\n"
    "  --labels FILE   also write the planted fake reviewers as CSV reviewerID,kind\n"
    "  --threads N     threads to use (default: all cores); never changes the output\n"
    "  --no-plant      no planted fake-review behaviour\n"
    "  --quiet         no summary line on standard error\n"
    "  --table T       reviews (default), g1 (db-benchmark group-by table, CSV, default 1e7 rows)\n"
    "                  or j1 (its join tables: PREFIX_x/_small/_medium/_big.csv, default 1e7 rows)\n"
    "  --groups K      g1: groups of the id columns (default 100)\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "loupe-gen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return 2;
}

/* A whole-text non-negative integer, or false. */
static bool parse_count(const char *s, int64_t *out) {
    if (!*s || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > (unsigned long long)INT64_MAX) return false;
    *out = (int64_t)v;
    return true;
}

int main(int argc, char **argv) {
    lp_gen_options o;
    lp_gen_options_init(&o);
    const char *out = NULL, *labels = NULL;
    bool quiet = false, rows_given = false;
    const char *table = "reviews";
    int64_t groups = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (strcmp(a, "--no-plant") == 0) { o.plant = false; continue; }
        if (strcmp(a, "--quiet") == 0) { quiet = true; continue; }
        bool takes = strcmp(a, "--rows") == 0 || strcmp(a, "--seed") == 0 || strcmp(a, "--format") == 0 ||
                     strcmp(a, "--out") == 0 || strcmp(a, "--labels") == 0 || strcmp(a, "--threads") == 0 ||
                     strcmp(a, "--table") == 0 || strcmp(a, "--groups") == 0;
        if (!takes) return usage_error("unknown argument '%s'", a);
        if (i + 1 >= argc) return usage_error("%s needs a value", a);
        const char *v = argv[++i];
        int64_t n;
        if (strcmp(a, "--rows") == 0) {
            if (!parse_count(v, &n)) return usage_error("--rows wants a non-negative integer, not '%s'", v);
            o.rows = n;
            rows_given = true;
        } else if (strcmp(a, "--groups") == 0) {
            if (!parse_count(v, &n) || n < 1) return usage_error("--groups wants a positive integer, not '%s'", v);
            groups = n;
        } else if (strcmp(a, "--table") == 0) {
            if (strcmp(v, "reviews") && strcmp(v, "g1") && strcmp(v, "j1"))
                return usage_error("--table is reviews, g1 or j1, not '%s'", v);
            table = v;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_count(v, &n)) return usage_error("--seed wants a non-negative integer, not '%s'", v);
            o.seed = (uint64_t)n;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_count(v, &n) || n < 1 || n > 256) return usage_error("--threads wants 1 to 256, not '%s'", v);
            lp_pool_set_threads((int)n);
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "json") == 0) o.format = LP_GEN_JSON;
            else if (strcmp(v, "csv") == 0) o.format = LP_GEN_CSV;
            else return usage_error("--format is json or csv, not '%s'", v);
        } else if (strcmp(a, "--out") == 0) {
            out = v;
        } else {
            labels = v;
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lp_diag d;
    lp_diag_init(&d);
    if (strcmp(table, "reviews") != 0) {
        if (!out || strcmp(out, "-") == 0) return usage_error("--table %s needs --out", table);
        int64_t rows = rows_given ? o.rows : 10000000, bytes = 0;
        lp_status st = table[0] == 'g' ? lp_gen_g1_write(rows, groups, o.seed, out, &bytes, &d)
                                       : lp_gen_j1_write(rows, o.seed, out, &bytes, &d);
        lp_pool_shutdown();
        if (st != LP_OK) {
            fprintf(stderr, "%s\n", d.msg);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!quiet)
            fprintf(stderr, "loupe-gen: %s table of %lld rows, %.1f MB in %.2f s\n", table, (long long)rows,
                    (double)bytes / 1e6,
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        return 0;
    }
    lp_gen_report rep;
    lp_status st = lp_gen_write_path(&o, out, labels, &rep, &d);
    lp_pool_shutdown();
    if (st != LP_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!quiet)
        fprintf(stderr, "loupe-gen: %lld reviews by %lld reviewers of %lld products (%lld planted reviewers, "
                        "%lld planted reviews), %.1f MB in %.2f s\n",
                (long long)rep.rows, (long long)rep.reviewers, (long long)rep.products,
                (long long)rep.planted_reviewers, (long long)rep.planted_rows, (double)rep.bytes / 1e6,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
