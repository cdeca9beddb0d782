/* Fault injection for the project's NIC drivers, compiled in only in the
 * test variants that drivers/NAME/VARIANTS lists (built as
 * build/drivers/NAME-SUFFIX.sys by drivers/drivers.mk); the ordinary
 * builds define neither macro and these hooks are empty.
 *  TEST_FAULT_ON_SEND=N  the Nth packet handed to the send path writes
 *                        through a NULL pointer: a genuine guest page fault
 *                        while serving traffic.
 *  TEST_HANG_IN_ISR      once a packet has been sent, the ISR spins forever
 *                        (a driver that never returns from its interrupt).
 * XDRV_TEST_HOOKS_STORAGE goes in exactly one source file (main.c). */
#ifndef XDRV_TEST_HOOKS_H
#define XDRV_TEST_HOOKS_H

#if defined(TEST_FAULT_ON_SEND) || defined(TEST_HANG_IN_ISR)
extern volatile ULONG xdrv_test_sends;
#define XDRV_TEST_HOOKS_STORAGE volatile ULONG xdrv_test_sends;
#else
#define XDRV_TEST_HOOKS_STORAGE
#endif

#ifdef TEST_FAULT_ON_SEND
#define TEST_SEND_HOOK()                                                                           \
    do {                                                                                           \
        if (++xdrv_test_sends == (TEST_FAULT_ON_SEND))                                             \
            *(volatile ULONG *)0 = 0xDEADu;                                                        \
    } while (0)
#elif defined(TEST_HANG_IN_ISR)
#define TEST_SEND_HOOK() (void)++xdrv_test_sends
#else
#define TEST_SEND_HOOK() (void)0
#endif

#ifdef TEST_HANG_IN_ISR
#define TEST_ISR_HOOK()                                                                            \
    do {                                                                                           \
        while (xdrv_test_sends)                                                                    \
            ;                                                                                      \
    } while (0)
#else
#define TEST_ISR_HOOK() (void)0
#endif

#endif
