/*
 * adv_rights.c — adversarial: forged file descriptors (huge, "negative"
 * as u32, closed, renumbered away) given to every fd-taking function of
 * wasi_snapshot_preview1 (each must say EBADF), fd-table exhaustion, and
 * rights dropped with fd_fdstat_set_rights then used anyway (each use must
 * fail with ENOTCAPABLE; for fd_read/fd_write the WASI testsuite also
 * accepts EBADF), including rights that a directory passes on to the fds
 * opened from it.  The process must keep running.
 *
 * Run with a writable copy of tests/wasi/data preopened as "/".  One line
 * per check, then "N ok".
 */
#include "wt.h"

#define NOTCAP __WASI_ERRNO_NOTCAPABLE
#define BADF __WASI_ERRNO_BADF
#define ALL_FILE_RIGHTS (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | \
	__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | \
	__WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | \
	__WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET | \
	__WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | \
	__WASI_RIGHTS_POLL_FD_READWRITE)

static __wasi_fd_t root, dir;

/* Every fd-taking function with `fd`; FAIL lines for those not saying
 * EBADF, one ok line if all did. */
static void all_badf(uint32_t fd, const char *label)
{
	static uint8_t buf[256];
	__wasi_iovec_t iov = { buf, 16 };
	__wasi_ciovec_t ciov = { buf, 16 };
	__wasi_size_t n;
	__wasi_filesize_t off;
	__wasi_fdstat_t fst;
	__wasi_filestat_t st;
	__wasi_prestat_t ps;
	__wasi_fd_t nfd;
	__wasi_roflags_t ro;
	__wasi_subscription_t sub;
	__wasi_event_t ev;
	struct { const char *name; int e; } r[] = {
		{ "fd_advise", __wasi_fd_advise(fd, 0, 1, 0) },
		{ "fd_allocate", __wasi_fd_allocate(fd, 0, 1) },
		{ "fd_datasync", __wasi_fd_datasync(fd) },
		{ "fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fst) },
		{ "fd_fdstat_set_flags", __wasi_fd_fdstat_set_flags(fd, 0) },
		{ "fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(fd, 0, 0) },
		{ "fd_filestat_get", __wasi_fd_filestat_get(fd, &st) },
		{ "fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 0) },
		{ "fd_filestat_set_times", __wasi_fd_filestat_set_times(fd, 0, 0, 0) },
		{ "fd_pread", __wasi_fd_pread(fd, &iov, 1, 0, &n) },
		{ "fd_prestat_get", __wasi_fd_prestat_get(fd, &ps) },
		{ "fd_prestat_dir_name", wt_fd_prestat_dir_name(fd, WT_PTR(buf), 16) },
		{ "fd_pwrite", __wasi_fd_pwrite(fd, &ciov, 1, 0, &n) },
		{ "fd_read", __wasi_fd_read(fd, &iov, 1, &n) },
		{ "fd_readdir", __wasi_fd_readdir(fd, buf, sizeof(buf), 0, &n) },
		{ "fd_renumber from", __wasi_fd_renumber(fd, dir) },
		{ "fd_renumber to", __wasi_fd_renumber(dir, fd) },
		{ "fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &off) },
		{ "fd_sync", __wasi_fd_sync(fd) },
		{ "fd_tell", __wasi_fd_tell(fd, &off) },
		{ "fd_write", __wasi_fd_write(fd, &ciov, 1, &n) },
		{ "path_create_directory", __wasi_path_create_directory(fd, "x") },
		{ "path_filestat_get", __wasi_path_filestat_get(fd, 0, "x", &st) },
		{ "path_filestat_set_times", __wasi_path_filestat_set_times(fd, 0, "x", 0, 0, 0) },
		{ "path_link old", __wasi_path_link(fd, 0, "x", dir, "y") },
		{ "path_link new", __wasi_path_link(dir, 0, "keep", fd, "y") },
		{ "path_open", __wasi_path_open(fd, 0, "x", __WASI_OFLAGS_CREAT, 0, 0, 0, &nfd) },
		{ "path_readlink", __wasi_path_readlink(fd, "x", buf, 16, &n) },
		{ "path_remove_directory", __wasi_path_remove_directory(fd, "x") },
		{ "path_rename old", __wasi_path_rename(fd, "x", dir, "y") },
		{ "path_rename new", __wasi_path_rename(dir, "keep", fd, "y") },
		{ "path_symlink", __wasi_path_symlink("x", fd, "y") },
		{ "path_unlink_file", __wasi_path_unlink_file(fd, "x") },
		{ "sock_accept", __wasi_sock_accept(fd, 0, &nfd) },
		{ "sock_recv", __wasi_sock_recv(fd, &iov, 1, 0, &n, &ro) },
		{ "sock_send", __wasi_sock_send(fd, &ciov, 1, 0, &n) },
		{ "sock_shutdown", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR) },
		{ "fd_close", __wasi_fd_close(fd) },
	};
	int bad = 0, e;

	for (unsigned i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i].e != BADF) {
			printf("FAIL %s with %s: got errno %d, want 8\n", r[i].name, label, r[i].e);
			bad++;
		}
	memset(&sub, 0, sizeof(sub));
	sub.u.tag = __WASI_EVENTTYPE_FD_READ;
	sub.u.u.fd_read.file_descriptor = fd;
	e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
	if (!(e == BADF || (e == 0 && n == 1 && ev.error == BADF))) {
		printf("FAIL poll_oneoff with %s: got errno %d (event error %d), want 8\n",
		       label, e, e ? 0 : ev.error);
		bad++;
	}
	wt_nfail += bad;
	if (!bad) {
		printf("ok %s: EBADF from all %d fd-taking functions\n", label,
		       (int)(sizeof(r) / sizeof(r[0])) + 1);
		wt_nok++;
	}
}

static void check_forged(void)
{
	__wasi_fd_t f, g;
	__wasi_fdstat_t st;

	wt_put_file(dir, "keep", "keep");
	all_badf(64, "fd 64 (never opened)");
	all_badf(1000000, "fd 1000000");
	all_badf(0x7fffffffu, "fd 0x7fffffff");
	all_badf(0x80000000u, "fd 0x80000000");
	all_badf(0xfffffffeu, "fd 0xfffffffe");
	all_badf(0xffffffffu, "fd 0xffffffff (-1)");
	WT_OK(wt_open(dir, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &f), "open a file");
	WT_OK(__wasi_fd_close(f), "close it");
	all_badf(f, "a closed fd");
	WT_OK(wt_open(dir, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &f), "open a file (f)");
	WT_OK(wt_open(dir, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &g), "open it again (g)");
	WT_OK(__wasi_fd_renumber(f, g), "fd_renumber f -> g");
	all_badf(f, "an fd renumbered away");
	WT_OK(__wasi_fd_fdstat_get(g, &st), "g is still open");
	WT_OK(__wasi_fd_close(g), "close g");
	WT_OK(__wasi_fd_fdstat_get(dir, &st), "the scratch dir fd survived all that");
	wt_true(__wasi_path_filestat_get(dir, 0, "keep", &(__wasi_filestat_t){ 0 }) == 0 &&
		__wasi_path_filestat_get(dir, 0, "y", &(__wasi_filestat_t){ 0 }) ==
		__WASI_ERRNO_NOENT, "no forged-fd call changed the directory");
}

static void check_exhaustion(void)
{
	static __wasi_fd_t fds[5000];
	int i, n = 0, e = 0, bad = 0;
	__wasi_fd_t f;

	for (i = 0; i < 5000; i++) {
		e = wt_open(dir, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &fds[i]);
		if (e)
			break;
		n++;
	}
	wt_true(e == 0 || e == __WASI_ERRNO_MFILE || e == __WASI_ERRNO_NFILE ||
		e == __WASI_ERRNO_NOMEM, "opening 5000 fds: all open or EMFILE/ENFILE/ENOMEM");
	wt_true(n >= 100, "at least 100 fds can be open at once");
	for (i = 0; i < n; i++)
		bad += __wasi_fd_close(fds[i]) != 0;
	wt_true(!bad, "all of them close");
	WT_OK(wt_open(dir, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &f), "an fd can be opened afterwards");
	wt_true(f < 100, "fd numbers are reused after closing (got a small one)");
	__wasi_fd_close(f);
}

/* Drop `right` from a fresh fd on file "r", then `use` it. */
static __wasi_fd_t fresh_without(__wasi_rights_t right)
{
	__wasi_fd_t f = 0;
	__wasi_fdstat_t st;

	if (wt_open(dir, "r", __WASI_OFLAGS_CREAT, ALL_FILE_RIGHTS, 0, &f))
		return (__wasi_fd_t)-1;
	__wasi_fd_fdstat_get(f, &st);
	if (__wasi_fd_fdstat_set_rights(f, st.fs_rights_base & ~right, st.fs_rights_inheriting)) {
		__wasi_fd_close(f);
		return (__wasi_fd_t)-1;
	}
	return f;
}

static void check_file_rights(void)
{
	uint8_t buf[8];
	__wasi_iovec_t iov = { buf, 4 };
	__wasi_ciovec_t ciov = { buf, 4 };
	__wasi_size_t n;
	__wasi_filesize_t off;
	__wasi_fdstat_t st;
	__wasi_fd_t f;
	int e;

	wt_put_file(dir, "r", "0123456789");
	f = fresh_without(__WASI_RIGHTS_FD_READ);
	WT_ERR(__wasi_fd_read(f, &iov, 1, &n), "fd_read without FD_READ", NOTCAP, BADF);
	WT_ERR(__wasi_fd_pread(f, &iov, 1, 0, &n), "fd_pread without FD_READ", NOTCAP, BADF);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_WRITE);
	WT_ERR(__wasi_fd_write(f, &ciov, 1, &n), "fd_write without FD_WRITE", NOTCAP, BADF);
	WT_ERR(__wasi_fd_pwrite(f, &ciov, 1, 0, &n), "fd_pwrite without FD_WRITE", NOTCAP, BADF);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_SEEK);
	WT_ERR(__wasi_fd_seek(f, 5, __WASI_WHENCE_SET, &off), "fd_seek without FD_SEEK", NOTCAP);
	WT_ERR(__wasi_fd_pread(f, &iov, 1, 0, &n), "fd_pread without FD_SEEK", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_TELL);
	WT_ERR(__wasi_fd_tell(f, &off), "fd_tell without FD_TELL", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_FILESTAT_GET);
	WT_ERR(__wasi_fd_filestat_get(f, &(__wasi_filestat_t){ 0 }),
	       "fd_filestat_get without FD_FILESTAT_GET", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
	WT_ERR(__wasi_fd_filestat_set_size(f, 0), "fd_filestat_set_size without its right", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_FILESTAT_SET_TIMES);
	WT_ERR(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
	       "fd_filestat_set_times without its right", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_FDSTAT_SET_FLAGS);
	WT_ERR(__wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_APPEND),
	       "fd_fdstat_set_flags without its right", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_ADVISE);
	WT_ERR(__wasi_fd_advise(f, 0, 1, 0), "fd_advise without FD_ADVISE", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_ALLOCATE);
	WT_ERR(__wasi_fd_allocate(f, 0, 100), "fd_allocate without FD_ALLOCATE", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_SYNC);
	WT_ERR(__wasi_fd_sync(f), "fd_sync without FD_SYNC", NOTCAP);
	__wasi_fd_close(f);
	f = fresh_without(__WASI_RIGHTS_FD_DATASYNC);
	WT_ERR(__wasi_fd_datasync(f), "fd_datasync without FD_DATASYNC", NOTCAP);
	__wasi_fd_close(f);

	/* rights cannot come back, not even through renumber or a new open */
	f = fresh_without(__WASI_RIGHTS_FD_WRITE);
	WT_ERR(__wasi_fd_fdstat_set_rights(f, ALL_FILE_RIGHTS, 0),
	       "fd_fdstat_set_rights adding FD_WRITE back", NOTCAP);
	WT_ERR(__wasi_fd_fdstat_set_rights(f, ALL_FILE_RIGHTS & ~__WASI_RIGHTS_FD_WRITE, ~0ull),
	       "fd_fdstat_set_rights adding inheriting rights", NOTCAP);
	WT_OK(__wasi_fd_fdstat_set_rights(f, 0, 0), "fd_fdstat_set_rights dropping everything");
	WT_OK(__wasi_fd_fdstat_get(f, &st), "fd_fdstat_get needs no right");
	wt_true(st.fs_rights_base == 0 && st.fs_rights_inheriting == 0, "fdstat shows no rights");
	e = __wasi_fd_read(f, &iov, 1, &n);
	WT_ERR(e, "fd_read with no rights at all", NOTCAP, BADF);
	WT_OK(__wasi_fd_close(f), "fd_close needs no right");
	f = fresh_without(0);
	__wasi_fd_t g = fresh_without(__WASI_RIGHTS_FD_READ);
	WT_OK(__wasi_fd_renumber(g, f), "fd_renumber a restricted fd over a full one");
	WT_ERR(__wasi_fd_read(f, &iov, 1, &n), "the renumbered fd keeps the restriction",
	       NOTCAP, BADF);
	__wasi_fd_close(f);
}

/* fd has neither `base` in its base rights nor `inheriting` in its
 * inheriting rights, and (for FD_WRITE) writing to it fails. */
static int no_right(__wasi_fd_t fd, __wasi_rights_t base, __wasi_rights_t inheriting)
{
	__wasi_fdstat_t st;
	__wasi_size_t n;

	if (__wasi_fd_fdstat_get(fd, &st))
		return 0;
	if ((st.fs_rights_base & base) || (st.fs_rights_inheriting & inheriting))
		return 0;
	if (base & __WASI_RIGHTS_FD_WRITE) {
		int e = wt_write(fd, "w", 1, &n);

		return e == NOTCAP || e == BADF;
	}
	return 1;
}

/* A duplicate of the scratch dir without `right`. */
static __wasi_fd_t dir_without(__wasi_rights_t base, __wasi_rights_t inheriting)
{
	__wasi_fd_t d;
	__wasi_fdstat_t st;

	if (wt_open_dir(root, "adv_rights.tmp", &d))
		return (__wasi_fd_t)-1;
	__wasi_fd_fdstat_get(d, &st);
	if (__wasi_fd_fdstat_set_rights(d, st.fs_rights_base & ~base,
					st.fs_rights_inheriting & ~inheriting)) {
		__wasi_fd_close(d);
		return (__wasi_fd_t)-1;
	}
	return d;
}

static void check_dir_rights(void)
{
	__wasi_fd_t d, f, sub;
	uint8_t buf[256];
	__wasi_size_t n;
	__wasi_filestat_t st;
	int e;

	__wasi_path_create_directory(dir, "subdir");
	d = dir_without(__WASI_RIGHTS_PATH_OPEN, 0);
	WT_ERR(wt_open(d, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &f), "path_open without PATH_OPEN",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_CREATE_FILE, 0);
	WT_ERR(wt_open(d, "newfile", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, &f),
	       "path_open CREAT without PATH_CREATE_FILE", NOTCAP);
	WT_OK(wt_open(d, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &f),
	      "path_open of an existing file still works");
	__wasi_fd_close(f);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE, 0);
	WT_ERR(wt_open(d, "keep", __WASI_OFLAGS_TRUNC, 0, 0, &f),
	       "path_open TRUNC without PATH_FILESTAT_SET_SIZE", NOTCAP, __WASI_ERRNO_PERM);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_CREATE_DIRECTORY, 0);
	WT_ERR(__wasi_path_create_directory(d, "nd"), "path_create_directory without its right",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_UNLINK_FILE, 0);
	WT_ERR(__wasi_path_unlink_file(d, "keep"), "path_unlink_file without its right", NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_REMOVE_DIRECTORY, 0);
	WT_ERR(__wasi_path_remove_directory(d, "subdir"), "path_remove_directory without its right",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_FD_READDIR, 0);
	WT_ERR(__wasi_fd_readdir(d, buf, sizeof(buf), 0, &n), "fd_readdir without FD_READDIR",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_FILESTAT_GET, 0);
	WT_ERR(__wasi_path_filestat_get(d, 0, "keep", &st), "path_filestat_get without its right",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_FILESTAT_SET_TIMES, 0);
	WT_ERR(__wasi_path_filestat_set_times(d, 0, "keep", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
	       "path_filestat_set_times without its right", NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_SYMLINK, 0);
	WT_ERR(__wasi_path_symlink("keep", d, "sl"), "path_symlink without PATH_SYMLINK", NOTCAP);
	__wasi_fd_close(d);
	__wasi_path_symlink("keep", dir, "sl");
	d = dir_without(__WASI_RIGHTS_PATH_READLINK, 0);
	WT_ERR(__wasi_path_readlink(d, "sl", buf, sizeof(buf), &n),
	       "path_readlink without PATH_READLINK", NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_RENAME_SOURCE, 0);
	WT_ERR(__wasi_path_rename(d, "keep", dir, "kept"), "path_rename without RENAME_SOURCE",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_RENAME_TARGET, 0);
	WT_ERR(__wasi_path_rename(dir, "keep", d, "kept"), "path_rename without RENAME_TARGET",
	       NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_LINK_SOURCE, 0);
	WT_ERR(__wasi_path_link(d, 0, "keep", dir, "hl"), "path_link without LINK_SOURCE", NOTCAP);
	__wasi_fd_close(d);
	d = dir_without(__WASI_RIGHTS_PATH_LINK_TARGET, 0);
	WT_ERR(__wasi_path_link(dir, 0, "keep", d, "hl"), "path_link without LINK_TARGET", NOTCAP);
	__wasi_fd_close(d);
	wt_true(__wasi_path_filestat_get(dir, 0, "keep", &st) == 0 &&
		__wasi_path_filestat_get(dir, 0, "kept", &st) == __WASI_ERRNO_NOENT &&
		__wasi_path_filestat_get(dir, 0, "hl", &st) == __WASI_ERRNO_NOENT,
		"none of the refused calls changed anything");

	/* inheriting rights limit what fds opened from the dir can get: asking
	 * for more gives ENOTCAPABLE (old Wasmtime) or an fd without the extra
	 * rights (Wasmtime's cap-std wasi-common); never the right itself */
	d = dir_without(0, __WASI_RIGHTS_FD_WRITE);
	e = wt_open(d, "keep", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, &f);
	wt_true(e == NOTCAP || (e == 0 && no_right(f, __WASI_RIGHTS_FD_WRITE, 0)),
		"path_open asking for FD_WRITE the dir may not pass on: refused or not granted");
	if (!e)
		__wasi_fd_close(f);
	WT_OK(wt_open(d, "keep", 0, __WASI_RIGHTS_FD_READ, 0, &f),
	      "path_open asking only for what it may pass on");
	__wasi_fd_close(f);
	e = __wasi_path_open(d, 0, "subdir", __WASI_OFLAGS_DIRECTORY, 0, ALL_FILE_RIGHTS, 0, &sub);
	wt_true(e == NOTCAP || (e == 0 && no_right(sub, 0, __WASI_RIGHTS_FD_WRITE)),
		"a subdir opened from it does not get FD_WRITE to pass on");
	/* (when the subdir was refused, there is no file to open from it:
	 * the check above covers that case) */
	if (!e) {
		e = wt_open(sub, "f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, &f);
		wt_true(e == NOTCAP || (e == 0 && no_right(f, __WASI_RIGHTS_FD_WRITE, 0)),
			"so a file opened from the subdir cannot be written either");
		__wasi_fd_close(sub);
	}
	e = __wasi_path_open(d, 0, ".", __WASI_OFLAGS_DIRECTORY, 0, ALL_FILE_RIGHTS, 0, &sub);
	wt_true(e == NOTCAP || (e == 0 && no_right(sub, 0, __WASI_RIGHTS_FD_WRITE)),
		"reopening \".\" cannot regain the inheriting right");
	if (!e)
		__wasi_fd_close(sub);
	__wasi_fd_close(d);
	__wasi_path_unlink_file(dir, "sl");
	__wasi_path_remove_directory(dir, "subdir");
}

int main(void)
{
	if (wt_start("adv_rights.tmp", &root, &dir))
		return 1;
	check_forged();
	check_exhaustion();
	check_file_rights();
	check_dir_rights();
	__wasi_path_unlink_file(dir, "keep");
	__wasi_path_unlink_file(dir, "r");
	__wasi_fd_close(dir);
	WT_OK(__wasi_path_remove_directory(root, "adv_rights.tmp"), "still running, cleaned up");
	return wt_done();
}
