/* quota_hog: asks the kernel for more than xdrv lets one driver have
 * (issue 12: a quota on every host resource a driver can make xdrv
 * allocate) and prints what each attempt ended in, for
 * tests/guest/test_quotas.sh: registry keys, values, bytes of value data,
 * handles, debug output. Each loop stops at the first failure, or after
 * far more than the quota (then the line says "no limit"). */
#include <ntddk.h>

#define MANY 100000u
#define HOG_TAG 0x676f4851u /* "QHog" in memory */

static void hog_path(WCHAR *buf, ULONG n, const WCHAR *prefix, ULONG i)
{
    ULONG k = 0;
    while (*prefix && k < n - 12)
        buf[k++] = *prefix++;
    WCHAR digits[12];
    ULONG d = 0;
    do {
        digits[d++] = (WCHAR)(L'0' + i % 10);
        i /= 10;
    } while (i);
    while (d)
        buf[k++] = digits[--d];
    buf[k] = 0;
}

static HANDLE hog_open(PUNICODE_STRING path, NTSTATUS *st)
{
    OBJECT_ATTRIBUTES oa;
    HANDLE h = NULL;
    InitializeObjectAttributes(&oa, path, OBJ_KERNEL_HANDLE, NULL, NULL);
    *st = ZwCreateKey(&h, KEY_ALL_ACCESS, &oa, 0, NULL, 0, NULL);
    return NT_SUCCESS(*st) ? h : NULL;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING regpath)
{
    NTSTATUS st = STATUS_SUCCESS;
    ULONG i;
    WCHAR buf[256];
    UNICODE_STRING us;

    /* keys: one under the service key each */
    for (i = 0; i < MANY; i++) {
        hog_path(buf, 256, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\quota_hog\\k", i);
        RtlInitUnicodeString(&us, buf);
        HANDLE h = hog_open(&us, &st);
        if (!h)
            break;
        ZwClose(h);
    }
    DbgPrint("quota_hog: keys: %lu created, then 0x%08lx\n", i, (ULONG)st);

    /* values: on one key (already there) */
    RtlInitUnicodeString(&us, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\quota_hog");
    HANDLE key = hog_open(&us, &st);
    if (!key) {
        DbgPrint("quota_hog: the service key: 0x%08lx\n", (ULONG)st);
        return STATUS_SUCCESS;
    }
    ULONG v = 1;
    for (i = 0; i < MANY; i++) {
        hog_path(buf, 256, L"v", i);
        RtlInitUnicodeString(&us, buf);
        st = ZwSetValueKey(key, &us, 0, REG_DWORD, &v, sizeof v);
        if (!NT_SUCCESS(st))
            break;
    }
    DbgPrint("quota_hog: values: %lu set, then 0x%08lx\n", i, (ULONG)st);
    for (ULONG j = 0; j < i; j++) { /* give them back for what follows */
        hog_path(buf, 256, L"v", j);
        RtlInitUnicodeString(&us, buf);
        ZwDeleteValueKey(key, &us);
    }

    /* bytes of value data: 256 KB values */
    PVOID big = ExAllocatePoolWithTag(PagedPool, 256 * 1024, HOG_TAG);
    if (big) {
        RtlFillMemory(big, 256 * 1024, 0x5A);
        for (i = 0; i < 1000; i++) {
            hog_path(buf, 256, L"big", i);
            RtlInitUnicodeString(&us, buf);
            st = ZwSetValueKey(key, &us, 0, REG_BINARY, big, 256 * 1024);
            if (!NT_SUCCESS(st))
                break;
        }
        DbgPrint("quota_hog: data: %lu values of 256 KB set, then 0x%08lx\n", i, (ULONG)st);
        for (ULONG j = 0; j < i; j++) {
            hog_path(buf, 256, L"big", j);
            RtlInitUnicodeString(&us, buf);
            ZwDeleteValueKey(key, &us);
        }
        ExFreePoolWithTag(big, HOG_TAG);
    }

    /* handles: the same key opened again and again, none closed */
    RtlInitUnicodeString(&us, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\quota_hog");
    static HANDLE hs[MANY / 10];
    for (i = 0; i < MANY / 10; i++) {
        hs[i] = hog_open(&us, &st);
        if (!hs[i])
            break;
    }
    DbgPrint("quota_hog: handles: %lu open, then 0x%08lx\n", i, (ULONG)st);
    for (ULONG j = 0; j < i; j++)
        ZwClose(hs[j]);
    ZwClose(key);

    /* debug output: 100-byte lines, 40 MB of them at the most */
    for (i = 0; i < 400000u; i++) {
        st = DbgPrint("quota_hog: flood %08lu .......................................................................\n", i);
        if (!NT_SUCCESS(st))
            break;
    }
    /* (past the quota this line is dropped too: the test reads the count
     * xdrv prints) */
    DbgPrint("quota_hog: flood: %lu lines, then 0x%08lx\n", i, (ULONG)st);
    return STATUS_SUCCESS;
}
