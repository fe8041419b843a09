/*
 * wasi_run.c — run a WASI command (wasi_snapshot_preview1 "command" ABI:
 * export `_start`, exit through proc_exit or by returning) from its bytes:
 *
 *   wasi_ctx_new -> wasm_module_load -> wasm_instance_new(WASI imports)
 *     -> wasm_call("_start") -> exit status
 *
 * Load and link errors, and traps, are reported on the guest's stderr
 * (console fd 2) with their context; the status follows wasmtime: the
 * proc_exit code (0..125 only), 0 when _start returns, 134 on a trap, 125
 * when the module could not be loaded or instantiated, 1 (with a report)
 * for a proc_exit code outside 0..125.  Each error is named for what it
 * is, as Wasmtime names them:
 *
 *   wasmetal: invalid module: section 'code' at offset 0x1a2: type mismatch
 *   wasmetal: failed to instantiate: unknown import: env::memory has not been defined
 *   wasmetal: failed to instantiate: out of memory (cannot allocate the linear ...)
 *   wasmetal: failed to load the module: out of memory (code)
 *   wasmetal: exit with invalid exit status outside of [0..126): proc_exit(256)
 *   wasmetal: invalid artifact: artifact checksum mismatch (the file is corrupted)
 *   wasmetal: failed to load the artifact: out of memory (code)
 *
 * wasi_run_artifact runs a .wmo (jit/artifact.h) the same way: its code
 * is loaded, not compiled; an artifact refused is status 125.
 */
#include <stdio.h>
#include "artifact.h"
#include "sha256.h"
#include "plat.h"
#include "wasi_impl.h"

static void report(const char *prefix, const char *msg)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "wasmetal: %s%s\n", prefix, msg);

	if (n > 0)
		plat_console_write(2, line, (size_t)n < sizeof(line) ? (size_t)n
								   : sizeof(line) - 1);
}

/* A failure of wasm_module_load (instantiating false) or of
 * wasm_instance_new: reported by its kind (wasm.h), status 125. */
static int load_error(const struct wasm_error *err, bool instantiating, const char *what)
{
	const char *m = err->msg ? err->msg : "unknown error";
	char buf[384], msg[448];

	if (err->kind == WASM_ERR_LINK && !strcmp(m, "unknown import")) {
		snprintf(msg, sizeof(msg), "unknown import: %s has not been defined",
			 err->detail);
	} else if (err->kind == WASM_ERR_LINK) {
		snprintf(msg, sizeof(msg), "%s for %s", m, err->detail);
	} else if (err->kind == WASM_ERR_RESOURCE) {
		snprintf(msg, sizeof(msg), "%s%s%s%s", m, err->detail[0] ? " (" : "",
			 err->detail, err->detail[0] ? ")" : "");
	} else {
		wasm_error_format(err, buf, sizeof(buf));
		snprintf(msg, sizeof(msg), "%s%s", what, buf);
		report("invalid module: ", msg);
		return WASI_STATUS_LOAD_ERROR;
	}
	report(instantiating ? "failed to instantiate: " : "failed to load the module: ",
	       msg);
	return WASI_STATUS_LOAD_ERROR;
}

/* proc_exit's code as the exit status: 0..WASI_EXIT_MAX as it is; any
 * other (the witx exitcode is a u32) is an error, as in Wasmtime: a
 * status the host would cut to 8 bits (256 -> 0, a failure read as
 * success) or that would read as a signal (128 + n) or as our own 134. */
static int exit_status(int32_t code)
{
	char msg[64];

	if (code >= 0 && code <= WASI_EXIT_MAX)
		return code;
	snprintf(msg, sizeof(msg), "proc_exit(%u)", (unsigned)code);
	report("exit with invalid exit status outside of [0..126): ", msg);
	return WASI_STATUS_BAD_EXIT;
}

/* The exit status for a trap: proc_exit's code, or a report and 134. */
static int trap_status(const struct wasm_trap *trap)
{
	char buf[2048];
	size_t n;

	if (trap->code == WASM_TRAP_EXIT) {
		plat_log("proc_exit(%u)\n", (unsigned)trap->exit_code);
		return exit_status(trap->exit_code);
	}
	wasm_trap_format(trap, buf, sizeof(buf));
	n = strnlen(buf, sizeof(buf));
	if (n && buf[n - 1] != '\n' && n < sizeof(buf) - 1)
		buf[n++] = '\n';
	plat_console_write(2, buf, n);
	return WASI_STATUS_TRAP;
}

static int run_start(wasm_instance *inst)
{
	struct wasm_trap trap;
	struct wasm_error err;
	int r;

	memset(&trap, 0, sizeof(trap));
	memset(&err, 0, sizeof(err));
	plat_run_point(PLAT_RUN_START);
	plat_log("entering _start\n");
	r = wasm_call(inst, "_start", NULL, 0, NULL, 0, &trap, &err);
	if (r == 0)
		return 0;
	if (r > 0)
		return trap_status(&trap);
	return load_error(&err, false, "not a WASI command: ");
}

static int run_module(wasm_module *m, struct wasi_ctx *ctx)
{
	const struct wasm_host_func *funcs;
	size_t nfuncs = wasi_host_funcs(ctx, &funcs);
	wasm_instance *inst = NULL;
	struct wasm_trap trap;
	struct wasm_error err;
	int r, status;

	memset(&trap, 0, sizeof(trap));
	memset(&err, 0, sizeof(err));
	r = wasm_instance_new(m, funcs, nfuncs, &inst, &err, &trap);
	if (r == -1)
		return load_error(&err, true, "");
	if (r == -2) {
		/* The start function trapped (or called proc_exit). */
		status = trap_status(&trap);
		wasm_instance_free(inst);
		return status;
	}
	wasm_instance_set_user(inst, ctx);
	status = run_start(inst);
	wasm_instance_free(inst);
	return status;
}

/* What run_bytes is given. */
enum run_kind { RUN_MODULE, RUN_ARTIFACT, RUN_ARTIFACT_CHECKED };

static int artifact_load(const uint8_t *bytes, size_t len, enum run_kind kind,
			 wasm_module **m, char *why, size_t whylen)
{
	if (kind == RUN_ARTIFACT_CHECKED)
		return jit_artifact_load_checked(bytes, len, m, why, whylen);
	return jit_artifact_load(bytes, len, m, why, whylen);
}

/* Load (compile, or an artifact's code), then run. */
static int run_bytes(const uint8_t *bytes, size_t len, const struct wasi_config *cfg,
		     enum run_kind kind)
{
	bool is_artifact = kind != RUN_MODULE;
	char why[320];
	struct wasi_ctx *ctx = wasi_ctx_create(cfg, why, sizeof(why));
	wasm_module *m = NULL;
	struct wasm_error err;
	int status;

	if (!ctx) {
		report("cannot set up WASI: ", why);
		return WASI_STATUS_LOAD_ERROR;
	}
	memset(&err, 0, sizeof(err));
	if (is_artifact && (status = artifact_load(bytes, len, kind, &m, why, sizeof why))) {
		/* -2: the machine failed, not the artifact (as load_error) */
		report(status == -2 ? "failed to load the artifact: " : "invalid artifact: ",
		       why);
		status = WASI_STATUS_LOAD_ERROR;
		goto out;
	}
	if (!is_artifact && wasm_module_load(bytes, len, &m, &err) < 0) {
		status = load_error(&err, false, "");
		goto out;
	}
	if (is_artifact)
		plat_log("artifact loaded: %zu bytes, no compile (checked with %s)\n", len,
			 kind == RUN_ARTIFACT_CHECKED ? "the bundle's CRC-32C" :
			 jit_sha256_accelerated() ? "the SHA extensions" : "portable SHA-256");
	plat_code_loaded(m);
	plat_run_point(PLAT_RUN_LOADED);
	status = run_module(m, ctx);
	wasm_module_free(m);
out:
	wasi_ctx_free(ctx);
	return status;
}

int wasi_run_module(const uint8_t *wasm, size_t len, const struct wasi_config *cfg)
{
	return run_bytes(wasm, len, cfg, RUN_MODULE);
}

int wasi_run_artifact(const uint8_t *wmo, size_t len, const struct wasi_config *cfg)
{
	return run_bytes(wmo, len, cfg, RUN_ARTIFACT);
}

int wasi_run_artifact_checked(const uint8_t *wmo, size_t len,
			      const struct wasi_config *cfg)
{
	return run_bytes(wmo, len, cfg, RUN_ARTIFACT_CHECKED);
}
