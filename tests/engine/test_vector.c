/* test_vector.c -- the vector column type: building sparse and dense rows (and nulls), reading
 * them back, take/slice/concat, show() formatting, hashing and equality, byte counts, and
 * HashingTF's term indices against an independent MurmurHash3_x86_32 written here. */
#include "testutil.h"

#include "lang/ml.h"

#include <stdio.h>
#include <string.h>

/* rows: sparse (5,[1,3],[1.0,2.5]), dense [1.0,2.0], null, sparse (4,[],[]), dense [] */
static lp_column *sample(void) {
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    int32_t idx[] = {1, 3};
    double val[] = {1.0, 2.5}, dv[] = {1.0, 2.0};
    lp_colbuf_append_vec(&b, 5, 2, idx, val);
    lp_colbuf_append_vec(&b, 2, 2, NULL, dv);
    lp_colbuf_append_null(&b);
    lp_colbuf_append_vec(&b, 4, 0, idx, val);
    lp_colbuf_append_vec(&b, 0, 0, NULL, NULL);
    lp_column *c;
    assert_int_equal(lp_colbuf_finish(&b, &c), LP_OK);
    return c;
}

static char *fmt_col(const lp_column *c) {
    lp_strbuf s;
    lp_strbuf_init(&s);
    for (int64_t r = 0; r < c->len; r++) {
        lp_value v = lp_column_get(c, r);
        lp_value_format(&v, &s);
        lp_strbuf_putc(&s, '|');
    }
    return lp_strbuf_take(&s);
}

static void test_vector_build_and_format(void **state) {
    (void)state;
    lp_column *c = sample();
    assert_int_equal(c->len, 5);
    assert_int_equal(c->null_count, 1);
    char *s = fmt_col(c);
    assert_string_equal(s, "(5,[1,3],[1.0,2.5])|[1.0,2.0]|null|(4,[],[])|[]|");
    lp_free(s);
    lp_value v = lp_column_get(c, 0);
    assert_int_equal(v.u.vec.size, 5);
    assert_int_equal(v.u.vec.nnz, 2);
    assert_true(lp_vec_at(&v, 3) == 2.5);
    assert_true(lp_vec_at(&v, 2) == 0.0);
    assert_true(lp_vec_at(&v, 9) == 0.0);
    v = lp_column_get(c, 1);
    assert_null(v.u.vec.idx);
    assert_true(lp_vec_at(&v, 1) == 2.0);
    assert_string_equal(lp_type_name(c->type), "vector");
    assert_string_equal(lp_type_name(lp_type_list(LP_VECTOR)), "array<vector>");
    assert_true(lp_column_bytes(c) > 5 * 12);
    lp_column_unref(c);
}

static void test_vector_take_slice_concat(void **state) {
    (void)state;
    lp_column *c = sample();
    int64_t idx[] = {4, 0, -1, 1, 0};
    lp_column *t = lp_column_take(c, idx, 5);
    assert_non_null(t);
    char *s = fmt_col(t);
    assert_string_equal(s, "[]|(5,[1,3],[1.0,2.5])|null|[1.0,2.0]|(5,[1,3],[1.0,2.5])|");
    lp_free(s);
    lp_column *sl = lp_column_slice(c, 1, 3);
    s = fmt_col(sl);
    assert_string_equal(s, "[1.0,2.0]|null|(4,[],[])|");
    lp_free(s);
    lp_column *parts[] = {sl, t};
    lp_column *cat = lp_column_concat(parts, 2);
    assert_int_equal(cat->len, 8);
    s = fmt_col(cat);
    assert_string_equal(s, "[1.0,2.0]|null|(4,[],[])|[]|(5,[1,3],[1.0,2.5])|null|[1.0,2.0]|(5,[1,3],[1.0,2.5])|");
    lp_free(s);
    /* equal vectors hash and compare equal; sparse and dense forms of one vector differ, as in
     * Spark's struct encoding */
    lp_column *k1[] = {t}, *k2[] = {cat};
    assert_true(lp_keys_equal(k1, 1, k2, 4, 1, true));
    assert_false(lp_keys_equal(k1, 1, k2, 0, 1, true));
    lp_column_unref(t);
    lp_column_unref(sl);
    lp_column_unref(cat);
    lp_column_unref(c);
}

/* Austin Appleby's MurmurHash3_x86_32, written again here so the engine's copy is checked
 * against an independent one. */
static uint32_t ref_murmur(const char *key, int len, uint32_t seed) {
    const unsigned char *data = (const unsigned char *)key;
    uint32_t h1 = seed;
    int nblocks = len / 4;
    for (int i = 0; i < nblocks; i++) {
        uint32_t k1;
        memcpy(&k1, data + 4 * i, 4);
        k1 *= 0xcc9e2d51;
        k1 = (k1 << 15) | (k1 >> 17);
        k1 *= 0x1b873593;
        h1 ^= k1;
        h1 = (h1 << 13) | (h1 >> 19);
        h1 = h1 * 5 + 0xe6546b64;
    }
    const unsigned char *tail = data + nblocks * 4;
    uint32_t k1 = 0;
    int rem = len & 3;
    if (rem >= 3) k1 ^= (uint32_t)tail[2] << 16;
    if (rem >= 2) k1 ^= (uint32_t)tail[1] << 8;
    if (rem >= 1) {
        k1 ^= tail[0];
        k1 *= 0xcc9e2d51;
        k1 = (k1 << 15) | (k1 >> 17);
        k1 *= 0x1b873593;
        h1 ^= k1;
    }
    h1 ^= (uint32_t)len;
    h1 ^= h1 >> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >> 16;
    return h1;
}

static void test_vector_hashing_tf_indices(void **state) {
    (void)state;
    /* published MurmurHash3_x86_32 vectors */
    assert_int_equal(lp_ml_murmur3("", 0, 0), 0);
    assert_int_equal(lp_ml_murmur3("", 0, 1), 0x514E28B7);
    assert_int_equal(lp_ml_murmur3("The quick brown fox jumps over the lazy dog", 43, 0), 0x2e4ff723);
    assert_int_equal(lp_ml_murmur3("Hello, world!", 13, 1234), 0xfaf6cdb3);
    const char *terms[] = {"a", "ab", "abc", "abcd", "hello", "spark", "great product", "héllo", "", "the"};
    int nf[] = {262144, 20, 1000, 7, 1 << 20};
    for (size_t i = 0; i < LP_ARRAY_LEN(terms); i++) {
        int len = (int)strlen(terms[i]);
        assert_int_equal(lp_ml_murmur3(terms[i], (size_t)len, 42), ref_murmur(terms[i], len, 42));
        for (size_t j = 0; j < LP_ARRAY_LEN(nf); j++) {
            int32_t h = (int32_t)ref_murmur(terms[i], len, 42);
            int32_t want = ((h % nf[j]) + nf[j]) % nf[j];  /* Spark's Utils.nonNegativeMod */
            assert_int_equal(lp_ml_term_index(terms[i], (size_t)len, nf[j]), want);
        }
    }
}

static void test_vector_allocation_failures(void **state) {
    (void)state;
    for (int64_t n = 1; n < 40; n++) {
        lp_mem_fail_at(n, false);
        lp_colbuf b;
        lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
        int32_t idx[64];
        double val[64];
        for (int i = 0; i < 64; i++) {
            idx[i] = 2 * i;
            val[i] = i;
        }
        for (int r = 0; r < 40; r++) {
            int32_t nnz = r % 3 ? 64 : 3;
            lp_colbuf_append_vec(&b, r % 2 ? 200 : nnz, nnz, r % 2 ? idx : NULL, val);
        }
        lp_column *c = NULL;
        lp_status st = lp_colbuf_finish(&b, &c);
        int64_t failed = lp_mem_fail_at(0, false);
        if (failed) {
            assert_int_equal(st, LP_ENOMEM);
            assert_null(c);
        } else {
            assert_int_equal(st, LP_OK);
            lp_column_unref(c);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_vector_build_and_format),
        TU_TEST(test_vector_take_slice_concat),
        TU_TEST(test_vector_hashing_tf_indices),
        TU_TEST(test_vector_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
