/*
 * spec_exec.c — the spec testsuite executor (spec_script.h): runs a parsed
 * script against the engine and the linker.  Portable: the same code runs
 * hosted (wasmetal spec) and in the kernel (wasmetal spec --qemu).
 * Command meanings follow the reference interpreter's script runner
 * (interpreter/script/run.ml):
 *
 *   module              load + instantiate (imports through the linker);
 *                       becomes the current module, maybe under a $name;
 *                       a module the host compiled ahead of time is an
 *                       artifact, loaded instead (load_artifact)
 *   register            make a module's exports importable under "as"
 *   action              invoke an export or get an exported global
 *   assert_return       the action's results, bit-exact; f32/f64 may ask for
 *                       nan:canonical or nan:arithmetic; references null,
 *                       ref.extern N, or (without a value) any non-null ref
 *   assert_trap         the action traps; the trap's spec message starts
 *   assert_exhaustion   with the expected text (run.ml's assert_message);
 *                       exhaustion is "call stack exhausted"
 *   assert_invalid,     the binary module must fail to load, and not merely
 *   assert_malformed    because it uses a feature the engine lacks
 *   assert_unlinkable   loads, then instantiation fails with a link error
 *                       whose message starts with the expected text
 *   assert_uninstantiable  loads, then instantiation traps, same rule as
 *                       assert_trap (so does an assert_trap on a module)
 *   assert_exception    the action ends with an uncaught Wasm exception
 *                       (exception handling: WASM_TRAP_EXCEPTION); a trap
 *                       is not one
 *
 * Features: the main suite's files run as Wasm 2.0 (one memory), those
 * of proposals/ with the proposals on (spec_file_features).
 *
 * A rejection (assert_invalid/malformed) passes whatever the engine's
 * message; how many said something else than the script is reported on a
 * "note:" line per file (verbose lists them), since run.ml would fail those.
 *
 * Every command counts: it passes or fails (module, register and action
 * included, so that a suite at 100% means every command did what the
 * script says).  Text-format modules (the .wat files of assert_malformed/
 * assert_invalid) are skipped: the engine reads binaries only, and
 * counting them as passed would not be honest.
 *
 * Each file runs in order with a fresh linker holding only "spectest";
 * every instance it made is freed at its end (newest first: importers
 * before exporters), so one process or one boot can run many files.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact.h"
#include "spec_script.h"

/* A module the script loaded, alive until the end of the file. */
struct loaded {
	const char *name;       /* "$M" or NULL (points into the spec_file) */
	wasm_module *mod;
	wasm_instance *inst;
};

struct runner {
	const struct spec_file *f;
	const char *wast;       /* for failure lines */
	const struct spec_out *o;
	wasm_linker *linker;
	struct loaded *mods;
	size_t nmods, cap;
	wasm_instance *current;
	uint32_t current_failed_line;   /* >0: the last module command failed */
	struct spec_counts c;
};

/* What an action did. */
enum outcome_kind { OUT_VALUES, OUT_TRAP, OUT_ERROR };

struct outcome {
	enum outcome_kind kind;
	struct wasm_trap trap;
	char msg[256];
	uint32_t n;
	uint8_t types[SPEC_MAX_VALUES];
	uint64_t vals[SPEC_MAX_VALUES];
	uint64_t hi[SPEC_MAX_VALUES];   /* a v128's bytes 8-15 (vals: 0-7) */
};

/* ---- the arena -------------------------------------------------------------- */

#define CHUNK_SIZE 65536

struct spec_chunk {
	struct spec_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *spec_alloc(struct spec_file *f, size_t n)
{
	struct spec_chunk *c = f->arena;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!n)
		n = 16;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;

		if (n > SIZE_MAX / 2 || !(c = malloc(sizeof *c + size)))
			return NULL;
		c->size = size;
		c->used = 0;
		if (size == n && f->arena) {    /* a big one: keep the current */
			c->next = f->arena->next;
			f->arena->next = c;
		} else {
			c->next = f->arena;
			f->arena = c;
		}
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *spec_strndup(struct spec_file *f, const char *s, size_t n)
{
	char *d = n < SIZE_MAX ? spec_alloc(f, n + 1) : NULL;

	if (d)
		memcpy(d, s, n);
	return d;
}

void spec_file_free(struct spec_file *f)
{
	struct spec_chunk *c = f->arena, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(f, 0, sizeof *f);
}

/* ---- reporting -------------------------------------------------------------- */

void spec_printf(const struct spec_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->write(o->ctx, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void pass(struct runner *r, uint32_t line, const char *what)
{
	r->c.passed++;
	if (r->o->verbose)
		spec_printf(r->o, "%s:%" PRIu32 ": %s: ok\n", r->wast, line, what);
}

static void fail(struct runner *r, uint32_t line, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct runner *r, uint32_t line, const char *what, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	r->c.failed++;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	spec_printf(r->o, "%s:%" PRIu32 ": %s: %s\n", r->wast, line, what, buf);
}

/* v128 (lo = bytes 0-7, hi = 8-15) as the 32-bit lanes, lane 0 first */
static void fmt_v128(char *buf, size_t len, uint64_t lo, uint64_t hi)
{
	snprintf(buf, len, "v128:i32x4 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32
		 " 0x%08" PRIx32, (uint32_t)lo, (uint32_t)(lo >> 32), (uint32_t)hi,
		 (uint32_t)(hi >> 32));
}

static void fmt_value(char *buf, size_t len, uint8_t t, uint64_t v)
{
	float f;
	double d;
	uint32_t b32 = (uint32_t)v;

	switch (t) {
	case WASM_I32:
		snprintf(buf, len, "i32:%" PRIu32, b32);
		break;
	case WASM_I64:
		snprintf(buf, len, "i64:%" PRIu64, v);
		break;
	case WASM_F32:
		memcpy(&f, &b32, sizeof f);
		snprintf(buf, len, "f32:0x%08" PRIx32 " (%.9g)", b32, (double)f);
		break;
	case WASM_F64:
		memcpy(&d, &v, sizeof d);
		snprintf(buf, len, "f64:0x%016" PRIx64 " (%.17g)", v, d);
		break;
	case WASM_EXTERNREF:
		if (v)
			snprintf(buf, len, "ref.extern %" PRIu64, v - 1);
		else
			snprintf(buf, len, "ref.null extern");
		break;
	case WASM_FUNCREF:
		snprintf(buf, len, v ? "ref.func" : "ref.null func");
		break;
	default:
		snprintf(buf, len, "%s:0x%" PRIx64, wasm_valtype_name(t), v);
	}
}

static void fmt_outcome(char *buf, size_t len, const struct outcome *o)
{
	size_t pos = 0;

	if (o->kind == OUT_ERROR) {
		snprintf(buf, len, "error: %s", o->msg);
		return;
	}
	if (o->kind == OUT_TRAP) {
		char t[160];

		snprintf(buf, len, "trap \"%s\"", wasm_trap_text(&o->trap, t, sizeof t));
		return;
	}
	buf[0] = 0;
	if (!o->n)
		snprintf(buf, len, "no values");
	for (uint32_t i = 0; i < o->n && pos < len; i++) {
		char v[64];

		if (o->types[i] == WASM_V128)
			fmt_v128(v, sizeof v, o->vals[i], o->hi[i]);
		else
			fmt_value(v, sizeof v, o->types[i], o->vals[i]);
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", v);
	}
}

/* The script's words for a value: "1", "nan:canonical", "null", ... */
static void fmt_script_value(char *buf, size_t len, const struct spec_value *v)
{
	switch (v->kind) {
	case SPEC_VAL_BITS:
	case SPEC_VAL_REF_EXTERN:
		snprintf(buf, len, "%" PRIu64, v->bits);
		break;
	case SPEC_VAL_NAN_CANONICAL: snprintf(buf, len, "nan:canonical"); break;
	case SPEC_VAL_NAN_ARITHMETIC: snprintf(buf, len, "nan:arithmetic"); break;
	case SPEC_VAL_REF_NULL: snprintf(buf, len, "null"); break;
	default: snprintf(buf, len, "?"); break;
	}
}

/* ---- modules ------------------------------------------------------------------ */

static void fmt_error(char *buf, size_t len, const struct wasm_error *e)
{
	wasm_error_format(e, buf, len);
}

static const struct spec_module *cmd_mod(struct runner *r, const struct spec_cmd *cmd)
{
	if (cmd->module < 0 || (uint32_t)cmd->module >= r->f->nmodules)
		return NULL;
	return &r->f->modules[cmd->module];
}

/* A module the host compiled ahead of time (wasmetal spec --backend):
 * its artifact, loaded with every check of jit_artifact_load.  Only valid
 * modules become artifacts (invalid ones stay bytes, rejected by
 * wasm_module_load with the messages of a plain run), so a refused
 * artifact is no rejection of the module: -2, a failure whatever the
 * command expected. */
static int load_artifact(const struct spec_module *sm, wasm_module **m, char *msg,
			 size_t len)
{
	char why[256];

	if (jit_artifact_load(sm->bytes, sm->len, m, why, sizeof why)) {
		snprintf(msg, len, "artifact refused: %s", why);
		*m = NULL;
		return -2;
	}
	return 0;
}

/* Load the binary module of cmd.  0; -1 when the engine rejected it (msg,
 * err); -2 when there is no binary to load or its artifact was refused
 * (msg). */
static int load_module(struct runner *r, const struct spec_cmd *cmd, wasm_module **m,
		       char *msg, size_t len, struct wasm_error *err)
{
	const struct spec_module *sm = cmd_mod(r, cmd);

	*m = NULL;
	memset(err, 0, sizeof *err);
	if (!sm) {
		snprintf(msg, len, "no filename in the command");
		return -2;
	}
	if (sm->error || sm->text || !sm->bytes) {
		snprintf(msg, len, "%s", sm->error ? sm->error :
			 sm->text ? "a text-format module" : "no module bytes");
		return -2;
	}
	if (sm->artifact) {
		if (load_artifact(sm, m, msg, len))
			return -2;
		r->c.artifacts++;
		return 0;
	}
	if (wasm_module_load(sm->bytes, sm->len, m, err)) {
		fmt_error(msg, len, err);
		*m = NULL;
		return -1;
	}
	r->c.compiled++;
	return 0;
}

static bool keep(struct runner *r, const char *name, wasm_module *m, wasm_instance *inst)
{
	if (r->nmods == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct loaded *l = realloc(r->mods, cap * sizeof *l);

		if (!l)
			return false;
		r->mods = l;
		r->cap = cap;
	}
	r->mods[r->nmods++] = (struct loaded){ name, m, inst };
	return true;
}

/* After a failed instantiation: an instance that trapped after writing to
 * an imported table or global lives on (wasm.h, wasm_instance_new), so it
 * stays until the end of the file like the others. */
static void keep_failed(struct runner *r, wasm_module *m, wasm_instance *inst)
{
	if (!inst)
		wasm_module_free(m);
	else if (!keep(r, NULL, m, inst))
		/* out of memory: leak it rather than free what may be used */
		spec_printf(r->o, "wasmetal spec: out of memory\n");
}

static wasm_instance *find_module(struct runner *r, const char *name)
{
	if (!name)
		return r->current;
	for (size_t i = r->nmods; i-- > 0;)
		if (r->mods[i].name && !strcmp(r->mods[i].name, name))
			return r->mods[i].inst;
	return NULL;
}

/* Instantiate m: 0, -1 link error (msg), -2 trap (trap). */
static int instantiate(struct runner *r, wasm_module *m, wasm_instance **inst,
		       struct wasm_error *err, struct wasm_trap *trap,
		       char *msg, size_t len)
{
	int rc;

	memset(err, 0, sizeof *err);
	memset(trap, 0, sizeof *trap);
	rc = wasm_linker_instantiate(r->linker, m, inst, err, trap);
	if (rc == -1)
		fmt_error(msg, len, err);
	return rc;
}

static void cmd_module(struct runner *r, const struct spec_cmd *cmd)
{
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_module *m;
	wasm_instance *inst = NULL;
	char msg[512], tt[160];
	int rc;

	r->current = NULL;
	r->current_failed_line = cmd->line ? cmd->line : 1;
	if (load_module(r, cmd, &m, msg, sizeof msg, &err)) {
		fail(r, cmd->line, "module", "expected a valid module, got %s", msg);
		return;
	}
	rc = instantiate(r, m, &inst, &err, &trap, msg, sizeof msg);
	if (rc == -2)
		snprintf(msg, sizeof msg, "trap \"%s\"", wasm_trap_text(&trap, tt, sizeof tt));
	if (rc) {
		fail(r, cmd->line, "module", "expected instantiation, got %s", msg);
		keep_failed(r, m, inst);
		return;
	}
	if (!keep(r, cmd->name, m, inst)) {
		wasm_instance_free(inst);
		wasm_module_free(m);
		fail(r, cmd->line, "module", "out of memory");
		return;
	}
	r->current = inst;
	r->current_failed_line = 0;
	pass(r, cmd->line, "module");
}

static void cmd_register(struct runner *r, const struct spec_cmd *cmd)
{
	wasm_instance *inst = find_module(r, cmd->name);

	if (!cmd->as || !inst) {
		fail(r, cmd->line, "register", "expected module %s, got none%s",
		     cmd->name ? cmd->name : "(current)",
		     r->current_failed_line ? " (its module command failed)" : "");
		return;
	}
	if (wasm_linker_define_instance(r->linker, cmd->as, inst)) {
		fail(r, cmd->line, "register", "out of memory");
		return;
	}
	pass(r, cmd->line, "register");
}

/* ---- actions ------------------------------------------------------------------ */

/* "assert_return add(i32:1, i32:2)", "action get g", ... */
static void describe_action(char *buf, size_t len, const char *cmd,
			    const struct spec_action *act)
{
	const char *field = act->field ? act->field : "?", *mod = act->module;
	size_t pos;

	if (act->kind == SPEC_ACT_GET) {
		snprintf(buf, len, "%s get %s%s%s", cmd, mod ? mod : "", mod ? "." : "",
			 field);
		return;
	}
	pos = (size_t)snprintf(buf, len, "%s %s%s%s(", cmd, mod ? mod : "",
			       mod ? "." : "", field);
	for (uint32_t i = 0; i < act->nargs && pos < len; i++) {
		char v[32];

		fmt_script_value(v, sizeof v, &act->args[i]);
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s:%s", i ? ", " : "",
					wasm_valtype_name(act->args[i].type), v);
	}
	if (pos < len)
		snprintf(buf + pos, len - pos, ")");
}

static void no_module(struct runner *r, struct outcome *o)
{
	o->kind = OUT_ERROR;
	if (r->current_failed_line)
		snprintf(o->msg, sizeof o->msg, "no module (the module at line %" PRIu32
			 " failed)", r->current_failed_line);
	else
		snprintf(o->msg, sizeof o->msg, "no such module");
}

static void do_get(wasm_instance *inst, const struct spec_action *act,
		   struct outcome *o)
{
	const char *field = act->field;

	if (wasm_export_global_get_n(inst, field, act->field_len, &o->types[0],
				     &o->vals[0])) {
		o->kind = OUT_ERROR;
		snprintf(o->msg, sizeof o->msg, "no global export \"%s\"", field);
		return;
	}
	o->kind = OUT_VALUES;
	o->n = 1;
}

/* An argument as the engine takes it: numbers are their bits, references
 * 0 for null or (externref) N + 1. */
static bool arg_bits(const struct spec_value *v, uint64_t *bits)
{
	switch (v->type) {
	case WASM_V128:         /* bits 0-63 here, v->hi the rest */
		*bits = v->bits;
		return v->kind == SPEC_VAL_BITS && !v->nan_canon && !v->nan_arith;
	case WASM_I32:
	case WASM_F32:
		*bits = v->bits;
		return v->kind == SPEC_VAL_BITS && v->bits <= UINT32_MAX;
	case WASM_I64:
	case WASM_F64:
		*bits = v->bits;
		return v->kind == SPEC_VAL_BITS;
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
		if (v->kind == SPEC_VAL_REF_NULL) {
			*bits = 0;
			return true;
		}
		*bits = v->bits + 1;
		return v->type == WASM_EXTERNREF && v->kind == SPEC_VAL_REF_EXTERN &&
		       v->bits < UINT64_MAX;
	default:
		return false;   /* unknown types */
	}
}

/* wasm_call_val: for functions with a v128 parameter or result */
static int invoke_val(wasm_instance *inst, const struct spec_action *act, uint32_t np,
		      const uint64_t *argv, struct outcome *o, uint32_t nr,
		      struct wasm_error *err)
{
	struct wasm_val args[SPEC_MAX_VALUES], res[SPEC_MAX_VALUES];
	int rc;

	for (uint32_t i = 0; i < np; i++)
		args[i] = (struct wasm_val){ argv[i], act->args[i].type == WASM_V128 ?
					     act->args[i].hi : 0 };
	rc = wasm_call_val(inst, act->field, act->field_len, args, np, res, nr,
			   &o->trap, err);
	for (uint32_t i = 0; !rc && i < nr; i++) {
		o->vals[i] = res[i].lo;
		o->hi[i] = res[i].hi;
	}
	return rc;
}

static void do_invoke(wasm_instance *inst, const struct spec_action *act,
		      struct outcome *o)
{
	const char *field = act->field;
	uint8_t ptypes[SPEC_MAX_VALUES];
	uint64_t argv[SPEC_MAX_VALUES];
	uint32_t np, nr;
	struct wasm_error err = { 0 };
	int rc;

	o->kind = OUT_ERROR;
	if (wasm_export_func_type_n(inst, field, act->field_len, &np, ptypes, &nr,
				    o->types, SPEC_MAX_VALUES)) {
		snprintf(o->msg, sizeof o->msg, "no function export \"%s\"", field);
		return;
	}
	if (np > SPEC_MAX_VALUES || nr > SPEC_MAX_VALUES || act->nargs != np) {
		snprintf(o->msg, sizeof o->msg, "\"%s\" takes %" PRIu32 " arguments and "
			 "returns %" PRIu32 " values (runner limit %d), script passes %"
			 PRIu32, field, np, nr, SPEC_MAX_VALUES, act->nargs);
		return;
	}
	for (uint32_t i = 0; i < np; i++) {
		const struct spec_value *a = &act->args[i];

		if (!arg_bits(a, &argv[i])) {
			snprintf(o->msg, sizeof o->msg, "unsupported argument %" PRIu32
				 " (%s)", i, wasm_valtype_name(a->type));
			return;
		}
		if (a->type != ptypes[i]) {
			snprintf(o->msg, sizeof o->msg, "argument %" PRIu32 " is %s, \"%s\" "
				 "wants %s", i, wasm_valtype_name(a->type), field,
				 wasm_valtype_name(ptypes[i]));
			return;
		}
	}
	bool v128 = false;
	for (uint32_t i = 0; i < np; i++)
		v128 |= ptypes[i] == WASM_V128;
	for (uint32_t i = 0; i < nr; i++)
		v128 |= o->types[i] == WASM_V128;
	if (v128)
		rc = invoke_val(inst, act, np, argv, o, nr, &err);
	else
		rc = wasm_call_n(inst, field, act->field_len, argv, np, o->vals, nr,
				 &o->trap, &err);
	if (rc < 0) {
		fmt_error(o->msg, sizeof o->msg, &err);
		return;
	}
	if (rc > 0) {
		o->kind = OUT_TRAP;
		return;
	}
	o->kind = OUT_VALUES;
	o->n = nr;
}

static void run_action(struct runner *r, const struct spec_action *act,
		       struct outcome *o)
{
	wasm_instance *inst = find_module(r, act->module);

	memset(o, 0, sizeof *o);
	if (!inst) {
		no_module(r, o);
		return;
	}
	o->kind = OUT_ERROR;
	if (act->kind == SPEC_ACT_NONE || !act->field) {
		snprintf(o->msg, sizeof o->msg, "malformed action");
	} else if (act->kind == SPEC_ACT_INVOKE) {
		do_invoke(inst, act, o);       /* names may hold NULs: with length */
	} else if (act->kind == SPEC_ACT_GET) {
		do_get(inst, act, o);
	} else {
		snprintf(o->msg, sizeof o->msg, "unknown action type");
	}
}

static void cmd_action(struct runner *r, const struct spec_cmd *cmd)
{
	struct outcome o;
	char what[256], got[512];

	describe_action(what, sizeof what, "action", &cmd->action);
	run_action(r, &cmd->action, &o);
	if (o.kind == OUT_VALUES) {
		pass(r, cmd->line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, cmd->line, what, "expected a normal return, got %s", got);
}

/* ---- assert_return -------------------------------------------------------- */

static bool is_canonical_nan(uint8_t t, uint64_t v)
{
	if (t == WASM_F32)
		return ((uint32_t)v & 0x7fffffffu) == 0x7fc00000u;
	return (v & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}

static bool is_arithmetic_nan(uint8_t t, uint64_t v)
{
	if (t == WASM_F32)
		return ((uint32_t)v & 0x7fc00000u) == 0x7fc00000u;
	return (v & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* lane i (of e's lane size) of the v128 (lo, hi) */
static uint64_t v128_lane(const struct spec_value *e, uint64_t lo, uint64_t hi, unsigned i)
{
	unsigned bit = i * e->lane_bits;
	uint64_t w = bit < 64 ? lo : hi;
	uint64_t x = w >> (bit % 64);

	return e->lane_bits == 64 ? x : x & ((1ull << e->lane_bits) - 1);
}

/* Does the v128 result (lo, hi) match e, lane by lane (NaN patterns per
 * float lane)? */
static bool match_v128(const struct spec_value *e, uint64_t lo, uint64_t hi)
{
	uint8_t lt = e->lane_bits == 32 ? WASM_F32 : WASM_F64;

	if (e->kind != SPEC_VAL_BITS || !e->lane_bits)
		return false;
	for (unsigned i = 0; i < 128u / e->lane_bits; i++) {
		uint64_t got = v128_lane(e, lo, hi, i);
		if (e->lane_float && (e->nan_canon >> i & 1)) {
			if (!is_canonical_nan(lt, got))
				return false;
		} else if (e->lane_float && (e->nan_arith >> i & 1)) {
			if (!is_arithmetic_nan(lt, got))
				return false;
		} else if (got != v128_lane(e, e->bits, e->hi, i)) {
			return false;
		}
	}
	return true;
}

/* Expected value e in words. */
static void describe_expected(char *desc, size_t len, const struct spec_value *e)
{
	char s[32];

	if (e->type == WASM_V128) {
		fmt_v128(desc, len, e->bits, e->hi);
		if (e->nan_canon || e->nan_arith) {
			size_t n = strlen(desc);
			snprintf(desc + n, len - n, " (NaN lanes: canonical 0x%x, arithmetic 0x%x)",
				 e->nan_canon, e->nan_arith);
		}
		return;
	}

	fmt_script_value(s, sizeof s, e);
	if (e->type == WASM_FUNCREF)
		snprintf(desc, len, e->kind == SPEC_VAL_REF_NULL ? "ref.null func" : "ref.func");
	else if (e->type == WASM_EXTERNREF && e->kind == SPEC_VAL_REF_ANY)
		snprintf(desc, len, "externref:(any non-null)");
	else if (e->type == WASM_EXTERNREF)
		snprintf(desc, len, e->kind == SPEC_VAL_REF_NULL ? "ref.null extern" :
			 "ref.extern %s", s);
	else if (e->kind == SPEC_VAL_BITS && e->type >= WASM_F64 && e->type <= WASM_I32)
		fmt_value(desc, len, e->type, e->bits);
	else
		snprintf(desc, len, "%s:%s", wasm_valtype_name(e->type), s);
}

/* Does result (t, v) match expected e? */
static bool match_value(const struct spec_value *e, uint8_t t, uint64_t v)
{
	if (!e->type || e->type != t || e->kind == SPEC_VAL_BAD)
		return false;
	switch (e->type) {
	case WASM_F32:
	case WASM_F64:
		if (e->kind == SPEC_VAL_NAN_CANONICAL)
			return is_canonical_nan(t, v);
		if (e->kind == SPEC_VAL_NAN_ARITHMETIC)
			return is_arithmetic_nan(t, v);
		__attribute__((fallthrough));   /* exact bits */
	case WASM_I32:
	case WASM_I64:
		return e->kind == SPEC_VAL_BITS && e->bits == v;
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
		if (e->kind == SPEC_VAL_REF_NULL)
			return v == 0;
		/* (ref.func) is any non-null funcref (wast2json 1.0.32 writes
		 * it with "value": "0", or without a value); (ref.extern) with
		 * no number any non-null externref */
		if (e->kind == SPEC_VAL_REF_ANY || e->type == WASM_FUNCREF)
			return v != 0;
		return e->kind == SPEC_VAL_REF_EXTERN && e->bits < UINT64_MAX &&
		       v == e->bits + 1;
	default:
		return false;           /* v128: match_v128 */
	}
}

/* Does outcome o match the n values of e?  Appends their description to
 * want (at *pos). */
static bool match_values(const struct outcome *o, const struct spec_value *e,
			 uint32_t n, char *want, size_t len, size_t *pos)
{
	char one[128];
	bool ok = o->kind == OUT_VALUES && o->n == n;

	for (uint32_t i = 0; i < n; i++) {
		ok = ok && i < o->n && (e[i].type == WASM_V128 && o->types[i] == WASM_V128 ?
					match_v128(&e[i], o->vals[i], o->hi[i]) :
					match_value(&e[i], o->types[i], o->vals[i]));
		describe_expected(one, sizeof one, &e[i]);
		if (*pos < len)
			*pos += (size_t)snprintf(want + *pos, len - *pos, "%s%s",
						 i ? ", " : "", one);
	}
	if (!n && *pos < len)
		*pos += (size_t)snprintf(want + *pos, len - *pos, "no values");
	return ok;
}

/* assert_return: the values expected, or (either ...) any one of the
 * alternatives (cmd->neither) */
static void cmd_assert_return(struct runner *r, const struct spec_cmd *cmd)
{
	struct outcome o;
	char what[256], got[512], want[1024];
	size_t pos = 0;
	bool ok = false;
	uint32_t nalt = cmd->neither ? cmd->neither : 1;

	describe_action(what, sizeof what, "assert_return", &cmd->action);
	run_action(r, &cmd->action, &o);
	want[0] = 0;
	if (cmd->neither)
		pos += (size_t)snprintf(want, sizeof want, "either ");
	for (uint32_t a = 0; a < nalt; a++) {
		if (a && pos < sizeof want)
			pos += (size_t)snprintf(want + pos, sizeof want - pos, " or ");
		const struct spec_value *e = cmd->nexpected ?
			cmd->expected + (size_t)a * cmd->nexpected : NULL;

		if (match_values(&o, e, cmd->nexpected, want, sizeof want, &pos))
			ok = true;
	}
	if (ok) {
		pass(r, cmd->line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, cmd->line, what, "expected %s, got %s", want, got);
}

/* ---- traps and invalid modules ------------------------------------------- */

/* run.ml's assert_message: the expected text is a prefix of the message. */
static bool message_matches(const char *msg, const char *expected)
{
	return expected && !strncmp(msg, expected, strlen(expected));
}

static void cmd_assert_trap(struct runner *r, const struct spec_cmd *cmd,
			    const char *kind)
{
	struct outcome o;
	char what[256], got[512], tt[160];

	describe_action(what, sizeof what, kind, &cmd->action);
	run_action(r, &cmd->action, &o);
	if (o.kind == OUT_TRAP &&
	    message_matches(wasm_trap_text(&o.trap, tt, sizeof tt), cmd->text)) {
		pass(r, cmd->line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, cmd->line, what, "expected trap \"%s\", got %s",
	     cmd->text ? cmd->text : "?", got);
}

static void cmd_assert_exception(struct runner *r, const struct spec_cmd *cmd)
{
	struct outcome o;
	char what[256], got[512];

	describe_action(what, sizeof what, "assert_exception", &cmd->action);
	run_action(r, &cmd->action, &o);
	if (o.kind == OUT_TRAP && o.trap.code == WASM_TRAP_EXCEPTION) {
		pass(r, cmd->line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, cmd->line, what, "expected an uncaught exception, got %s", got);
}

static bool skip_text(struct runner *r, const struct spec_cmd *cmd, const char *kind)
{
	const struct spec_module *sm = cmd_mod(r, cmd);

	if (!sm || !sm->text)
		return false;
	r->c.skipped++;
	if (r->o->verbose)
		spec_printf(r->o, "%s:%" PRIu32 ": %s: skipped (text format)\n",
			    r->wast, cmd->line, kind);
	return true;
}

/* An error that says the engine lacks a feature is not a validation error. */
static bool is_unsupported(const char *msg)
{
	return strstr(msg, "not supported") || strstr(msg, "unsupported");
}

static void cmd_assert_rejected(struct runner *r, const struct spec_cmd *cmd,
				const char *kind)
{
	const char *text = cmd->text;
	struct wasm_error err;
	wasm_module *m;
	char msg[512];
	int rc;

	if (skip_text(r, cmd, kind))
		return;
	rc = load_module(r, cmd, &m, msg, sizeof msg, &err);
	if (rc == 0) {
		wasm_module_free(m);
		fail(r, cmd->line, kind, "expected rejection (\"%s\"), got a valid module",
		     text ? text : "?");
	} else if (rc == -2) {
		fail(r, cmd->line, kind, "%s", msg);
	} else if (is_unsupported(msg)) {
		fail(r, cmd->line, kind, "expected rejection (\"%s\"), got a rejection "
		     "for a missing feature: %s", text ? text : "?", msg);
	} else {
		pass(r, cmd->line, kind);
		if (message_matches(err.msg ? err.msg : "", text))
			return;
		r->c.other_msg++;
		if (r->o->verbose)
			spec_printf(r->o, "%s:%" PRIu32 ": %s: note: expected \"%s\", "
				    "engine said %s\n", r->wast, cmd->line, kind,
				    text ? text : "?", msg);
	}
}

/* assert_unlinkable (want_trap false) and assert_uninstantiable (true). */
static void cmd_assert_instantiate(struct runner *r, const struct spec_cmd *cmd,
				   const char *kind, bool want_trap)
{
	const char *text = cmd->text;
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_module *m;
	wasm_instance *inst = NULL;
	char msg[512], tt[160];
	int rc;

	if (skip_text(r, cmd, kind))
		return;
	if (load_module(r, cmd, &m, msg, sizeof msg, &err)) {
		fail(r, cmd->line, kind, "expected a module that loads, got %s", msg);
		return;
	}
	rc = instantiate(r, m, &inst, &err, &trap, msg, sizeof msg);
	if (rc == 0) {
		/* keep it alive: it may have written to shared state */
		if (!keep(r, NULL, m, inst)) {
			wasm_instance_free(inst);
			wasm_module_free(m);
		}
		fail(r, cmd->line, kind, "expected %s \"%s\", got an instance",
		     want_trap ? "trap" : "link error", text ? text : "?");
		return;
	}
	keep_failed(r, m, inst);
	if (rc == -2)
		snprintf(msg, sizeof msg, "trap \"%s\"", wasm_trap_text(&trap, tt, sizeof tt));
	if (want_trap ? rc == -2 && message_matches(wasm_trap_text(&trap, tt, sizeof tt), text)
		      : rc == -1 && message_matches(err.msg ? err.msg : "", text)) {
		pass(r, cmd->line, kind);
		return;
	}
	fail(r, cmd->line, kind, "expected %s \"%s\", got %s",
	     want_trap ? "trap" : "link error", text ? text : "?", msg);
}

/* ---- files ------------------------------------------------------------------ */

static void run_command(struct runner *r, const struct spec_cmd *cmd)
{
	switch (cmd->kind) {
	case SPEC_CMD_MODULE:
		cmd_module(r, cmd);
		break;
	case SPEC_CMD_REGISTER:
		cmd_register(r, cmd);
		break;
	case SPEC_CMD_ACTION:
		cmd_action(r, cmd);
		break;
	case SPEC_CMD_ASSERT_RETURN:
		cmd_assert_return(r, cmd);
		break;
	case SPEC_CMD_ASSERT_TRAP:
		cmd_assert_trap(r, cmd, "assert_trap");
		break;
	case SPEC_CMD_ASSERT_EXHAUSTION:
		cmd_assert_trap(r, cmd, "assert_exhaustion");
		break;
	case SPEC_CMD_ASSERT_INVALID:
		cmd_assert_rejected(r, cmd, "assert_invalid");
		break;
	case SPEC_CMD_ASSERT_MALFORMED:
		cmd_assert_rejected(r, cmd, "assert_malformed");
		break;
	case SPEC_CMD_ASSERT_UNLINKABLE:
		cmd_assert_instantiate(r, cmd, "assert_unlinkable", false);
		break;
	case SPEC_CMD_ASSERT_UNINSTANTIABLE:
		cmd_assert_instantiate(r, cmd, "assert_uninstantiable", true);
		break;
	case SPEC_CMD_ASSERT_EXCEPTION:
		cmd_assert_exception(r, cmd);
		break;
	case SPEC_CMD_ASSERT_TRAP_MODULE:       /* older scripts: start traps */
		cmd_assert_instantiate(r, cmd, "assert_trap", true);
		break;
	default:
		if (cmd->name)
			fail(r, cmd->line, cmd->name, "unknown command type");
		else
			fail(r, cmd->line, "?", "command without a type");
	}
}

/* Everything the file made, newest first (importers before exporters). */
static void release(struct runner *r)
{
	for (size_t i = r->nmods; i-- > 0;) {
		wasm_instance_free(r->mods[i].inst);
		wasm_module_free(r->mods[i].mod);
	}
	free(r->mods);
	r->mods = NULL;
	r->nmods = r->cap = 0;
	wasm_linker_free(r->linker);
	r->linker = NULL;
}

/* A fresh linker with "spectest" in it. */
static int setup(struct runner *r)
{
	struct wasm_error err = { 0 };
	wasm_module *m;
	wasm_instance *inst;
	char msg[256];

	r->linker = wasm_linker_new();
	if (!r->linker) {
		spec_printf(r->o, "%s: out of memory\n", r->f->name);
		return -1;
	}
	if (spectest_new(r->o, &m, &inst, &err)) {
		fmt_error(msg, sizeof msg, &err);
		spec_printf(r->o, "%s: the spectest module: %s\n", r->f->name, msg);
		return -1;
	}
	if (!keep(r, NULL, m, inst) ||
	    wasm_linker_define_instance(r->linker, "spectest", inst)) {
		spec_printf(r->o, "%s: out of memory\n", r->f->name);
		return -1;
	}
	return 0;
}

static void print_counts(const struct spec_out *o, const struct spec_counts *c)
{
	spec_printf(o, "%u passed, %u failed", c->passed, c->failed);
	if (c->skipped)
		spec_printf(o, ", %u skipped", c->skipped);
}

/* Passed rejections whose engine message differs from the script's
 * expected text (run.ml would fail them; verbose lists them). */
static void print_other_msg(const struct spec_out *o, const char *name,
			    const struct spec_counts *c)
{
	if (c->other_msg)
		spec_printf(o, "%s: note: %u of the passed rejections gave another "
			    "message than the script's\n", name, c->other_msg);
}

/* The main suite is Wasm 2.0, which says a second memory is invalid
 * ("multiple memories") and a 64-bit memory malformed; the proposals'
 * files (converted into a directory named proposals/PROPOSAL/,
 * tests/spec/run-suite.sh) expect the proposal on, memory64's without
 * multi-memory (its files check "multiple memories" too).  The one place that decides, per file, hosted and in
 * the kernel alike (the name travels in the blob). */
void spec_file_features(const struct spec_file *f)
{
	bool proposal = f->name && strstr(f->name, "proposals/");
	unsigned off = WASM_FEATURE_MULTI_MEMORY | WASM_FEATURE_MEMORY64 |
		       WASM_FEATURE_EXCEPTIONS;

	/* memory64's files are Wasm 2.0 plus memory64 only: they check that
	   a second memory is invalid ("multiple memories"); exception
	   handling only in its own directory (the others' binary.wast
	   copies check that section id 13 is malformed), whose files are
	   Wasm 2.0 plus exception handling ("multiple memories", memory.grow's
	   "zero byte expected") */
	if (proposal && strstr(f->name, "proposals/memory64/"))
		off = WASM_FEATURE_MULTI_MEMORY | WASM_FEATURE_EXCEPTIONS;
	else if (proposal && strstr(f->name, "proposals/exception-handling/"))
		off = WASM_FEATURE_MULTI_MEMORY | WASM_FEATURE_MEMORY64;  /* 2.0 + it */
	else if (proposal)
		off = WASM_FEATURE_EXCEPTIONS;
	wasm_features_set(WASM_FEATURES_ALL & ~off);
}

void spec_run_file(const struct spec_file *f, const struct spec_out *o,
		   struct spec_counts *total)
{
	const char *name = f->name ? f->name : "?";
	struct runner r = { .f = f, .o = o, .wast = f->wast ? f->wast : name };

	spec_file_features(f);
	total->files++;
	if (f->error) {
		spec_printf(o, "%s\n", f->error);
		total->failed++;        /* an unreadable file is a failure */
		return;
	}
	if (setup(&r)) {
		release(&r);
		total->failed++;
		return;
	}
	for (uint32_t i = 0; i < f->ncmds; i++)
		run_command(&r, &f->cmds[i]);
	if (o->file_done)
		o->file_done(o->ctx, f, false);
	release(&r);
	print_other_msg(o, name, &r.c);
	spec_printf(o, "%s: ", name);
	print_counts(o, &r.c);
	spec_printf(o, "\n");
	total->passed += r.c.passed;
	total->failed += r.c.failed;
	total->skipped += r.c.skipped;
	total->other_msg += r.c.other_msg;
	total->artifacts += r.c.artifacts;
	total->compiled += r.c.compiled;
	if (o->file_done)
		o->file_done(o->ctx, f, true);
}

void spec_print_total(const struct spec_out *o, const struct spec_counts *total)
{
	if (total->files > 1)
		print_other_msg(o, "total", total);
	if (total->artifacts)
		spec_printf(o, "note: %u script modules loaded from artifacts, %u compiled "
			    "here\n", total->artifacts, total->compiled);
	print_counts(o, total);
	spec_printf(o, "\n");
}
