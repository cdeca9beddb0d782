/* Device-register access routines (x86 ntoskrnl exports): READ_REGISTER_*,
 * WRITE_REGISTER_* and their _BUFFER_ forms, reaching memory-mapped device
 * registers through the same path as the driver's own MMIO instructions.
 * Semantics: learn.microsoft.com, READ_REGISTER_ULONG / WRITE_REGISTER_BUFFER_UCHAR
 * ("Count" is in units of the access size; the buffer is system memory). */
#include <string.h>

#include "nt/nt.h"

static uint64_t reg_read(Nt *nt, GuestAddr reg, unsigned size)
{
    return vm_register_read(nt->vm, reg, size);
}

static uint64_t reg_write(Nt *nt, GuestAddr reg, unsigned size, uint32_t v)
{
    vm_register_write(nt->vm, reg, size, v);
    return 0;
}

/* Each element of the buffer goes to (or comes from) the same register. */
static uint64_t reg_buffer(Nt *nt, GuestAddr reg, GuestAddr buf, uint32_t count, unsigned size,
                           int write)
{
    if (count > (64u << 20) / size)
        vm_throw(nt->vm, VM_FAULT_API, "%s: count %u is not plausible", vm_current_api(nt->vm),
                 count);
    uint8_t *p = vm_guest(nt->vm, buf, count * size, "buffer");
    for (uint32_t i = 0; i < count; i++) {
        uint32_t v = 0;
        if (write) {
            memcpy(&v, p + i * size, size);
            vm_register_write(nt->vm, reg, size, v);
        } else {
            v = vm_register_read(nt->vm, reg, size);
            memcpy(p + i * size, &v, size);
        }
    }
    return 0;
}

/* UCHAR READ_REGISTER_UCHAR(volatile UCHAR *Register); */
NTAPI(READ_REGISTER_UCHAR)
{
    return reg_read(nt, a[0], 1);
}
/* USHORT READ_REGISTER_USHORT(volatile USHORT *Register); */
NTAPI(READ_REGISTER_USHORT)
{
    return reg_read(nt, a[0], 2);
}
/* ULONG READ_REGISTER_ULONG(volatile ULONG *Register); */
NTAPI(READ_REGISTER_ULONG)
{
    return reg_read(nt, a[0], 4);
}
/* VOID WRITE_REGISTER_UCHAR(volatile UCHAR *Register, UCHAR Value); */
NTAPI(WRITE_REGISTER_UCHAR)
{
    return reg_write(nt, a[0], 1, a[1] & 0xFF);
}
/* VOID WRITE_REGISTER_USHORT(volatile USHORT *Register, USHORT Value); */
NTAPI(WRITE_REGISTER_USHORT)
{
    return reg_write(nt, a[0], 2, a[1] & 0xFFFF);
}
/* VOID WRITE_REGISTER_ULONG(volatile ULONG *Register, ULONG Value); */
NTAPI(WRITE_REGISTER_ULONG)
{
    return reg_write(nt, a[0], 4, a[1]);
}
/* VOID READ_REGISTER_BUFFER_UCHAR(volatile UCHAR *Register, PUCHAR Buffer, ULONG Count); */
NTAPI(READ_REGISTER_BUFFER_UCHAR)
{
    return reg_buffer(nt, a[0], a[1], a[2], 1, 0);
}
/* VOID READ_REGISTER_BUFFER_USHORT(volatile USHORT *Register, PUSHORT Buffer, ULONG Count); */
NTAPI(READ_REGISTER_BUFFER_USHORT)
{
    return reg_buffer(nt, a[0], a[1], a[2], 2, 0);
}
/* VOID READ_REGISTER_BUFFER_ULONG(volatile ULONG *Register, PULONG Buffer, ULONG Count); */
NTAPI(READ_REGISTER_BUFFER_ULONG)
{
    return reg_buffer(nt, a[0], a[1], a[2], 4, 0);
}
/* VOID WRITE_REGISTER_BUFFER_UCHAR(volatile UCHAR *Register, PUCHAR Buffer, ULONG Count); */
NTAPI(WRITE_REGISTER_BUFFER_UCHAR)
{
    return reg_buffer(nt, a[0], a[1], a[2], 1, 1);
}
/* VOID WRITE_REGISTER_BUFFER_USHORT(volatile USHORT *Register, PUSHORT Buffer, ULONG Count); */
NTAPI(WRITE_REGISTER_BUFFER_USHORT)
{
    return reg_buffer(nt, a[0], a[1], a[2], 2, 1);
}
/* VOID WRITE_REGISTER_BUFFER_ULONG(volatile ULONG *Register, PULONG Buffer, ULONG Count); */
NTAPI(WRITE_REGISTER_BUFFER_ULONG)
{
    return reg_buffer(nt, a[0], a[1], a[2], 4, 1);
}
