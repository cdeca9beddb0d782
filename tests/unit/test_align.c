/* Sequence alignment (src/analyze/align.c): the script is a valid edit
 * script of a into b, it is shortest (its KEEP total is the LCS length,
 * checked against the textbook O(nm) dynamic programme on thousands of
 * random short pairs), it is in runs of the documented shape, and working
 * memory stays linear in n + m (Myers 1986 section 4b; Hirschberg 1975). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/align.h"

/* splitmix64: a seeded, reproducible token source. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng_next() % n);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Walk the script over a and b: every run in order and in bounds, KEEP runs
 * really equal, a and b consumed exactly, no empty run, no two adjacent runs
 * of a kind, never an INSERT straight before a DELETE, kept consistent. */
static void check_script(const uint64_t *a, size_t n, const uint64_t *b, size_t m,
                         const AlignScript *s)
{
    size_t i = 0, j = 0, kept = 0, del = 0, ins = 0;

    for (size_t t = 0; t < s->nops; t++) {
        const AlignOp *op = &s->ops[t];

        assert_true(op->len > 0);
        assert_int_equal(op->a, i);
        assert_int_equal(op->b, j);
        if (t > 0) {
            assert_int_not_equal(op->kind, s->ops[t - 1].kind);
            assert_false(s->ops[t - 1].kind == ALIGN_INSERT && op->kind == ALIGN_DELETE);
        }
        switch (op->kind) {
        case ALIGN_KEEP:
            assert_true(op->len <= n - i && op->len <= m - j);
            for (size_t u = 0; u < op->len; u++)
                assert_true(a[i + u] == b[j + u]);
            i += op->len;
            j += op->len;
            kept += op->len;
            break;
        case ALIGN_DELETE:
            assert_true(op->len <= n - i);
            i += op->len;
            del += op->len;
            break;
        case ALIGN_INSERT:
            assert_true(op->len <= m - j);
            j += op->len;
            ins += op->len;
            break;
        default:
            fail_msg("bad op kind %d", (int)op->kind);
        }
    }
    assert_int_equal(i, n);
    assert_int_equal(j, m);
    assert_int_equal(kept, s->kept);
    assert_int_equal(kept + del, n);
    assert_int_equal(kept + ins, m);
}

/* The textbook LCS length by dynamic programming, two rows. */
static size_t lcs_dp(const uint64_t *a, size_t n, const uint64_t *b, size_t m)
{
    size_t *prev = calloc(m + 1, sizeof(*prev)), *cur = calloc(m + 1, sizeof(*cur)), r;

    assert_non_null(prev);
    assert_non_null(cur);
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            if (a[i - 1] == b[j - 1])
                cur[j] = prev[j - 1] + 1;
            else
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    r = prev[m];
    free(prev);
    free(cur);
    return r;
}

static void align_check(const uint64_t *a, size_t n, const uint64_t *b, size_t m, size_t lcs)
{
    AlignScript s;

    assert_int_equal(align_sequences(a, n, b, m, &s), 0);
    check_script(a, n, b, m, &s);
    assert_int_equal(s.kept, lcs);
    align_script_free(&s);
}

static void test_random_short_pairs_match_dp(void **state)
{
    uint64_t a[40], b[40];
    unsigned pairs = 0;

    rng_state = 0x5EED0001;
    for (unsigned alpha = 2; alpha <= 6; alpha++) {
        for (unsigned t = 0; t < 1200; t++) {
            size_t n = rng_below(41), m = rng_below(41);

            for (size_t i = 0; i < n; i++)
                a[i] = rng_below(alpha);
            /* Half the pairs start b as a mutated copy of a: the near
             * alignments a diff mostly sees, not only unrelated noise. */
            if (t & 1) {
                for (size_t j = 0; j < m; j++)
                    b[j] = rng_below(alpha);
            } else {
                m = 0;
                for (size_t i = 0; i < n && m < 40; i++) {
                    size_t r = rng_below(8);

                    if (r == 0)
                        continue;
                    if (r == 1 && m < 39)
                        b[m++] = rng_below(alpha);
                    b[m++] = r == 2 ? rng_below(alpha) : a[i];
                }
            }
            align_check(a, n, b, m, lcs_dp(a, n, b, m));
            pairs++;
        }
    }
    print_message("align: %u random pairs checked against the DP LCS\n", pairs);
}

static void test_edge_cases(void **state)
{
    static const uint64_t x[] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint64_t y[] = {11, 12, 13, 14, 15};
    static const uint64_t start[] = {9, 2, 3, 4, 5, 6, 7, 8};
    static const uint64_t mid[] = {1, 2, 3, 9, 5, 6, 7, 8};
    static const uint64_t end[] = {1, 2, 3, 4, 5, 6, 7, 9};
    static const uint64_t ins_mid[] = {1, 2, 3, 4, 9, 5, 6, 7, 8};
    static const uint64_t del_start[] = {2, 3, 4, 5, 6, 7, 8};
    AlignScript s;

    /* Both empty: no runs at all. */
    assert_int_equal(align_sequences(NULL, 0, NULL, 0, &s), 0);
    assert_int_equal(s.nops, 0);
    assert_int_equal(s.kept, 0);
    align_script_free(&s);

    /* One empty: one INSERT or one DELETE run. */
    assert_int_equal(align_sequences(NULL, 0, x, 8, &s), 0);
    check_script(NULL, 0, x, 8, &s);
    assert_int_equal(s.nops, 1);
    assert_int_equal(s.ops[0].kind, ALIGN_INSERT);
    align_script_free(&s);
    assert_int_equal(align_sequences(x, 8, NULL, 0, &s), 0);
    check_script(x, 8, NULL, 0, &s);
    assert_int_equal(s.nops, 1);
    assert_int_equal(s.ops[0].kind, ALIGN_DELETE);
    align_script_free(&s);

    /* Identical: one KEEP run. */
    assert_int_equal(align_sequences(x, 8, x, 8, &s), 0);
    check_script(x, 8, x, 8, &s);
    assert_int_equal(s.nops, 1);
    assert_int_equal(s.ops[0].kind, ALIGN_KEEP);
    assert_int_equal(s.kept, 8);
    align_script_free(&s);

    /* Completely different: all of a deleted, then all of b inserted. */
    assert_int_equal(align_sequences(x, 8, y, 5, &s), 0);
    check_script(x, 8, y, 5, &s);
    assert_int_equal(s.nops, 2);
    assert_int_equal(s.ops[0].kind, ALIGN_DELETE);
    assert_int_equal(s.ops[1].kind, ALIGN_INSERT);
    assert_int_equal(s.kept, 0);
    align_script_free(&s);

    /* A single substitution at the start, middle and end. */
    assert_int_equal(align_sequences(x, 8, start, 8, &s), 0);
    check_script(x, 8, start, 8, &s);
    assert_int_equal(s.nops, 3);
    assert_int_equal(s.ops[0].kind, ALIGN_DELETE);
    assert_int_equal(s.ops[1].kind, ALIGN_INSERT);
    assert_int_equal(s.kept, 7);
    align_script_free(&s);

    assert_int_equal(align_sequences(x, 8, mid, 8, &s), 0);
    check_script(x, 8, mid, 8, &s);
    assert_int_equal(s.nops, 4);
    assert_int_equal(s.ops[1].kind, ALIGN_DELETE);
    assert_int_equal(s.ops[1].a, 3);
    assert_int_equal(s.kept, 7);
    align_script_free(&s);

    assert_int_equal(align_sequences(x, 8, end, 8, &s), 0);
    check_script(x, 8, end, 8, &s);
    assert_int_equal(s.nops, 3);
    assert_int_equal(s.ops[2].kind, ALIGN_INSERT);
    assert_int_equal(s.ops[2].b, 7);
    assert_int_equal(s.kept, 7);
    align_script_free(&s);

    /* A single insertion in the middle, a single deletion at the start. */
    assert_int_equal(align_sequences(x, 8, ins_mid, 9, &s), 0);
    check_script(x, 8, ins_mid, 9, &s);
    assert_int_equal(s.nops, 3);
    assert_int_equal(s.ops[1].kind, ALIGN_INSERT);
    assert_int_equal(s.ops[1].len, 1);
    assert_int_equal(s.kept, 8);
    align_script_free(&s);

    assert_int_equal(align_sequences(x, 8, del_start, 7, &s), 0);
    check_script(x, 8, del_start, 7, &s);
    assert_int_equal(s.nops, 2);
    assert_int_equal(s.ops[0].kind, ALIGN_DELETE);
    assert_int_equal(s.kept, 7);
    align_script_free(&s);
}

/* Lengths past what the diagonals can index fail cleanly, before any token
 * is read. */
static void test_too_large_fails(void **state)
{
    static const uint64_t x[] = {1};
    AlignScript s;

    assert_int_equal(align_sequences(x, SIZE_MAX, x, 1, &s), -1);
    assert_null(s.ops);
    assert_int_equal(s.nops, 0);
    assert_int_equal(align_sequences(x, 1, x, SIZE_MAX / 2, &s), -1);
    assert_null(s.ops);
}

/* b = a with about one edit per `every` tokens (a substitution, deletion or
 * insertion); returns the number of edits. Tokens from a large alphabet. */
static size_t make_pair(uint64_t *a, size_t n, uint64_t *b, size_t *m, size_t every, uint64_t alpha)
{
    size_t edits = 0, j = 0;

    for (size_t i = 0; i < n; i++)
        a[i] = rng_next() % alpha;
    for (size_t i = 0; i < n; i++) {
        if (rng_below(every) != 0) {
            b[j++] = a[i];
            continue;
        }
        edits++;
        switch (rng_below(3)) {
        case 0: /* substitution */
            b[j++] = rng_next() % alpha;
            break;
        case 1: /* deletion */
            break;
        default: /* insertion */
            b[j++] = rng_next() % alpha;
            b[j++] = a[i];
            break;
        }
    }
    *m = j;
    return edits;
}

static void test_million_tokens_linear_memory(void **state)
{
    const size_t n = 1000000;
    uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(2 * n * sizeof(*b));
    size_t m, edits, budget;
    AlignScript s;
    double t0, dt;

    assert_non_null(a);
    assert_non_null(b);
    rng_state = 0x5EED0002;
    edits = make_pair(a, n, b, &m, 1000, UINT64_MAX);
    t0 = now_seconds();
    assert_int_equal(align_sequences(a, n, b, m, &s), 0);
    dt = now_seconds() - t0;
    check_script(a, n, b, m, &s);
    assert_true(s.kept >= n - edits);
    /* Two V arrays of n + m + 3 words, a stack of a few frames per level of
     * a split tree log2(D) deep, and while they live the maps of the tokens
     * kept after discarding those that cannot match (a word per token, and
     * a word per kept token for their copies). */
    budget = 40 * (n + m) + 65536;
    print_message("align: n=%zu m=%zu edits=%zu kept=%zu ops=%zu in %.3f s, "
                  "peak %zu bytes (%.2f per token, budget %zu)\n",
                  n, m, edits, s.kept, s.nops, dt, align_peak_bytes(),
                  (double)align_peak_bytes() / (double)(n + m), budget);
    assert_true(align_peak_bytes() > 0);
    assert_true(align_peak_bytes() <= budget);
    align_script_free(&s);
    free(a);
    free(b);
}

static void test_hundred_thousand_tokens_ten_percent(void **state)
{
    const size_t n = 100000;
    uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(2 * n * sizeof(*b));
    size_t m, edits;
    AlignScript s;
    double t0, dt;

    assert_non_null(a);
    assert_non_null(b);
    rng_state = 0x5EED0003;
    /* A small alphabet: many short chance matches off the true path. */
    edits = make_pair(a, n, b, &m, 10, 64);
    t0 = now_seconds();
    assert_int_equal(align_sequences(a, n, b, m, &s), 0);
    dt = now_seconds() - t0;
    check_script(a, n, b, m, &s);
    assert_true(s.kept >= n - edits);
    assert_true(align_peak_bytes() <= 40 * (n + m) + 65536);
    print_message("align: n=%zu m=%zu edits=%zu kept=%zu in %.3f s, peak %zu bytes\n", n, m, edits,
                  s.kept, dt, align_peak_bytes());
    align_script_free(&s);
    free(a);
    free(b);
}

/* A bounded search stays a valid script whatever the bound, never claims
 * more than the true LCS, and is exact once the bound covers the cost. */
static void test_bounded_is_valid_and_exact_when_loose(void **state)
{
    uint64_t a[300], b[300];

    (void)state;
    rng_state = 0x5EED0004;
    for (unsigned t = 0; t < 600; t++) {
        size_t n = rng_below(300), m = rng_below(300), lcs;
        uint64_t alpha = 2 + rng_below(6);
        AlignScript s;

        for (size_t i = 0; i < n; i++)
            a[i] = rng_next() % alpha;
        for (size_t j = 0; j < m; j++)
            b[j] = rng_below(4) ? a[rng_below(n ? n : 1)] % alpha : rng_next() % alpha;
        lcs = lcs_dp(a, n, b, m);
        assert_int_equal(align_sequences_bounded(a, n, b, m, 1 + rng_below(8), &s), 0);
        check_script(a, n, b, m, &s);
        assert_true(s.kept <= lcs);
        align_script_free(&s);
        assert_int_equal(align_sequences_bounded(a, n, b, m, n + m + 1, &s), 0);
        check_script(a, n, b, m, &s);
        assert_int_equal(s.kept, lcs);
        align_script_free(&s);
    }
}

/* The bound `xdrv diff` uses keeps a large pair with 10% edits cheap and
 * close to optimal (bench/diffbench measures 10^6 tokens). */
static void test_default_bound_ten_percent(void **state)
{
    const size_t n = 300000;
    uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(2 * n * sizeof(*b));
    size_t m, edits;
    AlignScript s;
    double t0, dt;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    rng_state = 0x5EED0005;
    edits = make_pair(a, n, b, &m, 10, 1u << 20);
    t0 = now_seconds();
    assert_int_equal(align_sequences_bounded(a, n, b, m, align_default_bound(n, m), &s), 0);
    dt = now_seconds() - t0;
    check_script(a, n, b, m, &s);
    print_message("align bounded: n=%zu m=%zu edits=%zu kept=%zu (n - edits = %zu) in %.3f s\n", n,
                  m, edits, s.kept, n - edits, dt);
    /* each edit costs at most one kept token of a; a bounded split loses
     * a few more, never a large share */
    assert_true(s.kept >= (n - edits) - (n - edits) / 100);
    assert_true(align_peak_bytes() <= 40 * (n + m) + 65536);
    align_script_free(&s);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_short_pairs_match_dp),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_too_large_fails),
        cmocka_unit_test(test_million_tokens_linear_memory),
        cmocka_unit_test(test_hundred_thousand_tokens_ten_percent),
        cmocka_unit_test(test_bounded_is_valid_and_exact_when_loose),
        cmocka_unit_test(test_default_bound_ten_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
