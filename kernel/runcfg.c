/*
 * runcfg.c — the run settings' parser (kernel/runcfg.h; images/image.h
 * says how `wasmetal run` writes them).  The text comes from the VMM, not
 * from the image, but it is parsed as strictly as the manifest, with the
 * manifest's own lexer (images/parse/manifest.c: bounded, no allocation), so
 * that a malformed file stops the boot with its line instead of being
 * half-applied.  Pure C: tests/unit/test_runcfg.c runs it on the host.
 */
#include <errno.h>
#include <string.h>
#include "parse/bundle_parse.h"       /* the manifest lexer; wasi.h */
#include "runcfg.h"

static const char *const kind_names[] = {
	[WASI_STDIO_TERMINAL] = "terminal",
	[WASI_STDIO_FILE] = "file",
	[WASI_STDIO_OTHER] = "other",
};

const char *runcfg_kind_name(uint8_t kind)
{
	return kind <= WASI_STDIO_OTHER ? kind_names[kind] : "?";
}

static int kind_value(const struct manifest_line *l, uint8_t *kind, const char **why)
{
	for (uint8_t k = 0; k <= WASI_STDIO_OTHER; k++)
		if (manifest_val_is(l, kind_names[k])) {
			*kind = k;
			return 0;
		}
	return (*why = "a stream is terminal, file or other", -EINVAL);
}

/* One line: which key (bit in *seen), checked and applied. */
static int apply(const struct manifest_line *l, unsigned *seen, struct runcfg *rc,
		 const char **why)
{
	static const char *const keys[] = { "stdin", "stdout", "stderr", "stderr-port" };
	unsigned k = 0;

	while (k < 4 && !manifest_key_is(l, keys[k]))
		k++;
	if (k == 4)
		return (*why = manifest_key_is(l, "wasmetal-run") ?
			"wasmetal-run must be the first line, once" : "unknown key", -EINVAL);
	if (*seen & (1u << k))
		return (*why = "a setting given twice", -EINVAL);
	*seen |= 1u << k;
	if (k < 3)
		return kind_value(l, &rc->stdio[k], why);
	if (manifest_val_is(l, "com3") || manifest_val_is(l, "console")) {
		rc->stderr_com3 = manifest_val_is(l, "com3");
		return 0;
	}
	return (*why = "stderr-port wants com3 or console", -EINVAL);
}

int runcfg_parse(const char *text, size_t len, struct runcfg *rc,
		 unsigned *line, const char **why)
{
	struct manifest_iter it = { text, text + len, 0 };
	struct manifest_line l;
	unsigned seen = 0;
	int r;

	memset(rc, 0, sizeof *rc);
	*why = NULL;
	if (len > RUNCFG_MAX || memchr(text, 0, len)) {
		*line = 0;
		return (*why = "larger than 4 KiB, or a NUL byte", -EINVAL);
	}
	r = manifest_next(&it, &l, why);
	*line = it.line;
	if (r < 0)
		return r;
	if (r == 0 || !manifest_key_is(&l, "wasmetal-run") || !manifest_val_is(&l, "1"))
		return (*why = "the first line must be `wasmetal-run 1`", -EINVAL);
	while ((r = manifest_next(&it, &l, why)) == 1) {
		*line = it.line;
		if ((r = apply(&l, &seen, rc, why))) {
			memset(rc, 0, sizeof *rc);
			return r;
		}
	}
	*line = it.line;
	if (r < 0)
		memset(rc, 0, sizeof *rc);
	return r;
}
