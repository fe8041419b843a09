/*
 * aot.h — modules compiled ahead of time by the CLI (host/aot.c): the LLVM
 * backend through its plugin, and the artifact cache.
 */
#ifndef HOST_AOT_H
#define HOST_AOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AOT_CACHE   1u          /* aot_compile: use and fill the cache */

/* aot_compile's results besides 0 */
#define AOT_INVALID 1           /* the module is invalid (why) */
#define AOT_FAILED  (-1)        /* the backend or this machine failed (why) */

/* The artifact (docs/artifact.md) of the module wasm[0, len) compiled by
 * backend ("llvm") for the CPU features cpu (JIT_CPU_*, jit.h: any
 * subset, this CPU's or not), malloc'd in *out: from the cache (keyed by
 * cpu too) when flags has AOT_CACHE and it holds a whole one, else
 * compiled now (and cached).  0, AOT_INVALID or AOT_FAILED with why
 * filled. */
int aot_compile(const char *backend, const uint8_t *wasm, size_t len, unsigned cpu,
		unsigned flags, uint8_t **out, size_t *outlen, char *why, size_t whylen);

/* Write buf to path through path.tmp.PID (mode) and a rename.  0, or -1
 * with errno. */
int aot_write_atomic(const char *path, const uint8_t *buf, size_t len, mode_t mode);

#endif
