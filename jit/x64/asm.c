/*
 * x64/asm.c — x86-64 instruction encoder (Intel SDM Vol. 2A §2.1-2.2:
 * prefixes, REX, ModRM/SIB; opcode tables in Vol. 2B appendix A).
 *
 * Every instruction goes through enc_rr (register operand in ModRM.rm) or
 * enc_rm (memory operand), which emit, in order:
 *   [mandatory prefix 66/F2/F3] [REX] opcode bytes ModRM [SIB] [disp8|disp32]
 * Immediates are appended by the caller.  The special cases live in
 * enc_modrm_mem: rsp/r12 as base need a SIB byte, rbp/r13 as base cannot use
 * mod=00 (that means rip/no-base) and take a zero disp8 instead.
 */
#include <stdlib.h>
#include <string.h>
#include "asm.h"

void x64_init(struct x64_asm *a)
{
	memset(a, 0, sizeof(*a));
}

void x64_free(struct x64_asm *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

static bool x64_reserve(struct x64_asm *a, size_t n)
{
	if (a->oom)
		return false;
	if (a->len + n <= a->cap)
		return true;
	size_t cap = a->cap ? a->cap * 2 : 4096;
	while (cap < a->len + n)
		cap *= 2;
	uint8_t *b = realloc(a->buf, cap);
	if (!b) {
		a->oom = true;
		return false;
	}
	a->buf = b;
	a->cap = cap;
	return true;
}

void x64_byte(struct x64_asm *a, uint8_t b)
{
	if (x64_reserve(a, 1))
		a->buf[a->len++] = b;
}

void x64_u32(struct x64_asm *a, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		x64_byte(a, (uint8_t)(v >> (8 * i)));
}

void x64_u64(struct x64_asm *a, uint64_t v)
{
	x64_u32(a, (uint32_t)v);
	x64_u32(a, (uint32_t)(v >> 32));
}

void x64_patch_u32(struct x64_asm *a, size_t at, uint32_t v)
{
	if (a->oom || at + 4 > a->len)
		return;
	for (int i = 0; i < 4; i++)
		a->buf[at + i] = (uint8_t)(v >> (8 * i));
}

void x64_align(struct x64_asm *a, size_t n)
{
	while (a->len % n && !a->oom)
		x64_byte(a, 0xcc);
}

/* ---- the one place where REX / ModRM / SIB are encoded ------------------- */

static bool fits8(int32_t v)
{
	return v >= -128 && v <= 127;
}

/* REX = 0100WRXB; need_rex: spl/bpl/sil/dil as byte registers need a REX
 * even when it carries no bits */
static void enc_prefix_rex(struct x64_asm *a, uint8_t prefix, int w, int reg,
			   int index, int base, bool need_rex)
{
	uint8_t rex = 0x40;

	if (prefix)
		x64_byte(a, prefix);
	if (w)
		rex |= 8;
	if (reg >= 8)
		rex |= 4;
	if (index >= 8)
		rex |= 2;
	if (base >= 8)
		rex |= 1;
	if (rex != 0x40 || need_rex)
		x64_byte(a, rex);
}

static bool byte_needs_rex(int reg)
{
	return reg >= 4 && reg < 8;
}

static void enc_opcode(struct x64_asm *a, const uint8_t *op, int nop)
{
	for (int i = 0; i < nop; i++)
		x64_byte(a, op[i]);
}

static void enc_modrm_mem(struct x64_asm *a, int reg, struct x64_mem m)
{
	uint8_t r = (uint8_t)((reg & 7) << 3);
	uint8_t mod;

	if (m.rip) {
		x64_byte(a, 0x05 | r);
		x64_u32(a, (uint32_t)m.disp);
		return;
	}
	if (a->force_disp32)
		mod = 0x80;
	else if (m.disp == 0 && (m.base & 7) != 5)
		mod = 0x00;
	else if (fits8(m.disp))
		mod = 0x40;
	else
		mod = 0x80;
	if (m.index != X64_NOREG) {
		uint8_t ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
		x64_byte(a, mod | r | 4);
		x64_byte(a, (uint8_t)(ss << 6 | (m.index & 7) << 3 | (m.base & 7)));
	} else if ((m.base & 7) == 4) {
		x64_byte(a, mod | r | 4);
		x64_byte(a, 0x24);
	} else {
		x64_byte(a, mod | r | (m.base & 7));
	}
	if (mod == 0x40)
		x64_byte(a, (uint8_t)m.disp);
	else if (mod == 0x80)
		x64_u32(a, (uint32_t)m.disp);
}

static void enc_rm_ex(struct x64_asm *a, uint8_t prefix, int w, const uint8_t *op,
		      int nop, int reg, struct x64_mem m, bool byte_reg)
{
	enc_prefix_rex(a, prefix, w, reg, m.index == X64_NOREG ? 0 : m.index,
		       m.rip ? 0 : m.base, byte_reg && byte_needs_rex(reg));
	enc_opcode(a, op, nop);
	enc_modrm_mem(a, reg, m);
}

static void enc_rm(struct x64_asm *a, uint8_t prefix, int w, const uint8_t *op,
		   int nop, int reg, struct x64_mem m)
{
	enc_rm_ex(a, prefix, w, op, nop, reg, m, false);
}

static void enc_rr_ex(struct x64_asm *a, uint8_t prefix, int w, const uint8_t *op,
		      int nop, int reg, int rm, bool byte_regs)
{
	enc_prefix_rex(a, prefix, w, reg, 0, rm,
		       byte_regs && (byte_needs_rex(reg) || byte_needs_rex(rm)));
	enc_opcode(a, op, nop);
	x64_byte(a, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

static void enc_rr(struct x64_asm *a, uint8_t prefix, int w, const uint8_t *op,
		   int nop, int reg, int rm)
{
	enc_rr_ex(a, prefix, w, op, nop, reg, rm, false);
}

#define OP(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* ---- moves --------------------------------------------------------------- */

/* mov dst, src */
void x64_mov_rr(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP(0x89), src, dst);
}

/* mov dst, [m] */
void x64_mov_rm(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	enc_rm(a, 0, w, OP(0x8b), dst, m);
}

/* mov [m], src */
void x64_mov_mr(struct x64_asm *a, int w, struct x64_mem m, int src)
{
	enc_rm(a, 0, w, OP(0x89), src, m);
}

/* mov byte [m], src8 */
void x64_mov8_mr(struct x64_asm *a, struct x64_mem m, int src)
{
	enc_rm_ex(a, 0, 0, OP(0x88), src, m, true);
}

/* mov word [m], src16 */
void x64_mov16_mr(struct x64_asm *a, struct x64_mem m, int src)
{
	enc_rm(a, 0x66, 0, OP(0x89), src, m);
}

/* mov r32, imm32 (zero-extends) | mov r64, simm32 | movabs r64, imm64 */
void x64_mov_ri(struct x64_asm *a, int dst, uint64_t imm)
{
	if (imm <= 0xffffffffull) {
		if (dst >= 8)
			x64_byte(a, 0x41);
		x64_byte(a, (uint8_t)(0xb8 + (dst & 7)));
		x64_u32(a, (uint32_t)imm);
	} else if ((int64_t)imm == (int32_t)imm) {
		enc_rr(a, 0, 1, OP(0xc7), 0, dst);
		x64_u32(a, (uint32_t)imm);
	} else {
		x64_byte(a, dst >= 8 ? 0x49 : 0x48);
		x64_byte(a, (uint8_t)(0xb8 + (dst & 7)));
		x64_u64(a, imm);
	}
}

/* mov (dword|qword) [m], simm32 */
void x64_mov_mi(struct x64_asm *a, int w, struct x64_mem m, int32_t imm)
{
	enc_rm(a, 0, w, OP(0xc7), 0, m);
	x64_u32(a, (uint32_t)imm);
}

/* movzx dst32, byte [m] */
void x64_movzx8_rm(struct x64_asm *a, int dst, struct x64_mem m)
{
	enc_rm(a, 0, 0, OP(0x0f, 0xb6), dst, m);
}

/* movzx dst32, word [m] */
void x64_movzx16_rm(struct x64_asm *a, int dst, struct x64_mem m)
{
	enc_rm(a, 0, 0, OP(0x0f, 0xb7), dst, m);
}

/* movsx dst, byte [m] */
void x64_movsx8_rm(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	enc_rm(a, 0, w, OP(0x0f, 0xbe), dst, m);
}

/* movsx dst, word [m] */
void x64_movsx16_rm(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	enc_rm(a, 0, w, OP(0x0f, 0xbf), dst, m);
}

/* movsxd dst64, dword [m] */
void x64_movsxd_rm(struct x64_asm *a, int dst, struct x64_mem m)
{
	enc_rm(a, 0, 1, OP(0x63), dst, m);
}

/* movzx dst32, src8 */
void x64_movzx8_rr(struct x64_asm *a, int dst, int src)
{
	enc_rr_ex(a, 0, 0, OP(0x0f, 0xb6), dst, src, true);
}

/* movsx dst, src8 */
void x64_movsx8_rr(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr_ex(a, 0, w, OP(0x0f, 0xbe), dst, src, true);
}

/* movsx dst, src16 */
void x64_movsx16_rr(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP(0x0f, 0xbf), dst, src);
}

/* movsxd dst64, src32 */
void x64_movsxd_rr(struct x64_asm *a, int dst, int src)
{
	enc_rr(a, 0, 1, OP(0x63), dst, src);
}

/* lea dst, [m] */
void x64_lea(struct x64_asm *a, int w, int dst, struct x64_mem m)
{
	enc_rm(a, 0, w, OP(0x8d), dst, m);
}

/* ---- integer arithmetic ---------------------------------------------------- */

/* add|or|adc|sbb|and|sub|xor|cmp dst, src */
void x64_alu_rr(struct x64_asm *a, enum x64_alu op, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP((uint8_t)(op * 8 + 1)), src, dst);
}

/* add|...|cmp dst, [m] */
void x64_alu_rm(struct x64_asm *a, enum x64_alu op, int w, int dst, struct x64_mem m)
{
	enc_rm(a, 0, w, OP((uint8_t)(op * 8 + 3)), dst, m);
}

/* add|...|cmp dst, imm8/imm32 (sign-extended) */
void x64_alu_ri(struct x64_asm *a, enum x64_alu op, int w, int dst, int32_t imm)
{
	if (fits8(imm)) {
		enc_rr(a, 0, w, OP(0x83), op, dst);
		x64_byte(a, (uint8_t)imm);
	} else {
		enc_rr(a, 0, w, OP(0x81), op, dst);
		x64_u32(a, (uint32_t)imm);
	}
}

/* add|...|cmp (dword|qword) [m], imm8/imm32 */
void x64_alu_mi(struct x64_asm *a, enum x64_alu op, int w, struct x64_mem m, int32_t imm)
{
	if (fits8(imm)) {
		enc_rm(a, 0, w, OP(0x83), op, m);
		x64_byte(a, (uint8_t)imm);
	} else {
		enc_rm(a, 0, w, OP(0x81), op, m);
		x64_u32(a, (uint32_t)imm);
	}
}

/* test r1, r2 */
void x64_test_rr(struct x64_asm *a, int w, int r1, int r2)
{
	enc_rr(a, 0, w, OP(0x85), r2, r1);
}

/* imul dst, src */
void x64_imul_rr(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP(0x0f, 0xaf), dst, src);
}

/* not|neg|mul|imul|div|idiv reg */
void x64_grp3_r(struct x64_asm *a, enum x64_grp3 op, int w, int reg)
{
	enc_rr(a, 0, w, OP(0xf7), op, reg);
}

/* rol|ror|shl|shr|sar reg, cl */
void x64_shift_cl(struct x64_asm *a, enum x64_shift op, int w, int reg)
{
	enc_rr(a, 0, w, OP(0xd3), op, reg);
}

/* rol|ror|shl|shr|sar reg, imm8 */
void x64_shift_ri(struct x64_asm *a, enum x64_shift op, int w, int reg, uint8_t imm)
{
	enc_rr(a, 0, w, OP(0xc1), op, reg);
	x64_byte(a, imm);
}

/* btc reg, imm8 */
void x64_btc_ri(struct x64_asm *a, int w, int reg, uint8_t bit)
{
	enc_rr(a, 0, w, OP(0x0f, 0xba), 7, reg);
	x64_byte(a, bit);
}

/* cdq */
void x64_cdq(struct x64_asm *a)
{
	x64_byte(a, 0x99);
}

/* cqo */
void x64_cqo(struct x64_asm *a)
{
	x64_byte(a, 0x48);
	x64_byte(a, 0x99);
}

/* bsr dst, src */
void x64_bsr(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP(0x0f, 0xbd), dst, src);
}

/* bsf dst, src */
void x64_bsf(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP(0x0f, 0xbc), dst, src);
}

/* popcnt dst, src */
void x64_popcnt(struct x64_asm *a, int w, int dst, int src)
{
	enc_rr(a, 0xf3, w, OP(0x0f, 0xb8), dst, src);
}

/* cmovCC dst, src */
void x64_cmov(struct x64_asm *a, enum x64_cc cc, int w, int dst, int src)
{
	enc_rr(a, 0, w, OP(0x0f, (uint8_t)(0x40 + cc)), dst, src);
}

/* setCC reg8 */
void x64_setcc(struct x64_asm *a, enum x64_cc cc, int reg)
{
	enc_rr_ex(a, 0, 0, OP(0x0f, (uint8_t)(0x90 + cc)), 0, reg, true);
}

/* push reg */
void x64_push(struct x64_asm *a, int reg)
{
	if (reg >= 8)
		x64_byte(a, 0x41);
	x64_byte(a, (uint8_t)(0x50 + (reg & 7)));
}

/* pop reg */
void x64_pop(struct x64_asm *a, int reg)
{
	if (reg >= 8)
		x64_byte(a, 0x41);
	x64_byte(a, (uint8_t)(0x58 + (reg & 7)));
}

/* ret */
void x64_ret(struct x64_asm *a)
{
	x64_byte(a, 0xc3);
}

/* leave */
void x64_leave(struct x64_asm *a)
{
	x64_byte(a, 0xc9);
}

/* int3 */
void x64_int3(struct x64_asm *a)
{
	x64_byte(a, 0xcc);
}

/* rep movsb */
void x64_rep_movsb(struct x64_asm *a)
{
	x64_byte(a, 0xf3);
	x64_byte(a, 0xa4);
}

/* rep stosb */
void x64_rep_stosb(struct x64_asm *a)
{
	x64_byte(a, 0xf3);
	x64_byte(a, 0xaa);
}

/* rep stosq */
void x64_rep_stosq(struct x64_asm *a)
{
	x64_byte(a, 0xf3);
	x64_byte(a, 0x48);
	x64_byte(a, 0xab);
}

/* std */
void x64_std(struct x64_asm *a)
{
	x64_byte(a, 0xfd);
}

/* cld */
void x64_cld(struct x64_asm *a)
{
	x64_byte(a, 0xfc);
}

/* ---- control transfer ------------------------------------------------------ */

/* call rel32 */
size_t x64_call_rel32(struct x64_asm *a, int32_t rel)
{
	x64_byte(a, 0xe8);
	x64_u32(a, (uint32_t)rel);
	return a->len - 4;
}

/* jmp rel32 */
size_t x64_jmp_rel32(struct x64_asm *a, int32_t rel)
{
	x64_byte(a, 0xe9);
	x64_u32(a, (uint32_t)rel);
	return a->len - 4;
}

/* jCC rel32 */
size_t x64_jcc_rel32(struct x64_asm *a, enum x64_cc cc, int32_t rel)
{
	x64_byte(a, 0x0f);
	x64_byte(a, (uint8_t)(0x80 + cc));
	x64_u32(a, (uint32_t)rel);
	return a->len - 4;
}

/* call qword [m] */
void x64_call_m(struct x64_asm *a, struct x64_mem m)
{
	enc_rm(a, 0, 0, OP(0xff), 2, m);
}

/* call reg */
void x64_call_r(struct x64_asm *a, int reg)
{
	enc_rr(a, 0, 0, OP(0xff), 2, reg);
}

/* jmp reg */
void x64_jmp_r(struct x64_asm *a, int reg)
{
	enc_rr(a, 0, 0, OP(0xff), 4, reg);
}

void x64_patch_rel32(struct x64_asm *a, size_t field, size_t target)
{
	x64_patch_u32(a, field, (uint32_t)(int32_t)((int64_t)target - (int64_t)(field + 4)));
}

/* ---- SSE scalar -------------------------------------------------------------- */

/* sqrtss|addss|mulss|cvtss2sd|subss|minss|divss|maxss dst, src  (F3)
 * sqrtsd|addsd|mulsd|cvtsd2ss|subsd|minsd|divsd|maxsd dst, src  (F2) */
void x64_sse_rr(struct x64_asm *a, enum x64_sse_op op, int dbl, int dst, int src)
{
	enc_rr(a, dbl ? 0xf2 : 0xf3, 0, OP(0x0f, (uint8_t)op), dst, src);
}

/* ucomiss x1, x2 | ucomisd x1, x2 */
void x64_ucomis(struct x64_asm *a, int dbl, int x1, int x2)
{
	enc_rr(a, dbl ? 0x66 : 0, 0, OP(0x0f, 0x2e), x1, x2);
}

/* andps|andpd dst, src */
void x64_andp(struct x64_asm *a, int dbl, int dst, int src)
{
	enc_rr(a, dbl ? 0x66 : 0, 0, OP(0x0f, 0x54), dst, src);
}

/* orps|orpd dst, src */
void x64_orp(struct x64_asm *a, int dbl, int dst, int src)
{
	enc_rr(a, dbl ? 0x66 : 0, 0, OP(0x0f, 0x56), dst, src);
}

/* xorps dst, src */
void x64_xorps(struct x64_asm *a, int dst, int src)
{
	enc_rr(a, 0, 0, OP(0x0f, 0x57), dst, src);
}

/* roundss|roundsd dst, src, imm8  (SSE4.1) */
void x64_round(struct x64_asm *a, int dbl, int dst, int src, uint8_t mode)
{
	enc_rr(a, 0x66, 0, OP(0x0f, 0x3a, dbl ? 0x0b : 0x0a), dst, src);
	x64_byte(a, mode);
}

/* cvttss2si|cvttsd2si dst(32|64), src */
void x64_cvtt2si(struct x64_asm *a, int dbl, int w, int dst, int src)
{
	enc_rr(a, dbl ? 0xf2 : 0xf3, w, OP(0x0f, 0x2c), dst, src);
}

/* cvtsi2ss|cvtsi2sd dst, src(32|64) */
void x64_cvtsi2(struct x64_asm *a, int dbl, int w, int dst, int src)
{
	enc_rr(a, dbl ? 0xf2 : 0xf3, w, OP(0x0f, 0x2a), dst, src);
}

/* movd xmm, r32 | movq xmm, r64 */
void x64_movq_xr(struct x64_asm *a, int w, int xmm, int reg)
{
	enc_rr(a, 0x66, w, OP(0x0f, 0x6e), xmm, reg);
}

/* movd r32, xmm | movq r64, xmm */
void x64_movq_rx(struct x64_asm *a, int w, int reg, int xmm)
{
	enc_rr(a, 0x66, w, OP(0x0f, 0x7e), xmm, reg);
}

/* movd xmm, dword [m] */
void x64_movd_xm(struct x64_asm *a, int xmm, struct x64_mem m)
{
	enc_rm(a, 0x66, 0, OP(0x0f, 0x6e), xmm, m);
}

/* movq xmm, qword [m] */
void x64_movq_xm(struct x64_asm *a, int xmm, struct x64_mem m)
{
	enc_rm(a, 0xf3, 0, OP(0x0f, 0x7e), xmm, m);
}

/* movaps dst, src (the whole register: a scalar copy without a domain
 * crossing) */
void x64_movaps_rr(struct x64_asm *a, int dst, int src)
{
	enc_rr(a, 0, 0, OP(0x0f, 0x28), dst, src);
}

/* movd dword [m], xmm */
void x64_movd_mx(struct x64_asm *a, struct x64_mem m, int xmm)
{
	enc_rm(a, 0x66, 0, OP(0x0f, 0x7e), xmm, m);
}

/* movq qword [m], xmm */
void x64_movq_mx(struct x64_asm *a, struct x64_mem m, int xmm)
{
	enc_rm(a, 0x66, 0, OP(0x0f, 0xd6), xmm, m);
}
