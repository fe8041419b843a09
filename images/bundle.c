/*
 * bundle.c — write the boot bundle (format: images/bundle.h).
 *
 *   header | MODULE | ARG (argv[0] first) ... | ENV ... | FLAGS (if any)
 *          | SPEC (if any; then MODULE may be absent)
 *
 * each entry padded with zeros to 8 bytes.  The writer checks what the
 * kernel will check anyway (a Wasm binary, "NAME=VALUE" strings), so that
 * mistakes are reported on the host, with the file name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle.h"
#include "image.h"

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

	if (!s->module_path && !s->spec_path) {
		snprintf(err, errlen, "bundle: neither a module nor a spec blob");
		return -1;
	}
	if (s->module_path && (len < 8 || memcmp(mod, magic, 8))) {
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

static void write_entries(struct writer *w, const struct image_spec *s,
			  const uint8_t *mod, uint64_t len,
			  const uint8_t *blob, uint64_t blob_len)
{
	struct bundle_header h = { .version = BUNDLE_VERSION };

	memcpy(h.magic, BUNDLE_MAGIC, sizeof(h.magic));
	put(w, &h, sizeof(h));          /* rewritten with count and size */
	if (mod)
		put_entry(w, BUNDLE_MODULE, mod, len);
	for (int i = 0; i < s->argc; i++)
		put_entry(w, BUNDLE_ARG, s->argv[i], strlen(s->argv[i]));
	for (int i = 0; i < s->envc; i++)
		put_entry(w, BUNDLE_ENV, s->envp[i], strlen(s->envp[i]));
	if (s->flags)
		put_entry(w, BUNDLE_FLAGS, &s->flags, sizeof(s->flags));
	if (blob)
		put_entry(w, BUNDLE_SPEC, blob, blob_len);
	h.count = w->count;
	h.size = w->size;
	if (!w->failed && (fflush(w->f) || fseek(w->f, 0, SEEK_SET)))
		w->failed = errno ? errno : EIO;
	put(w, &h, sizeof(h));
}

int image_bundle_write(const struct image_spec *spec, const char *out_path,
		       char *err, size_t errlen)
{
	struct writer w = { 0 };
	uint64_t len = 0, blob_len = 0;
	uint8_t *mod = NULL, *blob = NULL;

	if (spec->module_path &&
	    !(mod = read_file(spec->module_path, MODULE_MAX, &len, err, errlen)))
		return -1;
	if (spec->spec_path &&
	    !(blob = read_file(spec->spec_path, SPEC_MAX, &blob_len, err, errlen)))
		goto fail;
	if (check_spec(spec, mod, len, err, errlen))
		goto fail;
	w.f = fopen(out_path, "wb");
	if (!w.f) {
		snprintf(err, errlen, "%s: %s", out_path, strerror(errno));
		goto fail;
	}
	errno = 0;
	write_entries(&w, spec, mod, len, blob, blob_len);
	free(mod);
	free(blob);
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
	return -1;
}
