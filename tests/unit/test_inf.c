/* Unit tests for src/pe/inf.c: INF syntax (Microsoft "General Syntax Rules
 * for INF Files", "INF Strings Section"), the Manufacturer/Models walk, the
 * AddReg values of an install section and its service, refused input, and
 * byte-flip/truncation sweeps over a realistic NDIS NIC INF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pe/inf.h"

/* An NE2000-compatible PCI NIC INF in the layout NDIS miniport INFs use. */
static const char ne2k_inf[] =
    "; NE2000-compatible PCI NIC (RTL8029) -- test INF\r\n"
    "[Version]\r\n"
    "Signature   = \"$Windows NT$\"\r\n"
    "Class       = Net\r\n"
    "ClassGUID   = {4d36e972-e325-11ce-bfc1-08002be10318}\r\n"
    "Provider    = %Xdrv%\r\n"
    "DriverVer   = 01/02/2024,5.1.0.0\r\n"
    "\r\n"
    "[Manufacturer]\r\n"
    "%Realtek% = RealtekModels, NTx86, NTamd64, NTx86\r\n"
    "%Other%   = OtherModels\r\n"
    "\r\n"
    "[RealtekModels]\r\n"
    "%RTL8029.Desc% = RTL8029.Install, PCI\\VEN_10EC&DEV_8029\r\n"
    "\r\n"
    "[RealtekModels.NTx86]\r\n"
    "%RTL8029.Desc% = RTL8029.Install, PCI\\VEN_10EC&DEV_8029, , PCI\\CC_020000\r\n"
    "\r\n"
    "[RealtekModels.NTamd64]\r\n"
    "%RTL8029.Desc% = RTL8029.Install, PCI\\VEN_10EC&DEV_8029&SUBSYS_802910EC\r\n"
    "\r\n"
    "[OtherModels]\r\n"
    "\"Generic NE2000\" = NE2000.Install, *PNP80D6\r\n"
    "\r\n"
    "[RTL8029.Install]\r\n"
    "AddReg = Plain.Reg\r\n"
    "\r\n"
    "[RTL8029.Install.NT]\r\n"
    "AddReg = NT.Reg\r\n"
    "\r\n"
    "[RTL8029.Install.NTx86]\r\n"
    "Characteristics = 0x84\r\n"
    "BusType = 5\r\n"
    "AddReg = Ndi.Reg, Params.Reg\r\n"
    "AddReg = Types.Reg\r\n"
    "\r\n"
    "[RTL8029.Install.NTx86.Services]\r\n"
    "AddService = rtl8029log, 0, Log.Service\r\n"
    "AddService = rtl8029, 0x00000002, RTL8029.Service, RTL8029.EventLog\r\n"
    "\r\n"
    "[RTL8029.Install.Services]\r\n"
    "AddService = plainsvc, 2, Log.Service\r\n"
    "\r\n"
    "[NE2000.Install]\r\n"
    "AddReg = Ndi.Reg\r\n"
    "\r\n"
    "[Ndi.Reg]\r\n"
    "HKR, Ndi,            Service,    0, \"rtl8029\"\r\n"
    "HKR, Ndi\\Interfaces, UpperRange, 0, \"ndis5\"\r\n"
    "HKR, Ndi\\Interfaces                 ; a key only\r\n"
    "\r\n"
    "[Params.Reg]\r\n"
    "HKR, Ndi\\params\\DuplexMode, ParamDesc, , %Duplex%\r\n"
    "HKR, , DuplexMode, 0x00000000, \"1\"\r\n"
    "\r\n"
    "[Types.Reg]\r\n"
    "HKR, , MaxFrameSize, 0x00010001, 1514\r\n"
    "HKR, , Path, 0x00020000, \"%%SystemRoot%%\\system32\"\r\n"
    "HKR, , Filters, 0x00010000, \"a\", \"\", \"b c\"\r\n"
    "HKR, , Mac, 0x00000001, 00, e0, 4c\r\n"
    "HKR, , Nothing, 0x00020001\r\n"
    "HKR, , Big, 0x000B0001, 01,00,00,00,00,00,00,00\r\n"
    "HKR, , Gone, 0x00000004\r\n"
    "HKR, NewKey, , 0x00000010\r\n"
    "HKR, , Hex, 0X10001, 0xFF\r\n"
    "\r\n"
    "[Plain.Reg]\r\n"
    "HKR, , Plain, 0, \"plain\"\r\n"
    "[NT.Reg]\r\n"
    "HKR, , NT, 0, \"nt\"\r\n"
    "\r\n"
    "[RTL8029.Service]\r\n"
    "DisplayName   = %RTL8029.Desc%\r\n"
    "ServiceType   = 1\r\n"
    "StartType     = 3\r\n"
    "ErrorControl  = 1\r\n"
    "ServiceBinary = %12%\\rtl8029.sys\r\n"
    "AddReg        = Svc.Reg\r\n"
    "\r\n"
    "[Log.Service]\r\n"
    "ServiceType = 1\r\n"
    "AddReg = Log.Reg\r\n"
    "\r\n"
    "[Svc.Reg]\r\n"
    "HKR, Parameters, DebugLevel, 0x00010001, 0\r\n"
    "\r\n"
    "[Log.Reg]\r\n"
    "HKR, , Wrong, 0, \"log service\"\r\n"
    "\r\n"
    "[Strings]\r\n"
    "Xdrv         = \"xdrv project\"\r\n"
    "Realtek      = \"Realtek\"\r\n"
    "Other        = \"Others, Inc.\"\r\n"
    "RTL8029.Desc = \"Realtek RTL8029(AS) PCI Ethernet Adapter\"\r\n"
    "Duplex       = \"Duplex Mode\"\r\n";

static void parse_ok(Inf *inf, const char *text)
{
    if (inf_parse(inf, text, strlen(text)) != 0)
        fail_msg("inf_parse: %s", inf->err);
    assert_string_equal(inf->err, "");
}

static void expect_error(const char *text, size_t len, const char *err)
{
    Inf inf;
    int rc = inf_parse(&inf, text, len);

    if (rc == 0 || !strstr(inf.err, err))
        print_error("expected \"%s\", got rc %d \"%s\"\n", err, rc, inf.err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(inf.err, err));
    assert_null(strchr(inf.err, '\n'));
    assert_int_equal(inf.nsections, 0);
    inf_free(&inf);
}

static const InfLine *line_of(const Inf *inf, const char *section, const char *key)
{
    const InfSection *s = inf_section(inf, section);

    assert_non_null(s);
    for (size_t i = 0; i < s->nlines; i++)
        if (s->lines[i].key && strcmp(s->lines[i].key, key) == 0)
            return &s->lines[i];
    fail_msg("no %s in [%s]", key, section);
    return NULL;
}

/* ---- syntax ------------------------------------------------------------------- */

static void test_sections_and_values(void **state)
{
    Inf inf;
    const char *text = "stray = before any section\n"
                       "[Version]\n"
                       "Signature=\"$Windows NT$\"\n"
                       "[ Spaced Name ]\n"
                       "a = 1\n"
                       "[version]\n"
                       "Class = Net ; merged into [Version]\n"
                       "Empty =\n"
                       "bare line, two\n";

    (void)state;
    parse_ok(&inf, text);
    assert_int_equal(inf.nsections, 2);
    assert_string_equal(inf.sections[0].name, "Version");
    assert_int_equal(inf.sections[0].nlines, 4);
    assert_string_equal(inf_value(&inf, "VERSION", "signature"), "$Windows NT$");
    assert_string_equal(inf_value(&inf, "version", "CLASS"), "Net");
    assert_string_equal(inf_value(&inf, "Spaced Name", "a"), "1");
    assert_string_equal(inf_value(&inf, "Version", "Empty"), "");
    assert_null(inf_value(&inf, "Version", "missing"));
    assert_null(inf_value(&inf, "Nope", "a"));
    assert_null(inf_section(&inf, "Strings"));
    assert_int_equal(line_of(&inf, "Version", "Empty")->nfields, 0);
    {
        const InfLine *l = &inf.sections[0].lines[3];
        assert_null(l->key);
        assert_int_equal(l->nfields, 2);
        assert_string_equal(l->fields[0], "bare line");
        assert_string_equal(l->fields[1], "two");
        assert_int_equal(l->lineno, 9);
    }
    assert_int_equal(line_of(&inf, "Version", "Class")->lineno, 7);
    inf_free(&inf);
}

static void test_quotes_and_comments(void **state)
{
    Inf inf;
    const InfLine *l;
    const char *text =
        "[S]\n"
        "q = \"  kept  \" , \"semi;colon\", \"say \"\"hi\"\"\", \"\"\"x\"\"\", \"\"\n"
        "m = ab\"c, d\"ef , plain  text  ; a comment, with \"quotes\n"
        "\"quoted key\" = \"=\", a=b\n"
        "e = ,, \n"
        ";[NotASection]\n"
        "  ; indented comment\n";

    (void)state;
    parse_ok(&inf, text);
    assert_int_equal(inf.nsections, 1);
    l = line_of(&inf, "S", "q");
    assert_int_equal(l->nfields, 5);
    assert_string_equal(l->fields[0], "  kept  ");
    assert_string_equal(l->fields[1], "semi;colon");
    assert_string_equal(l->fields[2], "say \"hi\"");
    assert_string_equal(l->fields[3], "\"x\"");
    assert_string_equal(l->fields[4], "");
    l = line_of(&inf, "S", "m");
    assert_int_equal(l->nfields, 2);
    assert_string_equal(l->fields[0], "abc, def");
    assert_string_equal(l->fields[1], "plain  text");
    l = line_of(&inf, "S", "quoted key");
    assert_int_equal(l->nfields, 2);
    assert_string_equal(l->fields[0], "=");
    assert_string_equal(l->fields[1], "a=b");
    l = line_of(&inf, "S", "e");
    assert_int_equal(l->nfields, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(l->fields[i], "");
    assert_int_equal(inf.sections[0].nlines, 4);
    inf_free(&inf);
}

static void test_continuation(void **state)
{
    Inf inf;
    const InfLine *l;
    const char *text = "[S]\n"
                       "list = one, \\\n"
                       "       two, \\   ; comment after the backslash\n"
                       "       three\n"
                       "path = \"C:\\dir\\\"\n"
                       "next = 1\n"
                       "glued = ab\\\n"
                       "cd\n"
                       "last = end \\";

    (void)state;
    parse_ok(&inf, text);
    l = line_of(&inf, "S", "list");
    assert_int_equal(l->lineno, 2);
    assert_int_equal(l->nfields, 3);
    assert_string_equal(l->fields[0], "one");
    assert_string_equal(l->fields[1], "two");
    assert_string_equal(l->fields[2], "three");
    /* a quoted string ending in a backslash does not continue the line */
    assert_string_equal(inf_value(&inf, "S", "path"), "C:\\dir\\");
    assert_string_equal(inf_value(&inf, "S", "next"), "1");
    assert_int_equal(line_of(&inf, "S", "next")->lineno, 6);
    assert_string_equal(inf_value(&inf, "S", "glued"), "abcd");
    assert_string_equal(inf_value(&inf, "S", "last"), "end");
    inf_free(&inf);
}

static void test_line_endings(void **state)
{
    Inf inf;
    const char text[] = "[A]\r\nx = 1\ry = 2\n\n[B]\r\n\rz = 3\x1a[C]\njunk after ctrl-z";

    (void)state;
    assert_int_equal(inf_parse(&inf, text, sizeof text - 1), 0);
    assert_int_equal(inf.nsections, 2);
    assert_string_equal(inf_value(&inf, "A", "x"), "1");
    assert_string_equal(inf_value(&inf, "A", "y"), "2");
    assert_int_equal(line_of(&inf, "A", "y")->lineno, 3);
    assert_string_equal(inf_value(&inf, "B", "z"), "3");
    assert_int_equal(line_of(&inf, "B", "z")->lineno, 7);
    inf_free(&inf);
}

static void test_strings(void **state)
{
    Inf inf;
    const InfLine *l;
    const char *text =
        "[S]\n"
        "%KEY% = %name%, %NAME%, 100%%, %unknown%, 50% off, %comma%, \"%name% quoted\", %%name%%\n"
        "[Strings]\n"
        "name = \"The Name\"\n"
        "Key = real key\n"
        "comma = \"a, b\"\n"
        "pct = \"99%%\"\n"
        "[Strings.0409]\n"
        "NAME = \"US name\"\n"
        "[Strings.0407]\n"
        "name = \"Der Name\"\n"
        "german = \"nur hier\"\n"
        "[T]\n"
        "p = %pct%, %german%\n";

    (void)state;
    parse_ok(&inf, text);
    l = line_of(&inf, "S", "real key");
    assert_int_equal(l->nfields, 8);
    assert_string_equal(l->fields[0], "US name"); /* [Strings.0409] first */
    assert_string_equal(l->fields[1], "US name"); /* keys are case-insensitive */
    assert_string_equal(l->fields[2], "100%");
    assert_string_equal(l->fields[3], "%unknown%");
    assert_string_equal(l->fields[4], "50% off");
    assert_string_equal(l->fields[5], "a, b"); /* substitution never splits */
    assert_string_equal(l->fields[6], "US name quoted");
    assert_string_equal(l->fields[7], "%name%");
    assert_string_equal(inf_value(&inf, "Strings", "pct"), "99%");
    l = &inf_section(&inf, "T")->lines[0];
    assert_string_equal(l->fields[0], "99%");
    assert_string_equal(l->fields[1], "nur hier"); /* other languages last */
    inf_free(&inf);
}

static size_t to_utf16(const char *s, uint8_t *out, int be, int bom)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;

    if (bom) {
        out[o++] = be ? 0xFE : 0xFF;
        out[o++] = be ? 0xFF : 0xFE;
    }
    while (*u) {
        uint32_t c;
        uint16_t units[2];
        int n = 1;

        if (*u < 0x80)
            c = *u++;
        else if (*u < 0xE0) {
            c = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
            u += 2;
        } else if (*u < 0xF0) {
            c = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
            u += 3;
        } else {
            c = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
                (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
            u += 4;
        }
        if (c >= 0x10000) {
            units[0] = (uint16_t)(0xD800 + ((c - 0x10000) >> 10));
            units[1] = (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
            n = 2;
        } else {
            units[0] = (uint16_t)c;
        }
        for (int i = 0; i < n; i++) {
            out[o++] = (uint8_t)(be ? units[i] >> 8 : units[i]);
            out[o++] = (uint8_t)(be ? units[i] : units[i] >> 8);
        }
    }
    return o;
}

static void same_inf(const Inf *a, const Inf *b)
{
    assert_int_equal(a->nsections, b->nsections);
    for (size_t i = 0; i < a->nsections; i++) {
        const InfSection *x = &a->sections[i], *y = &b->sections[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->nlines, y->nlines);
        for (size_t j = 0; j < x->nlines; j++) {
            assert_int_equal(x->lines[j].lineno, y->lines[j].lineno);
            assert_int_equal(x->lines[j].key == NULL, y->lines[j].key == NULL);
            if (x->lines[j].key)
                assert_string_equal(x->lines[j].key, y->lines[j].key);
            assert_int_equal(x->lines[j].nfields, y->lines[j].nfields);
            for (size_t f = 0; f < x->lines[j].nfields; f++)
                assert_string_equal(x->lines[j].fields[f], y->lines[j].fields[f]);
        }
    }
}

static void test_encodings(void **state)
{
    const char *text = "[Strings]\r\nA = \"\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"\r\n";
    uint8_t *buf = malloc(4 * strlen(ne2k_inf) + 16);
    size_t n;
    Inf ref, inf;
    char bom8[64];

    (void)state;
    assert_non_null(buf);
    parse_ok(&ref, ne2k_inf);
    n = to_utf16(ne2k_inf, buf, 0, 1);
    assert_int_equal(inf_parse(&inf, (const char *)buf, n), 0);
    same_inf(&ref, &inf);
    inf_free(&inf);
    n = to_utf16(ne2k_inf, buf, 1, 1);
    assert_int_equal(inf_parse(&inf, (const char *)buf, n), 0);
    same_inf(&ref, &inf);
    inf_free(&inf);
    inf_free(&ref);

    n = to_utf16(text, buf, 0, 1);
    assert_int_equal(inf_parse(&inf, (const char *)buf, n), 0);
    assert_string_equal(inf_value(&inf, "Strings", "A"),
                        "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    inf_free(&inf);
    /* an unpaired surrogate becomes U+FFFD */
    n = to_utf16("[S]\nk = x", buf, 0, 1);
    buf[n++] = 0x00;
    buf[n++] = 0xD8;
    assert_int_equal(inf_parse(&inf, (const char *)buf, n), 0);
    assert_string_equal(inf_value(&inf, "S", "k"), "x\xEF\xBF\xBD");
    inf_free(&inf);
    /* odd byte count */
    expect_error((const char *)buf, n - 1, "truncated UTF-16 text");
    /* NUL in UTF-16 text */
    n = to_utf16("[S]\nk = a", buf, 0, 1);
    buf[n++] = 0;
    buf[n++] = 0;
    expect_error((const char *)buf, n, "line 2: NUL character");

    snprintf(bom8, sizeof bom8, "\xEF\xBB\xBF%s", "[S]\nk = v\n");
    parse_ok(&inf, bom8);
    assert_string_equal(inf.sections[0].name, "S");
    inf_free(&inf);
    free(buf);
}

static void test_syntax_errors(void **state)
{
    char *big;

    (void)state;
    {
        const char *t = "[Version]\nSignature=\"$Windows NT$\"\n\n\n\n\n\n\n\n\n\n[Broken\nx=1\n";
        Inf inf;
        assert_int_equal(inf_parse(&inf, t, strlen(t)), -1);
        assert_string_equal(inf.err, "line 12: unterminated section name");
        inf_free(&inf);
    }
    expect_error("[S]\nk = \"open\n", 13, "line 2: unterminated quoted string");
    expect_error("[S]\nk = \"a\" \"b\n", 14, "line 2: unterminated quoted string");
    expect_error("[ ]\n", 4, "line 1: empty section name");
    expect_error("[S]\nk = a\0b\n", 11, "line 2: NUL character");

    big = malloc(70000);
    assert_non_null(big);
    memset(big, 'x', 70000);
    big[0] = '[';
    big[300] = ']';
    expect_error(big, 302, "line 1: section name longer than 255 characters");
    memcpy(big, "[S]\nk = ", 8);
    expect_error(big, 70000, "line 2: line longer than 16384 characters");
    /* continuations count toward the logical line */
    for (size_t i = 8; i + 1 < 30000; i += 100) {
        big[i] = '\\';
        big[i + 1] = '\n';
    }
    expect_error(big, 30000, "line 2: line longer than 16384 characters");
    /* a field longer than MAX_INF_STRING_LENGTH */
    memset(big, 'y', 70000);
    memcpy(big, "[S]\nk = ", 8);
    expect_error(big, 5000, "line 2: string longer than 4095 characters");
    /* ... or one that becomes longer through %strkey% substitution */
    {
        char t[12000];
        int n = snprintf(t, sizeof t, "[S]\nk = %%a%%%%a%%\n[Strings]\na = \"");
        memset(t + n, 'z', 3000);
        memcpy(t + n + 3000, "\"\n", 3);
        expect_error(t, strlen(t), "line 2: string longer than 4095 characters after");
    }
    free(big);
}

static void test_empty_and_odd_input(void **state)
{
    Inf inf;

    (void)state;
    assert_int_equal(inf_parse(&inf, "", 0), 0);
    assert_int_equal(inf.nsections, 0);
    inf_free(&inf);
    assert_int_equal(inf_parse(&inf, NULL, 0), 0);
    inf_free(&inf);
    assert_int_equal(inf_parse(&inf, NULL, 5), -1);
    inf_free(&inf);
    parse_ok(&inf, "; only a comment\n\n   \n");
    assert_int_equal(inf.nsections, 0);
    inf_free(&inf);
    parse_ok(&inf, "[A]");
    assert_int_equal(inf.nsections, 1);
    assert_int_equal(inf.sections[0].nlines, 0);
    inf_free(&inf);
    inf_free(NULL);
}

/* ---- Models, install sections, AddReg -------------------------------------------- */

static void test_hardware_ids(void **state)
{
    Inf inf;
    InfHardwareId *ids;
    int n;

    (void)state;
    parse_ok(&inf, ne2k_inf);
    n = inf_hardware_ids(&inf, &ids);
    assert_int_equal(n, 5);
    /* undecorated first, then each decoration once (NTx86 is listed twice) */
    assert_string_equal(ids[0].hwid, "PCI\\VEN_10EC&DEV_8029");
    assert_string_equal(ids[0].install, "RTL8029.Install");
    assert_string_equal(ids[0].description, "Realtek RTL8029(AS) PCI Ethernet Adapter");
    assert_string_equal(ids[1].hwid, "PCI\\VEN_10EC&DEV_8029");
    assert_string_equal(ids[2].hwid, "PCI\\CC_020000"); /* compatible ID, empty field skipped */
    assert_string_equal(ids[3].hwid, "PCI\\VEN_10EC&DEV_8029&SUBSYS_802910EC");
    assert_string_equal(ids[4].hwid, "*PNP80D6");
    assert_string_equal(ids[4].description, "Generic NE2000");
    assert_string_equal(ids[4].install, "NE2000.Install");
    inf_free_hwids(ids, (size_t)n);
    inf_free(&inf);
}

static void test_hardware_ids_variants(void **state)
{
    Inf inf;
    InfHardwareId *ids;
    char err[INF_ERR_MAX] = "";

    (void)state;
    /* a bare manufacturer name is also its models section */
    parse_ok(&inf, "[Manufacturer]\nAcme\n[Acme]\nNic = Inst, PCI\\VEN_1\n");
    assert_int_equal(inf_hardware_ids(&inf, &ids), 1);
    assert_string_equal(ids[0].hwid, "PCI\\VEN_1");
    inf_free_hwids(ids, 1);
    inf_free(&inf);
    /* only a decorated models section */
    parse_ok(&inf, "[Manufacturer]\nAcme = M, NTamd64\n[M.ntamd64]\nNic = Inst, ID1, ID2\n");
    assert_int_equal(inf_hardware_ids(&inf, &ids), 2);
    assert_string_equal(ids[1].hwid, "ID2");
    inf_free_hwids(ids, 2);
    inf_free(&inf);
    /* no [Manufacturer]: no IDs */
    parse_ok(&inf, "[Version]\nx=1\n");
    assert_int_equal(inf_hardware_ids(&inf, &ids), 0);
    assert_null(ids);
    inf_free(&inf);
    /* a models section that does not exist */
    parse_ok(&inf, "[Manufacturer]\n%M% = Missing, NTx86\n[Strings]\nM=m\n");
    assert_int_equal(inf_hardware_ids_err(&inf, &ids, err), -1);
    assert_string_equal(err, "line 2: models section 'Missing' not found");
    assert_null(ids);
    inf_free(&inf);
    parse_ok(&inf, "[Manufacturer]\nA = M\n[M]\nno equals sign, ID\n");
    assert_int_equal(inf_hardware_ids_err(&inf, &ids, err), -1);
    assert_string_equal(err, "line 4: model entry without '=' in [M]");
    inf_free(&inf);
}

static const InfRegValue *find_value(const InfRegValue *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

static void test_reg_values(void **state)
{
    Inf inf;
    InfRegValue *v;
    const InfRegValue *r;
    char err[INF_ERR_MAX] = "";
    int n;

    (void)state;
    parse_ok(&inf, ne2k_inf);
    n = inf_reg_values_err(&inf, "RTL8029.Install", &v, err);
    if (n < 0)
        fail_msg("%s", err);
    /* .NTx86 wins: Ndi.Reg (2), Params.Reg (2), Types.Reg (7 of 9), then
     * the ASSOCSERVICE service's Svc.Reg (1) */
    assert_int_equal(n, 12);
    assert_string_equal(v[0].root, "HKR");
    assert_string_equal(v[0].subkey, "Ndi");
    assert_string_equal(v[0].name, "Service");
    assert_int_equal(v[0].type, INF_REG_SZ);
    assert_string_equal(v[0].data, "rtl8029");
    assert_int_equal(v[0].data_len, 7);
    assert_null(find_value(v, n, "Plain"));
    assert_null(find_value(v, n, "NT"));
    assert_null(find_value(v, n, "Wrong"));
    assert_null(find_value(v, n, "Gone")); /* FLG_ADDREG_DELVAL */
    r = find_value(v, n, "ParamDesc");
    assert_non_null(r);
    assert_string_equal(r->subkey, "Ndi\\params\\DuplexMode");
    assert_string_equal(r->data, "Duplex Mode");
    assert_int_equal(r->flags, 0);
    r = find_value(v, n, "MaxFrameSize");
    assert_int_equal(r->type, INF_REG_DWORD);
    assert_int_equal(r->flags, 0x00010001);
    assert_string_equal(r->data, "1514");
    r = find_value(v, n, "Hex");
    assert_int_equal(r->type, INF_REG_DWORD);
    assert_string_equal(r->data, "0xFF");
    r = find_value(v, n, "Path");
    assert_int_equal(r->type, INF_REG_EXPAND_SZ);
    assert_string_equal(r->data, "%SystemRoot%\\system32");
    r = find_value(v, n, "Filters");
    assert_int_equal(r->type, INF_REG_MULTI_SZ);
    assert_int_equal(r->data_len, 7);
    assert_memory_equal(r->data, "a\0b c\0\0", 7);
    r = find_value(v, n, "Mac");
    assert_int_equal(r->type, INF_REG_BINARY);
    assert_string_equal(r->data, "00,e0,4c");
    r = find_value(v, n, "Nothing");
    assert_int_equal(r->type, INF_REG_NONE);
    assert_string_equal(r->data, "");
    assert_int_equal(r->data_len, 0);
    r = find_value(v, n, "Big");
    assert_int_equal(r->type, INF_REG_QWORD);
    assert_string_equal(r->data, "01,00,00,00,00,00,00,00");
    for (int i = 0; i < n - 1; i++)
        assert_false(v[i].from_service);
    r = &v[n - 1];
    assert_true(r->from_service);
    assert_string_equal(r->subkey, "Parameters");
    assert_string_equal(r->name, "DebugLevel");
    assert_int_equal(r->type, INF_REG_DWORD);
    assert_string_equal(r->data, "0");
    inf_free_regvalues(v, (size_t)n);

    assert_string_equal(inf_service_name(&inf, "RTL8029.Install"), "rtl8029");
    assert_string_equal(inf_service_name(&inf, "NE2000.Install"), "");
    assert_string_equal(inf_service_name(&inf, "Missing"), "");
    n = inf_reg_values(&inf, "NE2000.Install", &v);
    assert_int_equal(n, 2);
    inf_free_regvalues(v, (size_t)n);
    assert_int_equal(inf_reg_values_err(&inf, "Missing", &v, err), -1);
    assert_string_equal(err, "install section 'Missing' not found");
    assert_null(v);
    inf_free(&inf);
}

/* The files an install copies: CopyFiles sections (a line's source name
 * when it gives one), @file entries, the service binary without its
 * directory; each once, whatever its case; the x86 decoration chosen. */
static void test_install_files(void **state)
{
    (void)state;
    Inf inf;
    parse_ok(&inf, "[Version]\nSignature=\"$Windows NT$\"\nClass=Net\n"
                   "[NIC.Install]\nCopyFiles=Wrong\n"
                   "[NIC.Install.NTx86]\nCopyFiles = NIC.Files, @Helper.DLL\nCopyFiles=More\n"
                   "[NIC.Install.NTx86.Services]\nAddService = nicsvc, 2, NIC.Service\n"
                   "[NIC.Service]\nServiceType=1\nServiceBinary = %12%\\NIC.SYS\n"
                   "[NIC.Files]\nnic.sys\nnicmsg.dll, nicmsg_x86.dll\n"
                   "[More]\nNIC.sys,,,2\n"
                   "[Wrong]\nother.sys\n"
                   "[Bad.Install]\nCopyFiles = Nowhere\n");
    char **f = NULL, err[INF_ERR_MAX];
    size_t n = 0;
    assert_int_equal(inf_install_files(&inf, "NIC.Install", &f, &n, err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(f[0], "nic.sys");
    assert_string_equal(f[1], "nicmsg_x86.dll");
    assert_string_equal(f[2], "Helper.DLL");
    inf_free_files(f, n);
    assert_string_equal(inf_service_binary(&inf, "NIC.Install"), "NIC.SYS");
    assert_string_equal(inf_service_binary(&inf, "Bad.Install"), "");
    assert_int_equal(inf_install_files(&inf, "Bad.Install", &f, &n, err), -1);
    assert_string_equal(err, "line 22: CopyFiles names [Nowhere], which the INF lacks");
    assert_null(f);
    assert_int_equal(inf_install_files(&inf, "Missing", &f, &n, err), -1);
    assert_string_equal(err, "no install section [Missing]");
    inf_free(&inf);
}

static void test_install_decorations(void **state)
{
    Inf inf;
    InfRegValue *v;
    int n;

    (void)state;
    /* .NT when there is no .NTx86; its .NT.Services */
    parse_ok(&inf, "[I]\nAddReg=R1\n[I.nt]\nAddReg=R2\n[I.NT.Services]\nAddService=s,2,Svc\n"
                   "[Svc]\nAddReg=R3\n[R1]\nHKR,,one,,1\n[R2]\nHKR,,two,,2\n[R3]\nHKR,,three,,3\n");
    n = inf_reg_values(&inf, "I", &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "two");
    assert_string_equal(v[1].name, "three");
    inf_free_regvalues(v, (size_t)n);
    /* an already decorated name is used as given, with its own .Services */
    n = inf_reg_values(&inf, "I.NT", &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "two");
    inf_free_regvalues(v, (size_t)n);
    inf_free(&inf);
    /* undecorated only, services found through the fallback */
    parse_ok(&inf, "[I]\nAddReg=R1\n[I.Services]\nAddService=s,,Svc\n[Svc]\nAddReg=R1\n"
                   "[R1]\nHKR,,one,0x10001,1\n");
    n = inf_reg_values(&inf, "I", &v);
    assert_int_equal(n, 2);
    inf_free_regvalues(v, (size_t)n);
    assert_string_equal(inf_service_name(&inf, "I"), "s");
    inf_free(&inf);
}

static void test_reg_values_errors(void **state)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"[I]\nAddReg = Nowhere\n", "line 2: AddReg section 'Nowhere' not found"},
        {"[I]\nAddReg = R\n[R]\nHKR,,v,zz,1\n", "line 4: bad AddReg flags 'zz'"},
        {"[I]\nAddReg = R\n[R]\nHKR,,v,0x100000000,1\n", "line 4: bad AddReg flags"},
        {"[I]\nAddReg = R\n[R]\nHKR,,v,0x,1\n", "line 4: bad AddReg flags '0x'"},
        {"[I]\nAddReg = R\n[R]\nHKR,,v,0x00030000,1\n",
         "line 4: AddReg flags 0x00030000 give no value type"},
        {"[I]\nAddReg = R\n[R]\nHKR,,v,0,a=b\n", "line 4: '=' in an AddReg entry"},
        {"[I]\n[I.Services]\nAddService = s, 2, NoSvc\n",
         "line 3: service install section 'NoSvc' not found"},
    };
    char err[INF_ERR_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Inf inf;
        InfRegValue *v = (InfRegValue *)&inf;

        parse_ok(&inf, cases[i].text);
        err[0] = '\0';
        assert_int_equal(inf_reg_values_err(&inf, "I", &v, err), -1);
        if (strcmp(err, cases[i].err) != 0 && !strstr(err, cases[i].err))
            fail_msg("case %zu: expected \"%s\", got \"%s\"", i, cases[i].err, err);
        assert_null(v);
        assert_int_equal(inf_reg_values(&inf, "I", &v), -1);
        inf_free(&inf);
    }
}

static void test_addreg_limits(void **state)
{
    /* AddReg = R, R, R ... many times over: capped, not exponential */
    char *t = malloc(200000);
    size_t o = 0;
    Inf inf;
    InfRegValue *v;
    char err[INF_ERR_MAX] = "";

    (void)state;
    assert_non_null(t);
    o += (size_t)sprintf(t + o, "[R]\nHKR,,v,,1\n[I]\n");
    for (int l = 0; l < 100; l++) {
        o += (size_t)sprintf(t + o, "AddReg = R");
        for (int i = 0; i < 20; i++)
            o += (size_t)sprintf(t + o, ", R");
        o += (size_t)sprintf(t + o, "\n");
    }
    assert_int_equal(inf_parse(&inf, t, o), 0);
    assert_int_equal(inf_reg_values_err(&inf, "I", &v, err), -1);
    assert_non_null(strstr(err, "more than 1024 AddReg section references"));
    inf_free(&inf);
    free(t);
}

/* ---- sweeps ------------------------------------------------------------------------- */

static void exercise(const char *text, size_t len)
{
    Inf inf;
    InfHardwareId *ids;
    int n;

    if (inf_parse(&inf, text, len) != 0) {
        assert_true(inf.err[0] != '\0');
        assert_null(strchr(inf.err, '\n'));
        inf_free(&inf);
        return;
    }
    n = inf_hardware_ids(&inf, &ids);
    for (int i = 0; i < n; i++) {
        InfRegValue *v;
        int m = inf_reg_values(&inf, ids[i].install, &v);
        if (m > 0)
            inf_free_regvalues(v, (size_t)m);
        (void)inf_service_name(&inf, ids[i].install);
    }
    if (n > 0)
        inf_free_hwids(ids, (size_t)n);
    for (size_t s = 0; s < inf.nsections && s < 16; s++) {
        InfRegValue *v;
        int m = inf_reg_values(&inf, inf.sections[s].name, &v);
        if (m > 0)
            inf_free_regvalues(v, (size_t)m);
    }
    inf_free(&inf);
}

static void test_sweep(void **state)
{
    size_t len = strlen(ne2k_inf);
    char *t = malloc(len);
    static const char repl[] = {'\0', '"', ';', '\\', '\n', '%', '[', ']', ',', '=', 'x'};

    (void)state;
    assert_non_null(t);
    memcpy(t, ne2k_inf, len);
    for (size_t i = 0; i < len; i++) {
        for (size_t r = 0; r < sizeof repl; r++) {
            t[i] = repl[r];
            exercise(t, len);
        }
        t[i] = ne2k_inf[i];
    }
    for (size_t n = 0; n <= len; n++)
        exercise(t, n);
    free(t);
}

/* ---- the fuzz corpus INFs ---------------------------------------------------------- */

static int load_corpus(Inf *inf, const char *name)
{
    const char *f = __FILE__;
    const char *cut = strstr(f, "unit/test_inf.c");
    char path[4096];
    FILE *fp;

    snprintf(path, sizeof path, "%.*sfuzz/corpus/inf/%s", cut ? (int)(cut - f) : 0, f, name);
    if (!(fp = fopen(path, "rb")))
        return -1;
    fclose(fp);
    if (inf_load_file(inf, path) != 0)
        fail_msg("%s: %s", path, inf->err);
    return 0;
}

static void test_corpus_rtl8139(void **state)
{
    Inf a, b;
    InfHardwareId *ids;
    InfRegValue *v;
    int n;

    (void)state;
    if (load_corpus(&a, "rtl8139.inf") || load_corpus(&b, "rtl8139-utf16.inf"))
        skip();
    same_inf(&a, &b);
    n = inf_hardware_ids(&a, &ids);
    assert_true(n >= 3);
    assert_string_equal(ids[0].hwid, "PCI\\VEN_10EC&DEV_8139");
    assert_string_equal(ids[0].install, "RTL8139.ndi");
    inf_free_hwids(ids, (size_t)n);
    n = inf_reg_values(&a, "RTL8139.ndi", &v);
    assert_true(n > 10);
    assert_non_null(find_value(v, n, "TextModeFlags")); /* from the service */
    assert_string_equal(find_value(v, n, "ParamDesc")->data, "Link Speed & Duplex");
    inf_free_regvalues(v, (size_t)n);
    assert_string_equal(inf_service_name(&a, "RTL8139.ndi"), "RTL8139");
    inf_free(&a);
    inf_free(&b);
}

/* OS-versioned decorations (NTx86.5.1) and [Strings.0409] before [Strings]. */
static void test_corpus_decorations(void **state)
{
    Inf inf;
    InfHardwareId *ids;
    InfRegValue *v;
    int n;

    (void)state;
    if (load_corpus(&inf, "decorations.inf"))
        skip();
    n = inf_hardware_ids(&inf, &ids);
    assert_int_equal(n, 3);
    assert_string_equal(ids[1].hwid, "PCI\\VEN_8086&DEV_100E&SUBSYS_001E8086");
    assert_string_equal(ids[1].description, "Intel(R) PRO/1000 MT Network Connection");
    inf_free_hwids(ids, (size_t)n);
    n = inf_reg_values(&inf, "Dev", &v);
    assert_int_equal(n, 7);
    assert_int_equal(find_value(v, n, "Quad")->type, INF_REG_QWORD);
    assert_int_equal(find_value(v, n, "List")->flags, 0x00010008);
    assert_null(find_value(v, n, "Obsolete"));
    inf_free_regvalues(v, (size_t)n);
    assert_string_equal(inf_service_name(&inf, "Dev"), "e1000");
    inf_free(&inf);
}

/* ---- LogConfig ("INF LogConfig Directive") ---------------------------------- */

/* A PC Card NE2000 with two alternative configurations and an override. */
static const char lc_inf[] =
    "[Version]\n"
    "Signature = \"$Windows NT$\"\n"
    "[Manufacturer]\n"
    "Acme = Cards\n"
    "[Cards]\n"
    "\"Card\" = Card.ndi, PCMCIA\\ACME-NE2000-1234, *PNP80D6\n"
    "[Card.ndi]\n"
    "LogConfig = LC.Hard, LC.Soft\n"
    "[Card.ndi.NTx86]\n"
    "LogConfig = LC.Soft, LC.Hard\n"
    "[Card.ndi.NTx86.LogConfigOverride]\n"
    "LogConfig = LC.Override\n"
    "[LC.Hard]\n"
    "ConfigPriority = HARDRECONFIG\n"
    "IOConfig = 300-31F(3FF::), 340-35f\n"
    "IRQConfig = 3, 5, 3\n"
    "[LC.Soft]\n"
    "ConfigPriority = desired\n"
    "IOConfig = 20@200-3FF%FFE0(3FF::)\n"
    "IRQConfig = L:9,10,11\n"
    "DMAConfig = 3\n"
    "MemConfig = 2000@C0000-DFFFF%FFFFE000\n"
    "[LC.Override]\n"
    "IRQConfig = 15\n";

static void test_log_configs(void **state)
{
    Inf inf;
    InfLogConfig *lc;
    char err[INF_ERR_MAX] = "";

    (void)state;
    parse_ok(&inf, lc_inf);
    int n = inf_log_configs_err(&inf, "Card.ndi", &lc, err);
    assert_int_equal(n, 3);
    /* the .NTx86 install section and its override, override first */
    assert_string_equal(lc[0].section, "LC.Override");
    assert_int_equal(lc[0].priority, INF_LCPRI_NORMAL); /* no ConfigPriority */
    assert_int_equal(lc[0].nio, 0);
    assert_int_equal(lc[0].nirq, 1);
    assert_int_equal(lc[0].irq[0], 15);
    assert_string_equal(lc[1].section, "LC.Soft");
    assert_int_equal(lc[1].priority, INF_LCPRI_DESIRED);
    assert_int_equal(lc[1].nio, 1);
    /* Type 2: 20h ports somewhere in 200h-3FFh, 32-byte aligned */
    assert_int_equal(lc[1].io[0].size, 0x20);
    assert_int_equal(lc[1].io[0].min, 0x200);
    assert_int_equal(lc[1].io[0].max, 0x3FF);
    assert_int_equal(lc[1].io[0].align, 0xFFE0);
    assert_int_equal(lc[1].nirq, 3);
    assert_int_equal(lc[1].irq[0], 9);
    assert_int_equal(lc[1].irq[2], 11);
    assert_int_equal(lc[1].irq_level, 1);
    assert_string_equal(lc[2].section, "LC.Hard");
    assert_int_equal(lc[2].priority, INF_LCPRI_HARDRECONFIG);
    /* Type 1: fixed ranges, hex without a prefix, either case */
    assert_int_equal(lc[2].nio, 2);
    assert_int_equal(lc[2].io[0].size, 0x20);
    assert_int_equal(lc[2].io[0].min, 0x300);
    assert_int_equal(lc[2].io[0].max, 0x31F);
    assert_int_equal(lc[2].io[1].min, 0x340);
    assert_int_equal(lc[2].io[1].max, 0x35F);
    /* duplicates dropped, order kept */
    assert_int_equal(lc[2].nirq, 2);
    assert_int_equal(lc[2].irq[0], 3);
    assert_int_equal(lc[2].irq[1], 5);
    assert_int_equal(lc[2].irq_level, 0);
    inf_free_log_configs(lc, (size_t)n);
    inf_free(&inf);
}

static void test_log_configs_none(void **state)
{
    Inf inf;
    InfLogConfig *lc = (InfLogConfig *)1;
    char err[INF_ERR_MAX] = "";

    (void)state;
    parse_ok(&inf, ne2k_inf);
    assert_int_equal(inf_log_configs_err(&inf, "RTL8029.Install", &lc, err), 0);
    assert_null(lc);
    assert_int_equal(inf_log_configs_err(&inf, "Missing.Install", &lc, err), -1);
    assert_string_equal(err, "install section 'Missing.Install' not found");
    inf_free(&inf);
}

static void expect_lc_error(const char *body, const char *want)
{
    char text[1024], err[INF_ERR_MAX] = "";
    Inf inf;
    InfLogConfig *lc;

    snprintf(text, sizeof text, "[Dev]\nLogConfig = LC\n[LC]\n%s", body);
    parse_ok(&inf, text);
    int n = inf_log_configs_err(&inf, "Dev", &lc, err);
    if (n != -1 || !strstr(err, want))
        print_error("expected \"%s\", got %d \"%s\"\n", want, n, err);
    assert_int_equal(n, -1);
    assert_non_null(strstr(err, want));
    assert_null(strchr(err, '\n'));
    inf_free(&inf);
}

static void test_log_configs_errors(void **state)
{
    (void)state;
    expect_lc_error("IOConfig = 3zz-31F\n", "line 4: bad IOConfig range '3zz-31F'");
    expect_lc_error("IOConfig = 31F-300\n", "bad IOConfig range '31F-300'");
    expect_lc_error("IOConfig = 10000-10010\n", "bad IOConfig range");
    expect_lc_error("IOConfig = 40@300-31F\n", "bad IOConfig range '40@300-31F'");
    expect_lc_error("IOConfig = 0@300-31F\n", "bad IOConfig range");
    expect_lc_error("IOConfig = 20@300-37F%\n", "bad IOConfig range");
    expect_lc_error("IOConfig = 300-31F(3FF::\n", "bad IOConfig range");
    expect_lc_error("IOConfig = 300-31F junk\n", "bad IOConfig range");
    expect_lc_error("IOConfig = 300\n", "bad IOConfig range '300'");
    expect_lc_error("IRQConfig = 16\n", "line 4: IRQ 16 out of range 0-15");
    expect_lc_error("IRQConfig = 5,x\n", "bad IRQConfig value 'x'");
    expect_lc_error("IRQConfig = 5,\n", "bad IRQConfig value ''");
    expect_lc_error("IRQConfig = 9:5\n", "bad IRQConfig attributes '9'");
    expect_lc_error("IRQConfig = 99999999999\n", "bad IRQConfig value");
    expect_lc_error("ConfigPriority = BEST\n", "unknown ConfigPriority 'BEST'");

    char body[1024] = "IOConfig = 300-31F";
    for (int i = 0; i < INF_LC_MAX_IO; i++)
        strcat(body, ",300-31F");
    strcat(body, "\n");
    expect_lc_error(body, "more than 32 I/O ranges in [LC]");

    Inf inf;
    InfLogConfig *lc;
    char err[INF_ERR_MAX];
    parse_ok(&inf, "[Dev]\nLogConfig = Nowhere\n");
    assert_int_equal(inf_log_configs_err(&inf, "Dev", &lc, err), -1);
    assert_string_equal(err, "line 2: LogConfig section 'Nowhere' not found");
    inf_free(&inf);
}

static void test_load_file_missing(void **state)
{
    Inf inf;

    (void)state;
    assert_int_equal(inf_load_file(&inf, "/nonexistent/xdrv.inf"), -1);
    assert_non_null(strstr(inf.err, "cannot open /nonexistent/xdrv.inf"));
    inf_free(&inf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_values),
        cmocka_unit_test(test_quotes_and_comments),
        cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_empty_and_odd_input),
        cmocka_unit_test(test_hardware_ids),
        cmocka_unit_test(test_hardware_ids_variants),
        cmocka_unit_test(test_reg_values),
        cmocka_unit_test(test_install_decorations),
        cmocka_unit_test(test_reg_values_errors),
        cmocka_unit_test(test_addreg_limits),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_corpus_rtl8139),
        cmocka_unit_test(test_corpus_decorations),
        cmocka_unit_test(test_load_file_missing),
        cmocka_unit_test(test_log_configs),
        cmocka_unit_test(test_log_configs_none),
        cmocka_unit_test(test_log_configs_errors),
        cmocka_unit_test(test_install_files),
    };

    return cmocka_run_group_tests_name("inf", tests, NULL, NULL);
}
