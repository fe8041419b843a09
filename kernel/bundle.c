/*
 * bundle.c — parse the boot bundle (images/bundle.h) the loader found on
 * the ESP.  The bundle is hostile input: every length is checked against
 * what is left of the buffer before anything is read, the header's size
 * and count must agree with the entries actually present, strings may not
 * contain NUL, and there must be exactly one module, or none when there is
 * a spec blob (at most one; its contents are checked by spec/spec_blob.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "bundle.h"
#include "bundle_parse.h"

struct walk {
	const uint8_t *buf;
	uint64_t size, off;
	uint32_t index, count;
};

/* The next entry: its kind, data and length.  1 = got one, 0 = end, or
 * -EINVAL with *why. */
static int next_entry(struct walk *w, uint32_t *kind, const uint8_t **data,
		      uint64_t *len, const char **why)
{
	struct bundle_entry e;
	uint64_t left, padded;

	if (w->off == w->size)
		return w->index == w->count ? 0 : (*why = "fewer entries than the header's count", -EINVAL);
	if (w->index == w->count)
		return (*why = "data after the last entry", -EINVAL);
	left = w->size - w->off;
	if (left < sizeof e)
		return (*why = "truncated entry header", -EINVAL);
	memcpy(&e, w->buf + w->off, sizeof e);
	if (e.len > left - sizeof e)
		return (*why = "entry length past the end of the bundle", -EINVAL);
	padded = (e.len + 7) & ~7ull;
	if (padded > left - sizeof e)
		return (*why = "entry padding past the end of the bundle", -EINVAL);
	*kind = e.kind;
	*data = w->buf + w->off + sizeof e;
	*len = e.len;
	w->off += sizeof e + padded;
	w->index++;
	return 1;
}

static int check_header(const uint8_t *buf, uint64_t size, struct walk *w,
			const char **why)
{
	struct bundle_header h;

	if (!buf || size < sizeof h)
		return (*why = "bundle smaller than its header", -EINVAL);
	memcpy(&h, buf, sizeof h);
	if (memcmp(h.magic, BUNDLE_MAGIC, 8))
		return (*why = "bad magic", -EINVAL);
	if (h.version != BUNDLE_VERSION)
		return (*why = "unsupported bundle version", -EINVAL);
	if (h.size < sizeof h || h.size > size)
		return (*why = "header size larger than the bundle", -EINVAL);
	*w = (struct walk){ buf, h.size, sizeof h, 0, h.count };
	return 0;
}

static int dup_string(const uint8_t *data, uint64_t len, char **out,
		      const char **why)
{
	char *s;

	if (len > BUNDLE_MAX_STRING || memchr(data, 0, len))
		return (*why = "argument or environment string too long or has NUL", -EINVAL);
	if (!(s = malloc(len + 1)))
		return (*why = "out of memory", -ENOMEM);
	memcpy(s, data, len);
	s[len] = 0;
	*out = s;
	return 0;
}

/* Pass 1: count and check everything that doesn't need memory. */
static int bundle_scan(struct walk w, int *nargs, int *nenv, const char **why)
{
	uint32_t kind;
	const uint8_t *data;
	uint64_t len;
	int r, modules = 0, specs = 0;

	*nargs = *nenv = 0;
	while ((r = next_entry(&w, &kind, &data, &len, why)) == 1) {
		if (kind == BUNDLE_MODULE)
			modules++;
		else if (kind == BUNDLE_SPEC)
			specs++;
		else if (kind == BUNDLE_ARG)
			++*nargs;
		else if (kind == BUNDLE_ENV)
			++*nenv;
		else if (kind == BUNDLE_FLAGS && len != 4)
			return (*why = "flags entry is not 4 bytes", -EINVAL);
		if (*nargs + *nenv > BUNDLE_MAX_STRINGS)
			return (*why = "too many arguments/environment strings", -EINVAL);
	}
	if (r < 0)
		return r;
	if (specs > 1)
		return (*why = "more than one spec blob", -EINVAL);
	if (modules > 1 || (modules == 0 && !specs))
		return (*why = modules ? "more than one module" : "no module", -EINVAL);
	return 0;
}

void bundle_free(struct boot_bundle *b)
{
	for (int i = 0; b->argv && i < b->argc; i++)
		free(b->argv[i]);
	for (int i = 0; b->envp && i < b->envc; i++)
		free(b->envp[i]);
	free(b->argv);
	free(b->envp);
	memset(b, 0, sizeof *b);
}

/* Pass 2: fill out (counts already known to fit). */
static int bundle_fill(struct walk w, struct boot_bundle *b, const char **why)
{
	uint32_t kind;
	const uint8_t *data;
	uint64_t len;
	char *s;
	int r;

	while (next_entry(&w, &kind, &data, &len, why) == 1) {
		switch (kind) {
		case BUNDLE_MODULE:
			b->module = data;
			b->module_len = len;
			break;
		case BUNDLE_ARG:
		case BUNDLE_ENV:
			if ((r = dup_string(data, len, &s, why)))
				return r;
			if (kind == BUNDLE_ARG)
				b->argv[b->argc++] = s;
			else
				b->envp[b->envc++] = s;
			break;
		case BUNDLE_FLAGS:
			memcpy(&b->flags, data, 4);
			break;
		case BUNDLE_SPEC:
			b->spec = data;
			b->spec_len = len;
			break;
		default:                /* unknown kinds: ignored (forward compat) */
			break;
		}
	}
	return 0;
}

int bundle_parse(const uint8_t *buf, uint64_t size, struct boot_bundle *out,
		 const char **why)
{
	struct walk w;
	int nargs, nenv, r;

	memset(out, 0, sizeof *out);
	*why = NULL;
	if ((r = check_header(buf, size, &w, why)) ||
	    (r = bundle_scan(w, &nargs, &nenv, why)))
		return r;
	out->argv = calloc((size_t)nargs + 1, sizeof *out->argv);
	out->envp = calloc((size_t)nenv + 1, sizeof *out->envp);
	if (!out->argv || !out->envp) {
		bundle_free(out);
		return (*why = "out of memory", -ENOMEM);
	}
	if ((r = bundle_fill(w, out, why))) {
		bundle_free(out);
		return r;
	}
	return 0;
}
