/* Code coverage of a driver image: the denominator is a static
 * disassembly (Capstone) of the image's executable sections into basic
 * blocks and functions; the numerator is the BLOCKS events of trace files
 * (the translated blocks that ran, as module-relative (rva, size) pairs).
 * How the blocks are found is stated in docs/coverage.md. */
#ifndef XDRV_EXERCISE_COVERAGE_H
#define XDRV_EXERCISE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define COV_ERR_MAX 256

typedef struct CovMap CovMap;

/* Disassemble a PE32 image file's executable sections. NULL with a
 * one-line reason (not a PE32 x86 image, no executable section). */
CovMap *cov_map_build(const uint8_t *file, size_t len, char *err, size_t errlen);
/* The same, of an image file: NULL with "PATH: reason" in err. */
CovMap *cov_map_load(const char *path, char *err, size_t errlen);
void cov_map_free(CovMap *c);
/* SizeOfImage of the analysed image (to check a trace's MODULE event). */
uint32_t cov_map_image_size(const CovMap *c);
/* Static basic blocks and functions found. */
size_t cov_map_nblocks(const CovMap *c);
size_t cov_map_nfunctions(const CovMap *c);
/* Code at [rva, rva+size) ran (a translated block: it may span several
 * static blocks; each static block whose first byte lies inside is reached).
 * Returns how many static blocks became reached by this call. */
size_t cov_map_mark(CovMap *c, uint32_t rva, uint32_t size);
/* An entry point the host called (GUEST_CALL name and function rva): a
 * function root for the per-entry-point figures. */
void cov_map_add_entry(CovMap *c, const char *name, uint32_t rva);
/* Reading a trace's events into a map: the driver module's name (empty:
 * the first MODULE event's), where it was mapped, and whether it was. */
typedef struct CovTraceState {
    char module[64];
    uint32_t base, size;
    int have;
} CovTraceState;
/* One event: the module's MODULE (its base), a GUEST_CALL inside it (an
 * entry point), its BLOCKS (marked). Returns the static blocks newly
 * reached, or -1 when BLOCKS data is not (rva, size) pairs. */
struct TraceEvent;
long cov_map_event(CovMap *c, CovTraceState *st, const struct TraceEvent *ev);
/* Reached static blocks so far. */
size_t cov_map_nreached(const CovMap *c);
/* The report: per entry point (blocks reachable from it through direct
 * calls, reached / total), the functions never reached (rva, name when
 * exported, size in blocks), and the last line exactly
 * "coverage: N% of M basic blocks" (N with one decimal). json != 0: the
 * same as one JSON object. */
void cov_map_report(const CovMap *c, FILE *out, int json);

/* For tests and tools: analyse bare x86-32 code as if mapped at `rva`
 * (absolute operands are taken as rvas), from the given function roots;
 * no relocations, so no pointer roots. NULL with a one-line reason. */
CovMap *cov_map_build_code(const uint8_t *code, size_t len, uint32_t rva, const uint32_t *roots,
                           size_t nroots, char *err, size_t errlen);
/* The i-th static block in rva order: 0, or -1 past the last. */
int cov_map_block(const CovMap *c, size_t i, uint32_t *rva, uint32_t *size);
/* The i-th function in rva order: its start, its name as the report prints
 * it (into name, namelen bytes; may be NULL) and its block count (may be
 * NULL). 0, or -1 past the last. */
int cov_map_function(const CovMap *c, size_t i, uint32_t *rva, char *name, size_t namelen,
                     size_t *nblocks);

/* `xdrv trace coverage`: read every BLOCKS and GUEST_CALL event of the
 * traces (all must name the same driver module), analyse `driver` (the
 * image file; NULL = the path recorded in the traces' MODULE event) and
 * print the report. Returns 0, or -1 with a one-line reason in err. */
#define COV_JSON 1u      /* the report as JSON */
#define COV_UNREACHED 2u /* first, every block never reached (text) */
int cov_run(const char *const *traces, size_t ntraces, const char *driver, FILE *out,
            unsigned flags, char *err, size_t errlen);
/* The loop through the code at rva (the strongly connected blocks of its
 * function that lead back to its block): how many blocks, and how many
 * branches leave it (one: the loop ends on a single condition; two or
 * more: it has another way out, a timeout for a polling loop). -1 when
 * rva is in no block or on no cycle. */
int cov_map_loop_at(const CovMap *c, uint32_t rva, unsigned *nblocks, unsigned *exits);
/* Whether static block i was reached. */
int cov_map_block_reached(const CovMap *c, size_t i);
/* "blocks never reached: N of M", then one line per block: rva, size, the
 * function it belongs to. */
void cov_map_report_unreached(const CovMap *c, FILE *out);

#endif
