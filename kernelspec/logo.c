/* logo.c -- draws the kernel's logo, a loupe (a lens ring with a handle) over a small bar
 * chart, as an RGBA PNG of N x N pixels, so the kernelspec's logos are generated at build time
 * rather than committed as binary files.
 *
 *     loupe-logo N OUT.png
 *
 * Shapes are signed-distance fields sampled 4x4 per pixel for anti-aliasing; the PNG is one
 * IDAT chunk compressed with zlib (filter 0 on every row).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static int chunk(FILE *f, const char *type, const unsigned char *data, uint32_t n) {
    unsigned char h[8];
    put32(h, n);
    memcpy(h + 4, type, 4);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (n) crc = crc32(crc, data, n);
    unsigned char c[4];
    put32(c, (uint32_t)crc);
    return fwrite(h, 1, 8, f) == 8 && (n == 0 || fwrite(data, 1, n, f) == n) && fwrite(c, 1, 4, f) == 4 ? 0 : -1;
}

/* Distance from (x, y) to the segment (ax, ay)-(bx, by). */
static double seg_dist(double x, double y, double ax, double ay, double bx, double by) {
    double dx = bx - ax, dy = by - ay, t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(x - ax - t * dx, y - ay - t * dy);
}

/* The colour at (x, y) in unit coordinates (0..1), as RGBA 0..1, premultiplied-free. */
static void shade(double x, double y, double rgba[4]) {
    const double cx = 0.42, cy = 0.42, r = 0.30, ring = 0.065;
    double d = hypot(x - cx, y - cy);
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0;
    if (d < r - ring / 2) {  /* the lens: pale glass with three bars seen through it */
        rgba[0] = 0.90, rgba[1] = 0.95, rgba[2] = 1.0, rgba[3] = 1;
        static const double bars[3][2] = {{0.27, 0.52}, {0.39, 0.34}, {0.51, 0.44}};
        for (int i = 0; i < 3; i++)
            if (x >= bars[i][0] && x < bars[i][0] + 0.09 && y >= bars[i][1] && y < 0.62)
                rgba[0] = 0.90, rgba[1] = 0.37, rgba[2] = 0.0;  /* Okabe-Ito vermillion-orange */
    }
    if (fabs(d - r) < ring / 2 || seg_dist(x, y, 0.64, 0.64, 0.88, 0.88) < 0.06)
        rgba[0] = 0.0, rgba[1] = 0.45, rgba[2] = 0.70, rgba[3] = 1;  /* Okabe-Ito blue */
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) < 8 || atoi(argv[1]) > 1024) {
        fprintf(stderr, "usage: loupe-logo N OUT.png (8 <= N <= 1024)\n");
        return 2;
    }
    int n = atoi(argv[1]);
    size_t stride = (size_t)n * 4 + 1;
    unsigned char *raw = calloc(stride, (size_t)n);
    uLongf zn = compressBound((uLong)(stride * (size_t)n));
    unsigned char *z = malloc(zn);
    if (!raw || !z) {
        fprintf(stderr, "loupe-logo: out of memory\n");
        return 1;
    }
    const int ss = 4;
    for (int py = 0; py < n; py++) {
        unsigned char *row = raw + (size_t)py * stride;
        row[0] = 0;
        for (int px = 0; px < n; px++) {
            double acc[4] = {0};
            for (int sy = 0; sy < ss; sy++)
                for (int sx = 0; sx < ss; sx++) {
                    double c[4];
                    shade((px + (sx + 0.5) / ss) / n, (py + (sy + 0.5) / ss) / n, c);
                    for (int i = 0; i < 3; i++) acc[i] += c[i] * c[3];
                    acc[3] += c[3];
                }
            unsigned char *p = row + 1 + (size_t)px * 4;
            for (int i = 0; i < 3; i++) p[i] = (unsigned char)(acc[3] > 0 ? lround(255 * acc[i] / acc[3]) : 0);
            p[3] = (unsigned char)lround(255 * acc[3] / (ss * ss));
        }
    }
    if (compress2(z, &zn, raw, (uLong)(stride * (size_t)n), 9) != Z_OK) {
        fprintf(stderr, "loupe-logo: compression failed\n");
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)n);
    put32(ihdr + 4, (uint32_t)n);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 6;  /* RGBA */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    int rc = fwrite(sig, 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, 13) == 0 && chunk(f, "IDAT", z, (uint32_t)zn) == 0 &&
                     chunk(f, "IEND", NULL, 0) == 0
                 ? 0
                 : 1;
    if (fclose(f) != 0) rc = 1;
    if (rc) fprintf(stderr, "loupe-logo: cannot write %s\n", argv[2]);
    free(raw);
    free(z);
    return rc;
}
