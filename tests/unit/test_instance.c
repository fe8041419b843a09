/*
 * test_instance.c — instantiation, calls, host functions and traps, end to
 * end on the hosted platform (jit/instance.c with jit/compile/, entry.S,
 * trap.c and host/plat_host.c): Core spec 2.0 §4.5.4 instantiation order
 * (elem, data, start), §4.4 trap semantics, and the engine API (wasm.h).
 *
 * Modules are written in the text format here and assembled with wabt's
 * wat2wasm at test time (into a private directory under /tmp).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include "check.h"
#include "wasm.h"
#include "module.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];
static struct wasm_error err;
static struct wasm_trap trap;

/* Assemble WAT text; NULL (and a message) if wat2wasm failed. */
static uint8_t *wat(const char *text, size_t *len)
{
	return wat_assemble(tmpdir, text, len);
}

static void print_err(const char *what)
{
	char buf[256];

	wasm_error_format(&err, buf, sizeof buf);
	fprintf(stderr, "%s: %s\n", what, buf);
}

static wasm_module *load_wat(const char *text)
{
	size_t n;
	uint8_t *b = wat(text, &n);
	wasm_module *m = NULL;

	if (!b)
		return NULL;
	memset(&err, 0, sizeof err);
	if (wasm_module_load(b, n, &m, &err))
		print_err("load");
	free(b);
	return m;
}

/* load + instantiate; returns the wasm_instance_new code (0, -1, -2) */
static int inst_wat(const char *text, const struct wasm_host_func *hf, size_t nhf,
		    wasm_module **mp, wasm_instance **ip)
{
	int rc;

	*ip = NULL;
	*mp = load_wat(text);
	if (!*mp)
		return -100;
	memset(&err, 0, sizeof err);
	memset(&trap, 0, sizeof trap);
	rc = wasm_instance_new(*mp, hf, nhf, ip, &err, &trap);
	return rc;
}

static void done(wasm_module *m, wasm_instance *i)
{
	wasm_instance_free(i);
	wasm_module_free(m);
}

static int call(wasm_instance *i, const char *name, const uint64_t *args, size_t na,
		uint64_t *res, size_t nr)
{
	memset(&trap, 0, sizeof trap);
	memset(&err, 0, sizeof err);
	return wasm_call(i, name, args, na, res, nr, &trap, &err);
}

/* ---- plain calls ---------------------------------------------------------- */

TEST(call_exports)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t r[1], a[2];

	if (inst_wat("(module"
		     " (func (export \"add\") (param i32 i32) (result i32)"
		     "   (i32.add (local.get 0) (local.get 1)))"
		     " (func (export \"neg64\") (param i64) (result i64)"
		     "   (i64.sub (i64.const 0) (local.get 0)))"
		     " (func (export \"half\") (param f64) (result f64)"
		     "   (f64.mul (local.get 0) (f64.const 0.5)))"
		     " (func (export \"nop\")))", NULL, 0, &m, &i)) {
		CHECK(0);
		return;
	}
	a[0] = 40; a[1] = 2;
	CHECK(call(i, "add", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], 42);
	/* i32 wraps, and results come back zero-extended */
	a[0] = 0xffffffffu; a[1] = 2;
	CHECK(call(i, "add", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], 1);
	a[0] = 5;
	CHECK(call(i, "neg64", a, 1, r, 1) == 0);
	CHECK_EQ_U64(r[0], (uint64_t)-5);
	double d = 3.0, h;
	memcpy(&a[0], &d, 8);
	CHECK(call(i, "half", a, 1, r, 1) == 0);
	memcpy(&h, &r[0], 8);
	CHECK(h == 1.5);
	CHECK(call(i, "nop", NULL, 0, NULL, 0) == 0);
	/* API errors */
	CHECK(call(i, "nope", NULL, 0, NULL, 0) == -1);
	CHECK(err.msg && !strcmp(err.msg, "unknown export"));
	CHECK(call(i, "add", a, 1, r, 1) == -1);
	CHECK(err.msg && !strcmp(err.msg, "arity mismatch"));
	CHECK(call(i, "add", a, 2, r, 0) == -1);
	done(m, i);
}

/* ---- host functions -------------------------------------------------------- */

struct host_log {
	uint64_t args[4];
	int calls;
};

static enum wasm_trap_code h_mul(wasm_instance *inst, void *env, const uint64_t *args,
				 uint64_t *res)
{
	struct host_log *l = env;

	l->args[0] = args[0];
	l->args[1] = args[1];
	l->calls++;
	res[0] = (uint32_t)(args[0] * args[1]);
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code h_sqrt(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	double x;

	memcpy(&x, &args[0], 8);
	x = x * x;
	memcpy(&res[0], &x, 8);
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code h_fail(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	wasm_instance_set_host_error(inst, "bad descriptor");
	return WASM_TRAP_HOST;
}

static enum wasm_trap_code h_exit(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	wasm_instance_set_exit(inst, (int32_t)args[0]);
	return WASM_TRAP_EXIT;
}

/* Re-enters the instance from inside a host call. */
static enum wasm_trap_code h_reenter(wasm_instance *inst, void *env, const uint64_t *args,
				     uint64_t *res)
{
	uint64_t a[2] = { args[0], 100 }, r[1];
	struct wasm_trap t;
	struct wasm_error e;

	if (wasm_call(inst, "add", a, 2, r, 1, &t, &e) != 0)
		return WASM_TRAP_HOST;
	res[0] = r[0];
	return WASM_TRAP_NONE;
}

static const char host_mod[] =
	"(module"
	" (import \"env\" \"mul\" (func $mul (param i32 i32) (result i32)))"
	" (import \"env\" \"sq\" (func $sq (param f64) (result f64)))"
	" (import \"env\" \"fail\" (func $fail))"
	" (import \"env\" \"exit\" (func $exit (param i32)))"
	" (import \"env\" \"reenter\" (func $reenter (param i32) (result i32)))"
	" (memory (export \"memory\") 1)"
	" (func (export \"add\") (param i32 i32) (result i32)"
	"   (i32.add (local.get 0) (local.get 1)))"
	" (func (export \"mul_plus1\") (param i32 i32) (result i32)"
	"   (i32.add (call $mul (local.get 0) (local.get 1)) (i32.const 1)))"
	" (func (export \"sq\") (param f64) (result f64) (call $sq (local.get 0)))"
	" (func $inner (call $fail))"
	" (func $outer (export \"fail\") (call $inner))"
	" (func (export \"exit\") (param i32) (call $exit (local.get 0)) (unreachable))"
	" (func (export \"reenter\") (param i32) (result i32)"
	"   (i32.mul (call $reenter (local.get 0)) (i32.const 2))))";

TEST(host_calls)
{
	struct host_log log = { 0 };
	const struct wasm_host_func hf[] = {
		{ "env", "mul", "ii", "i", h_mul, &log },
		{ "env", "sq", "F", "F", h_sqrt, NULL },
		{ "env", "fail", "", "", h_fail, NULL },
		{ "env", "exit", "i", "", h_exit, NULL },
		{ "env", "reenter", "i", "i", h_reenter, NULL },
		{ "env", "unused", "", "", h_fail, NULL },
	};
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[2], r[1];
	char buf[512];

	if (inst_wat(host_mod, hf, 6, &m, &i)) {
		CHECK(0);
		return;
	}
	CHECK(wasm_memory_base(i) != NULL);
	CHECK_EQ_U64(wasm_memory_size(i), 65536);
	a[0] = 6; a[1] = 7;
	CHECK(call(i, "mul_plus1", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], 43);
	CHECK(log.calls == 1 && log.args[0] == 6 && log.args[1] == 7);
	double x = 1.5, y;
	memcpy(&a[0], &x, 8);
	CHECK(call(i, "sq", a, 1, r, 1) == 0);
	memcpy(&y, &r[0], 8);
	CHECK(y == 2.25);

	/* a host error unwinds the guest, with a backtrace through it */
	CHECK(call(i, "fail", NULL, 0, NULL, 0) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_HOST);
	CHECK(!strcmp(trap.host_msg, "bad descriptor"));
	CHECK(trap.nframes >= 3);
	if (trap.nframes >= 3) {
		CHECK_EQ_U64(trap.frames[0].func_index, 2);     /* the import */
		CHECK_EQ_U64(trap.frames[1].func_index, 8);     /* $inner */
		CHECK(trap.frames[1].name && !strcmp(trap.frames[1].name, "inner"));
		CHECK_EQ_U64(trap.frames[2].func_index, 9);     /* $outer */
	}
	wasm_trap_format(&trap, buf, sizeof buf);
	static const char want[] = "wasm trap: host function error: bad descriptor\n"
				    "  #0 func[2] fail at wasm offset 0x";
	CHECK(!strncmp(buf, want, sizeof want - 1));
	CHECK(strstr(buf, "  #1 func[8] inner at wasm offset 0x") != NULL);

	/* proc_exit-style unwinding with an exit code */
	a[0] = 7;
	CHECK(call(i, "exit", a, 1, NULL, 0) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_EXIT);
	CHECK_EQ_U64(trap.exit_code, 7);

	/* the instance still works after traps; and it is re-entrant */
	a[0] = 5;
	CHECK(call(i, "reenter", a, 1, r, 1) == 0);
	CHECK_EQ_U64(r[0], 210);
	a[0] = 2; a[1] = 3;
	CHECK(call(i, "mul_plus1", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], 7);
	done(m, i);
}

TEST(link_errors)
{
	const struct wasm_host_func ok[] = { { "env", "mul", "ii", "i", h_mul, NULL } };
	const struct wasm_host_func bad[] = { { "env", "mul", "iI", "i", h_mul, NULL } };
	const char *mod = "(module (import \"env\" \"mul\" (func (param i32 i32) (result i32))))";
	wasm_module *m;
	wasm_instance *i;

	CHECK(inst_wat(mod, NULL, 0, &m, &i) == -1);
	CHECK(err.msg && !strcmp(err.msg, "unknown import"));
	CHECK(!strcmp(err.detail, "env::mul"));
	CHECK_EQ_U64(err.kind, WASM_ERR_LINK);
	CHECK(i == NULL);
	wasm_module_free(m);
	CHECK(inst_wat(mod, bad, 1, &m, &i) == -1);
	CHECK(err.msg && !strcmp(err.msg, "incompatible import type"));
	wasm_module_free(m);
	CHECK(inst_wat(mod, ok, 1, &m, &i) == 0);
	done(m, i);
	/* non-function imports cannot be satisfied by host functions */
	CHECK(inst_wat("(module (import \"env\" \"g\" (global i32)))", ok, 1, &m, &i) == -1);
	CHECK(err.msg && !strcmp(err.msg, "unknown import"));
	wasm_module_free(m);
}

/* ---- traps ------------------------------------------------------------------ */

static const char trap_mod[] =
	"(module"
	" (memory 1 3)"
	" (type $ii (func (param i32) (result i32)))"
	" (table 4 funcref)"
	" (elem (i32.const 1) $id $neg $v)"
	" (func $id (param i32) (result i32) (local.get 0))"
	" (func $neg (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))"
	" (func $v)"
	" (func $unr (export \"unreachable\") (unreachable))"
	" (func (export \"deep\") (call $unr))"
	" (func (export \"div\") (param i32 i32) (result i32)"
	"   (i32.div_s (local.get 0) (local.get 1)))"
	" (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))"
	" (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))"
	" (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
	" (func (export \"size\") (result i32) (memory.size))"
	" (func $rec (export \"recurse\") (param i32) (result i32)"
	"   (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))"
	" (func (export \"icall\") (param i32 i32) (result i32)"
	"   (call_indirect (type $ii) (local.get 0) (local.get 1)))"
	" (func (export \"trunc\") (param f64) (result i32) (i32.trunc_f64_s (local.get 0))))";

static int trap_of(wasm_instance *i, const char *f, const uint64_t *a, size_t na, size_t nr)
{
	uint64_t r[1];

	if (call(i, f, a, na, r, nr) != 1)
		return -1;
	return trap.code;
}

TEST(traps)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[2], r[1];
	char buf[512];

	if (inst_wat(trap_mod, NULL, 0, &m, &i)) {
		CHECK(0);
		return;
	}
	CHECK_EQ_U64(trap_of(i, "unreachable", NULL, 0, 0), WASM_TRAP_UNREACHABLE);
	CHECK_EQ_U64(trap_of(i, "deep", NULL, 0, 0), WASM_TRAP_UNREACHABLE);
	CHECK(trap.nframes >= 2 && trap.frames[0].func_index == 3 &&
	      trap.frames[1].func_index == 4);
	CHECK(trap.frames[0].name && !strcmp(trap.frames[0].name, "unr"));
	wasm_trap_format(&trap, buf, sizeof buf);
	static const char want[] = "wasm trap: unreachable\n  #0 func[3] unr at wasm offset 0x";
	CHECK(!strncmp(buf, want, sizeof want - 1));

	a[0] = 1; a[1] = 0;
	CHECK_EQ_U64(trap_of(i, "div", a, 2, 1), WASM_TRAP_DIV_BY_ZERO);
	a[0] = 0x80000000u; a[1] = 0xffffffffu;
	CHECK_EQ_U64(trap_of(i, "div", a, 2, 1), WASM_TRAP_INT_OVERFLOW);
	double nan = __builtin_nan("");
	memcpy(&a[0], &nan, 8);
	CHECK_EQ_U64(trap_of(i, "trunc", a, 1, 1), WASM_TRAP_INVALID_CONVERSION);

	/* memory: the last 4 bytes are fine, one past faults (guard region) */
	a[0] = 65532;
	CHECK(call(i, "load", a, 1, r, 1) == 0);
	a[0] = 65533;
	CHECK_EQ_U64(trap_of(i, "load", a, 1, 1), WASM_TRAP_MEMORY_OOB);
	a[0] = 0xfffffff0u; a[1] = 1;
	CHECK_EQ_U64(trap_of(i, "store", a, 2, 0), WASM_TRAP_MEMORY_OOB);
	CHECK(trap.nframes >= 1);

	/* stack exhaustion: the prologue check, not a crash */
	a[0] = 0;
	CHECK_EQ_U64(trap_of(i, "recurse", a, 1, 1), WASM_TRAP_STACK_EXHAUSTED);

	/* call_indirect: elements 1 and 2 set by the elem segment */
	a[0] = 9; a[1] = 1;
	CHECK(call(i, "icall", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], 9);
	a[1] = 2;
	CHECK(call(i, "icall", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], (uint32_t)-9);
	a[1] = 0;
	CHECK_EQ_U64(trap_of(i, "icall", a, 2, 1), WASM_TRAP_UNINITIALIZED_ELEMENT);
	a[1] = 4;
	CHECK_EQ_U64(trap_of(i, "icall", a, 2, 1), WASM_TRAP_UNDEFINED_ELEMENT);
	a[1] = 3;               /* $v: () -> () */
	CHECK_EQ_U64(trap_of(i, "icall", a, 2, 1), WASM_TRAP_INDIRECT_CALL_TYPE);

	/* and it still runs normally afterwards */
	a[0] = 3; a[1] = 1;
	CHECK(call(i, "icall", a, 2, r, 1) == 0);
	CHECK_EQ_U64(r[0], 3);
	done(m, i);
}

/*
 * A trap inside memory.copy's backward copy (compiled `std; rep movsb;
 * cld`) unwound with the direction flag still set: the C code after it
 * (the runtime, libc's memset/memcpy, the next input of fuzz_module) ran
 * with DF = 1 and wrote or read downwards, below its heap blocks
 * ("fatal SIGSEGV ... addr=<8 bytes below an ASan heap region>").  A page
 * of the source made PROT_NONE here faults the copy half-way, inside the
 * memory's reservation: a memory trap, through jit_unwind.
 */
TEST(trap_in_backward_memory_copy_clears_direction_flag)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[3], r[1];
	uint8_t *mem;
	long pg = sysconf(_SC_PAGESIZE);

	REQUIRE(inst_wat("(module (memory 2) (export \"mem\" (memory 0))"
			 " (func (export \"copy\") (param i32 i32 i32)"
			 "  (memory.copy (local.get 0) (local.get 1) (local.get 2)))"
			 " (func (export \"load\") (param i32) (result i32)"
			 "  (i32.load8_u (local.get 0))))", NULL, 0, &m, &i) == 0);
	mem = wasm_memory_base(i);
	REQUIRE(mem != NULL && pg > 0 && 0x4000 % pg == 0);
	memset(mem + 0x1000, 0x5a, 0x8000);
	REQUIRE(mprotect(mem + 0x4000, (size_t)pg, PROT_NONE) == 0);
	/* d > s, overlapping: copied from the top down, faults at 0x4000 + pg - 1 */
	a[0] = 0x1010; a[1] = 0x1000; a[2] = 0x8000;
	CHECK_EQ_U64(trap_of(i, "copy", a, 3, 0), WASM_TRAP_MEMORY_OOB);
	CHECK_MSG(!(__builtin_ia32_readeflags_u64() & 0x400),
		  "direction flag set after the trap");
	__asm__ volatile("cld");        /* the rest of this program needs DF = 0 */
	CHECK(mprotect(mem + 0x4000, (size_t)pg, PROT_READ | PROT_WRITE) == 0);
	/* and it still runs: a forward copy (d < s), then the bytes it moved */
	a[0] = 0x100; a[1] = 0x1000; a[2] = 0x100;
	CHECK(call(i, "copy", a, 3, NULL, 0) == 0);
	a[0] = 0x1ff;
	CHECK(call(i, "load", a, 1, r, 1) == 0);
	CHECK_EQ_U64(r[0], 0x5a);
	done(m, i);
}

TEST(memory_grow)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[2], r[1];

	if (inst_wat(trap_mod, NULL, 0, &m, &i)) {
		CHECK(0);
		return;
	}
	CHECK(call(i, "size", NULL, 0, r, 1) == 0 && r[0] == 1);
	a[0] = 1;
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 1);
	CHECK_EQ_U64(wasm_memory_size(i), 2 * 65536);
	/* the new page is zeroed and usable */
	a[0] = 65536 + 100;
	CHECK(call(i, "load", a, 1, r, 1) == 0 && r[0] == 0);
	a[1] = 0xabcd;
	CHECK(call(i, "store", a, 2, NULL, 0) == 0);
	CHECK(call(i, "load", a, 1, r, 1) == 0 && r[0] == 0xabcd);
	CHECK(wasm_memory_base(i)[65536 + 100] == 0xcd);
	/* past the maximum (3 pages): -1, size unchanged */
	a[0] = 2;
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 0xffffffffu);
	a[0] = 0;
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 2);
	a[0] = 1;
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 2);
	a[0] = 3 * 65536 - 4;
	CHECK(call(i, "load", a, 1, r, 1) == 0);
	a[0] = 3 * 65536;
	CHECK_EQ_U64(trap_of(i, "load", a, 1, 1), WASM_TRAP_MEMORY_OOB);
	/* a failing commit is a failed grow, not a crash */
	done(m, i);
	if (inst_wat("(module (memory 1)"
		     " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))",
		     NULL, 0, &m, &i)) {
		CHECK(0);
		return;
	}
	plat_host_fail_commit_after(0);
	a[0] = 1;
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 0xffffffffu);
	plat_host_fail_commit_after(-1);
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 1);
	/* beyond 65536 pages */
	a[0] = 65536;
	CHECK(call(i, "grow", a, 1, r, 1) == 0 && r[0] == 0xffffffffu);
	done(m, i);
}

/* ---- instantiation: globals, segments, start ------------------------------ */

TEST(instantiation_order)
{
	wasm_module *m;
	wasm_instance *i;
	uint64_t a[1], r[1];

	if (inst_wat("(module"
		     " (memory 1)"
		     " (global $g (mut i32) (i32.const 5))"
		     " (global $k i64 (i64.const -3))"
		     " (data (i32.const 16) \"\\2a\\00\\00\\00\")"
		     " (data (i32.const 20) \"hi\")"
		     " (func $start (global.set $g (i32.add (global.get $g) (i32.load (i32.const 16)))))"
		     " (start $start)"
		     " (func (export \"g\") (result i32) (global.get $g))"
		     " (func (export \"k\") (result i64) (global.get $k))"
		     " (func (export \"b\") (param i32) (result i32) (i32.load8_u (local.get 0))))",
		     NULL, 0, &m, &i)) {
		CHECK(0);
		return;
	}
	CHECK(call(i, "g", NULL, 0, r, 1) == 0);
	CHECK_EQ_U64(r[0], 47);                 /* start ran after the data */
	CHECK(call(i, "k", NULL, 0, r, 1) == 0);
	CHECK_EQ_U64(r[0], (uint64_t)-3);
	a[0] = 21;
	CHECK(call(i, "b", a, 1, r, 1) == 0 && r[0] == 'i');
	CHECK(!memcmp(wasm_memory_base(i) + 20, "hi", 2));
	done(m, i);

	/* out-of-bounds segments trap at instantiation */
	CHECK(inst_wat("(module (memory 1) (data (i32.const 65535) \"ab\"))",
		       NULL, 0, &m, &i) == -2);
	CHECK_EQ_U64(trap.code, WASM_TRAP_MEMORY_OOB);
	CHECK(i == NULL);
	wasm_module_free(m);
	CHECK(inst_wat("(module (table 2 funcref) (func $f) (elem (i32.const 1) $f $f))",
		       NULL, 0, &m, &i) == -2);
	CHECK_EQ_U64(trap.code, WASM_TRAP_TABLE_OOB);
	wasm_module_free(m);
	/* a trapping start function */
	CHECK(inst_wat("(module (func $s unreachable) (start $s))", NULL, 0, &m, &i) == -2);
	CHECK_EQ_U64(trap.code, WASM_TRAP_UNREACHABLE);
	CHECK(trap.nframes >= 1 && trap.frames[0].func_index == 0);
	wasm_module_free(m);
	/* user data */
	CHECK(inst_wat("(module)", NULL, 0, &m, &i) == 0);
	if (i) {
		int x;
		wasm_instance_set_user(i, &x);
		CHECK(wasm_instance_user(i) == &x);
		CHECK(wasm_memory_base(i) == NULL && wasm_memory_size(i) == 0);
	}
	done(m, i);
}

/* Extended-const: constant expressions with i32/i64 add, sub, mul are
 * evaluated with wrapping arithmetic; an i32 keeps its 64-bit slot
 * zero-extended (its raw bits as wasm_export_global_get gives them). */
static wasm_instance *inst_xconst(const char *text, wasm_module **mp)
{
	size_t n;
	uint8_t *b = wat_assemble_flags(tmpdir, "--enable-extended-const", text, &n);
	wasm_instance *i = NULL;

	*mp = NULL;
	if (!b)
		return NULL;
	memset(&err, 0, sizeof err);
	if (wasm_module_load(b, n, mp, &err))
		print_err("load");
	free(b);
	if (*mp && wasm_instance_new(*mp, NULL, 0, &i, &err, &trap))
		print_err("instantiate");
	return i;
}

static uint64_t export_global(wasm_instance *i, const char *name)
{
	uint8_t t;
	uint64_t v = 0xdeadbeefdeadbeefull;

	CHECK_MSG(wasm_export_global_get(i, name, &t, &v) == 0, "no global %s", name);
	return v;
}

TEST(extended_const_i32_mul_wraps)
{
	wasm_module *m;
	uint64_t r[1];
	wasm_instance *i = inst_xconst("(module (memory 2)"
		" (global (export \"mul\") i32 (i32.mul (i32.const 0x12345678) (i32.const 16)))"
		" (global (export \"mul0\") i32 (i32.mul (i32.const 0x10000) (i32.const 0x10000)))"
		" (global (export \"neg\") i32 (i32.mul (i32.const 0x7fffffff) (i32.const 2)))"
		" (global (export \"sub\") i32 (i32.sub (i32.const 0) (i32.const 1)))"
		" (global (export \"add\") i32 (i32.add (i32.const 0x7fffffff) (i32.const 1)))"
		" (global (export \"mul64\") i64 (i64.mul (i64.const 0x123456789abcdef1) (i64.const 0x100)))"
		" (global (export \"sub64\") i64 (i64.sub (i64.const 0x8000000000000000) (i64.const 1)))"
		" (global (export \"add64\") i64 (i64.add (i64.const -1) (i64.const 2)))"
		" (global (export \"nest\") i32 (i32.add (i32.sub (i32.mul (i32.const 20) (i32.const 2))"
		"   (i32.const 2)) (i32.const 4)))"
		/* compiled code reads the whole slot: its upper half must be 0 */
		" (func (export \"mul_u\") (result i64) (i64.extend_i32_u (global.get 0)))"
		" (func (export \"sub_u\") (result i64) (i64.extend_i32_u (global.get 3)))"
		/* 0x10001 * 0x10000 = 0x1_0001_0000 wraps to 0x10000: in bounds */
		" (data (i32.mul (i32.const 0x10001) (i32.const 0x10000)) \"x\"))", &m);

	if (!i) {
		CHECK(0);
		wasm_module_free(m);
		return;
	}
	CHECK_EQ_U64(export_global(i, "mul"), 0x23456780);
	CHECK_EQ_U64(export_global(i, "mul0"), 0);
	CHECK_EQ_U64(export_global(i, "neg"), 0xfffffffe);
	CHECK_EQ_U64(export_global(i, "sub"), 0xffffffff);
	CHECK_EQ_U64(export_global(i, "add"), 0x80000000);
	CHECK_EQ_U64(export_global(i, "mul64"), 0x3456789abcdef100ull);
	CHECK_EQ_U64(export_global(i, "sub64"), 0x7fffffffffffffffull);
	CHECK_EQ_U64(export_global(i, "add64"), 1);
	CHECK_EQ_U64(export_global(i, "nest"), 42);
	CHECK(call(i, "mul_u", NULL, 0, r, 1) == 0);
	CHECK_EQ_U64(r[0], 0x23456780);
	CHECK(call(i, "sub_u", NULL, 0, r, 1) == 0);
	CHECK_EQ_U64(r[0], 0xffffffff);
	CHECK(wasm_memory_base(i)[0x10000] == 'x');
	done(m, i);
}

/* A long expression (10,000 additions, stack depth 2) evaluates in constant
 * space; the deepest allowed one (WASM_CONSTEXPR_MAX_DEPTH values, then
 * as many additions less one) evaluates too. */
TEST(extended_const_long_and_deepest)
{
	enum { N = 10000, D = WASM_CONSTEXPR_MAX_DEPTH };
	size_t cap = 64 + N * 32 + D * 32, n = 0;
	char *text = malloc(cap);
	wasm_module *m;
	wasm_instance *i;

	REQUIRE(text);
	n += (size_t)snprintf(text + n, cap - n,
			      "(module (global (export \"long\") i32 i32.const 1");
	for (int k = 0; k < N; k++)
		n += (size_t)snprintf(text + n, cap - n, " i32.const 3 i32.add");
	n += (size_t)snprintf(text + n, cap - n, ") (global (export \"deep\") i64");
	for (int k = 0; k < D; k++)
		n += (size_t)snprintf(text + n, cap - n, " i64.const %d", k + 1);
	for (int k = 1; k < D; k++)
		n += (size_t)snprintf(text + n, cap - n, " i64.add");
	snprintf(text + n, cap - n, "))");
	i = inst_xconst(text, &m);
	free(text);
	if (!i) {
		CHECK(0);
		wasm_module_free(m);
		return;
	}
	CHECK_EQ_U64(export_global(i, "long"), 1 + 3 * N);
	CHECK_EQ_U64(export_global(i, "deep"), (uint64_t)D * (D + 1) / 2);
	done(m, i);
}

/* Many instances, one after another and side by side: reservations and the
 * context registry are released and reused. */
TEST(many_instances)
{
	wasm_module *m = load_wat("(module (memory 1)"
				  " (func (export \"st\") (param i32) (i32.store (local.get 0) (i32.const 1))))");
	wasm_instance *live[8] = { 0 };
	uint64_t a[1];

	if (!m) {
		CHECK(0);
		return;
	}
	for (int n = 0; n < 300; n++) {
		wasm_instance **slot = &live[n % 8];

		wasm_instance_free(*slot);
		*slot = NULL;
		CHECK(wasm_instance_new(m, NULL, 0, slot, &err, &trap) == 0);
		if (!*slot)
			break;
		a[0] = 70000;
		CHECK(call(*slot, "st", a, 1, NULL, 0) == 1 && trap.code == WASM_TRAP_MEMORY_OOB);
	}
	for (int k = 0; k < 8; k++)
		wasm_instance_free(live[k]);
	wasm_module_free(m);
}

TEST(trap_messages)
{
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_UNREACHABLE), "unreachable"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_MEMORY_OOB), "out of bounds memory access"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_DIV_BY_ZERO), "integer divide by zero"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_INT_OVERFLOW), "integer overflow"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_INVALID_CONVERSION), "invalid conversion to integer"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_UNDEFINED_ELEMENT), "undefined element"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_UNINITIALIZED_ELEMENT), "uninitialized element"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_INDIRECT_CALL_TYPE), "indirect call type mismatch"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_TABLE_OOB), "out of bounds table access"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_NULL_REFERENCE), "null reference"));
	CHECK(!strcmp(wasm_trap_message(WASM_TRAP_STACK_EXHAUSTED), "call stack exhausted"));
	CHECK(!strcmp(wasm_trap_message((enum wasm_trap_code)99), "unknown trap"));
	struct wasm_trap t = { .code = WASM_TRAP_EXIT, .exit_code = 3 };
	char buf[128];
	wasm_trap_format(&t, buf, sizeof buf);
	CHECK(!strcmp(buf, "wasm exit: status 3\n"));
	t = (struct wasm_trap){ .code = WASM_TRAP_DIV_BY_ZERO, .nframes = 1,
				.frames = { { 7, 0x2a, NULL } } };
	wasm_trap_format(&t, buf, sizeof buf);
	CHECK(!strcmp(buf, "wasm trap: integer divide by zero\n  #0 func[7] ? at wasm offset 0x2a\n"));
}

/* Regression (issue 8): a valid module whose memory or tables cannot be
 * allocated was reported as an invalid module; it is a resource failure
 * (the CLI says "failed to instantiate"), an unknown import a link error. */
TEST(resource_failures_are_not_invalid_module)
{
	wasm_module *m;
	wasm_instance *i;

	plat_host_fail_commit_after(0);
	CHECK_EQ_U64(inst_wat("(module (memory 2))", NULL, 0, &m, &i), (uint64_t)-1);
	plat_host_fail_commit_after(-1);
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	CHECK(err.msg && !strcmp(err.msg, "out of memory"));
	CHECK(!strcmp(err.detail, "cannot allocate the linear memory: 2 pages, 0 MiB"));
	done(m, i);
	CHECK_EQ_U64(inst_wat("(module (table 10000001 funcref))", NULL, 0, &m, &i),
		     (uint64_t)-1);
	CHECK_EQ_U64(err.kind, WASM_ERR_RESOURCE);
	CHECK(err.msg && !strcmp(err.msg, "table too large"));
	done(m, i);
	CHECK_EQ_U64(inst_wat("(module (import \"env\" \"memory\" (memory 1)))", NULL, 0,
			      &m, &i), (uint64_t)-1);
	CHECK_EQ_U64(err.kind, WASM_ERR_LINK);
	CHECK(err.msg && !strcmp(err.msg, "unknown import"));
	CHECK(!strcmp(err.detail, "env::memory"));
	done(m, i);
	/* and a module that does not decode is invalid */
	memset(&err, 0, sizeof err);
	err.kind = WASM_ERR_RESOURCE;
	CHECK(wasm_module_load((const uint8_t *)"\0asm\1\0\0\0\1\5", 10, &m, &err) == -1);
	CHECK_EQ_U64(err.kind, WASM_ERR_INVALID);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-test-instance-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(trap_messages);
	RUN(call_exports);
	RUN(host_calls);
	RUN(link_errors);
	RUN(traps);
	RUN(trap_in_backward_memory_copy_clears_direction_flag);
	RUN(memory_grow);
	RUN(instantiation_order);
	RUN(extended_const_i32_mul_wraps);
	RUN(extended_const_long_and_deepest);
	RUN(many_instances);
	RUN(resource_failures_are_not_invalid_module);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
