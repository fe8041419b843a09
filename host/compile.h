/*
 * compile.h — `wasmetal compile` (host/compile.c): a module compiled ahead
 * of time into an artifact (docs/artifact.md).
 */
#ifndef HOST_COMPILE_H
#define HOST_COMPILE_H

/* argv[0] = "compile".  Returns the exit status. */
int compile_main(int argc, char **argv);

/* Compile in (a .wasm) to the artifact out with backend ("single";
 * "llvm": not yet).  The exit status: 0, 125 (reported on stderr), 2
 * (an unknown backend, with the usage). */
int compile_backend(const char *in, const char *out, const char *backend);

#endif
