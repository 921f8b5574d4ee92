/* gen.h -- the reviews generator: Amazon-Electronics-shaped reviews (McAuley et al.) with
 * planted fake-review behaviour, for the workshop lessons.
 *
 * Output rows have the original keys in the original order: reviewerID, asin, reviewerName
 * (sometimes absent), helpful ([helpful votes, total votes]), reviewText, overall (1.0..5.0),
 * summary, unixReviewTime (midnight UTC, seconds) and reviewTime ("06 2, 2013"), as JSON lines
 * (the original's `", "` and `": "` separators) or as RFC 4180 CSV with a header.
 *
 * The output depends only on (rows, seed, format, plant): rows are made in fixed-size blocks,
 * each with its own random stream seeded from (seed, block), in parallel on the pool, and
 * written in block order, so the thread count never changes a byte.
 *
 * Planted behaviour (about 1% of the rows): kinds `burst`, `duplicate`, `short`, `phrase`,
 * `lowhelp` and `product_burst` (see gen.c). The labels file is CSV `reviewerID,kind`, one
 * line per planted reviewer.
 */
#ifndef LP_GEN_H
#define LP_GEN_H

#include "loupe_int.h"

#include <stdio.h>

typedef enum lp_gen_format { LP_GEN_JSON = 0, LP_GEN_CSV } lp_gen_format;

/* The kinds of planted reviewers; LP_GEN_GENUINE is everyone else. */
typedef enum lp_gen_kind {
    LP_GEN_GENUINE = 0,
    LP_GEN_BURST,          /* many five-star reviews within a few days */
    LP_GEN_DUPLICATE,      /* the same summary and (near-)same text across reviews and accounts */
    LP_GEN_SHORT,          /* very short texts ("Great product!") */
    LP_GEN_PHRASE,         /* "received this product at a discount", "honest review" */
    LP_GEN_LOWHELP,        /* many reviews that readers voted unhelpful */
    LP_GEN_PRODUCT_BURST,  /* accounts piling onto one product within a few days */
    LP_GEN_KIND_COUNT
} lp_gen_kind;

/* The kind's label as the labels file writes it ("burst", ..., "genuine"). */
const char *lp_gen_kind_name(lp_gen_kind k);

typedef struct lp_gen_options {
    int64_t rows;          /* default 200,000 */
    uint64_t seed;         /* default 42 */
    lp_gen_format format;  /* default JSON lines */
    bool plant;            /* plant fake-review behaviour (default true) */
} lp_gen_options;

void lp_gen_options_init(lp_gen_options *o);

/* What a run made (for the command's message and the tests). */
typedef struct lp_gen_report {
    int64_t rows;
    int64_t reviewers;         /* distinct reviewers, planted included */
    int64_t products;
    int64_t planted_reviewers;
    int64_t planted_rows;
    int64_t bytes;             /* bytes of data written (not counting the labels) */
} lp_gen_report;

/* Writes o->rows reviews to `out` and, when `labels` is not NULL, the labels CSV to it.
 * `report` may be NULL. LP_EIO when a write fails, LP_ENOMEM, LP_ECANCELLED; LP_EVALUE for
 * rows < 0. The streams stay open (the caller closes them). */
LP_WUR lp_status lp_gen_write(const lp_gen_options *o, FILE *out, FILE *labels, lp_gen_report *report,
                              lp_diag *d);
/* The same to files: `path` NULL or "-" is stdout; `labels_path` NULL writes no labels. */
LP_WUR lp_status lp_gen_write_path(const lp_gen_options *o, const char *path, const char *labels_path,
                                   lp_gen_report *report, lp_diag *d);

#endif /* LP_GEN_H */
