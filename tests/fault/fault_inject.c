/*
 * fault_inject.c — fault injection at the platform seam, for the sanitizer
 * build of the CLI only (Makefile SAN=1 links it into build-asan/wasmetal
 * with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc): every allocation
 * the runtime's own code makes goes through plat_host_fault (host/
 * plat_host.c), which also counts plat_reserve, plat_commit and
 * plat_code_alloc.  tests/fault/sweep.sh fails each request in turn.
 *
 *   WASMETAL_FAIL=KIND:N[+]    request N (from 0) of KIND fails; with '+'
 *                              every later one too.  KIND: alloc, reserve,
 *                              commit, code.
 *   WASMETAL_FAIL_COUNT=FILE   at exit, write "alloc A reserve R commit C
 *                              code K" (the requests made) to FILE.
 *
 * Allocations inside the C library (fopen, strdup, qsort, ...) and in
 * libjansson are not wrapped: only calls from our own objects are.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plat_host.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

/* A failure as the C library's: NULL with errno ENOMEM (POSIX), which
 * callers report ("cannot read X: Cannot allocate memory"). */
static bool fail_alloc(void)
{
	if (!plat_host_fault(PLAT_HOST_FAULT_ALLOC))
		return false;
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return fail_alloc() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_alloc() ? NULL : __real_calloc(n, size);
}

/* A failed realloc leaves the block as it was (C11 7.22.3.5). */
void *__wrap_realloc(void *p, size_t n)
{
	return fail_alloc() ? NULL : __real_realloc(p, n);
}

static const char *const kind_names[PLAT_HOST_FAULT__COUNT] = {
	[PLAT_HOST_FAULT_RESERVE] = "reserve",
	[PLAT_HOST_FAULT_COMMIT] = "commit",
	[PLAT_HOST_FAULT_CODE] = "code",
	[PLAT_HOST_FAULT_ALLOC] = "alloc",
};

static const char *count_file;

static void write_counts(void)
{
	FILE *f = fopen(count_file, "w");

	if (!f)
		return;
	fprintf(f, "alloc %lu reserve %lu commit %lu code %lu\n",
		plat_host_fault_count(PLAT_HOST_FAULT_ALLOC),
		plat_host_fault_count(PLAT_HOST_FAULT_RESERVE),
		plat_host_fault_count(PLAT_HOST_FAULT_COMMIT),
		plat_host_fault_count(PLAT_HOST_FAULT_CODE));
	fclose(f);
}

/* KIND:N[+] -> plat_host_fail_nth; a bad value is a usage error of the
 * test, reported and fatal. */
static void parse_fail(const char *v)
{
	const char *colon = strchr(v, ':');
	char *end;
	long n;

	for (int k = 0; colon && k < PLAT_HOST_FAULT__COUNT; k++) {
		if (strlen(kind_names[k]) != (size_t)(colon - v) ||
		    strncmp(v, kind_names[k], (size_t)(colon - v)))
			continue;
		n = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || n < 0 || (*end && strcmp(end, "+")))
			break;
		plat_host_fail_nth((enum plat_host_fault)k, n, *end == '+');
		return;
	}
	fprintf(stderr, "fault_inject: WASMETAL_FAIL=%s: want KIND:N[+] "
		"(alloc, reserve, commit, code)\n", v);
	exit(2);
}

__attribute__((constructor))
static void fault_inject_init(void)
{
	const char *v = getenv("WASMETAL_FAIL");

	count_file = getenv("WASMETAL_FAIL_COUNT");
	if (count_file && *count_file)
		atexit(write_counts);
	if (v && *v)
		parse_fail(v);
}
