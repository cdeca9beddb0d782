/* Code coverage of a driver image. The denominator is a static recursive
 * descent disassembly (Capstone, x86-32) of the executable sections into
 * basic blocks and functions; the numerator is the translated blocks the
 * guest CPU ran (BLOCKS events, module-relative (rva, size) pairs). How
 * blocks and functions are found, and what is left out, is written down in
 * docs/coverage.md; the comments here say why each rule is there.
 *
 * Facts: Microsoft "PE Format" (pecoff) for sections and base relocations;
 * Intel SDM vol. 2 for which instructions transfer control. */
#include "exercise/coverage.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pe/pe.h"
#include "trace/json.h"
#include "trace/xtr.h"
#include "vm/cs_lib.h" /* <capstone/capstone.h>, called through a table */

/* pecoff 4.1 Section Flags */
#define IMAGE_SCN_CNT_CODE 0x00000020u
#define IMAGE_SCN_MEM_EXECUTE 0x20000000u

/* Bounds that keep hostile input cheap; far above any driver. */
#define COV_MAX_TABLE 1024     /* entries of one switch jump table */
#define COV_MAX_PROBE 4096     /* instructions a pointer root is checked over */
#define COV_MAX_REGIONS 96     /* pecoff: the loader's section limit */
#define COV_MAX_ENTRY_NAME 200 /* merged entry names are cut here */

/* Per image byte: fl[] flags. */
enum {
    FL_X = 0x01,    /* inside an analysed executable section */
    FL_COV = 0x02,  /* covered by a decoded instruction */
    FL_LEAD = 0x04, /* a block starts here (root or branch target) */
    FL_RELS = 0x08, /* a base relocation slot starts here */
    FL_RELT = 0x10, /* some relocated slot points here */
    FL_JT = 0x20,   /* this slot is a switch jump table entry */
    FL_EXEC = 0x40, /* a translated block covered this byte */
    FL_TBS = 0x80,  /* a translated block started here */
};

/* Per image byte: in[] = length of the instruction starting here (0: none)
 * and how it ends a block. */
enum {
    IN_LEN = 0x0f,
    IN_END = 0x10,    /* the block ends after this instruction */
    IN_NOFALL = 0x20, /* and control does not reach the next one */
};

/* Why an address is a function start. */
enum {
    R_ENTRY = 1,  /* AddressOfEntryPoint */
    R_EXPORT = 2, /* export table */
    R_CALL = 4,   /* target of a direct call */
    R_PTR = 8,    /* relocated (or, without relocations, scanned) pointer */
    R_HOST = 16,  /* cov_map_add_entry: the host called it */
    R_ROOT = 32,  /* cov_map_build_code caller */
};

enum { K_SEQ, K_JMP, K_JCC, K_CALL, K_STOP };
enum { E_BRANCH, E_CALL };

typedef struct CovRegion {
    char name[9];
    uint32_t start, end;
} CovRegion;

typedef struct CovEdge {
    uint32_t from; /* rva of the branching instruction */
    uint32_t to;
    int kind;
} CovEdge;

typedef struct CovRoot {
    uint32_t rva;
    unsigned kinds;
    char *name; /* export name, or NULL */
} CovRoot;

typedef struct CovCand {
    uint32_t slot, target;
    int done;
} CovCand;

typedef struct CovEntry {
    char *name;
    uint32_t rva;
} CovEntry;

typedef struct CovBlock {
    uint32_t start, end, last; /* [start, end); last = its last instruction */
} CovBlock;

typedef struct CovFunc {
    uint32_t rva;
    unsigned kinds;
    const char *name; /* export name (owned by a CovRoot) or NULL */
    uint32_t blk_off, nblk;
    uint32_t call_off, ncall;
} CovFunc;

/* The derived tables: rebuilt from the per-byte state by cov_finalize. */
typedef struct CovTables {
    CovBlock *blocks;
    uint8_t *reached;
    size_t nblocks, nreached, ninsns;
    uint32_t *succ_off, *succ;   /* CSR: intra-procedural successors */
    uint32_t *callr_off, *callr; /* CSR: direct call target rvas per block */
    CovFunc *funcs;
    size_t nfuncs;
    uint32_t *fblk, *fcall;
} CovTables;

struct CovMap {
    uint32_t lo, span; /* the analysed window [lo, lo+span) of rvas */
    uint32_t base;     /* virtual address of rva 0 (absolute operands) */
    uint32_t image_size;
    uint8_t *mem, *fl, *in;
    CovRegion regions[COV_MAX_REGIONS];
    size_t nregions;
    uint32_t *noreturn; /* IAT slots of imports that never return */
    size_t nnoreturn;
    CovEdge *edges;
    size_t nedges, cedges;
    CovRoot *roots;
    size_t nroots, croots;
    CovCand *cands;
    size_t ncands;
    uint32_t *work;
    size_t nwork, cwork;
    CovEntry *entries;
    size_t nentries, centries;
    CovTables t;
    uint64_t outside; /* translated blocks starting outside the window */
    int has_relocs;   /* the image has base relocations */
    int failed;       /* out of memory after the build */
    csh cs;
    cs_insn *insn, *peek;
};

static int cov_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cov_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Grow *p (element size sz) to hold n+1 elements. */
static int cov_grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, nc * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int cov_in(const CovMap *c, uint32_t a)
{
    return a - c->lo < c->span; /* unsigned: also false below lo */
}

static uint8_t *cov_fl(const CovMap *c, uint32_t a)
{
    return &c->fl[a - c->lo];
}

static uint8_t *cov_ins(const CovMap *c, uint32_t a)
{
    return &c->in[a - c->lo];
}

static int cov_rd32(const CovMap *c, uint32_t a, uint32_t *v)
{
    if (!cov_in(c, a) || (uint64_t)a + 4 > (uint64_t)c->lo + c->span)
        return -1;
    const uint8_t *p = c->mem + (a - c->lo);
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return 0;
}

static int cov_exec(const CovMap *c, uint32_t a)
{
    return cov_in(c, a) && (*cov_fl(c, a) & FL_X);
}

static uint32_t cov_region_end(const CovMap *c, uint32_t a)
{
    for (size_t i = 0; i < c->nregions; i++)
        if (a >= c->regions[i].start && a < c->regions[i].end)
            return c->regions[i].end;
    return 0;
}

/* ---- decoding --------------------------------------------------------- */

/* Decode one instruction at rva a into *insn (its address is the rva, so
 * Capstone's relative branch targets come out as rvas). It may not run past
 * the end of its section. */
static int cov_decode(const CovMap *c, uint32_t a, cs_insn *insn)
{
    uint32_t end = cov_region_end(c, a);
    if (!end)
        return 0;
    const uint8_t *code = c->mem + (a - c->lo);
    size_t n = end - a > 16 ? 16 : end - a;
    uint64_t addr = a;
    return cs_disasm_iter(c->cs, &code, &n, &addr, insn) ? 1 : 0;
}

static int cov_group(const cs_insn *i, uint8_t g)
{
    const cs_detail *d = i->detail;
    for (uint8_t k = 0; k < d->groups_count; k++)
        if (d->groups[k] == g)
            return 1;
    return 0;
}

/* How the instruction moves control (Intel SDM vol. 2). */
static int cov_kind(const cs_insn *i)
{
    const cs_x86 *x = &i->detail->x86;
    switch (i->id) {
    case X86_INS_JMP:
        return K_JMP;
    case X86_INS_LJMP: /* far jumps leave the flat kernel code segment */
    case X86_INS_INT3:
    case X86_INS_INT1:
    case X86_INS_HLT:
    case X86_INS_UD2:
    case X86_INS_UD2B:
    case X86_INS_SYSEXIT:
    case X86_INS_SYSRET:
        return K_STOP;
    case X86_INS_INT:
        /* int 3 spelled cd 03 is a breakpoint; int 29h is __fastfail
         * (bugcheck); other vectors (int 2Ch assertions, 2Eh system calls)
         * return to the next instruction. */
        if (x->op_count >= 1 && x->operands[0].type == X86_OP_IMM &&
            (x->operands[0].imm == 3 || x->operands[0].imm == 0x29))
            return K_STOP;
        return K_SEQ;
    default:
        break;
    }
    if (cov_group(i, CS_GRP_RET) || cov_group(i, CS_GRP_IRET))
        return K_STOP;
    if (cov_group(i, CS_GRP_JUMP))
        return K_JCC; /* jcc, loop*, jecxz */
    if (cov_group(i, CS_GRP_CALL))
        return K_CALL;
    return K_SEQ;
}

static int cov_direct(const cs_insn *i, uint32_t *t)
{
    const cs_x86 *x = &i->detail->x86;
    if (x->op_count < 1 || x->operands[0].type != X86_OP_IMM)
        return 0;
    *t = (uint32_t)x->operands[0].imm;
    return 1;
}

/* A memory operand [disp] or [index*scale + disp] with no base register:
 * *rva = disp as an rva. */
static int cov_memabs(const CovMap *c, const cs_insn *i, uint32_t *rva, int *index, int *scale)
{
    const cs_x86 *x = &i->detail->x86;
    if (x->op_count < 1 || x->operands[0].type != X86_OP_MEM)
        return 0;
    const x86_op_mem *m = &x->operands[0].mem;
    if (m->base != X86_REG_INVALID)
        return 0;
    *rva = (uint32_t)m->disp - c->base;
    *index = m->index != X86_REG_INVALID;
    *scale = m->scale;
    return 1;
}

static int cov_is_noreturn_slot(const CovMap *c, uint32_t slot)
{
    for (size_t i = 0; i < c->nnoreturn; i++)
        if (c->noreturn[i] == slot)
            return 1;
    return 0;
}

/* `call [__imp_KeBugCheckEx]`, or a direct call to a `jmp [__imp_...]`
 * import thunk (what mingw-w64 emits for undecorated imports). */
static int cov_call_noreturn(CovMap *c, const cs_insn *i)
{
    uint32_t t, slot;
    int index, scale;
    if (!c->nnoreturn)
        return 0;
    if (cov_memabs(c, i, &slot, &index, &scale))
        return !index && cov_is_noreturn_slot(c, slot);
    if (!cov_direct(i, &t) || !cov_exec(c, t) || !cov_decode(c, t, c->peek))
        return 0;
    return c->peek->id == X86_INS_JMP && cov_memabs(c, c->peek, &slot, &index, &scale) && !index &&
           cov_is_noreturn_slot(c, slot);
}

static int cov_push(CovMap *c, uint32_t a)
{
    if (cov_grow((void **)&c->work, &c->cwork, c->nwork, sizeof *c->work))
        return -1;
    c->work[c->nwork++] = a;
    return 0;
}

static int cov_edge(CovMap *c, uint32_t from, uint32_t to, int kind)
{
    if (cov_grow((void **)&c->edges, &c->cedges, c->nedges, sizeof *c->edges))
        return -1;
    c->edges[c->nedges++] = (CovEdge){.from = from, .to = to, .kind = kind};
    return 0;
}

static int cov_root(CovMap *c, uint32_t rva, unsigned kinds, const char *name)
{
    if (cov_grow((void **)&c->roots, &c->croots, c->nroots, sizeof *c->roots))
        return -1;
    char *dup = NULL;
    if (name && *name && !(dup = strdup(name)))
        return -1;
    c->roots[c->nroots++] = (CovRoot){.rva = rva, .kinds = kinds, .name = dup};
    if (cov_in(c, rva))
        *cov_fl(c, rva) |= FL_LEAD;
    return 0;
}

/* A branch to t from the instruction at a: t starts a block and is
 * explored. */
static int cov_branch(CovMap *c, uint32_t a, uint32_t t)
{
    if (!cov_exec(c, t))
        return 0;
    *cov_fl(c, t) |= FL_LEAD;
    return cov_edge(c, a, t, E_BRANCH) || cov_push(c, t) ? -1 : 0;
}

/* `jmp [index*4 + table]`: the compilers' switch (GCC and MSVC both emit
 * it for dense cases). The table's entries are absolute addresses, so each
 * carries a base relocation: read entries while they do, and stop at the
 * next label code refers to (the start of the next table). Without
 * relocations, read while entries point into executable sections. */
static int cov_jump_table(CovMap *c, uint32_t a, uint32_t table)
{
    for (uint32_t k = 0; k < COV_MAX_TABLE; k++) {
        uint32_t slot = table + 4 * k, v;
        if (cov_rd32(c, slot, &v))
            break;
        if (c->has_relocs && !(*cov_fl(c, slot) & FL_RELS))
            break;
        if (k > 0 && (*cov_fl(c, slot) & FL_RELT))
            break;
        uint32_t t = v - c->base;
        if (!cov_exec(c, t))
            break;
        *cov_fl(c, slot) |= FL_JT;
        if (cov_branch(c, a, t))
            return -1;
    }
    return 0;
}

/* Recursive descent from `root`: decode along every path, stopping at
 * instructions that end the flow, at bytes already decoded, at invalid
 * encodings and where a decode would overlap another instruction. */
static int cov_descend(CovMap *c, uint32_t root)
{
    if (cov_push(c, root))
        return -1;
    while (c->nwork) {
        uint32_t a = c->work[--c->nwork];
        for (;;) {
            if (!cov_exec(c, a) || (*cov_fl(c, a) & FL_COV))
                break; /* outside, already decoded, or mid-instruction */
            if (!cov_decode(c, a, c->insn))
                break;
            uint32_t len = c->insn->size, t, slot;
            int conflict = 0, index, scale;
            for (uint32_t k = 1; k < len; k++)
                conflict |= *cov_fl(c, a + k) & FL_COV;
            if (conflict)
                break;
            for (uint32_t k = 0; k < len; k++)
                *cov_fl(c, a + k) |= FL_COV;
            uint8_t *in = cov_ins(c, a);
            *in = (uint8_t)len;
            int kind = cov_kind(c->insn);
            if (kind == K_JMP) {
                *in |= IN_END | IN_NOFALL;
                if (cov_direct(c->insn, &t)) {
                    if (cov_branch(c, a, t))
                        return -1;
                } else if (cov_memabs(c, c->insn, &slot, &index, &scale) && index && scale == 4) {
                    if (cov_jump_table(c, a, slot))
                        return -1;
                }
                break;
            }
            if (kind == K_STOP) {
                *in |= IN_END | IN_NOFALL;
                break;
            }
            if (kind == K_JCC) {
                *in |= IN_END;
                if (cov_direct(c->insn, &t) && cov_branch(c, a, t))
                    return -1;
            } else if (kind == K_CALL) {
                if (cov_call_noreturn(c, c->insn))
                    *in |= IN_END | IN_NOFALL;
                if (cov_direct(c->insn, &t) && cov_exec(c, t)) {
                    if (cov_edge(c, a, t, E_CALL) || cov_root(c, t, R_CALL, NULL) || cov_push(c, t))
                        return -1;
                }
                if (*in & IN_NOFALL)
                    break;
            }
            a += len;
        }
    }
    return 0;
}

/* Instructions compiled code does not contain but data decoded as code
 * often does (ASCII text is full of ins/outs, bound, arpl, aaa...). */
static int cov_implausible(const cs_insn *i)
{
    switch (i->id) {
    case X86_INS_INSB:
    case X86_INS_INSW:
    case X86_INS_INSD:
    case X86_INS_OUTSB:
    case X86_INS_OUTSW:
    case X86_INS_OUTSD:
    case X86_INS_ARPL:
    case X86_INS_BOUND:
    case X86_INS_AAA:
    case X86_INS_AAS:
    case X86_INS_AAD:
    case X86_INS_AAM:
    case X86_INS_DAA:
    case X86_INS_DAS:
    case X86_INS_LDS:
    case X86_INS_LES:
    case X86_INS_INTO:
    case X86_INS_SALC:
    case X86_INS_LCALL:
    case X86_INS_LJMP:
    case X86_INS_RETF:
    case X86_INS_HLT:
        return 1;
    default:
        return 0;
    }
}

/* Does a relocation slot cut across [a, a+len)? In code a relocated value
 * is always a whole immediate or displacement after the opcode, never the
 * first byte of an instruction nor straddling two. */
static int cov_reloc_straddles(const CovMap *c, uint32_t a, uint32_t len)
{
    for (uint32_t k = 0; k <= 3; k++)
        if (a >= k && cov_in(c, a - k) && (*cov_fl(c, a - k) & FL_RELS))
            return 1;
    for (uint32_t k = 1; k < len; k++)
        if ((*cov_fl(c, a + k) & FL_RELS) && k + 4 > len)
            return 1;
    return 0;
}

/* Is a pointer target code? Decode straight ahead from it until the flow
 * ends or joins code already found: every instruction must decode, stay in
 * executable sections, not overlap decoded code or cut a relocation, and
 * look compiled. A pointer to int3 or to zeros (00 00 = add [eax], al) is
 * padding or data. */
static int cov_plausible(CovMap *c, uint32_t a)
{
    for (int n = 0; n < COV_MAX_PROBE; n++) {
        if (!cov_exec(c, a))
            return 0;
        if (*cov_ins(c, a) & IN_LEN)
            return 1; /* joins known code */
        if (*cov_fl(c, a) & FL_COV)
            return 0;
        if (!cov_decode(c, a, c->insn))
            return 0;
        uint32_t len = c->insn->size, t;
        for (uint32_t k = 1; k < len; k++)
            if (*cov_fl(c, a + k) & FL_COV)
                return 0;
        if (cov_implausible(c->insn) || cov_reloc_straddles(c, a, len))
            return 0;
        if (n == 0 && (c->insn->id == X86_INS_INT3 ||
                       (len >= 2 && c->insn->bytes[0] == 0 && c->insn->bytes[1] == 0)))
            return 0;
        int kind = cov_kind(c->insn);
        if ((kind == K_JMP || kind == K_JCC || kind == K_CALL) && cov_direct(c->insn, &t) &&
            !cov_exec(c, t))
            return 0;
        if (kind == K_JMP || kind == K_STOP)
            return 1;
        a += len;
    }
    return 1;
}

/* Function pointers: the handlers a driver registers (MiniportISR, IRP
 * dispatch routines, DPCs, timers) are reached by no direct call; their
 * addresses sit in relocated slots. Accept each target that decodes as
 * plausible code, repeat until nothing new is found (code found later can
 * make an earlier target an instruction start), and make the targets
 * function roots unless the slot turned out to be a switch table entry. */
static int cov_pointer_roots(CovMap *c)
{
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < c->ncands; i++) {
            CovCand *k = &c->cands[i];
            if (k->done)
                continue;
            if (cov_in(c, k->slot) && (*cov_fl(c, k->slot) & FL_JT)) {
                k->done = -1;
                continue;
            }
            if (*cov_ins(c, k->target) & IN_LEN) {
                k->done = 1;
                continue;
            }
            if (cov_plausible(c, k->target)) {
                if (cov_descend(c, k->target))
                    return -1;
                k->done = 1;
                changed = 1;
            }
        }
    }
    for (size_t i = 0; i < c->ncands; i++) {
        CovCand *k = &c->cands[i];
        if (k->done == 1 && !(cov_in(c, k->slot) && (*cov_fl(c, k->slot) & FL_JT)) &&
            cov_root(c, k->target, R_PTR, NULL))
            return -1;
    }
    return 0;
}

/* ---- blocks and functions ------------------------------------------- */

/* Blocks with start <= a. */
static size_t cov_upper(const CovTables *t, uint32_t a)
{
    size_t lo = 0, hi = t->nblocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->blocks[mid].start <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static long cov_block_containing(const CovTables *t, uint32_t a)
{
    size_t i = cov_upper(t, a);
    if (i == 0 || a >= t->blocks[i - 1].end)
        return -1;
    return (long)(i - 1);
}

static long cov_block_at(const CovTables *t, uint32_t a)
{
    size_t i = cov_upper(t, a);
    return i > 0 && t->blocks[i - 1].start == a ? (long)(i - 1) : -1;
}

static long cov_func_at(const CovTables *t, uint32_t rva)
{
    size_t lo = 0, hi = t->nfuncs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->funcs[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nfuncs && t->funcs[lo].rva == rva ? (long)lo : -1;
}

static void cov_tables_free(CovTables *t)
{
    free(t->blocks);
    free(t->reached);
    free(t->succ_off);
    free(t->succ);
    free(t->callr_off);
    free(t->callr);
    free(t->funcs);
    free(t->fblk);
    free(t->fcall);
    memset(t, 0, sizeof *t);
}

static int cov_cmp_root(const void *a, const void *b)
{
    const CovRoot *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

/* Basic blocks: maximal runs of consecutive instructions that start at a
 * leader or after an instruction that ends a block. */
static int cov_make_blocks(CovMap *c, CovTables *t)
{
    size_t n = 0, cap = 0;
    uint32_t prev_end = 0;
    uint8_t prev_in = IN_END;
    for (uint32_t off = 0; off < c->span;) {
        uint32_t a = c->lo + off;
        uint8_t in = c->in[off];
        if (!(in & IN_LEN)) {
            off++;
            continue;
        }
        if ((c->fl[off] & FL_LEAD) || (prev_in & IN_END) || prev_end != a || n == 0) {
            if (cov_grow((void **)&t->blocks, &cap, n, sizeof *t->blocks))
                return -1;
            t->blocks[n++] = (CovBlock){.start = a};
        }
        t->blocks[n - 1].end = a + (in & IN_LEN);
        t->blocks[n - 1].last = a;
        t->ninsns++;
        prev_end = a + (in & IN_LEN);
        prev_in = in;
        off += in & IN_LEN;
    }
    t->nblocks = n;
    return 0;
}

/* CSR arrays of successors (branches plus fall-through) and of direct
 * call target rvas per block. */
static int cov_make_edges(CovMap *c, CovTables *t)
{
    size_t nb = t->nblocks;
    t->succ_off = calloc(nb + 1, sizeof *t->succ_off);
    t->callr_off = calloc(nb + 1, sizeof *t->callr_off);
    uint32_t *fill = calloc(nb + 1, sizeof *fill), *cfill = calloc(nb + 1, sizeof *cfill);
    int rc = -1;
    if (!t->succ_off || !t->callr_off || !fill || !cfill)
        goto out;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < c->nedges; i++) {
            const CovEdge *e = &c->edges[i];
            long fb = cov_block_containing(t, e->from);
            if (fb < 0)
                continue;
            if (e->kind == E_CALL) {
                if (pass)
                    t->callr[t->callr_off[fb] + cfill[fb]++] = e->to;
                else
                    t->callr_off[fb + 1]++;
                continue;
            }
            long tb = cov_block_at(t, e->to);
            if (tb < 0)
                continue;
            if (pass)
                t->succ[t->succ_off[fb] + fill[fb]++] = (uint32_t)tb;
            else
                t->succ_off[fb + 1]++;
        }
        for (size_t b = 0; b + 1 < nb; b++) {
            uint8_t in = *cov_ins(c, t->blocks[b].last);
            if ((in & IN_NOFALL) || t->blocks[b + 1].start != t->blocks[b].end)
                continue;
            if (pass)
                t->succ[t->succ_off[b] + fill[b]++] = (uint32_t)(b + 1);
            else
                t->succ_off[b + 1]++;
        }
        if (pass == 0) {
            for (size_t b = 0; b < nb; b++) {
                t->succ_off[b + 1] += t->succ_off[b];
                t->callr_off[b + 1] += t->callr_off[b];
            }
            t->succ = malloc((t->succ_off[nb] + 1) * sizeof *t->succ);
            t->callr = malloc((t->callr_off[nb] + 1) * sizeof *t->callr);
            if (!t->succ || !t->callr)
                goto out;
        }
    }
    rc = 0;
out:
    free(fill);
    free(cfill);
    return rc;
}

/* Functions: the roots that start decoded instructions, merged by rva; a
 * function's blocks are those its start reaches through branches and
 * fall-through (not calls); its callees are the direct call targets in
 * those blocks. */
static int cov_make_funcs(CovMap *c, CovTables *t)
{
    size_t nf = 0, nfb = 0, cfb = 0, nfc = 0, cfc = 0;
    uint32_t *bstamp = NULL, *fstamp = NULL, *queue = NULL;
    int rc = -1;

    qsort(c->roots, c->nroots, sizeof *c->roots, cov_cmp_root);
    t->funcs = calloc(c->nroots + 1, sizeof *t->funcs);
    if (!t->funcs)
        return -1;
    for (size_t i = 0; i < c->nroots; i++) {
        const CovRoot *r = &c->roots[i];
        if (!cov_in(c, r->rva) || !(*cov_ins(c, r->rva) & IN_LEN))
            continue;
        if (nf == 0 || t->funcs[nf - 1].rva != r->rva)
            t->funcs[nf++] = (CovFunc){.rva = r->rva};
        t->funcs[nf - 1].kinds |= r->kinds;
        if (r->name && !t->funcs[nf - 1].name)
            t->funcs[nf - 1].name = r->name;
    }
    t->nfuncs = nf;
    bstamp = calloc(t->nblocks + 1, sizeof *bstamp);
    fstamp = calloc(nf + 1, sizeof *fstamp);
    queue = malloc((t->nblocks + 1) * sizeof *queue);
    if (!bstamp || !fstamp || !queue)
        goto out;
    for (size_t f = 0; f < nf; f++) {
        CovFunc *fn = &t->funcs[f];
        uint32_t tag = (uint32_t)f + 1;
        long b0 = cov_block_at(t, fn->rva);
        fn->blk_off = (uint32_t)nfb;
        fn->call_off = (uint32_t)nfc;
        if (b0 < 0)
            continue; /* roots are leaders: cannot happen */
        size_t qh = 0, qt = 0;
        queue[qt++] = (uint32_t)b0;
        bstamp[b0] = tag;
        while (qh < qt) {
            uint32_t b = queue[qh++];
            if (cov_grow((void **)&t->fblk, &cfb, nfb, sizeof *t->fblk))
                goto out;
            t->fblk[nfb++] = b;
            for (uint32_t s = t->succ_off[b]; s < t->succ_off[b + 1]; s++)
                if (bstamp[t->succ[s]] != tag) {
                    bstamp[t->succ[s]] = tag;
                    queue[qt++] = t->succ[s];
                }
            for (uint32_t s = t->callr_off[b]; s < t->callr_off[b + 1]; s++) {
                long g = cov_func_at(t, t->callr[s]);
                if (g < 0 || fstamp[g] == tag)
                    continue;
                fstamp[g] = tag;
                if (cov_grow((void **)&t->fcall, &cfc, nfc, sizeof *t->fcall))
                    goto out;
                t->fcall[nfc++] = (uint32_t)g;
            }
        }
        fn->nblk = (uint32_t)nfb - fn->blk_off;
        fn->ncall = (uint32_t)nfc - fn->call_off;
    }
    rc = 0;
out:
    free(bstamp);
    free(fstamp);
    free(queue);
    return rc;
}

/* A block was reached when a translated block covered its first byte or
 * started inside it (a return from a call lands mid-block). Recomputed
 * from the per-byte marks, so new roots can split blocks at any time. */
static void cov_make_reached(CovMap *c, CovTables *t)
{
    t->nreached = 0;
    for (size_t b = 0; b < t->nblocks; b++) {
        const CovBlock *k = &t->blocks[b];
        int r = (*cov_fl(c, k->start) & FL_EXEC) != 0;
        for (uint32_t a = k->start; !r && a < k->end; a++)
            r = (*cov_fl(c, a) & FL_TBS) != 0;
        t->reached[b] = (uint8_t)r;
        t->nreached += (size_t)r;
    }
}

static int cov_finalize(CovMap *c)
{
    CovTables t = {0};
    if (cov_make_blocks(c, &t) || !(t.reached = calloc(t.nblocks + 1, 1)) ||
        cov_make_edges(c, &t) || cov_make_funcs(c, &t)) {
        cov_tables_free(&t);
        return -1;
    }
    cov_make_reached(c, &t);
    cov_tables_free(&c->t);
    c->t = t;
    return 0;
}

/* ---- building --------------------------------------------------------- */

static CovMap *cov_new(uint32_t lo, uint32_t span, char *err, size_t errlen)
{
    CovMap *c = calloc(1, sizeof *c);
    if (!c)
        goto oom;
    c->lo = lo;
    c->span = span;
    c->mem = calloc(span, 1);
    c->fl = calloc(span, 1);
    c->in = calloc(span, 1);
    if (!c->mem || !c->fl || !c->in)
        goto oom;
    if (cslib_load(err, errlen) < 0) {
        cov_map_free(c);
        return NULL;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &c->cs) != CS_ERR_OK) {
        c->cs = 0;
        cov_err(err, errlen, "capstone: cannot open an x86-32 disassembler");
        cov_map_free(c);
        return NULL;
    }
    cs_option(c->cs, CS_OPT_DETAIL, CS_OPT_ON);
    c->insn = cs_malloc(c->cs);
    c->peek = cs_malloc(c->cs);
    if (!c->insn || !c->peek)
        goto oom;
    return c;
oom:
    cov_err(err, errlen, "out of memory");
    cov_map_free(c);
    return NULL;
}

static void cov_add_region(CovMap *c, const char *name, uint32_t start, uint32_t end)
{
    if (c->nregions == COV_MAX_REGIONS || start >= end)
        return;
    CovRegion *r = &c->regions[c->nregions++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->start = start;
    r->end = end;
    for (uint32_t a = start; a < end; a++)
        *cov_fl(c, a) |= FL_X;
}

static int cov_add_cand(CovMap *c, uint32_t slot, uint32_t target, size_t *cap)
{
    if (cov_grow((void **)&c->cands, cap, c->ncands, sizeof *c->cands))
        return -1;
    c->cands[c->ncands++] = (CovCand){.slot = slot, .target = target};
    return 0;
}

/* Kernel exports documented as never returning (DDK: KeBugCheckEx "does
 * not return", ExRaiseStatus raises an exception, PsTerminateSystemThread
 * ends the calling thread): code after a call to them is not reached. */
static const char *const cov_noreturn_names[] = {
    "KeBugCheck",
    "KeBugCheckEx",
    "ExRaiseStatus",
    "RtlRaiseStatus",
    "ExRaiseAccessViolation",
    "ExRaiseDatatypeMisalignment",
    "PsTerminateSystemThread",
};

static int cov_pe_setup(CovMap *c, PeImage *img, char *err, size_t errlen)
{
    size_t ccap = 0;
    c->base = img->image_base;
    for (size_t i = 0; i < img->nsections; i++) {
        const PeSection *s = &img->sections[i];
        if (!(s->characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)))
            continue;
        uint64_t end = (uint64_t)s->vaddr + s->vsize;
        if (end > img->size_of_image)
            end = img->size_of_image;
        if (s->vaddr < end)
            cov_add_region(c, s->name, s->vaddr, (uint32_t)end);
    }
    if (!c->nregions)
        return cov_err(err, errlen, "no executable section");

    c->noreturn = calloc(img->nimports + 1, sizeof *c->noreturn);
    if (!c->noreturn)
        return cov_err(err, errlen, "out of memory");
    for (size_t i = 0; i < img->nimports; i++)
        for (size_t k = 0; k < sizeof cov_noreturn_names / sizeof *cov_noreturn_names; k++)
            if (!img->imports[i].by_ordinal && !strcmp(img->imports[i].name, cov_noreturn_names[k]))
                c->noreturn[c->nnoreturn++] = img->imports[i].iat_rva;

    /* Pointer candidates. pecoff 6.6: every absolute address in a
     * relocatable image has an IMAGE_REL_BASED_HIGHLOW entry, so the
     * relocation table lists every code address stored anywhere. Without
     * one (relocations stripped), fall back to every aligned dword of the
     * initialized non-code sections. */
    c->has_relocs = img->nrelocs > 0;
    for (size_t i = 0; i < img->nrelocs; i++) {
        uint32_t slot = img->relocs[i], v;
        if (cov_rd32(c, slot, &v))
            continue;
        *cov_fl(c, slot) |= FL_RELS;
        uint32_t t = v - c->base;
        if (!cov_in(c, t))
            continue;
        *cov_fl(c, t) |= FL_RELT;
        if (cov_exec(c, t) && cov_add_cand(c, slot, t, &ccap))
            return cov_err(err, errlen, "out of memory");
    }
    if (img->nrelocs == 0) {
        for (size_t i = 0; i < img->nsections; i++) {
            const PeSection *s = &img->sections[i];
            if (s->characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE))
                continue;
            uint32_t end = s->vaddr + (s->raw_size < s->vsize ? s->raw_size : s->vsize);
            for (uint32_t a = (s->vaddr + 3) & ~3u, v; a + 4 <= end; a += 4)
                if (!cov_rd32(c, a, &v) && cov_exec(c, v - c->base) &&
                    cov_add_cand(c, a, v - c->base, &ccap))
                    return cov_err(err, errlen, "out of memory");
        }
    }

    if (img->entry_rva && cov_root(c, img->entry_rva, R_ENTRY, NULL))
        return cov_err(err, errlen, "out of memory");
    for (size_t i = 0; i < img->nexports; i++) {
        const PeExport *e = &img->exports[i];
        char ord[16];
        if (!e->rva || e->forward[0])
            continue;
        snprintf(ord, sizeof ord, "#%u", e->ordinal);
        if (cov_root(c, e->rva, R_EXPORT, e->name[0] ? e->name : ord))
            return cov_err(err, errlen, "out of memory");
    }
    return 0;
}

/* Explore the roots present, then the pointer candidates, then derive the
 * tables. */
static int cov_analyse(CovMap *c, char *err, size_t errlen)
{
    size_t n = c->nroots; /* cov_descend appends call roots */
    for (size_t i = 0; i < n; i++)
        if (cov_descend(c, c->roots[i].rva))
            return cov_err(err, errlen, "out of memory");
    if (cov_pointer_roots(c) || cov_finalize(c))
        return cov_err(err, errlen, "out of memory");
    return 0;
}

CovMap *cov_map_build(const uint8_t *file, size_t len, char *err, size_t errlen)
{
    PeImage img;
    CovMap *c = NULL;
    if (pe_parse(&img, file, len)) {
        cov_err(err, errlen, "%s", img.err);
        pe_free(&img);
        return NULL;
    }
    if (!(c = cov_new(0, img.size_of_image, err, errlen)))
        goto fail;
    c->image_size = img.size_of_image;
    /* Lay the image out as the loader does, at its preferred base: the
     * relocated slots then hold image_base + rva. */
    if (pe_map_image(&img, c->mem, img.image_base)) {
        cov_err(err, errlen, "%s", img.err);
        goto fail;
    }
    if (cov_pe_setup(c, &img, err, errlen) || cov_analyse(c, err, errlen))
        goto fail;
    pe_free(&img);
    return c;
fail:
    pe_free(&img);
    cov_map_free(c);
    return NULL;
}

CovMap *cov_map_build_code(const uint8_t *code, size_t len, uint32_t rva, const uint32_t *roots,
                           size_t nroots, char *err, size_t errlen)
{
    if (!code || len == 0 || len > UINT32_MAX - rva) {
        cov_err(err, errlen, "no code");
        return NULL;
    }
    CovMap *c = cov_new(rva, (uint32_t)len, err, errlen);
    if (!c)
        return NULL;
    memcpy(c->mem, code, len);
    c->image_size = rva + (uint32_t)len;
    cov_add_region(c, "code", rva, rva + (uint32_t)len);
    for (size_t i = 0; i < nroots; i++)
        if (cov_root(c, roots[i], R_ROOT, NULL)) {
            cov_err(err, errlen, "out of memory");
            goto fail;
        }
    if (cov_analyse(c, err, errlen))
        goto fail;
    return c;
fail:
    cov_map_free(c);
    return NULL;
}

void cov_map_free(CovMap *c)
{
    if (!c)
        return;
    cov_tables_free(&c->t);
    for (size_t i = 0; i < c->nroots; i++)
        free(c->roots[i].name);
    for (size_t i = 0; i < c->nentries; i++)
        free(c->entries[i].name);
    free(c->roots);
    free(c->entries);
    free(c->edges);
    free(c->cands);
    free(c->work);
    free(c->noreturn);
    free(c->mem);
    free(c->fl);
    free(c->in);
    if (c->insn)
        cs_free(c->insn, 1);
    if (c->peek)
        cs_free(c->peek, 1);
    if (c->cs)
        cs_close(&c->cs);
    free(c);
}

/* ---- queries ---------------------------------------------------------- */

uint32_t cov_map_image_size(const CovMap *c)
{
    return c->image_size;
}

size_t cov_map_nblocks(const CovMap *c)
{
    return c->t.nblocks;
}

size_t cov_map_nfunctions(const CovMap *c)
{
    return c->t.nfuncs;
}

size_t cov_map_nreached(const CovMap *c)
{
    return c->t.nreached;
}

int cov_map_block(const CovMap *c, size_t i, uint32_t *rva, uint32_t *size)
{
    if (i >= c->t.nblocks)
        return -1;
    *rva = c->t.blocks[i].start;
    *size = c->t.blocks[i].end - c->t.blocks[i].start;
    return 0;
}

static const char *cov_entry_name(const CovMap *c, uint32_t rva)
{
    for (size_t i = 0; i < c->nentries; i++)
        if (c->entries[i].rva == rva)
            return c->entries[i].name;
    return NULL;
}

/* "DriverEntry" for the image entry point (the name the host calls it
 * by, whatever the export is decorated as), else the export name, else the
 * name the host called it by, else sub_<rva>. */
static const char *cov_func_name(const CovMap *c, const CovFunc *f, char *buf, size_t len)
{
    const char *h;
    if (f->kinds & R_ENTRY)
        return "DriverEntry";
    if (f->name)
        return f->name;
    if ((f->kinds & R_HOST) && (h = cov_entry_name(c, f->rva)))
        return h;
    snprintf(buf, len, "sub_%x", f->rva);
    return buf;
}

int cov_map_block_reached(const CovMap *c, size_t i)
{
    return i < c->t.nblocks && c->t.reached[i];
}

/* Every block never reached, with the first function (in rva order) it
 * belongs to: where an exerciser should look next. */
void cov_map_report_unreached(const CovMap *c, FILE *out)
{
    const CovTables *t = &c->t;
    size_t n = 0;
    for (size_t b = 0; b < t->nblocks; b++)
        n += !t->reached[b];
    fprintf(out, "blocks never reached: %zu of %zu\n", n, t->nblocks);
    for (size_t b = 0; b < t->nblocks; b++) {
        if (t->reached[b])
            continue;
        const char *fname = "-";
        char buf[64];
        for (size_t f = 0; f < t->nfuncs && fname[0] == '-'; f++)
            for (uint32_t k = t->funcs[f].blk_off;
                 k < t->funcs[f].blk_off + t->funcs[f].nblk; k++)
                if (t->fblk[k] == b) {
                    fname = cov_func_name(c, &t->funcs[f], buf, sizeof buf);
                    break;
                }
        fprintf(out, "  0x%08x %5u bytes  in %s\n", t->blocks[b].start,
                t->blocks[b].end - t->blocks[b].start, fname);
    }
}

int cov_map_function(const CovMap *c, size_t i, uint32_t *rva, char *name, size_t namelen,
                     size_t *nblocks)
{
    char buf[32];
    if (i >= c->t.nfuncs)
        return -1;
    const CovFunc *f = &c->t.funcs[i];
    *rva = f->rva;
    if (name && namelen)
        snprintf(name, namelen, "%s", cov_func_name(c, f, buf, sizeof buf));
    if (nblocks)
        *nblocks = f->nblk;
    return 0;
}

/* ---- dynamic coverage ------------------------------------------------- */

size_t cov_map_mark(CovMap *c, uint32_t rva, uint32_t size)
{
    CovTables *t = &c->t;
    uint64_t end = (uint64_t)rva + size;
    size_t n = 0;

    if (!cov_in(c, rva)) {
        c->outside++;
        return 0;
    }
    /* Keep the marks per byte as well: a later cov_map_add_entry may
     * split blocks, and cov_make_reached recomputes from these. */
    *cov_fl(c, rva) |= FL_TBS;
    uint64_t wend = (uint64_t)c->lo + c->span;
    for (uint64_t a = rva; a < end && a < wend; a++)
        c->fl[a - c->lo] |= FL_EXEC;

    size_t i = cov_upper(t, rva);
    if (i > 0 && rva < t->blocks[i - 1].end && !t->reached[i - 1]) {
        t->reached[i - 1] = 1;
        n++;
    }
    for (; i < t->nblocks && t->blocks[i].start < end; i++)
        if (!t->reached[i]) {
            t->reached[i] = 1;
            n++;
        }
    t->nreached += n;
    return n;
}

void cov_map_add_entry(CovMap *c, const char *name, uint32_t rva)
{
    if (!name)
        name = "";
    for (size_t i = 0; i < c->nentries; i++) {
        CovEntry *e = &c->entries[i];
        if (e->rva != rva)
            continue;
        /* One function under several names (one dispatch routine for
         * IRP_MJ_CREATE and IRP_MJ_CLOSE): one row, names joined. */
        size_t nl = strlen(name), el = strlen(e->name);
        const char *p = e->name;
        for (;;) {
            const char *q = strchr(p, '/');
            size_t l = q ? (size_t)(q - p) : strlen(p);
            if (l == nl && !strncmp(p, name, nl))
                return;
            if (!q)
                break;
            p = q + 1;
        }
        if (el + 1 + nl > COV_MAX_ENTRY_NAME)
            return;
        char *j = realloc(e->name, el + nl + 2);
        if (!j) {
            c->failed = 1;
            return;
        }
        j[el] = '/';
        memcpy(j + el + 1, name, nl + 1);
        e->name = j;
        return;
    }
    char *dup = strdup(name);
    if (!dup || cov_grow((void **)&c->entries, &c->centries, c->nentries, sizeof *c->entries)) {
        free(dup);
        c->failed = 1;
        return;
    }
    c->entries[c->nentries++] = (CovEntry){.name = dup, .rva = rva};

    long f = cov_func_at(&c->t, rva);
    if (f >= 0) {
        c->t.funcs[f].kinds |= R_HOST;
        if (cov_root(c, rva, R_HOST, NULL))
            c->failed = 1;
        return;
    }
    if (!cov_exec(c, rva))
        return;
    /* Code the static pass did not take for a function: explore it now. */
    if (cov_root(c, rva, R_HOST, NULL) || cov_descend(c, rva) || cov_finalize(c))
        c->failed = 1;
}

/* ---- the report ------------------------------------------------------- */

typedef struct CovEntryStat {
    size_t total, reached;
} CovEntryStat;

/* Blocks of every function reachable from `rva` through direct calls. */
static CovEntryStat cov_entry_stat(const CovMap *c, uint32_t rva, uint32_t tag, uint32_t *bstamp,
                                   uint32_t *fstamp, uint32_t *queue)
{
    const CovTables *t = &c->t;
    CovEntryStat s = {0, 0};
    long f0 = cov_func_at(t, rva);
    if (f0 < 0)
        return s;
    size_t qh = 0, qt = 0;
    queue[qt++] = (uint32_t)f0;
    fstamp[f0] = tag;
    while (qh < qt) {
        const CovFunc *f = &t->funcs[queue[qh++]];
        for (uint32_t k = f->blk_off; k < f->blk_off + f->nblk; k++) {
            uint32_t b = t->fblk[k];
            if (bstamp[b] == tag)
                continue;
            bstamp[b] = tag;
            s.total++;
            s.reached += t->reached[b];
        }
        for (uint32_t k = f->call_off; k < f->call_off + f->ncall; k++)
            if (fstamp[t->fcall[k]] != tag) {
                fstamp[t->fcall[k]] = tag;
                queue[qt++] = t->fcall[k];
            }
    }
    return s;
}

/* Percent to one decimal, rounded down: 100.0 only when all are reached. */
static void cov_pct(char *buf, size_t len, size_t reached, size_t total)
{
    unsigned long long tenths = total ? (unsigned long long)reached * 1000 / total : 0;
    snprintf(buf, len, "%llu.%llu", tenths / 10, tenths % 10);
}

/* Translated blocks that started where no static block is: code the
 * static pass missed (or data executed). */
static size_t cov_unmatched(const CovMap *c)
{
    size_t n = 0;
    for (uint32_t off = 0; off < c->span; off++)
        if ((c->fl[off] & FL_TBS) && cov_block_containing(&c->t, c->lo + off) < 0)
            n++;
    return n;
}

void cov_map_report(const CovMap *c, FILE *out, int json)
{
    const CovTables *t = &c->t;
    char pct[32], buf[32];
    uint32_t *bstamp = calloc(t->nblocks + 1, sizeof *bstamp);
    uint32_t *fstamp = calloc(t->nfuncs + 1, sizeof *fstamp);
    uint32_t *estamp = calloc(t->nfuncs + 1, sizeof *estamp);
    uint32_t *queue = malloc((t->nfuncs + 1) * sizeof *queue);
    size_t unmatched = cov_unmatched(c) + (size_t)c->outside, nunreached = 0;

    if (!bstamp || !fstamp || !estamp || !queue) {
        fprintf(out, json ? "{\"error\":\"out of memory\"}\n" : "coverage: out of memory\n");
        goto out;
    }
    for (size_t f = 0; f < t->nfuncs; f++) {
        const CovFunc *fn = &t->funcs[f];
        int any = 0;
        for (uint32_t k = fn->blk_off; k < fn->blk_off + fn->nblk && !any; k++)
            any = t->reached[t->fblk[k]];
        fstamp[f] = !any; /* 1: never reached */
        nunreached += !any;
    }
    cov_pct(pct, sizeof pct, t->nreached, t->nblocks);

    if (json) {
        fprintf(out, "{\"image_size\":%u,\"sections\":[", c->image_size);
        for (size_t i = 0; i < c->nregions; i++) {
            fprintf(out, "%s{\"name\":", i ? "," : "");
            json_string(out, c->regions[i].name);
            fprintf(out, ",\"rva\":%u,\"size\":%u}", c->regions[i].start,
                    c->regions[i].end - c->regions[i].start);
        }
        fprintf(out,
                "],\"blocks\":%zu,\"functions\":%zu,\"instructions\":%zu,\"reached\":%zu,"
                "\"percent\":%s,\"unmatched\":%zu,\"entries\":[",
                t->nblocks, t->nfuncs, t->ninsns, t->nreached, pct, unmatched);
    } else {
        fprintf(out, "image 0x%x bytes; %zu executable section%s (", c->image_size, c->nregions,
                c->nregions == 1 ? "" : "s");
        for (size_t i = 0; i < c->nregions; i++)
            fprintf(out, "%s%s 0x%x-0x%x", i ? ", " : "", c->regions[i].name, c->regions[i].start,
                    c->regions[i].end);
        fprintf(out, "); %zu basic blocks, %zu functions, %zu instructions\n", t->nblocks,
                t->nfuncs, t->ninsns);
        fprintf(out, "%-32s %10s %15s %7s\n", "entry point", "rva", "reached/blocks", "%");
        if (!c->nentries)
            fprintf(out, "(no entry points recorded)\n");
    }
    for (size_t i = 0; i < c->nentries; i++) {
        const CovEntry *e = &c->entries[i];
        CovEntryStat s = cov_entry_stat(c, e->rva, (uint32_t)i + 1, bstamp, estamp, queue);
        char ep[32];
        cov_pct(ep, sizeof ep, s.reached, s.total);
        if (json) {
            fprintf(out, "%s{\"name\":", i ? "," : "");
            json_string(out, e->name);
            fprintf(out, ",\"rva\":%u,\"blocks\":%zu,\"reached\":%zu,\"percent\":%s}", e->rva,
                    s.total, s.reached, ep);
        } else {
            char rb[40];
            snprintf(rb, sizeof rb, "%zu/%zu", s.reached, s.total);
            fprintf(out, "%-32s 0x%08x %15s %6s%%\n", e->name, e->rva, rb, ep);
        }
    }
    if (json)
        fprintf(out, "],\"unreached_functions\":[");
    else
        fprintf(out, "functions never reached: %zu of %zu\n", nunreached, t->nfuncs);
    for (size_t f = 0, k = 0; f < t->nfuncs; f++) {
        const CovFunc *fn = &t->funcs[f];
        if (!fstamp[f])
            continue;
        const char *nm = cov_func_name(c, fn, buf, sizeof buf);
        if (json) {
            fprintf(out, "%s{\"rva\":%u,\"name\":", k++ ? "," : "", fn->rva);
            json_string(out, nm);
            fprintf(out, ",\"blocks\":%u}", fn->nblk);
        } else {
            fprintf(out, "  0x%08x  %-32s %u block%s\n", fn->rva, nm, fn->nblk,
                    fn->nblk == 1 ? "" : "s");
        }
    }
    if (json) {
        fprintf(out, "]}\n");
    } else {
        if (unmatched)
            fprintf(out, "ran outside the static blocks: %zu translated block start%s\n", unmatched,
                    unmatched == 1 ? "" : "s");
        fprintf(out, "coverage: %s%% of %zu basic blocks\n", pct, t->nblocks);
    }
out:
    free(bstamp);
    free(fstamp);
    free(estamp);
    free(queue);
}

/* ---- cov_run: traces in, report out ---------------------------------- */

#define COV_MAX_TRACE_MODULES 16

typedef struct CovTraceInfo {
    struct {
        char name[64];
        uint32_t base, size;
        char path[512];
    } m[COV_MAX_TRACE_MODULES];
    unsigned nm;
    char blocks_module[64]; /* "" when the trace has no BLOCKS event */
} CovTraceInfo;

static int cov_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    if (!f)
        return cov_err(err, errlen, "%s: %s", path, strerror(errno));
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 1 << 16;
            uint8_t *q = realloc(b, nc);
            if (!q) {
                free(b);
                fclose(f);
                return cov_err(err, errlen, "%s: out of memory", path);
            }
            b = q;
            cap = nc;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return cov_err(err, errlen, "%s: read error", path);
    }
    *buf = b;
    *len = n;
    return 0;
}

CovMap *cov_map_load(const char *path, char *err, size_t errlen)
{
    uint8_t *file = NULL;
    size_t len = 0;
    char berr[COV_ERR_MAX];
    if (cov_read_file(path, &file, &len, err, errlen))
        return NULL;
    CovMap *c = cov_map_build(file, len, berr, sizeof berr);
    if (!c)
        cov_err(err, errlen, "%s: %s", path, berr);
    free(file); /* the map holds its own copy of the image */
    return c;
}

static const char *cov_str(const char *s)
{
    return s ? s : "";
}

/* The reader's one-line reason, after the trace's path (unless the
 * reader already put it there, as it does for files it opened). */
static int cov_trace_err(char *err, size_t errlen, const char *path, const char *rerr)
{
    size_t n = strlen(path);
    if (!strncmp(rerr, path, n) && rerr[n] == ':')
        return cov_err(err, errlen, "%s", rerr);
    return cov_err(err, errlen, "%s: %s", path, rerr);
}

/* Pass 1: which modules each trace maps and which one its BLOCKS cover. */
static int cov_scan_trace(const char *path, CovTraceInfo *ti, char *err, size_t errlen)
{
    char rerr[XTR_ERR_MAX];
    TraceEvent ev;
    int rc;
    XtrReader *r = xtr_reader_open(path, rerr, sizeof rerr);
    if (!r)
        return cov_trace_err(err, errlen, path, rerr);
    memset(ti, 0, sizeof *ti);
    while ((rc = xtr_read(r, &ev, rerr, sizeof rerr)) == 1) {
        const char *name = cov_str(ev.name);
        if (ev.kind == TRACE_MODULE && ti->nm < COV_MAX_TRACE_MODULES) {
            unsigned k = 0;
            while (k < ti->nm && strcmp(ti->m[k].name, name))
                k++;
            if (k == ti->nm) {
                ti->nm++;
                snprintf(ti->m[k].name, sizeof ti->m[k].name, "%s", name);
                snprintf(ti->m[k].path, sizeof ti->m[k].path, "%s", cov_str(ev.text));
                ti->m[k].base = ev.addr;
                ti->m[k].size = ev.size;
            }
        } else if (ev.kind == TRACE_BLOCKS) {
            if (!ti->blocks_module[0]) {
                snprintf(ti->blocks_module, sizeof ti->blocks_module, "%s", name);
            } else if (strcmp(ti->blocks_module, name)) {
                cov_err(err, errlen, "%s: BLOCKS events cover both %s and %s: one driver at a time",
                        path, ti->blocks_module, name);
                xtr_reader_free(r);
                return -1;
            }
        }
    }
    /* As `xdrv trace dump` does: a run killed midway still counts for the
     * code it reached, but say so (the caller has no other channel for a
     * warning, and stdout may be JSON). */
    if (rc == 0 && !xtr_reader_complete(r))
        fprintf(stderr, "warning: %s was cut short (no end record%s): the run did not finish\n",
                path, xtr_reader_truncated(r) ? ", a partial last record dropped" : "");
    xtr_reader_free(r);
    if (rc < 0)
        return cov_trace_err(err, errlen, path, rerr);
    return 0;
}

static int cov_find_module(const CovTraceInfo *ti, const char *name)
{
    for (unsigned k = 0; k < ti->nm; k++)
        if (!strcmp(ti->m[k].name, name))
            return (int)k;
    return -1;
}

/* Pass 2: mark the BLOCKS pairs and register the entry points the host
 * called inside the module. */
long cov_map_event(CovMap *c, CovTraceState *st, const TraceEvent *ev)
{
    int ours = ev->name && (!st->module[0] || !strcmp(ev->name, st->module));
    if (ev->kind == TRACE_MODULE && ours) {
        if (!st->module[0])
            snprintf(st->module, sizeof st->module, "%s", ev->name);
        st->have = 1; /* a module loaded again may move: the latest base counts */
        st->base = ev->addr;
        st->size = ev->size;
    } else if (ev->kind == TRACE_GUEST_CALL && st->have && ev->addr - st->base < st->size) {
        cov_map_add_entry(c, cov_str(ev->name), ev->addr - st->base);
    } else if (ev->kind == TRACE_BLOCKS && ours && st->module[0]) {
        if (ev->len % 8 || (ev->len && !ev->data))
            return -1;
        long fresh = 0;
        for (uint32_t k = 0; k < ev->len; k += 8) {
            const uint8_t *p = ev->data + k;
            uint32_t rva = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24;
            uint32_t sz = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                          (uint32_t)p[7] << 24;
            fresh += (long)cov_map_mark(c, rva, sz);
        }
        return fresh;
    }
    return 0;
}

static int cov_mark_trace(CovMap *c, const char *path, const char *module, char *err, size_t errlen)
{
    char rerr[XTR_ERR_MAX];
    TraceEvent ev;
    int rc;
    CovTraceState st = {.have = 0};
    snprintf(st.module, sizeof st.module, "%s", module);
    XtrReader *r = xtr_reader_open(path, rerr, sizeof rerr);
    if (!r)
        return cov_trace_err(err, errlen, path, rerr);
    while ((rc = xtr_read(r, &ev, rerr, sizeof rerr)) == 1) {
        if (cov_map_event(c, &st, &ev) < 0) {
            cov_err(err, errlen, "%s: event %llu: BLOCKS data of %u bytes is not (rva, size) pairs",
                    path, (unsigned long long)ev.seq, ev.len);
            xtr_reader_free(r);
            return -1;
        }
    }
    xtr_reader_free(r);
    if (rc < 0)
        return cov_trace_err(err, errlen, path, rerr);
    return 0;
}

int cov_run(const char *const *traces, size_t ntraces, const char *driver, FILE *out,
            unsigned flags, char *err, size_t errlen)
{
    int json = !!(flags & COV_JSON);
    CovTraceInfo *ti = NULL;
    CovMap *c = NULL;
    uint8_t *file = NULL;
    size_t flen = 0, first = 0;
    const char *module = NULL;
    int rc = -1;
    char berr[COV_ERR_MAX];

    if (ntraces == 0)
        return cov_err(err, errlen, "no trace files");
    if (!(ti = calloc(ntraces, sizeof *ti)))
        return cov_err(err, errlen, "out of memory");
    for (size_t i = 0; i < ntraces; i++) {
        if (cov_scan_trace(traces[i], &ti[i], err, errlen))
            goto out;
        if (!ti[i].blocks_module[0])
            continue;
        if (!module) {
            module = ti[i].blocks_module;
            first = i;
        } else if (strcmp(module, ti[i].blocks_module)) {
            cov_err(err, errlen, "%s covers %s but %s covers %s: one driver at a time",
                    traces[first], module, traces[i], ti[i].blocks_module);
            goto out;
        }
    }
    if (!module) {
        cov_err(err, errlen, "%s: no BLOCKS events (recorded without code coverage?)",
                ntraces == 1 ? traces[0] : "the traces");
        goto out;
    }
    for (size_t i = 0; i < ntraces; i++)
        if (ti[i].blocks_module[0] && cov_find_module(&ti[i], module) < 0) {
            cov_err(err, errlen, "%s: no MODULE event for %s", traces[i], module);
            goto out;
        }
    int m0 = cov_find_module(&ti[first], module);
    const char *path = driver ? driver : ti[first].m[m0].path;
    if (!path[0]) {
        cov_err(err, errlen,
                "%s: the trace does not record where %s came from: name the driver file",
                traces[first], module);
        goto out;
    }
    if (cov_read_file(path, &file, &flen, berr, sizeof berr)) {
        if (driver)
            cov_err(err, errlen, "%s", berr);
        else
            cov_err(err, errlen, "%s (the image %s recorded): name the driver file", berr,
                    traces[first]);
        goto out;
    }
    if (!(c = cov_map_build(file, flen, berr, sizeof berr))) {
        cov_err(err, errlen, "%s: %s", path, berr);
        goto out;
    }
    for (size_t i = 0; i < ntraces; i++) {
        int m = cov_find_module(&ti[i], module);
        if (m >= 0 && ti[i].m[m].size != cov_map_image_size(c)) {
            cov_err(err, errlen,
                    "driver image does not match the trace: %s maps 0x%x bytes, %s recorded %s "
                    "with 0x%x",
                    path, cov_map_image_size(c), traces[i], module, ti[i].m[m].size);
            goto out;
        }
    }
    for (size_t i = 0; i < ntraces; i++)
        if (cov_mark_trace(c, traces[i], module, err, errlen))
            goto out;
    if (c->failed) {
        cov_err(err, errlen, "out of memory");
        goto out;
    }
    if (flags & COV_UNREACHED)
        cov_map_report_unreached(c, out);
    cov_map_report(c, out, json);
    rc = 0;
out:
    cov_map_free(c);
    free(file);
    free(ti);
    return rc;
}

/* ---- loops: what `xdrv analyze` asks of a polling site ---- */

int cov_map_loop_at(const CovMap *c, uint32_t rva, unsigned *nblocks, unsigned *exits)
{
    const CovTables *t = &c->t;
    long b = cov_block_containing(t, rva);
    if (b < 0)
        return -1;
    /* forward: the blocks reachable from b inside its function (the
     * successor lists are intra-procedural), bounded */
    enum { CAP = 4096 };
    size_t nb = t->nblocks;
    uint8_t *mark = calloc(nb, 1); /* 1 reachable from b, 2 also reaches b */
    uint32_t *stack = malloc(CAP * sizeof *stack);
    if (!mark || !stack) {
        free(mark);
        free(stack);
        return -1;
    }
    size_t sp = 0, seen = 0;
    stack[sp++] = (uint32_t)b;
    mark[b] = 1;
    while (sp) {
        uint32_t n = stack[--sp];
        seen++;
        for (uint32_t k = t->succ_off[n]; k < t->succ_off[n + 1]; k++) {
            uint32_t m = t->succ[k];
            if (m < nb && !mark[m] && sp < CAP && seen < CAP) {
                mark[m] = 1;
                stack[sp++] = m;
            }
        }
    }
    /* backward, by repeated passes: the reachable blocks that reach b are
     * the loop through b */
    mark[b] = 2;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t n = 0; n < nb; n++) {
            if (mark[n] != 1)
                continue;
            for (uint32_t k = t->succ_off[n]; k < t->succ_off[n + 1]; k++)
                if (t->succ[k] < nb && mark[t->succ[k]] == 2) {
                    mark[n] = 2;
                    changed = 1;
                    break;
                }
        }
    }
    unsigned in = 0, out = 0;
    int cycle = 0; /* b leads back to itself, directly or through the loop */
    for (uint32_t k = t->succ_off[b]; k < t->succ_off[b + 1]; k++)
        cycle |= t->succ[k] == (uint32_t)b;
    for (size_t n = 0; n < nb; n++) {
        if (mark[n] != 2)
            continue;
        in++;
        for (uint32_t k = t->succ_off[n]; k < t->succ_off[n + 1]; k++)
            out += t->succ[k] >= nb || mark[t->succ[k]] != 2;
    }
    free(mark);
    free(stack);
    if (!cycle && in < 2)
        return -1;
    *nblocks = in;
    *exits = out;
    return 0;
}
