/* Board identities: each PCI model presents the vendor, device, subsystem
 * and revision IDs it is given, read back through configuration mechanism
 * #1 (PCI 3.0 section 3.2.2.3.2) as firmware and drivers read them; the
 * RTL8139 keeps them in its EEPROM (RTL8139C(L) datasheet section 5) so an
 * auto-load after reset presents them again; the --device options that set
 * them; the default subsystem IDs; the board tables' shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/bus.h"
#include "dev/ne2000.h"
#include "dev/pci.h"
#include "dev/pcnet.h"
#include "dev/rtl8139.h"
#include "machine/boards.h"
#include "machine/machine.h"

#define SLOT 3u

static const uint8_t MAC[6] = {0x02, 0x00, 0x5E, 0x10, 0x20, 0x30};

typedef struct Rig {
    Bus bus;
    PciBus pcibus;
    DevClock clk;
} Rig;

static Rig rig;

static void rig_attach(PciDevice *p)
{
    bus_init(&rig.bus);
    pci_bus_init(&rig.pcibus);
    dev_clock_init(&rig.clk);
    assert_int_equal(pci_bus_attach(&rig.pcibus, SLOT, p), 0);
    assert_int_equal(bus_add_ports(&rig.bus, PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_PORTS,
                                   &pci_bus_io_ops, &rig.pcibus, "pci"),
                     0);
}

/* Mechanism #1: CONFIG_ADDRESS at CF8h, then the data at CFCh. */
static uint32_t cfg_read(unsigned reg, unsigned size)
{
    bus_port_write(&rig.bus, PCI_CONFIG_ADDRESS_PORT, 4,
                   PCI_CONFIG_ADDRESS_ENABLE | SLOT << 11 | (reg & 0xFC));
    return bus_port_read(&rig.bus, (uint16_t)(PCI_CONFIG_DATA_PORT + (reg & 3)), size);
}

static void expect_identity(uint16_t ven, uint16_t dev, uint16_t ssv, uint16_t ssid, uint8_t rev)
{
    assert_int_equal(cfg_read(PCI_VENDOR_ID, 4), (uint32_t)dev << 16 | ven);
    assert_int_equal(cfg_read(PCI_SUBSYSTEM_VENDOR_ID, 4), (uint32_t)ssid << 16 | ssv);
    assert_int_equal(cfg_read(PCI_REVISION_ID, 1), rev);
    /* the class code stays the chip's: an Ethernet controller */
    assert_int_equal(cfg_read(PCI_REVISION_ID, 4) >> 8, 0x020000);
}

static const PciIdentity dfe530 = {.vendor = 0x1186,
                                   .device = 0x1300,
                                   .subsys_vendor = 0x1186,
                                   .subsys_id = 0x1301,
                                   .revision = 0x10};

/* ---- RTL8139 ---- */

static void test_rtl8139_identity_mechanism1(void **state)
{
    (void)state;
    Rtl8139 *s = rtl8139_new(NULL, NULL, NULL, NULL, MAC);
    rig_attach(rtl8139_pci(s));
    /* power-on: Realtek's IDs from the default EEPROM image */
    expect_identity(0x10EC, 0x8139, 0x10EC, 0x8139, 0x10);
    PciIdentity id = dfe530;
    id.revision = 0x20;
    assert_int_equal(rtl8139_set_identity(s, &id), 0);
    expect_identity(0x1186, 0x1300, 0x1186, 0x1301, 0x20);
    /* the IDs live in EEPROM words 01h-04h (section 5) */
    const Eeprom93c46 *ee = rtl8139_eeprom(s);
    assert_int_equal(ee->word[RTL_EE_VID], 0x1186);
    assert_int_equal(ee->word[RTL_EE_DID], 0x1300);
    assert_int_equal(ee->word[RTL_EE_SVID], 0x1186);
    assert_int_equal(ee->word[RTL_EE_SMID], 0x1301);
    /* RERID stays the silicon's */
    assert_int_equal(rtl8139_io_ops.read(s, RTL_RERID, 1), RTL8139_REVISION);
    rtl8139_free(s);
}

/* Regression: the auto-load loaded only SVID/SMID, so a board whose EEPROM
 * holds its maker's VID/DID (words 01h, 02h) presented Realtek's IDs. */
static void test_rtl8139_autoload_ignored_vid_did(void **state)
{
    (void)state;
    Rtl8139 *s = rtl8139_new(NULL, NULL, NULL, NULL, MAC);
    rig_attach(rtl8139_pci(s));
    Eeprom93c46 *ee = rtl8139_eeprom(s);
    ee->word[RTL_EE_VID] = 0x1113;
    ee->word[RTL_EE_DID] = 0x1211;
    ee->word[RTL_EE_SVID] = 0x1113;
    ee->word[RTL_EE_SMID] = 0x1211;
    /* 9346CR EEM = 01: auto-load (section 6.9) */
    rtl8139_io_ops.write(s, RTL_9346CR, 1, RTL_9346CR_EEM_AUTOLOAD);
    expect_identity(0x1113, 0x1211, 0x1113, 0x1211, 0x10);
    rtl8139_free(s);
}

static void test_rtl8139_identity_survives_reset(void **state)
{
    (void)state;
    Rtl8139 *s = rtl8139_new(NULL, NULL, NULL, NULL, MAC);
    rig_attach(rtl8139_pci(s));
    assert_int_equal(rtl8139_set_identity(s, &dfe530), 0);
    /* PCI RST#: registers back to reset values, EEPROM auto-load */
    rtl8139_reset(s);
    expect_identity(0x1186, 0x1300, 0x1186, 0x1301, 0x10);
    /* the driver's auto-load through 9346CR */
    rtl8139_io_ops.write(s, RTL_9346CR, 1, RTL_9346CR_EEM_AUTOLOAD);
    expect_identity(0x1186, 0x1300, 0x1186, 0x1301, 0x10);
    /* a soft reset (CR.RST) keeps the configuration space */
    rtl8139_io_ops.write(s, RTL_CR, 1, RTL_CR_RST);
    expect_identity(0x1186, 0x1300, 0x1186, 0x1301, 0x10);
    rtl8139_free(s);
}

static void test_identity_refuses_no_device_vendor(void **state)
{
    (void)state;
    PciIdentity id = dfe530;
    id.vendor = 0xFFFF; /* PCI 3.0 6.2.1: reads as "no device" */
    Rtl8139 *r = rtl8139_new(NULL, NULL, NULL, NULL, MAC);
    assert_int_equal(rtl8139_set_identity(r, &id), -1);
    assert_int_equal(pci_config_read(rtl8139_pci(r), PCI_VENDOR_ID, 2), 0x10EC);
    rtl8139_free(r);
    Ne2000 *n = ne2000_new(NULL, NULL, NULL, NULL, MAC, NE2000_PCI);
    assert_int_equal(ne2000_set_identity(n, &id), -1);
    ne2000_free(n);
    Pcnet *p = pcnet_new(NULL, NULL, NULL, NULL, MAC);
    assert_int_equal(pcnet_set_identity(p, &id), -1);
    pcnet_free(p);
}

/* ---- NE2000 (RTL8029AS) ---- */

/* Regression: the RTL8029AS presented subsystem 0000:0000, so an INF
 * listing only PCI\VEN_10EC&DEV_8029&SUBSYS_802910EC refused it. */
static void test_rtl8029_subsys_only_inf_refused(void **state)
{
    (void)state;
    Ne2000 *s = ne2000_new(NULL, NULL, NULL, NULL, MAC, NE2000_PCI);
    rig_attach(ne2000_pci(s));
    expect_identity(0x10EC, 0x8029, 0x10EC, 0x8029, 0x00);
    ne2000_free(s);
}

static void test_ne2000_identity_mechanism1(void **state)
{
    (void)state;
    Ne2000 *s = ne2000_new(NULL, NULL, NULL, NULL, MAC, NE2000_PCI);
    rig_attach(ne2000_pci(s));
    PciIdentity id = {.vendor = 0x1050,
                      .device = 0x0940,
                      .subsys_vendor = 0x1186,
                      .subsys_id = 0x0300,
                      .revision = 0x02};
    assert_int_equal(ne2000_set_identity(s, &id), 0);
    expect_identity(0x1050, 0x0940, 0x1186, 0x0300, 0x02);
    ne2000_reset(s);
    expect_identity(0x1050, 0x0940, 0x1186, 0x0300, 0x02);
    ne2000_free(s);
    /* an ISA card has no configuration space to present it in */
    s = ne2000_new(NULL, NULL, NULL, NULL, MAC, NE2000_ISA);
    assert_int_equal(ne2000_set_identity(s, &id), -1);
    ne2000_free(s);
}

/* ---- PCnet ---- */

static void test_pcnet_identity_mechanism1(void **state)
{
    (void)state;
    Pcnet *s = pcnet_new(NULL, NULL, NULL, NULL, MAC);
    rig_attach(pcnet_pci(s));
    /* Am79C970A: subsystem IDs read 0 (section PCI Configuration Registers) */
    expect_identity(0x1022, 0x2000, 0x0000, 0x0000, PCNET_REVISION);
    PciIdentity id = {.vendor = 0x1022,
                      .device = 0x2000,
                      .subsys_vendor = 0x1259,
                      .subsys_id = 0x2450,
                      .revision = 0x16};
    assert_int_equal(pcnet_set_identity(s, &id), 0);
    expect_identity(0x1022, 0x2000, 0x1259, 0x2450, 0x16);
    pcnet_reset(s);
    expect_identity(0x1022, 0x2000, 0x1259, 0x2450, 0x16);
    pcnet_free(s);
}

/* ---- --device options ---- */

/* A fresh machine per spec (the VM keeps MMIO mappings). Returns the
 * machine_add_device/machine_attach result; ids[0] the most specific
 * hardware ID. */
static int machine_try(const char *spec, char ids[4][64], char *err, size_t errlen)
{
    FILE *log = tmpfile();
    Vm *vm = vm_create(NULL);
    NtOptions opt = {.log = log};
    Nt *nt = nt_create(vm, &opt);
    Machine *m = machine_create(vm, nt);
    assert_non_null(m);
    int rc = machine_add_device(m, spec, err, errlen);
    if (rc == 0)
        rc = machine_attach(m, err, errlen);
    if (rc == 0)
        assert_int_equal(machine_nic_hwids(m, ids, 4), 4);
    machine_destroy(m);
    nt_destroy(nt);
    vm_destroy(vm);
    fclose(log);
    return rc;
}

static void expect_hwid(const char *spec, const char *want)
{
    char err[256] = "", ids[4][64];
    if (machine_try(spec, ids, err, sizeof err) < 0)
        fail_msg("%s: %s", spec, err);
    assert_string_equal(ids[0], want);
}

static void expect_refused(const char *spec, const char *want)
{
    char err[256] = "", ids[4][64];
    int rc = machine_try(spec, ids, err, sizeof err);
    if (rc == 0 || !strstr(err, want))
        fail_msg("%s: expected \"%s\", got %d \"%s\"", spec, want, rc, err);
}

static void test_device_identity_options(void **state)
{
    (void)state;
    expect_hwid("rtl8139", "PCI\\VEN_10EC&DEV_8139&SUBSYS_813910EC&REV_10");
    expect_hwid("rtl8139,vendor=0x1186,device=0x1300",
                "PCI\\VEN_1186&DEV_1300&SUBSYS_813910EC&REV_10");
    expect_hwid("rtl8139,vendor=0x1186,device=0x1300,subsys=1186:1301,rev=0x20",
                "PCI\\VEN_1186&DEV_1300&SUBSYS_13011186&REV_20");
    /* later options override earlier ones (the INF's identity comes first) */
    expect_hwid("rtl8139,vendor=0x1186,device=0x1300,device=0x1340,mac=02:00:00:00:00:01",
                "PCI\\VEN_1186&DEV_1340&SUBSYS_813910EC&REV_10");
    expect_hwid("ne2000,subsys=10b8:2011", "PCI\\VEN_10EC&DEV_8029&SUBSYS_201110B8&REV_00");
    expect_hwid("pcnet,vendor=4131,rev=22", "PCI\\VEN_1023&DEV_2000&SUBSYS_00000000&REV_16");
}

static void test_device_identity_options_refused(void **state)
{
    (void)state;
    expect_refused("rtl8139,vendor=0xFFFF", "vendor=0xFFFF: needs a PCI vendor ID");
    expect_refused("rtl8139,device=0x10000", "device=0x10000: needs a PCI device ID");
    expect_refused("rtl8139,rev=0x100", "rev=0x100: needs a revision ID");
    expect_refused("rtl8139,subsys=1186", "subsys=1186: needs VVVV:SSSS");
    expect_refused("rtl8139,subsys=1186:13011", "subsys=1186:13011: needs VVVV:SSSS");
    expect_refused("rtl8139,subsys=-1:1", "subsys=-1:1: needs VVVV:SSSS");
    expect_refused("rtl8139,subsys=0x1186:0x1301", "needs VVVV:SSSS");
    /* an ISA card and the test device have no PCI identity */
    expect_refused("ne2000-isa,vendor=0x10ec", "ne2000-isa takes no option 'vendor' (it takes: mac, io, irq)");
    expect_refused("testdev,device=0x1234", "testdev takes no option 'device' (it takes: io, mmio)");
    char longspec[400] = "rtl8139";
    while (strlen(longspec) < 300)
        strcat(longspec, ",rev=0x10");
    expect_refused(longspec, "longer than 255 characters");
}

/* ---- board tables ---- */

static void test_board_tables(void **state)
{
    (void)state;
    NicModelInfo m;
    unsigned models = 0, pci = 0;
    for (unsigned i = 0; machine_nic_model_info(i, &m) == 0; i++, models++) {
        assert_non_null(m.name);
        assert_int_equal(machine_spec_nic_model(m.name), (int)i);
        if (m.isa) {
            assert_int_equal(m.nboards, 0);
            continue;
        }
        pci++;
        assert_true(m.nboards > 0);
        int own = 0;
        for (unsigned b = 0; b < m.nboards; b++) {
            const PciBoard *e = &m.boards[b];
            assert_true(e->name && *e->name);
            assert_true(e->vendor != 0xFFFF);
            /* a subsystem is both IDs or neither */
            assert_true(e->subsys_vendor || !e->subsys_id);
            own |= e->vendor == m.vendor && e->device == m.device;
            for (unsigned c = 0; c < b; c++) {
                const PciBoard *f = &m.boards[c];
                if (f->vendor == e->vendor && f->device == e->device &&
                    f->subsys_vendor == e->subsys_vendor && f->subsys_id == e->subsys_id)
                    fail_msg("%s: %04x:%04x %04x:%04x listed twice", m.name, e->vendor, e->device,
                             e->subsys_vendor, e->subsys_id);
            }
        }
        /* the chip's own ID is a board too (Realtek's, AMD's reference boards) */
        assert_true(own);
    }
    assert_true(models >= 4);
    assert_true(pci >= 3);
    assert_int_equal(machine_spec_nic_model("rtl8139,mac=02:00:00:00:00:01"), 0);
    assert_int_equal(machine_spec_nic_model("testdev"), -1);
    assert_int_equal(machine_spec_nic_model("rtl81"), -1);
    assert_int_equal(machine_nic_model_info(models, &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtl8139_identity_mechanism1),
        cmocka_unit_test(test_rtl8139_autoload_ignored_vid_did),
        cmocka_unit_test(test_rtl8139_identity_survives_reset),
        cmocka_unit_test(test_identity_refuses_no_device_vendor),
        cmocka_unit_test(test_rtl8029_subsys_only_inf_refused),
        cmocka_unit_test(test_ne2000_identity_mechanism1),
        cmocka_unit_test(test_pcnet_identity_mechanism1),
        cmocka_unit_test(test_device_identity_options),
        cmocka_unit_test(test_device_identity_options_refused),
        cmocka_unit_test(test_board_tables),
    };
    return cmocka_run_group_tests_name("board_identity", tests, NULL, NULL);
}
