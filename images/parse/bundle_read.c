/*
 * bundle_read.c — parse the boot bundle (images/bundle.h) the loader found
 * on the ESP or the PVH monitor passed as the initrd, and the manifest
 * inside it (docs/manifest.md).  The bundle is
 * hostile input: every length is checked against what is left of the
 * buffer before anything is read, the header's size and count must agree
 * with the entries actually present, strings may not contain NUL, every
 * count has a limit (bundle_parse.h), and there must be exactly one
 * module, or none when there is a spec blob (at most one; its contents
 * are checked by spec/spec_blob.c).
 *
 *   check_header -> bundle_scan (count entries, no allocation)
 *     -> manifest_apply(count) -> nodes_count (per preopen)
 *     -> allocate -> bundle_fill + manifest_apply(fill) + nodes_fill
 *     -> trees_check (parents before children, no path twice)
 *     -> grants_nic (any network grant: the kernel brings up a NIC)
 *
 * The network grants (tcplisten, addr-pool, allow-resolve) are checked by
 * the same portable parsers as the command line's (wasi_grant.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "bundle.h"
#include "bundle_parse.h"
#include "crc32c.h"
#include "vfs.h"                /* vfs_check_string, VFS_NAME_MAX: the
				   WASI layer's rules for its trees */

struct walk {
	const uint8_t *buf;
	uint64_t size, off;
	uint32_t index, count;
};

/* What bundle_scan counted. */
struct counts {
	int modules, specs, manifests, nargs, nenv, nflags;
	uint64_t nnodes;
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
	if (h.size < sizeof h)
		return (*why = "header size smaller than the header", -EINVAL);
	if (h.size > size)
		return (*why = "header size larger than the bundle", -EINVAL);
	*w = (struct walk){ buf, h.size, sizeof h, 0, h.count };
	return 0;
}

/* A malloc'd NUL-terminated copy of len bytes (checked: no NUL, limit). */
static int dup_bytes(const char *data, uint64_t len, uint64_t max, char **out,
		     const char **why)
{
	char *s;

	if (len > max || memchr(data, 0, len))
		return (*why = "argument or environment string too long or has NUL", -EINVAL);
	if (!(s = malloc(len + 1)))
		return (*why = "out of memory", -ENOMEM);
	memcpy(s, data, len);
	s[len] = 0;
	*out = s;
	return 0;
}

/* ---- pass 1: count and check what needs no memory ------------------------ */

static int scan_entry(struct counts *c, struct boot_bundle *b, uint32_t kind,
		      const uint8_t *data, uint64_t len, const char **why)
{
	switch (kind) {
	case BUNDLE_MODULE: c->modules++; break;
	case BUNDLE_SPEC: c->specs++; break;
	case BUNDLE_ARG: c->nargs++; break;
	case BUNDLE_ENV: c->nenv++; break;
	case BUNDLE_NODE: c->nnodes++; break;
	case BUNDLE_FLAGS:
		if (len != 4)
			return (*why = "flags entry is not 4 bytes", -EINVAL);
		c->nflags++;
		break;
	case BUNDLE_MANIFEST:
		if (len > BUNDLE_MAX_MANIFEST)
			return (*why = "manifest too large", -EINVAL);
		if (memchr(data, 0, len))
			return (*why = "manifest contains a NUL byte", -EINVAL);
		c->manifests++;
		b->manifest = (const char *)data;
		b->manifest_len = len;
		break;
	}
	if (c->nargs + c->nenv > BUNDLE_MAX_STRINGS)
		return (*why = "too many arguments/environment strings", -EINVAL);
	if (c->nnodes > BUNDLE_MAX_NODES)
		return (*why = "too many files in the preopened trees", -EINVAL);
	return 0;
}

static int bundle_scan(struct walk w, struct counts *c, struct boot_bundle *b,
		       const char **why)
{
	uint32_t kind;
	const uint8_t *data;
	uint64_t len;
	int r;

	memset(c, 0, sizeof *c);
	while ((r = next_entry(&w, &kind, &data, &len, why)) == 1)
		if ((r = scan_entry(c, b, kind, data, len, why)))
			return r;
	if (r < 0)
		return r;
	if (c->specs > 1)
		return (*why = "more than one spec blob", -EINVAL);
	if (c->modules > 1 || (c->modules == 0 && !c->specs))
		return (*why = c->modules ? "more than one module" : "no module", -EINVAL);
	if (c->modules && c->specs)     /* the kernel would run the spec blob
					   and ignore the module */
		return (*why = "both a module and a spec blob", -EINVAL);
	if (c->manifests > 1)
		return (*why = "more than one manifest", -EINVAL);
	if (c->manifests && (c->nargs || c->nenv || c->nflags))
		return (*why = "both a manifest and ARG/ENV/FLAGS entries", -EINVAL);
	return 0;
}

/* ---- the manifest ------------------------------------------------------------ */

/* What manifest_apply found; with fill, also the strings (into b). */
struct mf {
	int nargs, nenv;
	size_t npreopens;
	bool seen_console, seen_log, seen_verbose, seen_crc;
	size_t nlisten, npool, nresolve;        /* grant lines */
	size_t ndisks;                          /* disk, disk-ro lines */
	struct manifest_net_seen net;   /* images/parse/manifest_net.c */
};

static int port_value(const struct manifest_line *l, bool none_ok, unsigned *port,
		      const char **why)
{
	if (manifest_val_is(l, "com1"))
		*port = BUNDLE_PORT_COM1;
	else if (manifest_val_is(l, "com2"))
		*port = BUNDLE_PORT_COM2;
	else if (none_ok && manifest_val_is(l, "none"))
		*port = BUNDLE_PORT_NONE;
	else
		return (*why = none_ok ? "log wants com1, com2 or none"
				       : "console wants com1 or com2", -EINVAL);
	return 0;
}

static int once(bool *seen, const char **why)
{
	if (*seen)
		return (*why = "a setting given twice", -EINVAL);
	*seen = true;
	return 0;
}

/* A string value: decoded, length-checked, copied when out != NULL. */
static int string_value(const struct manifest_line *l, size_t max, char **out,
			const char **why)
{
	size_t len;
	char *s;
	int r;

	if (!l->has_val)
		return (*why = "a value is missing", -EINVAL);
	if ((r = manifest_value(l, NULL, &len, why)))
		return r;
	if (len > max)
		return (*why = "a value is too long", -EINVAL);
	if (!out)
		return 0;
	if (!(s = malloc(len + 1)))
		return (*why = "out of memory", -ENOMEM);
	manifest_value(l, s, &len, why);
	s[len] = 0;
	*out = s;
	return 0;
}

static int env_value(const struct manifest_line *l, char **out, const char **why)
{
	int r = string_value(l, BUNDLE_MAX_STRING, out, why);
	char *eq;

	if (r || !out)
		return r;
	eq = strchr(*out, '=');
	if (!eq || eq == *out) {
		free(*out);
		*out = NULL;
		return (*why = "env wants \"NAME=VALUE\"", -EINVAL);
	}
	return 0;
}

static int preopen_value(const struct manifest_line *l, struct mf *m,
			 struct boot_bundle *b, const char **why)
{
	char *s = NULL;
	int r;

	if (m->npreopens >= BUNDLE_MAX_PREOPENS)
		return (*why = "too many preopened directories", -EINVAL);
	if (l->has_val && l->val_len == 0)
		return (*why = "a preopen's guest path is empty", -EINVAL);
	if ((r = string_value(l, BUNDLE_MAX_PATH, b ? &s : NULL, why)))
		return r;
	if (b)
		b->preopens[m->npreopens].guest_path = s;
	m->npreopens++;
	return 0;
}

static int arg_or_env(const struct manifest_line *l, struct mf *m,
		      struct boot_bundle *b, const char **why)
{
	int r;

	if (m->nargs + m->nenv >= BUNDLE_MAX_STRINGS)
		return (*why = "too many arguments/environment strings", -EINVAL);
	if (l->key[0] == 'a') {
		if ((r = string_value(l, BUNDLE_MAX_STRING,
				      b ? &b->argv[b->argc] : NULL, why)))
			return r;
		if (b)
			b->argc++;
		m->nargs++;
	} else {
		if ((r = env_value(l, b ? &b->envp[b->envc] : NULL, why)))
			return r;
		if (b)
			b->envc++;
		m->nenv++;
	}
	return 0;
}

/* ---- disks ------------------------------------------------------------------- */

/* The file name of a disk's guest path: after its last '/', one
 * component the WASI layer accepts (not "", ".", ".."). */
static const char *disk_name(const char *path, const char **why)
{
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	size_t n = strlen(name);

	if (!n || n > VFS_NAME_MAX || !strcmp(name, ".") || !strcmp(name, "..") ||
	    vfs_check_string(path, strlen(path)))
		return (*why = "a disk's guest path must end in a file name", NULL);
	return name;
}

static int disk_line(const struct manifest_line *l, struct mf *m,
		     struct boot_bundle *b, const char **why)
{
	struct bundle_disk *d = b ? &b->disks[m->ndisks] : NULL;
	char *s = NULL;
	int r;

	if (m->ndisks >= BUNDLE_MAX_DISKS)
		return (*why = "too many disks", -EINVAL);
	/* counting (b NULL; also before the kernel has a heap): the value's
	 * syntax and length only; the path is checked when filling */
	if ((r = string_value(l, BUNDLE_MAX_PATH, d ? &s : NULL, why)))
		return r;
	m->ndisks++;
	if (!d)
		return 0;
	d->guest_path = s;              /* freed with b, whatever happens */
	b->ndisks++;
	if (!(d->name = disk_name(s, why)))
		return -EINVAL;
	for (size_t i = 0; i + 1 < b->ndisks; i++)
		if (!strcmp(b->disks[i].guest_path, s))
			return (*why = "a disk granted twice", -EINVAL);
	d->read_only = manifest_key_is(l, "disk-ro");
	return 0;
}

/* Each disk's directory: the preopen of that guest path, else a new
 * (empty) one after the others.  Room was allocated for ndisks more. */
static int disks_place(struct boot_bundle *b, const char **why)
{
	for (size_t i = 0; i < b->ndisks; i++) {
		struct bundle_disk *d = &b->disks[i];
		size_t dlen = (size_t)(d->name - d->guest_path), p;
		char *dir;

		if (dlen > 1)
			dlen--;                 /* "/dev/vda" -> "/dev"; "/vda" -> "/" */
		for (p = 0; p < b->npreopens; p++) {
			const char *g = b->preopens[p].guest_path;

			if (dlen ? strlen(g) == dlen && !memcmp(g, d->guest_path, dlen)
				 : !strcmp(g, "."))
				break;
		}
		d->preopen = p;
		if (p < b->npreopens)
			continue;
		if (!(dir = malloc(dlen ? dlen + 1 : 2)))
			return (*why = "out of memory", -ENOMEM);
		memcpy(dir, dlen ? d->guest_path : ".", dlen ? dlen : 1);
		dir[dlen ? dlen : 1] = 0;
		b->preopens[b->npreopens++] = (struct wasi_preopen){ .guest_path = dir };
	}
	return 0;
}

/* ---- network grants (wasi_grant.h) ------------------------------------------- */

static bool grant_key(const struct manifest_line *l)
{
	return manifest_key_is(l, "tcplisten") || manifest_key_is(l, "addr-pool") ||
	       manifest_key_is(l, "allow-resolve");
}

/* One grant line, checked in both passes, stored with b (fill pass). */
static int grant_line(const struct manifest_line *l, struct mf *m,
		      struct boot_bundle *b, const char **why)
{
	char text[WASI_NAME_MAX + 2], *copy;
	size_t len;
	int r;

	if (!l->has_val)
		return (*why = "a value is missing", -EINVAL);
	if ((r = manifest_value(l, NULL, &len, why)))
		return r;
	if (len >= sizeof text)
		return (*why = "a network grant is too long", -EINVAL);
	manifest_value(l, text, &len, why);
	text[len] = 0;
	if (manifest_key_is(l, "tcplisten")) {
		struct plat_addr a;

		if ((*why = wasi_grant_parse_listen(text, &a)))
			return -EINVAL;
		if (m->nlisten >= WASI_GRANT_MAX)
			return (*why = "too many tcplisten lines", -EINVAL);
		if (b)
			((struct plat_addr *)b->grants.listen)[m->nlisten] = a;
		m->nlisten++;
	} else if (manifest_key_is(l, "addr-pool")) {
		struct wasi_pool_entry e;

		if ((*why = wasi_grant_parse_pool(text, &e)))
			return -EINVAL;
		if (m->npool >= WASI_GRANT_MAX)
			return (*why = "too many addr-pool lines", -EINVAL);
		if (b)
			((struct wasi_pool_entry *)b->grants.pool)[m->npool] = e;
		m->npool++;
	} else {
		if ((*why = wasi_grant_parse_name(text)))
			return -EINVAL;
		if (m->nresolve >= WASI_GRANT_MAX)
			return (*why = "too many allow-resolve lines", -EINVAL);
		if (b && !(copy = strdup(text)))
			return (*why = "out of memory", -ENOMEM);
		if (b)
			((char **)b->grants.resolve)[b->grants.nresolve++] = copy;
		m->nresolve++;
	}
	return 0;
}

/* The arrays for the counted grants (the fill pass stores into them). */
static int grants_alloc(struct boot_bundle *b, const struct mf *m, const char **why)
{
	b->grants.listen = calloc(m->nlisten + 1, sizeof(struct plat_addr));
	b->grants.pool = calloc(m->npool + 1, sizeof(struct wasi_pool_entry));
	b->grants.resolve = calloc(m->nresolve + 1, sizeof(char *));
	if (!b->grants.listen || !b->grants.pool || !b->grants.resolve)
		return (*why = "out of memory", -ENOMEM);
	b->grants.nlisten = m->nlisten;
	b->grants.npool = m->npool;
	return 0;
}

static void grants_free(struct wasi_grants *g)
{
	for (size_t i = 0; g->resolve && i < g->nresolve; i++)
		free((char *)g->resolve[i]);
	free((void *)g->resolve);
	free((void *)g->listen);
	free((void *)g->pool);
	memset(g, 0, sizeof *g);
}

/* A module with any network grant gets a NIC (and lwIP), by DHCP unless
 * the manifest says how, and none if it says `net none`; without grants
 * it gets one only if a `net` line asks. */
static void grants_nic(struct boot_bundle *b, const struct mf *m)
{
	if (!wasi_grants_any(&b->grants) || m->net.mode == BUNDLE_NET_NONE)
		return;
	b->net.nic = true;
	if (m->net.mode == BUNDLE_NET_UNSET)
		b->net.dhcp = true;
}

/* "module-crc32c 0x1234abcd": exactly 8 hex digits after 0x. */
static int crc_value(const struct manifest_line *l, uint32_t *crc, const char **why)
{
	uint32_t v = 0;

	if (l->quoted || l->val_len != 10 || l->val[0] != '0' || l->val[1] != 'x')
		return (*why = "module-crc32c wants 0x and 8 hex digits", -EINVAL);
	for (size_t i = 2; i < 10; i++) {
		char c = l->val[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (d < 0)
			return (*why = "module-crc32c wants 0x and 8 hex digits", -EINVAL);
		v = v << 4 | (uint32_t)d;
	}
	*crc = v;
	return 0;
}

static int apply_line(const struct manifest_line *l, struct mf *m,
		      struct boot_bundle *b, const char **why)
{
	unsigned port;
	int r;

	if (manifest_key_is(l, "arg") || manifest_key_is(l, "env"))
		return arg_or_env(l, m, b, why);
	if (manifest_key_is(l, "preopen"))
		return preopen_value(l, m, b, why);
	if (manifest_key_is(l, "disk") || manifest_key_is(l, "disk-ro"))
		return disk_line(l, m, b, why);
	if (grant_key(l))
		return grant_line(l, m, b, why);
	if (manifest_key_is(l, "console") || manifest_key_is(l, "log")) {
		bool log = l->key[0] == 'l';

		if (once(log ? &m->seen_log : &m->seen_console, why) ||
		    port_value(l, log, &port, why))
			return -EINVAL;
		if (b)
			*(log ? &b->log : &b->console) = port;
		return 0;
	}
	if (manifest_key_is(l, "verbose")) {
		if (once(&m->seen_verbose, why))
			return -EINVAL;
		if (!manifest_val_is(l, "yes") && !manifest_val_is(l, "no"))
			return (*why = "verbose wants yes or no", -EINVAL);
		if (b && manifest_val_is(l, "yes"))
			b->flags |= BUNDLE_FLAG_VERBOSE;
		return 0;
	}
	if (manifest_key_is(l, "module-crc32c")) {
		uint32_t crc;

		if (once(&m->seen_crc, why) || crc_value(l, &crc, why))
			return -EINVAL;
		if (b) {
			b->module_crc32c = crc;
			b->has_module_crc = true;
		}
		return 0;
	}
	if (manifest_key_is(l, "wasmetal-manifest"))
		return (*why = "wasmetal-manifest must be the first line, once", -EINVAL);
	if ((r = manifest_net_line(l, &m->net, b, why)))
		return r < 0 ? r : 0;
	return (*why = "unknown key", -EINVAL);
}

/* Walk the manifest: count (b == NULL) or fill b (arrays allocated from
 * the counts).  On error *line is the manifest's line. */
static int manifest_apply(const char *text, size_t len, struct mf *m,
			  struct boot_bundle *b, unsigned *line, const char **why)
{
	struct manifest_iter it = { text, text + len, 0 };
	struct manifest_line l;
	int r;

	memset(m, 0, sizeof *m);
	r = manifest_next(&it, &l, why);
	*line = it.line;
	if (r < 0)
		return r;
	if (r == 0 || !manifest_key_is(&l, "wasmetal-manifest"))
		return (*why = "the manifest must start with `wasmetal-manifest 1`", -EINVAL);
	if (!manifest_val_is(&l, "1"))
		return (*why = "unsupported manifest version", -EINVAL);
	while ((r = manifest_next(&it, &l, why)) == 1) {
		*line = it.line;
		if ((r = apply_line(&l, m, b, why)))
			return r;
	}
	*line = it.line;
	if (r == 0)
		r = manifest_net_check(&m->net, b, why);
	return r;
}

/* ---- the preopened trees ----------------------------------------------------- */

/* A node's path: relative, no empty, "." or ".." components. */
static bool path_ok(const char *p, size_t n)
{
	size_t start = 0;

	if (n == 0 || p[0] == '/')
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (i == start || (i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.'))
			return false;
		start = i + 1;
	}
	return true;
}

/* Every component at most VFS_NAME_MAX bytes. */
static bool names_fit(const char *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (i - start > VFS_NAME_MAX)
			return false;
		start = i + 1;
	}
	return true;
}

/* Check one BUNDLE_NODE entry and describe it; *pre is its preopen. */
static int node_read(const uint8_t *data, uint64_t len, size_t npreopens,
		     uint32_t *pre, struct wasi_tree_entry *e, const char **why)
{
	struct bundle_node n;
	const char *path = (const char *)data + sizeof n;

	if (len < sizeof n)
		return (*why = "node entry shorter than its header", -EINVAL);
	memcpy(&n, data, sizeof n);
	if (n.reserved)
		return (*why = "node header: reserved field not 0", -EINVAL);
	if (n.preopen >= npreopens)
		return (*why = "node of a preopen the manifest does not name", -EINVAL);
	if (n.path_len < 2 || n.path_len > BUNDLE_MAX_PATH + 1 ||
	    n.path_len > len - sizeof n)
		return (*why = "node path length out of range", -EINVAL);
	if (path[n.path_len - 1] || memchr(path, 0, n.path_len - 1) ||
	    !path_ok(path, n.path_len - 1))
		return (*why = "node path not a clean relative path", -EINVAL);
	/* what the WASI layer's tree_add refuses too (wasi_ctx.c): found
	   here, so that what the host's parser accepts, the kernel runs */
	if (vfs_check_string(path, n.path_len - 1))
		return (*why = "node path is not UTF-8", -EINVAL);
	if (!names_fit(path, n.path_len - 1))
		return (*why = "node path has a name longer than 255 bytes", -EINVAL);
	e->path = path;
	e->kind = (uint8_t)n.kind;
	e->data = data + sizeof n + n.path_len;
	e->len = len - sizeof n - n.path_len;
	if (n.kind == WASI_NODE_DIR && e->len)
		return (*why = "directory node with data", -EINVAL);
	if (n.kind == WASI_NODE_SYMLINK &&
	    (!e->len || e->len > BUNDLE_MAX_PATH ||
	     vfs_check_string((const char *)e->data, e->len)))
		return (*why = "symlink target empty, too long, with NUL or not UTF-8",
			-EINVAL);
	if (n.kind != WASI_NODE_DIR && n.kind != WASI_NODE_FILE &&
	    n.kind != WASI_NODE_SYMLINK)
		return (*why = "node of unknown kind", -EINVAL);
	*pre = n.preopen;
	return 0;
}

/* Count each preopen's nodes (checking them) into per[]. */
static int nodes_count(struct walk w, size_t npreopens, size_t *per,
		       const char **why)
{
	struct wasi_tree_entry e;
	uint32_t kind, pre;
	const uint8_t *data;
	uint64_t len;
	int r;

	while (next_entry(&w, &kind, &data, &len, why) == 1) {
		if (kind != BUNDLE_NODE)
			continue;
		if ((r = node_read(data, len, npreopens, &pre, &e, why)))
			return r;
		per[pre]++;
	}
	return 0;
}

static uint32_t path_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;               /* FNV-1a */

	while (n--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

/* Slot of path[0..n) among nodes[from..] in the table, or of the empty
 * slot where it would go.  Entries before `from` belong to earlier trees. */
static uint32_t *tree_slot(uint32_t *tab, uint32_t mask, const struct wasi_tree_entry *nodes,
			   size_t from, const char *p, size_t n)
{
	for (uint32_t i = path_hash(p, n) & mask;; i = (i + 1) & mask) {
		uint32_t v = tab[i];

		if (!v || (v - 1 >= from && !strncmp(nodes[v - 1].path, p, n) &&
			   nodes[v - 1].path[n] == 0))
			return &tab[i];
	}
}

/* Each tree: a node's parent is a directory that came before it, and no
 * path comes twice. */
static int trees_check(const struct boot_bundle *b, const char **why)
{
	uint32_t cap = 16, *tab, *slot;
	size_t from = 0;
	int r = 0;

	while (cap < 2 * b->nnodes)
		cap *= 2;
	if (!(tab = calloc(cap, sizeof *tab)))
		return (*why = "out of memory", -ENOMEM);
	for (size_t p = 0; p < b->npreopens && !r; p++) {
		for (size_t i = from; i < from + b->preopens[p].nentries; i++) {
			const char *path = b->nodes[i].path, *slash = strrchr(path, '/');

			if (slash && (!*(slot = tree_slot(tab, cap - 1, b->nodes, from, path,
							  (size_t)(slash - path))) ||
				      b->nodes[*slot - 1].kind != WASI_NODE_DIR)) {
				r = (*why = "a node's directory is missing or comes after it", -EINVAL);
				break;
			}
			slot = tree_slot(tab, cap - 1, b->nodes, from, path, strlen(path));
			if (*slot) {
				r = (*why = "the same path twice in one tree", -EINVAL);
				break;
			}
			*slot = (uint32_t)i + 1;
		}
		from += b->preopens[p].nentries;
	}
	free(tab);
	return r;
}

/* Place the nodes, grouped by preopen in bundle order (next[] from the
 * counts), and point each preopen at its group. */
static void nodes_fill(struct walk w, struct boot_bundle *b, size_t *next)
{
	struct wasi_tree_entry e;
	uint32_t kind, pre;
	const uint8_t *data;
	uint64_t len;
	const char *why;
	size_t start = 0;

	for (size_t p = 0; p < b->npreopens; p++) {
		size_t n = b->preopens[p].nentries;

		b->preopens[p].entries = b->nodes + start;
		next[p] = start;
		start += n;
	}
	while (next_entry(&w, &kind, &data, &len, &why) == 1)
		if (kind == BUNDLE_NODE &&
		    !node_read(data, len, b->npreopens, &pre, &e, &why))
			b->nodes[next[pre]++] = e;
}

/* ---- pass 2 ------------------------------------------------------------------ */

void bundle_free(struct boot_bundle *b)
{
	for (int i = 0; b->argv && i < b->argc; i++)
		free(b->argv[i]);
	for (int i = 0; b->envp && i < b->envc; i++)
		free(b->envp[i]);
	for (size_t i = 0; b->preopens && i < b->npreopens; i++)
		free((char *)b->preopens[i].guest_path);
	for (size_t i = 0; i < b->ndisks; i++)
		free(b->disks[i].guest_path);
	free(b->argv);
	free(b->envp);
	free(b->preopens);
	free(b->nodes);
	grants_free(&b->grants);
	memset(b, 0, sizeof *b);
}

/* The binary entries: module, spec, and the old ARG/ENV/FLAGS. */
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
			if ((r = dup_bytes((const char *)data, len, BUNDLE_MAX_STRING, &s, why)))
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
		default:                /* MANIFEST, NODE: elsewhere; unknown
					   kinds: ignored (forward compat) */
			break;
		}
	}
	return 0;
}

static int alloc_arrays(struct boot_bundle *b, size_t nargs, size_t nenv,
			size_t npre, uint64_t nnodes, const char **why)
{
	b->argv = calloc(nargs + 1, sizeof *b->argv);
	b->envp = calloc(nenv + 1, sizeof *b->envp);
	b->preopens = calloc(npre + 1, sizeof *b->preopens);
	b->nodes = calloc(nnodes + 1, sizeof *b->nodes);
	if (!b->argv || !b->envp || !b->preopens || !b->nodes)
		return (*why = "out of memory", -ENOMEM);
	return 0;
}

/* The manifest's module-crc32c against the module's bytes: the host
 * wrote it for an artifact it had checked (images/bundle.c), so a match
 * stands for the artifact's own SHA-256 checks (crc32c.h). */
static int module_crc_check(const struct boot_bundle *b, const char **why)
{
	if (!b->has_module_crc)
		return 0;
	if (!b->module)
		return (*why = "module-crc32c but no module", -EINVAL);
	if (crc32c(b->module, b->module_len) != b->module_crc32c)
		return (*why = "the module's CRC-32C is not the manifest's "
			"module-crc32c (the bundle is corrupted)", -EINVAL);
	return 0;
}

static int parse(struct walk w, struct boot_bundle *out, const char **why)
{
	struct counts c;
	struct mf m = { 0 };
	size_t per[BUNDLE_MAX_PREOPENS] = { 0 };
	int r;

	if ((r = bundle_scan(w, &c, out, why)))
		return r;
	if (out->manifest &&
	    (r = manifest_apply(out->manifest, out->manifest_len, &m, NULL,
				&out->bad_line, why)))
		return r;
	out->bad_line = 0;      /* what fails from here on is not a line */
	if ((r = nodes_count(w, m.npreopens, per, why)))
		return r;
	if ((r = alloc_arrays(out, (size_t)c.nargs + m.nargs, (size_t)c.nenv + m.nenv,
			      m.npreopens + m.ndisks, c.nnodes, why)) ||
	    (r = grants_alloc(out, &m, why)))
		return r;
	out->npreopens = m.npreopens;
	out->nnodes = c.nnodes;
	for (size_t p = 0; p < m.npreopens; p++)
		out->preopens[p].nentries = per[p];
	if ((r = bundle_fill(w, out, why)))
		return r;
	if (out->manifest &&
	    (r = manifest_apply(out->manifest, out->manifest_len, &m, out,
				&out->bad_line, why)))
		return r;
	out->bad_line = 0;
	nodes_fill(w, out, per);
	grants_nic(out, &m);
	if ((r = module_crc_check(out, why)))
		return r;
	if ((r = trees_check(out, why)))
		return r;
	return disks_place(out, why);
}

int bundle_parse(const uint8_t *buf, uint64_t size, struct boot_bundle *out,
		 const char **why)
{
	struct walk w;
	int r;

	memset(out, 0, sizeof *out);
	out->console = BUNDLE_PORT_COM2;
	out->log = BUNDLE_PORT_COM1;
	*why = NULL;
	if ((r = check_header(buf, size, &w, why)))
		return r;
	if ((r = parse(w, out, why))) {
		unsigned line = out->bad_line;

		bundle_free(out);
		out->bad_line = line;
		return r;
	}
	return 0;
}

void bundle_serial_ports(const uint8_t *buf, uint64_t size, unsigned *console,
			 unsigned *log)
{
	struct walk w;
	struct manifest_iter it;
	struct manifest_line l;
	const uint8_t *data;
	const char *why;
	uint64_t len;
	uint32_t kind;
	unsigned c = BUNDLE_PORT_COM2, g = BUNDLE_PORT_COM1, line;
	struct mf m;
	int r;

	*console = c;
	*log = g;
	if (check_header(buf, size, &w, &why))
		return;
	while ((r = next_entry(&w, &kind, &data, &len, &why)) == 1)
		if (kind == BUNDLE_MANIFEST)
			break;
	if (r != 1 || len > BUNDLE_MAX_MANIFEST || memchr(data, 0, len) ||
	    manifest_apply((const char *)data, len, &m, NULL, &line, &why))
		return;                 /* counting mode: checks, no allocation */
	it = (struct manifest_iter){ (const char *)data, (const char *)data + len, 0 };
	while ((r = manifest_next(&it, &l, &why)) == 1) {
		if (manifest_key_is(&l, "console") && port_value(&l, false, &c, &why))
			return;
		if (manifest_key_is(&l, "log") && port_value(&l, true, &g, &why))
			return;
	}
	if (r == 0) {
		*console = c;
		*log = g;
	}
}
