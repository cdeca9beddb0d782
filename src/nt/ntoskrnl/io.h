/* The I/O manager's host-side interface: load a driver (DriverEntry),
 * serve requests to its devices the way user-mode CreateFile/ReadFile/
 * WriteFile/DeviceIoControl/CloseHandle would reach them, unload it.
 * This is the documented interface `xdrv run --request` and the tests use. */
#ifndef XDRV_NT_IO_H
#define XDRV_NT_IO_H

#include <stdint.h>
#include <stdio.h>

#include "nt/loader.h"

typedef struct NtRequestResult {
    uint32_t status;      /* NTSTATUS from the IRP's IoStatus (after completion) */
    uint32_t information; /* IoStatus.Information */
    int pending;          /* the driver returned STATUS_PENDING and never completed */
} NtRequestResult;

/* Create the DRIVER_OBJECT for a loaded image and call DriverEntry with the
 * registry path \Registry\Machine\System\CurrentControlSet\Services\<service>.
 * Returns the NTSTATUS DriverEntry returned, or -1 if the run stopped
 * (fault: see vm_report_fault). */
int64_t nt_io_load_driver(Nt *nt, NtImage *img, const char *service);

/* Print the device objects and symbolic links that exist now. */
void nt_io_list_devices(Nt *nt, FILE *f);

/* Open a device by NT name ("\Device\KTest") or symbolic link
 * ("\DosDevices\KTest", "\??\KTest", or just "KTest" meaning \??\KTest):
 * sends IRP_MJ_CREATE. Returns a handle > 0, 0 when the name is unknown or
 * the driver failed the create (res->status tells), -1 when the run stopped. */
int nt_io_open(Nt *nt, const char *name, NtRequestResult *res);
/* IRP_MJ_READ / IRP_MJ_WRITE / IRP_MJ_DEVICE_CONTROL on an open handle, with
 * the buffering method the device's Flags (DO_BUFFERED_IO / DO_DIRECT_IO)
 * or the IOCTL code's method select. `out`, `outlen` receive data (at most
 * outlen bytes; res->information tells how many). Return 0, or -1 when the
 * run stopped, -2 for a bad handle. */
int nt_io_read(Nt *nt, int h, void *out, uint32_t outlen, NtRequestResult *res);
int nt_io_write(Nt *nt, int h, const void *in, uint32_t inlen, NtRequestResult *res);
int nt_io_ioctl(Nt *nt, int h, uint32_t code, const void *in, uint32_t inlen, void *out,
                uint32_t outlen, NtRequestResult *res);
/* IRP_MJ_CLEANUP then IRP_MJ_CLOSE. */
int nt_io_close(Nt *nt, int h, NtRequestResult *res);

/* Call DriverUnload if the driver set one. Returns 0, 1 if the driver has no
 * unload routine, -1 if the run stopped. */
int nt_io_unload_driver(Nt *nt);

#endif
