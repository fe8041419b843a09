/*
 * wasi_path.c — self-checking test of the path_* functions of
 * wasi_snapshot_preview1: path_create_directory, path_filestat_get,
 * path_filestat_set_times, path_link, path_open, path_readlink,
 * path_remove_directory, path_rename, path_symlink, path_unlink_file,
 * with their error paths (the errnos of the witx, or the set the WASI
 * testsuite accepts where POSIX systems differ; Linux's where it names one).
 *
 * Run with a writable copy of tests/wasi/data preopened as "/".  Works in
 * the scratch directory wasi_path.tmp and removes it.  One line per check,
 * then "N ok"; exit status 0 when every check passed (see wt.h).
 */
#include "wt.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | \
	    __WASI_RIGHTS_FD_FILESTAT_GET)

static __wasi_fd_t root, dir;

static int exists(__wasi_fd_t d, const char *path)
{
	__wasi_filestat_t st;

	return __wasi_path_filestat_get(d, 0, path, &st) == 0;
}

static int ftype(__wasi_fd_t d, int flags, const char *path)
{
	__wasi_filestat_t st;

	if (__wasi_path_filestat_get(d, flags, path, &st))
		return -1;
	return st.filetype;
}

static int open_err(__wasi_fd_t d, int dirflags, const char *path, int oflags,
		    __wasi_rights_t rights)
{
	__wasi_fd_t fd;
	int e = __wasi_path_open(d, dirflags, path, oflags, rights, 0, 0, &fd);

	if (!e)
		__wasi_fd_close(fd);
	return e;
}

static void check_create_directory(void)
{
	WT_OK(__wasi_path_create_directory(dir, "d1"), "path_create_directory d1");
	wt_true(ftype(dir, 0, "d1") == __WASI_FILETYPE_DIRECTORY, "d1 is a directory");
	WT_ERR(__wasi_path_create_directory(dir, "d1"), "path_create_directory existing",
	       __WASI_ERRNO_EXIST);
	WT_OK(__wasi_path_create_directory(dir, "d1/sub"), "path_create_directory d1/sub");
	WT_ERR(__wasi_path_create_directory(dir, "nope/sub"),
	       "path_create_directory under a missing dir", __WASI_ERRNO_NOENT);
	wt_put_file(dir, "f", "file f");
	WT_ERR(__wasi_path_create_directory(dir, "f"), "path_create_directory over a file",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_create_directory(dir, "f/sub"), "path_create_directory under a file",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_create_directory(dir, ""), "path_create_directory empty path",
	       __WASI_ERRNO_NOENT);
	WT_ERR(__wasi_path_create_directory(4242, "x"), "path_create_directory unused fd",
	       __WASI_ERRNO_BADF);
}

static void check_open(void)
{
	__wasi_fd_t fd, fd2;
	__wasi_fdstat_t st;
	__wasi_size_t n;
	char c;

	WT_ERR(open_err(dir, 0, "missing", 0, 0), "path_open a missing file", __WASI_ERRNO_NOENT);
	WT_ERR(open_err(dir, 0, "f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0),
	       "path_open CREAT|EXCL of an existing file", __WASI_ERRNO_EXIST);
	WT_ERR(open_err(dir, 0, "f", __WASI_OFLAGS_DIRECTORY, 0), "path_open DIRECTORY of a file",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(open_err(dir, 0, "f/", 0, 0), "path_open a file with a trailing slash",
	       __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOENT);
	WT_ERR(open_err(dir, 0, "f///", 0, 0), "path_open a file with trailing slashes",
	       __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOENT);
	WT_OK(open_err(dir, 0, "d1/", 0, 0), "path_open a dir with a trailing slash");
	WT_OK(open_err(dir, 0, "d1/sub///", 0, 0), "path_open a dir with trailing slashes");
	WT_OK(open_err(dir, 0, "d1/.//sub/../../d1/sub/..///./../f", 0, __WASI_RIGHTS_FD_READ),
	      "path_open a path with . and .. that stays inside");
	WT_ERR(wt_path_open(dir, 0, WT_PTR("f\0"), 2, 0, 0, 0, 0, WT_PTR(&fd)),
	       "path_open a path with a NUL in it", __WASI_ERRNO_INVAL, __WASI_ERRNO_ILSEQ,
	       __WASI_ERRNO_NOENT);
	WT_ERR(open_err(dir, 0, "bad\xff\xfe", __WASI_OFLAGS_CREAT, 0),
	       "path_open a path that is not UTF-8", __WASI_ERRNO_ILSEQ);
	WT_ERR(open_err(dir, 0, "", 0, 0), "path_open an empty path", __WASI_ERRNO_NOENT);
	WT_ERR(open_err(dir, 0, "g", 0x10, 0), "path_open unknown oflags bit", __WASI_ERRNO_INVAL);
	WT_ERR(open_err(dir, 0, "g", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, 0),
	       "path_open CREAT|DIRECTORY", __WASI_ERRNO_INVAL);
	wt_true(!exists(dir, "g"), "the failed opens created nothing");

	/* the preopen itself (wasi-testsuite path_open_preopen) */
	WT_OK(open_err(root, 0, ".", 0, 0), "path_open \".\" with no rights");
	WT_OK(open_err(root, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ),
	      "path_open \".\" DIRECTORY with FD_READ");
	WT_ERR(open_err(root, 0, ".", __WASI_OFLAGS_DIRECTORY,
			__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
	       "path_open a directory for writing", __WASI_ERRNO_ISDIR);
	WT_OK(__wasi_path_open(root, 0, ".", 0, 0, 0, __WASI_FDFLAGS_NONBLOCK, &fd),
	      "path_open a directory with NONBLOCK");
	__wasi_fd_close(fd);

	/* a file as the directory fd */
	WT_OK(wt_open(dir, "f", 0, __WASI_RIGHTS_FD_READ, 0, &fd), "path_open f read-only");
	WT_ERR(open_err(fd, 0, "x", __WASI_OFLAGS_CREAT, 0), "path_open relative to a file fd",
	       __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOTCAPABLE);
	WT_OK(__wasi_fd_fdstat_get(fd, &st), "fd_fdstat_get read-only file");
	wt_true((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0, "read-only: no FD_WRITE right");
	WT_ERR(wt_write(fd, "x", 1, &n), "fd_write on a read-only file", __WASI_ERRNO_BADF,
	       __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_ACCES);
	WT_OK(wt_read(fd, &c, 1, &n), "fd_read on the read-only file");
	__wasi_fd_close(fd);
	WT_OK(wt_open(dir, "f", 0, __WASI_RIGHTS_FD_WRITE, 0, &fd), "path_open f write-only");
	WT_ERR(wt_read(fd, &c, 1, &n), "fd_read on a write-only file", __WASI_ERRNO_BADF,
	       __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_ACCES);
	__wasi_fd_close(fd);

	/* TRUNC, and two fds on one file see each other's writes */
	wt_put_file(dir, "t", "some content");
	WT_OK(wt_open(dir, "t", __WASI_OFLAGS_TRUNC, RW, 0, &fd), "path_open TRUNC");
	WT_OK(wt_open(dir, "t", 0, RW, 0, &fd2), "path_open the same file again");
	WT_OK(wt_read(fd2, &c, 1, &n), "fd_read the truncated file");
	wt_true(n == 0, "TRUNC emptied the file");
	WT_OK(wt_write(fd, "z", 1, &n), "fd_write through the first fd");
	WT_OK(wt_read(fd2, &c, 1, &n), "fd_read through the second fd");
	wt_true(n == 1 && c == 'z', "the write is visible through the other fd at once");
	__wasi_fd_close(fd);
	__wasi_fd_close(fd2);

	/* unlinked while open: the fd still works; the name can be reused */
	wt_put_file(dir, "u", "old");
	WT_OK(wt_open(dir, "u", 0, RW, 0, &fd), "path_open u");
	WT_OK(__wasi_path_unlink_file(dir, "u"), "path_unlink_file u while it is open");
	WT_OK(wt_read(fd, &c, 1, &n), "fd_read an unlinked open file");
	wt_true(n == 1 && c == 'o', "the unlinked file keeps its content");
	WT_OK(wt_put_file(dir, "u", "new"), "create u again");
	wt_true(wt_content_is(dir, "u", "new"), "the new u is a new file");
	__wasi_fd_close(fd);
	__wasi_path_unlink_file(dir, "u");
	__wasi_path_unlink_file(dir, "t");
}

static void check_symlinks(void)
{
	char buf[10];
	__wasi_size_t used = 0;

	WT_OK(__wasi_path_symlink("f", dir, "sl"), "path_symlink sl -> f");
	WT_ERR(__wasi_path_symlink("f", dir, "sl"), "path_symlink over an existing link",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_symlink("x", dir, "f"), "path_symlink over an existing file",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_symlink("x", dir, "d1"), "path_symlink over an existing directory",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_symlink("source", dir, "dangling/"),
	       "path_symlink new path with a trailing slash", __WASI_ERRNO_NOENT);
	WT_ERR(__wasi_path_symlink("f", 4242, "x"), "path_symlink unused fd", __WASI_ERRNO_BADF);
	wt_true(__wasi_path_symlink("/", dir, "abs") != 0,
		"path_symlink with an absolute target is refused");
	__wasi_path_unlink_file(dir, "abs");

	memset(buf, 0, sizeof(buf));
	WT_OK(__wasi_path_readlink(dir, "sl", (uint8_t *)buf, sizeof(buf), &used),
	      "path_readlink sl");
	wt_true(used == 1 && buf[0] == 'f' && buf[1] == 0, "readlink gives \"f\", no NUL added");
	WT_OK(__wasi_path_symlink("target", dir, "sl6"), "path_symlink sl6 -> target (dangling)");
	memset(buf, 0, sizeof(buf));
	WT_OK(__wasi_path_readlink(dir, "sl6", (uint8_t *)buf, 4, &used),
	      "path_readlink into a too-small buffer");
	wt_true(used == 4 && !memcmp(buf, "targ\0", 5), "truncated to the buffer: \"targ\"");
	WT_ERR(__wasi_path_readlink(dir, "f", (uint8_t *)buf, sizeof(buf), &used),
	       "path_readlink of a regular file", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_path_readlink(dir, "missing", (uint8_t *)buf, sizeof(buf), &used),
	       "path_readlink of a missing path", __WASI_ERRNO_NOENT);

	wt_true(ftype(dir, 0, "sl") == __WASI_FILETYPE_SYMBOLIC_LINK,
		"path_filestat_get without FOLLOW: a symbolic link");
	wt_true(ftype(dir, FOLLOW, "sl") == __WASI_FILETYPE_REGULAR_FILE,
		"path_filestat_get with FOLLOW: the regular file");
	WT_ERR(open_err(dir, 0, "sl", 0, 0), "path_open a symlink without FOLLOW",
	       __WASI_ERRNO_LOOP);
	WT_OK(open_err(dir, FOLLOW, "sl", 0, __WASI_RIGHTS_FD_READ), "path_open sl with FOLLOW");
	wt_true(wt_content_is(dir, "sl", "file f"), "reading through the symlink gives f's content");
	WT_ERR(open_err(dir, FOLLOW, "sl", __WASI_OFLAGS_DIRECTORY, 0),
	       "path_open a link to a file as a directory", __WASI_ERRNO_NOTDIR);
	WT_ERR(open_err(dir, 0, "sl6", 0, 0), "path_open a dangling symlink without FOLLOW",
	       __WASI_ERRNO_LOOP);
	WT_ERR(open_err(dir, 0, "sl6", __WASI_OFLAGS_DIRECTORY, 0),
	       "path_open a dangling symlink as a directory", __WASI_ERRNO_NOTDIR,
	       __WASI_ERRNO_LOOP);
	WT_ERR(open_err(dir, FOLLOW, "sl6", 0, 0), "path_open a dangling symlink with FOLLOW",
	       __WASI_ERRNO_NOENT);

	WT_OK(__wasi_path_symlink("d1", dir, "sld"), "path_symlink sld -> d1");
	WT_ERR(open_err(dir, 0, "sld", __WASI_OFLAGS_DIRECTORY, 0),
	       "path_open a dir symlink as a directory without FOLLOW", __WASI_ERRNO_LOOP,
	       __WASI_ERRNO_NOTDIR);
	WT_OK(open_err(dir, FOLLOW, "sld", __WASI_OFLAGS_DIRECTORY, 0),
	      "path_open a dir symlink with FOLLOW");
	WT_OK(open_err(dir, 0, "sld/sub", __WASI_OFLAGS_DIRECTORY, 0),
	      "a symlink in the middle of a path is followed");
	wt_true(ftype(dir, 0, "sld/sub") == __WASI_FILETYPE_DIRECTORY,
		"path_filestat_get through a dir symlink");

	WT_OK(__wasi_path_symlink("loop", dir, "loop"), "path_symlink loop -> loop");
	WT_ERR(open_err(dir, FOLLOW, "loop", 0, 0), "path_open a self-referencing symlink",
	       __WASI_ERRNO_LOOP);
	WT_OK(__wasi_path_symlink("lb", dir, "la"), "path_symlink la -> lb");
	WT_OK(__wasi_path_symlink("la", dir, "lb"), "path_symlink lb -> la");
	WT_ERR(open_err(dir, FOLLOW, "la", 0, 0), "path_open a two-link cycle", __WASI_ERRNO_LOOP);
	WT_ERR(open_err(dir, 0, "la/x", 0, 0), "path_open through a cycle in the middle",
	       __WASI_ERRNO_LOOP);

	/* a chain of 8 links (Linux allows 40) resolves */
	char from[8], to[8];
	int i, e = 0;

	for (i = 0; i < 8 && !e; i++) {
		snprintf(from, sizeof(from), "c%d", i);
		snprintf(to, sizeof(to), i == 7 ? "f" : "c%d", i + 1);
		e = __wasi_path_symlink(to, dir, from);
	}
	WT_OK(e, "path_symlink a chain c0 -> ... -> c7 -> f");
	wt_true(wt_content_is(dir, "c0", "file f"), "an 8-link chain resolves");
	WT_OK(__wasi_path_unlink_file(dir, "sld"), "path_unlink_file a symlink to a directory");
	wt_true(ftype(dir, 0, "d1") == __WASI_FILETYPE_DIRECTORY,
		"unlinking the link left the directory");
}

static void check_filestat(void)
{
	__wasi_filestat_t st, st2, lst;

	WT_OK(__wasi_path_filestat_get(dir, 0, "f", &st), "path_filestat_get f");
	wt_true(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 6,
		"f is a 6-byte regular file");
	WT_ERR(__wasi_path_filestat_get(dir, 0, "missing", &st2), "path_filestat_get missing",
	       __WASI_ERRNO_NOENT);
	WT_ERR(__wasi_path_filestat_get(dir, 0, "f/x", &st2), "path_filestat_get under a file",
	       __WASI_ERRNO_NOTDIR);
	WT_OK(__wasi_path_filestat_set_times(dir, 0, "f", 0, 1500000000500000000ull,
					      __WASI_FSTFLAGS_MTIM), "path_filestat_set_times MTIM");
	__wasi_path_filestat_get(dir, 0, "f", &st2);
	wt_true(st2.mtim == 1500000000500000000ull && st2.atim == st.atim,
		"mtim set, atim unchanged");
	WT_ERR(__wasi_path_filestat_set_times(dir, 0, "f", 0, 7,
					       __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
	       "path_filestat_set_times MTIM|MTIM_NOW", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_path_filestat_set_times(dir, 0, "f", 7, 0,
					       __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
	       "path_filestat_set_times ATIM|ATIM_NOW", __WASI_ERRNO_INVAL);
	__wasi_path_filestat_get(dir, 0, "f", &st2);
	wt_true(st2.mtim == 1500000000500000000ull, "the failed calls changed nothing");
	WT_ERR(__wasi_path_filestat_set_times(dir, 0, "missing", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
	       "path_filestat_set_times missing", __WASI_ERRNO_NOENT);

	/* on the symlink itself, and through it (wasi-testsuite symlink_filestat) */
	WT_OK(__wasi_path_filestat_get(dir, 0, "sl", &lst), "path_filestat_get the link sl");
	WT_OK(__wasi_path_filestat_set_times(dir, 0, "sl", 0, 1400000000000000000ull,
					      __WASI_FSTFLAGS_MTIM),
	      "path_filestat_set_times on the link without FOLLOW");
	__wasi_path_filestat_get(dir, 0, "sl", &lst);
	__wasi_path_filestat_get(dir, 0, "f", &st2);
	wt_true(lst.mtim == 1400000000000000000ull && st2.mtim == 1500000000500000000ull,
		"without FOLLOW the link's mtim changes, not the file's");
	WT_OK(__wasi_path_filestat_set_times(dir, FOLLOW, "sl", 0, 1300000000000000000ull,
					      __WASI_FSTFLAGS_MTIM),
	      "path_filestat_set_times through the link with FOLLOW");
	__wasi_path_filestat_get(dir, 0, "f", &st2);
	wt_true(st2.mtim == 1300000000000000000ull, "with FOLLOW the file's mtim changes");
}

static void check_link(void)
{
	__wasi_filestat_t a, b;
	__wasi_fd_t sub;

	WT_OK(__wasi_path_link(dir, 0, "f", dir, "hl"), "path_link hl -> f");
	__wasi_path_filestat_get(dir, 0, "f", &a);
	__wasi_path_filestat_get(dir, 0, "hl", &b);
	wt_true(a.ino == b.ino && a.dev == b.dev && a.nlink == 2 && b.nlink == 2,
		"hard link: same inode, nlink 2");
	WT_OK(wt_put_file(dir, "hl", "via hl"), "write through the hard link");
	wt_true(wt_content_is(dir, "f", "via hl"), "the other name sees the write");
	WT_OK(wt_open_dir(dir, "d1", &sub), "path_open d1");
	WT_OK(__wasi_path_link(dir, 0, "f", sub, "hl2"), "path_link into another directory fd");
	wt_true(wt_content_is(dir, "d1/hl2", "via hl"), "d1/hl2 is the same file");
	WT_OK(__wasi_path_unlink_file(sub, "hl2"), "path_unlink_file d1/hl2");
	__wasi_fd_close(sub);
	WT_ERR(__wasi_path_link(dir, 0, "f", dir, "hl"), "path_link to an existing name",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_link(dir, 0, "f", dir, "f"), "path_link onto itself",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_link(dir, 0, "f", dir, "d1"), "path_link onto a directory",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_link(dir, 0, "d1", dir, "dl"), "path_link of a directory",
	       __WASI_ERRNO_PERM, __WASI_ERRNO_ACCES);
	WT_ERR(__wasi_path_link(dir, 0, "f", dir, "hl3/"), "path_link new path with a trailing slash",
	       __WASI_ERRNO_NOENT);
	WT_ERR(__wasi_path_link(dir, 0, "missing", dir, "hl3"), "path_link of a missing file",
	       __WASI_ERRNO_NOENT);
	WT_OK(__wasi_path_link(dir, 0, "sl6", dir, "hl6"), "path_link of a dangling symlink");
	wt_true(ftype(dir, 0, "hl6") == __WASI_FILETYPE_SYMBOLIC_LINK,
		"the hard link to a symlink is a symlink");
	WT_ERR(__wasi_path_link(dir, 0, "f", dir, "sl6"), "path_link onto a dangling symlink",
	       __WASI_ERRNO_EXIST);
	WT_ERR(__wasi_path_link(dir, FOLLOW, "sl6", dir, "hl7"),
	       "path_link with SYMLINK_FOLLOW of a dangling symlink", __WASI_ERRNO_INVAL,
	       __WASI_ERRNO_NOENT);
	WT_OK(__wasi_path_unlink_file(dir, "hl"), "path_unlink_file hl");
	__wasi_path_filestat_get(dir, 0, "f", &a);
	wt_true(a.nlink == 1 && wt_content_is(dir, "f", "via hl"), "f remains, nlink 1");
	WT_ERR(__wasi_path_link(4242, 0, "f", dir, "x"), "path_link unused old fd",
	       __WASI_ERRNO_BADF);
	WT_ERR(__wasi_path_link(dir, 0, "f", 4242, "x"), "path_link unused new fd",
	       __WASI_ERRNO_BADF);
}

static void check_unlink_rmdir(void)
{
	__wasi_fd_t e;

	WT_ERR(__wasi_path_unlink_file(dir, "d1"), "path_unlink_file a directory",
	       __WASI_ERRNO_ISDIR);
	WT_ERR(__wasi_path_unlink_file(dir, "d1/"), "path_unlink_file a directory with a slash",
	       __WASI_ERRNO_ISDIR);
	WT_ERR(__wasi_path_unlink_file(dir, "f/"), "path_unlink_file a file with a slash",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_unlink_file(dir, "missing"), "path_unlink_file missing",
	       __WASI_ERRNO_NOENT);
	WT_ERR(__wasi_path_unlink_file(4242, "f"), "path_unlink_file unused fd", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_path_remove_directory(dir, "d1"), "path_remove_directory non-empty",
	       __WASI_ERRNO_NOTEMPTY);
	WT_ERR(__wasi_path_remove_directory(dir, "f"), "path_remove_directory a file",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_remove_directory(dir, "f/"), "path_remove_directory a file with a slash",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_remove_directory(dir, "missing"), "path_remove_directory missing",
	       __WASI_ERRNO_NOENT);
	WT_ERR(__wasi_path_remove_directory(dir, "sl"), "path_remove_directory a symlink",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_remove_directory(4242, "d1"), "path_remove_directory unused fd",
	       __WASI_ERRNO_BADF);
	__wasi_path_create_directory(dir, "e");
	WT_OK(wt_open_dir(dir, "e", &e), "path_open the empty dir e");
	wt_true(__wasi_path_remove_directory(e, ".") != 0, "path_remove_directory \".\" is refused");
	wt_true(ftype(dir, 0, "e") == __WASI_FILETYPE_DIRECTORY, "e is still there");
	__wasi_fd_close(e);
	int r = __wasi_path_remove_directory(dir, "e/");
	WT_ERR(r, "path_remove_directory with a trailing slash", 0, __WASI_ERRNO_ACCES,
	       __WASI_ERRNO_INVAL);
	if (r)
		__wasi_path_remove_directory(dir, "e");
	WT_OK(__wasi_path_remove_directory(dir, "d1/sub"), "path_remove_directory d1/sub");
	WT_OK(__wasi_path_remove_directory(dir, "d1"), "path_remove_directory d1 (empty now)");
	wt_true(!exists(dir, "d1"), "d1 is gone");
}

static void check_rename(void)
{
	__wasi_fd_t s, t;

	__wasi_path_create_directory(dir, "src");
	WT_OK(__wasi_path_rename(dir, "src", dir, "dst"), "path_rename a dir to a new name");
	wt_true(!exists(dir, "src") && ftype(dir, 0, "dst") == __WASI_FILETYPE_DIRECTORY,
		"src is gone, dst is a directory");
	__wasi_path_create_directory(dir, "src");
	WT_OK(__wasi_path_rename(dir, "src", dir, "dst"), "path_rename a dir onto an empty dir");
	wt_true(!exists(dir, "src"), "src is gone");
	__wasi_path_create_directory(dir, "src");
	wt_put_file(dir, "dst/file", "x");
	WT_ERR(__wasi_path_rename(dir, "src", dir, "dst"), "path_rename a dir onto a non-empty dir",
	       __WASI_ERRNO_NOTEMPTY);
	WT_ERR(__wasi_path_rename(dir, "src", dir, "dst/file"), "path_rename a dir onto a file",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_rename(dir, "dst", dir, "dst/inside"),
	       "path_rename a dir into itself", __WASI_ERRNO_INVAL);
	WT_OK(__wasi_path_rename(dir, "src/", dir, "tgt"), "path_rename source with a slash");
	WT_OK(__wasi_path_rename(dir, "tgt", dir, "src/"), "path_rename target with a slash");
	WT_OK(__wasi_path_rename(dir, "src", dir, "src"), "path_rename onto itself");
	wt_true(ftype(dir, 0, "src") == __WASI_FILETYPE_DIRECTORY, "still there after that");

	wt_put_file(dir, "a", "AAA");
	wt_put_file(dir, "b", "BBB");
	WT_OK(__wasi_path_rename(dir, "a", dir, "b"), "path_rename a file onto a file");
	wt_true(!exists(dir, "a") && wt_content_is(dir, "b", "AAA"), "b has a's content, a is gone");
	WT_ERR(__wasi_path_rename(dir, "b", dir, "src"), "path_rename a file onto a directory",
	       __WASI_ERRNO_ISDIR);
	WT_ERR(__wasi_path_rename(dir, "b/", dir, "c"), "path_rename a file with a slash",
	       __WASI_ERRNO_NOTDIR);
	WT_ERR(__wasi_path_rename(dir, "missing", dir, "c"), "path_rename missing",
	       __WASI_ERRNO_NOENT);
	WT_OK(wt_open_dir(dir, "src", &s), "path_open src");
	WT_OK(wt_open_dir(dir, "dst", &t), "path_open dst");
	WT_OK(__wasi_path_rename(dir, "b", s, "moved"), "path_rename into another directory fd");
	WT_OK(__wasi_path_rename(s, "moved", t, "moved2"), "path_rename between two directory fds");
	wt_true(wt_content_is(dir, "dst/moved2", "AAA") && !exists(dir, "b"),
		"the file moved with its content");
	WT_OK(__wasi_path_rename(dir, "sl", t, "sl"), "path_rename a symlink");
	wt_true(ftype(t, 0, "sl") == __WASI_FILETYPE_SYMBOLIC_LINK,
		"the renamed symlink is still a symlink");
	WT_ERR(__wasi_path_rename(4242, "x", dir, "y"), "path_rename unused fd", __WASI_ERRNO_BADF);
	__wasi_path_unlink_file(t, "sl");
	__wasi_path_unlink_file(t, "moved2");
	__wasi_path_unlink_file(t, "file");
	__wasi_fd_close(s);
	__wasi_fd_close(t);
	WT_OK(__wasi_path_remove_directory(dir, "src"), "path_remove_directory src");
	WT_OK(__wasi_path_remove_directory(dir, "dst"), "path_remove_directory dst");
}

int main(void)
{
	if (wt_start("wasi_path.tmp", &root, &dir))
		return 1;
	check_create_directory();
	check_open();
	check_symlinks();
	check_filestat();
	check_link();
	check_unlink_rmdir();
	check_rename();

	const char *made[] = { "f", "sl6", "hl6", "loop", "la", "lb", "c0", "c1", "c2", "c3",
			       "c4", "c5", "c6", "c7" };
	for (unsigned i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		WT_OK(__wasi_path_unlink_file(dir, made[i]), made[i]);
	__wasi_fd_close(dir);
	WT_OK(__wasi_path_remove_directory(root, "wasi_path.tmp"),
	      "the scratch directory is empty at the end");
	return wt_done();
}
