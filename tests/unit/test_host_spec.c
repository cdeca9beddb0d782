/* Backend spec strings: what parses, and the one-line message for what does
 * not (docs/host.md lists the grammar). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/net.h"

static void test_tap_spec(void **st)
{
    NetSpec s;
    char err[NET_ERR_MAX];
    assert_int_equal(net_spec_parse("tap,ifname=xdrv0", &s, err, sizeof err), 0);
    assert_int_equal(s.kind, NET_KIND_TAP);
    assert_string_equal(s.ifname, "xdrv0");
    /* 15 bytes is the longest name: IFNAMSIZ counts the NUL */
    assert_int_equal(net_spec_parse("tap,ifname=abcdefghijklmno", &s, err, sizeof err), 0);
    assert_string_equal(s.ifname, "abcdefghijklmno");
}

static void test_unix_spec(void **st)
{
    NetSpec s;
    char err[NET_ERR_MAX];
    assert_int_equal(net_spec_parse("unix,path=/tmp/w.sock", &s, err, sizeof err), 0);
    assert_int_equal(s.kind, NET_KIND_UNIX);
    assert_string_equal(s.path, "/tmp/w.sock");
    assert_int_equal(s.listen, 0);
    assert_int_equal(s.stream, 0);
    assert_int_equal(net_spec_parse("unix,path=w.sock,listen,type=stream", &s, err, sizeof err), 0);
    assert_string_equal(s.path, "w.sock");
    assert_int_equal(s.listen, 1);
    assert_int_equal(s.stream, 1);
    assert_int_equal(net_spec_parse("unix,type=seqpacket,path=/x", &s, err, sizeof err), 0);
    assert_int_equal(s.stream, 0);
    assert_int_equal(net_spec_parse("queue", &s, err, sizeof err), 0);
    assert_int_equal(s.kind, NET_KIND_QUEUE);
}

/* Each bad spec gives exactly this message. */
static const struct {
    const char *spec, *msg;
} bad[] = {
    {"", "net: empty spec (expected tap,ifname=NAME or unix,path=PATH[,listen]"
         "[,type=seqpacket|stream] or queue)"},
    {"tun,ifname=x", "net: unknown kind 'tun' in 'tun,ifname=x' (expected tap, unix or queue)"},
    {",ifname=x", "net: unknown kind 'ifname=x' in ',ifname=x' (expected tap, unix or queue)"},
    {"tap", "tap: missing ifname=NAME in 'tap'"},
    {"tap,ifname=", "tap: empty ifname"},
    {"tap,ifname", "tap: option 'ifname' needs a value (ifname=...) in 'tap,ifname'"},
    {"tap,ifname=abcdefghijklmnop",
     "tap: interface name 'abcdefghijklmnop' is 16 bytes, longer than 15 (IFNAMSIZ)"},
    {"tap,ifname=a/b", "tap: invalid interface name 'a/b' (no '/', ':', white space, '.' or "
                       "'..')"},
    {"tap,ifname=..", "tap: invalid interface name '..' (no '/', ':', white space, '.' or "
                      "'..')"},
    {"tap,ifname=a b", "tap: invalid interface name 'a b' (no '/', ':', white space, '.' or "
                       "'..')"},
    {"tap,ifname=a,ifname=b", "tap: option 'ifname' given twice in 'tap,ifname=a,ifname=b'"},
    {"tap,ifname=a,path=/x", "tap: unknown option 'path' in 'tap,ifname=a,path=/x'"},
    {"unix", "unix: missing path=PATH in 'unix'"},
    {"unix,path=", "unix: empty path"},
    {"unix,path=/x,type=dgram", "unix: type must be seqpacket or stream, not 'dgram'"},
    {"unix,path=/x,listen=yes",
     "unix: option 'listen' takes no value in 'unix,path=/x,listen=yes'"},
    {"unix,path=/x,ifname=a", "unix: unknown option 'ifname' in 'unix,path=/x,ifname=a'"},
    {"queue,x=1", "queue: unknown option 'x' in 'queue,x=1'"},
};

static void test_bad_specs(void **st)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        NetSpec s;
        char err[NET_ERR_MAX] = "";
        assert_int_equal(net_spec_parse(bad[i].spec, &s, err, sizeof err), -1);
        assert_string_equal(err, bad[i].msg);
        /* net_open says the same, and opens nothing */
        char err2[NET_ERR_MAX] = "";
        assert_null(net_open(bad[i].spec, 0, err2, sizeof err2));
        assert_string_equal(err2, bad[i].msg);
    }
}

static void test_path_too_long(void **st)
{
    char spec[300], err[NET_ERR_MAX];
    NetSpec s;
    /* 107 bytes fits sun_path with its NUL; 108 does not (unix(7)) */
    strcpy(spec, "unix,path=/");
    memset(spec + strlen(spec), 'p', 106);
    spec[11 + 106] = '\0';
    assert_int_equal(net_spec_parse(spec, &s, err, sizeof err), 0);
    assert_int_equal(strlen(s.path), 107);
    strcat(spec, "p");
    assert_int_equal(net_spec_parse(spec, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "is 108 bytes, longer than 107 (sun_path)"));
    assert_int_equal(strncmp(err, "unix: path '/ppp", 16), 0);
}

static void test_null_err_buffer(void **st)
{
    NetSpec s;
    assert_int_equal(net_spec_parse("bogus", &s, NULL, 0), -1);
    assert_null(net_open(NULL, 0, NULL, 0));
}

/* Open-time errors are one line too, and name the thing that failed. */
static void test_open_errors(void **st)
{
    char err[NET_ERR_MAX];
    assert_null(net_open("unix,path=/nonexistent-dir/w.sock", 0, err, sizeof err));
    assert_string_equal(err, "unix: cannot connect to /nonexistent-dir/w.sock: No such file or "
                             "directory (no such socket; or add ,listen)");
    assert_null(net_open("unix,path=/nonexistent-dir/w.sock,listen", 0, err, sizeof err));
    assert_string_equal(err, "unix: cannot bind /nonexistent-dir/w.sock: No such file or "
                             "directory");
    assert_null(net_open("unix,path=/dev/null,listen", 0, err, sizeof err));
    assert_string_equal(err, "unix: cannot listen on /dev/null: it exists and is not a socket");
    assert_null(strchr(err, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap_spec),        cmocka_unit_test(test_unix_spec),
        cmocka_unit_test(test_bad_specs),       cmocka_unit_test(test_path_too_long),
        cmocka_unit_test(test_null_err_buffer), cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
