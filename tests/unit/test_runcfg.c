/*
 * test_runcfg.c — the run settings (kernel/runcfg.c, images/image.h):
 * what `wasmetal run` writes (image_run_settings) is what the kernel reads
 * back, for every kind of every stream; every syntax and meaning error is
 * refused with its line, never half-applied; truncations and random
 * mutations of a good text never crash and either parse or are refused.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "image.h"
#include "wasi.h"
#include "../../kernel/runcfg.c"

static int parse(const char *text, struct runcfg *rc, unsigned *line, const char **why)
{
	return runcfg_parse(text, strlen(text), rc, line, why);
}

TEST(cli_text_round_trips)
{
	char buf[512];
	struct runcfg rc;
	unsigned line;
	const char *why;

	for (int k = 0; k < 27; k++) {
		struct qemu_stdio s = { .err_fd = 2,
			.kind = { (uint8_t)(k % 3), (uint8_t)(k / 3 % 3), (uint8_t)(k / 9) } };
		int n = image_run_settings(&s, buf, sizeof buf);

		CHECK(n > 0);
		CHECK_EQ_U64(runcfg_parse(buf, (size_t)n, &rc, &line, &why), 0);
		CHECK(rc.stderr_com3);
		for (int i = 0; i < 3; i++)
			CHECK_EQ_U64(rc.stdio[i], s.kind[i]);
	}
	{
		struct qemu_stdio bad = { .kind = { 0, 3, 0 } };

		CHECK(image_run_settings(&bad, buf, sizeof buf) < 0);
		bad.kind[1] = 1;
		CHECK(image_run_settings(&bad, buf, 20) < 0);   /* does not fit */
	}
}

TEST(defaults_and_each_key)
{
	struct runcfg rc;
	unsigned line;
	const char *why;

	CHECK_EQ_U64(parse("wasmetal-run 1\n", &rc, &line, &why), 0);
	CHECK(!rc.stderr_com3 && !rc.stdio[0] && !rc.stdio[1] && !rc.stdio[2]);
	CHECK_EQ_U64(parse("# c\n\nwasmetal-run 1 # v\r\nstdout file\nstderr-port console\n"
			   "stdin other", &rc, &line, &why), 0);
	CHECK(!rc.stderr_com3);
	CHECK_EQ_U64(rc.stdio[0], WASI_STDIO_OTHER);
	CHECK_EQ_U64(rc.stdio[1], WASI_STDIO_FILE);
	CHECK_EQ_U64(rc.stdio[2], WASI_STDIO_TERMINAL);
	CHECK_EQ_U64(parse("wasmetal-run 1\nstderr terminal\nstderr-port com3\n",
			   &rc, &line, &why), 0);
	CHECK(rc.stderr_com3);
	CHECK(!strcmp(runcfg_kind_name(WASI_STDIO_FILE), "file"));
	CHECK(!strcmp(runcfg_kind_name(9), "?"));
}

TEST(errors_name_their_line)
{
	static const struct { const char *text; unsigned line; const char *why; } bad[] = {
		{ "", 0, "first line" },
		{ "stdin file\n", 1, "first line" },
		{ "wasmetal-run 2\n", 1, "first line" },
		{ "wasmetal-manifest 1\n", 1, "first line" },
		{ "wasmetal-run 1\nstdin pipe\n", 2, "terminal, file or other" },
		{ "wasmetal-run 1\nstdout\n", 2, "terminal, file or other" },
		{ "wasmetal-run 1\nstdin file\n\nstdin file\n", 4, "twice" },
		{ "wasmetal-run 1\nstderr-port com2\n", 2, "com3 or console" },
		{ "wasmetal-run 1\nconsole com1\n", 2, "unknown key" },
		{ "wasmetal-run 1\nwasmetal-run 1\n", 2, "first line, once" },
		{ "wasmetal-run 1\nstdin \"unterminated\n", 2, "" },
		{ "wasmetal-run 1\nStdin file\n", 2, "" },
	};
	struct runcfg rc;
	unsigned line;
	const char *why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&rc, 0xff, sizeof rc);
		CHECK_EQ_U64(parse(bad[i].text, &rc, &line, &why), (uint64_t)-EINVAL);
		CHECK(why && strstr(why, bad[i].why));
		if (bad[i].line)
			CHECK_EQ_U64(line, bad[i].line);
		CHECK(!rc.stderr_com3 && !rc.stdio[0] && !rc.stdio[1] && !rc.stdio[2]);
	}
	{       /* a NUL byte, and more than RUNCFG_MAX bytes */
		static char big[RUNCFG_MAX + 2];

		CHECK_EQ_U64(runcfg_parse("wasmetal-run 1\n\0", 16, &rc, &line, &why),
			     (uint64_t)-EINVAL);
		memset(big, '#', sizeof big);
		memcpy(big, "wasmetal-run 1\n", 15);
		CHECK_EQ_U64(runcfg_parse(big, RUNCFG_MAX, &rc, &line, &why), 0);
		CHECK_EQ_U64(runcfg_parse(big, RUNCFG_MAX + 1, &rc, &line, &why),
			     (uint64_t)-EINVAL);
	}
}

/* Every prefix and 100000 random mutations of a good text: parsed or
 * refused with a reason, the result always in range (under ASan in make
 * check-asan: never read past the text). */
TEST(truncations_and_mutations)
{
	const char good[] = "wasmetal-run 1\nstdin other\nstdout file\nstderr terminal\n"
			    "stderr-port com3\n";
	char buf[sizeof good];
	struct runcfg rc;
	unsigned line;
	const char *why;
	unsigned seed = 8;

	for (size_t n = 0; n <= sizeof good - 1; n++) {
		char *t = malloc(n ? n : 1);            /* exact size: ASan sees overruns */

		memcpy(t, good, n);
		if (runcfg_parse(t, n, &rc, &line, &why))
			CHECK(why != NULL);
		free(t);
	}
	for (int i = 0; i < 100000; i++) {
		memcpy(buf, good, sizeof good);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % (sizeof good - 1)] = (char)(seed >> 20);
		}
		if (runcfg_parse(buf, sizeof good - 1, &rc, &line, &why))
			CHECK(why != NULL);
		else
			CHECK(rc.stdio[0] <= 2 && rc.stdio[1] <= 2 && rc.stdio[2] <= 2);
	}
}

int main(void)
{
	RUN(cli_text_round_trips);
	RUN(defaults_and_each_key);
	RUN(errors_name_their_line);
	RUN(truncations_and_mutations);
	CHECK_DONE();
}
