/* Trace files (.xtr): the binary, versioned, streamable recording of a run,
 * one record per TraceEvent (docs/formats/trace.md, field by field), and
 * their two text forms: the canonical dump (one greppable line per event,
 * the form `xdrv diff` aligns) and Chrome/Perfetto trace-event JSON.
 * Pure C: no vm, no device models; src/analyze reads traces through this. */
#ifndef XDRV_TRACE_XTR_H
#define XDRV_TRACE_XTR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/trace.h"

#define XTR_VERSION 1u
#define XTR_ERR_MAX 256

/* Limits a reader enforces, so that no input makes it allocate without
 * bound; the writer clips what it writes to them. */
#define XTR_STR_MAX (1u << 20)     /* bytes in one string (without its NUL) */
#define XTR_DATA_MAX (1u << 20)    /* bytes of data in one event */
#define XTR_STRINGS_MAX (1u << 20) /* interned strings in one file */

/* The TraceEvent fields, as bits. These are also the bits of a record's
 * presence mask on disk (docs/formats/trace.md): do not renumber. */
enum {
    XTR_F_VTIME = 1u << 0,
    XTR_F_DEPTH = 1u << 1,
    XTR_F_PC = 1u << 2,
    XTR_F_ADDR = 1u << 3,
    XTR_F_SIZE = 1u << 4,
    XTR_F_VALUE = 1u << 5,
    XTR_F_REG = 1u << 6,
    XTR_F_NAME = 1u << 7,
    XTR_F_TEXT = 1u << 8,
    XTR_F_DATA = 1u << 9,
    XTR_F_ALL = (1u << 10) - 1,
};
/* The fields a kind uses (events.def), as XTR_F_* bits without vtime,
 * depth and pc; 0 for a kind out of range. Part of the format: the dump
 * always prints these, and records store their presence relative to them. */
unsigned xtr_kind_fields(TraceKind k);
/* Field by field equality, strings by content (NULL differs from ""),
 * data by its len bytes. 1 when equal. */
int xtr_event_equal(const TraceEvent *a, const TraceEvent *b);

/* ---- writing ---- */
typedef struct XtrWriter XtrWriter;

/* Start a trace file on an open stream (the writer does not close it):
 * writes the header. `info` is a free-form one-line description kept in
 * the header (command line, driver, device); may be NULL. NULL on error. */
XtrWriter *xtr_writer_new(FILE *f, const char *info);
/* Append one event (ev->seq is ignored: the writer numbers events from 0).
 * Returns 0, or -1 once a write failed (later calls keep failing). */
int xtr_write(XtrWriter *w, const TraceEvent *ev);
/* A TraceSink for trace_add_sink: opaque = XtrWriter*. */
void xtr_sink(void *opaque, const TraceEvent *ev);
/* Events written so far. */
uint64_t xtr_writer_count(const XtrWriter *w);
/* Flush buffered records to the stream (a run killed after this leaves a
 * readable prefix up to here). Returns 0 or -1. */
int xtr_writer_flush(XtrWriter *w);
/* Write the END record (text = summary), flush, free. Returns 0, or -1 if
 * any write failed. */
int xtr_writer_close(XtrWriter *w, const char *summary);
/* Free without an END record (the file then reads as cut short). */
void xtr_writer_free(XtrWriter *w);

/* ---- reading ---- */
typedef struct XtrReader XtrReader;

/* Open a trace file from memory (the reader keeps its own copy) or a path.
 * NULL with a one-line reason in err (not a trace file, a version this
 * reader does not know, a header cut short). */
XtrReader *xtr_reader_open_mem(const void *buf, size_t len, char *err, size_t errlen);
XtrReader *xtr_reader_open(const char *path, char *err, size_t errlen);
/* The header's info string ("" when none) and format version. */
const char *xtr_reader_info(const XtrReader *r);
unsigned xtr_reader_version(const XtrReader *r);
/* The next event: 1 = *ev filled (its strings and data stay valid until
 * the reader is freed), 0 = clean end of the file, -1 = malformed record
 * (one-line reason in err, naming the byte offset and event number).
 * After the last record, xtr_reader_complete says whether an END record
 * was seen; a file without one was cut short (the run did not finish) and
 * reads as its complete records (a partial last record is dropped, and
 * xtr_reader_truncated says so). *ev holds nothing useful unless 1 was
 * returned. */
int xtr_read(XtrReader *r, TraceEvent *ev, char *err, size_t errlen);
int xtr_reader_complete(const XtrReader *r);
int xtr_reader_truncated(const XtrReader *r);
void xtr_reader_free(XtrReader *r);

/* ---- module table, for module+RVA ---- */
/* Readers and writers keep the MODULE events seen so far; this formats a
 * guest address as "module+0xRVA", or "0x%08x" outside every module. */
typedef struct XtrModules {
    struct {
        char name[64];
        uint32_t base, size;
    } m[16];
    unsigned n;
} XtrModules;
void xtr_modules_note(XtrModules *mods, const TraceEvent *ev); /* takes MODULE events */
const char *xtr_format_pc(const XtrModules *mods, uint32_t pc, char *buf, size_t len);
/* The index in mods->m of the module "module+0xRVA" names pc with, or -1. */
int xtr_find_module(const XtrModules *mods, uint32_t pc);
/* Where a reader is, to come back to (xtr_reader_seek): its place in the
 * file and the decoding state there. The string table is kept whole, so
 * a seek back reads the same strings at the same places. */
typedef struct XtrMark {
    size_t pos;
    uint64_t nev, vtime;
    uint32_t depth, pc, addr, nstr;
    int complete, truncated;
    XtrModules mods;
} XtrMark;
void xtr_reader_mark(const XtrReader *r, XtrMark *m);
/* Back (or on) to a mark of this reader: the next xtr_read gives the event
 * that followed the mark. */
void xtr_reader_seek(XtrReader *r, const XtrMark *m);
/* The modules a reader has seen so far (the MODULE events it returned). */
const XtrModules *xtr_reader_modules(const XtrReader *r);

/* ---- the canonical dump ---- */
/* One line per event, no trailing spaces, ending in '\n'; the fields in a
 * fixed order, strings quoted with C escapes, data as hex (DUMP format in
 * docs/formats/trace.md). `mods` resolves pc to module+RVA (updated by
 * MODULE events as they pass). Returns the line length or -1 if too long. */
int xtr_dump_line(XtrModules *mods, const TraceEvent *ev, char *buf, size_t len);
/* The same line in the form `xdrv diff` compares (docs/formats/trace.md,
 * "Normalized lines"): with `timeless`, no "#seq t=vtime" prefix (the line
 * starts at "d="); with addr_base / value_base set, that field prints as
 * "addr=BASE+0xN" (ev->addr / ev->value is then the offset N into the
 * allocation named BASE, at most 64 bytes of it printed). NULL style: the
 * canonical line. */
/* A 32-bit little-endian value at p (trace data is the device's bytes). */
static inline uint32_t xtr_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define XTR_DUMP_WORDS 8
typedef struct XtrDumpStyle {
    int timeless;
    const char *addr_base, *value_base;
    const char *pc_label; /* printed as "pc=LABEL" instead of resolving ev->pc */
    /* data: the 32-bit words (bit i: the bytes [4i, 4i+4)) that print as
     * "[BASE+0xOFF]" instead of their 8 hex digits: an address inside an
     * allocation (xdrv diff's normalized lines) */
    unsigned word_mask;
    const char *word_base[XTR_DUMP_WORDS];
    uint32_t word_off[XTR_DUMP_WORDS];
    /* value is one 16-bit half of the address value_base+value: 1 the low
     * (prints "(BASE+0xOFF)[15:0]"), 2 the high ("[31:16]"); 0 whole */
    int value_half;
} XtrDumpStyle;
int xtr_dump_line_styled(XtrModules *mods, const TraceEvent *ev, const XtrDumpStyle *style,
                         char *buf, size_t len);
/* A buffer length that always holds the dump line of `ev` (with its NUL). */
size_t xtr_dump_size(const TraceEvent *ev);
/* Parse a dump line back into an event: strings and data are stored in
 * `store` (at most storelen bytes) and ev points into it. Returns 0 or -1
 * with a one-line reason. Numeric pc is needed to round-trip: the dump
 * prints "pc=module+0xRVA" and the parser resolves it with `mods`. */
int xtr_parse_line(XtrModules *mods, const char *line, TraceEvent *ev, char *store,
                   size_t storelen, char *err, size_t errlen);

/* ---- Chrome / Perfetto trace-event JSON ---- */
typedef struct XtrChrome XtrChrome;
XtrChrome *xtr_chrome_new(FILE *out);
void xtr_chrome_event(XtrChrome *c, const TraceEvent *ev);
/* Close open slices, end the JSON document, free. Returns 0 or -1 (write error). */
int xtr_chrome_finish(XtrChrome *c);

#endif
