/*
 * llvm_module.c — the LLVM backend's driver (issue 9, docs/abi.md v1):
 * declares every own function of a decoded module as an LLVM function in
 * the v1 convention, translates each body (llvm_func.c), adds the slot-
 * based entry trampolines and the trap stub wasm_trap, and runs the O2
 * pipeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include "llvm_backend.h"
#include "lw.h"
#include "jit.h"
#include "abi.h"

void lw_types(struct lw *s)
{
	s->i1 = LLVMInt1TypeInContext(s->c);
	s->i8 = LLVMInt8TypeInContext(s->c);
	s->i16 = LLVMInt16TypeInContext(s->c);
	s->i32 = LLVMInt32TypeInContext(s->c);
	s->i64 = LLVMInt64TypeInContext(s->c);
	s->f32 = LLVMFloatTypeInContext(s->c);
	s->f64 = LLVMDoubleTypeInContext(s->c);
	s->ptr = LLVMPointerType(s->i8, 0);
	s->vd = LLVMVoidTypeInContext(s->c);
	s->v128 = LLVMVectorType(s->i64, 2);
	s->v16i8 = LLVMVectorType(s->i8, 16);
	s->v8i16 = LLVMVectorType(s->i16, 8);
	s->v4i32 = LLVMVectorType(s->i32, 4);
	s->v4f32 = LLVMVectorType(s->f32, 4);
	s->v2f64 = LLVMVectorType(s->f64, 2);
}

/* references are i64 (jit.h); v128 is <2 x i64>, which SysV passes and
 * returns in an xmm register as it does __m128i (docs/abi.md) */
LLVMTypeRef lw_valtype(struct lw *s, uint8_t t)
{
	switch (t) {
	case WASM_V128: return s->v128;
	case WASM_I32: return s->i32;
	case WASM_I64: case WASM_FUNCREF: case WASM_EXTERNREF: return s->i64;
	case WASM_F32: return s->f32;
	case WASM_F64: return s->f64;
	default: return NULL;
	}
}

/* docs/abi.md "Results": in registers when at most two are integer-class
 * and at most two float-class, else all through the result area. */
enum lw_ret lw_ret_kind(const struct wasm_functype *ft)
{
	unsigned ni = 0, nf = 0;

	if (ft->nresults == 0)
		return LW_RET_VOID;
	if (ft->nresults == 1)
		return LW_RET_ONE;
	for (uint32_t i = 0; i < ft->nresults; i++) {
		if (jit_v1_is_xmm(ft->results[i]))     /* f32, f64, v128 */
			nf++;
		else
			ni++;
	}
	return ni <= 2 && nf <= 2 ? LW_RET_STRUCT : LW_RET_AREA;
}

LLVMTypeRef lw_fn_type(struct lw *s, const struct wasm_functype *ft)
{
	LLVMTypeRef p[ft->nparams + 2], r[ft->nresults ? ft->nresults : 1], ret;
	enum lw_ret rk = lw_ret_kind(ft);
	unsigned n = 0;

	p[n++] = s->ptr;                        /* struct jit_ctx * */
	if (rk == LW_RET_AREA)
		p[n++] = s->ptr;                /* void *results */
	for (uint32_t i = 0; i < ft->nparams; i++)
		p[n++] = lw_valtype(s, ft->params[i]);
	for (uint32_t i = 0; i < ft->nresults; i++)
		r[i] = lw_valtype(s, ft->results[i]);
	ret = rk == LW_RET_ONE ? r[0] :
	      rk == LW_RET_STRUCT ? LLVMStructTypeInContext(s->c, r, ft->nresults, false) :
	      s->vd;
	return LLVMFunctionType(ret, p, n, false);
}

static void add_str_attr(struct lw *s, LLVMValueRef f, const char *k, const char *v)
{
	LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
		LLVMCreateStringAttribute(s->c, k, strlen(k), v, strlen(v)));
}

static void add_enum_attr(struct lw *s, LLVMValueRef f, const char *k)
{
	LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(s->c, LLVMGetEnumAttributeKindForName(k, strlen(k)), 0));
}

/*
 * The v1 attributes (docs/abi.md): frame pointers always, no red zone.
 * "disable-tail-calls" keeps every frame (backtraces) and stops tail
 * recursion elimination from turning unbounded recursion, which must trap
 * "call stack exhausted", into a loop.  The target features are those of
 * cpu (JIT_CPU_*), per function, so that any code generator (MCJIT, an
 * object file) uses exactly them.
 */
static void v1_attrs(struct lw *s, LLVMValueRef f, const char *features)
{
	add_str_attr(s, f, "frame-pointer", "all");
	add_str_attr(s, f, "disable-tail-calls", "true");
	add_str_attr(s, f, "target-cpu", "x86-64");
	add_str_attr(s, f, "target-features", features);
	add_enum_attr(s, f, "noredzone");
	add_enum_attr(s, f, "nounwind");
}

/*
 * LLVM's features for cpu: "x86-64" (SSE2) plus exactly the JIT_CPU_*
 * set, each named on or off, so that no default of the code generator
 * adds one.  (LLVM's sse4.1 implies ssse3 and sse3: jit_cpu_features
 * reports SSE4.1 only with them.)  Without SSE4.1 the rounding
 * instructions are jit_rt calls (llvm_num.c), without POPCNT ctpop is
 * inline bit arithmetic, without LZCNT or BMI1 clz and ctz are bsr/bsf
 * with the zero case selected.  Never AVX (JIT_CPU_AVX is the single-pass
 * JIT's, jit.h JIT_CPU_LLVM): LLVM would use 256-bit ymm registers, whose
 * upper halves the kernel's trap path (fxsave) does not save, and no test
 * covers that code.
 */
static void features_string(unsigned cpu, char *buf, size_t len)
{
	snprintf(buf, len, "+sse2,%csse4.1,%cpopcnt,%clzcnt,%cbmi,-avx,-avx2",
		 cpu & JIT_CPU_SSE41 ? '+' : '-', cpu & JIT_CPU_POPCNT ? '+' : '-',
		 cpu & JIT_CPU_LZCNT ? '+' : '-', cpu & JIT_CPU_BMI1 ? '+' : '-');
}

/* the byte offset of the next value slot of type t after *off (docs/
 * abi.md "Value slots": 8 bytes, a v128 16 bytes aligned to 16) */
static unsigned slot_next(unsigned *off, uint8_t t)
{
	unsigned size = t == WASM_V128 ? 16 : 8, o = (*off + size - 1) & ~(size - 1);

	*off = o + size;
	return o;
}

/* a t* to byte offset off of the slots at base (an i64*) */
static LLVMValueRef slot_ptr(struct lw *s, LLVMValueRef base, unsigned off, LLVMTypeRef t)
{
	LLVMValueRef idx = LLVMConstInt(s->i64, off, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8,
		LLVMBuildBitCast(s->b, base, s->ptr, ""), &idx, 1, "");

	return LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), "");
}

/* wasm_entry_<i>(ctx, const uint64_t *args, uint64_t *results): the
 * arguments and results in value slots (i32/f32 in the low 4 bytes;
 * results stored zero-extended, as wasm_call gives them; a v128 in 16
 * bytes aligned to 16). */
static void entry_trampoline(struct lw *s, uint32_t i, const char *features)
{
	const struct wasm_functype *ft = wasm_func_type(s->m, i);
	enum lw_ret rk = lw_ret_kind(ft);
	LLVMTypeRef p64 = LLVMPointerType(s->i64, 0);
	LLVMTypeRef pt[3] = { s->ptr, p64, p64 };
	char name[40];
	LLVMValueRef f, args[ft->nparams + 2], call, out;
	unsigned n = 0, off = 0;

	snprintf(name, sizeof name, "wasm_entry_%u", i);
	f = LLVMAddFunction(s->mod, name, LLVMFunctionType(s->vd, pt, 3, false));
	v1_attrs(s, f, features);
	LLVMPositionBuilderAtEnd(s->b, LLVMAppendBasicBlockInContext(s->c, f, ""));
	out = LLVMGetParam(f, 2);
	args[n++] = LLVMGetParam(f, 0);
	if (rk == LW_RET_AREA)
		args[n++] = LLVMBuildBitCast(s->b, out, s->ptr, "");
	for (uint32_t k = 0; k < ft->nparams; k++) {
		LLVMTypeRef t = lw_valtype(s, ft->params[k]);
		LLVMValueRef ld = LLVMBuildLoad2(s->b, t, slot_ptr(s, LLVMGetParam(f, 1),
			slot_next(&off, ft->params[k]), t), "");
		LLVMSetAlignment(ld, 8);
		args[n++] = ld;
	}
	call = LLVMBuildCall2(s->b, lw_fn_type(s, ft), s->v1[i], args, n, "");
	/* a thin trampoline: the function's code (and its trap sites) stays
	   in the function, not inlined here a second time */
	LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(s->c, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
	if (rk == LW_RET_AREA) {
		/* the callee wrote the slots; clear the upper halves of 32-bit ones */
		for (uint32_t k = 0, o = 0; k < ft->nresults; k++) {
			LLVMValueRef idx = LLVMConstInt(s->i64,
				jit_v1_slot_next(&o, ft->results[k]) / 8, false);
			LLVMValueRef p = LLVMBuildGEP2(s->b, s->i64, out, &idx, 1, "");
			LLVMTypeRef t = lw_valtype(s, ft->results[k]);
			LLVMValueRef v;
			if (t != s->i32 && t != s->f32)
				continue;
			v = LLVMBuildLoad2(s->b, t, LLVMBuildBitCast(s->b, p,
						LLVMPointerType(t, 0), ""), "");
			v = LLVMBuildZExt(s->b, LLVMBuildBitCast(s->b, v, s->i32, ""), s->i64, "");
			LLVMBuildStore(s->b, v, p);
		}
	}
	off = 0;
	for (uint32_t k = 0; rk != LW_RET_AREA && k < ft->nresults; k++) {
		LLVMValueRef v = rk == LW_RET_ONE ? call : LLVMBuildExtractValue(s->b, call, k, "");
		LLVMTypeRef t = LLVMTypeOf(v);
		if (t == s->f32 || t == s->f64)
			v = LLVMBuildBitCast(s->b, v, t == s->f32 ? s->i32 : s->i64, "");
		if (LLVMTypeOf(v) == s->i32)
			v = LLVMBuildZExt(s->b, v, s->i64, "");
		LLVMSetAlignment(LLVMBuildStore(s->b, v, slot_ptr(s, out,
			slot_next(&off, ft->results[k]), LLVMTypeOf(v))), 8);
	}
	LLVMBuildRetVoid(s->b);
}

/*
 * The trap stub: every trap site calls it (`call rel32`, llvm_func.c) and
 * it jumps through ctx->trap with the arguments and the return address
 * untouched, so the runtime sees the site as the trap's address (docs/
 * abi.md "Traps").  Module assembly, not IR: a tail jump with no frame of
 * its own.
 */
static void trap_stub(struct lw *s)
{
	char text[256];
	int n = snprintf(text, sizeof text,
		".text\n.p2align 4\n.globl %s\n.hidden %s\n.type %s,@function\n"
		"%s:\n\tjmp *%d(%%rdi)\n.size %s, .-%s\n", LW_TRAP_STUB, LW_TRAP_STUB,
		LW_TRAP_STUB, LW_TRAP_STUB, CTX_TRAP, LW_TRAP_STUB, LW_TRAP_STUB);

	LLVMAppendModuleInlineAsm(s->mod, text, (size_t)n);
}

/*
 * Tail calls (return_call, return_call_indirect; docs/abi.md "Tail
 * calls").  LLVM 14 guarantees a tail call only between `tailcc`
 * functions, and tailcc is not v1: the callee pops its stack arguments,
 * and at least 8 bytes even with none (llc-14 -O2: `retq $8` with
 * register arguments only; it rounds the area to 16n + 8).  So in a module with
 * a tail call anywhere, every own function i is a tailcc body
 * wasm_body_<i> (what direct calls and tail calls call) behind its v1
 * function wasm_func_<i>, a ccc wrapper that calls the body (what
 * ctx->funcs, funcrefs, exports and wasm_entry_<i> call).  Wrapper and
 * body are adjacent, so function i's code range holds both (llvm_elf.c).
 * A module without tail calls is translated as before: its code does
 * not change.  return_call_indirect finds a body from its function
 * index through wasm_bodies, a table of PC-relative offsets (no
 * relocation at load time).
 *
 * "disable-tail-calls" is on every function during O2 (it keeps the
 * tail call elimination pass from turning `call` recursions, which must
 * exhaust the stack, into loops and from marking calls `tail`) and taken
 * off the bodies afterwards (LW_TAIL_ATTR, allow_tail_calls): then the
 * only calls marked `tail` are return_call's (the inliner keeps `tail`
 * only where the inlined call site had it too), and the code generator
 * makes exactly those tail calls, each of which allow_tail_calls checks
 * is still in a tail position (llvm_ctl.c, lw_emit_tail_call, says how
 * O2 is kept from moving it out).
 */
#define LW_TAIL_ATTR "wasm-tail-calls"

static LLVMValueRef add_func(struct lw *s, const char *prefix, uint32_t i,
			     const struct wasm_functype *ft, unsigned cc, const char *features)
{
	char name[32];
	LLVMValueRef f;

	snprintf(name, sizeof name, "%s%u", prefix, i);
	f = LLVMAddFunction(s->mod, name, lw_fn_type(s, ft));
	LLVMSetFunctionCallConv(f, cc);
	/* hidden: calls between them are `call rel32`, not through a
	   PLT (position-independent, DESIGN.md decision 5) */
	LLVMSetVisibility(f, LLVMHiddenVisibility);
	v1_attrs(s, f, features);
	return f;
}

/* wasm_bodies: entry k = the address of body nimported + k minus the
 * entry's own (a PC-relative difference: read-only, no relocation) */
static void bodies_table(struct lw *s)
{
	uint32_t nown = s->m->nfuncs - s->m->nimported_funcs;
	LLVMTypeRef at = LLVMArrayType(s->i32, nown);
	LLVMValueRef *v = calloc(nown ? nown : 1, sizeof *v);

	if (!v)
		abort();
	s->bodies = LLVMAddGlobal(s->mod, at, "wasm_bodies");
	LLVMSetLinkage(s->bodies, LLVMPrivateLinkage);
	LLVMSetGlobalConstant(s->bodies, true);
	LLVMSetAlignment(s->bodies, 4);
	for (uint32_t k = 0; k < nown; k++) {
		LLVMValueRef ix[2] = { LLVMConstInt(s->i32, 0, false),
				       LLVMConstInt(s->i32, k, false) };
		LLVMValueRef here = LLVMConstInBoundsGEP2(at, s->bodies, ix, 2);
		v[k] = LLVMConstTrunc(LLVMConstSub(
			LLVMConstPtrToInt(s->fns[s->m->nimported_funcs + k], s->i64),
			LLVMConstPtrToInt(here, s->i64)), s->i32);
	}
	LLVMSetInitializer(s->bodies, LLVMConstArray(s->i32, v, nown));
	free(v);
}

/* wasm_func_<i> of a module with tail calls: the body, called (a tailcc
 * callee pops; never inlined here: its code and trap sites stay in it) */
static void v1_wrapper(struct lw *s, uint32_t i)
{
	const struct wasm_functype *ft = wasm_func_type(s->m, i);
	unsigned n = LLVMCountParams(s->v1[i]);
	LLVMValueRef args[n ? n : 1], call;

	LLVMPositionBuilderAtEnd(s->b, LLVMAppendBasicBlockInContext(s->c, s->v1[i], ""));
	for (unsigned k = 0; k < n; k++)
		args[k] = LLVMGetParam(s->v1[i], k);
	call = LLVMBuildCall2(s->b, lw_fn_type(s, ft), s->fns[i], args, n, "");
	LLVMSetInstructionCallConv(call, LW_TAILCC);
	LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
		LLVMCreateEnumAttribute(s->c, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
	if (lw_ret_kind(ft) == LW_RET_ONE || lw_ret_kind(ft) == LW_RET_STRUCT)
		LLVMBuildRet(s->b, call);
	else
		LLVMBuildRetVoid(s->b);
}

static bool declare_all(struct lw *s, const char *features)
{
	trap_stub(s);
	lw_eh_stubs(s);
	s->tail = lw_module_has_tail_calls(s->m);
	/* in index order, each wrapper right before its body (the code
	   generator keeps the module's order) */
	for (uint32_t i = s->m->nimported_funcs; i < s->m->nfuncs; i++) {
		const struct wasm_functype *ft = wasm_func_type(s->m, i);
		s->v1[i] = add_func(s, "wasm_func_", i, ft, LLVMCCallConv, features);
		s->fns[i] = s->v1[i];
		if (s->tail) {
			s->fns[i] = add_func(s, "wasm_body_", i, ft, LW_TAILCC, features);
			add_str_attr(s, s->fns[i], LW_TAIL_ATTR, "true");
		}
		lw_debug_func(s, i, s->fns[i]);
	}
	if (s->tail)
		bodies_table(s);
	return true;
}

/*
 * Is the `tail call tailcc` call still in a tail position after O2: `ret`
 * of its value (or `ret void`) right after it, or a branch to a block of
 * phis and a `ret` of the phi that has the call's value from here (or
 * `ret void`), which the code generator's CodeGenPrepare duplicates back
 * (SimplifyCFG merges a function's returns into one block)?
 */
static bool in_tail_position(LLVMValueRef call)
{
	LLVMValueRef next = LLVMGetNextInstruction(call), ret, v;
	LLVMBasicBlockRef here = LLVMGetInstructionParent(call), to;

	if (next && LLVMGetInstructionOpcode(next) == LLVMRet)
		return LLVMGetNumOperands(next) == 0 || LLVMGetOperand(next, 0) == call;
	if (!next || LLVMGetInstructionOpcode(next) != LLVMBr || LLVMIsConditional(next))
		return false;
	to = LLVMGetSuccessor(next, 0);
	for (ret = LLVMGetFirstInstruction(to); ret && LLVMIsAPHINode(ret);
	     ret = LLVMGetNextInstruction(ret))
		;
	if (!ret || LLVMGetInstructionOpcode(ret) != LLVMRet)
		return false;
	if (LLVMGetNumOperands(ret) == 0)
		return true;
	v = LLVMGetOperand(ret, 0);
	if (!LLVMIsAPHINode(v) || LLVMGetInstructionParent(v) != to ||
	    LLVMGetNextUse(LLVMGetFirstUse(call)))      /* the phi its one use */
		return false;
	for (unsigned k = 0; k < LLVMCountIncoming(v); k++)
		if (LLVMGetIncomingBlock(v, k) == here)
			return LLVMGetIncomingValue(v, k) == call;
	return false;
}

/* after O2: tail calls allowed in the bodies (LW_TAIL_ATTR, above), and
 * each return_call's still in a tail position: else refused with a
 * message, not compiled into code whose stack would grow.  0 or -1. */
static int allow_tail_calls(LLVMModuleRef mod, char *err, size_t errlen)
{
	static const char dtc[] = "disable-tail-calls";

	for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
		if (!LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, LW_TAIL_ATTR,
						   sizeof LW_TAIL_ATTR - 1))
			continue;
		LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, dtc, sizeof dtc - 1);
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb;
		     bb = LLVMGetNextBasicBlock(bb)) {
			for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
			     i = LLVMGetNextInstruction(i)) {
				size_t n;
				if (!LLVMIsACallInst(i) || !LLVMIsTailCall(i) ||
				    LLVMGetInstructionCallConv(i) != LW_TAILCC || in_tail_position(i))
					continue;
				snprintf(err, errlen, "a tail call in %s is not in "
					 "a tail position after O2", LLVMGetValueName2(f, &n));
				return -1;
			}
		}
	}
	return 0;
}

int llvm_wasm_translate(const wasm_module *m, LLVMContextRef c, unsigned cpu,
			LLVMModuleRef *out, char *err, size_t errlen)
{
	struct lw s;
	char features[96];
	bool ok;

	memset(&s, 0, sizeof s);
	err[0] = 0;
	s.m = m;
	s.c = c;
	s.err = err;
	s.errlen = errlen;
	s.cpu = cpu;
	if (cpu & ~(unsigned)JIT_CPU_ALL) {
		snprintf(err, errlen, "llvm backend: unknown CPU features 0x%x", cpu);
		return -1;
	}
	features_string(cpu, features, sizeof features);
	lw_types(&s);
	s.mod = LLVMModuleCreateWithNameInContext("wasm", c);
	LLVMSetTarget(s.mod, LW_TRIPLE);
	s.b = LLVMCreateBuilderInContext(c);
	s.fns = calloc(m->nfuncs ? m->nfuncs : 1, sizeof *s.fns);
	s.v1 = calloc(m->nfuncs ? m->nfuncs : 1, sizeof *s.v1);
	lw_debug_begin(&s);
	ok = s.fns && s.v1 && declare_all(&s, features);
	for (uint32_t i = m->nimported_funcs; ok && i < m->nfuncs; i++)
		ok = lw_func(&s, i);
	s.fn = NULL;
	lw_debug_loc(&s, 0);    /* the trampolines have no Wasm locations */
	for (uint32_t i = m->nimported_funcs; ok && s.tail && i < m->nfuncs; i++)
		v1_wrapper(&s, i);
	for (uint32_t i = m->nimported_funcs; ok && i < m->nfuncs; i++)
		entry_trampoline(&s, i, features);
	lw_debug_end(&s);
	free(s.fns);
	free(s.v1);
	free(s.stack);
	free(s.ctl);
	LLVMDisposeBuilder(s.b);
	if (!ok) {
		if (!err[0])
			snprintf(err, errlen, "llvm backend: out of memory");
		LLVMDisposeModule(s.mod);
		return -1;
	}
	*out = s.mod;
	return 0;
}

static int verify(LLVMModuleRef mod, const char *when, char *err, size_t errlen)
{
	char *msg = NULL;

	if (!LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
		LLVMDisposeMessage(msg);
		return 0;
	}
	snprintf(err, errlen, "llvm backend: invalid IR %s: %.200s", when, msg ? msg : "");
	LLVMDisposeMessage(msg);
	return -1;
}

int llvm_wasm_optimize(LLVMModuleRef mod, char *err, size_t errlen)
{
	LLVMPassBuilderOptionsRef opt;
	LLVMTargetMachineRef tm;
	LLVMErrorRef e;

	if (verify(mod, "before O2", err, errlen))
		return -1;
	/* with the target machine: without it O2 plans unrolling, loop
	   strength reduction and addressing with a generic cost model
	   (bench/llvm_kernels: crc32 1.42x native without, 1.02x with; about
	   5% more compile time on lua) */
	if (!(tm = lw_target_machine(err, errlen)))
		return -1;
	opt = LLVMCreatePassBuilderOptions();
	e = LLVMRunPasses(mod, "default<O2>", tm, opt);
	LLVMDisposePassBuilderOptions(opt);
	LLVMDisposeTargetMachine(tm);
	if (e) {
		char *msg = LLVMGetErrorMessage(e);
		snprintf(err, errlen, "llvm backend: O2: %s", msg);
		LLVMDisposeErrorMessage(msg);
		return -1;
	}
	if (allow_tail_calls(mod, err, errlen))
		return -1;
	return verify(mod, "after O2", err, errlen);
}
