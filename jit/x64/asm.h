/*
 * x64/asm.h — a small x86-64 encoder for the JIT (Intel SDM Vol. 2, ch. 2
 * "Instruction Format": legacy prefixes, REX, opcode, ModRM, SIB, disp, imm;
 * opcode tables in Vol. 2B appendix A).
 *
 * One small inline function per instruction form, each preceded by the
 * assembly it emits.  The encoding logic lives in one place, the x64_put_*
 * helpers below: every instruction is
 *
 *   [mandatory prefix 66/F2/F3] [REX] opcode bytes ModRM [SIB] [disp8|disp32] [imm]
 *
 * with the register operand in ModRM.rm (x64_put_rr) or a memory operand
 * (x64_put_mem: rsp/r12 as base need a SIB byte, rbp/r13 as base cannot use
 * mod=00 -- that means rip/no-base -- and take a zero disp8 instead).
 *
 * Emitting is the compiler's hot path, so it is cheap: each instruction
 * reserves the worst case (X64_MAX_INSN bytes) once, with one compare, then
 * writes its bytes through a pointer with no further checks.  Bytes go into
 * a growable malloc'd buffer; an allocation failure sets a->oom, frees the
 * buffer, and from then on instructions are written over a small spare area
 * (so nothing is ever written out of bounds) and dropped; the caller checks
 * a->oom once at the end.
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

/* The encoders are forced inline: at a call site the operands are mostly
 * constants (rbp-relative slots, fixed scratch registers), and most of
 * the REX/ModRM/SIB logic then folds away. */
#define X64_INLINE static inline __attribute__((always_inline))

/* the longest x86 instruction is 15 bytes */
#define X64_MAX_INSN 16

struct x64_asm {
	uint8_t *buf;
	size_t len, cap;        /* cap - len >= X64_MAX_INSN before each write */
	bool oom;
	bool force_disp32;      /* emit disp32 even for small displacements
				   (for displacements patched later) */
	uint8_t spare[2 * X64_MAX_INSN];   /* buf after an allocation failure */
};

void x64_init(struct x64_asm *a);
void x64_free(struct x64_asm *a);
/* make room for n more bytes (false, and a->oom, if that fails) */
bool x64_reserve(struct x64_asm *a, size_t n);
/* a capacity hint: room for n more bytes if that can be had (never sets
 * a->oom; false if the allocation failed) */
bool x64_presize(struct x64_asm *a, size_t n);
/* slow path of x64_begin: grow the buffer (or fall back to the spare area) */
uint8_t *x64_grow(struct x64_asm *a);
void x64_patch_u32(struct x64_asm *a, size_t at, uint32_t v);
/* pad with int3 to a multiple of n */
void x64_align(struct x64_asm *a, size_t n);
/* point the rel32 field at `field` to the code offset `target` */
void x64_patch_rel32(struct x64_asm *a, size_t field, size_t target);

/* Start an instruction: room for X64_MAX_INSN bytes at the returned
 * pointer.  x64_end(a, p) commits the bytes written up to p. */
X64_INLINE uint8_t *x64_begin(struct x64_asm *a)
{
	if (__builtin_expect(a->cap - a->len < X64_MAX_INSN, 0))
		return x64_grow(a);
	return a->buf + a->len;
}

X64_INLINE void x64_end(struct x64_asm *a, uint8_t *p)
{
	a->len = (size_t)(p - a->buf);
}

/* ---- the one place where REX / ModRM / SIB are encoded ------------------- */

X64_INLINE bool x64_fits8(int32_t v)
{
	return v >= -128 && v <= 127;
}

X64_INLINE uint8_t *x64_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	return p + 4;
}

/* opcode bytes, packed: up to three bytes, their count in bits 24..31 */
#define X64_OP1(b0)         ((uint32_t)(b0) | 1u << 24)
#define X64_OP2(b0, b1)     ((uint32_t)(b0) | (uint32_t)(b1) << 8 | 2u << 24)
#define X64_OP3(b0, b1, b2) ((uint32_t)(b0) | (uint32_t)(b1) << 8 | \
			     (uint32_t)(b2) << 16 | 3u << 24)

X64_INLINE uint8_t *x64_put_op(uint8_t *p, uint32_t op)
{
	unsigned n = op >> 24;

	p[0] = (uint8_t)op;
	if (n > 1)
		p[1] = (uint8_t)(op >> 8);
	if (n > 2)
		p[2] = (uint8_t)(op >> 16);
	return p + n;
}

/* [prefix] [REX = 0100WRXB]; need_rex: spl/bpl/sil/dil as byte registers
 * need a REX even when it carries no bits */
X64_INLINE uint8_t *x64_put_prefix_rex(uint8_t *p, uint8_t prefix, int w, int reg,
					  int index, int base, bool need_rex)
{
	uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | (reg >= 8 ? 4 : 0) |
				(index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0));

	if (prefix)
		*p++ = prefix;
	if (rex != 0x40 || need_rex)
		*p++ = rex;
	return p;
}

X64_INLINE bool x64_byte_needs_rex(int reg)
{
	return reg >= 4 && reg < 8;
}

/* ModRM [SIB] [disp] of a memory operand, reg in ModRM.reg */
X64_INLINE uint8_t *x64_put_modrm_mem(uint8_t *p, int reg, struct x64_mem m,
					 bool force_disp32)
{
	uint8_t r = (uint8_t)((reg & 7) << 3);
	uint8_t mod;

	if (m.rip) {
		*p++ = 0x05 | r;
		return x64_put32(p, (uint32_t)m.disp);
	}
	if (force_disp32)
		mod = 0x80;
	else if (m.disp == 0 && (m.base & 7) != 5)
		mod = 0x00;
	else if (x64_fits8(m.disp))
		mod = 0x40;
	else
		mod = 0x80;
	if (m.index != X64_NOREG) {
		uint8_t ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
		*p++ = mod | r | 4;
		*p++ = (uint8_t)(ss << 6 | (m.index & 7) << 3 | (m.base & 7));
	} else if ((m.base & 7) == 4) {
		*p++ = mod | r | 4;
		*p++ = 0x24;
	} else {
		*p++ = mod | r | (m.base & 7);
	}
	if (mod == 0x40)
		*p++ = (uint8_t)m.disp;
	else if (mod == 0x80)
		p = x64_put32(p, (uint32_t)m.disp);
	return p;
}

/* a whole instruction with a memory operand (without its immediate) */
X64_INLINE uint8_t *x64_put_mem(struct x64_asm *a, uint8_t *p, uint8_t prefix, int w,
				   uint32_t op, int reg, struct x64_mem m, bool byte_reg)
{
	p = x64_put_prefix_rex(p, prefix, w, reg, m.index == X64_NOREG ? 0 : m.index,
			       m.rip ? 0 : m.base, byte_reg && x64_byte_needs_rex(reg));
	p = x64_put_op(p, op);
	return x64_put_modrm_mem(p, reg, m, a->force_disp32);
}

/* a whole instruction with register operands reg, rm (without immediate) */
X64_INLINE uint8_t *x64_put_rr(uint8_t *p, uint8_t prefix, int w, uint32_t op,
				  int reg, int rm, bool byte_regs)
{
	p = x64_put_prefix_rex(p, prefix, w, reg, 0, rm,
			       byte_regs && (x64_byte_needs_rex(reg) || x64_byte_needs_rex(rm)));
	p = x64_put_op(p, op);
	*p++ = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
	return p;
}

/* the common shapes, as whole instructions */
X64_INLINE void x64_enc_rm(struct x64_asm *a, uint8_t prefix, int w, uint32_t op,
			      int reg, struct x64_mem m, bool byte_reg)
{
	uint8_t *p = x64_begin(a);

	x64_end(a, x64_put_mem(a, p, prefix, w, op, reg, m, byte_reg));
}

X64_INLINE void x64_enc_rr(struct x64_asm *a, uint8_t prefix, int w, uint32_t op,
			      int reg, int rm, bool byte_regs)
{
	uint8_t *p = x64_begin(a);

	x64_end(a, x64_put_rr(p, prefix, w, op, reg, rm, byte_regs));
}

/* up to four raw bytes, count n */
X64_INLINE void x64_enc_raw(struct x64_asm *a, uint32_t bytes, unsigned n)
{
	uint8_t *p = x64_begin(a);

	x64_end(a, x64_put_op(p, (bytes & 0xffffff) | (uint32_t)n << 24));
}

/* ---- raw data ------------------------------------------------------------- */

X64_INLINE void x64_byte(struct x64_asm *a, uint8_t b)
{
	uint8_t *p = x64_begin(a);

	*p++ = b;
	x64_end(a, p);
}

X64_INLINE void x64_u32(struct x64_asm *a, uint32_t v)
{
	x64_end(a, x64_put32(x64_begin(a), v));
}

X64_INLINE void x64_u64(struct x64_asm *a, uint64_t v)
{
	uint8_t *p = x64_begin(a);

	p = x64_put32(p, (uint32_t)v);
	x64_end(a, x64_put32(p, (uint32_t)(v >> 32)));
}

/* ---- moves --------------------------------------------------------------- */

/* mov dst, src */
X64_INLINE void x64_mov_rr(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP1(0x89), src, dst, false);
}

/* mov dst, [m] */
X64_INLINE void x64_mov_rm(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, w, X64_OP1(0x8b), dst, m, false);
}

/* mov [m], src */
X64_INLINE void x64_mov_mr(struct x64_asm *a, int w, struct x64_mem m, int src)
{
	x64_enc_rm(a, 0, w, X64_OP1(0x89), src, m, false);
}

/* mov byte [m], src8 */
X64_INLINE void x64_mov8_mr(struct x64_asm *a, struct x64_mem m, int src)
{
	x64_enc_rm(a, 0, 0, X64_OP1(0x88), src, m, true);
}

/* mov word [m], src16 */
X64_INLINE void x64_mov16_mr(struct x64_asm *a, struct x64_mem m, int src)
{
	x64_enc_rm(a, 0x66, 0, X64_OP1(0x89), src, m, false);
}

/* mov r32, imm32 (zero-extends) | mov r64, simm32 | movabs r64, imm64 */
X64_INLINE void x64_mov_ri(struct x64_asm *a, int dst, uint64_t imm)
{
	uint8_t *p = x64_begin(a);

	if (imm <= 0xffffffffull) {
		if (dst >= 8)
			*p++ = 0x41;
		*p++ = (uint8_t)(0xb8 + (dst & 7));
		p = x64_put32(p, (uint32_t)imm);
	} else if ((int64_t)imm == (int32_t)imm) {
		p = x64_put_rr(p, 0, 1, X64_OP1(0xc7), 0, dst, false);
		p = x64_put32(p, (uint32_t)imm);
	} else {
		*p++ = dst >= 8 ? 0x49 : 0x48;
		*p++ = (uint8_t)(0xb8 + (dst & 7));
		p = x64_put32(p, (uint32_t)imm);
		p = x64_put32(p, (uint32_t)(imm >> 32));
	}
	x64_end(a, p);
}

/* mov (dword|qword) [m], simm32 */
X64_INLINE void x64_mov_mi(struct x64_asm *a, int w, struct x64_mem m, int32_t imm)
{
	uint8_t *p = x64_begin(a);

	p = x64_put_mem(a, p, 0, w, X64_OP1(0xc7), 0, m, false);
	x64_end(a, x64_put32(p, (uint32_t)imm));
}

/* movzx dst32, byte [m] */
X64_INLINE void x64_movzx8_rm(struct x64_asm *a, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, 0, X64_OP2(0x0f, 0xb6), dst, m, false);
}

/* movzx dst32, word [m] */
X64_INLINE void x64_movzx16_rm(struct x64_asm *a, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, 0, X64_OP2(0x0f, 0xb7), dst, m, false);
}

/* movsx dst, byte [m] */
X64_INLINE void x64_movsx8_rm(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, w, X64_OP2(0x0f, 0xbe), dst, m, false);
}

/* movsx dst, word [m] */
X64_INLINE void x64_movsx16_rm(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, w, X64_OP2(0x0f, 0xbf), dst, m, false);
}

/* movsxd dst64, dword [m] */
X64_INLINE void x64_movsxd_rm(struct x64_asm *a, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, 1, X64_OP1(0x63), dst, m, false);
}

/* movzx dst32, src8 */
X64_INLINE void x64_movzx8_rr(struct x64_asm *a, int dst, int src)
{
	x64_enc_rr(a, 0, 0, X64_OP2(0x0f, 0xb6), dst, src, true);
}

/* movsx dst, src8 */
X64_INLINE void x64_movsx8_rr(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP2(0x0f, 0xbe), dst, src, true);
}

/* movsx dst, src16 */
X64_INLINE void x64_movsx16_rr(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP2(0x0f, 0xbf), dst, src, false);
}

/* movsxd dst64, src32 */
X64_INLINE void x64_movsxd_rr(struct x64_asm *a, int dst, int src)
{
	x64_enc_rr(a, 0, 1, X64_OP1(0x63), dst, src, false);
}

/* lea dst, [m] */
X64_INLINE void x64_lea(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	x64_enc_rm(a, 0, w, X64_OP1(0x8d), dst, m, false);
}

/* ---- integer arithmetic ---------------------------------------------------- */

/* add|or|adc|sbb|and|sub|xor|cmp dst, src */
X64_INLINE void x64_alu_rr(struct x64_asm *a, enum x64_alu op, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP1(op * 8 + 1), src, dst, false);
}

/* add|...|cmp dst, [m] */
X64_INLINE void x64_alu_rm(struct x64_asm *a, enum x64_alu op, int w, int dst,
			      struct x64_mem m)
{
	x64_enc_rm(a, 0, w, X64_OP1(op * 8 + 3), dst, m, false);
}

/* add|...|cmp dst, imm8/imm32 (sign-extended) */
X64_INLINE void x64_alu_ri(struct x64_asm *a, enum x64_alu op, int w, int dst, int32_t imm)
{
	uint8_t *p = x64_begin(a);

	if (x64_fits8(imm)) {
		p = x64_put_rr(p, 0, w, X64_OP1(0x83), op, dst, false);
		*p++ = (uint8_t)imm;
	} else {
		p = x64_put_rr(p, 0, w, X64_OP1(0x81), op, dst, false);
		p = x64_put32(p, (uint32_t)imm);
	}
	x64_end(a, p);
}

/* add|...|cmp (dword|qword) [m], imm8/imm32 */
X64_INLINE void x64_alu_mi(struct x64_asm *a, enum x64_alu op, int w, struct x64_mem m,
			      int32_t imm)
{
	uint8_t *p = x64_begin(a);

	if (x64_fits8(imm)) {
		p = x64_put_mem(a, p, 0, w, X64_OP1(0x83), op, m, false);
		*p++ = (uint8_t)imm;
	} else {
		p = x64_put_mem(a, p, 0, w, X64_OP1(0x81), op, m, false);
		p = x64_put32(p, (uint32_t)imm);
	}
	x64_end(a, p);
}

/* test r1, r2 */
X64_INLINE void x64_test_rr(struct x64_asm *a, int w, int r1, int r2)
{
	x64_enc_rr(a, 0, w, X64_OP1(0x85), r2, r1, false);
}

/* imul dst, src */
X64_INLINE void x64_imul_rr(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP2(0x0f, 0xaf), dst, src, false);
}

/* not|neg|mul|imul|div|idiv reg */
X64_INLINE void x64_grp3_r(struct x64_asm *a, enum x64_grp3 op, int w, int reg)
{
	x64_enc_rr(a, 0, w, X64_OP1(0xf7), op, reg, false);
}

/* rol|ror|shl|shr|sar reg, cl */
X64_INLINE void x64_shift_cl(struct x64_asm *a, enum x64_shift op, int w, int reg)
{
	x64_enc_rr(a, 0, w, X64_OP1(0xd3), op, reg, false);
}

/* rol|ror|shl|shr|sar reg, imm8 */
X64_INLINE void x64_shift_ri(struct x64_asm *a, enum x64_shift op, int w, int reg,
				uint8_t imm)
{
	uint8_t *p = x64_put_rr(x64_begin(a), 0, w, X64_OP1(0xc1), op, reg, false);

	*p++ = imm;
	x64_end(a, p);
}

/* btc reg, imm8 */
X64_INLINE void x64_btc_ri(struct x64_asm *a, int w, int reg, uint8_t bit)
{
	uint8_t *p = x64_put_rr(x64_begin(a), 0, w, X64_OP2(0x0f, 0xba), 7, reg, false);

	*p++ = bit;
	x64_end(a, p);
}

/* cdq */
X64_INLINE void x64_cdq(struct x64_asm *a)
{
	x64_enc_raw(a, 0x99, 1);
}

/* cqo */
X64_INLINE void x64_cqo(struct x64_asm *a)
{
	x64_enc_raw(a, 0x9948, 2);
}

/* bsr dst, src */
X64_INLINE void x64_bsr(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP2(0x0f, 0xbd), dst, src, false);
}

/* bsf dst, src */
X64_INLINE void x64_bsf(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP2(0x0f, 0xbc), dst, src, false);
}

/* lzcnt dst, src  (LZCNT: CPUID 0x80000001 ECX bit 5, "ABM"; a CPU without
 * it ignores the F3 and runs bsr, so check the flag before using it) */
X64_INLINE void x64_lzcnt(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0xf3, w, X64_OP2(0x0f, 0xbd), dst, src, false);
}

/* tzcnt dst, src  (BMI1: CPUID 7 EBX bit 3; without it this runs as bsf) */
X64_INLINE void x64_tzcnt(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0xf3, w, X64_OP2(0x0f, 0xbc), dst, src, false);
}

/* popcnt dst, src */
X64_INLINE void x64_popcnt(struct x64_asm *a, int w, int dst, int src)
{
	x64_enc_rr(a, 0xf3, w, X64_OP2(0x0f, 0xb8), dst, src, false);
}

/* cmovCC dst, src */
X64_INLINE void x64_cmov(struct x64_asm *a, enum x64_cc cc, int w, int dst, int src)
{
	x64_enc_rr(a, 0, w, X64_OP2(0x0f, 0x40 + cc), dst, src, false);
}

/* setCC reg8 */
X64_INLINE void x64_setcc(struct x64_asm *a, enum x64_cc cc, int reg)
{
	x64_enc_rr(a, 0, 0, X64_OP2(0x0f, 0x90 + cc), 0, reg, true);
}

/* push reg */
X64_INLINE void x64_push(struct x64_asm *a, int reg)
{
	uint8_t *p = x64_begin(a);

	if (reg >= 8)
		*p++ = 0x41;
	*p++ = (uint8_t)(0x50 + (reg & 7));
	x64_end(a, p);
}

/* pop reg */
X64_INLINE void x64_pop(struct x64_asm *a, int reg)
{
	uint8_t *p = x64_begin(a);

	if (reg >= 8)
		*p++ = 0x41;
	*p++ = (uint8_t)(0x58 + (reg & 7));
	x64_end(a, p);
}

/* ret */
X64_INLINE void x64_ret(struct x64_asm *a)
{
	x64_enc_raw(a, 0xc3, 1);
}

/* leave */
X64_INLINE void x64_leave(struct x64_asm *a)
{
	x64_enc_raw(a, 0xc9, 1);
}

/* int3 */
X64_INLINE void x64_int3(struct x64_asm *a)
{
	x64_enc_raw(a, 0xcc, 1);
}

/* rep movsb */
X64_INLINE void x64_rep_movsb(struct x64_asm *a)
{
	x64_enc_raw(a, 0xa4f3, 2);
}

/* rep stosb */
X64_INLINE void x64_rep_stosb(struct x64_asm *a)
{
	x64_enc_raw(a, 0xaaf3, 2);
}

/* rep stosq */
X64_INLINE void x64_rep_stosq(struct x64_asm *a)
{
	x64_enc_raw(a, 0xab48f3, 3);
}

/* std */
X64_INLINE void x64_std(struct x64_asm *a)
{
	x64_enc_raw(a, 0xfd, 1);
}

/* cld */
X64_INLINE void x64_cld(struct x64_asm *a)
{
	x64_enc_raw(a, 0xfc, 1);
}

/* ---- control transfer ------------------------------------------------------ */

/* The rel32 forms return the offset of their rel32 field (relative to the
 * end of the instruction, i.e. field + 4). */

/* call rel32 */
X64_INLINE size_t x64_call_rel32(struct x64_asm *a, int32_t rel)
{
	uint8_t *p = x64_begin(a);

	*p++ = 0xe8;
	x64_end(a, x64_put32(p, (uint32_t)rel));
	return a->len - 4;
}

/* jmp rel32 */
X64_INLINE size_t x64_jmp_rel32(struct x64_asm *a, int32_t rel)
{
	uint8_t *p = x64_begin(a);

	*p++ = 0xe9;
	x64_end(a, x64_put32(p, (uint32_t)rel));
	return a->len - 4;
}

/* jCC rel32 */
X64_INLINE size_t x64_jcc_rel32(struct x64_asm *a, enum x64_cc cc, int32_t rel)
{
	uint8_t *p = x64_begin(a);

	*p++ = 0x0f;
	*p++ = (uint8_t)(0x80 + cc);
	x64_end(a, x64_put32(p, (uint32_t)rel));
	return a->len - 4;
}

/* call qword [m] */
X64_INLINE void x64_call_m(struct x64_asm *a, struct x64_mem m)
{
	x64_enc_rm(a, 0, 0, X64_OP1(0xff), 2, m, false);
}

/* call reg */
X64_INLINE void x64_call_r(struct x64_asm *a, int reg)
{
	x64_enc_rr(a, 0, 0, X64_OP1(0xff), 2, reg, false);
}

/* jmp reg */
X64_INLINE void x64_jmp_r(struct x64_asm *a, int reg)
{
	x64_enc_rr(a, 0, 0, X64_OP1(0xff), 4, reg, false);
}

/* ---- SSE (scalar) ------------------------------------------------------------ */

enum x64_sse_op {
	X64_SSE_SQRT = 0x51, X64_SSE_ADD = 0x58, X64_SSE_MUL = 0x59,
	X64_SSE_CVT = 0x5a, X64_SSE_SUB = 0x5c, X64_SSE_MIN = 0x5d,
	X64_SSE_DIV = 0x5e, X64_SSE_MAX = 0x5f,
};

/* sqrtss|addss|mulss|cvtss2sd|subss|minss|divss|maxss dst, src  (F3, dbl 0)
 * sqrtsd|addsd|mulsd|cvtsd2ss|subsd|minsd|divsd|maxsd dst, src  (F2, dbl 1) */
X64_INLINE void x64_sse_rr(struct x64_asm *a, enum x64_sse_op op, int dbl, int dst, int src)
{
	x64_enc_rr(a, dbl ? 0xf2 : 0xf3, 0, X64_OP2(0x0f, op), dst, src, false);
}

/* ucomiss x1, x2 | ucomisd x1, x2 */
X64_INLINE void x64_ucomis(struct x64_asm *a, int dbl, int x1, int x2)
{
	x64_enc_rr(a, dbl ? 0x66 : 0, 0, X64_OP2(0x0f, 0x2e), x1, x2, false);
}

/* andps|andpd dst, src */
X64_INLINE void x64_andp(struct x64_asm *a, int dbl, int dst, int src)
{
	x64_enc_rr(a, dbl ? 0x66 : 0, 0, X64_OP2(0x0f, 0x54), dst, src, false);
}

/* orps|orpd dst, src */
X64_INLINE void x64_orp(struct x64_asm *a, int dbl, int dst, int src)
{
	x64_enc_rr(a, dbl ? 0x66 : 0, 0, X64_OP2(0x0f, 0x56), dst, src, false);
}

/* xorps dst, src */
X64_INLINE void x64_xorps(struct x64_asm *a, int dst, int src)
{
	x64_enc_rr(a, 0, 0, X64_OP2(0x0f, 0x57), dst, src, false);
}

/* roundss|roundsd dst, src, imm8  (SSE4.1) */
X64_INLINE void x64_round(struct x64_asm *a, int dbl, int dst, int src, uint8_t mode)
{
	uint8_t *p = x64_put_rr(x64_begin(a), 0x66, 0,
				X64_OP3(0x0f, 0x3a, dbl ? 0x0b : 0x0a), dst, src, false);

	*p++ = mode;
	x64_end(a, p);
}

/* cvttss2si|cvttsd2si dst(32|64), src */
X64_INLINE void x64_cvtt2si(struct x64_asm *a, int dbl, int w, int dst, int src)
{
	x64_enc_rr(a, dbl ? 0xf2 : 0xf3, w, X64_OP2(0x0f, 0x2c), dst, src, false);
}

/* cvtsi2ss|cvtsi2sd dst, src(32|64) */
X64_INLINE void x64_cvtsi2(struct x64_asm *a, int dbl, int w, int dst, int src)
{
	x64_enc_rr(a, dbl ? 0xf2 : 0xf3, w, X64_OP2(0x0f, 0x2a), dst, src, false);
}

/* movd xmm, r32 | movq xmm, r64 */
X64_INLINE void x64_movq_xr(struct x64_asm *a, int w, int xmm, int reg)
{
	x64_enc_rr(a, 0x66, w, X64_OP2(0x0f, 0x6e), xmm, reg, false);
}

/* movd r32, xmm | movq r64, xmm */
X64_INLINE void x64_movq_rx(struct x64_asm *a, int w, int reg, int xmm)
{
	x64_enc_rr(a, 0x66, w, X64_OP2(0x0f, 0x7e), xmm, reg, false);
}

/* movd xmm, dword [m] */
X64_INLINE void x64_movd_xm(struct x64_asm *a, int xmm, struct x64_mem m)
{
	x64_enc_rm(a, 0x66, 0, X64_OP2(0x0f, 0x6e), xmm, m, false);
}

/* movq xmm, qword [m] */
X64_INLINE void x64_movq_xm(struct x64_asm *a, int xmm, struct x64_mem m)
{
	x64_enc_rm(a, 0xf3, 0, X64_OP2(0x0f, 0x7e), xmm, m, false);
}

/* movq qword [m], xmm */
X64_INLINE void x64_movq_mx(struct x64_asm *a, struct x64_mem m, int xmm)
{
	x64_enc_rm(a, 0x66, 0, X64_OP2(0x0f, 0xd6), xmm, m, false);
}

/* movd dword [m], xmm */
X64_INLINE void x64_movd_mx(struct x64_asm *a, struct x64_mem m, int xmm)
{
	x64_enc_rm(a, 0x66, 0, X64_OP2(0x0f, 0x7e), xmm, m, false);
}

/* movaps dst, src (the whole register: a scalar copy without a domain
 * crossing) */
X64_INLINE void x64_movaps_rr(struct x64_asm *a, int dst, int src)
{
	x64_enc_rr(a, 0, 0, X64_OP2(0x0f, 0x28), dst, src, false);
}

/* ---- SSE (packed: v128, jit/compile/simd.c) ---------------------------------- */

/* A packed instruction with a mandatory prefix (0x66, 0xf3, 0xf2; 0 =
 * none) and opcode op (X64_OP2(0x0f, x) or X64_OP3(0x0f, 0x38|0x3a, x)):
 * dst (or /digit), src register | memory operand [, imm8] */
X64_INLINE void x64_p_rr(struct x64_asm *a, uint8_t prefix, uint32_t op, int dst, int src)
{
	x64_enc_rr(a, prefix, 0, op, dst, src, false);
}

X64_INLINE void x64_p_rm(struct x64_asm *a, uint8_t prefix, uint32_t op, int dst,
			    struct x64_mem m)
{
	x64_enc_rm(a, prefix, 0, op, dst, m, false);
}

X64_INLINE void x64_p_rri(struct x64_asm *a, uint8_t prefix, int w, uint32_t op, int dst,
			     int src, uint8_t imm)
{
	uint8_t *p = x64_put_rr(x64_begin(a), prefix, w, op, dst, src, false);

	*p++ = imm;
	x64_end(a, p);
}

X64_INLINE void x64_p_rmi(struct x64_asm *a, uint8_t prefix, int w, uint32_t op, int reg,
			     struct x64_mem m, uint8_t imm)
{
	uint8_t *p = x64_put_mem(a, x64_begin(a), prefix, w, op, reg, m, false);

	*p++ = imm;
	x64_end(a, p);
}

/* ---- AVX (VEX.128: jit/compile/simd.c with JIT_CPU_AVX) ----------------------
 * The same instructions as the packed SSE ones above, VEX-encoded (Intel
 * SDM Vol. 2A §2.3): the mandatory prefix and the 0F / 0F 38 / 0F 3A
 * escape fold into the VEX prefix (pp, mmmmm), REX.R/X/B into its
 * inverted R X B bits, and a second source register goes into vvvv
 * (inverted; 1111 = none), so that "dst = src1 op src2" needs no copy
 * of src1 first.  VEX.L = 0 (128 bits; the upper half of the ymm
 * register is zeroed).  The two-byte form C5 when it can say everything
 * (map 0F, W 0, no X or B), else the three-byte C4.  A VEX memory
 * operand, unlike the SSE one, need not be aligned. */

/* C5 [R vvvv L pp] or C4 [R X B mmmmm] [W vvvv L pp], then the opcode's
 * last byte: op is X64_OP2(0x0f, x) or X64_OP3(0x0f, 0x38|0x3a, x) as
 * for the SSE forms, prefix 0/0x66/0xf3/0xf2 */
X64_INLINE uint8_t *x64_put_vex(uint8_t *p, uint8_t prefix, int w, uint32_t op, int reg,
				   int vvvv, int index, int base)
{
	unsigned n = op >> 24;
	uint8_t map = n == 3 ? ((op >> 8 & 0xff) == 0x38 ? 2 : 3) : 1;
	uint8_t pp = prefix == 0x66 ? 1 : prefix == 0xf3 ? 2 : prefix == 0xf2 ? 3 : 0;
	uint8_t tail = (uint8_t)((~vvvv & 15) << 3 | pp);       /* vvvv L=0 pp */

	if (map == 1 && !w && index < 8 && base < 8) {
		*p++ = 0xc5;
		*p++ = (uint8_t)((reg >= 8 ? 0 : 0x80) | tail);
	} else {
		*p++ = 0xc4;
		*p++ = (uint8_t)((reg >= 8 ? 0 : 0x80) | (index >= 8 ? 0 : 0x40) |
				 (base >= 8 ? 0 : 0x20) | map);
		*p++ = (uint8_t)((w ? 0x80 : 0) | tail);
	}
	*p++ = (uint8_t)(op >> (8 * (n - 1)));
	return p;
}

/* vOP dst, src1, src2 [, imm8]: dst (or /digit) in ModRM.reg, src1 in
 * vvvv (-1 for none: 1111), src2 in ModRM.rm */
X64_INLINE uint8_t *x64_put_v_rrr(uint8_t *p, uint8_t prefix, int w, uint32_t op, int dst,
				     int src1, int src2)
{
	p = x64_put_vex(p, prefix, w, op, dst, src1 < 0 ? 0 : src1, 0, src2);
	*p++ = (uint8_t)(0xc0 | (dst & 7) << 3 | (src2 & 7));
	return p;
}

X64_INLINE uint8_t *x64_put_v_rrm(struct x64_asm *a, uint8_t *p, uint8_t prefix, int w,
				     uint32_t op, int dst, int src1, struct x64_mem m)
{
	p = x64_put_vex(p, prefix, w, op, dst, src1 < 0 ? 0 : src1,
			m.index == X64_NOREG ? 0 : m.index, m.rip ? 0 : m.base);
	return x64_put_modrm_mem(p, dst, m, a->force_disp32);
}

/* vOP dst, src1, src2 (src1 = -1: vOP dst, src2) */
X64_INLINE void x64_v_rrr(struct x64_asm *a, uint8_t prefix, int w, uint32_t op, int dst,
			     int src1, int src2)
{
	x64_end(a, x64_put_v_rrr(x64_begin(a), prefix, w, op, dst, src1, src2));
}

/* vOP dst, src1, [m] (src1 = -1: vOP dst, [m]) */
X64_INLINE void x64_v_rrm(struct x64_asm *a, uint8_t prefix, int w, uint32_t op, int dst,
			     int src1, struct x64_mem m)
{
	x64_end(a, x64_put_v_rrm(a, x64_begin(a), prefix, w, op, dst, src1, m));
}

/* vOP dst, src1, src2, imm8 */
X64_INLINE void x64_v_rrri(struct x64_asm *a, uint8_t prefix, int w, uint32_t op, int dst,
			      int src1, int src2, uint8_t imm)
{
	uint8_t *p = x64_put_v_rrr(x64_begin(a), prefix, w, op, dst, src1, src2);

	*p++ = imm;
	x64_end(a, p);
}

/* vOP dst, src1, [m], imm8 */
X64_INLINE void x64_v_rrmi(struct x64_asm *a, uint8_t prefix, int w, uint32_t op, int dst,
			      int src1, struct x64_mem m, uint8_t imm)
{
	uint8_t *p = x64_put_v_rrm(a, x64_begin(a), prefix, w, op, dst, src1, m);

	*p++ = imm;
	x64_end(a, p);
}

/* movdqu xmm, [m] */
X64_INLINE void x64_movdqu_xm(struct x64_asm *a, int xmm, struct x64_mem m)
{
	x64_p_rm(a, 0xf3, X64_OP2(0x0f, 0x6f), xmm, m);
}

/* movdqu [m], xmm */
X64_INLINE void x64_movdqu_mx(struct x64_asm *a, struct x64_mem m, int xmm)
{
	x64_p_rm(a, 0xf3, X64_OP2(0x0f, 0x7f), xmm, m);
}

#endif
