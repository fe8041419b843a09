/*
 * test_abi_v1.c — wasm ABI v1 (docs/abi.md, jit.h) as the single-pass JIT,
 * its import stubs, call_indirect / jit_rt.call_ref and jit_enter
 * implement it, end to end on the hosted platform.
 *
 *   - many parameters of mixed classes, beyond the five integer and eight
 *     xmm argument registers (stack arguments), called from C (wasm_call
 *     -> jit_enter), from compiled code directly, through call_indirect of
 *     the same instance, of another instance (call_ref) and to a host
 *     function (the import stub);
 *   - multiple results in registers (rax, rdx / xmm0, xmm1) and through
 *     the result area (three of one class), on all those paths;
 *   - pinned locals kept in callee-saved registers across calls to
 *     compiled code and imports, and those saved around calls;
 *   - i32 parameters whose upper 32 bits are garbage (v1 leaves them
 *     undefined) used as addresses, as a table index and widened: the
 *     callee must zero-extend them (the memory sandbox), in registers and
 *     on the stack, and an f32 with garbage above it in its xmm register.
 *
 * Modules are written in the text format (generated here where the
 * signatures are long) and assembled with wabt's wat2wasm at test time.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "wasm.h"
#include "jit.h"
#include "plat.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];

/* Assemble WAT text into a loaded module (NULL and a message on failure). */
static wasm_module *load_wat(const char *text)
{
	struct wasm_error err = { 0 };
	wasm_module *m = NULL;
	size_t n = 0;
	uint8_t *b = wat_assemble(tmpdir, text, &n);

	if (b && wasm_module_load(b, n, &m, &err))
		fprintf(stderr, "load: %s\n", err.msg ? err.msg : "?");
	free(b);
	return m;
}

/* ---- a growing text buffer ------------------------------------------------- */

struct txt { char b[65536]; size_t n; };

static void add(struct txt *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int k = vsnprintf(t->b + t->n, sizeof t->b - t->n, fmt, ap);
	va_end(ap);
	if (k > 0 && t->n + (size_t)k < sizeof t->b)
		t->n += (size_t)k;
}

/* ---- the signatures ---------------------------------------------------------- */

/* 24 params: 10 integer class (5 in registers after ctx, 5 on the stack)
 * and 14 float class (8 in xmm0-7, 6 on the stack), interleaved */
static const char many_sig[] = "iIfFiIFfiIFFFFFFiFIffFIi";
/* results: in registers (2 + 2), and through the area (3 integer; 3 float) */
static const char mv_regs[] = "iIFf";
static const char mv_area[] = "iIiFfF";
static const char mv_areaf[] = "FFF";

static const char *wt(char c)
{
	switch (c) {
	case 'i': return "i32";
	case 'I': return "i64";
	case 'f': return "f32";
	default:  return "f64";
	}
}

static void sig(struct txt *t, const char *kw, const char *s)
{
	if (!*s)
		return;
	add(t, " (%s", kw);
	for (; *s; s++)
		add(t, " %s", wt(*s));
	add(t, ")");
}

/* wasm: the i64 value of (local.get k) of type c, truncated toward zero */
static void to_i64(struct txt *t, char c, const char *get)
{
	switch (c) {
	case 'i': add(t, " (i64.extend_i32_u %s)", get); break;
	case 'I': add(t, " %s", get); break;
	case 'f': add(t, " (i64.trunc_f32_s %s)", get); break;
	default:  add(t, " (i64.trunc_f64_s %s)", get); break;
	}
}

/* wasm: a value of type c from i32 local 0 plus k (floats + 0.25) */
static void arg_of(struct txt *t, char c, int k)
{
	switch (c) {
	case 'i': add(t, " (i32.add (local.get 0) (i32.const %d))", k); break;
	case 'I': add(t, " (i64.add (i64.extend_i32_u (local.get 0)) (i64.const %d))", k); break;
	case 'f': add(t, " (f32.add (f32.convert_i32_u (i32.add (local.get 0) (i32.const %d)))"
		      " (f32.const 0.25))", k); break;
	default:  add(t, " (f64.add (f64.convert_i32_u (i32.add (local.get 0) (i32.const %d)))"
		      " (f64.const 0.25))", k); break;
	}
}

/* The expected checksum of many(x + 0, x + 1, ...): sum (k+1) * (x+k). */
static uint64_t many_sum(uint32_t x)
{
	uint64_t s = 0;

	for (int k = 0; many_sig[k]; k++)
		s += (uint64_t)(k + 1) * (uint64_t)(x + (uint32_t)k);
	return s;
}

/* The checksum a caller makes of results rs (each the i64 value of result
 * j = x + j + 1, floats + 0.5): sum (j+1) * value */
static uint64_t mv_sum(const char *rs, uint32_t x)
{
	uint64_t s = 0;

	for (int j = 0; rs[j]; j++)
		s += (uint64_t)(j + 1) * (uint64_t)(x + (uint32_t)j + 1);
	return s;
}

/* func $name (param i32) (result rs): result j = x + j + 1 (+ 0.5) */
static void mv_func(struct txt *t, const char *name, const char *rs)
{
	add(t, " (func $%s (export \"%s\") (param i32)", name, name);
	sig(t, "result", rs);
	for (int j = 0; rs[j]; j++) {
		switch (rs[j]) {
		case 'i': add(t, " (i32.add (local.get 0) (i32.const %d))", j + 1); break;
		case 'I': add(t, " (i64.add (i64.extend_i32_u (local.get 0)) (i64.const %d))", j + 1); break;
		case 'f': add(t, " (f32.add (f32.convert_i32_u (i32.add (local.get 0) (i32.const %d)))"
			      " (f32.const 0.5))", j + 1); break;
		default:  add(t, " (f64.add (f64.convert_i32_u (i32.add (local.get 0) (i32.const %d)))"
			      " (f64.const 0.5))", j + 1); break;
		}
	}
	add(t, ")\n");
}

/* func $use_<name>_<how> (param i32) (result i64): calls <callee> with x
 * (how: "call $f" / "call_indirect (type $t) (i32.const slot)"), keeps
 * the results in locals 1.., returns their checksum */
static void mv_user(struct txt *t, const char *export, const char *rs, const char *call)
{
	add(t, " (func (export \"%s\") (param i32) (result i64)", export);
	for (int j = 0; rs[j]; j++)
		add(t, " (local %s)", wt(rs[j]));
	add(t, " (local.get 0) (%s)", call);
	for (int j = (int)strlen(rs); j-- > 0;)
		add(t, " (local.set %d)", j + 1);
	add(t, " (i64.const 0)");
	for (int j = 0; rs[j]; j++) {
		char g[32];
		snprintf(g, sizeof g, "(local.get %d)", j + 1);
		add(t, " (i64.add (i64.mul (i64.const %d)", j + 1);
		to_i64(t, rs[j], g);
		add(t, "))");
	}
	add(t, ")\n");
}

/* func (export name) (param i32) (result i64): call with many args of x */
static void many_user(struct txt *t, const char *export, const char *call_head,
		      const char *call_tail)
{
	add(t, " (func (export \"%s\") (param i32) (result i64) (%s", export, call_head);
	for (int k = 0; many_sig[k]; k++)
		arg_of(t, many_sig[k], k);
	add(t, "%s))\n", call_tail);
}

static void make_module(struct txt *t)
{
	t->n = 0;
	add(t, "(module\n");
	add(t, " (type $many_t (func");
	sig(t, "param", many_sig);
	add(t, " (result i64)))\n");
	add(t, " (type $regs_t (func (param i32)");
	sig(t, "result", mv_regs);
	add(t, "))\n (type $area_t (func (param i32)");
	sig(t, "result", mv_area);
	add(t, "))\n (type $areaf_t (func (param i32)");
	sig(t, "result", mv_areaf);
	add(t, "))\n (type $ret7_t (func (result i32)))\n");
	add(t, " (import \"env\" \"many\" (func $h_many (type $many_t)))\n");
	add(t, " (import \"env\" \"regs\" (func $h_regs (type $regs_t)))\n");
	add(t, " (import \"env\" \"area\" (func $h_area (type $area_t)))\n");
	add(t, " (import \"env\" \"areaf\" (func $h_areaf (type $areaf_t)))\n");
	add(t, " (memory (export \"memory\") 1)\n");
	add(t, " (table $tab 8 funcref)\n");
	add(t, " (elem (i32.const 0) $many $regs $area $areaf $ret7)\n");
	/* the callee with many params: sum (k+1) * i64(p_k) */
	add(t, " (func $many (export \"many\") (type $many_t) (i64.const 0)");
	for (int k = 0; many_sig[k]; k++) {
		char g[32];
		snprintf(g, sizeof g, "(local.get %d)", k);
		add(t, " (i64.add (i64.mul (i64.const %d)", k + 1);
		to_i64(t, many_sig[k], g);
		add(t, "))");
	}
	add(t, ")\n");
	mv_func(t, "regs", mv_regs);
	mv_func(t, "area", mv_area);
	mv_func(t, "areaf", mv_areaf);
	add(t, " (func $ret7 (result i32) (i32.const 7))\n");
	/* callers of many: direct, call_indirect, import */
	many_user(t, "call_many", "call $many", "");
	many_user(t, "ind_many", "call_indirect (type $many_t)", " (i32.const 0)");
	many_user(t, "imp_many", "call $h_many", "");
	/* callers of the multi-result functions */
	static const struct { const char *name, *rs, *fn, *type; int slot; } mv[] = {
		{ "regs", mv_regs, "$regs", "$regs_t", 1 },
		{ "area", mv_area, "$area", "$area_t", 2 },
		{ "areaf", mv_areaf, "$areaf", "$areaf_t", 3 },
	};
	static const char *const himp[] = { "$h_regs", "$h_area", "$h_areaf" };
	for (int i = 0; i < 3; i++) {
		char e[64], c[96];
		snprintf(e, sizeof e, "use_%s_call", mv[i].name);
		snprintf(c, sizeof c, "call %s", mv[i].fn);
		mv_user(t, e, mv[i].rs, c);
		snprintf(e, sizeof e, "use_%s_ind", mv[i].name);
		snprintf(c, sizeof c, "call_indirect (type %s) (i32.const %d)", mv[i].type, mv[i].slot);
		mv_user(t, e, mv[i].rs, c);
		snprintf(e, sizeof e, "use_%s_imp", mv[i].name);
		snprintf(c, sizeof c, "call %s", himp[i]);
		mv_user(t, e, mv[i].rs, c);
		/* through a funcref of another instance, put in table slot 6 */
		snprintf(e, sizeof e, "use_%s_ref", mv[i].name);
		snprintf(c, sizeof c, "call_indirect (type %s) (i32.const 6)", mv[i].type);
		mv_user(t, e, mv[i].rs, c);
	}
	many_user(t, "ref_many", "call_indirect (type $many_t)", " (i32.const 6)");
	/* table slot 6 <- a funcref (from another instance) */
	add(t, " (func (export \"set6\") (param funcref) (table.set $tab (i32.const 6) (local.get 0)))\n");
	add(t, " (func (export \"get\") (param i32) (result funcref) (table.get $tab (local.get 0)))\n");
	/* i32 parameters used as addresses, an index, widened */
	add(t, " (func (export \"load_reg\") (param i32) (result i32) (i32.load (local.get 0)))\n");
	add(t, " (func (export \"load_stack\") (param i64 i64 i64 i64 i64 i32) (result i32)"
	       " (i32.load (local.get 5)))\n");
	add(t, " (func (export \"load_loop\") (param i32 i32) (result i32) (local i32)"
	       " (block (loop (br_if 1 (i32.eqz (local.get 1)))"
	       " (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))"
	       " (local.set 1 (i32.sub (local.get 1) (i32.const 1))) (br 0)))"
	       " (local.get 2))\n");
	add(t, " (func (export \"ext\") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))\n");
	add(t, " (func (export \"f32bits\") (param f32) (result i64)"
	       " (i64.extend_i32_u (i32.reinterpret_f32 (local.get 0))))\n");
	add(t, " (func (export \"index\") (param i32) (result i32)"
	       " (call_indirect (type $ret7_t) (local.get 0)))\n");
	/* pinned locals across calls: the caller's loop locals live in rbx,
	   r12, r13 (kept by every v1 callee) and xmm8.. (saved around the
	   call); the callees pin and change the same registers */
	add(t, " (func $clob (param i32) (result i32) (local i32 i32 i32 f64)"
	       " (local.set 1 (local.get 0)) (local.set 3 (i32.const 5))"
	       " (loop (local.set 2 (i32.add (local.get 2) (i32.mul (local.get 1) (local.get 3))))"
	       "  (local.set 4 (f64.add (local.get 4) (f64.const 1.5)))"
	       "  (local.set 3 (i32.sub (local.get 3) (i32.const 1))) (br_if 0 (local.get 3)))"
	       " (i32.add (local.get 2) (i32.trunc_f64_u (local.get 4))))\n");
	add(t, " (func (export \"pins\") (param i32) (result i64) (local i32 i64 i32 f64)"
	       " (loop (local.set 2 (i64.add (local.get 2) (i64.extend_i32_u (call $clob (local.get 1)))))"
	       "  (local.set 3 (i32.xor (local.get 3) (i32.wrap_i64 (local.get 2))))"
	       "  (local.set 4 (f64.add (local.get 4) (f64.const 0.5)))"
	       "  (call $h_regs (local.get 1)) drop drop drop drop"
	       "  (local.set 1 (i32.add (local.get 1) (i32.const 1)))"
	       "  (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))"
	       " (i64.add (i64.add (local.get 2) (i64.extend_i32_u (local.get 3)))"
	       "  (i64.trunc_f64_u (local.get 4))))\n");
	/* a trap three calls deep: entered through the v1 entry thunk, then
	   a direct call and a call_indirect into bodies (slot 7) */
	add(t, " (func $bt_mid (param i32) (result i32)"
	       " (call_indirect (type $ret7_t) (local.get 0)))\n");
	add(t, " (func $bt (export \"bt\") (param i32) (result i32) (call $bt_mid (local.get 0)))\n");
	add(t, " (elem (i32.const 7) $bt_unreach)\n");
	add(t, " (func $bt_unreach (result i32) (unreachable))\n");
	add(t, ")\n");
}

/* the C model of "pins" */
static uint64_t pins_model(uint32_t n)
{
	uint64_t s = 0;
	uint32_t x = 0, i = 0;
	double d = 0;

	do {
		s += 15u * i + 7;               /* $clob(i) = 15 i + trunc(5 * 1.5) */
		x ^= (uint32_t)s;
		d += 0.5;
		i++;
	} while (i < n);
	return s + x + (uint64_t)d;
}

/* ---- host functions ------------------------------------------------------------ */

static int host_calls;

static uint64_t as_i64(char c, uint64_t bits)
{
	float f;
	double d;

	switch (c) {
	case 'i': return (uint32_t)bits;
	case 'I': return bits;
	case 'f': { uint32_t b = (uint32_t)bits; memcpy(&f, &b, 4); return (uint64_t)(int64_t)f; }
	default:  memcpy(&d, &bits, 8); return (uint64_t)(int64_t)d;
	}
}

static enum wasm_trap_code h_many(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	uint64_t s = 0;

	host_calls++;
	for (int k = 0; many_sig[k]; k++)
		s += (uint64_t)(k + 1) * as_i64(many_sig[k], args[k]);
	res[0] = s;
	return WASM_TRAP_NONE;
}

static void mv_host(const char *rs, uint32_t x, uint64_t *res)
{
	for (int j = 0; rs[j]; j++) {
		uint32_t v = x + (uint32_t)j + 1;
		if (rs[j] == 'f') {
			float f = (float)v + 0.5f;
			uint32_t b;
			memcpy(&b, &f, 4);
			res[j] = b;
		} else if (rs[j] == 'F') {
			double d = (double)v + 0.5;
			memcpy(&res[j], &d, 8);
		} else {
			res[j] = v;
		}
	}
}

static enum wasm_trap_code h_regs(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	host_calls++;
	mv_host(mv_regs, (uint32_t)args[0], res);
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code h_area(wasm_instance *inst, void *env, const uint64_t *args,
				  uint64_t *res)
{
	host_calls++;
	mv_host(mv_area, (uint32_t)args[0], res);
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code h_areaf(wasm_instance *inst, void *env, const uint64_t *args,
				   uint64_t *res)
{
	host_calls++;
	mv_host(mv_areaf, (uint32_t)args[0], res);
	return WASM_TRAP_NONE;
}

static const struct wasm_host_func imports[] = {
	{ "env", "many", many_sig, "I", h_many, NULL },
	{ "env", "regs", "i", mv_regs, h_regs, NULL },
	{ "env", "area", "i", mv_area, h_area, NULL },
	{ "env", "areaf", "i", mv_areaf, h_areaf, NULL },
};

/* ---- the tests ------------------------------------------------------------------- */

static wasm_module *mod;
static wasm_instance *ia, *ib;        /* two instances of the module */

static uint64_t call1(wasm_instance *i, const char *name, uint64_t a, int *rc)
{
	uint64_t r = 0;
	struct wasm_trap trap;
	struct wasm_error err;

	*rc = wasm_call(i, name, &a, 1, &r, 1, &trap, &err);
	return r;
}

TEST(setup)
{
	static struct txt t;
	struct wasm_error err;
	struct wasm_trap trap;

	make_module(&t);
	mod = load_wat(t.b);
	REQUIRE(mod);
	CHECK(wasm_instance_new(mod, imports, 4, &ia, &err, &trap) == 0);
	CHECK(wasm_instance_new(mod, imports, 4, &ib, &err, &trap) == 0);
	CHECK_EQ_U64(JIT_ABI_VERSION, 1);
}

/* from C through jit_enter: the arguments to their registers and stack
 * slots */
TEST(many_params_from_c)
{
	uint64_t a[sizeof many_sig], r = 0;
	struct wasm_trap trap;
	struct wasm_error err;

	REQUIRE(ia);
	for (uint32_t x = 0; x < 3; x++) {
		uint32_t base = 1000 * x + 3;
		for (int k = 0; many_sig[k]; k++) {
			uint32_t v = base + (uint32_t)k;
			float f = (float)v + 0.25f;
			double d = (double)v + 0.25;
			uint32_t fb;
			memcpy(&fb, &f, 4);
			switch (many_sig[k]) {
			case 'i': case 'I': a[k] = v; break;
			case 'f': a[k] = fb; break;
			default: memcpy(&a[k], &d, 8); break;
			}
		}
		CHECK(wasm_call(ia, "many", a, strlen(many_sig), &r, 1, &trap, &err) == 0);
		CHECK_EQ_U64(r, many_sum(base));
	}
}

/* compiled code calling compiled code, an import, and through tables */
TEST(many_params_between_wasm)
{
	static const char *const users[] = { "call_many", "ind_many", "imp_many" };
	int rc;

	REQUIRE(ia);
	for (size_t u = 0; u < 3; u++) {
		int before = host_calls;
		for (uint32_t x = 0; x < 3; x++) {
			uint32_t base = 77 * x + (uint32_t)u;
			CHECK_EQ_U64(call1(ia, users[u], base, &rc), many_sum(base));
			CHECK(rc == 0);
		}
		CHECK(u != 2 || host_calls == before + 3);
	}
}

TEST(multi_results_from_c)
{
	static const char *const fns[] = { "regs", "area", "areaf" };
	static const char *const rss[] = { mv_regs, mv_area, mv_areaf };
	uint64_t r[8], want[8], a = 40;
	struct wasm_trap trap;
	struct wasm_error err;

	REQUIRE(ia);
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(rss[i]);
		memset(r, 0xa5, sizeof r);
		CHECK(wasm_call(ia, fns[i], &a, 1, r, n, &trap, &err) == 0);
		mv_host(rss[i], 40, want);
		for (size_t j = 0; j < n; j++)
			CHECK_MSG(r[j] == want[j], "%s result %zu: %llx, expected %llx", fns[i],
				  j, (unsigned long long)r[j], (unsigned long long)want[j]);
	}
}

TEST(multi_results_between_wasm)
{
	static const char *const names[] = { "regs", "area", "areaf" };
	static const char *const rss[] = { mv_regs, mv_area, mv_areaf };
	static const char *const hows[] = { "call", "ind", "imp" };
	char e[64];
	int rc;

	REQUIRE(ia);
	for (int i = 0; i < 3; i++)
		for (int h = 0; h < 3; h++) {
			snprintf(e, sizeof e, "use_%s_%s", names[i], hows[h]);
			for (uint32_t x = 0; x < 300; x += 100) {
				uint64_t got = call1(ia, e, x, &rc);
				CHECK_MSG(rc == 0 && got == mv_sum(rss[i], x),
					  "%s(%u) = %llu (rc %d), expected %llu", e, x,
					  (unsigned long long)got, rc,
					  (unsigned long long)mv_sum(rss[i], x));
			}
		}
}

/* funcrefs of the other instance: call_indirect goes through call_ref,
 * which reads the arguments from the slots and fills the result area */
TEST(calls_across_instances)
{
	static const struct { const char *user; int slot; const char *rs; } c[] = {
		{ "ref_many", 0, NULL },
		{ "use_regs_ref", 1, mv_regs },
		{ "use_area_ref", 2, mv_area },
		{ "use_areaf_ref", 3, mv_areaf },
	};
	struct wasm_trap trap;
	struct wasm_error err;
	int rc;

	REQUIRE(ia && ib);
	for (int i = 0; i < 4; i++) {
		uint64_t slot = (uint64_t)c[i].slot, fr = 0;
		CHECK(wasm_call(ia, "get", &slot, 1, &fr, 1, &trap, &err) == 0);
		CHECK(fr != 0);
		CHECK(wasm_call(ib, "set6", &fr, 1, NULL, 0, &trap, &err) == 0);
		for (uint32_t x = 1; x < 40; x += 19) {
			uint64_t want = c[i].rs ? mv_sum(c[i].rs, x) : many_sum(x);
			uint64_t got = call1(ib, c[i].user, x, &rc);
			CHECK_MSG(rc == 0 && got == want, "%s(%u) = %llu (rc %d), expected %llu",
				  c[i].user, x, (unsigned long long)got, rc,
				  (unsigned long long)want);
		}
	}
}

TEST(pinned_locals_across_calls)
{
	int rc;

	REQUIRE(ia);
	for (uint32_t n = 1; n < 200; n += 66) {
		uint64_t got = call1(ia, "pins", n, &rc);
		CHECK_MSG(rc == 0 && got == pins_model(n), "pins(%u) = %llu, expected %llu", n,
			  (unsigned long long)got, (unsigned long long)pins_model(n));
	}
}

/* A backtrace names each Wasm frame once: the entry thunk's frame (jit.h)
 * is not a call site. */
TEST(backtrace_through_entry_thunk)
{
	uint64_t a = 7, r;
	struct wasm_trap trap;
	struct wasm_error err;

	REQUIRE(ia);
	memset(&trap, 0, sizeof trap);
	CHECK(wasm_call(ia, "bt", &a, 1, &r, 1, &trap, &err) == 1);
	CHECK_EQ_U64(trap.code, WASM_TRAP_UNREACHABLE);
	CHECK_EQ_U64(trap.nframes, 3);
	static const char *const want[] = { "bt_unreach", "bt_mid", "bt" };
	for (uint32_t i = 0; i < trap.nframes && i < 3; i++)
		CHECK_MSG(trap.frames[i].name && !strcmp(trap.frames[i].name, want[i]),
			  "frame %u: %s, expected %s", i,
			  trap.frames[i].name ? trap.frames[i].name : "(none)", want[i]);
}

/* A v1 caller that leaves garbage in the upper halves: jit_enter with the
 * registers and stack slots as given (wasm_call would canonicalise). */
static int call_raw(wasm_instance *inst, const char *name, struct jit_call *c)
{
	struct jit_ctx *ctx = (struct jit_ctx *)inst;     /* the instance's first member */
	const struct wasm_export *e = wasm_find_export(mod, WASM_EXTERN_FUNC, name, strlen(name));
	struct plat_stack_save saved;
	struct wasm_trap trap;
	void *top;
	int rc;

	if (!e)
		return -1;
	memset(&trap, 0, sizeof trap);
	top = (void *)(((uintptr_t)ctx->stack_base + ctx->stack_size) & ~(uintptr_t)15);
	c->gpr[0] = (uint64_t)(uintptr_t)ctx;
	ctx->trap_out = &trap;
	plat_stack_enter(&saved, ctx->stack_base, ctx->stack_size);
	rc = jit_enter(ctx, ctx->funcs[e->index], c, top);
	plat_stack_leave(&saved);
	ctx->trap_out = NULL;
	return rc;
}

TEST(i32_upper_half_is_ignored)
{
	struct jit_call c;
	uint64_t stk[4];
	uint8_t *mem;
	uint32_t v = 0x12345678;

	REQUIRE(ia);
	mem = wasm_memory_base(ia);
	REQUIRE(mem);
	memcpy(mem + 0x10, &v, 4);

	/* an address in a register */
	memset(&c, 0, sizeof c);
	c.gpr[1] = 0xdeadbeef00000010ull;
	CHECK(call_raw(ia, "load_reg", &c) == 0);
	CHECK_EQ_U64((uint32_t)c.ret[0], v);
	/* an address pinned for a loop */
	memset(&c, 0, sizeof c);
	c.gpr[1] = 0xffffffff00000010ull;
	c.gpr[2] = 0x8000000000000003ull;       /* the count: 3 */
	CHECK(call_raw(ia, "load_loop", &c) == 0);
	CHECK_EQ_U64((uint32_t)c.ret[0], (uint32_t)(3u * v));
	/* an address on the stack (the sixth integer parameter) */
	memset(&c, 0, sizeof c);
	stk[0] = 0x7fffffff00000010ull;
	c.stack = stk;
	c.nstack = 1;
	CHECK(call_raw(ia, "load_stack", &c) == 0);
	CHECK_EQ_U64((uint32_t)c.ret[0], v);
	/* widened: i64.extend_i32_u sees only the low half */
	memset(&c, 0, sizeof c);
	c.gpr[1] = 0xdeadbeef80000001ull;
	CHECK(call_raw(ia, "ext", &c) == 0);
	CHECK_EQ_U64(c.ret[0], 0x80000001ull);
	/* an f32 with garbage above it in xmm0 */
	memset(&c, 0, sizeof c);
	c.xmm[0] = 0xdeadbeef3fc00000ull;       /* 1.5f */
	CHECK(call_raw(ia, "f32bits", &c) == 0);
	CHECK_EQ_U64(c.ret[0], 0x3fc00000ull);
	/* a table index */
	memset(&c, 0, sizeof c);
	c.gpr[1] = 0xdeadbeef00000004ull;       /* slot 4: $ret7 */
	CHECK(call_raw(ia, "index", &c) == 0);
	CHECK_EQ_U64((uint32_t)c.ret[0], 7);
	/* and an index out of range still traps with the low half named */
	memset(&c, 0, sizeof c);
	c.gpr[1] = 0x0000000100000009ull;
	CHECK(call_raw(ia, "index", &c) == WASM_TRAP_UNDEFINED_ELEMENT);
}

/* ---- the trap paths without r14 (docs/abi.md "Traps") ---------------------- */

/* Machine code of the test's own: a v1 caller that is not the single-pass
 * JIT (r14 holds nothing of ours, as in LLVM code). */
static void *code_page(const uint8_t *bytes, size_t n)
{
	uint8_t *p = plat_code_alloc(4096);

	if (!p)
		return NULL;
	memcpy(p, bytes, n);
	if (plat_code_seal(p, 4096)) {
		plat_code_free(p, 4096);
		return NULL;
	}
	return p;
}

/* jit_enter fn in ia with the arguments of c (gpr[0] = ctx is set here) */
static int enter_raw(wasm_instance *inst, void *fn, struct jit_call *c,
		     struct wasm_trap *trap)
{
	struct jit_ctx *ctx = (struct jit_ctx *)inst;
	struct plat_stack_save saved;
	void *top = (void *)(((uintptr_t)ctx->stack_base + ctx->stack_size) & ~(uintptr_t)15);
	int rc;

	memset(trap, 0, sizeof *trap);
	c->gpr[0] = (uint64_t)(uintptr_t)ctx;
	ctx->trap_out = trap;
	plat_stack_enter(&saved, ctx->stack_base, ctx->stack_size);
	rc = jit_enter(ctx, fn, c, top);
	plat_stack_leave(&saved);
	ctx->trap_out = NULL;
	return rc;
}

/* A v1 function that traps through ctx->trap with rdi = ctx, esi = code |
 * JIT_TRAP_INDEX, edx = 42, and garbage in r14: the trap entry must take
 * the instance from rdi (it took r14 and crashed on the garbage). */
TEST(trap_entry_takes_ctx_from_rdi_not_r14)
{
	uint32_t code = WASM_TRAP_UNDEFINED_ELEMENT | JIT_TRAP_INDEX;
	uint8_t b[] = {
		0x55,                                   /* push rbp */
		0x48, 0x89, 0xe5,                       /* mov rbp, rsp */
		0x49, 0xbe, 0xef, 0xbe, 0xad, 0xde,     /* mov r14, 0xdeadbeefdeadbeef */
		0xef, 0xbe, 0xad, 0xde,
		0xbe, (uint8_t)code, (uint8_t)(code >> 8), 0, 0,    /* mov esi, code */
		0xba, 42, 0, 0, 0,                      /* mov edx, 42 */
		0xff, 0x57, CTX_TRAP,                   /* call [rdi + CTX_TRAP] */
		0xcc,                                   /* int3: it does not return */
	};
	struct jit_call c;
	struct wasm_trap trap;
	void *fn;
	int rc;

	REQUIRE(ia);
	REQUIRE(fn = code_page(b, sizeof b));
	memset(&c, 0, sizeof c);
	rc = enter_raw(ia, fn, &c, &trap);
	CHECK_EQ_U64(rc, WASM_TRAP_UNDEFINED_ELEMENT);
	CHECK_EQ_U64(trap.code, WASM_TRAP_UNDEFINED_ELEMENT);
	CHECK(trap.has_index);
	CHECK_EQ_U64(trap.index, 42);
	/* the instance runs on afterwards */
	CHECK_EQ_U64(call1(ia, "ext", 5, &rc), 5);
	CHECK_EQ_U64(rc, 0);
	plat_code_free(fn, 4096);
}

static const char fault_mod[] =
	"(module"
	" (import \"env\" \"inner_oob\" (func $inner_oob (result i32)))"
	" (memory 1)"
	" (func $oob_store (export \"oob_store\")"
	"   (i32.store offset=0x100 (i32.const -16) (i32.const 1)))"
	" (func (export \"outer_after_inner_fault\") (result i32)"
	"   (i32.add (call $inner_oob) (i32.const 1000)))"
	" (func (export \"outer_faults_after_inner\")"
	"   (drop (call $inner_oob)) (call $oob_store)))";

/* the host function: a guard-region fault in a nested entry, of the
 * instance *env (another one) or, without env, of the calling instance;
 * returns the trap code it saw */
static enum wasm_trap_code h_inner_oob(wasm_instance *inst, void *env,
				       const uint64_t *args, uint64_t *res)
{
	wasm_instance *target = env ? *(wasm_instance **)env : inst;
	struct wasm_trap t;
	struct wasm_error e;

	(void)args;
	res[0] = wasm_call(target, "oob_store", NULL, 0, NULL, 0, &t, &e) == 1 ? t.code : 0;
	return WASM_TRAP_NONE;
}

static wasm_module *fault_m;
static wasm_instance *fi, *fi2;         /* fi's host function enters fi2 */

static bool fault_setup(void)
{
	static const struct wasm_host_func self[] = {
		{ "env", "inner_oob", "", "i", h_inner_oob, NULL },
	};
	static const struct wasm_host_func other[] = {
		{ "env", "inner_oob", "", "i", h_inner_oob, &fi2 },
	};
	struct wasm_error err;
	struct wasm_trap trap;

	if (!fault_m && !(fault_m = load_wat(fault_mod)))
		return false;
	if (!fi2 && wasm_instance_new(fault_m, self, 1, &fi2, &err, &trap))
		return false;
	if (!fi && wasm_instance_new(fault_m, other, 1, &fi, &err, &trap))
		return false;
	return true;
}

/* A guard-region fault in single-pass code entered with r14 = a copy of
 * the context (a pointer the runtime does not know, as any value r14
 * holds in other backends' code): the fault handler finds the instance
 * from the innermost jit_enter (it trusted r14 and let the fault kill the
 * process). */
TEST(guard_fault_found_without_r14)
{
	static const uint8_t b[] = {
		0x55,                   /* push rbp */
		0x48, 0x89, 0xe5,       /* mov rbp, rsp */
		0x41, 0x56,             /* push r14 */
		0x41, 0x57,             /* push r15 */
		0x49, 0x89, 0xf6,       /* mov r14, rsi (the copy) */
		0x4c, 0x8b, 0x3f,       /* mov r15, [rdi + CTX_MEM_BASE] */
		0xff, 0xd2,             /* call rdx (the body) */
		0x41, 0x5f,             /* pop r15 */
		0x41, 0x5e,             /* pop r14 */
		0x5d,                   /* pop rbp */
		0xc3,                   /* ret */
	};
	_Static_assert(CTX_MEM_BASE == 0, "the stub reads [rdi]");
	struct jit_ctx *ctx, copy;
	const struct wasm_export *e;
	struct jit_call c;
	struct wasm_trap trap;
	void *fn;
	int rc;

	REQUIRE(fault_setup());
	ctx = (struct jit_ctx *)fi;
	e = wasm_find_export(fault_m, WASM_EXTERN_FUNC, "oob_store", 9);
	REQUIRE(e);
	REQUIRE(fn = code_page(b, sizeof b));
	copy = *ctx;
	CHECK(!jit_ctx_is_live((uintptr_t)&copy));
	memset(&c, 0, sizeof c);
	c.gpr[1] = (uint64_t)(uintptr_t)&copy;
	/* the body, past the v1 entry thunk (no stack parameters) */
	c.gpr[2] = (uint64_t)(uintptr_t)((uint8_t *)ctx->funcs[e->index] + JIT_ENTRY_THUNK);
	rc = enter_raw(fi, fn, &c, &trap);
	CHECK_EQ_U64(rc, WASM_TRAP_MEMORY_OOB);
	CHECK_EQ_U64(trap.code, WASM_TRAP_MEMORY_OOB);
	CHECK(trap.nframes >= 1);
	CHECK(trap.nframes >= 1 && trap.frames[0].name &&
	      !strcmp(trap.frames[0].name, "oob_store"));
	CHECK(*plat_current_ctx() == NULL);     /* the record is put back */
	plat_code_free(fn, 4096);
}

/* A fault in a nested jit_enter (a host function calling back into the
 * same instance, fi2, or into another one, fi -> fi2) unwinds to that
 * entry only: the outer call goes on, and a fault of the outer call
 * afterwards unwinds the outer entry (the record of the innermost entry
 * was put back: left at fi2, fi's fault would not be found). */
TEST(fault_in_nested_entry_unwinds_to_it)
{
	wasm_instance *outer[2];
	struct wasm_trap trap;
	struct wasm_error err;

	REQUIRE(fault_setup());
	outer[0] = fi2;
	outer[1] = fi;
	for (int k = 0; k < 2; k++) {
		uint64_t r = 0;

		CHECK(wasm_call(outer[k], "outer_after_inner_fault", NULL, 0, &r, 1, &trap,
				&err) == 0);
		CHECK_EQ_U64(r, 1000 + WASM_TRAP_MEMORY_OOB);
		memset(&trap, 0, sizeof trap);
		CHECK(wasm_call(outer[k], "outer_faults_after_inner", NULL, 0, NULL, 0, &trap,
				&err) == 1);
		CHECK_EQ_U64(trap.code, WASM_TRAP_MEMORY_OOB);
		CHECK(trap.nframes >= 2 && trap.frames[0].name &&
		      !strcmp(trap.frames[0].name, "oob_store"));
		CHECK(*plat_current_ctx() == NULL);
	}
}

/* Regression: jit_import_stubs (the LLVM backend's import stubs) of a
 * module without imports called memcpy from the assembler's NULL buffer
 * (undefined behaviour; UBSan stopped test_llvm_runtime under make
 * check-asan). */
TEST(import_stubs_of_module_without_imports)
{
	wasm_module *m = load_wat("(module (func (export \"f\") (result i32) (i32.const 7)))");
	struct wasm_error err;
	uint8_t *buf = NULL;
	size_t len = 1;
	uint32_t off = 0, end = 0;

	REQUIRE(m);
	CHECK(jit_import_stubs(m, &buf, &len, &off, &end, &err) == 0);
	CHECK(buf != NULL);
	CHECK_EQ_U64(len, 0);
	free(buf);
	wasm_module_free(m);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-abi-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(setup);
	RUN(many_params_from_c);
	RUN(many_params_between_wasm);
	RUN(multi_results_from_c);
	RUN(multi_results_between_wasm);
	RUN(calls_across_instances);
	RUN(pinned_locals_across_calls);
	RUN(backtrace_through_entry_thunk);
	RUN(i32_upper_half_is_ignored);
	RUN(trap_entry_takes_ctx_from_rdi_not_r14);
	RUN(guard_fault_found_without_r14);
	RUN(fault_in_nested_entry_unwinds_to_it);
	RUN(import_stubs_of_module_without_imports);
	if (fi)
		wasm_instance_free(fi);
	if (fi2)
		wasm_instance_free(fi2);
	if (fault_m)
		wasm_module_free(fault_m);
	if (ia)
		wasm_instance_free(ia);
	if (ib)
		wasm_instance_free(ib);
	if (mod)
		wasm_module_free(mod);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
