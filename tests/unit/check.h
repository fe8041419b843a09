/*
 * check.h — the unit tests' whole framework.  Each tests/unit/test_*.c is a
 * program; CHECK records a failure with file:line and goes on; the program
 * prints one "PASS name", "FAIL name" or "SKIP name (why)" line per TEST,
 * then (CHECK_DONE) the summary "N passed, N failed, N skipped" as its
 * last line, and exits non-zero if anything failed.  tests/run.sh counts
 * these lines and requires the summary (a program that stopped half-way
 * cannot pass).
 *
 * The harness must not be able to say PASS for a test that did not run:
 *   - a TEST in which no check ran is a FAIL ("no check ran"): an early
 *     `return` before the first check cannot pass;
 *   - REQUIRE(cond) is the way out of a failed setup: a failing CHECK,
 *     then return;
 *   - SKIP("why") ends the test as skipped: counted as skipped, never as
 *     passed (and a failure before it still makes it a FAIL);
 *   - a check in main, outside any TEST, that fails is a "FAIL main" of
 *     its own (the next RUN does not wipe it out).
 */
#ifndef CHECK_H
#define CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures, check_passes, check_skips, check_case_failed;
static unsigned long check_case_checks;
static const char *check_case = "main", *check_case_skip;

/* CHECK_MSG(cond, fmt, ...): a check whose failure says more than cond. */
#define CHECK_MSG(cond, ...) do { check_case_checks++; if (!(cond)) { \
	fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, check_case); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
	check_case_failed = 1; } } while (0)

#define CHECK(cond) CHECK_MSG(cond, "CHECK(%s) failed", #cond)

/* A check the rest of the test depends on: if it fails, the test ends (as
 * a FAIL). */
#define REQUIRE(cond) do { int _req = !!(cond); \
	CHECK_MSG(_req, "REQUIRE(%s) failed", #cond); if (!_req) return; } while (0)

/* End the test as skipped, saying why (a string literal). */
#define SKIP(why) do { check_case_skip = (why); return; } while (0)

#define CHECK_EQ_U64(a, b) do { unsigned long long _a = (a), _b = (b); \
	check_case_checks++; \
	if (_a != _b) { fprintf(stderr, "%s:%d: %s: %s == %llu, expected %llu\n", \
		__FILE__, __LINE__, check_case, #a, _a, _b); check_case_failed = 1; } } while (0)

#define CHECK_BYTES(buf, len, ...) do { const unsigned char _e[] = { __VA_ARGS__ }; \
	check_case_checks++; \
	if ((size_t)(len) != sizeof _e || memcmp((buf), _e, sizeof _e)) { \
		fprintf(stderr, "%s:%d: %s: bytes differ (got %zu bytes:", __FILE__, __LINE__, \
			check_case, (size_t)(len)); \
		for (size_t _i = 0; _i < (size_t)(len); _i++) fprintf(stderr, " %02x", ((const unsigned char *)(buf))[_i]); \
		fprintf(stderr, ")\n"); check_case_failed = 1; } } while (0)

#define TEST(name) static void name(void)

/* The verdict of the test that just ran: FAIL if a check failed or none
 * ran (and it did not skip), SKIP if it skipped, else PASS. */
static inline void check_verdict(const char *name)
{
	if (check_case_failed) {
		printf("FAIL %s\n", name);
		check_failures++;
	} else if (check_case_skip) {
		printf("SKIP %s (%s)\n", name, check_case_skip);
		check_skips++;
	} else if (!check_case_checks) {
		printf("FAIL %s (no check ran)\n", name);
		check_failures++;
	} else {
		printf("PASS %s\n", name);
		check_passes++;
	}
	fflush(stdout);
}

/* A check outside any TEST (in main, before or between the RUNs, e.g. of
 * a setup) that failed: a FAIL of its own, so that the next RUN's reset
 * cannot hide it. */
static inline void check_outside(void)
{
	if (check_case_failed) {
		printf("FAIL main (a check outside any TEST failed)\n");
		check_failures++;
	}
	check_case = "main";
	check_case_failed = 0;
}

#define RUN(name) do { check_outside(); check_case = #name; \
	check_case_checks = 0; check_case_skip = NULL; name(); \
	check_verdict(#name); check_case = "main"; check_case_failed = 0; } while (0)

#define CHECK_DONE() do { check_outside(); \
	printf("%d passed, %d failed, %d skipped\n", check_passes, check_failures, \
	       check_skips); \
	return check_failures ? 1 : 0; } while (0)

#endif
