/*
 * inspect.c — `wasmetal inspect MODULE.wasm|IMAGE`: for a module, its
 * imports, exports and memories (the engine's own decoder and validator,
 * jit/inspect.c), after the header for an artifact from `wasmetal
 * compile` (docs/artifact.md, checked by jit_artifact_check); for a disk image, its format, its manifest, the files
 * of its preopened directories, its network grants (as the kernel parsed
 * them) and then its module the same way.  The
 * image's bundle is read back from the ESP (images/readback.c) and parsed
 * by the kernel's parser (images/parse/bundle_read.c): what inspect accepts,
 * the kernel accepts.  Everything printed from the input is escaped: a
 * hostile name cannot send escape sequences to the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle.h"
#include "image.h"
#include "artifact.h"
#include "inspect.h"
#include "spec_blob.h"
#include "wasm.h"
#include "parse/bundle_parse.h"

/* Bytes as text: control characters (C0, DEL, and C1 as UTF-8) as \xHH;
 * with keep_lines, newlines and tabs as they are. */
static void put_text(const char *s, size_t n, bool keep_lines)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (keep_lines && (c == '\n' || c == '\t'))
			putchar(c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9f)
			printf("\\x%02x\\x%02x", c, (unsigned char)s[++i]);
		else
			putchar(c);
	}
}

static void print_extern(const struct wasm_extern_info *e)
{
	fputs("  ", stdout);
	if (e->module) {
		put_text(e->module, e->module_len, false);
		putchar('.');
	}
	put_text(e->name, e->name_len, false);
	printf(": %s\n", e->type);
}

static int print_module(const uint8_t *wasm, size_t len);

/* An artifact (docs/artifact.md): its header, then its module. */
static int print_artifact(const uint8_t *buf, size_t len)
{
	struct jit_artifact_info info;
	char why[256];

	if (jit_artifact_check(buf, len, &info, why, sizeof why)) {
		fprintf(stderr, "wasmetal: invalid artifact: %s\n", why);
		return -1;
	}
	printf("artifact: %zu bytes, engine %s, backend %s, code %zu bytes, "
	       "CPU features 0x%x\n", len, JIT_ENGINE_VERSION,
	       info.backend == JIT_BACKEND_LLVM ? "llvm" : "single", info.code_len,
	       info.cpu);
	return print_module(info.module, info.module_len);
}

static int print_module(const uint8_t *wasm, size_t len)
{
	struct wasm_extern_info e;
	struct wasm_error err;
	wasm_module *m;
	char msg[256];
	size_t n;

	if (jit_artifact_is(wasm, len))
		return print_artifact(wasm, len);
	if (wasm_module_load(wasm, len, &m, &err)) {
		wasm_error_format(&err, msg, sizeof msg);
		/* running out of memory is not the module's fault (wasm.h) */
		fprintf(stderr, "wasmetal: %s: %s\n", err.kind == WASM_ERR_RESOURCE ?
			"failed to load the module" : "invalid module", msg);
		return -1;
	}
	printf("module: %zu bytes, valid\n", len);
	n = wasm_module_import_count(m);
	printf("imports: %zu\n", n);
	for (size_t i = 0; i < n; i++)
		if (!wasm_module_import_info(m, i, &e))
			print_extern(&e);
	n = wasm_module_export_count(m);
	printf("exports: %zu\n", n);
	for (size_t i = 0; i < n; i++)
		if (!wasm_module_export_info(m, i, &e))
			print_extern(&e);
	n = wasm_module_memory_count(m);
	printf("memories: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		uint64_t min, max;
		bool has_max, imported;

		if (wasm_module_memory_limits(m, i, &min, &max, &has_max, &imported))
			continue;
		printf("  memory %zu%s: min %llu pages (%llu KiB), max ", i,
		       imported ? " (imported)" : "", (unsigned long long)min,
		       (unsigned long long)min * 64);
		if (has_max)
			printf("%llu pages (%llu KiB)\n", (unsigned long long)max,
			       (unsigned long long)max * 64);
		else
			printf("none (4 GiB)\n");
	}
	wasm_module_free(m);
	return 0;
}

static const char *port_name(unsigned p)
{
	return p == BUNDLE_PORT_COM1 ? "COM1" : p == BUNDLE_PORT_COM2 ? "COM2" : "none";
}

static void print_trees(const struct boot_bundle *b)
{
	static const char *const kinds[] = { "?", "dir ", "file", "link" };

	for (size_t p = 0; p < b->npreopens; p++) {
		const struct wasi_preopen *po = &b->preopens[p];

		printf("preopen fd %zu: \"", p + 3);
		put_text(po->guest_path, strlen(po->guest_path), false);
		printf("\", %zu entries\n", po->nentries);
		for (size_t i = 0; i < po->nentries; i++) {
			const struct wasi_tree_entry *e = &po->entries[i];

			printf("  %s ", kinds[e->kind < 4 ? e->kind : 0]);
			put_text(e->path, strlen(e->path), false);
			if (e->kind == WASI_NODE_FILE)
				printf(" (%zu bytes)", e->len);
			else if (e->kind == WASI_NODE_SYMLINK) {
				fputs(" -> ", stdout);
				put_text((const char *)e->data, e->len, false);
			}
			putchar('\n');
		}
	}
}

/* The grants as the kernel will enforce them (canonical forms), and
 * whether it brings up a NIC for them. */
static void print_grants(const struct boot_bundle *b)
{
	const struct wasi_grants *g = &b->grants;
	char text[WASI_ADDR_TEXT_MAX];

	if (!wasi_grants_any(g)) {
		printf("network: none (no grants: no NIC, no sockets)\n");
		return;
	}
	printf("network: %s\n", b->net.nic ? "a NIC" : "no NIC (net none)");
	for (size_t i = 0; i < g->nlisten; i++)
		printf("  listen fd %zu: tcp %s\n", 3 + b->npreopens + i,
		       wasi_addr_format(&g->listen[i], true, text, sizeof text));
	for (size_t i = 0; i < g->npool; i++)
		printf("  may bind/connect/send to: %s\n",
		       wasi_pool_format(&g->pool[i], text, sizeof text));
	if (!g->npool)
		printf("  may open no socket of its own (no addr-pool)\n");
	for (size_t i = 0; i < g->nresolve; i++) {
		fputs("  may resolve: ", stdout);
		put_text(g->resolve[i], strlen(g->resolve[i]), false);
		putchar('\n');
	}
}

/* A spec blob decoded to its end by the kernel's reader (spec/spec_blob.c),
 * which the kernel runs instead of a module: its complaint, worded as the
 * kernel's ("wasmetal spec: ..."), or NULL. */
static const char *spec_problem(const struct boot_bundle *b, char *buf, size_t len)
{
	struct spec_blob_reader rd;
	struct spec_file f;
	const char *why = NULL;
	int r;

	if (spec_blob_open(&rd, b->spec, b->spec_len, &why))
		return why;
	while ((r = spec_blob_next(&rd, &f, &why)) == 1)
		spec_file_free(&f);
	if (r == 0)
		return NULL;
	snprintf(buf, len, "file %u of the spec blob: %s", rd.index, why);
	return buf;
}

static int parse_image(const char *disk, uint8_t **buf, size_t *len,
		       struct boot_bundle *b, char *err, size_t errlen)
{
	const char *why;
	char spec_why[256];
	int r;

	if (image_read_bundle(disk, buf, len, err, errlen)) {
		size_t n = strlen(err);

		if (!strstr(err, "wasmetal image"))
			snprintf(err + n, errlen - n, "\n(%s: not a wasmetal image?)", disk);
		return -1;
	}
	if (*len == 0) {                /* the loader passes no bundle then */
		snprintf(err, errlen, "%s: no boot bundle (\\wasmetal\\bundle is empty)", disk);
		free(*buf);
		return -1;
	}
	r = bundle_parse(*buf, *len, b, &why);
	if (r) {
		if (b->bad_line)
			snprintf(err, errlen, "%s: invalid bundle: manifest line %u: %s",
				 disk, b->bad_line, why);
		else
			snprintf(err, errlen, "%s: invalid bundle: %s", disk, why);
		free(*buf);
		return -1;
	}
	if (b->spec && (why = spec_problem(b, spec_why, sizeof spec_why))) {
		snprintf(err, errlen, "%s: invalid spec blob: %s", disk, why);
		bundle_free(b);
		free(*buf);
		return -1;
	}
	return 0;
}

int image_info_read(const char *disk, struct image_info *info, char *err,
		    size_t errlen)
{
	struct boot_bundle b;
	uint8_t *buf;
	size_t len;

	if (image_detect_format(disk, &info->format, err, errlen) ||
	    parse_image(disk, &buf, &len, &b, err, errlen))
		return -1;
	info->console_com1 = b.console == BUNDLE_PORT_COM1;
	info->nic = b.net.nic;
	info->nlisten = 0;
	for (size_t i = 0; i < b.grants.nlisten && i < QEMU_DEFAULT_FWD_MAX; i++)
		info->listen_ports[info->nlisten++] = b.grants.listen[i].port;
	if (b.console == b.log) {
		snprintf(err, errlen, "%s: its console and kernel log share %s; "
			 "wasmetal run needs them apart (boot it with QEMU directly)",
			 disk, port_name(b.console));
		bundle_free(&b);
		free(buf);
		return -1;
	}
	bundle_free(&b);
	free(buf);
	return 0;
}

static int inspect_image(const char *path)
{
	struct boot_bundle b;
	enum image_format f;
	char err[4096];
	uint8_t *buf;
	size_t len;
	int r = 0;

	if (image_detect_format(path, &f, err, sizeof err) ||
	    parse_image(path, &buf, &len, &b, err, sizeof err)) {
		fprintf(stderr, "wasmetal: %s\n", err);
		return -1;
	}
	printf("image: %s disk, bundle %zu bytes\n", image_format_name(f), len);
	printf("console: %s, kernel log: %s\n", port_name(b.console), port_name(b.log));
	if (b.manifest) {
		printf("manifest:\n");
		put_text(b.manifest, b.manifest_len, true);
		if (b.manifest_len && b.manifest[b.manifest_len - 1] != '\n')
			putchar('\n');
	} else {
		printf("manifest: none (an older bundle: %d args, %d env)\n",
		       b.argc, b.envc);
	}
	print_trees(&b);
	print_grants(&b);
	if (b.module)
		r = print_module(b.module, b.module_len);
	else if (b.spec)
		printf("spec blob: %zu bytes (wasmetal spec --qemu)\n", b.spec_len);
	bundle_free(&b);
	free(buf);
	return r;
}

int inspect_main(const char *path)
{
	uint8_t magic[4] = { 0 };
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n, cap, len;

	if (!f) {
		fprintf(stderr, "wasmetal: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(magic, 1, 4, f);
	if (n < 4 || (memcmp(magic, "\0asm", 4) && memcmp(magic, "\0wmo", 4))) {
		fclose(f);
		return inspect_image(path);
	}
	rewind(f);
	cap = 1 << 16;
	len = 0;
	buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);

			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (!buf || ferror(f)) {
		fprintf(stderr, "wasmetal: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	printf("file: %s\n", path);
	n = print_module(buf, len);
	free(buf);
	return n ? -1 : 0;
}
