/*
 * vfs.h — the in-memory file system behind WASI's preopened directories.
 *
 * One struct vfs per WASI context (its budget, inode numbers, device id);
 * each preopen is the root of its own tree of nodes in it.  Nodes are
 * directories, regular files and symbolic links (the witx filetypes 3, 4
 * and 7).  Everything lives in the kernel heap, so every growth is charged
 * to the vfs's budget first (VFS_GROW_BYTES, VFS_MAX_NODES below), and a
 * guest that fills it gets ENOSPC, not a kernel out of memory.
 *
 * Ownership: a directory owns its entries' names; a node is freed when it
 * has no name left (nlink == 0) and no open fd refers to it (refs == 0).
 * Directories have one name at most (no hard links to directories), so
 * `parent` is well defined; a removed directory has parent == NULL and
 * nlink == 0 and refuses new entries.
 *
 * Path resolution (vfs_resolve) is the only way from a guest path to a
 * node, and it never leaves the directory it starts from: see vfs.c.
 * Errors are positive WASI errno values (wasi_abi.h).
 */
#ifndef VFS_H
#define VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits.  A component is at most 255 bytes (NAME_MAX), a path or a
 * symlink target 4096 (PATH_MAX), as on Linux; 40 symlink expansions per
 * resolution (Linux MAXSYMLINKS) before ELOOP. */
#define VFS_NAME_MAX    255
#define VFS_PATH_MAX    4096
#define VFS_SYMLOOP_MAX 40
/* What a guest may add on top of its image's files: 64 MiB of data and
 * names, 65536 nodes.  The kernel heap is shared by every instance and
 * the JIT; this keeps one guest from exhausting it. */
#define VFS_GROW_BYTES  (64ull << 20)
#define VFS_MAX_NODES   65536u

struct vfs;
struct vfs_node;
struct wasi_disk;

struct vfs_entry {
	char *name;             /* NUL-terminated, owned */
	struct vfs_node *node;
};

struct vfs_node {
	uint8_t type;           /* WASI_FILETYPE_{DIRECTORY,REGULAR_FILE,SYMBOLIC_LINK} */
	uint64_t ino;
	uint64_t nlink;         /* names; a directory in a tree (or a root) has 1 */
	uint32_t refs;          /* open fds */
	uint64_t atim, mtim, ctim;
	/* a block device's file (wasi_disk.c): data and cap unused, size
	 * fixed, I/O through the device */
	const struct wasi_disk *disk;
	/* files and symlinks: contents / target */
	uint8_t *data;
	uint64_t size, cap;
	/* directories */
	struct vfs_entry *ents;
	size_t nents, ents_cap;
	struct vfs_node *parent;        /* NULL for a root or a removed dir */
	/* every node of the vfs, for vfs_free */
	struct vfs_node *prev, *next;
	struct vfs *fs;
};

struct vfs {
	uint64_t bytes, bytes_max;      /* data + names + node headers */
	uint32_t nodes, nodes_max;
	uint64_t next_ino;
	uint64_t dev;
	struct vfs_node *all;
};

/* The result of resolving a path: the directory that holds (or would
 * hold) its last component, that component, and the node it names (NULL
 * if there is none).  A path that ends in "." or ".." (or is ".") names
 * the directory itself: name is "" and node == dir. */
struct vfs_walk {
	struct vfs_node *dir;
	char name[VFS_NAME_MAX + 1];
	struct vfs_node *node;
	bool trailing_slash;
};

struct vfs *vfs_new(void);
void vfs_free(struct vfs *fs);
/* After loading the image's trees: the budget becomes what they use plus
 * VFS_GROW_BYTES. */
void vfs_seal_budget(struct vfs *fs);

uint64_t vfs_now(void);
struct vfs_node *vfs_node_new(struct vfs *fs, uint8_t type);
void vfs_node_ref(struct vfs_node *n);
void vfs_node_unref(struct vfs_node *n);

/* Directory entries. */
struct vfs_node *vfs_lookup(struct vfs_node *dir, const char *name, size_t len);
int vfs_link(struct vfs_node *dir, const char *name, struct vfs_node *n);
int vfs_unlink(struct vfs_node *dir, const char *name);
bool vfs_is_ancestor(const struct vfs_node *a, const struct vfs_node *n);
uint64_t vfs_nlink(const struct vfs_node *n);

/* File contents (regular files and symlink targets). */
int vfs_set_size(struct vfs_node *n, uint64_t size);
int vfs_write(struct vfs_node *n, uint64_t off, const void *buf, size_t len);
size_t vfs_read(struct vfs_node *n, uint64_t off, void *buf, size_t len);

/* Resolve path (len bytes, not NUL-terminated, guest-controlled) from
 * directory base.  follow: expand a symlink in the last component (a
 * trailing slash always does).  0 or a WASI errno:
 *   EPERM (63)  the path is absolute, or ".." or a symlink would lead
 *               above base (what wasmtime answers: cap-std's "a path led
 *               outside of the filesystem"; wasmtime before 2023 and
 *               uvwasi say ENOTCAPABLE)
 *   ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EINVAL (a NUL byte),
 *   EILSEQ (not UTF-8). */
int vfs_resolve(struct vfs_node *base, const char *path, size_t len,
		bool follow, struct vfs_walk *w);

/* Whether a guest string is acceptable as a path or symlink target:
 * 0, EINVAL (NUL inside), EILSEQ (invalid UTF-8), ENAMETOOLONG. */
int vfs_check_string(const char *s, size_t len);

#endif
