/* source.c -- a reader's input as one byte buffer: mmap, read() as the fallback, gzip inflate.
 *
 * Plain files are mapped read-only (no copy, not counted against the memory cap: the page
 * cache holds them). Files that cannot be mapped (pipes, /proc) are read into an lp_malloc'd
 * buffer. Input that starts with the gzip magic bytes 1f 8b is inflated with zlib into an
 * lp_malloc'd buffer, every member of a multi-member file in turn; zlib's own allocations go
 * through lp_malloc too. A truncated or corrupt stream is an LP_EIO error naming the file.
 * Called from the reader's thread only.
 *
 * A mapped file can change under the reader. The mapping is registered with watch.c, so a
 * truncation zero-fills instead of crashing, and the descriptor stays open so that
 * lp_read_source_check can compare the file's size and modification time with those at open:
 * either way the read ends in an error rather than in a table parsed from zeros or from half
 * of an old file and half of a new one.
 */
#include "read.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
    (void)opaque;
    return lp_malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p) {
    (void)opaque;
    lp_free(p);
}

/* Reads the whole descriptor into a heap buffer (for files mmap cannot map). fd is non-blocking:
 * a pipe or FIFO is waited on with poll in 100 ms steps, so an interrupt stops a read whose
 * writer is slow or absent (a FIFO nobody writes to would otherwise block for ever). */
static lp_status read_all(int fd, bool pipe, const char *path, const char *op, lp_read_source *src, lp_diag *d) {
    size_t cap = 1 << 16, len = 0;
    char *buf = lp_malloc(cap);
    if (!buf) return lp_diag_nomem(d, op);
    for (;;) {
        if (len == cap) {
            char *nb = lp_realloc(buf, cap * 2);
            if (!nb) {
                lp_free(buf);
                return lp_diag_nomem(d, op);
            }
            buf = nb;
            cap *= 2;
        }
        if (lp_cancelled()) {
            lp_free(buf);
            return lp_diag_set(d, LP_ECANCELLED, "the read of '%s' was cancelled", path);
        }
        if (pipe) { /* until data, or a writer that came and went; a FIFO's first writer may be late */
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, 100) == 0) continue;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            int e = errno;
            lp_free(buf);
            lp_diag_where(d, path, 0, 0);
            return lp_diag_set(d, LP_EIO, "cannot read '%s': %s", path, strerror(e));
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    src->heap = buf;
    src->data = buf;
    src->len = len;
    return LP_OK;
}

/* Inflates every gzip member of in[0..n) into a new heap buffer. */
static lp_status inflate_all(const unsigned char *in, size_t n, const char *path, const char *op,
                             lp_read_source *src, lp_diag *d) {
    /* The last member's trailer holds its size mod 2^32: a good first guess for one member. */
    size_t cap = n * 4 + 4096;
    if (n >= 18) {
        uint32_t isize = (uint32_t)in[n - 4] | (uint32_t)in[n - 3] << 8 | (uint32_t)in[n - 2] << 16 |
                         (uint32_t)in[n - 1] << 24;
        /* a hint only: deflate cannot inflate past 1032:1, so a bigger claim is a corrupt
         * trailer, which must end in "corrupt", not in a refused allocation */
        if (isize > cap && isize < (uint32_t)1 << 31 && (size_t)isize <= n * 1032 + 4096) cap = (size_t)isize + 1;
    }
    char *out = lp_malloc(cap);
    if (!out && cap > n * 4 + 4096) out = lp_malloc(cap = n * 4 + 4096); /* the guess was too big */
    if (!out) return lp_diag_nomem(d, op);
    z_stream z;
    memset(&z, 0, sizeof z);
    z.zalloc = z_alloc;
    z.zfree = z_free;
    int zr = inflateInit2(&z, 15 + 16); /* gzip wrapper only */
    if (zr != Z_OK) {
        lp_free(out);
        if (zr == Z_MEM_ERROR) return lp_diag_nomem(d, op);
        lp_diag_where(d, path, 0, 0);
        return lp_diag_set(d, LP_EIO, "cannot inflate '%s': zlib could not start", path);
    }
    size_t len = 0, pos = 0;
    int members = 0;
    lp_status st = LP_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap + cap / 2 + 4096;
            char *nb = lp_realloc(out, ncap);
            if (!nb) {
                st = lp_diag_nomem(d, op);
                break;
            }
            out = nb;
            cap = ncap;
        }
        size_t in_left = n - pos, out_left = cap - len;
        z.next_in = (Bytef *)(in + pos);
        z.avail_in = (uInt)(in_left > UINT32_MAX ? UINT32_MAX : in_left);
        z.next_out = (Bytef *)(out + len);
        z.avail_out = (uInt)(out_left > UINT32_MAX ? UINT32_MAX : out_left);
        uInt ai = z.avail_in, ao = z.avail_out;
        zr = inflate(&z, Z_NO_FLUSH);
        pos += ai - z.avail_in;
        len += ao - z.avail_out;
        if (zr == Z_STREAM_END) {
            members++;
            /* Another member follows? Trailing zero padding is tolerated, anything else not. */
            size_t k = pos;
            while (k < n && in[k] == 0) k++;
            if (k == n) break;
            if (n - pos < 2 || in[pos] != 0x1f || in[pos + 1] != 0x8b) {
                lp_diag_where(d, path, 0, 0);
                st = lp_diag_set(d, LP_EIO, "gzip file '%s' is corrupt: unexpected bytes after member %d", path,
                                 members);
                break;
            }
            if (inflateReset(&z) != Z_OK) {
                st = lp_diag_nomem(d, op);
                break;
            }
            continue;
        }
        if (zr == Z_MEM_ERROR) {
            st = lp_diag_nomem(d, op);
            break;
        }
        if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR) {
            lp_diag_where(d, path, 0, 0);
            st = lp_diag_set(d, LP_EIO, "gzip file '%s' is corrupt: %s", path, z.msg ? z.msg : "invalid data");
            break;
        }
        if (zr == Z_BUF_ERROR || zr == Z_OK) {
            if (pos == n && z.avail_out > 0) {
                lp_diag_where(d, path, 0, 0);
                st = lp_diag_set(d, LP_EIO,
                                 "gzip file '%s' is truncated: the compressed data ends before the stream does",
                                 path);
                break;
            }
            continue; /* more output room needed, or more input to consume */
        }
    }
    inflateEnd(&z);
    if (st != LP_OK) {
        lp_free(out);
        return st;
    }
    src->heap = out;
    src->data = out;
    src->len = len;
    src->gzip = true;
    return LP_OK;
}

static bool same_file(const struct stat *a, const struct stat *b) {
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

lp_status lp_read_source_check(const lp_read_source *src, const char *path, lp_diag *d) {
    struct stat now;
    const char *how = NULL;
    if (src->watch >= 0 && lp_map_watch_cut(src->watch)) how = "it was cut short";
    else if (src->fd >= 0 && fstat(src->fd, &now) == 0 && !same_file(&src->opened, &now))
        how = now.st_size < src->opened.st_size ? "it was cut short" : "it was rewritten";
    if (!how) return LP_OK;
    lp_diag_where(d, path, 0, 0);
    lp_diag_set(d, LP_EIO, "'%s' changed while it was being read (%s); nothing was read from it", path, how);
    lp_diag_hint(d, "read it again once whatever writes it has finished");
    return LP_EIO;
}

lp_status lp_read_source_open(const char *path, const char *op, lp_read_source *src, lp_diag *d) {
    memset(src, 0, sizeof *src);
    src->fd = src->watch = -1;
    /* non-blocking: opening a FIFO must not wait for a writer (read_all polls instead) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        lp_diag_where(d, path, 0, 0);
        return lp_diag_set(d, e == ENOENT || e == ENOTDIR ? LP_ENAME : LP_EIO, "cannot open '%s': %s", path,
                           strerror(e));
    }
    struct stat stt;
    if (fstat(fd, &stt) != 0 || S_ISDIR(stt.st_mode)) {
        int e = S_ISDIR(stt.st_mode) ? EISDIR : errno;
        close(fd);
        lp_diag_where(d, path, 0, 0);
        return lp_diag_set(d, LP_EIO, "cannot read '%s': %s", path, strerror(e));
    }
    lp_status st = LP_OK;
    const unsigned char *raw = NULL;
    size_t rawlen = 0;
    if (S_ISREG(stt.st_mode) && stt.st_size > 0) {
        void *m = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        int slot = m != MAP_FAILED ? lp_map_watch(m, (size_t)stt.st_size) : -1;
        if (slot >= 0) {
            madvise(m, (size_t)stt.st_size, MADV_SEQUENTIAL);
            src->map = m;
            src->maplen = (size_t)stt.st_size;
            src->watch = slot;
            src->fd = fd;
            src->opened = stt;
            raw = m;
            rawlen = (size_t)stt.st_size;
        } else if (m != MAP_FAILED) {
            munmap(m, (size_t)stt.st_size); /* unprotected: read it instead */
        }
    }
    if (!src->map) {
        st = read_all(fd, !S_ISREG(stt.st_mode), path, op, src, d);
        raw = (const unsigned char *)src->data;
        rawlen = src->len;
        close(fd);
    }
    if (st != LP_OK) return st;
    if (rawlen >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        lp_read_source plain;
        memset(&plain, 0, sizeof plain);
        plain.fd = plain.watch = -1;
        st = inflate_all(raw, rawlen, path, op, &plain, d);
        lp_status changed = lp_read_source_check(src, path, d); /* this error explains any other */
        lp_read_source_close(src);
        if (changed != LP_OK) {
            lp_free(plain.heap);
            return changed;
        }
        if (st != LP_OK) return st;
        *src = plain;
        return LP_OK;
    }
    if (src->map) {
        src->data = (const char *)raw;
        src->len = rawlen;
    }
    return LP_OK;
}

void lp_read_source_close(lp_read_source *src) {
    lp_map_unwatch(src->watch);
    if (src->map) munmap(src->map, src->maplen);
    if (src->fd >= 0) close(src->fd);
    lp_free(src->heap);
    memset(src, 0, sizeof *src);
    src->fd = src->watch = -1;
}
