/* libFuzzer target for the workload parser (src/exercise/workload.c) on
 * arbitrary bytes, not NUL-terminated. A refused text must have a one-line
 * error naming its line. An accepted one must hold only valid steps, and
 * format to text that parses back to the same seed and the same steps field
 * by field, and formats again to the same text; the frames of its first
 * sends and receives are built (ASan checks they stay within len bytes). */
#include "exercise/workload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 16

static int steps_equal(const WlStep *a, const WlStep *b)
{
    return a->kind == b->kind && a->len == b->len && a->payload == b->payload &&
           a->dest == b->dest && a->count == b->count && a->filter == b->filter &&
           a->mcast_op == b->mcast_op && memcmp(a->macs, b->macs, sizeof a->macs) == 0 &&
           a->nmacs == b->nmacs && a->oid == b->oid &&
           memcmp(a->value, b->value, sizeof a->value) == 0 && a->value_len == b->value_len &&
           a->up == b->up && a->cond == b->cond && a->ms == b->ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t own[6] = {0x00, 0x0d, 0x3a, 0x11, 0x22, 0x33};
    char err[WL_ERR_MAX], line[1024];
    Workload w, again;
    char *text, *text2;
    unsigned frames = 0;

    /* a private copy of exactly size bytes: a read past it is an ASan error */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (workload_parse(copy, size, "fuzz", &w, err, sizeof err) != 0) {
        if (strncmp(err, "line ", 5) != 0 || strchr(err, '\n') || w.nsteps || w.steps)
            abort();
        free(copy);
        return 0;
    }
    free(copy);
    for (size_t i = 0; i < w.nsteps; i++) {
        const WlStep *s = &w.steps[i];

        if (workload_check_step(s, err, sizeof err) != 0 || s->line == 0)
            abort();
        if (workload_format_step(s, line, sizeof line) <= 0)
            abort();
        if ((s->kind == WL_SEND || s->kind == WL_RECEIVE) && frames < MAX_FRAMES) {
            uint8_t *frame = malloc(s->len);
            if (!frame)
                abort();
            workload_frame(&w, i, s, own, frame);
            free(frame);
            frames++;
        }
    }
    text = workload_format(&w);
    if (!text)
        abort();
    if (workload_parse(text, strlen(text), "again", &again, err, sizeof err) != 0)
        abort();
    if (again.seed != w.seed || again.nsteps != w.nsteps)
        abort();
    for (size_t i = 0; i < w.nsteps; i++)
        if (!steps_equal(&w.steps[i], &again.steps[i]))
            abort();
    text2 = workload_format(&again);
    if (!text2 || strcmp(text, text2) != 0)
        abort();
    free(text);
    free(text2);
    workload_free(&again);
    workload_free(&w);
    return 0;
}
