#!/bin/sh
# Regenerates the seed corpora of the PE and INF fuzzers:
#   tests/fuzz/corpus/pe/   small PE32 drivers built with mingw-w64 (several
#                           alignments, a /GS load config, imports by name
#                           and ordinal, named/ordinal-only/forwarded exports,
#                           a VERSIONINFO resource) and a few refused variants
#   tests/fuzz/corpus/inf/  INF files: an NDIS NIC INF for the RTL8139 (ASCII
#                           and UTF-16LE), a PC Card INF with LogConfig
#                           sections, plus syntax corner cases
# The seeds are checked in; run this only to change them. Files named
# crash-* in the corpora are regression inputs found by fuzzing: kept.
# Needs i686-w64-mingw32-gcc, -windres, -dlltool, iconv, od, dd.
set -eu
cd "$(dirname "$0")"
PE=corpus/pe
INF=corpus/inf
CC=${MINGW_CC:-i686-w64-mingw32-gcc}
WINDRES=${MINGW_WINDRES:-i686-w64-mingw32-windres}
DLLTOOL=${MINGW_DLLTOOL:-i686-w64-mingw32-dlltool}
mkdir -p "$PE" "$INF"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- little-endian pokes into a file, in sh ---------------------------------
rd32() { od -An -tu4 -j"$2" -N4 "$1" | tr -d ' '; }
poke() { # file offset value bytes
    v=$3; i=0; s=""
    while [ $i -lt "$4" ]; do
        s="$s$(printf '\\%03o' $((v & 255)))"; v=$((v >> 8)); i=$((i + 1))
    done
    printf "$s" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# Offset of the optional header: e_lfanew + 4 (signature) + 20 (COFF header)
opt_off() { echo $(($(rd32 "$1" 60) + 24)); }

# --- a small driver ---------------------------------------------------------
cat > "$T/drv.c" <<'EOF'
/* Seed driver for the PE fuzzer: imports by name and by ordinal, exports,
 * a /GS cookie reached through the load config, and base relocations. */
typedef long NTSTATUS;
typedef unsigned long ULONG;
__declspec(dllimport) ULONG __cdecl DbgPrint(const char *fmt, ...);
__declspec(dllimport) void __stdcall KeBugCheckEx(ULONG, ULONG, ULONG, ULONG, ULONG);
__declspec(dllimport) unsigned char __fastcall KfRaiseIrql(unsigned char);
__declspec(dllimport) ULONG __stdcall XdrvByOrdinal(ULONG);

unsigned int __security_cookie = 0xBB40E64E;
static int counter = 5;
int *counter_ptr = &counter;

/* IMAGE_LOAD_CONFIG_DIRECTORY32 up to SEHandlerCount (72 bytes) */
typedef struct {
    ULONG Size, TimeDateStamp;
    unsigned short MajorVersion, MinorVersion;
    ULONG GlobalFlagsClear, GlobalFlagsSet, CriticalSectionDefaultTimeout,
        DeCommitFreeBlockThreshold, DeCommitTotalFreeThreshold, LockPrefixTable,
        MaximumAllocationSize, VirtualMemoryThreshold, ProcessHeapFlags, ProcessAffinityMask;
    unsigned short CSDVersion, DependentLoadFlags;
    ULONG EditList, SecurityCookie, SEHandlerTable, SEHandlerCount;
} LoadConfig32;
const LoadConfig32 _load_config_used = {
    .Size = sizeof(LoadConfig32), .SecurityCookie = (ULONG)&__security_cookie };

int __stdcall XdrvHelper(int a) { return a + *counter_ptr; }
int __stdcall XdrvHidden(int a) { return a * 2; }

NTSTATUS __stdcall DriverEntry(void *drv, void *reg)
{
    DbgPrint("xdrv seed %d\n", XdrvHelper(1));
    if (!drv)
        KeBugCheckEx(1, 2, 3, 4, 5);
    KfRaiseIrql(2);
    return (NTSTATUS)XdrvByOrdinal((ULONG)reg);
}
EOF
cat > "$T/drv.def" <<'EOF'
LIBRARY seed.sys
EXPORTS
    XdrvHelper@4
    XdrvHidden@4 @7 NONAME
    XdrvForwarded = ntoskrnl.RtlZeroMemory
EOF
cat > "$T/byord.def" <<'EOF'
LIBRARY byord.sys
EXPORTS
    XdrvByOrdinal@4 @17 NONAME
EOF
cat > "$T/drv.rc" <<'EOF'
1 VERSIONINFO
FILEVERSION 1,2,3,4
PRODUCTVERSION 5,6,7,8
FILEOS 0x40004
FILETYPE 3
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "xdrv project"
      VALUE "FileDescription", "xdrv seed driver"
      VALUE "FileVersion", "1.2.3.4"
      VALUE "OriginalFilename", "seed.sys"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
EOF
"$WINDRES" "$T/drv.rc" -O coff -o "$T/drv.res"
"$DLLTOOL" -k -d "$T/byord.def" -l "$T/libbyord.a"

# build NAME SECTION_ALIGN FILE_ALIGN: linked twice, with symbols (to find
# _load_config_used) and stripped by ld (strip would stamp the time).
build() {
    for v in "$T/u.sys" "$PE/$1"; do
        "$CC" -Os -ffreestanding -nostdlib -shared -o "$v" "$T/drv.c" "$T/drv.def" "$T/drv.res" \
            -Wl,--subsystem,native -Wl,--entry,_DriverEntry@8 -Wl,--image-base,0x10000 \
            -Wl,--no-insert-timestamp -Wl,--kill-at -Wl,--section-alignment,"$2" \
            -Wl,--file-alignment,"$3" "$T/libbyord.a" -lntoskrnl -lhal \
            $([ "$v" = "$T/u.sys" ] || echo -s)
    done
    out="$PE/$1"
    lc=$("${CC%gcc}nm" "$T/u.sys" | awk '/ __load_config_used$/ {print $1}')
    # binutils 2.40 does not fill the load config data directory (index 10)
    # from _load_config_used: point it there by hand, 72 bytes.
    o=$(opt_off "$out")
    poke "$out" $((o + 96 + 8 * 10)) $((0x$lc - 0x10000)) 4
    poke "$out" $((o + 96 + 8 * 10 + 4)) 72 4
}
build driver-a1000.pe 0x1000 0x200 ""
build driver-a200.pe 0x200 0x200 ""
build driver-a80.pe 0x80 0x80 ""

# A driver with no relocations (IMAGE_FILE_RELOCS_STRIPPED), no exports,
# no resources and no load config: the bare minimum a loader sees.
cat > "$T/min.c" <<'EOF'
typedef long NTSTATUS;
__declspec(dllimport) unsigned long __cdecl DbgPrint(const char *fmt, ...);
NTSTATUS __stdcall DriverEntry(void *drv, void *reg)
{
    DbgPrint("minimal\n");
    return 0;
}
EOF
"$CC" -Os -ffreestanding -nostdlib -o "$PE/driver-norelocs.pe" "$T/min.c" -s \
    -Wl,--subsystem,native -Wl,--entry,_DriverEntry@8 -Wl,--image-base,0x10000 \
    -Wl,--no-insert-timestamp -Wl,--disable-reloc-section -Wl,--disable-dynamicbase \
    -Wl,--section-alignment,0x200 -Wl,--file-alignment,0x200 -lntoskrnl

# Refused variants, each a few bytes away from a good image.
o=$(opt_off "$PE/driver-a80.pe")
cp "$PE/driver-a80.pe" "$PE/refused-pe32plus.pe"
poke "$PE/refused-pe32plus.pe" "$o" $((0x20b)) 2
cp "$PE/driver-a80.pe" "$PE/refused-gui.pe"
poke "$PE/refused-gui.pe" $((o + 68)) 2 2
cp "$PE/driver-a80.pe" "$PE/refused-x64-machine.pe"
poke "$PE/refused-x64-machine.pe" $((o - 20)) $((0x8664)) 2
head -c 700 "$PE/driver-a80.pe" > "$PE/truncated.pe"

# --- INF files ----------------------------------------------------------------
cat > "$INF/rtl8139.inf" <<'EOF'
; RTL8139-family Fast Ethernet NIC: an NDIS 5 miniport INF written for the
; xdrv fuzz corpus, laid out like the ones shipped with such adapters.

[Version]
Signature   = "$Windows NT$"
Class       = Net
ClassGUID   = {4d36e972-e325-11ce-bfc1-08002be10318}
Provider    = %XDRV%
CatalogFile = rtl8139.cat
DriverVer   = 05/04/2024,1.0.0.1

[Manufacturer]
%Realtek% = Realtek, NTx86, NTamd64

[ControlFlags]
ExcludeFromSelect = *

[Realtek]
%RTL8139.DeviceDesc% = RTL8139.ndi, PCI\VEN_10EC&DEV_8139

[Realtek.NTx86]
%RTL8139.DeviceDesc% = RTL8139.ndi, PCI\VEN_10EC&DEV_8139, PCI\VEN_10EC&DEV_8139&SUBSYS_813910EC
%RTL8139C.DeviceDesc% = RTL8139.ndi, PCI\VEN_10EC&DEV_8138, \
                        PCI\VEN_1113&DEV_1211

[Realtek.NTamd64]
%RTL8139.DeviceDesc% = RTL8139.ndi, PCI\VEN_10EC&DEV_8139

;-------------------------------------------------------------------------------
; Install sections
[RTL8139.ndi]
AddReg          = RTL8139.reg, Common.reg
CopyFiles       = RTL8139.CopyFiles

[RTL8139.ndi.NT]
Characteristics = 0x84          ; NCF_PHYSICAL | NCF_HAS_UI
BusType         = 5             ; PCIBus
AddReg          = RTL8139.reg
AddReg          = Common.reg, Params.reg
CopyFiles       = RTL8139.CopyFiles

[RTL8139.ndi.NTx86]
Characteristics = 0x84
BusType         = 5
AddReg          = RTL8139.reg, Common.reg, Params.reg
CopyFiles       = RTL8139.CopyFiles
*IfType         = 6

[RTL8139.ndi.NTx86.Services]
AddService = RTL8139, 2, RTL8139.Service, RTL8139.EventLog

[RTL8139.ndi.NT.Services]
AddService = RTL8139, 2, RTL8139.Service, RTL8139.EventLog

[RTL8139.ndi.Services]
AddService = RTL8139, 2, RTL8139.Service

[RTL8139.reg]
HKR, Ndi,            Service,    0, "RTL8139"
HKR, Ndi\Interfaces, UpperRange, 0, "ndis5"
HKR, Ndi\Interfaces, LowerRange, 0, "ethernet"
HKR, ,               BusNumber,  0, "0"

[Common.reg]
HKR, , *IfType,         0x00010001, 6
HKR, , *MediaType,      0x00010001, 0
HKR, , *PhysicalMediaType, 0x00010001, 14

[Params.reg]
HKR, Ndi\params\SpeedDuplex,        ParamDesc, 0, %SpeedDuplex%
HKR, Ndi\params\SpeedDuplex,        default,   0, "0"
HKR, Ndi\params\SpeedDuplex,        type,      0, "enum"
HKR, Ndi\params\SpeedDuplex\enum,   "0",       0, %AutoDetect%
HKR, Ndi\params\SpeedDuplex\enum,   "1",       0, %10Mb-Half-Duplex%
HKR, Ndi\params\SpeedDuplex\enum,   "2",       0, %100Mb-Full-Duplex%
HKR, ,                              SpeedDuplex, 0, "0"
HKR, Ndi\params\NetworkAddress,     ParamDesc, 0, %NetworkAddress%
HKR, Ndi\params\NetworkAddress,     type,      0, "edit"
HKR, Ndi\params\NetworkAddress,     LimitText, 0, "12"
HKR, Ndi\params\NetworkAddress,     UpperCase, 0, "1"
HKR, Ndi\params\NetworkAddress,     Optional,  0, "1"
HKR, ,                              MaxMulticast, 0x00010001, 0x20
HKR, ,                              EarlyTxThreshold, 0x00010001, 0x3F
HKR, ,                              Filters,   0x00010000, "RX", "TX", "MC"
HKR, ,                              EnvPath,   0x00020000, "%%SystemRoot%%\system32"
HKR, ,                              MacTemplate, 0x00000001, 00, e0, 4c, 00, 00, 01

[RTL8139.Service]
DisplayName    = %RTL8139.Service.DispName%
ServiceType    = 1      ; SERVICE_KERNEL_DRIVER
StartType      = 3      ; SERVICE_DEMAND_START
ErrorControl   = 1      ; SERVICE_ERROR_NORMAL
ServiceBinary  = %12%\rtl8139.sys
LoadOrderGroup = NDIS
AddReg         = TextModeFlags.reg

[RTL8139.EventLog]
AddReg = RTL8139.AddEventLog.reg

[RTL8139.AddEventLog.reg]
HKR, , EventMessageFile, 0x00020000, "%%SystemRoot%%\System32\netevent.dll"
HKR, , TypesSupported,   0x00010001, 7

[TextModeFlags.reg]
HKR, , TextModeFlags, 0x00010001, 0x0001

[RTL8139.CopyFiles]
rtl8139.sys,,,2

[SourceDisksNames]
1 = %DiskDescription%, rtl8139.sys,,

[SourceDisksFiles]
rtl8139.sys = 1,,

[DestinationDirs]
RTL8139.CopyFiles = 12

[Strings]
XDRV                     = "xdrv project"
Realtek                  = "Realtek"
RTL8139.DeviceDesc       = "Realtek RTL8139 Family PCI Fast Ethernet NIC"
RTL8139C.DeviceDesc      = "Realtek RTL8139C+ Fast Ethernet NIC"
RTL8139.Service.DispName = "Realtek RTL8139 NT Driver"
DiskDescription          = "Realtek Driver Disk"
SpeedDuplex              = "Link Speed & Duplex"
AutoDetect               = "Auto Detect"
10Mb-Half-Duplex         = "10Mbps/Half Duplex"
100Mb-Full-Duplex        = "100Mbps/Full Duplex"
NetworkAddress           = "Network Address"
EOF
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$INF/rtl8139.inf"; } > "$INF/rtl8139-utf16.inf"

cat > "$INF/syntax.inf" <<'EOF'
; Syntax corners: quotes, "" escapes, ; inside quotes, continuation,
; %% and unknown %tokens%, case-insensitive merged sections, empty fields.
[version]
signature="$CHICAGO$"

[Misc]
Quoted   = "  spaces kept  ", "semi;colon", "say ""hi""", unquoted text  here
Percent  = 100%%, %unknown%, %Name%, "%Name% in quotes"
Empty    = , ,"",
Joined   = first, \
           second, \
           third
NoValue  =
plain line without equals, field two

[MISC]
Merged = yes

[Strings]
Name = "the name"
EOF
printf '[Version]\r\nSignature = "$Windows NT$"\r\n\r\n[Manufacturer]\r\nAcme = Models\r\n\r\n[Models]\r\n"Acme NIC" = Acme.Install, PCI\\VEN_1234&DEV_5678\r\n\r\n[Acme.Install]\r\nAddReg = Acme.Reg\r\n\r\n[Acme.Install.Services]\r\nAddService = acme, 0x00000002, Acme.Svc\r\n\r\n[Acme.Svc]\r\nServiceType = 1\r\nAddReg = Acme.SvcReg\r\n\r\n[Acme.Reg]\r\nHKR,,Speed,0x00010001,100\r\n\r\n[Acme.SvcReg]\r\nHKR,Parameters,Debug,0x00010001,0\r\n' > "$INF/crlf.inf"
cat > "$INF/decorations.inf" <<'EOF'
; Decorated-only models (x64 and an OS-versioned x86 one), install sections
; with .NT/.NTx86 variants and their .Services, [Strings.0409] preferred.
[Version]
Signature = "$Windows NT$"
Class = Net

[Manufacturer]
%Mfg% = Mfg, NTamd64, NTx86.5.1, NTx86.5.1

[Mfg.NTamd64]
%Desc% = Dev, PCI\VEN_8086&DEV_100E

[Mfg.NTx86.5.1]
%Desc% = Dev, PCI\VEN_8086&DEV_100E&SUBSYS_001E8086, PCI\VEN_8086&DEV_100E

[Dev]
AddReg = Base.reg
[Dev.NT]
AddReg = Base.reg, NT.reg
[Dev.NTx86]
Needs = Dev.NT
AddReg = Base.reg, NT.reg, X86.reg
[Dev.NTx86.Services]
AddService = e1000, 0x00000002, Svc, Log
AddService = helper, , Svc
[Dev.NT.Services]
AddService = e1000, 2, Svc

[Svc]
ServiceType = 1
StartType = 3
ErrorControl = 1
ServiceBinary = %12%\e1000.sys
AddReg = Svc.reg

[Log]
AddReg = Log.reg

[Base.reg]
HKR, Ndi, Service, 0, "e1000"
HKR, Ndi\Interfaces, , 0x00000010
[NT.reg]
HKR, , *SpeedDuplex, 0x00000000, "0"
HKR, , Obsolete, 0x00000004
[X86.reg]
HKR, , Quad, 0x000B0001, 01,02,03,04,05,06,07,08
HKR, , Raw, 0x00000001, de,ad,be,ef
HKR, , None, 0x00020001
HKR, , List, 0x00010008, "appended"
[Svc.reg]
HKR, Parameters, Debug, 0x00010001, 0
[Log.reg]
HKR, , EventMessageFile, 0x00020000, "%%SystemRoot%%\System32\IoLogMsg.dll"

[Strings]
Mfg = "Intel (default)"
Desc = "Intel PRO/1000 (default)"
[Strings.0409]
Mfg = "Intel"
Desc = "Intel(R) PRO/1000 MT Network Connection"
EOF
cat > "$INF/logconfig.inf" <<'EOF'
; A PC Card NE2000: PCMCIA and EISA-style IDs, LogConfig resources
[Version]
Signature = "$Windows NT$"
Class = Net
[Manufacturer]
%Mfg% = Cards, NTx86
[Cards.NTx86]
%Card% = Card.ndi, PCMCIA\ACME-NE2000-1234, *PNP80D6
[Card.ndi.NTx86]
LogConfig = LC.Hard, LC.Soft
AddReg = Card.reg
[Card.ndi.NTx86.LogConfigOverride]
LogConfig = LC.Soft
[Card.ndi.NTx86.Services]
AddService = ne2000, 2, Svc
[LC.Hard]
ConfigPriority = HARDRECONFIG
IOConfig = 300-31F(3FF::), 340-35F
IRQConfig = 3, 5
[LC.Soft]
ConfigPriority = DESIRED
IOConfig = 20@200-3FF%FFE0(3FF::)
IRQConfig = L:9,10,11
DMAConfig = 3
MemConfig = 2000@C0000-DFFFF%FFFFE000
[Card.reg]
HKR,,IoBaseAddress,,"300"
[Svc]
ServiceType = 1
[Strings]
Mfg = "Acme"
Card = "Acme NE2000 PC Card"
EOF
printf '\357\273\277[Version]\nSignature="$Windows NT$"\n[Strings]\nA="\303\251t\303\251"\n' > "$INF/utf8-bom.inf"
printf '[Version]\nSignature="$Windows NT$"\n\n[Broken\nKey = value\n' > "$INF/unterminated-section.inf"
printf '[S]\nkey = "unterminated\n' > "$INF/unterminated-quote.inf"
echo "corpus: $(ls "$PE" | wc -l) PE seeds, $(ls "$INF" | wc -l) INF seeds"
