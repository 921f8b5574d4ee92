/* diag.c -- filling a caller-owned diagnostic: status, message, hint, span, file position.
 *
 * Formatting a diagnostic for a person (line:col, the source line, a caret) is the language's
 * job (lang/); this file only records what went wrong and where.
 */
#include "loupe_int.h"

#include <math.h>

#include <stdio.h>

void lp_diag_init(lp_diag *d) {
    if (!d) return;
    memset(d, 0, sizeof *d);
    d->span_start = d->span_end = -1;
}

lp_status lp_diag_set(lp_diag *d, lp_status st, const char *fmt, ...) {
    if (!d) return st;
    d->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return st;
}

void lp_diag_hint(lp_diag *d, const char *fmt, ...) {
    if (!d) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->hint, sizeof d->hint, fmt, ap);
    va_end(ap);
}

void lp_diag_span(lp_diag *d, int64_t start, int64_t end) {
    if (!d) return;
    d->span_start = start;
    d->span_end = end;
}

void lp_diag_where(lp_diag *d, const char *file, int64_t line, int64_t column) {
    if (!d) return;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    d->column = column;
}

static void human_size(double b, char *buf, size_t n) {
    const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

lp_status lp_diag_nomem(lp_diag *d, const char *op) {
    char want[32], cap[32], used[32];
    human_size((double)lp_mem_last_refused(), want, sizeof want);
    human_size((double)lp_mem_cap(), cap, sizeof cap);
    human_size((double)lp_mem_last_refused_used(), used, sizeof used);
    lp_diag_set(d, LP_ENOMEM, "out of memory in %s: it asked for %s more with %s in use, and the cap is %s",
                op, want, used, cap);
    /* The hint names a bigger cap: twice the present one, or more if this one request needs it,
     * in whole GB; unless that is more than the machine has: then only a smaller query helps. */
    double need = ((double)lp_mem_last_refused_used() + (double)lp_mem_last_refused()) * 1.25;
    if (need < 2.0 * (double)lp_mem_cap()) need = 2.0 * (double)lp_mem_cap();
    double gb = ceil(need / (1024.0 * 1024 * 1024));
    double ram = (double)lp_mem_physical();
    if (ram > 0 && gb * 1024.0 * 1024 * 1024 > ram) {
        char have[32];
        human_size(ram, have, sizeof have);
        lp_diag_hint(d, "that is more than this machine's %s of memory: filter and select fewer columns "
                        "first (a cross join makes every pair of rows)", have);
    } else {
        lp_diag_hint(d, "raise the cap with spark.conf.set(\"loupe.memory.limit\", \"%.0fg\") (or start with "
                        "LOUPE_MEMORY_LIMIT=%.0fG), or filter and select fewer columns first", gb, gb);
    }
    return LP_ENOMEM;
}

const char *loupe_status_name(loupe_status s) {
    switch (s) {
    case LOUPE_OK: return "OK";
    case LOUPE_ESYNTAX: return "SyntaxError";
    case LOUPE_ENAME: return "NameError";
    case LOUPE_ETYPE: return "TypeError";
    case LOUPE_EVALUE: return "ValueError";
    case LOUPE_EIO: return "IOError";
    case LOUPE_ENOMEM: return "MemoryError";
    case LOUPE_ELIMIT: return "LimitError";
    case LOUPE_ECANCELLED: return "KeyboardInterrupt";
    case LOUPE_EUNSUPPORTED: return "NotSupportedError";
    }
    return "Error";
}
