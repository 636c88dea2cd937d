# smccctrace build. `make` builds the tool for this machine, linked dynamically against
# Debian's libbpf, libelf, zlib and libmicrohttpd; on x86 that is the host tool (decoder,
# offline modes, unit tests). `make ARCH=arm64` on a non-arm64 machine cross-builds the
# single-file static arm64 tool (BPF object embedded) that `make check` and `make demo`
# copy into the emulated host; `make ARCH=arm64 LINK=dynamic` cross-builds the dynamic,
# TLS-capable arm64 tool that the Debian package ships.
#
# Packagers: CC, CPPFLAGS, CFLAGS and LDFLAGS come from the environment (dpkg-buildflags)
# and the Makefile adds its own after them; -Werror is on in a git checkout (the project's
# own checks) and off otherwise, WERROR=0|1 overrides.

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86_64/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
ifeq ($(ARCH),$(HOST_ARCH))
  # native: the system's compiler and libraries
  CROSS :=
  SYSROOT ?=
  LINK ?= dynamic
else ifeq ($(ARCH),arm64)
  # cross from x86: Debian's cross compiler and the arm64 libraries that scripts/deps.sh
  # unpacks into a private sysroot (never installed on the host)
  CROSS := aarch64-linux-gnu-
  SYSROOT ?= $(CURDIR)/build/sysroot-arm64
  LINK ?= static
else
  $(error ARCH=$(ARCH): this machine ($(HOST_ARCH)) builds for itself or cross-builds for arm64)
endif
ifneq ($(filter-out static dynamic,$(LINK)),)
  $(error LINK=$(LINK): use LINK=static or LINK=dynamic)
endif
# build/arm64 is the static arm64 tool and build/x86_64 the dynamic host tool, as the
# tests expect; any other combination gets its own directory (build/arm64-dynamic, ...)
BUILD := build/$(ARCH)$(if $(filter arm64-static x86_64-dynamic,$(ARCH)-$(LINK)),,-$(LINK))
# the arm64 libraries and kernels of the test bed (scripts/deps.sh), whatever the tool's SYSROOT
DEPS_SYSROOT := $(CURDIR)/build/sysroot-arm64
BPF_BUILD := build/bpf

# make's built-in CC is "cc": replace only that default, keep a CC from the environment
ifeq ($(origin CC),default)
  CC := $(CROSS)gcc
endif
CFLAGS ?= -O2 -g

WERROR ?= $(if $(wildcard $(CURDIR)/.git),1,0)
WERROR_FLAG := $(if $(filter 1,$(WERROR)),-Werror)
WARN := -Wall -Wextra -Wshadow -Wno-missing-field-initializers
# the project's own test programs (unit tests, fuzzers, test VMM, tools): always -Werror
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -Werror -Iinclude -Isrc -I$(BPF_BUILD) -D_GNU_SOURCE -DSMCCCTRACE_WEB_CONFIG=1

# The static tool links libmicrohttpd.a without gnutls (src/compat/gnutls_absent.c says
# why): no TLS, and no --web-config. The dynamic tool links Debian's libmicrohttpd.so,
# and with it gnutls, and for --web-config libyaml and libcrypt (bcrypt).
ifeq ($(LINK),static)
  BUILD_KIND := -DSMCCCTRACE_LINK_STATIC=1 -DSMCCCTRACE_TLS=0
  LINK_FLAGS := -static
  LDLIBS := -lmicrohttpd -lbpf -lelf -lz -lzstd -lpthread -lm
else
  BUILD_KIND := -DSMCCCTRACE_LINK_STATIC=0 -DSMCCCTRACE_TLS=1 -DSMCCCTRACE_WEB_CONFIG=1
  LINK_FLAGS := -Wl,--as-needed
  LDLIBS := -lmicrohttpd -lyaml -lcrypt -lbpf -lelf -lz -lpthread -lm
endif
# Debian's arm64 packages put libraries in both (bookworm's zlib1g: /lib)
SYSROOT_LIBS := $(if $(SYSROOT),$(SYSROOT)/usr/lib/aarch64-linux-gnu $(SYSROOT)/lib/aarch64-linux-gnu)
TOOL_CPPFLAGS := -Iinclude -Isrc -I$(BPF_BUILD) -D_GNU_SOURCE $(BUILD_KIND) \
	$(if $(SYSROOT),-I$(SYSROOT)/usr/include)
TOOL_CFLAGS := -std=gnu11 $(WARN) $(WERROR_FLAG)
comma := ,
TOOL_LDFLAGS := $(LINK_FLAGS) $(foreach d,$(SYSROOT_LIBS),-L$(d) -Wl$(comma)-rpath-link$(comma)$(d))
# the exporter's HTTP server (--listen, src/exporter.c); the unit tests and fuzzers link
# the host's shared library
HTTP_LIBS := -lmicrohttpd -lyaml -lcrypt

CLANG ?= clang
BPFTOOL ?= $(firstword $(wildcard /usr/sbin/bpftool) bpftool)
# clang's own system include dirs, after ours, so BPF code finds <linux/types.h>-free headers
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
# libbpf's BPF headers (bpf_helpers.h): the arm64 sysroot's when there is one, so the
# host and arm64 tools embed the same object, else the system's
BPF_HEADERS := $(firstword $(wildcard $(SYSROOT) $(DEPS_SYSROOT)))
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_arm64 -Wall $(WERROR_FLAG) \
	-Iinclude -Ivmlinux/arm64 $(if $(BPF_HEADERS),-I$(BPF_HEADERS)/usr/include) $(CLANG_BPF_SYS_INCLUDES)

SRCS := $(wildcard src/*.c)
OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
ifeq ($(LINK),static)
  OBJS += $(BUILD)/obj/compat/gnutls_absent.o
endif
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BPF_BUILD)/%.skel.h,$(BPF_SRCS))

TOOL := $(BUILD)/smccctrace
VMM := build/arm64/smccc-testvmm

.PHONY: FORCE all man install uninstall deb deps check unit vmtest demo clean vmlinux soak bench bench-report vmm test-tools fuzz
all: $(TOOL)

# A cross build needs the private sysroot: say what to run instead of failing to link.
ifneq ($(CROSS),)
  SYSROOT_READY := $(SYSROOT)/usr/lib/aarch64-linux-gnu/libbpf.a
# ($(error) in the recipe: expanded, so said, only when a target needs the sysroot)
$(SYSROOT_READY):
	$(error no arm64 libraries in $(SYSROOT): run 'make deps' first (scripts/deps.sh, as root))
endif

deps:
	@bash scripts/deps.sh

$(BPF_BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard include/*.h bpf/*.h) vmlinux/arm64/vmlinux.h | $(SYSROOT_READY) $(BPF_BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_BUILD)/%.skel.h: $(BPF_BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $(basename $(basename $<)))_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h src/*.h) $(SKELS) | $(BUILD)/obj $(SYSROOT_READY)
	$(CC) $(TOOL_CPPFLAGS) $(CPPFLAGS) $(TOOL_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/compat/%.o: src/compat/%.c | $(BUILD)/obj/compat $(SYSROOT_READY)
	$(CC) $(TOOL_CPPFLAGS) $(CPPFLAGS) $(TOOL_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/compat:
	mkdir -p $@

# --version names the commit: `git describe` in a checkout, "release" without one (a
# packager may set GIT_DESCRIBE). Only version.o sees it, rebuilt when it changes.
GIT_DESCRIBE ?= $(shell git describe --tags --always --dirty 2>/dev/null)
$(BUILD)/obj/version.o: TOOL_CPPFLAGS += -DSMCCCTRACE_GIT='"$(GIT_DESCRIBE)"'
$(BUILD)/obj/version.o: $(BUILD)/git-describe
$(BUILD)/git-describe: FORCE | $(BUILD)/obj
	@echo '$(GIT_DESCRIBE)' | cmp -s - $@ || echo '$(GIT_DESCRIBE)' > $@
FORCE:

$(TOOL): $(OBJS)
	$(CC) $(CFLAGS) $(TOOL_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BPF_BUILD) $(BUILD)/obj build/arm64 build/unit:
	mkdir -p $@

# The test VMM: a static arm64 program driving /dev/kvm (runs inside the emulated host).
VMM_SRCS := $(wildcard tests/vmm/*.c)
$(VMM): $(VMM_SRCS) $(wildcard tests/vmm/*.h) | build/arm64
	aarch64-linux-gnu-gcc -std=gnu11 -O2 -g $(WARN) -Werror -static -pthread -Itests/vmm -Iinclude -o $@ $(VMM_SRCS)

vmm: $(VMM)

# The manual page, from scdoc source (docs/smccctrace.8.scd). Its footer date is the
# release's (the date of debian/changelog's newest entry), not the build day's, as
# dpkg-buildpackage's SOURCE_DATE_EPOCH makes it: the same source gives the same page on
# any day. Read with sed and GNU date, not dpkg-parsechangelog: `make install` must work
# where dpkg-dev is not installed.
MAN8 := build/man/smccctrace.8
$(MAN8): docs/smccctrace.8.scd debian/changelog
	mkdir -p $(dir $@)
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(date -u -d "$$(sed -n 's/^ -- .*>  //p' debian/changelog | head -n 1)" +%s)} \
		scdoc < $< > $@.tmp && mv $@.tmp $@
man: $(MAN8)

# `make install`: the tool of this ARCH/LINK, its manual page and bash completion.
# GNU names, so PREFIX=/usr, DESTDIR=..., sbindir=..., mandir=... work as usual.
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
sbindir ?= $(exec_prefix)/sbin
datarootdir ?= $(prefix)/share
mandir ?= $(datarootdir)/man
bashcompdir ?= $(datarootdir)/bash-completion/completions
INSTALL ?= install
install: $(TOOL) $(MAN8)
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(bashcompdir)
	$(INSTALL) -m 0755 $(TOOL) $(DESTDIR)$(sbindir)/smccctrace
	$(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(mandir)/man8/smccctrace.8
	$(INSTALL) -m 0644 completion/smccctrace $(DESTDIR)$(bashcompdir)/smccctrace
uninstall:
	rm -f $(DESTDIR)$(sbindir)/smccctrace $(DESTDIR)$(mandir)/man8/smccctrace.8 \
		$(DESTDIR)$(bashcompdir)/smccctrace

# The Debian package (debian/): build/deb/smccctrace_VERSION_arm64.deb, cross-built on
# x86 against the private sysroot (scripts/build-deb.sh says how)
deb:
	@bash scripts/build-deb.sh

# Small static arm64 helpers for the test bed's scenarios (tests/tools/).
TEST_TOOLS := $(patsubst tests/tools/%.c,build/arm64/tools/%,$(wildcard tests/tools/*.c))
build/arm64/tools/%: tests/tools/%.c | build/arm64
	mkdir -p $(dir $@)
	aarch64-linux-gnu-gcc -std=gnu11 -O2 $(WARN) -Werror -static -I$(DEPS_SYSROOT)/usr/include -I$(BPF_BUILD) -o $@ $< \
		-L$(DEPS_SYSROOT)/usr/lib/aarch64-linux-gnu -lbpf -lelf -lz -lzstd
# the benchmark's floor embeds its own BPF object (bpf/bench_floor.bpf.c)
build/arm64/tools/bench-floor: $(BPF_BUILD)/bench_floor.skel.h
test-tools: $(TEST_TOOLS)

# Host unit tests, under ASan/UBSan. Each tests/unit/test_*.c links the frontend's
# objects except main.c, compiled once with the sanitizers (build/unit/obj/).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRCS))
UNIT_OBJS := $(patsubst src/%.c,build/unit/obj/%.o,$(filter-out src/main.c,$(SRCS)))
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/unit/obj/%.o: src/%.c $(wildcard include/*.h src/*.h) $(SKELS)
	@mkdir -p $(dir $@)
	gcc $(CFLAGS_COMMON) $(SAN) -c -o $@ $<
build/unit/%: tests/unit/%.c $(UNIT_OBJS) $(wildcard include/*.h src/*.h tests/unit/*.h) | build/unit
	gcc $(CFLAGS_COMMON) $(SAN) -Itests/unit -o $@ $< $(UNIT_OBJS) $(HTTP_LIBS) -lbpf -lelf -lz -lpthread -lm

unit: $(UNIT_BINS)
	@bash tests/run-unit.sh $(UNIT_BINS)

# The exporter's HTTP server alone on the host, for tests/host/web-config.sh (TLS, basic
# auth, a real Prometheus): links the frontend like the unit tests, without sanitizers
build/host/serve-metrics: tests/host/serve_metrics.c $(SRCS) $(wildcard include/*.h src/*.h) $(SKELS)
	mkdir -p $(dir $@)
	gcc $(CFLAGS_COMMON) -o $@ $< $(filter-out src/main.c,$(SRCS)) $(HTTP_LIBS) -lbpf -lelf -lz -lpthread -lm

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
build/fuzz/make_records: tests/fuzz/make_records.c src/record_write.c $(wildcard include/*.h src/*.h) | build/fuzz
	gcc $(CFLAGS_COMMON) $(SAN) -o $@ $< src/record_write.c
build/fuzz:
	mkdir -p $@

fuzz: build/fuzz/fuzz_record build/fuzz/fuzz_options build/fuzz/make_records
	@bash tests/fuzz/run.sh

# vmlinux.h for arm64 is generated from the BTF of the pinned Debian kernel Image
# and committed; `make vmlinux` regenerates it.
vmlinux:
	@bash scripts/deps.sh
	python3 scripts/extract-btf.py $(DEPS_SYSROOT)/kernel/boot/Image build/vmlinux-arm64.btf
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
	@$(MAKE) -s ARCH=arm64 LINK=static && $(MAKE) -s vmm test-tools
	@SOAK_SECONDS=600 bash tests/vm/test-soak.sh vhe

bench:
	@bash tests/bench/vm.sh

bench-report:
	@bash tests/bench/offline.sh

clean:
	rm -rf build/x86_64 build/x86_64-static build/arm64 build/arm64-dynamic build/man build/deb build/bpf build/unit build/vm build/fuzz
.SECONDARY:
