/*
 * mkseeds.c — seeds for fuzz_bundle (tests/fuzz/fuzz_bundle.c): boot
 * bundles written by the CLI's own writer (images/bundle.c,
 * image_bundle_write), each with its first byte the fuzz target's form
 * byte.  Run by tests/fuzz/seeds.sh at build time; nothing it writes is
 * committed.
 *
 *   mkseeds MODULE.wasm OUTDIR
 *
 * writes OUTDIR/bundle-NAME for: plain (argv, env), tree (a preopened
 * directory with a file, a subdirectory and a symlink), net (grants,
 * static address, gateway, DNS), console (com1, verbose), httpd.  The
 * manifests alone (form byte 1) come from these by seeds.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "image.h"
#include "../../images/parse/bundle_parse.h"
#include "wasi.h"
#include "wasi_grant.h"

static const char *module, *outdir;

/* OUTDIR/bundle-NAME: a 0 byte (the target's "whole bundle" form), then
 * the bundle. */
static void write_seed(const char *name, const struct image_spec *spec)
{
	char tmp[4096], out[4096], err[512];
	FILE *in, *o;
	int c;

	snprintf(tmp, sizeof tmp, "%s/.tmp-%s", outdir, name);
	snprintf(out, sizeof out, "%s/bundle-%s", outdir, name);
	if (image_bundle_write(spec, tmp, err, sizeof err)) {
		fprintf(stderr, "mkseeds: %s: %s\n", name, err);
		exit(1);
	}
	if (!(in = fopen(tmp, "rb")) || !(o = fopen(out, "wb"))) {
		perror("mkseeds");
		exit(1);
	}
	fputc(0, o);
	while ((c = fgetc(in)) != EOF)
		fputc(c, o);
	fclose(in);
	if (fclose(o)) {
		perror("mkseeds");
		exit(1);
	}
	remove(tmp);
}

int main(int argc, char **argv)
{
	static const char *const args[] = { "app.wasm", "--port", "80", "" };
	static const char *const env[] = { "MODE=prod", "EMPTY=", "Q=\"x\"\\y" };
	static const struct wasi_tree_entry tree[] = {
		{ "index.html", WASI_NODE_FILE, (const uint8_t *)"<p>hi</p>\n", 10 },
		{ "sub", WASI_NODE_DIR, NULL, 0 },
		{ "sub/a.txt", WASI_NODE_FILE, (const uint8_t *)"a", 1 },
		{ "link", WASI_NODE_SYMLINK, (const uint8_t *)"sub/a.txt", 9 },
	};
	static const struct wasi_preopen pre[] = {
		{ "/srv", 4, tree }, { "/tmp", 0, NULL },
	};
	static const char *const resolve[] = { "example.com", "*.example.org" };
	struct plat_addr listen[2];
	struct wasi_pool_entry pool[2];
	struct wasi_grants g = { 2, listen, 2, pool, 2, resolve };
	struct bundle_net net = {
		.nic = true, .dhcp = false, .addr = { 10, 0, 2, 15 }, .prefix = 24,
		.gateway = { 10, 0, 2, 2 }, .ndns = 2, .dns_family = { 4, 6 },
		.dns = { { 10, 0, 2, 3 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
	};
	struct image_spec s = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: mkseeds MODULE.wasm OUTDIR\n");
		return 2;
	}
	module = argv[1];
	outdir = argv[2];
	if (wasi_grant_parse_listen("0.0.0.0:8080", &listen[0]) ||
	    wasi_grant_parse_listen("[::1]:9000", &listen[1]) ||
	    wasi_grant_parse_pool("10.0.0.0/8:80-443", &pool[0]) ||
	    wasi_grant_parse_pool("[2001:db8::/32]", &pool[1])) {
		fprintf(stderr, "mkseeds: a grant does not parse\n");
		return 1;
	}
	s.module_path = module;
	s.argc = 4;
	s.argv = args;
	s.envc = 3;
	s.envp = env;
	write_seed("plain", &s);
	s.npreopens = 2;
	s.preopens = pre;
	write_seed("tree", &s);
	s.npreopens = 0;
	s.grants = &g;
	s.net = &net;
	write_seed("net", &s);
	s.grants = NULL;
	s.net = NULL;
	s.console_com1 = true;
	s.flags = BUNDLE_FLAG_VERBOSE;
	write_seed("console", &s);
	s.console_com1 = false;
	s.flags = 0;
	s.httpd_port = 8080;
	s.httpd_size = 1 << 20;
	write_seed("httpd", &s);
	return 0;
}
