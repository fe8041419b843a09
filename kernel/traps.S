/*
 * traps.S — entry stubs for all 256 vectors: the 32 exceptions (Intel SDM
 * Vol. 3A §6.15 "Exception and Interrupt Reference" says which push an
 * error code: 8, 10-14, 17, 21, 29, 30) and the external interrupts
 * 32-255 (no error code; kernel/irq.c).  Each stub makes the frame uniform
 * (vector + error code), trap_common saves every general register and the
 * SSE state into a struct trap_frame (kernel/trap.h) and calls
 * trap_dispatch(frame), then restores everything from the frame, which
 * the handler may have changed (a Wasm trap redirect changes rip, rdi, rsi
 * and rsp), and returns with iretq.
 */
	.code64
	.text

.macro TRAP_NOERR n
	.balign 16
trap_stub_\n:
	pushq $0
	pushq $\n
	jmp trap_common
.endm

.macro TRAP_ERR n
	.balign 16
trap_stub_\n:
	pushq $\n
	jmp trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR   21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR   29
TRAP_ERR   30
TRAP_NOERR 31

/* Vectors 32..255: external and local APIC interrupts, no error code. */
	.altmacro
.macro IRQ_STUB n
	TRAP_NOERR %n
.endm
	.set vec, 32
	.rept 224
	IRQ_STUB %vec
	.set vec, vec + 1
	.endr

	.balign 16
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $512, %rsp
	fxsave64 (%rsp)
	movq %rsp, %rdi
	cld
	call trap_dispatch
	fxrstor64 (%rsp)
	addq $512, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp          /* vector, error code */
	iretq

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
.macro STUB_ADDR n
	.quad trap_stub_\n
.endm
	.set vec, 0
	.rept 256
	STUB_ADDR %vec
	.set vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
