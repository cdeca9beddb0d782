/* 93C46 serial EEPROM, 1 Kbit organised as 64 x 16-bit words (ORG = 1),
 * driven through its four Microwire pins: chip select (CS), serial clock
 * (SK), data in (DI) and data out (DO). Instructions per the 93C46 datasheet
 * (e.g. Microchip 93AA46/93LC46/93C46, "Instruction set for x16 organisation"):
 * a start bit 1, a 2-bit opcode, a 6-bit address, sampled on rising SK edges.
 *   READ  1 10 A5..A0          DO: dummy 0, then D15..D0 (sequential to the next word)
 *   EWEN  1 00 11xxxx          erase/write enable
 *   EWDS  1 00 00xxxx          erase/write disable (the power-on state)
 *   WRITE 1 01 A5..A0 D15..D0
 *   ERASE 1 11 A5..A0          word := 0xFFFF
 *   ERAL  1 00 10xxxx          all words := 0xFFFF
 *   WRAL  1 00 01xxxx D15..D0  all words := data
 * Programming starts when CS falls and takes no virtual time: when CS rises
 * again DO shows READY (1) until the next start bit. CS low resets the
 * instruction state machine. An undriven (high-Z) DO reads as 1. */
#ifndef XDRV_DEV_EEPROM93C46_H
#define XDRV_DEV_EEPROM93C46_H

#include <stdint.h>

#define EEPROM93C46_WORDS 64u

typedef enum Eeprom93c46State {
    EE_IDLE,    /* waiting for the start bit */
    EE_COMMAND, /* shifting in opcode and address */
    EE_READING, /* shifting out data */
    EE_DATA,    /* shifting in data for WRITE/WRAL */
    EE_DONE,    /* instruction complete; clocks ignored until CS falls */
} Eeprom93c46State;

typedef struct Eeprom93c46 {
    uint16_t word[EEPROM93C46_WORDS];
    int cs, sk, di; /* pin levels as last driven */
    int dout;       /* DO level, 1 when high-Z */
    Eeprom93c46State state;
    unsigned nbits; /* bits shifted in the current phase */
    uint32_t shift;
    unsigned opcode, addr; /* of the current instruction */
    uint16_t out;          /* data being shifted out */
    int write_enabled;     /* EWEN/EWDS latch */
    int program_pending;   /* WRITE/ERASE/ERAL/WRAL waiting for CS to fall */
    uint16_t program_data;
    int show_ready;    /* DO shows READY after a programming cycle */
    uint64_t programs; /* completed programming cycles */
} Eeprom93c46;

/* Power-on: contents, write-disabled, CS low. */
void eeprom93c46_init(Eeprom93c46 *e, const uint16_t contents[EEPROM93C46_WORDS]);
/* Drive CS, SK and DI; a rising SK edge with CS high clocks one bit. */
void eeprom93c46_set_pins(Eeprom93c46 *e, int cs, int sk, int di);
int eeprom93c46_get_do(const Eeprom93c46 *e);

#endif
