/*
 * pins.c — pinned locals: the look-ahead scan over a body that counts the
 * uses of each local (weighted by loop depth) and gives the most used
 * ones registers of their own for the whole function, and the moves of
 * the registers a call clobbers to and from the locals' memory homes
 * around calls, and the prologue's zeroing of the pinned locals.
 *
 * The same scan records, per local, the body position of its last
 * local.get/set/tee and whether the body sets it before it can read it.
 * Around a call only the clobbered pins that are live after it go home
 * and come back (live: some access at or after the position from which
 * the code after the call can run again, pins_live_from), and a pin
 * whose home already holds its value (pin_synced: nothing wrote it since
 * it last went home or came back on this straight-line path) is not
 * stored again.  A local set before any read needs no zeroing.
 */
#include <stdlib.h>
#include <string.h>
#include "fc.h"

/* Registers the most used locals live in for the whole function ("pinned"
 * locals: the same register on every path, so merges need nothing).  The
 * slot-by-slot code never touches them; around every opcode that calls
 * out (calls, runtime helpers) they go to their memory homes and back. */
static const int8_t pin_gprs[] = { RBX, R12, R13, R11, R10 };
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
	case OPI_MEMIDX:
		return skip_leb(p, end);
	case OPI_MEMIDX2: case OPI_U32_MEMIDX:
		return skip_lebs(p, end, 2);
	case OPI_MEMARG:        /* flags, [memidx,] offset */
		if (!(p = scan_u32(p, end, &x)))
			return NULL;
		return skip_lebs(p, end, (x & 0x40) ? 2 : 1);
	case OPI_F32:
		return end - p >= 4 ? p + 4 : NULL;
	case OPI_F64:
		return end - p >= 8 ? p + 8 : NULL;
	case OPI_FC:    /* the sub-opcode, then its immediates (its own table) */
		if (!(p = scan_u32(p, end, &x)) || x >= OPFC__COUNT)
			return NULL;
		return skip_imm_kind(p, end, wasm_fc_opinfo[x].imm);
	case OPI_FD:    /* the sub-opcode, then its immediates (its own table) */
		if (!(p = scan_u32(p, end, &x)) || x >= OPFD__COUNT)
			return NULL;
		return skip_imm_kind(p, end, wasm_fd_opinfo[x].imm);
	case OPI_MEMLANE:       /* a memarg, then the lane */
		p = skip_imm_kind(p, end, OPI_MEMARG);
		return p && p < end ? p + 1 : NULL;
	case OPI_LANE:
		return p < end ? p + 1 : NULL;
	case OPI_BYTES16:
		return end - p >= 16 ? p + 16 : NULL;
	}
	return NULL;    /* OPI_BAD */
}

static const uint8_t *skip_imms(const uint8_t *p, const uint8_t *end, uint8_t op)
{
	return skip_imm_kind(p, end, wasm_opinfo[op].imm);
}

/* The look-ahead's view of an opcode (from opcodes.h), so that one
 * indirect jump per opcode does it.  SC_STOP, SC_BR (and br_table): the
 * code after them is unreachable up to the else or end of their frame,
 * compiles to nothing (control.c) and counts for nothing here (return_call
 * is an SC_BR: one immediate; return_call_indirect is br_table's case). */
enum { SC_OTHER, SC_NONE, SC_LEB, SC_LEB2, SC_MEMARG, SC_LOCAL, SC_OPEN, SC_LOOP, SC_END,
       SC_ELSE, SC_STOP, SC_BR, SC_CATCH, SC_DELEGATE };
/* exception handling: try opens a frame, catch and catch_all start a new
 * part of it as else does, delegate ends it as end does, throw and
 * rethrow end the reachable code as br does */
#define SC_CLASS(code, imm) \
	((code) >= OP_LOCAL_GET && (code) <= OP_LOCAL_TEE ? SC_LOCAL : (code) == OP_LOOP ? SC_LOOP : \
	 (code) == OP_BLOCK || (code) == OP_IF || (code) == OP_TRY ? SC_OPEN : \
	 (code) == OP_END ? SC_END : (code) == OP_DELEGATE ? SC_DELEGATE : \
	 (code) == OP_CATCH ? SC_CATCH : \
	 (code) == OP_ELSE || (code) == OP_CATCH_ALL ? SC_ELSE : \
	 (code) == OP_BR || (code) == OP_RETURN_CALL || (code) == OP_THROW || \
	 (code) == OP_RETHROW ? SC_BR : \
	 (code) == OP_UNREACHABLE || (code) == OP_RETURN ? SC_STOP : \
	 (imm) == OPI_NONE ? SC_NONE : \
	 (imm) == OPI_U32 || (imm) == OPI_I32 ? SC_LEB : (imm) == OPI_U32X2 ? SC_LEB2 : \
	 (imm) == OPI_MEMARG ? SC_MEMARG : SC_OTHER)
static const uint8_t scan_class[256] = {       /* SC_OTHER: skip_imms */
#define X(code, cname, name, imm, flags, a, b, r) [code] = SC_CLASS(code, OPI_##imm),
	WASM_OPCODES(X)
#undef X
};

/* Does the tag at p (its index: throw's, catch's) carry a v128? */
static bool tag_has_v128(struct fc *f, const uint8_t *p)
{
	uint32_t idx;

	return scan_u32(p, f->r.end, &idx) && idx < f->m->ntags &&
	       fc_type_has_v128(&f->m->types[f->m->tags[idx].type]);
}

/* the weight of a use: 8^(loops around it), capped; 0 in unreachable code */
#define WEIGHT(dead, nloops) ((dead) ? 0u : 1u << (3 * ((nloops) < 5 ? (nloops) : 5)))

/* zero[i] while the scan has not seen local i (then: 1 = the prologue
 * zeroes it, 0 = its first access is a local.set/tee at the body's top
 * level, which every later read comes after) */
#define ZERO_UNSEEN 2

/* the per-local arrays of the look-ahead, for f->nlocals (one capacity,
 * cappin, for all four: they grow together) */
static bool grow_local_arrays(struct fc *f)
{
	uint32_t need = f->nlocals + 1, cap;

	if (need <= f->cappin)
		return true;
	cap = f->cappin;
	if (!grow((void **)&f->pin, &cap, need, sizeof *f->pin))
		return false;
	cap = f->cappin;
	if (!grow((void **)&f->score, &cap, need, sizeof *f->score))
		return false;
	cap = f->cappin;
	if (!grow((void **)&f->last_use, &cap, need, sizeof *f->last_use))
		return false;
	cap = f->cappin;
	if (!grow((void **)&f->zero, &cap, need, sizeof *f->zero))
		return false;
	f->cappin = cap;
	return true;
}

/* Does the block type at p (s33: a value type byte or a type index)
 * have a v128?  (The compiling pass validates it.) */
static bool blocktype_has_v128(struct fc *f, const uint8_t *p)
{
	uint32_t idx;

	if (*p == V128)
		return true;
	if ((*p & 0xc0) == 0x40 || !scan_u32(p, f->r.end, &idx) || idx >= f->m->ntypes)
		return false;
	return fc_type_has_v128(&f->m->types[idx]);
}

/* Does the type at p (its index: call_indirect's) pass or return a v128? */
static bool type_has_v128_at(struct fc *f, const uint8_t *p)
{
	uint32_t idx;

	return scan_u32(p, f->r.end, &idx) && idx < f->m->ntypes &&
	       fc_type_has_v128(&f->m->types[idx]);
}

/* select t*'s vec(valtype) at p: is t v128?  (Its count may take more
 * than one byte.) */
static bool select_has_v128(const uint8_t *p, const uint8_t *end)
{
	uint32_t n;

	p = scan_u32(p, end, &n);
	return p && p < end && *p == V128;
}

/* Is the global at p (its index) a v128? */
static bool global_is_v128(struct fc *f, const uint8_t *p)
{
	uint32_t idx;

	return scan_u32(p, f->r.end, &idx) && idx < f->m->nglobals &&
	       f->m->globals[idx].type == V128;
}

/* Does the call at p (its function index) pass or return a v128? */
static bool call_has_v128(struct fc *f, const uint8_t *p)
{
	uint32_t idx;

	if (!scan_u32(p, f->r.end, &idx) || idx >= f->m->nfuncs)
		return false;
	return fc_type_has_v128(&f->m->types[f->m->funcs[idx].type]);
}

/* a local.* of local i at body position pos, at block depth depth */
static inline void scan_local(struct fc *f, uint32_t i, uint32_t pos, uint8_t op,
			      uint32_t depth, uint32_t w)
{
	uint32_t *score = f->score;

	score[i] = score[i] > UINT32_MAX - w ? UINT32_MAX : score[i] + w;
	f->last_use[i] = pos;
	if (f->zero[i] == ZERO_UNSEEN)
		f->zero[i] = op == OP_LOCAL_GET || depth;
}

/* Give the most used locals (uses weighted by loop depth, from a look
 * ahead over the body) registers of their own: up to five integer and
 * eight float ones. */
/* fc_choose_pins' stack of frame kinds, twice as large (the first one
 * on its stack, small); NULL (and the old one freed) without memory */
static uint8_t *grow_kinds(uint8_t *k, uint8_t *small, uint32_t *cap)
{
	uint8_t *n = *cap <= UINT32_MAX / 2 ? malloc(2 * (size_t)*cap) : NULL;

	if (n)
		memcpy(n, k, *cap);
	if (k != small)
		free(k);
	*cap *= 2;
	return n;
}

bool fc_choose_pins(struct fc *f)
{
	const uint8_t *p = f->r.p, *end = f->r.end;
	uint32_t *score;
	uint8_t loops_small[64], *loops = loops_small;  /* per open frame: bit 0
							   a loop, bit 1 a try */
	uint32_t loops_cap = sizeof loops_small;
	uint32_t depth = 0, nloops = 0, i, w = 1, ntry = 0;
	uint32_t dead = 0;      /* in unreachable code: 1 + the depth where it began
				   (w = 0 there: its uses count for nothing) */
	uint8_t op;

	f->body = p;
	if (!grow_local_arrays(f))
		return fc_oom(f);
	score = f->score;
	memset(score, 0, f->nlocals * sizeof *score);
	memset(f->last_use, 0, f->nlocals * sizeof *f->last_use);
	memset(f->zero, ZERO_UNSEEN, f->nlocals);
	memset(f->pin, -1, f->nlocals);
	f->npinned = 0;
	f->pin_synced = f->pin_saved = 0;
	f->ntry_max = 0;
	/* also without locals: the scan finds out whether the body is wide
	   (a 0xfd opcode, a v128 block or select type: simd.c, fc.h) */
	while (p && p < end) {
		op = *p++;
		switch (scan_class[op]) {
		case SC_NONE:
			break;
		case SC_LEB:
			if (op == OP_CALL && f->jc->any_v128 && call_has_v128(f, p))
				f->wide = true;
			if (op == OP_GLOBAL_GET && f->jc->any_v128 && global_is_v128(f, p))
				f->wide = true;
			p = skip_leb(p, end);
			break;
		case SC_LEB2:
			if ((op == OP_CALL_INDIRECT || op == OP_RETURN_CALL_INDIRECT) &&
			    f->jc->any_v128 && p < end &&
			    type_has_v128_at(f, p))
				f->wide = true;
			p = skip_lebs(p, end, 2);
			break;
		case SC_MEMARG:         /* the flags byte is one byte, but for
					   a memidx (bit 6) or odd encodings */
			if (p < end && *p < 0x40)
				p = skip_leb(p + 1, end);
			else
				p = skip_imms(p, end, op);
			break;
		case SC_LOCAL: {
			uint32_t pos = (uint32_t)(p - 1 - f->body);
			if (!(p = scan_u32(p, end, &i)))
				break;
			if (i < f->nlocals)     /* w = 8^(loops around), capped */
				scan_local(f, i, pos, op, depth, w);
			break;
		}
		case SC_OPEN: case SC_LOOP:
			if (p < end && blocktype_has_v128(f, p))
				f->wide = true;
			p = skip_leb(p, end);
			/* bit 0: a loop; bit 1: a try (its handler record:
			   ntry_max, the deepest nesting).  Every depth is
			   kept: with a fixed 64, a try nested deeper counted
			   for good, each one more record of frame, and 1.5
			   million of them after 64 blocks made a valid module
			   "function frame too large" */
			if (depth == loops_cap && !(loops = grow_kinds(loops, loops_small, &loops_cap)))
				return fc_oom(f);
			loops[depth] = (uint8_t)((op == OP_LOOP) | (op == OP_TRY) << 1);
			if (op == OP_TRY && ++ntry > f->ntry_max)
				f->ntry_max = ntry;
			nloops += op == OP_LOOP;
			w = WEIGHT(dead, nloops);
			depth++;
			break;
		case SC_BR:
			if ((op == OP_THROW) && p < end && tag_has_v128(f, p))
				f->wide = true;
			if (op == OP_RETURN_CALL && f->jc->any_v128 && call_has_v128(f, p))
				f->wide = true;
			p = skip_leb(p, end);
			/* fall through */
		case SC_STOP:
			if (!dead)
				dead = depth + 1;
			w = 0;
			break;
		case SC_CATCH:
			if (p < end && tag_has_v128(f, p))
				f->wide = true;
			p = skip_leb(p, end);
			/* fall through */
		case SC_ELSE:
			if (dead == depth + 1)
				dead = 0;
			w = WEIGHT(dead, nloops);
			break;
		case SC_DELEGATE:
			p = skip_leb(p, end);
			/* fall through */
		case SC_END:
			if (dead == depth + 1)
				dead = 0;
			if (depth) {
				depth--;
				if (loops[depth] & 1)
					nloops--;
				if (loops[depth] & 2)
					ntry--;
			}
			w = WEIGHT(dead, nloops);
			break;
		default:
			if ((op == OP_BR_TABLE || op == OP_RETURN_CALL_INDIRECT) && !dead)
				dead = depth + 1, w = 0;
			if (op == OP_PREFIX_FD || (op == OP_SELECT_T && select_has_v128(p, end)))
				f->wide = true;
			p = skip_imms(p, end, op);
			break;
		}
	}
	if (loops != loops_small)
		free(loops);
	if (!p) {       /* a body the scan does not understand (the compiling
			   pass rejects it): every local live everywhere */
		for (i = 0; i < f->nlocals; i++)
			f->last_use[i] = UINT32_MAX;
		memset(f->zero, 1, f->nlocals);
	}
	/* a function with a try pins nothing: a handler is reached by a
	   jump from wherever the exception was thrown, and finds every
	   local in its home (eh.c) */
	if (f->ntry_max)
		return true;
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

/* A local is live after a call at position pos when the look-ahead saw
 * an access of it at or after the first position the code after the call
 * can run again: pos itself, or, inside loops, the start of the
 * outermost one (its back edge leads there).  Structured control flow
 * reaches lower positions only through loop back edges. */
static uint32_t pins_live_from(struct fc *f)
{
	for (uint32_t c = 0; c < f->nctls; c++)
		if (f->ctls[c].kind == CTL_LOOP)
			return f->ctls[c].start;
	return pos_now(f);
}

/* local i (pinned) is written: its home no longer holds its value */
void fc_pin_written(struct fc *f, uint32_t i)
{
	for (uint32_t j = 0; j < f->npinned; j++)
		if (f->pinned[j] == i)
			f->pin_synced &= (uint16_t)~(1u << j);
}

/* Before a call: the pinned locals in registers the call clobbers (r11,
 * r10, xmm8-15) that are live after it to their homes, unless a home holds
 * the value already; pin_saved = those to reload after the call. */
void fc_pins_to_homes(struct fc *f)
{
	uint32_t from = pins_live_from(f);

	f->pin_saved = 0;
	for (uint32_t j = 0; j < f->npinned; j++) {
		uint32_t i = f->pinned[j];
		int r = f->pin[i];
		if (pin_survives_calls(f, i) || f->last_use[i] < from)
			continue;
		f->pin_saved |= (uint16_t)(1u << j);
		if (f->pin_synced & (1u << j))
			continue;
		if (is_float(f->ltypes[i]))
			x64_movq_mx(f->a, L(f, i), r);
		else
			x64_mov_mr(f->a, 1, L(f, i), r);
	}
}

/* After a call: the registers fc_pins_to_homes saved from their homes
 * (their homes then hold their values).  In the prologue (prologue =
 * true): the declared locals' registers zeroed (the parameters are
 * already in theirs, driver.c), unless the body sets them before any
 * read. */
void fc_pins_from_homes(struct fc *f, bool prologue)
{
	for (uint32_t j = 0; j < f->npinned; j++) {
		uint32_t i = f->pinned[j];
		int r = f->pin[i];
		if (prologue) {
			if (i < f->nparams || !f->zero[i])
				continue;
			if (is_float(f->ltypes[i]))
				x64_xorps(f->a, r, r);
			else
				x64_alu_rr(f->a, X64_XOR, 0, r, r);
		} else if (!(f->pin_saved & (1u << j))) {
			f->pin_synced &= (uint16_t)~(1u << j);  /* dead: garbage now */
		} else if (is_float(f->ltypes[i])) {
			x64_movq_xm(f->a, r, L(f, i));
		} else {
			x64_mov_rm(f->a, 1, r, L(f, i));
		}
	}
	if (!prologue)
		f->pin_synced |= f->pin_saved;
	f->pin_saved = 0;
}
