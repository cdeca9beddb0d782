/* The cases: expected behaviour from the NDIS 5.1 documentation of each
 * routine (learn.microsoft.com) and ndis.h's macros. */
#include "ndistest.h"

#define TAG 0x7374644eu /* 'Ndts' */

/* ndis.h maps NdisEqualString to RtlEqualString (ANSI); the export
 * compares NDIS_STRINGs (Unicode), as documented. */
/* ndis.h declares the varargs NdisWriteErrorLogEntry as a dllimport that
 * libndis.a names "@0"; call its stub (the caller pops, as for cdecl). */
VOID nt_NdisWriteErrorLogEntry(NDIS_HANDLE h, NDIS_ERROR_CODE code, ULONG n, ...)
    __asm__("_NdisWriteErrorLogEntry@0");
BOOLEAN NTAPI nt_NdisEqualString(PNDIS_STRING a, PNDIS_STRING b, BOOLEAN ci) __asm__("_NdisEqualString@12");

void case_memory(void)
{
    PUCHAR p = NULL;
    NDIS_PHYSICAL_ADDRESS highest = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);
    NT_EQ(NdisAllocateMemoryWithTag((PVOID *)&p, 100, TAG), NDIS_STATUS_SUCCESS);
    NT_OK(p != NULL);
    if (p) {
        NdisFillMemory(p, 100, 0xab);
        NT_EQ(p[99], 0xab);
        NdisFreeMemory(p, 100, 0);
    }
    p = NULL;
    NT_EQ(NdisAllocateMemory((PVOID *)&p, 5000, NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED, highest),
          NDIS_STATUS_SUCCESS);
    NT_OK(p != NULL && ((ULONG_PTR)p & 0xfff) == 0); /* contiguous: page-aligned */
    if (p) {
        p[4999] = 1;
        NdisFreeMemory(p, 5000, NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED);
    }
    p = NULL;
    NT_EQ(NdisAllocateMemory((PVOID *)&p, 64, 0, highest), NDIS_STATUS_SUCCESS);
    if (p)
        NdisFreeMemory(p, 64, 0);
    /* nothing lies below 4 KB */
    NDIS_PHYSICAL_ADDRESS low = NDIS_PHYSICAL_ADDRESS_CONST(0x1000, 0);
    p = (PUCHAR)1;
    NT_EQ(NdisAllocateMemory((PVOID *)&p, 64, 0, low), NDIS_STATUS_FAILURE);
    NT_OK(p == NULL);
}

void case_strings(void)
{
    NDIS_STRING a, b;
    NdisInitUnicodeString(&a, L"Speed");
    NdisInitUnicodeString(&b, L"SPEED");
    NT_EQ(a.Length, 10);
    NT_EQ(a.MaximumLength, 12);
    NT_OK(nt_NdisEqualString(&a, &b, TRUE));
    NT_OK(!nt_NdisEqualString(&a, &b, FALSE));

    ANSI_STRING as;
    WCHAR wbuf[16];
    NDIS_STRING w = {0, sizeof wbuf, wbuf};
    NdisInitAnsiString(&as, "MaxRx");
    NT_EQ(as.Length, 5);
    NT_EQ(NdisAnsiStringToUnicodeString(&w, &as), NDIS_STATUS_SUCCESS);
    NT_EQ(w.Length, 10);
    NT_OK(wbuf[0] == L'M' && wbuf[4] == L'x');

    char cbuf[8];
    ANSI_STRING out = {0, sizeof cbuf, cbuf};
    NT_EQ(NdisUnicodeStringToAnsiString(&out, &a), NDIS_STATUS_SUCCESS);
    NT_OK(out.Length == 5 && cbuf[0] == 'S' && cbuf[4] == 'd');

    WCHAR ubuf[16];
    NDIS_STRING up = {0, sizeof ubuf, ubuf};
    NT_EQ(NdisUpcaseUnicodeString(&up, &a), NDIS_STATUS_SUCCESS);
    NT_OK(nt_NdisEqualString(&up, &b, FALSE));

    NDIS_STRING s;
    NdisInitializeString(&s, (PUCHAR) "Duplex");
    NT_OK(s.Buffer != NULL && s.Length == 12 && s.Buffer[5] == L'x');
    if (s.Buffer)
        NdisFreeString(s);
}

void case_packets(void)
{
    NDIS_STATUS st;
    NDIS_HANDLE pool = NULL;
    PNDIS_PACKET p1 = NULL, p2 = NULL, p3 = (PNDIS_PACKET)1;
    NdisAllocatePacketPool(&st, &pool, 2, 16);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NT_OK(pool != NULL);
    NdisAllocatePacket(&st, &p1, pool);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocatePacket(&st, &p2, pool);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocatePacket(&st, &p3, pool);
    NT_EQ(st, NDIS_STATUS_RESOURCES);
    NT_OK(p3 == NULL);
    NT_EQ(NdisPacketPoolUsage(pool), 2);
    if (!p1 || !p2)
        return;
    NT_OK(p1 != p2);
    NT_OK(p1->Private.Head == NULL && p1->Private.Pool == pool);
    NT_EQ(NdisGetPoolFromPacket(p1), pool);
    NT_OK(p1->Private.NdisPacketFlags & fPACKET_ALLOCATED_BY_NDIS);
    /* the OOB block follows the 16 protocol-reserved bytes */
    NT_OK(p1->Private.NdisPacketOobOffset >= FIELD_OFFSET(NDIS_PACKET, ProtocolReserved) + 16);
    NDIS_SET_PACKET_STATUS(p1, NDIS_STATUS_RESOURCES);
    NT_EQ(NDIS_GET_PACKET_STATUS(p1), NDIS_STATUS_RESOURCES);
    NDIS_SET_PACKET_HEADER_SIZE(p1, 14);
    NT_EQ(NDIS_GET_PACKET_HEADER_SIZE(p1), 14);
    NDIS_PER_PACKET_INFO_FROM_PACKET(p1, TcpIpChecksumPacketInfo) = (PVOID)0x1234;
    NT_EQ((ULONG_PTR)NDIS_PER_PACKET_INFO_FROM_PACKET(p1, TcpIpChecksumPacketInfo), 0x1234);
    NdisZeroMemory(p1->ProtocolReserved, 16);
    NT_OK(NdisPacketSize(16) >= sizeof(NDIS_PACKET) + sizeof(NDIS_PACKET_OOB_DATA) +
                                    sizeof(NDIS_PACKET_EXTENSION));
    NdisFreePacket(p2);
    NT_EQ(NdisPacketPoolUsage(pool), 1);
    NdisAllocatePacket(&st, &p2, pool);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NdisFreePacket(p1);
    NdisFreePacket(p2);

    /* Ex: descriptors + overflow */
    NDIS_HANDLE pool2 = NULL;
    PNDIS_PACKET q[3] = {0};
    NdisAllocatePacketPoolEx(&st, &pool2, 1, 2, PROTOCOL_RESERVED_SIZE_IN_PACKET);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    for (int i = 0; i < 3; i++) {
        NdisAllocatePacket(&st, &q[i], pool2);
        NT_EQ(st, NDIS_STATUS_SUCCESS);
    }
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (int i = 0; i < 3; i++)
        if (q[i])
            NdisDprFreePacket(q[i]);
    KeLowerIrql(old);
    NdisFreePacketPool(pool2);
    NdisFreePacketPool(pool);
}

void case_buffers(void)
{
    NDIS_STATUS st;
    NDIS_HANDLE bpool = NULL, ppool = NULL;
    PUCHAR mem = NULL;
    PNDIS_BUFFER b1 = NULL, b2 = NULL, b3 = NULL, out = NULL;
    PNDIS_PACKET pk = NULL, pk2 = NULL;
    PVOID va;
    UINT len, off, total, count, phys;

    NdisAllocateBufferPool(&st, &bpool, 4);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocatePacketPool(&st, &ppool, 2, 16);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NDIS_PHYSICAL_ADDRESS highest = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);
    NdisAllocateMemory((PVOID *)&mem, 0x3000, NDIS_MEMORY_CONTIGUOUS, highest);
    if (!bpool || !ppool || !mem)
        return;
    for (int i = 0; i < 0x3000; i++)
        mem[i] = (UCHAR)i;
    /* 100 bytes across a page boundary */
    NdisAllocateBuffer(&st, &b1, bpool, mem + 0xfd0, 100);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBuffer(&st, &b2, bpool, mem + 0x2000, 50);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    if (!b1 || !b2)
        return;
    NdisQueryBuffer(b1, &va, &len);
    NT_OK(va == mem + 0xfd0 && len == 100);
    NdisQueryBufferSafe(b1, &va, &len, NormalPagePriority);
    NT_OK(va == mem + 0xfd0 && len == 100);
    NdisQueryBufferOffset(b1, &off, &len);
    NT_OK(off == 0xfd0 && len == 100);
    NT_EQ(NDIS_BUFFER_TO_SPAN_PAGES(b1), 2);
    NT_EQ(NDIS_BUFFER_TO_SPAN_PAGES(b2), 1);
    NdisGetBufferPhysicalArraySize(b1, &phys);
    NT_EQ(phys, 2);
    NdisAdjustBufferLength(b1, 40);
    NT_EQ(NdisBufferLength(b1), 40);
    NT_EQ(NDIS_BUFFER_TO_SPAN_PAGES(b1), 1);
    NdisAdjustBufferLength(b1, 100);
    NT_EQ(NdisBufferVirtualAddress(b1), mem + 0xfd0);

    NdisAllocatePacket(&st, &pk, ppool);
    NdisAllocatePacket(&st, &pk2, ppool);
    if (!pk || !pk2)
        return;
    NdisChainBufferAtBack(pk, b1);
    NdisChainBufferAtBack(pk, b2);
    NdisQueryPacket(pk, &phys, &count, &out, &total);
    NT_OK(count == 2 && total == 150 && out == b1 && phys == 3);
    PNDIS_BUFFER first;
    PVOID firstva;
    UINT firstlen;
    NdisGetFirstBufferFromPacket(pk, &first, &firstva, &firstlen, &total);
    NT_OK(first == b1 && firstva == mem + 0xfd0 && firstlen == 100 && total == 150);
    NdisGetFirstBufferFromPacketSafe(pk, &first, &firstva, &firstlen, &total, NormalPagePriority);
    NT_OK(first == b1 && total == 150);

    /* copy 60 bytes from offset 90 of pk (10 of b1, 50 of b2) into pk2 at 5 */
    NdisAllocateBuffer(&st, &b3, bpool, mem + 0x2800, 200);
    NdisChainBufferAtFront(pk2, b3);
    NdisZeroMemory(mem + 0x2800, 200);
    UINT copied = 0;
    NdisCopyFromPacketToPacket(pk2, 5, 60, pk, 90, &copied);
    NT_EQ(copied, 60);
    NT_OK(mem[0x2805] == (UCHAR)(0xfd0 + 90) && mem[0x2805 + 10] == (UCHAR)0x2000 &&
          mem[0x2805 + 59] == (UCHAR)(0x2000 + 49) && mem[0x2805 + 60] == 0);
    NdisCopyFromPacketToPacket(pk2, 0, 500, pk, 140, &copied);
    NT_EQ(copied, 10);
    NdisCopyFromPacketToPacketSafe(pk2, 0, 500, pk, 150, &copied, NormalPagePriority);
    NT_EQ(copied, 0);

    NdisUnchainBufferAtBack(pk, &out);
    NT_EQ(out, b2);
    NdisUnchainBufferAtFront(pk, &out);
    NT_EQ(out, b1);
    NdisUnchainBufferAtFront(pk, &out);
    NT_OK(out == NULL && pk->Private.Head == NULL);
    NdisUnchainBufferAtFront(pk2, &out);
    NT_EQ(out, b3);

    PNDIS_BUFFER part = NULL;
    NdisCopyBuffer(&st, &part, bpool, b2, 10, 20);
    NT_EQ(st, NDIS_STATUS_SUCCESS);
    if (part) {
        NdisQueryBuffer(part, &va, &len);
        NT_OK(va == mem + 0x2000 + 10 && len == 20);
        NdisFreeBuffer(part);
    }
    NdisFreeBuffer(b1);
    NdisFreeBuffer(b2);
    NdisFreeBuffer(b3);
    NdisFreePacket(pk);
    NdisFreePacket(pk2);
    NdisFreeBufferPool(bpool);
    NdisFreePacketPool(ppool);
    NdisFreeMemory(mem, 0x3000, NDIS_MEMORY_CONTIGUOUS);
}

void case_spinlocks(void)
{
    NDIS_SPIN_LOCK l, l2;
    NdisAllocateSpinLock(&l);
    NdisAllocateSpinLock(&l2);
    NT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisAcquireSpinLock(&l);
    NT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NT_EQ(l.OldIrql, PASSIVE_LEVEL);
    NdisDprAcquireSpinLock(&l2);
    NT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisDprReleaseSpinLock(&l2);
    NdisReleaseSpinLock(&l);
    NT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisFreeSpinLock(&l);
    NdisFreeSpinLock(&l2);
}

void case_events(void)
{
    NDIS_EVENT ev;
    ULONG t0, t1;
    NdisInitializeEvent(&ev);
    NdisGetSystemUpTime(&t0);
    NT_OK(!NdisWaitEvent(&ev, 20)); /* times out */
    NdisGetSystemUpTime(&t1);
    NT_OK(t1 - t0 >= 20);
    NdisSetEvent(&ev);
    NT_OK(NdisWaitEvent(&ev, 0));
    NT_OK(NdisWaitEvent(&ev, 5)); /* notification event: stays set */
    NdisResetEvent(&ev);
    NT_OK(!NdisWaitEvent(&ev, 1));
}

static NDIS_EVENT timer_event;
static LONG timer_count, mtimer_count;
static PVOID timer_ctx;

static VOID NTAPI timer_fn(PVOID ss1, PVOID ctx, PVOID ss2, PVOID ss3)
{
    timer_ctx = ctx;
    timer_count++;
    NdisSetEvent(&timer_event);
}

static VOID NTAPI mtimer_fn(PVOID ss1, PVOID ctx, PVOID ss2, PVOID ss3)
{
    mtimer_count++;
}

void case_timers(void)
{
    NDIS_TIMER t;
    NDIS_MINIPORT_TIMER mt;
    BOOLEAN cancelled = 7;
    NdisInitializeEvent(&timer_event);
    NdisInitializeTimer(&t, timer_fn, (PVOID)0x55);
    NdisSetTimer(&t, 50);
    NT_EQ(timer_count, 0);
    NT_OK(NdisWaitEvent(&timer_event, 1000));
    NT_EQ(timer_count, 1);
    NT_EQ(timer_ctx, (PVOID)0x55);
    NdisCancelTimer(&t, &cancelled);
    NT_EQ(cancelled, FALSE); /* already fired */
    NdisSetTimer(&t, 30);
    NdisCancelTimer(&t, &cancelled);
    NT_EQ(cancelled, TRUE);
    NdisMSleep(60000);
    NT_EQ(timer_count, 1); /* cancelled before it fired */
    NdisSetTimerEx(&t, 10, (PVOID)0x66);
    NdisMSleep(20000);
    NT_OK(timer_count == 2 && timer_ctx == (PVOID)0x66);

    /* the adapter handle is only recorded */
    NdisMInitializeTimer(&mt, (NDIS_HANDLE)0x1000, mtimer_fn, NULL);
    NdisMSetPeriodicTimer(&mt, 10);
    NdisMSleep(55000);
    NT_EQ(mtimer_count, 5);
    NdisMCancelTimer(&mt, &cancelled);
    NT_EQ(cancelled, TRUE);
    NdisMSleep(50000);
    NT_EQ(mtimer_count, 5);
    NdisMSetTimer(&mt, 5);
    NdisMSleep(10000);
    NT_EQ(mtimer_count, 6);
    NdisMCancelTimer(&mt, &cancelled);
    NT_EQ(cancelled, FALSE);
}

void case_interlocked(void)
{
    LONG v = 5;
    ULONG u = 10;
    NDIS_SPIN_LOCK lock;
    LIST_ENTRY head, e1, e2;
    SINGLE_LIST_ENTRY shead, s1, s2;
    NdisAllocateSpinLock(&lock);
    NT_EQ(NdisInterlockedIncrement(&v), 6);
    NT_EQ(NdisInterlockedDecrement(&v), 5);
    NdisInterlockedAddUlong(&u, 7, &lock);
    NT_EQ(u, 17);
    InitializeListHead(&head);
    NT_OK(NdisInterlockedInsertTailList(&head, &e1, &lock) == NULL);
    NT_OK(NdisInterlockedInsertHeadList(&head, &e2, &lock) == &e1);
    NT_OK(head.Flink == &e2 && head.Blink == &e1);
    NT_OK(NdisInterlockedRemoveHeadList(&head, &lock) == &e2);
    NT_OK(NdisInterlockedRemoveHeadList(&head, &lock) == &e1);
    NT_OK(NdisInterlockedRemoveHeadList(&head, &lock) == NULL);
    shead.Next = NULL;
    NT_OK(NdisInterlockedPushEntryList(&shead, &s1, &lock) == NULL);
    NT_OK(NdisInterlockedPushEntryList(&shead, &s2, &lock) == &s1);
    NT_OK(NdisInterlockedPopEntryList(&shead, &lock) == &s2);
    NT_OK(NdisInterlockedPopEntryList(&shead, &lock) == &s1);
    NT_OK(NdisInterlockedPopEntryList(&shead, &lock) == NULL);
    NdisFreeSpinLock(&lock);
}

void case_rwlock(void)
{
    static NDIS_RW_LOCK rw;
    LOCK_STATE s1, s2, s3;
    NdisInitializeReadWriteLock(&rw);
    NdisAcquireReadWriteLock(&rw, FALSE, &s1);
    NT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisAcquireReadWriteLock(&rw, FALSE, &s2); /* readers share */
    NdisReleaseReadWriteLock(&rw, &s2);
    NdisReleaseReadWriteLock(&rw, &s1);
    NT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisAcquireReadWriteLock(&rw, TRUE, &s3);
    NT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisReleaseReadWriteLock(&rw, &s3);
    NT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static NDIS_EVENT work_event;
static PNDIS_WORK_ITEM work_seen;
static PVOID work_ctx;
static KIRQL work_irql = 0xff;

static VOID NTAPI work_fn(PNDIS_WORK_ITEM wi, PVOID ctx)
{
    work_seen = wi;
    work_ctx = ctx;
    work_irql = KeGetCurrentIrql();
    NdisSetEvent(&work_event);
}

void case_workitem(void)
{
    static NDIS_WORK_ITEM wi;
    NdisInitializeEvent(&work_event);
    /* NDIS_PROC has no calling convention in ndis.h: the DDK compiles
     * drivers with /Gz, making it stdcall; mingw's default is cdecl. */
    NdisInitializeWorkItem(&wi, (NDIS_PROC)work_fn, (PVOID)0x77);
    NT_EQ(NdisScheduleWorkItem(&wi), NDIS_STATUS_SUCCESS);
    NT_OK(NdisWaitEvent(&work_event, 0)); /* the item runs while we wait */
    NT_OK(work_seen == &wi && work_ctx == (PVOID)0x77 && work_irql == PASSIVE_LEVEL);
}

void case_time(void)
{
    LARGE_INTEGER a, b;
    ULONG up0, up1, idle, busy, index = 9;
    NdisGetCurrentSystemTime(&a);
    NdisGetSystemUpTime(&up0);
    NdisMSleep(100000);
    NdisGetCurrentSystemTime(&b);
    NdisGetSystemUpTime(&up1);
    NT_OK(b.QuadPart - a.QuadPart >= 1000000); /* 100 ms in 100 ns units */
    NT_OK(up1 - up0 >= 100);
    NT_OK(a.QuadPart > 0x01d0000000000000ll); /* after 2015 */
    NT_EQ(NdisSystemProcessorCount(), 1);
    NT_EQ(NdisGetVersion(), 0x00050001);
    NdisGetCurrentProcessorCounts(&idle, &busy, &index);
    NT_EQ(index, 0);
}

void case_errorlog(void)
{
    /* tests/guest/test_ndis_lib.sh looks for the log line */
    nt_NdisWriteErrorLogEntry((NDIS_HANDLE)0x1234, NDIS_ERROR_CODE_HARDWARE_FAILURE, 2, 0x11, 0x22);
    NT_OK(1);
}
