/* What a device model is given by the machine it is plugged into: an
 * interrupt line, DMA access to guest memory (checked), a deterministic
 * clock with timers, and (for NICs) the cable. All of it builds and runs
 * without Unicorn: device tests drive models through these with a fake
 * guest memory and step the clock explicitly (QEMU qtest style). */
#ifndef XDRV_DEV_DEV_H
#define XDRV_DEV_DEV_H

#include <stddef.h>
#include <stdint.h>

/* ---- guest memory for DMA ---- */
typedef struct DevDma {
    /* Host pointer for guest-physical [addr, addr+len), or NULL when any
     * part lies outside guest RAM. In xdrv physical == guest virtual. */
    void *(*map)(void *opaque, uint32_t addr, uint32_t len);
    void *opaque;
} DevDma;

/* Copy to/from guest memory; -1 (and nothing copied) when out of bounds. */
int dev_dma_read(const DevDma *d, uint32_t addr, void *buf, uint32_t len);
int dev_dma_write(const DevDma *d, uint32_t addr, const void *buf, uint32_t len);

/* ---- interrupt line (level-triggered, like PCI INTx) ---- */
typedef struct DevIrq {
    void (*set)(void *opaque, int line, int level);
    void *opaque;
    int line;
} DevIrq;

static inline void dev_irq_set(const DevIrq *i, int level)
{
    if (i->set)
        i->set(i->opaque, i->line, level);
}

/* ---- deterministic clock with one-shot timers ---- */
typedef struct DevTimer DevTimer;
struct DevTimer {
    uint64_t deadline; /* ns; UINT64_MAX = not armed */
    void (*fire)(void *opaque);
    void *opaque;
    DevTimer *next;
};

typedef struct DevClock {
    uint64_t now;     /* ns of virtual time */
    DevTimer *timers; /* armed timers, sorted by deadline */
} DevClock;

void dev_clock_init(DevClock *c);
void dev_timer_init(DevTimer *t, void (*fire)(void *), void *opaque);
void dev_timer_arm(DevClock *c, DevTimer *t, uint64_t deadline);
void dev_timer_cancel(DevClock *c, DevTimer *t);
/* Move time forward to `now`, firing due timers in deadline order (a timer
 * callback may re-arm itself). Time never goes backwards. */
void dev_clock_advance(DevClock *c, uint64_t now);
/* Deadline of the earliest armed timer, UINT64_MAX if none. */
uint64_t dev_clock_next(const DevClock *c);

/* ---- device-side conditions (fault injection for the exerciser) ---- */

/* A failure a NIC model can be told to report on the next frame it
 * transmits (DEV_COND_TX_*) or receives from the cable (DEV_COND_RX_*), or
 * on the next software reset the driver starts (DEV_COND_RESET_HANG), as
 * the chip reports it (each model's docs/devices/<model>.md names the
 * status bits): MODEL_inject(s, c) arms it (0), or returns -1 when the chip
 * has no way to report it. It fires once, then is disarmed. */
typedef enum DevCondition {
    DEV_COND_TX_ERROR,     /* the frame fails on the medium: excessive collisions */
    DEV_COND_TX_UNDERRUN,  /* the transmit FIFO runs dry during the frame */
    DEV_COND_RX_CRC_ERROR, /* the frame arrives with a bad frame check sequence */
    DEV_COND_RESET_HANG,   /* the next software reset never completes (a wedged chip): the
                            * status the driver polls never shows it done until the driver
                            * starts another reset the same way, which completes */
} DevCondition;

/* ---- the cable of a network controller ---- */
typedef struct NetPort {
    /* The controller transmits a frame (without FCS) onto the cable. */
    void (*send)(void *opaque, const uint8_t *frame, size_t len);
    void *opaque;
} NetPort;

#endif
