/* Unit tests for the in-memory registry (src/nt/ntoskrnl/registry.c): key
 * paths, values, the kernel handle table, `--param NAME=VALUE` parsing and
 * filling the registry from an INF. No guest: the registry is host code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ntoskrnl/registry.h"

#define SVC NT_REG_SERVICES "\\ktsvc"

static int setup(void **state)
{
    Nt *nt = calloc(1, sizeof *nt);
    if (!nt)
        return -1;
    nt->opt.log = tmpfile();
    if (!nt->opt.log || nt_reg_init(nt) < 0)
        return -1;
    *state = nt;
    return 0;
}

static int teardown(void **state)
{
    Nt *nt = *state;
    nt_reg_fini(nt);
    fclose(nt->opt.log);
    free(nt);
    return 0;
}

static uint32_t dword_of(const NtRegValue *v)
{
    assert_non_null(v);
    assert_int_equal(v->len, 4);
    return (uint32_t)(v->data[0] | v->data[1] << 8 | v->data[2] << 16 | (uint32_t)v->data[3] << 24);
}

/* A REG_SZ value equals the ASCII text `s` (UTF-16LE with its NUL). */
static void assert_sz(const NtRegValue *v, uint32_t type, const char *s)
{
    assert_non_null(v);
    assert_int_equal(v->type, type);
    size_t n = strlen(s);
    assert_int_equal(v->len, 2 * n + 2);
    for (size_t i = 0; i <= n; i++) {
        assert_int_equal(v->data[2 * i], (uint8_t)s[i]);
        assert_int_equal(v->data[2 * i + 1], 0);
    }
}

static void test_registry_paths(void **state)
{
    Nt *nt = *state;
    /* the base keys exist */
    assert_non_null(nt_reg_open(nt, NULL, NT_REG_SERVICES));
    assert_non_null(nt_reg_open(nt, NULL, "\\registry\\MACHINE\\system"));
    /* malformed paths */
    assert_null(nt_reg_open(nt, NULL, ""));
    assert_null(nt_reg_open(nt, NULL, "\\"));
    assert_null(nt_reg_open(nt, NULL, "Registry\\Machine"));
    assert_null(nt_reg_open(nt, NULL, "\\Registry\\\\Machine"));
    assert_null(nt_reg_open(nt, NULL, "\\Registry\\Machine\\"));
    /* create: without `intermediate` the parent must exist */
    int created = -1;
    assert_null(nt_reg_create(nt, NULL, "\\Registry\\Machine\\A\\B", 0, &created));
    NtRegKey *a = nt_reg_create(nt, NULL, "\\Registry\\Machine\\A", 0, &created);
    assert_non_null(a);
    assert_int_equal(created, 1);
    assert_ptr_equal(nt_reg_create(nt, NULL, "\\REGISTRY\\machine\\a", 0, &created), a);
    assert_int_equal(created, 0);
    NtRegKey *c = nt_reg_create(nt, a, "B\\C", 1, &created);
    assert_non_null(c);
    assert_int_equal(created, 1);
    assert_string_equal(nt_reg_key_name(c), "C");
    assert_ptr_equal(nt_reg_open(nt, NULL, "\\Registry\\Machine\\a\\b\\c"), c);
    /* relative paths do not start with '\' */
    assert_null(nt_reg_open(nt, a, "\\B"));
    /* delete: only leaves */
    NtRegKey *b = nt_reg_open(nt, a, "B");
    assert_int_equal(nt_reg_delete_key(nt, b), -1);
    assert_int_equal(nt_reg_delete_key(nt, c), 0);
    assert_true(nt_reg_key_deleted(c));
    assert_null(nt_reg_open(nt, a, "B\\C"));
    assert_null(nt_reg_open(nt, c, "x"));
    assert_int_equal(nt_reg_subkey_count(b), 0);
}

static void test_registry_values(void **state)
{
    Nt *nt = *state;
    NtRegKey *k = nt_reg_create(nt, NULL, "\\Registry\\Machine\\V", 1, NULL);
    assert_non_null(k);
    uint32_t d = 0x11223344;
    assert_int_equal(nt_reg_set_value(k, "Num", 4, &d, 4), 0);
    assert_int_equal(dword_of(nt_reg_get_value(k, "num")), 0x11223344);
    assert_int_equal(nt_reg_set_value(k, "", 3, "ab", 2), 0); /* default value */
    assert_int_equal(nt_reg_value_count(k), 2);
    /* replacing keeps the position and takes the new type */
    assert_int_equal(nt_reg_set_value(k, "NUM", 3, "xyz", 3), 0);
    assert_int_equal(nt_reg_value_count(k), 2);
    const NtRegValue *v = nt_reg_value_at(k, 0);
    assert_string_equal(v->name, "Num");
    assert_int_equal(v->type, 3);
    assert_int_equal(v->len, 3);
    assert_int_equal(nt_reg_delete_value(k, "num"), 0);
    assert_int_equal(nt_reg_delete_value(k, "num"), -1);
    assert_null(nt_reg_get_value(k, "Num"));
    assert_int_equal(nt_reg_set_string(nt, "\\Registry\\Machine\\V\\W", "S", REG_SZ, "hi"), 0);
    assert_sz(nt_reg_get_value(nt_reg_open(nt, NULL, "\\Registry\\Machine\\V\\W"), "S"), REG_SZ,
              "hi");
}

static void test_registry_handles(void **state)
{
    Nt *nt = *state;
    int x = 1, y = 2;
    uint32_t h1 = nt_handle_create(nt, NT_HANDLE_KEY, &x, NULL);
    uint32_t h2 = nt_handle_create(nt, NT_HANDLE_OTHER, &y, NULL);
    assert_true(h1 & 0x80000000u);
    assert_int_equal(h1 & 3, 0);
    assert_int_not_equal(h1, h2);
    assert_ptr_equal(nt_handle_get(nt, h1, NT_HANDLE_KEY), &x);
    assert_null(nt_handle_get(nt, h2, NT_HANDLE_KEY)); /* wrong kind */
    assert_null(nt_handle_get(nt, 0, NT_HANDLE_KEY));
    assert_null(nt_handle_get(nt, h1 + 1, NT_HANDLE_KEY));
    assert_int_equal(nt_handle_count(nt), 2);
    assert_int_equal(nt_handle_close(nt, h1), 0);
    assert_int_equal(nt_handle_close(nt, h1), -1);
    assert_null(nt_handle_get(nt, h1, NT_HANDLE_KEY));
    assert_int_equal(nt_handle_close(nt, 0x12345678), -1);
    /* a freed slot is reused */
    assert_int_equal(nt_handle_create(nt, NT_HANDLE_KEY, &x, NULL), h1);
    assert_int_equal(nt_handle_count(nt), 2);
}

static void test_registry_param_parsing(void **state)
{
    Nt *nt = *state;
    uint32_t v;
    assert_true(nt_reg_parse_number("123", &v) && v == 123);
    assert_true(nt_reg_parse_number("0x7b", &v) && v == 123);
    assert_true(nt_reg_parse_number("0X7B", &v) && v == 123);
    assert_true(nt_reg_parse_number("4294967295", &v) && v == 0xFFFFFFFFu);
    assert_true(nt_reg_parse_number("0", &v) && v == 0);
    static const char *const bad[] = {"",   "4294967296", "0x100000000", "12a", "-1", "0x",
                                      " 1", "1 ",         "abc",         "+5",  "0xg"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(nt_reg_parse_number(bad[i], &v));

    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Speed", "dword:100"), 0);
    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Mask", "dword:0xff00"), 0);
    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Duplex", "100"), 0);
    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Bad", "dword:12a"), -1);
    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Mode", "auto"), 0);
    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Empty", ""), 0);
    NtRegKey *p = nt_reg_open(nt, NULL, SVC "\\Parameters");
    assert_non_null(p);
    assert_int_equal(nt_reg_get_value(p, "Speed")->type, REG_DWORD);
    assert_int_equal(dword_of(nt_reg_get_value(p, "Speed")), 100);
    assert_int_equal(dword_of(nt_reg_get_value(p, "mask")), 0xff00);
    assert_sz(nt_reg_get_value(p, "Mode"), REG_SZ, "auto");
    assert_sz(nt_reg_get_value(p, "Duplex"), REG_SZ, "100"); /* numbers stay strings */
    assert_null(nt_reg_get_value(p, "Bad"));
    assert_sz(nt_reg_get_value(p, "Empty"), REG_SZ, "");
    /* a bad service name is refused */
    assert_int_equal(nt_reg_set_param(nt, "", "x", "1"), -1);
    assert_int_equal(nt_reg_set_param(nt, "a\\b", "x", "1"), -1);
}

static void test_registry_ensure_service(void **state)
{
    Nt *nt = *state;
    assert_int_equal(nt_reg_set_param(nt, "ktsvc", "Start", "1"),
                     0); /* under Parameters: no effect */
    assert_int_equal(nt_reg_ensure_service(nt, "ktsvc", "kt.sys"), 0);
    NtRegKey *k = nt_reg_open(nt, NULL, SVC);
    assert_int_equal(dword_of(nt_reg_get_value(k, "Type")), 1);
    assert_int_equal(dword_of(nt_reg_get_value(k, "Start")), 3);
    assert_int_equal(dword_of(nt_reg_get_value(k, "ErrorControl")), 1);
    assert_sz(nt_reg_get_value(k, "ImagePath"), REG_EXPAND_SZ,
              "\\SystemRoot\\System32\\drivers\\kt.sys");
    /* existing values are kept */
    assert_int_equal(nt_reg_set_dword(nt, SVC, "Start", 2), 0);
    assert_int_equal(nt_reg_ensure_service(nt, "ktsvc", "kt.sys"), 0);
    assert_int_equal(dword_of(nt_reg_get_value(k, "Start")), 2);
}

static const char test_inf[] =
    "[Version]\n"
    "Signature=\"$Windows NT$\"\n"
    "Class=Net\n"
    "[Manufacturer]\n"
    "%Mfg%=Models,NTx86\n"
    "[Models.NTx86]\n"
    "%Desc%=KT_Install, PCI\\VEN_1234&DEV_5678\n"
    "[KT_Install]\n"
    "AddReg=KT_Reg\n"
    "[KT_Install.Services]\n"
    "AddService=ktsvc, 2, KT_Service\n"
    "[KT_Service]\n"
    "ServiceType=1\n"
    "StartType=3\n"
    "ErrorControl=1\n"
    "ServiceBinary=%12%\\kt.sys\n"
    "AddReg=KT_SvcReg\n"
    "[KT_Reg]\n"
    "HKR,,Speed,0x00010001,100\n"
    "HKR,Ndi\\params\\Mode,default,,\"auto\"\n"
    "HKR,,List,0x00010000,\"a\",\"bc\"\n"
    "HKR,,Mac,0x00000001,00,e0,4c\n"
    "HKLM,Software\\KTestInf,Flag,0x00010001,0x7\n"
    "[KT_SvcReg]\n"
    "HKR,,SvcValue,0x00010001,5\n"
    "HKR,,Speed,0x00010003,200\n" /* FLG_ADDREG_NOCLOBBER */
    "[Strings]\n"
    "Mfg=\"KT\"\n"
    "Desc=\"KT device\"\n";

static void test_registry_load_inf(void **state)
{
    Nt *nt = *state;
    Inf inf;
    char err[256] = "";
    assert_int_equal(inf_parse(&inf, test_inf, sizeof test_inf - 1), 0);
    int rc = nt_reg_load_inf(nt, &inf, "ktsvc", err, sizeof err);
    if (rc)
        fail_msg("nt_reg_load_inf: %s", err);
    /* the device install's HKR: the driver key, kept as Services\ktsvc\Parameters */
    NtRegKey *k = nt_reg_open(nt, NULL, SVC "\\Parameters");
    assert_non_null(k);
    assert_int_equal(dword_of(nt_reg_get_value(k, "Speed")), 100);
    assert_null(nt_reg_get_value(k, "SvcValue"));
    const NtRegValue *list = nt_reg_get_value(k, "List");
    assert_non_null(list);
    assert_int_equal(list->type, REG_MULTI_SZ);
    static const uint8_t want[] = {'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0, 0, 0};
    assert_int_equal(list->len, sizeof want);
    assert_memory_equal(list->data, want, sizeof want);
    const NtRegValue *mac = nt_reg_get_value(k, "Mac");
    assert_non_null(mac);
    assert_int_equal(mac->type, REG_BINARY);
    assert_int_equal(mac->len, 3);
    assert_int_equal(mac->data[1], 0xe0);
    NtRegKey *mode = nt_reg_open(nt, k, "Ndi\\params\\Mode");
    assert_non_null(mode);
    assert_sz(nt_reg_get_value(mode, "default"), REG_SZ, "auto");
    /* the service install's HKR: the service key itself */
    NtRegKey *svc = nt_reg_open(nt, NULL, SVC);
    assert_non_null(svc);
    assert_int_equal(dword_of(nt_reg_get_value(svc, "SvcValue")), 5);
    assert_int_equal(dword_of(nt_reg_get_value(svc, "Speed")), 200);
    assert_null(nt_reg_get_value(svc, "List"));
    /* FLG_ADDREG_NOCLOBBER keeps a value that exists */
    assert_int_equal(nt_reg_load_inf(nt, &inf, "ktsvc", err, sizeof err), 0);
    assert_int_equal(nt_reg_set_dword(nt, SVC, "Speed", 300), 0);
    assert_int_equal(nt_reg_load_inf(nt, &inf, "ktsvc", err, sizeof err), 0);
    assert_int_equal(dword_of(nt_reg_get_value(svc, "Speed")), 300);
    assert_int_equal(dword_of(nt_reg_get_value(
                         nt_reg_open(nt, NULL, "\\Registry\\Machine\\Software\\KTestInf"), "Flag")),
                     7);
    /* a service no install section names: the first model's values */
    assert_int_equal(nt_reg_load_inf(nt, &inf, "other", err, sizeof err), 0);
    assert_non_null(
        nt_reg_get_value(nt_reg_open(nt, NULL, NT_REG_SERVICES "\\other\\Parameters"), "Speed"));
    assert_int_equal(nt_reg_load_inf(nt, &inf, "", err, sizeof err), -1);
    inf_free(&inf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_param_parsing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_ensure_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry_load_inf, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
