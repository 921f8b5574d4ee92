/* sort_gather.c -- gathers rows named by partition references into one new column.
 *
 * The last step of sort (the merged order) and of join (the matches on the right side): an
 * index vector of lp_ref_make(part, row) references, possibly negative for null rows, becomes a
 * column. Fixed-width values are copied in one tight loop per element size, strings in two
 * passes (measure, then copy into one reserved buffer), validity only when some source has
 * nulls or some reference is null. Lists, rare as sort or join payloads, go value by value.
 * Pure function of immutable inputs: any thread, many at once.
 */
#include "sort_int.h"

/* The fixed-width gather: dst[k] = the value at refs[k], zero for a null reference. */
#define GATHER_FIXED(T)                                                                          \
    do {                                                                                         \
        T *dst = b.vals;                                                                         \
        for (int64_t k = 0; k < n; k++) {                                                        \
            int64_t r = refs[k];                                                                 \
            dst[k] = r < 0 ? (T)0 : ((const T *)base[lp_ref_part(r)])[lp_ref_row(r)];           \
        }                                                                                        \
    } while (0)

/* Sets the validity bitmap of the n gathered rows; returns false when refused. */
static bool gather_validity(lp_colbuf *b, lp_column *const *src, const int64_t *refs, int64_t n) {
    size_t nb = (size_t)(b->cap + 7) / 8;
    b->valid = lp_calloc(nb ? nb : 1, 1);
    if (!b->valid) return false;
    int64_t nulls = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t r = refs[k];
        if (r >= 0 && lp_col_valid(src[lp_ref_part(r)], lp_ref_row(r)))
            b->valid[k >> 3] |= (uint8_t)(1u << (k & 7));
        else
            nulls++;
    }
    b->null_count = nulls;
    return true;
}

/* Lists: value by value through the builder, which copies the elements. */
static lp_column *gather_list(lp_column *const *src, lp_type t, const int64_t *refs, int64_t n) {
    lp_colbuf b;
    lp_colbuf_init(&b, t);
    lp_colbuf_reserve(&b, n, 0);
    for (int64_t k = 0; k < n; k++) {
        int64_t r = refs[k];
        if (r < 0) {
            lp_colbuf_append_null(&b);
        } else {
            lp_value v = lp_column_get(src[lp_ref_part(r)], lp_ref_row(r));
            lp_colbuf_append_value(&b, &v);
        }
    }
    lp_column *out;
    return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
}

lp_column *lp_sort_gather(lp_column *const *src, int nsrc, lp_type t, const int64_t *refs, int64_t n) {
    if (lp_type_nested(t)) return gather_list(src, t, refs, n);
    bool nulls = false;
    for (int i = 0; i < nsrc && !nulls; i++) nulls = src[i]->valid != NULL;
    for (int64_t k = 0; k < n && !nulls; k++) nulls = refs[k] < 0;
    const void **base = lp_malloc(sizeof *base * (size_t)(nsrc ? nsrc : 1));
    if (!base) return NULL;
    for (int i = 0; i < nsrc; i++) base[i] = src[i]->v.raw;
    lp_colbuf b;
    lp_colbuf_init(&b, t);
    size_t bytes = 0;
    if (t.kind == LP_STRING) {
        for (int64_t k = 0; k < n; k++) {
            int64_t r = refs[k];
            if (r < 0) continue;
            const int64_t *off = base[lp_ref_part(r)];
            int64_t row = lp_ref_row(r);
            bytes += (size_t)(off[row + 1] - off[row]);
        }
    }
    if (!lp_colbuf_reserve(&b, n, bytes)) goto fail;
    switch ((lp_kind)t.kind) {
    case LP_BOOL: GATHER_FIXED(uint8_t); break;
    case LP_DATE: GATHER_FIXED(int32_t); break;
    case LP_STRING: {
        int64_t *off = b.vals;
        char *data = b.data;
        size_t at = 0;
        off[0] = 0;
        for (int64_t k = 0; k < n; k++) {
            /* long string gathers stop for an interrupt (NULL; the caller checks lp_cancelled) */
            if ((k & 0xFFFF) == 0xFFFF && lp_cancelled()) goto fail;
            int64_t r = refs[k];
            if (r >= 0) {
                const lp_column *c = src[lp_ref_part(r)];
                int64_t row = lp_ref_row(r), len = c->v.off[row + 1] - c->v.off[row];
                if (len) memcpy(data + at, c->data + c->v.off[row], (size_t)len);
                at += (size_t)len;
            }
            off[k + 1] = (int64_t)at;
        }
        b.dlen = at;
        break;
    }
    case LP_FLOAT64: GATHER_FIXED(double); break;
    default: GATHER_FIXED(int64_t); break; /* int64, timestamp */
    }
    b.len = n;
    if (nulls && !gather_validity(&b, src, refs, n)) goto fail;
    lp_free(base);
    lp_column *out;
    return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
fail:
    lp_free(base);
    lp_colbuf_reset(&b);
    return NULL;
}
