/*
 * test_compile.c — the code generator end to end (jit/compile/, x64/asm.h,
 * x64/entry.S, trap.c): modules go through wasm_module_load ->
 * wasm_instance_new -> wasm_call on the hosted platform.
 *
 * 1. Every numeric opcode (0x45..0xc4, 0xfc 0..7) in a one-function module
 *    built here, run over edge-case and pseudo-random operands, compared
 *    with a reference written from the spec's definitions (§4.3 numerics):
 *    trap codes included, floats bit-exact except NaN payloads.  Twice:
 *    with the optional instructions this CPU has (LZCNT, TZCNT, POPCNT,
 *    ROUNDSD), and with all of them forced off (jit_cpu_disable), so the
 *    fallbacks run too; clz/ctz also on constant operands, with a look at
 *    the code to see which instruction was used.
 * 2. A hand-written module (ctl_wasm, its WAT in the comment) for control
 *    flow, calls, call_indirect, host imports, memory, globals, and traps
 *    with their function index / byte offset / backtrace.
 * 3. Validation errors with message and offset; unreachable code
 *    validated but compiled to nothing (the same bytes with and without).
 * 4. Wasm 2.0: multi-value blocks/functions/calls (host and indirect too),
 *    reference types, tables (get/set/size/grow/fill/copy/init, elem.drop),
 *    memory.init/data.drop with the spec's bounds, funcrefs called across
 *    instances, and the validation messages of these.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "wasm.h"
#include "jit.h"
#include "plat_host.h"

/* ---- a tiny module builder ------------------------------------------------ */

struct mb {
	uint8_t b[4096];
	size_t n;
};

static void put(struct mb *m, uint8_t x)
{
	if (m->n < sizeof m->b)
		m->b[m->n++] = x;
}

static void uleb(struct mb *m, uint64_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		put(m, x | (v ? 0x80 : 0));
	} while (v);
}

static void putn(struct mb *m, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(m, p[i]);
}

static uint8_t vt(char c)
{
	return c == 'i' ? 0x7f : c == 'I' ? 0x7e : c == 'f' ? 0x7d : 0x7c;
}

static void section(struct mb *m, uint8_t id, const struct mb *s)
{
	put(m, id);
	uleb(m, s->n);
	putn(m, s->b, s->n);
}

/* One function "f" (params, results as letters i I f F), a memory of one
 * page, one immutable i32 global; body = code bytes (without the final end
 * when add_end). */
static const uint8_t *build_locals;     /* local declarations, NULL = none */
static size_t build_nlocals;

static void build(struct mb *out, const char *params, const char *results,
		  const uint8_t *code, size_t ncode, bool add_end)
{
	struct mb s;
	static const uint8_t hdr[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

	out->n = 0;
	putn(out, hdr, sizeof hdr);
	s.n = 0;                                /* type */
	put(&s, 1); put(&s, 0x60);
	uleb(&s, strlen(params));
	for (const char *p = params; *p; p++) put(&s, vt(*p));
	uleb(&s, strlen(results));
	for (const char *p = results; *p; p++) put(&s, vt(*p));
	section(out, 1, &s);
	s.n = 0; put(&s, 1); put(&s, 0);        /* function */
	section(out, 3, &s);
	s.n = 0; put(&s, 1); put(&s, 0); put(&s, 1);    /* memory min 1 */
	section(out, 5, &s);
	s.n = 0; put(&s, 1); put(&s, 0x7f); put(&s, 0); /* global i32 const 7 */
	put(&s, 0x41); put(&s, 7); put(&s, 0x0b);
	section(out, 6, &s);
	s.n = 0; put(&s, 1); put(&s, 1); put(&s, 'f'); put(&s, 0); put(&s, 0);
	section(out, 7, &s);                    /* export "f" */
	struct mb body = { .n = 0 };
	if (build_locals)
		putn(&body, build_locals, build_nlocals);
	else
		put(&body, 0);                  /* no locals */
	putn(&body, code, ncode);
	if (add_end)
		put(&body, 0x0b);
	s.n = 0; put(&s, 1); uleb(&s, body.n); putn(&s, body.b, body.n);
	section(out, 10, &s);
}

static wasm_instance *instantiate(const uint8_t *bytes, size_t n, wasm_module **mp,
				  const struct wasm_host_func *hf, size_t nhf)
{
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_instance *inst;
	char msg[256];

	if (wasm_module_load(bytes, n, mp, &err)) {
		wasm_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "load: %s\n", msg);
		return NULL;
	}
	if (wasm_instance_new(*mp, hf, nhf, &inst, &err, &trap)) {
		wasm_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "instantiate: %s\n", msg);
		wasm_module_free(*mp);
		return NULL;
	}
	return inst;
}

/* ---- reference semantics (spec §4.3): numref.h ---------------------------- */

#include "numref.h"

/* ---- operand sets ----------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#define NV 64
static uint64_t vals_i32[NV], vals_i64[NV], vals_f32[NV], vals_f64[NV];

static void make_values(void)
{
	static const uint32_t ei[] = { 0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 0x7fffffff, 0x80000000,
		0x80000001, 0xffffffff, 0xfffffffe, 0x12345678, 0xff, 0x80, 0x7f, 0xffff, 0x8000 };
	static const uint64_t el[] = { 0, 1, 2, 3, 7, 31, 32, 63, 64, 65, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0x8000000000000001ull, ~0ull, ~1ull, 0xffffffffull,
		0x80000000ull, 0x100000000ull, 0x123456789abcdef0ull, 0xff, 0x80, 0xffff8000ull };
	static const double ef[] = { 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.5, -2.5, 3.7, -3.7,
		0.49999999999999994, -0.9999, 4294967295.9, 2147483647.0, 2147483648.0,
		-2147483648.0, -2147483649.0, -2147483648.9, 4294967295.0, 4294967296.0,
		9223372036854775807.0, 9223372036854775808.0, -9223372036854775808.0,
		18446744073709551615.0, 18446744073709551616.0, 1e30, -1e30, INFINITY, -INFINITY,
		NAN, -NAN, 5e-324, 1.17549435e-38, 3.4028234663852886e38, 1.7976931348623157e308,
		4503599627370497.0, 8388609.0, 16777217.0, 0.1, 1e-10, -123456.789 };
	size_t i;

	for (i = 0; i < NV; i++) {
		uint64_t r = rnd();
		vals_i32[i] = i < sizeof ei / sizeof *ei ? ei[i] : (uint32_t)(r >> (r & 31));
		vals_i64[i] = i < sizeof el / sizeof *el ? el[i] : r >> (r & 63);
		if (i < sizeof ef / sizeof *ef) {
			vals_f64[i] = bf64(ef[i]);
			vals_f32[i] = bf32((float)ef[i]);
		} else {
			vals_f64[i] = i & 1 ? bf64((double)(int64_t)r / (double)(1ull << (r & 63))) : r;
			vals_f32[i] = i & 1 ? bf32((float)(int32_t)r / 65536.0f) : (uint32_t)r;
		}
	}
	vals_f32[31] = 0x7fa00000;      /* a signalling NaN */
	vals_f64[31] = 0x7ff4000000000000ull;
	vals_f32[17] = bf32(-2147483904.0f);    /* just below -2^31 in f32 */
}

static const uint64_t *values(char t)
{
	return t == 'i' ? vals_i32 : t == 'I' ? vals_i64 : t == 'f' ? vals_f32 : vals_f64;
}

/* ---- 1. numeric ops ----------------------------------------------------------------- */

static int run_op(const struct op *o, wasm_instance *inst, uint64_t a, uint64_t b)
{
	uint64_t args[2] = { a, b }, res[1] = { 0 }, want = 0;
	struct wasm_trap trap;
	struct wasm_error err;
	int rc = wasm_call(inst, "f", args, o->b ? 2 : 1, res, 1, &trap, &err);
	int wtrap = ref(o, a, b, &want);
	bool ok;

	if (wtrap)
		ok = rc == 1 && (int)trap.code == wtrap && trap.nframes >= 1 && trap.frames[0].func_index == 0;
	else if (rc != 0)
		ok = false;
	else
		ok = ref_same(o, want, res[0]);
	if (!ok) {
		fprintf(stderr, "%s(%#llx, %#llx): rc=%d trap=%d got %#llx, want %s %#llx\n",
			o->name, (unsigned long long)a, (unsigned long long)b, rc,
			rc == 1 ? trap.code : 0, (unsigned long long)res[0],
			wtrap ? "trap" : "", wtrap ? (unsigned long long)wtrap : (unsigned long long)want);
	}
	return ok ? 0 : 1;
}

static void numeric_ops_all(void)
{
	make_values();
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		const struct op *o = &ops[i];
		uint8_t code[8];
		size_t n = 0;
		struct mb mod;
		char params[3] = { o->a, o->b, 0 }, results[2] = { o->r, 0 };
		wasm_module *m;
		wasm_instance *inst;
		int bad = 0;

		code[n++] = 0x20; code[n++] = 0;
		if (o->b) { code[n++] = 0x20; code[n++] = 1; }
		if (o->fc) code[n++] = 0xfc;
		code[n++] = o->code;
		build(&mod, params, results, code, n, true);
		inst = instantiate(mod.b, mod.n, &m, NULL, 0);
		CHECK(inst != NULL);
		if (!inst)
			continue;
		const uint64_t *va = values(o->a), *vb = values(o->b ? o->b : 'i');
		for (size_t x = 0; x < NV; x++) {
			if (!o->b)
				bad += run_op(o, inst, va[x], 0);
			else
				for (size_t y = 0; y < NV; y++)
					bad += run_op(o, inst, va[x], vb[y]);
			if (bad > 5)
				break;
		}
		if (bad)
			fprintf(stderr, "numeric_ops: %s failed %d cases\n", o->name, bad);
		CHECK(bad == 0);
		wasm_instance_free(inst);
		wasm_module_free(m);
	}
}

static void print_cpu(const char *what)
{
	unsigned int c = jit_cpu_features();

	printf("# %s: lzcnt %d tzcnt %d popcnt %d sse4.1 %d\n", what, !!(c & JIT_CPU_LZCNT),
	       !!(c & JIT_CPU_BMI1), !!(c & JIT_CPU_POPCNT), !!(c & JIT_CPU_SSE41));
}

/* with what CPUID reports */
TEST(numeric_ops)
{
	jit_cpu_disable(0);
	print_cpu("numeric_ops");
	numeric_ops_all();
}

/* with LZCNT, TZCNT, POPCNT and SSE4.1 forced off: bsr/bsf, the runtime's
 * popcnt and rounding */
TEST(numeric_ops_fallbacks)
{
	jit_cpu_disable(JIT_CPU_ALL);
	CHECK(jit_cpu_features() == 0);
	numeric_ops_all();
	jit_cpu_disable(0);
}

/* signed LEB128 of v into p (at most 10 bytes); its length */
static size_t sleb(uint8_t *p, int64_t v)
{
	size_t n = 0;
	bool more = true;

	while (more) {
		uint8_t byte = v & 0x7f;
		v >>= 7;        /* arithmetic shift (gcc, clang) */
		more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
		p[n++] = byte | (more ? 0x80 : 0);
	}
	return n;
}

/* Does f's code hold `[F3] [REX] 0F op` (F3 present: lzcnt/tzcnt, absent:
 * bsr/bsf)?  1 if seen with F3, 2 if seen without, 3 both, 0 neither. */
static int find_bitscan(wasm_module *m, uint8_t op)
{
	const struct jit_code *c = m->code;
	uint32_t fi = m->nfuncs - 1;
	const uint8_t *p = c->base + c->func_offsets[fi];
	size_t n = c->func_ends[fi] - c->func_offsets[fi];
	int seen = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] != 0x0f || p[i + 1] != op)
			continue;
		size_t j = i;
		if (j > 0 && (p[j - 1] & 0xf0) == 0x40)
			j--;                    /* REX */
		seen |= j > 0 && p[j - 1] == 0xf3 ? 1 : 2;
	}
	return seen;
}

/* clz/ctz of constants and of a parameter, zero included, with the
 * instructions on and off; the code uses lzcnt/tzcnt exactly when on */
TEST(clz_ctz_forms)
{
	static const uint64_t ks[] = { 0, 1, 2, 0x80, 0x80000000ull, 0xffffffffull,
		0x100000000ull, 0x8000000000000000ull, ~0ull, 0x0001000000010000ull };
	const struct op *clzctz[4];
	unsigned int have;

	jit_cpu_disable(0);
	have = jit_cpu_features();

	for (size_t i = 0, n = 0; i < sizeof ops / sizeof *ops; i++)
		if (ops[i].code == 0x67 || ops[i].code == 0x68 || ops[i].code == 0x79 ||
		    ops[i].code == 0x7a)
			clzctz[n++] = &ops[i];
	for (int off = 0; off < 2; off++) {
		jit_cpu_disable(off ? JIT_CPU_LZCNT | JIT_CPU_BMI1 : 0);
		for (int t = 0; t < 4; t++) {
			const struct op *o = clzctz[t];
			bool w = o->a == 'I', is_clz = o->code == 0x67 || o->code == 0x79;
			bool fast = !off && (have & (is_clz ? JIT_CPU_LZCNT : JIT_CPU_BMI1));
			int want_seen = fast ? 1 : 2;

			for (size_t k = 0; k < sizeof ks / sizeof *ks; k++) {
				uint64_t v = w ? ks[k] : (uint32_t)ks[k], res[1] = { ~0ull }, want;
				uint8_t code[16];
				size_t n = 0;
				struct mb mod;
				wasm_module *m;
				wasm_instance *inst;
				struct wasm_trap trap;
				struct wasm_error err;

				code[n++] = w ? 0x42 : 0x41;    /* i64.const | i32.const v */
				n += sleb(code + n, w ? (int64_t)v : (int64_t)(int32_t)v);
				code[n++] = o->code;
				build(&mod, "", w ? "I" : "i", code, n, true);
				inst = instantiate(mod.b, mod.n, &m, NULL, 0);
				CHECK(inst != NULL);
				if (!inst)
					continue;
				CHECK(ref(o, v, 0, &want) == 0);
				CHECK(wasm_call(inst, "f", NULL, 0, res, 1, &trap, &err) == 0);
				if (res[0] != want)
					fprintf(stderr, "%s(const %#llx) %s: got %#llx, want %#llx\n",
						o->name, (unsigned long long)v, off ? "off" : "on",
						(unsigned long long)res[0], (unsigned long long)want);
				CHECK(res[0] == want);
				CHECK(find_bitscan(m, is_clz ? 0xbd : 0xbc) == want_seen);
				wasm_instance_free(inst);
				wasm_module_free(m);
			}
		}
	}
	jit_cpu_disable(0);
	if (!(have & JIT_CPU_LZCNT) || !(have & JIT_CPU_BMI1))
		printf("# clz_ctz_forms: this CPU lacks LZCNT or BMI1; only the fallbacks ran\n");
}

/* ---- 2. control, calls, memory, traps ------------------------------------------- */

/* wat2wasm --debug-names of:
 * (module
 *   (import "env" "add" (func $hadd (param i32 i32) (result i32)))
 *   (import "env" "half" (func $hhalf (param f64) (result f64)))
 *   (import "env" "fail" (func $hfail))
 *   (type $ii_i (func (param i32 i32) (result i32)))
 *   (type $v_i (func (result i32)))
 *   (type $ii_i2 (func (param i32 i32) (result i32)))
 *   (memory 1 3)
 *   (table 5 funcref)
 *   (elem (i32.const 0) $f_add $f_sub $f_ret7)
 *   (global $g (mut i64) (i64.const 42))
 *   (global $gf (mut f32) (f32.const 1.5))
 *   (global $gc i32 (i32.const -5))
 *   (data (i32.const 16) "\01\02\03\04\80\ff\7f\fe")
 *
 *   (func $f_add (type $ii_i) (i32.add (local.get 0) (local.get 1)))
 *   (func $f_sub (type $ii_i2) (i32.sub (local.get 0) (local.get 1)))
 *   (func $f_ret7 (type $v_i) (i32.const 7))
 *   (func (export "icall") (param i32 i32 i32) (result i32)
 *     (call_indirect (type $ii_i) (local.get 1) (local.get 2) (local.get 0)))
 *
 *   (func (export "switch") (param i32) (result i32)
 *     (block $d (block $c2 (block $c1 (block $c0
 *       (br_table $c0 $c1 $c2 $d (local.get 0)))
 *       (return (i32.const 100)))
 *       (return (i32.const 101)))
 *       (return (i32.const 102)))
 *     (i32.const 999))
 *   (func (export "switch_v") (param i32) (result i32)
 *     (block $out (result i32)
 *       (block $b (result i32)
 *         (br_table $b $out $b (i32.const 10) (local.get 0)))
 *       (i32.add (i32.const 5))))
 *   (func (export "brif_v") (param i32) (result i32)
 *     (block (result i32)
 *       (drop (br_if 0 (i32.const 11) (local.get 0)))
 *       (i32.const 22)))
 *   (func (export "sign") (param i64) (result i32)
 *     (if (result i32) (i64.lt_s (local.get 0) (i64.const 0))
 *       (then (i32.const -1))
 *       (else (if (result i32) (i64.eqz (local.get 0))
 *         (then (i32.const 0)) (else (i32.const 1))))))
 *   (func $fib (export "fib") (param i32) (result i32)
 *     (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
 *       (then (local.get 0))
 *       (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
 *   (func $many (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64) (result f64)
 *     (f64.add (f64.add (f64.add (f64.add (f64.add
 *       (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
 *       (f64.add (f64.promote_f32 (local.get 2)) (local.get 3)))
 *       (f64.add (f64.convert_i32_s (local.get 4)) (f64.convert_i64_s (local.get 5))))
 *       (f64.add (f64.promote_f32 (local.get 6)) (local.get 7)))
 *       (f64.mul (f64.convert_i32_s (local.get 8)) (f64.convert_i64_s (local.get 9)))))
 *   (func (export "many") (result f64)
 *     (call $many (i32.const 1) (i64.const 2) (f32.const 3.5) (f64.const 4.25)
 *       (i32.const -5) (i64.const -6) (f32.const 7) (f64.const 8) (i32.const 9) (i64.const 10)))
 *   (func (export "hadd") (param i32 i32) (result i32) (call $hadd (local.get 0) (local.get 1)))
 *   (func (export "hhalf") (param f64) (result f64) (f64.add (call $hhalf (local.get 0)) (f64.const 1)))
 *   (func (export "hfail") (call $hfail))
 *
 *   (func (export "load8s") (param i32) (result i32) (i32.load8_s (local.get 0)))
 *   (func (export "load8u") (param i32) (result i32) (i32.load8_u (local.get 0)))
 *   (func (export "load16s") (param i32) (result i64) (i64.load16_s (local.get 0)))
 *   (func (export "load16u") (param i32) (result i32) (i32.load16_u (local.get 0)))
 *   (func (export "load32s") (param i32) (result i64) (i64.load32_s (local.get 0)))
 *   (func (export "load32u") (param i32) (result i64) (i64.load32_u (local.get 0)))
 *   (func (export "load64") (param i32) (result i64) (i64.load offset=16 (local.get 0)))
 *   (func (export "store_all") (param i32 i64)
 *     (i64.store8 (local.get 0) (local.get 1))
 *     (i64.store16 offset=8 (local.get 0) (local.get 1))
 *     (i64.store32 offset=16 (local.get 0) (local.get 1))
 *     (i64.store offset=24 (local.get 0) (local.get 1))
 *     (i32.store8 offset=32 (local.get 0) (i32.wrap_i64 (local.get 1)))
 *     (i32.store16 offset=40 (local.get 0) (i32.wrap_i64 (local.get 1)))
 *     (i32.store offset=48 (local.get 0) (i32.wrap_i64 (local.get 1))))
 *   (func (export "f32mem") (param i32 f32) (result f32)
 *     (f32.store (local.get 0) (local.get 1)) (f32.load (local.get 0)))
 *   (func (export "f64mem") (param i32 f64) (result f64)
 *     (f64.store offset=3 (local.get 0) (local.get 1)) (f64.load offset=3 (local.get 0)))
 *   (func (export "bigoff") (param i32) (result i32) (i32.load offset=0xfffffff0 (local.get 0)))
 *   (func (export "size") (result i32) (memory.size))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *   (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
 *
 *   (func (export "gget") (result i64) (global.get $g))
 *   (func (export "gadd") (param i64) (result i64)
 *     (global.set $g (i64.add (global.get $g) (local.get 0))) (global.get $g))
 *   (func (export "gf") (result f32)
 *     (global.set $gf (f32.mul (global.get $gf) (f32.const 2))) (global.get $gf))
 *   (func (export "gc") (result i32) (global.get $gc))
 *
 *   (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
 *   (func $middle (param i32) (result i32) (call $inner (local.get 0)))
 *   (func (export "deep") (param i32) (result i32) (call $middle (local.get 0)))
 *   (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
 *   (func (export "sel") (param i32) (result f64) (select (f64.const 1.5) (f64.const -2.5) (local.get 0)))
 *   (func (export "sumloop") (param i32) (result f64) (local i64 f64)
 *     (loop $l
 *       (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
 *       (local.set 2 (f64.add (local.get 2) (f64.const 0.5)))
 *       (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
 *     (f64.add (local.get 2) (f64.convert_i64_s (local.get 1))))
 *   (func (export "deadcode") (result i32)
 *     (block (result i32) (i32.const 3) (br 0) (i32.add) (drop) (f32.const 0) (drop) (i32.const 1)))
 *   (func (export "ret_in_loop") (param i32) (result i32)
 *     (loop $l (if (i32.gt_u (local.get 0) (i32.const 10)) (then (return (i32.mul (local.get 0) (i32.const 2)))))
 *       (local.set 0 (i32.add (local.get 0) (i32.const 3))) (br $l))
 *     (i32.const -1))
 *   (func (export "unreach") (param i32) (result i32)
 *     (if (local.get 0) (then unreachable)) (i32.const 5))
 * )
 */
static const uint8_t ctl_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x6a, 0x13, 0x60,
	0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x02, 0x7f,
	0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7c, 0x01, 0x7c, 0x60, 0x00, 0x00, 0x60,
	0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60,
	0x01, 0x7e, 0x01, 0x7f, 0x60, 0x0a, 0x7f, 0x7e, 0x7d, 0x7c, 0x7f, 0x7e,
	0x7d, 0x7c, 0x7f, 0x7e, 0x01, 0x7c, 0x60, 0x00, 0x01, 0x7c, 0x60, 0x01,
	0x7f, 0x01, 0x7e, 0x60, 0x02, 0x7f, 0x7e, 0x00, 0x60, 0x02, 0x7f, 0x7d,
	0x01, 0x7d, 0x60, 0x02, 0x7f, 0x7c, 0x01, 0x7c, 0x60, 0x03, 0x7f, 0x7f,
	0x7f, 0x00, 0x60, 0x00, 0x01, 0x7e, 0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60,
	0x00, 0x01, 0x7d, 0x60, 0x01, 0x7f, 0x01, 0x7c, 0x02, 0x21, 0x03, 0x03,
	0x65, 0x6e, 0x76, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e,
	0x76, 0x04, 0x68, 0x61, 0x6c, 0x66, 0x00, 0x03, 0x03, 0x65, 0x6e, 0x76,
	0x04, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x04, 0x03, 0x2b, 0x2a, 0x00, 0x02,
	0x01, 0x05, 0x06, 0x06, 0x06, 0x07, 0x06, 0x08, 0x09, 0x00, 0x03, 0x04,
	0x06, 0x06, 0x0a, 0x06, 0x0a, 0x0a, 0x0a, 0x0b, 0x0c, 0x0d, 0x06, 0x01,
	0x06, 0x0e, 0x0e, 0x0f, 0x10, 0x11, 0x01, 0x06, 0x06, 0x06, 0x06, 0x12,
	0x12, 0x01, 0x06, 0x06, 0x04, 0x04, 0x01, 0x70, 0x00, 0x05, 0x05, 0x04,
	0x01, 0x01, 0x01, 0x03, 0x06, 0x13, 0x03, 0x7e, 0x01, 0x42, 0x2a, 0x0b,
	0x7d, 0x01, 0x43, 0x00, 0x00, 0xc0, 0x3f, 0x0b, 0x7f, 0x00, 0x41, 0x7b,
	0x0b, 0x07, 0xaf, 0x02, 0x24, 0x05, 0x69, 0x63, 0x61, 0x6c, 0x6c, 0x00,
	0x06, 0x06, 0x73, 0x77, 0x69, 0x74, 0x63, 0x68, 0x00, 0x07, 0x08, 0x73,
	0x77, 0x69, 0x74, 0x63, 0x68, 0x5f, 0x76, 0x00, 0x08, 0x06, 0x62, 0x72,
	0x69, 0x66, 0x5f, 0x76, 0x00, 0x09, 0x04, 0x73, 0x69, 0x67, 0x6e, 0x00,
	0x0a, 0x03, 0x66, 0x69, 0x62, 0x00, 0x0b, 0x04, 0x6d, 0x61, 0x6e, 0x79,
	0x00, 0x0d, 0x04, 0x68, 0x61, 0x64, 0x64, 0x00, 0x0e, 0x05, 0x68, 0x68,
	0x61, 0x6c, 0x66, 0x00, 0x0f, 0x05, 0x68, 0x66, 0x61, 0x69, 0x6c, 0x00,
	0x10, 0x06, 0x6c, 0x6f, 0x61, 0x64, 0x38, 0x73, 0x00, 0x11, 0x06, 0x6c,
	0x6f, 0x61, 0x64, 0x38, 0x75, 0x00, 0x12, 0x07, 0x6c, 0x6f, 0x61, 0x64,
	0x31, 0x36, 0x73, 0x00, 0x13, 0x07, 0x6c, 0x6f, 0x61, 0x64, 0x31, 0x36,
	0x75, 0x00, 0x14, 0x07, 0x6c, 0x6f, 0x61, 0x64, 0x33, 0x32, 0x73, 0x00,
	0x15, 0x07, 0x6c, 0x6f, 0x61, 0x64, 0x33, 0x32, 0x75, 0x00, 0x16, 0x06,
	0x6c, 0x6f, 0x61, 0x64, 0x36, 0x34, 0x00, 0x17, 0x09, 0x73, 0x74, 0x6f,
	0x72, 0x65, 0x5f, 0x61, 0x6c, 0x6c, 0x00, 0x18, 0x06, 0x66, 0x33, 0x32,
	0x6d, 0x65, 0x6d, 0x00, 0x19, 0x06, 0x66, 0x36, 0x34, 0x6d, 0x65, 0x6d,
	0x00, 0x1a, 0x06, 0x62, 0x69, 0x67, 0x6f, 0x66, 0x66, 0x00, 0x1b, 0x04,
	0x73, 0x69, 0x7a, 0x65, 0x00, 0x1c, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00,
	0x1d, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x1e, 0x04, 0x66, 0x69, 0x6c,
	0x6c, 0x00, 0x1f, 0x04, 0x67, 0x67, 0x65, 0x74, 0x00, 0x20, 0x04, 0x67,
	0x61, 0x64, 0x64, 0x00, 0x21, 0x02, 0x67, 0x66, 0x00, 0x22, 0x02, 0x67,
	0x63, 0x00, 0x23, 0x04, 0x64, 0x65, 0x65, 0x70, 0x00, 0x26, 0x03, 0x72,
	0x65, 0x63, 0x00, 0x27, 0x03, 0x73, 0x65, 0x6c, 0x00, 0x28, 0x07, 0x73,
	0x75, 0x6d, 0x6c, 0x6f, 0x6f, 0x70, 0x00, 0x29, 0x08, 0x64, 0x65, 0x61,
	0x64, 0x63, 0x6f, 0x64, 0x65, 0x00, 0x2a, 0x0b, 0x72, 0x65, 0x74, 0x5f,
	0x69, 0x6e, 0x5f, 0x6c, 0x6f, 0x6f, 0x70, 0x00, 0x2b, 0x07, 0x75, 0x6e,
	0x72, 0x65, 0x61, 0x63, 0x68, 0x00, 0x2c, 0x09, 0x09, 0x01, 0x00, 0x41,
	0x00, 0x0b, 0x03, 0x03, 0x04, 0x05, 0x0a, 0x9e, 0x05, 0x2a, 0x07, 0x00,
	0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01,
	0x6b, 0x0b, 0x04, 0x00, 0x41, 0x07, 0x0b, 0x0b, 0x00, 0x20, 0x01, 0x20,
	0x02, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b, 0x25, 0x00, 0x02, 0x40, 0x02,
	0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e, 0x03, 0x00, 0x01, 0x02,
	0x03, 0x0b, 0x41, 0xe4, 0x00, 0x0f, 0x0b, 0x41, 0xe5, 0x00, 0x0f, 0x0b,
	0x41, 0xe6, 0x00, 0x0f, 0x0b, 0x41, 0xe7, 0x07, 0x0b, 0x14, 0x00, 0x02,
	0x7f, 0x02, 0x7f, 0x41, 0x0a, 0x20, 0x00, 0x0e, 0x02, 0x00, 0x01, 0x00,
	0x0b, 0x41, 0x05, 0x6a, 0x0b, 0x0b, 0x0e, 0x00, 0x02, 0x7f, 0x41, 0x0b,
	0x20, 0x00, 0x0d, 0x00, 0x1a, 0x41, 0x16, 0x0b, 0x0b, 0x18, 0x00, 0x20,
	0x00, 0x42, 0x00, 0x53, 0x04, 0x7f, 0x41, 0x7f, 0x05, 0x20, 0x00, 0x50,
	0x04, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01, 0x0b, 0x0b, 0x0b, 0x1c, 0x00,
	0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20, 0x00,
	0x41, 0x01, 0x6b, 0x10, 0x0b, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x0b,
	0x6a, 0x0b, 0x0b, 0x27, 0x00, 0x20, 0x00, 0xb7, 0x20, 0x01, 0xb9, 0xa0,
	0x20, 0x02, 0xbb, 0x20, 0x03, 0xa0, 0xa0, 0x20, 0x04, 0xb7, 0x20, 0x05,
	0xb9, 0xa0, 0xa0, 0x20, 0x06, 0xbb, 0x20, 0x07, 0xa0, 0xa0, 0x20, 0x08,
	0xb7, 0x20, 0x09, 0xb9, 0xa2, 0xa0, 0x0b, 0x2c, 0x00, 0x41, 0x01, 0x42,
	0x02, 0x43, 0x00, 0x00, 0x60, 0x40, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x11, 0x40, 0x41, 0x7b, 0x42, 0x7a, 0x43, 0x00, 0x00, 0xe0, 0x40,
	0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x40, 0x41, 0x09, 0x42,
	0x0a, 0x10, 0x0c, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00,
	0x0b, 0x10, 0x00, 0x20, 0x00, 0x10, 0x01, 0x44, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xf0, 0x3f, 0xa0, 0x0b, 0x04, 0x00, 0x10, 0x02, 0x0b, 0x07,
	0x00, 0x20, 0x00, 0x2c, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d,
	0x00, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x32, 0x01, 0x00, 0x0b, 0x07,
	0x00, 0x20, 0x00, 0x2f, 0x01, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x34,
	0x02, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x35, 0x02, 0x00, 0x0b, 0x07,
	0x00, 0x20, 0x00, 0x29, 0x03, 0x10, 0x0b, 0x36, 0x00, 0x20, 0x00, 0x20,
	0x01, 0x3c, 0x00, 0x00, 0x20, 0x00, 0x20, 0x01, 0x3d, 0x01, 0x08, 0x20,
	0x00, 0x20, 0x01, 0x3e, 0x02, 0x10, 0x20, 0x00, 0x20, 0x01, 0x37, 0x03,
	0x18, 0x20, 0x00, 0x20, 0x01, 0xa7, 0x3a, 0x00, 0x20, 0x20, 0x00, 0x20,
	0x01, 0xa7, 0x3b, 0x01, 0x28, 0x20, 0x00, 0x20, 0x01, 0xa7, 0x36, 0x02,
	0x30, 0x0b, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x38, 0x02, 0x00, 0x20,
	0x00, 0x2a, 0x02, 0x00, 0x0b, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x39,
	0x03, 0x03, 0x20, 0x00, 0x2b, 0x03, 0x03, 0x0b, 0x0b, 0x00, 0x20, 0x00,
	0x28, 0x02, 0xf0, 0xff, 0xff, 0xff, 0x0f, 0x0b, 0x04, 0x00, 0x3f, 0x00,
	0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x0c, 0x00, 0x20, 0x00,
	0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b, 0x0b, 0x00, 0x20,
	0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0b, 0x00, 0x0b, 0x04, 0x00, 0x23,
	0x00, 0x0b, 0x0b, 0x00, 0x23, 0x00, 0x20, 0x00, 0x7c, 0x24, 0x00, 0x23,
	0x00, 0x0b, 0x0e, 0x00, 0x23, 0x01, 0x43, 0x00, 0x00, 0x00, 0x40, 0x94,
	0x24, 0x01, 0x23, 0x01, 0x0b, 0x04, 0x00, 0x23, 0x02, 0x0b, 0x07, 0x00,
	0x41, 0x01, 0x20, 0x00, 0x6d, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x24,
	0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x25, 0x0b, 0x09, 0x00, 0x20, 0x00,
	0x41, 0x01, 0x6a, 0x10, 0x27, 0x0b, 0x17, 0x00, 0x44, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xf8, 0x3f, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0xc0, 0x20, 0x00, 0x1b, 0x0b, 0x2e, 0x02, 0x01, 0x7e, 0x01, 0x7c,
	0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0xad, 0x7c, 0x21, 0x01, 0x20, 0x02,
	0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f, 0xa0, 0x21, 0x02,
	0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x02,
	0x20, 0x01, 0xb9, 0xa0, 0x0b, 0x13, 0x00, 0x02, 0x7f, 0x41, 0x03, 0x0c,
	0x00, 0x6a, 0x1a, 0x43, 0x00, 0x00, 0x00, 0x00, 0x1a, 0x41, 0x01, 0x0b,
	0x0b, 0x1e, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x0a, 0x4b, 0x04, 0x40,
	0x20, 0x00, 0x41, 0x02, 0x6c, 0x0f, 0x0b, 0x20, 0x00, 0x41, 0x03, 0x6a,
	0x21, 0x00, 0x0c, 0x00, 0x0b, 0x41, 0x7f, 0x0b, 0x0a, 0x00, 0x20, 0x00,
	0x04, 0x40, 0x00, 0x0b, 0x41, 0x05, 0x0b, 0x0b, 0x0e, 0x01, 0x00, 0x41,
	0x10, 0x0b, 0x08, 0x01, 0x02, 0x03, 0x04, 0x80, 0xff, 0x7f, 0xfe, 0x00,
	0xd1, 0x01, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x4a, 0x0b, 0x00, 0x04,
	0x68, 0x61, 0x64, 0x64, 0x01, 0x05, 0x68, 0x68, 0x61, 0x6c, 0x66, 0x02,
	0x05, 0x68, 0x66, 0x61, 0x69, 0x6c, 0x03, 0x05, 0x66, 0x5f, 0x61, 0x64,
	0x64, 0x04, 0x05, 0x66, 0x5f, 0x73, 0x75, 0x62, 0x05, 0x06, 0x66, 0x5f,
	0x72, 0x65, 0x74, 0x37, 0x0b, 0x03, 0x66, 0x69, 0x62, 0x0c, 0x04, 0x6d,
	0x61, 0x6e, 0x79, 0x24, 0x05, 0x69, 0x6e, 0x6e, 0x65, 0x72, 0x25, 0x06,
	0x6d, 0x69, 0x64, 0x64, 0x6c, 0x65, 0x27, 0x03, 0x72, 0x65, 0x63, 0x02,
	0x5b, 0x2d, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00,
	0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00,
	0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f, 0x00, 0x10, 0x00,
	0x11, 0x00, 0x12, 0x00, 0x13, 0x00, 0x14, 0x00, 0x15, 0x00, 0x16, 0x00,
	0x17, 0x00, 0x18, 0x00, 0x19, 0x00, 0x1a, 0x00, 0x1b, 0x00, 0x1c, 0x00,
	0x1d, 0x00, 0x1e, 0x00, 0x1f, 0x00, 0x20, 0x00, 0x21, 0x00, 0x22, 0x00,
	0x23, 0x00, 0x24, 0x00, 0x25, 0x00, 0x26, 0x00, 0x27, 0x00, 0x28, 0x00,
	0x29, 0x00, 0x2a, 0x00, 0x2b, 0x00, 0x2c, 0x00, 0x04, 0x13, 0x03, 0x00,
	0x04, 0x69, 0x69, 0x5f, 0x69, 0x01, 0x03, 0x76, 0x5f, 0x69, 0x02, 0x05,
	0x69, 0x69, 0x5f, 0x69, 0x32, 0x07, 0x0c, 0x03, 0x00, 0x01, 0x67, 0x01,
	0x02, 0x67, 0x66, 0x02, 0x02, 0x67, 0x63,
};

static int host_calls;

static enum wasm_trap_code h_add(wasm_instance *inst, void *env, const uint64_t *args, uint64_t *res)
{
	host_calls++;
	res[0] = (uint32_t)((uint32_t)args[0] + (uint32_t)args[1] * 1000);
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code h_half(wasm_instance *inst, void *env, const uint64_t *args, uint64_t *res)
{
	res[0] = bf64(f64(args[0]) / 2);
	return WASM_TRAP_NONE;
}

static enum wasm_trap_code h_fail(wasm_instance *inst, void *env, const uint64_t *args, uint64_t *res)
{
	wasm_instance_set_host_error(inst, "host says no");
	return WASM_TRAP_HOST;
}

static const struct wasm_host_func ctl_imports[] = {
	{ "env", "add", "ii", "i", h_add, NULL },
	{ "env", "half", "F", "F", h_half, NULL },
	{ "env", "fail", "", "", h_fail, NULL },
};

static wasm_module *ctl_mod;
static wasm_instance *ctl;
static struct wasm_trap last_trap;

/* call export name with up to 3 args; returns result 0, or ~0 with rc */
static uint64_t call(const char *name, int nargs, int nres, uint64_t a0, uint64_t a1,
		     uint64_t a2, int *rc)
{
	uint64_t args[3] = { a0, a1, a2 }, res[1] = { 0 };
	struct wasm_error err;

	memset(&last_trap, 0, sizeof last_trap);
	*rc = wasm_call(ctl, name, args, nargs, res, nres, &last_trap, &err);
	return res[0];
}

static uint64_t call_ok(const char *name, int nargs, int nres, uint64_t a0, uint64_t a1, uint64_t a2)
{
	int rc;
	uint64_t r = call(name, nargs, nres, a0, a1, a2, &rc);
	if (rc != 0)
		fprintf(stderr, "%s: rc=%d trap=%d\n", name, rc, last_trap.code);
	CHECK(rc == 0);
	return r;
}

static void expect_trap(const char *name, int nargs, int nres, uint64_t a0, uint64_t a1,
			uint64_t a2, enum wasm_trap_code code, uint32_t func, uint32_t off)
{
	int rc;

	call(name, nargs, nres, a0, a1, a2, &rc);
	CHECK_EQ_U64(rc, 1);
	CHECK_EQ_U64(last_trap.code, code);
	CHECK(last_trap.nframes >= 1);
	CHECK_EQ_U64(last_trap.frames[0].func_index, func);
	if (off)
		CHECK_EQ_U64(last_trap.frames[0].offset, off);
}

TEST(ctl_setup)
{
	ctl = instantiate(ctl_wasm, sizeof ctl_wasm, &ctl_mod, ctl_imports, 3);
	CHECK(ctl != NULL);
}

TEST(control_flow)
{
	static const uint32_t sw[] = { 100, 101, 102, 999, 999 };
	for (uint32_t i = 0; i < 5; i++)
		CHECK_EQ_U64(call_ok("switch", 1, 1, i == 4 ? 0xffffffffu : i, 0, 0), sw[i]);
	CHECK_EQ_U64(call_ok("switch_v", 1, 1, 0, 0, 0), 15);
	CHECK_EQ_U64(call_ok("switch_v", 1, 1, 1, 0, 0), 10);
	CHECK_EQ_U64(call_ok("switch_v", 1, 1, 2, 0, 0), 15);
	CHECK_EQ_U64(call_ok("switch_v", 1, 1, 77, 0, 0), 15);
	CHECK_EQ_U64(call_ok("brif_v", 1, 1, 0, 0, 0), 22);
	CHECK_EQ_U64(call_ok("brif_v", 1, 1, 5, 0, 0), 11);
	CHECK_EQ_U64(call_ok("sign", 1, 1, (uint64_t)-7, 0, 0), 0xffffffffu);
	CHECK_EQ_U64(call_ok("sign", 1, 1, 0, 0, 0), 0);
	CHECK_EQ_U64(call_ok("sign", 1, 1, 1ull << 40, 0, 0), 1);
	CHECK_EQ_U64(call_ok("fib", 1, 1, 20, 0, 0), 6765);
	CHECK(f64(call_ok("many", 0, 1, 0, 0, 0)) == 1 + 2 + 3.5 + 4.25 - 5 - 6 + 7 + 8 + 9 * 10);
	CHECK(f64(call_ok("sel", 1, 1, 1, 0, 0)) == 1.5);
	CHECK(f64(call_ok("sel", 1, 1, 0, 0, 0)) == -2.5);
	CHECK(f64(call_ok("sumloop", 1, 1, 100, 0, 0)) == 5050 + 50.0);
	CHECK_EQ_U64(call_ok("deadcode", 0, 1, 0, 0, 0), 3);
	CHECK_EQ_U64(call_ok("ret_in_loop", 1, 1, 1, 0, 0), 26);
	CHECK_EQ_U64(call_ok("unreach", 1, 1, 0, 0, 0), 5);
}

TEST(calls_and_imports)
{
	CHECK_EQ_U64(call_ok("icall", 3, 1, 0, 50, 8), 58);
	CHECK_EQ_U64(call_ok("icall", 3, 1, 1, 50, 8), 42);
	host_calls = 0;
	CHECK_EQ_U64(call_ok("hadd", 2, 1, 3, 4, 0), 4003);
	CHECK_EQ_U64(host_calls, 1);
	CHECK(f64(call_ok("hhalf", 1, 1, bf64(5.0), 0, 0)) == 3.5);
	/* call_indirect traps: wrong type (func 5 is () -> i32), null, out of range */
	expect_trap("icall", 3, 1, 2, 0, 0, WASM_TRAP_INDIRECT_CALL_TYPE, 6, 0x243);
	expect_trap("icall", 3, 1, 3, 0, 0, WASM_TRAP_UNINITIALIZED_ELEMENT, 6, 0x243);
	expect_trap("icall", 3, 1, 5, 0, 0, WASM_TRAP_UNDEFINED_ELEMENT, 6, 0x243);
	expect_trap("icall", 3, 1, 0xffffffff, 0, 0, WASM_TRAP_UNDEFINED_ELEMENT, 6, 0x243);
	/* a host trap: frame 0 is the import, frame 1 the call site in hfail */
	expect_trap("hfail", 0, 0, 0, 0, 0, WASM_TRAP_HOST, 2, 0);
	CHECK(last_trap.nframes >= 2);
	CHECK_EQ_U64(last_trap.frames[1].func_index, 16);
	CHECK_EQ_U64(last_trap.frames[1].offset, 0x338);
	CHECK(!strcmp(last_trap.host_msg, "host says no"));
	/* the instance still works after traps */
	CHECK_EQ_U64(call_ok("fib", 1, 1, 10, 0, 0), 55);
}

TEST(memory)
{
	/* data at 16: 01 02 03 04 80 ff 7f fe */
	CHECK_EQ_U64(call_ok("load8s", 1, 1, 20, 0, 0), 0xffffff80u);
	CHECK_EQ_U64(call_ok("load8u", 1, 1, 20, 0, 0), 0x80);
	CHECK_EQ_U64(call_ok("load16s", 1, 1, 20, 0, 0), 0xffffffffffffff80ull);
	CHECK_EQ_U64(call_ok("load16u", 1, 1, 21, 0, 0), 0x7fff);
	CHECK_EQ_U64(call_ok("load32s", 1, 1, 20, 0, 0), 0xfffffffffe7fff80ull);
	CHECK_EQ_U64(call_ok("load32u", 1, 1, 20, 0, 0), 0xfe7fff80ull);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 0, 0, 0), 0xfe7fff8004030201ull);
	call_ok("store_all", 2, 0, 1000, 0x8877665544332211ull, 0);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1000 - 16, 0, 0), 0x11);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1008 - 16, 0, 0), 0x2211);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1016 - 16, 0, 0), 0x44332211);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1024 - 16, 0, 0), 0x8877665544332211ull);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1032 - 16, 0, 0), 0x11);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1040 - 16, 0, 0), 0x2211);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 1048 - 16, 0, 0), 0x44332211);
	CHECK_EQ_U64(call_ok("f32mem", 2, 1, 200, 0x7fa00001, 0), 0x7fa00001);  /* sNaN kept */
	CHECK_EQ_U64(call_ok("f64mem", 2, 1, 300, 0xfff4000000000001ull, 0), 0xfff4000000000001ull);
	/* the last byte of the page is fine; one more faults */
	CHECK_EQ_U64(call_ok("load8u", 1, 1, 65535, 0, 0), 0);
	expect_trap("load8u", 1, 1, 65536, 0, 0, WASM_TRAP_MEMORY_OOB, 18, 0x347);
	expect_trap("load64", 1, 1, 65536 - 16 - 7, 0, 0, WASM_TRAP_MEMORY_OOB, 23, 0);
	expect_trap("bigoff", 1, 1, 0x20, 0, 0, WASM_TRAP_MEMORY_OOB, 27, 0x3cc);
	expect_trap("bigoff", 1, 1, 0xffffffff, 0, 0, WASM_TRAP_MEMORY_OOB, 27, 0x3cc);
	/* grow */
	CHECK_EQ_U64(call_ok("size", 0, 1, 0, 0, 0), 1);
	CHECK_EQ_U64(call_ok("grow", 1, 1, 1, 0, 0), 1);
	CHECK_EQ_U64(call_ok("size", 0, 1, 0, 0, 0), 2);
	CHECK_EQ_U64(call_ok("load8u", 1, 1, 65536 + 100, 0, 0), 0);
	CHECK_EQ_U64(call_ok("grow", 1, 1, 5, 0, 0), 0xffffffffu);     /* max is 3 */
	CHECK_EQ_U64(call_ok("grow", 1, 1, 0, 0, 0), 2);
	expect_trap("load8u", 1, 1, 2 * 65536, 0, 0, WASM_TRAP_MEMORY_OOB, 18, 0x347);
	/* fill / copy, overlapping both ways */
	call_ok("fill", 3, 0, 4000, 0x1ab, 8);
	CHECK_EQ_U64(call_ok("load64", 1, 1, 4000 - 16, 0, 0), 0xababababababababull);
	call_ok("store_all", 2, 0, 5000, 0x0807060504030201ull, 0);     /* 5024: 01..08 */
	call_ok("copy", 3, 0, 5026, 5024, 6);                  /* forward overlap */
	CHECK_EQ_U64(call_ok("load64", 1, 1, 5024 - 16, 0, 0), 0x0605040302010201ull);
	call_ok("copy", 3, 0, 5024, 5026, 6);                  /* backward overlap */
	CHECK_EQ_U64(call_ok("load64", 1, 1, 5024 - 16, 0, 0), 0x0605060504030201ull);
	call_ok("copy", 3, 0, 2 * 65536, 0, 0);                /* n = 0 at the end: ok */
	expect_trap("copy", 3, 0, 2 * 65536 - 4, 0, 5, WASM_TRAP_MEMORY_OOB, 30, 0);
	expect_trap("copy", 3, 0, 0, 0xfffffff0u, 0x20, WASM_TRAP_MEMORY_OOB, 30, 0);
	expect_trap("fill", 3, 0, 2 * 65536 - 4, 0, 5, WASM_TRAP_MEMORY_OOB, 31, 0);
	CHECK_EQ_U64(call_ok("load8u", 1, 1, 2 * 65536 - 4, 0, 0), 0); /* nothing written */
}

TEST(globals)
{
	CHECK_EQ_U64(call_ok("gget", 0, 1, 0, 0, 0), 42);
	CHECK_EQ_U64(call_ok("gadd", 1, 1, (uint64_t)-50, 0, 0), (uint64_t)-8);
	CHECK_EQ_U64(call_ok("gget", 0, 1, 0, 0, 0), (uint64_t)-8);
	CHECK(f32(call_ok("gf", 0, 1, 0, 0, 0)) == 3.0f);
	CHECK(f32(call_ok("gf", 0, 1, 0, 0, 0)) == 6.0f);
	CHECK_EQ_U64(call_ok("gc", 0, 1, 0, 0, 0), 0xfffffffbu);
}

TEST(traps_and_backtrace)
{
	expect_trap("deep", 1, 1, 0, 0, 0, WASM_TRAP_DIV_BY_ZERO, 36, 0x424);
	CHECK_EQ_U64(last_trap.nframes, 3);
	CHECK_EQ_U64(last_trap.frames[1].func_index, 37);
	CHECK_EQ_U64(last_trap.frames[1].offset, 0x42a);
	CHECK_EQ_U64(last_trap.frames[2].func_index, 38);
	CHECK_EQ_U64(last_trap.frames[2].offset, 0x431);
	CHECK(last_trap.frames[0].name && !strcmp(last_trap.frames[0].name, "inner"));
	CHECK(last_trap.frames[1].name && !strcmp(last_trap.frames[1].name, "middle"));
	CHECK_EQ_U64(call_ok("deep", 1, 1, 1, 0, 0), 1);
	expect_trap("unreach", 1, 1, 1, 0, 0, WASM_TRAP_UNREACHABLE, 44, 0x4be);
	/* unbounded recursion: the prologue check stops it */
	expect_trap("rec", 1, 1, 0, 0, 0, WASM_TRAP_STACK_EXHAUSTED, 39, 0);
	CHECK_EQ_U64(last_trap.nframes, WASM_BACKTRACE_MAX);
	CHECK_EQ_U64(last_trap.frames[1].func_index, 39);
	CHECK_EQ_U64(last_trap.frames[1].offset, 0x43b);
	CHECK_EQ_U64(call_ok("fib", 1, 1, 15, 0, 0), 610);
	wasm_instance_free(ctl);
	wasm_module_free(ctl_mod);
}

/* ---- 3. validation ------------------------------------------------------------------- */

/* body offsets: the code section starts after the fixed header built by
 * build(); find the body start by searching the module for the code */
static void expect_invalid(const char *params, const char *results, const uint8_t *code,
			   size_t n, bool add_end, const char *msg, long op_index)
{
	struct mb mod;
	wasm_module *m = NULL;
	struct wasm_error err;

	build(&mod, params, results, code, n, add_end);
	int rc = wasm_module_load(mod.b, mod.n, &m, &err);
	CHECK(rc != 0);
	if (rc == 0) {
		wasm_module_free(m);
		return;
	}
	if (!err.msg || strcmp(err.msg, msg))
		fprintf(stderr, "expected \"%s\", got \"%s\"\n", msg, err.msg ? err.msg : "(null)");
	CHECK(err.msg && !strcmp(err.msg, msg));
	/* the body is the last thing in the module: code[op_index] is at */
	if (op_index >= 0)
		CHECK_EQ_U64(err.offset, mod.n - (add_end ? 1 : 0) - n + (size_t)op_index);
}

TEST(validation)
{
	static const uint8_t mix[] = { 0x41, 0, 0x42, 0, 0x6a };         /* i32 + i64 */
	static const uint8_t badlocal[] = { 0x20, 3, 0x1a };
	static const uint8_t badlabel[] = { 0x02, 0x40, 0x0c, 2, 0x0b };
	static const uint8_t badfunc[] = { 0x10, 9 };
	static const uint8_t badalign[] = { 0x41, 0, 0x28, 3, 0, 0x1a };
	static const uint8_t immut[] = { 0x41, 1, 0x24, 0 };
	static const uint8_t badglobal[] = { 0x23, 1, 0x1a };
	static const uint8_t ifnoelse[] = { 0x41, 1, 0x04, 0x7f, 0x41, 1, 0x0b, 0x1a };
	static const uint8_t leftover[] = { 0x41, 1 };                  /* () -> () */
	static const uint8_t missing[] = { 0x41, 1 };                   /* () -> i32 */
	static const uint8_t noend[] = { 0x01 };
	static const uint8_t badop[] = { 0xff };
	static const uint8_t brvalue[] = { 0x02, 0x7f, 0x0c, 0, 0x0b, 0x1a };
	static const uint8_t selmix[] = { 0x41, 0, 0x43, 0, 0, 0, 0, 0x41, 0, 0x1b, 0x1a };
	static const uint8_t okdead[] = { 0x00, 0x6a, 0x1a, 0x0c, 0 };  /* unreachable code */

	expect_invalid("", "", mix, sizeof mix, true, "type mismatch", 4);
	expect_invalid("i", "", badlocal, sizeof badlocal, true, "unknown local", 0);
	expect_invalid("", "", badlabel, sizeof badlabel, true, "unknown label", 2);
	expect_invalid("", "", badfunc, sizeof badfunc, true, "unknown function", 0);
	expect_invalid("", "", badalign, sizeof badalign, true,
		       "alignment must not be larger than natural", 2);
	expect_invalid("", "", immut, sizeof immut, true, "global is immutable", 2);
	expect_invalid("", "", badglobal, sizeof badglobal, true, "unknown global", 0);
	expect_invalid("", "", ifnoelse, sizeof ifnoelse, true, "type mismatch", 6);
	expect_invalid("", "", leftover, sizeof leftover, true, "type mismatch", 2);
	expect_invalid("", "i", missing, sizeof missing, false, "END opcode expected", -1);
	expect_invalid("", "", noend, sizeof noend, false, "END opcode expected", -1);
	expect_invalid("", "", badop, sizeof badop, true, "illegal opcode", 0);
	expect_invalid("", "", brvalue, sizeof brvalue, true, "type mismatch", 2);
	expect_invalid("", "", selmix, sizeof selmix, true, "type mismatch", 9);

	/* polymorphic stack after unreachable is valid */
	struct mb mod;
	wasm_module *m;
	struct wasm_error err;
	build(&mod, "", "", okdead, sizeof okdead, true);
	CHECK(wasm_module_load(mod.b, mod.n, &m, &err) == 0);
	if (m)
		wasm_module_free(m);
}

/* ---- unreachable code: validated, not compiled ---------------------------------- */

/* f (i32) -> i32 with body code: its compiled bytes into out (*nout), and
 * f(arg) into *res (rc of wasm_call: 0, or 1 for a trap) */
static int dead_compile(const uint8_t *code, size_t n, uint8_t *out, size_t *nout,
			uint64_t arg, uint64_t *res)
{
	struct mb mod;
	wasm_module *m;
	struct wasm_trap trap;
	struct wasm_error err;

	build(&mod, "i", "i", code, n, true);
	wasm_instance *inst = instantiate(mod.b, mod.n, &m, NULL, 0);
	if (!inst)
		return -1;
	const struct jit_code *c = m->code;
	size_t len = c->func_ends[0] - c->func_offsets[0];
	*nout = len < 4096 ? len : 4096;
	memcpy(out, c->base + c->func_offsets[0], *nout);
	*res = 0;
	int rc = wasm_call(inst, "f", &arg, 1, res, 1, &trap, &err);
	wasm_instance_free(inst);
	wasm_module_free(m);
	return rc;
}

/* the code after a br / br_table / return / unreachable, to the end or
 * else of its frame: each kind of opcode (constants, arithmetic with a
 * trap, loads and stores, locals, globals, a call, select, blocks with
 * branches of their own, nested dead code), and stack-polymorphic use */
static const uint8_t dead_tail[] = {
	0x41, 1, 0x41, 2, 0x6a, 0x41, 3, 0x6d, 0x21, 0,         /* (1 + 2) / 3 -> x */
	0x41, 0, 0x28, 2, 0, 0x41, 4, 0x36, 2, 8,               /* load, store */
	0x23, 0, 0x20, 0, 0x10, 0, 0x6a, 0x1a,                  /* global + f(x) */
	0x02, 0x7f, 0x20, 0, 0x20, 0, 0x0d, 0, 0x41, 5, 0x20, 0, 0x1b, /* br_if, select */
	0x0c, 0, 0x0b, 0x1a,                                    /* br, dead in it too */
	0x03, 0x40, 0x20, 0, 0x0d, 0, 0x0b,                     /* loop br_if */
	0x6a, 0x22, 0, 0x00,                                    /* polymorphic add, tee */
};

/* The pairs: the same function without and with dead_tail at the marked
 * place; both must compile to the same bytes (the dead code emits none)
 * and return the same.  before/after: the body around the place. */
struct dead_case {
	const char *name;
	uint8_t before[16], after[16];
	uint8_t nbefore, nafter;
	uint64_t arg, want;
	int want_rc;
};

static const struct dead_case dead_cases[] = {
	/* block (result i32) (local.get 0) (br 0) DEAD end */
	{ "br", { 0x02, 0x7f, 0x20, 0, 0x0c, 0 }, { 0x0b }, 6, 1, 7, 7, 0 },
	/* unreachable DEAD (a trap, and code after it) */
	{ "unreachable", { 0x00 }, { 0 }, 1, 0, 7, 0, 1 },
	/* local.get 0 return DEAD */
	{ "return", { 0x20, 0, 0x0f }, { 0 }, 3, 0, 9, 9, 0 },
	/* block (result i32) block (local.get 0) (local.get 0) br_table 0 1 1
	   DEAD end end */
	{ "br_table", { 0x02, 0x7f, 0x02, 0x7f, 0x20, 0, 0x20, 0, 0x0e, 1, 0, 1 },
	  { 0x0b, 0x0b }, 12, 2, 1, 1, 0 },
	/* local.get 0 if (result i32) i32.const 3 br 0 DEAD else i32.const 4
	   end: the then arm ends in dead code, the else arm is live */
	{ "if_then_br", { 0x20, 0, 0x04, 0x7f, 0x41, 3, 0x0c, 0 },
	  { 0x05, 0x41, 4, 0x0b }, 8, 4, 0, 4, 0 },
};

TEST(dead_code_emits_no_bytes)
{
	static uint8_t with[4096], without[4096];
	uint8_t body[256];

	for (size_t i = 0; i < sizeof dead_cases / sizeof *dead_cases; i++) {
		const struct dead_case *d = &dead_cases[i];
		size_t n, nwith, nwithout;
		uint64_t r1, r2;

		memcpy(body, d->before, d->nbefore);
		memcpy(body + d->nbefore, d->after, d->nafter);
		int rc1 = dead_compile(body, d->nbefore + d->nafter, without, &nwithout,
				       d->arg, &r1);
		memcpy(body + d->nbefore, dead_tail, sizeof dead_tail);
		n = d->nbefore + sizeof dead_tail;
		memcpy(body + n, d->after, d->nafter);
		int rc2 = dead_compile(body, n + d->nafter, with, &nwith, d->arg, &r2);

		CHECK_MSG(rc1 == d->want_rc && rc2 == d->want_rc, "%s: rc %d, %d, want %d",
			  d->name, rc1, rc2, d->want_rc);
		if (!d->want_rc)
			CHECK_MSG(r1 == d->want && r2 == d->want, "%s: f(%llu) = %llu, %llu, want %llu",
				  d->name, (unsigned long long)d->arg, (unsigned long long)r1,
				  (unsigned long long)r2, (unsigned long long)d->want);
		CHECK_MSG(nwith == nwithout && !memcmp(with, without, nwith),
			  "%s: %zu bytes of code with the dead code, %zu without", d->name,
			  nwith, nwithout);
	}
}

/* dead code is still validated: a type error in it is refused, at its
 * offset, as before */
TEST(dead_code_still_validated)
{
	static const uint8_t bad[] = { 0x02, 0x40, 0x0c, 0, 0x41, 1, 0x42, 1, 0x6a, 0x1a,
				       0x0b, 0x41, 0 };
	static const uint8_t badlocal[] = { 0x00, 0x42, 1, 0x21, 0, 0x41, 0 };
	static const uint8_t badload[] = { 0x20, 0, 0x0f, 0x43, 0, 0, 0, 0, 0x28, 2, 0, 0x1a,
					   0x41, 0 };

	expect_invalid("i", "i", bad, sizeof bad, true, "type mismatch", 8);
	expect_invalid("i", "i", badlocal, sizeof badlocal, true, "type mismatch", 3);
	expect_invalid("i", "i", badload, sizeof badload, true, "type mismatch", 8);
}

/* Declared locals start at zero even when the stack below holds garbage
 * from the previous call (unrolled stores for few locals, rep stosq for
 * many). */
static void check_locals_zeroed(uint8_t nlocals)
{
	const uint8_t decl[] = { 2, nlocals, 0x7e, 3, 0x7c };   /* n x i64, 3 x f64 */
	const uint8_t last = nlocals - 1, lastf = nlocals + 3 - 1 + 1;
	const uint8_t code[] = {
		0x20, last, 0x20, lastf, 0xbd, 0x84,            /* local[last] | bits(local[lastf]) */
		0x20, 0, 0xad, 0x7c,                            /* + (u64)param */
		0x42, 0xad, 0xfd, 0x03, 0x21, last,             /* dirty the frame */
		0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x21, lastf,
	};
	struct mb mod;
	wasm_module *m;
	wasm_instance *inst;

	build_locals = decl;
	build_nlocals = sizeof decl;
	build(&mod, "i", "I", code, sizeof code, true);
	build_locals = NULL;
	inst = instantiate(mod.b, mod.n, &m, NULL, 0);
	REQUIRE(inst != NULL);
	for (uint64_t i = 1; i <= 3; i++) {
		uint64_t args[1] = { i }, res[1] = { 0 };
		struct wasm_trap trap;
		struct wasm_error err;
		CHECK_EQ_U64(wasm_call(inst, "f", args, 1, res, 1, &trap, &err), 0);
		CHECK_EQ_U64(res[0], i);
	}
	wasm_instance_free(inst);
	wasm_module_free(m);
}

TEST(locals_zeroed)
{
	check_locals_zeroed(4);
	check_locals_zeroed(40);
}

/* ---- 4. Wasm 2.0: multi-value, reference types, tables, bulk memory ---------------- */

/* Modules built with wat2wasm (the WAT is in the comment above each); the
 * invalid ones with wat2wasm --no-check. */

/*
 * (module
 *   (import "env" "pair" (func $pair (param i32) (result i32 i64)))
 *   (type $t2 (func (param i32 i32) (result i32 i32)))
 *   (memory 1)
 *   (table $t0 4 funcref)
 *   (table $t1 2 10 externref)
 *   (elem (table $t0) (i32.const 0) func $sub $swap)
 *   (elem $pass funcref (ref.func $sub) (ref.null func) (ref.func $five))
 *   (elem declare func $three $fl $boom)
 *   (data $d "hello")
 *   (data (i32.const 100) "XY")
 *
 *   (func $swap (export "swap") (type $t2) (local.get 1) (local.get 0))
 *   (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
 *   (func $boom (param i32 i32) (result i32) unreachable)
 *   (func $five (result i32) (i32.const 5))
 *   (func $three (result i32 i64 f64) (i32.const 1) (i64.const 2) (f64.const 3.5))
 *   (func $fl (result f64 i32) (f64.const 2.5) (i32.const 9))
 *   (func (export "three") (result i32 i64 f64) (call $three))
 *   (func (export "sum3") (result f64) (local f64)
 *     (call $three) (local.set 0) (f64.convert_i64_s) (local.get 0) (f64.add)
 *     (local.set 0) (f64.convert_i32_s) (local.get 0) (f64.add))
 *   (func (export "blk") (param i32 i32) (result i32 i32)
 *     (local.get 0) (local.get 1)
 *     (block (param i32 i32) (result i32 i32) (call $swap)))
 *   (func (export "loopsum") (param i32) (result i32)
 *     (i32.const 0) (local.get 0)
 *     (loop $l (param i32 i32) (result i32)
 *       (local.tee 0) (i32.add)
 *       (local.get 0) (i32.const 1) (i32.sub) (local.tee 0)
 *       (local.get 0) (br_if $l)
 *       (drop)))
 *   (func (export "ifp") (param i32 i32 i32) (result i32)
 *     (local.get 0) (local.get 1)
 *     (if (param i32 i32) (result i32) (local.get 2)
 *       (then (i32.add))
 *       (else (i32.sub))))
 *   (func (export "ifnoelse") (param i32 i32) (result i32 i32)
 *     (i32.const 7) (i32.const 8)
 *     (if (param i32 i32) (result i32 i32) (local.get 0)
 *       (then (drop) (local.get 1))))
 *   (func (export "brmulti") (param i32) (result i32 i32)
 *     (block (result i32 i32)
 *       (i32.const 99) (i32.const 1) (i32.const 2)
 *       (br_if 0 (local.get 0))
 *       (drop) (drop) (drop)
 *       (i32.const 3) (i32.const 4)))
 *   (func (export "brtab") (param i32) (result i32 i32)
 *     (block $a (result i32 i32)
 *       (block $b (result i32 i32)
 *         (i32.const 7) (i32.const 10) (i32.const 20)
 *         (br_table $a $b (local.get 0)))
 *       (i32.const 100) (i32.add)))
 *   (func (export "retm") (param i32) (result i32 i64)
 *     (i32.const 5) (i64.const 6)
 *     (if (local.get 0) (then (i32.const 1) (i64.const 2) (return))))
 *   (func (export "hostpair") (param i32) (result i64) (local i64)
 *     (call $pair (local.get 0)) (local.set 1) (i64.extend_i32_u) (local.get 1) (i64.add))
 *   (func (export "indswap") (param i32 i32 i32) (result i32 i32)
 *     (call_indirect $t0 (type $t2) (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "call0") (param i32) (result i32)
 *     (call_indirect $t0 (result i32) (local.get 0)))
 *   (func (export "isnull_ext") (param externref) (result i32) (ref.is_null (local.get 0)))
 *   (func (export "isnull_func") (param funcref) (result i32) (ref.is_null (local.get 0)))
 *   (func (export "ext_id") (param externref) (result externref) (local.get 0))
 *   (func (export "null_ext") (result externref) (ref.null extern))
 *   (func (export "ref_sub") (result funcref) (ref.func $sub))
 *   (func (export "ref_boom") (result funcref) (ref.func $boom))
 *   (func (export "ref_five") (result funcref) (ref.func $five))
 *   (func (export "ref_three") (result funcref) (ref.func $three))
 *   (func (export "ref_fl") (result funcref) (ref.func $fl))
 *   (func (export "tget") (param i32) (result funcref) (table.get $t0 (local.get 0)))
 *   (func (export "tset_ext") (param i32 externref) (table.set $t1 (local.get 0) (local.get 1)))
 *   (func (export "tget_ext") (param i32) (result externref) (table.get $t1 (local.get 0)))
 *   (func (export "tsize") (result i32) (table.size $t1))
 *   (func (export "tgrow") (param externref i32) (result i32) (table.grow $t1 (local.get 0) (local.get 1)))
 *   (func (export "tfill") (param i32 externref i32) (table.fill $t1 (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "tinit") (param i32 i32 i32) (table.init $t0 $pass (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "tinit0") (table.init $t0 0 (i32.const 0) (i32.const 0) (i32.const 1)))
 *   (func (export "edrop") (elem.drop $pass))
 *   (func (export "tcopy") (param i32 i32 i32) (table.copy $t0 $t0 (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "minit") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "minit1") (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 1)))
 *   (func (export "ddrop") (data.drop $d))
 *   (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
 *   (func (export "tsel") (param funcref funcref i32) (result funcref)
 *     (select (result funcref) (local.get 0) (local.get 1) (local.get 2)))
 * )
 */

static const uint8_t w2a_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x8d, 0x01, 0x1a,
	0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x01, 0x7f, 0x02, 0x7f,
	0x7e, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x60,
	0x00, 0x03, 0x7f, 0x7e, 0x7c, 0x60, 0x00, 0x02, 0x7c, 0x7f, 0x60, 0x00,
	0x01, 0x7c, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f, 0x7f,
	0x01, 0x7f, 0x60, 0x01, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x00, 0x02, 0x7f,
	0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x02,
	0x7f, 0x7f, 0x60, 0x01, 0x6f, 0x01, 0x7f, 0x60, 0x01, 0x70, 0x01, 0x7f,
	0x60, 0x01, 0x6f, 0x01, 0x6f, 0x60, 0x00, 0x01, 0x6f, 0x60, 0x00, 0x01,
	0x70, 0x60, 0x01, 0x7f, 0x01, 0x70, 0x60, 0x02, 0x7f, 0x6f, 0x00, 0x60,
	0x01, 0x7f, 0x01, 0x6f, 0x60, 0x02, 0x6f, 0x7f, 0x01, 0x7f, 0x60, 0x03,
	0x7f, 0x6f, 0x7f, 0x00, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x00,
	0x00, 0x60, 0x03, 0x70, 0x70, 0x7f, 0x01, 0x70, 0x02, 0x0c, 0x01, 0x03,
	0x65, 0x6e, 0x76, 0x04, 0x70, 0x61, 0x69, 0x72, 0x00, 0x01, 0x03, 0x2b,
	0x2a, 0x00, 0x02, 0x02, 0x03, 0x04, 0x05, 0x04, 0x06, 0x00, 0x07, 0x08,
	0x00, 0x09, 0x09, 0x01, 0x0b, 0x0c, 0x07, 0x0d, 0x0e, 0x0f, 0x10, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x12, 0x13, 0x14, 0x03, 0x15, 0x16, 0x17, 0x18,
	0x18, 0x17, 0x17, 0x18, 0x18, 0x07, 0x19, 0x04, 0x08, 0x02, 0x70, 0x00,
	0x04, 0x6f, 0x01, 0x02, 0x0a, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0xd0,
	0x02, 0x25, 0x04, 0x73, 0x77, 0x61, 0x70, 0x00, 0x01, 0x05, 0x74, 0x68,
	0x72, 0x65, 0x65, 0x00, 0x07, 0x04, 0x73, 0x75, 0x6d, 0x33, 0x00, 0x08,
	0x03, 0x62, 0x6c, 0x6b, 0x00, 0x09, 0x07, 0x6c, 0x6f, 0x6f, 0x70, 0x73,
	0x75, 0x6d, 0x00, 0x0a, 0x03, 0x69, 0x66, 0x70, 0x00, 0x0b, 0x08, 0x69,
	0x66, 0x6e, 0x6f, 0x65, 0x6c, 0x73, 0x65, 0x00, 0x0c, 0x07, 0x62, 0x72,
	0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x0d, 0x05, 0x62, 0x72, 0x74, 0x61,
	0x62, 0x00, 0x0e, 0x04, 0x72, 0x65, 0x74, 0x6d, 0x00, 0x0f, 0x08, 0x68,
	0x6f, 0x73, 0x74, 0x70, 0x61, 0x69, 0x72, 0x00, 0x10, 0x07, 0x69, 0x6e,
	0x64, 0x73, 0x77, 0x61, 0x70, 0x00, 0x11, 0x05, 0x63, 0x61, 0x6c, 0x6c,
	0x30, 0x00, 0x12, 0x0a, 0x69, 0x73, 0x6e, 0x75, 0x6c, 0x6c, 0x5f, 0x65,
	0x78, 0x74, 0x00, 0x13, 0x0b, 0x69, 0x73, 0x6e, 0x75, 0x6c, 0x6c, 0x5f,
	0x66, 0x75, 0x6e, 0x63, 0x00, 0x14, 0x06, 0x65, 0x78, 0x74, 0x5f, 0x69,
	0x64, 0x00, 0x15, 0x08, 0x6e, 0x75, 0x6c, 0x6c, 0x5f, 0x65, 0x78, 0x74,
	0x00, 0x16, 0x07, 0x72, 0x65, 0x66, 0x5f, 0x73, 0x75, 0x62, 0x00, 0x17,
	0x08, 0x72, 0x65, 0x66, 0x5f, 0x62, 0x6f, 0x6f, 0x6d, 0x00, 0x18, 0x08,
	0x72, 0x65, 0x66, 0x5f, 0x66, 0x69, 0x76, 0x65, 0x00, 0x19, 0x09, 0x72,
	0x65, 0x66, 0x5f, 0x74, 0x68, 0x72, 0x65, 0x65, 0x00, 0x1a, 0x06, 0x72,
	0x65, 0x66, 0x5f, 0x66, 0x6c, 0x00, 0x1b, 0x04, 0x74, 0x67, 0x65, 0x74,
	0x00, 0x1c, 0x08, 0x74, 0x73, 0x65, 0x74, 0x5f, 0x65, 0x78, 0x74, 0x00,
	0x1d, 0x08, 0x74, 0x67, 0x65, 0x74, 0x5f, 0x65, 0x78, 0x74, 0x00, 0x1e,
	0x05, 0x74, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x1f, 0x05, 0x74, 0x67, 0x72,
	0x6f, 0x77, 0x00, 0x20, 0x05, 0x74, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x21,
	0x05, 0x74, 0x69, 0x6e, 0x69, 0x74, 0x00, 0x22, 0x06, 0x74, 0x69, 0x6e,
	0x69, 0x74, 0x30, 0x00, 0x23, 0x05, 0x65, 0x64, 0x72, 0x6f, 0x70, 0x00,
	0x24, 0x05, 0x74, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x25, 0x05, 0x6d, 0x69,
	0x6e, 0x69, 0x74, 0x00, 0x26, 0x06, 0x6d, 0x69, 0x6e, 0x69, 0x74, 0x31,
	0x00, 0x27, 0x05, 0x64, 0x64, 0x72, 0x6f, 0x70, 0x00, 0x28, 0x05, 0x6c,
	0x6f, 0x61, 0x64, 0x38, 0x00, 0x29, 0x04, 0x74, 0x73, 0x65, 0x6c, 0x00,
	0x2a, 0x09, 0x1a, 0x03, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x02, 0x01, 0x05,
	0x70, 0x03, 0xd2, 0x02, 0x0b, 0xd0, 0x70, 0x0b, 0xd2, 0x04, 0x0b, 0x03,
	0x00, 0x03, 0x05, 0x06, 0x03, 0x0c, 0x01, 0x02, 0x0a, 0xba, 0x03, 0x2a,
	0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20,
	0x01, 0x6b, 0x0b, 0x03, 0x00, 0x00, 0x0b, 0x04, 0x00, 0x41, 0x05, 0x0b,
	0x0f, 0x00, 0x41, 0x01, 0x42, 0x02, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0c, 0x40, 0x0b, 0x0d, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x04, 0x40, 0x41, 0x09, 0x0b, 0x04, 0x00, 0x10, 0x05, 0x0b, 0x12,
	0x01, 0x01, 0x7c, 0x10, 0x05, 0x21, 0x00, 0xb9, 0x20, 0x00, 0xa0, 0x21,
	0x00, 0xb7, 0x20, 0x00, 0xa0, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01,
	0x02, 0x00, 0x10, 0x01, 0x0b, 0x0b, 0x18, 0x00, 0x41, 0x00, 0x20, 0x00,
	0x03, 0x02, 0x22, 0x00, 0x6a, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00,
	0x20, 0x00, 0x0d, 0x00, 0x1a, 0x0b, 0x0b, 0x0e, 0x00, 0x20, 0x00, 0x20,
	0x01, 0x20, 0x02, 0x04, 0x02, 0x6a, 0x05, 0x6b, 0x0b, 0x0b, 0x0e, 0x00,
	0x41, 0x07, 0x41, 0x08, 0x20, 0x00, 0x04, 0x00, 0x1a, 0x20, 0x01, 0x0b,
	0x0b, 0x17, 0x00, 0x02, 0x0a, 0x41, 0xe3, 0x00, 0x41, 0x01, 0x41, 0x02,
	0x20, 0x00, 0x0d, 0x00, 0x1a, 0x1a, 0x1a, 0x41, 0x03, 0x41, 0x04, 0x0b,
	0x0b, 0x18, 0x00, 0x02, 0x0a, 0x02, 0x0a, 0x41, 0x07, 0x41, 0x0a, 0x41,
	0x14, 0x20, 0x00, 0x0e, 0x01, 0x01, 0x00, 0x0b, 0x41, 0xe4, 0x00, 0x6a,
	0x0b, 0x0b, 0x10, 0x00, 0x41, 0x05, 0x42, 0x06, 0x20, 0x00, 0x04, 0x40,
	0x41, 0x01, 0x42, 0x02, 0x0f, 0x0b, 0x0b, 0x0e, 0x01, 0x01, 0x7e, 0x20,
	0x00, 0x10, 0x00, 0x21, 0x01, 0xad, 0x20, 0x01, 0x7c, 0x0b, 0x0b, 0x00,
	0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x11, 0x00, 0x00, 0x0b, 0x07, 0x00,
	0x20, 0x00, 0x11, 0x03, 0x00, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xd1, 0x0b,
	0x05, 0x00, 0x20, 0x00, 0xd1, 0x0b, 0x04, 0x00, 0x20, 0x00, 0x0b, 0x04,
	0x00, 0xd0, 0x6f, 0x0b, 0x04, 0x00, 0xd2, 0x02, 0x0b, 0x04, 0x00, 0xd2,
	0x03, 0x0b, 0x04, 0x00, 0xd2, 0x04, 0x0b, 0x04, 0x00, 0xd2, 0x05, 0x0b,
	0x04, 0x00, 0xd2, 0x06, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x25, 0x00, 0x0b,
	0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x26, 0x01, 0x0b, 0x06, 0x00, 0x20,
	0x00, 0x25, 0x01, 0x0b, 0x05, 0x00, 0xfc, 0x10, 0x01, 0x0b, 0x09, 0x00,
	0x20, 0x00, 0x20, 0x01, 0xfc, 0x0f, 0x01, 0x0b, 0x0b, 0x00, 0x20, 0x00,
	0x20, 0x01, 0x20, 0x02, 0xfc, 0x11, 0x01, 0x0b, 0x0c, 0x00, 0x20, 0x00,
	0x20, 0x01, 0x20, 0x02, 0xfc, 0x0c, 0x01, 0x00, 0x0b, 0x0c, 0x00, 0x41,
	0x00, 0x41, 0x00, 0x41, 0x01, 0xfc, 0x0c, 0x00, 0x00, 0x0b, 0x05, 0x00,
	0xfc, 0x0d, 0x01, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02,
	0xfc, 0x0e, 0x00, 0x00, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
	0x02, 0xfc, 0x08, 0x00, 0x00, 0x0b, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00,
	0x41, 0x01, 0xfc, 0x08, 0x01, 0x00, 0x0b, 0x05, 0x00, 0xfc, 0x09, 0x00,
	0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x0b, 0x00, 0x20,
	0x00, 0x20, 0x01, 0x20, 0x02, 0x1c, 0x01, 0x70, 0x0b, 0x0b, 0x10, 0x02,
	0x01, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x41, 0xe4, 0x00, 0x0b,
	0x02, 0x58, 0x59,
};

/*
 * (module
 *   (table 1 funcref)
 *   (func (export "callit") (param funcref i32 i32) (result i32)
 *     (table.set 0 (i32.const 0) (local.get 0))
 *     (call_indirect (param i32 i32) (result i32) (local.get 1) (local.get 2) (i32.const 0)))
 *   (func (export "callit3") (param funcref) (result i32 i64 f64)
 *     (table.set 0 (i32.const 0) (local.get 0))
 *     (call_indirect (result i32 i64 f64) (i32.const 0)))
 *   (func (export "callitf") (param funcref) (result f64 i32)
 *     (table.set 0 (i32.const 0) (local.get 0))
 *     (call_indirect (result f64 i32) (i32.const 0)))
 * )
 */

static const uint8_t w2b_wasm[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x26, 0x06, 0x60,
	0x03, 0x70, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
	0x60, 0x01, 0x70, 0x03, 0x7f, 0x7e, 0x7c, 0x60, 0x00, 0x03, 0x7f, 0x7e,
	0x7c, 0x60, 0x01, 0x70, 0x02, 0x7c, 0x7f, 0x60, 0x00, 0x02, 0x7c, 0x7f,
	0x03, 0x04, 0x03, 0x00, 0x02, 0x04, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
	0x07, 0x1e, 0x03, 0x06, 0x63, 0x61, 0x6c, 0x6c, 0x69, 0x74, 0x00, 0x00,
	0x07, 0x63, 0x61, 0x6c, 0x6c, 0x69, 0x74, 0x33, 0x00, 0x01, 0x07, 0x63,
	0x61, 0x6c, 0x6c, 0x69, 0x74, 0x66, 0x00, 0x02, 0x0a, 0x2f, 0x03, 0x11,
	0x00, 0x41, 0x00, 0x20, 0x00, 0x26, 0x00, 0x20, 0x01, 0x20, 0x02, 0x41,
	0x00, 0x11, 0x01, 0x00, 0x0b, 0x0d, 0x00, 0x41, 0x00, 0x20, 0x00, 0x26,
	0x00, 0x41, 0x00, 0x11, 0x03, 0x00, 0x0b, 0x0d, 0x00, 0x41, 0x00, 0x20,
	0x00, 0x26, 0x00, 0x41, 0x00, 0x11, 0x05, 0x00, 0x0b,
};

/* (module (func (i64.const 1) (block (param i32) (drop)))) */

static const uint8_t inv_blk_param[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60,
	0x00, 0x00, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0a,
	0x01, 0x08, 0x00, 0x42, 0x01, 0x02, 0x01, 0x1a, 0x0b, 0x0b,
};

/* (module (type (func)) (table 1 externref) (func (call_indirect 0 (type 0) (i32.const 0)))) */

static const uint8_t inv_callind_ext[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01,
	0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b,
};

/* (module (table 1 funcref) (table 1 externref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))) */

static const uint8_t inv_copy_types[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x07, 0x02, 0x70, 0x00, 0x01,
	0x6f, 0x00, 0x01, 0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00,
	0x41, 0x00, 0xfc, 0x0e, 0x00, 0x01, 0x0b,
};

/* (module (func (param i32) (result i64) (i32.const 1) (if (param i32) (result i64) (local.get 0) (then (drop) (i64.const 1))))) */

static const uint8_t inv_if_params[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
	0x01, 0x7f, 0x01, 0x7e, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0e, 0x01, 0x0c,
	0x00, 0x41, 0x01, 0x20, 0x00, 0x04, 0x00, 0x1a, 0x42, 0x01, 0x0b, 0x0b,
};

/* (module (table 1 externref) (elem funcref (ref.null func)) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) */

static const uint8_t inv_init_types[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01,
	0x09, 0x07, 0x01, 0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b, 0x0a, 0x0e, 0x01,
	0x0c, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0c, 0x00, 0x00,
	0x0b,
};

/* (module (func (drop (ref.is_null (i32.const 0))))) */

static const uint8_t inv_isnull_num[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41,
	0x00, 0xd1, 0x1a, 0x0b,
};

/* (module (func (param funcref) (drop (select (local.get 0) (local.get 0) (i32.const 1))))) */

static const uint8_t inv_sel_ref[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
	0x01, 0x70, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0c, 0x01, 0x0a, 0x00,
	0x20, 0x00, 0x20, 0x00, 0x41, 0x01, 0x1b, 0x1a, 0x0b,
};

/* (module (table 1 externref) (func (table.set 0 (i32.const 0) (ref.null func)))) */

static const uint8_t inv_set_type[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01,
	0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xd0, 0x70, 0x26, 0x00, 0x0b,
};

/* (module (func $f) (func (drop (ref.func $f)))) */

static const uint8_t inv_undeclared[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00, 0x0a, 0x0a, 0x02, 0x02, 0x00,
	0x0b, 0x05, 0x00, 0xd2, 0x00, 0x1a, 0x0b,
};

/* (module (memory 1) (data "x") (func (data.drop 1))) */

static const uint8_t inv_unk_data[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0c,
	0x01, 0x01, 0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x01, 0x0b, 0x0b,
	0x04, 0x01, 0x01, 0x01, 0x78,
};

/* (module (table 1 funcref) (elem (table 0) (i32.const 0) func 0) (func (elem.drop 1))) */

static const uint8_t inv_unk_elem[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
	0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, 0x0a, 0x07, 0x01,
	0x05, 0x00, 0xfc, 0x0d, 0x01, 0x0b,
};

/* (module (table 1 funcref) (func (drop (table.get 1 (i32.const 0))))) */

static const uint8_t inv_unk_table[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60,
	0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
	0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0x25, 0x01, 0x1a, 0x0b,
};

static enum wasm_trap_code h_pair(wasm_instance *inst, void *env, const uint64_t *args, uint64_t *res)
{
	res[0] = (uint32_t)args[0] + 1;
	res[1] = 2 * (uint64_t)(uint32_t)args[0];
	return WASM_TRAP_NONE;
}

static const struct wasm_host_func w2_imports[] = {
	{ "env", "pair", "i", "iI", h_pair, NULL },
};

static wasm_module *w2a_mod, *w2b_mod;
static wasm_instance *w2a, *w2b;

/* call inst.name(args) expecting nres results in res; returns wasm_call's rc */
static int w2call(wasm_instance *inst, const char *name, const uint64_t *args, size_t nargs,
		  uint64_t *res, size_t nres)
{
	struct wasm_error err;

	memset(&last_trap, 0, sizeof last_trap);
	int rc = wasm_call(inst, name, args, nargs, res, nres, &last_trap, &err);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", name, err.msg);
	return rc;
}

/* one-result call that must succeed */
static uint64_t w2(wasm_instance *inst, const char *name, uint64_t a0, uint64_t a1,
		   uint64_t a2, size_t nargs, size_t nres)
{
	uint64_t args[3] = { a0, a1, a2 }, res[4] = { 0 };

	int rc = w2call(inst, name, args, nargs, res, nres);
	if (rc)
		fprintf(stderr, "%s: rc %d trap %d\n", name, rc, last_trap.code);
	CHECK_EQ_U64(rc, 0);
	return res[0];
}

static void w2_trap(wasm_instance *inst, const char *name, uint64_t a0, uint64_t a1,
		    uint64_t a2, size_t nargs, size_t nres, enum wasm_trap_code code)
{
	uint64_t args[3] = { a0, a1, a2 }, res[4] = { 0 };

	CHECK_EQ_U64(w2call(inst, name, args, nargs, res, nres), 1);
	CHECK_EQ_U64(last_trap.code, code);
}

TEST(w2_setup)
{
	w2a = instantiate(w2a_wasm, sizeof w2a_wasm, &w2a_mod, w2_imports, 1);
	w2b = instantiate(w2b_wasm, sizeof w2b_wasm, &w2b_mod, NULL, 0);
	CHECK(w2a && w2b);
}

TEST(multi_value)
{
	uint64_t a[3], r[3];

	REQUIRE(w2a);
	CHECK_EQ_U64(w2call(w2a, "three", NULL, 0, r, 3), 0);
	CHECK_EQ_U64(r[0], 1);
	CHECK_EQ_U64(r[1], 2);
	CHECK(f64(r[2]) == 3.5);
	CHECK(f64(w2(w2a, "sum3", 0, 0, 0, 0, 1)) == 6.5);
	a[0] = 3, a[1] = 0xfffffffe;
	CHECK_EQ_U64(w2call(w2a, "blk", a, 2, r, 2), 0);
	CHECK_EQ_U64(r[0], 0xfffffffe);
	CHECK_EQ_U64(r[1], 3);
	CHECK_EQ_U64(w2(w2a, "loopsum", 10, 0, 0, 1, 1), 55);
	CHECK_EQ_U64(w2(w2a, "loopsum", 1, 0, 0, 1, 1), 1);
	CHECK_EQ_U64(w2(w2a, "ifp", 10, 3, 1, 3, 1), 13);
	CHECK_EQ_U64(w2(w2a, "ifp", 10, 3, 0, 3, 1), 7);
	a[0] = 0, a[1] = 42;
	CHECK_EQ_U64(w2call(w2a, "ifnoelse", a, 2, r, 2), 0);      /* params pass through */
	CHECK(r[0] == 7 && r[1] == 8);
	a[0] = 1;
	CHECK_EQ_U64(w2call(w2a, "ifnoelse", a, 2, r, 2), 0);
	CHECK(r[0] == 7 && r[1] == 42);
	for (uint64_t i = 0; i < 2; i++) {
		a[0] = i;
		CHECK_EQ_U64(w2call(w2a, "brmulti", a, 1, r, 2), 0);    /* br_if copies down */
		CHECK(r[0] == (i ? 1 : 3) && r[1] == (i ? 2 : 4));
		CHECK_EQ_U64(w2call(w2a, "brtab", a, 1, r, 2), 0);
		CHECK(r[0] == 10 && r[1] == (i ? 120 : 20));
		CHECK_EQ_U64(w2call(w2a, "retm", a, 1, r, 2), 0);
		CHECK(r[0] == (i ? 1 : 5) && r[1] == (i ? 2 : 6));
	}
	a[0] = 5;
	CHECK_EQ_U64(w2call(w2a, "brtab", a, 1, r, 2), 0);       /* default */
	CHECK(r[0] == 10 && r[1] == 120);
	CHECK_EQ_U64(w2(w2a, "hostpair", 5, 0, 0, 1, 1), 16);     /* host: 2 results */
	CHECK_EQ_U64(w2(w2a, "hostpair", 0xffffffff, 0, 0, 1, 1), 0x1fffffffeull);
	a[0] = 1, a[1] = 2, a[2] = 1;
	CHECK_EQ_U64(w2call(w2a, "indswap", a, 3, r, 2), 0);      /* call_indirect */
	CHECK(r[0] == 2 && r[1] == 1);
	w2_trap(w2a, "indswap", 1, 2, 0, 3, 2, WASM_TRAP_INDIRECT_CALL_TYPE);
	w2_trap(w2a, "indswap", 1, 2, 3, 3, 2, WASM_TRAP_UNINITIALIZED_ELEMENT);
	w2_trap(w2a, "indswap", 1, 2, 4, 3, 2, WASM_TRAP_UNDEFINED_ELEMENT);
}

TEST(references)
{
	REQUIRE(w2a);
	/* externref is the host's 64-bit value, 0 = null */
	CHECK_EQ_U64(w2(w2a, "ext_id", 0, 0, 0, 1, 1), 0);
	CHECK_EQ_U64(w2(w2a, "ext_id", 0x123456789abcull, 0, 0, 1, 1), 0x123456789abcull);
	CHECK_EQ_U64(w2(w2a, "isnull_ext", 0, 0, 0, 1, 1), 1);
	CHECK_EQ_U64(w2(w2a, "isnull_ext", 1, 0, 0, 1, 1), 0);
	CHECK_EQ_U64(w2(w2a, "null_ext", 0, 0, 0, 0, 1), 0);
	/* a funcref has one identity: ref.func, table.get, elem segments agree */
	uint64_t sub = w2(w2a, "ref_sub", 0, 0, 0, 0, 1);
	uint64_t five = w2(w2a, "ref_five", 0, 0, 0, 0, 1);
	CHECK(sub != 0 && five != 0 && sub != five);
	CHECK_EQ_U64(w2(w2a, "tget", 0, 0, 0, 1, 1), sub);
	CHECK_EQ_U64(w2(w2a, "isnull_func", sub, 0, 0, 1, 1), 0);
	CHECK_EQ_U64(w2(w2a, "isnull_func", 0, 0, 0, 1, 1), 1);
	CHECK_EQ_U64(w2(w2a, "tsel", sub, five, 1, 3, 1), sub);
	CHECK_EQ_U64(w2(w2a, "tsel", sub, five, 0, 3, 1), five);
	w2_trap(w2a, "tget", 4, 0, 0, 1, 1, WASM_TRAP_TABLE_OOB);
}

TEST(tables)
{
	REQUIRE(w2a);
	CHECK_EQ_U64(w2(w2a, "tsize", 0, 0, 0, 0, 1), 2);
	w2(w2a, "tset_ext", 1, 77, 0, 2, 0);
	CHECK_EQ_U64(w2(w2a, "tget_ext", 1, 0, 0, 1, 1), 77);
	CHECK_EQ_U64(w2(w2a, "tget_ext", 0, 0, 0, 1, 1), 0);
	w2_trap(w2a, "tget_ext", 2, 0, 0, 1, 1, WASM_TRAP_TABLE_OOB);
	w2_trap(w2a, "tset_ext", 0xffffffff, 1, 0, 2, 0, WASM_TRAP_TABLE_OOB);
	CHECK_EQ_U64(w2(w2a, "tgrow", 55, 3, 0, 2, 1), 2);          /* old size */
	CHECK_EQ_U64(w2(w2a, "tsize", 0, 0, 0, 0, 1), 5);
	CHECK_EQ_U64(w2(w2a, "tget_ext", 4, 0, 0, 1, 1), 55);
	CHECK_EQ_U64(w2(w2a, "tget_ext", 1, 0, 0, 1, 1), 77);       /* kept */
	CHECK_EQ_U64(w2(w2a, "tgrow", 0, 6, 0, 2, 1), 0xffffffff);  /* past max 10 */
	CHECK_EQ_U64(w2(w2a, "tgrow", 0, 0, 0, 2, 1), 5);
	CHECK_EQ_U64(w2(w2a, "tgrow", 0, 5, 0, 2, 1), 5);
	CHECK_EQ_U64(w2(w2a, "tsize", 0, 0, 0, 0, 1), 10);
	w2(w2a, "tfill", 8, 9, 2, 3, 0);
	CHECK_EQ_U64(w2(w2a, "tget_ext", 9, 0, 0, 1, 1), 9);
	CHECK_EQ_U64(w2(w2a, "tget_ext", 7, 0, 0, 1, 1), 0);
	w2_trap(w2a, "tfill", 9, 1, 2, 3, 0, WASM_TRAP_TABLE_OOB);  /* nothing written */
	CHECK_EQ_U64(w2(w2a, "tget_ext", 9, 0, 0, 1, 1), 9);
	w2(w2a, "tfill", 10, 1, 0, 3, 0);                          /* empty at the end */
	w2_trap(w2a, "tfill", 11, 1, 0, 3, 0, WASM_TRAP_TABLE_OOB);

	/* table.init from the passive segment [$sub, null, $five] */
	w2_trap(w2a, "tinit", 2, 0, 3, 3, 0, WASM_TRAP_TABLE_OOB);
	CHECK_EQ_U64(w2(w2a, "tget", 2, 0, 0, 1, 1), 0);           /* untouched */
	w2_trap(w2a, "tinit", 0, 1, 3, 3, 0, WASM_TRAP_TABLE_OOB);  /* past the segment */
	w2(w2a, "tinit", 1, 0, 3, 3, 0);
	CHECK_EQ_U64(w2(w2a, "call0", 3, 0, 0, 1, 1), 5);
	w2_trap(w2a, "call0", 2, 0, 0, 1, 1, WASM_TRAP_UNINITIALIZED_ELEMENT);
	w2_trap(w2a, "call0", 1, 0, 0, 1, 1, WASM_TRAP_INDIRECT_CALL_TYPE);
	w2(w2a, "tinit", 4, 3, 0, 3, 0);                            /* empty at both ends */
	w2_trap(w2a, "tinit", 5, 0, 0, 3, 0, WASM_TRAP_TABLE_OOB);
	w2(w2a, "edrop", 0, 0, 0, 0, 0);
	w2(w2a, "tinit", 0, 0, 0, 3, 0);                            /* dropped: length 0 */
	w2_trap(w2a, "tinit", 0, 0, 1, 3, 0, WASM_TRAP_TABLE_OOB);
	w2(w2a, "edrop", 0, 0, 0, 0, 0);                            /* twice is fine */
	w2_trap(w2a, "tinit0", 0, 0, 0, 0, 0, WASM_TRAP_TABLE_OOB); /* active: dropped */

	/* table.copy within t0 = [$sub, $sub, null, $five] */
	w2_trap(w2a, "tcopy", 3, 0, 2, 3, 0, WASM_TRAP_TABLE_OOB);
	w2(w2a, "tcopy", 0, 2, 2, 3, 0);
	CHECK_EQ_U64(w2(w2a, "call0", 1, 0, 0, 1, 1), 5);
	w2_trap(w2a, "call0", 0, 0, 0, 1, 1, WASM_TRAP_UNINITIALIZED_ELEMENT);
	w2(w2a, "tcopy", 1, 0, 3, 3, 0);                            /* overlapping */
	CHECK_EQ_U64(w2(w2a, "tget", 2, 0, 0, 1, 1), w2(w2a, "ref_five", 0, 0, 0, 0, 1));
	CHECK_EQ_U64(w2(w2a, "tget", 1, 0, 0, 1, 1), 0);
}

TEST(bulk_memory)
{
	REQUIRE(w2a);
	CHECK_EQ_U64(w2(w2a, "load8", 100, 0, 0, 1, 1), 'X');     /* active segment */
	w2_trap(w2a, "minit1", 0, 0, 0, 0, 0, WASM_TRAP_MEMORY_OOB);  /* ...dropped */
	w2(w2a, "minit", 0, 1, 3, 3, 0);
	CHECK_EQ_U64(w2(w2a, "load8", 0, 0, 0, 1, 1), 'e');
	CHECK_EQ_U64(w2(w2a, "load8", 2, 0, 0, 1, 1), 'l');
	CHECK_EQ_U64(w2(w2a, "load8", 3, 0, 0, 1, 1), 0);
	w2_trap(w2a, "minit", 65534, 0, 3, 3, 0, WASM_TRAP_MEMORY_OOB);
	CHECK_EQ_U64(w2(w2a, "load8", 65534, 0, 0, 1, 1), 0);     /* nothing written */
	w2(w2a, "minit", 65536, 0, 0, 3, 0);
	w2_trap(w2a, "minit", 65537, 0, 0, 3, 0, WASM_TRAP_MEMORY_OOB);
	w2(w2a, "minit", 0, 5, 0, 3, 0);
	w2_trap(w2a, "minit", 0, 6, 0, 3, 0, WASM_TRAP_MEMORY_OOB);
	w2_trap(w2a, "minit", 0, 0xffffffff, 2, 3, 0, WASM_TRAP_MEMORY_OOB);
	w2(w2a, "ddrop", 0, 0, 0, 0, 0);
	w2(w2a, "minit", 0, 0, 0, 3, 0);
	w2_trap(w2a, "minit", 0, 0, 1, 3, 0, WASM_TRAP_MEMORY_OOB);
}

/* funcrefs of another instance: call_indirect goes through jit_rt.call_ref */
TEST(cross_instance_refs)
{
	uint64_t a[3], r[3];

	REQUIRE(w2a && w2b);
	uint64_t sub = w2(w2a, "ref_sub", 0, 0, 0, 0, 1);
	CHECK_EQ_U64(w2(w2b, "callit", sub, 10, 3, 3, 1), 7);
	w2_trap(w2b, "callit", w2(w2a, "ref_five", 0, 0, 0, 0, 1), 1, 2, 3, 1,
		WASM_TRAP_INDIRECT_CALL_TYPE);
	w2_trap(w2b, "callit", 0, 1, 2, 3, 1, WASM_TRAP_UNINITIALIZED_ELEMENT);
	w2_trap(w2b, "callit", w2(w2a, "ref_boom", 0, 0, 0, 0, 1), 1, 2, 3, 1,
		WASM_TRAP_UNREACHABLE);
	a[0] = w2(w2a, "ref_three", 0, 0, 0, 0, 1);
	CHECK_EQ_U64(w2call(w2b, "callit3", a, 1, r, 3), 0);
	CHECK(r[0] == 1 && r[1] == 2 && f64(r[2]) == 3.5);
	a[0] = w2(w2a, "ref_fl", 0, 0, 0, 0, 1);
	CHECK_EQ_U64(w2call(w2b, "callitf", a, 1, r, 2), 0);        /* result 0 in xmm0 */
	CHECK(f64(r[0]) == 2.5 && r[1] == 9);
	/* and still callable after the traps */
	CHECK_EQ_U64(w2(w2b, "callit", sub, 1, 3, 3, 1), 0xfffffffe);
}

static void expect_invalid_mod(const uint8_t *bytes, size_t n, const char *msg)
{
	wasm_module *m = NULL;
	struct wasm_error err;

	int rc = wasm_module_load(bytes, n, &m, &err);
	CHECK(rc != 0);
	if (rc == 0) {
		fprintf(stderr, "expected \"%s\", got a valid module\n", msg);
		wasm_module_free(m);
		return;
	}
	if (!err.msg || strcmp(err.msg, msg))
		fprintf(stderr, "expected \"%s\", got \"%s\"\n", msg, err.msg ? err.msg : "(null)");
	CHECK(err.msg && !strcmp(err.msg, msg));
}

#define INVALID(name, msg) expect_invalid_mod(inv_##name, sizeof inv_##name, msg)

TEST(w2_validation)
{
	INVALID(undeclared, "undeclared function reference");
	INVALID(unk_table, "unknown table");
	INVALID(unk_elem, "unknown elem segment");
	INVALID(unk_data, "unknown data segment");
	INVALID(copy_types, "type mismatch");
	INVALID(init_types, "type mismatch");
	INVALID(set_type, "type mismatch");
	INVALID(sel_ref, "type mismatch");
	INVALID(if_params, "type mismatch");
	INVALID(blk_param, "type mismatch");
	INVALID(callind_ext, "type mismatch");
	INVALID(isnull_num, "type mismatch");

	/* hand-built bodies (build(): one memory, no data count section) */
	static const uint8_t ddrop[] = { 0xfc, 9, 0 };
	static const uint8_t minit[] = { 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 8, 0, 0 };
	static const uint8_t badbt[] = { 0x02, 0x05, 0x0b };            /* type 5 */
	static const uint8_t selarity[] = { 0x41, 0, 0x41, 0, 0x41, 0, 0x1c, 2, 0x7f, 0x7f, 0x1a };
	static const uint8_t refnull[] = { 0xd0, 0x7f, 0x1a };
	static const uint8_t badfc[] = { 0xfc, 18 };
	static const uint8_t loopbr[] = {       /* br to a loop carries its params */
		0x41, 0, 0x03, 0x00, 0x0c, 0, 0x0b, 0x1a };
	expect_invalid("", "", ddrop, sizeof ddrop, true, "data count section required", 0);
	expect_invalid("", "", minit, sizeof minit, true, "data count section required", 6);
	expect_invalid("", "", badbt, sizeof badbt, true, "unknown type", 0);
	expect_invalid("", "", selarity, sizeof selarity, true, "invalid result arity", 6);
	expect_invalid("", "", refnull, sizeof refnull, true, "malformed reference type", 0);
	expect_invalid("", "", badfc, sizeof badfc, true, "illegal opcode", 0);
	/* type 0 of build() is the function's own ([] -> []): the loop takes no
	   params, so the i32 stays below it and the br carries nothing */
	struct mb mod;
	wasm_module *m;
	struct wasm_error err;
	build(&mod, "", "", loopbr, sizeof loopbr, true);
	CHECK(wasm_module_load(mod.b, mod.n, &m, &err) == 0);
	if (m)
		wasm_module_free(m);
}

static void w2_teardown(void)
{
	wasm_instance_free(w2b);
	wasm_instance_free(w2a);
	wasm_module_free(w2b_mod);
	wasm_module_free(w2a_mod);
}

int main(void)
{
	plat_host_init();         /* SIGSEGV -> wasm_fault_redirect */
	RUN(numeric_ops);
	RUN(numeric_ops_fallbacks);
	RUN(clz_ctz_forms);
	RUN(ctl_setup);
	RUN(control_flow);
	RUN(calls_and_imports);
	RUN(memory);
	RUN(globals);
	RUN(traps_and_backtrace);
	RUN(validation);
	RUN(dead_code_emits_no_bytes);
	RUN(dead_code_still_validated);
	RUN(locals_zeroed);
	RUN(w2_setup);
	RUN(multi_value);
	RUN(references);
	RUN(tables);
	RUN(bulk_memory);
	RUN(cross_instance_refs);
	RUN(w2_validation);
	w2_teardown();
	CHECK_DONE();
}
