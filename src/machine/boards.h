/* Boards and INF-driven model choice: which network controller model can
 * present a hardware ID an INF lists, with which board identity (PCI: the
 * board's vendor, device, subsystem and revision IDs) or resources (ISA and
 * PCMCIA cards: an I/O base and IRQ the INF's LogConfig allows). Each PCI
 * model carries a table of the boards built on its chip (src/dev). */
#ifndef XDRV_MACHINE_BOARDS_H
#define XDRV_MACHINE_BOARDS_H

#include <stddef.h>
#include <stdint.h>

#include "dev/pci.h"
#include "pe/inf.h"

typedef struct NicModelInfo {
    const char *name;        /* the --device name */
    int isa;                 /* an ISA/PCMCIA card: no PCI function */
    uint32_t window;         /* ports the card decodes (ISA: the I/O window) */
    uint16_t vendor, device; /* PCI models: the chip's own ID */
    const PciBoard *boards;  /* PCI models: boards built on the chip */
    unsigned nboards;
} NicModelInfo;

/* The i-th network controller model, in --device order (machine.c); -1
 * past the last. */
int machine_nic_model_info(unsigned i, NicModelInfo *out);

/* The model a --device spec names ("rtl8139,mac=..." -> its index), or -1
 * when it names no network controller (testdev, a typo). */
int machine_spec_nic_model(const char *spec);

/* What a hardware ID from an INF makes the machine present. */
typedef struct NicChoice {
    int hwid;       /* index into the INF's hardware IDs */
    char model[32]; /* --device name */
    char spec[256]; /* the --device spec to add: MODEL,identity or resources[,user options] */
    char what[160]; /* the board's name, or the resources and where they came from */
} NicChoice;

/* Choose the network controller for an INF (hw, nhw: its hardware IDs, in
 * order). The first hardware ID a model can present wins: a PCI ID whose
 * VEN/DEV is the chip's own or in the model's board table (SUBSYS and REV,
 * when the ID has them, are presented exactly; otherwise the board table's
 * first entry for VEN/DEV gives the subsystem), or for an ISA model a
 * PCMCIA\, ISAPNP\ or EISA-style (*PNP80D6) ID, with the first I/O base and
 * IRQ of its install section's LogConfig.
 * user_spec: the --device spec of a network controller, or NULL. With one,
 * only that model is tried and the user's options follow the INF's (so they
 * override them); when it sets vendor= or device= the user's identity
 * stands and nothing is chosen.
 * Returns 1 with *c filled; 0 when nothing is chosen and that is not an
 * error (a user_spec whose model presents none of the IDs: the run then
 * checks the presented IDs against the INF; an INF listing no PCI, PCMCIA,
 * ISA PnP or EISA-style ID; one that is not a network adapter's, [Version]
 * Class = Net); -1 with a one-line reason in err (no model
 * presents any of the IDs: the IDs the INF lists and how to force a model;
 * a bad LogConfig). */
int machine_choose_nic(const Inf *inf, const InfHardwareId *hw, int nhw, const char *user_spec,
                       NicChoice *c, char *err, size_t errlen);

/* Prefixes of the hardware IDs an ISA model presents ("PCMCIA\\", ...). */
extern const char *const machine_isa_hwid_prefixes[];
extern const unsigned machine_isa_nhwid_prefixes;

/* Whether any ID is for a bus the machine has models for (PCI\, PCMCIA\,
 * ISAPNP\, *EISA-style). */
int machine_inf_lists_hardware(const InfHardwareId *hw, int nhw);
/* "A, B, C, ... (N in all)": at most `max` of the INF's IDs, for errors. */
void machine_inf_id_list(const InfHardwareId *hw, int nhw, unsigned max, char *buf, size_t len);
/* "--device MODEL,vendor=0xVVVV,device=0xDDDD" for the INF's first PCI ID,
 * or a generic form when it lists none. */
void machine_inf_force_hint(const InfHardwareId *hw, int nhw, const char *model, char *buf,
                            size_t len);

#endif
