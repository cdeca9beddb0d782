/* `xdrv diff`: align two traces token by token (norm.h, align.h) and print
 * the differences as a unified diff over normalized lines, a summary
 * (--stat) or JSON (docs/formats/diff.md). Two streaming passes per trace:
 * one for the hashes, one for the lines of the hunks, so memory is a few
 * words per token whatever the events hold. */
#ifndef XDRV_ANALYZE_DIFF_H
#define XDRV_ANALYZE_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "analyze/norm.h"

typedef enum DiffFormat { DIFF_UNIFIED, DIFF_STAT, DIFF_JSON } DiffFormat;

typedef struct DiffOptions {
    NormOptions norm;       /* request and kind filters, for both traces */
    DiffFormat format;
    unsigned context;       /* unified: lines of context around a change */
    int minimal;            /* exact shortest edit script, whatever it costs */
    int ignore_poll_counts; /* a poll that ran x3 here and x5 there is no change */
    int no_marks;           /* pass 2 reads each trace again from its start, not from the
                             * nearest mark (tests: the output is the same) */
} DiffOptions;

/* Compare trace files a and b and write the result to out. Returns 0 when
 * they are the same (after normalization), 1 when they differ, -1 with a
 * one-line reason in err (unreadable or malformed trace, no memory, write
 * error). */
int diff_traces(const char *a, const char *b, const DiffOptions *o, FILE *out, char *err,
                size_t errlen);

#endif
