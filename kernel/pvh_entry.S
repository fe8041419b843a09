/*
 * pvh_entry.S — the second way into the kernel: the x86/HVM direct boot
 * ABI ("PVH"; Xen docs/misc/pvh.pandoc), as QEMU's -kernel (microvm, q35),
 * Firecracker and Cloud Hypervisor start an ELF kernel without firmware.
 *
 * The monitor loads kernel.elf's PT_LOAD segments at their p_paddr
 * (KERNEL_PVH_PHYS + offset, linker.ld) and jumps to the physical address
 * in the Xen PHYS32_ENTRY note below, in 32-bit protected mode, paging
 * off, flat segments, interrupts off, ebx = physical address of struct
 * hvm_start_info (kernel/pvh.h).  From there to where the UEFI loader
 * leaves the kernel (boot/boot_info.h): the same page-table shape (the
 * first 64 GiB identity-mapped with 2 MiB pages, the kernel half mapped
 * at 0xffffffff80000000), long mode, SSE on, then kernel/pvh.c builds a
 * struct boot_info from the start info and we enter kernel_entry with it.
 *
 * Everything after kernel_entry is shared with the UEFI path.  The tables
 * here are in .bss (zero in any ELF loader: memsz beyond filesz) and only
 * live until vmm_init builds the kernel's own.
 */
#define KERNEL_VMA       0xffffffff80000000
#define KERNEL_PVH_PHYS  0x200000               /* kernel/pvh.h */
#define PHYS(sym)        ((sym) - KERNEL_VMA + KERNEL_PVH_PHYS)
#define IDENT_GIB        64                     /* as boot/boot_info.h */
#define PTE_P_W          0x3
#define PTE_P_W_PS       0x83
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MSR_EFER         0xc0000080
#define EFER_LME         (1 << 8)

/* The note: name "Xen", an 8-byte address (QEMU reads a size_t; Linux
 * writes a pointer-sized one too), 4-byte aligned (PT_NOTE, linker.ld). */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4                         /* namesz */
	.long 8                         /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad PHYS(pvh_start32)
	.balign 4

	.section .text.pvh, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %ebx, %esi                 /* start info, kept for pvh_boot_info */
	rdtsc                           /* time zero of the PVH boot */
	movl %eax, PHYS(pvh_tsc)
	movl %edx, PHYS(pvh_tsc) + 4
	lgdt PHYS(pvh_gdt_desc)
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss

	/* Identity map: pd_ident[i] = 2 MiB page i, for IDENT_GIB GiB. */
	movl $PHYS(pvh_pd_ident), %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_P_W_PS, %eax
	movl %eax, (%edi, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax                  /* bits 32+ of i * 2 MiB */
	movl %eax, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $(IDENT_GIB * 512), %ecx
	jb 1b
	movl $PHYS(pvh_pdpt_ident), %edi
	movl $(PHYS(pvh_pd_ident) + PTE_P_W), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $IDENT_GIB, %ecx
	jb 2b

	/* Kernel half: 0xffffffff80000000 + x -> KERNEL_PVH_PHYS + x, 1 GiB
	 * (the most boot/elf.c accepts for the image). */
	movl $PHYS(pvh_pd_kernel), %edi
	movl $(KERNEL_PVH_PHYS + PTE_P_W_PS), %eax
	xorl %ecx, %ecx
3:	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $512, %ecx
	jb 3b
	movl $(PHYS(pvh_pd_kernel) + PTE_P_W), PHYS(pvh_pdpt_kernel) + 510 * 8
	movl $(PHYS(pvh_pdpt_ident) + PTE_P_W), PHYS(pvh_pml4)
	movl $(PHYS(pvh_pdpt_kernel) + PTE_P_W), PHYS(pvh_pml4) + 511 * 8

	/* Long mode (Intel SDM Vol. 3A §10.8.5): PAE, CR3, EFER.LME, paging. */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $PHYS(pvh_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax           /* PG, PE */
	movl %eax, %cr0
	ljmp $0x08, $PHYS(pvh_start64)

	.code64
pvh_start64:
	movabsq $pvh_high, %rax         /* leave the identity map for the kernel half */
	jmpq *%rax
pvh_high:
	leaq kernel_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	/* SSE as kernel_entry enables it: newlib's string functions may use it. */
	movq %cr0, %rax
	andq $~(1 << 2), %rax
	orq $((1 << 1) | (1 << 5)), %rax
	movq %rax, %cr0
	movq %cr4, %rax
	orq $((1 << 9) | (1 << 10)), %rax
	movq %rax, %cr4
	movl %esi, %edi                 /* zero-extends the start info address */
	movq pvh_tsc(%rip), %rsi
	call pvh_boot_info
	movq %rax, %rdi
	jmp kernel_entry

	.section .rodata
	.balign 16
pvh_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: flat data */
pvh_gdt_end:
pvh_gdt_desc:
	.word pvh_gdt_end - pvh_gdt - 1
	.long PHYS(pvh_gdt)

	.data
	.balign 8
pvh_tsc:
	.quad 0

	.bss
	.balign 4096
pvh_pml4:
	.skip 4096
pvh_pdpt_ident:
	.skip 4096
pvh_pdpt_kernel:
	.skip 4096
pvh_pd_kernel:
	.skip 4096
pvh_pd_ident:
	.skip 4096 * IDENT_GIB

	.section .note.GNU-stack, "", @progbits
