/*
 * nolongjmp.h — forced into every Lua source file of the bench build
 * (-include) by bench/real/build.sh, for the native and the wasm build alike.
 *
 * wasi-libc has no setjmp/longjmp, so Lua's error recovery (ldo.c, "Error-
 * recovery functions": LUAI_THROW/LUAI_TRY/luai_jmpbuf, the knobs Lua offers
 * for this) is replaced by: run the protected code directly, and on any
 * error print it and exit(1).  The benchmark script raises no errors and
 * does not yield from coroutines (a yield is a throw); if it ever did, the
 * run fails loudly with a different output, which the bench reports.
 *
 * luai_makeseed is fixed so that string hashing, and so table layout, is
 * the same on every run and runner (lstate.c otherwise mixes in time() and
 * addresses).
 *
 * l_randomizePivot (ltablib.c, table.sort's pivot choice for large
 * arrays) would read clock() and time(): fixed too, for the same reason.
 *
 * l_signalT: lstate.h would include <signal.h> for sig_atomic_t, which
 * wasi-libc refuses without signal emulation; nothing here sets a hook
 * from a signal handler, so a plain int does (same in both builds).
 */
#ifndef BENCH_LUA_NOLONGJMP_H
#define BENCH_LUA_NOLONGJMP_H

struct lua_State;
_Noreturn void benchlua_throw(struct lua_State *L, int status);

#define LUAI_THROW(L, c)	benchlua_throw((L), (c)->status)
#define LUAI_TRY(L, c, a)	{ a }
#define luai_jmpbuf		int	/* unused */

#define luai_makeseed(L)	0x2545f491u
#define l_signalT		int
#define l_randomizePivot()	0u

#endif
