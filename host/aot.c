/*
 * aot.c — modules compiled ahead of time for the CLI: `--backend llvm`
 * through the LLVM plugin (libwasmetal-llvm.so, host/llvm/llvm_plugin.c,
 * loaded on first use), and the artifact cache of hosted and QEMU runs.
 *
 * The cache (docs/artifact.md "The cache") keeps one artifact per module
 * hash, backend, CPU feature set, engine, ABI and build id of the backend
 * (Makefile LLVM_BUILD_ID_H), in a directory only
 * this user may write ($WASMETAL_AOT_CACHE, else $XDG_CACHE_HOME/wasmetal
 * /aot, else ~/.cache/wasmetal/aot; WASMETAL_AOT_CACHE=off disables it).
 * Artifacts are native code, so a directory or file that someone else
 * could have written is never read: it is reported and bypassed.  A
 * cached artifact that fails jit_artifact_check, is not LLVM's, or was
 * compiled from another module than the one asked for is replaced.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot.h"
#include "artifact.h"
#include "jit.h"
#include "readfile.h"
#include "sha256.h"
#include "llvm/llvm_plugin.h"

/* ---- the plugin ------------------------------------------------------------ */

#define PLUGIN_NAME "libwasmetal-llvm.so"

/* $WASMETAL_LLVM_PLUGIN, else next to the executable */
static void plugin_path(char *out, size_t n)
{
	const char *env = getenv("WASMETAL_LLVM_PLUGIN");
	char exe[PATH_MAX];
	ssize_t k;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0) {
		snprintf(out, n, "%s/" PLUGIN_NAME, WASMETAL_BUILD_DIR);
		return;
	}
	exe[k] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(out, n, "%s/" PLUGIN_NAME, exe);
}

static wasmetal_llvm_artifact_fn *plugin_load(char *why, size_t whylen)
{
	static wasmetal_llvm_artifact_fn *fn;
	char path[PATH_MAX + 32];
	const char *id;
	void *h;

	if (fn)
		return fn;
	plugin_path(path, sizeof path);
	if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(why, whylen, "the LLVM backend is not available: %s (build it "
			 "with 'make', which needs llvm-14-dev)", dlerror());
		return NULL;
	}
	id = dlsym(h, "wasmetal_llvm_engine");
	if (!id || strcmp(id, LLVM_PLUGIN_ID)) {
		snprintf(why, whylen, "%s is from another build ('%s', this is '%s')", path,
			 id ? id : "?", LLVM_PLUGIN_ID);
		dlclose(h);
		return NULL;
	}
	fn = (wasmetal_llvm_artifact_fn *)dlsym(h, "wasmetal_llvm_artifact");
	if (!fn)
		snprintf(why, whylen, "%s has no entry point", path);
	return fn;
}

/* ---- the cache -------------------------------------------------------------- */

/* Owned by us and writable by no one else: what may hold native code. */
static bool private_to_us(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The cache directory, created 0700 if missing; false (with a warning
 * when something is wrong, silently when disabled) if it cannot be used. */
static bool cache_dir(char *out, size_t n)
{
	const char *env = getenv("WASMETAL_AOT_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char tmp[PATH_MAX];
	struct stat st;

	if (env && !strcmp(env, "off"))
		return false;
	if (env && *env)
		snprintf(out, n, "%s", env);
	else if (xdg && *xdg == '/')
		snprintf(out, n, "%s/wasmetal/aot", xdg);
	else if (home && *home == '/')
		snprintf(out, n, "%s/.cache/wasmetal/aot", home);
	else
		return false;
	/* mkdir -p, each level 0700 if we create it */
	snprintf(tmp, sizeof tmp, "%s", out);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(tmp, 0700);
		*p = '/';
	}
	mkdir(tmp, 0700);
	if (lstat(out, &st)) {
		fprintf(stderr, "wasmetal: not using the artifact cache %s: %s\n", out,
			strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || !private_to_us(&st)) {
		fprintf(stderr, "wasmetal: not using the artifact cache %s: not a "
			"directory owned by this user and writable only by it\n", out);
		return false;
	}
	return true;
}

static void cache_file(const char *dir, const uint8_t *wasm, size_t len,
		       const char *backend, unsigned cpu, char *out, size_t n)
{
	uint8_t sum[JIT_SHA256_LEN];
	char hex[2 * JIT_SHA256_LEN + 1];
	char engine[] = JIT_ENGINE_VERSION;

	jit_sha256(wasm, len, sum);
	for (int i = 0; i < JIT_SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	for (char *p = engine; *p; p++)
		if (*p == ' ')
			*p = '-';
	/* the build id: a rebuilt backend never reads an older one's code */
	snprintf(out, n, "%s/%s.%s.cpu%x.%s.abi%d.%s.wmo", dir, hex, backend, cpu, engine,
		 JIT_ABI_VERSION, WASMETAL_LLVM_BUILD_ID);
}

/* Why the cached artifact buf[0, len) may not stand for the module
 * wasm[0, wlen) compiled for cpu, or NULL if it may: whole
 * (jit_artifact_check), of the LLVM backend, for exactly these CPU
 * features, and compiled from exactly this module (the file name is only
 * a key: the module inside is compared byte for byte). */
static const char *cache_unfit(const uint8_t *buf, size_t len, const uint8_t *wasm,
			       size_t wlen, unsigned cpu, char *why, size_t whylen)
{
	struct jit_artifact_info info;

	if (jit_artifact_check(buf, len, &info, why, whylen))
		return why;
	if (info.backend != JIT_BACKEND_LLVM)
		return "not an llvm artifact";
	if (info.cpu != cpu)
		return "compiled for other CPU features";
	if (info.module_len != wlen || memcmp(info.module, wasm, wlen))
		return "compiled from another module";
	return NULL;
}

/* A cached artifact for the module wasm, or NULL: read only if private
 * to us, and used only if cache_unfit finds nothing wrong. */
static uint8_t *cache_read(const char *path, const uint8_t *wasm, size_t wlen, unsigned cpu,
			   size_t *len)
{
	char why[256];
	const char *unfit;
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !private_to_us(&st)) {
		fprintf(stderr, "wasmetal: ignoring cached %s: not a file owned by this "
			"user and writable only by it\n", path);
		close(fd);
		return NULL;
	}
	close(fd);
	if (!(buf = host_read_file(path, len)))
		return NULL;
	if ((unfit = cache_unfit(buf, *len, wasm, wlen, cpu, why, sizeof why))) {
		fprintf(stderr, "wasmetal: replacing cached %s: %s\n", path, unfit);
		free(buf);
		return NULL;
	}
	return buf;
}

/* PATH.tmp.PID, 0600, then rename: never a half-written artifact */
int aot_write_atomic(const char *path, const uint8_t *buf, size_t len, mode_t mode)
{
	char tmp[PATH_MAX + 32];
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
	    sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		return -1;
	ok = 1;
	for (size_t off = 0; ok && off < len;) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w <= 0)
			ok = 0;
		else
			off += (size_t)w;
	}
	ok = (close(fd) == 0) && ok;
	if (!ok || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		errno = e ? e : EIO;
		return -1;
	}
	return 0;
}

/* ---- what the commands call ------------------------------------------------- */

int aot_compile(const char *backend, const uint8_t *wasm, size_t len, unsigned cpu,
		unsigned flags, uint8_t **out, size_t *outlen, char *why, size_t whylen)
{
	wasmetal_llvm_artifact_fn *fn;
	char dir[PATH_MAX], path[PATH_MAX + 256];
	bool cached = (flags & AOT_CACHE) && cache_dir(dir, sizeof dir);
	int r;

	*out = NULL;
	if (strcmp(backend, "llvm")) {
		snprintf(why, whylen, "unknown backend '%s'", backend);
		return AOT_FAILED;
	}
	cpu &= JIT_CPU_LLVM;    /* no AVX: the artifact (and its cache key) says so */
	if (cached) {
		cache_file(dir, wasm, len, backend, cpu, path, sizeof path);
		if ((*out = cache_read(path, wasm, len, cpu, outlen)))
			return 0;
	}
	if (!(fn = plugin_load(why, whylen)))
		return AOT_FAILED;
	r = fn(wasm, len, cpu, out, outlen, why, whylen);
	if (r)
		return r == LLVM_PLUGIN_INVALID ? AOT_INVALID : AOT_FAILED;
	/* a cache that cannot be written costs the next run a compile */
	if (cached && aot_write_atomic(path, *out, *outlen, 0600))
		fprintf(stderr, "wasmetal: cannot write the artifact cache %s: %s\n", path,
			strerror(errno));
	return 0;
}
