/* iopub.c -- what the kernel publishes: status, streams, MIME bundles and errors.
 *
 * Every iopub message carries the request it answers as its parent header, so a front end
 * files it under the right cell; the topic frame is the msg_type. The main thread publishes
 * straight to the iopub socket; the worker through its pipe (kn_out.route = "iopub").
 *
 * MIME bundles: text/plain is always there (the engine's text form, the REPL's output without
 * the final newline). A DataFrame adds text/html and a chart image/svg+xml when the engine has
 * engine/render/web.h (KN_HAVE_WEB_TABLE, KN_HAVE_WEB_CHART: each renderer once
 * the engine defines it); both are pure functions of the display, any thread.
 */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

#if defined(KN_HAVE_WEB_TABLE) || defined(KN_HAVE_WEB_CHART)
#define KN_HAVE_WEB 1
#include "render/web.h"
#endif

/* Longest HTML cell in code points before it is cut (the whole text stays in its tooltip). */
#define KN_HTML_MAX_CELL 60
#define KN_SVG_WIDTH 640
#define KN_SVG_HEIGHT 400

int kn_pub(const kn_kernel *k, const kn_out *o, const json_t *parent, const char *msg_type, json_t *content) {
    kn_frame topic = {(char *)msg_type, strlen(msg_type)};
    return kn_send(k, o, &topic, 1, kn_header_new(k, msg_type), parent, NULL, content);
}

int kn_pub_status(const kn_kernel *k, const kn_out *o, const json_t *parent, const char *state) {
    return kn_pub(k, o, parent, "status", json_pack("{s:s}", "execution_state", state));
}

int kn_pub_stream(const kn_kernel *k, const kn_out *o, const json_t *parent, const char *name, const char *s, size_t n) {
    json_t *text = kn_text(s, n);
    return kn_pub(k, o, parent, "stream", text ? json_pack("{s:s, s:o}", "name", name, "text", text) : NULL);
}

json_t *kn_error_content(const loupe_diag *d, const char *code, size_t n) {
    json_t *tb = json_array();
    char *s = loupe_diag_format(d, code, n, true);
    const char *text = s ? s : d->msg;
    /* one traceback entry per line: front ends join them with newlines */
    for (const char *p = text; tb && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_t *line = kn_text(p, len);
        if (!line || json_array_append_new(tb, line) < 0) {
            json_decref(tb);
            tb = NULL;
        }
        p += len + (nl != NULL);
    }
    free(s);
    json_t *evalue = kn_text(d->msg, strlen(d->msg));
    if (!tb || !evalue) {
        json_decref(tb);
        json_decref(evalue);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o}", "ename", loupe_status_name(d->status), "evalue", evalue, "traceback", tb);
}

#ifdef KN_HAVE_WEB
/* Adds mime: the text b holds, unless rendering ran out of memory (the text form still shows). */
static void add_rendered(json_t *bundle, const char *mime, lp_strbuf *b) {
    if (!b->nomem && b->p) {
        json_t *t = kn_text(b->p, b->len);
        if (t) json_object_set_new(bundle, mime, t);
    }
    lp_strbuf_reset(b);
}
#endif

json_t *kn_mime_bundle(const loupe_display *d) {
    size_t n = d->text ? d->text_len : 0;
    if (n > 0 && d->text[n - 1] == '\n') n--;
    json_t *plain = kn_text(d->text, n);
    json_t *bundle = plain ? json_pack("{s:o}", "text/plain", plain) : NULL;
    if (!bundle) return NULL;
#ifdef KN_HAVE_WEB
    lp_strbuf b;
    lp_strbuf_init(&b);
#ifdef KN_HAVE_WEB_TABLE
    if (d->kind == LOUPE_DISPLAY_TABLE && d->table) {
        lp_render_table_html(d->table, d->total_rows, KN_HTML_MAX_CELL, &b);
        add_rendered(bundle, "text/html", &b);
    }
#endif
#ifdef KN_HAVE_WEB_CHART
    if (d->kind == LOUPE_DISPLAY_CHART && d->chart) {
        lp_render_chart_svg(d->chart, KN_SVG_WIDTH, KN_SVG_HEIGHT, &b);
        add_rendered(bundle, "image/svg+xml", &b);
    }
#endif
    lp_strbuf_reset(&b);
#endif
    return bundle;
}
