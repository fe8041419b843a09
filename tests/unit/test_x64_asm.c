/*
 * test_x64_asm.c — the x86-64 encoder (jit/x64/asm.h) against byte
 * sequences produced by GNU as (Intel syntax, shown above each case).  The
 * cases cover REX.W/R/X/B, rsp/r12 bases (SIB), rbp/r13 bases (disp8 0),
 * disp8/disp32, rip-relative, byte registers needing an empty REX, and the
 * SSE forms with their mandatory prefixes.
 *
 * The VEX forms (x64_v_*, JIT_CPU_AVX) are checked differently: a table
 * of instructions x operands (every combination of high and low
 * registers, memory operands of each shape) is encoded here and, as text,
 * by the GNU assembler at test time (`as`, objcopy), and the bytes must
 * be the same (vex_forms_match_gnu_as; skipped without binutils).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "x64/asm.h"

/* mov rax, rcx */
TEST(mov_rr_64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rr(&a, 1, X64_RAX, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x89, 0xc8);
	x64_free(&a);
}

/* mov r9d, r12d */
TEST(mov_rr_32_ext)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rr(&a, 0, X64_R9, X64_R12);
	CHECK_BYTES(a.buf, a.len, 0x45, 0x89, 0xe1);
	x64_free(&a);
}

/* mov rax, [rbp-8] */
TEST(mov_rm_rbp_disp8)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_RAX, x64_mem(X64_RBP, -8));
	CHECK_BYTES(a.buf, a.len, 0x48, 0x8b, 0x45, 0xf8);
	x64_free(&a);
}

/* mov rdx, [rbp-4096] */
TEST(mov_rm_rbp_disp32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_RDX, x64_mem(X64_RBP, -4096));
	CHECK_BYTES(a.buf, a.len, 0x48, 0x8b, 0x95, 0x00, 0xf0, 0xff, 0xff);
	x64_free(&a);
}

/* mov rax, [r13+0] */
TEST(mov_rm_r13_zero)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_RAX, x64_mem(X64_R13, 0));
	CHECK_BYTES(a.buf, a.len, 0x49, 0x8b, 0x45, 0x00);
	x64_free(&a);
}

/* mov rax, [r12] */
TEST(mov_rm_r12_sib)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_RAX, x64_mem(X64_R12, 0));
	CHECK_BYTES(a.buf, a.len, 0x49, 0x8b, 0x04, 0x24);
	x64_free(&a);
}

/* mov ecx, [rsp+16] */
TEST(mov_rm_rsp_sib)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 0, X64_RCX, x64_mem(X64_RSP, 16));
	CHECK_BYTES(a.buf, a.len, 0x8b, 0x4c, 0x24, 0x10);
	x64_free(&a);
}

/* mov rax, [r14+32] */
TEST(mov_rm_r14)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_RAX, x64_mem(X64_R14, 32));
	CHECK_BYTES(a.buf, a.len, 0x49, 0x8b, 0x46, 0x20);
	x64_free(&a);
}

/* mov eax, [r15+rax*1+0x100] */
TEST(mov_rm_idx)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 0, X64_RAX, x64_mem_idx(X64_R15, X64_RAX, 1, 0x100));
	CHECK_BYTES(a.buf, a.len, 0x41, 0x8b, 0x84, 0x07, 0x00, 0x01, 0x00, 0x00);
	x64_free(&a);
}

/* mov r8, [rcx+r12*8] */
TEST(mov_rm_idx_r12x)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_R8, x64_mem_idx(X64_RCX, X64_R12, 8, 0));
	CHECK_BYTES(a.buf, a.len, 0x4e, 0x8b, 0x04, 0xe1);
	x64_free(&a);
}

/* mov rax, [r13+rdx*4+0] */
TEST(mov_rm_idx_r13b)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_rm(&a, 1, X64_RAX, x64_mem_idx(X64_R13, X64_RDX, 4, 0));
	CHECK_BYTES(a.buf, a.len, 0x49, 0x8b, 0x44, 0x95, 0x00);
	x64_free(&a);
}

/* mov [rbp-24], rax */
TEST(mov_mr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_mr(&a, 1, x64_mem(X64_RBP, -24), X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x89, 0x45, 0xe8);
	x64_free(&a);
}

/* mov [r15+rax*1+3], cl */
TEST(mov8_mr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov8_mr(&a, x64_mem_idx(X64_R15, X64_RAX, 1, 3), X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0x41, 0x88, 0x4c, 0x07, 0x03);
	x64_free(&a);
}

/* mov [rdi], sil */
TEST(mov8_mr_sil)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov8_mr(&a, x64_mem(X64_RDI, 0), X64_RSI);
	CHECK_BYTES(a.buf, a.len, 0x40, 0x88, 0x37);
	x64_free(&a);
}

/* mov [r15+rax*1], cx */
TEST(mov16_mr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov16_mr(&a, x64_mem_idx(X64_R15, X64_RAX, 1, 0), X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x41, 0x89, 0x0c, 0x07);
	x64_free(&a);
}

/* mov eax, 0x12345678 */
TEST(mov_ri_32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_ri(&a, X64_RAX, 0x12345678);
	CHECK_BYTES(a.buf, a.len, 0xb8, 0x78, 0x56, 0x34, 0x12);
	x64_free(&a);
}

/* mov r9d, 5 */
TEST(mov_ri_r9)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_ri(&a, X64_R9, 5);
	CHECK_BYTES(a.buf, a.len, 0x41, 0xb9, 0x05, 0x00, 0x00, 0x00);
	x64_free(&a);
}

/* mov rdx, -128 */
TEST(mov_ri_neg)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_ri(&a, X64_RDX, 0xffffffffffffff80ull);
	CHECK_BYTES(a.buf, a.len, 0x48, 0xc7, 0xc2, 0x80, 0xff, 0xff, 0xff);
	x64_free(&a);
}

/* movabs rdx, 0x8000000000000000 */
TEST(mov_ri_64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_ri(&a, X64_RDX, 0x8000000000000000ull);
	CHECK_BYTES(a.buf, a.len, 0x48, 0xba, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80);
	x64_free(&a);
}

/* mov qword ptr [rbp-16], -1 */
TEST(mov_mi)
{
	struct x64_asm a;

	x64_init(&a);
	x64_mov_mi(&a, 1, x64_mem(X64_RBP, -16), -1);
	CHECK_BYTES(a.buf, a.len, 0x48, 0xc7, 0x45, 0xf0, 0xff, 0xff, 0xff, 0xff);
	x64_free(&a);
}

/* movzx eax, byte ptr [r15+rax*1] */
TEST(movzx8_rm)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movzx8_rm(&a, X64_RAX, x64_mem_idx(X64_R15, X64_RAX, 1, 0));
	CHECK_BYTES(a.buf, a.len, 0x41, 0x0f, 0xb6, 0x04, 0x07);
	x64_free(&a);
}

/* movsx rax, word ptr [r15+rax*1+2] */
TEST(movsx16_rm64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movsx16_rm(&a, 1, X64_RAX, x64_mem_idx(X64_R15, X64_RAX, 1, 2));
	CHECK_BYTES(a.buf, a.len, 0x49, 0x0f, 0xbf, 0x44, 0x07, 0x02);
	x64_free(&a);
}

/* movsxd rax, dword ptr [rcx+rax*4] */
TEST(movsxd_rm)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movsxd_rm(&a, X64_RAX, x64_mem_idx(X64_RCX, X64_RAX, 4, 0));
	CHECK_BYTES(a.buf, a.len, 0x48, 0x63, 0x04, 0x81);
	x64_free(&a);
}

/* movzx eax, al */
TEST(movzx8_rr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movzx8_rr(&a, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x0f, 0xb6, 0xc0);
	x64_free(&a);
}

/* movzx eax, sil */
TEST(movzx8_rr_sil)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movzx8_rr(&a, X64_RAX, X64_RSI);
	CHECK_BYTES(a.buf, a.len, 0x40, 0x0f, 0xb6, 0xc6);
	x64_free(&a);
}

/* movsx rax, al */
TEST(movsx8_rr64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movsx8_rr(&a, 1, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x0f, 0xbe, 0xc0);
	x64_free(&a);
}

/* movsxd rax, eax */
TEST(movsxd_rr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movsxd_rr(&a, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x63, 0xc0);
	x64_free(&a);
}

/* lea rax, [rsp-64] */
TEST(lea_rsp_disp32)
{
	struct x64_asm a;

	x64_init(&a);
	a.force_disp32 = true; x64_lea(&a, 1, X64_RAX, x64_mem(X64_RSP, -64)); a.force_disp32 = false;
	CHECK_BYTES(a.buf, a.len, 0x48, 0x8d, 0x84, 0x24, 0xc0, 0xff, 0xff, 0xff);
	x64_free(&a);
}

/* lea rcx, [rip+0x10] */
TEST(lea_rip)
{
	struct x64_asm a;

	x64_init(&a);
	x64_lea(&a, 1, X64_RCX, x64_mem_rip(0x10));
	CHECK_BYTES(a.buf, a.len, 0x48, 0x8d, 0x0d, 0x10, 0x00, 0x00, 0x00);
	x64_free(&a);
}

/* lea rdi, [rdi+rcx*1-1] */
TEST(lea_idx)
{
	struct x64_asm a;

	x64_init(&a);
	x64_lea(&a, 1, X64_RDI, x64_mem_idx(X64_RDI, X64_RCX, 1, -1));
	CHECK_BYTES(a.buf, a.len, 0x48, 0x8d, 0x7c, 0x0f, 0xff);
	x64_free(&a);
}

/* add rax, r15 */
TEST(add_rr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_rr(&a, X64_ADD, 1, X64_RAX, X64_R15);
	CHECK_BYTES(a.buf, a.len, 0x4c, 0x01, 0xf8);
	x64_free(&a);
}

/* xor edx, edx */
TEST(xor_rr32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_rr(&a, X64_XOR, 0, X64_RDX, X64_RDX);
	CHECK_BYTES(a.buf, a.len, 0x31, 0xd2);
	x64_free(&a);
}

/* cmp rax, [r14+16] */
TEST(cmp_rm)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_rm(&a, X64_CMP, 1, X64_RAX, x64_mem(X64_R14, 16));
	CHECK_BYTES(a.buf, a.len, 0x49, 0x3b, 0x46, 0x10);
	x64_free(&a);
}

/* sub rsp, 0x10000000 */
TEST(sub_ri_imm32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_ri(&a, X64_SUB, 1, X64_RSP, 0x10000000);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x81, 0xec, 0x00, 0x00, 0x00, 0x10);
	x64_free(&a);
}

/* and eax, 1 */
TEST(and_ri_imm8)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_ri(&a, X64_AND, 0, X64_RAX, 1);
	CHECK_BYTES(a.buf, a.len, 0x83, 0xe0, 0x01);
	x64_free(&a);
}

/* cmp rcx, -1 */
TEST(cmp_ri_neg1)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_ri(&a, X64_CMP, 1, X64_RCX, -1);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x83, 0xf9, 0xff);
	x64_free(&a);
}

/* and r11d, 0x7fffffff */
TEST(and_ri_r11)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_ri(&a, X64_AND, 0, X64_R11, 0x7fffffff);
	CHECK_BYTES(a.buf, a.len, 0x41, 0x81, 0xe3, 0xff, 0xff, 0xff, 0x7f);
	x64_free(&a);
}

/* cmp dword ptr [rdx+16], 1000 */
TEST(cmp_mi32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_mi(&a, X64_CMP, 0, x64_mem(X64_RDX, 16), 1000);
	CHECK_BYTES(a.buf, a.len, 0x81, 0x7a, 0x10, 0xe8, 0x03, 0x00, 0x00);
	x64_free(&a);
}

/* cmp qword ptr [rdx], 0 */
TEST(cmp_mi8_q)
{
	struct x64_asm a;

	x64_init(&a);
	x64_alu_mi(&a, X64_CMP, 1, x64_mem(X64_RDX, 0), 0);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x83, 0x3a, 0x00);
	x64_free(&a);
}

/* test ecx, ecx */
TEST(test_rr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_test_rr(&a, 0, X64_RCX, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0x85, 0xc9);
	x64_free(&a);
}

/* imul rax, rcx */
TEST(imul_rr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_imul_rr(&a, 1, X64_RAX, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x0f, 0xaf, 0xc1);
	x64_free(&a);
}

/* idiv ecx */
TEST(idiv_r)
{
	struct x64_asm a;

	x64_init(&a);
	x64_grp3_r(&a, X64_IDIV, 0, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0xf7, 0xf9);
	x64_free(&a);
}

/* div r10 */
TEST(div_r64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_grp3_r(&a, X64_DIV, 1, X64_R10);
	CHECK_BYTES(a.buf, a.len, 0x49, 0xf7, 0xf2);
	x64_free(&a);
}

/* not rdx */
TEST(not_r)
{
	struct x64_asm a;

	x64_init(&a);
	x64_grp3_r(&a, X64_NOT, 1, X64_RDX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0xf7, 0xd2);
	x64_free(&a);
}

/* shl eax, cl */
TEST(shl_cl)
{
	struct x64_asm a;

	x64_init(&a);
	x64_shift_cl(&a, X64_SHL, 0, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xd3, 0xe0);
	x64_free(&a);
}

/* ror rax, cl */
TEST(ror_cl64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_shift_cl(&a, X64_ROR, 1, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0xd3, 0xc8);
	x64_free(&a);
}

/* shr rcx, 3 */
TEST(shr_ri)
{
	struct x64_asm a;

	x64_init(&a);
	x64_shift_ri(&a, X64_SHR, 1, X64_RCX, 3);
	CHECK_BYTES(a.buf, a.len, 0x48, 0xc1, 0xe9, 0x03);
	x64_free(&a);
}

/* btc rax, 63 */
TEST(btc)
{
	struct x64_asm a;

	x64_init(&a);
	x64_btc_ri(&a, 1, X64_RAX, 63);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x0f, 0xba, 0xf8, 0x3f);
	x64_free(&a);
}

/* cdq */
TEST(cdq)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cdq(&a);
	CHECK_BYTES(a.buf, a.len, 0x99);
	x64_free(&a);
}

/* cqo */
TEST(cqo)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cqo(&a);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x99);
	x64_free(&a);
}

/* bsr rax, rax */
TEST(bsr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_bsr(&a, 1, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x0f, 0xbd, 0xc0);
	x64_free(&a);
}

/* bsf eax, eax */
TEST(bsf32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_bsf(&a, 0, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x0f, 0xbc, 0xc0);
	x64_free(&a);
}

/* lzcnt eax, eax */
TEST(lzcnt32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_lzcnt(&a, 0, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0xbd, 0xc0);
	x64_free(&a);
}

/* lzcnt rax, rax */
TEST(lzcnt64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_lzcnt(&a, 1, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x48, 0x0f, 0xbd, 0xc0);
	x64_free(&a);
}

/* lzcnt r9d, r12d */
TEST(lzcnt32_ext)
{
	struct x64_asm a;

	x64_init(&a);
	x64_lzcnt(&a, 0, X64_R9, X64_R12);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x45, 0x0f, 0xbd, 0xcc);
	x64_free(&a);
}

/* lzcnt rdx, r15 */
TEST(lzcnt64_r15)
{
	struct x64_asm a;

	x64_init(&a);
	x64_lzcnt(&a, 1, X64_RDX, X64_R15);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x49, 0x0f, 0xbd, 0xd7);
	x64_free(&a);
}

/* tzcnt eax, eax */
TEST(tzcnt32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_tzcnt(&a, 0, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0xbc, 0xc0);
	x64_free(&a);
}

/* tzcnt rax, rax */
TEST(tzcnt64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_tzcnt(&a, 1, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x48, 0x0f, 0xbc, 0xc0);
	x64_free(&a);
}

/* tzcnt r10d, ecx */
TEST(tzcnt32_r10)
{
	struct x64_asm a;

	x64_init(&a);
	x64_tzcnt(&a, 0, X64_R10, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x44, 0x0f, 0xbc, 0xd1);
	x64_free(&a);
}

/* tzcnt rcx, r13 */
TEST(tzcnt64_r13)
{
	struct x64_asm a;

	x64_init(&a);
	x64_tzcnt(&a, 1, X64_RCX, X64_R13);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x49, 0x0f, 0xbc, 0xcd);
	x64_free(&a);
}

/* popcnt rax, rax */
TEST(popcnt)
{
	struct x64_asm a;

	x64_init(&a);
	x64_popcnt(&a, 1, X64_RAX, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x48, 0x0f, 0xb8, 0xc0);
	x64_free(&a);
}

/* cmovz rax, rdx */
TEST(cmovz)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cmov(&a, X64_CC_E, 1, X64_RAX, X64_RDX);
	CHECK_BYTES(a.buf, a.len, 0x48, 0x0f, 0x44, 0xc2);
	x64_free(&a);
}

/* setnp cl */
TEST(setcc_al)
{
	struct x64_asm a;

	x64_init(&a);
	x64_setcc(&a, X64_CC_NP, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0x0f, 0x9b, 0xc1);
	x64_free(&a);
}

/* seta dil */
TEST(setcc_dil)
{
	struct x64_asm a;

	x64_init(&a);
	x64_setcc(&a, X64_CC_A, X64_RDI);
	CHECK_BYTES(a.buf, a.len, 0x40, 0x0f, 0x97, 0xc7);
	x64_free(&a);
}

/* setl r8b */
TEST(setcc_r8)
{
	struct x64_asm a;

	x64_init(&a);
	x64_setcc(&a, X64_CC_L, X64_R8);
	CHECK_BYTES(a.buf, a.len, 0x41, 0x0f, 0x9c, 0xc0);
	x64_free(&a);
}

/* push rbp; push r15; pop r12; pop rbx */
TEST(push_pop)
{
	struct x64_asm a;

	x64_init(&a);
	x64_push(&a, X64_RBP); x64_push(&a, X64_R15); x64_pop(&a, X64_R12); x64_pop(&a, X64_RBX);
	CHECK_BYTES(a.buf, a.len, 0x55, 0x41, 0x57, 0x41, 0x5c, 0x5b);
	x64_free(&a);
}

/* leave; ret; rep movsb; rep stosb; rep stosq; std; cld */
TEST(misc)
{
	struct x64_asm a;

	x64_init(&a);
	x64_leave(&a); x64_ret(&a); x64_rep_movsb(&a); x64_rep_stosb(&a); x64_rep_stosq(&a); x64_std(&a); x64_cld(&a);
	CHECK_BYTES(a.buf, a.len, 0xc9, 0xc3, 0xf3, 0xa4, 0xf3, 0xaa, 0xf3, 0x48, 0xab, 0xfd, 0xfc);
	x64_free(&a);
}

/* call qword ptr [r14+64] */
TEST(call_m_r14)
{
	struct x64_asm a;

	x64_init(&a);
	x64_call_m(&a, x64_mem(X64_R14, 64));
	CHECK_BYTES(a.buf, a.len, 0x41, 0xff, 0x56, 0x40);
	x64_free(&a);
}

/* call qword ptr [rax+2400] */
TEST(call_m_rax)
{
	struct x64_asm a;

	x64_init(&a);
	x64_call_m(&a, x64_mem(X64_RAX, 8 * 300));
	CHECK_BYTES(a.buf, a.len, 0xff, 0x90, 0x60, 0x09, 0x00, 0x00);
	x64_free(&a);
}

/* call rdx */
TEST(call_r)
{
	struct x64_asm a;

	x64_init(&a);
	x64_call_r(&a, X64_RDX);
	CHECK_BYTES(a.buf, a.len, 0xff, 0xd2);
	x64_free(&a);
}

/* jmp rax */
TEST(jmp_r)
{
	struct x64_asm a;

	x64_init(&a);
	x64_jmp_r(&a, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xff, 0xe0);
	x64_free(&a);
}

/* addsd xmm0, xmm1 */
TEST(addsd)
{
	struct x64_asm a;

	x64_init(&a);
	x64_sse_rr(&a, X64_SSE_ADD, 1, 0, 1);
	CHECK_BYTES(a.buf, a.len, 0xf2, 0x0f, 0x58, 0xc1);
	x64_free(&a);
}

/* sqrtss xmm0, xmm0 */
TEST(sqrtss)
{
	struct x64_asm a;

	x64_init(&a);
	x64_sse_rr(&a, X64_SSE_SQRT, 0, 0, 0);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0x51, 0xc0);
	x64_free(&a);
}

/* minsd xmm9, xmm10 */
TEST(minsd_hi)
{
	struct x64_asm a;

	x64_init(&a);
	x64_sse_rr(&a, X64_SSE_MIN, 1, 9, 10);
	CHECK_BYTES(a.buf, a.len, 0xf2, 0x45, 0x0f, 0x5d, 0xca);
	x64_free(&a);
}

/* cvtsd2ss xmm0, xmm0 */
TEST(cvtsd2ss)
{
	struct x64_asm a;

	x64_init(&a);
	x64_sse_rr(&a, X64_SSE_CVT, 1, 0, 0);
	CHECK_BYTES(a.buf, a.len, 0xf2, 0x0f, 0x5a, 0xc0);
	x64_free(&a);
}

/* cvtss2sd xmm0, xmm0 */
TEST(cvtss2sd)
{
	struct x64_asm a;

	x64_init(&a);
	x64_sse_rr(&a, X64_SSE_CVT, 0, 0, 0);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0x5a, 0xc0);
	x64_free(&a);
}

/* ucomiss xmm0, xmm1 */
TEST(ucomiss)
{
	struct x64_asm a;

	x64_init(&a);
	x64_ucomis(&a, 0, 0, 1);
	CHECK_BYTES(a.buf, a.len, 0x0f, 0x2e, 0xc1);
	x64_free(&a);
}

/* ucomisd xmm1, xmm0 */
TEST(ucomisd)
{
	struct x64_asm a;

	x64_init(&a);
	x64_ucomis(&a, 1, 1, 0);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x2e, 0xc8);
	x64_free(&a);
}

/* andpd xmm0, xmm1; orps xmm0, xmm1; xorps xmm0, xmm0 */
TEST(andpd_orps)
{
	struct x64_asm a;

	x64_init(&a);
	x64_andp(&a, 1, 0, 1); x64_orp(&a, 0, 0, 1); x64_xorps(&a, 0, 0);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x54, 0xc1, 0x0f, 0x56, 0xc1, 0x0f, 0x57, 0xc0);
	x64_free(&a);
}

/* roundsd xmm0, xmm0, 9 */
TEST(roundsd)
{
	struct x64_asm a;

	x64_init(&a);
	x64_round(&a, 1, 0, 0, 9);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x3a, 0x0b, 0xc0, 0x09);
	x64_free(&a);
}

/* roundss xmm0, xmm0, 10 */
TEST(roundss)
{
	struct x64_asm a;

	x64_init(&a);
	x64_round(&a, 0, 0, 0, 10);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x3a, 0x0a, 0xc0, 0x0a);
	x64_free(&a);
}

/* cvttsd2si rax, xmm0 */
TEST(cvttsd2si64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cvtt2si(&a, 1, 1, X64_RAX, 0);
	CHECK_BYTES(a.buf, a.len, 0xf2, 0x48, 0x0f, 0x2c, 0xc0);
	x64_free(&a);
}

/* cvttss2si eax, xmm0 */
TEST(cvttss2si32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cvtt2si(&a, 0, 0, X64_RAX, 0);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0x2c, 0xc0);
	x64_free(&a);
}

/* cvtsi2sd xmm0, rcx */
TEST(cvtsi2sd64)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cvtsi2(&a, 1, 1, 0, X64_RCX);
	CHECK_BYTES(a.buf, a.len, 0xf2, 0x48, 0x0f, 0x2a, 0xc1);
	x64_free(&a);
}

/* cvtsi2ss xmm0, eax */
TEST(cvtsi2ss32)
{
	struct x64_asm a;

	x64_init(&a);
	x64_cvtsi2(&a, 0, 0, 0, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0x2a, 0xc0);
	x64_free(&a);
}

/* movq xmm1, rax */
TEST(movq_xr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movq_xr(&a, 1, 1, X64_RAX);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x48, 0x0f, 0x6e, 0xc8);
	x64_free(&a);
}

/* movd eax, xmm0 */
TEST(movd_rx)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movq_rx(&a, 0, X64_RAX, 0);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x7e, 0xc0);
	x64_free(&a);
}

/* movq r8, xmm8 */
TEST(movq_rx_r8)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movq_rx(&a, 1, X64_R8, 8);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x4d, 0x0f, 0x7e, 0xc0);
	x64_free(&a);
}

/* movd xmm0, dword ptr [rbp-8] */
TEST(movd_xm)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movd_xm(&a, 0, x64_mem(X64_RBP, -8));
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x6e, 0x45, 0xf8);
	x64_free(&a);
}

/* movq xmm1, qword ptr [rbp-8] */
TEST(movq_xm)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movq_xm(&a, 1, x64_mem(X64_RBP, -8));
	CHECK_BYTES(a.buf, a.len, 0xf3, 0x0f, 0x7e, 0x4d, 0xf8);
	x64_free(&a);
}

/* movq qword ptr [rbp-16], xmm0 */
TEST(movd_mx)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movd_mx(&a, x64_mem(X64_RBP, -8), 3);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0x7e, 0x5d, 0xf8);
	x64_free(&a);
}

TEST(movaps_rr)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movaps_rr(&a, 2, 10);
	x64_movaps_rr(&a, 9, 3);
	CHECK_BYTES(a.buf, a.len, 0x41, 0x0f, 0x28, 0xd2, 0x44, 0x0f, 0x28, 0xcb);
	x64_free(&a);
}

TEST(movq_mx)
{
	struct x64_asm a;

	x64_init(&a);
	x64_movq_mx(&a, x64_mem(X64_RBP, -16), 0);
	CHECK_BYTES(a.buf, a.len, 0x66, 0x0f, 0xd6, 0x45, 0xf0);
	x64_free(&a);
}

/* jmp/jcc/call rel32 and patching: e9 rel32; 0f 8x rel32; e8 rel32 */
TEST(rel32_patch)
{
	struct x64_asm a;

	x64_init(&a);
	size_t j = x64_jmp_rel32(&a, 0);        /* 0: e9 .. (ends at 5) */
	size_t c = x64_jcc_rel32(&a, X64_CC_NE, 0); /* 5: 0f 85 .. (ends at 11) */
	size_t k = x64_call_rel32(&a, 0);       /* 11: e8 .. (ends at 16) */
	x64_patch_rel32(&a, j, 16);
	x64_patch_rel32(&a, c, 0);
	x64_patch_rel32(&a, k, 11);
	CHECK_EQ_U64(j, 1);
	CHECK_EQ_U64(c, 7);
	CHECK_EQ_U64(k, 12);
	CHECK_BYTES(a.buf, a.len, 0xe9, 0x0b, 0x00, 0x00, 0x00,
		    0x0f, 0x85, 0xf5, 0xff, 0xff, 0xff,
		    0xe8, 0xfb, 0xff, 0xff, 0xff);
	x64_free(&a);
}

/* the buffer grows across many emits, alignment pads with int3 */
TEST(grow_and_align)
{
	struct x64_asm a;

	x64_init(&a);
	for (int i = 0; i < 10000; i++)
		x64_mov_rm(&a, 1, X64_RAX, x64_mem(X64_RBP, -4096));
	CHECK(!a.oom);
	CHECK_EQ_U64(a.len, 70000);
	CHECK_BYTES(a.buf + 69993, 7, 0x48, 0x8b, 0x85, 0x00, 0xf0, 0xff, 0xff);
	x64_ret(&a);
	x64_align(&a, 16);
	CHECK_EQ_U64(a.len % 16, 0);
	CHECK(a.buf[a.len - 1] == 0xcc);
	x64_free(&a);
}

/* ---- VEX forms against the GNU assembler ------------------------------------ */

enum vshape { V_RRR, V_RR, V_SHIFT, V_RRRI };

static const struct vins {
	const char *name;
	uint8_t prefix;
	uint32_t op;
	enum vshape shape;
	int digit;              /* V_SHIFT: the /digit */
	const char *memsize;    /* the memory operand's size for `as` */
} vins[] = {
	{ "vpaddb", 0x66, X64_OP2(0x0f, 0xfc), V_RRR, 0, "xmmword" },
	{ "vpsubq", 0x66, X64_OP2(0x0f, 0xfb), V_RRR, 0, "xmmword" },
	{ "vpandn", 0x66, X64_OP2(0x0f, 0xdf), V_RRR, 0, "xmmword" },
	{ "vpacksswb", 0x66, X64_OP2(0x0f, 0x63), V_RRR, 0, "xmmword" },
	{ "vpunpcklqdq", 0x66, X64_OP2(0x0f, 0x6c), V_RRR, 0, "xmmword" },
	{ "vpmuludq", 0x66, X64_OP2(0x0f, 0xf4), V_RRR, 0, "xmmword" },
	{ "vpminsb", 0x66, X64_OP3(0x0f, 0x38, 0x38), V_RRR, 0, "xmmword" },
	{ "vpmaddubsw", 0x66, X64_OP3(0x0f, 0x38, 0x04), V_RRR, 0, "xmmword" },
	{ "vpshufb", 0x66, X64_OP3(0x0f, 0x38, 0x00), V_RRR, 0, "xmmword" },
	{ "vaddps", 0, X64_OP2(0x0f, 0x58), V_RRR, 0, "xmmword" },
	{ "vsubpd", 0x66, X64_OP2(0x0f, 0x5c), V_RRR, 0, "xmmword" },
	{ "vmaxps", 0, X64_OP2(0x0f, 0x5f), V_RRR, 0, "xmmword" },
	{ "vcmpps", 0, X64_OP2(0x0f, 0xc2), V_RRRI, 0, "xmmword" },
	{ "vcmppd", 0x66, X64_OP2(0x0f, 0xc2), V_RRRI, 0, "xmmword" },
	{ "vpblendw", 0x66, X64_OP3(0x0f, 0x3a, 0x0e), V_RRRI, 0, "xmmword" },
	{ "vpbroadcastb", 0x66, X64_OP3(0x0f, 0x38, 0x78), V_RR, 0, "byte" },
	{ "vpbroadcastw", 0x66, X64_OP3(0x0f, 0x38, 0x79), V_RR, 0, "word" },
	{ "vpbroadcastd", 0x66, X64_OP3(0x0f, 0x38, 0x58), V_RR, 0, "dword" },
	{ "vpbroadcastq", 0x66, X64_OP3(0x0f, 0x38, 0x59), V_RR, 0, "qword" },
	{ "vpsrlw", 0x66, X64_OP2(0x0f, 0x71), V_SHIFT, 2, NULL },
	{ "vpsrad", 0x66, X64_OP2(0x0f, 0x72), V_SHIFT, 4, NULL },
	{ "vpslld", 0x66, X64_OP2(0x0f, 0x72), V_SHIFT, 6, NULL },
	{ "vpsrlq", 0x66, X64_OP2(0x0f, 0x73), V_SHIFT, 2, NULL },
	{ "vpsllq", 0x66, X64_OP2(0x0f, 0x73), V_SHIFT, 6, NULL },
};

/* dst, src1, src2: each of R, X (src2 in rm: B) and vvvv low and high */
static const int vregs[][3] = {
	{ 2, 3, 4 }, { 9, 3, 4 }, { 2, 10, 4 }, { 2, 3, 12 }, { 15, 14, 13 }, { 0, 1, 1 },
	{ 8, 0, 7 },
};

static const struct { struct x64_mem m; const char *text; } vmems[] = {
	{ { X64_RBP, X64_NOREG, 1, false, -32 }, "[rbp-32]" },
	{ { X64_R15, X64_RAX, 1, false, 16 }, "[r15+rax*1+16]" },
	{ { X64_R12, X64_NOREG, 1, false, 0x1000 }, "[r12+4096]" },
	{ { X64_RSI, X64_R9, 8, false, -8 }, "[rsi+r9*8-8]" },
	{ { X64_R13, X64_NOREG, 1, false, 0 }, "[r13+0]" },
	{ { X64_RSP, X64_NOREG, 1, false, 0 }, "[rsp]" },
};

/* every form of ins into a (bytes) and s (text); the number of forms */
static int vex_forms(const struct vins *in, struct x64_asm *a, FILE *s)
{
	int n = 0;

	for (size_t r = 0; r < sizeof vregs / sizeof vregs[0]; r++) {
		int d = vregs[r][0], s1 = vregs[r][1], s2 = vregs[r][2];
		switch (in->shape) {
		case V_RRR:
			x64_v_rrr(a, in->prefix, 0, in->op, d, s1, s2);
			fprintf(s, "%s xmm%d, xmm%d, xmm%d\n", in->name, d, s1, s2);
			break;
		case V_RRRI:
			x64_v_rrri(a, in->prefix, 0, in->op, d, s1, s2, (uint8_t)(r * 5 + 1));
			fprintf(s, "%s xmm%d, xmm%d, xmm%d, %d\n", in->name, d, s1, s2,
				(int)(r * 5 + 1));
			break;
		case V_RR:
			x64_v_rrr(a, in->prefix, 0, in->op, d, -1, s2);
			fprintf(s, "%s xmm%d, xmm%d\n", in->name, d, s2);
			break;
		case V_SHIFT:
			x64_v_rrri(a, in->prefix, 0, in->op, in->digit, d, s2, (uint8_t)(r + 1));
			fprintf(s, "%s xmm%d, xmm%d, %d\n", in->name, d, s2, (int)(r + 1));
			break;
		}
		n++;
	}
	if (in->shape == V_SHIFT)
		return n;
	for (size_t k = 0; k < sizeof vmems / sizeof vmems[0]; k++) {
		int d = vregs[k][0], s1 = vregs[k][1];
		const char *mt = vmems[k].text;
		if (in->shape == V_RRR) {
			x64_v_rrm(a, in->prefix, 0, in->op, d, s1, vmems[k].m);
			fprintf(s, "%s xmm%d, xmm%d, %s ptr %s\n", in->name, d, s1, in->memsize, mt);
		} else if (in->shape == V_RRRI) {
			x64_v_rrmi(a, in->prefix, 0, in->op, d, s1, vmems[k].m, (uint8_t)(k + 2));
			fprintf(s, "%s xmm%d, xmm%d, %s ptr %s, %d\n", in->name, d, s1, in->memsize,
				mt, (int)(k + 2));
		} else {
			x64_v_rrm(a, in->prefix, 0, in->op, d, -1, vmems[k].m);
			fprintf(s, "%s xmm%d, %s ptr %s\n", in->name, d, in->memsize, mt);
		}
		n++;
	}
	return n;
}

/* the bytes `as` makes of the instructions in file src (malloc'd), or NULL */
static uint8_t *gnu_as(const char *dir, size_t *len)
{
	char cmd[1024], path[512];
	FILE *fp;
	uint8_t *buf;
	long n;

	snprintf(cmd, sizeof cmd, "cd '%s' && as --64 -o v.o v.s 2>as.err && "
		 "objcopy -O binary -j .text v.o v.bin", dir);
	if (system(cmd) != 0)
		return NULL;
	snprintf(path, sizeof path, "%s/v.bin", dir);
	if (!(fp = fopen(path, "rb")))
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc(n > 0 ? (size_t)n : 1);
	*len = buf && fread(buf, 1, (size_t)n, fp) == (size_t)n ? (size_t)n : 0;
	fclose(fp);
	return buf;
}

/* every x64_v_* form of the table encodes as `as` does; on a difference,
 * the instruction (its text) whose bytes differ first */
TEST(vex_forms_match_gnu_as)
{
	char dir[] = "/tmp/wasmetal-vex.XXXXXX", path[256], line[160], cmd[300];
	struct x64_asm a;
	size_t want_len = 0, at = 0;
	uint8_t *want;
	FILE *s;
	int total = 0;

	if (system("command -v as >/dev/null 2>&1 && command -v objcopy >/dev/null 2>&1"))
		SKIP("no GNU as/objcopy");
	REQUIRE(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.s", dir);
	REQUIRE((s = fopen(path, "w")));
	fprintf(s, ".intel_syntax noprefix\n");
	x64_init(&a);
	for (size_t i = 0; i < sizeof vins / sizeof vins[0]; i++)
		total += vex_forms(&vins[i], &a, s);
	fclose(s);
	want = gnu_as(dir, &want_len);
	CHECK_MSG(want, "as failed (%s/as.err)", dir);
	CHECK_MSG(want_len == a.len, "%zu bytes from as, %zu from x64_v_* (%d instructions)",
		  want_len, a.len, total);
	if (want && want_len == a.len && memcmp(want, a.buf, a.len)) {
		/* find the instruction: re-encode one by one */
		REQUIRE((s = fopen(path, "r")));
		CHECK(fgets(line, sizeof line, s) != NULL);
		for (size_t i = 0; i < sizeof vins / sizeof vins[0]; i++) {
			struct x64_asm one;
			FILE *null = fopen("/dev/null", "w");
			x64_init(&one);
			vex_forms(&vins[i], &one, null);
			fclose(null);
			if (memcmp(want + at, one.buf, one.len))
				CHECK_MSG(0, "%s: bytes differ from as's", vins[i].name);
			at += one.len;
			x64_free(&one);
		}
		fclose(s);
	}
	CHECK(total > 200);
	free(want);
	x64_free(&a);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd))
		CHECK_MSG(0, "cannot remove %s", dir);
}

int main(void)
{
	RUN(mov_rr_64);
	RUN(mov_rr_32_ext);
	RUN(mov_rm_rbp_disp8);
	RUN(mov_rm_rbp_disp32);
	RUN(mov_rm_r13_zero);
	RUN(mov_rm_r12_sib);
	RUN(mov_rm_rsp_sib);
	RUN(mov_rm_r14);
	RUN(mov_rm_idx);
	RUN(mov_rm_idx_r12x);
	RUN(mov_rm_idx_r13b);
	RUN(mov_mr);
	RUN(mov8_mr);
	RUN(mov8_mr_sil);
	RUN(mov16_mr);
	RUN(mov_ri_32);
	RUN(mov_ri_r9);
	RUN(mov_ri_neg);
	RUN(mov_ri_64);
	RUN(mov_mi);
	RUN(movzx8_rm);
	RUN(movsx16_rm64);
	RUN(movsxd_rm);
	RUN(movzx8_rr);
	RUN(movzx8_rr_sil);
	RUN(movsx8_rr64);
	RUN(movsxd_rr);
	RUN(lea_rsp_disp32);
	RUN(lea_rip);
	RUN(lea_idx);
	RUN(add_rr);
	RUN(xor_rr32);
	RUN(cmp_rm);
	RUN(sub_ri_imm32);
	RUN(and_ri_imm8);
	RUN(cmp_ri_neg1);
	RUN(and_ri_r11);
	RUN(cmp_mi32);
	RUN(cmp_mi8_q);
	RUN(test_rr);
	RUN(imul_rr);
	RUN(idiv_r);
	RUN(div_r64);
	RUN(not_r);
	RUN(shl_cl);
	RUN(ror_cl64);
	RUN(shr_ri);
	RUN(btc);
	RUN(cdq);
	RUN(cqo);
	RUN(bsr);
	RUN(bsf32);
	RUN(lzcnt32);
	RUN(lzcnt64);
	RUN(lzcnt32_ext);
	RUN(lzcnt64_r15);
	RUN(tzcnt32);
	RUN(tzcnt64);
	RUN(tzcnt32_r10);
	RUN(tzcnt64_r13);
	RUN(popcnt);
	RUN(cmovz);
	RUN(setcc_al);
	RUN(setcc_dil);
	RUN(setcc_r8);
	RUN(push_pop);
	RUN(misc);
	RUN(call_m_r14);
	RUN(call_m_rax);
	RUN(call_r);
	RUN(jmp_r);
	RUN(addsd);
	RUN(sqrtss);
	RUN(minsd_hi);
	RUN(cvtsd2ss);
	RUN(cvtss2sd);
	RUN(ucomiss);
	RUN(ucomisd);
	RUN(andpd_orps);
	RUN(roundsd);
	RUN(roundss);
	RUN(cvttsd2si64);
	RUN(cvttss2si32);
	RUN(cvtsi2sd64);
	RUN(cvtsi2ss32);
	RUN(movq_xr);
	RUN(movd_rx);
	RUN(movq_rx_r8);
	RUN(movd_xm);
	RUN(movq_xm);
	RUN(movq_mx);
	RUN(movd_mx);
	RUN(movaps_rr);
	RUN(rel32_patch);
	RUN(grow_and_align);
	RUN(vex_forms_match_gnu_as);
	CHECK_DONE();
}
