/* xdrv verify: the static safety checks of a driver specification
 * (src/replay/verify.c), with the device model's datasheet facts when
 * --device names one. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "dev/e1000.h"
#include "dev/ne2000.h"
#include "dev/pcnet.h"
#include "dev/regs.h"
#include "dev/rtl8139.h"
#include "replay/spec.h"
#include "replay/verify.h"

const char verify_usage[] =
    "usage: xdrv verify DRIVER.xsm [--device MODEL]\n"
    "  Checks a driver specification (docs/formats/xsm.md) before anything runs it:\n"
    "  registers inside their windows, every loop bounded, every bus address given\n"
    "  to the device inside a host buffer (for every value it can take), every\n"
    "  memory access inside its buffer, every state reachable, every request\n"
    "  served or declared unhandled. One line per problem, FILE:LINE: what.\n"
    "  --device MODEL  also against the model's datasheet tables: its BARs, and\n"
    "                  every register that takes a DMA address declared dma\n"
    "                  (models: rtl8139, ne2000, pcnet, e1000)\n"
    "  exit status: 0 safe, 1 bad arguments, 2 problems found or unreadable spec\n";

/* The registers of a table that take DMA addresses, as seen through one
 * window (direct offsets) or behind an index register's data port. */
static void add_dma(SpecTruth *t, SpecTruthReg *regs, const RegDesc *tab, unsigned n, uint8_t mmio,
                    int indexed, uint32_t data_port)
{
    for (unsigned i = 0; i < n && t->ndma_regs < CLI_TRUTH_MAX; i++) {
        if (!(tab[i].flags & REG_F_DMA))
            continue;
        regs[t->ndma_regs++] = (SpecTruthReg){.mmio = mmio,
                                              .window = 0,
                                              .offset = indexed ? data_port : tab[i].offset,
                                              .indexed = (uint8_t)indexed,
                                              .index = tab[i].offset,
                                              .name = tab[i].name};
    }
}

/* The index registers of a table (REG_F_INDEX), as seen through one
 * window, after the DMA registers in regs. */
static void add_index(SpecTruth *t, SpecTruthReg *regs, const RegDesc *tab, unsigned n,
                      uint8_t mmio)
{
    if (!t->index_regs)
        t->index_regs = regs + t->ndma_regs;
    for (unsigned i = 0; i < n && t->ndma_regs + t->nindex_regs < CLI_TRUTH_MAX; i++)
        if (tab[i].flags & REG_F_INDEX)
            regs[t->ndma_regs + t->nindex_regs++] =
                (SpecTruthReg){.mmio = mmio,
                               .offset = tab[i].offset,
                               .index = tab[i].reset, /* what it selects after a reset */
                               .width = tab[i].width,
                               .name = tab[i].name};
}

/* The datasheet facts of a model: its BARs in order (RTL8139 6.1: I/O and
 * memory windows of 256 bytes; PCnet: 32-byte I/O and memory windows, the
 * CSRs behind RDP at 0x10; 8254x SDM 4.1: 128 KiB memory, 8-byte I/O;
 * NE2000: 32 ports, on PCI or jumpered on ISA). */
int cli_model_truth(const char *model, SpecTruth *t, SpecTruthReg *regs)
{
    memset(t, 0, sizeof *t);
    t->model = model;
    t->dma_regs = regs;
    if (!strcmp(model, "rtl8139")) {
        t->bars[0].size = t->bars[1].size = RTL8139_IO_SIZE;
        t->bars[1].mmio = 1;
        t->nbars = 2;
        add_dma(t, regs, rtl8139_regs, rtl8139_nregs, 0, 0, 0);
        add_dma(t, regs, rtl8139_regs, rtl8139_nregs, 1, 0, 0);
    } else if (!strcmp(model, "ne2000") || !strcmp(model, "ne2000-isa")) {
        t->bars[0].size = NE2000_IO_SIZE;
        t->nbars = 1;
    } else if (!strcmp(model, "pcnet")) {
        t->bars[0].size = t->bars[1].size = PCNET_IO_SIZE;
        t->bars[1].mmio = 1;
        t->nbars = 2;
        add_dma(t, regs, pcnet_csr_regs, pcnet_csr_nregs, 0, 1, PCNET_WIO_RDP);
        add_dma(t, regs, pcnet_csr_regs, pcnet_csr_nregs, 1, 1, PCNET_WIO_RDP);
        /* RAP selects the CSR behind RDP, at 12h (word I/O) or 14h
         * (double-word I/O), in either window */
        add_index(t, regs, pcnet_io_regs, pcnet_io_nregs, 0);
        add_index(t, regs, pcnet_io_regs, pcnet_io_nregs, 1);
    } else if (!strcmp(model, "e1000")) {
        t->bars[0].mmio = 1;
        t->bars[0].size = E1000_MMIO_SIZE;
        t->bars[1].size = E1000_IO_SIZE;
        t->nbars = 2;
        add_dma(t, regs, e1000_regs, e1000_nregs, 1, 0, 0);
        /* the I/O window reaches every register too: IOADDR selects it,
         * IODATA accesses it (8254x SDM 13.2.2) */
        add_dma(t, regs, e1000_regs, e1000_nregs, 0, 1, E1000_IODATA);
        static const RegDesc ioaddr[] = {
            {E1000_IOADDR, 4, "IOADDR", REG_RW, 0, REG_CLASS_CONTROL, REG_F_INDEX}};
        add_index(t, regs, ioaddr, 1, 0);
    } else {
        return -1;
    }
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    const char *path = NULL, *device = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(verify_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--device")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv verify: --device needs a model name\n");
                return EXIT_USAGE;
            }
            device = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "xdrv verify: unknown option '%s' (xdrv verify --help)\n", argv[i]);
            return EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "xdrv verify: one specification at a time ('%s')\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        fputs(verify_usage, stderr);
        return EXIT_USAGE;
    }
    SpecTruth truth;
    SpecTruthReg regs[CLI_TRUTH_MAX];
    if (device && cli_model_truth(device, &truth, regs) < 0) {
        fprintf(stderr, "xdrv verify: --device %s: no such model (rtl8139, ne2000, pcnet, e1000)\n",
                device);
        return EXIT_USAGE;
    }
    char err[512];
    Spec *s = spec_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "xdrv verify: %s\n", err);
        return EXIT_LOAD;
    }
    unsigned n = spec_verify(s, path, device ? &truth : NULL, stderr);
    spec_free(s);
    if (n) {
        fprintf(stderr, "xdrv verify: %s: %u problem%s: not safe to replay\n", path, n,
                n == 1 ? "" : "s");
        return EXIT_LOAD;
    }
    printf("%s: safe%s%s\n", path, device ? " for the " : "", device ? device : "");
    return EXIT_OK;
}
