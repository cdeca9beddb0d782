/* PCI configuration header and mechanism #1, register level (no CPU). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dev/bus.h"
#include "dev/pci.h"

#define SLOT 5u

static Bus bus;
static PciBus pcibus;
static PciDevice dev;
static unsigned changes, last_changed;

static void on_change(void *opaque, PciDevice *d, unsigned changed)
{
    changes++;
    last_changed = changed;
}

static int setup(void **st)
{
    PciId id = {
        .vendor = 0x10EC,
        .device = 0x8139,
        .revision = 0x10,
        .class_code = 0x020000,
        .subsys_vendor = 0x1186,
        .subsys_id = 0x1300,
        .interrupt_pin = 1,
        .min_gnt = 0x20,
        .max_lat = 0x40,
        .status = PCI_STATUS_DEVSEL_MEDIUM,
    };
    pci_device_init(&dev, "test", &id);
    assert_int_equal(pci_device_set_bar(&dev, 0, 256, PCI_BAR_IO), 0);
    assert_int_equal(pci_device_set_bar(&dev, 1, 256, PCI_BAR_MEM32), 0);
    pci_device_set_callback(&dev, on_change, NULL);
    changes = last_changed = 0;
    bus_init(&bus);
    pci_bus_init(&pcibus);
    assert_int_equal(pci_bus_attach(&pcibus, SLOT, &dev), 0);
    return bus_add_ports(&bus, PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_PORTS, &pci_bus_io_ops, &pcibus,
                         "pci");
}

/* CONFIG_ADDRESS for bus 0, SLOT, function fn, register reg (dword aligned). */
static void select_reg(unsigned slot, unsigned fn, unsigned reg)
{
    bus_port_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4,
                   PCI_CONFIG_ADDRESS_ENABLE | slot << 11 | fn << 8 | (reg & 0xFC));
}

static uint32_t cfg_read(unsigned slot, unsigned reg, unsigned size)
{
    select_reg(slot, 0, reg);
    return bus_port_read(&bus, (uint16_t)(PCI_CONFIG_DATA_PORT + (reg & 3)), size);
}

static void cfg_write(unsigned slot, unsigned reg, unsigned size, uint32_t v)
{
    select_reg(slot, 0, reg);
    bus_port_write(&bus, (uint16_t)(PCI_CONFIG_DATA_PORT + (reg & 3)), size, v);
}

static void test_identity_through_mechanism_1(void **st)
{
    assert_int_equal(cfg_read(SLOT, PCI_VENDOR_ID, 4), 0x813910EC);
    assert_int_equal(cfg_read(SLOT, PCI_DEVICE_ID, 2), 0x8139);
    assert_int_equal(cfg_read(SLOT, PCI_VENDOR_ID + 1, 1), 0x10);
    assert_int_equal(cfg_read(SLOT, PCI_REVISION_ID, 4), 0x02000010);
    assert_int_equal(cfg_read(SLOT, PCI_HEADER_TYPE, 1), 0x00);
    assert_int_equal(cfg_read(SLOT, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x13001186);
    assert_int_equal(cfg_read(SLOT, PCI_INTERRUPT_LINE, 4), 0x40200100);
    assert_int_equal(cfg_read(SLOT, PCI_CAPABILITY_LIST, 1), 0);
    assert_int_equal(cfg_read(SLOT, PCI_STATUS, 2), PCI_STATUS_DEVSEL_MEDIUM);
}

static void test_config_address_reads_back_with_reserved_bits_zero(void **st)
{
    bus_port_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4, 0xFFFFFFFF);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_ADDRESS_PORT, 4), 0x80FFFFFC);
    /* a byte access at 0xCF8 is not CONFIG_ADDRESS */
    bus_port_write(&bus, PCI_CONFIG_ADDRESS_PORT, 1, 0);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_ADDRESS_PORT, 4), 0x80FFFFFC);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_ADDRESS_PORT + 2, 2), 0xFFFF);
}

static void test_absent_slots_functions_buses_read_all_ones(void **st)
{
    assert_int_equal(cfg_read(0, PCI_VENDOR_ID, 4), 0xFFFFFFFF);
    assert_int_equal(cfg_read(31, PCI_VENDOR_ID, 2), 0xFFFF);
    select_reg(SLOT, 1, 0); /* single-function device: function 1 absent */
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_DATA_PORT, 4), 0xFFFFFFFF);
    bus_port_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4,
                   PCI_CONFIG_ADDRESS_ENABLE | 1u << 16 | SLOT << 11);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_DATA_PORT, 4), 0xFFFFFFFF);
    /* enable bit clear: CONFIG_DATA is not a configuration access */
    bus_port_write(&bus, PCI_CONFIG_ADDRESS_PORT, 4, SLOT << 11);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_DATA_PORT, 4), 0xFFFFFFFF);
    bus_port_write(&bus, PCI_CONFIG_DATA_PORT, 4, 0);
    assert_int_equal(cfg_read(SLOT, PCI_VENDOR_ID, 2), 0x10EC);
}

static void test_config_data_any_width_any_byte(void **st)
{
    cfg_write(SLOT, PCI_BAR0 + 4, 4, 0xFEBF0000);
    select_reg(SLOT, 0, PCI_BAR0 + 4);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_DATA_PORT + 1, 2), 0xBF00);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_DATA_PORT + 3, 1), 0xFE);
    assert_int_equal(bus_port_read(&bus, PCI_CONFIG_DATA_PORT + 2, 2), 0xFEBF);
    /* byte write at 0xCFD goes to register byte 1 */
    cfg_write(SLOT, PCI_INTERRUPT_LINE, 4, 0);
    select_reg(SLOT, 0, PCI_INTERRUPT_LINE);
    bus_port_write(&bus, PCI_CONFIG_DATA_PORT, 1, 0x0B);
    assert_int_equal(cfg_read(SLOT, PCI_INTERRUPT_LINE, 1), 0x0B);
}

static void test_bar_sizing_io(void **st)
{
    cfg_write(SLOT, PCI_BAR0, 4, 0xFFFFFFFF);
    assert_int_equal(cfg_read(SLOT, PCI_BAR0, 4), 0xFFFFFF01);
    cfg_write(SLOT, PCI_BAR0, 4, 0xC001);
    assert_int_equal(cfg_read(SLOT, PCI_BAR0, 4), 0xC001);
    /* address bits below the size are not writable */
    cfg_write(SLOT, PCI_BAR0, 4, 0xC0FF);
    assert_int_equal(cfg_read(SLOT, PCI_BAR0, 4), 0xC001);
    assert_int_equal(pci_bar_address(&dev, 0), 0xC000);
    assert_int_equal(pci_bar_size(&dev, 0), 256);
}

static void test_bar_sizing_memory_and_unimplemented(void **st)
{
    cfg_write(SLOT, PCI_BAR0 + 4, 4, 0xFFFFFFFF);
    assert_int_equal(cfg_read(SLOT, PCI_BAR0 + 4, 4), 0xFFFFFF00);
    cfg_write(SLOT, PCI_BAR0 + 4, 4, 0xFEBFF000);
    assert_int_equal(pci_bar_address(&dev, 1), 0xFEBFF000);
    for (unsigned bar = 2; bar < 6; bar++) {
        cfg_write(SLOT, PCI_BAR0 + 4 * bar, 4, 0xFFFFFFFF);
        assert_int_equal(cfg_read(SLOT, PCI_BAR0 + 4 * bar, 4), 0);
    }
    cfg_write(SLOT, PCI_EXPANSION_ROM, 4, 0xFFFFFFFF);
    assert_int_equal(cfg_read(SLOT, PCI_EXPANSION_ROM, 4), 0);
}

static void test_read_only_fields_ignore_writes(void **st)
{
    cfg_write(SLOT, PCI_VENDOR_ID, 4, 0x12345678);
    cfg_write(SLOT, PCI_REVISION_ID, 4, 0xFFFFFFFF);
    cfg_write(SLOT, PCI_SUBSYSTEM_VENDOR_ID, 4, 0);
    cfg_write(SLOT, PCI_INTERRUPT_PIN, 1, 4);
    cfg_write(SLOT, PCI_HEADER_TYPE, 1, 0x80);
    assert_int_equal(cfg_read(SLOT, PCI_VENDOR_ID, 4), 0x813910EC);
    assert_int_equal(cfg_read(SLOT, PCI_REVISION_ID, 4), 0x02000010);
    assert_int_equal(cfg_read(SLOT, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x13001186);
    assert_int_equal(cfg_read(SLOT, PCI_INTERRUPT_PIN, 1), 1);
    assert_int_equal(cfg_read(SLOT, PCI_HEADER_TYPE, 1), 0);
}

static void test_command_writable_bits_only(void **st)
{
    cfg_write(SLOT, PCI_COMMAND, 2, 0xFFFF);
    assert_int_equal(cfg_read(SLOT, PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                                                         PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
                                                         PCI_COMMAND_SERR);
    cfg_write(SLOT, PCI_LATENCY_TIMER, 1, 0x40);
    assert_int_equal(cfg_read(SLOT, PCI_LATENCY_TIMER, 1), 0x40);
}

static void test_status_error_bits_write_one_to_clear(void **st)
{
    pci_device_raise_status(&dev, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_SIG_SYSTEM_ERROR);
    assert_int_equal(cfg_read(SLOT, PCI_STATUS, 2), PCI_STATUS_DEVSEL_MEDIUM |
                                                        PCI_STATUS_REC_MASTER_ABORT |
                                                        PCI_STATUS_SIG_SYSTEM_ERROR);
    /* writing 0 changes nothing; the DEVSEL bits are read-only */
    cfg_write(SLOT, PCI_STATUS, 2, 0);
    assert_int_equal(cfg_read(SLOT, PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT,
                     PCI_STATUS_REC_MASTER_ABORT);
    /* a dword write to COMMAND/STATUS clears only the 1 bits */
    cfg_write(SLOT, PCI_COMMAND, 4, (uint32_t)PCI_STATUS_REC_MASTER_ABORT << 16 | PCI_COMMAND_IO);
    assert_int_equal(cfg_read(SLOT, PCI_STATUS, 2),
                     PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_SIG_SYSTEM_ERROR);
    assert_int_equal(cfg_read(SLOT, PCI_COMMAND, 2), PCI_COMMAND_IO);
    cfg_write(SLOT, PCI_STATUS, 2, 0xFFFF);
    assert_int_equal(cfg_read(SLOT, PCI_STATUS, 2), PCI_STATUS_DEVSEL_MEDIUM);
}

static void test_callback_on_bar_and_command_changes(void **st)
{
    cfg_write(SLOT, PCI_BAR0, 4, 0xC001);
    assert_int_equal(changes, 1);
    assert_int_equal(last_changed, PCI_CHANGED_BAR(0));
    cfg_write(SLOT, PCI_BAR0, 4, 0xC001); /* same value: nothing moved */
    assert_int_equal(changes, 1);
    cfg_write(SLOT, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    assert_int_equal(changes, 2);
    assert_int_equal(last_changed, PCI_CHANGED_COMMAND);
    assert_true(pci_bar_decoding(&dev, 0));
    assert_false(pci_bar_decoding(&dev, 1));
    cfg_write(SLOT, PCI_INTERRUPT_LINE, 1, 9);
    assert_int_equal(changes, 2);
    /* sizing an unimplemented BAR moves nothing */
    cfg_write(SLOT, PCI_BAR0 + 8, 4, 0xFFFFFFFF);
    assert_int_equal(changes, 2);
}

static void test_direct_accessors_and_blocks(void **st)
{
    assert_int_equal(pci_config_read(&dev, PCI_VENDOR_ID, 2), 0x10EC);
    assert_int_equal(pci_config_read(&dev, 0xFE, 4), 0xFFFFFFFF); /* crosses the end */
    pci_config_write(&dev, PCI_INTERRUPT_LINE, 1, 11);
    uint8_t buf[64];
    assert_int_equal(pci_config_read_block(&dev, 0, buf, sizeof buf), 64);
    assert_int_equal(buf[0], 0xEC);
    assert_int_equal(buf[1], 0x10);
    assert_int_equal(buf[PCI_INTERRUPT_LINE], 11);
    assert_int_equal(buf[PCI_INTERRUPT_PIN], 1);
    assert_int_equal(pci_config_read_block(&dev, 250, buf, 16), 6);
    uint8_t bar[4] = {0x01, 0xD0, 0, 0};
    assert_int_equal(pci_config_write_block(&dev, PCI_BAR0, bar, 4), 4);
    assert_int_equal(pci_bar_address(&dev, 0), 0xD000);
}

static void test_reset_clears_command_bars_and_errors(void **st)
{
    cfg_write(SLOT, PCI_BAR0, 4, 0xC001);
    cfg_write(SLOT, PCI_COMMAND, 2, 7);
    pci_device_raise_status(&dev, PCI_STATUS_REC_MASTER_ABORT);
    changes = 0;
    pci_device_reset(&dev);
    assert_int_equal(changes, 1);
    assert_int_equal(last_changed, PCI_CHANGED_BAR(0) | PCI_CHANGED_COMMAND);
    assert_int_equal(cfg_read(SLOT, PCI_COMMAND, 2), 0);
    assert_int_equal(cfg_read(SLOT, PCI_STATUS, 2), PCI_STATUS_DEVSEL_MEDIUM);
    assert_int_equal(cfg_read(SLOT, PCI_BAR0, 4), 0x1);
    assert_int_equal(cfg_read(SLOT, PCI_VENDOR_ID, 2), 0x10EC);
}

static void test_bad_bar_declarations_are_refused(void **st)
{
    PciDevice d;
    PciId id = {.vendor = 1};
    pci_device_init(&d, "bad", &id);
    assert_int_equal(pci_device_set_bar(&d, 6, 256, PCI_BAR_IO), -1);
    assert_int_equal(pci_device_set_bar(&d, 0, 300, PCI_BAR_IO), -1);
    assert_int_equal(pci_device_set_bar(&d, 0, 512, PCI_BAR_IO), -1);
    assert_int_equal(pci_device_set_bar(&d, 0, 8, PCI_BAR_MEM32), -1);
    assert_int_equal(pci_bus_attach(&pcibus, SLOT, &d), -1);
    assert_int_equal(pci_bus_attach(&pcibus, 32, &d), -1);
}

static void assert_class(uint32_t off, unsigned width, RegClass cls)
{
    const RegDesc *r = reg_find(pci_config_regs, pci_config_nregs, off, width);
    assert_non_null(r);
    if (r->cls != cls)
        fail_msg("%s is %s, the specification says %s", r->name, reg_class_name(r->cls),
                 reg_class_name(cls));
}

/* Register classes (regs.h) of the type 0 header (PCI 3.0 section 6). */
static void test_register_classes_follow_the_specification(void **st)
{
    for (unsigned i = 0; i < pci_config_nregs; i++) {
        const RegDesc *r = &pci_config_regs[i];
        if (r->cls == REG_CLASS_NONE)
            fail_msg("%s has no class", r->name);
        /* the header holds no counter and no index register */
        assert_false(r->flags & (REG_F_COUNTER | REG_F_INDEX));
    }
    assert_class(PCI_VENDOR_ID, 2, REG_CLASS_STATUS);
    assert_class(PCI_COMMAND, 2, REG_CLASS_CONTROL);
    assert_class(PCI_STATUS, 2, REG_CLASS_STATUS);
    assert_class(PCI_CLASS_PROG, 3, REG_CLASS_STATUS);
    for (unsigned i = 0; i < 6; i++)
        assert_class(PCI_BAR0 + 4 * i, 4, REG_CLASS_CONTROL);
    assert_class(PCI_INTERRUPT_LINE, 1, REG_CLASS_CONTROL);
    assert_class(PCI_INTERRUPT_PIN, 1, REG_CLASS_STATUS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_identity_through_mechanism_1, setup),
        cmocka_unit_test_setup(test_config_address_reads_back_with_reserved_bits_zero, setup),
        cmocka_unit_test_setup(test_absent_slots_functions_buses_read_all_ones, setup),
        cmocka_unit_test_setup(test_config_data_any_width_any_byte, setup),
        cmocka_unit_test_setup(test_bar_sizing_io, setup),
        cmocka_unit_test_setup(test_bar_sizing_memory_and_unimplemented, setup),
        cmocka_unit_test_setup(test_read_only_fields_ignore_writes, setup),
        cmocka_unit_test_setup(test_command_writable_bits_only, setup),
        cmocka_unit_test_setup(test_status_error_bits_write_one_to_clear, setup),
        cmocka_unit_test_setup(test_callback_on_bar_and_command_changes, setup),
        cmocka_unit_test_setup(test_direct_accessors_and_blocks, setup),
        cmocka_unit_test_setup(test_reset_clears_command_bars_and_errors, setup),
        cmocka_unit_test_setup(test_bad_bar_declarations_are_refused, setup),
        cmocka_unit_test(test_register_classes_follow_the_specification),
    };
    return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
