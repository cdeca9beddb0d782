/* The kernel pool: guest memory in [VM_POOL_BASE, +VM_POOL_SIZE) handed out
 * by a host-side first-fit allocator. Bookkeeping stays on the host side, so
 * a driver overwriting pool memory cannot corrupt the allocator; an 8-byte
 * canary after each block detects overruns at free time.
 * Alignment follows the Windows pool: 8 bytes, and page alignment for blocks
 * of a page or more (MSDN ExAllocatePoolWithTag remarks). */
#include <stdlib.h>
#include <string.h>

#include "nt/nt.h"

#define POOL_CANARY 0xFDFDFDFDFDFDFDFDull
#define POOL_GAP 8u

typedef struct FreeRange {
    GuestAddr start;
    uint32_t len;
} FreeRange;

typedef struct Block {
    GuestAddr addr; /* 0 = empty slot, 1 = deleted */
    uint32_t size;
    uint32_t tag;
    uint32_t span_start; /* the range taken from the free list */
    uint32_t span_len;
} Block;

typedef struct NtPool {
    FreeRange *free;
    unsigned nfree, capfree;
    Block *blocks; /* open addressing on addr */
    unsigned capblocks, nlive, nused;
    uint64_t bytes_live;
} NtPool;

static unsigned hash_addr(GuestAddr a, unsigned cap)
{
    return (unsigned)((a >> 3) * 2654435761u) & (cap - 1);
}

static int blocks_grow(NtPool *p)
{
    unsigned cap = p->capblocks ? p->capblocks * 2 : 1024;
    Block *nb = calloc(cap, sizeof *nb);
    if (!nb)
        return -1;
    for (unsigned i = 0; i < p->capblocks; i++) {
        if (p->blocks[i].addr > 1) {
            unsigned h = hash_addr(p->blocks[i].addr, cap);
            while (nb[h].addr)
                h = (h + 1) & (cap - 1);
            nb[h] = p->blocks[i];
        }
    }
    free(p->blocks);
    p->blocks = nb;
    p->capblocks = cap;
    p->nused = p->nlive;
    return 0;
}

static Block *block_find(NtPool *p, GuestAddr a)
{
    if (!p->capblocks)
        return NULL;
    unsigned h = hash_addr(a, p->capblocks);
    for (unsigned n = 0; n < p->capblocks; n++) {
        Block *b = &p->blocks[h];
        if (b->addr == 0)
            return NULL;
        if (b->addr == a)
            return b;
        h = (h + 1) & (p->capblocks - 1);
    }
    return NULL;
}

static int block_insert(NtPool *p, const Block *nb)
{
    if ((p->nused + 1) * 2 > p->capblocks && blocks_grow(p) < 0)
        return -1;
    unsigned h = hash_addr(nb->addr, p->capblocks);
    while (p->blocks[h].addr > 1)
        h = (h + 1) & (p->capblocks - 1);
    if (p->blocks[h].addr == 0)
        p->nused++;
    p->blocks[h] = *nb;
    p->nlive++;
    return 0;
}

static void free_insert(NtPool *p, GuestAddr start, uint32_t len)
{
    /* keep sorted, merge with neighbours */
    unsigned i = 0;
    while (i < p->nfree && p->free[i].start < start)
        i++;
    if (i > 0 && p->free[i - 1].start + p->free[i - 1].len == start) {
        p->free[i - 1].len += len;
        if (i < p->nfree && start + len == p->free[i].start) {
            p->free[i - 1].len += p->free[i].len;
            memmove(&p->free[i], &p->free[i + 1], (p->nfree - i - 1) * sizeof *p->free);
            p->nfree--;
        }
        return;
    }
    if (i < p->nfree && start + len == p->free[i].start) {
        p->free[i].start = start;
        p->free[i].len += len;
        return;
    }
    if (p->nfree == p->capfree) {
        unsigned cap = p->capfree ? p->capfree * 2 : 64;
        FreeRange *nf = realloc(p->free, cap * sizeof *nf);
        if (!nf)
            return; /* the range is lost to the pool, never handed out twice */
        p->free = nf;
        p->capfree = cap;
    }
    memmove(&p->free[i + 1], &p->free[i], (p->nfree - i) * sizeof *p->free);
    p->free[i] = (FreeRange){start, len};
    p->nfree++;
}

GuestAddr nt_pool_alloc(Nt *nt, uint32_t size, uint32_t tag)
{
    NtPool *p = nt->pool;
    if (size > VM_POOL_SIZE / 2)
        return 0;
    uint32_t align = size >= VM_PAGE_SIZE ? VM_PAGE_SIZE : 8;
    uint32_t need = ((size ? size : 1) + 7) & ~7u;
    for (unsigned i = 0; i < p->nfree; i++) {
        FreeRange *r = &p->free[i];
        GuestAddr a = (r->start + align - 1) & ~(align - 1);
        uint64_t end = (uint64_t)a + need + POOL_GAP;
        if (end > (uint64_t)r->start + r->len)
            continue;
        Block b = {.addr = a,
                   .size = size,
                   .tag = tag,
                   .span_start = r->start,
                   .span_len = (uint32_t)(end - r->start)};
        if (block_insert(p, &b) < 0)
            return 0;
        r->start += b.span_len;
        r->len -= b.span_len;
        if (r->len == 0) {
            memmove(r, r + 1, (p->nfree - i - 1) * sizeof *r);
            p->nfree--;
        }
        uint8_t *host = vm_ptr(nt->vm, a, need + POOL_GAP);
        memset(host, 0, need);
        uint64_t canary = POOL_CANARY;
        memcpy(host + need, &canary, POOL_GAP);
        p->bytes_live += size;
        return a;
    }
    return 0;
}

uint32_t nt_pool_size(Nt *nt, GuestAddr a)
{
    Block *b = block_find(nt->pool, a);
    return b ? b->size : 0;
}

int nt_pool_free(Nt *nt, GuestAddr a)
{
    NtPool *p = nt->pool;
    Block *b = block_find(p, a);
    if (!b)
        return -1;
    uint32_t need = ((b->size ? b->size : 1) + 7) & ~7u;
    const uint8_t *host = vm_ptr(nt->vm, a + need, POOL_GAP);
    uint64_t canary;
    memcpy(&canary, host, POOL_GAP);
    int overrun = canary != POOL_CANARY;
    free_insert(p, b->span_start, b->span_len);
    p->bytes_live -= b->size;
    b->addr = 1; /* tombstone */
    p->nlive--;
    return overrun ? -2 : 0;
}

static int leak_cmp(const void *x, const void *y)
{
    const Block *a = x, *b = y;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

unsigned nt_pool_report_leaks(Nt *nt, FILE *f)
{
    NtPool *p = nt->pool;
    if (!p->nlive)
        return 0;
    Block *live = malloc(p->nlive * sizeof *live);
    if (!live)
        return p->nlive;
    unsigned n = 0;
    for (unsigned i = 0; i < p->capblocks; i++)
        if (p->blocks[i].addr > 1)
            live[n++] = p->blocks[i];
    qsort(live, n, sizeof *live, leak_cmp);
    fprintf(f, "leaks: %u pool block(s), %llu bytes still allocated at unload:\n", n,
            (unsigned long long)p->bytes_live);
    for (unsigned i = 0; i < n && i < 50; i++) {
        char tag[5] = {0};
        for (int k = 0; k < 4; k++) {
            char c = (char)(live[i].tag >> (8 * k));
            tag[k] = c >= 0x20 && c < 0x7f ? c : '.';
        }
        fprintf(f, "  0x%08x %8u bytes tag '%s'\n", live[i].addr, live[i].size,
                live[i].tag ? tag : "");
    }
    if (n > 50)
        fprintf(f, "  ... and %u more\n", n - 50);
    free(live);
    return n;
}

int nt_pool_init(Nt *nt)
{
    NtPool *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    nt->pool = p;
    free_insert(p, VM_POOL_BASE, VM_POOL_SIZE);
    return p->nfree == 1 ? 0 : -1;
}

void nt_pool_fini(Nt *nt)
{
    if (!nt->pool)
        return;
    free(nt->pool->free);
    free(nt->pool->blocks);
    free(nt->pool);
    nt->pool = NULL;
}
