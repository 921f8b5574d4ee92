/* fuzz_read.c -- libFuzzer harness for the file readers: CSV, JSON lines, and JSON lines in gzip.
 *
 * Built three times (CMakeLists.txt): FUZZ_FORMAT picks the format, FUZZ_GZIP=1 sends the
 * bytes through the gzip path. The input's first two bytes choose the read options (parse
 * mode, header, inference, separator, quote, a DDL schema, the corrupt-record column), the rest
 * is the file. The gzip target either compresses the rest (one or two members, possibly cut
 * short) or writes it raw behind the gzip magic, so both the inflater's error paths and the
 * parser behind it are reached.
 *
 * The readers take a path, so each input is written to one scratch file (on /dev/shm when there
 * is one) and read back with loupe_read_file. What must hold, beyond "no sanitizer report":
 * the result's row count is the report's; rendering it (show(), the text table, the HTML
 * table) works; and after the table is freed the engine's allocator is back where it started,
 * so a read leaks nothing even through the engine's own accounting.
 */
#include "loupe.h"
#include "loupe_int.h"
#include "render/render.h"
#include "read/read.h"
#include "render/web.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT LOUPE_FORMAT_CSV
#endif
#ifndef FUZZ_GZIP
#define FUZZ_GZIP 0
#endif

#define FUZZ_MAX_INPUT (64 * 1024)

static char path[256];
static int64_t baseline;

static const char *const schemas[] = {
    NULL,
    "a INT, b STRING",
    "a BIGINT, b DOUBLE, c BOOLEAN",
    "id INT, name STRING, age INT, city STRING, score DOUBLE, joined DATE",
    "a STRING, b TIMESTAMP",
    "a ARRAY<INT>, b ARRAY<STRING>",
    "a DATE, b DOUBLE",
    NULL, /* 7: the schema is the input's first line (the DDL parser gets fuzzed too) */
};
static const char seps[] = {',', ';', '\t', '|', ' ', '"', '\'', 'a'};
static const char quotes[] = {'"', '\'', '"', '|'};

/* gzip of in[0, n) appended to out (a gzip wrapper: windowBits 15 + 16). */
static size_t gzip_member(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 10 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK) abort();  /* small state: fast */
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

static void write_file(const uint8_t *p, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        abort();
    }
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0) abort();
        p += k;
        n -= (size_t)k;
    }
    close(fd);
}

/* Reads the scratch file once with the options; checks what must hold. */
static void read_once(const loupe_read_options *o) {
    loupe_table *t = NULL;
    loupe_read_report rep;
    loupe_diag d;
    memset(&rep, 0, sizeof rep);
    memset(&d, 0, sizeof d);
    loupe_cancel_reset();
    loupe_status st = loupe_read_file(path, o, &t, &rep, &d);
    if (st == LOUPE_OK) {
        if (!t || loupe_table_rows(t) != rep.rows) {
            fprintf(stderr, "read: rows %lld but report says %lld\n", t ? (long long)loupe_table_rows(t) : -1LL,
                    (long long)rep.rows);
            abort();
        }
        for (int c = 0; c < loupe_table_columns(t); c++)
            if (!loupe_table_column_name(t, c) || !loupe_table_column_type(t, c)) abort();
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_render_show(t, 20, 20, &b);
        lp_strbuf_clear(&b);
        lp_render_table_text(t, loupe_table_rows(t), 100, 40, &b);
        lp_strbuf_clear(&b);
        lp_render_table_html(t, loupe_table_rows(t), 40, &b);
        lp_strbuf_reset(&b);
    } else if (t) {
        fprintf(stderr, "read: failed (%s) but returned a table\n", d.msg);
        abort();
    } else if (d.msg[0] == 0) {
        fprintf(stderr, "read: failed with status %d and no message\n", (int)st);
        abort();
    }
    loupe_table_free(t);
    if (loupe_memory_used() != baseline) {
        fprintf(stderr, "read: the engine holds %lld bytes after the table was freed (%lld before)\n",
                (long long)loupe_memory_used(), (long long)baseline);
        abort();
    }
}

static void remove_file(void) { unlink(path); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/loupe-fuzz-read-%ld.%s", dir, (long)getpid(),
             FUZZ_FORMAT == LOUPE_FORMAT_CSV ? "csv" : "json");
    atexit(remove_file);  /* not always run (libFuzzer ends with _Exit): one file per pid at most */
    loupe_set_threads(getenv("LOUPE_THREADS") ? 0 : 1);  /* one: quicker; 0: the variable says */
    loupe_set_memory_limit(256 << 20);
    /* a first read warms up what the engine keeps for the process (the pool) */
    static const uint8_t warm[] = "a,b\n1,x\n";
    write_file(warm, sizeof warm - 1);
    loupe_read_options o;
    loupe_read_options_init(&o);
    loupe_table *t = NULL;
    loupe_diag d;
    if (loupe_read_file(path, &o, &t, NULL, &d) != LOUPE_OK) abort();
    loupe_table_free(t);
    baseline = loupe_memory_used();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2 || size > FUZZ_MAX_INPUT) return -1;
    uint8_t a = data[0], b = data[1];
    data += 2;
    size -= 2;

    loupe_read_options o;
    loupe_read_options_init(&o);
    o.format = FUZZ_FORMAT;
    o.mode = (loupe_parse_mode)((a & 3) % 3);
    o.header = !(a & 4);
    o.infer_schema = !(a & 8);
    o.corrupt_column = (a & 16) ? "_corrupt_record" : NULL;
    o.schema = schemas[(a >> 5) & 7];
    char *ddl = NULL;
    if ((a >> 5) == 7) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t k = nl ? (size_t)(nl - data) : size;
        if (!(ddl = malloc(k + 1))) abort();
        memcpy(ddl, data, k);
        ddl[k] = 0;
        o.schema = ddl;
        data += nl ? k + 1 : k;
        size -= nl ? k + 1 : k;
    }
    o.sep = seps[b & 7];
    o.quote = quotes[(b >> 3) & 3];
    o.escape = (b & 32) ? '\\' : o.quote;
    o.null_value = (b & 64) ? "NA" : NULL;
    o.sample_rows = (b & 128) ? 3 : 0;
    if (o.sample_rows == 0) o.sample_rows = 10000;

    /* about 16 chunks whatever the size (8 at least, the reader's minimum): chunk boundaries
     * land everywhere, yet a wide record is not parsed once per column per tiny chunk */
    lp_read_set_chunk_size(size / 16 + 16);

    if (!FUZZ_GZIP) {
        write_file(data, size);
    } else if (b & 1) {
        /* raw bytes behind the magic: the inflater meets whatever the fuzzer made */
        uint8_t *raw = malloc(size + 2);
        if (!raw) abort();
        raw[0] = 0x1f;
        raw[1] = 0x8b;
        memcpy(raw + 2, data, size);
        write_file(raw, size + 2);
        free(raw);
    } else {
        /* compressed: one member, or two (split at a point the input names), maybe cut short */
        size_t cap = 2 * compressBound((uLong)size) + 64;
        uint8_t *z = malloc(cap);
        if (!z) abort();
        size_t cut = (b & 2) && size ? (size_t)(b >> 2) % size : size;
        size_t len = gzip_member(data, cut, z, cap);
        if (cut < size) len += gzip_member(data + cut, size - cut, z + len, cap - len);
        if ((b & 4) && len > 0) len -= 1 + (size_t)a % len;  /* truncated */
        write_file(z, len);
        free(z);
    }
    read_once(&o);
    free(ddl);
    return 0;
}
