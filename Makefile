# smccctrace build. `make` builds the host tool (decoder, offline modes, unit tests);
# `make ARCH=arm64` builds the static arm64 tool with the BPF object embedded.
# `make check` runs every test; `make demo` shows the tool in the emulated host.

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86_64/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
BUILD := build/$(ARCH)
SYSROOT ?= $(CURDIR)/build/sysroot-arm64
BPF_BUILD := build/bpf

WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -Iinclude -Isrc -I$(BPF_BUILD) -D_GNU_SOURCE

ifeq ($(ARCH),arm64)
  CC := aarch64-linux-gnu-gcc
  CFLAGS := $(CFLAGS_COMMON) -I$(SYSROOT)/usr/include
  LDFLAGS := -static -L$(SYSROOT)/usr/lib/aarch64-linux-gnu
  LDLIBS := -lbpf -lelf -lz -lzstd -lpthread -lm
else
  CC ?= gcc
  CFLAGS := $(CFLAGS_COMMON)
  LDFLAGS :=
  LDLIBS := -lbpf -lelf -lz -lpthread -lm
endif
# the exporter's HTTP server (--listen, src/exporter.c); first, for the static link order
HTTP_LIBS := -lmicrohttpd
LDLIBS := $(HTTP_LIBS) $(LDLIBS)

CLANG ?= clang
BPFTOOL ?= $(firstword $(wildcard /usr/sbin/bpftool) bpftool)
# clang's own system include dirs, after ours, so BPF code finds <linux/types.h>-free headers
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_arm64 -Wall -Werror \
	-Iinclude -Ivmlinux/arm64 -I$(SYSROOT)/usr/include $(CLANG_BPF_SYS_INCLUDES)

SRCS := $(wildcard src/*.c)
OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
# The static arm64 tool links libmicrohttpd.a without gnutls (src/compat/gnutls_absent.c
# says why); the host tool links the shared libmicrohttpd.
ifeq ($(ARCH),arm64)
  OBJS += $(BUILD)/obj/compat/gnutls_absent.o
endif
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BPF_BUILD)/%.skel.h,$(BPF_SRCS))

TOOL := $(BUILD)/smccctrace
VMM := build/arm64/smccc-testvmm

.PHONY: all deps check unit vmtest demo clean vmlinux soak bench bench-report vmm test-tools fuzz
all: $(TOOL)

deps:
	@bash scripts/deps.sh

$(BPF_BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard include/*.h bpf/*.h) vmlinux/arm64/vmlinux.h | $(BPF_BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_BUILD)/%.skel.h: $(BPF_BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $(basename $(basename $<)))_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h src/*.h) $(SKELS) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/compat/%.o: src/compat/%.c | $(BUILD)/obj/compat
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/compat:
	mkdir -p $@

$(TOOL): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BPF_BUILD) $(BUILD)/obj build/arm64 build/unit:
	mkdir -p $@

# The test VMM: a static arm64 program driving /dev/kvm (runs inside the emulated host).
VMM_SRCS := $(wildcard tests/vmm/*.c)
$(VMM): $(VMM_SRCS) $(wildcard tests/vmm/*.h) | build/arm64
	aarch64-linux-gnu-gcc -std=gnu11 -O2 -g $(WARN) -static -pthread -Itests/vmm -Iinclude -o $@ $(VMM_SRCS)

vmm: $(VMM)

# Small static arm64 helpers for the test bed's scenarios (tests/tools/).
TEST_TOOLS := $(patsubst tests/tools/%.c,build/arm64/tools/%,$(wildcard tests/tools/*.c))
build/arm64/tools/%: tests/tools/%.c | build/arm64
	mkdir -p $(dir $@)
	aarch64-linux-gnu-gcc -std=gnu11 -O2 $(WARN) -static -I$(SYSROOT)/usr/include -I$(BPF_BUILD) -o $@ $< \
		-L$(SYSROOT)/usr/lib/aarch64-linux-gnu -lbpf -lelf -lz -lzstd
# the benchmark's floor embeds its own BPF object (bpf/bench_floor.bpf.c)
build/arm64/tools/bench-floor: $(BPF_BUILD)/bench_floor.skel.h
test-tools: $(TEST_TOOLS)

# Host unit tests, under ASan/UBSan. Each tests/unit/test_*.c links the frontend's
# objects except main.c.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRCS))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/unit/%: tests/unit/%.c $(SRCS) $(wildcard include/*.h src/*.h tests/unit/*.h) $(SKELS) | build/unit
	gcc $(CFLAGS_COMMON) $(SAN) -Itests/unit -o $@ $< $(filter-out src/main.c,$(SRCS)) $(HTTP_LIBS) -lbpf -lelf -lz -lpthread -lm

unit: $(UNIT_BINS)
	@bash tests/run-unit.sh $(UNIT_BINS)

# The record parser's libFuzzer target (clang, libclang-rt-14-dev), and the generator
# of its seed corpus, which tests/host/report.sh also uses as fixtures. Like the unit
# tests, the fuzzer links every frontend file but main.c, so it links whatever the
# report path (options.c, render.c, ...) comes to depend on.
FUZZ_LIB_SRCS := $(filter-out src/main.c,$(SRCS))
build/fuzz/fuzz_record: tests/fuzz/fuzz_record.c $(SRCS) $(wildcard include/*.h src/*.h) $(SKELS) | build/fuzz
	$(CLANG) $(CFLAGS_COMMON) -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(FUZZ_LIB_SRCS) $(HTTP_LIBS) -lbpf -lelf -lz -lpthread -lm
build/fuzz/fuzz_options: tests/fuzz/fuzz_options.c $(SRCS) $(wildcard include/*.h src/*.h) $(SKELS) | build/fuzz
	$(CLANG) $(CFLAGS_COMMON) -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(FUZZ_LIB_SRCS) $(HTTP_LIBS) -lbpf -lelf -lz -lpthread -lm
build/fuzz/make_records: tests/fuzz/make_records.c src/record.c $(wildcard include/*.h src/*.h) | build/fuzz
	gcc $(CFLAGS_COMMON) $(SAN) -o $@ $< src/record.c
build/fuzz:
	mkdir -p $@

fuzz: build/fuzz/fuzz_record build/fuzz/fuzz_options build/fuzz/make_records
	@bash tests/fuzz/run.sh

# vmlinux.h for arm64 is generated from the BTF of the pinned Debian kernel Image
# and committed; `make vmlinux` regenerates it.
vmlinux:
	@bash scripts/deps.sh
	python3 scripts/extract-btf.py $(SYSROOT)/kernel/boot/Image build/vmlinux-arm64.btf
	$(BPFTOOL) btf dump file build/vmlinux-arm64.btf format c > vmlinux/arm64/vmlinux.h

check:
	@bash tests/check.sh

demo:
	@bash tests/demo.sh

# Benchmarks, not part of `make check` (docs/performance.md): overhead in the emulated
# host, and the offline pipeline's throughput on this machine
# 10 minutes of VMMs under the summary tracer and the scraped exporter (a 40 s version
# runs in `make check`).
soak:
	@bash scripts/deps.sh
	@$(MAKE) -s ARCH=arm64 && $(MAKE) -s vmm test-tools
	@SOAK_SECONDS=600 bash tests/vm/test-soak.sh vhe

bench:
	@bash tests/bench/vm.sh

bench-report:
	@bash tests/bench/offline.sh

clean:
	rm -rf build/x86_64 build/arm64 build/bpf build/unit build/vm build/fuzz
.SECONDARY:
