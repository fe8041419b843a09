/*
 * spec.c — `wasmetal spec [-v] [--qemu|--through-blob|--truncate]
 * [--backend llvm [--cache] [--cpu CPU]] FILE.json...`:
 * the WebAssembly spec testsuite's scripts as wast2json (wabt) writes them
 * (a JSON list of commands with the modules beside it as .wasm/.wat
 * files), read here with jansson into parsed commands (spec/spec_script.h)
 * and run by the portable executor (spec/spec_exec.c, which documents what
 * each command means):
 *
 *   hosted (default)  in this process, file by file
 *   --qemu            every file and every module it names serialized into
 *                     one spec blob (spec/spec_blob.h), put in a boot bundle
 *                     (BUNDLE_SPEC), booted under QEMU: the kernel runs the
 *                     same executor over the blob in one boot, its output
 *                     streamed from the guest console; exit status the
 *                     kernel's (0 all passed, 1 some failed)
 *   --through-blob    the --qemu path without QEMU: the blob is written and
 *                     read back (spec_blob_run) in this process, as the
 *                     kernel does — a test of the serialization
 *   --truncate        the truncation sweep instead (see sweep_module)
 *
 * --backend llvm: every valid module of the scripts compiled here by the
 * LLVM backend (host/aot.c) into an artifact that takes its place
 * (compile_file); the executor, hosted or in the kernel, loads artifacts
 * with jit_artifact_load and compiles nothing.  It knows artifacts, not
 * LLVM: this file is the seam.  --cpu (compile.h: host, the default,
 * baseline or a feature list): the CPU features that code is for; without
 * --backend (hosted), the features the single-pass JIT may use here
 * (tests/spec/run-suite.sh SPEC_CPU: the SIMD files without AVX).
 *
 * Output: one "WAST:LINE: command: expected ..., got ..." line per
 * failure, a summary line per file ("FILE.json: N passed, N failed"), and
 * last "N passed, N failed" (+ ", N skipped": text-format modules, which
 * the engine does not read).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "aot.h"
#include "compile.h"
#include "image.h"
#include "jit.h"
#include "tmpdir.h"
#include "readfile.h"
#include "spec.h"
#include "spec_blob.h"
#include "spec_script.h"

#define EXIT_INTERNAL 125               /* as host/main.c: the runner failed */
#define QEMU_TIMEOUT_DEFAULT 600        /* s; the 90 files of the suite take
					   5-10 s in one boot under TCG here
					   (make spec-qemu), firmware included */

struct opts {
	bool verbose, truncate, qemu, through_blob;
	const char *backend;            /* --backend: "llvm", or NULL */
	bool cache;                     /* --cache: artifacts from/to the cache */
	const char *cpu_arg;            /* --cpu, as given, or NULL */
	unsigned cpu;                   /* JIT_CPU_* of the backend's code */
	unsigned timeout_s;
	const char *log_path;
	bool microvm;                   /* --machine microvm: PVH, no firmware */
};

/* ---- JSON -> struct spec_file --------------------------------------------- */

static const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
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

/* A v128 as wast2json writes it: "lane_type" (i8 i16 i32 i64 f32 f64)
 * and "value", an array of 128 / lane-size strings, each the lane's bits
 * in decimal or, in results with float lanes, nan:canonical or
 * nan:arithmetic (spec_value's masks).  kind stays SPEC_VAL_BAD when it
 * does not read. */
static void parse_v128(json_t *j, bool result, struct spec_value *v)
{
	static const struct { const char *name; uint8_t bits; bool fl; } lanes[] = {
		{ "i8", 8, false }, { "i16", 16, false }, { "i32", 32, false },
		{ "i64", 64, false }, { "f32", 32, true }, { "f64", 64, true },
	};
	const char *lt = jstr(j, "lane_type");
	json_t *arr = json_object_get(j, "value");
	uint8_t bytes[16] = { 0 };
	size_t n;

	for (size_t i = 0; lt && i < sizeof lanes / sizeof lanes[0]; i++)
		if (!strcmp(lt, lanes[i].name)) {
			v->lane_bits = lanes[i].bits;
			v->lane_float = lanes[i].fl;
		}
	if (!v->lane_bits || !json_is_array(arr))
		return;
	n = 128u / v->lane_bits;
	if (json_array_size(arr) != n)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		uint64_t x;

		if (result && v->lane_float && s && !strcmp(s, "nan:canonical")) {
			v->nan_canon |= (uint8_t)(1u << i);
			continue;
		}
		if (result && v->lane_float && s && !strcmp(s, "nan:arithmetic")) {
			v->nan_arith |= (uint8_t)(1u << i);
			continue;
		}
		if (!parse_u64(s, &x) || (v->lane_bits < 64 && x >> v->lane_bits))
			return;
		for (unsigned b = 0; b < v->lane_bits / 8u; b++)
			bytes[i * (v->lane_bits / 8u) + b] = (uint8_t)(x >> (8 * b));
	}
	memcpy(&v->bits, bytes, 8);
	memcpy(&v->hi, bytes + 8, 8);
	v->kind = SPEC_VAL_BITS;
}

/* A value of the script: numbers are their bits in decimal; f32/f64
 * results may be nan:canonical or nan:arithmetic; references "null", a
 * number N (ref.extern N), or (results) no value: any non-null one; a
 * v128 its lanes (parse_v128). */
static void parse_value(json_t *j, bool result, struct spec_value *v)
{
	const char *s = jstr(j, "value");
	uint64_t bits = 0;

	v->type = parse_type(jstr(j, "type"));
	v->kind = SPEC_VAL_BAD;
	if (v->type == WASM_V128) {
		parse_v128(j, result, v);
		return;
	}
	switch (v->type) {
	case WASM_F32:
	case WASM_F64:
		if (result && s && !strcmp(s, "nan:canonical")) {
			v->kind = SPEC_VAL_NAN_CANONICAL;
			return;
		}
		if (result && s && !strcmp(s, "nan:arithmetic")) {
			v->kind = SPEC_VAL_NAN_ARITHMETIC;
			return;
		}
		__attribute__((fallthrough));
	case WASM_I32:
	case WASM_I64:
		if (parse_u64(s, &bits) &&
		    (bits <= UINT32_MAX || v->type == WASM_I64 || v->type == WASM_F64))
			v->kind = SPEC_VAL_BITS;
		break;
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
		if (s && !strcmp(s, "null"))
			v->kind = SPEC_VAL_REF_NULL;
		else if (result && (!s || v->type == WASM_FUNCREF))
			v->kind = SPEC_VAL_REF_ANY;
		else if (v->type == WASM_EXTERNREF && parse_u64(s, &bits))
			v->kind = SPEC_VAL_REF_EXTERN;
		break;
	default:
		break;          /* unknown types */
	}
	v->bits = bits;
}

static struct spec_value *parse_values(struct spec_file *f, json_t *arr, bool result,
				       uint32_t *n)
{
	struct spec_value *v;
	size_t i, count = json_array_size(arr);
	json_t *j;

	*n = 0;
	if (!count || count > UINT32_MAX ||
	    !(v = spec_alloc(f, count * sizeof *v)))
		return NULL;
	json_array_foreach(arr, i, j)
		parse_value(j, result, &v[i]);
	*n = (uint32_t)count;
	return v;
}

static const char *sdup(struct spec_file *f, const char *s)
{
	return s ? spec_strndup(f, s, strlen(s)) : NULL;
}

/* The module cmd names ("filename"), read into module slot i. */
static void parse_module(struct spec_file *f, const char *dir, json_t *cmd,
			 struct spec_module *m)
{
	const char *file = jstr(cmd, "filename"), *type = jstr(cmd, "module_type");
	char path[PATH_MAX + 256], msg[PATH_MAX + 512];
	uint8_t *bytes;
	size_t n = 0;

	m->filename = sdup(f, file);
	if (type && !strcmp(type, "text")) {
		m->text = true;
		return;
	}
	snprintf(path, sizeof path, "%s/%s", dir, file);
	bytes = host_read_file(path, &n);
	if (!bytes) {
		snprintf(msg, sizeof msg, "cannot read %.300s: %s", path, strerror(errno));
		m->error = sdup(f, msg);
		return;
	}
	m->bytes = spec_alloc(f, n);
	if (m->bytes)
		memcpy((uint8_t *)m->bytes, bytes, n);
	else
		m->error = "out of memory";
	m->len = n;
	free(bytes);
}

static uint8_t cmd_kind(const char *type, json_t *cmd)
{
	static const struct { const char *name; uint8_t kind; } kinds[] = {
		{ "module", SPEC_CMD_MODULE }, { "register", SPEC_CMD_REGISTER },
		{ "action", SPEC_CMD_ACTION }, { "assert_return", SPEC_CMD_ASSERT_RETURN },
		{ "assert_exhaustion", SPEC_CMD_ASSERT_EXHAUSTION },
		{ "assert_invalid", SPEC_CMD_ASSERT_INVALID },
		{ "assert_malformed", SPEC_CMD_ASSERT_MALFORMED },
		{ "assert_unlinkable", SPEC_CMD_ASSERT_UNLINKABLE },
		{ "assert_uninstantiable", SPEC_CMD_ASSERT_UNINSTANTIABLE },
		{ "assert_exception", SPEC_CMD_ASSERT_EXCEPTION },
	};

	if (type && !strcmp(type, "assert_trap"))       /* older scripts: a module */
		return json_object_get(cmd, "action") ? SPEC_CMD_ASSERT_TRAP
						      : SPEC_CMD_ASSERT_TRAP_MODULE;
	for (size_t i = 0; type && i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(type, kinds[i].name))
			return kinds[i].kind;
	return SPEC_CMD_UNKNOWN;
}

static void parse_action(struct spec_file *f, json_t *act, struct spec_action *a)
{
	const char *type = jstr(act, "type");
	json_t *field = json_object_get(act, "field");

	a->kind = !type ? SPEC_ACT_NONE : !strcmp(type, "invoke") ? SPEC_ACT_INVOKE :
		  !strcmp(type, "get") ? SPEC_ACT_GET : SPEC_ACT_UNKNOWN;
	a->module = sdup(f, jstr(act, "module"));
	if (json_is_string(field) && json_string_length(field) < UINT32_MAX) {
		a->field = spec_strndup(f, json_string_value(field),
					json_string_length(field));
		a->field_len = (uint32_t)json_string_length(field);
	}
	a->args = parse_values(f, json_object_get(act, "args"), false, &a->nargs);
}

static void parse_cmd(struct spec_file *f, const char *dir, json_t *j,
		      struct spec_cmd *c, uint32_t *nmodules)
{
	const char *type = jstr(j, "type");
	json_t *line = json_object_get(j, "line");
	json_int_t l = json_is_integer(line) ? json_integer_value(line) : 0;

	c->kind = cmd_kind(type, j);
	c->line = l < 0 ? 0 : l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
	c->name = sdup(f, c->kind == SPEC_CMD_UNKNOWN ? type : jstr(j, "name"));
	c->as = sdup(f, jstr(j, "as"));
	c->text = sdup(f, jstr(j, "text"));
	c->module = -1;
	if (jstr(j, "filename")) {
		c->module = (int32_t)*nmodules;
		parse_module(f, dir, j, &f->modules[(*nmodules)++]);
	}
	parse_action(f, json_object_get(j, "action"), &c->action);
	c->expected = parse_values(f, json_object_get(j, "expected"), true,
				   &c->nexpected);
	if (json_is_array(json_object_get(j, "either"))) {
		/* each alternative one value (wast2json 1.0.32); none: one
		 * unreadable value, which matches nothing */
		c->expected = parse_values(f, json_object_get(j, "either"), true,
					   &c->neither);
		c->nexpected = 1;
		if (!c->neither && (c->expected = spec_alloc(f, sizeof *c->expected))) {
			memset(c->expected, 0, sizeof *c->expected);
			c->expected->kind = SPEC_VAL_BAD;
		}
		if (!c->expected)
			c->nexpected = c->neither = 0;
	}
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Read path into *f.  Always fills f (f->error says why it could not). */
static void load_file(const char *path, struct spec_file *f)
{
	char dir[PATH_MAX], msg[1024];
	const char *slash = strrchr(path, '/');
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr), *cmds, *cmd;
	size_t i, n;

	memset(f, 0, sizeof *f);
	f->name = sdup(f, path);
	if (!root) {
		snprintf(msg, sizeof msg, "%s:%d: cannot parse JSON: %s", path,
			 jerr.line, jerr.text);
		f->error = sdup(f, msg);
		return;
	}
	cmds = json_object_get(root, "commands");
	f->wast = sdup(f, basename_of(jstr(root, "source_filename") ?
				     jstr(root, "source_filename") : path));
	n = json_array_size(cmds);
	if (!json_is_array(cmds) || n > UINT32_MAX) {
		snprintf(msg, sizeof msg, "%s: no \"commands\" array", path);
		f->error = sdup(f, msg);
		goto out;
	}
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? path : ".");
	f->cmds = spec_alloc(f, n * sizeof *f->cmds);
	f->modules = spec_alloc(f, n * sizeof *f->modules);
	if (n && (!f->cmds || !f->modules)) {
		f->error = "out of memory";
		goto out;
	}
	json_array_foreach(cmds, i, cmd)
		parse_cmd(f, dir, cmd, &f->cmds[i], &f->nmodules);
	f->ncmds = (uint32_t)n;
out:
	json_decref(root);
}

/* ---- the truncation sweep (--truncate) -------------------------------------- */

struct sweep {
	struct spec_counts c;
	unsigned long prefixes, loaded;
};

/*
 * Every binary module of the file, cut at every byte: each prefix is loaded
 * (decoded, validated, compiled) from a buffer that ends right at an
 * unmapped page, so that reading even one byte too far faults, and a fault
 * outside JIT code ends the process: the crash the sweep is there to find.
 * A prefix may be rejected or may load (one that ends at a section boundary
 * is a valid module); both are fine.  One check per module: it passes when
 * the loader came back from every prefix.
 */
static void sweep_module(struct sweep *s, const struct spec_file *f,
			 const struct spec_cmd *cmd, bool verbose)
{
	const struct spec_module *m = &f->modules[cmd->module];
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = m->len, span;
	const char *file = m->filename;
	uint8_t *map;

	if (m->text || !file || strlen(file) < 5 || strcmp(file + strlen(file) - 5, ".wasm"))
		return;
	if (m->error) {
		s->c.failed++;
		printf("%s:%" PRIu32 ": truncate: %s\n", f->wast, cmd->line, m->error);
		return;
	}
	span = (len + page - 1) / page * page;
	map = mmap(NULL, span + page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + span, page, PROT_NONE)) {
		s->c.failed++;
		printf("%s:%" PRIu32 ": truncate: cannot map a buffer: %s\n", f->wast,
		       cmd->line, strerror(errno));
		return;
	}
	for (size_t n = 0; n < len; n++) {
		uint8_t *p = map + span - n;
		struct wasm_error err;
		wasm_module *mod;

		memcpy(p, m->bytes, n);
		s->prefixes++;
		if (!wasm_module_load(p, n, &mod, &err)) {
			s->loaded++;
			wasm_module_free(mod);
		}
	}
	munmap(map, span + page);
	s->c.passed++;
	if (verbose)
		printf("%s:%" PRIu32 ": %s: ok\n", f->wast, cmd->line, file);
}

static void sweep_file(const struct spec_file *f, bool verbose, struct spec_counts *total)
{
	struct sweep s;

	memset(&s, 0, sizeof s);

	total->files++;
	if (f->error) {
		printf("%s\n", f->error);
		total->failed++;
		return;
	}
	for (uint32_t i = 0; i < f->ncmds; i++)
		if (f->cmds[i].module >= 0)
			sweep_module(&s, f, &f->cmds[i], verbose);
	printf("%s: %lu prefixes of its modules: %lu loaded, %lu rejected\n",
	       f->name, s.prefixes, s.loaded, s.prefixes - s.loaded);
	printf("%s: %u passed, %u failed\n", f->name, s.c.passed, s.c.failed);
	total->passed += s.c.passed;
	total->failed += s.c.failed;
}

/* ---- --backend: the modules compiled ahead of time ------------------------- */

struct aot_stats {
	unsigned long compiled, invalid, failed;
	double seconds;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The backend called m invalid.  The plugin validates with the same
 * wasm_module_load the executor runs on it, so the executor rejects it
 * with the message of a plain run; were the two to disagree, the module
 * would run as single-pass code: an error instead. */
static void keep_invalid(struct spec_file *f, struct spec_module *m, const char *backend,
			 const char *why)
{
	struct wasm_error err = { 0 };
	wasm_module *mod;
	char msg[1200];

	if (wasm_module_load(m->bytes, m->len, &mod, &err))
		return;
	wasm_module_free(mod);
	snprintf(msg, sizeof msg, "the %s backend rejected a module the validator "
		 "accepts: %s", backend, why);
	m->error = sdup(f, msg);
}

/* Module m of f compiled by the backend: its artifact (a copy in f's
 * arena) replaces its bytes.  An invalid module stays a module
 * (keep_invalid); a backend failure becomes its error, which fails its
 * commands. */
static void compile_module(struct spec_file *f, struct spec_module *m,
			   const struct opts *op, struct aot_stats *st)
{
	char why[1024], msg[1100];
	uint8_t *art, *copy;
	size_t n;
	int r;

	if (m->text || m->error || !m->bytes)
		return;
	r = aot_compile(op->backend, m->bytes, m->len, op->cpu, op->cache ? AOT_CACHE : 0,
			&art, &n, why, sizeof why);
	if (r == 0) {
		st->compiled++;
		if ((copy = spec_alloc(f, n))) {
			memcpy(copy, art, n);
			m->bytes = copy;
			m->len = n;
			m->artifact = true;
		} else {
			m->error = "out of memory";
		}
		free(art);
	} else if (r == AOT_INVALID) {
		st->invalid++;
		keep_invalid(f, m, op->backend, why);
	} else {
		st->failed++;
		snprintf(msg, sizeof msg, "%s backend: %s", op->backend, why);
		m->error = sdup(f, msg);
	}
}

static void compile_file(struct spec_file *f, const struct opts *op, struct aot_stats *st)
{
	double t0 = now_s();

	for (uint32_t i = 0; i < f->nmodules && !f->error; i++)
		compile_module(f, &f->modules[i], op, st);
	st->seconds += now_s() - t0;
}

/* Before anything runs: is the backend there at all?  (Else every module
 * of every file would fail with the same reason.)  The empty module,
 * compiled without the cache.  0, or -1 (printed). */
static int backend_ready(const struct opts *op)
{
	static const uint8_t empty[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	uint8_t *art;
	size_t n;
	char why[1024];

	if (aot_compile(op->backend, empty, sizeof empty, op->cpu, 0, &art, &n, why,
			sizeof why)) {
		fprintf(stderr, "wasmetal spec: %s\n", why);
		return -1;
	}
	free(art);
	return 0;
}

/* On stderr (stdout's last line stays the counts). */
static void print_aot_stats(const struct opts *op, const struct aot_stats *st)
{
	if (op->backend)
		fprintf(stderr, "wasmetal spec: %lu modules compiled by %s%s, %lu invalid "
			"(left as modules), %lu failed, %.1f s\n", st->compiled,
			op->backend, op->cache ? " (or from the cache)" : "", st->invalid,
			st->failed, st->seconds);
}

/* ---- running ------------------------------------------------------------------ */

static void out_stdout(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
}

static int run_hosted(const struct opts *op, int nfiles, char **files)
{
	struct spec_out o = { .write = out_stdout, .verbose = op->verbose };
	struct spec_counts total = { 0 };
	struct aot_stats st = { 0 };

	for (int i = 0; i < nfiles; i++) {
		struct spec_file f;

		load_file(files[i], &f);
		spec_file_features(&f);
		if (op->backend)
			compile_file(&f, op, &st);
		if (op->truncate)
			sweep_file(&f, op->verbose, &total);
		else
			spec_run_file(&f, &o, &total);
		spec_file_free(&f);
		fflush(stdout);
	}
	print_aot_stats(op, &st);
	spec_print_total(&o, &total);
	return total.failed ? 1 : 0;
}

/* All files as one blob in *w (the caller frees w->data).  0 or -1. */
static int make_blob(const struct opts *op, int nfiles, char **files,
		     struct spec_blob_writer *w)
{
	struct aot_stats st = { 0 };

	spec_blob_begin(w, op->verbose ? SPEC_BLOB_VERBOSE : 0);
	for (int i = 0; i < nfiles; i++) {
		struct spec_file f;

		load_file(files[i], &f);
		spec_file_features(&f);
		if (op->backend)
			compile_file(&f, op, &st);
		spec_blob_add(w, &f);
		spec_file_free(&f);
	}
	print_aot_stats(op, &st);
	if (spec_blob_end(w)) {
		fprintf(stderr, "wasmetal spec: out of memory building the spec blob\n");
		free(w->data);
		return -1;
	}
	return 0;
}

static int run_through_blob(const struct opts *op, int nfiles, char **files)
{
	struct spec_out o = { .write = out_stdout };
	struct spec_blob_writer w;
	int status;

	if (make_blob(op, nfiles, files, &w))
		return EXIT_INTERNAL;
	status = spec_blob_run(w.data, w.len, &o);
	free(w.data);
	return status;
}

static int write_all(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

static int boot_blob(const struct opts *op, const char *dir, const uint8_t *blob,
		     size_t len)
{
	char blob_path[PATH_MAX], disk[PATH_MAX], err[4096] = "";
	struct image_spec spec = { .spec_path = blob_path };
	struct qemu_opts q = {
		.timeout_s = op->timeout_s ? op->timeout_s : QEMU_TIMEOUT_DEFAULT,
		.log_path = op->log_path, .console_fd = 1,
		.machine = op->microvm ? QEMU_MICROVM : QEMU_Q35,
		.kernel_path = WASMETAL_BUILD_DIR "/kernel.elf", .initrd_path = disk,
	};
	int status, r;

	snprintf(blob_path, sizeof blob_path, "%s/spec.blob", dir);
	snprintf(disk, sizeof disk, "%s/%s", dir, op->microvm ? "initrd" : "disk.img");
	if (write_all(blob_path, blob, len)) {
		fprintf(stderr, "wasmetal spec: cannot write %s: %s\n", blob_path,
			strerror(errno));
		return EXIT_INTERNAL;
	}
	r = op->microvm ? image_bundle_write(&spec, disk, err, sizeof err)
			: image_build(&spec, disk, err, sizeof err);
	if (r < 0) {
		fprintf(stderr, "wasmetal spec: cannot build the %s: %s\n",
			op->microvm ? "initrd" : "image", err);
		return EXIT_INTERNAL;
	}
	fflush(stdout);
	status = qemu_boot(op->microvm ? NULL : disk, &q, err, sizeof err);
	if (status < 0) {
		fprintf(stderr, "wasmetal spec: boot failed: %s\n",
			err[0] ? err : "(no detail)");
		return EXIT_INTERNAL;
	}
	return status;
}

static int run_qemu(const struct opts *op, int nfiles, char **files)
{
	struct spec_blob_writer w;
	char *dir;
	int status;

	if (make_blob(op, nfiles, files, &w))
		return EXIT_INTERNAL;
	dir = tmpdir_make("wasmetal-spec");
	if (!dir) {
		fprintf(stderr, "wasmetal spec: cannot create a temporary directory: %s\n",
			strerror(errno));
		free(w.data);
		return EXIT_INTERNAL;
	}
	status = boot_blob(op, dir, w.data, w.len);
	free(w.data);
	tmpdir_remove(dir);
	return status;
}

static const char spec_usage[] =
"usage: wasmetal spec [-v] [--qemu [--timeout S] [--log FILE] [--machine M]]\n"
"                     [--backend llvm [--cache]] [--cpu CPU] FILE.json...\n"
"       wasmetal spec [-v] --through-blob [--backend llvm [--cache] [--cpu CPU]]\n"
"                     FILE.json...\n"
"       wasmetal spec [-v] --truncate FILE.json...\n"
"Run WebAssembly spec testsuite scripts converted by wast2json.\n"
"  -v, --verbose   print every command, and the spectest module's output\n"
"  --qemu          run all the files inside the kernel, in one boot under\n"
"                  QEMU; exit status the kernel's\n"
"  --timeout S     --qemu: stop the boot after S seconds (default 600)\n"
"  --log FILE      --qemu: keep the kernel log (COM1) in FILE\n"
"  --machine M     --qemu: microvm (the default, or $WASMETAL_MACHINE: no\n"
"                  firmware, the kernel's PVH entry) or q35 (UEFI firmware\n"
"                  boots a disk)\n"
"  --through-blob  run hosted, but through the blob the kernel would get\n"
"  --truncate      instead, load every prefix of every binary module of the\n"
"                  files (one check per module: the loader must not crash)\n"
"  --backend llvm  compile every valid module here with the LLVM backend;\n"
"                  the executor (hosted or in the kernel) loads the artifacts\n"
"                  and compiles nothing; invalid modules stay modules\n"
"  --cache         --backend: take and keep artifacts in the artifact cache\n"
"                  ($WASMETAL_AOT_CACHE, as 'run --backend'); without it\n"
"                  every module is compiled now\n"
"  --cpu CPU       --backend: the CPU the code is for: host (the default),\n"
"                  baseline (SSE2 only) or a list of " COMPILE_CPU_NAMES "\n"
"                  (as 'wasmetal compile --cpu'); a CPU lacking one refuses it.\n"
"                  Without --backend (not --qemu): the features the\n"
"                  single-pass JIT may use (only ones this CPU has)\n"
"Text-format modules (module_type \"text\") are counted as skipped.\n"
"The last line is \"N passed, N failed\" (+ \", N skipped\").\n";

static bool parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || !v || v > 86400 * 7)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Options; returns the index of the first file, or -1 (usage printed). */
static int parse_opts(int argc, char **argv, struct opts *op)
{
	const char *machine = getenv("WASMETAL_MACHINE");    /* as `run`'s */
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			op->verbose = true;
		} else if (!strcmp(a, "--truncate")) {
			op->truncate = true;
		} else if (!strcmp(a, "--qemu")) {
			op->qemu = true;
		} else if (!strcmp(a, "--through-blob")) {
			op->through_blob = true;
		} else if (!strcmp(a, "--timeout") && i + 1 < argc) {
			if (!parse_uint(argv[++i], &op->timeout_s))
				goto bad;
		} else if (!strcmp(a, "--log") && i + 1 < argc) {
			op->log_path = argv[++i];
		} else if (!strcmp(a, "--machine") && i + 1 < argc) {
			machine = argv[++i];
			if (strcmp(machine, "microvm") && strcmp(machine, "q35"))
				goto bad;
		} else if (!strcmp(a, "--backend") && i + 1 < argc) {
			op->backend = argv[++i];
			if (strcmp(op->backend, "llvm"))
				goto bad_backend;
		} else if (!strcmp(a, "--cache")) {
			op->cache = true;
		} else if (!strcmp(a, "--cpu") && i + 1 < argc) {
			op->cpu_arg = argv[++i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(spec_usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			goto bad;
		}
	}
	if (machine && *machine && strcmp(machine, "microvm") && strcmp(machine, "q35")) {
		fprintf(stderr, "wasmetal spec: WASMETAL_MACHINE wants q35 or microvm, "
			"got '%s'\n", machine);
		return -1;
	}
	op->microvm = !machine || !*machine || !strcmp(machine, "microvm");
	if (op->qemu + op->through_blob + op->truncate > 1) {
		fprintf(stderr, "wasmetal spec: --qemu, --through-blob and --truncate "
			"exclude each other\n");
		return -1;
	}
	if (op->truncate && op->backend) {
		fprintf(stderr, "wasmetal spec: --truncate sweeps the loader: no --backend\n");
		return -1;
	}
	if (op->cache && !op->backend) {
		fprintf(stderr, "wasmetal spec: --cache is for --backend\n");
		return -1;
	}
	if (op->cpu_arg && !op->backend && op->qemu) {
		fprintf(stderr, "wasmetal spec: --cpu without --backend is for hosted runs "
			"(the kernel's JIT uses the CPU it boots on)\n");
		return -1;
	}
	op->cpu = jit_cpu_features();
	if (op->cpu_arg && compile_cpu_parse(op->cpu_arg, &op->cpu)) {
		fprintf(stderr, "wasmetal spec: --cpu wants host, baseline or a list of "
			COMPILE_CPU_NAMES ", got '%s'\n", op->cpu_arg);
		return -1;
	}
	/* the single-pass JIT of this process: only for these features */
	if (op->cpu_arg && !op->backend && compile_cpu_single(op->cpu))
		return -1;
	return i;
bad_backend:
	fprintf(stderr, "wasmetal spec: unknown --backend '%s' (llvm)\n", op->backend);
	return -1;
bad:
	fprintf(stderr, "wasmetal spec: bad option '%s'\n%s", argv[i], spec_usage);
	return -1;
}

int spec_main(int argc, char **argv)
{
	struct opts op = { 0 };
	int first = parse_opts(argc, argv, &op);

	if (first < 0)
		return 2;
	if (first >= argc) {
		fputs(spec_usage, stderr);
		return 2;
	}
	if (op.backend && backend_ready(&op))
		return EXIT_INTERNAL;
	if (op.qemu)
		return run_qemu(&op, argc - first, argv + first);
	if (op.through_blob)
		return run_through_blob(&op, argc - first, argv + first);
	return run_hosted(&op, argc - first, argv + first);
}
