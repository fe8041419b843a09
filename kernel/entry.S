/*
 * entry.S — kernel_entry, where boot/loader.c jumps (boot/boot_info.h):
 * 64-bit long mode, interrupts off, rdi = physical (identity-mapped)
 * address of struct boot_info, loader page tables and stack.
 *
 * Records the TSC (time zero of the kernel log), moves to the kernel's own
 * stack in .bss (with an unmapped guard page under it once vmm_init runs),
 * enables SSE (Intel SDM Vol. 3A §13.1.3: CR0.EM=0, CR0.MP=1,
 * CR4.OSFXSR, CR4.OSXMMEXCPT) with a clean x87/MXCSR state, and AVX
 * where the CPU has it (below: CR4.OSXSAVE, XCR0 = x87|SSE|AVX; the JIT's
 * VEX code, jit/compile/driver.c avx_usable, checks for exactly that),
 * and calls kernel_main(boot_info).  kernel_main never returns; if it did, its
 * result becomes the exit status.
 */
#define KERNEL_STACK_SIZE (64 * 1024)

	.section .text.entry, "ax"
	.code64
	.globl kernel_entry
kernel_entry:
	cli
	cld
	movq %rdi, %r12                 /* rdtsc clobbers only rax, rdx */
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, kernel_tsc_entry(%rip)

	leaq kernel_stack_top(%rip), %rsp
	xorl %ebp, %ebp                 /* ends every rbp backtrace */

	movq %cr0, %rax
	andq $~(1 << 2), %rax           /* EM off */
	orq $((1 << 1) | (1 << 5)), %rax /* MP, NE */
	movq %rax, %cr0
	movq %cr4, %rax
	orq $((1 << 9) | (1 << 10)), %rax /* OSFXSR, OSXMMEXCPT */
	movq %rax, %cr4
	fninit
	ldmxcsr mxcsr_default(%rip)

	/* AVX (Intel SDM Vol. 1 §13.3, §14.3): with XSAVE (CPUID 1 ECX.26),
	 * CR4.OSXSAVE (bit 18) allows XSETBV; XCR0 gets x87 and SSE (bits 0,
	 * 1) and AVX (bit 2) if the CPU has it (ECX.28) and CPUID 0xD
	 * reports the component (setting an unsupported bit faults).  The
	 * VEX.128 code never leaves anything in the upper ymm halves (it
	 * zeroes them), so the trap path's fxsave (xmm only) is enough. */
	movl $1, %eax
	xorl %ecx, %ecx
	cpuid
	btl $26, %ecx                   /* XSAVE */
	jnc 2f
	movl %ecx, %esi                 /* leaf 1 ECX */
	movq %cr4, %rax
	orq $(1 << 18), %rax            /* OSXSAVE */
	movq %rax, %cr4
	movl $0xd, %eax
	xorl %ecx, %ecx
	cpuid                           /* EAX: XCR0 bits the CPU supports */
	movl %eax, %edi
	movl $3, %eax                   /* x87, SSE */
	btl $28, %esi                   /* AVX */
	jnc 1f
	testl $4, %edi
	jz 1f
	orl $4, %eax
1:	xorl %edx, %edx
	xorl %ecx, %ecx
	xsetbv
2:

	movq %r12, %rdi
	call kernel_main
	movl %eax, %edi
	call kernel_shutdown
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 4
mxcsr_default:
	.long 0x1f80                    /* all exceptions masked, round to nearest */

	.data
	.balign 8
	.globl kernel_tsc_entry
kernel_tsc_entry:
	.quad 0

	.bss
	.balign 4096
	.globl kernel_stack_guard, kernel_stack_bottom, kernel_stack_top
kernel_stack_guard:
	.skip 4096
kernel_stack_bottom:
	.skip KERNEL_STACK_SIZE
kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
