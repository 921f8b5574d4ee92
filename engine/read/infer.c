/* infer.c -- the readers' schema side: column names with a hash index, Spark's inference of a
 * CSV field's type, and checking, converting and appending a record's staged values.
 *
 * Inference is a lattice walk: a column starts void (no non-null value seen) and every value
 * that does not fit moves it up with lp_type_unify (int -> double -> string, date -> timestamp,
 * anything else -> string). The sampling pass uses it to build the schema; the full pass uses it
 * to notice what the sample missed. Void columns are stored as strings (lp_read_final_type).
 * Functions here touch only the chunk they are given; any thread.
 */
#include "read.h"

#include <stdio.h>
#include <strings.h>

/* ---- names ---- */

void lp_rkeys_init(lp_rkeys *k) { memset(k, 0, sizeof *k); }

void lp_rkeys_reset(lp_rkeys *k) {
    for (int i = 0; i < k->n; i++) lp_free(k->names[i]);
    lp_free(k->names);
    lp_free(k->lens);
    lp_free(k->types);
    lp_free(k->slots);
    memset(k, 0, sizeof *k);
}

int lp_rkeys_find(const lp_rkeys *k, const char *name, size_t len) {
    if (!k->slots) return -1;
    uint32_t h = (uint32_t)lp_hash_bytes(name, len, 0x5eed);
    for (uint32_t i = h & k->mask;; i = (i + 1) & k->mask) {
        int32_t s = k->slots[i];
        if (s < 0) return -1;
        if (k->lens[s] == len && memcmp(k->names[s], name, len) == 0) return s;
    }
}

/* Rebuilds the hash index with room for at least `want` names. */
static bool rehash(lp_rkeys *k, int want) {
    uint32_t size = 16;
    while (size < (uint32_t)want * 2) size *= 2;
    int32_t *slots = lp_malloc(sizeof *slots * size);
    if (!slots) return false;
    memset(slots, 0xff, sizeof *slots * size);
    for (int i = 0; i < k->n; i++) {
        uint32_t h = (uint32_t)lp_hash_bytes(k->names[i], k->lens[i], 0x5eed);
        uint32_t j = h & (size - 1);
        while (slots[j] >= 0) j = (j + 1) & (size - 1);
        slots[j] = i;
    }
    lp_free(k->slots);
    k->slots = slots;
    k->mask = size - 1;
    return true;
}

int lp_rkeys_add(lp_rkeys *k, const char *name, size_t len, lp_type t) {
    if (k->n == k->cap) {
        int cap = k->cap ? k->cap * 2 : 16;
        char **names = lp_realloc(k->names, sizeof *names * (size_t)cap);
        if (!names) return -1;
        k->names = names;
        size_t *lens = lp_realloc(k->lens, sizeof *lens * (size_t)cap);
        if (!lens) return -1;
        k->lens = lens;
        lp_type *types = lp_realloc(k->types, sizeof *types * (size_t)cap);
        if (!types) return -1;
        k->types = types;
        k->cap = cap;
    }
    if (!k->slots || (uint32_t)(k->n + 1) * 2 > k->mask + 1) {
        if (!rehash(k, k->n + 1)) return -1;
    }
    char *copy = lp_strndup(name, len);
    if (!copy) return -1;
    int idx = k->n++;
    k->names[idx] = copy;
    k->lens[idx] = len;
    k->types[idx] = t;
    uint32_t h = (uint32_t)lp_hash_bytes(name, len, 0x5eed);
    uint32_t j = h & k->mask;
    while (k->slots[j] >= 0) j = (j + 1) & k->mask;
    k->slots[j] = idx;
    return idx;
}

/* ---- types ---- */

lp_type lp_read_final_type(lp_type t) {
    if (t.kind == LP_NULLTYPE) return lp_type_of(LP_STRING);
    if (t.kind == LP_LIST && t.elem == LP_NULLTYPE) return lp_type_list(LP_STRING);
    return t;
}

static bool is_bool_text(const char *s, size_t n, bool *v) {
    if (n == 4 && strncasecmp(s, "true", 4) == 0) {
        *v = true;
        return true;
    }
    if (n == 5 && strncasecmp(s, "false", 5) == 0) {
        *v = false;
        return true;
    }
    return false;
}

lp_type lp_read_infer_text(const char *s, size_t n) {
    if (n == 0) return lp_type_of(LP_STRING);
    char c = s[0];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'N' || c == 'I') {
        int64_t i;
        double f;
        int32_t d;
        if (lp_parse_int64(s, n, &i)) return lp_type_of(LP_INT64);
        if (lp_parse_float64(s, n, &f)) return lp_type_of(LP_FLOAT64);
        if (lp_parse_date(s, n, &d)) return lp_type_of(LP_DATE);
        if (lp_parse_timestamp(s, n, &i)) return lp_type_of(LP_TIMESTAMP);
        return lp_type_of(LP_STRING);
    }
    bool b;
    if (is_bool_text(s, n, &b)) return lp_type_of(LP_BOOL);
    return lp_type_of(LP_STRING);
}

/* CSV: converts a field's text to column type t into *v. False when it does not parse. */
bool lp_read_convert_text(lp_type t, const char *s, size_t n, lp_rval *v) {
    switch ((lp_kind)t.kind) {
    case LP_BOOL: {
        bool b;
        if (!is_bool_text(s, n, &b)) return false;
        v->kind = LP_BOOL;
        v->i = b;
        return true;
    }
    case LP_INT64: v->kind = LP_INT64; return lp_parse_int64(s, n, &v->i);
    case LP_FLOAT64: v->kind = LP_FLOAT64; return lp_parse_float64(s, n, &v->f);
    case LP_DATE: v->kind = LP_DATE; return lp_parse_date(s, n, &v->d);
    case LP_TIMESTAMP: v->kind = LP_TIMESTAMP; return lp_parse_timestamp(s, n, &v->i);
    case LP_STRING: v->kind = LP_STRING; v->s = s; v->n = n; return true;
    default: return false;
    }
}

/* ---- staged values ---- */

/* Whether an element kind fits a list's element type. */
static bool elem_fits(uint8_t have, uint8_t want) {
    if (have == LP_NULLTYPE || have == want || want == LP_STRING) return true;
    return want == LP_FLOAT64 && have == LP_INT64;
}

/* Converts v in place to type t; false when it does not fit. */
static bool fit(lp_type t, lp_rval *v) {
    if (v->kind == LP_NULLTYPE) return true;
    switch ((lp_kind)t.kind) {
    case LP_BOOL: return v->kind == LP_BOOL;
    case LP_INT64: return v->kind == LP_INT64;
    case LP_FLOAT64:
        if (v->kind == LP_INT64) {
            v->f = (double)v->i;
            v->kind = LP_FLOAT64;
        }
        return v->kind == LP_FLOAT64;
    case LP_STRING: v->kind = LP_STRING; return true; /* non-strings keep their source text */
    case LP_DATE: return v->kind == LP_STRING && lp_parse_date(v->s, v->n, &v->d) && (v->kind = LP_DATE);
    case LP_TIMESTAMP:
        return v->kind == LP_STRING && lp_parse_timestamp(v->s, v->n, &v->i) && (v->kind = LP_TIMESTAMP);
    case LP_LIST: return v->kind == LP_LIST && elem_fits(v->elem, t.elem);
    default: return false;
    }
}

bool lp_rchunk_check(lp_rchunk *c, const lp_rpass *p, char *why, size_t whylen) {
    const lp_type *types = p->keys->types;
    for (int k = 0; k < c->ntouched; k++) {
        int col = c->touched[k];
        lp_rval *v = &c->stage[col];
        lp_type vt = lp_rval_type(v);
        if (fit(types[col], v)) continue;
        if (p->explicit_schema) {
            snprintf(why, whylen, "a %s value for column '%s' of type %s",
                     v->kind == LP_LIST ? "array" : lp_type_name(vt), p->keys->names[col],
                     lp_type_name(types[col]));
            return false;
        }
        c->want[col] = lp_type_unify(c->want[col], vt);
        c->widened = true;
        v->kind = LP_NULLTYPE;
    }
    return true;
}

void lp_rchunk_commit(lp_rchunk *c, const lp_rpass *p) {
    int n = p->keys->n;
    const lp_type *types = p->keys->types;
    if (p->keep_corrupt) lp_colbuf_append_null(&c->corrupt);
    for (int col = 0; col < n; col++) {
        lp_colbuf *b = &c->cols[col];
        if (c->stage_gen[col] != c->gen || c->stage[col].kind == LP_NULLTYPE) {
            lp_colbuf_append_null(b);
            continue;
        }
        const lp_rval *v = &c->stage[col];
        c->invalid_utf8 += v->bad_utf8;
        switch ((lp_kind)types[col].kind) {
        case LP_BOOL: lp_colbuf_append_bool(b, v->i != 0); break;
        case LP_INT64: case LP_TIMESTAMP: lp_colbuf_append_i64(b, v->i); break;
        case LP_FLOAT64: lp_colbuf_append_f64(b, v->kind == LP_INT64 ? (double)v->i : v->f); break;
        case LP_DATE: lp_colbuf_append_date(b, v->d); break;
        case LP_STRING: lp_colbuf_append_str(b, v->s, v->n); break;
        case LP_LIST: {
            lp_colbuf *ch = lp_colbuf_list_child(b);
            uint8_t ek = types[col].elem;
            for (uint32_t e = v->e0; e < v->e0 + v->en; e++) {
                const lp_rval *el = &c->elems[e];
                c->invalid_utf8 += el->bad_utf8;
                if (el->kind == LP_NULLTYPE) lp_colbuf_append_null(ch);
                else if (ek == LP_INT64) lp_colbuf_append_i64(ch, el->i);
                else if (ek == LP_FLOAT64) lp_colbuf_append_f64(ch, el->kind == LP_INT64 ? (double)el->i : el->f);
                else if (ek == LP_STRING) lp_colbuf_append_str(ch, el->s, el->n);
                else lp_colbuf_append_null(ch);
            }
            lp_colbuf_list_end(b);
            break;
        }
        default: lp_colbuf_append_null(b); break;
        }
    }
}
