/*
 * spec.c — `wasmetal spec [-v] [--truncate] FILE.json...`: runs the WebAssembly spec
 * testsuite's scripts as wast2json (wabt) writes them: a JSON list of
 * commands with the modules beside it as .wasm/.wat files.  Command
 * meanings follow the reference interpreter's script runner
 * (interpreter/script/run.ml):
 *
 *   module              load + instantiate (imports through the linker);
 *                       becomes the current module, maybe under a $name
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
 *
 * A rejection (assert_invalid/malformed) passes whatever the engine's
 * message; how many said something else than the script is reported on a
 * "note:" line per file (-v lists them), since run.ml would fail those.
 *
 * Every command counts: it passes or fails (module, register and action
 * included, so that a suite at 100% means every command did what the
 * script says).  Text-format modules (module_type "text", the .wat files of
 * assert_malformed/assert_invalid) are skipped: the engine reads binaries
 * only, and counting them as passed would not be honest.
 *
 * Each file runs in order with a fresh linker holding only "spectest"
 * (host/spectest.c).  Output: one "FILE:LINE: command: expected ..., got ..."
 * line per failure, a summary line per file, and last
 * "N passed, N failed" (+ ", N skipped").
 *
 * --truncate runs the truncation sweep instead (see sweep_module).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spec.h"

#define MAX_VALUES 64

struct counts {
	unsigned passed, failed, skipped;
	unsigned other_msg;     /* rejections passed with another message */
};

/* A module the script loaded, alive until the end of the file. */
struct loaded {
	char *name;             /* "$M" or NULL */
	wasm_module *mod;
	wasm_instance *inst;
};

struct runner {
	const char *wast;       /* source_filename, for messages */
	char dir[PATH_MAX];     /* where the .wasm files are */
	bool verbose;
	wasm_linker *linker;
	struct loaded *mods;
	size_t nmods;
	wasm_instance *current;
	long current_failed_line;       /* >0: the last module command failed */
	struct counts c;
	unsigned long prefixes, prefixes_loaded;        /* --truncate */
};

/* What an action did. */
enum outcome_kind { OUT_VALUES, OUT_TRAP, OUT_ERROR };

struct outcome {
	enum outcome_kind kind;
	struct wasm_trap trap;
	char msg[256];
	uint32_t n;
	uint8_t types[MAX_VALUES];
	uint64_t vals[MAX_VALUES];
};

/* ---- reporting -------------------------------------------------------------- */

static void pass(struct runner *r, long line, const char *what)
{
	r->c.passed++;
	if (r->verbose)
		printf("%s:%ld: %s: ok\n", r->wast, line, what);
}

static void fail(struct runner *r, long line, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct runner *r, long line, const char *what, const char *fmt, ...)
{
	va_list ap;

	r->c.failed++;
	printf("%s:%ld: %s: ", r->wast, line, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *type_name(uint8_t t)
{
	switch (t) {
	case WASM_I32: return "i32";
	case WASM_I64: return "i64";
	case WASM_F32: return "f32";
	case WASM_F64: return "f64";
	case WASM_V128: return "v128";
	case WASM_FUNCREF: return "funcref";
	case WASM_EXTERNREF: return "externref";
	default: return "?";
	}
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
		snprintf(buf, len, "%s:0x%" PRIx64, type_name(t), v);
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

		fmt_value(v, sizeof v, o->types[i], o->vals[i]);
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", v);
	}
}

/* ---- JSON helpers --------------------------------------------------------- */

static const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long jline(json_t *cmd)
{
	json_t *v = json_object_get(cmd, "line");

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static uint8_t parse_type(const char *s)
{
	static const struct { const char *name; uint8_t t; } types[] = {
		{ "i32", WASM_I32 }, { "i64", WASM_I64 }, { "f32", WASM_F32 },
		{ "f64", WASM_F64 }, { "v128", WASM_V128 },
		{ "funcref", WASM_FUNCREF }, { "externref", WASM_EXTERNREF },
	};

	for (size_t i = 0; s && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(s, types[i].name))
			return types[i].t;
	return 0;
}

/* An argument value: numbers are the bits in decimal; references "null" or
 * (externref) a number N, passed to the engine as N + 1 (0 is null). */
static bool parse_arg(json_t *v, uint8_t *type, uint64_t *bits)
{
	const char *s = jstr(v, "value");

	*type = parse_type(jstr(v, "type"));
	switch (*type) {
	case WASM_I32:
	case WASM_F32:
		return parse_u64(s, bits) && *bits <= UINT32_MAX;
	case WASM_I64:
	case WASM_F64:
		return parse_u64(s, bits);
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
		if (s && !strcmp(s, "null")) {
			*bits = 0;
			return true;
		}
		if (*type == WASM_EXTERNREF && parse_u64(s, bits) && *bits < UINT64_MAX) {
			*bits += 1;
			return true;
		}
		return false;
	default:
		return false;   /* v128 and unknown types */
	}
}

/* ---- modules ------------------------------------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(n ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
out:
	fclose(f);
	return buf;
}

static void fmt_error(char *buf, size_t len, const struct wasm_error *e)
{
	wasm_error_format(e, buf, len);
}

/* Load the binary module of cmd ("filename").  0; -1 when the engine
 * rejected it (msg, err); -2 when the file could not be read (msg). */
static int load_module(struct runner *r, json_t *cmd, wasm_module **m,
		       char *msg, size_t len, struct wasm_error *err)
{
	const char *file = jstr(cmd, "filename");
	char path[PATH_MAX + 256];
	uint8_t *bytes;
	size_t n = 0;
	int rc;

	*m = NULL;
	memset(err, 0, sizeof *err);
	if (!file) {
		snprintf(msg, len, "no filename in the command");
		return -2;
	}
	snprintf(path, sizeof path, "%s/%s", r->dir, file);
	bytes = read_file(path, &n);
	if (!bytes) {
		snprintf(msg, len, "cannot read %.300s: %s", path, strerror(errno));
		return -2;
	}
	rc = wasm_module_load(bytes, n, m, err);
	free(bytes);
	if (rc) {
		fmt_error(msg, len, err);
		*m = NULL;
		return -1;
	}
	return 0;
}

static bool keep(struct runner *r, const char *name, wasm_module *m, wasm_instance *inst)
{
	struct loaded *l = realloc(r->mods, (r->nmods + 1) * sizeof *l);

	if (!l)
		return false;
	r->mods = l;
	l[r->nmods].name = name ? strdup(name) : NULL;
	l[r->nmods].mod = m;
	l[r->nmods].inst = inst;
	r->nmods++;
	return true;
}

/* After a failed instantiation: an instance that trapped after writing to
 * an imported table or global lives on (wasm.h, wasm_instance_new), so it
 * stays until the end of the file like the others. */
static void keep_failed(struct runner *r, wasm_module *m, wasm_instance *inst)
{
	if (!inst) {
		wasm_module_free(m);
	} else if (!keep(r, NULL, m, inst)) {
		/* out of memory: leak it rather than free what may be used */
		fprintf(stderr, "wasmetal spec: out of memory\n");
	}
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

static void cmd_module(struct runner *r, json_t *cmd, long line)
{
	const char *name = jstr(cmd, "name");
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_module *m;
	wasm_instance *inst = NULL;
	char msg[512];
	int rc;

	r->current = NULL;
	r->current_failed_line = line;
	if (load_module(r, cmd, &m, msg, sizeof msg, &err)) {
		fail(r, line, "module", "expected a valid module, got %s", msg);
		return;
	}
	rc = instantiate(r, m, &inst, &err, &trap, msg, sizeof msg);
	if (rc == -2)
		snprintf(msg, sizeof msg, "trap \"%s\"", wasm_trap_message(trap.code));
	if (rc) {
		fail(r, line, "module", "expected instantiation, got %s", msg);
		keep_failed(r, m, inst);
		return;
	}
	if (!keep(r, name, m, inst)) {
		wasm_instance_free(inst);
		wasm_module_free(m);
		fail(r, line, "module", "out of memory");
		return;
	}
	r->current = inst;
	r->current_failed_line = 0;
	pass(r, line, "module");
}

static void cmd_register(struct runner *r, json_t *cmd, long line)
{
	const char *name = jstr(cmd, "name"), *as = jstr(cmd, "as");
	wasm_instance *inst = find_module(r, name);

	if (!as || !inst) {
		fail(r, line, "register", "expected module %s, got none%s",
		     name ? name : "(current)",
		     r->current_failed_line ? " (its module command failed)" : "");
		return;
	}
	if (wasm_linker_define_instance(r->linker, as, inst)) {
		fail(r, line, "register", "out of memory");
		return;
	}
	pass(r, line, "register");
}

/* ---- actions ------------------------------------------------------------------ */

/* "assert_return add(i32:1, i32:2)", "action get g", ... */
static void describe_action(char *buf, size_t len, const char *cmd, json_t *act)
{
	const char *type = jstr(act, "type"), *field = jstr(act, "field");
	const char *mod = jstr(act, "module");
	json_t *args = json_object_get(act, "args"), *a;
	size_t pos, i;

	if (type && !strcmp(type, "get")) {
		snprintf(buf, len, "%s get %s%s%s", cmd, mod ? mod : "", mod ? "." : "",
			 field ? field : "?");
		return;
	}
	pos = (size_t)snprintf(buf, len, "%s %s%s%s(", cmd, mod ? mod : "",
			       mod ? "." : "", field ? field : "?");
	json_array_foreach(args, i, a) {
		if (pos >= len)
			break;
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s:%s", i ? ", " : "",
					jstr(a, "type") ? jstr(a, "type") : "?",
					jstr(a, "value") ? jstr(a, "value") : "?");
	}
	if (pos < len)
		snprintf(buf + pos, len - pos, ")");
}

static void no_module(struct runner *r, struct outcome *o)
{
	o->kind = OUT_ERROR;
	if (r->current_failed_line)
		snprintf(o->msg, sizeof o->msg,
			 "no module (the module at line %ld failed)", r->current_failed_line);
	else
		snprintf(o->msg, sizeof o->msg, "no such module");
}

static void do_get(wasm_instance *inst, const char *field, size_t flen,
		   struct outcome *o)
{
	if (wasm_export_global_get_n(inst, field, flen, &o->types[0], &o->vals[0])) {
		o->kind = OUT_ERROR;
		snprintf(o->msg, sizeof o->msg, "no global export \"%s\"", field);
		return;
	}
	o->kind = OUT_VALUES;
	o->n = 1;
}

static void do_invoke(wasm_instance *inst, const char *field, size_t flen,
		      json_t *args, struct outcome *o)
{
	uint8_t ptypes[MAX_VALUES];
	uint64_t argv[MAX_VALUES];
	uint32_t np, nr;
	struct wasm_error err = { 0 };
	size_t i;
	json_t *a;
	int rc;

	o->kind = OUT_ERROR;
	if (wasm_export_func_type_n(inst, field, flen, &np, ptypes, &nr, o->types,
				    MAX_VALUES)) {
		snprintf(o->msg, sizeof o->msg, "no function export \"%s\"", field);
		return;
	}
	if (np > MAX_VALUES || nr > MAX_VALUES || json_array_size(args) != np) {
		snprintf(o->msg, sizeof o->msg, "\"%s\" takes %u arguments and returns "
			 "%u values (runner limit %d), script passes %zu", field, np, nr,
			 MAX_VALUES, json_array_size(args));
		return;
	}
	json_array_foreach(args, i, a) {
		uint8_t t;

		if (!parse_arg(a, &t, &argv[i])) {
			snprintf(o->msg, sizeof o->msg, "unsupported argument %zu (%s)", i,
				 jstr(a, "type") ? jstr(a, "type") : "?");
			return;
		}
		if (t != ptypes[i]) {
			snprintf(o->msg, sizeof o->msg, "argument %zu is %s, \"%s\" wants %s",
				 i, type_name(t), field, type_name(ptypes[i]));
			return;
		}
	}
	rc = wasm_call_n(inst, field, flen, argv, np, o->vals, nr, &o->trap, &err);
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

static void run_action(struct runner *r, json_t *act, struct outcome *o)
{
	const char *type = jstr(act, "type"), *field = jstr(act, "field");
	wasm_instance *inst = find_module(r, jstr(act, "module"));

	memset(o, 0, sizeof *o);
	if (!inst) {
		no_module(r, o);
		return;
	}
	if (!type || !field) {
		o->kind = OUT_ERROR;
		snprintf(o->msg, sizeof o->msg, "malformed action");
		return;
	}
	/* Wasm names may hold NUL bytes (names.wast): pass the length */
	size_t flen = json_string_length(json_object_get(act, "field"));
	fflush(stdout);
	if (!strcmp(type, "invoke"))
		do_invoke(inst, field, flen, json_object_get(act, "args"), o);
	else if (!strcmp(type, "get"))
		do_get(inst, field, flen, o);
	else {
		o->kind = OUT_ERROR;
		snprintf(o->msg, sizeof o->msg, "unknown action type \"%s\"", type);
	}
}

static void cmd_action(struct runner *r, json_t *cmd, long line)
{
	json_t *act = json_object_get(cmd, "action");
	struct outcome o;
	char what[256], got[512];

	describe_action(what, sizeof what, "action", act);
	run_action(r, act, &o);
	if (o.kind == OUT_VALUES) {
		pass(r, line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, line, what, "expected a normal return, got %s", got);
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

/* Does result (t, v) match expected e?  *desc gets e in words. */
static bool match_value(json_t *e, uint8_t t, uint64_t v, char *desc, size_t len)
{
	const char *s = jstr(e, "value"), *ts = jstr(e, "type");
	uint8_t et = parse_type(ts);
	uint64_t bits;

	snprintf(desc, len, "%s:%s", ts ? ts : "?", s ? s : "(any non-null)");
	if (et == WASM_FUNCREF)
		snprintf(desc, len, s && !strcmp(s, "null") ? "ref.null func" : "ref.func");
	else if (et == WASM_EXTERNREF && s)
		snprintf(desc, len, !strcmp(s, "null") ? "ref.null extern" : "ref.extern %s", s);
	if (!et || et != t)
		return false;
	switch (et) {
	case WASM_F32:
	case WASM_F64:
		if (s && !strcmp(s, "nan:canonical"))
			return is_canonical_nan(t, v);
		if (s && !strcmp(s, "nan:arithmetic"))
			return is_arithmetic_nan(t, v);
		__attribute__((fallthrough));   /* exact bits */
	case WASM_I32:
	case WASM_I64:
		if (!parse_u64(s, &bits))
			return false;
		fmt_value(desc, len, t, bits);
		return bits == v;
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
		if (s && !strcmp(s, "null"))
			return v == 0;
		/* (ref.func) is any non-null funcref (wast2json 1.0.32 writes
		 * it with "value": "0", or without a value); (ref.extern) with
		 * no number any non-null externref */
		if (!s || et == WASM_FUNCREF)
			return v != 0;
		return parse_u64(s, &bits) && v == bits + 1;
	default:
		return false;           /* v128: no SIMD yet */
	}
}

static void cmd_assert_return(struct runner *r, json_t *cmd, long line)
{
	json_t *act = json_object_get(cmd, "action");
	json_t *expected = json_object_get(cmd, "expected"), *e;
	struct outcome o;
	char what[256], got[512], want[512], one[128];
	size_t i, pos = 0;
	bool ok;

	describe_action(what, sizeof what, "assert_return", act);
	run_action(r, act, &o);
	ok = o.kind == OUT_VALUES && o.n == json_array_size(expected);
	want[0] = 0;
	json_array_foreach(expected, i, e) {
		bool m = i < o.n && match_value(e, o.types[i], o.vals[i], one, sizeof one);

		if (i >= o.n)
			match_value(e, 0, 0, one, sizeof one);
		ok = ok && m;
		if (pos < sizeof want)
			pos += (size_t)snprintf(want + pos, sizeof want - pos, "%s%s",
						i ? ", " : "", one);
	}
	if (!json_array_size(expected))
		snprintf(want, sizeof want, "no values");
	if (ok) {
		pass(r, line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, line, what, "expected %s, got %s", want, got);
}

/* ---- traps and invalid modules ------------------------------------------- */

/* run.ml's assert_message: the expected text is a prefix of the message. */
static bool message_matches(const char *msg, const char *expected)
{
	return expected && !strncmp(msg, expected, strlen(expected));
}

static void cmd_assert_trap(struct runner *r, json_t *cmd, long line,
			    const char *kind)
{
	json_t *act = json_object_get(cmd, "action");
	const char *text = jstr(cmd, "text");
	struct outcome o;
	char what[256], got[512];

	describe_action(what, sizeof what, kind, act);
	run_action(r, act, &o);
	char tt[160];

	if (o.kind == OUT_TRAP &&
	    message_matches(wasm_trap_text(&o.trap, tt, sizeof tt), text)) {
		pass(r, line, what);
		return;
	}
	fmt_outcome(got, sizeof got, &o);
	fail(r, line, what, "expected trap \"%s\", got %s", text ? text : "?", got);
}

static bool is_text_module(json_t *cmd)
{
	const char *t = jstr(cmd, "module_type");

	return t && !strcmp(t, "text");
}

/* An error that says the engine lacks a feature is not a validation error. */
static bool is_unsupported(const char *msg)
{
	return strstr(msg, "not supported") || strstr(msg, "unsupported");
}

static void cmd_assert_rejected(struct runner *r, json_t *cmd, long line,
				const char *kind)
{
	const char *text = jstr(cmd, "text");
	struct wasm_error err;
	wasm_module *m;
	char msg[512];
	int rc;

	if (is_text_module(cmd)) {
		r->c.skipped++;
		if (r->verbose)
			printf("%s:%ld: %s: skipped (text format)\n", r->wast, line, kind);
		return;
	}
	rc = load_module(r, cmd, &m, msg, sizeof msg, &err);
	if (rc == 0) {
		wasm_module_free(m);
		fail(r, line, kind, "expected rejection (\"%s\"), got a valid module",
		     text ? text : "?");
	} else if (rc == -2) {
		fail(r, line, kind, "%s", msg);
	} else if (is_unsupported(msg)) {
		fail(r, line, kind, "expected rejection (\"%s\"), got a rejection for "
		     "a missing feature: %s", text ? text : "?", msg);
	} else {
		pass(r, line, kind);
		if (message_matches(err.msg ? err.msg : "", text))
			return;
		r->c.other_msg++;
		if (r->verbose)
			printf("%s:%ld: %s: note: expected \"%s\", engine said %s\n",
			       r->wast, line, kind, text ? text : "?", msg);
	}
}

/* assert_unlinkable (want_trap false) and assert_uninstantiable (true). */
static void cmd_assert_instantiate(struct runner *r, json_t *cmd, long line,
				   const char *kind, bool want_trap)
{
	const char *text = jstr(cmd, "text");
	struct wasm_error err;
	struct wasm_trap trap;
	wasm_module *m;
	wasm_instance *inst = NULL;
	char msg[512], tt[160];
	int rc;

	if (is_text_module(cmd)) {
		r->c.skipped++;
		return;
	}
	if (load_module(r, cmd, &m, msg, sizeof msg, &err)) {
		fail(r, line, kind, "expected a module that loads, got %s", msg);
		return;
	}
	rc = instantiate(r, m, &inst, &err, &trap, msg, sizeof msg);
	if (rc == 0) {
		/* keep it alive: it may have written to shared state */
		if (!keep(r, NULL, m, inst)) {
			wasm_instance_free(inst);
			wasm_module_free(m);
		}
		fail(r, line, kind, "expected %s \"%s\", got an instance",
		     want_trap ? "trap" : "link error", text ? text : "?");
		return;
	}
	keep_failed(r, m, inst);
	if (rc == -2)
		snprintf(msg, sizeof msg, "trap \"%s\"", wasm_trap_text(&trap, tt, sizeof tt));
	if (want_trap ? rc == -2 && message_matches(wasm_trap_text(&trap, tt, sizeof tt), text)
		      : rc == -1 && message_matches(err.msg ? err.msg : "", text)) {
		pass(r, line, kind);
		return;
	}
	fail(r, line, kind, "expected %s \"%s\", got %s", want_trap ? "trap" : "link error",
	     text ? text : "?", msg);
}

/* ---- the truncation sweep (--truncate) -------------------------------------- */

/*
 * Every binary module of the file, cut at every byte: each prefix is loaded
 * (decoded, validated, compiled) from a buffer that ends right at an
 * unmapped page, so that reading even one byte too far faults, and a fault
 * outside JIT code ends the process: the crash the sweep is there to find.
 * A prefix may be rejected or may load (one that ends at a section boundary
 * is a valid module); both are fine.  One check per module: it passes when
 * the loader came back from every prefix.
 */
static void sweep_module(struct runner *r, json_t *cmd, long line)
{
	const char *file = jstr(cmd, "filename");
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = 0, span;
	char path[PATH_MAX + 256];
	uint8_t *bytes, *map;

	if (!file || strlen(file) < 5 || strcmp(file + strlen(file) - 5, ".wasm"))
		return;
	snprintf(path, sizeof path, "%s/%s", r->dir, file);
	bytes = read_file(path, &len);
	if (!bytes) {
		fail(r, line, "truncate", "cannot read %.300s: %s", path, strerror(errno));
		return;
	}
	span = (len + page - 1) / page * page;
	map = mmap(NULL, span + page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + span, page, PROT_NONE)) {
		fail(r, line, "truncate", "cannot map a buffer: %s", strerror(errno));
		free(bytes);
		return;
	}
	for (size_t n = 0; n < len; n++) {
		uint8_t *p = map + span - n;
		struct wasm_error err;
		wasm_module *m;

		memcpy(p, bytes, n);
		r->prefixes++;
		if (!wasm_module_load(p, n, &m, &err)) {
			r->prefixes_loaded++;
			wasm_module_free(m);
		}
	}
	munmap(map, span + page);
	free(bytes);
	pass(r, line, file);
}

/* ---- files ------------------------------------------------------------------ */

static void run_command(struct runner *r, json_t *cmd)
{
	const char *type = jstr(cmd, "type");
	long line = jline(cmd);

	if (!type) {
		fail(r, line, "?", "command without a type");
	} else if (!strcmp(type, "module")) {
		cmd_module(r, cmd, line);
	} else if (!strcmp(type, "register")) {
		cmd_register(r, cmd, line);
	} else if (!strcmp(type, "action")) {
		cmd_action(r, cmd, line);
	} else if (!strcmp(type, "assert_return")) {
		cmd_assert_return(r, cmd, line);
	} else if (!strcmp(type, "assert_trap")) {
		if (json_object_get(cmd, "action"))
			cmd_assert_trap(r, cmd, line, type);
		else    /* older scripts: a module whose start traps */
			cmd_assert_instantiate(r, cmd, line, type, true);
	} else if (!strcmp(type, "assert_exhaustion")) {
		cmd_assert_trap(r, cmd, line, type);
	} else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed")) {
		cmd_assert_rejected(r, cmd, line, type);
	} else if (!strcmp(type, "assert_unlinkable")) {
		cmd_assert_instantiate(r, cmd, line, type, false);
	} else if (!strcmp(type, "assert_uninstantiable")) {
		cmd_assert_instantiate(r, cmd, line, type, true);
	} else {
		fail(r, line, type, "unknown command type");
	}
}

static void set_dir(struct runner *r, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(r->dir, sizeof r->dir, ".");
	else
		snprintf(r->dir, sizeof r->dir, "%.*s", (int)(slash - path), path);
}

/* Everything the file made, newest first (importers before exporters). */
static void release(struct runner *r)
{
	for (size_t i = r->nmods; i-- > 0;) {
		wasm_instance_free(r->mods[i].inst);
		wasm_module_free(r->mods[i].mod);
		free(r->mods[i].name);
	}
	free(r->mods);
	r->mods = NULL;
	r->nmods = 0;
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
	if (!r->linker)
		return -1;
	if (spectest_new(r->verbose, &m, &inst, &err)) {
		fmt_error(msg, sizeof msg, &err);
		fprintf(stderr, "wasmetal spec: the spectest module: %s\n", msg);
		return -1;
	}
	if (!keep(r, NULL, m, inst) ||
	    wasm_linker_define_instance(r->linker, "spectest", inst)) {
		fprintf(stderr, "wasmetal spec: out of memory\n");
		return -1;
	}
	return 0;
}

static int run_file(const char *path, bool verbose, bool truncate, struct counts *c)
{
	struct runner r = { .verbose = verbose };
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr), *cmds, *cmd;
	size_t i;

	if (!root) {
		printf("%s:%d: cannot parse JSON: %s\n", path, jerr.line, jerr.text);
		return -1;
	}
	cmds = json_object_get(root, "commands");
	r.wast = jstr(root, "source_filename");
	if (!r.wast)
		r.wast = path;
	if (strrchr(r.wast, '/'))
		r.wast = strrchr(r.wast, '/') + 1;
	if (!json_is_array(cmds)) {
		printf("%s: no \"commands\" array\n", path);
		json_decref(root);
		return -1;
	}
	set_dir(&r, path);
	if (setup(&r)) {
		release(&r);
		json_decref(root);
		return -1;
	}
	json_array_foreach(cmds, i, cmd) {
		if (truncate)
			sweep_module(&r, cmd, jline(cmd));
		else
			run_command(&r, cmd);
	}
	if (truncate)
		printf("%s: %lu prefixes of its modules: %lu loaded, %lu rejected\n",
		       path, r.prefixes, r.prefixes_loaded,
		       r.prefixes - r.prefixes_loaded);
	fflush(stdout);
	release(&r);
	*c = r.c;
	json_decref(root);
	return 0;
}

static void print_counts(const struct counts *c)
{
	printf("%u passed, %u failed", c->passed, c->failed);
	if (c->skipped)
		printf(", %u skipped", c->skipped);
}

/* Passed rejections whose engine message differs from the script's
 * expected text (run.ml would fail them; -v lists them). */
static void print_other_msg(const char *path, const struct counts *c)
{
	if (c->other_msg)
		printf("%s: note: %u of the passed rejections gave another message "
		       "than the script's\n", path, c->other_msg);
}

static const char spec_usage[] =
"usage: wasmetal spec [-v] [--truncate] FILE.json...\n"
"Run WebAssembly spec testsuite scripts converted by wast2json (hosted).\n"
"  -v, --verbose   print every command, and the spectest module's output\n"
"  --truncate      instead, load every prefix of every binary module of the\n"
"                  files (one check per module: the loader must not crash)\n"
"Text-format modules (module_type \"text\") are counted as skipped.\n"
"The last line is \"N passed, N failed\" (+ \", N skipped\").\n";

int spec_main(int argc, char **argv)
{
	struct counts total = { 0 };
	bool verbose = false, truncate = false;
	int nfiles = 0, bad = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--truncate")) {
			truncate = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(spec_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--qemu")) {
			fprintf(stderr, "wasmetal spec: --qemu is not implemented yet\n");
			return 2;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "wasmetal spec: unknown option '%s'\n%s",
				argv[i], spec_usage);
			return 2;
		}
	}
	for (; i < argc; i++, nfiles++) {
		struct counts c = { 0 };

		if (run_file(argv[i], verbose, truncate, &c)) {
			bad++;
			continue;
		}
		print_other_msg(argv[i], &c);
		printf("%s: ", argv[i]);
		print_counts(&c);
		putchar('\n');
		total.passed += c.passed;
		total.failed += c.failed;
		total.skipped += c.skipped;
		total.other_msg += c.other_msg;
	}
	if (!nfiles) {
		fputs(spec_usage, stderr);
		return 2;
	}
	total.failed += (unsigned)bad;  /* an unreadable file is a failure */
	if (nfiles > 1)
		print_other_msg("total", &total);
	print_counts(&total);
	putchar('\n');
	return total.failed ? 1 : 0;
}
