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
 * "llvm") for the CPU features cpu (JIT_CPU_*, jit.h; the single-pass
 * backend: only features this CPU has); flags: AOT_CACHE (host/aot.h)
 * lets LLVM code come from and go to the artifact cache.  The exit
 * status: 0, 125 (reported on stderr), 2 (an unknown backend, with the
 * usage). */
int compile_backend(const char *in, const char *out, const char *backend, unsigned cpu,
		    unsigned flags);

/* The same, the artifact into *wmo (malloc'd) instead of a file. */
int compile_to_memory(const char *in, const char *backend, unsigned cpu, unsigned flags,
		      uint8_t **wmo, size_t *wmo_len);

/* --cpu VALUE (compile, run, image, spec): "host" (jit_cpu_features()),
 * "baseline" (0: x86-64 with SSE2 only) or a comma list of the names
 * below, into *cpu (JIT_CPU_*).  0, or -1 if VALUE is none of these. */
#define COMPILE_CPU_NAMES "sse4.1,popcnt,lzcnt,bmi1,avx,avx2"
int compile_cpu_parse(const char *s, unsigned *cpu);
/* "baseline", or the comma list of cpu's features */
void compile_cpu_name(unsigned cpu, char *buf, size_t len);
/* The single-pass JIT made to compile for cpu (jit_cpu_disable of the
 * rest: not thread-safe, fine in the CLI): 0, or 125 with a message if
 * this CPU lacks one of them (that backend cannot add features). */
int compile_cpu_single(unsigned cpu);

#endif
