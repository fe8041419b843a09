/*
 * compile.h — `wasmetal compile` (host/compile.c): a module compiled ahead
 * of time into an artifact (docs/artifact.md).
 */
#ifndef HOST_COMPILE_H
#define HOST_COMPILE_H

/* argv[0] = "compile".  Returns the exit status. */
int compile_main(int argc, char **argv);

#include <stddef.h>
#include <stdint.h>

/* Compile in (a .wasm) to the artifact out with backend ("single",
 * "llvm"); flags: AOT_CACHE (host/aot.h) lets LLVM code come from and go
 * to the artifact cache.  The exit status: 0, 125 (reported on stderr), 2
 * (an unknown backend, with the usage). */
int compile_backend(const char *in, const char *out, const char *backend, unsigned flags);

/* The same, the artifact into *wmo (malloc'd) instead of a file. */
int compile_to_memory(const char *in, const char *backend, unsigned flags, uint8_t **wmo,
		      size_t *wmo_len);

#endif
