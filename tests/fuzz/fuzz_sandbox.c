/* fuzz_sandbox.c -- keeps the language fuzzer's file access inside its scratch directory.
 *
 * A fuzzed statement can name any path: spark.read.csv("/dev/zero") would hang, and
 * df.write.mode("overwrite").csv("/some/file") would clobber a file. fuzz_lang is linked with
 * -Wl,--wrap for every file call the engine makes (CMakeLists.txt: FUZZ_WRAP), and while the
 * sandbox is armed these wrappers refuse, with EACCES, an absolute path, a path with a ".."
 * component, and any change to the fixtures in data/ (so every input sees the same files).
 * Everything else goes to the real call with the relative path taken from the scratch directory
 * (the process keeps its own working directory, so libFuzzer's relative paths still work), and
 * fuzz_sandbox_clean() empties the directory of what the input wrote.
 *
 * The engine only sees an error it already handles (a permission denied), so the paths after a
 * refused open or rename are fuzzed too.
 */
#include "fuzz_sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_open(const char *path, int flags, ...);
int __real_stat(const char *path, struct stat *st);
int __real_mkostemp(char *tmpl, int flags);
int __real_rename(const char *from, const char *to);
int __real_renameat2(int fromdir, const char *from, int todir, const char *to, unsigned flags);
int __real_unlink(const char *path);
DIR *__real_opendir(const char *path);

static bool armed;
static const char *root;
static const char *const *fixtures;

void fuzz_sandbox_arm(const char *scratch, const char *const *fixture_names) {
    root = scratch;
    fixtures = fixture_names;
    armed = true;
}

void fuzz_sandbox_disarm(void) { armed = false; }

static bool is_fixture(const char *name, size_t n) {
    for (int i = 0; fixtures && fixtures[i]; i++)
        if (strlen(fixtures[i]) == n && memcmp(fixtures[i], name, n) == 0) return true;
    return false;
}

/* Whether the armed sandbox lets the path through; `write`: the call changes the file. */
static bool allowed(const char *path, bool write) {
    if (!armed) return true;
    if (!path || path[0] == '/') return false;
    /* the components, "." and empty ones dropped: "./data//x" is data, x */
    const char *comp[2];
    size_t len[2];
    int n = 0;
    for (const char *p = path; *p;) {
        const char *e = strchr(p, '/');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == 2 && p[0] == '.' && p[1] == '.') return false;
        if (k > 0 && !(k == 1 && p[0] == '.')) {
            if (n < 2) {
                comp[n] = p;
                len[n] = k;
            }
            n++;
        }
        p += k;
        if (*p == '/') p++;
    }
    if (write && n == 2 && len[0] == 4 && memcmp(comp[0], "data", 4) == 0 && is_fixture(comp[1], len[1])) return false;
    if (write && n == 1 && len[0] == 4 && memcmp(comp[0], "data", 4) == 0) return false;
    return true;
}

/* The path the real call gets: the relative path under the scratch directory (armed), or path
 * itself. Too long a path is refused. */
static const char *mapped(const char *path, char buf[PATH_MAX]) {
    if (!armed) return path;
    int k = snprintf(buf, PATH_MAX, "%s/%s", root, path);
    return k > 0 && k < PATH_MAX ? buf : NULL;
}

#define REFUSE(ret)      \
    do {                 \
        errno = EACCES;  \
        return ret;      \
    } while (0)

int __wrap_open(const char *path, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    char b[PATH_MAX];
    if (!allowed(path, (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0) || !(path = mapped(path, b))) REFUSE(-1);
    return __real_open(path, flags, mode);
}

int __wrap_stat(const char *path, struct stat *st) {
    char b[PATH_MAX];
    if (!allowed(path, false) || !(path = mapped(path, b))) REFUSE(-1);
    return __real_stat(path, st);
}

int __wrap_mkostemp(char *tmpl, int flags) {
    char b[PATH_MAX];
    const char *p;
    if (!allowed(tmpl, true) || !(p = mapped(tmpl, b))) REFUSE(-1);
    if (p == tmpl) return __real_mkostemp(tmpl, flags);
    int fd = __real_mkostemp(b, flags);
    size_t n = strlen(tmpl), m = strlen(b);
    if (fd >= 0 && n >= 6) memcpy(tmpl + n - 6, b + m - 6, 6);  /* the name it made */
    return fd;
}

int __wrap_rename(const char *from, const char *to) {
    char b1[PATH_MAX], b2[PATH_MAX];
    if (!allowed(from, true) || !allowed(to, true) || !(from = mapped(from, b1)) || !(to = mapped(to, b2))) REFUSE(-1);
    return __real_rename(from, to);
}

int __wrap_renameat2(int fromdir, const char *from, int todir, const char *to, unsigned flags) {
    char b1[PATH_MAX], b2[PATH_MAX];
    if (fromdir != AT_FDCWD || todir != AT_FDCWD || !allowed(from, true) || !allowed(to, true) ||
        !(from = mapped(from, b1)) || !(to = mapped(to, b2)))
        REFUSE(-1);
    return __real_renameat2(fromdir, from, todir, to, flags);
}

int __wrap_unlink(const char *path) {
    char b[PATH_MAX];
    if (!allowed(path, true) || !(path = mapped(path, b))) REFUSE(-1);
    return __real_unlink(path);
}

DIR *__wrap_opendir(const char *path) {
    char b[PATH_MAX];
    if (!allowed(path, false) || !(path = mapped(path, b))) REFUSE(NULL);
    return __real_opendir(path);
}

/* Removes the regular files in dir that are not in keep (NULL-terminated; NULL keeps none). */
static void clean_dir(const char *dir, const char *const *keep, const char *keep_dir) {
    DIR *d = __real_opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (keep_dir && strcmp(e->d_name, keep_dir) == 0) continue;
        bool kept = false;
        for (int i = 0; keep && keep[i]; i++)
            if (strcmp(keep[i], e->d_name) == 0) kept = true;
        if (kept) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (__real_unlink(p) != 0) {
            fprintf(stderr, "fuzz_sandbox: cannot remove %s: %s\n", p, strerror(errno));
            abort();
        }
    }
    closedir(d);
}

void fuzz_sandbox_clean(void) {
    if (!root) return;
    char data[4096];
    snprintf(data, sizeof data, "%s/data", root);
    clean_dir(root, NULL, "data");
    clean_dir(data, fixtures, NULL);
}
