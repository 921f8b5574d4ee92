/* utf8.c -- UTF-8 validation, counting and repair.
 *
 * length() counts code points (Spark's length() does, and so does Python's len()); readers
 * repair invalid input with U+FFFD and count how often, so nothing changes silently.
 * Case mapping and display width use utf8proc (exec/ and render/), not this file.
 */
#include "loupe_int.h"

/* Length of the valid sequence starting at s (1..4), or 0 if it is invalid (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF). */
static size_t seq_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;
        if (c == 0xED && s[1] > 0x9F) return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] > 0x8F) return 0;
        return 4;
    }
    return 0;
}

size_t lp_utf8_valid_prefix(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* Eight ASCII bytes at a time: the common case in review text. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        size_t k = seq_len(p + i, n - i);
        if (!k) return i;
        i += k;
    }
    return n;
}

bool lp_utf8_valid(const char *s, size_t n) { return lp_utf8_valid_prefix(s, n) == n; }

int64_t lp_utf8_length(const char *s, size_t n) {
    int64_t count = 0;
    for (size_t i = 0; i < n; i++) count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

int64_t lp_utf8_sanitize(lp_strbuf *out, const char *s, size_t n) {
    int64_t bad = 0;
    size_t i = 0;
    while (i < n) {
        size_t ok = lp_utf8_valid_prefix(s + i, n - i);
        lp_strbuf_append(out, s + i, ok);
        i += ok;
        if (i < n) {
            lp_strbuf_append(out, "\xEF\xBF\xBD", 3);
            bad++;
            i++;
            /* skip the continuation bytes of the broken sequence */
            while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        }
    }
    return bad;
}

size_t lp_utf8_offset(const char *s, size_t n, int64_t cp) {
    if (cp <= 0) return 0;
    int64_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (seen == cp) return i;
            seen++;
        }
    }
    return n;
}
