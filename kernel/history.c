/* history.c -- the inputs this kernel executed, for history_request.
 *
 * Kept in memory for the kernel's life: a restart starts a new kernel and a new history, which
 * is what a workshop notebook expects. Entries are (session, line, input[, output]) with line =
 * the execution count, as IPython numbers them. The session number is 1: the only session this
 * history holds, and what a range request for session 0 or a negative session (IPython's
 * "current" and "relative" forms) resolves to.
 *
 *   tail    the last n entries
 *   range   session's entries with start <= line < stop (stop 0 or absent: to the end)
 *   search  entries whose input matches the glob `pattern` (fnmatch: * and ?), the last n
 *           (n absent: all); with unique, only the latest of equal inputs
 *
 * The worker adds entries, the main thread answers requests: every call takes h->mu.
 */
#include "kernel.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

void kn_history_init(kn_history *h) {
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h->session = 1;
}

void kn_history_reset(kn_history *h) {
    for (int i = 0; i < h->n; i++) {
        free(h->e[i].input);
        free(h->e[i].output);
    }
    free(h->e);
    pthread_mutex_destroy(&h->mu);
    memset(h, 0, sizeof *h);
}

void kn_history_add(kn_history *h, int64_t line, const char *input, const char *output) {
    pthread_mutex_lock(&h->mu);
    if (h->n == h->cap) {
        int nc = h->cap ? h->cap * 2 : 64;
        kn_hist_entry *ne = realloc(h->e, sizeof *ne * (size_t)nc);
        if (!ne) goto done;  /* history is a convenience: losing an entry is better than failing the cell */
        h->e = ne;
        h->cap = nc;
    }
    kn_hist_entry *e = &h->e[h->n];
    e->line = line;
    e->input = strdup(input);
    e->output = output ? strdup(output) : NULL;
    if (!e->input) {
        free(e->output);
        goto done;
    }
    h->n++;
done:
    pthread_mutex_unlock(&h->mu);
}

static int64_t get_int(const json_t *req, const char *key, int64_t dflt) {
    const json_t *v = json_object_get(req, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : json_is_real(v) ? (int64_t)json_real_value(v) : dflt;
}

static json_t *entry_json(const kn_history *h, const kn_hist_entry *e, bool output) {
    json_t *in = json_string(e->input);
    if (output) in = json_pack("[o, s?]", in, e->output);
    return json_pack("[I, I, o]", (json_int_t)h->session, (json_int_t)e->line, in);
}

json_t *kn_history_query(kn_history *h, const json_t *req) {
    const char *type = json_string_value(json_object_get(req, "hist_access_type"));
    bool output = json_is_true(json_object_get(req, "output"));
    int64_t n = get_int(req, "n", -1);
    json_t *list = json_array();
    if (!list) return NULL;
    pthread_mutex_lock(&h->mu);
    /* chosen[i]: entry i goes into the reply */
    bool *chosen = calloc((size_t)h->n + 1, 1);
    if (!chosen) goto done;
    if (type && strcmp(type, "tail") == 0) {
        for (int i = h->n - 1, k = 0; i >= 0 && (n < 0 || k < n); i--, k++) chosen[i] = true;
    } else if (type && strcmp(type, "range") == 0) {
        int64_t session = get_int(req, "session", 0);
        int64_t start = get_int(req, "start", 0), stop = get_int(req, "stop", 0);
        if (session <= 0 || session == h->session)
            for (int i = 0; i < h->n; i++)
                chosen[i] = h->e[i].line >= start && (stop <= 0 || h->e[i].line < stop);
    } else if (type && strcmp(type, "search") == 0) {
        const char *pattern = json_string_value(json_object_get(req, "pattern"));
        bool unique = json_is_true(json_object_get(req, "unique"));
        int64_t k = 0;
        for (int i = h->n - 1; i >= 0 && (n <= 0 || k < n); i--) {
            if (fnmatch(pattern ? pattern : "*", h->e[i].input, 0) != 0) continue;
            bool seen = false;
            for (int j = i + 1; unique && !seen && j < h->n; j++)
                seen = chosen[j] && strcmp(h->e[j].input, h->e[i].input) == 0;
            if (seen) continue;
            chosen[i] = true;
            k++;
        }
    }
    for (int i = 0; i < h->n; i++)
        if (chosen[i]) json_array_append_new(list, entry_json(h, &h->e[i], output));
done:
    free(chosen);
    pthread_mutex_unlock(&h->mu);
    return json_pack("{s:s, s:o}", "status", "ok", "history", list);
}
