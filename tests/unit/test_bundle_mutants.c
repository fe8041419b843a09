/*
 * test_bundle_mutants.c — the kernel's boot-bundle and manifest reader
 * (images/parse/bundle_read.c + images/parse/manifest.c, built into the host library as
 * images/parse/ files) over the hostile bundles that
 * tests/images/hostile_images.sh boots, without booting them:
 *
 *   - every curated case (tests/images/bundle_mutate_cases.c) gets the
 *     verdict it aims at ("bundle: WHY" word for word; a case that aims
 *     at a run, a module, setup or spec error must parse);
 *   - every cut of the base bundle is refused;
 *   - thousands of seeded random mutants (bundle_mutate_random.c) are each
 *     parsed or refused with a reason, never a crash, and made the same
 *     again from their number;
 *   - whatever the parser accepts, the WASI layer accepts too (its trees
 *     and strings, wasi_ctx_create), as the kernel sets it up next: the
 *     kernel must not find at setup what the host's `wasmetal inspect`
 *     passed.
 *
 * The base is the bundle `wasmetal image` writes for hostile_images.sh's
 * base image (images/bundle.c; a stub module: the parser does not decode
 * it).  Usage: test_bundle_mutants [N [SEED]] (default 10000 mutants of
 * seed 1).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "bundle.h"
#include "image.h"
#include "wasi.h"
#include "bundle_mutate.h"
#include "../../images/parse/bundle_parse.h"

static char dir[] = "/tmp/test_bundle_mutants.XXXXXX";
static struct bundle base;
static struct bytes base_raw;
static unsigned nrandom = 10000;
static uint64_t seed = 1;

/* ---- the base bundle ------------------------------------------------------ */

static int make_base(void)
{
	static const uint8_t mod[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	static const char *const argv[] = { "prog.wasm", "one", "two words" };
	static const char *const envp[] = { "WHO=hostile" };
	static const struct wasi_tree_entry data[] = {
		{ "greeting.txt", WASI_NODE_FILE, (const uint8_t *)"hello from the image\n", 21 },
		{ "link.txt", WASI_NODE_SYMLINK, (const uint8_t *)"greeting.txt", 12 },
		{ "sub", WASI_NODE_DIR, NULL, 0 },
		{ "sub/nested.txt", WASI_NODE_FILE, (const uint8_t *)"one level down\n", 15 },
	};
	static const struct wasi_preopen pre = { "/data", 4, data };
	char wasm[64], out[64], err[256];
	struct image_spec s = {
		.argc = 3, .argv = argv, .envc = 1, .envp = envp,
		.npreopens = 1, .preopens = &pre, .console_com1 = true,
	};
	uint8_t buf[65536];
	FILE *f;
	size_t n;

	snprintf(wasm, sizeof wasm, "%s/prog.wasm", dir);
	snprintf(out, sizeof out, "%s/bundle", dir);
	s.module_path = wasm;
	if (!(f = fopen(wasm, "wb")) || fwrite(mod, 1, sizeof mod, f) != sizeof mod ||
	    fclose(f))
		return -1;
	if (image_bundle_write(&s, out, err, sizeof err)) {
		fprintf(stderr, "image_bundle_write: %s\n", err);
		return -1;
	}
	if (!(f = fopen(out, "rb")))
		return -1;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	unlink(wasm);
	unlink(out);
	bytes_put(&base_raw, buf, n);
	return bundle_read(buf, n, &base);
}

/* ---- the verdict, as the kernel would reach it ------------------------------- */

/* The kernel's steps before the module runs (kernel/main.c): the serial
 * ports from the manifest, bundle_parse, the WASI context.  "nobundle",
 * "bundle: WHY" (worded as the kernel's line), "setup: WHY" or "parsed".
 * The grants' listeners are left out of the WASI context: they would
 * listen on this host (under QEMU, without a NIC, they fail as ENETDOWN:
 * hostile_images.sh checks that). */
static void verdict(const struct mutant *m, char *out, size_t len)
{
	struct boot_bundle b;
	struct wasi_config cfg;
	struct wasi_ctx *ctx = NULL;
	const char *why = NULL;
	unsigned console, log;
	char err[256];

	if (m->missing || m->out.n == 0) {      /* the loader passes none */
		snprintf(out, len, "nobundle");
		return;
	}
	bundle_serial_ports(m->out.p, m->out.n, &console, &log);
	if (bundle_parse(m->out.p, m->out.n, &b, &why)) {
		if (!why || !*why)
			snprintf(out, len, "bundle refused with no reason");
		else if (b.bad_line)
			snprintf(out, len, "bundle: manifest line %u: %s", b.bad_line, why);
		else
			snprintf(out, len, "bundle: %s", why);
		return;
	}
	cfg = (struct wasi_config){
		.argc = b.argc, .argv = (const char *const *)b.argv,
		.envc = b.envc, .envp = (const char *const *)b.envp,
		.npreopens = b.npreopens, .preopens = b.preopens, .grants = b.grants,
	};
	cfg.grants.nlisten = 0;
	if (!b.module == !b.spec)
		snprintf(out, len, "parsed with %s", b.module ? "a module and a spec blob" :
			 "neither a module nor a spec blob");
	else if (!(ctx = wasi_ctx_create(&cfg, err, sizeof err)))
		snprintf(out, len, "setup: %s", err);
	else
		snprintf(out, len, "parsed");
	if (ctx)
		wasi_ctx_free(ctx);
	bundle_free(&b);
}

/* The hosted verdict against a case's aim (hostile_images.sh's words). */
static bool aimed(const char *v, const char *want)
{
	size_t n = strlen(want);

	if (!strcmp(want, "*"))
		return !strncmp(v, "bundle: ", 8) || !strcmp(v, "nobundle") ||
		       !strcmp(v, "parsed");
	if (!strncmp(want, "bundle: ", 8) || !strcmp(want, "nobundle"))
		return n && want[n - 1] == '*' ? !strncmp(v, want, n - 1) : !strcmp(v, want);
	/* "ran N", "module: ...", "setup: ...", "spec: ...": the bundle was
	   good, what follows it is not the parser's */
	return !strcmp(v, "parsed");
}

/* ---- tests ------------------------------------------------------------------------ */

TEST(curated_cases_get_their_verdict)
{
	static const struct bytes no_elf;
	unsigned n = 0;

	for (size_t i = 0; i < mutate_ncases; i++) {
		const struct mcase *c = &mutate_cases[i];
		struct mutant m = { .target = c->target };
		char v[1200];

		if (c->target != TARGET_BUNDLE)
			continue;               /* the loader's: boot/elf.c */
		bundle_clone(&base, &m.b);
		c->make(&m, c, &no_elf);
		mutant_finish(&m);
		verdict(&m, v, sizeof v);
		CHECK_MSG(aimed(v, m.expect), "case %s: '%s', it aims at '%s'",
			  c->name, v, m.expect);
		mutant_free(&m);
		n++;
	}
	printf("NOTE %u curated bundles\n", n);
	CHECK(n > 80);                  /* the table is there, not skipped */
}

/* Cut short at every byte, the header's size left alone or agreeing:
 * always refused (something is always missing). */
TEST(every_cut_of_the_base_refused)
{
	for (size_t at = 0; at < base_raw.n; at++)
		for (int agree = 0; agree < 2; agree++) {
			struct mutant m = { .written = true };
			char v[1200];

			bytes_put(&m.out, base_raw.p, at);
			if (agree)
				put_u64(&m.out, HDR_SIZE, at);
			verdict(&m, v, sizeof v);
			CHECK_MSG(!strncmp(v, "bundle: ", 8) || !strcmp(v, "nobundle"),
				  "cut at %zu%s: '%s'", at,
				  agree ? " (size agreeing)" : "", v);
			mutant_free(&m);
		}
}

TEST(random_mutants_parsed_or_refused)
{
	unsigned parsed = 0, refused = 0, nobundle = 0;

	for (unsigned i = 0; i < nrandom; i++) {
		struct mutant m = { .target = TARGET_BUNDLE }, again = { 0 };
		char v[1200];

		mutate_random(&m, &base, seed, i);
		mutant_finish(&m);
		mutate_random(&again, &base, seed, i);
		mutant_finish(&again);
		CHECK_MSG(again.out.n == m.out.n && !memcmp(again.out.p, m.out.p, m.out.n),
			  "mutant %u of seed %llu: not the same twice", i,
			  (unsigned long long)seed);
		verdict(&m, v, sizeof v);
		if (!strcmp(v, "parsed"))
			parsed++;
		else if (!strncmp(v, "bundle: ", 8))
			refused++;
		else if (!strcmp(v, "nobundle"))
			nobundle++;
		else
			CHECK_MSG(0, "mutant r%05u of seed %llu (%s): '%s'", i,
				  (unsigned long long)seed, m.desc, v);
		mutant_free(&m);
		mutant_free(&again);
	}
	printf("NOTE %u random mutants of seed %llu: %u parsed, %u refused, %u empty\n",
	       nrandom, (unsigned long long)seed, parsed, refused, nobundle);
	/* a generator that only spoils (or never spoils) is not testing much */
	if (nrandom >= 100)
		CHECK(parsed > nrandom / 50 && refused > nrandom / 2);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		nrandom = (unsigned)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		seed = strtoull(argv[2], NULL, 0);
	if (!mkdtemp(dir) || make_base()) {
		printf("FAIL bundle_mutants_setup\n");
		return 1;
	}
	rmdir(dir);
	RUN(curated_cases_get_their_verdict);
	RUN(every_cut_of_the_base_refused);
	RUN(random_mutants_parsed_or_refused);
	bundle_drop(&base);
	bytes_free(&base_raw);
	CHECK_DONE();
}
