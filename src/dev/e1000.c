/* Intel 82540EM model (see e1000.h and docs/devices/e1000.md). "Section"
 * numbers are those of the 8254x Software Developer's Manual (317453).
 * The memory space is a flat array of dwords indexed by offset / 4; STATUS,
 * EECD and the PHY-derived values are computed on access, ICR and the
 * statistics clear on read. */
#include "dev/e1000.h"
#include "dev/eth.h"

#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

/* ---- register table ---- */

/* offset, name, access, reset value, writable bits, class (the REG_CLASS_
 * suffix), REG_F_ flags (regs.h). Reset values are those after the
 * auto-load of the default EEPROM (CTRL.FD from ICW1); RAL0/RAH0 hold the
 * MAC then (zero here). Class calls: RDH/TDH are owned by hardware,
 * software writes them only to set the ring up (section 13.4.28 and its
 * transmit twin): status. Self-clearing: CTRL.RST (13.4.1), EERD.START
 * (13.4.4), CTRL_EXT.EE_RST and ASDCHK (13.4.6), RDTR.FPD (13.4.30) and
 * TIDV.FPD (13.4.44). WUC.PME_Stat is set by a wake-up event (13.6.1), so
 * control+status. */
#define E1000_REGS(R)                                                                              \
    R(E1000_CTRL, "CTRL", REG_RW, E1000_CTRL_FD, 0xFFFFFFFFu, CONTROL, REG_F_SELFCLEAR)            \
    R(E1000_STATUS, "STATUS", REG_RO, 0, 0, STATUS, 0)                                             \
    R(E1000_EECD, "EECD", REG_RW, E1000_EECD_PRES | 0x10u, 0x00000077u, CS, 0)                     \
    R(E1000_EERD, "EERD", REG_RW, 0, 0x0000FF01u, CS, REG_F_SELFCLEAR)                             \
    R(E1000_CTRL_EXT, "CTRL_EXT", REG_RW, 0, 0xFFFFFFFFu, CONTROL, REG_F_SELFCLEAR)                \
    R(E1000_MDIC, "MDIC", REG_RW, 0, 0x3FFFFFFFu, CS, 0)                                           \
    R(E1000_FCAL, "FCAL", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                                      \
    R(E1000_FCAH, "FCAH", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                      \
    R(E1000_FCT, "FCT", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                        \
    R(E1000_VET, "VET", REG_RW, 0x8100u, 0x0000FFFFu, CONTROL, 0)                                  \
    R(E1000_ICR, "ICR", REG_RC, 0, E1000_ICR_VALID, STATUS, 0)                                     \
    R(E1000_ITR, "ITR", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                        \
    R(E1000_ICS, "ICS", REG_WO, 0, E1000_ICR_VALID, CONTROL, 0)                                    \
    R(E1000_IMS, "IMS", REG_RW, 0, E1000_ICR_VALID, CONTROL, 0)                                    \
    R(E1000_IMC, "IMC", REG_WO, 0, E1000_ICR_VALID, CONTROL, 0)                                    \
    R(E1000_RCTL, "RCTL", REG_RW, 0, 0x07DFF3FEu, CONTROL, 0)                                      \
    R(E1000_FCTTV, "FCTTV", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                    \
    R(E1000_TXCW, "TXCW", REG_RW, 0, 0xC000FFFFu, CONTROL, 0)                                      \
    R(E1000_RXCW, "RXCW", REG_RO, 0, 0, STATUS, 0)                                                 \
    R(E1000_TCTL, "TCTL", REG_RW, 0, 0x03FFFFFEu, CONTROL, 0)                                      \
    R(E1000_TIPG, "TIPG", REG_RW, 0, 0x3FFFFFFFu, CONTROL, 0)                                      \
    R(E1000_AIFS, "AIFS", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                      \
    R(E1000_LEDCTL, "LEDCTL", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                                  \
    R(E1000_PBA, "PBA", REG_RW, 0x00100030u, 0x0000003Fu, CONTROL, 0)                              \
    R(E1000_FCRTL, "FCRTL", REG_RW, 0, 0x8000FFF8u, CONTROL, 0)                                    \
    R(E1000_FCRTH, "FCRTH", REG_RW, 0, 0x0000FFF8u, CONTROL, 0)                                    \
    R(E1000_RDBAL, "RDBAL", REG_RW, 0, 0xFFFFFFF0u, CONTROL, REG_F_DMA)                            \
    R(E1000_RDBAH, "RDBAH", REG_RW, 0, 0xFFFFFFFFu, CONTROL, REG_F_DMA)                            \
    R(E1000_RDLEN, "RDLEN", REG_RW, 0, 0x000FFF80u, CONTROL, 0)                                    \
    R(E1000_RDH, "RDH", REG_RW, 0, 0x0000FFFFu, STATUS, 0)                                         \
    R(E1000_RDT, "RDT", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                        \
    R(E1000_RDTR, "RDTR", REG_RW, 0, 0x0000FFFFu, CONTROL, REG_F_SELFCLEAR)                        \
    R(E1000_RXDCTL, "RXDCTL", REG_RW, 0x00010000u, 0x013F3F3Fu, CONTROL, 0)                        \
    R(E1000_RADV, "RADV", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                      \
    R(E1000_RSRPD, "RSRPD", REG_RW, 0, 0x00000FFFu, CONTROL, 0)                                    \
    R(E1000_TXDMAC, "TXDMAC", REG_RW, 0, 0x00000001u, CONTROL, 0)                                  \
    R(E1000_TDBAL, "TDBAL", REG_RW, 0, 0xFFFFFFF0u, CONTROL, REG_F_DMA)                            \
    R(E1000_TDBAH, "TDBAH", REG_RW, 0, 0xFFFFFFFFu, CONTROL, REG_F_DMA)                            \
    R(E1000_TDLEN, "TDLEN", REG_RW, 0, 0x000FFF80u, CONTROL, 0)                                    \
    R(E1000_TDH, "TDH", REG_RW, 0, 0x0000FFFFu, STATUS, 0)                                         \
    R(E1000_TDT, "TDT", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                        \
    R(E1000_TIDV, "TIDV", REG_RW, 0, 0x0000FFFFu, CONTROL, REG_F_SELFCLEAR)                        \
    R(E1000_TXDCTL, "TXDCTL", REG_RW, 0, 0x013F3F3Fu, CONTROL, 0)                                  \
    R(E1000_TADV, "TADV", REG_RW, 0, 0x0000FFFFu, CONTROL, 0)                                      \
    R(E1000_TSPMT, "TSPMT", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                                    \
    R(E1000_CRCERRS, "CRCERRS", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_ALGNERRC, "ALGNERRC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                             \
    R(E1000_SYMERRS, "SYMERRS", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_RXERRC, "RXERRC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_MPC, "MPC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_SCC, "SCC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_ECOL, "ECOL", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_MCC, "MCC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_LATECOL, "LATECOL", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_COLC, "COLC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_DC, "DC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                         \
    R(E1000_TNCRS, "TNCRS", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_SEC, "SEC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_CEXTERR, "CEXTERR", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_RLEC, "RLEC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_XONRXC, "XONRXC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_XONTXC, "XONTXC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_XOFFRXC, "XOFFRXC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_XOFFTXC, "XOFFTXC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_FCRUC, "FCRUC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_PRC64, "PRC64", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_PRC127, "PRC127", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_PRC255, "PRC255", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_PRC511, "PRC511", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_PRC1023, "PRC1023", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_PRC1522, "PRC1522", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_GPRC, "GPRC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_BPRC, "BPRC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_MPRC, "MPRC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_GPTC, "GPTC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_GORCL, "GORCL", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_GORCH, "GORCH", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_GOTCL, "GOTCL", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_GOTCH, "GOTCH", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_RNBC, "RNBC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_RUC, "RUC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_RFC, "RFC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_ROC, "ROC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_RJC, "RJC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_MGTPRC, "MGTPRC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_MGTPDC, "MGTPDC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_MGTPTC, "MGTPTC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_TORL, "TORL", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_TORH, "TORH", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_TOTL, "TOTL", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_TOTH, "TOTH", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_TPR, "TPR", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_TPT, "TPT", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                       \
    R(E1000_PTC64, "PTC64", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_PTC127, "PTC127", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_PTC255, "PTC255", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_PTC511, "PTC511", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_PTC1023, "PTC1023", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_PTC1522, "PTC1522", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                               \
    R(E1000_MPTC, "MPTC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_BPTC, "BPTC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                     \
    R(E1000_TSCTC, "TSCTC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                   \
    R(E1000_TSCTFC, "TSCTFC", REG_RC, 0, 0, STATUS, REG_F_COUNTER)                                 \
    R(E1000_RXCSUM, "RXCSUM", REG_RW, 0, 0x000003FFu, CONTROL, 0)                                  \
    R(E1000_RAL0 + 0x00u, "RAL0", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x00u, "RAH0", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x08u, "RAL1", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x08u, "RAH1", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x10u, "RAL2", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x10u, "RAH2", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x18u, "RAL3", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x18u, "RAH3", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x20u, "RAL4", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x20u, "RAH4", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x28u, "RAL5", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x28u, "RAH5", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x30u, "RAL6", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x30u, "RAH6", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x38u, "RAL7", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x38u, "RAH7", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x40u, "RAL8", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x40u, "RAH8", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x48u, "RAL9", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                              \
    R(E1000_RAH0 + 0x48u, "RAH9", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                              \
    R(E1000_RAL0 + 0x50u, "RAL10", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                             \
    R(E1000_RAH0 + 0x50u, "RAH10", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                             \
    R(E1000_RAL0 + 0x58u, "RAL11", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                             \
    R(E1000_RAH0 + 0x58u, "RAH11", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                             \
    R(E1000_RAL0 + 0x60u, "RAL12", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                             \
    R(E1000_RAH0 + 0x60u, "RAH12", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                             \
    R(E1000_RAL0 + 0x68u, "RAL13", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                             \
    R(E1000_RAH0 + 0x68u, "RAH13", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                             \
    R(E1000_RAL0 + 0x70u, "RAL14", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                             \
    R(E1000_RAH0 + 0x70u, "RAH14", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                             \
    R(E1000_RAL0 + 0x78u, "RAL15", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                             \
    R(E1000_RAH0 + 0x78u, "RAH15", REG_RW, 0, 0x8003FFFFu, CONTROL, 0)                             \
    R(E1000_WUC, "WUC", REG_RW, 0, 0x0000000Fu, CS, 0)                                             \
    R(E1000_WUFC, "WUFC", REG_RW, 0, 0x000F00FFu, CONTROL, 0)                                      \
    R(E1000_WUS, "WUS", REG_W1C, 0, 0x000F00FFu, STATUS, 0)                                        \
    R(E1000_MANC, "MANC", REG_RW, 0, 0xFFFFFFFFu, CONTROL, 0)                                      \
    R(E1000_IPAV, "IPAV", REG_RW, 0, 0x0001000Fu, CONTROL, 0)                                      \
    R(E1000_WUPL, "WUPL", REG_RO, 0, 0, STATUS, 0)

const RegDesc e1000_regs[] = {
#define R(off, name, acc, rst, wm, cls, fl) {off, 4, name, acc, rst, REG_CLASS_##cls, fl},
    E1000_REGS(R)
#undef R
};
const unsigned e1000_nregs = sizeof e1000_regs / sizeof e1000_regs[0];
static const uint32_t e1000_wmask[] = {
#define R(off, name, acc, rst, wm, cls, fl) wm,
    E1000_REGS(R)
#undef R
};

const E1000RegArray e1000_reg_arrays[] = {
    {E1000_MTA, E1000_MTA_WORDS, "MTA"},
    {E1000_VFTA, E1000_VFTA_WORDS, "VFTA"},
};
const unsigned e1000_nreg_arrays = sizeof e1000_reg_arrays / sizeof e1000_reg_arrays[0];

/* ---- boards ----
 * Sources: Intel's e1000 Linux driver 6.1.16 (e1000.spec, the pci.updates
 * list it merges into pci.ids) for device and subsystem IDs; an lspci of a
 * PRO/1000 MT Desktop Adapter (8086:100E rev 02, subsystem 8086:001E). */
const PciBoard e1000_boards[] = {
    {0x8086, 0x100E, 0x8086, 0x001E, "Intel PRO/1000 MT Desktop Adapter (82540EM)"},
    {0x8086, 0x100E, 0x8086, 0x002E, "Intel PRO/1000 MT Desktop Adapter (82540EM)"},
    {0x8086, 0x100E, 0x1014, 0x0265, "IBM PRO/1000 MT Network Connection (82540EM)"},
    {0x8086, 0x100E, 0x1014, 0x0267, "IBM PRO/1000 MT Network Connection (82540EM)"},
    {0x8086, 0x100E, 0x1014, 0x026A, "IBM PRO/1000 MT Network Connection (82540EM)"},
    {0x8086, 0x1015, 0x8086, 0x1015, "Intel PRO/1000 MT Mobile Connection (82540EM LOM)"},
    {0x8086, 0x1016, 0x8086, 0x1016, "Intel PRO/1000 MT Mobile Connection (82540EP)"},
    {0x8086, 0x1016, 0x1014, 0x052C, "IBM PRO/1000 MT Mobile Connection (82540EP)"},
    {0x8086, 0x1016, 0x1179, 0x0001, "Toshiba PRO/1000 MT Mobile Connection (82540EP)"},
    {0x8086, 0x1017, 0x8086, 0x1017, "Intel PRO/1000 MT Desktop Connection (82540EP)"},
    {0x8086, 0x101E, 0x8086, 0x101E, "Intel PRO/1000 MT Mobile Connection (82540EP)"},
    {0x8086, 0x101E, 0x1014, 0x0549, "IBM PRO/1000 MT Mobile Connection (82540EP)"},
    {0x8086, 0x100F, 0x8086, 0x1000, "Intel PRO/1000 MT Network Connection (82545EM)"},
    {0x8086, 0x100F, 0x8086, 0x1001, "Intel PRO/1000 MT Server Adapter (82545EM)"},
    {0x8086, 0x100F, 0x1014, 0x028E, "IBM PRO/1000 MT Network Connection (82545EM)"},
    {0x8086, 0x1026, 0x8086, 0x1000, "Intel PRO/1000 MT Server Connection (82545GM)"},
    {0x8086, 0x1026, 0x8086, 0x1001, "Intel PRO/1000 MT Server Adapter (82545GM)"},
    {0x8086, 0x1026, 0x8086, 0x1002, "Intel PRO/1000 MT Server Adapter (82545GM)"},
    {0x8086, 0x1026, 0x8086, 0x1026, "Intel PRO/1000 MT Server Connection (82545GM)"},
};
const unsigned e1000_nboards = sizeof e1000_boards / sizeof e1000_boards[0];

/* ---- state ---- */

#define NREGS (E1000_MMIO_SIZE / 4u)
#define RX_FIFO_MAX 0x10000u /* the packet buffer is 64 KB (PBA, section 13.4.38) */
#define RX_ENTRY_HDR 8u
#define TX_TSO_MAX 0x40000u /* largest TCP segmentation context the model takes */
#define TX_BUF (TX_TSO_MAX + 8u)

typedef struct TxContext {
    uint8_t ipcss, ipcso, tucss, tucso;
    uint16_t ipcse, tucse;
    uint32_t paylen;
    uint8_t tucmd, hdrlen;
    uint16_t mss;
} TxContext;

struct E1000 {
    uint32_t reg[NREGS];
    uint16_t phy[32];
    uint16_t phy_id1, phy_id2;
    uint8_t revision;
    uint32_t ioaddr;
    PciDevice pci;
    Eeprom93c46 ee;
    DevDma dma;
    DevIrq irq;
    DevClock *clock;
    NetPort port;
    DevTimer itr_timer, rdtr_timer, radv_timer, tidv_timer, tadv_timer;
    int link;      /* cable */
    int lu;        /* STATUS.LU as last reported */
    int irq_level; /* INTA# */
    int asserted;  /* INTA# was asserted at least once (ITR reference) */
    uint64_t last_assert;
    TxContext ctx;
    uint8_t tx[TX_BUF];
    size_t txlen;
    int tx_started, tx_bad, tx_ext, tx_tse;
    uint8_t tx_popts, tx_first_cmd;
    uint16_t tx_first_special;
    uint8_t seg[E1000_FRAME_MAX + 8u]; /* one TCP segment */
    uint8_t fifo[RX_FIFO_MAX];
    size_t fifo_used;
    unsigned fifo_frames;
    uint8_t rxbuf[E1000_FRAME_MAX + 8u];
    unsigned noted; /* one-time notes already emitted */
    unsigned armed; /* injected conditions: ARMED(DevCondition) */
    int reset_hung; /* a CTRL.RST that never completes (DEV_COND_RESET_HANG) */
    uint8_t tx_sta; /* STA error bits of the packet being finished */
    E1000Stats stats;
};

#define ARMED(c) (1u << (c))

#define NOTED_LOOPBACK 0x01u
#define NOTED_BEM 0x02u
#define NOTED_ASEL 0x04u
#define NOTED_CFIEN 0x08u
#define NOTED_PHY_LOOP 0x10u
#define NOTED_NARROW 0x20u
#define NOTED_BSEX0 0x40u
#define NOTED_FLOW 0x80u

/* ---- helpers ---- */

static uint64_t now(const E1000 *s)
{
    return s->clock ? s->clock->now : 0;
}

#define NOTE(s, ...) trace_emitf(TRACE_NOTE, now(s), 0, "e1000", __VA_ARGS__)

#define REG(s, off) ((s)->reg[(off) >> 2])

static uint32_t get_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le(p, 4) | (uint64_t)get_le(p + 4, 4) << 32;
}

static void put_le(uint8_t *p, unsigned n, uint32_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int reg_row(uint32_t off)
{
    unsigned lo = 0, hi = e1000_nregs;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (e1000_regs[mid].offset == off)
            return (int)mid;
        if (e1000_regs[mid].offset < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const E1000RegArray *reg_array(uint32_t off)
{
    for (unsigned i = 0; i < e1000_nreg_arrays; i++) {
        const E1000RegArray *a = &e1000_reg_arrays[i];
        if (off >= a->offset && off < a->offset + 4u * a->count)
            return a;
    }
    return NULL;
}

const char *e1000_reg_name(uint32_t offset)
{
    if (offset & 3)
        return NULL;
    int row = reg_row(offset);
    if (row >= 0)
        return e1000_regs[row].name;
    const E1000RegArray *a = reg_array(offset);
    return a ? a->name : NULL;
}

static int bus_master(const E1000 *s)
{
    return !!(pci_device_command(&s->pci) & PCI_COMMAND_MASTER);
}

/* Statistics registers stick at their maximum rather than wrap. */
static void stat_inc(E1000 *s, uint32_t off, uint32_t n)
{
    uint32_t v = REG(s, off);
    REG(s, off) = v + n < v ? 0xFFFFFFFFu : v + n;
}

static void stat_add64(E1000 *s, uint32_t lo, uint64_t n)
{
    uint64_t v = (uint64_t)REG(s, lo) | (uint64_t)REG(s, lo + 4) << 32;
    v += n;
    REG(s, lo) = (uint32_t)v;
    REG(s, lo + 4) = (uint32_t)(v >> 32);
}

/* Size bins of PRC64..PRC1522 / PTC64..PTC1522 (section 13.7): length
 * with FCS; frames over 1522 bytes are in no bin. */
static void stat_size_bin(E1000 *s, uint32_t bin64, size_t size)
{
    static const size_t top[] = {64, 127, 255, 511, 1023, 1522};
    for (unsigned i = 0; i < 6; i++) {
        if (size <= top[i]) {
            stat_inc(s, bin64 + 4u * i, 1);
            return;
        }
    }
}

/* ---- DMA: bounds-checked, failures reported and never fatal ---- */

static void dma_error(E1000 *s, const char *what, uint64_t addr, uint32_t len)
{
    s->stats.dma_errors++;
    NOTE(s, "%s: DMA at 0x%llx+%u outside guest memory: dropped, PCI status master abort", what,
         (unsigned long long)addr, len);
    pci_device_raise_status(&s->pci, PCI_STATUS_REC_MASTER_ABORT);
}

static int dma_read(E1000 *s, const char *what, uint64_t addr, void *buf, uint32_t len)
{
    if (addr + len > 0x100000000ull || dev_dma_read(&s->dma, (uint32_t)addr, buf, len) < 0) {
        dma_error(s, what, addr, len);
        return -1;
    }
    return 0;
}

static int dma_write(E1000 *s, const char *what, uint64_t addr, const void *buf, uint32_t len)
{
    if (addr + len > 0x100000000ull || dev_dma_write(&s->dma, (uint32_t)addr, buf, len) < 0) {
        dma_error(s, what, addr, len);
        return -1;
    }
    return 0;
}

/* ---- interrupts (section 13.4.17-13.4.21: ICR, ITR, ICS, IMS, IMC) ---- */

static void set_level(E1000 *s, int level)
{
    if (level == s->irq_level)
        return;
    s->irq_level = level;
    dev_irq_set(&s->irq, level);
}

/* INTA# = ICR & IMS != 0, but with ITR set no sooner than ITR x 256 ns
 * after the previous assertion (section 13.4.18): a cause arriving inside
 * the interval waits for a timer at its end. */
static void irq_update(E1000 *s)
{
    if (!(REG(s, E1000_ICR) & REG(s, E1000_IMS))) {
        set_level(s, 0);
        return;
    }
    if (s->irq_level)
        return;
    uint64_t interval = (uint64_t)(REG(s, E1000_ITR) & 0xFFFFu) * 256u;
    if (interval && s->clock && s->asserted && now(s) < s->last_assert + interval) {
        if (s->itr_timer.deadline == UINT64_MAX)
            dev_timer_arm(s->clock, &s->itr_timer, s->last_assert + interval);
        return;
    }
    s->asserted = 1;
    s->last_assert = now(s);
    set_level(s, 1);
}

static void itr_fire(void *opaque)
{
    irq_update(opaque);
}

static void raise_cause(E1000 *s, uint32_t cause)
{
    REG(s, E1000_ICR) |= cause;
    irq_update(s);
}

/* Receive delay timers (section 3.2.7, 13.4.30/13.4.32): RDTR restarts with
 * every packet, RADV bounds the total delay; RDTR = 0 interrupts at once. */
static void rx_delay_fire(void *opaque)
{
    E1000 *s = opaque;
    if (s->clock) {
        dev_timer_cancel(s->clock, &s->rdtr_timer);
        dev_timer_cancel(s->clock, &s->radv_timer);
    }
    raise_cause(s, E1000_ICR_RXT0);
}

static void rx_interrupt(E1000 *s)
{
    uint32_t rdtr = REG(s, E1000_RDTR) & 0xFFFFu, radv = REG(s, E1000_RADV) & 0xFFFFu;
    if (!rdtr || !s->clock) {
        rx_delay_fire(s);
        return;
    }
    dev_timer_arm(s->clock, &s->rdtr_timer, now(s) + (uint64_t)rdtr * 1024u);
    if (radv && s->radv_timer.deadline == UINT64_MAX)
        dev_timer_arm(s->clock, &s->radv_timer, now(s) + (uint64_t)radv * 1024u);
}

/* Transmit delay (section 3.3.3.1 IDE, 13.4.44/13.4.46): a descriptor with
 * RS and IDE (re)loads TIDV; TADV bounds it; RS without IDE interrupts at
 * once and clears the timers. */
static void tx_delay_fire(void *opaque)
{
    E1000 *s = opaque;
    if (s->clock) {
        dev_timer_cancel(s->clock, &s->tidv_timer);
        dev_timer_cancel(s->clock, &s->tadv_timer);
    }
    raise_cause(s, E1000_ICR_TXDW);
}

static void tx_interrupt(E1000 *s, int ide)
{
    uint32_t tidv = REG(s, E1000_TIDV) & 0xFFFFu, tadv = REG(s, E1000_TADV) & 0xFFFFu;
    if (!ide || !tidv || !s->clock) {
        tx_delay_fire(s);
        return;
    }
    dev_timer_arm(s->clock, &s->tidv_timer, now(s) + (uint64_t)tidv * 1024u);
    if (tadv && s->tadv_timer.deadline == UINT64_MAX)
        dev_timer_arm(s->clock, &s->tadv_timer, now(s) + (uint64_t)tadv * 1024u);
}

/* ---- PHY (sections 8.6.2.4, 13.5; IEEE 802.3 clause 22) ---- */

static void phy_reset(E1000 *s)
{
    memset(s->phy, 0, sizeof s->phy);
    /* auto-negotiation enabled, full duplex, 1000 Mb/s selected */
    s->phy[E1000_PHY_PCTRL] = 0x1140;
    /* pause, asymmetric pause, 100/10 full and half duplex, IEEE 802.3 */
    s->phy[E1000_PHY_ANA] = 0x0DE1;
    s->phy[E1000_PHY_NPTX] = 0x2001;
    s->phy[E1000_PHY_GCON] = 0x0E00;
    s->phy[E1000_PHY_PSCON] = 0x0360;
    s->phy[E1000_PHY_EPSCON1] = 0x0D60;
}

static int phy_link(const E1000 *s)
{
    return s->link && !(s->phy[E1000_PHY_PCTRL] & E1000_PCTRL_PDOWN) &&
           !(REG(s, E1000_CTRL) & E1000_CTRL_PHY_RST);
}

static int phy_an_done(const E1000 *s)
{
    return phy_link(s) && (s->phy[E1000_PHY_PCTRL] & E1000_PCTRL_ANE);
}

static uint16_t phy_read(E1000 *s, unsigned r)
{
    switch (r) {
    case E1000_PHY_PSTATUS:
        /* 100BASE-X/10BASE-T full and half duplex, extended status,
         * preamble suppression, AN ability, extended capability */
        return (uint16_t)(0x7949 | (phy_link(s) ? E1000_PSTATUS_LINK : 0) |
                          (phy_an_done(s) ? E1000_PSTATUS_ANC : 0));
    case E1000_PHY_PID:
        return s->phy_id1;
    case E1000_PHY_EPID:
        return s->phy_id2;
    case E1000_PHY_LPA:
        /* a partner with the same abilities, acknowledging */
        return phy_an_done(s) ? 0x41E1 : 0;
    case E1000_PHY_ANE:
        return phy_an_done(s) ? 0x0001 : 0;
    case E1000_PHY_LPN:
    case E1000_PHY_PINTS: /* no PHY interrupt is ever latched */
    case E1000_PHY_PREC:
        return 0;
    case E1000_PHY_GSTATUS:
        /* local and remote receiver OK, partner 1000BASE-T full/half */
        return phy_an_done(s) ? 0x3C00 : 0;
    case E1000_PHY_EPSTATUS:
        return 0x3000; /* 1000BASE-T full and half duplex capable */
    case E1000_PHY_PSSTAT:
        /* 1000 Mb/s, full duplex, resolved, real-time link */
        return phy_link(s) ? 0xAC00 : 0;
    case 11:
    case 12:
    case 13:
    case 14:
        NOTE(s, "read of reserved PHY register %u: 0", r);
        return 0;
    }
    return s->phy[r];
}

static void link_update(E1000 *s);

static void phy_write(E1000 *s, unsigned r, uint16_t v)
{
    switch (r) {
    case E1000_PHY_PCTRL:
        /* bit 15 is the M88 software reset: it commits the settings and
         * keeps the registers (only CTRL.PHY_RST restores the defaults) */
        if ((v & E1000_PCTRL_LOOPBACK) && !(s->noted & NOTED_PHY_LOOP)) {
            s->noted |= NOTED_PHY_LOOP;
            NOTE(s,
                 "FIXME: PHY loopback (PCTRL bit 14) not modelled: frames still go to the cable");
        }
        /* reset and restart-AN are self-clearing; AN completes at once */
        s->phy[r] = (uint16_t)(v & ~(E1000_PCTRL_RESET | E1000_PCTRL_RESTART_AN));
        break;
    case E1000_PHY_ANA:
    case E1000_PHY_NPTX:
    case E1000_PHY_GCON:
    case E1000_PHY_PSCON:
    case E1000_PHY_PINTE:
    case E1000_PHY_EPSCON1:
        s->phy[r] = v;
        break;
    default:
        if (r >= 22) {
            s->phy[r] = v; /* vendor page/test registers: storage */
            break;
        }
        s->stats.ignored++;
        NOTE(s, "write 0x%04x to read-only or reserved PHY register %u ignored", v, r);
        return;
    }
    link_update(s);
}

/* ---- link (section 8.6.2.1: the MAC sees the PHY's link only with SLU) ---- */

static int mac_link(const E1000 *s)
{
    return phy_link(s) && (REG(s, E1000_CTRL) & E1000_CTRL_SLU);
}

static void rx_drain(E1000 *s);

static void link_update(E1000 *s)
{
    int lu = mac_link(s);
    if (lu == s->lu)
        return;
    s->lu = lu;
    NOTE(s, "link %s (STATUS.LU): LSC", lu ? "up" : "down");
    raise_cause(s, E1000_ICR_LSC);
    if (lu)
        rx_drain(s);
}

/* Full duplex unless forced to half (CTRL.FRCDPLX with CTRL.FD clear):
 * the link partner negotiates full duplex. */
static int full_duplex(const E1000 *s)
{
    uint32_t ctrl = REG(s, E1000_CTRL);
    return !(ctrl & E1000_CTRL_FRCDPLX) || (ctrl & E1000_CTRL_FD);
}

static uint32_t status_value(const E1000 *s)
{
    if (!s->lu)
        return 0;
    uint32_t ctrl = REG(s, E1000_CTRL);
    uint32_t v = E1000_STATUS_LU | 0x200u; /* ASDV: 1000 Mb/s detected */
    if (full_duplex(s))
        v |= E1000_STATUS_FD;
    if (ctrl & E1000_CTRL_FRCSPD)
        v |= ((ctrl & E1000_CTRL_SPEED) >> 8) << 6;
    else
        v |= E1000_STATUS_SPEED_1000;
    return v;
}

/* ---- EEPROM (section 5.3, 5.6) ---- */

static uint16_t ee_sum(const uint16_t *w)
{
    uint16_t sum = 0;
    for (unsigned i = 0; i < E1000_EE_CHECKSUM; i++)
        sum = (uint16_t)(sum + w[i]);
    return sum;
}

static void ee_fix_checksum(uint16_t *w)
{
    w[E1000_EE_CHECKSUM] = (uint16_t)(E1000_EEPROM_SUM - ee_sum(w));
}

/* Default image: MAC, compatibility word 0, ICW1 (valid signature, full
 * duplex, load vendor/device and subsystem IDs), the board's IDs, ICW2 0,
 * the other words erased (FFFFh), checksum. */
static void ee_build(uint16_t *w, const uint8_t mac[6])
{
    for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++)
        w[i] = 0xFFFF;
    for (unsigned i = 0; i < 3; i++)
        w[E1000_EE_MAC + i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
    w[0x03] = 0x0000;
    w[E1000_EE_ICW1] =
        E1000_ICW1_SIG | E1000_ICW1_FD | E1000_ICW1_LOAD_VID | E1000_ICW1_LOAD_SUBSYS;
    w[E1000_EE_SUBSYS_ID] = E1000_SUBSYS_ID;
    w[E1000_EE_SUBSYS_VENDOR] = E1000_SUBSYS_VENDOR_ID;
    w[E1000_EE_DEVICE_ID] = E1000_DEVICE_ID;
    w[E1000_EE_VENDOR_ID] = E1000_VENDOR_ID;
    w[E1000_EE_ICW2] = 0x0000;
    ee_fix_checksum(w);
}

static int ee_valid(const E1000 *s)
{
    return (s->ee.word[E1000_EE_ICW1] & E1000_ICW1_SIG_MASK) == E1000_ICW1_SIG;
}

/* The auto-load after reset (section 5.6): CTRL defaults from ICW1 and the
 * Ethernet address into RAL0/RAH0 (AV set), if the signature is 01b. */
static void ee_autoload(E1000 *s)
{
    const uint16_t *w = s->ee.word;
    if (!ee_valid(s)) {
        NOTE(s, "EEPROM ICW1 signature is not 01b: hardware defaults, no MAC loaded");
        return;
    }
    uint32_t ctrl = REG(s, E1000_CTRL) & ~(E1000_CTRL_FD | E1000_CTRL_LRST | E1000_CTRL_ILOS);
    if (w[E1000_EE_ICW1] & E1000_ICW1_FD)
        ctrl |= E1000_CTRL_FD;
    if (w[E1000_EE_ICW1] & E1000_ICW1_LRST)
        ctrl |= E1000_CTRL_LRST;
    if (w[E1000_EE_ICW1] & E1000_ICW1_ILOS)
        ctrl |= E1000_CTRL_ILOS;
    REG(s, E1000_CTRL) = ctrl;
    REG(s, E1000_RAL0) = (uint32_t)w[0] | (uint32_t)w[1] << 16;
    REG(s, E1000_RAH0) = (uint32_t)w[2] | E1000_RAH_AV;
}

/* PCI IDs as the chip loads them at PCI reset (section 4.1, 5.6.7): from
 * words 0Bh-0Eh when ICW1 asks for it, the chip's own otherwise. */
static void pci_load_ids(E1000 *s)
{
    const uint16_t *w = s->ee.word;
    uint16_t vendor = E1000_VENDOR_ID, device = E1000_DEVICE_ID, sv = 0, sid = 0;
    if (ee_valid(s) && (w[E1000_EE_ICW1] & E1000_ICW1_LOAD_VID)) {
        vendor = w[E1000_EE_VENDOR_ID];
        device = w[E1000_EE_DEVICE_ID];
    }
    if (ee_valid(s) && (w[E1000_EE_ICW1] & E1000_ICW1_LOAD_SUBSYS)) {
        sv = w[E1000_EE_SUBSYS_VENDOR];
        sid = w[E1000_EE_SUBSYS_ID];
    }
    pci_device_set16(&s->pci, PCI_VENDOR_ID, vendor);
    pci_device_set16(&s->pci, PCI_DEVICE_ID, device);
    pci_device_set16(&s->pci, PCI_SUBSYSTEM_VENDOR_ID, sv);
    pci_device_set16(&s->pci, PCI_SUBSYSTEM_ID, sid);
    pci_device_set8(&s->pci, PCI_REVISION_ID, s->revision);
}

/* EECD (section 5.3.1, 13.4.3): software drives SK/CS/DI only after EE_REQ
 * is granted (EE_GNT); the model grants at once, except during a hung
 * CTRL.RST, whose auto-load keeps the EEPROM. DO shows the part's output. */
static uint32_t eecd_read(E1000 *s)
{
    uint32_t v = REG(s, E1000_EECD) & ~(E1000_EECD_DO | E1000_EECD_GNT);
    if ((v & E1000_EECD_REQ) && !s->reset_hung) {
        v |= E1000_EECD_GNT;
        if (eeprom93c46_get_do(&s->ee))
            v |= E1000_EECD_DO;
    }
    return v | E1000_EECD_PRES; /* EE_SIZE 0: the 64-word part */
}

static void eecd_write(E1000 *s, uint32_t v, uint32_t wm)
{
    uint32_t old = REG(s, E1000_EECD);
    REG(s, E1000_EECD) = (old & ~wm) | (v & wm);
    if (s->reset_hung) {
        NOTE(s, "EECD written during the hung CTRL.RST: EE_REQ not granted");
        return;
    }
    if (v & E1000_EECD_REQ) {
        eeprom93c46_set_pins(&s->ee, !!(v & E1000_EECD_CS), !!(v & E1000_EECD_SK),
                             !!(v & E1000_EECD_DI));
        return;
    }
    if ((v ^ old) & (E1000_EECD_CS | E1000_EECD_SK | E1000_EECD_DI))
        NOTE(s, "EECD SK/CS/DI written without EE_REQ: the EEPROM pins stay with the chip");
    eeprom93c46_set_pins(&s->ee, 0, 0, 0);
}

/* EERD (section 5.3.2, 13.4.4): START reads the word at ADDR; DONE and
 * DATA are there at once. The part has 64 words. During a hung CTRL.RST
 * the read waits behind the auto-load: START and ADDR read back, never DONE. */
static void eerd_write(E1000 *s, uint32_t v)
{
    if (s->reset_hung) {
        REG(s, E1000_EERD) = v & (0x0000FF00u | E1000_EERD_START);
        NOTE(s, "EERD written during the hung CTRL.RST: the read never completes");
        return;
    }
    if (!(v & E1000_EERD_START)) {
        REG(s, E1000_EERD) = v & 0x0000FF00u;
        return;
    }
    unsigned addr = (v >> E1000_EERD_ADDR_SHIFT) & 0xFF;
    uint16_t data = 0xFFFF;
    if (addr < E1000_EEPROM_WORDS)
        data = s->ee.word[addr];
    else
        NOTE(s, "EERD read of word 0x%02x past the 64-word EEPROM: FFFFh", addr);
    REG(s, E1000_EERD) = (uint32_t)data << E1000_EERD_DATA_SHIFT |
                         (uint32_t)addr << E1000_EERD_ADDR_SHIFT | E1000_EERD_DONE;
}

/* MDIC (section 13.4.7): the operation completes at once; READY set, ERROR
 * for any PHY address but the internal PHY's; MDAC if I is set. */
static void mdic_write(E1000 *s, uint32_t v)
{
    unsigned phy = (v >> E1000_MDIC_PHY_SHIFT) & 0x1F, r = (v >> E1000_MDIC_REG_SHIFT) & 0x1F;
    uint32_t op = v & (E1000_MDIC_OP_READ | E1000_MDIC_OP_WRITE);
    uint32_t out = v & ~(E1000_MDIC_R | E1000_MDIC_E);
    if (op != E1000_MDIC_OP_READ && op != E1000_MDIC_OP_WRITE) {
        NOTE(s, "MDIC opcode %u is reserved: ERROR", (v >> 26) & 3);
        out |= E1000_MDIC_E;
    } else if (phy != E1000_PHY_ADDR) {
        NOTE(s, "MDIC access to PHY address %u: no PHY there, ERROR", phy);
        out |= E1000_MDIC_E;
        if (op == E1000_MDIC_OP_READ)
            out |= E1000_MDIC_DATA;
    } else if (op == E1000_MDIC_OP_READ) {
        out = (out & ~E1000_MDIC_DATA) | phy_read(s, r);
    } else {
        phy_write(s, r, (uint16_t)v);
    }
    REG(s, E1000_MDIC) = out | E1000_MDIC_R;
    if (v & E1000_MDIC_I)
        raise_cause(s, E1000_ICR_MDAC);
}

/* ---- receive (section 3.2) ---- */

unsigned e1000_mta_hash(const uint8_t a[6], unsigned mo)
{
    /* section 13.5.2: MO selects destination address bits [47:36],
     * [46:35], [45:34] or [43:32] (bit 0 = first bit on the wire) */
    switch (mo & 3) {
    case 0:
        return (a[4] >> 4 | (unsigned)a[5] << 4) & 0xFFF;
    case 1:
        return (a[4] >> 3 | (unsigned)a[5] << 5) & 0xFFF;
    case 2:
        return (a[4] >> 2 | (unsigned)a[5] << 6) & 0xFFF;
    default:
        return (a[4] | (unsigned)a[5] << 8) & 0xFFF;
    }
}

static int ra_match(const E1000 *s, const uint8_t *d)
{
    for (unsigned i = 0; i < E1000_RA_ENTRIES; i++) {
        uint32_t lo = REG(s, E1000_RAL(i)), hi = REG(s, E1000_RAH(i));
        /* ASEL 00b: destination address */
        if (!(hi & E1000_RAH_AV) || (hi & E1000_RAH_ASEL))
            continue;
        if (get_le(d, 4) == lo && get_le(d + 4, 2) == (hi & 0xFFFF))
            return 1;
    }
    return 0;
}

/* Address filter (section 3.2.1, 13.4.22): 1 and PIF when only inexact
 * (hash or promiscuous unicast) filtering passed it; -1 to reject. */
static int rx_filter(E1000 *s, const uint8_t *d)
{
    uint32_t rctl = REG(s, E1000_RCTL);
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    if (ra_match(s, d))
        return 0;
    if (!(d[0] & 1))
        return (rctl & E1000_RCTL_UPE) ? 1 : -1;
    if (!memcmp(d, bcast, 6) && (rctl & E1000_RCTL_BAM))
        return 0;
    if (rctl & E1000_RCTL_MPE)
        return 0;
    unsigned h = e1000_mta_hash(d, (rctl & E1000_RCTL_MO) >> E1000_RCTL_MO_SHIFT);
    if ((REG(s, E1000_MTA + 4u * (h >> 5)) >> (h & 31)) & 1)
        return 1;
    return -1;
}

static unsigned rx_ring_size(const E1000 *s)
{
    return REG(s, E1000_RDLEN) / 16u;
}

static int rx_ring_ok(E1000 *s)
{
    unsigned n = rx_ring_size(s);
    if (!n)
        return 0;
    if (REG(s, E1000_RDH) >= n || REG(s, E1000_RDT) >= n) {
        NOTE(s, "RDH %u / RDT %u outside the %u-descriptor ring: receive stalls", REG(s, E1000_RDH),
             REG(s, E1000_RDT), n);
        return 0;
    }
    return 1;
}

/* Descriptors owned by hardware: from RDH up to (not including) RDT. */
static unsigned rx_free(const E1000 *s)
{
    unsigned n = rx_ring_size(s);
    return n ? (REG(s, E1000_RDT) + n - REG(s, E1000_RDH)) % n : 0;
}

/* RCTL.BSIZE/BSEX (section 13.4.22) */
static uint32_t rx_buf_size(E1000 *s)
{
    uint32_t rctl = REG(s, E1000_RCTL);
    unsigned bs = (rctl & E1000_RCTL_BSIZE) >> E1000_RCTL_BSIZE_SHIFT;
    if (!(rctl & E1000_RCTL_BSEX))
        return 2048u >> bs;
    if (!bs) {
        if (!(s->noted & NOTED_BSEX0)) {
            s->noted |= NOTED_BSEX0;
            NOTE(s, "RCTL BSEX with BSIZE 00b is reserved: 2048-byte buffers used");
        }
        return 2048u;
    }
    return 32768u >> bs;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

/* Receive checksum offload (section 3.2.9, 13.5.1): the packet checksum
 * from PCSS on, and IPv4 header / TCP / UDP checks with IPOFLD/TUOFLD. */
static void rx_checksums(E1000 *s, const uint8_t *p, size_t len, uint16_t *csum, uint8_t *status,
                         uint8_t *errors)
{
    uint32_t rxcsum = REG(s, E1000_RXCSUM);
    size_t pcss = rxcsum & E1000_RXCSUM_PCSS;
    *csum = pcss < len ? csum_fold(csum_add(0, p + pcss, len - pcss)) : 0;
    int checked = 0;
    if ((rxcsum & (E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD)) && len >= 34 && p[12] == 0x08 &&
        p[13] == 0x00 && (p[14] >> 4) == 4) {
        size_t ihl = (size_t)(p[14] & 0xF) * 4;
        size_t total = (size_t)p[16] << 8 | p[17];
        if (ihl >= 20 && 14 + ihl <= len && total >= ihl && 14 + total <= len) {
            if (rxcsum & E1000_RXCSUM_IPOFLD) {
                checked = 1;
                *status |= E1000_RXD_STAT_IPCS;
                if (csum_fold(csum_add(0, p + 14, ihl)) != 0xFFFF)
                    *errors |= E1000_RXD_ERR_IPE;
            }
            unsigned proto = p[23];
            int fragment = ((p[20] & 0x3F) | p[21]) != 0;
            const uint8_t *l4 = p + 14 + ihl;
            size_t l4len = total - ihl;
            int udp_nocsum = proto == 17 && l4len >= 8 && !l4[6] && !l4[7];
            if ((rxcsum & E1000_RXCSUM_TUOFLD) && !fragment && !udp_nocsum &&
                ((proto == 6 && l4len >= 20) || (proto == 17 && l4len >= 8))) {
                checked = 1;
                *status |= E1000_RXD_STAT_TCPCS;
                uint32_t sum = csum_add(0, p + 26, 8); /* source and destination */
                sum += proto + (uint32_t)l4len;
                if (csum_fold(csum_add(sum, l4, l4len)) != 0xFFFF)
                    *errors |= E1000_RXD_ERR_TCPE;
            }
        }
    }
    if (!checked)
        *status |= E1000_RXD_STAT_IXSM;
}

typedef enum RxStore { STORE_OK, STORE_NO_DESC, STORE_DMA_ERROR, STORE_TOO_BIG } RxStore;

/* Write one packet (with its FCS unless SECRC) into the descriptors from
 * RDH on: buffers first, then the write-back (section 3.2.3) with DD, and
 * EOP, status, errors, special and the checksum in the last one. */
static RxStore rx_store(E1000 *s, const uint8_t *p, size_t len, uint8_t status, uint8_t errors,
                        uint16_t special, uint16_t csum)
{
    if (!bus_master(s) || !rx_ring_ok(s))
        return STORE_NO_DESC;
    unsigned n = rx_ring_size(s);
    uint32_t bs = rx_buf_size(s);
    unsigned need = (unsigned)((len + bs - 1) / bs);
    if (need >= n) {
        /* more buffers than the ring can ever offer at once: the model
         * writes whole packets, so it drops this one */
        NOTE(s, "%zu-byte packet needs %u buffers of %u bytes, the ring has %u: dropped", len, need,
             bs, n);
        return STORE_TOO_BIG;
    }
    if (need > rx_free(s))
        return STORE_NO_DESC;
    uint64_t base = (uint64_t)REG(s, E1000_RDBAH) << 32 | REG(s, E1000_RDBAL);
    unsigned head = REG(s, E1000_RDH);
    uint8_t d[16];
    size_t off = 0;
    for (unsigned i = 0; i < need; i++) {
        unsigned idx = (head + i) % n;
        if (dma_read(s, "receive descriptor", base + 16u * idx, d, 16) < 0)
            return STORE_DMA_ERROR;
        size_t chunk = len - off < bs ? len - off : bs;
        if (dma_write(s, "receive buffer", get_le64(d), p + off, (uint32_t)chunk) < 0)
            return STORE_DMA_ERROR;
        off += chunk;
    }
    off = 0;
    for (unsigned i = 0; i < need; i++) {
        unsigned idx = (head + i) % n;
        int last = i + 1 == need;
        size_t chunk = len - off < bs ? len - off : bs;
        uint8_t wb[8];
        put_le(wb, 2, (uint32_t)chunk);
        put_le(wb + 2, 2, last ? csum : 0);
        wb[4] = (uint8_t)(E1000_RXD_STAT_DD | (last ? E1000_RXD_STAT_EOP | status : 0));
        wb[5] = last ? errors : 0;
        put_le(wb + 6, 2, last ? special : 0);
        if (dma_write(s, "receive descriptor write-back", base + 16u * idx + 8, wb, 8) < 0)
            return STORE_DMA_ERROR;
        off += chunk;
    }
    unsigned before = rx_free(s);
    REG(s, E1000_RDH) = (head + need) % n;
    /* RXDMT0 when the free descriptors fall to 1/2, 1/4 or 1/8 of the
     * ring (RCTL.RDMTS, section 13.4.22) */
    unsigned shift = ((REG(s, E1000_RCTL) & E1000_RCTL_RDMTS) >> E1000_RCTL_RDMTS_SHIFT) + 1;
    unsigned thresh = n >> (shift > 3 ? 3 : shift);
    if (before > thresh && rx_free(s) <= thresh)
        raise_cause(s, E1000_ICR_RXDMT0);
    s->stats.rx_stored++;
    rx_interrupt(s);
    return STORE_OK;
}

/* The receive FIFO: packets the ring cannot take yet wait here, up to the
 * receive share of the packet buffer (PBA.RXA KB, section 13.4.38). */
static size_t fifo_capacity(const E1000 *s)
{
    size_t kb = REG(s, E1000_PBA) & 0x3F;
    return kb * 1024u < RX_FIFO_MAX ? kb * 1024u : RX_FIFO_MAX;
}

static int fifo_push(E1000 *s, const uint8_t *p, size_t len, uint8_t status, uint8_t errors,
                     uint16_t special, uint16_t csum)
{
    if (s->fifo_used + RX_ENTRY_HDR + len > fifo_capacity(s))
        return -1;
    uint8_t *e = s->fifo + s->fifo_used;
    put_le(e, 2, (uint32_t)len);
    e[2] = status;
    e[3] = errors;
    put_le(e + 4, 2, special);
    put_le(e + 6, 2, csum);
    memcpy(e + RX_ENTRY_HDR, p, len);
    s->fifo_used += RX_ENTRY_HDR + len;
    s->fifo_frames++;
    return 0;
}

static void fifo_pop(E1000 *s)
{
    size_t n = RX_ENTRY_HDR + get_le(s->fifo, 2);
    memmove(s->fifo, s->fifo + n, s->fifo_used - n);
    s->fifo_used -= n;
    s->fifo_frames--;
}

/* Move waiting packets into the ring while it has room. A packet whose DMA
 * fails is dropped rather than retried. */
static void rx_drain(E1000 *s)
{
    while (s->fifo_frames) {
        const uint8_t *e = s->fifo;
        RxStore r = rx_store(s, e + RX_ENTRY_HDR, get_le(e, 2), e[2], e[3],
                             (uint16_t)get_le(e + 4, 2), (uint16_t)get_le(e + 6, 2));
        if (r == STORE_NO_DESC)
            return;
        fifo_pop(s);
    }
}

E1000RxResult e1000_receive(E1000 *s, const uint8_t *frame, size_t len)
{
    uint32_t rctl = REG(s, E1000_RCTL);
    if (!(rctl & E1000_RCTL_EN)) {
        s->stats.rx_disabled++;
        return E1000_RX_DISABLED;
    }
    if (!s->lu)
        return E1000_RX_LINK_DOWN;
    int bad_fcs = 0;
    if (s->armed & ARMED(DEV_COND_RX_CRC_ERROR)) {
        /* an injected bad FCS on the next frame the receiver takes in */
        s->armed &= ~ARMED(DEV_COND_RX_CRC_ERROR);
        s->stats.rx_crc_errors++;
        bad_fcs = 1;
        NOTE(s, "injected bad FCS on a %zu-byte frame: CRCERRS; stored with CE only if RCTL.SBP",
             len);
    }
    if (len < 14 || len > E1000_FRAME_MAX - 4) {
        s->stats.rx_bad_length++;
        NOTE(s, "received frame of %zu bytes dropped (14..%u)", len, E1000_FRAME_MAX - 4);
        return E1000_RX_BAD_LENGTH;
    }
    size_t size = len + 4; /* on the wire, with FCS */
    stat_inc(s, E1000_TPR, 1);
    stat_add64(s, E1000_TORL, size);
    if (size < 64 && !(rctl & E1000_RCTL_SBP)) {
        /* a runt (section 13.7: RUC), or with a bad CRC a fragment (RFC,
         * section 13.7.35) */
        stat_inc(s, bad_fcs ? E1000_RFC : E1000_RUC, 1);
        s->stats.rx_bad_length++;
        return E1000_RX_BAD_LENGTH;
    }
    if (size > ((rctl & E1000_RCTL_LPE) ? E1000_FRAME_MAX : 1522u)) {
        /* longer than 1522 bytes without RCTL.LPE (section 13.4.22): ROC,
         * or with a bad CRC RJC (section 13.7.37) */
        stat_inc(s, bad_fcs ? E1000_RJC : E1000_ROC, 1);
        s->stats.rx_bad_length++;
        return E1000_RX_BAD_LENGTH;
    }
    int pif = rx_filter(s, frame);
    if (pif < 0) {
        s->stats.rx_filtered++;
        return E1000_RX_FILTERED;
    }
    if (bad_fcs) {
        /* CRCERRS counts packets that passed address filtering and are 64
         * bytes or more (section 13.7.1); the packet is kept only with
         * RCTL.SBP (section 13.4.22), with CE in its descriptor's errors
         * (section 3.2.3.2, table 3-3). There is no interrupt cause for it
         * (section 13.4.17): a stored one raises RXT0 like any other. */
        if (size >= 64)
            stat_inc(s, E1000_CRCERRS, 1);
        if (!(rctl & E1000_RCTL_SBP))
            return E1000_RX_BAD_FCS;
    }
    uint8_t status = pif ? E1000_RXD_STAT_PIF : 0, errors = 0;
    uint16_t special = 0, csum = 0;
    const uint8_t *p = frame;
    size_t n = len;
    uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);
    if (type == (REG(s, E1000_VET) & 0xFFFF) && len >= 18) {
        uint16_t tci = (uint16_t)(frame[14] << 8 | frame[15]);
        /* VLAN filter (section 3.2.1.1 / 13.5.4): VFTA bit of the VID */
        if (REG(s, E1000_RCTL) & E1000_RCTL_VFE) {
            unsigned vid = tci & 0xFFF;
            if (!((REG(s, E1000_VFTA + 4u * (vid >> 5)) >> (vid & 31)) & 1)) {
                s->stats.rx_filtered++;
                return E1000_RX_FILTERED;
            }
            if ((rctl & E1000_RCTL_CFIEN) && !(s->noted & NOTED_CFIEN)) {
                s->noted |= NOTED_CFIEN;
                NOTE(s, "FIXME: RCTL.CFIEN (canonical form check) not modelled");
            }
        }
        if (REG(s, E1000_CTRL) & E1000_CTRL_VME) {
            /* the tag is stripped into the descriptor's special field */
            memcpy(s->rxbuf, frame, 12);
            memcpy(s->rxbuf + 12, frame + 16, len - 16);
            n = len - 4;
            p = s->rxbuf;
            status |= E1000_RXD_STAT_VP;
            special = tci;
        }
    }
    if (p != s->rxbuf)
        memcpy(s->rxbuf, p, n);
    rx_checksums(s, s->rxbuf, n, &csum, &status, &errors);
    if (bad_fcs)
        errors |= E1000_RXD_ERR_CE;
    if (!(rctl & E1000_RCTL_SECRC)) {
        uint32_t fcs = eth_fcs(s->rxbuf, n);
        put_le(s->rxbuf + n, 4, bad_fcs ? ~fcs : fcs); /* stored as it arrived */
        n += 4;
    }

    /* statistics of a good packet (section 13.7): octets with FCS */
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    int queued = 1;
    rx_drain(s); /* packets already waiting go first */
    if (!s->fifo_frames) {
        RxStore r = rx_store(s, s->rxbuf, n, status, errors, special, csum);
        if (r == STORE_DMA_ERROR)
            return E1000_RX_DMA_ERROR;
        if (r == STORE_TOO_BIG) {
            stat_inc(s, E1000_MPC, 1);
            s->stats.rx_missed++;
            return E1000_RX_MISSED;
        }
        queued = r == STORE_NO_DESC;
    }
    if (queued) {
        if (fifo_push(s, s->rxbuf, n, status, errors, special, csum) < 0) {
            /* the FIFO overflows: a missed packet (section 13.7 MPC), RXO */
            stat_inc(s, E1000_MPC, 1);
            s->stats.rx_missed++;
            NOTE(s, "receive FIFO full (%zu bytes waiting): frame missed, RXO", s->fifo_used);
            raise_cause(s, E1000_ICR_RXO);
            return E1000_RX_MISSED;
        }
        stat_inc(s, E1000_RNBC, 1);
        s->stats.rx_queued++;
        if (!bus_master(s)) {
            s->stats.bme_held++;
            NOTE(s, "bus mastering disabled (PCI command bit 2 clear): frame held in the FIFO");
        }
    }
    if (!bad_fcs) {
        /* GPRC, GORC, BPRC, MPRC and PRC64-1522 count good packets only
         * (section 13.7) */
        stat_inc(s, E1000_GPRC, 1);
        stat_add64(s, E1000_GORCL, size);
        if (!memcmp(frame, bcast, 6))
            stat_inc(s, E1000_BPRC, 1);
        else if (frame[0] & 1)
            stat_inc(s, E1000_MPRC, 1);
        stat_size_bin(s, E1000_PRC64, size);
    }
    irq_update(s);
    return queued ? E1000_RX_QUEUED : E1000_RX_STORED;
}

/* ---- transmit (section 3.3) ---- */

static void tx_reset_packet(E1000 *s)
{
    s->txlen = 0;
    s->tx_started = s->tx_bad = s->tx_ext = s->tx_tse = 0;
    s->tx_popts = 0;
}

/* Insert the ones' complement of the ones' complement sum of [start, end]
 * (inclusive) at off, big-endian as on the wire. 0 if out of the packet. */
static int insert_csum(uint8_t *p, size_t len, size_t start, size_t end, size_t off)
{
    if (start > end || end >= len || off + 1 >= len)
        return -1;
    uint16_t c = (uint16_t)~csum_fold(csum_add(0, p + start, end - start + 1));
    p[off] = (uint8_t)(c >> 8);
    p[off + 1] = (uint8_t)c;
    return 0;
}

/* Put one frame on the cable: VLAN tag, FCS rule, padding, statistics
 * (section 3.3.3.1, 13.4.33). p has room for 4 more bytes, and for the
 * padding. */
static void tx_emit(E1000 *s, uint8_t *p, size_t len, uint8_t cmd, uint16_t special)
{
    if ((cmd & E1000_TXD_CMD_VLE) && (REG(s, E1000_CTRL) & E1000_CTRL_VME) && len >= 12) {
        /* VLE: VET and the special field after the addresses */
        memmove(p + 16, p + 12, len - 12);
        p[12] = (uint8_t)(REG(s, E1000_VET) >> 8);
        p[13] = (uint8_t)REG(s, E1000_VET);
        p[14] = (uint8_t)(special >> 8);
        p[15] = (uint8_t)special;
        len += 4;
    }
    if (!(cmd & E1000_TXD_CMD_IFCS)) {
        /* without IFCS the buffers must carry the FCS; the cable carries
         * frames without it, so a right one is stripped, a wrong one lost */
        if (len < 18 || get_le(p + len - 4, 4) != eth_fcs(p, len - 4)) {
            NOTE(s,
                 "%zu-byte packet without IFCS and without a valid FCS of its own: "
                 "the peer would drop it",
                 len);
            s->stats.tx_dropped++;
            return;
        }
        len -= 4;
    }
    if (len < 60) {
        if (REG(s, E1000_TCTL) & E1000_TCTL_PSP) {
            memset(p + len, 0, 60 - len);
            len = 60;
        } else {
            NOTE(s, "%zu-byte packet sent without TCTL.PSP: a runt on the wire", len);
        }
    }
    if ((s->armed & ARMED(DEV_COND_TX_ERROR)) && s->lu && !full_duplex(s)) {
        /* Injected excessive collisions (half duplex only): all TCTL.CT + 1
         * attempts collided, the packet "was not transmitted" (section
         * 3.3.3.2 STA.EC). COLC counts the collisions, ECOL the packet once
         * 16 or more occurred (13.7.7, 13.7.10); partial transmissions are
         * not counted as transmitted (13.7.42). */
        unsigned attempts = ((REG(s, E1000_TCTL) & E1000_TCTL_CT) >> E1000_TCTL_CT_SHIFT) + 1;
        s->armed &= ~ARMED(DEV_COND_TX_ERROR);
        s->tx_sta |= E1000_TXD_STAT_EC;
        stat_inc(s, E1000_COLC, attempts);
        if (attempts >= 16)
            stat_inc(s, E1000_ECOL, 1);
        s->stats.tx_errors++;
        NOTE(s, "injected excessive collisions: %zu-byte packet dropped after %u attempts, STA.EC",
             len, attempts);
        return;
    }
    size_t size = len + 4;
    stat_inc(s, E1000_GPTC, 1);
    stat_inc(s, E1000_TPT, 1);
    stat_add64(s, E1000_GOTCL, size);
    stat_add64(s, E1000_TOTL, size);
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    if (len >= 6 && !memcmp(p, bcast, 6))
        stat_inc(s, E1000_BPTC, 1);
    else if (len >= 6 && (p[0] & 1))
        stat_inc(s, E1000_MPTC, 1);
    stat_size_bin(s, E1000_PTC64, size);
    if (!s->lu)
        s->stats.tx_no_link++;
    else if (s->port.send)
        s->port.send(s->port.opaque, p, len);
    s->stats.tx_sent++;
}

static void put_be(uint8_t *p, unsigned n, uint32_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint32_t get_be(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* TCP segmentation (section 3.5): the header (HDRLEN bytes) is repeated
 * before every MSS bytes of payload; per segment the IPv4 total length and
 * identification (or the IPv6 payload length), the TCP sequence number
 * (FIN and PSH only in the last) or the UDP length are rewritten, and the
 * checksums asked for are computed, the L4 one over a field the driver
 * primed with the pseudo-header sum without the length. */
static void tx_tso(E1000 *s)
{
    const TxContext *c = &s->ctx;
    const uint8_t *p = s->tx;
    size_t len = s->txlen, hdr = c->hdrlen, mss = c->mss;
    int ipv4 = !!(c->tucmd & E1000_TXD_TUCMD_IP), tcp = !!(c->tucmd & E1000_TXD_TUCMD_TCP);
    if (!(c->tucmd & E1000_TXD_CMD_TSE) || !hdr || hdr > len || !mss ||
        hdr + mss > E1000_FRAME_MAX - 8 || (size_t)c->ipcss + (ipv4 ? 20 : 40) > hdr ||
        (size_t)c->tucss + (tcp ? 20 : 8) > hdr || c->tucss < c->ipcss) {
        NOTE(s,
             "TSE packet with context TSE %u HDRLEN %zu MSS %zu IPCSS %u TUCSS %u (%zu bytes): "
             "not segmentable, dropped",
             !!(c->tucmd & E1000_TXD_CMD_TSE), hdr, mss, c->ipcss, c->tucss, len);
        stat_inc(s, E1000_TSCTFC, 1);
        s->stats.tx_dropped++;
        return;
    }
    size_t payload = len - hdr;
    if (payload != c->paylen) {
        /* section 3.3.7.1: counted in TSCTFC, segmented as the data came */
        NOTE(s, "TSE: %zu payload bytes, the context said PAYLEN %u", payload, c->paylen);
        stat_inc(s, E1000_TSCTFC, 1);
    }
    uint32_t ipid = get_be(p + c->ipcss + 4, 2), seq = tcp ? get_be(p + c->tucss + 4, 4) : 0;
    size_t off = 0;
    unsigned k = 0;
    do {
        size_t n = payload - off < mss ? payload - off : mss;
        int last = off + n >= payload;
        uint8_t *q = s->seg;
        memcpy(q, p, hdr);
        memcpy(q + hdr, p + hdr + off, n);
        size_t slen = hdr + n;
        if (ipv4) {
            put_be(q + c->ipcss + 2, 2, (uint32_t)(slen - c->ipcss));
            put_be(q + c->ipcss + 4, 2, (ipid + k) & 0xFFFF);
        } else {
            put_be(q + c->ipcss + 4, 2, (uint32_t)(slen - c->ipcss - 40));
        }
        if (tcp) {
            put_be(q + c->tucss + 4, 4, seq + (uint32_t)off);
            if (!last)
                q[c->tucss + 13] &= (uint8_t)~0x09; /* FIN, PSH */
        } else {
            put_be(q + c->tucss + 4, 2, (uint32_t)(slen - c->tucss));
        }
        if ((s->tx_popts & E1000_TXD_POPTS_IXSM) && ipv4 &&
            insert_csum(q, slen, c->ipcss, c->ipcse ? c->ipcse : hdr - 1, c->ipcso) < 0)
            NOTE(s, "TSE IXSM: IPCSS %u / IPCSE %u / IPCSO %u outside the segment", c->ipcss,
                 c->ipcse, c->ipcso);
        if ((s->tx_popts & E1000_TXD_POPTS_TXSM) && (size_t)c->tucso + 1 < hdr) {
            uint32_t sum = csum_add(0, q + c->tucss, slen - c->tucss) + (uint32_t)(slen - c->tucss);
            uint16_t v = (uint16_t)~csum_fold(sum);
            put_be(q + c->tucso, 2, v);
        }
        tx_emit(s, q, slen, s->tx_first_cmd, s->tx_first_special);
        off += n;
        k++;
    } while (off < payload);
    stat_inc(s, E1000_TSCTC, 1);
    s->stats.tx_tso_contexts++;
}

/* The packet is complete (EOP): checksums, then the cable. Returns the
 * STA error bits for the EOP descriptor's write-back. */
static uint8_t tx_finish(E1000 *s, uint8_t cmd, uint8_t css, uint8_t cso, uint16_t special)
{
    uint8_t *p = s->tx;
    size_t len = s->txlen;
    s->tx_sta = 0;
    if (s->tx_bad) {
        s->stats.tx_dropped++;
        tx_reset_packet(s);
        return 0;
    }
    if (s->tx_tse) {
        tx_tso(s);
        tx_reset_packet(s);
        return s->tx_sta;
    }
    if (!s->tx_ext && (cmd & E1000_TXD_CMD_IC)) {
        /* legacy checksum (section 3.3.3.1): from CSS to the end, at CSO;
         * ignored when CSS >= length or CSO >= length - 1 */
        if (css >= len || (size_t)cso + 1 >= len || insert_csum(p, len, css, len - 1, cso) < 0)
            NOTE(s, "legacy IC with CSS %u / CSO %u outside the %zu-byte packet: ignored", css, cso,
                 len);
    }
    if (s->tx_ext) {
        /* context checksums (section 3.3.6): IPCSE/TUCSE 0 = to the end */
        const TxContext *c = &s->ctx;
        if (s->tx_popts & E1000_TXD_POPTS_IXSM) {
            size_t end = c->ipcse ? c->ipcse : len - 1;
            if (insert_csum(p, len, c->ipcss, end, c->ipcso) < 0)
                NOTE(s, "IXSM: IPCSS %u / IPCSE %u / IPCSO %u outside the %zu-byte packet",
                     c->ipcss, c->ipcse, c->ipcso, len);
        }
        if (s->tx_popts & E1000_TXD_POPTS_TXSM) {
            size_t end = c->tucse ? c->tucse : len - 1;
            if (insert_csum(p, len, c->tucss, end, c->tucso) < 0)
                NOTE(s, "TXSM: TUCSS %u / TUCSE %u / TUCSO %u outside the %zu-byte packet",
                     c->tucss, c->tucse, c->tucso, len);
        }
    }
    tx_emit(s, p, len, cmd, special);
    tx_reset_packet(s);
    return s->tx_sta;
}

static void tx_append(E1000 *s, uint64_t addr, uint32_t len)
{
    s->tx_started = 1;
    if (!len || !addr || s->tx_bad)
        return; /* null address or zero length: no data (section 3.3.3) */
    size_t max = s->tx_tse ? TX_TSO_MAX : E1000_FRAME_MAX;
    if (s->txlen + len > max) {
        NOTE(s, "transmit packet longer than %zu bytes: dropped", max);
        s->tx_bad = 1;
        return;
    }
    if (dma_read(s, "transmit buffer", addr, s->tx + s->txlen, len) < 0) {
        s->tx_bad = 1;
        return;
    }
    s->txlen += len;
}

/* Status write-back of a descriptor with RS: DD and the error bits in the
 * STA nibble (section 3.3.3.2). */
static void tx_writeback(E1000 *s, uint64_t daddr, uint8_t sta_byte, uint8_t errors, int ide)
{
    uint8_t b = (uint8_t)((sta_byte & 0xF0) | (errors & 0x0E) | E1000_TXD_STAT_DD);
    if (dma_write(s, "transmit descriptor write-back", daddr + 12, &b, 1) == 0)
        tx_interrupt(s, ide);
}

static void tx_descriptor(E1000 *s, uint64_t daddr, const uint8_t *d)
{
    uint64_t lo = get_le64(d);
    uint32_t cmdlen = get_le(d + 8, 4);
    uint8_t cmd = (uint8_t)(cmdlen >> 24);
    if (!(cmd & E1000_TXD_CMD_DEXT)) {
        /* legacy (section 3.3.3): length, CSO, CMD, STA, CSS, special */
        if (s->tx_started && s->tx_ext)
            NOTE(s, "legacy descriptor inside an extended packet: continued as legacy");
        s->tx_ext = 0;
        tx_append(s, lo, cmdlen & 0xFFFF);
        uint8_t errors = 0;
        if (cmd & E1000_TXD_CMD_EOP)
            errors = tx_finish(s, cmd, d[13], d[10], (uint16_t)get_le(d + 14, 2));
        if (cmd & E1000_TXD_CMD_RS)
            tx_writeback(s, daddr, d[12], errors, !!(cmd & E1000_TXD_CMD_IDE));
        return;
    }
    unsigned dtyp = (cmdlen >> 20) & 0xF;
    if (dtyp == E1000_TXD_DTYP_CONTEXT) {
        /* context (section 3.3.6): IPCSS, IPCSO, IPCSE, TUCSS, TUCSO,
         * TUCSE, PAYLEN, TUCMD, HDRLEN, MSS */
        TxContext *c = &s->ctx;
        c->ipcss = d[0];
        c->ipcso = d[1];
        c->ipcse = (uint16_t)get_le(d + 2, 2);
        c->tucss = d[4];
        c->tucso = d[5];
        c->tucse = (uint16_t)get_le(d + 6, 2);
        c->paylen = cmdlen & 0xFFFFF;
        c->tucmd = cmd;
        c->hdrlen = d[13];
        c->mss = (uint16_t)get_le(d + 14, 2);
        if (cmd & E1000_TXD_CMD_RS)
            tx_writeback(s, daddr, d[12], 0, !!(cmd & E1000_TXD_CMD_IDE));
        return;
    }
    if (dtyp != E1000_TXD_DTYP_DATA) {
        NOTE(s, "transmit descriptor with reserved DTYP %u skipped", dtyp);
        if (cmd & E1000_TXD_CMD_RS)
            tx_writeback(s, daddr, d[12], 0, !!(cmd & E1000_TXD_CMD_IDE));
        return;
    }
    /* data (section 3.3.7): DTALEN, DCMD, STA, POPTS (first descriptor),
     * special (last) */
    if (!s->tx_started) {
        /* POPTS, and for TSE also VLE/IFCS/special, come from the first */
        s->tx_popts = d[13];
        s->tx_tse = !!(cmd & E1000_TXD_CMD_TSE);
        s->tx_first_cmd = cmd;
        s->tx_first_special = (uint16_t)get_le(d + 14, 2);
    }
    s->tx_ext = 1;
    tx_append(s, lo, cmdlen & 0xFFFFF);
    uint8_t errors = 0;
    if (cmd & E1000_TXD_CMD_EOP)
        errors = tx_finish(s, cmd, 0, 0, (uint16_t)get_le(d + 14, 2));
    if (cmd & E1000_TXD_CMD_RS)
        tx_writeback(s, daddr, d[12], errors, !!(cmd & E1000_TXD_CMD_IDE));
}

/* Process descriptors from TDH up to TDT (section 3.4). Held, not failed,
 * while TCTL.EN or PCI bus mastering is off. */
static void tx_kick(E1000 *s)
{
    if (!(REG(s, E1000_TCTL) & E1000_TCTL_EN))
        return;
    unsigned n = REG(s, E1000_TDLEN) / 16u, head = REG(s, E1000_TDH), tail = REG(s, E1000_TDT);
    if (head == tail)
        return;
    if (!bus_master(s)) {
        s->stats.bme_held++;
        NOTE(s, "bus mastering disabled (PCI command bit 2 clear): transmit TDH %u..TDT %u held",
             head, tail);
        return;
    }
    if (!n || head >= n || tail >= n) {
        NOTE(s, "TDH %u / TDT %u outside the %u-descriptor ring: transmit stalls", head, tail, n);
        return;
    }
    uint64_t base = (uint64_t)REG(s, E1000_TDBAH) << 32 | REG(s, E1000_TDBAL);
    for (unsigned i = 0; i < n && head != tail; i++) {
        uint8_t d[16];
        uint64_t daddr = base + 16u * head;
        if (dma_read(s, "transmit descriptor", daddr, d, 16) < 0)
            return;
        tx_descriptor(s, daddr, d);
        head = (head + 1) % n;
        REG(s, E1000_TDH) = head;
        /* a register write from inside (a reset by a timer) may move on */
        tail = REG(s, E1000_TDT);
    }
    if (head == tail)
        raise_cause(s, E1000_ICR_TXQE);
}

/* ---- resets ---- */

static void cancel_timers(E1000 *s)
{
    if (!s->clock)
        return;
    dev_timer_cancel(s->clock, &s->itr_timer);
    dev_timer_cancel(s->clock, &s->rdtr_timer);
    dev_timer_cancel(s->clock, &s->radv_timer);
    dev_timer_cancel(s->clock, &s->tidv_timer);
    dev_timer_cancel(s->clock, &s->tadv_timer);
}

/* The MAC's registers, FIFO and engines to their reset state, then (with
 * `load`) the EEPROM auto-load; the PHY and PCI configuration are not
 * touched. */
static void mac_reset_regs(E1000 *s, int load)
{
    cancel_timers(s);
    memset(s->reg, 0, sizeof s->reg);
    for (unsigned i = 0; i < e1000_nregs; i++)
        s->reg[e1000_regs[i].offset >> 2] = e1000_regs[i].reset;
    REG(s, E1000_CTRL) = 0;
    eeprom93c46_set_pins(&s->ee, 0, 0, 0);
    if (load)
        ee_autoload(s);
    memset(&s->ctx, 0, sizeof s->ctx);
    tx_reset_packet(s);
    s->fifo_used = 0;
    s->fifo_frames = 0;
    s->ioaddr = 0;
    s->asserted = 0;
    s->lu = mac_link(s);
    s->reset_hung = 0;
    set_level(s, 0);
}

static void mac_reset(E1000 *s)
{
    mac_reset_regs(s, 1);
}

/* CTRL.RST with DEV_COND_RESET_HANG armed: RST is "self-clearing" once the
 * reset is done (section 13.4.1), and here it is not. The registers and
 * engines are at their reset values, but the EEPROM auto-load that ends a
 * reset (section 5.6) never runs: RAL0/RAH0 stay 0, the chip keeps the
 * EEPROM (EECD.EE_GNT never set, EERD never DONE) and CTRL reads RST alone
 * (SLU clear: no link, no LSC). reg_write refuses everything but a CTRL
 * write with RST, which restarts the reset and completes it. */
static void hang_reset(E1000 *s)
{
    s->armed &= ~ARMED(DEV_COND_RESET_HANG);
    mac_reset_regs(s, 0);
    REG(s, E1000_CTRL) = E1000_CTRL_RST;
    s->reset_hung = 1;
    s->stats.reset_hangs++;
    NOTE(s, "injected reset hang: CTRL.RST stays 1, no EEPROM auto-load, writes ignored");
}

void e1000_reset(E1000 *s)
{
    pci_device_reset(&s->pci);
    pci_load_ids(s);
    phy_reset(s);
    s->noted = 0;
    mac_reset(s);
}

static void ctrl_write(E1000 *s, uint32_t v)
{
    if (v & E1000_CTRL_RST) {
        /* section 13.4.1 RST: everything but PCI configuration and the
         * PHY, the EEPROM read again; self-clearing */
        if (!s->reset_hung && (s->armed & ARMED(DEV_COND_RESET_HANG))) {
            hang_reset(s);
            return;
        }
        NOTE(s, "CTRL.RST: device reset%s", s->reset_hung ? " (the hung one is over)" : "");
        mac_reset(s);
        link_update(s);
        return;
    }
    uint32_t old = REG(s, E1000_CTRL);
    REG(s, E1000_CTRL) = v;
    if ((v & E1000_CTRL_PHY_RST) && !(old & E1000_CTRL_PHY_RST))
        phy_reset(s); /* the PHY is held in reset while the bit is set */
    if ((v & E1000_CTRL_BEM) && !(s->noted & NOTED_BEM)) {
        s->noted |= NOTED_BEM;
        NOTE(s, "FIXME: CTRL.BEM (big-endian mode) not modelled: DMA stays little-endian");
    }
    if ((v & (E1000_CTRL_RFCE | E1000_CTRL_TFCE)) && !(s->noted & NOTED_FLOW)) {
        s->noted |= NOTED_FLOW;
        NOTE(s, "FIXME: flow control (CTRL.RFCE/TFCE) not modelled: no PAUSE frames");
    }
    link_update(s);
}

/* ---- the memory space ---- */

static uint32_t reg_read(E1000 *s, uint32_t off)
{
    int row = reg_row(off);
    if (row < 0) {
        if (reg_array(off))
            return s->reg[off >> 2];
        s->stats.unmodelled++;
        NOTE(s, "read of unmodelled register 0x%05x: all-ones", off);
        return 0xFFFFFFFFu;
    }
    const RegDesc *r = &e1000_regs[row];
    uint32_t v;
    switch (off) {
    case E1000_STATUS:
        return status_value(s);
    case E1000_EECD:
        return eecd_read(s);
    case E1000_ICR:
        /* section 13.4.17: a read returns the causes and clears them */
        v = REG(s, E1000_ICR);
        REG(s, E1000_ICR) = 0;
        irq_update(s);
        return v;
    case E1000_GORCL:
    case E1000_GOTCL:
    case E1000_TORL:
    case E1000_TOTL:
        /* 64-bit counters: the high half's read clears both */
        return s->reg[off >> 2];
    case E1000_GORCH:
    case E1000_GOTCH:
    case E1000_TORH:
    case E1000_TOTH:
        v = s->reg[off >> 2];
        s->reg[off >> 2] = 0;
        s->reg[(off - 4) >> 2] = 0;
        return v;
    }
    if (r->access == REG_WO) {
        NOTE(s, "read of write-only %s: all-ones", r->name);
        return 0xFFFFFFFFu;
    }
    v = s->reg[off >> 2];
    if (r->access == REG_RC)
        s->reg[off >> 2] = 0;
    return v;
}

static void reg_write(E1000 *s, uint32_t off, uint32_t v)
{
    int row = reg_row(off);
    if (row < 0) {
        if (reg_array(off) && s->reset_hung) {
            s->stats.ignored++;
            NOTE(s, "write 0x%08x to 0x%05x during the hung CTRL.RST ignored", v, off);
            return;
        }
        if (reg_array(off)) {
            s->reg[off >> 2] = v;
            return;
        }
        s->stats.unmodelled++;
        NOTE(s, "write 0x%08x to unmodelled register 0x%05x ignored", v, off);
        return;
    }
    const RegDesc *r = &e1000_regs[row];
    uint32_t wm = e1000_wmask[row];
    if (s->reset_hung && off != E1000_EECD && off != E1000_EERD &&
        !(off == E1000_CTRL && (v & E1000_CTRL_RST))) {
        /* the device is stuck in its reset: only a new CTRL.RST reaches it
         * (EECD and EERD take writes that the EEPROM never answers) */
        s->stats.ignored++;
        NOTE(s, "write 0x%08x to %s during the hung CTRL.RST ignored", v, r->name);
        return;
    }
    if (r->access == REG_RO || (r->access == REG_RC && off != E1000_ICR)) {
        s->stats.ignored++;
        NOTE(s, "write 0x%08x to read-only %s ignored", v, r->name);
        return;
    }
    switch (off) {
    case E1000_CTRL:
        ctrl_write(s, v);
        return;
    case E1000_EECD:
        eecd_write(s, v, wm);
        return;
    case E1000_EERD:
        eerd_write(s, v);
        return;
    case E1000_CTRL_EXT:
        REG(s, off) = v & ~(E1000_CTRL_EXT_EE_RST | E1000_CTRL_EXT_ASDCHK);
        if (v & E1000_CTRL_EXT_EE_RST) {
            NOTE(s, "CTRL_EXT.EE_RST: EEPROM read again");
            ee_autoload(s);
        }
        return;
    case E1000_MDIC:
        mdic_write(s, v);
        return;
    case E1000_ICR:
        REG(s, off) &= ~v; /* write 1 to clear */
        irq_update(s);
        return;
    case E1000_ICS:
        raise_cause(s, v & wm);
        return;
    case E1000_IMS:
        REG(s, off) |= v & wm;
        irq_update(s);
        return;
    case E1000_IMC:
        REG(s, E1000_IMS) &= ~v;
        irq_update(s);
        return;
    case E1000_WUS:
        REG(s, off) &= ~(v & wm);
        return;
    }
    REG(s, off) = (REG(s, off) & ~wm) | (v & wm);
    switch (off) {
    case E1000_ITR:
        irq_update(s);
        break;
    case E1000_RCTL:
        if ((v & E1000_RCTL_LBM) && !(s->noted & NOTED_LOOPBACK)) {
            s->noted |= NOTED_LOOPBACK;
            NOTE(s, "FIXME: RCTL.LBM loopback not modelled: frames still go to the cable");
        }
        rx_drain(s);
        break;
    case E1000_RDTR:
        if ((v & E1000_RDTR_FPD) && s->clock &&
            (s->rdtr_timer.deadline != UINT64_MAX || s->radv_timer.deadline != UINT64_MAX))
            rx_delay_fire(s); /* flush partial descriptor block: interrupt now */
        break;
    case E1000_TIDV:
        if ((v & E1000_RDTR_FPD) && s->clock &&
            (s->tidv_timer.deadline != UINT64_MAX || s->tadv_timer.deadline != UINT64_MAX))
            tx_delay_fire(s);
        break;
    case E1000_RDT:
    case E1000_RDLEN:
    case E1000_PBA:
        rx_drain(s);
        break;
    case E1000_TDT:
    case E1000_TCTL:
        tx_kick(s);
        break;
    default:
        if (off >= E1000_RAH0 && off < E1000_RAH0 + 8u * E1000_RA_ENTRIES &&
            ((off - E1000_RAH0) & 7) == 0 && (v & E1000_RAH_ASEL) && !(s->noted & NOTED_ASEL)) {
            s->noted |= NOTED_ASEL;
            NOTE(s, "FIXME: RAH ASEL (source address match) not modelled: entry never matches");
        }
        break;
    }
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static uint32_t e1000_mmio_read(void *opaque, uint32_t off, unsigned size)
{
    E1000 *s = opaque;
    if ((size != 1 && size != 2 && size != 4) || off >= E1000_MMIO_SIZE ||
        size > E1000_MMIO_SIZE - off || (off & 3) + size > 4) {
        s->stats.unmodelled++;
        NOTE(s, "read 0x%x/%u outside the register space or across a dword: all-ones", off, size);
        return size_mask(size);
    }
    /* a narrow read sees part of the dword (and its read side effects) */
    return (reg_read(s, off & ~3u) >> (8 * (off & 3))) & size_mask(size);
}

static void e1000_mmio_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    E1000 *s = opaque;
    if (off >= E1000_MMIO_SIZE || size > E1000_MMIO_SIZE - off) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%x to 0x%x/%u outside the register space ignored", v, off, size);
        return;
    }
    if (size != 4 || (off & 3)) {
        /* section 13: registers are written as whole dwords */
        s->stats.ignored++;
        NOTE(s, "%u-byte write 0x%x at 0x%05x: registers take 32-bit writes, ignored", size, v,
             off);
        return;
    }
    reg_write(s, off, v);
}

/* DevIoOps.reg_name for the memory space: the register of the dword the
 * access falls in (arrays by their base name, "MTA", "VFTA"); NULL across
 * a dword or outside the space. The map does not depend on state. */
static const char *e1000_mmio_reg_name(void *opaque, uint32_t off, unsigned size, int write)
{
    if (size == 0 || off >= E1000_MMIO_SIZE || size > E1000_MMIO_SIZE - off || (off & 3) + size > 4)
        return NULL;
    return e1000_reg_name(off & ~3u);
}

const DevIoOps e1000_mmio_ops = {
    .read = e1000_mmio_read,
    .write = e1000_mmio_write,
    .reg_name = e1000_mmio_reg_name,
};

/* ---- the I/O window (section 13.2.2) ---- */

static uint32_t e1000_io_read(void *opaque, uint32_t off, unsigned size)
{
    E1000 *s = opaque;
    if ((size != 1 && size != 2 && size != 4) || off >= E1000_IO_SIZE ||
        size > E1000_IO_SIZE - off || (off & 3) + size > 4) {
        s->stats.unmodelled++;
        NOTE(s, "I/O read 0x%x/%u outside IOADDR/IODATA: all-ones", off, size);
        return size_mask(size);
    }
    uint32_t v;
    if (off < E1000_IODATA) {
        v = s->ioaddr;
    } else if (s->ioaddr >= E1000_MMIO_SIZE || (s->ioaddr & 3)) {
        /* 0x20000 up: flash (not modelled); unaligned: undefined */
        NOTE(s, "IODATA read with IOADDR 0x%05x: no register there, all-ones", s->ioaddr);
        v = 0xFFFFFFFFu;
    } else {
        v = reg_read(s, s->ioaddr);
    }
    return (v >> (8 * (off & 3))) & size_mask(size);
}

static void e1000_io_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    E1000 *s = opaque;
    if (off >= E1000_IO_SIZE || size > E1000_IO_SIZE - off) {
        s->stats.unmodelled++;
        NOTE(s, "I/O write 0x%x to 0x%x/%u outside IOADDR/IODATA ignored", v, off, size);
        return;
    }
    if (size != 4 || (off & 3)) {
        /* section 13.2.2.1: writes narrower than 32 bits are ignored */
        s->stats.ignored++;
        NOTE(s, "%u-byte I/O write 0x%x at %u ignored (IOADDR/IODATA take 32-bit writes)", size, v,
             off);
        return;
    }
    if (off == E1000_IOADDR) {
        s->ioaddr = v & 0x000FFFFFu; /* bits 31:20 read as 0 */
        return;
    }
    if (s->ioaddr >= E1000_MMIO_SIZE || (s->ioaddr & 3)) {
        NOTE(s, "IODATA write 0x%x with IOADDR 0x%05x: no register there, ignored", v, s->ioaddr);
        return;
    }
    reg_write(s, s->ioaddr, v);
}

/* DevIoOps.reg_name for the I/O window: IOADDR, or for IODATA the register
 * IOADDR selects now (NULL when it selects none). No side effects. */
static const char *e1000_io_reg_name(void *opaque, uint32_t off, unsigned size, int write)
{
    const E1000 *s = opaque;
    if (size == 0 || off >= E1000_IO_SIZE || size > E1000_IO_SIZE - off || (off & 3) + size > 4)
        return NULL;
    if (off < E1000_IODATA)
        return "IOADDR";
    if (s->ioaddr >= E1000_MMIO_SIZE || (s->ioaddr & 3))
        return NULL;
    return e1000_reg_name(s->ioaddr);
}

const DevIoOps e1000_io_ops = {
    .read = e1000_io_read,
    .write = e1000_io_write,
    .reg_name = e1000_io_reg_name,
};

/* ---- injected conditions ---- */

int e1000_inject(E1000 *s, DevCondition c)
{
    switch (c) {
    case DEV_COND_TX_ERROR:
        /* STA.EC "has no meaning while working in full-duplex mode" and
         * ECOL/COLC only count in half duplex (sections 3.3.3.2, 13.7) */
        if (full_duplex(s)) {
            NOTE(s, "excessive collisions refused: the MAC is in full duplex");
            return -1;
        }
        s->armed |= ARMED(c);
        NOTE(s, "excessive collisions armed for the next transmitted packet");
        return 0;
    case DEV_COND_TX_UNDERRUN:
        /* STA.TU is 82544GC/EI only ("reserved ... for all Ethernet
         * controllers except the 82544GC/EI", section 3.3.3.2): the
         * 82540EM has no early transmit and no underrun to report */
        NOTE(s, "transmit underrun refused: the 82540EM has no TU status");
        return -1;
    case DEV_COND_RX_CRC_ERROR:
        /* CRCERRS and, with RCTL.SBP, RDESC.ERRORS.CE: in any duplex */
        s->armed |= ARMED(c);
        NOTE(s, "bad FCS armed for the next received packet");
        return 0;
    case DEV_COND_RESET_HANG:
        /* CTRL.RST never self-clears (section 13.4.1) */
        s->armed |= ARMED(c);
        NOTE(s, "reset hang armed for the next CTRL.RST");
        return 0;
    }
    return -1;
}

/* ---- PCI ---- */

/* Bus mastering is a gate (PCI 3.0 section 6.2.2): work waits for it. */
static void pci_changed(void *opaque, PciDevice *d, unsigned changed)
{
    E1000 *s = opaque;
    if (!(changed & PCI_CHANGED_COMMAND))
        return;
    if (!bus_master(s)) {
        NOTE(s, "bus mastering disabled: no DMA until the command register sets it again");
        return;
    }
    if (REG(s, E1000_TDH) != REG(s, E1000_TDT) || s->fifo_frames)
        NOTE(s, "bus mastering enabled: held transmit and receive work starts");
    tx_kick(s);
    rx_drain(s);
}

int e1000_set_identity(E1000 *s, const PciIdentity *id)
{
    if (!id || id->vendor == 0 || id->vendor == 0xFFFF || id->device == 0 || id->device == 0xFFFF ||
        id->subsys_vendor == 0xFFFF)
        return -1;
    int known = 0;
    for (unsigned i = 0; i < e1000_nboards; i++)
        if (e1000_boards[i].vendor == id->vendor && e1000_boards[i].device == id->device)
            known = 1;
    if (!known)
        return -1;
    uint16_t *w = s->ee.word;
    w[E1000_EE_VENDOR_ID] = id->vendor;
    w[E1000_EE_DEVICE_ID] = id->device;
    w[E1000_EE_SUBSYS_VENDOR] = id->subsys_vendor;
    w[E1000_EE_SUBSYS_ID] = id->subsys_id;
    w[E1000_EE_ICW1] = (uint16_t)((w[E1000_EE_ICW1] & ~E1000_ICW1_SIG_MASK) | E1000_ICW1_SIG |
                                  E1000_ICW1_LOAD_VID | E1000_ICW1_LOAD_SUBSYS);
    ee_fix_checksum(w);
    s->revision = id->revision;
    pci_load_ids(s);
    NOTE(s, "identity %04x:%04x subsystem %04x:%04x rev %02x", id->vendor, id->device,
         id->subsys_vendor, id->subsys_id, id->revision);
    return 0;
}

/* ---- accessors, link, creation ---- */

void e1000_set_link(E1000 *s, int up)
{
    up = !!up;
    if (up == s->link)
        return;
    s->link = up;
    NOTE(s, "cable %s", up ? "connected" : "disconnected");
    link_update(s);
}

int e1000_link(const E1000 *s)
{
    return s->link;
}

int e1000_irq_level(const E1000 *s)
{
    return s->irq_level;
}

PciDevice *e1000_pci(E1000 *s)
{
    return &s->pci;
}

Eeprom93c46 *e1000_eeprom(E1000 *s)
{
    return &s->ee;
}

const E1000Stats *e1000_stats(const E1000 *s)
{
    return &s->stats;
}

E1000 *e1000_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                 const uint8_t mac[6])
{
    E1000 *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (dma)
        s->dma = *dma;
    if (irq)
        s->irq = *irq;
    if (port)
        s->port = *port;
    s->clock = clock;
    s->link = 1;
    s->revision = E1000_REVISION;
    s->phy_id1 = E1000_PHY_ID1;
    s->phy_id2 = E1000_PHY_ID2;
    dev_timer_init(&s->itr_timer, itr_fire, s);
    dev_timer_init(&s->rdtr_timer, rx_delay_fire, s);
    dev_timer_init(&s->radv_timer, rx_delay_fire, s);
    dev_timer_init(&s->tidv_timer, tx_delay_fire, s);
    dev_timer_init(&s->tadv_timer, tx_delay_fire, s);

    /* section 4.1: class 020000h, INTA#, BAR0 128 KB memory (32-bit,
     * not prefetchable), BAR2 8-byte I/O; 66 MHz capable, DEVSEL medium;
     * Min_Gnt FFh, Max_Lat 00h */
    PciId id = {
        .vendor = E1000_VENDOR_ID,
        .device = E1000_DEVICE_ID,
        .revision = E1000_REVISION,
        .class_code = E1000_CLASS,
        .subsys_vendor = E1000_SUBSYS_VENDOR_ID,
        .subsys_id = E1000_SUBSYS_ID,
        .interrupt_pin = 1,
        .min_gnt = 0xFF,
        .max_lat = 0x00,
        .status = PCI_STATUS_DEVSEL_MEDIUM | 0x0020u,
    };
    pci_device_init(&s->pci, "e1000", &id);
    if (pci_device_set_bar(&s->pci, E1000_MMIO_BAR, E1000_MMIO_SIZE, PCI_BAR_MEM32) < 0 ||
        pci_device_set_bar(&s->pci, E1000_IO_BAR, E1000_IO_SIZE, PCI_BAR_IO) < 0)
        abort(); /* constant arguments: an internal invariant */
    pci_device_set_callback(&s->pci, pci_changed, s);

    uint16_t ee[EEPROM93C46_WORDS];
    ee_build(ee, mac);
    eeprom93c46_init(&s->ee, ee);
    e1000_reset(s);
    return s;
}

void e1000_free(E1000 *s)
{
    if (!s)
        return;
    cancel_timers(s);
    free(s);
}
