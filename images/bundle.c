/*
 * bundle.c — write the boot bundle (format: images/bundle.h) and its
 * manifest (docs/manifest.md).
 *
 *   header | MANIFEST | MODULE or nothing | NODE ... | SPEC or nothing
 *          (a module or a spec blob, never both)
 *
 * each entry padded with zeros to 8 bytes.  The writer checks what the
 * kernel will check anyway (a Wasm binary or an artifact from `wasmetal
 * compile`, docs/artifact.md, "NAME=VALUE" strings, the
 * limits of images/parse/bundle_parse.h), so that mistakes are reported on the
 * host, with the file name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "artifact.h"
#include "bundle.h"
#include "image.h"
#include "wasi.h"
#include "vfs.h"                /* vfs_check_string: the trees' UTF-8 rule */
#include "parse/bundle_parse.h"
#include "parse/crc32c.h"

#define MODULE_MAX (1ull << 30)         /* 1 GiB: far beyond any real module */
#define SPEC_MAX (1ull << 31)           /* the kernel reads bundles < 4 GiB */

struct writer {
	FILE *f;
	uint64_t size;
	uint32_t count;
	int failed;
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (!w->failed && n && fwrite(p, 1, n, w->f) != n)
		w->failed = errno ? errno : EIO;
	w->size += n;
}

static void put_entry(struct writer *w, uint32_t kind, const void *p, uint64_t len)
{
	static const uint8_t zeros[8];
	struct bundle_entry e = { .kind = kind, .len = len };

	put(w, &e, sizeof(e));
	put(w, p, len);
	put(w, zeros, (8 - len % 8) % 8);
	w->count++;
}

/* Read a whole file; *len its size.  NULL with err filled on failure. */
static void *read_file(const char *path, uint64_t max, uint64_t *len,
		       char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long sz;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot determine size: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)sz > max) {
		snprintf(err, errlen, "%s: too large (%ld bytes)", path, sz);
		goto out;
	}
	buf = malloc(sz ? sz : 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (fread(buf, 1, sz, f) != (size_t)sz) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = sz;
out:
	fclose(f);
	return buf;
}

static int check_spec(const struct image_spec *s, const uint8_t *mod,
		      uint64_t len, char *err, size_t errlen)
{
	static const uint8_t magic[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

	if (!s->module_path == !s->spec_path) {
		snprintf(err, errlen, "bundle: %s", s->module_path ?
			 "both a module and a spec blob" : "neither a module nor a spec blob");
		return -1;
	}
	if (s->module_path && jit_artifact_is(mod, len)) {
		/* issue 9: a precompiled artifact, checked here as far as it
		 * can be without this CPU (the kernel checks it all again) */
		struct jit_artifact_info info;
		char why[256];

		if (jit_artifact_check(mod, len, &info, why, sizeof why)) {
			snprintf(err, errlen, "%s: %s", s->module_path, why);
			return -1;
		}
	} else if (s->module_path && (len < 8 || memcmp(mod, magic, 8))) {
		snprintf(err, errlen, "%s: not a WebAssembly binary module "
			 "(expected \\0asm version 1)", s->module_path);
		return -1;
	}
	if (s->argc < 0 || s->envc < 0 || (s->argc && !s->argv) ||
	    (s->envc && !s->envp)) {
		snprintf(err, errlen, "bundle: bad argument or environment list");
		return -1;
	}
	for (int i = 0; i < s->envc; i++) {
		const char *eq = s->envp[i] ? strchr(s->envp[i], '=') : NULL;

		if (!eq || eq == s->envp[i]) {
			snprintf(err, errlen, "environment entry \"%s\" is not NAME=VALUE",
				 s->envp[i] ? s->envp[i] : "(null)");
			return -1;
		}
	}
	for (int i = 0; i < s->argc; i++)
		if (!s->argv[i]) {
			snprintf(err, errlen, "bundle: argv[%d] is NULL", i);
			return -1;
		}
	return 0;
}

/* A manifest string: always quoted; '"', '\\' and control bytes escaped,
 * everything else (UTF-8 included) as is. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_preopen(FILE *f, const struct image_spec *s, size_t i)
{
	const struct wasi_preopen *p = &s->preopens[i];
	size_t files = 0, dirs = 0, links = 0;
	uint64_t bytes = 0;

	for (size_t k = 0; k < p->nentries; k++) {
		files += p->entries[k].kind == WASI_NODE_FILE;
		dirs += p->entries[k].kind == WASI_NODE_DIR;
		links += p->entries[k].kind == WASI_NODE_SYMLINK;
		if (p->entries[k].kind == WASI_NODE_FILE)
			bytes += p->entries[k].len;
	}
	fprintf(f, "# fd %zu: %zu files (%llu bytes), %zu directories, %zu symlinks",
		i + 3, files, (unsigned long long)bytes, dirs, links);
	if (s->preopen_sources && s->preopen_sources[i]) {
		fputs(", from host ", f);
		put_quoted(f, s->preopen_sources[i]);
	}
	fputs("\npreopen ", f);
	put_quoted(f, p->guest_path);
	fputc('\n', f);
}

/* The network grants (wasi_grant.h), each in the canonical form its
 * parser reads back (images/parse/bundle_read.c checks them again at boot). */
static void put_grants(FILE *f, const struct wasi_grants *g)
{
	char text[WASI_ADDR_TEXT_MAX];

	if (!wasi_grants_any(g))
		return;
	fputs("# network grants; nothing else is reachable (docs/manifest.md)\n", f);
	for (size_t i = 0; i < g->nlisten; i++)
		fprintf(f, "tcplisten %s\n", wasi_addr_format(&g->listen[i], true,
							      text, sizeof text));
	for (size_t i = 0; i < g->npool; i++)
		fprintf(f, "addr-pool %s\n", wasi_pool_format(&g->pool[i], text,
							       sizeof text));
	for (size_t i = 0; i < g->nresolve; i++) {
		fputs("allow-resolve ", f);
		put_quoted(f, g->resolve[i]);
		fputc('\n', f);
	}
}

/* What the kernel would refuse in the grants, said on the host. */
static int check_grants(const struct wasi_grants *g, char *err, size_t errlen)
{
	const char *why;

	if (!g)
		return 0;
	if (g->nlisten > WASI_GRANT_MAX || g->npool > WASI_GRANT_MAX ||
	    g->nresolve > WASI_GRANT_MAX) {
		snprintf(err, errlen, "more than %d network grants of a kind", WASI_GRANT_MAX);
		return -1;
	}
	for (size_t i = 0; i < g->nresolve; i++)
		if ((why = wasi_grant_parse_name(g->resolve[i]))) {
			snprintf(err, errlen, "allow-resolve \"%s\": %s", g->resolve[i], why);
			return -1;
		}
	return 0;
}

static void put_ipv6(FILE *f, const uint8_t *a)
{
	for (int i = 0; i < 16; i += 2)
		fprintf(f, "%s%x", i ? ":" : "", a[i] << 8 | a[i + 1]);
}

/* The network lines (images/parse/manifest_net.c). */
static void put_net(FILE *f, const struct image_spec *s)
{
	const struct bundle_net *n = s->net;

	if (s->net_none) {
		fputs("# no network: sockets fail with ENETDOWN whatever is granted\n"
		      "net none\n", f);
		return;
	}
	if (!n || !n->nic)
		return;
	fputs("# network: a NIC, IPv4 by DHCP or static, IPv6 by SLAAC\n", f);
	if (n->dhcp) {
		fputs("net dhcp\n", f);
	} else {
		fprintf(f, "net static\naddress %u.%u.%u.%u/%u\n", n->addr[0], n->addr[1],
			n->addr[2], n->addr[3], n->prefix);
		if (n->gateway[0] | n->gateway[1] | n->gateway[2] | n->gateway[3])
			fprintf(f, "gateway %u.%u.%u.%u\n", n->gateway[0], n->gateway[1],
				n->gateway[2], n->gateway[3]);
	}
	for (unsigned i = 0; i < n->ndns && i < BUNDLE_MAX_DNS; i++) {
		fputs("dns ", f);
		if (n->dns_family[i] == 6)
			put_ipv6(f, n->dns[i]);
		else
			fprintf(f, "%u.%u.%u.%u", n->dns[i][0], n->dns[i][1], n->dns[i][2],
				n->dns[i][3]);
		fputc('\n', f);
	}
	if (s->httpd_port)
		fprintf(f, "# the kernel serves HTTP itself instead of running the module\n"
			"kernel-httpd %u:%llu\n", s->httpd_port,
			(unsigned long long)s->httpd_size);
}

/* The manifest text (docs/manifest.md); malloc'd, *len bytes, or NULL. */
static char *manifest_text(const struct image_spec *s, const uint8_t *mod,
			   uint64_t module_len, bool artifact, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	fputs("# wasmetal manifest: what the kernel runs, read at boot "
	      "(docs/manifest.md)\nwasmetal-manifest 1\n", f);
	if (s->module_path)
		fprintf(f, "# module: %llu bytes%s\n", (unsigned long long)module_len,
			artifact ? ", a precompiled artifact (docs/artifact.md)" : "");
	/* an artifact checked above (check_spec): the kernel checks this
	 * CRC instead of its SHA-256 checksums (images/parse/crc32c.h) */
	if (artifact)
		fprintf(f, "module-crc32c 0x%08x\n", crc32c(mod, (size_t)module_len));
	if (s->console_com1)
		fputs("# serial: the program's output on COM1 (the first port), "
		      "the kernel log on COM2\nconsole com1\nlog com2\n", f);
	else
		fputs("console com2\nlog com1\n", f);
	fprintf(f, "verbose %s\n", s->flags & BUNDLE_FLAG_VERBOSE ? "yes" : "no");
	for (int i = 0; i < s->argc; i++) {
		fputs("arg ", f);
		put_quoted(f, s->argv[i]);
		fputc('\n', f);
	}
	for (int i = 0; i < s->envc; i++) {
		fputs("env ", f);
		put_quoted(f, s->envp[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < s->npreopens; i++)
		put_preopen(f, s, i);
	if (s->ndisks)
		fputs("# disks: block devices as files, the Nth the virtio-blk "
		      "device with serial " BUNDLE_DISK_SERIAL "N\n", f);
	for (size_t i = 0; i < s->ndisks; i++) {
		fputs(s->disks[i].read_only ? "disk-ro " : "disk ", f);
		put_quoted(f, s->disks[i].guest_path);
		fputc('\n', f);
	}
	put_grants(f, s->grants);
	put_net(f, s);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static void put_node(struct writer *w, uint32_t preopen,
		     const struct wasi_tree_entry *e)
{
	static const uint8_t zeros[8];
	size_t plen = strlen(e->path) + 1;
	struct bundle_node n = { .preopen = preopen, .kind = e->kind,
				 .path_len = (uint32_t)plen };
	uint64_t len = sizeof n + plen + e->len;
	struct bundle_entry h = { .kind = BUNDLE_NODE, .len = len };

	put(w, &h, sizeof h);
	put(w, &n, sizeof n);
	put(w, e->path, plen);
	put(w, e->data, e->len);
	put(w, zeros, (8 - len % 8) % 8);
	w->count++;
}

static void write_entries(struct writer *w, const struct image_spec *s,
			  const uint8_t *mod, uint64_t len,
			  const uint8_t *blob, uint64_t blob_len,
			  const char *manifest, size_t manifest_len)
{
	struct bundle_header h = { .version = BUNDLE_VERSION };

	memcpy(h.magic, BUNDLE_MAGIC, sizeof(h.magic));
	put(w, &h, sizeof(h));          /* rewritten with count and size */
	put_entry(w, BUNDLE_MANIFEST, manifest, manifest_len);
	if (mod)
		put_entry(w, BUNDLE_MODULE, mod, len);
	for (size_t i = 0; i < s->npreopens; i++)
		for (size_t k = 0; k < s->preopens[i].nentries; k++)
			put_node(w, (uint32_t)i, &s->preopens[i].entries[k]);
	if (blob)
		put_entry(w, BUNDLE_SPEC, blob, blob_len);
	h.count = w->count;
	h.size = w->size;
	if (!w->failed && (fflush(w->f) || fseek(w->f, 0, SEEK_SET)))
		w->failed = errno ? errno : EIO;
	put(w, &h, sizeof(h));
}

/* A path or target the kernel would refuse (images/parse/bundle_read.c node_read):
 * too long, or not UTF-8 (a Linux file name may be any bytes). */
static int tree_entry_bad(const struct wasi_tree_entry *e, char *err, size_t errlen)
{
	size_t n = strlen(e->path);

	if (n > BUNDLE_MAX_PATH) {
		snprintf(err, errlen, "%.200s...: path too long", e->path);
		return -1;
	}
	if (vfs_check_string(e->path, n) ||
	    (e->kind == WASI_NODE_SYMLINK &&
	     vfs_check_string((const char *)e->data, e->len))) {
		snprintf(err, errlen, "--dir: %s: a %s that is not UTF-8 (the guest "
			 "could not name it)", e->path,
			 vfs_check_string(e->path, n) ? "file name" : "symlink target");
		return -1;
	}
	return 0;
}

/* What the kernel would refuse in the trees, said on the host. */
static int check_trees(const struct image_spec *s, char *err, size_t errlen)
{
	size_t nodes = 0;

	if (s->npreopens > BUNDLE_MAX_PREOPENS) {
		snprintf(err, errlen, "more than %d --dir directories", BUNDLE_MAX_PREOPENS);
		return -1;
	}
	if (s->argc + s->envc > BUNDLE_MAX_STRINGS) {
		snprintf(err, errlen, "more than %d arguments and environment strings",
			 BUNDLE_MAX_STRINGS);
		return -1;
	}
	for (size_t i = 0; i < s->npreopens; i++) {
		const struct wasi_preopen *p = &s->preopens[i];

		if (!p->guest_path || !*p->guest_path ||
		    strlen(p->guest_path) > BUNDLE_MAX_PATH) {
			snprintf(err, errlen, "--dir: guest path empty or too long");
			return -1;
		}
		nodes += p->nentries;
		for (size_t k = 0; k < p->nentries; k++)
			if (tree_entry_bad(&p->entries[k], err, errlen))
				return -1;
	}
	if (nodes > BUNDLE_MAX_NODES) {
		snprintf(err, errlen, "--dir: more than %u files in all", BUNDLE_MAX_NODES);
		return -1;
	}
	return 0;
}

int image_bundle_write(const struct image_spec *spec, const char *out_path,
		       char *err, size_t errlen)
{
	struct writer w = { 0 };
	uint64_t len = 0, blob_len = 0;
	uint8_t *mod = NULL, *blob = NULL;
	char *manifest = NULL;
	size_t manifest_len = 0;

	if (spec->module_path &&
	    !(mod = read_file(spec->module_path, MODULE_MAX, &len, err, errlen)))
		return -1;
	if (spec->spec_path &&
	    !(blob = read_file(spec->spec_path, SPEC_MAX, &blob_len, err, errlen)))
		goto fail;
	if (check_spec(spec, mod, len, err, errlen) || check_trees(spec, err, errlen) ||
	    check_grants(spec->grants, err, errlen))
		goto fail;
	if (!(manifest = manifest_text(spec, mod, len, mod && jit_artifact_is(mod, len),
				       &manifest_len))) {
		snprintf(err, errlen, "out of memory writing the manifest");
		goto fail;
	}
	w.f = fopen(out_path, "wb");
	if (!w.f) {
		snprintf(err, errlen, "%s: %s", out_path, strerror(errno));
		goto fail;
	}
	errno = 0;
	write_entries(&w, spec, mod, len, blob, blob_len, manifest, manifest_len);
	free(mod);
	free(blob);
	free(manifest);
	if (fclose(w.f) && !w.failed)
		w.failed = errno ? errno : EIO;
	if (w.failed) {
		snprintf(err, errlen, "%s: write error: %s", out_path, strerror(w.failed));
		remove(out_path);
		return -1;
	}
	return 0;
fail:
	free(mod);
	free(blob);
	free(manifest);
	return -1;
}
