/*
 * x64/asm.h — a small x86-64 encoder for the JIT (Intel SDM Vol. 2, ch. 2
 * "Instruction Format": legacy prefixes, REX, opcode, ModRM, SIB, disp, imm).
 *
 * One function per instruction form, each preceded in asm.c by the assembly
 * it emits; REX/ModRM/SIB are encoded in one place (x64_modrm_*).  Bytes go
 * into a growable malloc'd buffer; an allocation failure sets a->oom and
 * later emits are dropped (checked once by the caller at the end).
 *
 * Operand size: `w` = 1 for 64-bit (REX.W), 0 for 32-bit.
 */
#ifndef JIT_X64_ASM_H
#define JIT_X64_ASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum x64_reg {
	X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
	X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
	X64_NOREG = -1,
};

/* xmm registers use the same numbering 0..15 */
enum x64_xmm { X64_XMM0, X64_XMM1, X64_XMM2, X64_XMM3 };

/* condition codes, low nibble of Jcc/SETcc/CMOVcc */
enum x64_cc {
	X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE,
	X64_CC_BE, X64_CC_A, X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP,
	X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
};

/* ALU group 1 (/digit of 81/83, and op*8+1 / op*8+3) */
enum x64_alu { X64_ADD, X64_OR, X64_ADC, X64_SBB, X64_AND, X64_SUB, X64_XOR, X64_CMP };
/* group 3 (F7 /digit) */
enum x64_grp3 { X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_IMUL1 = 5, X64_DIV = 6, X64_IDIV = 7 };
/* group 2 (D3 / C1 /digit) */
enum x64_shift { X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7 };

/* [base + index*scale + disp]; index = X64_NOREG for none.  base may be
 * X64_NOREG only with index (never used) -- rip-relative via x64_mem_rip. */
struct x64_mem {
	int8_t base, index;
	uint8_t scale;          /* 1, 2, 4, 8 */
	bool rip;               /* [rip + disp] */
	int32_t disp;
};

static inline struct x64_mem x64_mem(int base, int32_t disp)
{
	return (struct x64_mem){ .base = (int8_t)base, .index = X64_NOREG, .scale = 1, .disp = disp };
}

static inline struct x64_mem x64_mem_idx(int base, int index, int scale, int32_t disp)
{
	return (struct x64_mem){ .base = (int8_t)base, .index = (int8_t)index,
				 .scale = (uint8_t)scale, .disp = disp };
}

static inline struct x64_mem x64_mem_rip(int32_t disp)
{
	return (struct x64_mem){ .base = X64_NOREG, .index = X64_NOREG, .scale = 1,
				 .rip = true, .disp = disp };
}

struct x64_asm {
	uint8_t *buf;
	size_t len, cap;
	bool oom;
	bool force_disp32;      /* emit disp32 even for small displacements
				   (for displacements patched later) */
};

void x64_init(struct x64_asm *a);
void x64_free(struct x64_asm *a);
void x64_byte(struct x64_asm *a, uint8_t b);
void x64_u32(struct x64_asm *a, uint32_t v);
void x64_u64(struct x64_asm *a, uint64_t v);
void x64_patch_u32(struct x64_asm *a, size_t at, uint32_t v);
/* pad with int3 to a multiple of n */
void x64_align(struct x64_asm *a, size_t n);

/* general purpose */
void x64_mov_rr(struct x64_asm *a, int w, int dst, int src);
void x64_mov_rm(struct x64_asm *a, int w, int dst, struct x64_mem m);
void x64_mov_mr(struct x64_asm *a, int w, struct x64_mem m, int src);
void x64_mov8_mr(struct x64_asm *a, struct x64_mem m, int src);
void x64_mov16_mr(struct x64_asm *a, struct x64_mem m, int src);
void x64_mov_ri(struct x64_asm *a, int dst, uint64_t imm);
void x64_mov_mi(struct x64_asm *a, int w, struct x64_mem m, int32_t imm);
void x64_movzx8_rm(struct x64_asm *a, int dst, struct x64_mem m);
void x64_movzx16_rm(struct x64_asm *a, int dst, struct x64_mem m);
void x64_movsx8_rm(struct x64_asm *a, int w, int dst, struct x64_mem m);
void x64_movsx16_rm(struct x64_asm *a, int w, int dst, struct x64_mem m);
void x64_movsxd_rm(struct x64_asm *a, int dst, struct x64_mem m);
void x64_movzx8_rr(struct x64_asm *a, int dst, int src);
void x64_movsx8_rr(struct x64_asm *a, int w, int dst, int src);
void x64_movsx16_rr(struct x64_asm *a, int w, int dst, int src);
void x64_movsxd_rr(struct x64_asm *a, int dst, int src);
void x64_lea(struct x64_asm *a, int w, int dst, struct x64_mem m);
void x64_alu_rr(struct x64_asm *a, enum x64_alu op, int w, int dst, int src);
void x64_alu_rm(struct x64_asm *a, enum x64_alu op, int w, int dst, struct x64_mem m);
void x64_alu_ri(struct x64_asm *a, enum x64_alu op, int w, int dst, int32_t imm);
void x64_alu_mi(struct x64_asm *a, enum x64_alu op, int w, struct x64_mem m, int32_t imm);
void x64_test_rr(struct x64_asm *a, int w, int r1, int r2);
void x64_imul_rr(struct x64_asm *a, int w, int dst, int src);
void x64_grp3_r(struct x64_asm *a, enum x64_grp3 op, int w, int reg);
void x64_shift_cl(struct x64_asm *a, enum x64_shift op, int w, int reg);
void x64_shift_ri(struct x64_asm *a, enum x64_shift op, int w, int reg, uint8_t imm);
void x64_btc_ri(struct x64_asm *a, int w, int reg, uint8_t bit);
void x64_cdq(struct x64_asm *a);
void x64_cqo(struct x64_asm *a);
void x64_bsr(struct x64_asm *a, int w, int dst, int src);
void x64_bsf(struct x64_asm *a, int w, int dst, int src);
void x64_popcnt(struct x64_asm *a, int w, int dst, int src);
void x64_cmov(struct x64_asm *a, enum x64_cc cc, int w, int dst, int src);
void x64_setcc(struct x64_asm *a, enum x64_cc cc, int reg);
void x64_push(struct x64_asm *a, int reg);
void x64_pop(struct x64_asm *a, int reg);
void x64_ret(struct x64_asm *a);
void x64_leave(struct x64_asm *a);
void x64_int3(struct x64_asm *a);
void x64_rep_movsb(struct x64_asm *a);
void x64_rep_stosb(struct x64_asm *a);
void x64_rep_stosq(struct x64_asm *a);
void x64_std(struct x64_asm *a);
void x64_cld(struct x64_asm *a);

/* control transfer; the rel32 forms return the offset of their rel32 field
 * (relative to the end of the instruction, i.e. field + 4) */
size_t x64_call_rel32(struct x64_asm *a, int32_t rel);
size_t x64_jmp_rel32(struct x64_asm *a, int32_t rel);
size_t x64_jcc_rel32(struct x64_asm *a, enum x64_cc cc, int32_t rel);
void x64_call_m(struct x64_asm *a, struct x64_mem m);
void x64_call_r(struct x64_asm *a, int reg);
void x64_jmp_r(struct x64_asm *a, int reg);
/* point the rel32 field at `field` to the code offset `target` */
void x64_patch_rel32(struct x64_asm *a, size_t field, size_t target);

/* SSE (scalar) */
enum x64_sse_op {
	X64_SSE_SQRT = 0x51, X64_SSE_ADD = 0x58, X64_SSE_MUL = 0x59,
	X64_SSE_CVT = 0x5a, X64_SSE_SUB = 0x5c, X64_SSE_MIN = 0x5d,
	X64_SSE_DIV = 0x5e, X64_SSE_MAX = 0x5f,
};
/* op{ss,sd} dst, src   (dbl: 0 = ss/F3, 1 = sd/F2) */
void x64_sse_rr(struct x64_asm *a, enum x64_sse_op op, int dbl, int dst, int src);
void x64_ucomis(struct x64_asm *a, int dbl, int x1, int x2);
/* andp{s,d} orp{s,d} xorps */
void x64_andp(struct x64_asm *a, int dbl, int dst, int src);
void x64_orp(struct x64_asm *a, int dbl, int dst, int src);
void x64_xorps(struct x64_asm *a, int dst, int src);
/* round{ss,sd} dst, src, imm */
void x64_round(struct x64_asm *a, int dbl, int dst, int src, uint8_t mode);
/* cvttss2si/cvttsd2si r(32|64), xmm */
void x64_cvtt2si(struct x64_asm *a, int dbl, int w, int dst, int src);
/* cvtsi2ss/cvtsi2sd xmm, r(32|64) */
void x64_cvtsi2(struct x64_asm *a, int dbl, int w, int dst, int src);
/* movd/movq xmm, r ; movd/movq r, xmm */
void x64_movq_xr(struct x64_asm *a, int w, int xmm, int reg);
void x64_movq_rx(struct x64_asm *a, int w, int reg, int xmm);
/* movd xmm, m32 ; movq xmm, m64 ; movq m64, xmm */
void x64_movd_xm(struct x64_asm *a, int xmm, struct x64_mem m);
void x64_movq_xm(struct x64_asm *a, int xmm, struct x64_mem m);
void x64_movq_mx(struct x64_asm *a, struct x64_mem m, int xmm);
/* movaps dst, src */
void x64_movaps_rr(struct x64_asm *a, int dst, int src);
/* movd dword [m], xmm */
void x64_movd_mx(struct x64_asm *a, struct x64_mem m, int xmm);

#endif
