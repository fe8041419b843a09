/*
 * driver.c — the single-pass compiler's driver (see fc.h for the whole
 * design): jit_compile over the module (import stubs, each body, the
 * call fixups, the copy into sealed code pages), one function (locals,
 * prologue, the opcode loop and its one big switch, epilogue, trap
 * stubs, label fixups, the frame size patched in), CPU feature detection,
 * and the compiler's error convention (fc_fail: a static message and the
 * wasm offset of the opcode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <cpuid.h>
#include "fc.h"
#include "plat.h"

/* The context offsets the code uses are static-asserted in jit.h (abi.h). */

/* ---- small utilities ------------------------------------------------------ */

__attribute__((noinline)) bool fc_grow_slow(void **p, uint32_t *cap, uint32_t need,
						       size_t elem)
{
	uint32_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > UINT32_MAX / 2)
			return false;
		n *= 2;
	}
	void *q = realloc(*p, (size_t)n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

bool fc_fail(struct fc *f, const char *msg)
{
	if (!f->err) {
		f->err = msg;
		f->err_off = f->op_off;
	}
	return false;
}

/* A failure that is no fault of the module (wasm_error kind RESOURCE). */
static bool fail_resource(struct fc *f, const char *msg)
{
	if (!f->err)
		f->err_resource = true;
	return fc_fail(f, msg);
}

bool fc_oom(struct fc *f)
{
	return fail_resource(f, "out of memory");
}

/* the saved registers back, the caller's frame: rsp at the return
 * address (a return, or a tail call's jump, follows) */
void fc_emit_leave(struct fc *f)
{
	if (f->nsave) {
		x64_lea(f->a, 1, RSP, x64_mem(RBP, -8 * (int32_t)f->nsave));
		for (uint32_t j = f->nsave; j-- > 0;)
			x64_pop(f->a, f->saved[j]);
		x64_pop(f->a, RBP);
	} else {
		x64_leave(f->a);
	}
}

static void emit_return_tail(struct fc *f)
{
	fc_emit_leave(f);
	x64_ret(f->a);
}

/* A return straight from where the results are (the top entries of the
 * value stack: registers, pinned locals, memory, constants) when they go
 * back in registers, without the trip through their slots and the jump
 * to the function's end: floats first (a float constant goes through
 * rax), then rax, rdx (no value lives in those).  False (no code) when
 * the results go through memory. */
bool fc_emit_return_from_stack(struct fc *f)
{
	const struct wasm_functype *ft = f->ft;
	uint32_t base = f->nvals - ft->nresults, ng = 0, nx = 0;

	if (!jit_v1_results_in_regs(ft))
		return false;
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (jit_v1_is_xmm(ft->results[i]))
			fc_load_val(f, &f->vs[base + i], ft->results[i], base + i, (int)nx++);
	for (uint32_t i = 0; i < ft->nresults; i++)
		if (!jit_v1_is_xmm(ft->results[i]))
			fc_load_val(f, &f->vs[base + i], ft->results[i], base + i,
				    ng++ ? RDX : RAX);
	emit_return_tail(f);
	return true;
}

/* results to their wasm ABI v1 places (rax rdx / xmm0 xmm1, or the
 * caller's result area), the saved registers back, return */
void fc_emit_epilogue(struct fc *f)
{
	const struct wasm_functype *ft = f->ft;

	if (jit_v1_results_in_regs(ft)) {
		uint32_t ng = 0, nx = 0;
		for (uint32_t i = 0; i < ft->nresults; i++) {
			if (ft->results[i] == V128)
				x64_movdqu_xm(f->a, (int)nx++, S(f, i));
			else if (is_float(ft->results[i]))
				x64_movq_xm(f->a, (int)nx++, S(f, i));
			else
				ld(f, ng++ ? RDX : RAX, i);
		}
	} else {
		/* value slots (jit.h jit_v1_slot_next): a v128 16 bytes */
		uint32_t off = 0;
		x64_mov_rm(f->a, 1, RCX, RESPTR(f));
		for (uint32_t i = 0; i < ft->nresults; i++) {
			struct x64_mem m = x64_mem(RCX,
				(int32_t)jit_v1_slot_next(&off, ft->results[i]));
			if (ft->results[i] == V128) {
				x64_movdqu_xm(f->a, 0, S(f, i));
				x64_movdqu_mx(f->a, m, 0);
			} else {
				copy(f, m, S(f, i));
			}
		}
	}
	emit_return_tail(f);
}

/* 0xfc: the sub-opcode (its own table in opcodes.h), then its code */
static bool op_fc(struct fc *f)
{
	uint32_t sub;

	if (!rd_u32(f, &sub))
		return false;
	switch (sub) {
	case OPFC_I32_TRUNC_SAT_F32_S ... OPFC_I64_TRUNC_SAT_F64_U:
		return fc_op_trunc_sat(f, sub);
	case OPFC_MEMORY_INIT: return fc_op_memory_init(f);
	case OPFC_DATA_DROP:   return fc_op_data_drop(f);
	case OPFC_MEMORY_COPY: return fc_op_memory_copy(f);
	case OPFC_MEMORY_FILL: return fc_op_memory_fill(f);
	case OPFC_TABLE_INIT:  return fc_op_table_init(f);
	case OPFC_ELEM_DROP:   return fc_op_elem_drop(f);
	case OPFC_TABLE_COPY:  return fc_op_table_copy(f);
	case OPFC_TABLE_GROW:  return fc_op_table_grow(f);
	case OPFC_TABLE_SIZE:  return fc_op_table_size(f);
	case OPFC_TABLE_FILL:  return fc_op_table_fill(f);
	}
	return fc_fail(f, "illegal opcode");
}

/* opcodes whose slot-by-slot code calls out of the function (compiled
 * code, host functions, runtime helpers): every register is lost */
static bool calls_out(struct fc *f, uint8_t op)
{
	uint8_t fl = wasm_opinfo[op].flags;

	return (fl & OPF_CALLS) || ((fl & OPF_CALLS_NOPOPCNT) && !f->jc->popcnt) ||
	       ((fl & OPF_CALLS_NOSSE41) && !f->jc->sse41);
}

/* ---- the opcode loop (the one big switch) ---------------------------------------------- */

static bool compile_op2(struct fc *f, uint8_t op);

static bool compile_op(struct fc *f, uint8_t op)
{
	uint8_t fl = wasm_opinfo[op].flags;

	/* a comparison's flags live only until the next opcode */
	if (f->nvals && f->vs[f->nvals - 1].kind == V_FLAGS && !(fl & OPF_CC))
		fc_to_reg(f, f->nvals - 1);
	/* the most frequent opcodes, without the big switch */
	if (op == OP_LOCAL_GET)
		return fc_op_local_get(f);
	if (op == OP_I32_CONST)
		return fc_op_const(f, op);
	/* opcodes without OPF_KEEPS are compiled slot by slot */
	if (!(fl & OPF_KEEPS))
		fc_flush_all(f);
	if (calls_out(f, op)) {
		bool ok;

		fc_pins_to_homes(f);
		ok = compile_op2(f, op);
		fc_pins_from_homes(f, false);
		return ok;
	}
	return compile_op2(f, op);
}

/* the opcode itself, with the stack flushed unless it has OPF_KEEPS (the
 * one big switch: every case hands over to the opcode's own function) */
static bool compile_op2(struct fc *f, uint8_t op)
{
	switch (op) {
	case OP_UNREACHABLE:
		return fc_op_unreachable(f);
	case OP_NOP:
		return true;
	case OP_BLOCK: case OP_LOOP:
		return fc_op_block(f, op);
	case OP_IF:
		return fc_op_if(f);
	case OP_ELSE:
		return fc_op_else(f);
	case OP_END:
		return fc_op_end(f);
	case OP_BR:
		return fc_op_br(f, false);
	case OP_BR_IF:
		return fc_op_br_if_rd(f);
	case OP_BR_TABLE:
		return fc_op_br_table(f);      /* flushes all but the index */
	case OP_RETURN:
		return fc_op_br(f, true);
	case OP_CALL:
		return fc_op_call(f);
	case OP_CALL_INDIRECT:
		return fc_op_call_indirect(f);
	case OP_RETURN_CALL:
		return fc_op_return_call(f);
	case OP_RETURN_CALL_INDIRECT:
		return fc_op_return_call_indirect(f);
	case OP_TRY:
		return fc_op_try(f);
	case OP_CATCH:
		return fc_op_catch(f, false);
	case OP_CATCH_ALL:
		return fc_op_catch(f, true);
	case OP_DELEGATE:
		return fc_op_delegate(f);
	case OP_THROW:
		return fc_op_throw(f);
	case OP_RETHROW:
		return fc_op_rethrow(f);
	case OP_DROP:
		return fc_pop(f, 0, NULL, NULL);
	case OP_SELECT:
		return fc_op_select(f, false);
	case OP_SELECT_T:
		return fc_op_select(f, true);
	case OP_LOCAL_GET:
		return fc_op_local_get(f);
	case OP_LOCAL_SET: case OP_LOCAL_TEE:
		return fc_op_local(f, op);
	case OP_GLOBAL_GET: case OP_GLOBAL_SET:
		return fc_op_global(f, op);
	case OP_TABLE_GET: case OP_TABLE_SET:
		return fc_op_table_get_set(f, op);
	case OP_I32_LOAD ... OP_I64_STORE32:
		return fc_op_load_store(f, op);
	case OP_MEMORY_SIZE: case OP_MEMORY_GROW:
		return fc_op_memory_size_grow(f, op);
	case OP_I32_CONST ... OP_F64_CONST:
		return fc_op_const(f, op);
	case OP_I32_EQZ ... OP_I64_EXTEND32_S:
		return fc_op_numeric(f, op);
	case OP_REF_NULL:
		return fc_op_ref_null(f);
	case OP_REF_IS_NULL:
		return fc_op_ref_is_null(f);
	case OP_REF_FUNC:
		return fc_op_ref_func(f);
	case OP_PREFIX_FC:
		return op_fc(f);
	case OP_PREFIX_FD:
		return fc_op_simd(f);
	}
	return fc_fail(f, "illegal opcode");
}

/* ---- one function ---------------------------------------------------------------------- */

static bool read_locals(struct fc *f)
{
	uint32_t ngroups, n = 0, total = f->nparams;
	uint8_t t = 0;
	struct wasm_reader save;

	if (!wasm_read_count(&f->r, 2, &ngroups))
		return false;
	save = f->r;
	for (uint32_t g = 0; g < ngroups; g++) {
		if (!rd_u32(f, &n) || !rd_u8(f, &t))
			return false;
		if (n > MAX_LOCALS || total + n > MAX_LOCALS)
			return fc_fail(f, "too many locals");
		total += n;
	}
	if (total > MAX_LOCALS)        /* the parameters alone (no groups) */
		return fc_fail(f, "too many locals");
	if (!grow((void **)&f->ltypes, &f->capltypes, total + 1, 1))
		return fc_oom(f);
	memcpy(f->ltypes, f->ft->params, f->nparams);
	f->r = save;
	f->nlocals = f->nparams;
	for (uint32_t g = 0; g < ngroups; g++) {
		rd_u32(f, &n);
		f->op_off = (uint32_t)wasm_reader_offset(&f->r);
		rd_u8(f, &t);
		if (!is_valtype(t))
			return fc_fail(f, "malformed value type");
		memset(f->ltypes + f->nlocals, t, n);
		f->nlocals += n;
		f->wide |= n && t == V128;
	}
	f->nextra = f->nlocals - f->nparams;
	return true;
}

/* The declared locals' homes to zero; not the pinned ones (their
 * registers are zeroed, and a pinned local's home is only read after a
 * call stored the register there: pins.c), nor those the body sets
 * before it could read them (f->zero, pins.c). */
static void emit_zero_locals(struct fc *f)
{
	uint32_t n = 0;

	for (uint32_t i = f->nparams; i < f->nlocals; i++)
		n += local_reg(f, i) < 0 && f->zero[i];
	if (!n)
		return;
	x64_alu_rr(f->a, X64_XOR, 0, RAX, RAX);
	if (n <= 16) {
		for (uint32_t i = f->nparams; i < f->nlocals; i++)
			if (local_reg(f, i) < 0 && f->zero[i]) {
				struct x64_mem m = L(f, i);
				x64_mov_mr(f->a, 1, m, RAX);
				m.disp += 8;
				if (f->ltypes[i] == V128)
					x64_mov_mr(f->a, 1, m, RAX);
			}
		return;
	}
	x64_lea(f->a, 1, RDI, L(f, f->nlocals - 1));
	x64_mov_ri(f->a, RCX, (uint64_t)f->nextra * ((uint32_t)slot_size(f) / 8));
	x64_rep_stosq(f->a);
}

/* The parameters from their wasm ABI v1 places to their locals: a pinned
 * one to its register, the others to their homes.  An i32 (and an f32)
 * is zero-extended here: its upper half is undefined in v1, and the slot
 * invariant (fc.h) and the memory sandbox need it zero (an address is
 * used 64 bits wide off r15).  The places (rsi..r9, xmm0-7) and the
 * pinned registers (rbx r12 r13 r11 r10, xmm8-15) are disjoint, so the
 * order does not matter. */
static void emit_params(struct fc *f)
{
	struct jit_v1 s;

	jit_v1_start(&s, f->ft);
	for (uint32_t i = 0; i < f->nparams; i++) {
		uint8_t t = f->ltypes[i];
		uint32_t p = jit_v1_next(&s, t);
		bool narrow = t == I32 || t == F32;
		int pr = local_reg(f, i);

		if (t == V128) {        /* never pinned (pins.c) */
			if (p & JIT_V1_STACK) {
				x64_movdqu_xm(f->a, 0, x64_mem(RBP, 16 + 8 * (int32_t)JIT_V1_PLACE(p)));
				x64_movdqu_mx(f->a, L(f, i), 0);
			} else {
				x64_movdqu_mx(f->a, L(f, i), (int)JIT_V1_PLACE(p));
			}
		} else if (p & JIT_V1_STACK) {
			struct x64_mem m = x64_mem(RBP, 16 + 8 * (int32_t)JIT_V1_PLACE(p));
			if (pr >= 0 && is_float(t)) {
				x64_mov_rm(f->a, !narrow, RAX, m);
				x64_movq_xr(f->a, 1, pr, RAX);
			} else if (pr >= 0) {
				x64_mov_rm(f->a, !narrow, pr, m);
			} else {
				x64_mov_rm(f->a, !narrow, RAX, m);
				x64_mov_mr(f->a, 1, L(f, i), RAX);
			}
		} else if (p & JIT_V1_XMM) {
			int x = (int)JIT_V1_PLACE(p);
			if (pr >= 0 && t == F64) {
				x64_movaps_rr(f->a, pr, x);
			} else if (pr >= 0) {
				x64_movq_rx(f->a, 0, RAX, x);   /* movd: the low 32 bits */
				x64_movq_xr(f->a, 1, pr, RAX);
			} else if (t == F64) {
				x64_movq_mx(f->a, L(f, i), x);
			} else {
				struct x64_mem m = L(f, i);
				x64_movd_mx(f->a, m, x);
				m.disp += 4;
				x64_mov_mi(f->a, 0, m, 0);
			}
		} else {
			int r = v1_gpr(p);
			if (pr >= 0) {
				x64_mov_rr(f->a, !narrow, pr, r);   /* i32: zero-extends */
			} else {
				if (narrow)
					x64_mov_rr(f->a, 0, r, r);
				x64_mov_mr(f->a, 1, L(f, i), r);
			}
		}
	}
}

/* the pinned locals' callee-saved registers, and r14/r15 when the body
 * is its own v1 entry (full_entry: the thunk does not save them) */
static void choose_saved(struct fc *f)
{
	static const int8_t callee_saved[] = { RBX, R12, R13 };

	f->nsave = 0;
	/* a function with a try: all of them (a handler is reached from
	   deeper frames whose epilogues did not run: ours restores what
	   our caller had, eh.c) */
	if (f->ntry_max)
		for (size_t j = 0; j < sizeof callee_saved; j++)
			f->saved[f->nsave++] = callee_saved[j];
	for (size_t j = 0; !f->ntry_max && j < sizeof callee_saved; j++)
		for (uint32_t q = 0; q < f->npinned; q++)
			if (f->pin[f->pinned[q]] == callee_saved[j]) {
				f->saved[f->nsave++] = callee_saved[j];
				break;
			}
	if (f->full_entry) {
		f->saved[f->nsave++] = R14;
		f->saved[f->nsave++] = R15;
	}
}

/* Does ft pass parameters on the stack?  Then the function's body is its
 * own v1 entry: a thunk's frame would move them (jit.h). */
static bool has_stack_params(const struct wasm_functype *ft)
{
	return fc_stack_slots(ft) > 0;
}

/* JIT_ENTRY_THUNK bytes: a jump over them (import stubs, bodies that are
 * their own v1 entry) */
static void emit_entry_jump(struct x64_asm *a)
{
	size_t start = a->len, field = x64_jmp_rel32(a, 0);

	while (a->len < start + JIT_ENTRY_THUNK)
		x64_int3(a);
	x64_patch_rel32(a, field, start + JIT_ENTRY_THUNK);
}

/* A function's v1 entry (jit.h): save the caller's r14/r15, set them
 * from rdi, call the body (JIT_ENTRY_THUNK bytes on), restore.  A frame
 * of its own (rbp pushed) so that the rbp chain stays whole; rsp stays
 * 16-byte aligned at the call. */
static bool emit_entry_thunk(struct jc *jc)
{
	struct x64_asm *a = &jc->a;
	size_t start = a->len;

	x64_push(a, RBP);
	x64_mov_rr(a, 1, RBP, RSP);
	x64_push(a, R14);
	x64_push(a, R15);
	x64_mov_rr(a, 1, R14, RDI);
	x64_mov_rm(a, 1, R15, x64_mem(R14, CTX_MEM_BASE));
	size_t field = x64_call_rel32(a, 0);
	x64_patch_rel32(a, field, start + JIT_ENTRY_THUNK);
	x64_pop(a, R15);
	x64_pop(a, R14);
	x64_pop(a, RBP);
	x64_ret(a);
	if (a->len - start > JIT_ENTRY_THUNK)
		return a->oom;
	while (a->len < start + JIT_ENTRY_THUNK)
		x64_int3(a);
	return true;
}

static bool compile_body(struct fc *f)
{
	size_t lea_field, sub_field;
	uint8_t op;

	if (!read_locals(f))
		return false;
	if (!fc_choose_pins(f))         /* a look-ahead: no code (sets wide) */
		return false;
	if (f->ntry_max > MAX_FRAME / REC_SIZE)        /* the records alone */
		return fail_resource(f, "function frame too large");
	if (!fc_simd_types_ok(f, f->ft, "function"))
		return false;
	if (f->wide && !f->jc->sse41)
		return fail_resource(f, "SIMD needs a CPU with SSE4.1 (this CPU, or --cpu, lacks it)");
	choose_saved(f);
	/* prologue (wasm ABI v1); the frame size is patched in when known */
	x64_push(f->a, RBP);
	x64_mov_rr(f->a, 1, RBP, RSP);
	for (uint32_t j = 0; j < f->nsave; j++)
		x64_push(f->a, f->saved[j]);
	/* r14 = ctx and r15 = memory base already (the entry thunk, or a
	   caller of the same instance), unless this is the v1 entry */
	if (f->full_entry)
		x64_mov_rr(f->a, 1, R14, RDI);
	f->a->force_disp32 = true;
	x64_lea(f->a, 1, RAX, x64_mem(RSP, -0x10000000));
	f->a->force_disp32 = false;
	lea_field = f->a->len - 4;
	x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(R14, CTX_STACK_LIMIT));
	f->op_off = f->m->funcs[f->func_index].body_start;
	if (!fc_trap_if(f, X64_CC_B, WASM_TRAP_STACK_EXHAUSTED))
		return false;
	x64_alu_ri(f->a, X64_SUB, 1, RSP, 0x10000000);
	sub_field = f->a->len - 4;
	if (f->full_entry)
		x64_mov_rm(f->a, 1, R15, x64_mem(R14, CTX_MEM_BASE));
	if (!jit_v1_results_in_regs(f->ft))
		x64_mov_mr(f->a, 1, RESPTR(f), RSI);
	emit_params(f);
	emit_zero_locals(f);
	fc_pins_from_homes(f, true);

	struct ctl fn = { .nresults = f->ft->nresults, .results = f->ft->results };
	if (!fc_push_ctl(f, CTL_FUNC, &fn))
		return false;
	while (f->nctls) {
		f->op_off = (uint32_t)wasm_reader_offset(&f->r);
		if (wasm_reader_done(&f->r))
			return fc_fail(f, "END opcode expected");
		if (!rd_u8(f, &op))
			return false;
		f->op = op;
		if (!compile_op(f, op) || !CHECK_STATE(f, false))
			return false;
		if (f->a->oom)
			return fc_oom(f);
	}
	if (!wasm_reader_done(&f->r)) {
		f->op_off = (uint32_t)wasm_reader_offset(&f->r);
		return fc_fail(f, "operators remaining after end of function");
	}
	if (!fc_emit_stubs(f))
		return false;
	for (uint32_t i = 0; i < f->nfixups; i++)
		x64_patch_rel32(f->a, f->fixups[i].field, (size_t)f->labels[f->fixups[i].label]);

	/* below the saved registers: RESPTR, the locals, the operand slots,
	 * the outgoing area; rsp 16-byte aligned after it (rbp is) */
	uint64_t frame = (uint64_t)slot_base(f) - 8ull * f->nsave +
		(uint64_t)slot_size(f) * ((uint64_t)f->nlocals + f->maxvals) + 8ull * f->max_area;
	frame = ((frame + 8ull * f->nsave + 15) & ~15ull) - 8ull * f->nsave;
	if (frame > MAX_FRAME)
		return fail_resource(f, "function frame too large");
	x64_patch_u32(f->a, lea_field, (uint32_t)-(int32_t)frame);
	x64_patch_u32(f->a, sub_field, (uint32_t)frame);
	return true;
}

/* take the kept arrays (fc_keep gives them back) */
static void fc_take(struct fc *f, const struct fc_bufs *b)
{
	f->ltypes = b->ltypes;
	f->capltypes = b->capltypes;
	f->vals = b->vals;
	f->vs = b->vs;
	f->capvals = b->capvals;
	f->pin = b->pin;
	f->score = b->score;
	f->last_use = b->last_use;
	f->zero = b->zero;
	f->cappin = b->cappin;
	f->ctls = b->ctls;
	f->capctls = b->capctls;
	f->labels = b->labels;
	f->caplabels = b->caplabels;
	f->fixups = b->fixups;
	f->capfixups = b->capfixups;
	f->stubs = b->stubs;
	f->capstubs = b->capstubs;
}

static void fc_keep(const struct fc *f, struct fc_bufs *b)
{
	*b = (struct fc_bufs){
		.ltypes = f->ltypes, .vals = f->vals, .vs = f->vs, .pin = f->pin,
		.score = f->score, .last_use = f->last_use, .zero = f->zero,
		.ctls = f->ctls, .labels = f->labels,
		.fixups = f->fixups, .stubs = f->stubs,
		.capltypes = f->capltypes, .capvals = f->capvals, .cappin = f->cappin,
		.capctls = f->capctls, .caplabels = f->caplabels,
		.capfixups = f->capfixups, .capstubs = f->capstubs,
	};
}

static void fc_bufs_free(struct fc_bufs *b)
{
	free(b->ltypes);
	free(b->vals);
	free(b->vs);
	free(b->pin);
	free(b->score);
	free(b->last_use);
	free(b->zero);
	free(b->ctls);
	free(b->labels);
	free(b->fixups);
	free(b->stubs);
	memset(b, 0, sizeof *b);
}

static int compile_func(struct jc *jc, uint32_t idx, bool full_entry,
			struct wasm_error *err)
{
	wasm_module *m = jc->m;
	const struct wasm_func *fn = &m->funcs[idx];
	struct fc f = { .jc = jc, .m = m, .a = &jc->a, .func_index = idx, .dead = NO_DEAD,
			.full_entry = full_entry, .outer_body = -1 };
	bool ok;

	fc_take(&f, jc->keep);
	f.ft = &m->types[fn->type];
	f.nparams = f.ft->nparams;
	wasm_reader_init(&f.r, m->bytes, fn->body_start, fn->body_end);
	f.op_off = fn->body_start;
	ok = compile_body(&f);
	if (!ok) {
		err->section = "code";
		err->kind = WASM_ERR_INVALID;
		if (f.r.err && (!f.err || f.r.err_off <= f.err_off)) {
			err->msg = f.r.err;
			err->offset = f.r.err_off;
		} else {
			err->msg = f.err ? f.err : "compile error";
			err->offset = f.err_off;
			if (f.err_resource)
				err->kind = WASM_ERR_RESOURCE;
		}
		snprintf(err->detail, sizeof(err->detail), "function %u", idx);
	}
	fc_keep(&f, jc->keep);
	return ok ? 0 : -1;
}

/* ---- import stubs --------------------------------------------------------------------- */

/* 8-byte places of n types: a v128 takes two (the host call's area) */
static uint32_t places(const uint8_t *types, uint32_t n)
{
	uint32_t k = n;

	for (uint32_t i = 0; i < n; i++)
		k += types[i] == V128;
	return k;
}

/* An import's stub, a wasm ABI v1 function of the importing instance
 * (rdi = its ctx): the arguments from their v1 places to an area of
 * 8-byte places on its frame (a v128 two, low half first, moving the
 * later ones by one), jit_host_call(ctx, idx, area), the results from
 * the area (the same places) to their v1 places. */

static void emit_import_stub(struct jc *jc, uint32_t idx)
{
	struct x64_asm *a = &jc->a;
	const struct wasm_functype *ft = &jc->m->types[jc->m->funcs[idx].type];
	uint32_t np = places(ft->params, ft->nparams), nr = places(ft->results, ft->nresults);
	uint32_t n = np > nr ? np : nr, j = 0;
	bool in_regs = jit_v1_results_in_regs(ft);
	struct jit_v1 s;

	emit_entry_jump(a);     /* the entry and the in-instance entry agree */
	x64_push(a, RBP);
	x64_mov_rr(a, 1, RBP, RSP);
	/* the area (8-byte places, a v128 two: low half first, jit_host_call),
	   then the results pointer at [rsp + 8n] */
	x64_alu_ri(a, X64_SUB, 1, RSP, (int32_t)((8 * (n + 1) + 15) & ~15u));
	jit_v1_start(&s, ft);
	for (uint32_t i = 0; i < ft->nparams; i++, j++) {
		uint32_t p = jit_v1_next(&s, ft->params[i]);
		struct x64_mem m = x64_mem(RSP, 8 * (int32_t)j);
		bool v = ft->params[i] == V128;

		if (p & JIT_V1_STACK) {
			int32_t at = 16 + 8 * (int32_t)JIT_V1_PLACE(p);
			x64_mov_rm(a, 1, RAX, x64_mem(RBP, at));
			x64_mov_mr(a, 1, m, RAX);
			if (v) {
				x64_mov_rm(a, 1, RAX, x64_mem(RBP, at + 8));
				x64_mov_mr(a, 1, x64_mem(RSP, 8 * (int32_t)++j), RAX);
			}
		} else if (p & JIT_V1_XMM) {
			if (v)
				x64_movdqu_mx(a, m, (int)JIT_V1_PLACE(p)), j++;
			else
				x64_movq_mx(a, m, (int)JIT_V1_PLACE(p));
		} else {
			x64_mov_mr(a, 1, m, v1_gpr(p));   /* jit_host_call canonicalises */
		}
	}
	if (!in_regs)
		x64_mov_mr(a, 1, x64_mem(RSP, 8 * (int32_t)n), RSI);
	x64_mov_ri(a, RSI, idx);
	x64_mov_rr(a, 1, RDX, RSP);
	x64_call_m(a, x64_mem(RDI, CTX_HOST_CALL));
	if (in_regs) {
		uint32_t ng = 0, nx = 0;
		for (uint32_t i = 0, k = 0; i < ft->nresults; i++, k++) {
			struct x64_mem m = x64_mem(RSP, 8 * (int32_t)k);
			if (ft->results[i] == V128)
				x64_movdqu_xm(a, (int)nx++, m), k++;
			else if (is_float(ft->results[i]))
				x64_movq_xm(a, (int)nx++, m);
			else
				x64_mov_rm(a, 1, ng++ ? RDX : RAX, m);
		}
	} else {
		/* to the caller's value slots (jit.h jit_v1_slot_next) */
		uint32_t off = 0;
		x64_mov_rm(a, 1, RCX, x64_mem(RSP, 8 * (int32_t)n));
		for (uint32_t i = 0, k = 0; i < ft->nresults; i++, k++) {
			int32_t at = (int32_t)jit_v1_slot_next(&off, ft->results[i]);
			x64_mov_rm(a, 1, RAX, x64_mem(RSP, 8 * (int32_t)k));
			x64_mov_mr(a, 1, x64_mem(RCX, at), RAX);
			if (ft->results[i] == V128) {
				x64_mov_rm(a, 1, RAX, x64_mem(RSP, 8 * (int32_t)++k));
				x64_mov_mr(a, 1, x64_mem(RCX, at + 8), RAX);
			}
		}
	}
	x64_leave(a);
	x64_ret(a);
}

/* ---- the module -------------------------------------------------------------------------- */

/* CPUID once per process: in a virtual machine every CPUID instruction
 * exits to the hypervisor (microseconds), too slow to repeat per module.
 * Racing first calls store the same value.  A CPU without LZCNT or BMI1
 * runs lzcnt/tzcnt as bsr/bsf (the F3 prefix is ignored), so the flags
 * must be checked, not assumed. */
#define CPU_KNOWN 0x80000000u
static unsigned int cpu_disabled;       /* jit_cpu_disable */

/* AVX is usable when the CPU has it (CPUID 1 ECX.28) and the OS saves
 * its state: OSXSAVE (ECX.27: CR4.OSXSAVE, XGETBV allowed) and XCR0 with
 * the SSE and AVX state components (bits 1, 2) enabled (Intel SDM Vol. 1
 * §14.3).  The kernel enables them itself (kernel/entry.S); a hosted
 * process has whatever its OS chose.  Only with SSE4.1 too: the VEX
 * forms replace SSE4.1 code, never a fallback of it. */
static bool avx_usable(unsigned int bits)
{
	unsigned int eax, ebx, ecx, edx, xcr0_lo, xcr0_hi;

	if (!(bits & JIT_CPU_SSE41) || !__get_cpuid(1, &eax, &ebx, &ecx, &edx) ||
	    !(ecx & (1u << 28)) || !(ecx & (1u << 27)))
		return false;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	(void)xcr0_hi;
	return (xcr0_lo & 6u) == 6u;
}

static unsigned int cpu_detect(void)
{
	static volatile unsigned int known;     /* 0 = not yet, else CPU_KNOWN | bits */
	unsigned int eax, ebx, ecx, edx, bits = CPU_KNOWN;

	if (!known) {
		if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
			/* SSE4.1 (19) with SSE3 (0) and SSSE3 (9), which
			   LLVM's sse4.1 implies: a virtual CPU may be given
			   one without the others */
			if ((ecx & (1u << 19)) && (ecx & (1u << 9)) && (ecx & 1u))
				bits |= JIT_CPU_SSE41;
			if (ecx & (1u << 23))
				bits |= JIT_CPU_POPCNT;
		}
		if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5)))
			bits |= JIT_CPU_LZCNT;
		if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 3)))
			bits |= JIT_CPU_BMI1;
		if (avx_usable(bits)) {
			bits |= JIT_CPU_AVX;
			if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 5)))
				bits |= JIT_CPU_AVX2;
		}
		known = bits;
	}
	return known & ~CPU_KNOWN;
}

unsigned int jit_cpu_features(void)
{
	return cpu_detect() & ~cpu_disabled;
}

void jit_cpu_disable(unsigned int mask)
{
	cpu_disabled = mask;
}

static void detect_cpu(struct jc *jc)
{
	unsigned int cpu = jit_cpu_features();

	jc->sse41 = cpu & JIT_CPU_SSE41;
	jc->popcnt = cpu & JIT_CPU_POPCNT;
	jc->lzcnt = cpu & JIT_CPU_LZCNT;
	jc->tzcnt = cpu & JIT_CPU_BMI1;
	/* (a --cpu list may name avx without sse4.1: VEX only with it) */
	jc->avx = (cpu & JIT_CPU_AVX) && jc->sse41;
	jc->avx2 = (cpu & JIT_CPU_AVX2) && jc->avx;
}

/* A failure to allocate or seal the code: the module is not at fault. */
static int set_err(struct wasm_error *err, const char *msg)
{
	wasm_error_resource(err, msg, "code", NULL);
	return -1;
}

void jit_code_free(struct jit_code *c)
{
	if (!c)
		return;
	if (c->base)
		plat_code_free(c->base, c->size);
	free(c->func_offsets);
	free(c->func_ends);
	free(c->map);
	free(c);
}

/* The tail-call adapter (control.c "Tail calls", docs/abi.md): after
 * the last function, outside every function's range (the backtrace walk
 * passes over it, trap.c).  A callee whose return address is this finds
 * K stack-argument slots above it, then the frame record (saved rbp,
 * return address) of the function that built the adapter: drop them,
 * take that frame's rbp back, return to its caller. */
static void emit_tail_adapter(struct jc *jc)
{
	x64_alu_ri(&jc->a, X64_ADD, 1, RSP, (int32_t)(8 * jc->tail_slots));
	x64_pop(&jc->a, RBP);
	x64_ret(&jc->a);
}

/* K: the most stack-argument slots any type of the module needs, even
 * (the adapter frame keeps rsp 16-byte aligned at every entry), at most
 * what a frame may hold (a larger one fails as "function frame too
 * large" where it would be built) */
static uint32_t tail_slots(const wasm_module *m)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < m->ntypes; i++) {
		uint32_t n = fc_stack_slots(&m->types[i]);
		k = n > k ? n : k;
	}
	k = k < MAX_FRAME / 8 ? k : MAX_FRAME / 8;
	return (k + 1) & ~1u;
}

static int finish(struct jc *jc, struct jit_code **out, struct wasm_error *err)
{
	struct jit_code *c = calloc(1, sizeof(*c));

	if (!c)
		return set_err(err, "out of memory");
	size_t adapter = 0;

	if (jc->adapter) {
		x64_int3(&jc->a);       /* its address - 1 is in no function */
		adapter = jc->a.len;
		emit_tail_adapter(jc);
	}
	for (uint32_t i = 0; i < jc->ncalls; i++) {
		const struct call_fixup *cf = &jc->calls[i];
		size_t to = cf->kind == CALL_ADAPTER ? adapter : jc->offs[cf->func] +
			    (cf->kind == CALL_BODY ? JIT_ENTRY_THUNK : 0);
		x64_patch_rel32(&jc->a, cf->field, to);
	}
	if (jc->a.oom) {
		free(c);
		return set_err(err, "out of memory");
	}
	c->size = jc->a.len ? jc->a.len : 1;
	c->base = plat_code_alloc(c->size);
	if (!c->base) {
		free(c);
		return set_err(err, "out of memory (code)");
	}
	memcpy(c->base, jc->a.buf, jc->a.len);
	if (plat_code_seal(c->base, c->size) != 0) {
		plat_code_free(c->base, c->size);
		free(c);
		return set_err(err, "cannot seal code pages");
	}
	c->backend = JIT_BACKEND_SINGLE;
	c->nfuncs = jc->m->nfuncs;
	c->func_offsets = jc->offs;
	c->func_ends = jc->ends;
	c->nmap = jc->nmap;
	c->map = jc->map;
	/* issue 9 artifacts: the CPU features this code may use */
	c->cpu = (jc->sse41 ? JIT_CPU_SSE41 : 0u) | (jc->popcnt ? JIT_CPU_POPCNT : 0u) |
		 (jc->lzcnt ? JIT_CPU_LZCNT : 0u) | (jc->tzcnt ? JIT_CPU_BMI1 : 0u) |
		 (jc->avx ? JIT_CPU_AVX : 0u) | (jc->avx2 ? JIT_CPU_AVX2 : 0u);
	jc->offs = jc->ends = NULL;
	jc->map = NULL;
	*out = c;
	return 0;
}

int jit_compile(wasm_module *m, struct jit_code **out, struct wasm_error *err)
{
	struct fc_bufs keep = { 0 };
	struct jc jc = { .m = m, .keep = &keep };
	uint32_t n = m->nfuncs;
	int rc = 0;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	x64_init(&jc.a);
	detect_cpu(&jc);
	jc.tail_slots = tail_slots(m);
	for (uint32_t i = 0; i < m->ntypes; i++)
		jc.any_v128 |= fc_type_has_v128(&m->types[i]);
	for (uint32_t i = 0; i < m->nglobals; i++)
		jc.any_v128 |= m->globals[i].type == WASM_V128;
	jc.offs = calloc(n ? n : 1, sizeof(uint32_t));
	jc.ends = calloc(n ? n : 1, sizeof(uint32_t));
	if (!jc.offs || !jc.ends) {
		rc = set_err(err, "out of memory");
		goto out;
	}
	/* the code is about 2.5 bytes per byte of wasm: one buffer up front */
	uint64_t body_bytes = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!m->funcs[i].imported)
			body_bytes += m->funcs[i].body_end - m->funcs[i].body_start;
	if (body_bytes < (1u << 28)) {
		x64_presize(&jc.a, 3 * body_bytes + 32 * (uint64_t)n + 4096);
		/* a srcmap entry per ~20 bytes of wasm, fewer calls (hints) */
		grow((void **)&jc.map, &jc.capmap, (uint32_t)(body_bytes / 16 + 16),
		     sizeof *jc.map);
		grow((void **)&jc.calls, &jc.capcalls, (uint32_t)(body_bytes / 32 + 16),
		     sizeof *jc.calls);
	}
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		x64_align(&jc.a, 16);
		jc.offs[i] = (uint32_t)jc.a.len;
		if (m->funcs[i].imported) {
			emit_import_stub(&jc, i);
		} else if (has_stack_params(&m->types[m->funcs[i].type])) {
			emit_entry_jump(&jc.a);         /* the body is the v1 entry */
			rc = compile_func(&jc, i, true, err);
		} else if (!emit_entry_thunk(&jc)) {
			rc = set_err(err, "entry thunk of the wrong size (compiler bug)");
		} else {
			rc = compile_func(&jc, i, false, err);
		}
		jc.ends[i] = (uint32_t)jc.a.len;
		if (jc.a.len > 0x7fffffffu)
			rc = set_err(err, "code too large");
	}
	if (rc == 0)
		rc = finish(&jc, out, err);
out:
	free(jc.offs);
	free(jc.ends);
	free(jc.map);
	free(jc.calls);
	fc_bufs_free(&keep);
	x64_free(&jc.a);
	return rc;
}

/* Import stubs alone, for another backend's code (host/llvm/llvm_code.c),
 * which calls imports through their funcrefs as single-pass code does: the
 * stub of import i at [offs[i], ends[i]) of *buf, 16-byte aligned, the
 * imports in index order from offset 0.  0 with *buf malloc'd (*len may be
 * 0), or -1 with err. */
int jit_import_stubs(wasm_module *m, uint8_t **buf, size_t *len, uint32_t *offs,
		     uint32_t *ends, struct wasm_error *err)
{
	struct jc jc = { .m = m };

	memset(err, 0, sizeof(*err));
	*buf = NULL;
	*len = 0;
	x64_init(&jc.a);
	for (uint32_t i = 0; i < m->nimported_funcs; i++) {
		x64_align(&jc.a, 16);
		offs[i] = (uint32_t)jc.a.len;
		emit_import_stub(&jc, i);
		ends[i] = (uint32_t)jc.a.len;
	}
	if (jc.a.oom || !(*buf = malloc(jc.a.len ? jc.a.len : 1))) {
		x64_free(&jc.a);
		return set_err(err, "out of memory");
	}
	if (jc.a.len)   /* no imports: no buffer to copy from (memcpy's NULL is UB) */
		memcpy(*buf, jc.a.buf, jc.a.len);
	*len = jc.a.len;
	x64_free(&jc.a);
	return 0;
}
