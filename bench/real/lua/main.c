/*
 * main.c — the Lua 5.4 benchmark driver (bench/real/, issue 9 "Speed
 * targets": an interpreter running a recursive, compute-heavy script).
 *
 * Lua is Debian's lua5.4 source (bench/real/fetch.sh), built by
 * bench/real/build.sh without longjmp (nolongjmp.h).  The script,
 * bench/real/lua/bench.lua, is compiled into this program as a string
 * (lua_script.h, generated at build time) so that no runner has to grant
 * file access.  Only the base, string, table and math libraries are opened
 * (io/os/package need things wasi-libc lacks and the script does not use).
 */
#include <stdio.h>
#include <stdlib.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "lua_script.h"	/* static const char bench_lua[] */

_Noreturn void benchlua_throw(lua_State *L, int status)
{
	const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(no message)";

	fflush(stdout);
	fprintf(stderr, "lua: error (status %d): %s\n", status, msg);
	exit(1);
}

int main(void)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ NULL, NULL },
	};
	lua_State *L = luaL_newstate();

	if (!L) {
		fprintf(stderr, "lua: cannot create state\n");
		return 1;
	}
	for (const luaL_Reg *l = libs; l->name; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	if (luaL_loadbuffer(L, bench_lua, sizeof(bench_lua) - 1, "=bench.lua") != LUA_OK)
		benchlua_throw(L, -1);
	lua_call(L, 0, 0);
	lua_close(L);
	return 0;
}
