/*
 * trap.h — the CPU exception path (Intel SDM Vol. 3A ch. 6, "Interrupt and
 * Exception Handling"; §6.14 64-bit mode stack frame and IST; ch. 7 TSS).
 * kernel/traps.S builds a struct trap_frame on the stack for every vector
 * and calls trap_dispatch (kernel/idt.c).
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stddef.h>
#include <stdint.h>

/* Lowest address first: fxsave area (SSE state; the JIT keeps Wasm values
 * in xmm registers; its AVX code is VEX.128 only, which zeroes the upper
 * ymm halves, so there is no more state to save), the general registers in reverse push order, the
 * stub's vector and error code (0 when the CPU pushes none), then the
 * frame the CPU pushed.  The CPU aligns rsp to 16 before pushing, and 176
 * bytes of pushes keep fx 16-byte aligned. */
struct trap_frame {
	uint8_t fx[512];
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

_Static_assert(offsetof(struct trap_frame, r15) == 512, "traps.S push order");
_Static_assert(offsetof(struct trap_frame, rax) == 512 + 14 * 8, "traps.S");
_Static_assert(offsetof(struct trap_frame, vector) == 512 + 15 * 8, "traps.S");
_Static_assert(offsetof(struct trap_frame, rip) == 512 + 17 * 8, "CPU frame");
_Static_assert(sizeof(struct trap_frame) == 688, "traps.S: 512 + 22 * 8");
_Static_assert(sizeof(struct trap_frame) % 16 == 0, "fxsave alignment");

/* 64-bit TSS (SDM Vol. 3A §8.7, Figure 8-11). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];                /* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");
_Static_assert(offsetof(struct tss, rsp) == 4, "TSS layout");
_Static_assert(offsetof(struct tss, ist) == 36, "TSS layout");
_Static_assert(offsetof(struct tss, iomap_base) == 102, "TSS layout");

/* Which IST slot (1-based, 0 = none) each dangerous vector uses. */
#define IST_DF  1       /* double fault: the stack may be gone */
#define IST_NMI 2
#define IST_MC  3
#define IST_PF  4       /* a Wasm or kernel stack guard page hit */
#define IST_IRQ 5       /* every external/APIC interrupt (vectors 32-255):
			   a known stack whatever was interrupted; gates
			   clear IF, so handlers never nest */
#define IST_COUNT 5

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS       0x18

/* traps.S: entry points of vectors 0..255 */
extern const uint64_t trap_stubs[256];
/* idt.c, called by traps.S */
void trap_dispatch(struct trap_frame *f);
/* gdt.c: top of IST stack i (1-based) */
uintptr_t gdt_ist_top(unsigned i);

#endif
