/*
 * bundle_mutate_main.c — the hostile-image generator's commands (see
 * bundle_mutate.h), for tests/images/hostile_images.sh:
 *
 *   bundle_mutate cases BUNDLE KERNEL.ELF OUTDIR
 *       every curated case (bundle_mutate_cases.c): OUTDIR/NAME.bin, and
 *       OUTDIR/list, one line per case:
 *       NAME <tab> test|full <tab> bundle|elf|delete <tab> EXPECT <tab> -
 *   bundle_mutate random BUNDLE OUTDIR SEED N
 *       N random mutants of BUNDLE (bundle_mutate_random.c), rNNNNN.bin,
 *       listed the same way with tier "random", EXPECT "*" (anything, as
 *       long as the kernel and the host agree) and what was done
 *   bundle_mutate elf-check FILE
 *       the loader's verdict on a kernel ELF, from boot/elf.c built here:
 *       "ok", or the line the loader prints after "wasmetal loader: "
 *
 * BUNDLE is one that `wasmetal image` wrote (read back from an image);
 * the cases find its parts by kind and path, not by offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle_mutate.h"
#include "loader.h"

/* ---- files --------------------------------------------------------------------- */

static int read_all(const char *path, struct bytes *b)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[65536];
	size_t n;

	memset(b, 0, sizeof *b);
	if (!f) {
		fprintf(stderr, "bundle_mutate: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		bytes_put(b, buf, n);
	fclose(f);
	return 0;
}

static int write_all(const char *dir, const char *name, const struct bytes *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (!f || (b->n && fwrite(b->p, 1, b->n, f) != b->n) || fclose(f)) {
		fprintf(stderr, "bundle_mutate: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A list field: tabs, newlines and bytes outside printable ASCII as \xHH. */
static void put_field(FILE *f, const char *s)
{
	if (!*s) {
		fputc('-', f);
		return;
	}
	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void list_line(FILE *f, const char *name, const char *tier,
		      const struct mutant *m)
{
	fprintf(f, "%s\t%s\t%s\t", name, tier,
		m->missing ? (m->target == TARGET_ELF ? "delete-elf" : "delete") :
		m->target == TARGET_ELF ? "elf" : "bundle");
	put_field(f, m->expect);
	fputc('\t', f);
	put_field(f, m->desc);
	fputc('\n', f);
}

static FILE *open_list(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/list", dir);
	if (!(f = fopen(path, "w")))
		fprintf(stderr, "bundle_mutate: %s: %s\n", path, strerror(errno));
	return f;
}

/* ---- commands ------------------------------------------------------------------ */

static int load_base(const char *path, struct bytes *raw, struct bundle *base)
{
	if (read_all(path, raw))
		return -1;
	if (bundle_read(raw->p, raw->n, base) ||
	    bundle_find(base, BUNDLE_MANIFEST, 0) < 0 || bundle_find(base, BUNDLE_MODULE, 0) < 0) {
		fprintf(stderr, "bundle_mutate: %s: not a bundle with a manifest and a module\n",
			path);
		return -1;
	}
	return 0;
}

static int cmd_cases(const char *bundle, const char *kernel, const char *dir)
{
	struct bytes raw, elf;
	struct bundle base;
	FILE *list;
	int r = 0;

	if (load_base(bundle, &raw, &base) || read_all(kernel, &elf) || !(list = open_list(dir)))
		return 2;
	for (size_t i = 0; i < mutate_ncases && !r; i++) {
		const struct mcase *c = &mutate_cases[i];
		struct mutant m = { .target = c->target };

		bundle_clone(&base, &m.b);
		c->make(&m, c, &elf);
		mutant_finish(&m);
		if (!m.expect[0]) {
			fprintf(stderr, "bundle_mutate: case %s aims at nothing\n", c->name);
			r = 2;
		}
		if (!r && write_all(dir, c->name, &m.out))
			r = 2;
		list_line(list, c->name, c->in_test ? "test" : "full", &m);
		mutant_free(&m);
	}
	if (fclose(list))
		r = 2;
	bundle_drop(&base);
	bytes_free(&raw);
	bytes_free(&elf);
	return r;
}

static int cmd_random(const char *bundle, const char *dir, uint64_t seed, unsigned n)
{
	struct bytes raw;
	struct bundle base;
	FILE *list;
	int r = 0;

	if (load_base(bundle, &raw, &base) || !(list = open_list(dir)))
		return 2;
	for (unsigned i = 0; i < n && !r; i++) {
		struct mutant m = { .target = TARGET_BUNDLE };
		char name[32];

		snprintf(name, sizeof name, "r%05u", i);
		strcpy(m.expect, "*");
		mutate_random(&m, &base, seed, i);
		mutant_finish(&m);
		if (write_all(dir, name, &m.out))
			r = 2;
		list_line(list, name, "random", &m);
		mutant_free(&m);
	}
	if (fclose(list))
		r = 2;
	bundle_drop(&base);
	bytes_free(&raw);
	return r;
}

static int cmd_elf_check(const char *path)
{
	struct bytes b;
	struct kelf k;
	const char *why = "";

	if (read_all(path, &b))
		return 2;
	/* the loader's own limits before elf_check (boot/loader.c) */
	if (b.n == 0 || b.n > KERNEL_MAX_SPAN)
		printf("kernel.elf: empty or larger than 1 GiB: Load Error\n");
	else if (elf_check(b.p, b.n, &k, &why))
		printf("kernel.elf rejected: %s\n", why);
	else
		printf("ok\n");
	bytes_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "cases"))
		return cmd_cases(argv[2], argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "random")) {
		uint64_t seed = strtoull(argv[4], NULL, 0);

		printf("seed %llu, %s mutants\n", (unsigned long long)seed, argv[5]);
		return cmd_random(argv[2], argv[3], seed, (unsigned)strtoul(argv[5], NULL, 0));
	}
	if (argc == 3 && !strcmp(argv[1], "elf-check"))
		return cmd_elf_check(argv[2]);
	fprintf(stderr, "usage: bundle_mutate cases BUNDLE KERNEL.ELF OUTDIR\n"
		"       bundle_mutate random BUNDLE OUTDIR SEED N\n"
		"       bundle_mutate elf-check FILE\n");
	return 2;
}
