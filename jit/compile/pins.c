/*
 * pins.c — pinned locals: the look-ahead scan over a body that counts the
 * uses of each local (weighted by loop depth) and gives the most used
 * ones registers of their own for the whole function, and the moves of
 * the registers a call clobbers to and from the locals' memory homes
 * around calls, and the prologue's zeroing of the pinned locals.
 */
#include <string.h>
#include "fc.h"

/* Registers the most used locals live in for the whole function ("pinned"
 * locals: the same register on every path, so merges need nothing).  The
 * slot-by-slot code never touches them; around every opcode that calls
 * out (calls, runtime helpers) they go to their memory homes and back. */
static const int8_t pin_gprs[] = { RBX, R12, R13, R11 };
_Static_assert(sizeof pin_gprs + PIN_XMM_N == PIN_MAX, "pinned registers");

/* ---- pinned locals ------------------------------------------------------------------- */

/* The look-ahead scan of choose_pins: a quick walk over the opcodes, not
 * validation (the compiling pass does that): raw pointers, LEB128 numbers
 * skipped by their continuation bits.  Each returns the position after
 * the item, or NULL at the end or on anything it does not know. */
static inline const uint8_t *skip_leb(const uint8_t *p, const uint8_t *end)
{
	while (p < end && (*p & 0x80))
		p++;
	return p < end ? p + 1 : NULL;
}

static const uint8_t *skip_lebs(const uint8_t *p, const uint8_t *end, uint32_t n)
{
	while (p && n--)
		p = skip_leb(p, end);
	return p;
}

/* the immediates of kind imm (OPI_*, opcodes.h) */
static const uint8_t *skip_imm_kind(const uint8_t *p, const uint8_t *end, uint8_t imm)
{
	uint32_t n, x;

	switch (imm) {
	case OPI_NONE:
		return p;
	case OPI_U32: case OPI_BLOCKTYPE: case OPI_I32: case OPI_I64:
		return skip_leb(p, end);
	case OPI_U32X2:
		return skip_lebs(p, end, 2);
	case OPI_BRTABLE:
		p = scan_u32(p, end, &n);
		return p ? skip_lebs(p, end, (uint64_t)n + 1 > UINT32_MAX ? UINT32_MAX : n + 1) : NULL;
	case OPI_VALTYPES:
		p = scan_u32(p, end, &n);
		return p && n <= (size_t)(end - p) ? p + n : NULL;
	case OPI_BYTE:
		return p < end ? p + 1 : NULL;
	case OPI_BYTE2:
		return end - p >= 2 ? p + 2 : NULL;
	case OPI_U32_BYTE:
		p = skip_leb(p, end);
		return p && p < end ? p + 1 : NULL;
	case OPI_F32:
		return end - p >= 4 ? p + 4 : NULL;
	case OPI_F64:
		return end - p >= 8 ? p + 8 : NULL;
	case OPI_FC:    /* the sub-opcode, then its immediates (its own table) */
		if (!(p = scan_u32(p, end, &x)) || x >= OPFC__COUNT)
			return NULL;
		return skip_imm_kind(p, end, wasm_fc_opinfo[x].imm);
	}
	return NULL;    /* OPI_BAD, OPI_FD */
}

static const uint8_t *skip_imms(const uint8_t *p, const uint8_t *end, uint8_t op)
{
	return skip_imm_kind(p, end, wasm_opinfo[op].imm);
}

/* The look-ahead's view of an opcode (from opcodes.h), so that one
 * indirect jump per opcode does it.  SC_STOP, SC_BR (and br_table): the
 * code after them is unreachable up to the else or end of their frame,
 * compiles to nothing (control.c) and counts for nothing here. */
enum { SC_OTHER, SC_NONE, SC_LEB, SC_LEB2, SC_LOCAL, SC_OPEN, SC_LOOP, SC_END,
       SC_ELSE, SC_STOP, SC_BR };
#define SC_CLASS(code, imm) \
	((code) >= OP_LOCAL_GET && (code) <= OP_LOCAL_TEE ? SC_LOCAL : (code) == OP_LOOP ? SC_LOOP : \
	 (code) == OP_BLOCK || (code) == OP_IF ? SC_OPEN : (code) == OP_END ? SC_END : \
	 (code) == OP_ELSE ? SC_ELSE : (code) == OP_BR ? SC_BR : \
	 (code) == OP_UNREACHABLE || (code) == OP_RETURN ? SC_STOP : \
	 (imm) == OPI_NONE ? SC_NONE : \
	 (imm) == OPI_U32 || (imm) == OPI_I32 ? SC_LEB : (imm) == OPI_U32X2 ? SC_LEB2 : SC_OTHER)
static const uint8_t scan_class[256] = {       /* SC_OTHER: skip_imms */
#define X(code, cname, name, imm, flags, a, b, r) [code] = SC_CLASS(code, OPI_##imm),
	WASM_OPCODES(X)
#undef X
};

/* the weight of a use: 8^(loops around it), capped; 0 in unreachable code */
#define WEIGHT(dead, nloops) ((dead) ? 0u : 1u << (3 * ((nloops) < 5 ? (nloops) : 5)))

/* Give the most used locals (uses weighted by loop depth, from a look
 * ahead over the body) registers of their own: up to four integer and
 * eight float ones. */
bool fc_choose_pins(struct fc *f)
{
	const uint8_t *p = f->r.p, *end = f->r.end;
	uint32_t *score, cap = f->cappin;
	uint8_t loops[64];
	uint32_t depth = 0, nloops = 0, i, w = 1;
	uint32_t dead = 0;      /* in unreachable code: 1 + the depth where it began
				   (w = 0 there: its uses count for nothing) */
	uint8_t op;

	if (!grow((void **)&f->pin, &cap, f->nlocals + 1, sizeof *f->pin))
		return fc_oom(f);
	cap = f->cappin;
	if (!grow((void **)&f->score, &cap, f->nlocals + 1, sizeof *f->score))
		return fc_oom(f);
	f->cappin = cap;
	score = f->score;
	memset(score, 0, f->nlocals * sizeof *score);
	memset(f->pin, -1, f->nlocals);
	f->npinned = 0;
	if (!f->nlocals)
		return true;            /* nothing to count */
	while (p && p < end) {
		op = *p++;
		switch (scan_class[op]) {
		case SC_NONE:
			break;
		case SC_LEB:
			p = skip_leb(p, end);
			break;
		case SC_LEB2:
			p = skip_lebs(p, end, 2);
			break;
		case SC_LOCAL:
			if (!(p = scan_u32(p, end, &i)))
				break;
			if (i < f->nlocals)     /* w = 8^(loops around), capped */
				score[i] = score[i] > UINT32_MAX - w ? UINT32_MAX : score[i] + w;
			break;
		case SC_OPEN: case SC_LOOP:
			p = skip_leb(p, end);
			if (depth < sizeof loops)
				loops[depth] = op == OP_LOOP;
			nloops += op == OP_LOOP;
			w = WEIGHT(dead, nloops);
			depth++;
			break;
		case SC_BR:
			p = skip_leb(p, end);
			/* fall through */
		case SC_STOP:
			if (!dead)
				dead = depth + 1;
			w = 0;
			break;
		case SC_ELSE:
			if (dead == depth + 1)
				dead = 0;
			w = WEIGHT(dead, nloops);
			break;
		case SC_END:
			if (dead == depth + 1)
				dead = 0;
			if (depth) {
				depth--;
				if (depth < sizeof loops && loops[depth])
					nloops--;
			}
			w = WEIGHT(dead, nloops);
			break;
		default:
			if (op == OP_BR_TABLE && !dead)
				dead = depth + 1, w = 0;
			p = skip_imms(p, end, op);
			break;
		}
	}
	for (int cls = 0; cls < 2; cls++) {
		uint32_t want = cls ? PIN_XMM_N : sizeof pin_gprs;
		for (uint32_t n = 0; n < want; n++) {
			uint32_t best = UINT32_MAX;
			for (i = 0; i < f->nlocals; i++) {
				uint8_t t = f->ltypes[i];
				if (f->pin[i] >= 0 || score[i] < 3 || !is_num(t) || is_float(t) != cls)
					continue;
				if (best == UINT32_MAX || score[i] > score[best])
					best = i;
			}
			if (best == UINT32_MAX)
				break;
			f->pin[best] = (int8_t)(cls ? PIN_XMM_FIRST + (int)n : pin_gprs[n]);
		}
	}
	for (i = 0; i < f->nlocals && f->npinned < PIN_MAX; i++)
		if (f->pin[i] >= 0)
			f->pinned[f->npinned++] = i;
	return true;
}

/* A pinned local's register that every call preserves (wasm ABI v1:
 * rbx, r12, r13 are callee-saved, in compiled code, import stubs and the
 * runtime's C helpers alike): it stays in its register across calls and
 * needs no home. */
static bool pin_survives_calls(struct fc *f, uint32_t i)
{
	int r = f->pin[i];

	return !is_float(f->ltypes[i]) && (r == RBX || r == R12 || r == R13);
}

/* pinned locals that a call would clobber (r11, xmm8-15) to their homes
 * (before a call) or back (after one) */
void fc_pins_to_homes(struct fc *f)
{
	for (uint32_t j = 0; j < f->npinned; j++) {
		uint32_t i = f->pinned[j];
		int r = f->pin[i];
		if (pin_survives_calls(f, i))
			continue;
		if (is_float(f->ltypes[i]))
			x64_movq_mx(f->a, L(f, i), r);
		else
			x64_mov_mr(f->a, 1, L(f, i), r);
	}
}

/* After a call: the clobbered pinned registers from their homes.  In the
 * prologue (prologue = true): the declared locals' registers zeroed (the
 * parameters are already in theirs, driver.c). */
void fc_pins_from_homes(struct fc *f, bool prologue)
{
	for (uint32_t j = 0; j < f->npinned; j++) {
		uint32_t i = f->pinned[j];
		int r = f->pin[i];
		if (prologue) {
			if (i < f->nparams)
				continue;
			if (is_float(f->ltypes[i]))
				x64_xorps(f->a, r, r);
			else
				x64_alu_rr(f->a, X64_XOR, 0, r, r);
		} else if (pin_survives_calls(f, i)) {
			continue;
		} else if (is_float(f->ltypes[i])) {
			x64_movq_xm(f->a, r, L(f, i));
		} else {
			x64_mov_rm(f->a, 1, r, L(f, i));
		}
	}
}
