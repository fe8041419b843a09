/*
 * test_spec_blob.c — the spec blob (spec/spec_blob.h) that carries parsed
 * spec scripts into the kernel: a script with every command and value kind
 * survives the round trip field for field; the reader, which the kernel
 * runs on hostile bytes, rejects every truncation and survives every
 * single-byte corruption (no crash, no out-of-range module index); the
 * executor runs a blob end to end (spec_blob_run) with the counts it
 * should, also with a module compiled ahead of time (an artifact, as
 * `wasmetal spec --backend llvm` sends them: loaded with every check,
 * a refused one a failure); and the kernel's bundle reader takes a spec
 * blob in place of the module.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "artifact.h"
#include "spec_blob.h"
#include "../../images/parse/bundle_read.c"

/* (module (func (export "add") (param i32 i32) (result i32)
 *   local.get 0 local.get 1 i32.add) (func (export "t") unreachable)) */
static const uint8_t add_wasm[] = {     /* wat2wasm 1.0.32 */
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
	0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00,
	0x01, 0x07, 0x0b, 0x02, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x01, 0x74,
	0x00, 0x01, 0x0a, 0x0d, 0x02, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a,
	0x0b, 0x03, 0x00, 0x00, 0x0b,
};
static const uint8_t bad_wasm[] = { 0x00, 0x61, 0x73, 0x6d, 0x02 };

static struct spec_value val(uint8_t type, uint8_t kind, uint64_t bits)
{
	return (struct spec_value){ .type = type, .kind = kind, .bits = bits };
}

static struct spec_value *vals(struct spec_file *f, uint32_t n, const struct spec_value *v)
{
	struct spec_value *d = spec_alloc(f, n * sizeof *d);

	memcpy(d, v, n * sizeof *d);
	return d;
}

/* A script: module, 2 passing asserts, 1 failing, a trap, an invalid
 * module, a text module (skipped), a field with a NUL, an unknown kind. */
static void make_script(struct spec_file *f)
{
	static const struct spec_value args[] = {
		{ .type = WASM_I32, .kind = SPEC_VAL_BITS, .bits = 2 },
		{ .type = WASM_I32, .kind = SPEC_VAL_BITS, .bits = 3 } };
	struct spec_cmd *c;

	memset(f, 0, sizeof *f);
	f->name = spec_strndup(f, "t.json", 6);
	f->wast = spec_strndup(f, "t.wast", 6);
	f->nmodules = 3;
	f->modules = spec_alloc(f, 3 * sizeof *f->modules);
	f->modules[0].bytes = add_wasm;
	f->modules[0].len = sizeof add_wasm;
	f->modules[1].bytes = bad_wasm;
	f->modules[1].len = sizeof bad_wasm;
	f->modules[2].text = true;
	f->ncmds = 10;
	f->cmds = c = spec_alloc(f, 10 * sizeof *c);
	c[0] = (struct spec_cmd){ .kind = SPEC_CMD_MODULE, .line = 1, .module = 0,
				  .name = "$M" };
	c[1] = (struct spec_cmd){ .kind = SPEC_CMD_ASSERT_RETURN, .line = 2, .module = -1,
		.action = { SPEC_ACT_INVOKE, NULL, "add", 3, 2, vals(f, 2, args) },
		.nexpected = 1 };
	c[1].expected = vals(f, 1, &(struct spec_value){ .type = WASM_I32, .kind = SPEC_VAL_BITS, .bits = 5 });
	c[2] = c[1];
	c[2].line = 3;
	c[2].action.module = "$M";
	c[3] = c[1];
	c[3].line = 4;
	c[3].expected = vals(f, 1, &(struct spec_value){ .type = WASM_I32, .kind = SPEC_VAL_BITS, .bits = 6 });
	c[4] = (struct spec_cmd){ .kind = SPEC_CMD_ASSERT_TRAP, .line = 5, .module = -1,
		.text = "unreachable", .action = { SPEC_ACT_INVOKE, NULL, "t", 1 } };
	c[5] = (struct spec_cmd){ .kind = SPEC_CMD_ASSERT_INVALID, .line = 6, .module = 1,
				  .text = "bad" };
	c[6] = (struct spec_cmd){ .kind = SPEC_CMD_ASSERT_MALFORMED, .line = 7, .module = 2 };
	c[7] = (struct spec_cmd){ .kind = SPEC_CMD_ASSERT_RETURN, .line = 8, .module = -1,
		.action = { SPEC_ACT_GET, NULL, spec_strndup(f, "a\0b", 3), 3 },
		.nexpected = 4 };
	c[7].expected = vals(f, 4, (struct spec_value[]){
		val(WASM_F32, SPEC_VAL_NAN_CANONICAL, 0), val(WASM_F64, SPEC_VAL_NAN_ARITHMETIC, 0),
		val(WASM_EXTERNREF, SPEC_VAL_REF_EXTERN, 7), val(WASM_FUNCREF, SPEC_VAL_REF_ANY, 0) });
	/* (either ...): 6 or 5 passes, 6 or 7 fails */
	c[8] = c[1];
	c[8].line = 9;
	c[8].neither = 2;
	c[8].expected = vals(f, 2, (struct spec_value[]){
		val(WASM_I32, SPEC_VAL_BITS, 6), val(WASM_I32, SPEC_VAL_BITS, 5) });
	c[9] = c[8];
	c[9].line = 10;
	c[9].expected = vals(f, 2, (struct spec_value[]){
		val(WASM_I32, SPEC_VAL_BITS, 6), val(WASM_I32, SPEC_VAL_BITS, 7) });
}

static struct spec_blob_writer make_blob(int nfiles, uint32_t flags)
{
	struct spec_blob_writer w;
	struct spec_file f;

	make_script(&f);
	spec_blob_begin(&w, flags);
	for (int i = 0; i < nfiles; i++)
		spec_blob_add(&w, &f);
	spec_file_free(&f);
	CHECK(spec_blob_end(&w) == 0);
	return w;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool values_eq(uint32_t n, const struct spec_value *a, const struct spec_value *b)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].type != b[i].type || a[i].kind != b[i].kind || a[i].bits != b[i].bits)
			return false;
	return true;
}

static void check_cmd(const struct spec_cmd *a, const struct spec_cmd *b)
{
	CHECK(a->kind == b->kind && a->line == b->line && a->module == b->module);
	CHECK(str_eq(a->name, b->name) && str_eq(a->as, b->as) && str_eq(a->text, b->text));
	CHECK(a->action.kind == b->action.kind && str_eq(a->action.module, b->action.module));
	CHECK(a->action.field_len == b->action.field_len);
	CHECK((!a->action.field && !b->action.field) ||
	      (a->action.field && b->action.field &&
	       !memcmp(a->action.field, b->action.field, a->action.field_len + 1)));
	CHECK(a->action.nargs == b->action.nargs && a->nexpected == b->nexpected);
	CHECK(a->neither == b->neither);
	CHECK(values_eq(a->action.nargs, a->action.args, b->action.args));
	CHECK(values_eq(a->nexpected * (a->neither ? a->neither : 1), a->expected, b->expected));
}

TEST(round_trip)
{
	struct spec_blob_writer w = make_blob(2, SPEC_BLOB_VERBOSE);
	struct spec_blob_reader rd;
	struct spec_file want, got;
	const char *why = NULL;

	make_script(&want);
	CHECK(spec_blob_open(&rd, w.data, w.len, &why) == 0);
	CHECK(rd.flags == SPEC_BLOB_VERBOSE && rd.nfiles == 2);
	for (int n = 0; n < 2; n++) {
		CHECK(spec_blob_next(&rd, &got, &why) == 1);
		CHECK(str_eq(got.name, "t.json") && str_eq(got.wast, "t.wast") && !got.error);
		CHECK(got.nmodules == 3 && got.ncmds == want.ncmds);
		CHECK(got.modules[0].len == sizeof add_wasm &&
		      !memcmp(got.modules[0].bytes, add_wasm, sizeof add_wasm));
		CHECK(got.modules[2].text && !got.modules[2].bytes);
		for (uint32_t i = 0; i < got.ncmds && i < want.ncmds; i++)
			check_cmd(&got.cmds[i], &want.cmds[i]);
		spec_file_free(&got);
	}
	CHECK(spec_blob_next(&rd, &got, &why) == 0);
	spec_file_free(&want);
	free(w.data);
}

/* Decode everything the reader accepts; 0 ok to the end, -1 rejected. */
static int read_all(const uint8_t *b, size_t n)
{
	struct spec_blob_reader rd;
	struct spec_file f;
	const char *why = NULL;
	int r;

	if (spec_blob_open(&rd, b, n, &why)) {
		CHECK(why != NULL);
		return -1;
	}
	while ((r = spec_blob_next(&rd, &f, &why)) == 1) {
		for (uint32_t i = 0; i < f.ncmds; i++)
			CHECK(f.cmds[i].module >= -1 && f.cmds[i].module < (int32_t)f.nmodules);
		spec_file_free(&f);
	}
	if (r < 0)
		CHECK(why != NULL && f.arena == NULL);
	return r;
}

TEST(hostile_blobs)
{
	struct spec_blob_writer w = make_blob(2, 0);
	uint8_t *copy = malloc(w.len);
	unsigned rejected = 0;

	/* every truncation: the header's size no longer fits, or (with the
	 * size patched down) a record is cut: always an error */
	for (size_t n = 0; n < w.len; n++) {
		memcpy(copy, w.data, n);
		CHECK(read_all(copy, n) < 0);
		if (n >= SPEC_BLOB_HEADER) {
			uint64_t size = n;

			memcpy(copy + 24, &size, 8);
			CHECK(read_all(copy, n) < 0);
		}
	}
	/* every byte flipped three ways: never a crash */
	for (size_t i = 0; i < w.len; i++) {
		static const uint8_t x[] = { 0x01, 0x80, 0xff };

		for (size_t k = 0; k < sizeof x; k++) {
			memcpy(copy, w.data, w.len);
			copy[i] ^= x[k];
			rejected += read_all(copy, w.len) < 0;
		}
	}
	CHECK(rejected > 0);
	free(copy);
	free(w.data);
}

static char out_buf[8192];
static size_t out_len;

static void out_write(void *ctx, const char *s, size_t n)
{
	if (n > sizeof out_buf - 1 - out_len)
		n = sizeof out_buf - 1 - out_len;
	memcpy(out_buf + out_len, s, n);
	out_len += n;
	out_buf[out_len] = 0;
}

/* The executor over the blob: module, 2 returns and the trap and the
 * rejection pass; the wrong result, the NUL field fail; text skipped. */
TEST(run_blob)
{
	struct spec_blob_writer w = make_blob(2, 0);
	struct spec_out o = { .write = out_write };

	out_len = 0;
	CHECK(spec_blob_run(w.data, w.len, &o) == 1);
	CHECK(strstr(out_buf, "t.wast:4: assert_return add(i32:2, i32:3): expected i32:6, got i32:5\n"));
	CHECK(strstr(out_buf, "t.wast:10: assert_return add(i32:2, i32:3): expected either "
			      "i32:6 or i32:7, got i32:5\n"));
	CHECK(!strstr(out_buf, "t.wast:9:"));
	CHECK(strstr(out_buf, "t.json: 6 passed, 3 failed, 1 skipped\n"));
	CHECK(strstr(out_buf, "\n12 passed, 6 failed, 2 skipped\n"));
	out_len = 0;
	w.data[9] ^= 1;         /* the version */
	CHECK(spec_blob_run(w.data, w.len, &o) == 2);
	CHECK(strstr(out_buf, "version"));
	free(w.data);
}

/* make_script with module 0 as an artifact (the single-pass backend's:
 * the blob and the executor do not care which); *art to free. */
static void make_artifact_script(struct spec_file *f, uint8_t **art)
{
	struct wasm_error err = { 0 };
	wasm_module *m = NULL;
	char why[256];
	size_t n = 0;

	*art = NULL;
	make_script(f);
	CHECK(wasm_module_load(add_wasm, sizeof add_wasm, &m, &err) == 0);
	CHECK(m && jit_artifact_write(m, JIT_BACKEND_SINGLE, art, &n, why, sizeof why) == 0);
	wasm_module_free(m);
	f->modules[0].bytes = *art;
	f->modules[0].len = n;
	f->modules[0].artifact = true;
}

static int run_file_through_blob(const struct spec_file *f, struct spec_blob_writer *w)
{
	struct spec_out o = { .write = out_write };

	spec_blob_begin(w, 0);
	spec_blob_add(w, f);
	CHECK(spec_blob_end(w) == 0);
	out_len = 0;
	return spec_blob_run(w->data, w->len, &o);
}

/* An artifact module keeps its flag through the blob and runs as its
 * module would; a corrupted one is refused by jit_artifact_load, and that
 * fails the command even where the script expects a rejection; the bytes
 * of an artifact not marked as one are a malformed Wasm module. */
TEST(artifact_modules)
{
	struct spec_blob_writer w;
	struct spec_blob_reader rd;
	struct spec_file f, got;
	const char *why = NULL;
	uint8_t *art;

	make_artifact_script(&f, &art);
	CHECK(run_file_through_blob(&f, &w) == 1);
	CHECK(strstr(out_buf, "t.json: 6 passed, 3 failed, 1 skipped\n"));
	CHECK(strstr(out_buf, "\nnote: 1 script modules loaded from artifacts, 0 compiled "
		      "here\n6 passed, 3 failed, 1 skipped\n"));
	CHECK(spec_blob_open(&rd, w.data, w.len, &why) == 0 &&
	      spec_blob_next(&rd, &got, &why) == 1);
	CHECK(got.modules[0].artifact && !got.modules[1].artifact &&
	      got.modules[0].len == f.modules[0].len &&
	      !memcmp(got.modules[0].bytes, art, f.modules[0].len));
	spec_file_free(&got);
	free(w.data);

	art[f.modules[0].len - 40] ^= 0x10;     /* a byte of the checksummed part */
	f.cmds[5].module = 0;                   /* assert_invalid of the artifact */
	CHECK(run_file_through_blob(&f, &w) == 1);
	CHECK(strstr(out_buf, "t.wast:1: module: expected a valid module, got artifact "
		      "refused: "));
	CHECK(strstr(out_buf, "t.wast:6: assert_invalid: artifact refused: "));
	CHECK(strstr(out_buf, "t.json: 0 passed, 9 failed, 1 skipped\n"));
	free(w.data);

	f.modules[0].artifact = false;          /* not marked: Wasm bytes */
	CHECK(run_file_through_blob(&f, &w) == 1);
	CHECK(strstr(out_buf, "t.wast:1: module: expected a valid module, got "));
	CHECK(!strstr(out_buf, "artifact refused") && !strstr(out_buf, "from artifacts"));
	free(w.data);
	free(art);
	spec_file_free(&f);
}

TEST(bundle_with_spec)
{
	static uint8_t b[256];
	struct bundle_header h = { .version = BUNDLE_VERSION };
	struct bundle_entry e = { BUNDLE_SPEC, 0, 5 };
	struct boot_bundle bb;
	const char *why;

	memcpy(h.magic, BUNDLE_MAGIC, 8);
	h.count = 1;
	h.size = sizeof h + sizeof e + 8;
	memcpy(b, &h, sizeof h);
	memcpy(b + sizeof h, &e, sizeof e);
	memcpy(b + sizeof h + sizeof e, "hello", 5);
	CHECK(bundle_parse(b, h.size, &bb, &why) == 0);
	CHECK(bb.spec == b + sizeof h + sizeof e && bb.spec_len == 5 && !bb.module);
	bundle_free(&bb);
	/* two spec blobs */
	h.count = 2;
	h.size += sizeof e + 8;
	memcpy(b, &h, sizeof h);
	memcpy(b + sizeof h + sizeof e + 8, &e, sizeof e);
	CHECK(bundle_parse(b, h.size, &bb, &why) == -EINVAL);
	CHECK(why && !strcmp(why, "more than one spec blob"));
}

int main(void)
{
	RUN(round_trip);
	RUN(hostile_blobs);
	RUN(run_blob);
	RUN(artifact_modules);
	RUN(bundle_with_spec);
	CHECK_DONE();
}
