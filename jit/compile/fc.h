/*
 * fc.h — the single-pass compiler (jit/compile/): its design, its state
 * (struct fc: one function; struct jc: the module) and the small helpers
 * every file of it uses.
 *
 * It validates and compiles every function body to x86-64 in one
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
 *     in registers for the whole function ("pinned"): those in rbx, r12,
 *     r13 stay there across calls (callee-saved in wasm ABI v1; the
 *     prologue pushes them), those in r11, r10 and xmm8-15 go home around
 *     a call only when they are live after it, and are stored only when
 *     their home does not hold their value already (pins.c); parameters
 *     arrive in their registers, declared locals are zeroed there (their
 *     homes are not), unless the body sets them before any read;
 *   - call arguments in value registers reach their argument registers
 *     by one parallel move; results return from where they are (no trip
 *     through the slots) at the end and at `return`;
 *   - at calls, block/loop/if entries, ends, and branches everything else
 *     goes to the fixed slot layout below, so every merge sees that layout;
 *   - the opcodes without a register form first flush the stack and work
 *     slot by slot: those without OPF_KEEPS in opcodes.h (call_indirect,
 *     memory.size/grow, table.*, ref.*, the 0xfc ones), and
 *     the numeric ones fast_numeric does not take (float eq/ne/min/max/
 *     copysign/unary, clz/ctz/popcnt, most conversions: numeric.c);
 *   - unreachable code (after br, br_table, return, return_call*,
 *     unreachable, up to the end or else of its frame) is validated like
 *     the rest but emits no code (control.c, set_unreachable);
 *   - tail calls (return_call, return_call_indirect) leave the frame and
 *     jump, the stack arguments in the incoming area or an adapter frame
 *     (control.c "Tail calls", docs/abi.md);
 *   - exceptions (eh.c): a try's handler record in the frame (REC, between
 *     RESPTR and the locals), reached by a jump from the runtime;
 *
 *   jit_compile: import stubs -> each body: look-ahead scan (choose_pins),
 *   prologue, opcodes, epilogue, trap stubs, label fixups -> call fixups
 *   -> copy into code pages, seal RX.
 *
 * SIMD (v128, simd.c): every 0xfd instruction of Wasm 2.0 and of the
 * relaxed SIMD proposal (one fixed result each: docs/simd.md) on SSE4.1
 * (with SSE3/SSSE3; a function with a v128 anywhere is refused on a
 * CPU, or --cpu, without it).  v128 values live in xmm2-xmm7 like floats
 * (V_REG), in slots, or as V_LOCAL of a home; never V_IMM, V_FLAGS or a
 * pinned local.  A function is "wide" when it has a v128 anywhere: a
 * parameter, result or local, a 0xfd opcode, a v128 block or select
 * type, a call passing or returning one, a v128 global (the look-ahead,
 * pins.c, finds the body's; fc_simd_types_ok the type's).  A wide
 * function has 16-byte slots for ALL its locals and operand entries
 * (below); the others keep 8-byte ones, so code without SIMD is exactly
 * as before.  v128 globals: the global's 8-byte slot holds the address
 * of its 16-byte cell (own or the exporter's), one load more per access.
 * v128 results through a result area: value slots (jit.h
 * jit_v1_slot_next), the area 16-byte aligned (control.c area_at).
 *
 * Optional instructions (LZCNT, TZCNT, POPCNT, ROUNDSS/SD) are used when
 * CPUID reports them (detect_cpu, once per process), else bsr/bsf with the
 * zero case handled and jit_rt calls; jit_cpu_disable (jit.h) forces the
 * fallbacks for tests.
 *
 * Per-opcode facts (immediates, flags, numeric signatures, names) come
 * from the one table in opcodes.h (enum wasm_op, wasm_opinfo; 0xfc:
 * enum wasm_fc_op, wasm_fc_opinfo; 0xfd: enum wasm_fd_op, wasm_fd_opinfo).  Compile speed: one pass plus the
 * look-ahead, each instruction emitted with one capacity check (x64/asm.h),
 * LEB128 immediates read inline when they are one byte (leb.h), and the
 * per-function arrays kept from one function to the next (struct fc_bufs);
 * bench/compile_speed measures it.  Debug builds (make JIT_DEBUG=1) check
 * the value-stack and register invariants after every opcode and at every
 * block boundary (fc_check_state).
 *
 * Frame of a compiled function's body (wasm ABI v1, jit.h and
 * docs/abi.md; the entry thunk before it has a frame of its own with the
 * caller's r14 and r15, when it is called from outside the instance):
 *
 *     [rbp + 16 + 8*j]   stack parameter j (copied to its local's home;
 *                        such a function has no thunk: its body saves
 *                        r14/r15 and sets them from rdi itself)
 *     [rbp + 8]          return address
 *     [rbp]              caller's rbp
 *     [rbp - 8 - 8*s]    the callee-saved registers it uses (nsave of
 *                        them: the pinned rbx/r12/r13, all three in a
 *                        function with a try, then r14/r15 when it has
 *                        no thunk)
 *     RESPTR             the results pointer (when they go through memory)
 *     REC(i)             the handler record of try nesting depth i
 *                        (ntry_max of them, REC_SIZE bytes each; eh.c)
 *     (8 bytes of padding in a wide function when nsave is even: L and S
 *      start 16-byte aligned, slot_base)
 *     L(i)               local i's home, parameters included (the
 *                        prologue moves each parameter there, i32
 *                        zero-extended, or into its pinned register,
 *                        and zeroes the declared locals' homes or
 *                        registers)
 *     S(k)               operand stack slot k
 *     [rsp + 8*i]        outgoing stack arguments, then the result area
 *                        (max over the call sites; a v128 stack argument
 *                        takes two, at an even i; the area starts at an
 *                        even i when a result is a v128)
 *
 * L(i) and S(k) are 8 bytes each, or 16 in a wide function (slot_size;
 * rbp is 16-byte aligned, so every one is too, as docs/abi.md asks of
 * v128 slots).
 *
 * Slot invariant: every slot holds a 64-bit value; i32 and f32 values are
 * zero-extended; a v128 fills its 16-byte slot (the upper 8 bytes of a
 * wide function's scalar slot are garbage, never read).  So every copy
 * (locals, branches, call arguments) is one 64-bit move, a v128's one
 * 16-byte movdqu through xmm0, and reinterpret/extend_u are free.
 *
 * Control (multi-value): each block has a label; forward branches are
 * rel32 fixups resolved at the end of the function.  A block's params sit
 * in the slots from its height (the stack height below them) up, and its
 * results end up in the same slots: a branch copies the values it carries
 * from the top of the stack down to the target's height (params for a
 * loop, results otherwise).  The false path of an `if` jumps over the then
 * arm, so it finds the params untouched.  Function results go to the v1
 * places (rax/rdx/xmm0/xmm1, or the caller's result area) in the
 * epilogue; calls push them back from the same places.
 *
 * References (jit.h): a funcref is a struct jit_funcref * (ref.func loads
 * ctx->funcrefs[x]), an externref an opaque 64-bit value, null = 0.  Tables
 * are reached through ctx->tables[x]; table.get/set/size and call_indirect
 * are inline, the rest calls struct jit_rt helpers through ctx->rt (no C
 * addresses in the code), which return 0 or a trap code.
 *
 * Traps: the check jumps to an out-of-line stub at the end of the function
 * (mov esi, code; mov rdi, r14; call [r14 + CTX_TRAP]: v1, rdi = ctx);
 * every stub, call and memory access gets a srcmap entry (code offset ->
 * wasm byte offset).
 * Memory accesses have no bounds checks (8 GiB reservation, DESIGN.md §2);
 * the bulk instructions check their whole range first (spec 2.0: a range
 * past the end traps even when empty, and nothing is written).
 *
 * The files (each says what it holds):
 *
 *   driver.c   jit_compile, one function (locals, prologue, the opcode loop
 *              and its switch, epilogue, stubs, fixups), CPU features, errors
 *   values.c   the value stack and register state: pop, spill/flush, alloc,
 *              materialising values, local.* and global.*, the invariants
 *   control.c  blocks, branches, unreachable code, labels, traps, calls
 *   memory.c   loads/stores, memory.*, table.*, ref.*, segments
 *   numeric.c  integer/float ops, compares, conversions, constants, select
 *   pins.c     pinned locals: the look-ahead scan (uses, last uses, first
 *              sets, wide or not), homes around calls (liveness, homes in sync)
 *   eh.c       exception handling: try, catch, catch_all, delegate, throw,
 *              rethrow (handler records in the frame, docs/abi.md
 *              "Exceptions"; a function with a try pins no local)
 *   simd.c     the 0xfd instructions (v128), their validation from the
 *              0xfd table, the v128 cases of the ABI it compiles
 */
#ifndef JIT_COMPILE_FC_H
#define JIT_COMPILE_FC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jit.h"
#include "leb.h"
#include "opcodes.h"
#include "x64/asm.h"

#define MAX_LOCALS 50000u
#define MAX_FRAME  (64u << 20)
#define PIN_MAX    13           /* pinned locals: 5 general + 8 xmm registers */

/* registers (short names inside jit/compile/) */
enum { RAX = X64_RAX, RCX = X64_RCX, RDX = X64_RDX, RSP = X64_RSP, RBP = X64_RBP,
       RSI = X64_RSI, RDI = X64_RDI, R14 = X64_R14, R15 = X64_R15 };

#define I32 WASM_I32
#define I64 WASM_I64
#define F32 WASM_F32
#define F64 WASM_F64
#define V128 WASM_V128

enum ctl_kind { CTL_FUNC, CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_ELSE, CTL_TRY };
/* a try's part (exception handling, eh.c): its body (its handler record
 * active, ctx->eh_top), or one of its catch bodies (the exception held) */
enum { EH_BODY, EH_CATCH };

/* A control frame (spec appendix A.3 ctrl_frame).  Its params sit in
 * slots height.., and its results end up there. */
struct ctl {
	uint8_t kind;
	bool unreachable;
	uint32_t height;        /* operand stack height below the params */
	uint32_t nparams, nresults;
	const uint8_t *params, *results;
	uint32_t label;         /* branch target: end (block/if/func), start (loop) */
	uint32_t start;         /* body position (pos_now) where it began */
	uint32_t else_label;    /* if: where the false condition jumps */
	/* try (eh.c) */
	uint8_t eh;             /* EH_BODY / EH_CATCH */
	bool catch_all;         /* a catch_all was met */
	uint32_t rec;           /* its handler record's index (REC) */
	uint32_t handler;       /* label: where an exception arrives (rax) */
	uint32_t next;          /* label: the next catch clause's test */
	/* what is below this frame when it is pushed (fc_push_ctl), so that a
	   branch asks "which try and catch bodies do I leave?" in O(1), not
	   by walking the control stack (eh.c fc_eh_emit_exit): the open try
	   frames (f->ntry) and of them those in a catch body (f->ncatch), and
	   the innermost try below it whose body is active (-1: none).  A try
	   changes from body to catch only while it is the top frame, so these
	   stay true for every frame above it. */
	uint32_t tries_below, catches_below;
	int32_t body_below;
};

/*
 * Where an operand-stack value is (the register allocation of the value
 * stack, DESIGN.md decision 6).  Entry k is either in its own slot S(k)
 * (V_STK, the fixed layout every merge point uses), in a register it owns
 * (V_REG: general purpose for i32/i64/refs, xmm for f32/f64/v128; i32 values
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
/* a rel32 to function func's body (CALL_BODY), its v1 entry (CALL_ENTRY:
 * a tail call that must go through the thunk), or the module's tail-call
 * adapter (CALL_ADAPTER, func unused; control.c "Tail calls") */
enum { CALL_BODY, CALL_ENTRY, CALL_ADAPTER };
struct call_fixup { uint32_t field, func; uint8_t kind; };

/* Where dead code began (control.c): what it appended is taken back
 * when the code is reachable again, so that it emits nothing. */
#define NO_DEAD UINT32_MAX
struct dead_mark {
	size_t len;                     /* code bytes */
	uint32_t nlabels, nfixups, nstubs, ncalls, nmap;
	struct jit_srcmap last_map;     /* map[nmap - 1] (srcmap may replace it) */
	uint32_t maxvals, max_area;     /* the frame size */
};

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
	bool avx, avx2;                 /* VEX forms in simd.c (JIT_CPU_AVX, _AVX2) */
	uint32_t tail_slots;    /* K: the stack-argument slots of the tail-call
				   adapter (the most any type needs, even) */
	bool adapter;           /* some tail call may build an adapter frame */
	bool any_v128;                  /* some type or global of the module has a v128 */
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
	uint32_t *score, *last_use;
	uint8_t *zero;
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
	uint32_t *last_use;             /* per local: the body position of its
					   last local.* (pins.c: liveness at calls) */
	uint8_t *zero;                  /* per local: the prologue zeroes it (not
					   when it is set before any read) */
	uint32_t cappin;
	const uint8_t *body;            /* the body's first opcode (positions) */
	uint8_t *vals;                  /* operand type stack, 0 = unknown */
	uint32_t nvals, capvals, maxvals;
	struct vloc *vs;                /* where each operand is (nvals; capvals) */
	uint16_t gpr_used, xmm_used;    /* bit per register held by a V_REG */
	int8_t *pin;                    /* per local: its register, or -1 */
	uint32_t pinned[PIN_MAX];       /* the pinned locals, ascending */
	uint32_t npinned;
	uint16_t pin_synced;            /* bit j: pinned[j]'s home holds its
					   register's value (pins.c) */
	uint16_t pin_saved;             /* bit j: pinned[j] went home for the
					   call being compiled, comes back after */
	struct ctl *ctls;
	uint32_t nctls, capctls;
	int32_t *labels;                /* code offset, -1 = unbound */
	uint32_t nlabels, caplabels;
	struct fixup *fixups;
	uint32_t nfixups, capfixups;
	struct stub *stubs;
	uint32_t nstubs, capstubs;
	uint32_t max_area;
	bool full_entry;                /* the body is its own v1 entry (stack
					   params: no thunk; jit.h, driver.c) */
	uint32_t nsave;                 /* callee-saved registers pushed */
	int8_t saved[6];                /* which, in push order */
	uint32_t dead;                  /* the frame whose rest is unreachable
					   (dead code, control.c), or NO_DEAD */
	struct dead_mark dead_at;       /* the state where the dead code began */
	uint32_t op_off;                /* wasm offset of the current opcode */
	uint8_t op;                     /* the current opcode (for messages) */
	const char *err;
	size_t err_off;
	bool err_resource;              /* err is ours (memory, a limit), not the module's */
	bool wide;                      /* 16-byte slots: the function has a v128
					   somewhere (pins.c finds out) */
	uint32_t ntry_max;              /* handler records in the frame: the
					   deepest try nesting (pins.c's look-
					   ahead); > 0: no pinned locals, every
					   callee-saved register saved (eh.c) */
	uint32_t ntry;                  /* try frames open now */
	uint32_t ncatch;                /* of them, in a catch body */
	int32_t outer_body;             /* the outermost try frame whose body is
					   active (-1: none) */
};

/* Shared between the files of the compiler (the opcode handlers fc_op_*
 * read their immediates, validate, and emit; false on an error, with
 * fc_fail's message in f->err). */

/* driver.c */
__attribute__((noinline)) bool fc_grow_slow(void **p, uint32_t *cap, uint32_t need,
						       size_t elem);
bool fc_fail(struct fc *f, const char *msg);
bool fc_oom(struct fc *f);
void fc_emit_epilogue(struct fc *f);
void fc_emit_leave(struct fc *f);
bool fc_emit_return_from_stack(struct fc *f);

/* values.c */
__attribute__((noinline)) bool fc_grow_vals(struct fc *f, uint32_t n);
bool fc_pop(struct fc *f, uint8_t want, uint32_t *slot, uint8_t *type);
void fc_spill(struct fc *f, uint32_t k);
void fc_flush_all(struct fc *f);
void fc_store_val(struct fc *f, const struct vloc *v, uint8_t t, uint32_t k,
		      struct x64_mem m);
int fc_alloc_reg(struct fc *f, uint8_t t);
void fc_load_val(struct fc *f, const struct vloc *v, uint8_t t, uint32_t k, int r);
int fc_to_reg(struct fc *f, uint32_t k);
void fc_to_scratch(struct fc *f, uint32_t k, int r);
bool fc_op_local(struct fc *f, uint8_t op);
bool fc_op_global(struct fc *f, uint8_t op);

/* control.c */
bool fc_trap_if(struct fc *f, enum x64_cc cc, enum wasm_trap_code code);
bool fc_emit_stubs(struct fc *f);
bool fc_trap_if_eax(struct fc *f);
bool fc_push_ctl(struct fc *f, uint8_t kind, struct ctl *c);
bool fc_op_else(struct fc *f);
bool fc_op_end(struct fc *f);
bool fc_op_br_table(struct fc *f);
bool fc_op_call(struct fc *f);
void fc_ld_table(struct fc *f, uint32_t table);
bool fc_table_index(struct fc *f, uint32_t table, uint32_t k, enum wasm_trap_code code);
bool fc_call_rt(struct fc *f, size_t off);
bool fc_op_call_indirect(struct fc *f);
bool fc_op_unreachable(struct fc *f);
bool fc_op_block(struct fc *f, uint8_t op);
bool fc_op_if(struct fc *f);
bool fc_op_br(struct fc *f, bool is_return);
bool fc_op_br_if_rd(struct fc *f);
bool fc_op_return_call(struct fc *f);
bool fc_op_return_call_indirect(struct fc *f);
/* control.c's pieces eh.c builds on */
bool fc_rd_blocktype(struct fc *f, struct ctl *c);
bool fc_new_label(struct fc *f, uint32_t *id);
void fc_bind(struct fc *f, uint32_t id);
bool fc_jump_to(struct fc *f, uint32_t id);
bool fc_jcc_to(struct fc *f, enum x64_cc cc, uint32_t id);
bool fc_check_end(struct fc *f, struct ctl *c);
void fc_end_dead(struct fc *f);
void fc_set_unreachable(struct fc *f);
bool fc_push_vals(struct fc *f, const uint8_t *ts, uint32_t n);
bool fc_pop_vals(struct fc *f, const uint8_t *ts, uint32_t n, uint32_t *base, bool *real);

/* eh.c (exception handling) */
bool fc_op_try(struct fc *f);
bool fc_op_catch(struct fc *f, bool all);
bool fc_op_delegate(struct fc *f);
bool fc_op_throw(struct fc *f);
bool fc_op_rethrow(struct fc *f);
bool fc_eh_end(struct fc *f);
bool fc_eh_exits(struct fc *f, uint32_t depth);
bool fc_eh_emit_exit(struct fc *f, uint32_t depth);

/* memory.c */
bool fc_rd_memarg(struct fc *f, uint32_t *align, uint32_t *mem, uint64_t *offset);
bool fc_mem_is64(struct fc *f, uint32_t mem);
struct x64_mem fc_mem_operand(struct fc *f, uint32_t k, uint64_t offset, uint32_t size,
			      uint32_t mem);
bool fc_op_load_store(struct fc *f, uint8_t op);
bool fc_op_memory_size_grow(struct fc *f, uint8_t op);
bool fc_op_memory_copy(struct fc *f);
bool fc_op_memory_fill(struct fc *f);
bool fc_op_ref_null(struct fc *f);
bool fc_op_ref_is_null(struct fc *f);
bool fc_op_ref_func(struct fc *f);
bool fc_op_table_get_set(struct fc *f, uint8_t op);
bool fc_op_table_size(struct fc *f);
bool fc_op_table_grow(struct fc *f);
bool fc_op_table_fill(struct fc *f);
bool fc_op_table_copy(struct fc *f);
bool fc_op_table_init(struct fc *f);
bool fc_op_elem_drop(struct fc *f);
bool fc_op_memory_init(struct fc *f);
bool fc_op_data_drop(struct fc *f);

/* numeric.c */
bool fc_op_trunc_sat(struct fc *f, uint32_t sub);
bool fc_op_numeric(struct fc *f, uint8_t op);
bool fc_op_select(struct fc *f, bool typed);

/* simd.c */
bool fc_op_simd(struct fc *f);
bool fc_simd_types_ok(struct fc *f, const struct wasm_functype *ft, const char *what);
bool fc_type_has_v128(const struct wasm_functype *ft);

/* pins.c */
bool fc_choose_pins(struct fc *f);
void fc_pin_written(struct fc *f, uint32_t i);
void fc_pins_to_homes(struct fc *f);
void fc_pins_from_homes(struct fc *f, bool prologue);

#ifdef JIT_DEBUG
bool fc_check_state(struct fc *f, bool flushed);
#define CHECK_STATE(f, flushed) fc_check_state(f, flushed)
#else
#define CHECK_STATE(f, flushed) true
#endif

/* ---- small helpers every file uses (static inline: the hot ones) -------- */

/* make room for need elements of size elem in *p (capacity *cap) */
static inline bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (__builtin_expect(need <= *cap, 1))
		return true;
	return fc_grow_slow(p, cap, need, elem);
}

#define PUSH(f, arr, n, cap, val) \
	(grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))) ? ((arr)[(n)++] = (val), true) : false)

static inline bool is_num(uint8_t t)
{
	return t == I32 || t == I64 || t == F32 || t == F64;
}

static inline bool is_valtype(uint8_t t)
{
	return is_num(t) || t == WASM_FUNCREF || t == WASM_EXTERNREF || t == WASM_V128;
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
		return fc_oom(f);
	return true;
}

/* the position in the body being compiled (bytes from its first opcode;
 * the look-ahead's positions, pins.c, count the same way) */
static inline uint32_t pos_now(const struct fc *f)
{
	return (uint32_t)(f->r.p - f->body);
}

/* ---- slots ---------------------------------------------------------------- */

/* the results pointer of a function whose results go through memory */
static inline struct x64_mem RESPTR(struct fc *f)
{
	return x64_mem(RBP, -8 * (int32_t)(1 + f->nsave));
}

/* Where the locals begin (below rbp): after the saved registers,
 * RESPTR and the handler records of try (eh.c, REC); 16-byte aligned in
 * a wide function (its slots are 16 bytes) */
static inline int32_t slot_base(const struct fc *f)
{
	int32_t b = 8 * (int32_t)(1 + f->nsave) + REC_SIZE * (int32_t)f->ntry_max;

	return f->wide ? (b + 15) & ~15 : b;
}

/* the size of a local's home and of an operand slot: 8, or 16 in a wide
 * function (one that has a v128 anywhere: fc.h's frame comment) */
static inline int32_t slot_size(const struct fc *f)
{
	return f->wide ? 16 : 8;
}

/* local i (parameters included) */
static inline struct x64_mem L(struct fc *f, uint32_t i)
{
	return x64_mem(RBP, -(slot_base(f) + slot_size(f) * (int32_t)(1 + i)));
}

static inline struct x64_mem S(struct fc *f, uint32_t k)
{
	return x64_mem(RBP, -(slot_base(f) + slot_size(f) * (int32_t)(1 + f->nlocals + k)));
}

/* the handler record of try nesting depth i (struct jit_eh_rec), field off */
static inline struct x64_mem REC(struct fc *f, uint32_t i, int32_t off)
{
	return x64_mem(RBP, -8 * (int32_t)(1 + f->nsave) - REC_SIZE * (int32_t)(1 + i) + off);
}

static inline struct x64_mem AREA(uint32_t i)
{
	return x64_mem(RSP, 8 * (int32_t)i);
}

static inline void ld(struct fc *f, int reg, uint32_t k)
{
	x64_mov_rm(f->a, 1, reg, S(f, k));
}

static inline void st(struct fc *f, uint32_t k, int reg)
{
	x64_mov_mr(f->a, 1, S(f, k), reg);
}

static inline void copy(struct fc *f, struct x64_mem dst, struct x64_mem src)
{
	x64_mov_rm(f->a, 1, RAX, src);
	x64_mov_mr(f->a, 1, dst, RAX);
}

/* xmm <- slot k (f32: low 32 bits, f64: 64 bits) */
static inline void ldx(struct fc *f, int dbl, int xmm, uint32_t k)
{
	if (dbl)
		x64_movq_xm(f->a, xmm, S(f, k));
	else
		x64_movd_xm(f->a, xmm, S(f, k));
}

/* slot k <- xmm0 (f32 zero-extended) */
static inline void stx(struct fc *f, int dbl, uint32_t k)
{
	if (dbl) {
		x64_movq_mx(f->a, S(f, k), 0);
	} else {
		x64_movq_rx(f->a, 0, RAX, 0);
		st(f, k, RAX);
	}
}

/* xmm <- constant bits */
static inline void ldx_const(struct fc *f, int dbl, int xmm, uint64_t bits)
{
	x64_mov_ri(f->a, RAX, bits);
	x64_movq_xr(f->a, dbl, xmm, RAX);
}

/* ---- operand type stack -------------------------------------------------- */

static inline bool in_xmm(uint8_t t);

static inline void free_vloc(struct fc *f, const struct vloc *v, uint8_t t)
{
	if (v->kind != V_REG)
		return;
	if (in_xmm(t))
		f->xmm_used &= (uint16_t)~(1u << v->reg);
	else
		f->gpr_used &= (uint16_t)~(1u << v->reg);
}

static inline bool push(struct fc *f, uint8_t t, uint32_t *slot)
{
	if (__builtin_expect(f->nvals >= f->capvals, 0) && !fc_grow_vals(f, f->nvals + 1))
		return false;
	f->vs[f->nvals] = (struct vloc){ .kind = V_STK };
	f->vals[f->nvals++] = t;
	if (f->nvals > f->maxvals)
		f->maxvals = f->nvals;
	if (slot)
		*slot = f->nvals - 1;
	return true;
}

/* ---- value locations (register allocation of the value stack) ----------- */

/* Registers values may live in: rsi rdi r8 r9 (values.c alloc_gprs)
 * and xmm2-xmm7.  rax, rcx, rdx and xmm0/xmm1 are scratch for single
 * instructions (never hold a stack value); r14 (ctx), r15 (memory base),
 * rbp and rsp are fixed inside compiled code (jit.h).  The value
 * registers are caller-saved in wasm ABI v1, so every call, and
 * everything that is not compiled here yet, first spills (flush_all). */
enum { RBX = X64_RBX, R10 = X64_R10, R11 = X64_R11, R12 = X64_R12, R13 = X64_R13 };
#define FIRST_XMM 2
#define NXMM 8
#define PIN_XMM_FIRST 8
#define PIN_XMM_N 8

/* the register local i lives in, or -1 (its home L(i) then) */
static inline int local_reg(struct fc *f, uint32_t i)
{
	return f->npinned ? f->pin[i] : -1;
}

static inline bool in_xmm(uint8_t t)
{
	return is_float(t) || t == WASM_V128;
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


/* local forward jump within one opcode's code */
static inline size_t fwd_jcc(struct fc *f, enum x64_cc cc)
{
	return x64_jcc_rel32(f->a, cc, 0);
}

static inline size_t fwd_jmp(struct fc *f)
{
	return x64_jmp_rel32(f->a, 0);
}

static inline void here(struct fc *f, size_t field)
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

/* rax = 0/1 from cc, to slot k */
static inline void st_cc(struct fc *f, enum x64_cc cc, uint32_t k)
{
	x64_setcc(f->a, cc, RAX);
	x64_movzx8_rr(f->a, RAX, RAX);
	st(f, k, RAX);
}

enum { R8 = X64_R8, R9 = X64_R9 };       /* helper arguments 5, 6 */

/* the general register of wasm ABI v1 place p (jit_v1_next: 0 = rdi) */
static inline int v1_gpr(uint32_t p)
{
	static const int8_t r[6] = { RDI, RSI, RDX, RCX, R8, R9 };

	return r[p];
}

/* the stack-argument slots of a wasm ABI v1 call of type ft */
static inline uint32_t fc_stack_slots(const struct wasm_functype *ft)
{
	struct jit_v1 s;

	jit_v1_start(&s, ft);
	for (uint32_t i = 0; i < ft->nparams; i++)
		jit_v1_next(&s, ft->params[i]);
	return s.nstack;
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

/* ---- the two most frequent opcodes (the loop calls them before its switch) -- */

/* local.get: no code, the value is read when used */
static inline bool fc_op_local_get(struct fc *f)
{
	uint32_t i, k;

	if (!rd_u32(f, &i))
		return false;
	if (i >= f->nlocals)
		return fc_fail(f, "unknown local");
	if (!push(f, f->ltypes[i], &k))
		return false;
	f->vs[k] = (struct vloc){ .kind = V_LOCAL, .local = i };
	return true;
}

/* t.const: no code, the constant becomes an immediate where it is used */
static inline bool fc_op_const(struct fc *f, uint8_t op)
{
	uint32_t k;
	uint64_t v = 0;

	switch (op) {
	case OP_I32_CONST: { int32_t x; if (!wasm_read_s32(&f->r, &x)) return false; v = (uint32_t)x; break; }
	case OP_I64_CONST: { int64_t x; if (!wasm_read_s64(&f->r, &x)) return false; v = (uint64_t)x; break; }
	case OP_F32_CONST: { uint32_t x; if (!wasm_read_f32(&f->r, &x)) return false; v = x; break; }
	case OP_F64_CONST: if (!wasm_read_f64(&f->r, &v)) return false; break;
	}
	static const uint8_t ty[] = { I32, I64, F32, F64 };
	if (!push(f, ty[op - OP_I32_CONST], &k))
		return false;
	f->vs[k] = (struct vloc){ .kind = V_IMM, .imm = v };
	return true;
}

#endif
