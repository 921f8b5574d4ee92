/* read.c -- loupe_read_file: drives a read from the file to the table.
 *
 * DESIGN
 * 1. source.c gives the whole input as one buffer (mapped, or inflated gzip); a UTF-8 BOM is
 *    skipped. The format is the option's, else the file name's, else the first byte's ('{').
 * 2. CSV: the header record names the columns (or _c0, _c1, ... as Spark names them).
 * 3. The schema is the explicit DDL one, or inferred by a sampling pass over the first
 *    sample_rows records, parsed by the same chunk parser in infer-only mode.
 * 4. split.c cuts the records into chunks (a few MB, at least one per thread); each chunk is
 *    parsed on the pool into its own builders. A chunk that met a value its column's type cannot
 *    hold, or (JSON) a key the schema lacks, reports the wider type or the key; the schema is
 *    widened and every chunk parsed again. Rare, and it keeps the sample from losing data.
 * 5. The chunks' builders become the table's partitions, in file order, so the result does not
 *    depend on the thread count. Line numbers are absolute: each chunk counts its newlines and
 *    the counts are prefix-summed; FAILFAST reports the first bad record in file order.
 * Cancellation is checked by the pool between chunks (and by the parsers every 4096 records).
 * Runs on the caller's thread; the chunk tasks run on the pool and write only their own chunk.
 */
#include "read.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void loupe_read_options_init(loupe_read_options *o) {
    memset(o, 0, sizeof *o);
    o->format = LOUPE_FORMAT_AUTO;
    o->mode = LOUPE_PERMISSIVE;
    o->header = true;
    o->infer_schema = true;
    o->sep = ',';
    o->quote = '"';
    o->escape = '"';
    o->null_value = NULL;
    o->schema = NULL;
    o->corrupt_column = NULL;
    o->sample_rows = 10000;
}

/* ---- chunks ---- */

bool lp_rchunk_init(lp_rchunk *c, const lp_rpass *p, const char *begin, const char *end) {
    memset(c, 0, sizeof *c);
    c->begin = begin;
    c->end = end;
    c->sfactor = 4;
    c->json = p->json;
    lp_rkeys_init(&c->newkeys);
    int n = p->keys->n;
    size_t slots = (size_t)(n ? n : 1);
    c->want = lp_malloc(sizeof *c->want * slots);
    c->stage = lp_malloc(sizeof *c->stage * slots);
    c->stage_gen = lp_calloc(slots, sizeof *c->stage_gen);
    c->touched = lp_malloc(sizeof *c->touched * slots);
    if (!c->want || !c->stage || !c->stage_gen || !c->touched) goto nomem;
    if (n) memcpy(c->want, p->keys->types, sizeof *c->want * (size_t)n);
    if (!p->infer_only) {
        c->cols = lp_calloc(slots, sizeof *c->cols);
        if (!c->cols) goto nomem;
        c->ncols = n;
        for (int i = 0; i < n; i++) lp_colbuf_init(&c->cols[i], lp_read_final_type(p->keys->types[i]));
        lp_colbuf_init(&c->corrupt, lp_type_of(LP_STRING));
    }
    return true;
nomem:
    c->status = LP_ENOMEM;
    return false;
}

void lp_rchunk_reset(lp_rchunk *c) {
    if (c->cols) {
        /* the builders are all initialised (calloc'd ones are empty) */
        for (int i = 0; i < c->ncols; i++) lp_colbuf_reset(&c->cols[i]);
        lp_free(c->cols);
    }
    lp_colbuf_reset(&c->corrupt);
    lp_free(c->want);
    lp_free(c->stage);
    lp_free(c->stage_gen);
    lp_free(c->touched);
    lp_free(c->elems);
    lp_free(c->scratch);
    lp_free(c->path);
    lp_free(c->fields);
    lp_rkeys_reset(&c->newkeys);
    memset(c, 0, sizeof *c);
}

bool lp_rchunk_scratch(lp_rchunk *c, size_t len) {
    /* An ordinary record gets sfactor (4) scratch bytes per byte, so it never overflows. A record
     * longer than LP_READ_BIG_RECORD starts at a quarter of that, one byte per byte, which holds
     * any valid UTF-8 record, and doubles on overflow like the rest: reserving four (and a
     * quarter) times a 2 GB single line up front, twice, would refuse a read the cap can hold. */
    size_t f = c->sfactor;
    if (len > LP_READ_BIG_RECORD) f = f / 4 ? f / 4 : 1;
    size_t need = len * f + 64;
    if (c->scap >= need) return true;
    size_t cap = need < 4096 ? 4096 : len > LP_READ_BIG_RECORD ? need : need + need / 4;
    lp_free(c->scratch);
    lp_free(c->path);
    c->scratch = lp_malloc(cap);
    c->path = c->json ? lp_malloc(cap) : NULL; /* flattened key paths: JSON only */
    if (!c->scratch || (c->json && !c->path)) {
        lp_free(c->scratch);
        lp_free(c->path);
        c->scratch = c->path = NULL;
        c->scap = c->pcap = 0;
        c->status = LP_ENOMEM;
        return false;
    }
    c->scap = cap;
    c->pcap = c->json ? cap : 0;
    return true;
}

/* Grows b for `factor` times its current contents (and its list elements likewise). */
static void grow_like(lp_colbuf *b, double factor) {
    int64_t rows = (int64_t)((double)b->len * factor) - b->len;
    size_t bytes = (size_t)((double)b->dlen * factor) - b->dlen;
    if (rows > 0) lp_colbuf_reserve(b, rows, bytes);
    if (b->child) grow_like(b->child, factor);
}

void lp_rchunk_extrapolate(lp_rchunk *c, const char *at) {
    if (!c->cols || at <= c->begin) return;
    double factor = (double)(c->end - c->begin) / (double)(at - c->begin) * 1.05 + 0.01;
    if (factor < 1.2) return;
    for (int i = 0; i < c->ncols; i++) grow_like(&c->cols[i], factor);
}

bool lp_rchunk_push_elem(lp_rchunk *c, const lp_rval *v) {
    if (c->nelems == c->celems) {
        uint32_t cap = c->celems ? c->celems * 2 : 64;
        lp_rval *e = lp_realloc(c->elems, sizeof *e * cap);
        if (!e) {
            c->status = LP_ENOMEM;
            return false;
        }
        c->elems = e;
        c->celems = cap;
    }
    c->elems[c->nelems++] = *v;
    return true;
}

const char *lp_rchunk_sanitize(lp_rchunk *c, const char *s, size_t n, size_t *outn) {
    if (c->scap - c->spos < 3 * n + 4) {
        c->overflow = true;
        return NULL;
    }
    char *d0 = c->scratch + c->spos, *d = d0;
    size_t i = 0;
    while (i < n) {
        size_t ok = lp_utf8_valid_prefix(s + i, n - i);
        memcpy(d, s + i, ok);
        d += ok;
        i += ok;
        if (i < n) { /* as lp_utf8_sanitize: one U+FFFD per broken sequence */
            memcpy(d, "\xEF\xBF\xBD", 3);
            d += 3;
            i++;
            while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        }
    }
    *outn = (size_t)(d - d0);
    c->spos += *outn;
    return d0;
}

bool lp_rchunk_bad(lp_rchunk *c, const lp_rpass *p, const char *rec, size_t len, int64_t line, const char *pos,
                   const char *msg) {
    if (p->infer_only) return true; /* sampling skips bad records */
    c->malformed++;
    if (!c->has_bad) {
        c->has_bad = true;
        c->bad_line = line;
        c->bad_rec = rec;
        c->bad_len = len;
        c->bad_pos = pos ? pos : rec;
        snprintf(c->bad_msg, sizeof c->bad_msg, "%s", msg);
    }
    switch (p->opts->mode) {
    case LOUPE_FAILFAST: c->status = LP_EVALUE; return false;
    case LOUPE_DROPMALFORMED: c->dropped++; return true;
    default: break;
    }
    c->rows++;
    if (c->widened) return true; /* this pass's rows are void anyway */
    for (int i = 0; i < p->keys->n; i++) lp_colbuf_append_null(&c->cols[i]);
    if (p->keep_corrupt) {
        if (lp_utf8_valid(rec, len)) {
            lp_colbuf_append_str(&c->corrupt, rec, len);
        } else {
            /* the record's staged text is dead: reuse the scratch from its start */
            size_t n;
            c->spos = 0;
            const char *s = c->scap >= 3 * len + 4 ? lp_rchunk_sanitize(c, rec, len, &n) : NULL;
            if (s) lp_colbuf_append_str(&c->corrupt, s, n);
            else lp_colbuf_append_null(&c->corrupt);
        }
    }
    return true;
}

/* ---- schema ---- */

/* Parses a DDL schema ("a INT, b STRING, `c d` ARRAY<BIGINT>") into keys. The corrupt column,
 * when it is named, is left out and its position returned in *corrupt_pos. */
static lp_status parse_ddl(const char *ddl, const char *corrupt, lp_rkeys *keys, int *corrupt_pos, lp_diag *d) {
    const char *s = ddl;
    int pos = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n') s++;
        if (!*s) break;
        /* one field: up to a comma outside parentheses and angle brackets */
        const char *f = s;
        int depth = 0;
        while (*s && (depth > 0 || *s != ',')) {
            if (*s == '(' || *s == '<') depth++;
            else if ((*s == ')' || *s == '>') && depth > 0) depth--;
            s++;
        }
        const char *fe = s;
        if (*s == ',') s++;
        const char *name, *ne, *t;
        if (*f == '`') {
            name = f + 1;
            ne = memchr(name, '`', (size_t)(fe - name));
            if (!ne) return lp_diag_set(d, LP_ESYNTAX, "the schema '%s' has an unclosed ` quote", ddl);
            t = ne + 1;
        } else {
            name = f;
            ne = f;
            while (ne < fe && *ne != ' ' && *ne != '\t' && *ne != ':') ne++;
            t = ne;
        }
        while (t < fe && (*t == ' ' || *t == '\t' || *t == ':')) t++;
        lp_type ty;
        if (ne == name || t >= fe || !lp_type_parse(t, (size_t)(fe - t), &ty)) {
            lp_diag_set(d, LP_ESYNTAX, "cannot parse the schema field '%.*s'", (int)(fe - f), f);
            lp_diag_hint(d, "a schema is a DDL string such as \"id BIGINT, name STRING, tags ARRAY<STRING>\"");
            return LP_ESYNTAX;
        }
        size_t nlen = (size_t)(ne - name);
        if (corrupt && strlen(corrupt) == nlen && memcmp(corrupt, name, nlen) == 0) {
            *corrupt_pos = pos++;
            continue;
        }
        if (lp_rkeys_find(keys, name, nlen) >= 0)
            return lp_diag_set(d, LP_ESYNTAX, "the schema names the column '%.*s' twice", (int)nlen, name);
        if (lp_rkeys_add(keys, name, nlen, ty) < 0) return LP_ENOMEM;
        pos++;
    }
    return LP_OK;
}

/* ---- the read ---- */

typedef struct reader {
    const char *path;
    const char *op;
    loupe_read_options o;
    const char *buf;
    size_t len, data_start;
    int64_t header_lines;
    lp_rkeys keys;
    bool explicit_schema;
    int corrupt_pos;  /* output position of the corrupt column, -1 = none */
    lp_rpass pass;
    lp_rrange *ranges;
    lp_rchunk *chunks;
    int nchunks;
    int64_t *line_base;
    lp_diag *d;
} reader;

static void chunk_task(void *ctx, int i) {
    lp_rpass *p = ctx;
    lp_rchunk *c = &p->chunks[i];
    if (c->status != LP_OK) return;
    if (p->json) lp_json_parse_chunk(p, c);
    else lp_csv_parse_chunk(p, c);
}

static void free_chunks(reader *r) {
    if (!r->chunks) return;
    for (int i = 0; i < r->nchunks; i++) lp_rchunk_reset(&r->chunks[i]);
}

/* The FAILFAST error for chunk c's first bad record. */
static lp_status failfast_error(reader *r, int ci) {
    lp_rchunk *c = &r->chunks[ci];
    int64_t line = r->line_base[ci] + c->bad_line + 1;
    const char *ls = c->bad_rec;
    for (const char *x = c->bad_rec; x < c->bad_pos; x++)
        if (*x == '\n') {
            line++;
            ls = x + 1;
        }
    int64_t col = (int64_t)(c->bad_pos - ls) + 1;
    /* a one-line snippet of the record */
    char snip[100];
    size_t k = 0, i = 0;
    while (i < c->bad_len && k < 60) {
        unsigned char ch = (unsigned char)c->bad_rec[i];
        if (ch == '\n' || ch == '\r') {
            snip[k++] = '\\';
            snip[k++] = ch == '\n' ? 'n' : 'r';
            i++;
        } else if (ch >= 0x80) {
            /* whole UTF-8 sequences, or '?' for a broken one */
            size_t want = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
            size_t rest = c->bad_len - i;
            if (want <= rest && lp_utf8_valid_prefix(c->bad_rec + i, want) == want) {
                memcpy(snip + k, c->bad_rec + i, want);
                k += want;
                i += want;
            } else {
                snip[k++] = '?';
                i++;
            }
        } else {
            snip[k++] = ch < 0x20 ? '?' : (char)ch;
            i++;
        }
    }
    snip[k] = '\0';
    lp_diag_set(r->d, LP_EVALUE, "malformed %s record at line %lld, column %lld of '%s': %s: %s%s",
                r->pass.json ? "JSON" : "CSV", (long long)line, (long long)col, r->path, c->bad_msg, snip,
                i < c->bad_len ? "..." : "");
    lp_diag_hint(r->d, "mode PERMISSIVE reads bad records as nulls, DROPMALFORMED skips them");
    lp_diag_where(r->d, r->path, line, col);
    return LP_EVALUE;
}

/* Runs one parse pass over all chunks. */
static lp_status run_pass(reader *r) {
    lp_rpass *p = &r->pass;
    for (int i = 0; i < r->nchunks; i++) {
        if (!lp_rchunk_init(&r->chunks[i], p, r->buf + r->ranges[i].begin, r->buf + r->ranges[i].end))
            return lp_diag_nomem(r->d, r->op);
    }
    lp_status st = lp_pool_run(r->nchunks, chunk_task, p);
    if (st == LP_ECANCELLED) return lp_diag_set(r->d, LP_ECANCELLED, "the read of '%s' was cancelled", r->path);
    for (int i = 0; i < r->nchunks; i++)
        if (r->chunks[i].status == LP_ENOMEM) return lp_diag_nomem(r->d, r->op);
    for (int i = 0; i < r->nchunks; i++)
        if (r->chunks[i].status == LP_ECANCELLED)
            return lp_diag_set(r->d, LP_ECANCELLED, "the read of '%s' was cancelled", r->path);
    int64_t base = r->header_lines;
    for (int i = 0; i < r->nchunks; i++) {
        r->line_base[i] = base;
        base += r->chunks[i].lines;
    }
    for (int i = 0; i < r->nchunks; i++)
        if (r->chunks[i].status == LP_EVALUE) return failfast_error(r, i);
    return LP_OK;
}

/* Widens the schema with what the chunks learned; *changed tells whether anything did. */
static lp_status widen(reader *r, bool *changed) {
    *changed = false;
    for (int i = 0; i < r->nchunks; i++) {
        lp_rchunk *c = &r->chunks[i];
        for (int k = 0; k < r->keys.n; k++) {
            lp_type t = lp_type_unify(r->keys.types[k], c->want[k]);
            if (!lp_type_eq(t, r->keys.types[k])) {
                r->keys.types[k] = t;
                *changed = true;
            }
        }
    }
    for (int i = 0; i < r->nchunks; i++) {
        lp_rkeys *nk = &r->chunks[i].newkeys;
        for (int k = 0; k < nk->n; k++) {
            int at = lp_rkeys_find(&r->keys, nk->names[k], nk->lens[k]);
            if (at < 0) {
                if (lp_rkeys_add(&r->keys, nk->names[k], nk->lens[k], nk->types[k]) < 0)
                    return lp_diag_nomem(r->d, r->op);
                *changed = true;
            } else {
                lp_type t = lp_type_unify(r->keys.types[at], nk->types[k]);
                if (!lp_type_eq(t, r->keys.types[at])) *changed = true;
                r->keys.types[at] = t;
            }
        }
    }
    return LP_OK;
}

/* The sampling pass: infers the types (and, for JSON, the keys) from the first records. */
static lp_status sample(reader *r) {
    lp_rpass p = r->pass;
    p.infer_only = true;
    p.max_records = r->o.sample_rows;
    lp_rchunk c;
    lp_status st = LP_OK;
    if (!lp_rchunk_init(&c, &p, r->buf + r->data_start, r->buf + r->len)) {
        st = lp_diag_nomem(r->d, r->op);
    } else {
        if (p.json) lp_json_parse_chunk(&p, &c);
        else lp_csv_parse_chunk(&p, &c);
        if (c.status == LP_ENOMEM) {
            st = lp_diag_nomem(r->d, r->op);
        } else if (c.status == LP_ECANCELLED || lp_cancelled()) {
            st = lp_diag_set(r->d, LP_ECANCELLED, "the read of '%s' was cancelled", r->path);
        } else {
            for (int k = 0; k < r->keys.n; k++) r->keys.types[k] = c.want[k];
            for (int k = 0; k < c.newkeys.n && st == LP_OK; k++)
                if (lp_rkeys_add(&r->keys, c.newkeys.names[k], c.newkeys.lens[k], c.newkeys.types[k]) < 0)
                    st = lp_diag_nomem(r->d, r->op);
        }
    }
    lp_rchunk_reset(&c);
    return st;
}

/* CSV: the header record names the columns; without one, the first record's field count does. */
static lp_status csv_header(reader *r) {
    lp_rchunk c;
    lp_rpass p = r->pass;
    lp_rkeys none;
    lp_rkeys_init(&none);
    p.keys = &none;
    p.infer_only = true;
    lp_status st = LP_OK;
    if (!lp_rchunk_init(&c, &p, r->buf, r->buf + r->len)) {
        lp_rchunk_reset(&c);
        return lp_diag_nomem(r->d, r->op);
    }
    size_t pos = r->data_start;
    int64_t lines = 0;
    bool got = lp_csv_first_record(&p, &c, r->buf, r->len, &pos, &lines);
    if (c.status == LP_ENOMEM) {
        st = lp_diag_nomem(r->d, r->op);
    } else if (!got && pos < r->len) {
        lp_diag_where(r->d, r->path, 1, 1);
        st = lp_diag_set(r->d, LP_EVALUE, "the first record of '%s' is malformed (an unterminated quote?)", r->path);
    } else if (got && r->o.header) {
        r->data_start = pos;
        r->header_lines = lines;
    }
    if (st == LP_OK && got && !r->explicit_schema) {
        lp_type t = lp_type_of(r->o.infer_schema ? LP_NULLTYPE : LP_STRING);
        lp_strbuf name;
        lp_strbuf_init(&name);
        for (int i = 0; i < c.nfields && st == LP_OK; i++) {
            lp_strbuf_clear(&name);
            const lp_rfield *f = &c.fields[i];
            if (r->o.header && f->n) lp_utf8_sanitize(&name, f->s, f->n);
            else lp_strbuf_printf(&name, "_c%d", i);
            if (name.nomem || lp_rkeys_add(&r->keys, name.p, name.len, t) < 0) st = lp_diag_nomem(r->d, r->op);
        }
        lp_strbuf_reset(&name);
    }
    lp_rchunk_reset(&c);
    return st;
}

/* Builds the table from the chunks' builders. */
static lp_status build_table(reader *r, lp_table **out, loupe_read_report *rep) {
    int n = r->keys.n, nout = n + (r->pass.keep_corrupt ? 1 : 0);
    int cpos = r->pass.keep_corrupt ? (r->corrupt_pos >= 0 && r->corrupt_pos <= n ? r->corrupt_pos : n) : -1;
    const char **names = lp_malloc(sizeof *names * (size_t)(nout + 1));
    lp_type *types = lp_malloc(sizeof *types * (size_t)(nout + 1));
    lp_column **cols = lp_calloc((size_t)nout + 1, sizeof *cols);
    lp_table *t = NULL;
    lp_status st = LP_OK;
    if (!names || !types || !cols) goto nomem;
    for (int i = 0, k = 0; i < nout; i++) {
        if (i == cpos) {
            names[i] = r->o.corrupt_column;
            types[i] = lp_type_of(LP_STRING);
        } else {
            names[i] = r->keys.names[k];
            types[i] = lp_read_final_type(r->keys.types[k]);
            k++;
        }
    }
    t = lp_table_new(nout, names, types);
    if (!t) goto nomem;
    for (int ci = 0; ci < r->nchunks; ci++) {
        lp_rchunk *c = &r->chunks[ci];
        bool ok = true;
        for (int i = 0, k = 0; i < nout; i++) {
            lp_colbuf *b = i == cpos ? &c->corrupt : &c->cols[k++];
            if (i == cpos && b->len < c->rows) {
                /* rows without a corrupt record: nulls */
                while (b->len < c->rows && !b->nomem) lp_colbuf_append_null(b);
            }
            if (lp_colbuf_finish(b, &cols[i]) != LP_OK) ok = false;
        }
        if (!ok) {
            for (int i = 0; i < nout; i++) lp_column_unref(cols[i]);
            goto nomem;
        }
        if (lp_table_add_part(t, c->rows, cols) != LP_OK) goto nomem;
        memset(cols, 0, sizeof *cols * (size_t)nout);
        rep->malformed += c->malformed;
        rep->dropped += c->dropped;
        rep->invalid_utf8 += c->invalid_utf8;
        if (c->has_bad && !rep->first_bad_line) rep->first_bad_line = r->line_base[ci] + c->bad_line + 1;
    }
    rep->rows = t->nrows;
    t->malformed = rep->malformed;
    *out = t;
    t = NULL;
    goto done;
nomem:
    st = lp_diag_nomem(r->d, r->op);
done:
    lp_table_unref(t);
    lp_free(names);
    lp_free(types);
    lp_free(cols);
    return st;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The format the file name says, or AUTO. */
static loupe_format format_of_name(const char *path) {
    char name[512];
    snprintf(name, sizeof name, "%s", path);
    size_t n = strlen(name);
    if (n > 3 && ends_with(name, ".gz")) name[n - 3] = '\0';
    if (ends_with(name, ".csv") || ends_with(name, ".tsv") || ends_with(name, ".txt")) return LOUPE_FORMAT_CSV;
    if (ends_with(name, ".json") || ends_with(name, ".jsonl") || ends_with(name, ".ndjson")) return LOUPE_FORMAT_JSON;
    return LOUPE_FORMAT_AUTO;
}

static lp_status read_main(reader *r, lp_table **out, loupe_read_report *rep) {
    lp_diag *d = r->d;
    lp_status st;
    if (r->o.schema) {
        r->explicit_schema = true;
        st = parse_ddl(r->o.schema, r->o.corrupt_column, &r->keys, &r->corrupt_pos, d);
        if (st == LP_ENOMEM) return lp_diag_nomem(d, r->op);
        if (st != LP_OK) return st;
        if (!r->pass.json)
            for (int i = 0; i < r->keys.n; i++)
                if (r->keys.types[i].kind == LP_LIST)
                    return lp_diag_set(d, LP_EUNSUPPORTED, "CSV cannot hold the array column '%s'", r->keys.names[i]);
    }
    r->pass.keys = &r->keys;
    r->pass.explicit_schema = r->explicit_schema;
    r->pass.keep_corrupt = r->o.mode == LOUPE_PERMISSIVE && r->o.corrupt_column && r->o.corrupt_column[0];
    if (!r->pass.json) {
        st = csv_header(r);
        if (st != LP_OK) return st;
    }
    r->nchunks = lp_read_chunk_count(r->len - r->data_start);
    r->ranges = lp_malloc(sizeof *r->ranges * (size_t)r->nchunks);
    r->chunks = lp_calloc((size_t)r->nchunks, sizeof *r->chunks);
    r->line_base = lp_calloc((size_t)r->nchunks, sizeof *r->line_base);
    if (!r->ranges || !r->chunks || !r->line_base) return lp_diag_nomem(d, r->op);
    r->pass.chunks = r->chunks;
    r->pass.nchunks = r->nchunks;
    bool infer = !r->explicit_schema && (r->pass.json || r->o.infer_schema);
    if (infer) {
        st = sample(r);
        if (st != LP_OK) return st;
    }
    if (r->pass.json) {
        lp_read_split_lines(r->buf, r->data_start, r->len, r->nchunks, r->ranges);
    } else {
        st = lp_read_split_csv(r->buf, r->data_start, r->len, r->nchunks, r->o.quote, r->o.escape, r->ranges);
        if (st != LP_OK) return lp_diag_set(d, LP_ECANCELLED, "the read of '%s' was cancelled", r->path);
    }
    for (;;) {
        st = run_pass(r);
        if (st != LP_OK) return st;
        if (r->explicit_schema) break;
        bool changed;
        st = widen(r, &changed);
        if (st != LP_OK) return st;
        if (!changed) break;
        free_chunks(r); /* the schema grew: parse again with it */
    }
    return build_table(r, out, rep);
}

lp_status loupe_read_file(const char *path, const loupe_read_options *opts, loupe_table **out,
                          loupe_read_report *report, loupe_diag *diag) {
    *out = NULL;
    loupe_read_report rep;
    memset(&rep, 0, sizeof rep);
    if (report) *report = rep;
    reader r;
    memset(&r, 0, sizeof r);
    lp_progress_stage("read");
    r.path = path;
    r.d = diag;
    r.corrupt_pos = -1;
    if (opts) r.o = *opts;
    else loupe_read_options_init(&r.o);
    if (r.o.sample_rows <= 0) r.o.sample_rows = 10000;
    loupe_format fmt = r.o.format != LOUPE_FORMAT_AUTO ? r.o.format : format_of_name(path);
    if (fmt != LOUPE_FORMAT_JSON && (!r.o.sep || r.o.sep == '\n' || r.o.sep == '\r' || r.o.sep == r.o.quote ||
                                     r.o.quote == '\n' || r.o.quote == '\r')) {
        lp_diag_set(diag, LP_EVALUE, "the CSV separator and quote must be two different characters, neither a newline");
        return LP_EVALUE;
    }
    r.op = fmt == LOUPE_FORMAT_JSON ? "read_json" : "read_csv";
    lp_read_source src;
    lp_status st = lp_read_source_open(path, r.op, &src, diag);
    if (st != LP_OK) return st;
    r.buf = src.data;
    r.len = src.len;
    if (r.len >= 3 && memcmp(r.buf, "\xEF\xBB\xBF", 3) == 0) r.data_start = 3;
    if (fmt == LOUPE_FORMAT_AUTO) {
        size_t i = r.data_start;
        while (i < r.len && (r.buf[i] == ' ' || r.buf[i] == '\t' || r.buf[i] == '\r' || r.buf[i] == '\n')) i++;
        fmt = i < r.len && r.buf[i] == '{' ? LOUPE_FORMAT_JSON : LOUPE_FORMAT_CSV;
        r.op = fmt == LOUPE_FORMAT_JSON ? "read_json" : "read_csv";
    }
    r.pass.opts = &r.o;
    r.pass.json = fmt == LOUPE_FORMAT_JSON;
    lp_rkeys_init(&r.keys);
    st = read_main(&r, out, &rep);
    if (lp_read_source_check(&src, path, diag) != LP_OK) { /* this error explains any other */
        if (*out) loupe_table_free(*out);
        *out = NULL;
        st = LP_EIO;
    }
    free_chunks(&r);
    lp_free(r.chunks);
    lp_free(r.ranges);
    lp_free(r.line_base);
    lp_rkeys_reset(&r.keys);
    lp_read_source_close(&src);
    if (st == LP_OK && report) *report = rep;
    if (st == LP_OK) lp_diag_init(diag);
    return st;
}
