/* The machine: the guest CPU and kernel (vm, nt) plus the hardware plugged
 * into them (src/dev models on a port bus and a PCI bus, their interrupt
 * lines, DMA and clock) and, for a network controller, its cable and the
 * host network interface (src/host backends) wired to the driver through
 * NDIS. `xdrv run` drives one; integration tests build one in-process.
 * (Why a directory of its own: docs/architecture.md.) */
#ifndef XDRV_MACHINE_H
#define XDRV_MACHINE_H

#include <signal.h>
#include <stdint.h>

#include "dev/dev.h"
#include "host/net.h"
#include "nt/nt.h"
#include "vm/vm.h"

typedef struct Machine Machine;

Machine *machine_create(Vm *vm, Nt *nt);
void machine_destroy(Machine *m);

/* --device SPEC, e.g. "testdev", "testdev,io=0x300,mmio=0xfe000000",
 * "rtl8139", "rtl8139,mac=52:54:00:12:34:56"; PCI network controllers also
 * take a board identity, "rtl8139,vendor=0x1186,device=0x1300,
 * subsys=1186:1301,rev=0x10" (a later option overrides an earlier one;
 * src/machine/boards.h chooses one from an INF). Returns -1 with a
 * one-line reason in err. */
int machine_add_device(Machine *m, const char *spec, char *err, size_t errlen);
/* Connect every device to the guest: firmware-style PCI BAR assignment,
 * port ranges on the bus, MMIO mapped, interrupt lines, device clock on
 * virtual time. Call once, before the driver runs. */
int machine_attach(Machine *m, char *err, size_t errlen);
/* The list of devices and their resources, for the run log. */
void machine_describe(Machine *m, FILE *f);

/* Whether a network controller was added. */
int machine_has_nic(Machine *m);
/* Write what Windows' installer puts into the network controller's driver
 * key (Services\<service>\Parameters) from the resources it assigned: the
 * bus type and, for an ISA card, its jumpered port and IRQ. Nothing without
 * a controller. Returns 0 or -1. */
int machine_install_params(Machine *m, const char *service);
/* PCI vendor/device of the network controller, or -1 if there is none or
 * it is not on PCI (ISA cards have no hardware ID). */
int machine_nic_pci_id(Machine *m, uint16_t *vendor, uint16_t *device);
/* The controller's hardware IDs, most specific first, as Windows builds them
 * for a PCI function (PCI\VEN_v&DEV_d&SUBSYS_s&REV_r, ...&SUBSYS_s,
 * ...&REV_r, PCI\VEN_v&DEV_d); returns the count (0: none or not PCI). */
unsigned machine_nic_hwids(Machine *m, char ids[][64], unsigned max);

/* The cable: frames the controller transmits go to `wire`, frames arriving
 * from it reach the controller. NULL = unplugged (the model sees no link
 * partner but the link stays up unless set down). */
void machine_set_wire(Machine *m, NetBackend *wire);
/* Bring up the NDIS adapter for the network controller (after DriverEntry).
 * Frames the driver receives go to `netdev` (may be NULL), frames from the
 * netdev go to the driver; the netdev's carrier and MAC follow the driver. */
int machine_start_nic(Machine *m, const char *service, NetBackend *netdev, char *err,
                      size_t errlen);
/* Query an OID of the running adapter: the NDIS status, or -1 if the run
 * stopped or there is no adapter. */
int64_t machine_nic_query(Machine *m, uint32_t oid, void *buf, uint32_t len, uint32_t *written,
                          uint32_t *needed);
/* How many frames from the cable reach the controller back to back before
 * the driver gets the interrupt (default 8: a burst that fits any of the
 * modelled receive buffers; a large value floods the receive ring). */
void machine_set_rx_burst(Machine *m, unsigned frames);
/* MAC the driver reported; 0 or -1 if no adapter. */
int machine_nic_mac(Machine *m, uint8_t mac[6]);
/* Cable plugged in or pulled on the model (the driver should notice). */
int machine_set_link(Machine *m, int up);
/* Serve traffic until *stop: poll the backends, follow wall-clock time with
 * virtual time, deliver interrupts. Returns 0 on stop, -1 if the run stopped
 * (fault) or a backend failed (message on stderr). `link_req` (if not NULL)
 * is polled: 1 = set link up, 0 = down, -1 = nothing; reset to -1. */
int machine_serve(Machine *m, volatile sig_atomic_t *stop, volatile sig_atomic_t *link_req);
/* One deterministic step for in-process tests: move frames waiting on the
 * backends, deliver interrupts, then idle virtual time forward by `ns`.
 * Returns -1 if the run stopped. */
int machine_step(Machine *m, uint64_t ns);
/* Halt the adapter (MiniportHalt). Returns -1 if the run stopped. */
int machine_stop_nic(Machine *m);

/* ---- the exerciser's requests (src/exercise): one OS request each, no
 * wall clock (virtual time moves only through machine_step) ---- */
/* Whether the adapter is up (started and not halted). */
int machine_nic_running(Machine *m);
/* The OS sends `n` frames in one MiniportSendPackets (one MiniportSend
 * each for a miniport without it), each split into `nfrags` NDIS_BUFFERs.
 * Returns how many the driver refused for resources, or -1 (run stopped,
 * no adapter). */
int machine_nic_send_burst(Machine *m, const uint8_t *const *frames, const size_t *lens,
                           unsigned n, unsigned nfrags, int in_page);
/* A frame arrives on the cable (padded to the 60-byte minimum like any
 * cable; lost when the card was surprise-removed); the driver is not run:
 * call machine_step. -1 without a NIC. */
int machine_wire_frame(Machine *m, const uint8_t *frame, size_t len);
/* Set an OID of the running adapter: the NDIS status or -1. */
int64_t machine_nic_set(Machine *m, uint32_t oid, const void *buf, uint32_t len, uint32_t *read,
                        uint32_t *needed);
/* Surprise removal: the card leaves the bus (its registers read all-ones,
 * writes go nowhere, it raises no interrupt and makes no DMA) and the
 * driver is told (MiniportPnPEventNotify); machine_start_nic puts a card
 * back. 0, 1 the miniport has no PnP handler (the card is gone all the
 * same), -1 run stopped / no adapter. */
int machine_nic_surprise_removal(Machine *m);
/* A power profile change (ac 1: on AC power, 0: on battery) told to the
 * driver: 0, 1 no PnP handler, -1 run stopped / no adapter. */
int machine_nic_power_profile(Machine *m, int ac);
/* The shutdown handler: 0, 1 none registered, -1 run stopped / no adapter. */
int machine_nic_shutdown(Machine *m);
/* MiniportReset: the NDIS status or -1. */
int64_t machine_nic_reset(Machine *m);
/* Arm a device-side failure on the controller model (the next transmit
 * fails as the chip reports it). 0 armed, 1 the chip has no way to report
 * it, -1 no controller. */
int machine_nic_inject(Machine *m, int condition);
/* A spurious interrupt: the line is raised with no cause in any status
 * register, the interrupt delivered, the line restored. -1 if the run
 * stopped or there is no controller. */
int machine_spurious_irq(Machine *m);

/* ---- a network controller model outside any machine (xdrv replay: no
 * guest, the host drives the registers itself) ---- */
typedef struct NicModel NicModel;

/* A controller from a --device spec ("rtl8139", "pcnet,mac=...", with the
 * same models and options as machine_add_device), wired to the caller's
 * DMA, interrupt line, clock (borrowed) and cable. PCI models are left
 * with I/O, memory decoding and bus mastering enabled, as firmware leaves
 * them. NULL with a one-line reason in err. */
NicModel *nic_model_new(const char *spec, const DevDma *dma, const DevIrq *irq, DevClock *clock,
                        const NetPort *port, char *err, size_t errlen);
void nic_model_free(NicModel *n);
/* The --device model name ("rtl8139", "ne2000-isa"). */
const char *nic_model_name(const NicModel *n);
/* The station address it was created with (mac= or the default). */
void nic_model_mac(const NicModel *n, uint8_t mac[6]);
/* A register window: the nth port (mmio 0: the I/O BAR or ISA ports) or
 * memory (mmio 1) window; its size, 0 when the model has none. */
uint32_t nic_model_window(const NicModel *n, int mmio, unsigned nth);
/* Register accesses in a window; outside it reads are all-ones and writes
 * go nowhere. */
uint32_t nic_model_read(NicModel *n, int mmio, unsigned nth, uint32_t off, unsigned width);
void nic_model_write(NicModel *n, int mmio, unsigned nth, uint32_t off, unsigned width, uint32_t v);
/* A frame arrives on its cable (padded to 60 bytes like any cable). */
void nic_model_receive(NicModel *n, const uint8_t *frame, size_t len);
/* Cable plugged in (1) or pulled (0). */
void nic_model_set_link(NicModel *n, int up);
/* The address a machine with only this controller gives its port (mmio 0)
 * or memory (1) window, 0 when it has none: replay recordings use it. */
uint32_t nic_model_bus_base(const NicModel *n, int mmio);
/* The register an access would reach, by the model's tables (NULL: none). */
const char *nic_model_reg_name(const NicModel *n, int mmio, uint32_t off, unsigned width, int write);

typedef struct MachineStats {
    uint64_t wire_rx, wire_tx, netdev_rx, netdev_tx, send_resources, interrupts_delivered;
} MachineStats;
void machine_stats(Machine *m, MachineStats *st);

#endif
