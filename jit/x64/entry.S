/*
 * x64/entry.S — entering and leaving compiled Wasm code ("wasm ABI v1",
 * docs/abi.md and jit.h).  SysV AMD64 on the C side.
 *
 * jit_enter_raw (jit_enter in trap.c wraps it: the record of the innermost
 * entry, plat_current_ctx) saves the callee-saved registers and the previous
 * ctx->entry_rsp (so host code may re-enter Wasm) on the native stack,
 * records the native rsp in ctx->entry_rsp, and switches to the Wasm stack:
 *
 *   native stack:  ret | rbp | rbx r12 r13 r14 r15 | call
 *                  | old entry_rsp  <- entry_rsp   (offsets: ENTRY_* in ../abi.h)
 *   Wasm stack:    stack_top: stack arguments (rounded to 16 bytes) | ret
 *
 * The callee is a v1 function: it preserves rbx rbp r12-r15, so after the
 * call r14 still holds ctx and the struct jit_call is found again through
 * ctx->entry_rsp.
 *
 * jit_unwind(ctx, code) drops everything above entry_rsp (the Wasm frames
 * and any host frames in between) and makes jit_enter return `code`.
 * jit_trap is what compiled code calls through ctx->trap, with rdi = ctx
 * and esi = trap code (jit.h, docs/abi.md "Traps").
 */
#include "../abi.h"

	.text

	.globl	jit_enter_raw
	.type	jit_enter_raw, @function
/* int jit_enter_raw(ctx=rdi, fn=rsi, call=rdx, stack_top=rcx) */
jit_enter_raw:
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdx			/* ENTRY_CALL */
	pushq	CTX_ENTRY_RSP(%rdi)	/* ENTRY_OUTER_RSP */
	movq	%rsp, CTX_ENTRY_RSP(%rdi)

	movq	%rdi, %r14		/* r14 = ctx (found again after the call) */
	movq	CTX_MEM_BASE(%rdi), %r15
	movq	%rdx, %rbx		/* rbx = call */
	movq	%rsi, %rax		/* rax = fn */

	/* rsp = stack_top - round_up(8 * nstack, 16) */
	movq	%rcx, %rsp
	andq	$-16, %rsp
	movq	JC_NSTACK(%rbx), %r12
	leaq	15(,%r12,8), %rcx
	andq	$-16, %rcx
	subq	%rcx, %rsp
	movq	JC_STACK(%rbx), %r13
	xorl	%ecx, %ecx
1:	cmpq	%r12, %rcx
	jae	2f
	movq	(%r13,%rcx,8), %rdx
	movq	%rdx, (%rsp,%rcx,8)
	incq	%rcx
	jmp	1b
2:
	movq	JC_XMM+0(%rbx), %xmm0
	movq	JC_XMM+8(%rbx), %xmm1
	movq	JC_XMM+16(%rbx), %xmm2
	movq	JC_XMM+24(%rbx), %xmm3
	movq	JC_XMM+32(%rbx), %xmm4
	movq	JC_XMM+40(%rbx), %xmm5
	movq	JC_XMM+48(%rbx), %xmm6
	movq	JC_XMM+56(%rbx), %xmm7
	movhps	JC_XMM_HI+0(%rbx), %xmm0	/* the high halves (v128 arguments) */
	movhps	JC_XMM_HI+8(%rbx), %xmm1
	movhps	JC_XMM_HI+16(%rbx), %xmm2
	movhps	JC_XMM_HI+24(%rbx), %xmm3
	movhps	JC_XMM_HI+32(%rbx), %xmm4
	movhps	JC_XMM_HI+40(%rbx), %xmm5
	movhps	JC_XMM_HI+48(%rbx), %xmm6
	movhps	JC_XMM_HI+56(%rbx), %xmm7
	movq	JC_GPR+0(%rbx), %rdi
	movq	JC_GPR+8(%rbx), %rsi
	movq	JC_GPR+16(%rbx), %rdx
	movq	JC_GPR+24(%rbx), %rcx
	movq	JC_GPR+32(%rbx), %r8
	movq	JC_GPR+40(%rbx), %r9
	callq	*%rax

	movq	CTX_ENTRY_RSP(%r14), %rcx	/* the native frame (r14 is callee-saved) */
	movq	ENTRY_CALL(%rcx), %rcx
	movq	%rax, JC_RET+0(%rcx)
	movq	%rdx, JC_RET+8(%rcx)
	movq	%xmm0, JC_RET+16(%rcx)
	movq	%xmm1, JC_RET+24(%rcx)
	movhps	%xmm0, JC_RET_HI+0(%rcx)
	movhps	%xmm1, JC_RET_HI+8(%rcx)
	movq	CTX_ENTRY_RSP(%r14), %rsp	/* back on the native stack */
	movq	%r14, %rdi
	xorl	%esi, %esi
	jmp	.Lrestore
	.size	jit_enter_raw, .-jit_enter_raw

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
	addq	$(ENTRY_SAVED - 8), %rsp	/* call */
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
/* Called by compiled code through ctx->trap (wasm ABI v1, docs/abi.md
 * "Traps"): rdi = ctx, esi = trap code (| JIT_TRAP_INDEX 0x100: edx = the
 * element index), rbp = the trapping function's frame, [rsp] = return
 * address inside the trapping site.  Nothing else is assumed: r14 is the
 * single-pass JIT's habit, not the ABI (LLVM code keeps nothing there).
 * rbx and r12 are free to use: jit_unwind restores jit_enter's
 * callee-saved registers. */
jit_trap:
	movl	%esi, %ebx
	movq	%rdi, %r12		/* ctx, kept across the call */
	movl	%edx, %r8d		/* index */
	movq	(%rsp), %rdx
	movq	%rbp, %rcx
	andq	$-16, %rsp
	call	jit_trap_record_site
	movq	%r12, %rdi
	movzbl	%bl, %esi		/* the code without the flag */
	jmp	jit_unwind
	.size	jit_trap, .-jit_trap

	.globl	jit_eh_resume
	.type	jit_eh_resume, @function
/* void jit_eh_resume(rec=rdi, exn=rsi, ctx=rdx) -- noreturn (jit/eh.c)
 * Resume at a try's handler (struct jit_eh_rec, REC_* in ../abi.h): the
 * frames below its function are dropped, rsp and rbp are the function's,
 * rax = the exception, r14 = ctx (the handler reloads r15), rdi = rec
 * unchanged (the LLVM backend's landing pad, host/llvm/llvm_eh.c, takes
 * rbx and r12-r15 back from REC_RBX.. of its record).  A single-pass
 * function saved every callee-saved register it may touch in its
 * prologue, so what the dropped frames left in them does not matter.  DF
 * cleared as in jit_unwind. */
jit_eh_resume:
	cld
	movq	%rdx, %r14
	movq	%rsi, %rax
	movq	REC_PC(%rdi), %rcx
	movq	REC_RBP(%rdi), %rbp
	movq	REC_RSP(%rdi), %rsp
	jmp	*%rcx
	.size	jit_eh_resume, .-jit_eh_resume

	.section .note.GNU-stack,"",@progbits
