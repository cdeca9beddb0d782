/* 93C46 serial EEPROM state machine (see eeprom93c46.h). */
#include "dev/eeprom93c46.h"

#include <string.h>

#include "trace/trace.h"

/* Opcode field (2 bits after the start bit); 00 is extended by the two
 * top address bits (93C46 datasheet instruction table). */
enum {
    OP_EXTENDED = 0x0,
    OP_WRITE = 0x1,
    OP_READ = 0x2,
    OP_ERASE = 0x3,
};
enum {
    EXT_EWDS = 0x0,
    EXT_WRAL = 0x1,
    EXT_ERAL = 0x2,
    EXT_EWEN = 0x3,
};

#define COMMAND_BITS 8u /* 2 opcode + 6 address */
#define ADDR_MASK (EEPROM93C46_WORDS - 1)

void eeprom93c46_init(Eeprom93c46 *e, const uint16_t contents[EEPROM93C46_WORDS])
{
    memset(e, 0, sizeof *e);
    if (contents)
        memcpy(e->word, contents, sizeof e->word);
    else
        memset(e->word, 0xFF, sizeof e->word); /* an erased part */
    e->dout = 1;
    e->state = EE_IDLE;
}

int eeprom93c46_get_do(const Eeprom93c46 *e)
{
    return e->dout;
}

static void program(Eeprom93c46 *e)
{
    if (!e->write_enabled) {
        trace_emitf(TRACE_NOTE, 0, 0, "93c46",
                    "programming instruction while write-disabled ignored");
        return;
    }
    switch (e->opcode) {
    case OP_WRITE:
        e->word[e->addr] = e->program_data;
        break;
    case OP_ERASE:
        e->word[e->addr] = 0xFFFF;
        break;
    case OP_EXTENDED:
        for (unsigned i = 0; i < EEPROM93C46_WORDS; i++)
            e->word[i] = (e->addr >> 4) == EXT_WRAL ? e->program_data : 0xFFFF;
        break;
    }
    e->programs++;
    e->show_ready = 1;
}

static void command_complete(Eeprom93c46 *e)
{
    e->opcode = (e->shift >> 6) & 0x3;
    e->addr = e->shift & ADDR_MASK;
    e->nbits = 0;
    e->shift = 0;
    switch (e->opcode) {
    case OP_READ:
        /* DO leaves high-Z with the dummy 0 after the last address bit */
        e->out = e->word[e->addr];
        e->dout = 0;
        e->state = EE_READING;
        break;
    case OP_WRITE:
        e->state = EE_DATA;
        break;
    case OP_ERASE:
        e->program_pending = 1;
        e->state = EE_DONE;
        break;
    case OP_EXTENDED:
        switch (e->addr >> 4) {
        case EXT_EWEN:
            e->write_enabled = 1;
            e->state = EE_DONE;
            break;
        case EXT_EWDS:
            e->write_enabled = 0;
            e->state = EE_DONE;
            break;
        case EXT_ERAL:
            e->program_pending = 1;
            e->state = EE_DONE;
            break;
        case EXT_WRAL:
            e->state = EE_DATA;
            break;
        }
        break;
    }
}

static void clock_bit(Eeprom93c46 *e, int di)
{
    switch (e->state) {
    case EE_IDLE:
        /* leading zeros before the start bit are ignored */
        if (di) {
            e->state = EE_COMMAND;
            e->nbits = 0;
            e->shift = 0;
            e->show_ready = 0;
            e->dout = 1;
        }
        break;
    case EE_COMMAND:
        e->shift = (e->shift << 1) | (unsigned)di;
        if (++e->nbits == COMMAND_BITS)
            command_complete(e);
        break;
    case EE_READING:
        /* each rising edge presents the next bit, D15 first; after D0 the
         * next word follows without a dummy bit (sequential read) */
        e->dout = (e->out >> 15) & 1;
        e->out = (uint16_t)(e->out << 1);
        if (++e->nbits == 16) {
            e->nbits = 0;
            e->addr = (e->addr + 1) & ADDR_MASK;
            e->out = e->word[e->addr];
        }
        break;
    case EE_DATA:
        e->shift = (e->shift << 1) | (unsigned)di;
        if (++e->nbits == 16) {
            e->program_data = (uint16_t)e->shift;
            e->program_pending = 1;
            e->state = EE_DONE;
        }
        break;
    case EE_DONE:
        break;
    }
}

void eeprom93c46_set_pins(Eeprom93c46 *e, int cs, int sk, int di)
{
    cs = !!cs;
    sk = !!sk;
    di = !!di;
    if (!cs) {
        if (e->cs) {
            /* CS falling: a complete programming instruction starts its
             * cycle; any other state is abandoned */
            if (e->program_pending)
                program(e);
            e->program_pending = 0;
            e->state = EE_IDLE;
            e->nbits = 0;
            e->shift = 0;
        }
        e->dout = 1;
    } else {
        if (!e->cs && e->show_ready)
            e->dout = 1; /* READY: the cycle took no virtual time */
        if (sk && !e->sk)
            clock_bit(e, di);
    }
    e->cs = cs;
    e->sk = sk;
    e->di = di;
}
