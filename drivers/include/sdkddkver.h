/* Shadows mingw-w64's <sdkddkver.h> for the project's drivers (found first
 * because drivers/drivers.mk passes -Idrivers/include, and system headers
 * come after every -I directory). It repairs two defects that make Debian
 * 12's mingw-w64 (10.0.0) <ntddk.h> fail for any pre-Vista target, e.g.
 * the build's -DNTDDI_VERSION=0x05010000 (NTDDI_WINXP):
 *
 * 1. sdkddkver.h stops with "#error NTDDI_VERSION and _WIN32_WINNT
 *    mismatch!" unless _WIN32_WINNT is the matching value (0x0501 for XP),
 *    but _mingw.h, read before it, defaults _WIN32_WINNT to 0x0a00. Fix:
 *    when NTDDI_VERSION names a pre-Vista release, set _WIN32_WINNT to the
 *    release it names (sdkddkver.h's own rule: NTDDI_VERSION is
 *    _WIN32_WINNT followed by a 16-bit service-pack part).
 *
 * 2. ddk/wdm.h guards IO_STACK_LOCATION.Parameters.Power's
 *    SystemPowerStateContext with `NTDDI_VERSION >= NTDDI_WINVISTA`, but
 *    sdkddkver.h never defines NTDDI_WINVISTA (it has NTDDI_VISTA). In #if
 *    an undefined name is 0, so the member is always compiled, while its
 *    type is declared only for NTDDI_VERSION >= NTDDI_VISTA: "unknown type
 *    name 'SYSTEM_POWER_STATE_CONTEXT'". Fix: define NTDDI_WINVISTA as
 *    NTDDI_VISTA, its value in the Windows SDK; it is the only NTDDI_* name
 *    that wdm.h, ntddk.h and ndis.h use and sdkddkver.h lacks. (The member
 *    shares a union with a ULONG, so no layout depends on it.)
 *
 * tests/guest/test_ndis_header.sh notes when the shipped headers stop
 * needing this. */
#ifndef XDRV_SDKDDKVER_H
#define XDRV_SDKDDKVER_H

#ifdef NTDDI_VERSION
#if (NTDDI_VERSION & 0xffff0000) == 0x05000000
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0500
#elif (NTDDI_VERSION & 0xffff0000) == 0x05010000
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0501
#elif (NTDDI_VERSION & 0xffff0000) == 0x05020000
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0502
#endif
#endif

#include_next <sdkddkver.h>

#ifndef NTDDI_WINVISTA
#define NTDDI_WINVISTA NTDDI_VISTA
#endif

#endif
