/* split.c -- cutting a reader's buffer into chunks at record boundaries.
 *
 * A chunk is the unit of parallel parsing and becomes one output partition. JSON lines are cut
 * after a newline. CSV is harder: a newline inside a quoted field is not a boundary, and where
 * a piece of the buffer starts relative to the quotes depends on everything before it. With
 * escape == quote (RFC 4180's doubled quotes) every quote character toggles the state, so each
 * piece's quote count is found in parallel, prefix-summed to learn whether the piece starts
 * inside quotes, and each chunk then starts after the first newline outside quotes in its
 * piece. With another escape character the state needs a sequential scan, done once.
 *
 * The cut depends only on the buffer and the chunk count; the parsers (csv.c) use the same
 * notion of a record end, so every record lands in exactly one chunk.
 */
#include "read.h"

static size_t chunk_size = 0;

void lp_read_set_chunk_size(size_t bytes) { chunk_size = bytes; }
size_t lp_read_chunk_size(void) { return chunk_size ? chunk_size : (size_t)4 << 20; }

int lp_read_chunk_count(size_t len) {
    size_t cs = lp_read_chunk_size();
    size_t n = (len + cs - 1) / cs;
    /* at least LP_READ_MIN_CHUNKS pieces, whatever the thread count: the partitions a read
     * makes decide the order of floating-point sums and sample()'s random streams, so they must
     * depend on the data only, or results would change with LOUPE_THREADS */
    if (n < LP_READ_MIN_CHUNKS) n = LP_READ_MIN_CHUNKS;
    if (n > len) n = len ? len : 1;  /* no empty pieces beyond one per byte */
    if (n > (1u << 20)) n = 1u << 20;
    return (int)(n ? n : 1);
}

void lp_read_split_lines(const char *buf, size_t begin, size_t end, int n, lp_rrange *out) {
    size_t len = end - begin, prev = begin;
    for (int i = 0; i < n; i++) {
        out[i].begin = prev;
        size_t cut = i == n - 1 ? end : begin + (size_t)((double)len * (i + 1) / n);
        if (cut < prev) cut = prev;
        if (cut > begin && cut < end) {
            /* the chunk ends after the newline ending the line that holds byte cut-1 */
            const char *nl = memchr(buf + cut - 1, '\n', end - (cut - 1));
            cut = nl ? (size_t)(nl - buf) + 1 : end;
        }
        out[i].end = cut;
        prev = cut;
    }
}

typedef struct parity_ctx {
    const char *buf;
    size_t begin, end;
    int n;
    char quote;
    size_t *piece;      /* n+1 piece starts */
    uint8_t *odd;       /* per piece: odd count of quotes in it */
    size_t *start;      /* per piece: first record start at or after the piece start */
} parity_ctx;

static void count_task(void *vctx, int i) {
    parity_ctx *c = vctx;
    const char *p = c->buf + c->piece[i], *e = c->buf + c->piece[i + 1];
    size_t count = 0;
    while (p < e) {
        const char *q = memchr(p, c->quote, (size_t)(e - p));
        if (!q) break;
        count++;
        p = q + 1;
    }
    c->odd[i] = (uint8_t)(count & 1);
}

/* The record start following the piece start, given whether the piece starts inside quotes. */
static void start_task(void *vctx, int i) {
    parity_ctx *c = vctx;
    if (i == 0) {
        c->start[0] = c->begin;
        return;
    }
    const char *p = c->buf + c->piece[i], *e = c->buf + c->end;
    bool inq = c->odd[i]; /* here: the prefix parity */
    /* The cut is at a boundary already when the byte before it ends a record. */
    if (c->piece[i] == c->begin || (!inq && p[-1] == '\n')) {
        c->start[i] = c->piece[i];
        return;
    }
    for (; p < e; p++) {
        char ch = *p;
        if (ch == c->quote) inq = !inq;
        else if (ch == '\n' && !inq) break;
    }
    c->start[i] = p < e ? (size_t)(p - c->buf) + 1 : c->end;
}

/* Sequential variant for escape != quote: walks the records with the parser's state machine. */
static void split_sequential(const char *buf, size_t begin, size_t end, int n, char quote, char escape,
                             lp_rrange *out) {
    size_t len = end - begin;
    const char *p = buf + begin, *e = buf + end;
    bool inq = false;
    int i = 0;
    out[0].begin = begin;
    size_t next_cut = n > 1 ? begin + (size_t)((double)len * 1 / n) : end;
    for (; p < e && i < n - 1; p++) {
        char ch = *p;
        if (inq) {
            if (ch == escape && p + 1 < e && (p[1] == quote || p[1] == escape)) p++;
            else if (ch == quote) inq = false;
        } else if (ch == quote) {
            inq = true;
        } else if (ch == '\n') {
            size_t at = (size_t)(p - buf) + 1;
            while (i < n - 1 && at >= next_cut) {
                out[i].end = at;
                out[++i].begin = at;
                next_cut = begin + (size_t)((double)len * (i + 1) / n);
            }
        }
    }
    for (; i < n; i++) {
        out[i].end = end;
        if (i + 1 < n) out[i + 1].begin = end;
    }
}

lp_status lp_read_split_csv(const char *buf, size_t begin, size_t end, int n, char quote, char escape,
                            lp_rrange *out) {
    if (n <= 1 || !quote) {
        if (n <= 1) {
            out[0].begin = begin;
            out[0].end = end;
            return LP_OK;
        }
        lp_read_split_lines(buf, begin, end, n, out);
        return LP_OK;
    }
    if (escape != quote) {
        split_sequential(buf, begin, end, n, quote, escape, out);
        return lp_cancelled() ? LP_ECANCELLED : LP_OK;
    }
    /* The per-piece state lives on the stack, so this step cannot fail; more pieces than that
     * only happen with tiny chunk sizes (tests), where the sequential walk is cheap. */
    size_t len = end - begin;
    enum { STACK_PIECES = 256 };
    size_t piece_s[STACK_PIECES + 1], start_s[STACK_PIECES];
    uint8_t odd_s[STACK_PIECES];
    if (n > STACK_PIECES) {
        /* many tiny chunks (tests): the sequential walk gives the same cut */
        split_sequential(buf, begin, end, n, quote, quote, out);
        return lp_cancelled() ? LP_ECANCELLED : LP_OK;
    }
    parity_ctx c = {buf, begin, end, n, quote, piece_s, odd_s, start_s};
    for (int i = 0; i <= n; i++) piece_s[i] = begin + (size_t)((double)len * i / n);
    piece_s[n] = end;
    lp_status st = lp_pool_run(n, count_task, &c);
    if (st != LP_OK) return st;
    /* prefix: odd[i] becomes the parity of all quotes before piece i */
    uint8_t acc = 0;
    for (int i = 0; i < n; i++) {
        uint8_t mine = odd_s[i];
        odd_s[i] = acc;
        acc ^= mine;
    }
    st = lp_pool_run(n, start_task, &c);
    if (st != LP_OK) return st;
    size_t prev = begin;
    for (int i = 0; i < n; i++) {
        size_t s = start_s[i] < prev ? prev : start_s[i];
        out[i].begin = s;
        if (i) out[i - 1].end = s;
        prev = s;
    }
    out[n - 1].end = end;
    return LP_OK;
}
