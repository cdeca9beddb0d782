/* Unit tests for hal.dll port I/O (src/nt/hal/hal_io.c): each READ_PORT_* /
 * WRITE_PORT_* and _BUFFER_ form reaches the Vm's port handlers with the
 * right port, size and value, the same path the in/out instructions take.
 * The handlers are called directly, as the dispatcher would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "nt/nt.h"

NTAPI(READ_PORT_UCHAR);
NTAPI(READ_PORT_USHORT);
NTAPI(READ_PORT_ULONG);
NTAPI(WRITE_PORT_UCHAR);
NTAPI(WRITE_PORT_USHORT);
NTAPI(WRITE_PORT_ULONG);
NTAPI(READ_PORT_BUFFER_USHORT);
NTAPI(WRITE_PORT_BUFFER_UCHAR);
NTAPI(WRITE_PORT_BUFFER_ULONG);

typedef struct Dev {
    uint16_t port[64];
    unsigned size[64];
    uint32_t value[64];
    int write[64];
    unsigned n;
    uint32_t next_read;
} Dev;

static uint32_t dev_read(void *opaque, uint16_t port, unsigned size)
{
    Dev *d = opaque;
    if (d->n < 64) {
        d->port[d->n] = port;
        d->size[d->n] = size;
        d->write[d->n] = 0;
        d->value[d->n++] = d->next_read;
    }
    return d->next_read++;
}

static void dev_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
    Dev *d = opaque;
    if (d->n < 64) {
        d->port[d->n] = port;
        d->size[d->n] = size;
        d->write[d->n] = 1;
        d->value[d->n++] = value;
    }
}

static const VmIoOps ops = {.port_read = dev_read, .port_write = dev_write};

typedef struct Env {
    Vm *vm;
    Nt *nt;
    Dev dev;
} Env;

static int setup(void **state)
{
    static Env e;
    memset(&e, 0, sizeof e);
    e.vm = vm_create(NULL);
    NtOptions opt = {.log = stderr};
    e.nt = e.vm ? nt_create(e.vm, &opt) : NULL;
    if (!e.nt)
        return -1;
    vm_set_io(e.vm, &ops, &e.dev);
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    Env *e = *state;
    nt_destroy(e->nt);
    vm_destroy(e->vm);
    return 0;
}

static void test_hal_port_single(void **state)
{
    Env *e = *state;
    e->dev.next_read = 0x12345678;
    uint32_t a[3] = {0x300, 0, 0};
    assert_int_equal(nt_READ_PORT_UCHAR(e->nt, a), 0x78);
    assert_int_equal(nt_READ_PORT_USHORT(e->nt, a), 0x5679);
    assert_int_equal(nt_READ_PORT_ULONG(e->nt, a), 0x1234567A);
    a[1] = 0xABCDEF01;
    nt_WRITE_PORT_UCHAR(e->nt, a);
    nt_WRITE_PORT_USHORT(e->nt, a);
    nt_WRITE_PORT_ULONG(e->nt, a);
    assert_int_equal(e->dev.n, 6);
    static const unsigned sizes[6] = {1, 2, 4, 1, 2, 4};
    static const uint32_t writes[3] = {0x01, 0xEF01, 0xABCDEF01};
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(e->dev.port[i], 0x300);
        assert_int_equal(e->dev.size[i], sizes[i]);
        assert_int_equal(e->dev.write[i], i >= 3);
        if (i >= 3)
            assert_int_equal(e->dev.value[i], writes[i - 3]);
    }
    assert_false(vm_stopped(e->vm));
}

static void test_hal_port_buffers(void **state)
{
    Env *e = *state;
    GuestAddr buf = nt_pool_alloc(e->nt, 64, 0);
    assert_int_not_equal(buf, 0);
    uint8_t *p = vm_ptr(e->vm, buf, 64);
    e->dev.next_read = 0xA001;
    uint32_t a[3] = {0x1f0, buf, 3};
    nt_READ_PORT_BUFFER_USHORT(e->nt, a);
    static const uint8_t want[6] = {0x01, 0xA0, 0x02, 0xA0, 0x03, 0xA0};
    assert_memory_equal(p, want, 6);
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(0x10 + i);
    nt_WRITE_PORT_BUFFER_UCHAR(e->nt, a);
    a[2] = 2;
    nt_WRITE_PORT_BUFFER_ULONG(e->nt, a);
    assert_int_equal(e->dev.n, 3 + 3 + 2);
    assert_int_equal(e->dev.value[3], 0x10);
    assert_int_equal(e->dev.value[5], 0x12);
    assert_int_equal(e->dev.size[6], 4);
    assert_int_equal(e->dev.value[6], 0x13121110);
    assert_int_equal(e->dev.value[7], 0x17161514);
    /* Count 0 touches nothing */
    a[2] = 0;
    nt_WRITE_PORT_BUFFER_ULONG(e->nt, a);
    assert_int_equal(e->dev.n, 8);
    assert_false(vm_stopped(e->vm));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hal_port_single, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hal_port_buffers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
