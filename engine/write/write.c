/* write.c -- df.write.csv / df.write.json: a table to one CSV or JSON lines file, atomically.
 *
 * Place in the pipeline: after everything; the interpreter calls lp_write_file with a finished
 * table. Output is formatted as Spark's DataFrameWriter formats it (see csv_* and json_* below
 * for the rules), but goes to ONE file rather than Spark's directory of part files: on one
 * machine one file is what a student can open.
 *
 * DESIGN
 *   Atomic replace. Rows go to a temporary file in the target's directory (path +
 *   ".tmp-XXXXXX", from mkstemp, so the rename stays on one file system), which is fchmod'ed to
 *   0644 (mkstemp gives 0600), fsync'ed, closed and renamed over the target; then the directory
 *   is fsync'ed so the rename itself survives a crash. Every write, fsync and close is checked
 *   (a full disk often shows only at fsync or close). On any failure -- I/O, memory,
 *   cancellation -- the temporary is unlinked and the target is as it was. In modes error and
 *   ignore the final move is RENAME_NOREPLACE, so a file that appeared at `path` while we wrote
 *   is not clobbered (the call then reports "already exists", or does nothing for ignore).
 *   A symbolic link at `path` is replaced by the new file, not written through.
 *
 *   Append is copy-then-rename, not write-in-place: the existing file is copied into the
 *   temporary, the new rows follow, and the temporary replaces the file. That costs a copy of
 *   the old rows, but a failure halfway (disk full, Ctrl-C) leaves the old file whole, which
 *   appending in place cannot promise. The copy keeps the old file's permission bits. If the
 *   old file does not end with a newline, one is added first. CSV appends never repeat the
 *   header (Spark's new part file would have one; in one file it would read as a data row),
 *   except into an empty file.
 *
 *   Formatting runs on the pool: the rows are cut into slices of at most SLICE_ROWS rows, a
 *   batch of slices is formatted in parallel, each task into its own reused buffer, while one
 *   more task of the same run writes the previous batch's buffers in slice order (two sets of
 *   buffers, swapped per batch). The output is the same for any thread count, memory stays
 *   bounded (two batches, not the whole file), and the kernel's copying overlaps formatting.
 *   No allocation per row: buffers are reused across batches. Cancellation is checked between
 *   batches.
 *
 * Threads: one caller; the format tasks read the (immutable) table and write only their slot,
 * and the one write task per run is the only one touching the file and the counters.
 */
#include "write/write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLICE_ROWS 8192
#define MAX_SLOTS 16
#define COPY_CHUNK (1 << 20)

void lp_write_opts_init(lp_write_opts *o) {
    memset(o, 0, sizeof *o);
    o->format = LOUPE_FORMAT_CSV;
    o->mode = LP_WRITE_ERROR;
    o->header = false;
    o->sep = ',';
    o->quote = '"';
    o->null_value = "";
}

/* ---- scalar text ----------------------------------------------------------------------- */

static int fmt_int64(int64_t v, char *buf) {
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int k = 0;
    if (v < 0) buf[k++] = '-';
    while (n) buf[k++] = tmp[--n];
    buf[k] = 0;
    return k;
}

/* Spark's CSV and JSON default timestampFormat, yyyy-MM-dd'T'HH:mm:ss.SSSXXX, in UTC (the
 * session time zone Loupe has): 2013-06-02T00:00:00.000Z. Microseconds below the millisecond
 * are dropped, as Spark's pattern drops them. */
static int fmt_timestamp(int64_t micros, char *buf) {
    int64_t ms = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int rem = (int)(secs - days * 86400);
    int n = lp_format_date((int32_t)days, buf);
    n += snprintf(buf + n, 40 - (size_t)n, "T%02d:%02d:%02d.%03dZ", rem / 3600, rem / 60 % 60, rem % 60, frac);
    return n;
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* The CSV options, resolved once per write: special[c] is set for the bytes that force quoting
 * (sep, quote, CR, LF). */
typedef struct csv_style {
    char sep, quote;
    const char *null_value;
    size_t null_len;
    bool special[256];
} csv_style;

static void csv_style_init(csv_style *cs, const lp_write_opts *o) {
    memset(cs, 0, sizeof *cs);
    cs->sep = o->sep;
    cs->quote = o->quote;
    cs->null_value = o->null_value;
    cs->null_len = strlen(o->null_value);
    cs->special[(unsigned char)o->sep] = true;
    cs->special[(unsigned char)o->quote] = o->quote != 0;
    cs->special['\n'] = cs->special['\r'] = true;
}

/* Appends one field. Quoted (doubling embedded quotes, RFC 4180, which Loupe's reader and
 * Spark's with escape='"' read back) when it holds sep, quote, CR or LF, or starts or ends with
 * a space or tab. The empty string is written as "" so it reads back as "" and not as null, as
 * Spark's writer does. Two deliberate differences from Spark's defaults: Spark trims leading
 * and trailing white space when writing (ignoreLeading/TrailingWhiteSpace), Loupe keeps it
 * (quoted) so the data survives; and Spark escapes quotes with a backslash (\"), Loupe doubles
 * them, the RFC 4180 and spreadsheet form, which Loupe's reader and Spark's with escape='"'
 * read back. As in Spark, a one-column row holding null is a blank line, which readers skip. */
static void csv_field(lp_strbuf *b, const char *s, size_t n, const csv_style *cs) {
    char q = cs->quote;
    if (!q) {
        lp_strbuf_append(b, s, n);
        return;
    }
    bool need = n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
    for (size_t i = 0; i < n && !need; i++) need = cs->special[(unsigned char)s[i]];
    if (!need) {
        lp_strbuf_append(b, s, n);
        return;
    }
    lp_strbuf_putc(b, q);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == q) {
            lp_strbuf_append(b, s + run, i + 1 - run);  /* through the quote, then it again */
            run = i;
        }
    }
    lp_strbuf_append(b, s + run, n - run);
    lp_strbuf_putc(b, q);
}

/* One cell as Spark's CSV writer prints it: null as null_value, booleans true/false, doubles as
 * Java's Double.toString (1.0E7, NaN, Infinity), dates yyyy-MM-dd, timestamps as fmt_timestamp.
 * Spark refuses arrays in CSV; Loupe writes them as show() prints them ("[2, 3]", a quoted
 * text field) so the data is not lost -- it reads back as a string. */
static void csv_cell(lp_strbuf *b, const lp_column *c, int64_t row, const csv_style *cs, lp_strbuf *tmp) {
    if (!lp_col_valid(c, row)) {
        lp_strbuf_append(b, cs->null_value, cs->null_len);
        return;
    }
    char buf[48];
    int n = 0;
    switch ((lp_kind)c->type.kind) {
    case LP_BOOL: n = c->v.b[row] ? snprintf(buf, sizeof buf, "true") : snprintf(buf, sizeof buf, "false"); break;
    case LP_INT64: n = fmt_int64(c->v.i[row], buf); break;
    case LP_FLOAT64: n = lp_format_float64(c->v.f[row], buf); break;
    case LP_DATE: n = lp_format_date(c->v.d[row], buf); break;
    case LP_TIMESTAMP: n = fmt_timestamp(c->v.i[row], buf); break;
    case LP_STRING: {
        int64_t len;
        const char *s = lp_col_str(c, row, &len);
        csv_field(b, s, (size_t)len, cs);
        return;
    }
    default: {
        lp_value v = lp_column_get(c, row);
        lp_strbuf_clear(tmp);
        lp_value_format(&v, tmp);
        if (tmp->nomem) b->nomem = true;
        else csv_field(b, tmp->p, tmp->len, cs);
        return;
    }
    }
    csv_field(b, buf, (size_t)n, cs);
}

/* ---- JSON lines ------------------------------------------------------------------------- */

/* A JSON string (RFC 8259), escaped as Jackson (Spark's JSON writer) escapes: '"' and '\\',
 * \b \f \n \r \t, other control characters as \u00XX; '/' and UTF-8 pass through. */
static void json_str(lp_strbuf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    lp_strbuf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        lp_strbuf_append(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        lp_strbuf_append(b, esc, k);
    }
    lp_strbuf_append(b, s + run, n - run);
    lp_strbuf_putc(b, '"');
}

/* One non-null value as JSON: numbers bare (doubles as Java prints them, 1.0E7, which is valid
 * JSON; NaN and +-Infinity as the strings "NaN", "Infinity", "-Infinity", as Jackson quotes
 * non-numeric numbers), dates and timestamps as strings, lists as arrays (null elements as
 * null). */
static void json_value(lp_strbuf *b, const lp_column *c, int64_t row) {
    char buf[48];
    int n;
    switch ((lp_kind)c->type.kind) {
    case LP_BOOL: lp_strbuf_puts(b, c->v.b[row] ? "true" : "false"); return;
    case LP_INT64: lp_strbuf_append(b, buf, (size_t)fmt_int64(c->v.i[row], buf)); return;
    case LP_FLOAT64:
        n = lp_format_float64(c->v.f[row], buf);
        if (buf[0] == 'N' || buf[0] == 'I' || buf[1] == 'I') json_str(b, buf, (size_t)n);
        else lp_strbuf_append(b, buf, (size_t)n);
        return;
    case LP_DATE: n = lp_format_date(c->v.d[row], buf); json_str(b, buf, (size_t)n); return;
    case LP_TIMESTAMP: n = fmt_timestamp(c->v.i[row], buf); json_str(b, buf, (size_t)n); return;
    case LP_STRING: {
        int64_t len;
        const char *s = lp_col_str(c, row, &len);
        json_str(b, s, (size_t)len);
        return;
    }
    case LP_LIST: {
        lp_strbuf_putc(b, '[');
        for (int64_t k = c->v.off[row]; k < c->v.off[row + 1]; k++) {
            if (k > c->v.off[row]) lp_strbuf_putc(b, ',');
            if (lp_col_valid(c->child, k)) json_value(b, c->child, k);
            else lp_strbuf_puts(b, "null");
        }
        lp_strbuf_putc(b, ']');
        return;
    }
    case LP_VECTOR: {  /* as Spark writes VectorUDT: its sqlType struct, type 0 sparse, 1 dense */
        lp_value v = lp_column_get(c, row);
        if (v.u.vec.idx) {
            lp_strbuf_printf(b, "{\"type\":0,\"size\":%d,\"indices\":[", (int)v.u.vec.size);
            for (int32_t k = 0; k < v.u.vec.nnz; k++) lp_strbuf_printf(b, k ? ",%d" : "%d", (int)v.u.vec.idx[k]);
            lp_strbuf_puts(b, "],\"values\":[");
        } else {
            lp_strbuf_puts(b, "{\"type\":1,\"values\":[");
        }
        for (int32_t k = 0; k < v.u.vec.nnz; k++) {
            if (k) lp_strbuf_putc(b, ',');
            n = lp_format_float64(v.u.vec.val[k], buf);
            if (buf[0] == 'N' || buf[0] == 'I' || buf[1] == 'I') json_str(b, buf, (size_t)n);
            else lp_strbuf_append(b, buf, (size_t)n);
        }
        lp_strbuf_puts(b, "]}");
        return;
    }
    case LP_STRUCT: {
        /* a nested object; null fields omitted, as at the top level */
        const lp_struct_schema *st = lp_struct_schema_of(c->type);
        lp_strbuf_putc(b, '{');
        bool first = true;
        for (int k = 0; k < st->nfields; k++) {
            if (!lp_col_valid(c->fields[k], row)) continue;
            if (!first) lp_strbuf_putc(b, ',');
            first = false;
            json_str(b, st->names[k], strlen(st->names[k]));
            lp_strbuf_putc(b, ':');
            json_value(b, c->fields[k], row);
        }
        lp_strbuf_putc(b, '}');
        return;
    }
    default: lp_strbuf_puts(b, "null"); return;
    }
}

/* ---- formatting slices on the pool ------------------------------------------------------ */

typedef struct slot {
    int part;
    int64_t start, end;
    lp_strbuf out;
    lp_strbuf tmp;  /* CSV lists */
} slot;

typedef struct fmt_ctx {
    const lp_table *t;
    const csv_style *cs;
    bool json;
    lp_strbuf *keys;  /* JSON: the escaped "name": prefix of each column */
    slot *fmt;        /* this batch's slices, formatted by tasks 1..nfmt */
    int nfmt;
    slot *out;        /* the previous batch, written in order by task 0 */
    int nout;
    int fd;
    int werr;         /* errno of a failed write, 0 if none */
    bool wnomem;      /* a slice of the previous batch ran out of memory */
    int64_t rows;     /* rows written so far */
} fmt_ctx;

static void format_slice(const fmt_ctx *x, slot *s) {
    const lp_part *p = &x->t->parts[s->part];
    int ncols = x->t->ncols;
    lp_strbuf *b = &s->out;
    lp_strbuf_clear(b);
    for (int64_t r = s->start; r < s->end && !b->nomem; r++) {
        if (x->json) {
            /* keys in column order; null fields omitted (Spark's ignoreNullFields=true) */
            lp_strbuf_putc(b, '{');
            bool first = true;
            for (int c = 0; c < ncols; c++) {
                const lp_column *col = p->cols[c];
                if (!lp_col_valid(col, r)) continue;
                if (!first) lp_strbuf_putc(b, ',');
                first = false;
                lp_strbuf_append(b, x->keys[c].p, x->keys[c].len);
                json_value(b, col, r);
            }
            lp_strbuf_append(b, "}\n", 2);
        } else {
            for (int c = 0; c < ncols; c++) {
                if (c) lp_strbuf_putc(b, x->cs->sep);
                csv_cell(b, p->cols[c], r, x->cs, &s->tmp);
            }
            lp_strbuf_putc(b, '\n');
        }
    }
}

/* Writes all n bytes (retrying short writes and EINTR); false with errno set on failure. */
static bool write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (k == 0) {
            errno = ENOSPC;
            return false;
        }
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Writes the previous batch's buffers to the file, in slice order. */
static void write_batch(fmt_ctx *x) {
    for (int i = 0; i < x->nout; i++) {
        slot *s = &x->out[i];
        if (s->out.nomem || s->tmp.nomem) {
            x->wnomem = true;
            return;
        }
        if (!write_all(x->fd, s->out.p, s->out.len)) {
            x->werr = errno ? errno : EIO;
            return;
        }
        x->rows += s->end - s->start;
    }
}

/* Task 0 writes batch k-1 while tasks 1.. format batch k: the write(2) copies overlap the
 * formatting, and only task 0 touches the file, so the order is kept. */
static void batch_task(void *arg, int task) {
    fmt_ctx *x = arg;
    if (task == 0) write_batch(x);
    else format_slice(x, &x->fmt[task - 1]);
}

/* ---- files ------------------------------------------------------------------------------ */

/* The directory part of path, for hints ("." when there is none). */
static void dir_of(const char *path, char *buf, size_t cap) {
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(buf, cap, ".");
        return;
    }
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    snprintf(buf, cap, "%.*s", (int)n, path);
}

/* LP_EIO "cannot <what> 'path': <strerror>" with a hint for the usual causes. */
static lp_status io_error(lp_diag *d, const char *what, const char *path, int err) {
    char dir[256];
    dir_of(path, dir, sizeof dir);
    lp_diag_set(d, LP_EIO, "cannot %s '%s': %s", what, path, strerror(err));
    switch (err) {
    case ENOENT: lp_diag_hint(d, "does the directory '%s' exist?", dir); break;
    case ENOTDIR: lp_diag_hint(d, "a part of the path '%s' is a file, not a directory", dir); break;
    case EACCES:
    case EPERM:
    case EROFS: lp_diag_hint(d, "check that you may write to the directory '%s'", dir); break;
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        lp_diag_hint(d, "the disk is full: free some space or write to another disk");
        break;
    case EFBIG: lp_diag_hint(d, "the file would be larger than this system allows (see ulimit -f)"); break;
    case EISDIR:
        lp_diag_hint(d, "give a file name such as '%s/out.csv': Loupe writes one file, not Spark's folder of "
                        "part files",
                     path);
        break;
    default: break;
    }
    return LP_EIO;
}

/* Copies the file at path into fd (append mode). *size gets its size and *ends_nl whether it
 * ends with a newline. */
static lp_status copy_existing(const char *path, int fd, int64_t *size, bool *ends_nl, lp_diag *d) {
    *size = 0;
    *ends_nl = true;
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return io_error(d, "read", path, errno);
    char *buf = lp_malloc(COPY_CHUNK);
    if (!buf) {
        close(in);
        return lp_diag_nomem(d, "write");
    }
    lp_status st = LP_OK;
    for (;;) {
        ssize_t k = read(in, buf, COPY_CHUNK);
        if (k < 0) {
            if (errno == EINTR) continue;
            st = io_error(d, "read", path, errno);
            break;
        }
        if (k == 0) break;
        *size += k;
        *ends_nl = buf[k - 1] == '\n';
        if (!write_all(fd, buf, (size_t)k)) {
            st = io_error(d, "write", path, errno);
            break;
        }
        if (lp_cancelled()) {
            st = lp_diag_set(d, LP_ECANCELLED, "write cancelled");
            break;
        }
    }
    lp_free(buf);
    close(in);
    return st;
}

static lp_status exists_error(lp_diag *d, const char *path) {
    lp_diag_set(d, LP_EIO, "path '%s' already exists", path);
    lp_diag_hint(d, "use df.write.mode('overwrite') to replace it, or mode('append') to add the rows");
    return LP_EIO;
}

/* Moves the finished temporary onto path. When the target did not exist at the start and the
 * mode must not replace one (error, ignore), the move refuses to replace a file that appeared
 * meanwhile (RENAME_NOREPLACE; *raced is set), so a concurrent writer's file is never lost;
 * file systems without it fall back to a plain rename. */
static lp_status publish(const char *tmp, const char *path, bool no_replace, bool *raced, lp_diag *d) {
    *raced = false;
    if (no_replace) {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) return LP_OK;
        if (errno == EEXIST) {
            *raced = true;
            return LP_OK;
        }
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return io_error(d, "write", path, errno);
    }
    if (rename(tmp, path) != 0) return io_error(d, "write", path, errno);
    return LP_OK;
}

static bool has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* fsync the directory holding path, so the rename is durable. Best effort: some file systems
 * refuse fsync on a directory, and the data itself is already safe. */
static void sync_dir(const char *path) {
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

/* The header line (CSV) or the escaped key prefixes (JSON). */
static lp_status prepare(const lp_table *t, const csv_style *cs, bool json, bool header, lp_strbuf *head,
                         lp_strbuf **keys_out, lp_diag *d) {
    *keys_out = NULL;
    if (json) {
        lp_strbuf *keys = lp_calloc((size_t)LP_MAX(t->ncols, 1), sizeof *keys);
        if (!keys) return lp_diag_nomem(d, "write");
        bool nomem = false;
        for (int c = 0; c < t->ncols; c++) {
            lp_strbuf_init(&keys[c]);
            /* a flattened JSON name "a.b" stays one key "a.b": Loupe does not rebuild nesting */
            json_str(&keys[c], t->names[c], strlen(t->names[c]));
            lp_strbuf_putc(&keys[c], ':');
            nomem |= keys[c].nomem;
        }
        *keys_out = keys;
        if (nomem) return lp_diag_nomem(d, "write");
    } else if (header) {
        for (int c = 0; c < t->ncols; c++) {
            if (c) lp_strbuf_putc(head, cs->sep);
            csv_field(head, t->names[c], strlen(t->names[c]), cs);
        }
        lp_strbuf_putc(head, '\n');
        if (head->nomem) return lp_diag_nomem(d, "write");
    }
    return LP_OK;
}

/* Formats every row in batches of slices on the pool and writes them to fd in order: two sets
 * of slots, one being formatted while the other is written (see batch_task). */
static lp_status write_rows(const lp_table *t, const csv_style *cs, bool json, lp_strbuf *keys, int fd,
                            const char *path, int64_t *rows, lp_diag *d) {
    int nslots = LP_MAX(1, LP_MIN(MAX_SLOTS, 2 * lp_pool_threads()));
    slot *slots = lp_calloc(2 * (size_t)nslots, sizeof *slots);
    if (!slots) return lp_diag_nomem(d, "write");
    fmt_ctx x = {.t = t, .cs = cs, .json = json, .keys = keys, .fd = fd};
    lp_status st = LP_OK;
    int part = 0, cur = 0;
    int64_t row = 0;
    for (;;) {
        if (lp_cancelled()) {
            st = lp_diag_set(d, LP_ECANCELLED, "write cancelled");
            break;
        }
        slot *set = slots + cur * nslots;
        int n = 0;
        while (n < nslots && part < t->nparts) {
            int64_t end = LP_MIN(t->parts[part].nrows, row + SLICE_ROWS);
            set[n].part = part;
            set[n].start = row;
            set[n].end = end;
            n++;
            row = end;
            if (row >= t->parts[part].nrows) {
                part++;
                row = 0;
            }
        }
        if (n == 0 && x.nout == 0) break;
        x.fmt = set;
        x.nfmt = n;
        st = lp_pool_run(1 + n, batch_task, &x);
        if (st != LP_OK) {
            st = lp_diag_set(d, st, "write cancelled");
            break;
        }
        if (x.werr) {
            st = io_error(d, "write", path, x.werr);
            break;
        }
        if (x.wnomem) {
            st = lp_diag_nomem(d, "write");
            break;
        }
        x.out = set;
        x.nout = n;
        cur ^= 1;
    }
    for (int i = 0; i < 2 * nslots; i++) {
        lp_strbuf_reset(&slots[i].out);
        lp_strbuf_reset(&slots[i].tmp);
    }
    lp_free(slots);
    *rows = x.rows;
    return st;
}

lp_status lp_write_file(lp_table *t, const char *path, const lp_write_opts *opts, int64_t *written, lp_diag *d) {
    lp_diag_init(d);
    int64_t ignored;
    if (!written) written = &ignored;
    *written = 0;
    if (!path || !*path) return lp_diag_set(d, LP_EVALUE, "write needs a file path");
    lp_write_opts defaults;
    if (!opts) {
        lp_write_opts_init(&defaults);
        opts = &defaults;
    }
    lp_write_opts o = *opts;
    if (!o.null_value) o.null_value = "";
    if (!o.sep) o.sep = ',';
    bool json;
    if (o.format == LOUPE_FORMAT_JSON) json = true;
    else if (o.format == LOUPE_FORMAT_CSV) json = false;
    else if (o.format == LOUPE_FORMAT_AUTO)
        json = has_suffix(path, ".json") || has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson");
    else return lp_diag_set(d, LP_EVALUE, "unknown output format %d", o.format);
    if (!json && (o.sep == '\n' || o.sep == '\r' || o.sep == o.quote || o.quote == '\n' || o.quote == '\r')) {
        lp_diag_set(d, LP_EVALUE, "cannot write CSV with %s",
                    o.sep == o.quote ? "the same character as sep and quote" : "a newline as sep or quote");
        lp_diag_hint(d, "sep and quote must be two different characters other than a newline, e.g. sep=',', "
                        "quote='\"'");
        return LP_EVALUE;
    }
    for (int c = 0; !json && c < t->ncols; c++) {
        bool vec = t->types[c].kind == LP_VECTOR || (t->types[c].kind == LP_LIST && t->types[c].elem == LP_VECTOR);
        if (!vec && t->types[c].kind != LP_STRUCT) continue;
        /* Spark's words (a vector's storage type is a struct) */
        lp_diag_set(d, LP_ETYPE,
                    "[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The CSV datasource doesn't support the column `%s` "
                    "of the type \"%s\"",
                    t->names[c], lp_type_name(t->types[c]));
        if (vec)
            lp_diag_hint(d, "write it as JSON (df.write.json), or turn it into an array first: "
                            "vector_to_array(col(\"%s\")), then drop or format that",
                         t->names[c]);
        else
            lp_diag_hint(d, "write it as JSON (df.write.json), or select its fields as columns first: "
                            "df.select(\"%s.*\")", t->names[c]);
        return LP_ETYPE;
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "write cancelled");
    csv_style cs;
    csv_style_init(&cs, &o);

    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (!exists && errno != ENOENT) return io_error(d, "write", path, errno);
    if (exists) {
        if (o.mode == LP_WRITE_IGNORE) return LP_OK;
        if (o.mode == LP_WRITE_ERROR) return exists_error(d, path);
        if (S_ISDIR(sb.st_mode)) return io_error(d, "write", path, EISDIR);
    }
    bool appending = exists && o.mode == LP_WRITE_APPEND;

    size_t plen = strlen(path);
    char *tmp = lp_malloc(plen + 12);
    if (!tmp) return lp_diag_nomem(d, "write");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp-XXXXXX", 12);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        lp_status st = io_error(d, "write", path, errno);
        lp_free(tmp);
        return st;
    }

    lp_status st = LP_OK;
    mode_t perm = appending ? (sb.st_mode & 07777) : 0644;
    if (fchmod(fd, perm) != 0) st = io_error(d, "write", path, errno);
    int64_t old_size = 0;
    bool ends_nl = true;
    if (st == LP_OK && appending) st = copy_existing(path, fd, &old_size, &ends_nl, d);
    if (st == LP_OK && !ends_nl && !write_all(fd, "\n", 1)) st = io_error(d, "write", path, errno);

    lp_strbuf head;
    lp_strbuf_init(&head);
    lp_strbuf *keys = NULL;
    if (st == LP_OK) st = prepare(t, &cs, json, o.header && old_size == 0, &head, &keys, d);
    if (st == LP_OK && head.len && !write_all(fd, head.p, head.len)) st = io_error(d, "write", path, errno);
    int64_t rows = 0;
    if (st == LP_OK) st = write_rows(t, &cs, json, keys, fd, path, &rows, d);
    lp_strbuf_reset(&head);
    if (keys) {
        for (int c = 0; c < t->ncols; c++) lp_strbuf_reset(&keys[c]);
        lp_free(keys);
    }

    if (st == LP_OK && fsync(fd) != 0) st = io_error(d, "write", path, errno);
    if (close(fd) != 0 && st == LP_OK) st = io_error(d, "write", path, errno);
    bool raced = false;
    if (st == LP_OK) st = publish(tmp, path, !exists && o.mode != LP_WRITE_OVERWRITE && o.mode != LP_WRITE_APPEND,
                                  &raced, d);
    if (st != LP_OK || raced) unlink(tmp);
    else sync_dir(path);
    lp_free(tmp);
    if (raced && o.mode == LP_WRITE_IGNORE) return LP_OK;
    if (raced) return exists_error(d, path);
    if (st == LP_OK) *written = rows;
    return st;
}
