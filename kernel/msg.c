/* msg.c -- message headers and JSON text for the kernel.
 *
 * A header is {msg_id: a random uuid, session: the kernel's session id, username, date: UTC in
 * ISO 8601 with microseconds, msg_type, version: "5.3"}. Engine text goes into JSON through
 * kn_text, which replaces invalid UTF-8 (a review text read from a broken file) with U+FFFD:
 * jansson refuses invalid UTF-8 and Jupyter's JSON decoder would too.
 *
 * Any thread; the uuid source is getrandom(2), which needs no lock.
 */
#include "kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

void kn_log(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "loupe-kernel: %s\n", buf);
}

void kn_uuid(char out[37]) {
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    if (got < sizeof b) {  /* no entropy source: time and a counter still make ids unique here */
        static _Atomic unsigned long counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long c = ++counter;
        memcpy(b, &ts, sizeof ts < 8 ? sizeof ts : 8);
        memcpy(b + 8, &c, sizeof c < 8 ? sizeof c : 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

json_t *kn_header_new(const kn_kernel *k, const char *msg_type) {
    char id[37], date[64];
    kn_uuid(id);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(date + n, sizeof date - n, ".%06ldZ", (long)tv.tv_usec);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", k->session, "username", k->username,
                     "date", date, "msg_type", msg_type, "version", KN_PROTOCOL_VERSION);
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one (overlongs,
 * surrogates and code points past U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (len == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))) return 0;
    if (len == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))) return 0;
    return len;
}

json_t *kn_text(const char *s, size_t n) {
    if (!s) return json_string("");
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && utf8_seq(u + i, n - i)) i += utf8_seq(u + i, n - i);
    if (i == n) return json_stringn(s, n);
    /* repair: at most 3 bytes out per byte in */
    char *r = malloc(n * 3 + 1);
    if (!r) return NULL;
    size_t o = 0;
    for (i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (l) {
            memcpy(r + o, s + i, l);
            o += l;
            i += l;
        } else {
            memcpy(r + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(r, o);
    free(r);
    return j;
}

int kn_reply(const kn_kernel *k, const kn_out *o, const kn_msg *req, const char *reply_type, json_t *content) {
    return kn_send(k, o, req->ids, req->nids, kn_header_new(k, reply_type), req->header, NULL, content);
}
