/*
 * test_trap_names.c — two details of the engine API (wasm.h) that the spec
 * testsuite checks: call_indirect traps name the element index the way the
 * reference interpreter does ("uninitialized element 2", bulk.wast), and
 * export names may hold NUL bytes (names.wast), reached with the
 * length-aware lookups (wasm_call_n, wasm_export_*_n) while the C-string
 * forms keep working.  Modules are assembled with wat2wasm at test time.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "wasm.h"
#include "plat_host.h"
#include "wat.h"

static char tmpdir[64];

static wasm_instance *inst_wat(const char *text, wasm_module **mp)
{
	struct wasm_error err = { 0 };
	struct wasm_trap trap;
	wasm_instance *inst = NULL;
	size_t n = 0;
	uint8_t *b = wat_assemble(tmpdir, text, &n);

	*mp = NULL;
	if (!b)
		return NULL;
	if (wasm_module_load(b, n, mp, &err) == 0 &&
	    wasm_instance_new(*mp, NULL, 0, &inst, &err, &trap) != 0)
		inst = NULL;
	free(b);
	return inst;
}

static const char *call_indirect_wat =
	"(module (type $t (func (result i32)))\n"
	"  (table 3 funcref) (elem (i32.const 0) $one)\n"
	"  (func $one (result i32) i32.const 1)\n"
	"  (func (export \"ci\") (param i32) (result i32)\n"
	"    local.get 0 call_indirect (type $t)))\n";

/* call ci(i) and return the trap's full text ("" when it did not trap) */
static const char *ci_trap(wasm_instance *inst, uint32_t i, struct wasm_trap *t,
			   char *buf, size_t len)
{
	uint64_t arg = i, res = 0;
	struct wasm_error err = { 0 };

	buf[0] = 0;
	if (wasm_call(inst, "ci", &arg, 1, &res, 1, t, &err) != 1)
		return buf;
	return wasm_trap_text(t, buf, len);
}

TEST(element_index_in_traps)
{
	wasm_module *m;
	wasm_instance *inst = inst_wat(call_indirect_wat, &m);
	struct wasm_trap t;
	char buf[160], full[1024];

	REQUIRE(inst != NULL);
	CHECK(!strcmp(ci_trap(inst, 2, &t, buf, sizeof buf), "uninitialized element 2"));
	CHECK(t.code == WASM_TRAP_UNINITIALIZED_ELEMENT && t.has_index && t.index == 2);
	wasm_trap_format(&t, full, sizeof full);
	CHECK(strstr(full, "wasm trap: uninitialized element 2\n") == full);
	CHECK(!strcmp(ci_trap(inst, 5, &t, buf, sizeof buf), "undefined element 5"));
	/* the reference interpreter prints the index as a signed i32 */
	CHECK(!strcmp(ci_trap(inst, 0xffffffffu, &t, buf, sizeof buf),
		      "undefined element -1"));
	CHECK(!strcmp(ci_trap(inst, 0, &t, buf, sizeof buf), ""));
	/* traps without a detail stay the bare message */
	t = (struct wasm_trap){ .code = WASM_TRAP_UNREACHABLE };
	CHECK(!strcmp(wasm_trap_text(&t, buf, sizeof buf), "unreachable"));
	t = (struct wasm_trap){ .code = WASM_TRAP_HOST, .host_msg = "boom" };
	CHECK(!strcmp(wasm_trap_text(&t, buf, sizeof buf), "host function error: boom"));
	wasm_instance_free(inst);
	wasm_module_free(m);
}

static const char *names_wat =
	"(module\n"
	"  (func (export \"a\") (result i32) i32.const 1)\n"
	"  (func (export \"a\\00b\") (result i32) i32.const 7)\n"
	"  (func (export \"\\00\") (result i32) i32.const 9)\n"
	"  (global (export \"g\\00\") i32 (i32.const 42)))\n";

TEST(names_with_nul)
{
	wasm_module *m;
	wasm_instance *inst = inst_wat(names_wat, &m);
	struct wasm_error err = { 0 };
	struct wasm_trap t;
	uint64_t r = 0, v = 0;
	uint32_t np = 9, nr = 9;
	uint8_t ty = 0;

	REQUIRE(inst != NULL);
	CHECK(wasm_call(inst, "a", NULL, 0, &r, 1, &t, &err) == 0 && r == 1);
	CHECK(wasm_call_n(inst, "a\0b", 3, NULL, 0, &r, 1, &t, &err) == 0 && r == 7);
	CHECK(wasm_call_n(inst, "\0", 1, NULL, 0, &r, 1, &t, &err) == 0 && r == 9);
	CHECK(wasm_call_n(inst, "a\0c", 3, NULL, 0, &r, 1, &t, &err) == -1);
	CHECK(wasm_call_n(inst, "a\0", 2, NULL, 0, &r, 1, &t, &err) == -1);
	CHECK(wasm_call(inst, "", NULL, 0, &r, 1, &t, &err) == -1);
	CHECK(wasm_export_func_type_n(inst, "a\0b", 3, &np, NULL, &nr, NULL, 0) == 0 &&
	      np == 0 && nr == 1);
	CHECK(wasm_export_global_get_n(inst, "g\0", 2, &ty, &v) == 0 &&
	      ty == WASM_I32 && v == 42);
	CHECK(wasm_export_global_get(inst, "g", &ty, &v) == -1);
	wasm_instance_free(inst);
	wasm_module_free(m);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/wasmetal-test-trapnames-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	plat_host_init();
	RUN(element_index_in_traps);
	RUN(names_with_nul);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	CHECK_DONE();
}
