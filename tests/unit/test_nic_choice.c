/* INF-driven model choice (src/machine/boards.c): the INF's first hardware
 * ID a model can present chooses the model and the identity it presents
 * (Microsoft "Identifiers for PCI Devices": SUBSYS and REV presented
 * exactly); PCMCIA, ISA PnP and EISA-style IDs choose the ISA NE2000 with
 * the resources the INF's LogConfig allows ("INF LogConfig Directive"); no
 * match is one line listing what was tried and how to force a model; the
 * chosen spec, attached, presents an ID the INF lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "machine/boards.h"
#include "machine/machine.h"
#include "pe/inf.h"

typedef struct Choice {
    Inf inf;
    InfHardwareId *hw;
    int nhw;
    NicChoice c;
    char err[1024];
    int rc;
} Choice;

/* An INF whose [Models] section holds `models` (one "desc = install, id
 * [, id]..." per line), each install section `logconfig` (may be ""). */
static Choice *choose(const char *models, const char *install_extra, const char *user_spec)
{
    static char text[8192];
    snprintf(text, sizeof text,
             "[Version]\nSignature = \"$Windows NT$\"\nClass = Net\n"
             "[Manufacturer]\nAcme = Models\n[Models]\n%s\n"
             "[Dev.ndi]\nCharacteristics = 0x84\n%s\n"
             "[Dev.ndi.Services]\nAddService = acme, 2, Svc\n[Svc]\nServiceType = 1\n",
             models, install_extra);
    Choice *ch = calloc(1, sizeof *ch);
    if (inf_parse(&ch->inf, text, strlen(text)) < 0)
        fail_msg("inf_parse: %s", ch->inf.err);
    char ierr[INF_ERR_MAX];
    ch->nhw = inf_hardware_ids_err(&ch->inf, &ch->hw, ierr);
    assert_true(ch->nhw >= 0);
    ch->rc =
        machine_choose_nic(&ch->inf, ch->hw, ch->nhw, user_spec, &ch->c, ch->err, sizeof ch->err);
    return ch;
}

static void choice_free(Choice *ch)
{
    if (ch->hw)
        inf_free_hwids(ch->hw, (size_t)ch->nhw);
    inf_free(&ch->inf);
    free(ch);
}

static void expect_choice(const char *models, const char *extra, const char *user, const char *spec,
                          const char *what, int hwid)
{
    Choice *ch = choose(models, extra, user);
    if (ch->rc != 1)
        fail_msg("expected %s, got %d: %s", spec, ch->rc, ch->err);
    assert_string_equal(ch->c.spec, spec);
    assert_string_equal(ch->c.what, what);
    assert_int_equal(ch->c.hwid, hwid);
    choice_free(ch);
}

/* ---- PCI ---- */

/* Regression: a board maker's INF listing only its own IDs (D-Link's
 * 1186:1300 for an RTL8139 board) was refused: the model presented one
 * fixed identity, Realtek's. */
static void test_oem_rtl8139_inf_refused(void **state)
{
    (void)state;
    /* no SUBSYS in the ID: the board table's subsystem for 1186:1300 */
    expect_choice("\"DFE\" = Dev.ndi, PCI\\VEN_1186&DEV_1300", "", NULL,
                  "rtl8139,vendor=0x1186,device=0x1300,subsys=1186:1300", "D-Link DFE-538TX", 0);
    /* SUBSYS presented exactly, and it names the board */
    expect_choice("\"DFE\" = Dev.ndi, PCI\\VEN_1186&DEV_1300&SUBSYS_13011186", "", NULL,
                  "rtl8139,vendor=0x1186,device=0x1300,subsys=1186:1301", "D-Link DFE-530TX+", 0);
    /* VEN/DEV without a subsystem in the table, lower-case hex, REV */
    expect_choice("\"X\" = Dev.ndi, pci\\ven_1186&dev_1340&rev_10", "", NULL,
                  "rtl8139,vendor=0x1186,device=0x1340,rev=0x10", "D-Link DFE-690TXD CardBus", 0);
}

static void test_oem_id_attached_matches_inf(void **state)
{
    (void)state;
    Choice *ch =
        choose("\"DFE\" = Dev.ndi, PCI\\VEN_1186&DEV_1300&SUBSYS_13011186&REV_20", "", NULL);
    assert_int_equal(ch->rc, 1);
    FILE *log = tmpfile();
    Vm *vm = vm_create(NULL);
    NtOptions opt = {.log = log};
    Nt *nt = nt_create(vm, &opt);
    Machine *m = machine_create(vm, nt);
    char err[256], ids[4][64];
    assert_int_equal(machine_add_device(m, ch->c.spec, err, sizeof err), 0);
    assert_int_equal(machine_attach(m, err, sizeof err), 0);
    assert_int_equal(machine_nic_hwids(m, ids, 4), 4);
    /* the most specific ID Windows builds is the one the INF lists */
    assert_int_equal(strcasecmp(ids[0], ch->hw[0].hwid), 0);
    machine_destroy(m);
    nt_destroy(nt);
    vm_destroy(vm);
    fclose(log);
    choice_free(ch);
}

static void test_chip_ids_and_other_models(void **state)
{
    (void)state;
    expect_choice("\"R\" = Dev.ndi, PCI\\VEN_10EC&DEV_8139", "", NULL,
                  "rtl8139,vendor=0x10ec,device=0x8139,subsys=10ec:8139",
                  "Realtek RTL8139 PCI Fast Ethernet Adapter", 0);
    expect_choice("\"N\" = Dev.ndi, PCI\\VEN_10EC&DEV_8029&SUBSYS_802910EC", "", NULL,
                  "ne2000,vendor=0x10ec,device=0x8029,subsys=10ec:8029", "Realtek RTL8029(AS)", 0);
    expect_choice("\"W\" = Dev.ndi, PCI\\VEN_1050&DEV_0940", "", NULL,
                  "ne2000,vendor=0x1050,device=0x0940", "Winbond W89C940 board", 0);
    /* PCnet: the chip's own entry names no subsystem: the model's (0) stays */
    expect_choice("\"P\" = Dev.ndi, PCI\\VEN_1022&DEV_2000", "", NULL,
                  "pcnet,vendor=0x1022,device=0x2000", "AMD PCnet-PCI II (Am79C970A)", 0);
    expect_choice("\"P\" = Dev.ndi, PCI\\VEN_1022&DEV_2000&SUBSYS_24501259&REV_10", "", NULL,
                  "pcnet,vendor=0x1022,device=0x2000,subsys=1259:2450,rev=0x10",
                  "Allied Telesis AT-2450 10/100", 0);
}

static void test_inf_order_wins(void **state)
{
    (void)state;
    /* the INF's models in order, not the models' */
    expect_choice("\"P\" = Dev.ndi, PCI\\VEN_1022&DEV_2000\n"
                  "\"R\" = Dev.ndi, PCI\\VEN_10EC&DEV_8139",
                  "", NULL, "pcnet,vendor=0x1022,device=0x2000", "AMD PCnet-PCI II (Am79C970A)", 0);
    /* IDs no model presents are passed over, class-code IDs and malformed
     * ones too */
    expect_choice("\"U\" = Dev.ndi, PCI\\VEN_1234&DEV_5678, PCI\\CC_020000, PCI\\VEN_10EC&CC_0200\n"
                  "\"B\" = Dev.ndi, PCI\\VEN_10EC&DEV_813, PCI\\VEN_10EC&DEV_8139&, "
                  "PCI\\VEN_10EC&DEV_8139&DEV_8139, PCI\\VEN_10EC&DEV_8139&FOO_1\n"
                  "\"R\" = Dev.ndi, PCI\\VEN_10EC&DEV_8139&REV_10",
                  "", NULL, "rtl8139,vendor=0x10ec,device=0x8139,subsys=10ec:8139,rev=0x10",
                  "Realtek RTL8139 PCI Fast Ethernet Adapter", 7);
}

static void test_user_device_takes_inf_identity(void **state)
{
    (void)state;
    /* --device MODEL: only that model, the user's options after the INF's */
    expect_choice("\"P\" = Dev.ndi, PCI\\VEN_1022&DEV_2000\n"
                  "\"R\" = Dev.ndi, PCI\\VEN_1186&DEV_1300&SUBSYS_13011186",
                  "", "rtl8139,mac=02:00:00:00:00:01,rev=0x20",
                  "rtl8139,vendor=0x1186,device=0x1300,subsys=1186:1301,mac=02:00:00:00:00:01,"
                  "rev=0x20",
                  "D-Link DFE-530TX+", 1);
    /* vendor= or device= of the user's: the user's identity stands */
    Choice *ch = choose("\"R\" = Dev.ndi, PCI\\VEN_1186&DEV_1300", "", "rtl8139,vendor=0x1234");
    assert_int_equal(ch->rc, 0);
    choice_free(ch);
    /* a model that presents none of the IDs: nothing chosen, not an error
     * (the run then checks the IDs the device presents) */
    ch = choose("\"P\" = Dev.ndi, PCI\\VEN_1022&DEV_2000", "", "rtl8139");
    assert_int_equal(ch->rc, 0);
    assert_string_equal(ch->err, "");
    choice_free(ch);
}

/* ---- ISA and PC Card ---- */

static void test_pcmcia_inf_selects_isa_model(void **state)
{
    (void)state;
    static const char lc[] = "LogConfig = LC.Hard, LC.Soft, LC.Off\n"
                             "[LC.Hard]\nConfigPriority = HARDRECONFIG\n"
                             "IOConfig = 340-35F\nIRQConfig = 3\n"
                             "[LC.Soft]\nConfigPriority = DESIRED\n"
                             "IOConfig = 20@310-37F%FFE0(3FF::)\nIRQConfig = L:1,9,10\n"
                             "[LC.Off]\nConfigPriority = DISABLED\n";
    /* DESIRED first: the first aligned base from 310h is 320h; IRQ 1 is
     * not one the card can take */
    expect_choice("\"C\" = Dev.ndi, PCMCIA\\ACME-NE2000-1234, *PNP80D6", lc, NULL,
                  "ne2000-isa,io=0x320,irq=9", "io=0x320, irq=9 from [LC.Soft]", 0);
    /* the user's io=/irq= override the INF's */
    expect_choice("\"C\" = Dev.ndi, PCMCIA\\ACME-NE2000-1234", lc, "ne2000-isa,irq=5",
                  "ne2000-isa,io=0x320,irq=9,irq=5", "io=0x320, irq=9 from [LC.Soft]", 0);
    /* no LogConfig: the model's defaults */
    expect_choice("\"C\" = Dev.ndi, ISAPNP\\ACM0001", "", NULL, "ne2000-isa",
                  "the INF gives no LogConfig", 0);
    expect_choice("\"C\" = Dev.ndi, *PNP80D6", "LogConfig = LC\n[LC]\nIRQConfig = 11\n", NULL,
                  "ne2000-isa,io=0x300,irq=11", "io=0x300, irq=11 from [LC]", 0);
    /* a PCI ID before the ISA one wins, as the INF orders them */
    expect_choice("\"N\" = Dev.ndi, PCI\\VEN_10EC&DEV_8029\n\"I\" = Dev.ndi, *PNP80D6", "", NULL,
                  "ne2000,vendor=0x10ec,device=0x8029,subsys=10ec:8029", "Realtek RTL8029(AS)", 0);
    /* with --device ne2000-isa the ISA ID of the same INF */
    expect_choice("\"N\" = Dev.ndi, PCI\\VEN_10EC&DEV_8029\n\"I\" = Dev.ndi, *PNP80D6", "",
                  "ne2000-isa", "ne2000-isa", "the INF gives no LogConfig", 1);
}

static void test_logconfig_nothing_fits(void **state)
{
    (void)state;
    /* 16 ports cannot hold the card's 32, IRQ 0 and 1 are the system's */
    Choice *ch = choose("\"C\" = Dev.ndi, *PNP80D6",
                        "LogConfig = A, B\n[A]\nIOConfig = 300-30F\n[B]\nIRQConfig = 0,1\n", NULL);
    assert_int_equal(ch->rc, -1);
    assert_non_null(strstr(ch->err, "LogConfig of Dev.ndi allows no setting the ne2000-isa model"));
    choice_free(ch);
    ch = choose("\"C\" = Dev.ndi, *PNP80D6", "LogConfig = A\n[A]\nIOConfig = 3zz\n", NULL);
    assert_int_equal(ch->rc, -1);
    assert_non_null(strstr(ch->err, "LogConfig of Dev.ndi: line"));
    assert_non_null(strstr(ch->err, "bad IOConfig range '3zz'"));
    choice_free(ch);
}

/* ---- nothing matches ---- */

static void test_no_match_lists_ids(void **state)
{
    (void)state;
    char models[1024] = "";
    for (int i = 0; i < 12; i++) {
        char line[80];
        snprintf(line, sizeof line, "\"U\" = Dev.ndi, PCI\\VEN_1234&DEV_56%02X\n", i);
        strcat(models, line);
    }
    /* duplicates are listed once */
    strcat(models, "\"U\" = Dev.ndi, pci\\ven_1234&dev_5600\n");
    Choice *ch = choose(models, "", NULL);
    assert_int_equal(ch->rc, -1);
    assert_null(strchr(ch->err, '\n'));
    assert_non_null(strstr(ch->err, "models tried: rtl8139, ne2000, ne2000-isa, pcnet"));
    assert_non_null(
        strstr(ch->err, "the INF lists PCI\\VEN_1234&DEV_5600, PCI\\VEN_1234&DEV_5601"));
    assert_non_null(strstr(ch->err, "PCI\\VEN_1234&DEV_5607, ... (12 in all)"));
    assert_null(strstr(ch->err, "DEV_5608"));
    assert_non_null(
        strstr(ch->err, "to force a model: --device MODEL,vendor=0x1234,device=0x5600"));
    choice_free(ch);
}

static void test_no_hardware_no_choice(void **state)
{
    (void)state;
    /* software-only IDs: no network controller to choose, not an error */
    Choice *ch = choose("\"V\" = Dev.ndi, ROOT\\ACMEVNIC, SW\\{1234}", "", NULL);
    assert_int_equal(ch->rc, 0);
    assert_int_equal(ch->c.hwid, -1);
    assert_false(machine_inf_lists_hardware(ch->hw, ch->nhw));
    choice_free(ch);
    /* "*" alone is no EISA-style ID */
    ch = choose("\"V\" = Dev.ndi, *", "", NULL);
    assert_int_equal(ch->rc, 0);
    choice_free(ch);
    /* not a network adapter's INF (a PCI sound card's): no choice, no error */
    Inf inf;
    static const char snd[] = "[Version]\nClass = MEDIA\n[Manufacturer]\nA = M\n"
                              "[M]\n\"S\" = S.ndi, PCI\\VEN_1274&DEV_1371\n";
    assert_int_equal(inf_parse(&inf, snd, strlen(snd)), 0);
    InfHardwareId *hw;
    int n = inf_hardware_ids(&inf, &hw);
    NicChoice c;
    char err[256] = "";
    assert_int_equal(machine_choose_nic(&inf, hw, n, NULL, &c, err, sizeof err), 0);
    assert_string_equal(err, "");
    inf_free_hwids(hw, (size_t)n);
    inf_free(&inf);
}

static void test_id_list_and_hint(void **state)
{
    (void)state;
    InfHardwareId hw[3] = {{.hwid = "*PNP80D6"},
                           {.hwid = "PCI\\VEN_8086&DEV_100E&SUBSYS_001E8086"},
                           {.hwid = "*pnp80d6"}};
    char buf[256];
    machine_inf_id_list(hw, 3, 8, buf, sizeof buf);
    assert_string_equal(buf, "*PNP80D6, PCI\\VEN_8086&DEV_100E&SUBSYS_001E8086");
    machine_inf_id_list(hw, 3, 1, buf, sizeof buf);
    assert_string_equal(buf, "*PNP80D6, ... (2 in all)");
    machine_inf_id_list(hw, 0, 8, buf, sizeof buf);
    assert_string_equal(buf, "none");
    machine_inf_force_hint(hw, 3, "rtl8139", buf, sizeof buf);
    assert_string_equal(buf, "--device rtl8139,vendor=0x8086,device=0x100e");
    machine_inf_force_hint(hw, 1, NULL, buf, sizeof buf);
    assert_string_equal(buf, "--device MODEL,vendor=0xVVVV,device=0xDDDD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oem_rtl8139_inf_refused),
        cmocka_unit_test(test_oem_id_attached_matches_inf),
        cmocka_unit_test(test_chip_ids_and_other_models),
        cmocka_unit_test(test_inf_order_wins),
        cmocka_unit_test(test_user_device_takes_inf_identity),
        cmocka_unit_test(test_pcmcia_inf_selects_isa_model),
        cmocka_unit_test(test_logconfig_nothing_fits),
        cmocka_unit_test(test_no_match_lists_ids),
        cmocka_unit_test(test_no_hardware_no_choice),
        cmocka_unit_test(test_id_list_and_hint),
    };
    return cmocka_run_group_tests_name("nic_choice", tests, NULL, NULL);
}
