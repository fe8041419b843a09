/*
 * x64/entry.S — entering and leaving compiled Wasm code ("wasm ABI v0",
 * see jit.h).  SysV AMD64 on the C side.
 *
 * jit_enter saves the callee-saved registers and the previous
 * ctx->entry_rsp (so host code may re-enter Wasm) on the native stack,
 * records the native rsp in ctx->entry_rsp, and switches to the Wasm stack:
 *
 *   native stack:  ret | rbp | rbx r12 r13 r14 r15 | area nslots result0_is_float
 *                  | old entry_rsp  <- entry_rsp   (offsets: ENTRY_* in ../abi.h)
 *   Wasm stack:    stack_top: call area (nslots, rounded to 16 bytes) | ret
 *
 * Compiled code may use every register but r14/r15/rbp/rsp (jit.h), so
 * after the call the arguments are read back through ctx->entry_rsp.
 *
 * jit_unwind(ctx, code) drops everything above entry_rsp (the Wasm frames
 * and any host frames in between) and makes jit_enter return `code`.
 * jit_trap is what compiled code calls with esi = trap code (jit.h).
 */
#include "../abi.h"

	.text

	.globl	jit_enter
	.type	jit_enter, @function
/* int jit_enter(ctx=rdi, fn=rsi, area=rdx, nslots=ecx, stack_top=r8,
 *               result0_is_float=r9d) */
jit_enter:
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdx			/* ENTRY_AREA */
	pushq	%rcx			/* ENTRY_NSLOTS */
	pushq	%r9			/* ENTRY_R0_FLOAT */
	pushq	CTX_ENTRY_RSP(%rdi)	/* ENTRY_OUTER_RSP */
	movq	%rsp, CTX_ENTRY_RSP(%rdi)

	movq	%rdi, %r14		/* r14 = ctx */
	movq	CTX_MEM_BASE(%rdi), %r15	/* r15 = linear memory base */
	movq	%rdx, %rbx		/* rbx = area */
	movl	%ecx, %r12d		/* r12 = nslots */
	movl	%r9d, %r13d		/* r13 = result0_is_float */
	movq	%rsi, %rax		/* rax = fn */

	/* rsp = stack_top - round_up(8 * nslots, 16) */
	movq	%r8, %rsp
	andq	$-16, %rsp
	movq	%r12, %rcx
	shlq	$3, %rcx
	addq	$15, %rcx
	andq	$-16, %rcx
	subq	%rcx, %rsp

	xorl	%ecx, %ecx
1:	cmpq	%r12, %rcx
	jae	2f
	movq	(%rbx,%rcx,8), %rdx
	movq	%rdx, (%rsp,%rcx,8)
	incq	%rcx
	jmp	1b
2:
	callq	*%rax

	movq	CTX_ENTRY_RSP(%r14), %rcx	/* the native frame (r14 is preserved) */
	movq	ENTRY_AREA(%rcx), %rbx
	movl	ENTRY_NSLOTS(%rcx), %r12d
	movl	ENTRY_R0_FLOAT(%rcx), %r13d
	testl	%r13d, %r13d
	jz	3f
	movq	%xmm0, %rax
3:	testq	%r12, %r12
	jz	5f
	movq	%rax, (%rbx)		/* result 0 */
	movl	$1, %ecx
4:	cmpq	%r12, %rcx
	jae	5f
	movq	(%rsp,%rcx,8), %rdx	/* results 1.. from the area */
	movq	%rdx, (%rbx,%rcx,8)
	incq	%rcx
	jmp	4b
5:
	movq	CTX_ENTRY_RSP(%r14), %rsp	/* back on the native stack */
	movq	%r14, %rdi
	xorl	%esi, %esi
	jmp	.Lrestore
	.size	jit_enter, .-jit_enter

	.globl	jit_unwind
	.type	jit_unwind, @function
/* void jit_unwind(ctx=rdi, code=esi) -- noreturn
 * It can be entered from any instruction of compiled code (a fault
 * redirected by wasm_fault_redirect, tests/fuzz/fuzz_module.c's time
 * budget), with that instruction's flags: inside memory.copy's backward
 * `std; rep movsb; cld` the direction flag is set, and C must not run
 * with it (SysV: DF = 0 at every call and return; libc's memset/memcpy
 * would run downwards, below their buffers).  So clear it here, for
 * every way out. */
jit_unwind:
	cld
	movq	CTX_ENTRY_RSP(%rdi), %rsp
.Lrestore:
	popq	%rax			/* ENTRY_OUTER_RSP */
	movq	%rax, CTX_ENTRY_RSP(%rdi)	/* restore the outer entry_rsp */
	addq	$(ENTRY_SAVED - 8), %rsp	/* area, nslots, result0_is_float */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movl	%esi, %eax
	ret
	.size	jit_unwind, .-jit_unwind

	.globl	jit_trap
	.type	jit_trap, @function
/* Called by compiled code: esi = trap code (| JIT_TRAP_INDEX 0x100: edx =
 * the element index), r14 = ctx, rbp = the trapping function's frame,
 * [rsp] = return address inside the trapping site.  rbx is free to use:
 * jit_unwind restores jit_enter's callee-saved registers. */
jit_trap:
	movl	%esi, %ebx
	movl	%edx, %r8d		/* index */
	movq	%r14, %rdi
	movq	(%rsp), %rdx
	movq	%rbp, %rcx
	andq	$-16, %rsp
	call	jit_trap_record_site
	movq	%r14, %rdi
	movzbl	%bl, %esi		/* the code without the flag */
	jmp	jit_unwind
	.size	jit_trap, .-jit_trap

	.section .note.GNU-stack,"",@progbits
