/*
 * compile.c — validate and compile every function body to x86-64 in one
 * pass (WebAssembly Core spec 2.0 §3.3 "Instructions" validation algorithm,
 * appendix A.3; binary format §5.4), with register allocation of the value
 * stack in the manner of V8 Liftoff / Wasmtime Winch (DESIGN.md §6):
 *
 *   - each operand-stack entry has a location (struct vloc): its slot, a
 *     register, a constant, a local, or the flags of a comparison; values
 *     are materialised only when an instruction needs them, constants
 *     become immediates, memory operands are used in place;
 *   - comparisons feed br_if / if / select / eqz as cmp + jcc/cmov;
 *   - loads and stores are one instruction off r15 with the offset folded;
 *   - the most used locals (look-ahead count weighted by loop depth) live
 *     in registers for the whole function ("pinned"), saved around calls;
 *   - at calls, block/loop/if entries, ends, and branches everything else
 *     goes to the fixed slot layout below, so every merge sees that layout;
 *   - opcodes without a register form (no OPF_KEEPS in opcodes.h) first
 *     flush the stack and run the slot-by-slot code of the walking skeleton.
 *
 *   jit_compile: import stubs -> each body: prologue, look-ahead scan
 *   (choose_pins), opcodes, epilogue, trap stubs, label fixups -> call
 *   fixups -> copy into code pages, seal RX.
 *
 * Optional instructions (LZCNT, TZCNT, POPCNT, ROUNDSS/SD) are used when
 * CPUID reports them (detect_cpu, once per process), else bsr/bsf with the
 * zero case handled and jit_rt calls; jit_cpu_disable (jit.h) forces the
 * fallbacks for tests.
 *
 * Per-opcode facts (immediates, flags, numeric signatures, names) come
 * from the one table in opcodes.h.  Compile speed: one pass plus the
 * look-ahead, each instruction emitted with one capacity check (x64/asm.h),
 * LEB128 immediates read inline when they are one byte (leb.h), and the
 * per-function arrays kept from one function to the next (struct fc_bufs);
 * bench/compile_speed measures it.  Debug builds (make JIT_DEBUG=1) check
 * the value-stack and register invariants after every opcode and at every
 * block boundary (check_state).
 *
 * Frame of a compiled function ("wasm ABI v0", jit.h):
 *
 *     [rbp + 16 + 8*i]   parameter i (the caller's call area)
 *     [rbp + 8]          return address
 *     [rbp]              caller's rbp
 *     [rbp - 8 - 8*j]    declared local j (zeroed by the prologue)
 *     [rbp - 8 - 8*(nextra + k)]  operand stack slot k
 *     [rsp + 8*i]        outgoing call area (max over the call sites)
 *
 * Slot invariant: every slot holds a 64-bit value; i32 and f32 values are
 * zero-extended.  So every copy (locals, branches, call arguments) is one
 * 64-bit move, and reinterpret/extend_u are free.
 *
 * Control (multi-value): each block has a label; forward branches are
 * rel32 fixups resolved at the end of the function.  A block's params sit
 * in the slots from its height (the stack height below them) up, and its
 * results end up in the same slots: a branch copies the values it carries
 * from the top of the stack down to the target's height (params for a
 * loop, results otherwise).  The false path of an `if` jumps over the then
 * arm, so it finds the params untouched.  Function results: 0 in rax/xmm0,
 * 1.. into the caller's call area (jit.h); calls push them back the same way.
 *
 * References (jit.h): a funcref is a struct jit_funcref * (ref.func loads
 * ctx->funcrefs[x]), an externref an opaque 64-bit value, null = 0.  Tables
 * are reached through ctx->tables[x]; table.get/set/size and call_indirect
 * are inline, the rest calls struct jit_rt helpers through ctx->rt (no C
 * addresses in the code), which return 0 or a trap code.
 *
 * Traps: the check jumps to an out-of-line stub at the end of the function
 * (mov esi, code; call [r14 + CTX_TRAP]); every stub, call and memory
 * access gets a srcmap entry (code offset -> wasm byte offset).
 * Memory accesses have no bounds checks (8 GiB reservation, DESIGN.md §2);
 * the bulk instructions check their whole range first (spec 2.0: a range
 * past the end traps even when empty, and nothing is written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <cpuid.h>
#include "jit.h"
#include "leb.h"
#include "opcodes.h"
#include "plat.h"
#include "x64/asm.h"

_Static_assert(offsetof(struct jit_ctx, mem_base) == CTX_MEM_BASE, "ctx");
_Static_assert(offsetof(struct jit_ctx, mem_size) == CTX_MEM_SIZE, "ctx");
_Static_assert(offsetof(struct jit_ctx, stack_limit) == CTX_STACK_LIMIT, "ctx");
_Static_assert(offsetof(struct jit_ctx, entry_rsp) == CTX_ENTRY_RSP, "ctx");
_Static_assert(offsetof(struct jit_ctx, funcs) == CTX_FUNCS, "ctx");
_Static_assert(offsetof(struct jit_ctx, globals) == CTX_GLOBALS, "ctx");
_Static_assert(offsetof(struct jit_ctx, tables) == CTX_TABLES, "ctx");
_Static_assert(offsetof(struct jit_ctx, host_call) == CTX_HOST_CALL, "ctx");
_Static_assert(offsetof(struct jit_ctx, trap) == CTX_TRAP, "ctx");
_Static_assert(offsetof(struct jit_ctx, mem_grow) == CTX_MEM_GROW, "ctx");
_Static_assert(offsetof(struct jit_ctx, inst) == CTX_INST, "ctx");
_Static_assert(offsetof(struct jit_ctx, mem_pages) == CTX_MEM_PAGES, "ctx");
_Static_assert(offsetof(struct jit_ctx, funcrefs) == CTX_FUNCREFS, "ctx");
_Static_assert(offsetof(struct jit_ctx, rt) == CTX_RT, "ctx");

#define MAX_LOCALS 50000u
#define MAX_FRAME  (64u << 20)
#define PIN_MAX    12           /* pinned locals: 4 general + 8 xmm registers */

/* registers (short names inside this file) */
enum { RAX = X64_RAX, RCX = X64_RCX, RDX = X64_RDX, RSP = X64_RSP, RBP = X64_RBP,
       RSI = X64_RSI, RDI = X64_RDI, R14 = X64_R14, R15 = X64_R15 };

#define I32 WASM_I32
#define I64 WASM_I64
#define F32 WASM_F32
#define F64 WASM_F64

/* Per opcode, from the one table (opcodes.h): its name, the kind of its
 * immediates, compiler flags, and for the plain numeric opcodes
 * 0x45..0xc4 the signature: operand a, operand b (0 = unary), result. */
static const struct opinfo {
	const char *name;
	uint8_t imm, flags;
	uint8_t sig[3];
} opinfo[256] = {
#define X(code, name, imm, flags, a, b, r) [code] = { name, OPI_##imm, flags, { a, b, r } },
	WASM_OPCODES(X)
#undef X
};

/* 0xfc 0..7: i32/i64.trunc_sat_f32/f64_s/u */
static const uint8_t satsig[8][2] = {
	{F32, I32}, {F32, I32}, {F64, I32}, {F64, I32},
	{F32, I64}, {F32, I64}, {F64, I64}, {F64, I64},
};

enum ctl_kind { CTL_FUNC, CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_ELSE };

/* A control frame (spec appendix A.3 ctrl_frame).  Its params sit in
 * slots height.., and its results end up there. */
struct ctl {
	uint8_t kind;
	bool unreachable;
	uint32_t height;        /* operand stack height below the params */
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
	uint32_t label;         /* branch target: end (block/if/func), start (loop) */
	uint32_t else_label;    /* if: where the false condition jumps */
};

/*
 * Where an operand-stack value is (the register allocation of the value
 * stack, DESIGN.md decision 6).  Entry k is either in its own slot S(k)
 * (V_STK, the fixed layout every merge point uses), in a register it owns
 * (V_REG: general purpose for i32/i64/refs, xmm for f32/f64; i32 values
 * zero-extended as in slots), a constant not yet materialised (V_IMM, raw
 * bits), the current value of a local (V_LOCAL: materialised before that
 * local is written), or the result of the comparison just emitted
 * (V_FLAGS: condition code `cc` in EFLAGS; only ever the top entry, and
 * only until the next opcode, which consumes or materialises it).
 */
enum { V_STK, V_REG, V_IMM, V_LOCAL, V_FLAGS };
struct vloc {
	uint8_t kind;
	int8_t reg;
	uint8_t cc;
	uint32_t local;
	uint64_t imm;
};

struct fixup { uint32_t field, label; };
/* idx_reg >= 0: the register holding the element index the trap names */
struct stub { uint32_t field, wasm_off; uint8_t code; int8_t idx_reg; };
_Static_assert(WASM_TRAP__COUNT <= 0xff, "trap codes fit jit_trap's low byte");
#define TRAP_FROM_EAX 0xff      /* stub code: the trap code is in eax */
struct call_fixup { uint32_t field, func; };

/* Module-wide state. */
struct jc {
	wasm_module *m;
	struct x64_asm a;
	struct jit_srcmap *map;
	uint32_t nmap, capmap;
	struct call_fixup *calls;
	uint32_t ncalls, capcalls;
	uint32_t *offs, *ends;
	bool sse41, popcnt, lzcnt, tzcnt;    /* CPU features used (JIT_CPU_*) */
	struct fc_bufs *keep;   /* struct fc's arrays, reused by the next function */
};

/* The growable arrays of one function's compilation (struct fc), kept from
 * one function to the next so that a module costs a few mallocs, not a few
 * per function.  Contents are dead between functions; only the storage
 * and capacities carry over. */
struct fc_bufs {
	uint8_t *ltypes, *vals;
	struct vloc *vs;
	int8_t *pin;
	uint32_t *score;
	struct ctl *ctls;
	int32_t *labels;
	struct fixup *fixups;
	struct stub *stubs;
	uint32_t capltypes, capvals, cappin, capctls, caplabels, capfixups, capstubs;
};

/* One function being compiled. */
struct fc {
	struct jc *jc;
	wasm_module *m;
	struct x64_asm *a;
	struct wasm_reader r;
	uint32_t func_index;
	const struct wasm_functype *ft;
	uint32_t nparams, nlocals, nextra;
	uint8_t *ltypes;                /* nlocals */
	uint32_t capltypes;
	uint32_t *score;                /* choose_pins' counts (cappin) */
	uint32_t cappin;
	uint8_t *vals;                  /* operand type stack, 0 = unknown */
	uint32_t nvals, capvals, maxvals;
	struct vloc *vs;                /* where each operand is (nvals; capvals) */
	uint16_t gpr_used, xmm_used;    /* bit per register held by a V_REG */
	int8_t *pin;                    /* per local: its register, or -1 */
	uint32_t pinned[PIN_MAX];       /* the pinned locals, ascending */
	uint32_t npinned;
	struct ctl *ctls;
	uint32_t nctls, capctls;
	int32_t *labels;                /* code offset, -1 = unbound */
	uint32_t nlabels, caplabels;
	struct fixup *fixups;
	uint32_t nfixups, capfixups;
	struct stub *stubs;
	uint32_t nstubs, capstubs;
	uint32_t max_area;
	uint32_t op_off;                /* wasm offset of the current opcode */
	uint8_t op;                     /* the current opcode (for messages) */
	const char *err;
	size_t err_off;
	bool err_resource;              /* err is ours (memory, a limit), not the module's */
};

/* ---- small utilities ------------------------------------------------------ */

static __attribute__((noinline)) bool grow_slow(void **p, uint32_t *cap, uint32_t need,
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

/* make room for need elements of size elem in *p (capacity *cap) */
static inline bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (__builtin_expect(need <= *cap, 1))
		return true;
	return grow_slow(p, cap, need, elem);
}

#define PUSH(f, arr, n, cap, val) \
	(grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))) ? ((arr)[(n)++] = (val), true) : false)

static bool fail(struct fc *f, const char *msg)
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
	return fail(f, msg);
}

static bool oom(struct fc *f)
{
	return fail_resource(f, "out of memory");
}

static inline bool is_num(uint8_t t)
{
	return t == I32 || t == I64 || t == F32 || t == F64;
}

static bool is_valtype(uint8_t t)
{
	return is_num(t) || t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static inline bool is_float(uint8_t t)
{
	return t == F32 || t == F64;
}

static inline bool srcmap(struct fc *f, uint32_t wasm_off)
{
	struct jc *jc = f->jc;
	struct jit_srcmap e = { (uint32_t)f->a->len, wasm_off };

	if (jc->nmap && jc->map[jc->nmap - 1].code_off == e.code_off)
		jc->map[jc->nmap - 1] = e;
	else if (!PUSH(f, jc->map, jc->nmap, jc->capmap, e))
		return oom(f);
	return true;
}

/* ---- slots ---------------------------------------------------------------- */

static inline struct x64_mem S(struct fc *f, uint32_t k)
{
	return x64_mem(RBP, -8 * (int32_t)(1 + f->nextra + k));
}

static inline struct x64_mem L(struct fc *f, uint32_t i)
{
	if (i < f->nparams)
		return x64_mem(RBP, 16 + 8 * (int32_t)i);
	return x64_mem(RBP, -8 * (int32_t)(1 + i - f->nparams));
}

static struct x64_mem AREA(uint32_t i)
{
	return x64_mem(RSP, 8 * (int32_t)i);
}

static void ld(struct fc *f, int reg, uint32_t k)
{
	x64_mov_rm(f->a, 1, reg, S(f, k));
}

static void st(struct fc *f, uint32_t k, int reg)
{
	x64_mov_mr(f->a, 1, S(f, k), reg);
}

static void copy(struct fc *f, struct x64_mem dst, struct x64_mem src)
{
	x64_mov_rm(f->a, 1, RAX, src);
	x64_mov_mr(f->a, 1, dst, RAX);
}

/* xmm <- slot k (f32: low 32 bits, f64: 64 bits) */
static void ldx(struct fc *f, int dbl, int xmm, uint32_t k)
{
	if (dbl)
		x64_movq_xm(f->a, xmm, S(f, k));
	else
		x64_movd_xm(f->a, xmm, S(f, k));
}

/* slot k <- xmm0 (f32 zero-extended) */
static void stx(struct fc *f, int dbl, uint32_t k)
{
	if (dbl) {
		x64_movq_mx(f->a, S(f, k), 0);
	} else {
		x64_movq_rx(f->a, 0, RAX, 0);
		st(f, k, RAX);
	}
}

/* xmm <- constant bits */
static void ldx_const(struct fc *f, int dbl, int xmm, uint64_t bits)
{
	x64_mov_ri(f->a, RAX, bits);
	x64_movq_xr(f->a, dbl, xmm, RAX);
}

/* ---- operand type stack -------------------------------------------------- */

static inline void free_vloc(struct fc *f, const struct vloc *v, uint8_t t)
{
	if (v->kind != V_REG)
		return;
	if (is_float(t))
		f->xmm_used &= (uint16_t)~(1u << v->reg);
	else
		f->gpr_used &= (uint16_t)~(1u << v->reg);
}

/* vals and vs (capacity capvals) for n entries */
static __attribute__((noinline)) bool grow_vals(struct fc *f, uint32_t n)
{
	uint32_t cap = f->capvals;

	if (!grow((void **)&f->vals, &cap, n, sizeof *f->vals))
		return oom(f);
	cap = f->capvals;
	if (!grow((void **)&f->vs, &cap, n, sizeof *f->vs))
		return oom(f);
	f->capvals = cap;
	return true;
}

static inline bool push(struct fc *f, uint8_t t, uint32_t *slot)
{
	if (__builtin_expect(f->nvals >= f->capvals, 0) && !grow_vals(f, f->nvals + 1))
		return false;
	f->vs[f->nvals] = (struct vloc){ .kind = V_STK };
	f->vals[f->nvals++] = t;
	if (f->nvals > f->maxvals)
		f->maxvals = f->nvals;
	if (slot)
		*slot = f->nvals - 1;
	return true;
}

/* Pop a value of type want (0 = any).  *slot = its stack index, *type =
 * its type (0 = unknown, in unreachable code: then the slot may hold
 * nothing, but such code never runs). */
static bool pop(struct fc *f, uint8_t want, uint32_t *slot, uint8_t *type)
{
	struct ctl *c = &f->ctls[f->nctls - 1];
	uint8_t t;

	if (f->nvals == c->height) {
		if (!c->unreachable)
			return fail(f, "type mismatch");
		t = 0;
	} else {
		t = f->vals[f->nvals - 1];
		if (want && t && t != want)
			return fail(f, "type mismatch");
		f->nvals--;
		free_vloc(f, &f->vs[f->nvals], t);
		f->vs[f->nvals].kind = V_STK;
	}
	if (slot)
		*slot = f->nvals;
	if (type)
		*type = t;
	return true;
}

static void set_unreachable(struct fc *f)
{
	struct ctl *c = &f->ctls[f->nctls - 1];

	while (f->nvals > c->height) {
		f->nvals--;
		free_vloc(f, &f->vs[f->nvals], f->vals[f->nvals]);
	}
	c->unreachable = true;
}

/* ---- value locations (register allocation of the value stack) ----------- */

/* Registers values may live in.  rax, rcx, rdx and xmm0/xmm1 are scratch
 * for single instructions (never hold a stack value); r14/r15/rbp/rsp are
 * fixed (jit.h).  All are caller-saved in wasm ABI v0, so every call,
 * and everything that is not compiled here yet, first spills (flush_all). */
enum { RBX = X64_RBX, R10 = X64_R10, R11 = X64_R11, R12 = X64_R12, R13 = X64_R13 };
static const int8_t alloc_gprs[] = { RSI, RDI, X64_R8, X64_R9, R10 };
#define FIRST_XMM 2
#define NXMM 8
/* Registers the most used locals live in for the whole function ("pinned"
 * locals: the same register on every path, so merges need nothing).  The
 * slot-by-slot code never touches them; around every opcode that calls
 * out (calls, runtime helpers) they go to their memory homes and back. */
static const int8_t pin_gprs[] = { RBX, R12, R13, R11 };
#define PIN_XMM_FIRST 8
#define PIN_XMM_N 8
_Static_assert(sizeof pin_gprs + PIN_XMM_N == PIN_MAX, "pinned registers");

/* the register local i lives in, or -1 (its home L(i) then) */
static inline int local_reg(struct fc *f, uint32_t i)
{
	return f->npinned ? f->pin[i] : -1;
}

static inline bool in_xmm(uint8_t t)
{
	return is_float(t);
}

/* write value v (of type t) to m as a 64-bit slot value (i32/f32
 * zero-extended); uses rax as scratch, never changes EFLAGS */
static void store_val(struct fc *f, const struct vloc *v, uint8_t t, uint32_t k,
		      struct x64_mem m)
{
	struct vloc pinned;

	if (v->kind == V_LOCAL && local_reg(f, v->local) >= 0) {
		pinned = (struct vloc){ .kind = V_REG, .reg = (int8_t)local_reg(f, v->local) };
		v = &pinned;
	}
	switch (v->kind) {
	case V_STK:
		if (m.base != RBP || m.index != X64_NOREG || m.disp != S(f, k).disp) {
			x64_mov_rm(f->a, 1, RAX, S(f, k));
			x64_mov_mr(f->a, 1, m, RAX);
		}
		return;
	case V_REG:
		if (!in_xmm(t)) {
			x64_mov_mr(f->a, 1, m, v->reg);
		} else if (t == F64) {
			x64_movq_mx(f->a, m, v->reg);
		} else {
			x64_movd_mx(f->a, m, v->reg);
			m.disp += 4;
			x64_mov_mi(f->a, 0, m, 0);
		}
		return;
	case V_IMM:
		if ((int64_t)v->imm == (int32_t)v->imm) {
			x64_mov_mi(f->a, 1, m, (int32_t)v->imm);
		} else {
			x64_mov_ri(f->a, RAX, v->imm);
			x64_mov_mr(f->a, 1, m, RAX);
		}
		return;
	case V_LOCAL:
		x64_mov_rm(f->a, 1, RAX, L(f, v->local));
		x64_mov_mr(f->a, 1, m, RAX);
		return;
	case V_FLAGS:
		x64_setcc(f->a, v->cc, RAX);
		x64_movzx8_rr(f->a, RAX, RAX);
		x64_mov_mr(f->a, 1, m, RAX);
		return;
	}
}

/* the value is in memory: its slot or an unpinned local's home */
static inline bool is_mem(struct fc *f, const struct vloc *v)
{
	return v->kind == V_STK || (v->kind == V_LOCAL && local_reg(f, v->local) < 0);
}

/* a register entry k can be read from (its own, or its pinned local's),
 * or -1 */
static inline int src_reg(struct fc *f, uint32_t k)
{
	const struct vloc *v = &f->vs[k];

	if (v->kind == V_REG)
		return v->reg;
	if (v->kind == V_LOCAL)
		return local_reg(f, v->local);
	return -1;
}

/* entry k to its slot (state V_STK) */
static void spill(struct fc *f, uint32_t k)
{
	struct vloc *v = &f->vs[k];

	if (v->kind == V_STK)
		return;
	store_val(f, v, f->vals[k], k, S(f, k));
	free_vloc(f, v, f->vals[k]);
	v->kind = V_STK;
}

/* every entry to its slot: the fixed layout of merges, calls and the
 * opcodes still compiled slot by slot.  Never changes EFLAGS. */
static void flush_all(struct fc *f)
{
	for (uint32_t k = 0; k < f->nvals; k++)
		spill(f, k);
}

/* a free register of t's class, spilling the deepest value held in one
 * if there is none (never touches rax/rcx/rdx/xmm0/xmm1 or EFLAGS) */
static int alloc_reg(struct fc *f, uint8_t t)
{
	bool x = in_xmm(t);

	if (x) {
		for (int r = FIRST_XMM; r < NXMM; r++)
			if (!(f->xmm_used & (1u << r))) {
				f->xmm_used |= (uint16_t)(1u << r);
				return r;
			}
	} else {
		for (size_t i = 0; i < sizeof alloc_gprs; i++)
			if (!(f->gpr_used & (1u << alloc_gprs[i]))) {
				f->gpr_used |= (uint16_t)(1u << alloc_gprs[i]);
				return alloc_gprs[i];
			}
	}
	/* the top three entries are the operands of the opcode being
	   compiled: never taken away from it */
	for (uint32_t k = 0; k + 3 < f->nvals; k++) {
		struct vloc *v = &f->vs[k];

		if (v->kind == V_REG && in_xmm(f->vals[k]) == x) {
			int r = v->reg;
			spill(f, k);
			if (x)
				f->xmm_used |= (uint16_t)(1u << r);
			else
				f->gpr_used |= (uint16_t)(1u << r);
			return r;
		}
	}
	return x ? 0 : RAX;     /* unreachable: more registers than entries */
}

/* load value v (type t, entry k) into register r of its class */
static void load_val(struct fc *f, const struct vloc *v, uint8_t t, uint32_t k, int r)
{
	struct x64_mem m;
	struct vloc pinned;

	if (v->kind == V_LOCAL && local_reg(f, v->local) >= 0) {
		pinned = (struct vloc){ .kind = V_REG, .reg = (int8_t)local_reg(f, v->local) };
		v = &pinned;
	}
	if (v->kind == V_REG) {
		if (v->reg == r)
			return;
		if (in_xmm(t)) {
			x64_movaps_rr(f->a, r, v->reg);
		} else {
			x64_mov_rr(f->a, 1, r, v->reg);
		}
		return;
	}
	if (v->kind == V_FLAGS) {
		x64_setcc(f->a, v->cc, r);
		x64_movzx8_rr(f->a, r, r);
		return;
	}
	if (v->kind == V_IMM) {
		if (!in_xmm(t)) {
			x64_mov_ri(f->a, r, v->imm);
		} else if (!v->imm) {
			x64_xorps(f->a, r, r);
		} else {
			x64_mov_ri(f->a, RAX, v->imm);
			x64_movq_xr(f->a, 1, r, RAX);
		}
		return;
	}
	m = v->kind == V_LOCAL ? L(f, v->local) : S(f, k);
	if (in_xmm(t))
		x64_movq_xm(f->a, r, m);
	else
		x64_mov_rm(f->a, 1, r, m);
}

/* entry k into a register it owns; returns the register */
static int to_reg(struct fc *f, uint32_t k)
{
	struct vloc *v = &f->vs[k];
	int r;

	if (v->kind == V_REG)
		return v->reg;
	r = alloc_reg(f, f->vals[k]);
	load_val(f, v, f->vals[k], k, r);
	*v = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
	return r;
}

/* drop the top entry (its register becomes free); no code */
static inline void vdrop(struct fc *f)
{
	f->nvals--;
	free_vloc(f, &f->vs[f->nvals], f->vals[f->nvals]);
	f->vs[f->nvals].kind = V_STK;
}

/* The top n entries exist in this frame and have types ts (when ts is
 * NULL: all of type t). */
static inline bool top_is(struct fc *f, uint32_t n, const uint8_t *ts, uint8_t t)
{
	struct ctl *c = &f->ctls[f->nctls - 1];

	if (f->nvals - c->height < n)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t have = f->vals[f->nvals - n + i];
		if (!have || have != (ts ? ts[i] : t))
			return false;
	}
	return true;
}

/* The top entries of this frame are of types a, b (b = 0: just a on top);
 * top_is for the one- and two-operand opcodes. */
static inline bool top_is_ab(struct fc *f, uint8_t a, uint8_t b)
{
	uint32_t avail = f->nvals - f->ctls[f->nctls - 1].height;
	const uint8_t *v = f->vals;     /* NULL while nothing was pushed */

	if (!b)
		return avail >= 1 && a && v[f->nvals - 1] == a;
	return avail >= 2 && a && v[f->nvals - 2] == a && v[f->nvals - 1] == b;
}

/* an integer operand: register, simm32, or memory */
struct opnd {
	uint8_t kind;           /* V_REG, V_IMM, V_STK (memory m) */
	int8_t reg;
	int32_t imm;
	struct x64_mem m;
};

static struct opnd int_opnd(struct fc *f, uint32_t k, int w)
{
	struct vloc *v = &f->vs[k];
	struct opnd o = { .kind = V_REG };

	switch (v->kind) {
	case V_IMM:
		if (!w || (int64_t)v->imm == (int32_t)v->imm) {
			o.kind = V_IMM;
			o.imm = (int32_t)v->imm;
			return o;
		}
		break;
	case V_LOCAL:
		if (local_reg(f, v->local) >= 0) {
			o.reg = (int8_t)local_reg(f, v->local);
			return o;
		}
		o.kind = V_STK;
		o.m = L(f, v->local);
		return o;
	case V_STK:
		o.kind = V_STK;
		o.m = S(f, k);
		return o;
	}
	o.reg = (int8_t)to_reg(f, k);
	return o;
}

static void alu_opnd(struct fc *f, enum x64_alu op, int w, int dst, const struct opnd *o)
{
	if (o->kind == V_REG)
		x64_alu_rr(f->a, op, w, dst, o->reg);
	else if (o->kind == V_IMM)
		x64_alu_ri(f->a, op, w, dst, o->imm);
	else
		x64_alu_rm(f->a, op, w, dst, o->m);
}

/* the 64 bits of entry k (any type; f32 zero-extended) into general
 * register r (a scratch one: rax/rcx/rdx) */
static void to_scratch(struct fc *f, uint32_t k, int r)
{
	const struct vloc *v = &f->vs[k];
	int src = src_reg(f, k);

	if (src >= 0 && in_xmm(f->vals[k]))
		x64_movq_rx(f->a, f->vals[k] == F64, r, src);
	else if (src >= 0)
		x64_mov_rr(f->a, 1, r, src);
	else
		load_val(f, v, in_xmm(f->vals[k]) ? I64 : f->vals[k], k, r);
}

/* ---- labels, fixups, trap stubs ------------------------------------------ */

static bool new_label(struct fc *f, uint32_t *id)
{
	if (!PUSH(f, f->labels, f->nlabels, f->caplabels, -1))
		return oom(f);
	*id = f->nlabels - 1;
	return true;
}

static void bind(struct fc *f, uint32_t id)
{
	f->labels[id] = (int32_t)f->a->len;
}

static bool jump_to(struct fc *f, uint32_t id)
{
	size_t field = x64_jmp_rel32(f->a, 0);

	if (f->labels[id] >= 0) {
		x64_patch_rel32(f->a, field, (size_t)f->labels[id]);
		return true;
	}
	struct fixup fx = { (uint32_t)field, id };
	return PUSH(f, f->fixups, f->nfixups, f->capfixups, fx) ? true : oom(f);
}

static bool jcc_to(struct fc *f, enum x64_cc cc, uint32_t id)
{
	size_t field = x64_jcc_rel32(f->a, cc, 0);

	if (f->labels[id] >= 0) {
		x64_patch_rel32(f->a, field, (size_t)f->labels[id]);
		return true;
	}
	struct fixup fx = { (uint32_t)field, id };
	return PUSH(f, f->fixups, f->nfixups, f->capfixups, fx) ? true : oom(f);
}

/* jCC to a trap stub reporting `code` at the current opcode; idx_reg >= 0
 * holds the element index the trap message names (jit.h JIT_TRAP_INDEX) */
static bool trap_if_idx(struct fc *f, enum x64_cc cc, enum wasm_trap_code code,
			int idx_reg)
{
	size_t field = x64_jcc_rel32(f->a, cc, 0);
	struct stub s = { (uint32_t)field, f->op_off, (uint8_t)code, (int8_t)idx_reg };

	return PUSH(f, f->stubs, f->nstubs, f->capstubs, s) ? true : oom(f);
}

static bool trap_if(struct fc *f, enum x64_cc cc, enum wasm_trap_code code)
{
	return trap_if_idx(f, cc, code, -1);
}

/* inline trap (unreachable) */
static bool trap_now(struct fc *f, enum wasm_trap_code code)
{
	if (!srcmap(f, f->op_off))
		return false;
	x64_mov_ri(f->a, RSI, code);
	x64_call_m(f->a, x64_mem(R14, CTX_TRAP));
	return true;
}

static bool emit_stubs(struct fc *f)
{
	for (uint32_t i = 0; i < f->nstubs; i++) {
		struct stub *s = &f->stubs[i];
		x64_patch_rel32(f->a, s->field, f->a->len);
		if (!srcmap(f, s->wasm_off))
			return false;
		if (s->code == TRAP_FROM_EAX) {
			x64_mov_rr(f->a, 0, RSI, RAX);
		} else if (s->idx_reg >= 0) {
			x64_mov_rr(f->a, 0, RDX, s->idx_reg);
			x64_mov_ri(f->a, RSI, s->code | JIT_TRAP_INDEX);
		} else {
			x64_mov_ri(f->a, RSI, s->code);
		}
		x64_call_m(f->a, x64_mem(R14, CTX_TRAP));
	}
	return true;
}

/* after a struct jit_rt helper returning 0 or a trap code in eax */
static bool trap_if_eax(struct fc *f)
{
	x64_test_rr(f->a, 0, RAX, RAX);
	return trap_if(f, X64_CC_NE, (enum wasm_trap_code)TRAP_FROM_EAX);
}

/* local forward jump within one opcode's code */
static size_t fwd_jcc(struct fc *f, enum x64_cc cc)
{
	return x64_jcc_rel32(f->a, cc, 0);
}

static size_t fwd_jmp(struct fc *f)
{
	return x64_jmp_rel32(f->a, 0);
}

static void here(struct fc *f, size_t field)
{
	x64_patch_rel32(f->a, field, f->a->len);
}

/* ---- immediates ------------------------------------------------------------ */

static inline bool rd_u32(struct fc *f, uint32_t *v)
{
	return wasm_read_u32(&f->r, v);
}

static inline bool rd_u8(struct fc *f, uint8_t *v)
{
	return wasm_read_u8(&f->r, v);
}

/* one-element type vectors, for block types given as one value type */
static const uint8_t one_type[256] = {
	[I32] = I32, [I64] = I64, [F32] = F32, [F64] = F64,
	[WASM_FUNCREF] = WASM_FUNCREF, [WASM_EXTERNREF] = WASM_EXTERNREF,
};

/* blocktype (§5.4.1): 0x40, one value type, or a type index (s33, as the
 * reference interpreter reads it: a first byte 0x40..0x7f is a type) */
static bool rd_blocktype(struct fc *f, struct ctl *c)
{
	const uint8_t *p = f->r.p;
	int64_t bt;

	c->nparams = c->nresults = 0;
	c->params = c->results = NULL;
	if (p < f->r.end && (*p & 0xc0) == 0x40) {
		f->r.p++;
		if (*p == 0x40)
			return true;
		if (*p == WASM_V128)
			return fail(f, "SIMD not supported yet");
		if (!is_valtype(*p))
			return fail(f, "malformed value type");
		c->nresults = 1;
		c->results = &one_type[*p];
		return true;
	}
	if (!wasm_read_s33(&f->r, &bt))
		return false;
	if (bt < 0 || (uint64_t)bt >= f->m->ntypes)
		return fail(f, "unknown type");
	const struct wasm_functype *ft = &f->m->types[bt];
	c->nparams = ft->nparams;
	c->params = ft->params;
	c->nresults = ft->nresults;
	c->results = ft->results;
	return true;
}

/* ---- debug builds: invariants of the value stack and registers ----------------------- */

/*
 * With -DJIT_DEBUG (make JIT_DEBUG=1) the compiler checks its own state
 * after every opcode and, stricter, at every block boundary (block, loop
 * and if entries, else, end), where the whole stack must be in the fixed
 * slot layout.  A violation is a compiler bug: the function fails to
 * compile with "JIT invariant violated" (so every test notices) and the
 * details go to plat_log.  Without JIT_DEBUG the checks compile to nothing.
 */
#ifdef JIT_DEBUG
static bool invariant_failed(struct fc *f, const char *what, uint32_t k)
{
	plat_log("jit: invariant violated: %s (entry %u of %u) in function %u at wasm "
		 "offset 0x%x, opcode %s\n", what, k, f->nvals, f->func_index, f->op_off,
		 opinfo[f->op].name ? opinfo[f->op].name : "?");
	return fail(f, "JIT invariant violated");
}

static bool is_alloc_gpr(int r)
{
	for (size_t i = 0; i < sizeof alloc_gprs; i++)
		if (alloc_gprs[i] == r)
			return true;
	return false;
}

/* registers held by V_REG entries: each one once, of the entry's class,
 * from the allocatable sets, and exactly gpr_used / xmm_used */
static bool check_regs(struct fc *f)
{
	uint16_t gpr = 0, xmm = 0;

	for (uint32_t k = 0; k < f->nvals; k++) {
		const struct vloc *v = &f->vs[k];

		if (v->kind == V_FLAGS && (k != f->nvals - 1 || f->vals[k] != I32))
			return invariant_failed(f, "flags below the top, or not i32", k);
		if (v->kind == V_LOCAL && v->local >= f->nlocals)
			return invariant_failed(f, "V_LOCAL of no local", k);
		if (v->kind != V_REG)
			continue;
		if (in_xmm(f->vals[k])) {
			if (v->reg < FIRST_XMM || v->reg >= NXMM || (xmm & (1u << v->reg)))
				return invariant_failed(f, "bad or shared xmm register", k);
			xmm |= (uint16_t)(1u << v->reg);
		} else {
			if (!is_alloc_gpr(v->reg) || (gpr & (1u << v->reg)))
				return invariant_failed(f, "bad or shared general register", k);
			gpr |= (uint16_t)(1u << v->reg);
		}
	}
	if (gpr != f->gpr_used || xmm != f->xmm_used)
		return invariant_failed(f, "register masks disagree with the stack", f->nvals);
	return true;
}

/* pinned locals: distinct registers of their class, none allocatable */
static bool check_pins(struct fc *f)
{
	uint32_t seen = 0, n = 0;

	for (uint32_t i = 0; f->npinned && i < f->nlocals; i++) {
		int r = f->pin[i];
		uint32_t bit;

		if (r < 0)
			continue;
		if (n >= f->npinned || f->pinned[n++] != i)
			return invariant_failed(f, "pinned[] disagrees with pin[]", i);
		bit = 1u << ((is_float(f->ltypes[i]) ? 16 : 0) + r);
		if ((seen & bit) || (is_float(f->ltypes[i]) ? r < PIN_XMM_FIRST : is_alloc_gpr(r)))
			return invariant_failed(f, "bad or shared pinned register", i);
		seen |= bit;
	}
	if (n != f->npinned)
		return invariant_failed(f, "pinned[] disagrees with pin[]", n);
	return true;
}

/* flushed: a block boundary, every entry in its slot */
static bool check_state(struct fc *f, bool flushed)
{
	uint32_t h = 0;

	if (f->err)
		return false;
	if (f->nvals > f->capvals || f->nvals > f->maxvals)
		return invariant_failed(f, "stack beyond its bounds", f->nvals);
	for (uint32_t i = 0; i < f->nctls; i++) {
		if (f->ctls[i].height < h || f->ctls[i].height > f->nvals)
			return invariant_failed(f, "control frame heights out of order", i);
		h = f->ctls[i].height;
	}
	if (!check_regs(f) || !check_pins(f))
		return false;
	if (!flushed)
		return true;
	for (uint32_t k = 0; k < f->nvals; k++)
		if (f->vs[k].kind != V_STK)
			return invariant_failed(f, "value not in its slot at a block boundary", k);
	return true;
}
#define CHECK_STATE(f, flushed) check_state(f, flushed)
#else
#define CHECK_STATE(f, flushed) true
#endif

/* ---- control ---------------------------------------------------------------- */

/* Pop n values of types ts (checked, last first).  *base = the slot of
 * the first; *real = false when some were missing (unreachable code). */
static bool pop_vals(struct fc *f, const uint8_t *ts, uint32_t n, uint32_t *base,
		     bool *real)
{
	/* the innermost frame only when asked: push_ctl enters the
	 * function's own frame with none (no pointer before ctls[0]) */
	if (real)
		*real = f->nvals - f->ctls[f->nctls - 1].height >= n;
	for (uint32_t i = n; i-- > 0;)
		if (!pop(f, ts[i], NULL, NULL))
			return false;
	if (base)
		*base = f->nvals;
	return true;
}

static bool push_vals(struct fc *f, const uint8_t *ts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!push(f, ts[i], NULL))
			return false;
	return true;
}

/* Enter a block whose type is in *c: its params are popped (checked) and
 * pushed again above the new frame, in the same slots. */
static bool push_ctl(struct fc *f, uint8_t kind, struct ctl *c)
{
	flush_all(f);           /* a block starts with the fixed layout */
	if (!pop_vals(f, c->params, c->nparams, NULL, NULL))
		return false;
	c->kind = kind;
	c->unreachable = false;
	c->height = f->nvals;
	if (!new_label(f, &c->label))
		return false;
	if (kind == CTL_LOOP)
		bind(f, c->label);
	if (kind == CTL_IF && !new_label(f, &c->else_label))
		return false;
	if (!PUSH(f, f->ctls, f->nctls, f->capctls, *c))
		return oom(f);
	return push_vals(f, c->params, c->nparams) && CHECK_STATE(f, true);
}

/* the values a branch to c carries: loop = params, else results */
static uint32_t label_arity(const struct ctl *c)
{
	return c->kind == CTL_LOOP ? c->nparams : c->nresults;
}

static const uint8_t *label_types(const struct ctl *c)
{
	return c->kind == CTL_LOOP ? c->params : c->results;
}

/* true when a branch to t needs no code but the jump: it carries no
 * values and everything below its height is in its slot */
static bool br_is_plain(struct fc *f, const struct ctl *t)
{
	if (label_arity(t))
		return false;
	for (uint32_t k = 0; k < t->height; k++)
		if (f->vs[k].kind != V_STK)
			return false;
	return true;
}

/* The code of a branch to depth: the stack below the target's height to
 * its slots, the values it carries (from the top of the stack) to the
 * target's slots (ascending: a destination slot is never a later
 * source), and the jump; types already checked.  The compile-time state
 * is not changed (br_if falls through with it). */
static bool emit_br_code(struct fc *f, uint32_t depth)
{
	struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	struct ctl *c = &f->ctls[f->nctls - 1];
	uint32_t n = label_arity(t);

	if (f->nvals - c->height >= n) {        /* else unreachable code */
		for (uint32_t k = 0; k < t->height; k++)
			if (f->vs[k].kind != V_STK)
				store_val(f, &f->vs[k], f->vals[k], k, S(f, k));
		for (uint32_t i = 0; i < n; i++) {
			uint32_t k = f->nvals - n + i;
			store_val(f, &f->vs[k], f->vals[k], k, S(f, t->height + i));
		}
	}
	return jump_to(f, t->label);
}

/* br / br_if / return: check the operand stack against the target's
 * types, as popping and pushing them back would (spec appendix A.3), but
 * leaving the values where they are. */
static bool check_br(struct fc *f, uint32_t depth)
{
	struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	struct ctl *c = &f->ctls[f->nctls - 1];
	const uint8_t *ts = label_types(t);
	uint32_t n = label_arity(t);

	if (f->nvals - c->height < n)
		return pop_vals(f, ts, n, NULL, NULL) && push_vals(f, ts, n);
	for (uint32_t i = n; i-- > 0;) {
		uint8_t have = f->vals[f->nvals - n + i];
		if (have && have != ts[i])
			return fail(f, "type mismatch");
	}
	for (uint32_t i = 0; i < n; i++)
		f->vals[f->nvals - n + i] = ts[i];
	return true;
}

static bool emit_br(struct fc *f, uint32_t depth)
{
	return check_br(f, depth) && emit_br_code(f, depth);
}

/* Pop the i32 condition of if/br_if: *cc = the condition code that holds
 * when it is true (a comparison just made feeds it directly). */
static bool pop_cond(struct fc *f, enum x64_cc *cc)
{
	uint32_t k;

	*cc = X64_CC_NE;
	if (!top_is_ab(f, I32, 0)) {
		if (!pop(f, I32, &k, NULL))
			return false;
		x64_mov_rm(f->a, 0, RAX, S(f, k));      /* slot layout (or dead code) */
		x64_test_rr(f->a, 0, RAX, RAX);
		return true;
	}
	k = f->nvals - 1;
	struct vloc *v = &f->vs[k];
	switch (v->kind) {
	case V_FLAGS:
		*cc = (enum x64_cc)v->cc;
		break;
	case V_REG:
		x64_test_rr(f->a, 0, v->reg, v->reg);
		break;
	case V_LOCAL:
		if (local_reg(f, v->local) >= 0)
			x64_test_rr(f->a, 0, local_reg(f, v->local), local_reg(f, v->local));
		else
			x64_alu_mi(f->a, X64_CMP, 0, L(f, v->local), 0);
		break;
	case V_STK:
		x64_alu_mi(f->a, X64_CMP, 0, S(f, k), 0);
		break;
	case V_IMM:
		x64_mov_ri(f->a, RAX, v->imm);
		x64_test_rr(f->a, 0, RAX, RAX);
		break;
	}
	vdrop(f);
	return true;
}

static bool op_br_if(struct fc *f, uint32_t depth)
{
	struct ctl *t = &f->ctls[f->nctls - 1 - depth];
	enum x64_cc cc;

	if (!pop_cond(f, &cc) || !check_br(f, depth))
		return false;
	if (br_is_plain(f, t))
		return jcc_to(f, cc, t->label);
	size_t skip = fwd_jcc(f, (enum x64_cc)(cc ^ 1));
	if (!emit_br_code(f, depth))
		return false;
	here(f, skip);
	return true;
}

static bool rd_depth(struct fc *f, uint32_t *depth)
{
	if (!rd_u32(f, depth))
		return false;
	if (*depth >= f->nctls)
		return fail(f, "unknown label");
	return true;
}

/* end of a block: check the stack holds exactly its results */
static bool check_end(struct fc *f, struct ctl *c)
{
	if (!pop_vals(f, c->results, c->nresults, NULL, NULL))
		return false;
	if (f->nvals != c->height)
		return fail(f, "type mismatch");
	return true;
}

static bool op_else(struct fc *f)
{
	struct ctl *c = &f->ctls[f->nctls - 1];

	if (c->kind != CTL_IF)
		return fail(f, "else without if");
	flush_all(f);
	if (!check_end(f, c))
		return false;
	if (!jump_to(f, c->label))
		return false;
	bind(f, c->else_label);
	c->kind = CTL_ELSE;
	c->unreachable = false;
	/* the false path arrives with the params untouched in their slots */
	return push_vals(f, c->params, c->nparams) && CHECK_STATE(f, true);
}

/* results: 0 in rax/xmm0, 1.. into the caller's call area (jit.h) */
static void emit_epilogue(struct fc *f)
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

static bool same_types(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na));
}

static bool op_end(struct fc *f)
{
	struct ctl c = f->ctls[f->nctls - 1];

	flush_all(f);           /* the merge layout: results in their slots */
	if (!check_end(f, &c))
		return false;
	if (c.kind == CTL_IF) {
		/* no else: the false path passes the params on as results */
		if (!same_types(c.params, c.nparams, c.results, c.nresults))
			return fail(f, "type mismatch");
		bind(f, c.else_label);
	}
	if (c.kind != CTL_LOOP)
		bind(f, c.label);
	f->nctls--;
	if (c.kind == CTL_FUNC) {
		emit_epilogue(f);
		return CHECK_STATE(f, true);
	}
	return push_vals(f, c.results, c.nresults) && CHECK_STATE(f, true);
}

/* br_table: every target takes as many values as the default, each with
 * its own types (spec appendix A.3) */
static bool check_br_table(struct fc *f, const uint32_t *targets, uint32_t n)
{
	uint32_t arity = label_arity(&f->ctls[f->nctls - 1 - targets[n]]);
	uint8_t *got = malloc(arity ? arity : 1);
	bool ok = got != NULL;

	if (!got)
		return oom(f);
	for (uint32_t i = 0; ok && i <= n; i++) {
		struct ctl *t = &f->ctls[f->nctls - 1 - targets[i]];

		if (label_arity(t) != arity) {
			ok = fail(f, "type mismatch");
			break;
		}
		/* pop the label's types, push back what was there */
		for (uint32_t j = arity; ok && j-- > 0;) {
			uint8_t ty = 0;
			ok = pop(f, label_types(t)[j], NULL, &ty);
			got[j] = ty;
		}
		for (uint32_t j = 0; ok && j < arity; j++)
			ok = push(f, got[j], NULL);
	}
	free(got);
	return ok;
}

static bool op_br_table(struct fc *f)
{
	uint32_t n, k, *targets, def;

	if (!wasm_read_count(&f->r, 1, &n))
		return false;
	targets = malloc(((size_t)n + 1) * sizeof(*targets));
	if (!targets)
		return oom(f);
	for (uint32_t i = 0; i <= n; i++) {
		if (!rd_depth(f, &targets[i])) {
			free(targets);
			return false;
		}
	}
	def = targets[n];
	if (!pop(f, I32, &k, NULL) || !check_br_table(f, targets, n))
		goto out;
	/* index < n ? jump through a table of rel32 entries : default */
	x64_mov_rm(f->a, 0, RAX, S(f, k));
	x64_alu_ri(f->a, X64_CMP, 0, RAX, (int32_t)n);
	size_t to_def = fwd_jcc(f, X64_CC_AE);
	x64_lea(f->a, 1, RCX, x64_mem_rip(0));
	size_t lea_field = f->a->len - 4;
	x64_movsxd_rm(f->a, RAX, x64_mem_idx(RCX, RAX, 4, 0));
	x64_alu_rr(f->a, X64_ADD, 1, RAX, RCX);
	x64_jmp_r(f->a, RAX);
	size_t table = f->a->len;
	x64_patch_rel32(f->a, lea_field, table);
	for (uint32_t i = 0; i < n; i++)
		x64_u32(f->a, 0);
	for (uint32_t i = 0; i < n; i++) {
		x64_patch_u32(f->a, table + 4 * i, (uint32_t)(f->a->len - table));
		if (!emit_br_code(f, targets[i]))
			goto out;
	}
	here(f, to_def);
	if (!emit_br_code(f, def))
		goto out;
	free(targets);
	set_unreachable(f);
	return true;
out:
	free(targets);
	return false;
}

/* ---- calls -------------------------------------------------------------------- */

/* Pop the arguments of ft into the call area; the caller then pushes the
 * result with push_call_result. */
static bool call_args(struct fc *f, const struct wasm_functype *ft)
{
	uint32_t k, n = ft->nparams;

	if (top_is(f, n, ft->params, 0)) {
		/* each argument straight from where it is (rax scratch only);
		   everything below them to its slot (registers die in the call) */
		uint32_t base = f->nvals - n;
		for (k = 0; k < base; k++)
			spill(f, k);
		for (uint32_t i = 0; i < n; i++)
			store_val(f, &f->vs[base + i], f->vals[base + i], base + i, AREA(i));
		for (uint32_t i = 0; i < n; i++)
			vdrop(f);
	} else {
		flush_all(f);
		for (uint32_t i = n; i-- > 0;) {
			if (!pop(f, ft->params[i], &k, NULL))
				return false;
			copy(f, AREA(i), S(f, k));
		}
	}
	uint32_t area = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
	if (area > f->max_area)
		f->max_area = area;
	return true;
}

/* Push the results: 0 from rax/xmm0, 1.. from the call area (jit.h). */
static bool push_call_result(struct fc *f, const struct wasm_functype *ft)
{
	uint32_t k;

	if (!ft->nresults)
		return true;
	uint8_t t = ft->results[0];
	if (!push(f, t, &k))
		return false;
	int r = alloc_reg(f, t);        /* all free: the call spilled them */
	f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
	if (in_xmm(t))
		x64_movaps_rr(f->a, r, 0);
	else
		x64_mov_rr(f->a, t != I32, r, RAX);
	for (uint32_t i = 1; i < ft->nresults; i++) {
		if (!push(f, ft->results[i], &k))
			return false;
		copy(f, S(f, k), AREA(i));
	}
	return true;
}

static bool op_call(struct fc *f)
{
	uint32_t idx;

	if (!rd_u32(f, &idx))
		return false;
	if (idx >= f->m->nfuncs)
		return fail(f, "unknown function");
	const struct wasm_functype *ft = &f->m->types[f->m->funcs[idx].type];
	if (!call_args(f, ft))
		return false;
	if (f->m->funcs[idx].imported) {
		x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_FUNCS));
		if (!srcmap(f, f->op_off))
			return false;
		x64_call_m(f->a, x64_mem(RAX, 8 * (int32_t)idx));
	} else {
		if (!srcmap(f, f->op_off))
			return false;
		size_t field = x64_call_rel32(f->a, 0);
		struct call_fixup cf = { (uint32_t)field, idx };
		if (!PUSH(f, f->jc->calls, f->jc->ncalls, f->jc->capcalls, cf))
			return oom(f);
	}
	return push_call_result(f, ft);
}

/* rdx = ctx->tables[table] */
static void ld_table(struct fc *f, uint32_t table)
{
	x64_mov_rm(f->a, 1, RDX, x64_mem(R14, CTX_TABLES));
	x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, 8 * (int32_t)table));
}

/* rdx = ctx->tables[table], rax = index in slot k, trap `code` unless
 * index < size; then rdx = the elems array */
static bool table_index(struct fc *f, uint32_t table, uint32_t k, enum wasm_trap_code code)
{
	x64_mov_rm(f->a, 0, RAX, S(f, k));
	ld_table(f, table);
	x64_alu_rm(f->a, X64_CMP, 0, RAX, x64_mem(RDX, offsetof(struct jit_table, size)));
	if (!trap_if_idx(f, X64_CC_AE, code,
			 code == WASM_TRAP_UNDEFINED_ELEMENT ? RAX : -1))
		return false;
	x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, offsetof(struct jit_table, elems)));
	return true;
}

/* call a struct jit_rt helper (arguments already in rdi, rsi, ...) */
static bool call_rt(struct fc *f, size_t off)
{
	if (!srcmap(f, f->op_off))
		return false;
	x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_RT));
	x64_call_m(f->a, x64_mem(RAX, (int32_t)off));
	return true;
}

/*
 * call_indirect: bounds, null, then a funcref of this instance (the common
 * case) is type-checked against the canonical index and called directly;
 * one of another instance goes through jit_rt.call_ref (jit.h).
 */
static bool op_call_indirect(struct fc *f)
{
	uint32_t typeidx, table, k;

	if (!rd_u32(f, &typeidx) || !rd_u32(f, &table))
		return false;
	if (typeidx >= f->m->ntypes)
		return fail(f, "unknown type");
	if (table >= f->m->ntables)
		return fail(f, "unknown table");
	if (f->m->tables[table].elemtype != WASM_FUNCREF)
		return fail(f, "type mismatch");
	const struct wasm_functype *ft = &f->m->types[typeidx];
	if (!pop(f, I32, &k, NULL))
		return false;
	if (!table_index(f, table, k, WASM_TRAP_UNDEFINED_ELEMENT))
		return false;
	x64_mov_rm(f->a, 1, RDX, x64_mem_idx(RDX, RAX, 8, 0));
	x64_test_rr(f->a, 1, RDX, RDX);
	if (!trap_if_idx(f, X64_CC_E, WASM_TRAP_UNINITIALIZED_ELEMENT, RAX))
		return false;
	if (!call_args(f, ft))          /* uses rax only */
		return false;
	x64_alu_rm(f->a, X64_CMP, 1, R14, x64_mem(RDX, offsetof(struct jit_funcref, ctx)));
	size_t other = fwd_jcc(f, X64_CC_NE);
	x64_alu_mi(f->a, X64_CMP, 0, x64_mem(RDX, offsetof(struct jit_funcref, type)),
		   (int32_t)ft->canon);
	if (!trap_if(f, X64_CC_NE, WASM_TRAP_INDIRECT_CALL_TYPE))
		return false;
	if (!srcmap(f, f->op_off))
		return false;
	x64_call_m(f->a, x64_mem(RDX, offsetof(struct jit_funcref, code)));
	size_t done = fwd_jmp(f);
	here(f, other);
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_rr(f->a, 1, RSI, RDX);
	x64_mov_ri(f->a, RDX, typeidx);
	x64_mov_rr(f->a, 1, RCX, RSP);
	if (!call_rt(f, offsetof(struct jit_rt, call_ref)))
		return false;
	if (ft->nresults && is_float(ft->results[0]))
		x64_movq_xr(f->a, 1, 0, RAX);
	here(f, done);
	return push_call_result(f, ft);
}

/* ---- variables ------------------------------------------------------------------ */

/* local.get: no code, the value is read when used */
static inline bool op_local_get(struct fc *f)
{
	uint32_t i, k;

	if (!rd_u32(f, &i))
		return false;
	if (i >= f->nlocals)
		return fail(f, "unknown local");
	if (!push(f, f->ltypes[i], &k))
		return false;
	f->vs[k] = (struct vloc){ .kind = V_LOCAL, .local = i };
	return true;
}

/* local.set, local.tee */
static bool op_local(struct fc *f, uint8_t op)
{
	uint32_t i, k;

	if (!rd_u32(f, &i))
		return false;
	if (i >= f->nlocals)
		return fail(f, "unknown local");
	uint8_t t = f->ltypes[i];
	if (!top_is_ab(f, t, 0)) {      /* missing (dead code) or a type error */
		flush_all(f);
		if (!pop(f, t, &k, NULL))
			return false;
		copy(f, L(f, i), S(f, k));
		return op == 0x22 ? push(f, t, NULL) : true;
	}
	k = f->nvals - 1;
	/* entries that still read local i get its old value first */
	for (uint32_t j = 0; j < k; j++)
		if (f->vs[j].kind == V_LOCAL && f->vs[j].local == i)
			spill(f, j);
	struct vloc *v = &f->vs[k];
	if (v->kind == V_LOCAL && v->local == i)
		;       /* local.set x (local.get x), or x computed in place */
	else if (local_reg(f, i) >= 0)
		load_val(f, v, t, k, local_reg(f, i));
	else
		store_val(f, v, t, k, L(f, i));
	if (op == 0x21)
		vdrop(f);
	else if (v->kind == V_STK)
		*v = (struct vloc){ .kind = V_LOCAL, .local = i };
	return true;
}

/* global.get/set; an imported mutable global's slot holds the address of
 * the exporter's cell (jit.h) */
static bool op_global(struct fc *f, uint8_t op)
{
	uint32_t i, k;

	if (!rd_u32(f, &i))
		return false;
	if (i >= f->m->nglobals)
		return fail(f, "unknown global");
	const struct wasm_global *g = &f->m->globals[i];
	if (op == 0x24 && !g->mutable_)
		return fail(f, "global is immutable");
	if (op == 0x23 || top_is_ab(f, g->type, 0)) {
		/* on value locations: rdx = the cell's base */
		x64_mov_rm(f->a, 1, RDX, x64_mem(R14, CTX_GLOBALS));
		struct x64_mem c = x64_mem(RDX, 8 * (int32_t)i);
		if (g->imported && g->mutable_) {
			x64_mov_rm(f->a, 1, RDX, c);
			c = x64_mem(RDX, 0);
		}
		if (op == 0x24) {
			k = f->nvals - 1;
			store_val(f, &f->vs[k], g->type, k, c);
			vdrop(f);
			return true;
		}
		if (!push(f, g->type, &k))
			return false;
		int r = alloc_reg(f, g->type);
		f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
		if (in_xmm(g->type))
			x64_movq_xm(f->a, r, c);
		else
			x64_mov_rm(f->a, 1, r, c);
		return true;
	}
	flush_all(f);
	if (!pop(f, g->type, &k, NULL))
		return false;
	x64_mov_rm(f->a, 1, RCX, x64_mem(R14, CTX_GLOBALS));
	struct x64_mem cell = x64_mem(RCX, 8 * (int32_t)i);
	if (g->imported && g->mutable_) {
		x64_mov_rm(f->a, 1, RCX, cell);
		cell = x64_mem(RCX, 0);
	}
	copy(f, cell, S(f, k));
	return true;
}

/* ---- memory ---------------------------------------------------------------------- */

struct memop { uint8_t type, size_log2; };

/* 0x28..0x3e */
static const struct memop memops[] = {
	{I32, 2}, {I64, 3}, {F32, 2}, {F64, 3},
	{I32, 0}, {I32, 0}, {I32, 1}, {I32, 1},
	{I64, 0}, {I64, 0}, {I64, 1}, {I64, 1}, {I64, 2}, {I64, 2},
	{I32, 2}, {I64, 3}, {F32, 2}, {F64, 3},
	{I32, 0}, {I32, 1}, {I64, 0}, {I64, 1}, {I64, 2},
};

static bool need_memory(struct fc *f)
{
	return f->m->nmemories ? true : fail(f, "unknown memory");
}

/* rax = address slot k zero-extended (+ offset); returns the operand */
static struct x64_mem effective_addr(struct fc *f, uint32_t k, uint32_t offset)
{
	x64_mov_rm(f->a, 0, RAX, S(f, k));
	if (offset < 0x80000000u)
		return x64_mem_idx(R15, RAX, 1, (int32_t)offset);
	x64_mov_ri(f->a, RDX, offset);        /* rcx may hold a store value */
	x64_alu_rr(f->a, X64_ADD, 1, RAX, RDX);
	return x64_mem_idx(R15, RAX, 1, 0);
}

/* The memory operand for address entry k + offset: [r15 + reg + offset]
 * with the address's own register, or rax loaded with it (and rdx for an
 * offset of 2 GiB or more; a constant address folds in whole). */
static struct x64_mem fast_addr(struct fc *f, uint32_t k, uint32_t offset)
{
	struct vloc *v = &f->vs[k];
	int r = RAX;

	if (v->kind == V_IMM) {
		uint64_t ea = (uint32_t)v->imm + (uint64_t)offset;
		if (ea < 0x80000000u)
			return x64_mem(R15, (int32_t)ea);
		x64_mov_ri(f->a, RAX, ea);
		return x64_mem_idx(R15, RAX, 1, 0);
	}
	if (src_reg(f, k) >= 0)
		r = src_reg(f, k);
	else if (is_mem(f, v))
		x64_mov_rm(f->a, 0, RAX, v->kind == V_LOCAL ? L(f, v->local) : S(f, k));
	else
		to_scratch(f, k, RAX);
	if (offset < 0x80000000u)
		return x64_mem_idx(R15, r, 1, (int32_t)offset);
	x64_mov_ri(f->a, RDX, offset);
	x64_alu_rr(f->a, X64_ADD, 1, RDX, r);
	return x64_mem_idx(R15, RDX, 1, 0);
}

static void fast_load(struct fc *f, uint8_t op, uint32_t offset)
{
	const struct memop *mo = &memops[op - 0x28];
	uint32_t k = f->nvals - 1;
	struct x64_mem m = fast_addr(f, k, offset);

	vdrop(f);               /* the address register may be the result's */
	f->vals[k] = mo->type;
	f->nvals++;
	int r = alloc_reg(f, mo->type);
	f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
	srcmap(f, f->op_off);
	switch (op) {
	case 0x28: case 0x35: x64_mov_rm(f->a, 0, r, m); break;
	case 0x29: x64_mov_rm(f->a, 1, r, m); break;
	case 0x2a: x64_movd_xm(f->a, r, m); break;
	case 0x2b: x64_movq_xm(f->a, r, m); break;
	case 0x2c: x64_movsx8_rm(f->a, 0, r, m); break;
	case 0x30: x64_movsx8_rm(f->a, 1, r, m); break;
	case 0x2d: case 0x31: x64_movzx8_rm(f->a, r, m); break;
	case 0x2e: x64_movsx16_rm(f->a, 0, r, m); break;
	case 0x32: x64_movsx16_rm(f->a, 1, r, m); break;
	case 0x2f: case 0x33: x64_movzx16_rm(f->a, r, m); break;
	case 0x34: x64_movsxd_rm(f->a, r, m); break;
	}
}

static void fast_store(struct fc *f, uint8_t op, uint32_t offset)
{
	uint32_t kv = f->nvals - 1, ka = f->nvals - 2;
	struct vloc *v = &f->vs[kv];
	int size = op == 0x3a || op == 0x3c ? 1 : op == 0x3b || op == 0x3d ? 2 :
		   op == 0x37 || op == 0x39 ? 8 : 4;
	int vr = RCX, src = src_reg(f, kv);
	bool imm = false, xmm = src >= 0 && in_xmm(f->vals[kv]);

	if (src >= 0 && !xmm)
		vr = src;
	else if (v->kind == V_IMM && size >= 4 && (int64_t)v->imm == (int32_t)v->imm)
		imm = true;
	else if (!xmm)
		to_scratch(f, kv, RCX);         /* bits, whatever the type */
	struct x64_mem m = fast_addr(f, ka, offset);
	srcmap(f, f->op_off);
	if (imm)
		x64_mov_mi(f->a, size == 8, m, (int32_t)v->imm);
	else if (xmm)
		size == 8 ? x64_movq_mx(f->a, m, src) : x64_movd_mx(f->a, m, src);
	else if (size == 1)
		x64_mov8_mr(f->a, m, vr);
	else if (size == 2)
		x64_mov16_mr(f->a, m, vr);
	else
		x64_mov_mr(f->a, size == 8, m, vr);
	vdrop(f);
	vdrop(f);
}

static bool op_load_store(struct fc *f, uint8_t op)
{
	uint32_t align, offset, ka, kv = 0;
	const struct memop *mo = &memops[op - 0x28];
	bool store = op >= 0x36;

	if (!rd_u32(f, &align) || !rd_u32(f, &offset))
		return false;
	if (!need_memory(f))
		return false;
	if (align > mo->size_log2)
		return fail(f, "alignment must not be larger than natural");
	if (!store && top_is_ab(f, I32, 0)) {
		fast_load(f, op, offset);
		return !f->err;
	}
	if (store && top_is_ab(f, I32, mo->type)) {
		fast_store(f, op, offset);
		return !f->err;
	}
	flush_all(f);
	if (store && !pop(f, mo->type, &kv, NULL))
		return false;
	if (!pop(f, I32, &ka, NULL))
		return false;
	if (store)
		x64_mov_rm(f->a, 1, RCX, S(f, kv));
	struct x64_mem m = effective_addr(f, ka, offset);
	if (!srcmap(f, f->op_off))
		return false;
	switch (op) {
	case 0x28: case 0x2a: case 0x35:
		x64_mov_rm(f->a, 0, RAX, m); break;
	case 0x29: case 0x2b:
		x64_mov_rm(f->a, 1, RAX, m); break;
	case 0x2c: x64_movsx8_rm(f->a, 0, RAX, m); break;
	case 0x30: x64_movsx8_rm(f->a, 1, RAX, m); break;
	case 0x2d: case 0x31: x64_movzx8_rm(f->a, RAX, m); break;
	case 0x2e: x64_movsx16_rm(f->a, 0, RAX, m); break;
	case 0x32: x64_movsx16_rm(f->a, 1, RAX, m); break;
	case 0x2f: case 0x33: x64_movzx16_rm(f->a, RAX, m); break;
	case 0x34: x64_movsxd_rm(f->a, RAX, m); break;
	case 0x36: case 0x38: case 0x3e: x64_mov_mr(f->a, 0, m, RCX); return true;
	case 0x37: case 0x39: x64_mov_mr(f->a, 1, m, RCX); return true;
	case 0x3a: case 0x3c: x64_mov8_mr(f->a, m, RCX); return true;
	case 0x3b: case 0x3d: x64_mov16_mr(f->a, m, RCX); return true;
	}
	if (!push(f, mo->type, &ka))
		return false;
	st(f, ka, RAX);
	return true;
}

static bool rd_memidx(struct fc *f)
{
	uint8_t b;

	if (!rd_u8(f, &b))
		return false;
	if (b != 0)
		return fail(f, "zero byte expected");
	return need_memory(f);
}

static bool op_memory_size_grow(struct fc *f, uint8_t op)
{
	uint32_t k;

	if (!rd_memidx(f))
		return false;
	if (op == 0x3f) {
		if (!push(f, I32, &k))
			return false;
		x64_mov_rm(f->a, 0, RAX, x64_mem(R14, CTX_MEM_PAGES));
		st(f, k, RAX);
		return true;
	}
	if (!pop(f, I32, &k, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_rm(f->a, 0, RSI, S(f, k));
	if (!srcmap(f, f->op_off))
		return false;
	x64_call_m(f->a, x64_mem(R14, CTX_MEM_GROW));
	x64_mov_rr(f->a, 0, RAX, RAX);
	if (!push(f, I32, &k))
		return false;
	st(f, k, RAX);
	return true;
}

/* trap unless [slot addr] + [slot len] <= mem_size (64-bit sum); rcx = len */
static bool bounds_check(struct fc *f, uint32_t kaddr, uint32_t klen)
{
	x64_mov_rm(f->a, 0, RAX, S(f, kaddr));
	x64_mov_rm(f->a, 0, RCX, S(f, klen));
	x64_alu_rr(f->a, X64_ADD, 1, RAX, RCX);
	x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(R14, CTX_MEM_SIZE));
	return trap_if(f, X64_CC_A, WASM_TRAP_MEMORY_OOB);
}

/* memory.copy d s n: memmove with rep movsb, backwards when d > s */
static bool op_memory_copy(struct fc *f)
{
	uint32_t kd, ks, kn;

	if (!rd_memidx(f) || !rd_memidx(f))
		return false;
	if (!pop(f, I32, &kn, NULL) || !pop(f, I32, &ks, NULL) || !pop(f, I32, &kd, NULL))
		return false;
	if (!bounds_check(f, kd, kn) || !bounds_check(f, ks, kn))
		return false;
	x64_mov_rm(f->a, 0, RDI, S(f, kd));
	x64_mov_rm(f->a, 0, RSI, S(f, ks));
	x64_alu_rr(f->a, X64_CMP, 1, RDI, RSI);
	size_t fwd = fwd_jcc(f, X64_CC_BE);
	x64_lea(f->a, 1, RDI, x64_mem_idx(RDI, RCX, 1, -1));
	x64_lea(f->a, 1, RSI, x64_mem_idx(RSI, RCX, 1, -1));
	x64_alu_rr(f->a, X64_ADD, 1, RDI, R15);
	x64_alu_rr(f->a, X64_ADD, 1, RSI, R15);
	x64_std(f->a);
	x64_rep_movsb(f->a);
	x64_cld(f->a);
	size_t done = fwd_jmp(f);
	here(f, fwd);
	x64_alu_rr(f->a, X64_ADD, 1, RDI, R15);
	x64_alu_rr(f->a, X64_ADD, 1, RSI, R15);
	x64_rep_movsb(f->a);
	here(f, done);
	return true;
}

/* memory.fill d val n */
static bool op_memory_fill(struct fc *f)
{
	uint32_t kd, kv, kn;

	if (!rd_memidx(f))
		return false;
	if (!pop(f, I32, &kn, NULL) || !pop(f, I32, &kv, NULL) || !pop(f, I32, &kd, NULL))
		return false;
	if (!bounds_check(f, kd, kn))
		return false;
	x64_mov_rm(f->a, 0, RDI, S(f, kd));
	x64_alu_rr(f->a, X64_ADD, 1, RDI, R15);
	x64_mov_rm(f->a, 0, RAX, S(f, kv));
	x64_rep_stosb(f->a);
	return true;
}

/* rax = 0/1 from cc, to slot k */
static void st_cc(struct fc *f, enum x64_cc cc, uint32_t k)
{
	x64_setcc(f->a, cc, RAX);
	x64_movzx8_rr(f->a, RAX, RAX);
	st(f, k, RAX);
}

/* ---- references, tables, segments (Wasm 2.0) ------------------------------------- */

enum { R8 = X64_R8, R9 = X64_R9 };

static bool is_ref(uint8_t t)
{
	return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static bool rd_table(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return false;
	return *x < f->m->ntables ? true : fail(f, "unknown table");
}

static bool rd_elem(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return false;
	return *x < f->m->nelems ? true : fail(f, "unknown elem segment");
}

/* memory.init / data.drop need the data count section (§5.5.16) */
static bool rd_data(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return false;
	if (!f->m->has_datacount)
		return fail(f, "data count section required");
	return *x < f->m->ndatas ? true : fail(f, "unknown data segment");
}

static uint8_t elemtype(struct fc *f, uint32_t table)
{
	return f->m->tables[table].elemtype;
}

/* rdi = ctx, then the helper's arguments: slot values (32-bit zero-extended
 * unless 64-bit) or immediates */
static void arg_slot(struct fc *f, int reg, uint32_t k, int w)
{
	x64_mov_rm(f->a, w, reg, S(f, k));
}

static bool op_ref_null(struct fc *f)
{
	uint8_t t;
	uint32_t k;

	if (!rd_u8(f, &t))
		return false;
	if (!is_ref(t))
		return fail(f, "malformed reference type");
	if (!push(f, t, &k))
		return false;
	x64_mov_mi(f->a, 1, S(f, k), 0);
	return true;
}

static bool op_ref_is_null(struct fc *f)
{
	uint32_t k;
	uint8_t t;

	if (!pop(f, 0, &k, &t))
		return false;
	if (t && !is_ref(t))
		return fail(f, "type mismatch");
	if (!push(f, I32, NULL))
		return false;
	x64_alu_mi(f->a, X64_CMP, 1, S(f, k), 0);
	st_cc(f, X64_CC_E, k);
	return true;
}

/* ref.func x: x must be declared outside function bodies (§3.4.10 C.refs) */
static bool op_ref_func(struct fc *f)
{
	uint32_t x, k;

	if (!rd_u32(f, &x))
		return false;
	if (x >= f->m->nfuncs)
		return fail(f, "unknown function");
	if (!f->m->declared_funcs || !(f->m->declared_funcs[x / 8] & (1u << (x % 8))))
		return fail(f, "undeclared function reference");
	if (!push(f, WASM_FUNCREF, &k))
		return false;
	x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_FUNCREFS));
	x64_mov_rm(f->a, 1, RAX, x64_mem(RAX, 8 * (int32_t)x));
	st(f, k, RAX);
	return true;
}

/* table.get x / table.set x: inline, "out of bounds table access" */
static bool op_table_get_set(struct fc *f, uint8_t op)
{
	uint32_t x, ki, kv = 0;

	if (!rd_table(f, &x))
		return false;
	if (op == 0x26 && !pop(f, elemtype(f, x), &kv, NULL))
		return false;
	if (!pop(f, I32, &ki, NULL))
		return false;
	if (!table_index(f, x, ki, WASM_TRAP_TABLE_OOB))
		return false;
	struct x64_mem e = x64_mem_idx(RDX, RAX, 8, 0);
	if (op == 0x26) {
		x64_mov_rm(f->a, 1, RCX, S(f, kv));
		x64_mov_mr(f->a, 1, e, RCX);
		return true;
	}
	if (!push(f, elemtype(f, x), &ki))
		return false;
	x64_mov_rm(f->a, 1, RAX, e);
	st(f, ki, RAX);
	return true;
}

static bool op_table_size(struct fc *f)
{
	uint32_t x, k;

	if (!rd_table(f, &x) || !push(f, I32, &k))
		return false;
	ld_table(f, x);
	x64_mov_rm(f->a, 0, RAX, x64_mem(RDX, offsetof(struct jit_table, size)));
	st(f, k, RAX);
	return true;
}

/* table.grow x: init n -> old size or -1 */
static bool op_table_grow(struct fc *f)
{
	uint32_t x, kn, kv;

	if (!rd_table(f, &x))
		return false;
	if (!pop(f, I32, &kn, NULL) || !pop(f, elemtype(f, x), &kv, NULL) ||
	    !push(f, I32, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	arg_slot(f, RDX, kv, 1);
	arg_slot(f, RCX, kn, 0);
	if (!call_rt(f, offsetof(struct jit_rt, table_grow)))
		return false;
	x64_mov_rr(f->a, 0, RAX, RAX);
	st(f, kv, RAX);
	return true;
}

/* table.fill x: i val n */
static bool op_table_fill(struct fc *f)
{
	uint32_t x, ki, kv, kn;

	if (!rd_table(f, &x))
		return false;
	if (!pop(f, I32, &kn, NULL) || !pop(f, elemtype(f, x), &kv, NULL) ||
	    !pop(f, I32, &ki, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	arg_slot(f, RDX, ki, 0);
	arg_slot(f, RCX, kv, 1);
	arg_slot(f, R8, kn, 0);
	return call_rt(f, offsetof(struct jit_rt, table_fill)) && trap_if_eax(f);
}

/* pop d s n (i32) for the copy/init instructions */
static bool pop_dsn(struct fc *f, uint32_t *kd, uint32_t *ks, uint32_t *kn)
{
	return pop(f, I32, kn, NULL) && pop(f, I32, ks, NULL) && pop(f, I32, kd, NULL);
}

/* table.copy x y (dst, src) */
static bool op_table_copy(struct fc *f)
{
	uint32_t x, y, kd, ks, kn;

	if (!rd_table(f, &x) || !rd_table(f, &y))
		return false;
	if (elemtype(f, x) != elemtype(f, y))
		return fail(f, "type mismatch");
	if (!pop_dsn(f, &kd, &ks, &kn))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	x64_mov_ri(f->a, RDX, y);
	arg_slot(f, RCX, kd, 0);
	arg_slot(f, R8, ks, 0);
	arg_slot(f, R9, kn, 0);
	return call_rt(f, offsetof(struct jit_rt, table_copy)) && trap_if_eax(f);
}

/* table.init: elem index first in the binary, then the table */
static bool op_table_init(struct fc *f)
{
	uint32_t x, y, kd, ks, kn;

	if (!rd_elem(f, &y) || !rd_table(f, &x))
		return false;
	if (elemtype(f, x) != f->m->elems[y].elemtype)
		return fail(f, "type mismatch");
	if (!pop_dsn(f, &kd, &ks, &kn))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	x64_mov_ri(f->a, RDX, y);
	arg_slot(f, RCX, kd, 0);
	arg_slot(f, R8, ks, 0);
	arg_slot(f, R9, kn, 0);
	return call_rt(f, offsetof(struct jit_rt, table_init)) && trap_if_eax(f);
}

static bool op_elem_drop(struct fc *f)
{
	uint32_t y;

	if (!rd_elem(f, &y))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, y);
	return call_rt(f, offsetof(struct jit_rt, elem_drop));
}

/* memory.init x 0x00: d s n */
static bool op_memory_init(struct fc *f)
{
	uint32_t x, kd, ks, kn;

	if (!rd_data(f, &x) || !rd_memidx(f))
		return false;
	if (!pop_dsn(f, &kd, &ks, &kn))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	arg_slot(f, RDX, kd, 0);
	arg_slot(f, RCX, ks, 0);
	arg_slot(f, R8, kn, 0);
	return call_rt(f, offsetof(struct jit_rt, memory_init)) && trap_if_eax(f);
}

static bool op_data_drop(struct fc *f)
{
	uint32_t x;

	if (!rd_data(f, &x))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	return call_rt(f, offsetof(struct jit_rt, data_drop));
}

/* ---- numeric: integers ------------------------------------------------------------- */

static const uint8_t icmp_cc[10] = {
	X64_CC_E, X64_CC_NE, X64_CC_L, X64_CC_B, X64_CC_G, X64_CC_A,
	X64_CC_LE, X64_CC_BE, X64_CC_GE, X64_CC_AE,
};

/* rax = rax / rcx (kind: 0 div_s, 1 div_u, 2 rem_s, 3 rem_u), with the
 * traps; clobbers rdx */
static bool idiv_core(struct fc *f, int w, int kind)
{
	x64_test_rr(f->a, w, RCX, RCX);
	if (!trap_if(f, X64_CC_E, WASM_TRAP_DIV_BY_ZERO))
		return false;
	if (kind == 1 || kind == 3) {
		x64_alu_rr(f->a, X64_XOR, 0, RDX, RDX);
		x64_grp3_r(f->a, X64_DIV, w, RCX);
	} else {
		size_t normal, done = 0;
		x64_alu_ri(f->a, X64_CMP, w, RCX, -1);
		normal = fwd_jcc(f, X64_CC_NE);
		if (kind == 0) {
			/* INT_MIN / -1 overflows */
			x64_mov_ri(f->a, RDX, w ? 0x8000000000000000ull : 0x80000000u);
			x64_alu_rr(f->a, X64_CMP, w, RAX, RDX);
			if (!trap_if(f, X64_CC_E, WASM_TRAP_INT_OVERFLOW))
				return false;
		} else {
			/* x rem -1 = 0 (idiv would fault on INT_MIN) */
			x64_alu_rr(f->a, X64_XOR, 0, RDX, RDX);
			done = fwd_jmp(f);
		}
		here(f, normal);
		if (w)
			x64_cqo(f->a);
		else
			x64_cdq(f->a);
		x64_grp3_r(f->a, X64_IDIV, w, RCX);
		if (kind == 2)
			here(f, done);
	}
	if (kind >= 2)
		x64_mov_rr(f->a, w, RAX, RDX);
	if (!w)
		x64_mov_rr(f->a, 0, RAX, RAX);
	return true;
}

static bool emit_idiv(struct fc *f, int w, int kind, uint32_t ka, uint32_t kb)
{
	ld(f, RAX, ka);
	ld(f, RCX, kb);
	if (!idiv_core(f, w, kind))
		return false;
	st(f, ka, RAX);
	return true;
}

static bool emit_ibin(struct fc *f, int w, int op, uint32_t ka, uint32_t kb)
{
	static const uint8_t alu[] = { X64_ADD, X64_SUB, 0, 0, 0, 0, 0, X64_AND, X64_OR, X64_XOR };
	static const uint8_t sh[] = { X64_SHL, X64_SAR, X64_SHR, X64_ROL, X64_ROR };

	switch (op) {
	case 3: return emit_idiv(f, w, 0, ka, kb);
	case 4: return emit_idiv(f, w, 1, ka, kb);
	case 5: return emit_idiv(f, w, 2, ka, kb);
	case 6: return emit_idiv(f, w, 3, ka, kb);
	}
	ld(f, RAX, ka);
	ld(f, RCX, kb);
	if (op == 2)
		x64_imul_rr(f->a, w, RAX, RCX);
	else if (op >= 10)
		x64_shift_cl(f->a, sh[op - 10], w, RAX);
	else
		x64_alu_rr(f->a, alu[op], w, RAX, RCX);
	st(f, ka, RAX);
	return true;
}

static void emit_iunary(struct fc *f, int w, int op, uint32_t k)
{
	ld(f, RAX, k);
	switch (op) {
	case 0: /* clz: lzcnt, else 31 - bsr, or 32 for 0 (63 ^ 31) */
		if (f->jc->lzcnt) {
			x64_lzcnt(f->a, w, RAX, RAX);
			break;
		}
		x64_mov_ri(f->a, RDX, w ? 127 : 63);
		x64_bsr(f->a, w, RAX, RAX);
		x64_cmov(f->a, X64_CC_E, w, RAX, RDX);
		x64_alu_ri(f->a, X64_XOR, w, RAX, w ? 63 : 31);
		break;
	case 1: /* ctz: tzcnt, else bsf, or 32|64 for 0 */
		if (f->jc->tzcnt) {
			x64_tzcnt(f->a, w, RAX, RAX);
			break;
		}
		x64_mov_ri(f->a, RDX, w ? 64 : 32);
		x64_bsf(f->a, w, RAX, RAX);
		x64_cmov(f->a, X64_CC_E, w, RAX, RDX);
		break;
	case 2:
		if (f->jc->popcnt) {
			x64_popcnt(f->a, w, RAX, RAX);
		} else {
			x64_mov_rr(f->a, 1, RDI, RAX);
			x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_RT));
			x64_call_m(f->a, x64_mem(RAX, offsetof(struct jit_rt, popcnt)));
		}
		break;
	}
	st(f, k, RAX);
}

/* ---- numeric: floats ------------------------------------------------------------------ */

static void emit_fround(struct fc *f, int dbl, int mode, uint32_t k)
{
	ldx(f, dbl, 0, k);
	if (f->jc->sse41) {
		x64_round(f->a, dbl, 0, 0, (uint8_t)(8 | mode));
	} else {
		x64_mov_ri(f->a, RDI, (uint64_t)mode);
		x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_RT));
		x64_call_m(f->a, x64_mem(RAX, dbl ? offsetof(struct jit_rt, round64)
						  : offsetof(struct jit_rt, round32)));
	}
	stx(f, dbl, k);
}

static void emit_funary(struct fc *f, int dbl, int op, uint32_t k)
{
	static const int8_t rmode[] = { -1, -1, 2, 1, 3, 0 };

	switch (op) {
	case 0: /* abs */
		ld(f, RAX, k);
		if (dbl) {
			x64_shift_ri(f->a, X64_SHL, 1, RAX, 1);
			x64_shift_ri(f->a, X64_SHR, 1, RAX, 1);
		} else {
			x64_alu_ri(f->a, X64_AND, 0, RAX, 0x7fffffff);
		}
		st(f, k, RAX);
		return;
	case 1: /* neg */
		ld(f, RAX, k);
		x64_btc_ri(f->a, dbl, RAX, dbl ? 63 : 31);
		st(f, k, RAX);
		return;
	case 6: /* sqrt */
		ldx(f, dbl, 0, k);
		x64_sse_rr(f->a, X64_SSE_SQRT, dbl, 0, 0);
		stx(f, dbl, k);
		return;
	default:
		emit_fround(f, dbl, rmode[op], k);
	}
}

/* min/max per spec: NaN if either is NaN, -0 < +0 */
static void emit_fminmax(struct fc *f, int dbl, bool is_max, uint32_t ka)
{
	size_t nan, ne, done1, done2;

	x64_ucomis(f->a, dbl, 0, 1);
	nan = fwd_jcc(f, X64_CC_P);
	ne = fwd_jcc(f, X64_CC_NE);
	/* equal: only ±0 differ; max = and the signs, min = or them */
	if (is_max)
		x64_andp(f->a, dbl, 0, 1);
	else
		x64_orp(f->a, dbl, 0, 1);
	done1 = fwd_jmp(f);
	here(f, ne);
	x64_sse_rr(f->a, is_max ? X64_SSE_MAX : X64_SSE_MIN, dbl, 0, 1);
	done2 = fwd_jmp(f);
	here(f, nan);
	x64_sse_rr(f->a, X64_SSE_ADD, dbl, 0, 1);   /* a quiet NaN */
	here(f, done1);
	here(f, done2);
	stx(f, dbl, ka);
}

static void emit_fbin(struct fc *f, int dbl, int op, uint32_t ka, uint32_t kb)
{
	static const uint8_t sse[] = { X64_SSE_ADD, X64_SSE_SUB, X64_SSE_MUL, X64_SSE_DIV };

	if (op == 6) { /* copysign by bits */
		ld(f, RAX, ka);
		ld(f, RCX, kb);
		if (dbl) {
			x64_mov_ri(f->a, RDX, 0x7fffffffffffffffull);
			x64_alu_rr(f->a, X64_AND, 1, RAX, RDX);
			x64_grp3_r(f->a, X64_NOT, 1, RDX);
			x64_alu_rr(f->a, X64_AND, 1, RCX, RDX);
			x64_alu_rr(f->a, X64_OR, 1, RAX, RCX);
		} else {
			x64_alu_ri(f->a, X64_AND, 0, RAX, 0x7fffffff);
			x64_alu_ri(f->a, X64_AND, 0, RCX, (int32_t)0x80000000);
			x64_alu_rr(f->a, X64_OR, 0, RAX, RCX);
		}
		st(f, ka, RAX);
		return;
	}
	ldx(f, dbl, 0, ka);
	ldx(f, dbl, 1, kb);
	if (op >= 4) {
		emit_fminmax(f, dbl, op == 5, ka);
		return;
	}
	x64_sse_rr(f->a, sse[op], dbl, 0, 1);
	stx(f, dbl, ka);
}

static void emit_fcmp(struct fc *f, int dbl, int op, uint32_t ka, uint32_t kb)
{
	ldx(f, dbl, 0, ka);
	ldx(f, dbl, 1, kb);
	switch (op) {
	case 0: /* eq: ZF && !PF */
	case 1: /* ne: !ZF || PF */
		x64_ucomis(f->a, dbl, 0, 1);
		x64_setcc(f->a, op ? X64_CC_NE : X64_CC_E, RAX);
		x64_setcc(f->a, op ? X64_CC_P : X64_CC_NP, RCX);
		x64_alu_rr(f->a, op ? X64_OR : X64_AND, 0, RAX, RCX);
		x64_movzx8_rr(f->a, RAX, RAX);
		st(f, ka, RAX);
		return;
	case 2: /* lt: b > a */
		x64_ucomis(f->a, dbl, 1, 0);
		st_cc(f, X64_CC_A, ka);
		return;
	case 3: /* gt */
		x64_ucomis(f->a, dbl, 0, 1);
		st_cc(f, X64_CC_A, ka);
		return;
	case 4: /* le: b >= a */
		x64_ucomis(f->a, dbl, 1, 0);
		st_cc(f, X64_CC_AE, ka);
		return;
	case 5: /* ge */
		x64_ucomis(f->a, dbl, 0, 1);
		st_cc(f, X64_CC_AE, ka);
		return;
	}
}

/* ---- conversions ------------------------------------------------------------------------ */

static uint64_t fbits(int dbl, double v)
{
	if (dbl) {
		uint64_t b;
		memcpy(&b, &v, 8);
		return b;
	}
	float x = (float)v;
	uint32_t b;
	memcpy(&b, &x, 4);
	return b;
}

/*
 * float -> int truncation, trapping (sat = false) or saturating.
 * In range iff lo < x (or lo <= x when lo itself is representable and
 * valid) and x < hi; NaN is invalid / 0.
 */
static bool emit_trunc(struct fc *f, int dbl, int w, bool is_unsigned, bool sat, uint32_t k)
{
	double lo, hi;
	bool lo_incl;

	if (is_unsigned) {
		lo = -1.0, lo_incl = false;
		hi = w ? 18446744073709551616.0 : 4294967296.0;
	} else if (w) {
		lo = -9223372036854775808.0, lo_incl = true;
		hi = 9223372036854775808.0;
	} else {
		hi = 2147483648.0;
		if (dbl)
			lo = -2147483649.0, lo_incl = false;
		else
			lo = -2147483648.0, lo_incl = true;
	}
	size_t jnan = 0, jlo = 0, jhi = 0;
	ldx(f, dbl, 0, k);
	x64_ucomis(f->a, dbl, 0, 0);
	if (sat)
		jnan = fwd_jcc(f, X64_CC_P);
	else if (!trap_if(f, X64_CC_P, WASM_TRAP_INVALID_CONVERSION))
		return false;
	ldx_const(f, dbl, 1, fbits(dbl, lo));
	x64_ucomis(f->a, dbl, 0, 1);
	if (sat)
		jlo = fwd_jcc(f, lo_incl ? X64_CC_B : X64_CC_BE);
	else if (!trap_if(f, lo_incl ? X64_CC_B : X64_CC_BE, WASM_TRAP_INT_OVERFLOW))
		return false;
	ldx_const(f, dbl, 1, fbits(dbl, hi));
	x64_ucomis(f->a, dbl, 0, 1);
	if (sat)
		jhi = fwd_jcc(f, X64_CC_AE);
	else if (!trap_if(f, X64_CC_AE, WASM_TRAP_INT_OVERFLOW))
		return false;

	if (!w) {
		x64_cvtt2si(f->a, dbl, is_unsigned, RAX, 0);
		x64_mov_rr(f->a, 0, RAX, RAX);
	} else if (!is_unsigned) {
		x64_cvtt2si(f->a, dbl, 1, RAX, 0);
	} else {
		ldx_const(f, dbl, 1, fbits(dbl, 9223372036854775808.0));
		x64_ucomis(f->a, dbl, 0, 1);
		size_t big = fwd_jcc(f, X64_CC_AE);
		x64_cvtt2si(f->a, dbl, 1, RAX, 0);
		size_t done = fwd_jmp(f);
		here(f, big);
		x64_sse_rr(f->a, X64_SSE_SUB, dbl, 0, 1);
		x64_cvtt2si(f->a, dbl, 1, RAX, 0);
		x64_btc_ri(f->a, 1, RAX, 63);
		here(f, done);
	}
	if (sat) {
		size_t done = fwd_jmp(f), d2, d3;
		uint64_t min = is_unsigned ? 0 : w ? 0x8000000000000000ull : 0x80000000u;
		uint64_t max = is_unsigned ? (w ? ~0ull : 0xffffffffu)
					   : (w ? 0x7fffffffffffffffull : 0x7fffffffu);
		here(f, jnan);
		x64_alu_rr(f->a, X64_XOR, 0, RAX, RAX);
		d2 = fwd_jmp(f);
		here(f, jlo);
		x64_mov_ri(f->a, RAX, min);
		d3 = fwd_jmp(f);
		here(f, jhi);
		x64_mov_ri(f->a, RAX, max);
		here(f, done);
		here(f, d2);
		here(f, d3);
	}
	st(f, k, RAX);
	return true;
}

/* int -> float */
static void emit_convert(struct fc *f, int dbl, int w, bool is_unsigned, uint32_t k)
{
	ld(f, RAX, k);
	x64_xorps(f->a, 0, 0);
	if (!(w && is_unsigned)) {
		/* i32 (zero-extended in the slot) converts exactly as an i64 */
		x64_cvtsi2(f->a, dbl, w || is_unsigned, 0, RAX);
	} else {
		x64_test_rr(f->a, 1, RAX, RAX);
		size_t big = fwd_jcc(f, X64_CC_S);
		x64_cvtsi2(f->a, dbl, 1, 0, RAX);
		size_t done = fwd_jmp(f);
		here(f, big);
		/* halve with the low bit kept sticky, convert, double */
		x64_mov_rr(f->a, 1, RCX, RAX);
		x64_shift_ri(f->a, X64_SHR, 1, RCX, 1);
		x64_alu_ri(f->a, X64_AND, 0, RAX, 1);
		x64_alu_rr(f->a, X64_OR, 1, RCX, RAX);
		x64_cvtsi2(f->a, dbl, 1, 0, RCX);
		x64_sse_rr(f->a, X64_SSE_ADD, dbl, 0, 0);
		here(f, done);
	}
	stx(f, dbl, k);
}

static bool emit_conv(struct fc *f, uint8_t op, uint32_t k)
{
	switch (op) {
	case 0xa7: /* i32.wrap_i64 */
		ld(f, RAX, k);
		x64_mov_rr(f->a, 0, RAX, RAX);
		st(f, k, RAX);
		return true;
	case 0xa8: return emit_trunc(f, 0, 0, false, false, k);
	case 0xa9: return emit_trunc(f, 0, 0, true, false, k);
	case 0xaa: return emit_trunc(f, 1, 0, false, false, k);
	case 0xab: return emit_trunc(f, 1, 0, true, false, k);
	case 0xac: case 0xc4: /* i64.extend_i32_s, i64.extend32_s */
		ld(f, RAX, k);
		x64_movsxd_rr(f->a, RAX, RAX);
		st(f, k, RAX);
		return true;
	case 0xad: /* i64.extend_i32_u: already zero-extended */
		return true;
	case 0xae: return emit_trunc(f, 0, 1, false, false, k);
	case 0xaf: return emit_trunc(f, 0, 1, true, false, k);
	case 0xb0: return emit_trunc(f, 1, 1, false, false, k);
	case 0xb1: return emit_trunc(f, 1, 1, true, false, k);
	case 0xb2: emit_convert(f, 0, 0, false, k); return true;
	case 0xb3: emit_convert(f, 0, 0, true, k); return true;
	case 0xb4: emit_convert(f, 0, 1, false, k); return true;
	case 0xb5: emit_convert(f, 0, 1, true, k); return true;
	case 0xb6: /* f32.demote_f64 */
		ldx(f, 1, 0, k);
		x64_sse_rr(f->a, X64_SSE_CVT, 1, 0, 0);
		stx(f, 0, k);
		return true;
	case 0xb7: emit_convert(f, 1, 0, false, k); return true;
	case 0xb8: emit_convert(f, 1, 0, true, k); return true;
	case 0xb9: emit_convert(f, 1, 1, false, k); return true;
	case 0xba: emit_convert(f, 1, 1, true, k); return true;
	case 0xbb: /* f64.promote_f32 */
		ldx(f, 0, 0, k);
		x64_sse_rr(f->a, X64_SSE_CVT, 0, 0, 0);
		stx(f, 1, k);
		return true;
	case 0xbc: case 0xbd: case 0xbe: case 0xbf: /* reinterpret: same bits */
		return true;
	case 0xc0: case 0xc2:
		ld(f, RAX, k);
		x64_movsx8_rr(f->a, op == 0xc2, RAX, RAX);
		if (op == 0xc0)
			x64_mov_rr(f->a, 0, RAX, RAX);
		st(f, k, RAX);
		return true;
	case 0xc1: case 0xc3:
		ld(f, RAX, k);
		x64_movsx16_rr(f->a, op == 0xc3, RAX, RAX);
		st(f, k, RAX);
		return true;
	}
	return fail(f, "illegal opcode");
}

/* ---- numeric opcodes on value locations ------------------------------------------------ */

/* the condition with the operands swapped (a < b  <=>  b > a) */
static enum x64_cc swap_cc(enum x64_cc cc)
{
	switch (cc) {
	case X64_CC_L: return X64_CC_G;
	case X64_CC_G: return X64_CC_L;
	case X64_CC_LE: return X64_CC_GE;
	case X64_CC_GE: return X64_CC_LE;
	case X64_CC_B: return X64_CC_A;
	case X64_CC_A: return X64_CC_B;
	case X64_CC_BE: return X64_CC_AE;
	case X64_CC_AE: return X64_CC_BE;
	default: return cc;
	}
}

/* swap the locations of the top two entries (not a V_STK one: that
 * names its own slot); false if it cannot */
static bool swap_top2(struct fc *f)
{
	struct vloc t = f->vs[f->nvals - 2];

	if (t.kind == V_STK || f->vs[f->nvals - 1].kind == V_STK)
		return false;
	f->vs[f->nvals - 2] = f->vs[f->nvals - 1];
	f->vs[f->nvals - 1] = t;
	return true;
}

/* the top two entries (a, b) become one V_FLAGS i32 with condition cc */
static void set_flags_result(struct fc *f, enum x64_cc cc, uint32_t n)
{
	while (n-- > 1)
		vdrop(f);
	uint32_t k = f->nvals - 1;
	free_vloc(f, &f->vs[k], f->vals[k]);
	f->vs[k] = (struct vloc){ .kind = V_FLAGS, .cc = (uint8_t)cc };
	f->vals[k] = I32;
}

static void fast_eqz(struct fc *f, int w)
{
	uint32_t k = f->nvals - 1;
	struct vloc *v = &f->vs[k];

	if (v->kind == V_FLAGS) {       /* eqz of a comparison: its negation */
		v->cc ^= 1;
		return;
	}
	struct opnd o = int_opnd(f, k, w);
	if (o.kind == V_REG) {
		x64_test_rr(f->a, w, o.reg, o.reg);
	} else if (o.kind == V_STK) {
		x64_alu_mi(f->a, X64_CMP, w, o.m, 0);
	} else {
		x64_mov_ri(f->a, RAX, v->imm);
		x64_test_rr(f->a, w, RAX, RAX);
	}
	set_flags_result(f, X64_CC_E, 1);
}

static void fast_icmp(struct fc *f, int w, enum x64_cc cc)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	struct vloc *a = &f->vs[ka], *b = &f->vs[kb];

	if (a->kind != V_REG && b->kind == V_REG && swap_top2(f))
		cc = swap_cc(cc);
	if (is_mem(f, a) && b->kind == V_IMM && (!w || (int64_t)b->imm == (int32_t)b->imm)) {
		x64_alu_mi(f->a, X64_CMP, w, a->kind == V_LOCAL ? L(f, a->local) : S(f, ka),
			   (int32_t)b->imm);
	} else {
		int ra = src_reg(f, ka) >= 0 ? src_reg(f, ka) : to_reg(f, ka);
		struct opnd o = int_opnd(f, kb, w);
		alu_opnd(f, X64_CMP, w, ra, &o);
	}
	set_flags_result(f, cc, 2);
}

/* A quick read of a u32 LEB128 (at most 5 bytes, the bits beyond 32 not
 * checked) for the look-aheads; NULL at the end.  Not validation: the
 * compiling pass reads every immediate with the checked readers. */
static inline const uint8_t *scan_u32(const uint8_t *p, const uint8_t *end, uint32_t *v)
{
	uint32_t x = 0;

	for (unsigned sh = 0; sh < 35 && p < end; sh += 7) {
		uint8_t b = *p++;
		x |= (uint32_t)(b & 0x7f) << sh;
		if (!(b & 0x80)) {
			*v = x;
			return p;
		}
	}
	return NULL;
}

/* `local.get x ... op local.set/tee x` with x pinned: the op can work
 * on x's register in place.  Entry k is that local.get and the next
 * opcode sets x: returns x's register, after giving every other entry
 * that reads x the old value; else -1. */
static int in_place(struct fc *f, uint32_t k)
{
	const uint8_t *p = f->r.p, *end = f->r.end;
	const struct vloc *v = &f->vs[k];
	uint32_t x;

	if (v->kind != V_LOCAL || local_reg(f, v->local) < 0)
		return -1;
	/* a peek at the next opcode (the compiling pass reads it for real) */
	if (p >= end || (*p != 0x21 && *p != 0x22) || !scan_u32(p + 1, end, &x) ||
	    x != v->local)
		return -1;
	for (uint32_t j = 0; j < k; j++)
		if (f->vs[j].kind == V_LOCAL && f->vs[j].local == x)
			spill(f, j);
	return local_reg(f, x);
}

/* add sub mul and or xor shl shr_s shr_u rotl rotr (emit_ibin numbering) */
static bool fast_ibin(struct fc *f, int w, int op)
{
	static const uint8_t alu[] = { X64_ADD, X64_SUB, 0, 0, 0, 0, 0, X64_AND, X64_OR, X64_XOR };
	static const uint8_t sh[] = { X64_SHL, X64_SAR, X64_SHR, X64_ROL, X64_ROR };
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;

	if (op >= 3 && op <= 6) {       /* through rax, rcx, rdx */
		to_scratch(f, kb, RCX);
		to_scratch(f, ka, RAX);
		idiv_core(f, w, op - 3);
		vdrop(f);
		free_vloc(f, &f->vs[ka], f->vals[ka]);
		int r = alloc_reg(f, f->vals[ka]);
		f->vs[ka] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
		x64_mov_rr(f->a, 1, r, RAX);
		return !f->err;
	}
	bool commutes = op == 0 || op == 2 || op == 7 || op == 8 || op == 9;
	int ra = in_place(f, ka);
	if (ra < 0 && commutes && in_place(f, kb) >= 0 && swap_top2(f))
		ra = in_place(f, ka);
	if (ra < 0 && commutes && f->vs[ka].kind != V_REG && f->vs[kb].kind == V_REG)
		swap_top2(f);
	if (ra < 0)
		ra = to_reg(f, ka);
	struct vloc *b = &f->vs[kb];
	if (op >= 10) {
		if (b->kind == V_IMM) {
			x64_shift_ri(f->a, sh[op - 10], w, ra, (uint8_t)(b->imm & (w ? 63 : 31)));
		} else {
			to_scratch(f, kb, RCX);
			x64_shift_cl(f->a, sh[op - 10], w, ra);
		}
	} else if (op == 2) {
		if (b->kind == V_REG) {
			x64_imul_rr(f->a, w, ra, b->reg);
		} else {
			to_scratch(f, kb, RCX);
			x64_imul_rr(f->a, w, ra, RCX);
		}
	} else {
		struct opnd o = int_opnd(f, kb, w);
		alu_opnd(f, alu[op], w, ra, &o);
	}
	vdrop(f);
	return true;
}

/* xmm1 or the register of float entry k */
static int xmm_opnd(struct fc *f, uint32_t k)
{
	struct vloc *v = &f->vs[k];

	if (src_reg(f, k) >= 0)
		return src_reg(f, k);
	load_val(f, v, f->vals[k], k, 1);
	return 1;
}

static void fast_fbin(struct fc *f, int dbl, int op)
{
	static const uint8_t sse[] = { X64_SSE_ADD, X64_SSE_SUB, X64_SSE_MUL, X64_SSE_DIV };
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;

	bool commutes = op == 0 || op == 2;
	int ra = in_place(f, ka);
	if (ra < 0 && commutes && in_place(f, kb) >= 0 && swap_top2(f))
		ra = in_place(f, ka);
	if (ra < 0 && commutes && f->vs[ka].kind != V_REG && f->vs[kb].kind == V_REG)
		swap_top2(f);
	if (ra < 0)
		ra = to_reg(f, ka);
	int rb = xmm_opnd(f, kb);
	x64_sse_rr(f->a, sse[op], dbl, ra, rb);
	vdrop(f);
}

/* lt gt le ge (emit_fcmp numbering 2..5): unordered is false */
static void fast_fcmp(struct fc *f, int dbl, int op)
{
	uint32_t ka = f->nvals - 2, kb = f->nvals - 1;
	int ra = src_reg(f, ka) >= 0 ? src_reg(f, ka) : to_reg(f, ka);
	int rb = xmm_opnd(f, kb);

	if (op == 2 || op == 4)
		x64_ucomis(f->a, dbl, rb, ra);
	else
		x64_ucomis(f->a, dbl, ra, rb);
	set_flags_result(f, op <= 3 ? X64_CC_A : X64_CC_AE, 2);
}

/* 1: compiled on value locations; 0: not handled (nothing emitted) */
static int fast_numeric(struct fc *f, uint8_t op)
{
	const uint8_t *sig = opinfo[op].sig;

	if (!top_is_ab(f, sig[0], sig[1]))
		return 0;
	if (op == 0x45 || op == 0x50) {
		fast_eqz(f, op == 0x50);
	} else if (op <= 0x5a) {
		int w = op >= 0x51;
		fast_icmp(f, w, (enum x64_cc)icmp_cc[op - (w ? 0x51 : 0x46)]);
	} else if ((op >= 0x5d && op <= 0x60) || (op >= 0x63 && op <= 0x66)) {
		int dbl = op >= 0x61;
		fast_fcmp(f, dbl, op - (dbl ? 0x61 : 0x5b));
	} else if (op >= 0x6a && op <= 0x78) {
		return fast_ibin(f, 0, op - 0x6a);
	} else if (op >= 0x7c && op <= 0x8a) {
		return fast_ibin(f, 1, op - 0x7c);
	} else if ((op >= 0x92 && op <= 0x95) || (op >= 0xa0 && op <= 0xa3)) {
		int dbl = op >= 0xa0;
		fast_fbin(f, dbl, op - (dbl ? 0xa0 : 0x92));
	} else if (op == 0xa7) {        /* i32.wrap_i64 */
		int r = to_reg(f, f->nvals - 1);
		x64_mov_rr(f->a, 0, r, r);
		f->vals[f->nvals - 1] = I32;
	} else if (op == 0xac) {        /* i64.extend_i32_s */
		int r = to_reg(f, f->nvals - 1);
		x64_movsxd_rr(f->a, r, r);
		f->vals[f->nvals - 1] = I64;
	} else if (op == 0xad) {        /* i64.extend_i32_u: already zero-extended */
		f->vals[f->nvals - 1] = I64;
	} else {
		return 0;
	}
	return 1;
}

/* 0x45..0xc4 */
static bool op_numeric(struct fc *f, uint8_t op)
{
	const uint8_t *sig = opinfo[op].sig;
	uint32_t ka, kb = 0, kr;

	if (fast_numeric(f, op))
		return true;
	flush_all(f);
	if (sig[1] && !pop(f, sig[1], &kb, NULL))
		return false;
	if (!pop(f, sig[0], &ka, NULL))
		return false;
	if (!push(f, sig[2], &kr))
		return false;
	if (op == 0x45 || op == 0x50) {                 /* eqz */
		ld(f, RAX, ka);
		x64_test_rr(f->a, op == 0x50, RAX, RAX);
		st_cc(f, X64_CC_E, kr);
	} else if (op <= 0x5a) {                        /* integer compare */
		int w = op >= 0x51;
		ld(f, RAX, ka);
		ld(f, RCX, kb);
		x64_alu_rr(f->a, X64_CMP, w, RAX, RCX);
		st_cc(f, icmp_cc[op - (w ? 0x51 : 0x46)], kr);
	} else if (op <= 0x66) {
		int dbl = op >= 0x61;
		emit_fcmp(f, dbl, op - (dbl ? 0x61 : 0x5b), ka, kb);
	} else if (op <= 0x69) {
		emit_iunary(f, 0, op - 0x67, ka);
	} else if (op <= 0x78) {
		return emit_ibin(f, 0, op - 0x6a, ka, kb);
	} else if (op <= 0x7b) {
		emit_iunary(f, 1, op - 0x79, ka);
	} else if (op <= 0x8a) {
		return emit_ibin(f, 1, op - 0x7c, ka, kb);
	} else if (op <= 0x91) {
		emit_funary(f, 0, op - 0x8b, ka);
	} else if (op <= 0x98) {
		emit_fbin(f, 0, op - 0x92, ka, kb);
	} else if (op <= 0x9f) {
		emit_funary(f, 1, op - 0x99, ka);
	} else if (op <= 0xa6) {
		emit_fbin(f, 1, op - 0xa0, ka, kb);
	} else {
		return emit_conv(f, op, ka);
	}
	return true;
}

static bool op_fc(struct fc *f)
{
	uint32_t sub, k;

	if (!rd_u32(f, &sub))
		return false;
	if (sub <= 7) {
		if (!pop(f, satsig[sub][0], &k, NULL) || !push(f, satsig[sub][1], NULL))
			return false;
		return emit_trunc(f, satsig[sub][0] == F64, satsig[sub][1] == I64,
				  sub & 1, true, k);
	}
	switch (sub) {
	case 8:  return op_memory_init(f);
	case 9:  return op_data_drop(f);
	case 10: return op_memory_copy(f);
	case 11: return op_memory_fill(f);
	case 12: return op_table_init(f);
	case 13: return op_elem_drop(f);
	case 14: return op_table_copy(f);
	case 15: return op_table_grow(f);
	case 16: return op_table_size(f);
	case 17: return op_table_fill(f);
	}
	return fail(f, "illegal opcode");
}

/* ---- constants, parametric ------------------------------------------------------------- */

static inline bool op_const(struct fc *f, uint8_t op)
{
	uint32_t k;
	uint64_t v = 0;

	switch (op) {
	case 0x41: { int32_t x; if (!wasm_read_s32(&f->r, &x)) return false; v = (uint32_t)x; break; }
	case 0x42: { int64_t x; if (!wasm_read_s64(&f->r, &x)) return false; v = (uint64_t)x; break; }
	case 0x43: { uint32_t x; if (!wasm_read_f32(&f->r, &x)) return false; v = x; break; }
	case 0x44: if (!wasm_read_f64(&f->r, &v)) return false; break;
	}
	static const uint8_t ty[] = { I32, I64, F32, F64 };
	if (!push(f, ty[op - 0x41], &k))
		return false;
	f->vs[k] = (struct vloc){ .kind = V_IMM, .imm = v };
	return true;
}

/* select on value locations: cmov, or a jump over one movaps for
 * floats; the condition's flags (a comparison's) feed it directly.
 * false (nothing emitted) unless the operands are there with their types:
 * (want or) two equal numeric ones, and the i32 condition. */
static bool fast_select(struct fc *f, uint8_t want)
{
	uint32_t kc = f->nvals - 1, kb = f->nvals - 2, ka = f->nvals - 3;
	struct ctl *c = &f->ctls[f->nctls - 1];

	if (f->nvals - c->height < 3 || f->vals[kc] != I32)
		return false;
	uint8_t t = f->vals[ka];
	if (!t || t != f->vals[kb] || (want ? t != want : !is_num(t)))
		return false;
	enum x64_cc cc = X64_CC_NE;
	struct vloc *v = &f->vs[kc];
	if (v->kind == V_FLAGS) {
		cc = (enum x64_cc)v->cc;
	} else {
		int rc = src_reg(f, kc);
		if (rc < 0) {
			to_scratch(f, kc, RCX);
			rc = RCX;
		}
		x64_test_rr(f->a, 0, rc, rc);
	}
	vdrop(f);               /* the condition; what follows keeps EFLAGS */
	int ra = to_reg(f, ka);
	if (in_xmm(t)) {
		int rb = xmm_opnd(f, kb);
		size_t skip = fwd_jcc(f, cc);
		x64_movaps_rr(f->a, ra, rb);
		here(f, skip);
	} else {
		int rb = src_reg(f, kb);
		if (rb < 0) {
			to_scratch(f, kb, RCX);
			rb = RCX;
		}
		x64_cmov(f->a, (enum x64_cc)(cc ^ 1), 1, ra, rb);
	}
	vdrop(f);
	return true;
}

static bool op_select(struct fc *f, bool typed)
{
	uint32_t kc, ka, kb;
	uint8_t want = 0, ta, tb;

	if (typed) {
		uint32_t n;
		if (!rd_u32(f, &n))
			return false;
		if (n != 1)
			return fail(f, "invalid result arity");
		if (!rd_u8(f, &want))
			return false;
		if (want == WASM_V128)
			return fail(f, "SIMD not supported yet");
		if (!is_valtype(want))
			return fail(f, "malformed value type");
	}
	if (fast_select(f, want))
		return true;
	flush_all(f);
	if (!pop(f, I32, &kc, NULL) || !pop(f, want, &kb, &tb) || !pop(f, want, &ka, &ta))
		return false;
	if (!typed) {
		if ((ta && !is_num(ta)) || (tb && !is_num(tb)) || (ta && tb && ta != tb))
			return fail(f, "type mismatch");
	}
	if (!push(f, typed ? want : ta ? ta : tb, NULL))
		return false;
	ld(f, RAX, ka);
	ld(f, RDX, kb);
	x64_mov_rm(f->a, 0, RCX, S(f, kc));
	x64_test_rr(f->a, 0, RCX, RCX);
	x64_cmov(f->a, X64_CC_E, 1, RAX, RDX);
	st(f, ka, RAX);
	return true;
}

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

static const uint8_t *skip_imms(const uint8_t *p, const uint8_t *end, uint8_t op)
{
	uint32_t n, x;

	switch (opinfo[op].imm) {
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
	case OPI_F32:
		return end - p >= 4 ? p + 4 : NULL;
	case OPI_F64:
		return end - p >= 8 ? p + 8 : NULL;
	case OPI_FC:
		if (!(p = scan_u32(p, end, &x)))
			return NULL;
		switch (x) {
		case 0 ... 7: return p;
		case 8: p = skip_leb(p, end); return p && p < end ? p + 1 : NULL;
		case 9: case 13: case 15: case 16: case 17: return skip_leb(p, end);
		case 10: return end - p >= 2 ? p + 2 : NULL;
		case 11: return p < end ? p + 1 : NULL;
		case 12: case 14: return skip_lebs(p, end, 2);
		}
		return NULL;
	}
	return NULL;
}

/* The look-ahead's view of an opcode (from opcodes.h), so that one
 * indirect jump per opcode does it: */
enum { SC_OTHER, SC_NONE, SC_LEB, SC_LEB2, SC_LOCAL, SC_OPEN, SC_LOOP, SC_END };
#define SC_CLASS(code, imm) \
	((code) >= 0x20 && (code) <= 0x22 ? SC_LOCAL : (code) == 0x03 ? SC_LOOP : \
	 (code) == 0x02 || (code) == 0x04 ? SC_OPEN : (code) == 0x0b ? SC_END : \
	 (imm) == OPI_NONE ? SC_NONE : \
	 (imm) == OPI_U32 || (imm) == OPI_I32 ? SC_LEB : (imm) == OPI_U32X2 ? SC_LEB2 : SC_OTHER)
static const uint8_t scan_class[256] = {       /* SC_OTHER: skip_imms */
#define X(code, name, imm, flags, a, b, r) [code] = SC_CLASS(code, OPI_##imm),
	WASM_OPCODES(X)
#undef X
};

/* Give the most used locals (uses weighted by loop depth, from a look
 * ahead over the body) registers of their own: up to four integer and
 * eight float ones. */
static bool choose_pins(struct fc *f)
{
	const uint8_t *p = f->r.p, *end = f->r.end;
	uint32_t *score, cap = f->cappin;
	uint8_t loops[64];
	uint32_t depth = 0, nloops = 0, i, w = 1;
	uint8_t op;

	if (!grow((void **)&f->pin, &cap, f->nlocals + 1, sizeof *f->pin))
		return oom(f);
	cap = f->cappin;
	if (!grow((void **)&f->score, &cap, f->nlocals + 1, sizeof *f->score))
		return oom(f);
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
				loops[depth] = op == 0x03;
			nloops += op == 0x03;
			w = 1u << (3 * (nloops < 5 ? nloops : 5));
			depth++;
			break;
		case SC_END:
			if (depth) {
				depth--;
				if (depth < sizeof loops && loops[depth])
					nloops--;
				w = 1u << (3 * (nloops < 5 ? nloops : 5));
			}
			break;
		default:
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

/* pinned locals to their homes (before a call) or back (after one, or
 * in the prologue: params from the call area, the others zero) */
static void pins_to_homes(struct fc *f)
{
	for (uint32_t j = 0; j < f->npinned; j++) {
		uint32_t i = f->pinned[j];
		int r = f->pin[i];
		if (is_float(f->ltypes[i]))
			x64_movq_mx(f->a, L(f, i), r);
		else
			x64_mov_mr(f->a, 1, L(f, i), r);
	}
}

static void pins_from_homes(struct fc *f, bool prologue)
{
	for (uint32_t j = 0; j < f->npinned; j++) {
		uint32_t i = f->pinned[j];
		int r = f->pin[i];
		if (prologue && i >= f->nparams) {
			if (is_float(f->ltypes[i]))
				x64_xorps(f->a, r, r);
			else
				x64_alu_rr(f->a, X64_XOR, 0, r, r);
		} else if (is_float(f->ltypes[i])) {
			x64_movq_xm(f->a, r, L(f, i));
		} else {
			x64_mov_rm(f->a, 1, r, L(f, i));
		}
	}
}

/* opcodes whose slot-by-slot code calls out of the function (compiled
 * code, host functions, runtime helpers): every register is lost */
static bool calls_out(struct fc *f, uint8_t op)
{
	uint8_t fl = opinfo[op].flags;

	return (fl & OPF_CALLS) || ((fl & OPF_CALLS_NOPOPCNT) && !f->jc->popcnt) ||
	       ((fl & OPF_CALLS_NOSSE41) && !f->jc->sse41);
}

/* ---- the opcode loop (the one big switch) ---------------------------------------------- */

static bool compile_op2(struct fc *f, uint8_t op);

static bool compile_op(struct fc *f, uint8_t op)
{
	uint8_t fl = opinfo[op].flags;

	/* a comparison's flags live only until the next opcode */
	if (f->nvals && f->vs[f->nvals - 1].kind == V_FLAGS && !(fl & OPF_CC))
		to_reg(f, f->nvals - 1);
	/* the most frequent opcodes, without the big switch */
	if (op == 0x20)
		return op_local_get(f);
	if (op == 0x41)
		return op_const(f, op);
	/* opcodes without OPF_KEEPS are compiled slot by slot */
	if (!(fl & OPF_KEEPS))
		flush_all(f);
	if (calls_out(f, op)) {
		bool ok;

		pins_to_homes(f);
		ok = compile_op2(f, op);
		pins_from_homes(f, false);
		return ok;
	}
	return compile_op2(f, op);
}

static bool op_unreachable(struct fc *f)
{
	if (!trap_now(f, WASM_TRAP_UNREACHABLE))
		return false;
	set_unreachable(f);
	return true;
}

/* block, loop */
static bool op_block(struct fc *f, uint8_t op)
{
	struct ctl bt;

	return rd_blocktype(f, &bt) && push_ctl(f, op == 0x02 ? CTL_BLOCK : CTL_LOOP, &bt);
}

/* if: the flags of the condition survive push_ctl's spills */
static bool op_if(struct fc *f)
{
	struct ctl bt;
	enum x64_cc cc;

	if (!rd_blocktype(f, &bt) || !pop_cond(f, &cc))
		return false;
	if (!push_ctl(f, CTL_IF, &bt))
		return false;
	return jcc_to(f, (enum x64_cc)(cc ^ 1), f->ctls[f->nctls - 1].else_label);
}

/* br (depth read here), return (the function's frame) */
static bool op_br(struct fc *f, bool is_return)
{
	uint32_t depth = f->nctls - 1;

	if (!is_return && !rd_depth(f, &depth))
		return false;
	if (!emit_br(f, depth))
		return false;
	set_unreachable(f);
	return true;
}

static bool op_br_if_rd(struct fc *f)
{
	uint32_t depth;

	return rd_depth(f, &depth) && op_br_if(f, depth);
}

/* the opcode itself, with the stack flushed unless it has OPF_KEEPS (the
 * one big switch: every case hands over to the opcode's own function) */
static bool compile_op2(struct fc *f, uint8_t op)
{
	switch (op) {
	case 0x00:
		return op_unreachable(f);
	case 0x01: /* nop */
		return true;
	case 0x02: case 0x03:
		return op_block(f, op);
	case 0x04:
		return op_if(f);
	case 0x05:
		return op_else(f);
	case 0x0b:
		return op_end(f);
	case 0x0c:
		return op_br(f, false);
	case 0x0d:
		return op_br_if_rd(f);
	case 0x0e:
		return op_br_table(f);      /* after flush_all */
	case 0x0f:
		return op_br(f, true);
	case 0x10:
		return op_call(f);
	case 0x11:
		return op_call_indirect(f);
	case 0x1a: /* drop */
		return pop(f, 0, NULL, NULL);
	case 0x1b:
		return op_select(f, false);
	case 0x1c:
		return op_select(f, true);
	case 0x20:
		return op_local_get(f);
	case 0x21: case 0x22:
		return op_local(f, op);
	case 0x23: case 0x24:
		return op_global(f, op);
	case 0x25: case 0x26:
		return op_table_get_set(f, op);
	case 0x28 ... 0x3e:
		return op_load_store(f, op);
	case 0x3f: case 0x40:
		return op_memory_size_grow(f, op);
	case 0x41 ... 0x44:
		return op_const(f, op);
	case 0x45 ... 0xc4:
		return op_numeric(f, op);
	case 0xd0:
		return op_ref_null(f);
	case 0xd1:
		return op_ref_is_null(f);
	case 0xd2:
		return op_ref_func(f);
	case 0xfc:
		return op_fc(f);
	case 0xfd:
		return fail(f, "SIMD not supported yet");
	}
	return fail(f, "illegal opcode");
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
			return fail(f, "too many locals");
		total += n;
	}
	if (!grow((void **)&f->ltypes, &f->capltypes, total + 1, 1))
		return oom(f);
	memcpy(f->ltypes, f->ft->params, f->nparams);
	f->r = save;
	f->nlocals = f->nparams;
	for (uint32_t g = 0; g < ngroups; g++) {
		rd_u32(f, &n);
		f->op_off = (uint32_t)wasm_reader_offset(&f->r);
		rd_u8(f, &t);
		if (!is_valtype(t))
			return fail(f, "malformed value type");
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
	if (!trap_if(f, X64_CC_B, WASM_TRAP_STACK_EXHAUSTED))
		return false;
	x64_alu_ri(f->a, X64_SUB, 1, RSP, 0x10000000);
	sub_field = f->a->len - 4;
	emit_zero_locals(f);
	if (!choose_pins(f))
		return false;
	pins_from_homes(f, true);

	struct ctl fn = { .nresults = f->ft->nresults, .results = f->ft->results };
	if (!push_ctl(f, CTL_FUNC, &fn))
		return false;
	while (f->nctls) {
		f->op_off = (uint32_t)wasm_reader_offset(&f->r);
		if (wasm_reader_done(&f->r))
			return fail(f, "END opcode expected");
		if (!rd_u8(f, &op))
			return false;
		f->op = op;
		if (!compile_op(f, op) || !CHECK_STATE(f, false))
			return false;
		if (f->a->oom)
			return oom(f);
	}
	if (!wasm_reader_done(&f->r)) {
		f->op_off = (uint32_t)wasm_reader_offset(&f->r);
		return fail(f, "operators remaining after end of function");
	}
	if (!emit_stubs(f))
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
	struct fc f = { .jc = jc, .m = m, .a = &jc->a, .func_index = idx };
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
