/*
 * llvm_mem.c — globals (through ctx->globals, 8-byte slots; an imported
 * mutable global's slot holds the exporter's cell, jit.h, and a v128
 * global's slot its 16-byte cell's address, docs/abi.md) and linear
 * memory 0 (Core spec 2.0 §4.4.7): loads and stores off ctx->mem_base,
 * memory.size from ctx->mem_pages, memory.grow through ctx->mem_grow.
 * Multi-memory: memory i > 0 off ctx->mems[i]->base (invariant: a base
 * never moves, jit.h struct jit_memory), its size from ->pages, its
 * memory.grow through jit_rt.memory_grow_n, as the single-pass JIT does.
 * memory64: a 64-bit memory's accesses are bounds-checked in code
 * (mem64_checked, docs/memory64.md), its size and grow in i64 pages.
 */
#include <stddef.h>
#include "lw.h"
#include "abi.h"
#include "jit.h"
#include "wasm.h"
#include "opcodes.h"
#include "llvm_backend.h"

int llvm_wasm_plain_memory;

/* ---- globals and memory ----------------------------------------------- */

static LLVMValueRef global_ptr(struct lw *s, uint32_t g)
{
	const struct wasm_global *gl = &s->m->globals[g];
	LLVMTypeRef t = lw_valtype(s, gl->type);
	LLVMValueRef base = lw_load_invariant(s, LLVMPointerType(s->i64, 0),
		lw_ctx_field(s, CTX_GLOBALS, LLVMPointerType(s->i64, 0)));
	LLVMValueRef idx = LLVMConstInt(s->i64, g, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i64, base, &idx, 1, "");

	/* the slot holds the cell's address: an imported mutable global's,
	   and every v128 global's (docs/abi.md "v128 as implemented") */
	if ((gl->imported && gl->mutable_) || gl->type == WASM_V128)
		p = LLVMBuildLoad2(s->b, s->ptr,
				   LLVMBuildBitCast(s->b, p, LLVMPointerType(s->ptr, 0), ""), "");
	return LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), "");
}

/* the bytes an access of type t touches */
static unsigned type_bytes(struct lw *s, LLVMTypeRef t)
{
	switch (LLVMGetTypeKind(t)) {
	case LLVMIntegerTypeKind: return LLVMGetIntTypeWidth(t) / 8;
	case LLVMFloatTypeKind: return 4;
	case LLVMDoubleTypeKind: return 8;
	case LLVMVectorTypeKind:
		return LLVMGetVectorSize(t) * type_bytes(s, LLVMGetElementType(t));
	default: return 16;     /* not reached: every access type is above */
	}
}

/* memory mem's size in bytes now (not invariant: memory.grow changes it) */
static LLVMValueRef mem_size_bytes(struct lw *s, uint32_t mem)
{
	LLVMValueRef p = mem ? lw_memory_field(s, mem, JM_SIZE, s->i64)
			     : lw_ctx_field(s, CTX_MEM_SIZE, s->i64);

	return LLVMBuildLoad2(s->b, s->i64, p, "");
}

/*
 * A 64-bit memory's access (docs/memory64.md, the single-pass JIT's
 * `checked_addr`): the i64 address a plus the u64 offset must leave all
 * `size` bytes inside the memory, with no wrap.  end = off + size
 * (saturated at 2^64 - 1, at compile time); sum = a + end, trapping on a
 * carry or when sum > the size in bytes; the access is at sum - size.
 * Returns that i64 byte offset.
 */
static LLVMValueRef mem64_checked(struct lw *s, uint32_t mem, LLVMValueRef a, uint64_t off,
				  unsigned size)
{
	uint64_t end = off + size < off ? UINT64_MAX : off + size;
	LLVMTypeRef rt = LLVMStructTypeInContext(s->c, (LLVMTypeRef[]){ s->i64, s->i1 }, 2, false);
	LLVMValueRef args[2] = { a, LLVMConstInt(s->i64, end, false) };
	LLVMValueRef r = lw_intrinsic(s, "llvm.uadd.with.overflow.i64", rt, args, 2);
	LLVMValueRef sum = LLVMBuildExtractValue(s->b, r, 0, "");
	LLVMValueRef bad = LLVMBuildOr(s->b, LLVMBuildExtractValue(s->b, r, 1, ""),
		LLVMBuildICmp(s->b, LLVMIntUGT, sum, mem_size_bytes(s, mem), ""), "");

	lw_trap_if(s, bad, WASM_TRAP_MEMORY_OOB);
	return LLVMBuildSub(s->b, sum, LLVMConstInt(s->i64, size, false), "");
}

/* memarg: align (ignored: accesses are unaligned-safe), offset; the
 * address is the i32 zero-extended plus the offset, in 64 bits, inside the
 * 8 GiB reservation (no bounds check, DESIGN.md decision 2).
 *
 * Every access is volatile, load and store: the cheapest scheme we found
 * that is sound.  Wasm (Core spec 2.0 §4.4.7) wants an out-of-bounds
 * access to trap even when its value is unused, and at a trap every
 * store before it in program order done and none after.  In LLVM's model
 * a plain load has no side effect and cannot trap, so O2 may delete a
 * dead one, move it across a store it provably does not alias (GVN, LICM,
 * the machine scheduler), and DSE may delete a store a later one
 * overwrites even with a (trapping) load between them.
 * tests/llvm/trap_order.wat catches each: with plain accesses
 * (llvm_wasm_plain_memory) store_load_store and store_then_load leave the
 * wrong memory at the trap and memory.wat's dropped_load_traps does not
 * trap.  The alternatives, checked against LangRef and LLVM 14:
 *  - plain loads kept alive by an empty asm use of the value (wasm2c's
 *    FORCE_READ): not deleted, but still reordered and seen through by DSE;
 *  - unordered atomics: may be deleted and reordered like plain loads;
 *  - monotonic atomics: never deleted and alias analysis treats them as
 *    touching everything, so sound, but an atomic with Wasm's alignment 1
 *    becomes a libcall (__atomic_load_N), and claiming natural alignment
 *    would be false;
 *  - volatile loads with plain stores: LLVM may move plain accesses
 *    across volatile ones, and DSE deletes a store across a volatile load
 *    it does not alias.
 * Volatile accesses are never deleted, merged or reordered with one
 * another (LangRef "Volatile Memory Accesses").  The remaining plain
 * accesses (global.set through ctx->globals, tables) stay in order around
 * them because alias analysis cannot tell those pointers (loaded from
 * ctx) from mem_base: giving them noalias or TBAA would break that
 * (trap_order.wat's global_around_load).  The cost, measured with
 * bench/llvm_kernels back to back on a quiet machine (volatile against
 * -plain, 8 kernels, before O2 had the target machine): within noise, geomean 0.904x native plain and the
 * same kernels volatile within 3% each (crc32 1.42x against 1.38x,
 * sha256 1.12x / 1.10x, interp 0.89x / 0.93x).  What it may cost more is
 * vectorization (matmul: plain O2 makes a memset call there instead, so
 * no plain number).  Volatile also stops O2 turning loops into
 * memset/memcpy calls, which v1 code must not make (docs/abi.md "Calls
 * out"). */
LLVMValueRef lw_mem_addr(struct lw *s, LLVMTypeRef t)
{
	uint32_t align, mem = 0;
	uint64_t off;
	LLVMValueRef a = lw_pop(s), p;

	/* flags (bit 6: a memory index follows; validated already) */
	if (!wasm_read_u32(&s->r, &align))
		return NULL;
	if ((align & 0x40) && align < 0x80 && !wasm_read_u32(&s->r, &mem))
		return NULL;
	if (mem >= s->m->nmemories || !wasm_read_u64(&s->r, &off))
		return NULL;
	if (s->m->memories[mem].is64)
		a = mem64_checked(s, mem, a, off, type_bytes(s, t));
	else if (off > UINT32_MAX)
		return NULL;
	else
		a = LLVMBuildAdd(s->b, LLVMBuildZExt(s->b, a, s->i64, ""),
				 LLVMConstInt(s->i64, off, false), "");
	p = LLVMBuildGEP2(s->b, s->i8, lw_mem_base(s, mem), &a, 1, "");
	return LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), "");
}

LLVMValueRef lw_mem_access(LLVMValueRef v)
{
	LLVMSetAlignment(v, 1);
	LLVMSetVolatile(v, !llvm_wasm_plain_memory);
	return v;
}

bool lw_op_load(struct lw *s, uint8_t op)
{
	/* per opcode i32.load..i64.load32_u: memory type, result type, sign-extend */
	static const struct { char mem, res; bool sx; } k[14] = {
		{'i','i',0}, {'I','I',0}, {'f','f',0}, {'F','F',0},
		{'b','i',1}, {'b','i',0}, {'h','i',1}, {'h','i',0},
		{'b','I',1}, {'b','I',0}, {'h','I',1}, {'h','I',0},
		{'i','I',1}, {'i','I',0} };
	LLVMTypeRef mt, rt;
	LLVMValueRef p, v;
	char c = k[op - OP_I32_LOAD].mem, r = k[op - OP_I32_LOAD].res;

	mt = c == 'b' ? s->i8 : c == 'h' ? s->i16 : c == 'i' ? s->i32 :
	     c == 'I' ? s->i64 : c == 'f' ? s->f32 : s->f64;
	rt = r == 'i' ? s->i32 : r == 'I' ? s->i64 : mt;
	if (!(p = lw_mem_addr(s, mt)))
		return lw_fail(s, "llvm backend: bad memarg");
	v = lw_mem_access(LLVMBuildLoad2(s->b, mt, p, ""));
	if (mt != rt)
		v = k[op - OP_I32_LOAD].sx ? LLVMBuildSExt(s->b, v, rt, "")
				    : LLVMBuildZExt(s->b, v, rt, "");
	lw_push(s, v);
	return true;
}

bool lw_op_store(struct lw *s, uint8_t op)
{
	LLVMValueRef v = lw_pop(s), p;
	LLVMTypeRef mt;

	switch (op) {
	case OP_I32_STORE8: case OP_I64_STORE8: mt = s->i8; break;
	case OP_I32_STORE16: case OP_I64_STORE16: mt = s->i16; break;
	case OP_I64_STORE32: mt = s->i32; break;
	default: mt = LLVMTypeOf(v); break;
	}
	if (mt != LLVMTypeOf(v))
		v = LLVMBuildTrunc(s->b, v, mt, "");
	if (!(p = lw_mem_addr(s, mt)))
		return lw_fail(s, "llvm backend: bad memarg");
	lw_mem_access(LLVMBuildStore(s->b, v, p));
	return true;
}

/* memory mem's struct jit_memory (i8*), mem > 0: ctx->mems[mem] */
static LLVMValueRef memory_of(struct lw *s, uint32_t mem)
{
	LLVMTypeRef pp = LLVMPointerType(s->ptr, 0);
	LLVMValueRef arr = lw_load_invariant(s, pp, lw_ctx_field(s, CTX_MEMS, pp));
	LLVMValueRef idx = LLVMConstInt(s->i64, mem, false);

	return lw_load_invariant(s, s->ptr, LLVMBuildGEP2(s->b, s->ptr, arr, &idx, 1, ""));
}

LLVMValueRef lw_memory_field(struct lw *s, uint32_t mem, unsigned off, LLVMTypeRef t)
{
	LLVMValueRef idx = LLVMConstInt(s->i64, off, false);
	LLVMValueRef p = LLVMBuildGEP2(s->b, s->i8, memory_of(s, mem), &idx, 1, "");

	return LLVMBuildBitCast(s->b, p, LLVMPointerType(t, 0), "");
}

LLVMValueRef lw_mem_base(struct lw *s, uint32_t mem)
{
	if (!mem)
		return s->mem_base;
	return lw_load_invariant(s, s->ptr, lw_memory_field(s, mem, JM_BASE, s->ptr));
}

bool lw_memidx(struct lw *s, uint32_t *mem)
{
	return wasm_read_u32(&s->r, mem) && *mem < s->m->nmemories;
}

bool lw_op_memory(struct lw *s, uint8_t op)
{
	uint32_t mem;

	if (!lw_memidx(s, &mem))
		return lw_fail(s, "llvm backend: bad memory index");
	if (s->m->memories[mem].is64 && op == OP_MEMORY_SIZE) {        /* i64 pages */
		lw_push(s, LLVMBuildLoad2(s->b, s->i64, mem ?
			lw_memory_field(s, mem, JM_PAGES, s->i64) :
			lw_ctx_field(s, CTX_MEM_PAGES, s->i64), ""));
	} else if (s->m->memories[mem].is64) {
		/* int64_t jit_rt.memory_grow64(ctx, mem, delta): -1 on failure */
		LLVMTypeRef at[3] = { s->ptr, s->i32, s->i64 };
		LLVMValueRef a[3] = { s->ctx, LLVMConstInt(s->i32, mem, false), lw_pop(s) };
		lw_push(s, lw_rt_call(s, offsetof(struct jit_rt, memory_grow64), s->i64,
				      at, a, 3));
	} else if (mem && op == OP_MEMORY_SIZE) {
		LLVMValueRef n = LLVMBuildLoad2(s->b, s->i64,
			lw_memory_field(s, mem, JM_PAGES, s->i64), "");
		lw_push(s, LLVMBuildTrunc(s->b, n, s->i32, ""));
	} else if (mem) {       /* int32_t jit_rt.memory_grow_n(ctx, mem, delta) */
		LLVMTypeRef at[3] = { s->ptr, s->i32, s->i32 };
		LLVMValueRef a[3] = { s->ctx, LLVMConstInt(s->i32, mem, false), lw_pop(s) };
		lw_push(s, lw_rt_call(s, offsetof(struct jit_rt, memory_grow_n), s->i32,
				      at, a, 3));
	} else if (op == OP_MEMORY_SIZE) {
		LLVMValueRef n = LLVMBuildLoad2(s->b, s->i64,
			lw_ctx_field(s, CTX_MEM_PAGES, s->i64), "");
		lw_push(s, LLVMBuildTrunc(s->b, n, s->i32, ""));
	} else {
		/* int32_t jit_memory_grow(ctx, delta), through ctx->mem_grow */
		LLVMTypeRef at[2] = { s->ptr, s->i32 };
		LLVMTypeRef ft = LLVMFunctionType(s->i32, at, 2, false);
		LLVMValueRef fp = LLVMBuildLoad2(s->b, LLVMPointerType(ft, 0),
			lw_ctx_field(s, CTX_MEM_GROW, LLVMPointerType(ft, 0)), "");
		LLVMValueRef args[2] = { s->ctx, lw_pop(s) };
		lw_push(s, LLVMBuildCall2(s->b, ft, fp, args, 2, ""));
	}
	return true;
}

bool lw_op_global(struct lw *s, uint8_t op)
{
	uint32_t g;
	LLVMValueRef p, v;

	if (!wasm_read_u32(&s->r, &g) || g >= s->m->nglobals)
		return lw_fail(s, "llvm backend: bad global index");
	p = global_ptr(s, g);
	if (op == OP_GLOBAL_GET)
		v = LLVMBuildLoad2(s->b, lw_valtype(s, s->m->globals[g].type), p, "");
	else
		v = LLVMBuildStore(s->b, lw_pop(s), p);
	if (s->m->globals[g].type == WASM_V128) /* a cell of 16 bytes: align 8 */
		LLVMSetAlignment(v, 8);
	if (op == OP_GLOBAL_GET)
		lw_push(s, v);
	return true;
}
