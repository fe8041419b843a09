# wasmetal — top-level build.
#
#   make            install missing Debian packages, build everything in build/
#   make run        boot the bundled example (examples/hello) under QEMU
#   make test       every test level; the last line is "N passed, N failed"
#
# Two builds of the same portable code (jit/, wasi-baremetal/, spec/):
#   host   : + host/ (Linux platform) -> build/wasmetal (CLI, --hosted), tests
#   kernel : + kernel/ mm/ drivers/ net/ + newlib + lwIP -> build/kernel.elf
# plus boot/ (GNU-EFI) -> build/BOOTX64.EFI.  Third-party code (newlib,
# lwIP) comes from Debian's source packages into $(CACHE), never the tree.

CACHE   ?= $(HOME)/.cache/wasmetal
# JIT_DEBUG=1: the compiler's invariant checks (-DJIT_DEBUG, jit/compile.c)
# in a build tree of their own; `make JIT_DEBUG=1 check-jit` runs the unit
# tests and the spec suite with them.
BUILD   ?= $(if $(filter 1,$(JIT_DEBUG)),build-jit-debug,build)
HOSTCC  ?= gcc
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

all: deps $(BUILD)/wasmetal $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI examples

# ---- dependencies (Debian packages; newlib built into the cache) ----------
# The stamp is an included makefile: when deps.sh had to run, make re-reads
# this Makefile, so what is computed at parse time from installed packages
# (newlib's prefix, which carries its Debian version) is right on a fresh
# machine too.
# lwIP's source (host/tools/fetch-lwip.sh: `apt-get source lwip` into the
# cache) is fetched in the same step, because the list of its files is
# read at parse time: make re-reads this Makefile after the stamp, and
# fetches again if the cache lost it (LWIP_STAMP missing).
DEPS_STAMP := $(BUILD)/.deps-ok.mk
LWIP_DIR   := $(shell CACHE='$(CACHE)' host/tools/fetch-lwip.sh --print-dir 2>/dev/null)
LWIP_STAMP := $(if $(LWIP_DIR),$(LWIP_DIR)/.fetched,$(BUILD)/.lwip-unknown)
deps: $(DEPS_STAMP)
$(DEPS_STAMP): host/tools/deps.sh host/tools/fetch-lwip.sh $(LWIP_STAMP)
	$(Q)host/tools/deps.sh
	$(Q)CACHE='$(CACHE)' host/tools/fetch-lwip.sh
	$(Q)mkdir -p $(BUILD) && echo '# host/tools/deps.sh and fetch-lwip.sh succeeded' > $@
$(LWIP_STAMP): ;
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(DEPS_STAMP)
endif

NEWLIB_DIR := $(shell CACHE='$(CACHE)' host/tools/build-newlib.sh --print-prefix)
NEWLIB_STAMP := $(NEWLIB_DIR)/.built
$(NEWLIB_STAMP): | $(DEPS_STAMP)
	$(Q)CACHE='$(CACHE)' host/tools/build-newlib.sh

# ---- host build ------------------------------------------------------------
PORTABLE_SRCS := $(wildcard jit/*.c jit/x64/*.c wasi-baremetal/*.c spec/*.c)
PORTABLE_ASM  := $(wildcard jit/x64/*.S)
HOST_SRCS     := $(filter-out host/main.c,$(wildcard host/*.c images/*.c))
HOST_CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		 -Ijit -Iwasi-baremetal -Ispec -Ihost -Iimages -Iboot \
		 -DWASMETAL_BUILD_DIR='"$(abspath $(BUILD))"' \
		 -DWASMETAL_CACHE_DIR='"$(CACHE)"' -MMD -MP
HOST_LDLIBS   := -ljansson -lm
HOST_CFLAGS   += $(if $(filter 1,$(JIT_DEBUG)),-DJIT_DEBUG)

HOST_OBJS := $(patsubst %,$(BUILD)/host/%.o,$(PORTABLE_SRCS) $(PORTABLE_ASM) $(HOST_SRCS))

$(BUILD)/host/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/host/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/libwasmetal-host.a: $(HOST_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/wasmetal: $(BUILD)/host/host/main.c.o $(BUILD)/libwasmetal-host.a
	$(Q)$(HOSTCC) -o $@ $^ $(HOST_LDLIBS)

# ---- kernel build ----------------------------------------------------------
KERNEL_SRCS := $(wildcard kernel/*.c mm/*.c drivers/*.c net/*.c) $(PORTABLE_SRCS)
KERNEL_ASM  := $(wildcard kernel/*.S) $(PORTABLE_ASM)
KERNEL_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
		-fno-stack-protector -fno-omit-frame-pointer -mgeneral-regs-only \
		-isystem $(NEWLIB_DIR)/include \
		-Ijit -Iwasi-baremetal -Ispec -Ikernel -Imm -Idrivers -Iimages -Iboot \
		-Inet -DWASMETAL_KERNEL -MMD -MP
# KERNEL_EXTRA: more flags for the kernel build, for test variants in a
# build tree of their own (e.g. BUILD=build-rx512
# KERNEL_EXTRA=-DVIRTIO_NET_RX_BUF_SIZE=512: drivers/virtio_net.c).
KERNEL_EXTRA ?=
KERNEL_CFLAGS += $(KERNEL_EXTRA)
# The engine and WASI use SSE (floats); only interrupt-path code is built
# general-registers-only (kernel/, mm/, drivers/, net/ and lwIP).
KERNEL_SSE_CFLAGS = $(filter-out -mgeneral-regs-only,$(KERNEL_CFLAGS))

KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS) $(KERNEL_ASM))

# lwIP (NO_SYS raw API; options in net/lwipopts.h, port in net/arch/): the
# core, IPv4, IPv6 and Ethernet; nothing of api/ (sockets, netconn) or
# apps/.  Built general-registers-only like the rest of the interrupt-
# adjacent code (net/ feeds it from the idle loop).
LWIP_SRCS := $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c \
		$(LWIP_DIR)/src/core/ipv6/*.c) $(if $(LWIP_DIR),$(LWIP_DIR)/src/netif/ethernet.c)
LWIP_OBJS := $(patsubst $(LWIP_DIR)/src/%.c,$(BUILD)/kernel/lwip/%.o,$(LWIP_SRCS))
LWIP_INC  := -I$(LWIP_DIR)/src/include
KERNEL_OBJS += $(LWIP_OBJS)

# The framebuffer console's font (drivers/fbcon.c): a PSF from Debian's
# console-setup-linux (deps.sh), gunzipped and wrapped as a read-only
# object; objcopy names it _binary_fbcon_font_psf_{start,end}.
FBCON_FONT ?= /usr/share/consolefonts/Uni2-Terminus16.psf.gz
KERNEL_OBJS += $(BUILD)/kernel/fbcon_font.o
$(BUILD)/kernel/fbcon_font.o: $(FBCON_FONT) | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/kernel/font
	$(Q)gzip -dcf $< > $(BUILD)/kernel/font/fbcon_font.psf
	$(Q)cd $(BUILD)/kernel/font && objcopy -I binary -O elf64-x86-64 \
		-B i386:x86-64 --rename-section \
		.data=.rodata.fbcon_font,alloc,load,readonly,data,contents \
		fbcon_font.psf ../fbcon_font.o

$(BUILD)/kernel/jit/%.c.o: jit/%.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_SSE_CFLAGS) -c $< -o $@
$(BUILD)/kernel/wasi-baremetal/%.c.o: wasi-baremetal/%.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_SSE_CFLAGS) -c $< -o $@
$(BUILD)/kernel/spec/%.c.o: spec/%.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_SSE_CFLAGS) -c $< -o $@
$(BUILD)/kernel/net/%.c.o: net/%.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_CFLAGS) $(LWIP_INC) -c $< -o $@
$(BUILD)/kernel/lwip/%.o: $(LWIP_DIR)/src/%.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_CFLAGS) $(LWIP_INC) -c $< -o $@
$(BUILD)/kernel/%.c.o: %.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_CFLAGS) -c $< -o $@
$(BUILD)/kernel/%.S.o: %.S $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) linker.ld $(NEWLIB_STAMP)
	$(Q)ld -nostdlib -static -z max-page-size=4096 -z noexecstack -T linker.ld -o $@ \
		$(KERNEL_OBJS) $(NEWLIB_DIR)/lib/libc.a $(NEWLIB_DIR)/lib/libm.a \
		$$($(HOSTCC) -print-libgcc-file-name)

# ---- UEFI loader (GNU-EFI) -------------------------------------------------
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter \
	      -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iboot -Iimages \
	      -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
	      -fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	      -DEFI_FUNCTION_WRAPPER -MMD -MP
BOOT_SRCS  := $(wildcard boot/*.c)
BOOT_OBJS  := $(patsubst %,$(BUILD)/boot/%.o,$(BOOT_SRCS))

$(BUILD)/boot/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/boot/loader.so: $(BOOT_OBJS)
	$(Q)ld -shared -Bsymbolic -nostdlib -L$(EFI_LIB) -T$(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $^ -o $@ -lgnuefi -lefi
$(BUILD)/BOOTX64.EFI: $(BUILD)/boot/loader.so
	$(Q)objcopy -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
		-j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

# ---- examples and test programs (clang --target=wasm32-wasi) ---------------
WASI_CC     := clang --target=wasm32-wasi --sysroot=/usr
WASI_CFLAGS := -O2 -Wall -Iexamples/include
# examples/include/ holds headers for the examples (wasmetal_socket.h)
EXAMPLES    := $(filter-out include,$(patsubst examples/%/,%,$(wildcard examples/*/)))
EXAMPLE_WASM := $(foreach e,$(EXAMPLES),$(BUILD)/examples/$(e).wasm)
examples: $(EXAMPLE_WASM)
$(BUILD)/examples/%.wasm: examples/%/*.c $(wildcard examples/include/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) $(EXAMPLE_FLAGS_$*) -o $@ $(filter %.c,$^)
# httpd polls up to 1001 fds: wasi-libc's poll() keeps 2 subscriptions and
# 2 events per fd on the stack (160 KiB), past wasm-ld's 64 KiB default.
EXAMPLE_FLAGS_httpd := -Wl,-z,stack-size=1048576

TEST_WASI_SRCS := $(wildcard tests/wasi/*.c)
TEST_WAT_SRCS  := $(wildcard tests/wat/*.wat)
TEST_KERNEL_SRCS := $(wildcard tests/kernel/*.c)
TEST_NET_SRCS := $(wildcard tests/net/*.c)
TEST_WASM := $(patsubst tests/wasi/%.c,$(BUILD)/tests/wasi/%.wasm,$(TEST_WASI_SRCS)) \
	     $(patsubst tests/wat/%.wat,$(BUILD)/tests/wat/%.wasm,$(TEST_WAT_SRCS)) \
	     $(patsubst tests/kernel/%.c,$(BUILD)/tests/kernel/%.wasm,$(TEST_KERNEL_SRCS)) \
	     $(patsubst tests/net/%.c,$(BUILD)/tests/net/%.wasm,$(TEST_NET_SRCS))
# -MMD: the programs include tests/wasi/wt.h
$(BUILD)/tests/wasi/%.wasm: tests/wasi/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -MMD -MP -o $@ $<
# guests of the kernel's own tests (tests/kernel/*.sh)
$(BUILD)/tests/kernel/%.wasm: tests/kernel/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -o $@ $<
# guests of the network scripts (tests/net/*.sh)
$(BUILD)/tests/net/%.wasm: tests/net/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -o $@ $<
$(BUILD)/tests/wat/%.wasm: tests/wat/%.wat | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)wat2wasm -o $@ $<

# ---- unit tests (host) -------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itests/unit -Imm -o $@ $< $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)

# The kernel's socket layer (net/sock*.c, resolve.c, port.c, synflood.c) and
# lwIP built for the host: tests/unit/test_net_sock.c runs them on lwIP's
# loopback interface, with the kernel's own net/lwipopts.h.
NET_HOST_SRCS := net/sock.c net/sock_tcp.c net/sock_udp.c net/resolve.c net/port.c \
		 net/synflood.c
NET_HOST_OBJS := $(patsubst %,$(BUILD)/host-net/%.o,$(NET_HOST_SRCS)) \
		 $(patsubst $(LWIP_DIR)/src/%.c,$(BUILD)/host-net/lwip/%.o,$(LWIP_SRCS))
NET_HOST_CFLAGS = $(HOST_CFLAGS) -Inet $(LWIP_INC)
$(BUILD)/host-net/net/%.c.o: net/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(NET_HOST_CFLAGS) -c $< -o $@
$(BUILD)/host-net/lwip/%.o: $(LWIP_DIR)/src/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(NET_HOST_CFLAGS) -c $< -o $@
$(BUILD)/tests/unit/test_net_sock: tests/unit/test_net_sock.c $(NET_HOST_OBJS) \
		$(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(NET_HOST_CFLAGS) -Itests/unit -o $@ $< $(NET_HOST_OBJS) \
		$(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)

# ---- differential fuzzing against V8 (docs/fuzz-diff.md) --------------------
# `make fuzz-diff FUZZ_COUNT=N FUZZ_SEED=S FUZZ_GEN=mix|ttf|tree`: N random
# modules from seed S, each run by wasmetal (diff_runner, hosted) and node;
# FUZZ_FLAGS for more (--reduce, --jobs J, --out DIR).  make test runs a
# short one (tests/run.sh).
FUZZ_COUNT ?= 1000
FUZZ_SEED  ?= 1
FUZZ_GEN   ?= mix
FUZZ_FLAGS ?=
$(BUILD)/tests/fuzz/diff/diff_runner: tests/fuzz/diff/diff_runner.c $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)
fuzz-diff: $(BUILD)/tests/fuzz/diff/diff_runner
	$(Q)node tests/fuzz/diff/fuzz_diff.mjs --runner $(BUILD)/tests/fuzz/diff/diff_runner \
		--out $(BUILD)/fuzz-diff --count $(FUZZ_COUNT) --seed $(FUZZ_SEED) \
		--gen $(FUZZ_GEN) $(FUZZ_FLAGS)
test: $(BUILD)/tests/fuzz/diff/diff_runner
.PHONY: fuzz-diff

# ---- benchmarks (bench/; bench/run.sh writes bench/RESULTS.md) ---------------
# Each bench/NAME.c -> build/bench/NAME.native (gcc -O2) and NAME.wasm (clang
# -O2, DWARF stripped so compile throughput counts real module bytes).
BENCH_SRCS := $(filter-out bench/compile_speed.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%.native,$(BENCH_SRCS)) \
	      $(patsubst bench/%.c,$(BUILD)/bench/%.wasm,$(BENCH_SRCS)) \
	      $(BUILD)/bench/compile_speed
$(BUILD)/bench/%.native: bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -O2 -Wall -o $@ $< -lm
$(BUILD)/bench/%.wasm: bench/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) -O2 -Wall -Wl,--strip-debug -o $@ $<
$(BUILD)/bench/compile_speed: bench/compile_speed.c $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)
bench: $(BUILD)/wasmetal $(BENCH_BINS)
	$(Q)bench/run.sh
# Network: wrk against examples/httpd under QEMU, the in-kernel server,
# hosted and native (bench/net.sh; its section of bench/RESULTS.md)
bench-net: all $(BUILD)/bench/fixed_httpd.wasm
	$(Q)BUILD=$(BUILD) bench/net.sh
$(BUILD)/bench/fixed_httpd.wasm: bench/netsrv/fixed_httpd.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) -O2 -Wall -o $@ $<
.PHONY: bench bench-net

# ---- spec testsuite (hosted): wast2json + `wasmetal spec`, one line per file -
# The testsuite is an external checkout (WASM_TESTSUITE, default
# $(CACHE)/testsuite); tests/spec/run-suite.sh converts it into build/spec/.
spec: $(BUILD)/wasmetal
	$(Q)BUILD=$(BUILD) WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} \
		tests/spec/run-suite.sh
.PHONY: spec

# The unit tests and the spec suite, hosted (with JIT_DEBUG=1: checked JIT)
check-jit: $(BUILD)/wasmetal $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do \
		$$t > $$t.out 2>&1 || fail=1; \
		if grep -q '^FAIL' $$t.out; then fail=1; grep '^FAIL' $$t.out; fi; \
		echo "$$(basename $$t): $$(grep -c '^PASS' $$t.out) passed, $$(grep -c '^FAIL' $$t.out) failed"; \
	done; \
	BUILD=$(BUILD) WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} \
		tests/spec/run-suite.sh || fail=1; exit $$fail
.PHONY: check-jit

# The same files inside the kernel: all of them in one boot under QEMU
# (`wasmetal spec --qemu`), the kernel staying up across them.
spec-qemu: $(BUILD)/wasmetal $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI
	$(Q)BUILD=$(BUILD) WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} \
		tests/spec/run-suite.sh --qemu
.PHONY: spec-qemu

# ---- the two commands --------------------------------------------------------
run: all
	$(BUILD)/wasmetal run $(BUILD)/examples/hello.wasm

test: all $(UNIT_BINS) $(TEST_WASM)
	$(Q)tests/run.sh

clean:
	rm -rf $(BUILD)

.PHONY: all deps run test clean examples
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
