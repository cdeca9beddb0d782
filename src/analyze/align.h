/* Sequence alignment: a shortest edit script (equivalently a longest common
 * subsequence) between two token sequences, the core of `xdrv diff`. Pure C,
 * libc only: callers map trace events to 64-bit tokens first.
 *
 * E. W. Myers, "An O(ND) Difference Algorithm and Its Variations",
 * Algorithmica 1 (1986), section 4b (the middle snake, linear space), with
 * the divide and conquer of D. S. Hirschberg, "A linear space algorithm for
 * computing maximal common subsequences", CACM 18(6) (1975). */
#ifndef XDRV_ANALYZE_ALIGN_H
#define XDRV_ANALYZE_ALIGN_H

#include <stddef.h>
#include <stdint.h>

typedef enum AlignOpKind { ALIGN_KEEP, ALIGN_DELETE, ALIGN_INSERT } AlignOpKind;

/* One run, len >= 1:
 *   KEEP   a[a..a+len) == b[b..b+len)
 *   DELETE a[a..a+len); b is where in b the deletion falls
 *   INSERT b[b..b+len); a is where in a the insertion falls */
typedef struct AlignOp {
    AlignOpKind kind;
    size_t a, b, len;
} AlignOp;

typedef struct AlignScript {
    AlignOp *ops;
    size_t nops, cap;
    size_t kept; /* total KEEP length: the LCS length */
} AlignScript;

/* Align a (n tokens) and b (m tokens); tokens are equal iff their values are.
 * *out is overwritten (free an earlier script first) with a shortest edit
 * script in runs, in order: no two adjacent runs of the same kind, and
 * between two KEEP runs at most one DELETE followed by at most one INSERT.
 * Working memory is O(n + m) words besides the script, whatever the number
 * of differences D; time O((n + m) * D). Returns 0, or -1 (with *out empty)
 * on memory exhaustion or when n or m is too large to index. */
int align_sequences(const uint64_t *a, size_t n, const uint64_t *b, size_t m, AlignScript *out);

/* The same with a bound on the work: once a middle-snake search has gone
 * max_cost rounds (0: no bound) it splits at the furthest point reached
 * instead of the optimal one. The script is always a valid edit script
 * (KEEP runs are equal tokens), exact while every subproblem costs at most
 * 2 * max_cost, and time is O((n + m) * max_cost) per split. */
int align_sequences_bounded(const uint64_t *a, size_t n, const uint64_t *b, size_t m,
                            size_t max_cost, AlignScript *out);
/* The bound `xdrv diff` uses unless asked for a minimal diff: about
 * sqrt(n + m), at least 4096. */
size_t align_default_bound(size_t n, size_t m);

void align_script_free(AlignScript *s);

/* Bytes of working memory the last align_sequences call used at its peak,
 * not counting the script (process-wide; for the linear-space test). */
size_t align_peak_bytes(void);

#endif
