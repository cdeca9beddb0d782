# libFuzzer targets for the parsers of untrusted input (PE images, INF
# files). Included by the top Makefile, which runs $(FUZZ_BIN) from
# `make check` through tests/fuzz/run.sh. `make fuzz` runs them alone
# (FUZZ_SECONDS=N sets the time per fuzzer).

FUZZ_CC    ?= clang
FUZZ_DIR   := $(if $(B),$(B),build)/fuzz
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Isrc
FUZZ_SRC   := $(sort $(wildcard src/pe/*.c))
FUZZ_DEPS  := $(FUZZ_SRC) $(wildcard src/pe/*.h)
FUZZ_BIN   := $(FUZZ_DIR)/fuzz_pe $(FUZZ_DIR)/fuzz_inf $(FUZZ_DIR)/fuzz_netspec \
              $(FUZZ_DIR)/fuzz_trace $(FUZZ_DIR)/fuzz_workload $(FUZZ_DIR)/fuzz_analyze \
              $(FUZZ_DIR)/fuzz_spec $(FUZZ_DIR)/fuzz_devices

# the --netdev/--wire parser lives in src/host (which loads libpcap itself
# when a capture is opened)
NETSPEC_SRC := $(sort $(wildcard src/host/*.c)) src/trace/trace.c
$(FUZZ_DIR)/fuzz_netspec: tests/fuzz/fuzz_netspec.c $(NETSPEC_SRC) $(wildcard src/host/*.h) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(NETSPEC_SRC) -o $@

# the trace-file reader (src/trace) and the workload parser (src/exercise/workload.c)
TRACE_SRC := $(sort $(wildcard src/trace/*.c))
$(FUZZ_DIR)/fuzz_trace: tests/fuzz/fuzz_trace.c $(TRACE_SRC) $(wildcard src/trace/*.h src/trace/*.def) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(TRACE_SRC) -o $@

# src/analyze (diff, analyze, extract) over arbitrary trace bytes; what
# extract writes goes through the spec parser and verifier
ANALYZE_SRC := $(sort $(wildcard src/analyze/*.c)) $(TRACE_SRC) src/replay/spec.c src/replay/verify.c
$(FUZZ_DIR)/fuzz_analyze: tests/fuzz/fuzz_analyze.c $(ANALYZE_SRC) $(wildcard src/analyze/*.h src/trace/*.h src/replay/*.h) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(ANALYZE_SRC) -o $@

$(FUZZ_DIR)/fuzz_workload: tests/fuzz/fuzz_workload.c src/exercise/workload.c src/exercise/workload.h | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< src/exercise/workload.c -o $@

# the .xsm parser alone (src/replay/spec.c depends on libc only)
# a hostile driver against the device models (src/dev builds alone)
DEV_SRC := $(sort $(wildcard src/dev/*.c)) src/trace/trace.c
$(FUZZ_DIR)/fuzz_devices: tests/fuzz/fuzz_devices.c $(DEV_SRC) $(wildcard src/dev/*.h) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(DEV_SRC) -o $@

$(FUZZ_DIR)/fuzz_spec: tests/fuzz/fuzz_spec.c src/replay/spec.c src/replay/spec.h | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< src/replay/spec.c -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SRC) -o $@

fuzz: $(FUZZ_BIN)
	@./tests/fuzz/run.sh $(FUZZ_BIN)
