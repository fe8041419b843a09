/*
 * jit.h — what compiled code and the runtime agree on (internal to jit/).
 *
 * Pipeline:  module.c decode -> compile/ validate+compile each body (one
 * pass) -> x64/asm.h emit (inline encoders; asm.c owns the buffer) ->
 * patch forward branches and calls -> plat_code_seal (RX).
 * instance.c builds a struct jit_ctx per instance; x64/entry.S enters and
 * leaves compiled code; trap.c maps a faulting or trapping RIP back to the
 * Wasm function and byte offset.
 *
 * Wasm calling convention: "wasm ABI v1" (docs/abi.md is the contract),
 * used between compiled functions, by import stubs, through funcrefs and
 * by jit_enter; position-independent, see DESIGN.md §5.  In short, the
 * SysV AMD64 C convention with the context as a hidden first parameter:
 *   R f(struct jit_ctx *ctx (rdi), [void *results (rsi),] params...)
 *   Parameters in rsi rdx rcx r8 r9 (integer class: i32, i64, references)
 *   and xmm0-7 (f32, f64, v128), the rest on the stack, 8 bytes each
 *   (v128: 16, 16-byte aligned), left to right from [rsp + 8] at entry (jit_v1_next below says where each
 *   goes).  An i32 has undefined upper 32 bits: the callee zero-extends
 *   it before any use (the memory sandbox depends on it).
 *   Results in rax, rdx (integer class, in order) and xmm0, xmm1 (float
 *   class) when at most two of each class (jit_v1_results_in_regs); else
 *   every result is stored in the result area at results (value slots:
 *   8 bytes, v128 16 aligned to 16; jit_v1_slot_next) and the function
 *   returns nothing.
 *   rbx rbp r12-r15 are callee-saved; compiled code keeps r14 = ctx and
 *   r15 = linear memory 0's base inside its own code (each function's
 *   32-byte v1 entry thunk saves the caller's, sets them from rdi and
 *   restores them; a function with stack parameters does that in its own
 *   prologue and epilogue; calls within one instance enter the body).  rsp is 16-byte aligned at
 *   every call instruction; rbp is always pushed (the frame chain); no
 *   red zone.
 * Calls between the module's own functions are `call rel32`; calls to
 * imports go through ctx->funcs[index] (the import's stub, with rdi = the
 * caller's ctx), call_indirect through struct jit_funcref.
 * Each function's code starts with its v1 entry (ctx->funcs[i], funcrefs,
 * exports), JIT_ENTRY_THUNK bytes that save r14/r15, set them from rdi
 * and call the body just after them.  Calls inside one instance (direct
 * calls, call_indirect of a funcref of the same ctx) call that body
 * directly: r14 and r15 already hold what the thunk would put there, so
 * they stay preserved without being saved (the rest of v1 holds there
 * too).  An import's stub starts with a jump over the same number of
 * bytes to its body.
 * Exceptions (try/catch/delegate/throw/rethrow): handler records in the
 * frames, ctx->eh_top, a caught stack, jit/eh.c unwinds to a handler
 * (docs/abi.md "Exceptions", jit/compile/eh.c).
 * Tail calls (return_call, return_call_indirect) leave the frame and jump;
 * stack arguments that do not fit the caller's incoming area go to an
 * adapter frame whose return address is the tail-call adapter after the
 * last function (docs/abi.md "Tail calls", jit/compile/control.c).
 */
#ifndef JIT_JIT_H
#define JIT_JIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "wasm.h"
#include "module.h"
#include "abi.h"

struct jit_ctx;

/*
 * Reference values (Wasm 2.0 reference types), in slots, tables, globals,
 * result areas and at the API (wasm.h): 64 bits, 0 = null.
 *   funcref    a struct jit_funcref * (below), owned by the instance whose
 *              ctx->funcrefs holds it, valid while that instance lives.
 *   externref  any other 64-bit value the embedder chooses (opaque to the
 *              engine; an embedder whose own values include 0 maps them,
 *              e.g. the spec runner passes `ref.extern N` as N + 1).
 */
struct jit_funcref {
	void *code;                 /* wasm ABI v1 entry (an import's stub) */
	struct jit_ctx *ctx;        /* the instance it runs in (rdi) */
	uint32_t type;              /* canonical type index (functype.canon)
				       in ctx's module */
	uint32_t func_index;        /* in ctx's module */
};

/* A table: `size` reference values.  ctx->tables[i] points to it; an
 * imported table is the exporter's struct (shared, so growth is seen by
 * every instance).  max = UINT32_MAX when the table type has none. */
struct jit_table {
	uint64_t *elems;
	uint32_t size, max;
	uint8_t elemtype;           /* WASM_FUNCREF / WASM_EXTERNREF */
};

/*
 * A linear memory (multi-memory: one per memory index, each its own 8 GiB
 * reservation, DESIGN.md decision 2), owned by the instance that defined
 * it; an importer's ctx->mems[i] points to the exporter's.  The base never
 * moves (memory.grow commits pages), so compiled code may keep it.  Every
 * ctx whose memory 0 this is keeps a copy of base/size/pages in its own
 * mem_* fields (r15 and the CTX_MEM_* offsets): `mirrors` lists them, and
 * jit_mem_grow updates them all.  Offsets JM_* in abi.h.
 */
struct jit_memory {
	uint8_t *base;              /* 0 */
	uint64_t size;              /* 8: bytes */
	uint64_t pages;             /* 16 */
	uint64_t max_pages;         /* 24: the declared max, or WASM_MAX_PAGES */
	bool has_max;               /* as the defining module declared it */
	bool is64;                  /* memory64 (at most JIT_MEM64_MAX_PAGES) */
	uint32_t nmirrors, mirrors_cap;
	struct jit_ctx **mirrors;
};
_Static_assert(offsetof(struct jit_memory, base) == JM_BASE, "abi.h: JM_BASE");
_Static_assert(offsetof(struct jit_memory, size) == JM_SIZE, "abi.h: JM_SIZE");
_Static_assert(offsetof(struct jit_memory, pages) == JM_PAGES, "abi.h: JM_PAGES");
/* The most memories a module may have (defined and imported): each is an
 * 8 GiB reservation of address space.  An implementation limit, named in
 * the error ("too many memories"). */
#define JIT_MAX_MEMORIES 100u

/*
 * Exception handling (the proposal's legacy form; docs/abi.md
 * "Exceptions", jit/eh.c, jit/compile/eh.c).  A tag is a runtime object:
 * identity by address, an import shares the exporter's.  An exception is
 * a reference-counted object: one reference while in flight, one per
 * catch body holding it (ctx->eh_caught).  Every payload value takes 16
 * bytes (a v128 whole, others in the low 8 bytes as in slots).
 */
struct jit_tag {
	const struct wasm_functype *type;       /* params = payload (no results) */
};

struct jit_exn {
	uint32_t refs;
	uint32_t nvals;
	struct jit_tag *tag;                    /* EXN_TAG */
	uint8_t payload[];                      /* EXN_PAYLOAD */
};
_Static_assert(offsetof(struct jit_exn, tag) == EXN_TAG, "abi.h: EXN_TAG");
_Static_assert(offsetof(struct jit_exn, payload) == EXN_PAYLOAD, "abi.h: EXN_PAYLOAD");

/* A try's handler record, in the frame of its function (REC_* in abi.h) */
struct jit_eh_rec {
	struct jit_eh_rec *prev;
	uintptr_t rsp, rbp, pc;
	uint64_t ncaught;
	struct jit_exn *exn;
};
_Static_assert(offsetof(struct jit_eh_rec, prev) == REC_PREV, "abi.h: REC_PREV");
_Static_assert(offsetof(struct jit_eh_rec, rsp) == REC_RSP, "abi.h: REC_RSP");
_Static_assert(offsetof(struct jit_eh_rec, rbp) == REC_RBP, "abi.h: REC_RBP");
_Static_assert(offsetof(struct jit_eh_rec, pc) == REC_PC, "abi.h: REC_PC");
_Static_assert(offsetof(struct jit_eh_rec, ncaught) == REC_NCAUGHT, "abi.h: REC_NCAUGHT");
_Static_assert(offsetof(struct jit_eh_rec, exn) == REC_EXN, "abi.h: REC_EXN");
_Static_assert(sizeof(struct jit_eh_rec) == REC_SIZE, "abi.h: REC_SIZE");
/* the LLVM backend's record: the runtime sees its first part only */
struct jit_eh_rec_llvm {
	struct jit_eh_rec rec;
	uint64_t rbx, r12, r13, r14, r15;
	uintptr_t ra;
};
_Static_assert(offsetof(struct jit_eh_rec_llvm, rbx) == REC_RBX, "abi.h: REC_RBX");
_Static_assert(offsetof(struct jit_eh_rec_llvm, r12) == REC_R12, "abi.h: REC_R12");
_Static_assert(offsetof(struct jit_eh_rec_llvm, r13) == REC_R13, "abi.h: REC_R13");
_Static_assert(offsetof(struct jit_eh_rec_llvm, r14) == REC_R14, "abi.h: REC_R14");
_Static_assert(offsetof(struct jit_eh_rec_llvm, r15) == REC_R15, "abi.h: REC_R15");
_Static_assert(offsetof(struct jit_eh_rec_llvm, ra) == REC_RA, "abi.h: REC_RA");
_Static_assert(sizeof(struct jit_eh_rec_llvm) == REC_LLVM_SIZE, "abi.h: REC_LLVM_SIZE");

/* eh.c: the caught exceptions above n dropped (jit_enter on its way out) */
void jit_eh_drop_to(struct jit_ctx *ctx, uint64_t n);
/* eh.c: the exception that left ctx's last jit_enter, now the caller's
 * (one reference), or NULL */
struct jit_exn *jit_eh_take(struct jit_ctx *ctx);
void jit_eh_release(struct jit_exn *e);
/* eh.c: throw e (one reference, in flight) in ctx from the runtime called
 * by compiled code at return address rip with frame rbp (call_ref, host
 * calls of another instance's function) */
__attribute__((noreturn)) void jit_eh_throw_at(struct jit_ctx *ctx, struct jit_exn *e,
					      uintptr_t rip, uintptr_t rbp);
/* eh.c: the struct jit_rt entries (runtime.c) */
__attribute__((noreturn)) void jit_eh_rt_throw(struct jit_ctx *ctx, uint32_t tag,
					      const uint8_t *first, int64_t stride);
__attribute__((noreturn)) void jit_eh_rt_throw_obj(struct jit_ctx *ctx, struct jit_exn *e);
__attribute__((noreturn)) void jit_eh_rt_rethrow(struct jit_ctx *ctx, struct jit_exn *e);
uint32_t jit_eh_rt_catch(struct jit_ctx *ctx, struct jit_exn *e);
__attribute__((noreturn)) void jit_eh_rt_pass(struct jit_ctx *ctx);
void jit_eh_rt_drop(struct jit_ctx *ctx, uint32_t n);
/* x64/entry.S: resume at rec's handler with rax = e, r14 = ctx, rdi =
 * rec (the LLVM backend's landing pad reads the rest of its record) */
__attribute__((noreturn)) void jit_eh_resume(const struct jit_eh_rec *rec,
					    struct jit_exn *e, struct jit_ctx *ctx);

/* Per-instance state of the segments (Core spec 2.0 §4.2.9 elem/data
 * instances): a dropped segment has len 0. */
struct jit_elem_seg {
	uint64_t *vals;             /* reference values, evaluated at
				       instantiation */
	uint32_t len;
};

struct jit_data_seg {
	const uint8_t *bytes;       /* in the module's binary */
	uint32_t len;
};

/*
 * Runtime helpers compiled code calls (SysV ABI) through ctx->rt, so that
 * code never holds the address of a C function (DESIGN.md §5).  Those that
 * return uint32_t return 0 or a trap code (compiled code traps with it at
 * the call site).  runtime.c, except call_ref (instance.c).
 */
struct jit_rt {
	/* table.grow: old size, or -1 */
	int32_t (*table_grow)(struct jit_ctx *ctx, uint32_t table, uint64_t init,
			      uint32_t delta);
	uint32_t (*table_fill)(struct jit_ctx *ctx, uint32_t table, uint32_t i,
			       uint64_t val, uint32_t n);
	uint32_t (*table_copy)(struct jit_ctx *ctx, uint32_t dst, uint32_t src,
			       uint32_t d, uint32_t s, uint32_t n);
	uint32_t (*table_init)(struct jit_ctx *ctx, uint32_t table, uint32_t elem,
			       uint32_t d, uint32_t s, uint32_t n);
	void (*elem_drop)(struct jit_ctx *ctx, uint32_t elem);
	uint32_t (*memory_init)(struct jit_ctx *ctx, uint32_t data, uint32_t d,
				uint32_t s, uint32_t n);
	void (*data_drop)(struct jit_ctx *ctx, uint32_t data);
	/* call_indirect of a funcref of another instance: checks the type
	 * (structurally), runs it in its own instance (its stack).  Argument
	 * i is at args[-i] (the caller's operand-stack slots, which grow
	 * down); every result i goes to results[i].  A v128 takes two 8-byte
	 * places (low half first: args[-i], args[-i-1]; results[i],
	 * results[i+1]) and moves the later ones by one.  When the type's
	 * results go through a result area (jit_v1_results_in_regs false),
	 * results is one, laid out as value slots instead (jit_v1_slot_next:
	 * a v128 at a multiple of 16 bytes from results).  Traps unwind. */
	void (*call_ref)(struct jit_ctx *ctx, const struct jit_funcref *fr,
			 uint32_t typeidx, const uint64_t *args, uint64_t *results);
	/* numeric fallbacks for CPUs without POPCNT / SSE4.1 */
	uint64_t (*popcnt)(uint64_t x);
	double (*round64)(double x, int mode);  /* 0 nearest 1 floor 2 ceil 3 trunc */
	float (*round32)(float x, int mode);
	/* multi-memory: the bulk instructions on memory indices other than
	   0 (memory 0's are inline), same results as the others */
	int32_t (*memory_grow_n)(struct jit_ctx *ctx, uint32_t mem, uint32_t delta);
	uint32_t (*memory_fill_n)(struct jit_ctx *ctx, uint32_t mem, uint32_t d,
				  uint32_t val, uint32_t n);
	uint32_t (*memory_copy_n)(struct jit_ctx *ctx, uint32_t dmem, uint32_t smem,
				  uint32_t d, uint32_t s, uint32_t n);
	uint32_t (*memory_init_n)(struct jit_ctx *ctx, uint32_t mem, uint32_t data,
				  uint32_t d, uint32_t s, uint32_t n);
	/* memory64: the same on a 64-bit memory (i64 addresses and lengths;
	   memory.grow's i64 result, -1 on failure) */
	int64_t (*memory_grow64)(struct jit_ctx *ctx, uint32_t mem, uint64_t delta);
	uint32_t (*memory_fill64)(struct jit_ctx *ctx, uint32_t mem, uint64_t d,
				  uint32_t val, uint64_t n);
	uint32_t (*memory_copy64)(struct jit_ctx *ctx, uint32_t dmem, uint32_t smem,
				  uint64_t d, uint64_t s, uint64_t n);
	uint32_t (*memory_init64)(struct jit_ctx *ctx, uint32_t mem, uint32_t data,
				  uint64_t d, uint32_t s, uint32_t n);
	/* exception handling (jit/eh.c, docs/abi.md "Exceptions"); the
	   throwing ones do not return: they resume at a handler or leave
	   the innermost jit_enter with WASM_TRAP_EXCEPTION */
	/* throw tag: payload value i at first - i * stride (its slots) */
	void (*eh_throw)(struct jit_ctx *ctx, uint32_t tag, const uint8_t *first,
			 int64_t stride);
	void (*eh_throw_obj)(struct jit_ctx *ctx, struct jit_exn *e);  /* in flight */
	void (*eh_rethrow)(struct jit_ctx *ctx, struct jit_exn *e);    /* a caught one */
	/* a handler holds e: onto the caught stack; 0 or a trap code */
	uint32_t (*eh_catch)(struct jit_ctx *ctx, struct jit_exn *e);
	void (*eh_pass)(struct jit_ctx *ctx);   /* no clause matched: the top
						   caught one thrown on */
	void (*eh_drop)(struct jit_ctx *ctx, uint32_t n);   /* n catch bodies left */
};
extern const struct jit_rt jit_runtime;

/* The instance context, reached through r14.  Offsets are ABI: compiled
 * code and x64/entry.S use the CTX_* numbers of abi.h, checked below by
 * static asserts; new fields go at the end. */
struct jit_ctx {
	uint8_t *mem_base;          /* 0: linear memory 0 (also in r15) */
	uint64_t mem_size;          /* 8: current size in bytes */
	uintptr_t stack_limit;      /* 16: prologue traps if rsp - frame < this */
	uintptr_t entry_rsp;        /* 24: saved by jit_enter, used by jit_unwind */
	void **funcs;               /* 32: code address of every function index */
	uint64_t *globals;          /* 40: one 8-byte slot per global; an
				       imported mutable global's slot holds
				       the address of the exporter's cell */
	struct jit_table **tables;  /* 48: per table index */
	void *host_call;            /* 56: &jit_host_call */
	void *trap;                 /* 64: &jit_trap (entry.S) */
	void *mem_grow;             /* 72: &jit_memory_grow */
	wasm_instance *inst;        /* 80 */
	struct wasm_trap *trap_out; /* 88: where jit_trap_record writes */
	uint64_t mem_pages;         /* 96: current size in 64 KiB pages */
	uint64_t mem_max_pages;     /* 104 */
	size_t mem_reserved;        /* 112: size of the reservation at mem_base */
	uint8_t *stack_base;        /* 120: lowest byte of the Wasm stack mapping */
	size_t stack_size;          /* 128 */
	struct jit_funcref **funcrefs;  /* 136: ref.func x = funcrefs[x] */
	const struct jit_rt *rt;    /* 144: &jit_runtime */
	struct jit_elem_seg *elem_segs; /* 152: per element segment */
	struct jit_data_seg *data_segs; /* 160: per data segment */
	struct jit_memory **mems;   /* 168: per memory index (multi-memory);
				       memory 0's fields above mirror mems[0] */
	struct jit_tag **tags;      /* 176: per tag index (an import: the
				       exporter's) */
	struct jit_eh_rec *eh_top;  /* 184: the innermost active try body's
				       record (in its frame), NULL at jit_enter */
	uint64_t eh_ncaught;        /* 192: entries of eh_caught */
	struct jit_exn **eh_caught; /* the exceptions catch bodies hold (a
				       stack: innermost last; one reference each) */
	uint64_t eh_capcaught;
	struct jit_exn *eh_escaped; /* the exception that left the last
				       jit_enter (WASM_TRAP_EXCEPTION), until
				       taken (jit_eh_take) */
};

/* every number of abi.h, checked against the struct */
#define JIT_CTX_AT(field, off) \
	_Static_assert(offsetof(struct jit_ctx, field) == (off), "abi.h: " #off)
JIT_CTX_AT(mem_base, CTX_MEM_BASE);
JIT_CTX_AT(mem_size, CTX_MEM_SIZE);
JIT_CTX_AT(stack_limit, CTX_STACK_LIMIT);
JIT_CTX_AT(entry_rsp, CTX_ENTRY_RSP);
JIT_CTX_AT(funcs, CTX_FUNCS);
JIT_CTX_AT(globals, CTX_GLOBALS);
JIT_CTX_AT(tables, CTX_TABLES);
JIT_CTX_AT(host_call, CTX_HOST_CALL);
JIT_CTX_AT(trap, CTX_TRAP);
JIT_CTX_AT(mem_grow, CTX_MEM_GROW);
JIT_CTX_AT(inst, CTX_INST);
JIT_CTX_AT(trap_out, CTX_TRAP_OUT);
JIT_CTX_AT(mem_pages, CTX_MEM_PAGES);
JIT_CTX_AT(funcrefs, CTX_FUNCREFS);
JIT_CTX_AT(rt, CTX_RT);
JIT_CTX_AT(mems, CTX_MEMS);
JIT_CTX_AT(tags, CTX_TAGS);
JIT_CTX_AT(eh_top, CTX_EH_TOP);
JIT_CTX_AT(eh_ncaught, CTX_EH_NCAUGHT);
#undef JIT_CTX_AT

/* ---- wasm ABI v1: where each parameter and result goes ---------------- */

/* f32, f64 and v128 go in xmm registers (SysV's SSE class) */
static inline bool jit_v1_is_xmm(uint8_t t)
{
	return t == WASM_F32 || t == WASM_F64 || t == WASM_V128;
}

/* Results in registers: at most two integer-class (rax, rdx) and at most
 * two float- or vector-class (xmm0, xmm1); otherwise all through
 * `results`. */
static inline bool jit_v1_results_in_regs(const struct wasm_functype *ft)
{
	uint32_t nf = 0;

	for (uint32_t i = 0; i < ft->nresults; i++)
		nf += jit_v1_is_xmm(ft->results[i]);
	return nf <= 2 && ft->nresults - nf <= 2;
}

/* Walking the parameters: jit_v1_start, then jit_v1_next per parameter in
 * order gives its place: a general register (0 = rdi, 1 = rsi, 2 = rdx,
 * 3 = rcx, 4 = r8, 5 = r9), JIT_V1_XMM | n (xmm n), or JIT_V1_STACK | j
 * (the j-th 8-byte stack slot: [rsp + 8 + 8*j] at entry; a v128 takes
 * two, j even, so that it is 16-byte aligned). */
#define JIT_V1_XMM   0x40000000u
#define JIT_V1_STACK 0x80000000u
#define JIT_V1_PLACE(p) ((p) & 0x3fffffffu)
struct jit_v1 { uint32_t ngpr, nxmm, nstack; };

static inline void jit_v1_start(struct jit_v1 *s, const struct wasm_functype *ft)
{
	s->ngpr = jit_v1_results_in_regs(ft) ? 1 : 2;   /* ctx [, results] */
	s->nxmm = 0;
	s->nstack = 0;
}

static inline uint32_t jit_v1_next(struct jit_v1 *s, uint8_t t)
{
	if (jit_v1_is_xmm(t)) {
		if (s->nxmm < 8)
			return JIT_V1_XMM | s->nxmm++;
		if (t == WASM_V128) {
			uint32_t j = (s->nstack + 1) & ~1u;
			s->nstack = j + 2;
			return JIT_V1_STACK | j;
		}
	} else if (s->ngpr < 6) {
		return s->ngpr++;
	}
	return JIT_V1_STACK | s->nstack++;
}

/* Walking a result area (docs/abi.md "Value slots"): start with *off = 0
 * and call jit_v1_slot_next per result in order; it returns the result's
 * byte offset (v128: 16 bytes at the next multiple of 16, the others 8
 * bytes at the next multiple of 8) and leaves *off at the area's end.
 * Without a v128 result i is at 8*i. */
static inline uint32_t jit_v1_slot_next(uint32_t *off, uint8_t t)
{
	uint32_t sz = t == WASM_V128 ? 16 : 8;
	uint32_t at = (*off + sz - 1) & ~(sz - 1);

	*off = at + sz;
	return at;
}

/* the result area of ft, in 8-byte places */
static inline uint32_t jit_v1_area_places(const struct wasm_functype *ft)
{
	uint32_t off = 0;

	for (uint32_t i = 0; i < ft->nresults; i++)
		jit_v1_slot_next(&off, ft->results[i]);
	return (off + 7) / 8;
}

/* What jit_enter (x64/entry.S) loads before the call and stores after:
 * offsets JC_* in abi.h.  gpr[0] is the ctx, gpr[1] the results pointer
 * when the results do not fit in registers. */
struct jit_call {
	uint64_t gpr[6];            /* rdi rsi rdx rcx r8 r9 */
	uint64_t xmm[8];            /* xmm0..7 (low 64 bits) */
	const uint64_t *stack;      /* the stack arguments, nstack slots */
	uint64_t nstack;
	uint64_t ret[4];            /* after the call: rax rdx xmm0 xmm1 */
	uint64_t xmm_hi[8];         /* xmm0..7, high 64 bits (a v128's) */
	uint64_t ret_hi[2];         /* after the call: xmm0 xmm1, high 64 bits */
};
_Static_assert(offsetof(struct jit_call, gpr) == JC_GPR, "abi.h: JC_GPR");
_Static_assert(offsetof(struct jit_call, xmm) == JC_XMM, "abi.h: JC_XMM");
_Static_assert(offsetof(struct jit_call, stack) == JC_STACK, "abi.h: JC_STACK");
_Static_assert(offsetof(struct jit_call, nstack) == JC_NSTACK, "abi.h: JC_NSTACK");
_Static_assert(offsetof(struct jit_call, ret) == JC_RET, "abi.h: JC_RET");
_Static_assert(offsetof(struct jit_call, xmm_hi) == JC_XMM_HI, "abi.h: JC_XMM_HI");
_Static_assert(offsetof(struct jit_call, ret_hi) == JC_RET_HI, "abi.h: JC_RET_HI");

/* Linear memory: one 8 GiB reservation per 32-bit memory, so any i32
 * address + u32 offset stays inside it (DESIGN.md decision 2). */
#define JIT_MEM_RESERVATION (8ull << 30)
/* A 64-bit memory lives in the same reservation, so it can never be
 * larger than a 32-bit one: wasmetal's cap on memory64, named in the
 * errors (docs/memory64.md).  Its declared limits may say more (up to
 * 2^48 pages); memory.grow past the cap returns -1. */
#define JIT_MEM64_MAX_PAGES WASM_MAX_PAGES
/* Wasm stack per instance, with an unmapped guard page under it; the
 * prologue check keeps JIT_STACK_HOST_RESERVE bytes free for host calls. */
#define JIT_STACK_SIZE          (1u << 20)
#define JIT_STACK_HOST_RESERVE  (64u << 10)

/* The v1 entry thunk before each function's body (above; driver.c emits
 * it, trap.c skips its frame in backtraces): 25 bytes of code, padded so
 * that the body starts 16-byte aligned like the thunk. */
#define JIT_ENTRY_THUNK 32

/* rip -> (function index, wasm byte offset) for traps and backtraces. */
struct jit_srcmap {
	uint32_t code_off;      /* offset of the instruction in code */
	uint32_t wasm_off;      /* byte offset in the module binary */
};

/* Who compiled a struct jit_code (recorded in artifacts too). */
enum jit_backend {
	JIT_BACKEND_SINGLE = 1,         /* jit/compile/, the single-pass JIT */
	JIT_BACKEND_LLVM = 2,           /* host/llvm/ (host only; the kernel
					   runs its code from artifacts) */
};

/* A module's code, whichever backend made it; the runtime (instance.c,
 * trap.c, artifact.c) needs only this.  Single-pass code: each own
 * function starts with its v1 entry thunk (JIT_ENTRY_THUNK), and the
 * srcmap has an entry at every memory access, call and trap (an address
 * maps to the last entry at or before it).  LLVM code (host/llvm/
 * llvm_code.c): a function's range starts with its v1 entry itself (no
 * thunk); the srcmap is LLVM's line table, whose "lines" are Wasm
 * offsets (host/llvm/llvm_debug.c), plus an entry at the last byte of
 * each trap call; an address maps to the last entry at or before it in
 * its function, wasm_off 0 meaning none in particular (the function's
 * start).  O2 inlines: an offset may lie in another function's body, and
 * trap.c then names that function.  Import stubs come from
 * the single-pass JIT in both. */
struct jit_code {
	uint32_t backend;       /* enum jit_backend */
	uint8_t *base;          /* sealed RX */
	size_t size;
	uint32_t nfuncs;
	uint32_t *func_offsets; /* per function index; imports: their stub */
	uint32_t *func_ends;    /* end offset of each function's code */
	uint32_t nmap;
	struct jit_srcmap *map; /* sorted by code_off */
	unsigned int cpu;       /* JIT_CPU_* the code may use (the set the
				   compiler was allowed): an artifact
				   (jit/artifact.c) requires them */
};

/* compile/driver.c: validate and compile every body, build import stubs. */
int jit_compile(wasm_module *m, struct jit_code **out, struct wasm_error *err);
void jit_code_free(struct jit_code *c);
/* compile/driver.c: only the import stubs (see the definition) */
int jit_import_stubs(wasm_module *m, uint8_t **buf, size_t *len, uint32_t *offs,
		     uint32_t *ends, struct wasm_error *err);

/* compile/driver.c: the optional instructions the compiler uses when CPUID
 * reports them, with a fallback otherwise.  jit_cpu_features() is what the
 * next jit_compile will use: the detected set minus the bits given to
 * jit_cpu_disable (0 = use everything; tests force the fallbacks with it,
 * and the CLI's --cpu, host/compile.c; not synchronised: call it only
 * while nothing is compiling). */
#define JIT_CPU_SSE41   0x01    /* roundss/roundsd (else jit_rt.round*);
				   set only with SSE3 and SSSE3 too (the
				   LLVM backend may use them) */
#define JIT_CPU_POPCNT  0x02    /* popcnt (else jit_rt.popcnt) */
#define JIT_CPU_LZCNT   0x04    /* lzcnt, CPUID 0x80000001 ECX.5 (else bsr) */
#define JIT_CPU_BMI1    0x08    /* tzcnt, CPUID 7 EBX.3 (else bsf) */
#define JIT_CPU_AVX     0x10    /* VEX.128 three-operand SIMD (else SSE
				   two-operand forms with a copy): CPUID 1
				   ECX.28 with OSXSAVE (ECX.27) and XCR0
				   x87|SSE|AVX state enabled (XGETBV); set
				   only with JIT_CPU_SSE41 */
#define JIT_CPU_AVX2    0x20    /* vpbroadcastb/w/d/q (else pshufb and
				   shuffles): CPUID 7 EBX.5, with JIT_CPU_AVX */
#define JIT_CPU_ALL     0x3f
/* the features the LLVM backend's code may use (it asks LLVM for no AVX:
 * host/llvm/llvm_module.c; an artifact of it records only these) */
#define JIT_CPU_LLVM    (JIT_CPU_SSE41 | JIT_CPU_POPCNT | JIT_CPU_LZCNT | JIT_CPU_BMI1)
unsigned int jit_cpu_features(void);
void jit_cpu_disable(unsigned int mask);

/* trap.c */
bool jit_code_lookup(const wasm_module *m, uintptr_t rip,
		     uint32_t *func_index, uint32_t *wasm_off);
/* Fill ctx->trap_out: code, frames from rip and the rbp chain. */
void jit_trap_record(struct jit_ctx *ctx, enum wasm_trap_code code,
		     uintptr_t rip, uintptr_t rbp);
/* instance.c keeps the list of live contexts; wasm_fault_redirect (trap.c)
 * uses the innermost jit_enter's context only if it is live. */
void jit_ctx_register(struct jit_ctx *ctx);
void jit_ctx_unregister(struct jit_ctx *ctx);
bool jit_ctx_is_live(uintptr_t maybe_ctx);
/* the module an instance context belongs to (instance.c) */
wasm_module *jit_ctx_module(struct jit_ctx *ctx);

/* trap.c: jit_enter_raw, with ctx recorded as the innermost entry
 * (*plat_current_ctx(), what the fault handler reads) for the call and
 * the previous record restored when it returns, normally or unwound. */
int jit_enter(struct jit_ctx *ctx, void *fn, struct jit_call *c, void *stack_top);

/* x64/entry.S */
/* Switch to the Wasm stack at stack_top, put c->nstack slots from
 * c->stack there as the stack arguments, load rdi..r9 and xmm0..7 from c,
 * call the wasm ABI v1 function fn (r14 = ctx and r15 = ctx->mem_base
 * too), then store rax, rdx, xmm0, xmm1 into c->ret.  Returns 0, or the
 * trap code if jit_unwind was used. */
int jit_enter_raw(struct jit_ctx *ctx, void *fn, struct jit_call *c, void *stack_top);
/* Restore the state saved by jit_enter and make it return `code`. */
__attribute__((noreturn)) void jit_unwind(struct jit_ctx *ctx, int code);
/* Called from compiled code through ctx->trap: rdi = ctx, esi = trap
 * code, return address = site; esi = code | JIT_TRAP_INDEX means edx
 * holds the element index the trap names (struct wasm_trap
 * has_index/index).  r14 need not hold anything. */
void jit_trap(void);
#define JIT_TRAP_INDEX 0x100u
/* trap.c, what jit_trap calls: jit_trap_record + the index detail */
void jit_trap_record_site(struct jit_ctx *ctx, uint32_t code_flags, uintptr_t rip,
			  uintptr_t rbp, uint32_t index);

/* error.c: fill *err (if err is not NULL); detail may be NULL.  The
 * error is of kind WASM_ERR_INVALID; wasm_error_link and wasm_error_resource
 * make the other kinds. */
void wasm_error_set(struct wasm_error *err, const char *msg,
		    const char *section, size_t off, const char *detail);
/* A link error (WASM_ERR_LINK): msg ("unknown import", "incompatible
 * import type") for the import module::name. */
void wasm_error_link(struct wasm_error *err, const char *msg, const char *module,
		     const char *name);
/* A resource failure (WASM_ERR_RESOURCE); detail may be NULL. */
void wasm_error_resource(struct wasm_error *err, const char *msg,
			 const char *section, const char *detail);

/* instance.c: the signature letter of a value type in struct
 * wasm_host_func (i I f F r x), '?' for others. */
char jit_type_letter(uint8_t type);

/* instance.c: called by import stubs: area holds the arguments (8-byte
 * slots) and receives every result. */
void jit_host_call(struct jit_ctx *ctx, uint32_t func_index, uint64_t *area);
/* memory.grow of memory 0: old size in pages, or -1. */
int32_t jit_memory_grow(struct jit_ctx *ctx, uint32_t delta_pages);
/* memory.grow of any memory (updates its mirrors): old size or -1. */
int32_t jit_mem_grow(struct jit_memory *mem, uint32_t delta_pages);
/* the memory's mirrors (struct jit_memory): 0, or -1 out of memory */
int jit_mem_mirror_add(struct jit_memory *mem, struct jit_ctx *ctx);
void jit_mem_mirror_remove(struct jit_memory *mem, struct jit_ctx *ctx);
/* instance.c: struct jit_rt call_ref */
void jit_call_ref(struct jit_ctx *ctx, const struct jit_funcref *fr,
		  uint32_t typeidx, const uint64_t *args, uint64_t *results);
/* the largest table the runtime will allocate (table.grow returns -1
 * beyond it, instantiation fails) */
#define JIT_TABLE_MAX_ELEMS 10000000u

#endif
