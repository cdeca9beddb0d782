/* ktest cases for the registry (src/nt/ntoskrnl/zw.c, registry.c): create
 * and open keys (absolute and relative), set values, query them with the
 * three KEY_VALUE_INFORMATION classes and too-small buffers (the
 * STATUS_BUFFER_TOO_SMALL / STATUS_BUFFER_OVERFLOW rules and ResultLength
 * of the ZwQueryValueKey page), enumerate, delete, close.
 * Expected behaviour: learn.microsoft.com ZwCreateKey, ZwOpenKey,
 * ZwQueryValueKey, ZwEnumerateKey, ZwEnumerateValueKey, ZwQueryKey,
 * ZwDeleteKey, ZwClose. */
#include "ktest.h"

static NTSTATUS kt_open(PHANDLE h, HANDLE root, const WCHAR *path)
{
    UNICODE_STRING us;
    OBJECT_ATTRIBUTES oa;
    RtlInitUnicodeString(&us, path);
    InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, NULL);
    return ZwOpenKey(h, KEY_ALL_ACCESS, &oa);
}

static NTSTATUS kt_create(PHANDLE h, HANDLE root, const WCHAR *path, PULONG disp)
{
    UNICODE_STRING us;
    OBJECT_ATTRIBUTES oa;
    RtlInitUnicodeString(&us, path);
    InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, root, NULL);
    return ZwCreateKey(h, KEY_ALL_ACCESS, &oa, 0, NULL, REG_OPTION_VOLATILE, disp);
}

static NTSTATUS kt_set(HANDLE h, const WCHAR *name, ULONG type, const void *data, ULONG len)
{
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, name);
    return ZwSetValueKey(h, &us, 0, type, (PVOID)data, len);
}

static NTSTATUS kt_query(HANDLE h, const WCHAR *name, KEY_VALUE_INFORMATION_CLASS cls, PVOID buf,
                         ULONG len, PULONG result)
{
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, name);
    return ZwQueryValueKey(h, &us, cls, buf, len, result);
}

void kt_zw_keys(PDRIVER_OBJECT drv)
{
    HANDLE h = NULL, h2 = NULL, sub = NULL;
    ULONG disp = 0;
    KT_EQ(kt_open(&h, NULL, L"\\Registry\\Machine\\Software\\KTestZw"),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(kt_create(&h, NULL, L"\\Registry\\Machine\\Software\\KTestZw", &disp), STATUS_SUCCESS);
    KT_EQ(disp, REG_CREATED_NEW_KEY);
    KT_EQ(kt_create(&h2, NULL, L"\\REGISTRY\\MACHINE\\SOFTWARE\\ktestzw", &disp), STATUS_SUCCESS);
    KT_EQ(disp, REG_OPENED_EXISTING_KEY);
    KT_OK(h2 != h);
    KT_EQ(ZwClose(h2), STATUS_SUCCESS);
    /* ZwCreateKey does not create missing parents */
    KT_EQ(kt_create(&h2, NULL, L"\\Registry\\Machine\\Software\\KTestNoParent\\Child", &disp),
          STATUS_OBJECT_NAME_NOT_FOUND);
    /* relative to a handle */
    KT_EQ(kt_create(&sub, h, L"Sub", &disp), STATUS_SUCCESS);
    KT_EQ(kt_open(&h2, NULL, L"\\Registry\\Machine\\Software\\KTestZw\\SUB"), STATUS_SUCCESS);
    KT_EQ(ZwClose(h2), STATUS_SUCCESS);

    /* the service key of this driver exists, with the usual values */
    {
        WCHAR path[160] = L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\";
        UNICODE_STRING us;
        RtlInitUnicodeString(&us, path);
        us.MaximumLength = sizeof path;
        RtlAppendUnicodeStringToString(&us, &drv->DriverExtension->ServiceKeyName);
        path[us.Length / 2] = 0;
        UCHAR buf[64];
        ULONG rl = 0;
        KT_EQ(kt_open(&h2, NULL, path), STATUS_SUCCESS);
        KT_EQ(kt_query(h2, L"Start", KeyValuePartialInformation, buf, sizeof buf, &rl),
              STATUS_SUCCESS);
        KT_EQ(((PKEY_VALUE_PARTIAL_INFORMATION)buf)->Type, REG_DWORD);
        KT_EQ(*(PULONG)((PKEY_VALUE_PARTIAL_INFORMATION)buf)->Data, 3);
        ZwClose(h2);
    }

    /* enumeration */
    UCHAR buf[128];
    ULONG rl = 0;
    PKEY_BASIC_INFORMATION kb = (PKEY_BASIC_INFORMATION)buf;
    KT_EQ(ZwEnumerateKey(h, 0, KeyBasicInformation, buf, sizeof buf, &rl), STATUS_SUCCESS);
    KT_EQ(kb->NameLength, 6);
    KT_OK(kb->Name[0] == L'S' && kb->Name[2] == L'b');
    KT_EQ(rl, FIELD_OFFSET(KEY_BASIC_INFORMATION, Name) + 6);
    KT_EQ(ZwEnumerateKey(h, 1, KeyBasicInformation, buf, sizeof buf, &rl), STATUS_NO_MORE_ENTRIES);

    /* delete: with a subkey it fails; the handle of a deleted key is stale */
    KT_EQ(ZwDeleteKey(h), STATUS_CANNOT_DELETE);
    KT_EQ(ZwDeleteKey(sub), STATUS_SUCCESS);
    KT_EQ(kt_set(sub, L"x", REG_DWORD, &disp, 4), STATUS_KEY_DELETED);
    KT_EQ(ZwClose(sub), STATUS_SUCCESS);
    KT_EQ(ZwClose(sub), STATUS_INVALID_HANDLE);
    KT_EQ(ZwDeleteKey(h), STATUS_SUCCESS);
    KT_EQ(ZwClose(h), STATUS_SUCCESS);
    KT_EQ(kt_open(&h, NULL, L"\\Registry\\Machine\\Software\\KTestZw"),
          STATUS_OBJECT_NAME_NOT_FOUND);
}

void kt_zw_values(PDRIVER_OBJECT drv)
{
    HANDLE h = NULL;
    ULONG disp, rl;
    UCHAR buf[128];
    ULONG speed = 100;
    static const WCHAR str[] = L"hello";
    static const UCHAR bin[3] = {1, 2, 3};
    KT_EQ(kt_create(&h, NULL, L"\\Registry\\Machine\\Software\\KTestVal", &disp), STATUS_SUCCESS);
    KT_EQ(kt_set(h, L"Speed", REG_DWORD, &speed, sizeof speed), STATUS_SUCCESS);
    KT_EQ(kt_set(h, L"Name", REG_SZ, str, sizeof str), STATUS_SUCCESS);
    KT_EQ(kt_set(h, L"Blob", REG_BINARY, bin, sizeof bin), STATUS_SUCCESS);

    /* Partial: header 12 bytes + data */
    PKEY_VALUE_PARTIAL_INFORMATION pi = (PKEY_VALUE_PARTIAL_INFORMATION)buf;
    RtlFillMemory(buf, sizeof buf, 0xCC);
    KT_EQ(kt_query(h, L"speed", KeyValuePartialInformation, buf, sizeof buf, &rl), STATUS_SUCCESS);
    KT_EQ(rl, FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + 4);
    KT_EQ(pi->Type, REG_DWORD);
    KT_EQ(pi->DataLength, 4);
    KT_EQ(*(PULONG)pi->Data, 100);
    rl = 0;
    KT_EQ(kt_query(h, L"Speed", KeyValuePartialInformation, buf, 0, &rl), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(rl, 16);
    RtlFillMemory(buf, sizeof buf, 0xCC);
    KT_EQ(kt_query(h, L"Speed", KeyValuePartialInformation, buf, 11, &rl), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(buf[0], 0xCC); /* nothing written */
    KT_EQ(kt_query(h, L"Speed", KeyValuePartialInformation, buf, 12, &rl), STATUS_BUFFER_OVERFLOW);
    KT_EQ(rl, 16);
    KT_EQ(pi->DataLength, 4); /* the fixed part is filled */
    KT_EQ(pi->Type, REG_DWORD);

    /* Basic: header 12 bytes + name */
    PKEY_VALUE_BASIC_INFORMATION bi = (PKEY_VALUE_BASIC_INFORMATION)buf;
    KT_EQ(kt_query(h, L"Speed", KeyValueBasicInformation, buf, sizeof buf, &rl), STATUS_SUCCESS);
    KT_EQ(rl, FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name) + 10);
    KT_EQ(bi->NameLength, 10);
    KT_OK(bi->Name[0] == L'S' && bi->Name[4] == L'd');
    KT_EQ(kt_query(h, L"Speed", KeyValueBasicInformation, buf, 14, &rl), STATUS_BUFFER_OVERFLOW);
    KT_EQ(rl, 22);

    /* Full: header 20 bytes + name, data at DataOffset */
    PKEY_VALUE_FULL_INFORMATION fi = (PKEY_VALUE_FULL_INFORMATION)buf;
    KT_EQ(kt_query(h, L"Name", KeyValueFullInformation, buf, sizeof buf, &rl), STATUS_SUCCESS);
    KT_EQ(fi->Type, REG_SZ);
    KT_EQ(fi->NameLength, 8);
    KT_EQ(fi->DataLength, sizeof str);
    KT_OK(fi->DataOffset >= FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name) + 8 &&
          (fi->DataOffset & 3) == 0);
    KT_EQ(rl, fi->DataOffset + sizeof str);
    KT_OK(RtlCompareMemory(buf + fi->DataOffset, str, sizeof str) == sizeof str);
    KT_EQ(kt_query(h, L"Name", KeyValueFullInformation, buf, 19, &rl), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(kt_query(h, L"Name", KeyValueFullInformation, buf, 24, &rl), STATUS_BUFFER_OVERFLOW);
    KT_EQ(fi->DataLength, sizeof str);

    KT_EQ(kt_query(h, L"Missing", KeyValuePartialInformation, buf, sizeof buf, &rl),
          STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(kt_query((HANDLE)0x12345678, L"Speed", KeyValuePartialInformation, buf, sizeof buf, &rl),
          STATUS_INVALID_HANDLE);

    /* replace a value: the type changes too */
    KT_EQ(kt_set(h, L"Speed", REG_BINARY, bin, 2), STATUS_SUCCESS);
    KT_EQ(kt_query(h, L"Speed", KeyValuePartialInformation, buf, sizeof buf, &rl), STATUS_SUCCESS);
    KT_OK(pi->Type == REG_BINARY && pi->DataLength == 2 && pi->Data[1] == 2);

    /* enumerate values in creation order, then the key's counts */
    KT_EQ(ZwEnumerateValueKey(h, 2, KeyValueBasicInformation, buf, sizeof buf, &rl),
          STATUS_SUCCESS);
    KT_OK(bi->NameLength == 8 && bi->Name[0] == L'B');
    KT_EQ(ZwEnumerateValueKey(h, 3, KeyValueBasicInformation, buf, sizeof buf, &rl),
          STATUS_NO_MORE_ENTRIES);
    PKEY_FULL_INFORMATION kf = (PKEY_FULL_INFORMATION)buf;
    KT_EQ(ZwQueryKey(h, KeyFullInformation, buf, sizeof buf, &rl), STATUS_SUCCESS);
    KT_OK(kf->Values == 3 && kf->SubKeys == 0 && kf->MaxValueNameLen == 10 &&
          kf->MaxValueDataLen == sizeof str);

    UNICODE_STRING us;
    RtlInitUnicodeString(&us, L"Blob");
    KT_EQ(ZwDeleteValueKey(h, &us), STATUS_SUCCESS);
    KT_EQ(ZwDeleteValueKey(h, &us), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(ZwFlushKey(h), STATUS_SUCCESS);
    KT_EQ(ZwDeleteKey(h), STATUS_SUCCESS);
    KT_EQ(ZwClose(h), STATUS_SUCCESS);
}
