/*
 * kstack.S — run a C function on another stack (the kernel's service
 * stack, kernel/plat_kernel.c plat_host_call).
 *
 *   uint64_t kstack_call(void *top, uint64_t (*fn)(void *), void *arg)
 *
 * top must be 16-byte aligned (so fn sees the SysV alignment).  rbp keeps
 * the caller's frame, so the rbp chain (backtraces) runs from fn's frames
 * on the new stack back into the old one.
 */
	.text
	.globl	kstack_call
	.type	kstack_call, @function
kstack_call:
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rdi, %rsp
	movq	%rdx, %rdi
	callq	*%rsi
	movq	%rbp, %rsp		/* rbp is callee-saved: still our frame */
	popq	%rbp
	ret
	.size	kstack_call, .-kstack_call

	.section .note.GNU-stack, "", @progbits
