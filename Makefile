# wasmetal — top-level build.
#
#   make            install missing Debian packages, build everything in build/
#   make run        boot the bundled example (examples/hello) under QEMU
#   make test       every test level; the last line is "N passed, N failed, N skipped"
#
# Two builds of the same portable code (jit/, wasi-baremetal/, spec/):
#   host   : + host/ (Linux platform) -> build/wasmetal (CLI, --hosted), tests
#   kernel : + kernel/ mm/ drivers/ net/ + newlib + lwIP -> build/kernel.elf
# plus boot/ (GNU-EFI) -> build/BOOTX64.EFI.  Third-party code (newlib,
# lwIP) comes from Debian's source packages into $(CACHE), never the tree.

CACHE   ?= $(HOME)/.cache/wasmetal
# JIT_DEBUG=1: the compiler's invariant checks (-DJIT_DEBUG, jit/compile/)
# in a build tree of their own; `make JIT_DEBUG=1 check-jit` runs the unit
# tests and the spec suite with them.
# SAN=1: the hosted runtime and its tests with ASan + UBSan (clang), in
# build-asan (`make check-asan`, below); host targets only.
BUILD   ?= $(if $(filter 1,$(SAN)),build-asan,$(if $(filter 1,$(JIT_DEBUG)),build-jit-debug,build))
HOSTCC  ?= gcc
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

all: deps $(BUILD)/wasmetal $(BUILD)/libwasmetal-llvm.so $(BUILD)/kernel.elf \
	$(BUILD)/BOOTX64.EFI examples

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
PORTABLE_SRCS := $(wildcard jit/*.c jit/compile/*.c jit/x64/*.c wasi-baremetal/*.c spec/*.c)
PORTABLE_ASM  := $(wildcard jit/x64/*.S)
# The bundle and manifest reader: compiled into the kernel and the CLI alike
BUNDLE_PARSE_SRCS := $(wildcard images/parse/*.c)
HOST_SRCS     := $(filter-out host/main.c,$(wildcard host/*.c images/*.c)) \
		 $(BUNDLE_PARSE_SRCS)
HOST_CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		 -Ijit -Iwasi-baremetal -Ispec -Ihost -Iimages -Iboot \
		 -DWASMETAL_BUILD_DIR='"$(abspath $(BUILD))"' \
		 -DWASMETAL_CACHE_DIR='"$(CACHE)"' -I$(BUILD)/gen -MMD -MP
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

# (HOST_LDFLAGS: the sanitizers with SAN=1, below)
# -rdynamic: the LLVM plugin (below) uses the runtime of the executable
$(BUILD)/wasmetal: $(BUILD)/host/host/main.c.o $(BUILD)/libwasmetal-host.a
	$(Q)$(HOSTCC) $(HOST_LDFLAGS) -rdynamic -o $@ $^ $(HOST_LDLIBS)

# ---- kernel build ----------------------------------------------------------
KERNEL_SRCS := $(wildcard kernel/*.c mm/*.c drivers/*.c net/*.c) $(PORTABLE_SRCS) \
	       $(BUNDLE_PARSE_SRCS)
KERNEL_ASM  := $(wildcard kernel/*.S) $(PORTABLE_ASM)
KERNEL_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
		-fno-stack-protector -fno-omit-frame-pointer -mgeneral-regs-only \
		-isystem $(NEWLIB_DIR)/include \
		-Ijit -Iwasi-baremetal -Ispec -Ikernel -Imm -Idrivers -Iimages -Iboot \
		-Inet -DWASMETAL_KERNEL -MMD -MP
# KERNEL_EXTRA: more flags for the kernel build, for test variants in a
# build tree of their own (e.g. BUILD=build-rx512
# KERNEL_EXTRA=-DVIRTIO_NET_RX_BUF_SIZE=512: drivers/virtio_net.c;
# BUILD=build-apic80 KERNEL_EXTRA=-DAPIC_TIMER_TEST_SCALE_PCT=80:
# kernel/apic.c, which tests/images/pvh_boot.sh builds itself).
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
TEST_STDIO_SRCS := $(wildcard tests/stdio/*.c)
TEST_WASM := $(patsubst tests/wasi/%.c,$(BUILD)/tests/wasi/%.wasm,$(TEST_WASI_SRCS)) \
	     $(patsubst tests/wat/%.wat,$(BUILD)/tests/wat/%.wasm,$(TEST_WAT_SRCS)) \
	     $(patsubst tests/kernel/%.c,$(BUILD)/tests/kernel/%.wasm,$(TEST_KERNEL_SRCS)) \
	     $(patsubst tests/net/%.c,$(BUILD)/tests/net/%.wasm,$(TEST_NET_SRCS)) \
	     $(patsubst tests/stdio/%.c,$(BUILD)/tests/stdio/%.wasm,$(TEST_STDIO_SRCS))
# -MMD: the programs include tests/wasi/wt.h
$(BUILD)/tests/wasi/%.wasm: tests/wasi/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) $(TEST_WASI_FLAGS_$*) -MMD -MP -o $@ $<
# issue 10: a program with v128 code (tests/run.sh checks it has some)
TEST_WASI_FLAGS_simd_loops := -msimd128
# issue 10: C++ with -fwasm-exceptions (tests/wasi/*.cpp; tests/run.sh
# CXX_EH_BACKENDS says where they run).  Debian's emscripten, because
# Debian's wasm32-wasi libc++abi (libc++abi-14-dev-wasm32) is built without
# exceptions: it has no __cxa_throw.  emscripten's system libraries come
# prebuilt in its package, in a cache it ships frozen (/usr/share/
# emscripten/cache; the "-except" variants are the -fwasm-exceptions ones):
# pinned here, so nothing is built or written on first use whatever EM_*
# the environment has.  -sSTANDALONE_WASM: a WASI command importing only
# wasi_snapshot_preview1.
TEST_WASI_CXX_SRCS := $(wildcard tests/wasi/*.cpp)
TEST_WASM += $(patsubst tests/wasi/%.cpp,$(BUILD)/tests/wasi/%.wasm,$(TEST_WASI_CXX_SRCS))
EMXX := EM_CACHE=/usr/share/emscripten/cache EM_FROZEN_CACHE=1 em++
$(BUILD)/tests/wasi/%.wasm: tests/wasi/%.cpp | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(EMXX) -O2 -Wall -fwasm-exceptions -sSTANDALONE_WASM -o $@ $<
# guests of the kernel's own tests (tests/kernel/*.sh)
$(BUILD)/tests/kernel/%.wasm: tests/kernel/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -o $@ $<
# guests of the network scripts (tests/net/*.sh)
$(BUILD)/tests/net/%.wasm: tests/net/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -o $@ $<
# guests of the stdio script (tests/stdio/stdio.sh)
$(BUILD)/tests/stdio/%.wasm: tests/stdio/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -o $@ $<
# (--enable-tail-call: tests/wat/tail_calls.wat, --enable-exceptions:
# tests/wat/exceptions.wat, issue 10)
$(BUILD)/tests/wat/%.wasm: tests/wat/%.wat | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)wat2wasm --enable-multi-memory --enable-tail-call --enable-exceptions -o $@ $<

# ---- unit tests (host) -------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itests/unit -Imm -o $@ $< $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)

# drivers/virtio_blk.c hosted, on a fake device (its kernel headers)
$(BUILD)/tests/unit/test_virtio_blk: HOST_CFLAGS += -Ikernel -Idrivers

# ---- the LLVM backend (host/llvm/, issue 9) ---------------------------------
# Host-only: Debian's llvm-14-dev (deps.sh) through its C API.  The CLI
# loads it as a plugin, libwasmetal-llvm.so next to `wasmetal`, only for
# --backend llvm (host/aot.c: libLLVM costs every process ~65 ms to link).
# tests/unit/test_llvm.c checks it against the single-pass JIT on the
# modules of tests/llvm/, test_llvm_elf.c its object file reader
# (deps.sh installs llvm-14-dev; without it they fail to build, loudly,
# rather than drop out of make test unseen).
LLVM_CONFIG ?= llvm-config-14
LLVM_CFLAGS := $(shell $(LLVM_CONFIG) --cflags 2>/dev/null)
LLVM_LIBS   := $(shell $(LLVM_CONFIG) --ldflags --libs core \
		native passes 2>/dev/null)
LLVM_OBJS   := $(patsubst %,$(BUILD)/llvm/%.o,$(wildcard host/llvm/*.c))
LLVM_WASM   := $(patsubst tests/llvm/%.wat,$(BUILD)/tests/llvm/%.wasm,$(wildcard tests/llvm/*.wat)) \
	       $(BUILD)/tests/llvm/bench_kernels.wasm
$(BUILD)/llvm/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(LLVM_CFLAGS) -c $< -o $@
LLVM_PIC_OBJS := $(patsubst %,$(BUILD)/llvm-pic/%.o,$(wildcard host/llvm/*.c))
$(BUILD)/llvm-pic/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(LLVM_CFLAGS) -fPIC -c $< -o $@
# The build id of the backend (host/llvm/llvm_plugin.h): a hash of every
# source its code depends on (the backend, the runtime's headers and the
# single-pass import stubs it links) and LLVM's version.  `wasmetal` and
# the plugin must agree on it, and the artifact cache keys on it: a
# changed backend never reuses artifacts of an older one.  Rewritten only
# when it changes (so nothing rebuilds for nothing).
LLVM_BUILD_ID_H := $(BUILD)/gen/llvm_build_id.h
LLVM_ID_SRCS := $(sort $(wildcard host/llvm/*.c host/llvm/*.h jit/*.c jit/*.h \
		jit/compile/*.c jit/compile/*.h jit/x64/*.h jit/x64/*.c jit/x64/*.S))
$(LLVM_BUILD_ID_H): FORCE
	@mkdir -p $(dir $@)
	@id=$$(cat $(LLVM_ID_SRCS) | sha256sum | cut -c1-16)-llvm$$($(LLVM_CONFIG) --version); \
	 new="#define WASMETAL_LLVM_BUILD_ID \"$$id\""; \
	 [ -f $@ ] && [ "$$(cat $@)" = "$$new" ] || echo "$$new" > $@
.PHONY: FORCE
$(BUILD)/host/host/aot.c.o $(BUILD)/llvm/host/llvm/llvm_plugin.c.o \
$(BUILD)/llvm-pic/host/llvm/llvm_plugin.c.o: $(LLVM_BUILD_ID_H)
# undefined symbols: the runtime, from the executable that loads it
$(BUILD)/libwasmetal-llvm.so: $(LLVM_PIC_OBJS)
	$(Q)$(HOSTCC) -shared -o $@ $^ $(LLVM_LIBS)
$(BUILD)/tests/llvm/%.wasm: tests/llvm/%.wat | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)wat2wasm --enable-multi-memory --enable-relaxed-simd --enable-memory64 \
		--enable-tail-call -o $@ $<
# relaxed_bf16.wat: 0xfd 0x113 written for 0x114, which wabt cannot write
$(BUILD)/tests/llvm/relaxed_bf16.wasm: tests/llvm/relaxed_bf16.wat | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)wat2wasm --enable-relaxed-simd -o $@.tmp $<
	$(Q)python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); \
		assert b.count(b"\xfd\x93\x02") == 1, "want one 0xfd 0x113"; \
		open(sys.argv[2], "wb").write(b.replace(b"\xfd\x93\x02", b"\xfd\x94\x02"))' $@.tmp $@
	@rm -f $@.tmp
# bench/ kernels without WASI: libc.a only for memcpy/memset (no imports)
$(BUILD)/tests/llvm/bench_kernels.wasm: tests/llvm/bench_kernels.c bench/crc32.c \
		bench/fannkuch.c bench/nbody.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) $(WASI_CFLAGS) -nostdlib -Wl,--no-entry -o $@ $< \
		/usr/lib/wasm32-wasi/libc.a
LLVM_TESTS  := $(BUILD)/tests/unit/test_llvm $(BUILD)/tests/unit/test_llvm_elf \
	       $(BUILD)/tests/unit/test_llvm_runtime $(BUILD)/tests/unit/test_eh_llvm \
	       $(BUILD)/tests/unit/test_llvm_tail
# test_eh_llvm.c is test_eh.c's cases on LLVM code (it includes it)
$(BUILD)/tests/unit/test_eh_llvm: tests/unit/test_eh.c
# test_llvm_tail.c is test_tail.c's cases through the LLVM backend
$(BUILD)/tests/unit/test_llvm_tail: tests/unit/test_tail.c
$(LLVM_TESTS): $(BUILD)/tests/unit/%: tests/unit/%.c $(LLVM_OBJS) $(LLVM_WASM) \
		$(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(LLVM_CFLAGS) -Itests/unit -Ihost/llvm -o $@ $< \
		$(LLVM_OBJS) $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS) $(LLVM_LIBS)

# bench/llvm_kernels (bench/README.md): the bench/ programs as Wasm modules
# without imports (bench/llvm_kernels/kernel.c) and as native objects of
# the same C, timed native / single-pass / LLVM in one process.
LLVM_KERNELS := crc32 fannkuch hashmap interp lz mandelbrot matmul nbody sha256 sort
$(BUILD)/bench/kern/%.wasm: bench/llvm_kernels/kernel.c bench/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) -O2 -Wall -DKERNEL_SRC='"../$*.c"' -nostdlib -Wl,--no-entry \
		-Wl,--strip-debug -o $@ $< /usr/lib/wasm32-wasi/libc.a
$(BUILD)/bench/kern/%.o: bench/llvm_kernels/kernel.c bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -O2 -Wall -DKERNEL_SRC='"../$*.c"' -DKERNEL_RUN=kernel_run_$* -c -o $@ $<
$(BUILD)/bench/llvm_kernels: bench/llvm_kernels/main.c $(LLVM_OBJS) \
		$(LLVM_KERNELS:%=$(BUILD)/bench/kern/%.o) $(LLVM_KERNELS:%=$(BUILD)/bench/kern/%.wasm) \
		$(BUILD)/libwasmetal-host.a
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(LLVM_CFLAGS) -Ihost/llvm -o $@ $< $(LLVM_OBJS) \
		$(LLVM_KERNELS:%=$(BUILD)/bench/kern/%.o) $(BUILD)/libwasmetal-host.a \
		$(HOST_LDLIBS) $(LLVM_LIBS)
.PHONY: bench-llvm
bench-llvm: $(BUILD)/bench/llvm_kernels
	$(BUILD)/bench/llvm_kernels run $(BUILD)/bench/kern $(LLVM_KERNELS)

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

# ---- hostile images (tests/images/hostile_images.sh) --------------------------
# The generator of mutated bundles and kernel ELFs booted under QEMU; the
# loader's ELF check (boot/elf.c) is built in to say what the loader will
# say.  `make test` boots the curated cases marked for it (a dozen);
# `make hostile-images` boots every curated case and N random mutants of
# SEED (defaults below; the seed is printed).  test_bundle_mutants runs
# the same mutants, and thousands more, through the parser hosted.
MUTATE_LIB  := tests/images/bundle_mutate.c tests/images/bundle_mutate_cases.c \
	       tests/images/bundle_mutate_random.c
MUTATE_BIN  := $(BUILD)/tests/images/bundle_mutate
$(MUTATE_BIN): tests/images/bundle_mutate_main.c $(MUTATE_LIB) tests/images/bundle_mutate.h \
		boot/elf.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/images/bundle_mutate_main.c $(MUTATE_LIB) \
		boot/elf.c
$(BUILD)/tests/unit/test_bundle_mutants: tests/unit/test_bundle_mutants.c $(MUTATE_LIB) \
		tests/images/bundle_mutate.h $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itests/unit -Itests/images -o $@ $< $(MUTATE_LIB) \
		$(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)
hostile-images test-hostile-images: N ?= 300
hostile-images test-hostile-images: SEED ?= $(shell date +%s)
hostile-images test-hostile-images: all $(MUTATE_BIN)
	$(Q)BUILD=$(BUILD) tests/images/hostile_images.sh --full --random $(N) --seed $(SEED)
.PHONY: hostile-images test-hostile-images

# ---- differential fuzzing against V8 (docs/fuzz-diff.md) --------------------
# `make fuzz-diff FUZZ_COUNT=N FUZZ_SEED=S FUZZ_GEN=mix|ttf|tree`: N random
# modules from seed S, each run by wasmetal (diff_runner, hosted) and node;
# FUZZ_FLAGS for more (--reduce, --jobs J, --out DIR).  make test runs a
# short one (tests/run.sh).
FUZZ_COUNT ?= 1000
FUZZ_SEED  ?= 1
FUZZ_GEN   ?= mix
FUZZ_FLAGS ?=
# FUZZ_BACKEND=llvm: wasmetal's side compiled by the LLVM backend
# (diff_runner --backend llvm; linked with it as the LLVM unit tests are)
FUZZ_BACKEND ?= single
$(BUILD)/tests/fuzz/diff/diff_runner: tests/fuzz/diff/diff_runner.c $(LLVM_OBJS) \
		$(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(LLVM_CFLAGS) -Ihost/llvm -o $@ $< $(LLVM_OBJS) \
		$(BUILD)/libwasmetal-host.a $(HOST_LDLIBS) $(LLVM_LIBS)
fuzz-diff: $(BUILD)/tests/fuzz/diff/diff_runner
	$(Q)node tests/fuzz/diff/fuzz_diff.mjs --runner $(BUILD)/tests/fuzz/diff/diff_runner \
		--out $(BUILD)/fuzz-diff --count $(FUZZ_COUNT) --seed $(FUZZ_SEED) \
		--gen $(FUZZ_GEN) --backend $(FUZZ_BACKEND) $(FUZZ_FLAGS)
test: $(BUILD)/tests/fuzz/diff/diff_runner
.PHONY: fuzz-diff

# ---- v128 operand forms against node (issue 10; tests/opform/simd_forms.sh) --
simd-forms: $(BUILD)/wasmetal $(BUILD)/libwasmetal-llvm.so
	$(Q)BUILD=$(BUILD) tests/opform/simd_forms.sh

.PHONY: simd-forms

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
# ... and NAME.simd.wasm, the same with -msimd128 (issue 10; run.sh's SIMD
# table: single-pass and llvm on both builds)
BENCH_BINS += $(patsubst bench/%.c,$(BUILD)/bench/%.simd.wasm,$(BENCH_SRCS))
$(BUILD)/bench/%.simd.wasm: bench/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) -O2 -msimd128 -Wall -Wl,--strip-debug -o $@ $<
$(BUILD)/bench/compile_speed: bench/compile_speed.c $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)
# Real programs from Debian source packages (issue 9, "Speed targets";
# bench/README.md): bench/real/build.sh fetches the source into the
# cache (apt-get source) and builds NAME.native and NAME.wasm together.
BENCH_REAL := lua sqlite zstd
define BENCH_REAL_RULE
$(BUILD)/bench/$(1).native: $(BUILD)/bench/$(1).wasm
$(BUILD)/bench/$(1).wasm: bench/real/build.sh bench/real/fetch.sh bench/real/deps.sh $(wildcard bench/real/$(1)/*) | $(DEPS_STAMP)
	$(Q)bench/real/deps.sh
	$(Q)CACHE='$(CACHE)' bench/real/build.sh $(1) $(BUILD)/bench
endef
$(foreach n,$(BENCH_REAL),$(eval $(call BENCH_REAL_RULE,$(n))))
BENCH_BINS += $(foreach n,$(BENCH_REAL),$(BUILD)/bench/$(n).native $(BUILD)/bench/$(n).wasm)
# The wasm2c + gcc -O2 runner of every program (bench/wasm2c/build.sh).
BENCH_BINS += $(patsubst bench/%.c,$(BUILD)/bench/%.w2c,$(BENCH_SRCS)) \
	      $(foreach n,$(BENCH_REAL),$(BUILD)/bench/$(n).w2c)
$(BUILD)/bench/%.w2c: $(BUILD)/bench/%.wasm bench/wasm2c/build.sh bench/wasm2c/wasi_glue.c
	$(Q)bench/wasm2c/build.sh $< $@
bench: $(BUILD)/wasmetal $(BUILD)/libwasmetal-llvm.so $(BENCH_BINS)
	$(Q)bench/run.sh
# Network: wrk against examples/httpd under QEMU, the in-kernel server,
# hosted and native (bench/net.sh; its section of bench/RESULTS.md)
bench-net: all $(BUILD)/bench/fixed_httpd.wasm
	$(Q)BUILD=$(BUILD) bench/net.sh
$(BUILD)/bench/fixed_httpd.wasm: bench/netsrv/fixed_httpd.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(WASI_CC) -O2 -Wall -o $@ $<
# The boot budget (issue 11; bench/boot.sh): whole `wasmetal run` on microvm
# and q35, the kernel's entry->_start line for hello and a ~1 MB module,
# JIT and precompiled, and hello in a 32 MiB VM; its section of RESULTS.md
bench-boot: all
	$(Q)BUILD=$(BUILD) bench/boot.sh -w
.PHONY: bench bench-net bench-boot
# Single-pass JIT before/after in one run (issue 9; bench/compare.sh): BASE
# built in ~/.cache/wasmetal/bench-base/<sha>, both run this tree's modules.
#   make bench-compare BASE=<rev> [AFTER=<rev>|tree] [COMPARE_RUNS=5] [COMPARE_WRITE=1]
COMPARE_RUNS ?= 5
bench-compare: $(BUILD)/wasmetal $(BUILD)/bench/compile_speed \
		$(foreach n,$(BENCH_SRCS:bench/%.c=%) $(BENCH_REAL),$(BUILD)/bench/$(n).wasm $(BUILD)/bench/$(n).native)
	$(Q)BUILD=$(BUILD) CACHE='$(CACHE)' bench/compare.sh -n '$(COMPARE_RUNS)' \
		$(if $(filter 1,$(COMPARE_WRITE)),-w) '$(BASE)' '$(AFTER)'
.PHONY: bench-compare

# ---- spec testsuite (hosted): wast2json + `wasmetal spec`, one line per file -
# The testsuite is an external checkout (WASM_TESTSUITE, default
# $(CACHE)/testsuite); tests/spec/run-suite.sh converts it into build/spec/.
spec: $(BUILD)/wasmetal
	$(Q)BUILD=$(BUILD) WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} \
		tests/spec/run-suite.sh
.PHONY: spec

# The unit tests and the spec suite, hosted (with JIT_DEBUG=1: checked JIT)
check-jit: $(BUILD)/wasmetal $(UNIT_BINS)
	$(Q)BUILD=$(BUILD) WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} tests/check-jit.sh
.PHONY: check-jit

# ---- issue 8: sanitizers, fault injection, libFuzzer (one block) -------------
# SAN=1: the hosted runtime and its tests with ASan + UBSan (clang; every
# finding aborts, frames kept for the reports), in build-asan.
SAN_FLAGS     := -fsanitize=address,undefined -fno-sanitize-recover=all \
		 -fno-omit-frame-pointer
ifeq ($(SAN),1)
HOSTCC        := clang
HOST_CFLAGS   += $(SAN_FLAGS)
HOST_LDFLAGS  += $(SAN_FLAGS)
endif

# Fault injection (tests/fault/): the CLI again, linked with
# tests/fault/fault_inject.c, which wraps the runtime's malloc, calloc and
# realloc and reads WASMETAL_FAIL=KIND:N (fail the N-th allocation,
# reservation, commit or code-page request).  A test binary of its own: the
# real CLI has no injection.  tests/fault/sweep.sh fails each in turn.
FAULT_BIN  := $(BUILD)/tests/fault/wasmetal-fault
FAULT_WASM := $(patsubst tests/fault/%.wat,$(BUILD)/tests/fault/%.wasm,$(wildcard tests/fault/*.wat))
$(FAULT_BIN): $(BUILD)/host/host/main.c.o $(BUILD)/host/tests/fault/fault_inject.c.o \
		$(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
		-o $@ $^ $(HOST_LDLIBS)
$(BUILD)/tests/fault/%.wasm: tests/fault/%.wat | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)wat2wasm -o $@ $<
fault-build: $(FAULT_BIN) $(FAULT_WASM) examples $(TEST_WASM)
# the sweep alone (make test runs it too; check-asan under the sanitizers)
fault: fault-build
	$(Q)BUILD=$(BUILD) tests/fault/sweep.sh
.PHONY: fault fault-build

# make check-asan: the SAN=1 build (the LLVM plugin included: its
# translator runs instrumented, LLVM itself not), then tests/san/check-asan.sh: the unit
# tests, every hosted test of tests/run.sh (no QEMU), the spec suite and the
# fault sweep under the sanitizers (LeakSanitizer included); any sanitizer
# report, even of a process no check looked at, is a failure.
# The kernel and the loader are not host code: the ordinary build's are
# copied in, for the tests that write images (tests/net/net.sh).
check-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build build/kernel.elf build/BOOTX64.EFI
	$(Q)mkdir -p build-asan && cp build/kernel.elf build/BOOTX64.EFI build-asan/
	$(Q)$(MAKE) --no-print-directory SAN=1 BUILD=build-asan check-asan-run
check-asan-run: $(BUILD)/wasmetal $(UNIT_BINS) $(TEST_WASM) examples fault-build \
		$(BUILD)/tests/fuzz/diff/diff_runner $(BUILD)/libwasmetal-llvm.so
	$(Q)BUILD=$(BUILD) tests/san/check-asan.sh
.PHONY: check-asan check-asan-run

# libFuzzer (tests/fuzz/README.md): each tests/fuzz/fuzz_NAME.c ->
# $(BUILD)/fuzz/fuzz_NAME, with the runtime's sources built again for it
# (clang: coverage, ASan, UBSan) into $(BUILD)/fuzz/obj.  Seeds
# (tests/fuzz/seeds.sh: the spec suite's modules through wast2json, the test
# and example programs, bundles, manifests, GPT disk heads) are made in
# $(BUILD)/fuzz/seeds/NAME, never committed; what libFuzzer finds goes to
# $(BUILD)/fuzz/corpus/NAME.  `make fuzz` runs each target FUZZ_SECONDS
# (tests/fuzz/run.sh: 60 by default), or FUZZ_RUNS executions;
# make test runs each for a few seconds (tests/run.sh).
FUZZ_CFLAGS  = $(filter-out $(SAN_FLAGS),$(HOST_CFLAGS)) $(SAN_FLAGS) -fsanitize=fuzzer-no-link
FUZZ_OBJS   := $(patsubst %,$(BUILD)/fuzz/obj/%.o,$(PORTABLE_SRCS) $(PORTABLE_ASM) $(HOST_SRCS))
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

$(BUILD)/fuzz/obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -c $< -o $@
$(BUILD)/fuzz/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -c $< -o $@
$(BUILD)/fuzz/libwasmetal-fuzz.a: $(FUZZ_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
# fuzz_wasi: the platform's console and clock replaced by its own (output
# dropped, stdin empty, virtual time that jumps to each wait's deadline)
FUZZ_LDFLAGS_fuzz_wasi := -Wl,--wrap=plat_console_write,--wrap=plat_console_read \
	-Wl,--wrap=plat_console_ready,--wrap=plat_clock_ns,--wrap=plat_wait
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/libwasmetal-fuzz.a
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_LDFLAGS_fuzz_$*) -Ikernel \
		-o $@ $< $(BUILD)/fuzz/libwasmetal-fuzz.a $(HOST_LDLIBS)
# the bundle seeds' writer: an ordinary host program
$(BUILD)/fuzz/mkseeds: tests/fuzz/mkseeds.c $(BUILD)/libwasmetal-host.a
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $< $(BUILD)/libwasmetal-host.a $(HOST_LDLIBS)
# made again when what they come from changed (not the testsuite checkout)
$(BUILD)/fuzz/seeds.stamp: tests/fuzz/seeds.sh $(BUILD)/fuzz/mkseeds $(EXAMPLE_WASM) \
		$(TEST_WASM) $(FAULT_WASM) $(BUILD)/wasmetal
	$(Q)BUILD=$(BUILD) tests/fuzz/seeds.sh && touch $@
fuzz-build: $(FUZZ_BINS) $(BUILD)/fuzz/seeds.stamp
fuzz: fuzz-build
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
		FUZZ_TARGETS="$(FUZZ_TARGETS)" tests/fuzz/run.sh
.PHONY: fuzz fuzz-build
# make test: the short sweep and the short fuzz runs (tests/run.sh)
test: fault-build fuzz-build

# The same files inside the kernel: all of them in one boot under QEMU
# (`wasmetal spec --qemu`), the kernel staying up across them.
spec-qemu: $(BUILD)/wasmetal $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI
	$(Q)BUILD=$(BUILD) WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} \
		tests/spec/run-suite.sh --qemu
.PHONY: spec-qemu

# issue 9: the same suite through the LLVM backend, hosted, then in one boot
# (`wasmetal spec --backend llvm`: every valid module compiled by LLVM; the
# executor, hosted or in the kernel, loads the artifacts and compiles
# nothing).  The boot takes the artifacts the hosted pass compiled from a
# cache in $(BUILD)/spec/aot, emptied first (the cache is keyed by engine
# version, not by the backend's build).  Both passes run; fails if either did.
spec-llvm: $(BUILD)/wasmetal $(BUILD)/libwasmetal-llvm.so $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI
	$(Q)rm -rf $(BUILD)/spec/aot
	$(Q)export BUILD=$(BUILD) SPEC_AOT_CACHE=$(BUILD)/spec/aot \
		WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite}; \
	t0=$$(date +%s); tests/spec/run-suite.sh --llvm; a=$$?; t1=$$(date +%s); \
	tests/spec/run-suite.sh --llvm --qemu; b=$$?; t2=$$(date +%s); \
	echo "spec-llvm: hosted $$((t1 - t0)) s (status $$a), in one boot $$((t2 - t1)) s (status $$b)"; \
	[ $$a -eq 0 ] && [ $$b -eq 0 ]
.PHONY: spec-llvm

# issue 10: the testsuite's proposals/ directories wasmetal implements
# (tests/spec/run-suite.sh --proposals: SPEC_PROPOSALS, default its list;
# wast2json --enable-all), hosted, in one boot, through LLVM hosted and in
# one boot (artifacts shared through $(BUILD)/spec/aot-proposals).  All four
# run; fails if any did.
spec-proposals: $(BUILD)/wasmetal $(BUILD)/libwasmetal-llvm.so $(BUILD)/kernel.elf $(BUILD)/BOOTX64.EFI
	$(Q)rm -rf $(BUILD)/spec/aot-proposals
	$(Q)export BUILD=$(BUILD) SPEC_AOT_CACHE=$(BUILD)/spec/aot-proposals \
		WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite}; rc=0; \
	for f in "" --qemu --llvm "--llvm --qemu"; do \
		echo "== run-suite.sh $$f --proposals"; \
		tests/spec/run-suite.sh $$f --proposals || rc=1; \
	done; exit $$rc
.PHONY: spec-proposals

# The mutation check of the tests themselves (issue 8): single-token bugs
# planted one at a time in a copy of jit/compile/ (never the tree's),
# each rebuilt and run against the unit tests and the hosted spec suite;
# prints which test caught each (tests/mutate/mutate_compile.sh; -a: all).
mutate:
	$(Q)WASM_TESTSUITE=$${WASM_TESTSUITE:-$(CACHE)/testsuite} tests/mutate/mutate_compile.sh $(MUTATE_FLAGS)
.PHONY: mutate

# ---- the two commands --------------------------------------------------------
run: all
	$(BUILD)/wasmetal run $(BUILD)/examples/hello.wasm

test: all $(UNIT_BINS) $(TEST_WASM) $(MUTATE_BIN)
	$(Q)tests/run.sh

clean:
	rm -rf $(BUILD)

.PHONY: all deps run test clean examples
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
