/*
 * vfs.c — the in-memory file system of WASI preopens (see vfs.h): nodes,
 * directory entries, file contents under a budget, and path resolution.
 *
 * Resolution, the security boundary: a path is walked one component at
 * a time from the base directory (the dirfd of the WASI call), like
 * Linux openat2(RESOLVE_BENEATH) or cap-std:
 *   - an absolute path is refused (EPERM);
 *   - "" components (repeated slashes) and "." stay where they are;
 *   - ".." goes to the parent, but never above base: `depth` counts the
 *     directories entered below base and ".." at depth 0 is EPERM;
 *   - a symlink met in the middle of a path (or last, when following)
 *     is spliced in front of the rest of the path and resolved from the
 *     directory that contains it, with the same depth, so its ".." obey
 *     the same rule; absolute targets are refused; more than
 *     VFS_SYMLOOP_MAX expansions is ELOOP.
 * Nothing but vfs_node pointers reached this way is ever used, so no path
 * can name a node outside the tree under base.
 */
#include <stdlib.h>
#include <string.h>
#include "plat.h"
#include "vfs.h"
#include "wasi_abi.h"

uint64_t vfs_now(void)
{
	return plat_clock_ns(PLAT_CLOCK_REALTIME);
}

struct vfs *vfs_new(void)
{
	struct vfs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->bytes_max = UINT64_MAX;     /* while loading the image's trees */
	fs->nodes_max = UINT32_MAX;
	fs->next_ino = 1;
	fs->dev = 0x7761736d;           /* "wasm": one device for all preopens */
	return fs;
}

void vfs_seal_budget(struct vfs *fs)
{
	fs->bytes_max = fs->bytes + VFS_GROW_BYTES;
	fs->nodes_max = fs->nodes + VFS_MAX_NODES;
}

static int charge(struct vfs *fs, uint64_t n)
{
	if (n > fs->bytes_max - fs->bytes)
		return WASI_ENOSPC;
	fs->bytes += n;
	return 0;
}

static void uncharge(struct vfs *fs, uint64_t n)
{
	fs->bytes -= n < fs->bytes ? n : fs->bytes;
}

static void node_free(struct vfs_node *n)
{
	struct vfs *fs = n->fs;

	for (size_t i = 0; i < n->nents; i++)
		free(n->ents[i].name);
	free(n->ents);
	free(n->data);
	if (n->prev)
		n->prev->next = n->next;
	else
		fs->all = n->next;
	if (n->next)
		n->next->prev = n->prev;
	uncharge(fs, n->cap + n->ents_cap * sizeof(struct vfs_entry) +
		 sizeof(*n));
	fs->nodes--;
	free(n);
}

void vfs_free(struct vfs *fs)
{
	if (!fs)
		return;
	while (fs->all)
		node_free(fs->all);
	free(fs);
}

struct vfs_node *vfs_node_new(struct vfs *fs, uint8_t type)
{
	struct vfs_node *n;

	if (fs->nodes >= fs->nodes_max || charge(fs, sizeof(*n)))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n) {
		uncharge(fs, sizeof(*n));
		return NULL;
	}
	n->type = type;
	n->ino = fs->next_ino++;
	n->atim = n->mtim = n->ctim = vfs_now();
	n->fs = fs;
	n->next = fs->all;
	if (fs->all)
		fs->all->prev = n;
	fs->all = n;
	fs->nodes++;
	return n;
}

static void maybe_free(struct vfs_node *n)
{
	if (n->nlink == 0 && n->refs == 0) {
		/* A removed directory is empty (rmdir checks). */
		node_free(n);
	}
}

void vfs_node_ref(struct vfs_node *n)
{
	n->refs++;
}

void vfs_node_unref(struct vfs_node *n)
{
	if (n->refs)
		n->refs--;
	maybe_free(n);
}

uint64_t vfs_nlink(const struct vfs_node *n)
{
	uint64_t k = 2;

	if (n->type != WASI_FILETYPE_DIRECTORY)
		return n->nlink;
	if (n->nlink == 0)
		return 0;
	/* As POSIX file systems count: "." and the name, plus each
	 * subdirectory's "..". */
	for (size_t i = 0; i < n->nents; i++)
		k += n->ents[i].node->type == WASI_FILETYPE_DIRECTORY;
	return k;
}

/* ---- directories ------------------------------------------------------- */

struct vfs_node *vfs_lookup(struct vfs_node *dir, const char *name, size_t len)
{
	for (size_t i = 0; i < dir->nents; i++)
		if (strlen(dir->ents[i].name) == len &&
		    !memcmp(dir->ents[i].name, name, len))
			return dir->ents[i].node;
	return NULL;
}

static int ents_grow(struct vfs_node *dir)
{
	size_t cap = dir->ents_cap ? dir->ents_cap * 2 : 8;
	struct vfs_entry *e;
	int err;

	err = charge(dir->fs, (cap - dir->ents_cap) * sizeof(*e));
	if (err)
		return err;
	e = realloc(dir->ents, cap * sizeof(*e));
	if (!e) {
		uncharge(dir->fs, (cap - dir->ents_cap) * sizeof(*e));
		return WASI_ENOMEM;
	}
	dir->ents = e;
	dir->ents_cap = cap;
	return 0;
}

/* Add name -> n to dir (the caller checked that name is free). */
int vfs_link(struct vfs_node *dir, const char *name, struct vfs_node *n)
{
	size_t len = strlen(name);
	char *copy;
	int err;

	if (dir->nlink == 0)
		return WASI_ENOENT;     /* removed directory */
	if (dir->nents == dir->ents_cap && (err = ents_grow(dir)))
		return err;
	if ((err = charge(dir->fs, len + 1)))
		return err;
	copy = malloc(len + 1);
	if (!copy) {
		uncharge(dir->fs, len + 1);
		return WASI_ENOMEM;
	}
	memcpy(copy, name, len + 1);
	dir->ents[dir->nents++] = (struct vfs_entry){ copy, n };
	n->nlink++;
	if (n->type == WASI_FILETYPE_DIRECTORY)
		n->parent = dir;
	n->ctim = dir->mtim = dir->ctim = vfs_now();
	return 0;
}

/* Remove the entry name from dir; frees the node if nothing holds it. */
int vfs_unlink(struct vfs_node *dir, const char *name)
{
	for (size_t i = 0; i < dir->nents; i++) {
		struct vfs_node *n = dir->ents[i].node;

		if (strcmp(dir->ents[i].name, name))
			continue;
		uncharge(dir->fs, strlen(name) + 1);
		free(dir->ents[i].name);
		memmove(&dir->ents[i], &dir->ents[i + 1],
			(dir->nents - i - 1) * sizeof(dir->ents[0]));
		dir->nents--;
		n->nlink--;
		if (n->type == WASI_FILETYPE_DIRECTORY) {
			n->parent = NULL;
			n->nlink = 0;
		}
		n->ctim = dir->mtim = dir->ctim = vfs_now();
		maybe_free(n);
		return 0;
	}
	return WASI_ENOENT;
}

/* Whether directory a is n or one of n's ancestors. */
bool vfs_is_ancestor(const struct vfs_node *a, const struct vfs_node *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* ---- contents ----------------------------------------------------------- */

static int reserve(struct vfs_node *n, uint64_t need)
{
	struct vfs *fs = n->fs;
	uint64_t cap;
	uint8_t *p;

	if (need <= n->cap)
		return 0;
	if (need > fs->bytes_max || need > SIZE_MAX / 2)
		return WASI_ENOSPC;
	cap = n->cap * 2 > need ? n->cap * 2 : need;
	if (cap < 64)
		cap = 64;
	if (cap - n->cap > fs->bytes_max - fs->bytes)
		cap = need;     /* near the budget: exactly what is needed */
	if (charge(fs, cap - n->cap))
		return WASI_ENOSPC;
	p = realloc(n->data, cap);
	if (!p) {
		uncharge(fs, cap - n->cap);
		return WASI_ENOMEM;
	}
	memset(p + n->cap, 0, cap - n->cap);
	n->data = p;
	n->cap = cap;
	return 0;
}

int vfs_set_size(struct vfs_node *n, uint64_t size)
{
	int err;

	if (n->disk)    /* a block device: its size is the device's */
		return size == n->size ? 0 : WASI_EINVAL;
	err = reserve(n, size);

	if (err)
		return err;
	if (size < n->size)
		memset(n->data + size, 0, n->size - size);
	n->size = size;
	n->mtim = n->ctim = vfs_now();
	return 0;
}

int vfs_write(struct vfs_node *n, uint64_t off, const void *buf, size_t len)
{
	int err;

	if (off + len < off)
		return WASI_EFBIG;
	if (n->disk)
		return WASI_EINVAL;     /* wasi_disk_write's */
	if ((err = reserve(n, off + len)))
		return err;
	memcpy(n->data + off, buf, len);
	if (off + len > n->size)
		n->size = off + len;
	n->mtim = n->ctim = vfs_now();
	return 0;
}

size_t vfs_read(struct vfs_node *n, uint64_t off, void *buf, size_t len)
{
	if (n->disk || off >= n->size)  /* a disk: wasi_disk_read's */
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	memcpy(buf, n->data + off, len);
	return len;
}

/* ---- resolution --------------------------------------------------------- */

int vfs_check_string(const char *s, size_t len)
{
	size_t i = 0;

	if (len > VFS_PATH_MAX)
		return WASI_ENAMETOOLONG;
	while (i < len) {
		uint8_t c = (uint8_t)s[i];
		size_t k;
		uint32_t cp;

		if (c == 0)
			return WASI_EINVAL;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return WASI_EILSEQ;
		}
		if (len - i <= k)
			return WASI_EILSEQ;
		for (size_t j = 1; j <= k; j++) {
			uint8_t d = (uint8_t)s[i + j];

			if ((d & 0xc0) != 0x80)
				return WASI_EILSEQ;
			cp = cp << 6 | (d & 0x3f);
		}
		/* overlong, surrogates, beyond U+10FFFF */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return WASI_EILSEQ;
		i += k + 1;
	}
	return 0;
}

/* The path still to walk: a private, NUL-free copy that symlink
 * expansion replaces. */
struct rest {
	char *buf;
	size_t len, pos;
};

/* rest := target + "/" + rest[pos..] (or target + "/" if trailing). */
static int splice(struct rest *r, const struct vfs_node *link, bool slash)
{
	size_t tail = r->len - r->pos;
	size_t len = link->size + (slash || tail ? 1 : 0) + tail;
	char *b;

	if (link->size == 0)
		return WASI_ENOENT;
	if (link->data[0] == '/')
		return WASI_EPERM;      /* absolute target: outside */
	if (len > VFS_PATH_MAX * 2)
		return WASI_ENAMETOOLONG;
	b = malloc(len + 1);
	if (!b)
		return WASI_ENOMEM;
	memcpy(b, link->data, link->size);
	if (slash || tail)
		b[link->size] = '/';
	memcpy(b + len - tail, r->buf + r->pos, tail);
	free(r->buf);
	r->buf = b;
	r->len = len;
	r->pos = 0;
	return 0;
}

static void found(struct vfs_walk *w, struct vfs_node *dir, const char *name,
		  size_t len, struct vfs_node *node)
{
	w->dir = dir;
	memcpy(w->name, name, len);
	w->name[len] = 0;
	w->node = node;
}

static int walk(struct vfs_node *base, struct rest *r, bool follow,
		struct vfs_walk *w)
{
	struct vfs_node *cur = base;
	unsigned depth = 0, links = 0;

	for (;;) {
		size_t start, len;
		bool last, slash;
		struct vfs_node *child;
		const char *c;

		while (r->pos < r->len && r->buf[r->pos] == '/')
			r->pos++;
		start = r->pos;
		while (r->pos < r->len && r->buf[r->pos] != '/')
			r->pos++;
		len = r->pos - start;
		c = r->buf + start;
		slash = r->pos < r->len;
		while (r->pos < r->len && r->buf[r->pos] == '/')
			r->pos++;
		last = r->pos == r->len;
		if (slash && last)
			w->trailing_slash = true;
		if (len > VFS_NAME_MAX)
			return WASI_ENAMETOOLONG;
		if (len == 0 || (len == 1 && c[0] == '.')) {
			/* only a path made of "/" and "." gets here last */
			if (last) {
				found(w, cur, "", 0, cur);
				return 0;
			}
			continue;
		}
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (depth == 0)
				return WASI_EPERM;
			depth--;
			cur = cur->parent;
			if (!cur)
				return WASI_ENOENT;
			if (last) {
				found(w, cur, "", 0, cur);
				return 0;
			}
			continue;
		}
		child = cur->nlink ? vfs_lookup(cur, c, len) : NULL;
		if (child && child->type == WASI_FILETYPE_SYMBOLIC_LINK &&
		    (!last || follow || w->trailing_slash)) {
			int err;

			if (++links > VFS_SYMLOOP_MAX)
				return WASI_ELOOP;
			if ((err = splice(r, child, w->trailing_slash)))
				return err;
			w->trailing_slash = false;
			continue;
		}
		if (last) {
			if (w->trailing_slash && child &&
			    child->type != WASI_FILETYPE_DIRECTORY)
				return WASI_ENOTDIR;
			if (cur->nlink == 0)
				return WASI_ENOENT;
			found(w, cur, c, len, child);
			return 0;
		}
		if (!child)
			return WASI_ENOENT;
		if (child->type != WASI_FILETYPE_DIRECTORY)
			return WASI_ENOTDIR;
		cur = child;
		depth++;
	}
}

int vfs_resolve(struct vfs_node *base, const char *path, size_t len,
		bool follow, struct vfs_walk *w)
{
	struct rest r;
	int err;

	memset(w, 0, sizeof(*w));
	if ((err = vfs_check_string(path, len)))
		return err;
	if (len == 0)
		return WASI_ENOENT;
	if (path[0] == '/')
		return WASI_EPERM;
	if (base->type != WASI_FILETYPE_DIRECTORY)
		return WASI_ENOTDIR;
	r.buf = malloc(len);
	if (!r.buf)
		return WASI_ENOMEM;
	memcpy(r.buf, path, len);
	r.len = len;
	r.pos = 0;
	err = walk(base, &r, follow, w);
	free(r.buf);
	return err;
}
