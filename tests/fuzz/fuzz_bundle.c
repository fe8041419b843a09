/*
 * fuzz_bundle.c — libFuzzer target: the boot bundle's reader and the
 * manifest inside it (images/bundle.h, docs/manifest.md; the kernel's
 * parser, images/parse/bundle_read.c + images/parse/manifest.c + images/parse/manifest_net.c,
 * built into the host library as images/parse/ files), then
 * what the kernel does with a bundle that parsed: the WASI context made
 * from its argv, environment, preopened trees and grants.
 *
 * The first byte of the input chooses the form:
 *   even  the rest is a whole bundle (header, entries), as on the ESP;
 *   odd   the rest is manifest text, wrapped here into a valid bundle with
 *         a small module, so that mutations spend themselves on the
 *         manifest's syntax and keys instead of on the framing.
 * Seeds: bundles written by the CLI's own writer and the manifests inside
 * them (tests/fuzz/seeds.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "parse/bundle_parse.h"
#include "wasi.h"

static const uint8_t module[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

/* header | MANIFEST text | MODULE, each entry padded to 8 bytes */
static uint8_t *wrap_manifest(const uint8_t *text, size_t len, size_t *size)
{
	size_t pad = (len + 7) & ~(size_t)7;
	size_t n = sizeof(struct bundle_header) + 2 * sizeof(struct bundle_entry) +
		   pad + 8;
	uint8_t *b = calloc(1, n), *p;
	struct bundle_header h = { .version = BUNDLE_VERSION, .count = 2, .size = n };
	struct bundle_entry e = { BUNDLE_MANIFEST, 0, len };

	if (!b)
		abort();
	memcpy(h.magic, BUNDLE_MAGIC, 8);
	memcpy(b, &h, sizeof h);
	p = b + sizeof h;
	memcpy(p, &e, sizeof e);
	memcpy(p + sizeof e, text, len);
	p += sizeof e + pad;
	e = (struct bundle_entry){ BUNDLE_MODULE, 0, sizeof module };
	memcpy(p, &e, sizeof e);
	memcpy(p + sizeof e, module, sizeof module);
	*size = n;
	return b;
}

/* What the kernel does next: a WASI context from it.  Without the
 * listeners of its tcplisten lines: hosted, they would be real sockets
 * bound on this machine (the grants' parsing has been done by now). */
static void make_ctx(const struct boot_bundle *b)
{
	struct wasi_config cfg = {
		.argc = b->argc, .argv = (const char *const *)b->argv,
		.envc = b->envc, .envp = (const char *const *)b->envp,
		.npreopens = b->npreopens, .preopens = b->preopens,
		.grants = b->grants,
	};
	char why[256];
	struct wasi_ctx *ctx;

	cfg.grants.nlisten = 0;
	ctx = wasi_ctx_create(&cfg, why, sizeof why);

	if (ctx)
		wasi_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_bundle b;
	const char *why;
	unsigned console, log;
	uint8_t *buf;
	size_t n;

	if (!size)
		return 0;
	if (data[0] & 1) {
		buf = wrap_manifest(data + 1, size - 1, &n);
	} else {
		/* a copy of its own size: ASan sees every read past the end */
		n = size - 1;
		if (!(buf = malloc(n ? n : 1)))
			abort();
		memcpy(buf, data + 1, n);
	}
	bundle_serial_ports(buf, n, &console, &log);
	if (bundle_parse(buf, n, &b, &why) == 0) {
		make_ctx(&b);
		bundle_free(&b);
	}
	free(buf);
	return 0;
}
