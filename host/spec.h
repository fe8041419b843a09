/*
 * spec.h — `wasmetal spec FILE.json...`: the WebAssembly spec testsuite
 * runner (host/spec.c) on wast2json output, and the "spectest" host module
 * it links test modules against (host/spectest.c).
 */
#ifndef HOST_SPEC_H
#define HOST_SPEC_H

#include <stdbool.h>
#include "wasm.h"

/* The `spec` subcommand; argv[0] is "spec".  Exit status 0 when every
 * command of every file passed, 1 when some failed, 2 on usage errors. */
int spec_main(int argc, char **argv);

/* Load and instantiate the spectest module (print functions print to
 * stdout only when verbose).  0, or -1 with *err filled. */
int spectest_new(bool verbose, wasm_module **mod, wasm_instance **inst,
		 struct wasm_error *err);

#endif
