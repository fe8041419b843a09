/*
 * check.h — the unit tests' whole framework.  Each tests/unit/test_*.c is a
 * program; CHECK records a failure with file:line and goes on; the program
 * prints one "PASS name" or "FAIL name" line per TEST and exits non-zero if
 * anything failed.  tests/run.sh counts these lines.
 */
#ifndef CHECK_H
#define CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures, check_case_failed;
static const char *check_case;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
		check_case, #cond); check_case_failed = 1; } } while (0)

#define CHECK_EQ_U64(a, b) do { unsigned long long _a = (a), _b = (b); \
	if (_a != _b) { fprintf(stderr, "%s:%d: %s: %s == %llu, expected %llu\n", \
		__FILE__, __LINE__, check_case, #a, _a, _b); check_case_failed = 1; } } while (0)

#define CHECK_BYTES(buf, len, ...) do { const unsigned char _e[] = { __VA_ARGS__ }; \
	if ((size_t)(len) != sizeof _e || memcmp((buf), _e, sizeof _e)) { \
		fprintf(stderr, "%s:%d: %s: bytes differ (got %zu bytes:", __FILE__, __LINE__, \
			check_case, (size_t)(len)); \
		for (size_t _i = 0; _i < (size_t)(len); _i++) fprintf(stderr, " %02x", ((const unsigned char *)(buf))[_i]); \
		fprintf(stderr, ")\n"); check_case_failed = 1; } } while (0)

#define TEST(name) static void name(void)
#define RUN(name) do { check_case = #name; check_case_failed = 0; name(); \
	printf("%s %s\n", check_case_failed ? "FAIL" : "PASS", #name); \
	check_failures += check_case_failed; } while (0)
#define CHECK_DONE() return check_failures ? 1 : 0

#endif
