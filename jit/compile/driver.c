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

/* results: 0 in rax/xmm0, 1.. into the caller's call area (jit.h) */
void fc_emit_epilogue(struct fc *f)
{
	const struct wasm_functype *ft = f->ft;

	for (uint32_t i = 1; i < ft->nresults; i++)
		copy(f, x64_mem(RBP, 16 + 8 * (int32_t)i), S(f, i));
	if (ft->nresults) {
		ld(f, RAX, 0);
		if (is_float(ft->results[0]))
			x64_movq_xr(f->a, 1, 0, RAX);
	}
	x64_leave(f->a);
	x64_ret(f->a);
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
		return fc_op_br_table(f);      /* after flush_all */
	case OP_RETURN:
		return fc_op_br(f, true);
	case OP_CALL:
		return fc_op_call(f);
	case OP_CALL_INDIRECT:
		return fc_op_call_indirect(f);
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
		return fc_fail(f, "SIMD not supported yet");
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
	}
	f->nextra = f->nlocals - f->nparams;
	return true;
}

static void emit_zero_locals(struct fc *f)
{
	if (!f->nextra)
		return;
	x64_alu_rr(f->a, X64_XOR, 0, RAX, RAX);
	if (f->nextra <= 16) {
		for (uint32_t j = 0; j < f->nextra; j++)
			x64_mov_mr(f->a, 1, L(f, f->nparams + j), RAX);
		return;
	}
	x64_lea(f->a, 1, RDI, L(f, f->nlocals - 1));
	x64_mov_ri(f->a, RCX, f->nextra);
	x64_rep_stosq(f->a);
}

static bool compile_body(struct fc *f)
{
	size_t lea_field, sub_field;
	uint8_t op;

	if (!read_locals(f))
		return false;
	/* prologue; the frame size is patched in when it is known */
	x64_push(f->a, RBP);
	x64_mov_rr(f->a, 1, RBP, RSP);
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
	emit_zero_locals(f);
	if (!fc_choose_pins(f))
		return false;
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

	uint64_t frame = 8ull * ((uint64_t)f->nextra + f->maxvals + f->max_area);
	frame = (frame + 15) & ~15ull;
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
		.score = f->score, .ctls = f->ctls, .labels = f->labels,
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
	free(b->ctls);
	free(b->labels);
	free(b->fixups);
	free(b->stubs);
	memset(b, 0, sizeof *b);
}

static int compile_func(struct jc *jc, uint32_t idx, struct wasm_error *err)
{
	wasm_module *m = jc->m;
	const struct wasm_func *fn = &m->funcs[idx];
	struct fc f = { .jc = jc, .m = m, .a = &jc->a, .func_index = idx, .dead = NO_DEAD };
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

/* push rbp; mov rbp, rsp; jit_host_call(ctx, idx, &area); pop rbp; ret */
static void emit_import_stub(struct jc *jc, uint32_t idx)
{
	struct x64_asm *a = &jc->a;
	const struct wasm_functype *ft = &jc->m->types[jc->m->funcs[idx].type];

	x64_push(a, RBP);
	x64_mov_rr(a, 1, RBP, RSP);
	x64_mov_rr(a, 1, RDI, R14);
	x64_mov_ri(a, RSI, idx);
	x64_lea(a, 1, RDX, x64_mem(RBP, 16));
	x64_call_m(a, x64_mem(R14, CTX_HOST_CALL));
	if (ft->nresults && is_float(ft->results[0]))
		x64_movq_xr(a, 1, 0, RAX);
	x64_pop(a, RBP);
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

static unsigned int cpu_detect(void)
{
	static volatile unsigned int known;     /* 0 = not yet, else CPU_KNOWN | bits */
	unsigned int eax, ebx, ecx, edx, bits = CPU_KNOWN;

	if (!known) {
		if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
			if (ecx & (1u << 19))
				bits |= JIT_CPU_SSE41;
			if (ecx & (1u << 23))
				bits |= JIT_CPU_POPCNT;
		}
		if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5)))
			bits |= JIT_CPU_LZCNT;
		if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & (1u << 3)))
			bits |= JIT_CPU_BMI1;
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

static int finish(struct jc *jc, struct jit_code **out, struct wasm_error *err)
{
	struct jit_code *c = calloc(1, sizeof(*c));

	if (!c)
		return set_err(err, "out of memory");
	for (uint32_t i = 0; i < jc->ncalls; i++)
		x64_patch_rel32(&jc->a, jc->calls[i].field, jc->offs[jc->calls[i].func]);
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
	c->nfuncs = jc->m->nfuncs;
	c->func_offsets = jc->offs;
	c->func_ends = jc->ends;
	c->nmap = jc->nmap;
	c->map = jc->map;
	/* issue 9 artifacts: the CPU features this code may use */
	c->cpu = (jc->sse41 ? JIT_CPU_SSE41 : 0u) | (jc->popcnt ? JIT_CPU_POPCNT : 0u) |
		 (jc->lzcnt ? JIT_CPU_LZCNT : 0u) | (jc->tzcnt ? JIT_CPU_BMI1 : 0u);
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
		if (m->funcs[i].imported)
			emit_import_stub(&jc, i);
		else
			rc = compile_func(&jc, i, err);
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
