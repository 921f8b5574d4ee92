/* fuzz_strip.c -- libFuzzer harness for the lessons' strip tool (lessons/tool/strip.c).
 *
 * The input is the notebook file's bytes: parsed as loupe-lessons parses it (json_loadb, as
 * json_load_file, flags 0), stripped with ll_strip_notebook, written as the tool writes it.
 * What must hold besides "no sanitizer report": a refusal has a message; a stripped notebook
 * parses back, and stripping it again changes nothing (no solution left, the same text).
 */
#include "strip.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_INPUT (64 * 1024)
#define DUMP_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return -1;
    json_error_t je;
    json_t *nb = json_loadb((const char *)data, size, 0, &je);
    if (!nb) return 0;
    ll_strip st;
    if (ll_strip_notebook(nb, &st) != 0) {
        if (st.err[0] == 0) {
            fprintf(stderr, "fuzz_strip: refused without a message\n");
            abort();
        }
        json_decref(nb);
        return 0;
    }
    if (st.ncells > st.nsol) {
        fprintf(stderr, "fuzz_strip: %d cells changed for %d solutions\n", st.ncells, st.nsol);
        abort();
    }
    char *once = json_dumps(nb, DUMP_FLAGS);
    if (!once) abort();
    json_t *again = json_loads(once, 0, &je);
    if (!again) {
        fprintf(stderr, "fuzz_strip: the stripped notebook does not parse: %s\n", je.text);
        abort();
    }
    ll_strip st2;
    if (ll_strip_notebook(again, &st2) != 0 || st2.nsol != 0) {
        fprintf(stderr, "fuzz_strip: stripping twice: %s (%d solutions)\n", st2.err, st2.nsol);
        abort();
    }
    char *twice = json_dumps(again, DUMP_FLAGS);
    if (!twice || strcmp(once, twice) != 0) {
        fprintf(stderr, "fuzz_strip: stripping twice changed the notebook\n--- once\n%s\n--- twice\n%s\n", once,
                twice ? twice : "(null)");
        abort();
    }
    free(once);
    free(twice);
    json_decref(again);
    json_decref(nb);
    return 0;
}
