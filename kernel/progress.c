/* progress.c -- the running display of a long cell: after half a second, a display_data with a
 * display_id saying how long the cell has run, updated twice a second with
 * update_display_data, and emptied when the cell ends (before its result and reply).
 *
 * The main thread owns it, so it keeps ticking while the worker is inside loupe_run. The
 * worker marks where a cell's run starts (with the request's header, the display's parent)
 * and ends on its pipe, in order with its other messages, so the display always comes after
 * the cell's execute_input and is emptied before its execute_result.
 *
 * The text names the engine's stage and the tasks (partitions, chunks) it has done of those
 * started, read with loupe_progress (atomics; safe from this thread while the worker runs).
 */
#include "kernel.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A cell shows the display once it has run this long, and updates it this often. */
#define KN_PROGRESS_AFTER_MS 500.0
#define KN_PROGRESS_EVERY_MS 500.0

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static json_t *content(const kn_progress *p, bool empty) {
    char text[160], html[320], stage[32], what[96] = "";
    double s = (now_ms() - p->t0) / 1e3;
    int64_t done, total;
    /* the engine's stage and tasks, like Spark's console progress bar: "join: 3/8" */
    loupe_progress(stage, sizeof stage, &done, &total);
    if (stage[0] && total > 0) snprintf(what, sizeof what, " \xC2\xB7 %s: %lld/%lld", stage, (long long)done, (long long)total);
    else if (stage[0]) snprintf(what, sizeof what, " \xC2\xB7 %s", stage);
    if (empty) {
        text[0] = html[0] = 0;
    } else {
        snprintf(text, sizeof text, "running \xE2\x80\xA6 %.1f s%s (interrupt to stop)", s, what);
        snprintf(html, sizeof html,
                 "<div class=\"loupe-progress\" style=\"font-family:monospace;opacity:.65\">"
                 "running \xE2\x80\xA6 %.1f s%s <span style=\"opacity:.7\">(interrupt to stop)</span></div>",
                 s, what);
    }
    return json_pack("{s:{s:s, s:s}, s:{}, s:{s:s}}", "data", "text/plain", text, "text/html", html, "metadata",
                     "transient", "display_id", p->display_id);
}

void kn_progress_start(kn_kernel *k, const char *parent, size_t n) {
    kn_progress *p = &k->progress;
    json_decref(p->parent);
    json_error_t err;
    p->parent = json_loadb(parent, n, 0, &err);
    p->active = p->parent != NULL;
    p->shown = false;
    p->t0 = p->last = now_ms();
    kn_uuid(p->display_id);
}

void kn_progress_end(kn_kernel *k) {
    kn_progress *p = &k->progress;
    if (p->active && p->shown) {
        kn_out io = {k->iopub, NULL};
        kn_pub(k, &io, p->parent, "update_display_data", content(p, true));
    }
    json_decref(p->parent);
    p->parent = NULL;
    p->active = p->shown = false;
}

void kn_progress_tick(kn_kernel *k) {
    kn_progress *p = &k->progress;
    if (!p->active) return;
    double t = now_ms();
    if (!p->shown && t - p->t0 >= KN_PROGRESS_AFTER_MS) {
        kn_out io = {k->iopub, NULL};
        kn_pub(k, &io, p->parent, "display_data", content(p, false));
        p->shown = true;
        p->last = t;
    } else if (p->shown && t - p->last >= KN_PROGRESS_EVERY_MS) {
        kn_out io = {k->iopub, NULL};
        kn_pub(k, &io, p->parent, "update_display_data", content(p, false));
        p->last = t;
    }
}

int kn_progress_wait_ms(const kn_kernel *k) {
    const kn_progress *p = &k->progress;
    if (!p->active) return 1000;  /* the parent-process check's period */
    double due = (p->shown ? p->last + KN_PROGRESS_EVERY_MS : p->t0 + KN_PROGRESS_AFTER_MS) - now_ms();
    return due <= 0 ? 0 : due >= 1000 ? 1000 : (int)due + 1;
}
