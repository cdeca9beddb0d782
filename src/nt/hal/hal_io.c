/* hal.dll port I/O: READ_PORT_* / WRITE_PORT_* and their _BUFFER_ forms.
 * They go through vm_port_read/vm_port_write, the same path (and trace
 * events) as the guest's in/out instructions. The port argument is a
 * pointer-typed port number (PUCHAR Port); x86 has 64K ports, so a value
 * above 0xFFFF is a driver bug (a register address passed to the port API).
 * Facts: learn.microsoft.com "READ_PORT_UCHAR", "READ_PORT_BUFFER_UCHAR"
 * (Count is in units of the access size). */
#include "nt/nt.h"

static uint16_t port_of(Nt *nt, uint32_t port)
{
    if (port > 0xFFFFu)
        vm_throw(
            nt->vm, VM_FAULT_API,
            "%s: port 0x%x is beyond the x86 I/O space (a memory address passed to a port API?)",
            vm_current_api(nt->vm), port);
    return (uint16_t)port;
}

static uint64_t port_read(Nt *nt, uint32_t port, unsigned size)
{
    return vm_port_read(nt->vm, port_of(nt, port), size);
}

static void port_write(Nt *nt, uint32_t port, unsigned size, uint32_t v)
{
    vm_port_write(nt->vm, port_of(nt, port), size, v);
}

static void port_read_buffer(Nt *nt, uint32_t port, GuestAddr buf, uint32_t count, unsigned size)
{
    uint16_t p = port_of(nt, port);
    if (count > 0x10000000u / size)
        vm_throw(nt->vm, VM_FAULT_API, "%s: Count %u is too large", vm_current_api(nt->vm), count);
    vm_guest(nt->vm, buf, count * size, "Buffer");
    for (uint32_t i = 0; i < count; i++) {
        uint32_t v = vm_port_read(nt->vm, p, size);
        if (vm_stopped(nt->vm))
            return;
        uint8_t *d = vm_guest(nt->vm, buf + i * size, size, "Buffer");
        for (unsigned b = 0; b < size; b++)
            d[b] = (uint8_t)(v >> (8 * b));
    }
}

static void port_write_buffer(Nt *nt, uint32_t port, GuestAddr buf, uint32_t count, unsigned size)
{
    uint16_t p = port_of(nt, port);
    if (count > 0x10000000u / size)
        vm_throw(nt->vm, VM_FAULT_API, "%s: Count %u is too large", vm_current_api(nt->vm), count);
    vm_guest(nt->vm, buf, count * size, "Buffer");
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *s = vm_guest(nt->vm, buf + i * size, size, "Buffer");
        uint32_t v = 0;
        for (unsigned b = 0; b < size; b++)
            v |= (uint32_t)s[b] << (8 * b);
        vm_port_write(nt->vm, p, size, v);
        if (vm_stopped(nt->vm))
            return;
    }
}

/* UCHAR READ_PORT_UCHAR(PUCHAR Port); */
NTAPI(READ_PORT_UCHAR)
{
    return port_read(nt, a[0], 1) & 0xFF;
}
/* USHORT READ_PORT_USHORT(PUSHORT Port); */
NTAPI(READ_PORT_USHORT)
{
    return port_read(nt, a[0], 2) & 0xFFFF;
}
/* ULONG READ_PORT_ULONG(PULONG Port); */
NTAPI(READ_PORT_ULONG)
{
    return port_read(nt, a[0], 4);
}

/* VOID WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value); */
NTAPI(WRITE_PORT_UCHAR)
{
    port_write(nt, a[0], 1, a[1] & 0xFF);
    return 0;
}

/* VOID WRITE_PORT_USHORT(PUSHORT Port, USHORT Value); */
NTAPI(WRITE_PORT_USHORT)
{
    port_write(nt, a[0], 2, a[1] & 0xFFFF);
    return 0;
}

/* VOID WRITE_PORT_ULONG(PULONG Port, ULONG Value); */
NTAPI(WRITE_PORT_ULONG)
{
    port_write(nt, a[0], 4, a[1]);
    return 0;
}

/* VOID READ_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count); */
NTAPI(READ_PORT_BUFFER_UCHAR)
{
    port_read_buffer(nt, a[0], a[1], a[2], 1);
    return 0;
}

/* VOID READ_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count); */
NTAPI(READ_PORT_BUFFER_USHORT)
{
    port_read_buffer(nt, a[0], a[1], a[2], 2);
    return 0;
}

/* VOID READ_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count); */
NTAPI(READ_PORT_BUFFER_ULONG)
{
    port_read_buffer(nt, a[0], a[1], a[2], 4);
    return 0;
}

/* VOID WRITE_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count); */
NTAPI(WRITE_PORT_BUFFER_UCHAR)
{
    port_write_buffer(nt, a[0], a[1], a[2], 1);
    return 0;
}

/* VOID WRITE_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count); */
NTAPI(WRITE_PORT_BUFFER_USHORT)
{
    port_write_buffer(nt, a[0], a[1], a[2], 2);
    return 0;
}

/* VOID WRITE_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count); */
NTAPI(WRITE_PORT_BUFFER_ULONG)
{
    port_write_buffer(nt, a[0], a[1], a[2], 4);
    return 0;
}
