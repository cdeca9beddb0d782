/* A driver specification (.xsm, docs/formats/xsm.md) in memory: plain
 * arrays of declarations, states, transitions, actions and expressions,
 * linked by indices, so that the interpreter core can walk it without a C
 * library. spec_parse (spec.c, host code) builds one from text; spec_verify
 * (verify.c) checks it. */
#ifndef XDRV_REPLAY_SPEC_H
#define XDRV_REPLAY_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define SPEC_VERSION 1u
#define SPEC_NAME_MAX 64   /* bytes of a name, with its NUL */
#define SPEC_NONE 0xffffffffu /* an absent index */
#define SPEC_MAX_DMA_OFFS 8
#define SPEC_POLL_MAX 1000000u
#define SPEC_STALL_MAX 100000u
#define SPEC_REPEAT_MAX 65536u
#define SPEC_WINDOW_MAX 0x100000u
#define SPEC_BUFFER_MAX (1u << 20)
#define SPEC_COUNT_MAX 1024u
#define SPEC_ALIGN_MAX 4096u
#define SPEC_XFER_MAX 65536u /* bytes of one outs or ins */

/* The requests and device events a transition is triggered by. */
#define SPEC_REQUESTS(X)                                                                           \
    X(INIT, "init")                                                                                \
    X(HALT, "halt")                                                                                \
    X(RESET, "reset")                                                                              \
    X(SEND, "send")                                                                                \
    X(SET_FILTER, "set-filter")                                                                    \
    X(MULTICAST, "multicast")                                                                      \
    X(QUERY_STATS, "query-stats")                                                                  \
    X(LINK, "link")                                                                                \
    X(INTERRUPT, "interrupt")                                                                      \
    X(TIMER, "timer")

#define SPEC_TIMER_MIN_MS 10u    /* `timer MS` bounds */
#define SPEC_TIMER_MAX_MS 600000u

typedef enum SpecRequest {
#define X(id, name) SPEC_REQ_##id,
    SPEC_REQUESTS(X)
#undef X
        SPEC_REQ_COUNT
} SpecRequest;

/* Request parameters: (request, name) pairs an expression may use. */
typedef enum SpecParam {
    SPEC_PARAM_LEN,    /* send, receive: bytes of the frame */
    SPEC_PARAM_FILTER, /* set-filter: NDIS packet filter bits */
    SPEC_PARAM_COUNT,  /* multicast: addresses in the list */
    SPEC_PARAM_UP,     /* link: 0 or 1 */
    SPEC_PARAM_COUNT_
} SpecParam;

typedef enum SpecExprKind {
    SPEC_E_NUM,   /* num */
    SPEC_E_VAR,   /* a = var */
    SPEC_E_PARAM, /* a = SpecParam */
    SPEC_E_ADDR,  /* a = buffer, b = index expression or SPEC_NONE */
    SPEC_E_SIZE,  /* a = buffer */
    SPEC_E_UNARY, /* op ('~', '!', '-'), a = operand */
    SPEC_E_BINARY /* op (see below), a, b = operands */
} SpecExprKind;

/* Binary operators: the character for one-character operators; for the
 * others: */
#define SPEC_OP_SHL 'L'
#define SPEC_OP_SHR 'R'
#define SPEC_OP_LE 'l'
#define SPEC_OP_GE 'g'
#define SPEC_OP_EQ 'e'
#define SPEC_OP_NE 'n'
#define SPEC_OP_AND 'A' /* && */
#define SPEC_OP_OR 'O'  /* || */

typedef struct SpecExpr {
    uint8_t kind; /* SpecExprKind */
    uint8_t op;
    uint32_t a, b;
    uint64_t num;
} SpecExpr;

typedef enum SpecActionKind {
    SPEC_A_WRITE,    /* reg, idx, value */
    SPEC_A_READ,     /* reg, idx, var */
    SPEC_A_POLL,     /* reg, idx, mask, match, max, stall, on_timeout */
    SPEC_A_STORE,    /* buf, idx, offset, width, value */
    SPEC_A_LOAD,     /* buf, idx, offset, width, var */
    SPEC_A_COPY,     /* buf, idx, offset */
    SPEC_A_DELIVER,  /* buf, idx, offset, value = length */
    SPEC_A_COMPLETE, /* - */
    SPEC_A_LINK,     /* value */
    SPEC_A_SET,      /* var, value */
    SPEC_A_IF,       /* value = condition, body, else_body */
    SPEC_A_REPEAT,   /* max, body */
    SPEC_A_BREAK,    /* value = condition */
    SPEC_A_FALLBACK, /* text */
    SPEC_A_FROM,     /* text = trace, mask = first event, match = last event */
    SPEC_A_NOTE,     /* text */
    SPEC_A_OUTS,     /* reg, value = bytes: the send's frame out through a data register */
    SPEC_A_INS       /* reg, buf, idx (of buf), offset, value = bytes: in from a data register */
} SpecActionKind;

typedef enum SpecTimeout { SPEC_TIMEOUT_FALLBACK, SPEC_TIMEOUT_FAIL, SPEC_TIMEOUT_CONTINUE } SpecTimeout;

/* A list of actions: `count` entries of spec->list starting at `first`
 * (each an index into spec->actions). */
typedef struct SpecBlock {
    uint32_t first, count;
} SpecBlock;

typedef struct SpecAction {
    uint8_t kind;       /* SpecActionKind */
    uint8_t width;      /* store, load: bytes */
    uint8_t on_timeout; /* poll: SpecTimeout */
    uint32_t line;
    uint32_t reg;    /* write, read, poll, outs, ins */
    uint32_t buf;    /* store, load, copy, deliver, ins */
    uint32_t var;    /* read, load, set */
    uint32_t idx;    /* expression: array index (ins: of the buffer), or SPEC_NONE */
    uint32_t offset; /* expression: store, load, copy, deliver, ins */
    uint32_t value;  /* expression: write, store, deliver, outs, ins (length), link, set, if,
                        break */
    uint64_t mask, match;
    uint32_t max, stall;
    uint32_t text; /* fallback, from, note: index into spec->strings */
    SpecBlock body, else_body;
} SpecAction;

typedef struct SpecWindow {
    char name[SPEC_NAME_MAX];
    uint8_t mmio; /* 0: port, 1: memory-mapped */
    uint32_t size;
    uint32_t line;
} SpecWindow;

enum { SPEC_HALF_NONE, SPEC_HALF_LOW, SPEC_HALF_HIGH };

typedef struct SpecReg {
    char name[SPEC_NAME_MAX];
    uint32_t window, offset;
    uint8_t width;
    uint32_t count, stride; /* count 0: not an array */
    uint8_t dma;
    /* dma low / dma high: the register takes bits 15:0 or 31:16 of a bus
     * address (a PCnet's CSR1/CSR2), written in pairs (SPEC_HALF_*) */
    uint8_t dma_half;
    uint32_t index_reg; /* SPEC_NONE, or the index register */
    uint64_t index_value;
    uint32_t bank_reg; /* SPEC_NONE, or the bank register */
    uint64_t bank_mask, bank_value;
    uint32_t line;
} SpecReg;

typedef struct SpecBuffer {
    char name[SPEC_NAME_MAX];
    uint8_t ring;      /* a descriptor ring */
    uint32_t size;     /* bytes of one copy (buffer) or one descriptor (ring) */
    uint32_t count;    /* copies (buffer, 0: not an array) or descriptors (ring) */
    uint32_t align;
    uint32_t dma_off[SPEC_MAX_DMA_OFFS]; /* ring: offsets of address fields */
    uint32_t ndma;
    /* `in PARENT OFFSET`: it lies inside the buffer PARENT (declared
     * before it) at OFFSET bytes and has no memory of its own. inside is 1
     * + PARENT's index; 0 (a zeroed SpecBuffer): an allocation of its own */
    uint32_t inside, in_off;
    /* `kind "TEXT"`: what the driver's host called the memory it stands
     * for (replay records it so); 1 + its index in strings, 0 none */
    uint32_t kind;
    uint32_t line;
} SpecBuffer;

typedef struct SpecVar {
    char name[SPEC_NAME_MAX];
    uint64_t init, wrap; /* wrap 0: none */
    uint32_t line;
} SpecVar;

typedef struct SpecParamRange {
    uint8_t req, param; /* SpecRequest, SpecParam */
    uint64_t min, max;
    uint32_t line;
} SpecParamRange;

typedef struct SpecDevice {
    uint8_t pci; /* 1: vendor/device, 0: an ISA model name */
    uint16_t vendor, device;
    char isa[SPEC_NAME_MAX];
    uint32_t line;
} SpecDevice;

typedef struct SpecState {
    char name[SPEC_NAME_MAX];
    uint32_t line;
} SpecState;

typedef struct SpecTransition {
    uint8_t req;       /* SpecRequest */
    uint32_t from, to; /* states; from = SPEC_NONE: any */
    uint32_t guard;    /* expression or SPEC_NONE */
    SpecBlock body;
    uint32_t line;
} SpecTransition;

typedef struct Spec {
    SpecDevice *devices;
    SpecWindow *windows;
    SpecReg *regs;
    SpecBuffer *buffers;
    SpecVar *vars;
    SpecParamRange *params;
    SpecState *states;
    SpecTransition *transitions;
    SpecAction *actions;
    uint32_t *list; /* action indices, blocks are ranges of it */
    SpecExpr *exprs;
    char **strings;
    uint32_t ndevices, nwindows, nregs, nbuffers, nvars, nparams, nstates, ntransitions,
        nactions, nlist, nexprs, nstrings;
    uint32_t unhandled; /* bit per SpecRequest declared unhandled */
    uint32_t timer_ms;  /* `timer MS`: the timer request's period; 0: 1000 */
} Spec;

const char *spec_request_name(SpecRequest r);
/* C's precedence of a binary operator (SpecExpr.op), higher binds tighter;
 * 0: not a binary operator. */
int spec_op_precedence(uint8_t op);
/* How a binary operator is written ("<<", "&&", "+"), "?" for none. */
const char *spec_op_text(uint8_t op);

/* Parse a specification. `name` is the file name errors start with. NULL
 * with "NAME:LINE: reason" in err (one line) on any error. */
Spec *spec_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
/* Read and parse a file. */
Spec *spec_load(const char *path, char *err, size_t errlen);
void spec_free(Spec *s);

/* The parameter a request takes under that name, or SPEC_PARAM_COUNT_. */
SpecParam spec_param_of(SpecRequest r, const char *name);
const char *spec_param_name(SpecParam p);

#endif
