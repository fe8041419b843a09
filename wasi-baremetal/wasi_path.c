/*
 * wasi_path.c — the path_* functions of wasi_snapshot_preview1 (witx
 * "wasi_snapshot_preview1.witx": path_create_directory .. path_unlink_file,
 * path_open) on the vfs.  Every path is resolved by vfs_resolve from the
 * directory fd the call names, so nothing outside that directory is ever
 * reachable (see vfs.c); the fd must hold the right the witx names for
 * the call (ENOTCAPABLE otherwise).
 *
 * Where the witx leaves the errno open, the answers are Linux's, as
 * wasmtime gives them there (and as the WASI testsuite accepts):
 *   unlink a directory         EISDIR      rmdir a non-directory  ENOTDIR
 *   rmdir non-empty            ENOTEMPTY   rmdir "."              EINVAL
 *   hard link to a directory   EPERM       link/symlink/mkdir onto
 *   rename a dir into itself   EINVAL        an existing name     EEXIST
 *   rename a file over a dir   EISDIR      a dir over a file      ENOTDIR
 *   open a symlink, no follow  ELOOP       open a dir for writing EISDIR
 *   escape (.., absolute)      EPERM
 */
#include <stdlib.h>
#include "wasi_impl.h"

int wasi_path_resolve(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t fd,
		      uint64_t rights, uint32_t ptr, uint32_t len, bool follow,
		      struct vfs_walk *w)
{
	struct wasi_fd *f;
	int err = wasi_fd_lookup(ctx, fd, 0, &f);
	const char *path;

	memset(w, 0, sizeof(*w));
	if (err)
		return err;
	if (f->kind != WASI_FD_DIR)
		return WASI_ENOTDIR;
	if ((f->rights_base & rights) != rights)
		return WASI_ENOTCAPABLE;
	path = (const char *)wasi_mem(inst, ptr, len);
	if (!path)
		return WASI_EFAULT;
	return vfs_resolve(f->node, path, len, follow, w);
}

WASI_HOST_FN(path_create_directory)
{
	/* (fd, path, path_len) */
	struct vfs_walk w;
	struct vfs_node *n;
	int err = wasi_path_resolve(inst, env, ARG32(0),
				    WASI_RIGHT_PATH_CREATE_DIRECTORY,
				    ARG32(1), ARG32(2), false, &w);

	if (!err && (w.node || !w.name[0]))
		err = WASI_EEXIST;
	if (err)
		return wasi_ret(results, err);
	n = vfs_node_new(w.dir->fs, WASI_FILETYPE_DIRECTORY);
	if (!n)
		return wasi_ret(results, WASI_ENOSPC);
	err = vfs_link(w.dir, w.name, n);
	if (err)
		vfs_node_unref(n);
	return wasi_ret(results, err);
}

WASI_HOST_FN(path_filestat_get)
{
	/* (fd, flags: lookupflags, path, path_len, filestat_ptr) */
	struct vfs_walk w;
	uint8_t *p = wasi_mem(inst, ARG32(4), sizeof(struct wasi_filestat));
	int err = wasi_path_resolve(inst, env, ARG32(0),
				    WASI_RIGHT_PATH_FILESTAT_GET, ARG32(2),
				    ARG32(3), ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW,
				    &w);

	if (!err && !w.node)
		err = WASI_ENOENT;
	if (!err && !p)
		err = WASI_EFAULT;
	if (!err)
		wasi_filestat_put(p, w.node);
	return wasi_ret(results, err);
}

WASI_HOST_FN(path_filestat_set_times)
{
	/* (fd, flags, path, path_len, atim, mtim, fst_flags) */
	struct vfs_walk w;
	int err = wasi_path_resolve(inst, env, ARG32(0),
				    WASI_RIGHT_PATH_FILESTAT_SET_TIMES, ARG32(2),
				    ARG32(3), ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW,
				    &w);

	if (!err && !w.node)
		err = WASI_ENOENT;
	if (!err)
		err = wasi_set_times(w.node, ARG64(4), ARG64(5), ARG32(6));
	return wasi_ret(results, err);
}

static int path_link(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args)
{
	/* (old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len) */
	struct vfs_walk from, to;
	int err;

	err = wasi_path_resolve(inst, ctx, ARG32(0), WASI_RIGHT_PATH_LINK_SOURCE,
				ARG32(2), ARG32(3),
				ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &from);
	if (err)
		return err;
	if (!from.node)
		return WASI_ENOENT;
	if (from.node->type == WASI_FILETYPE_DIRECTORY)
		return WASI_EPERM;
	err = wasi_path_resolve(inst, ctx, ARG32(4), WASI_RIGHT_PATH_LINK_TARGET,
				ARG32(5), ARG32(6), false, &to);
	if (err)
		return err;
	if (to.node || !to.name[0])
		return WASI_EEXIST;
	if (to.trailing_slash)
		return WASI_ENOENT;     /* "name/" of a file that is not there */
	return vfs_link(to.dir, to.name, from.node);
}

WASI_HOST_FN(path_link)
{
	return wasi_ret(results, path_link(inst, env, args));
}

WASI_HOST_FN(path_readlink)
{
	/* (fd, path, path_len, buf, buf_len, bufused_ptr): the target,
	 * truncated to buf_len, no NUL. */
	struct vfs_walk w;
	uint32_t n;
	uint8_t *buf = wasi_mem(inst, ARG32(3), ARG32(4));
	int err = wasi_path_resolve(inst, env, ARG32(0), WASI_RIGHT_PATH_READLINK,
				    ARG32(1), ARG32(2), false, &w);

	if (!err && !w.node)
		err = WASI_ENOENT;
	if (!err && w.node->type != WASI_FILETYPE_SYMBOLIC_LINK)
		err = WASI_EINVAL;
	if (!err && (!buf || !wasi_mem(inst, ARG32(5), 4)))
		err = WASI_EFAULT;
	if (err)
		return wasi_ret(results, err);
	n = w.node->size < ARG32(4) ? (uint32_t)w.node->size : ARG32(4);
	memcpy(buf, w.node->data, n);
	return wasi_ret(results, wasi_store_u32(inst, ARG32(5), n));
}

WASI_HOST_FN(path_remove_directory)
{
	/* (fd, path, path_len) */
	struct vfs_walk w;
	int err = wasi_path_resolve(inst, env, ARG32(0),
				    WASI_RIGHT_PATH_REMOVE_DIRECTORY,
				    ARG32(1), ARG32(2), false, &w);

	if (!err && !w.name[0])
		err = WASI_EINVAL;      /* "." or ".." */
	if (!err && !w.node)
		err = WASI_ENOENT;
	if (!err && w.node->type != WASI_FILETYPE_DIRECTORY)
		err = WASI_ENOTDIR;
	if (!err && w.node->nents)
		err = WASI_ENOTEMPTY;
	if (!err)
		err = vfs_unlink(w.dir, w.name);
	return wasi_ret(results, err);
}

WASI_HOST_FN(path_unlink_file)
{
	/* (fd, path, path_len) */
	struct vfs_walk w;
	int err = wasi_path_resolve(inst, env, ARG32(0), WASI_RIGHT_PATH_UNLINK_FILE,
				    ARG32(1), ARG32(2), false, &w);

	if (!err && !w.name[0])
		err = WASI_EISDIR;
	if (!err && !w.node)
		err = WASI_ENOENT;
	if (!err && w.node->type == WASI_FILETYPE_DIRECTORY)
		err = WASI_EISDIR;
	if (!err)
		err = vfs_unlink(w.dir, w.name);
	return wasi_ret(results, err);
}

WASI_HOST_FN(path_symlink)
{
	/* (old_path, old_len, fd, new_path, new_len): a link whose target is
	 * old_path.  Absolute targets are refused (EPERM, as wasmtime): they
	 * could never be followed inside the sandbox. */
	const char *target = (const char *)wasi_mem(inst, ARG32(0), ARG32(1));
	struct vfs_walk w;
	struct vfs_node *n;
	int err;

	if (!target)
		return wasi_ret(results, WASI_EFAULT);
	err = wasi_path_resolve(inst, env, ARG32(2), WASI_RIGHT_PATH_SYMLINK,
				ARG32(3), ARG32(4), false, &w);
	if (!err)
		err = vfs_check_string(target, ARG32(1));
	if (!err && ARG32(1) == 0)
		err = WASI_ENOENT;
	if (!err && target[0] == '/')
		err = WASI_EPERM;
	if (!err && (w.node || !w.name[0]))
		err = WASI_EEXIST;
	if (!err && w.trailing_slash)
		err = WASI_ENOENT;
	if (err)
		return wasi_ret(results, err);
	n = vfs_node_new(w.dir->fs, WASI_FILETYPE_SYMBOLIC_LINK);
	if (!n)
		return wasi_ret(results, WASI_ENOSPC);
	err = vfs_write(n, 0, target, ARG32(1));
	if (!err)
		err = vfs_link(w.dir, w.name, n);
	if (err)
		vfs_node_unref(n);
	return wasi_ret(results, err);
}

/* rename's checks once both ends are resolved (POSIX rename(2)). */
static int rename_check(const struct vfs_walk *from, const struct vfs_walk *to)
{
	const struct vfs_node *src = from->node, *dst = to->node;

	if (!from->name[0] || !to->name[0])
		return WASI_EBUSY;      /* "." or ".." at either end */
	if (!src)
		return WASI_ENOENT;
	if (src->type == WASI_FILETYPE_DIRECTORY) {
		if (dst && dst->type != WASI_FILETYPE_DIRECTORY)
			return WASI_ENOTDIR;
		if (vfs_is_ancestor(src, to->dir))
			return WASI_EINVAL;     /* into itself */
		if (dst && dst != src && dst->nents)
			return WASI_ENOTEMPTY;
		return 0;
	}
	if (dst && dst->type == WASI_FILETYPE_DIRECTORY)
		return WASI_EISDIR;
	if (to->trailing_slash || from->trailing_slash)
		return WASI_ENOTDIR;
	return 0;
}

static int path_rename(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args)
{
	/* (fd, old_path, old_len, new_fd, new_path, new_len) */
	struct vfs_walk from, to;
	struct vfs_node *n;
	int err;

	err = wasi_path_resolve(inst, ctx, ARG32(0), WASI_RIGHT_PATH_RENAME_SOURCE,
				ARG32(1), ARG32(2), false, &from);
	if (err)
		return err;
	err = wasi_path_resolve(inst, ctx, ARG32(3), WASI_RIGHT_PATH_RENAME_TARGET,
				ARG32(4), ARG32(5), false, &to);
	if (err)
		return err;
	if ((err = rename_check(&from, &to)))
		return err;
	n = from.node;
	if (to.node == n)
		return 0;               /* the same file: nothing to do */
	if (to.dir->nlink == 0)
		return WASI_ENOENT;
	/* Link the new name first (it may fail: no space), then drop the
	 * old names; the extra reference keeps n alive in between. */
	vfs_node_ref(n);
	if (to.node)
		vfs_unlink(to.dir, to.name);
	err = vfs_link(to.dir, to.name, n);
	if (!err) {
		vfs_unlink(from.dir, from.name);
		if (n->type == WASI_FILETYPE_DIRECTORY) {
			/* vfs_unlink took it for a removal */
			n->nlink = 1;
			n->parent = to.dir;
		}
	}
	vfs_node_unref(n);
	return err;
}

WASI_HOST_FN(path_rename)
{
	return wasi_ret(results, path_rename(inst, env, args));
}

/* ---- path_open ------------------------------------------------------------ */

struct open_req {
	uint32_t dirfd, lookup, path, path_len;
	uint32_t oflags, fdflags, fd_ptr;
	uint64_t base, inheriting;
};

/* The node path_open opens (created if asked), or an errno. */
static int open_node(wasm_instance *inst, struct wasi_ctx *ctx,
		     const struct open_req *r, struct vfs_node **out)
{
	uint64_t need = WASI_RIGHT_PATH_OPEN;
	struct vfs_walk w;
	struct vfs_node *n;
	int err;

	if (r->oflags & WASI_O_CREAT)
		need |= WASI_RIGHT_PATH_CREATE_FILE;
	if (r->oflags & WASI_O_TRUNC)
		need |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
	err = wasi_path_resolve(inst, ctx, r->dirfd, need, r->path, r->path_len,
				r->lookup & WASI_LOOKUP_SYMLINK_FOLLOW, &w);
	if (err)
		return err;
	if (r->oflags > 0xf || r->fdflags > 0x1f ||
	    (r->oflags & (WASI_O_CREAT | WASI_O_DIRECTORY)) ==
		    (WASI_O_CREAT | WASI_O_DIRECTORY))
		return WASI_EINVAL;
	n = w.node;
	if (n && (r->oflags & (WASI_O_CREAT | WASI_O_EXCL)) ==
		    (WASI_O_CREAT | WASI_O_EXCL))
		return WASI_EEXIST;
	if (!n) {
		if (!(r->oflags & WASI_O_CREAT))
			return WASI_ENOENT;
		if (w.trailing_slash)
			return WASI_EISDIR;
		n = vfs_node_new(w.dir->fs, WASI_FILETYPE_REGULAR_FILE);
		if (!n)
			return WASI_ENOSPC;
		if ((err = vfs_link(w.dir, w.name, n))) {
			vfs_node_unref(n);
			return err;
		}
	}
	if (n->type == WASI_FILETYPE_SYMBOLIC_LINK)
		return WASI_ELOOP;      /* O_NOFOLLOW */
	if ((r->oflags & WASI_O_DIRECTORY) && n->type != WASI_FILETYPE_DIRECTORY)
		return WASI_ENOTDIR;
	if (n->type == WASI_FILETYPE_DIRECTORY &&
	    ((r->base & WASI_RIGHT_FD_WRITE) || (r->oflags & WASI_O_TRUNC)))
		return WASI_EISDIR;
	if ((err = wasi_disk_open_check(n, r->base)))
		return err;             /* a read-only disk, for writing */
	if ((r->oflags & WASI_O_TRUNC) && !n->disk && (err = vfs_set_size(n, 0)))
		return err;             /* (a disk ignores O_TRUNC, as Linux) */
	*out = n;
	return 0;
}

static int path_open(wasm_instance *inst, struct wasi_ctx *ctx,
		     const struct open_req *r)
{
	struct vfs_node *n;
	struct wasi_fd *dir;
	uint64_t inh;
	uint32_t fd;
	int err;

	if (!wasi_mem(inst, r->fd_ptr, 4))
		return WASI_EFAULT;
	if ((err = wasi_fd_alloc(ctx, &fd)))
		return err;
	if ((err = open_node(inst, ctx, r, &n)))
		return err;
	/* New rights: what was asked, within what the directory passes on
	 * (asking for more is not an error: wasmtime and wasi-libc mask). */
	dir = wasi_fd_get(ctx, r->dirfd);
	inh = dir->rights_inheriting;
	ctx->fds[fd] = (struct wasi_fd){
		.kind = n->type == WASI_FILETYPE_DIRECTORY ? WASI_FD_DIR : WASI_FD_FILE,
		.fdflags = (uint16_t)r->fdflags,
		.rights_base = r->base & inh &
			(n->type == WASI_FILETYPE_DIRECTORY ? WASI_RIGHTS_DIR_BASE
							    : WASI_RIGHTS_FILE),
		.rights_inheriting = r->inheriting & inh,
		.node = n,
	};
	vfs_node_ref(n);
	return wasi_store_u32(inst, r->fd_ptr, fd);
}

WASI_HOST_FN(path_open)
{
	/* (fd, dirflags, path, path_len, oflags, base, inheriting, fdflags,
	 *  fd_ptr) */
	struct open_req r = {
		.dirfd = ARG32(0), .lookup = ARG32(1), .path = ARG32(2),
		.path_len = ARG32(3), .oflags = ARG32(4), .base = ARG64(5),
		.inheriting = ARG64(6), .fdflags = ARG32(7), .fd_ptr = ARG32(8),
	};

	return wasi_ret(results, path_open(inst, env, &r));
}
