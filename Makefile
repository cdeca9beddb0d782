# xdrv build. `make` builds build/xdrv and the test drivers; `make check`
# builds an ASan+UBSan variant and an aarch64 cross build (`make aarch64`, run
# under qemu) and runs every test (unit, device, guest, fuzz).
# Missing Debian packages are installed (root) or named (otherwise) first.

CC        ?= gcc
MINGW_CC  ?= i686-w64-mingw32-gcc
FUZZ_CC   ?= clang
B         := build
BA        := build/asan

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter
CSTD      := -std=c11 -D_GNU_SOURCE
INCS      := -Isrc
CFLAGS    ?= -O2 -g
XCFLAGS   := $(CSTD) $(WARN) $(INCS) -MMD -MP
SANFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Unicorn, Capstone and libpcap are not linked but loaded when first needed
# (src/vm/libload.c, src/host/pcap.c): linked, they cost every command ~4 ms
# of start-up (docs/architecture.md). dlopen is in glibc's libc since 2.34.
LIBS      := -lm -lpthread
TESTLIBS  := -lcmocka

LIB_SRC   := $(sort $(wildcard src/pe/*.c src/vm/*.c src/nt/*.c src/nt/*/*.c \
               src/dev/*.c src/trace/*.c src/host/*.c src/analyze/*.c src/exercise/*.c \
               src/machine/*.c src/replay/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c tests/dev/test_*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
LIB_AOBJ  := $(LIB_SRC:%.c=$(BA)/%.o)
CLI_AOBJ  := $(CLI_SRC:%.c=$(BA)/%.o)
UNIT_BIN  := $(UNIT_SRC:%.c=$(BA)/%)

.PHONY: all deps check unit guest fuzz bench clean demo docs
all: deps $(B)/xdrv drivers

deps:
	@./scripts/deps.sh

# Every compile waits for deps (order-only): with -j the packages must be
# installed before the first compiler runs.
$(B)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -c $< -o $@

$(BA)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(SANFLAGS) -c $< -o $@

$(B)/libxdrv.a: $(LIB_OBJ)
	@rm -f $@; ar rcs $@ $^

$(BA)/libxdrv.a: $(LIB_AOBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/xdrv: $(CLI_OBJ) $(B)/libxdrv.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(B)/libxdrv.a $(LIBS)

$(BA)/xdrv: $(CLI_AOBJ) $(BA)/libxdrv.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_AOBJ) $(BA)/libxdrv.a $(LIBS)

# reads the captures back with libpcap's own reader
$(BA)/tests/unit/test_host_pcap: TESTLIBS += -lpcap

$(BA)/tests/%: tests/%.c $(BA)/libxdrv.a
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(SANFLAGS) -o $@ $< $(BA)/libxdrv.a $(LIBS) $(TESTLIBS)

# The same xdrv cross-built for an arm64 host (`make aarch64`): Debian's
# gcc-aarch64-linux-gnu against arm64 Unicorn, Capstone and libpcap unpacked
# into $(XSYSROOT) by scripts/aarch64-sysroot.sh (which reruns on every make
# but rewrites its stamp, and so rebuilds the objects, only when the host's
# versions change). tests/guest/test_aarch64.sh runs it under qemu-aarch64-static.
XB        := $(B)/aarch64
XSYSROOT  := $(XB)/sysroot
XSTAMP    := $(XSYSROOT)/.host-versions
AARCH64_CC := aarch64-linux-gnu-gcc
AARCH64_AR := aarch64-linux-gnu-ar
XLIB_OBJ  := $(LIB_SRC:%.c=$(XB)/%.o)
XCLI_OBJ  := $(CLI_SRC:%.c=$(XB)/%.o)

.PHONY: aarch64 aarch64-sysroot-check
aarch64: $(XB)/xdrv

aarch64-sysroot-check: | deps
	@./scripts/aarch64-sysroot.sh $(XB)

$(XSTAMP): aarch64-sysroot-check ;

$(XB)/%.o: %.c $(XSTAMP) | deps
	@mkdir -p $(dir $@)
	$(AARCH64_CC) --sysroot=$(XSYSROOT) $(XCFLAGS) $(CFLAGS) -c $< -o $@

$(XB)/libxdrv.a: $(XLIB_OBJ)
	@rm -f $@; $(AARCH64_AR) rcs $@ $^

$(XB)/xdrv: $(XCLI_OBJ) $(XB)/libxdrv.a
	$(AARCH64_CC) --sysroot=$(XSYSROOT) $(CFLAGS) -o $@ $(XCLI_OBJ) $(XB)/libxdrv.a $(LIBS)

include drivers/drivers.mk
-include tests/fuzz/fuzz.mk

# All tests. Each step prints its own results; tests/run-all.sh adds them up
# into the closing "N passed, N failed, N skipped" line and fails if any failed.
$(B)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ $<

TOOLS := $(B)/tools/tcpxfer $(B)/tools/wirepeer

check: deps $(BA)/xdrv $(UNIT_BIN) drivers $(FUZZ_BIN) $(B)/xdrv $(TOOLS) $(XB)/xdrv
	@XDRV=$(BA)/xdrv BUILD=$(B) ASAN_BUILD=$(BA) UNIT_BIN="$(UNIT_BIN)" \
	  FUZZ_BIN="$(FUZZ_BIN)" ./tests/run-all.sh

$(B)/bench/%: bench/%.c $(B)/libxdrv.a
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $< $(B)/libxdrv.a $(LIBS)

bench: all $(B)/bench/vmbench $(B)/bench/pktgen $(B)/bench/tapfwd $(B)/bench/crcbench \
       $(B)/bench/tracebench $(B)/bench/diffbench
	@./bench/run.sh $(B)

# docs/api.md: the header stays, the tables are regenerated from exports.def;
# README's API lists likewise, and its board list from the models' board tables
docs: $(B)/xdrv
	@{ sed -n '1,/^<!-- generated below/p' docs/api.md; $(B)/xdrv exports --markdown; } > docs/api.md.new
	@mv docs/api.md.new docs/api.md
	@{ sed -n '1,/^<!-- api:begin/p' README.md; $(B)/xdrv exports --compact; \
	   sed -n '/^<!-- api:end/,$$p' README.md; } > README.md.new
	@mv README.md.new README.md
	@{ sed -n '1,/^<!-- boards:begin/p' README.md; $(B)/xdrv info --boards; \
	   sed -n '/^<!-- boards:end/,$$p' README.md; } > README.md.new
	@mv README.md.new README.md

demo: all $(TOOLS)
	@./scripts/demo.sh

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(LIB_AOBJ:.o=.d) $(CLI_AOBJ:.o=.d)
-include $(XLIB_OBJ:.o=.d) $(XCLI_OBJ:.o=.d)
