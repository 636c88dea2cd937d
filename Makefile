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
  LDLIBS := -lbpf -lelf -lz -lzstd -lpthread
else
  CC ?= gcc
  CFLAGS := $(CFLAGS_COMMON)
  LDFLAGS :=
  LDLIBS := -lbpf -lelf -lz -lpthread
endif

CLANG ?= clang
BPFTOOL ?= $(firstword $(wildcard /usr/sbin/bpftool) bpftool)
# clang's own system include dirs, after ours, so BPF code finds <linux/types.h>-free headers
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_arm64 -Wall -Werror \
	-Iinclude -Ivmlinux/arm64 -I$(SYSROOT)/usr/include $(CLANG_BPF_SYS_INCLUDES)

SRCS := $(wildcard src/*.c)
OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BPF_BUILD)/%.skel.h,$(BPF_SRCS))

TOOL := $(BUILD)/smccctrace
VMM := build/arm64/smccc-testvmm

.PHONY: all deps check unit vmtest demo clean vmlinux bench
all: $(TOOL)

deps:
	@bash scripts/deps.sh

$(BPF_BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard include/*.h bpf/*.h) vmlinux/arm64/vmlinux.h | $(BPF_BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_BUILD)/%.skel.h: $(BPF_BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $(basename $(basename $<)))_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h src/*.h) $(SKELS) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(TOOL): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BPF_BUILD) $(BUILD)/obj build/arm64 build/unit:
	mkdir -p $@

# The test VMM: a static arm64 program driving /dev/kvm (runs inside the emulated host).
VMM_SRCS := $(wildcard tests/vmm/*.c)
$(VMM): $(VMM_SRCS) $(wildcard tests/vmm/*.h) | build/arm64
	aarch64-linux-gnu-gcc -std=gnu11 -O2 -g $(WARN) -static -pthread -Itests/vmm -Iinclude -o $@ $(VMM_SRCS)

vmm: $(VMM)

# Host unit tests, under ASan/UBSan. Each tests/unit/test_*.c links the frontend's
# objects except main.c.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRCS))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/unit/%: tests/unit/%.c $(SRCS) $(wildcard include/*.h src/*.h tests/unit/*.h) $(SKELS) | build/unit
	gcc $(CFLAGS_COMMON) $(SAN) -Itests/unit -o $@ $< $(filter-out src/main.c,$(SRCS)) -lbpf -lelf -lz -lpthread

unit: $(UNIT_BINS)
	@bash tests/run-unit.sh $(UNIT_BINS)

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

bench:
	@bash tests/bench.sh

clean:
	rm -rf build/x86_64 build/arm64 build/bpf build/unit build/vm
.SECONDARY:
