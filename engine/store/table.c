/* table.c -- a table: a schema plus an ordered list of partitions.
 *
 * A partition is a row group of bounded size and the unit of parallel work, like a Spark
 * partition. Tables are built by one thread (a reader's or operator's merge step), then shared
 * by reference and never changed. The table owns its names and one reference to each column.
 */
#include "loupe_int.h"

#include <strings.h>

lp_table *lp_table_new(int ncols, const char *const *names, const lp_type *types) {
    lp_table *t = lp_calloc(1, sizeof *t);
    if (!t) return NULL;
    atomic_init(&t->refs, 1);
    t->names = lp_calloc((size_t)ncols + 1, sizeof *t->names);
    t->types = lp_calloc((size_t)ncols + 1, sizeof *t->types);
    if (!t->names || !t->types) goto fail;
    t->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        t->names[i] = lp_strdup(names[i]);
        if (!t->names[i]) goto fail;
        t->types[i] = types[i];
    }
    return t;
fail:
    lp_table_unref(t);
    return NULL;
}

lp_status lp_table_add_part(lp_table *t, int64_t nrows, lp_column **cols) {
    if (nrows == 0) {
        for (int i = 0; i < t->ncols; i++) lp_column_unref(cols[i]);
        return LP_OK;
    }
    lp_column **own = lp_malloc(sizeof *own * (size_t)(t->ncols ? t->ncols : 1));
    if (own && t->nparts == t->cap_parts) {
        int cap = t->cap_parts ? t->cap_parts * 2 : 8;
        lp_part *p = lp_realloc(t->parts, sizeof *p * (size_t)cap);
        if (!p) {
            lp_free(own);
            own = NULL;
        } else {
            t->parts = p;
            t->cap_parts = cap;
        }
    }
    if (!own) {
        for (int i = 0; i < t->ncols; i++) lp_column_unref(cols[i]);
        return LP_ENOMEM;
    }
    memcpy(own, cols, sizeof *own * (size_t)t->ncols);
    t->parts[t->nparts].nrows = nrows;
    t->parts[t->nparts].cols = own;
    t->nparts++;
    t->nrows += nrows;
    return LP_OK;
}

lp_table *lp_table_ref(lp_table *t) {
    if (t) atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    return t;
}

void lp_table_unref(lp_table *t) {
    if (!t) return;
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1) return;
    for (int p = 0; p < t->nparts; p++) {
        for (int c = 0; c < t->ncols; c++) lp_column_unref(t->parts[p].cols[c]);
        lp_free(t->parts[p].cols);
    }
    lp_free(t->parts);
    if (t->names)
        for (int c = 0; c < t->ncols; c++) lp_free(t->names[c]);
    lp_free(t->names);
    lp_free(t->types);
    lp_free(t);
}

int lp_table_col_index(const lp_table *t, const char *name) {
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->names[i], name) == 0) return i;
    for (int i = 0; i < t->ncols; i++)
        if (strcasecmp(t->names[i], name) == 0) return i;
    return -1;
}

lp_column *lp_table_column(const lp_table *t, int col) {
    if (t->nparts == 0) return lp_column_new_null(t->types[col], 0);
    lp_column **cols = lp_malloc(sizeof *cols * (size_t)t->nparts);
    if (!cols) return NULL;
    for (int p = 0; p < t->nparts; p++) cols[p] = t->parts[p].cols[col];
    lp_column *c = lp_column_concat(cols, t->nparts);
    lp_free(cols);
    return c;
}

lp_table *lp_table_coalesce(lp_table *t) {
    if (t->nparts <= 1) return lp_table_ref(t);
    lp_table *out = lp_table_new(t->ncols, (const char *const *)t->names, t->types);
    if (!out) return NULL;
    lp_column **cols = lp_calloc((size_t)t->ncols + 1, sizeof *cols);
    if (!cols) goto fail;
    for (int c = 0; c < t->ncols; c++) {
        cols[c] = lp_table_column(t, c);
        if (!cols[c]) {
            for (int k = 0; k < c; k++) lp_column_unref(cols[k]);
            lp_free(cols);
            goto fail;
        }
    }
    lp_status st = lp_table_add_part(out, t->nrows, cols);
    lp_free(cols);
    if (st != LP_OK) goto fail;
    out->malformed = t->malformed;
    return out;
fail:
    lp_table_unref(out);
    return NULL;
}

/* ---- public accessors ---- */

int64_t loupe_table_rows(const loupe_table *t) { return t->nrows; }
int loupe_table_columns(const loupe_table *t) { return t->ncols; }
int loupe_table_partitions(const loupe_table *t) { return t->nparts; }
const char *loupe_table_column_name(const loupe_table *t, int col) {
    return col >= 0 && col < t->ncols ? t->names[col] : NULL;
}
const char *loupe_table_column_type(const loupe_table *t, int col) {
    return col >= 0 && col < t->ncols ? lp_type_name(t->types[col]) : NULL;
}
void loupe_table_free(loupe_table *t) { lp_table_unref(t); }
