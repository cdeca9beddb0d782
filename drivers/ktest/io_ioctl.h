/* The ktest request-serving devices and their control codes, shared by the
 * driver (io_tests.c) and the host tests that send requests
 * (tests/unit/test_io_requests.c). Plain numbers: no Windows types here.
 * Codes follow CTL_CODE(FILE_DEVICE_UNKNOWN, function, method, FILE_ANY_ACCESS)
 * = 0x22 << 16 | function << 2 | method. */
#ifndef KTEST_IO_IOCTL_H
#define KTEST_IO_IOCTL_H

#define KT_CTL(fn, method) (0x00220000u | ((fn) << 2) | (method))

/* \Device\KTest (DO_BUFFERED_IO), \Device\KTestDirect (DO_DIRECT_IO) and
 * \Device\KTestNeither (neither flag); links \DosDevices\<same name>.
 * WRITE stores up to KT_STORE_MAX bytes; READ fills the buffer with
 * kt_pattern(i); ECHO_* copy the input to the output (Information = the
 * smaller length); GET_STORED returns what WRITE stored; PEND completes
 * 10 ms later from a timer DPC with Information 0x1234; SUCCEED completes
 * with Information 0x1234; FAIL completes with STATUS_UNSUCCESSFUL. PEND and
 * SUCCEED are METHOD_NEITHER: Information is then not a byte count the I/O
 * manager copies. PEND_CANCEL pends with a cancel routine that completes the
 * IRP with STATUS_CANCELLED. */
#define KT_IOCTL_ECHO_BUFFERED KT_CTL(0x800, 0)
#define KT_IOCTL_ECHO_IN_DIRECT KT_CTL(0x801, 1)
#define KT_IOCTL_ECHO_OUT_DIRECT KT_CTL(0x802, 2)
#define KT_IOCTL_ECHO_NEITHER KT_CTL(0x803, 3)
#define KT_IOCTL_GET_STORED KT_CTL(0x804, 0)
#define KT_IOCTL_PEND KT_CTL(0x805, 3)
#define KT_IOCTL_SUCCEED KT_CTL(0x806, 3)
#define KT_IOCTL_FAIL KT_CTL(0x807, 0)
#define KT_IOCTL_PEND_CANCEL KT_CTL(0x808, 3)
#define KT_IOCTL_UNKNOWN KT_CTL(0x8ff, 0)

#define KT_STORE_MAX 256u
#define KT_PEND_INFORMATION 0x1234u

static inline unsigned char kt_pattern(unsigned i)
{
    return (unsigned char)((i * 7u + 3u) ^ 0x5au);
}

#endif
