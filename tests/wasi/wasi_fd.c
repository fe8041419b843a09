/*
 * wasi_fd.c — self-checking test of the fd_* functions of
 * wasi_snapshot_preview1 on files and directories: fd_advise,
 * fd_allocate, fd_close, fd_datasync, fd_fdstat_get, fd_fdstat_set_flags,
 * fd_fdstat_set_rights, fd_filestat_get, fd_filestat_set_size,
 * fd_filestat_set_times, fd_pread, fd_prestat_get, fd_prestat_dir_name,
 * fd_pwrite, fd_read, fd_readdir, fd_renumber, fd_seek, fd_sync, fd_tell,
 * fd_write, with their error paths.
 *
 * Run with a writable copy of tests/wasi/data preopened as "/" (as the
 * WASI testsuite does: --dir DIR::/).  Works in the scratch directory
 * wasi_fd.tmp and removes what it made.  One line per check, then "N ok";
 * exit status 0 when every check passed (see wt.h).
 */
#include <stdlib.h>
#include "wt.h"

_Static_assert(sizeof(__wasi_dirent_t) == 24, "dirent");
_Static_assert(sizeof(__wasi_filestat_t) == 64, "filestat");
_Static_assert(sizeof(__wasi_fdstat_t) == 24, "fdstat");
_Static_assert(sizeof(__wasi_prestat_t) == 8, "prestat");

#define RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)
#define FILE_RIGHTS (RW | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
	__WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | \
	__WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_ADVISE | \
	__WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC | \
	__WASI_RIGHTS_FD_FDSTAT_SET_FLAGS)

/* The rights wasi-testsuite's path_open_preopen wants on a preopened dir. */
#define DIR_BASE (__WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE | \
	__WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET | \
	__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_READLINK | \
	__WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET | \
	__WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY | \
	__WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET | \
	__WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_FILESTAT_GET | \
	__WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
#define DIR_INHERITING (DIR_BASE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | \
	__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | \
	__WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | \
	__WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET | \
	__WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | \
	__WASI_RIGHTS_POLL_FD_READWRITE)

static __wasi_fd_t root, dir;

static uint64_t file_size(__wasi_fd_t fd)
{
	__wasi_filestat_t st;

	if (__wasi_fd_filestat_get(fd, &st))
		return ~0ull;
	return st.size;
}

static int pread_is(__wasi_fd_t fd, uint64_t off, const char *want, size_t len)
{
	char buf[64];
	__wasi_iovec_t iov = { (uint8_t *)buf, len };
	__wasi_size_t n = 0;

	if (len > sizeof(buf) || __wasi_fd_pread(fd, &iov, 1, off, &n))
		return 0;
	return n == len && !memcmp(buf, want, len);
}

static void check_prestat(void)
{
	__wasi_prestat_t ps;
	char name[8] = "xxxxxxx";

	WT_OK(__wasi_fd_prestat_get(root, &ps), "fd_prestat_get on the preopen");
	wt_true(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 1,
		"prestat: a directory whose name is 1 byte long");
	WT_OK(wt_fd_prestat_dir_name(root, WT_PTR(name), 1), "fd_prestat_dir_name");
	wt_true(name[0] == '/' && name[1] == 'x', "prestat name is \"/\", nothing written after it");
	WT_ERR(wt_fd_prestat_dir_name(root, WT_PTR(name), 0),
	       "fd_prestat_dir_name with a 0-byte buffer", __WASI_ERRNO_INVAL,
	       __WASI_ERRNO_NAMETOOLONG);
	WT_OK(wt_fd_prestat_dir_name(root, WT_PTR(name), 4), "fd_prestat_dir_name larger buffer");
	WT_ERR(__wasi_fd_prestat_get(dir, &ps), "fd_prestat_get on a non-preopened dir",
	       __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_prestat_get(1, &ps), "fd_prestat_get on stdout", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_prestat_get(9999, &ps), "fd_prestat_get on an unused fd",
	       __WASI_ERRNO_BADF);
	WT_ERR(wt_fd_prestat_dir_name(9999, WT_PTR(name), 8),
	       "fd_prestat_dir_name on an unused fd", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_prestat_get(root, (__wasi_prestat_t *)(uintptr_t)(wt_mem_end() - 4)),
	       "fd_prestat_get result beyond memory", __WASI_ERRNO_FAULT);
	WT_ERR(wt_fd_prestat_dir_name(root, (int32_t)wt_mem_end(), 1),
	       "fd_prestat_dir_name buffer beyond memory", __WASI_ERRNO_FAULT);
}

static void check_fdstat(void)
{
	__wasi_fdstat_t st;
	__wasi_fd_t fd;

	WT_OK(__wasi_fd_fdstat_get(root, &st), "fd_fdstat_get on the preopen");
	wt_true(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "the preopen is a directory");
	wt_true(st.fs_flags == 0, "the preopen has no fdflags");
	wt_true((st.fs_rights_base & DIR_BASE) == DIR_BASE,
		"the preopen has the directory base rights (missing 0x%llx)",
		(unsigned long long)(DIR_BASE & ~st.fs_rights_base));
	wt_true((st.fs_rights_inheriting & DIR_INHERITING) == DIR_INHERITING,
		"the preopen has the inheriting rights (missing 0x%llx)",
		(unsigned long long)(DIR_INHERITING & ~st.fs_rights_inheriting));
	wt_true((st.fs_rights_base & __WASI_RIGHTS_FD_FILESTAT_SET_SIZE) == 0,
		"a directory has no fd_filestat_set_size right");
	WT_OK(wt_open(dir, "stat", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ |
		      __WASI_RIGHTS_FD_SEEK, 0, &fd), "path_open a new file for fdstat");
	WT_OK(__wasi_fd_fdstat_get(fd, &st), "fd_fdstat_get on a file");
	wt_true(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE, "the file is a regular file");
	wt_true((st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK)) ==
		(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK), "the file has the rights asked for");
	wt_true((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0,
		"the file has no write right (not asked for)");
	WT_ERR(__wasi_fd_fdstat_get(fd, (__wasi_fdstat_t *)(uintptr_t)(wt_mem_end() - 23)),
	       "fd_fdstat_get result crossing the end of memory", __WASI_ERRNO_FAULT);
	WT_OK(__wasi_fd_close(fd), "fd_close the file");
	WT_ERR(__wasi_fd_fdstat_get(fd, &st), "fd_fdstat_get on a closed fd", __WASI_ERRNO_BADF);
}

static void check_read_write_seek(void)
{
	__wasi_fd_t fd;
	__wasi_size_t n = 0;
	__wasi_filesize_t pos = 99;
	__wasi_ciovec_t out[2] = { { (const uint8_t *)"01234", 5 }, { (const uint8_t *)"56789", 5 } };
	char a[3], b[4];
	__wasi_iovec_t in[2] = { { (uint8_t *)a, 3 }, { (uint8_t *)b, 4 } };

	WT_OK(wt_open(dir, "rw", __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, &fd), "path_open rw");
	WT_OK(__wasi_fd_tell(fd, &pos), "fd_tell on a new file");
	wt_true(pos == 0, "a new file's offset is 0");
	WT_OK(__wasi_fd_write(fd, out, 2, &n), "fd_write two iovecs");
	wt_true(n == 10, "fd_write wrote 10 bytes");
	WT_OK(__wasi_fd_tell(fd, &pos), "fd_tell after fd_write");
	wt_true(pos == 10, "offset 10 after writing 10 bytes");
	WT_OK(__wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos), "fd_seek SET 2");
	wt_true(pos == 2, "fd_seek SET returns the new offset");
	WT_OK(__wasi_fd_read(fd, in, 2, &n), "fd_read into two iovecs");
	wt_true(n == 7 && !memcmp(a, "234", 3) && !memcmp(b, "5678", 4),
		"fd_read scattered \"234\" + \"5678\"");
	WT_OK(__wasi_fd_seek(fd, -1, __WASI_WHENCE_CUR, &pos), "fd_seek CUR -1");
	wt_true(pos == 8, "fd_seek CUR -1 from 9 gives 8");
	WT_OK(__wasi_fd_seek(fd, -3, __WASI_WHENCE_END, &pos), "fd_seek END -3");
	wt_true(pos == 7, "fd_seek END -3 of a 10-byte file gives 7");
	WT_OK(__wasi_fd_seek(fd, 5, __WASI_WHENCE_END, &pos), "fd_seek END +5 (past eof)");
	wt_true(pos == 15, "fd_seek past the end gives 15");
	WT_OK(wt_read(fd, a, 3, &n), "fd_read past the end");
	wt_true(n == 0, "fd_read past the end reads 0 bytes");
	WT_OK(wt_write(fd, "X", 1, &n), "fd_write past the end");
	wt_true(file_size(fd) == 16, "writing past the end extends the file to 16");
	wt_true(pread_is(fd, 9, "9\0\0\0\0\0X", 7), "the gap reads as zeros");
	WT_ERR(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos), "fd_seek before byte 0",
	       __WASI_ERRNO_INVAL);
	WT_OK(__wasi_fd_tell(fd, &pos), "fd_tell after a failed seek");
	wt_true(pos == 16, "a failed seek leaves the offset alone");
	WT_ERR(__wasi_fd_seek(fd, 0, 3, &pos), "fd_seek with whence 3", __WASI_ERRNO_INVAL);
	WT_OK(__wasi_fd_read(fd, in, 0, &n), "fd_read with no iovecs");
	wt_true(n == 0, "fd_read with no iovecs reads 0");
	WT_ERR(__wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &pos), "fd_seek on stdout",
	       __WASI_ERRNO_SPIPE, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(__wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &pos), "fd_seek on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(__wasi_fd_tell(dir, &pos), "fd_tell on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(wt_read(dir, a, 3, &n), "fd_read on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(wt_write(dir, "a", 1, &n), "fd_write on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_OK(__wasi_fd_close(fd), "fd_close rw");
}

static void check_pread_pwrite(void)
{
	__wasi_fd_t fd;
	__wasi_size_t n = 0;
	__wasi_filesize_t pos;
	__wasi_ciovec_t out = { (const uint8_t *)"ab", 2 };
	char buf[8];
	__wasi_iovec_t in = { (uint8_t *)buf, sizeof(buf) };

	WT_OK(wt_open(dir, "rw", 0, FILE_RIGHTS, 0, &fd), "path_open rw again");
	WT_OK(__wasi_fd_seek(fd, 5, __WASI_WHENCE_SET, &pos), "fd_seek to 5");
	WT_OK(__wasi_fd_pwrite(fd, &out, 1, 1, &n), "fd_pwrite \"ab\" at 1");
	wt_true(n == 2, "fd_pwrite wrote 2 bytes");
	WT_OK(__wasi_fd_tell(fd, &pos), "fd_tell after fd_pwrite");
	wt_true(pos == 5, "fd_pwrite does not move the offset");
	wt_true(pread_is(fd, 0, "0ab34567", 8), "fd_pread shows the pwrite (8 of 16 bytes)");
	WT_OK(__wasi_fd_pread(fd, &in, 1, 100, &n), "fd_pread past the end");
	wt_true(n == 0, "fd_pread past the end reads 0 bytes");
	WT_OK(__wasi_fd_tell(fd, &pos), "fd_tell after fd_pread");
	wt_true(pos == 5, "fd_pread does not move the offset");
	WT_OK(__wasi_fd_pwrite(fd, &out, 1, 20, &n), "fd_pwrite past the end");
	wt_true(file_size(fd) == 22, "fd_pwrite past the end extends the file to 22");
	WT_ERR(__wasi_fd_pread(dir, &in, 1, 0, &n), "fd_pread on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(__wasi_fd_pwrite(dir, &out, 1, 0, &n), "fd_pwrite on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(__wasi_fd_pread(4242, &in, 1, 0, &n), "fd_pread on an unused fd", __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_close(fd), "fd_close rw");
}

static void check_flags(void)
{
	__wasi_fd_t fd;
	__wasi_size_t n;
	__wasi_filesize_t pos;
	__wasi_fdstat_t st;

	WT_OK(wt_open(dir, "append", __WASI_OFLAGS_CREAT, FILE_RIGHTS, __WASI_FDFLAGS_APPEND, &fd),
	      "path_open with fdflags APPEND");
	WT_OK(__wasi_fd_fdstat_get(fd, &st), "fd_fdstat_get of the append file");
	wt_true(st.fs_flags & __WASI_FDFLAGS_APPEND, "fdstat shows APPEND");
	WT_OK(wt_write(fd, "aaaa", 4, &n), "fd_write aaaa");
	WT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), "fd_seek 0 in append mode");
	WT_OK(wt_write(fd, "bb", 2, &n), "fd_write bb in append mode");
	wt_true(pread_is(fd, 0, "aaaabb", 6), "APPEND writes at the end (aaaabb)");
	WT_OK(__wasi_fd_fdstat_set_flags(fd, 0), "fd_fdstat_set_flags 0");
	WT_OK(__wasi_fd_fdstat_get(fd, &st), "fd_fdstat_get after set_flags");
	wt_true(!(st.fs_flags & __WASI_FDFLAGS_APPEND), "APPEND is cleared");
	WT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), "fd_seek 0");
	WT_OK(wt_write(fd, "cc", 2, &n), "fd_write cc without APPEND");
	wt_true(pread_is(fd, 0, "ccaabb", 6), "without APPEND fd_write writes at the offset");
	WT_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND), "fd_fdstat_set_flags APPEND");
	WT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), "fd_seek 0 again");
	WT_OK(wt_write(fd, "d", 1, &n), "fd_write d with APPEND set again");
	wt_true(pread_is(fd, 0, "ccaabbd", 7), "APPEND set by fd_fdstat_set_flags works");
	WT_ERR(__wasi_fd_fdstat_set_flags(fd, 0x8000), "fd_fdstat_set_flags unknown bit",
	       __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_fd_fdstat_set_flags(4242, 0), "fd_fdstat_set_flags unused fd",
	       __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_close(fd), "fd_close append");
}

static void check_filestat(void)
{
	__wasi_fd_t fd, fd2;
	__wasi_filestat_t st, dst, st2;
	__wasi_timestamp_t t0, t1;

	WT_OK(wt_open(dir, "rw", 0, FILE_RIGHTS, 0, &fd), "path_open rw for filestat");
	WT_OK(wt_open(dir, "append", 0, FILE_RIGHTS, 0, &fd2), "path_open append for filestat");
	WT_OK(__wasi_fd_filestat_get(fd, &st), "fd_filestat_get on a file");
	WT_OK(__wasi_fd_filestat_get(fd2, &st2), "fd_filestat_get on another file");
	WT_OK(__wasi_fd_filestat_get(dir, &dst), "fd_filestat_get on a directory");
	wt_true(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 22 && st.nlink >= 1,
		"filestat: regular file, 22 bytes, nlink >= 1");
	wt_true(dst.filetype == __WASI_FILETYPE_DIRECTORY, "filestat of the dir: directory");
	wt_true(st.dev == st2.dev && st.ino != st2.ino && st.ino != dst.ino,
		"same dev, distinct inodes");
	WT_ERR(__wasi_fd_filestat_get(fd, (__wasi_filestat_t *)(uintptr_t)(wt_mem_end() - 63)),
	       "fd_filestat_get result crossing the end of memory", __WASI_ERRNO_FAULT);

	WT_OK(__wasi_fd_filestat_set_size(fd, 100), "fd_filestat_set_size 100");
	wt_true(file_size(fd) == 100, "the file is now 100 bytes");
	wt_true(pread_is(fd, 94, "\0\0\0\0\0\0", 6), "the grown part reads as zeros");
	WT_OK(__wasi_fd_filestat_set_size(fd, 3), "fd_filestat_set_size 3");
	wt_true(file_size(fd) == 3 && pread_is(fd, 0, "0ab", 3), "truncated to \"0ab\"");
	WT_ERR(__wasi_fd_filestat_set_size(fd, 1ull << 62), "fd_filestat_set_size 2^62",
	       __WASI_ERRNO_FBIG, __WASI_ERRNO_NOSPC, __WASI_ERRNO_NOMEM, __WASI_ERRNO_INVAL);
	wt_true(file_size(fd) == 3, "a failed set_size leaves the size alone");
	WT_ERR(__wasi_fd_filestat_set_size(dir, 0), "fd_filestat_set_size on a directory",
	       __WASI_ERRNO_ISDIR, __WASI_ERRNO_INVAL, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);

	WT_OK(__wasi_fd_filestat_set_times(fd, 0, 1500000000500000000ull, __WASI_FSTFLAGS_MTIM),
	      "fd_filestat_set_times MTIM");
	WT_OK(__wasi_fd_filestat_get(fd, &st2), "fd_filestat_get after set_times");
	wt_true(st2.mtim == 1500000000500000000ull, "mtim is what was set");
	wt_true(st2.atim == st.atim, "atim did not change");
	WT_OK(__wasi_fd_filestat_set_times(fd, 1000000000ull, 0, __WASI_FSTFLAGS_ATIM),
	      "fd_filestat_set_times ATIM");
	WT_OK(__wasi_fd_filestat_get(fd, &st2), "fd_filestat_get after ATIM");
	wt_true(st2.atim == 1000000000ull && st2.mtim == 1500000000500000000ull,
		"atim set, mtim kept");
	__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t0);
	WT_OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
	      "fd_filestat_set_times MTIM_NOW");
	__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t1);
	__wasi_fd_filestat_get(fd, &st2);
	wt_true(st2.mtim + 2000000000ull >= t0 && st2.mtim <= t1 + 2000000000ull,
		"MTIM_NOW sets mtim to the current realtime");
	WT_ERR(__wasi_fd_filestat_set_times(fd, 100, 200,
					     __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
	       "fd_filestat_set_times MTIM|MTIM_NOW", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_fd_filestat_set_times(fd, 100, 200,
					     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
	       "fd_filestat_set_times ATIM|ATIM_NOW", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_fd_filestat_set_times(4242, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
	       "fd_filestat_set_times on an unused fd", __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_close(fd2), "fd_close append");
	WT_OK(__wasi_fd_close(fd), "fd_close rw");
}

static void check_advise_allocate_sync(void)
{
	__wasi_fd_t fd;
	int e, a;
	char what[64];

	WT_OK(wt_open(dir, "alloc", __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, &fd), "path_open alloc");
	WT_OK(__wasi_fd_filestat_set_size(fd, 100), "fd_filestat_set_size 100 before advise");
	for (a = __WASI_ADVICE_NORMAL; a <= __WASI_ADVICE_NOREUSE; a++) {
		snprintf(what, sizeof(what), "fd_advise advice %d", a);
		WT_OK(__wasi_fd_advise(fd, 10, 50, a), what);
	}
	WT_ERR(__wasi_fd_advise(fd, 0, 0, 6), "fd_advise unknown advice 6", __WASI_ERRNO_INVAL);
	WT_ERR(__wasi_fd_advise(4242, 0, 0, 0), "fd_advise unused fd", __WASI_ERRNO_BADF);
	wt_true(file_size(fd) == 100, "fd_advise does not change the size");

	e = __wasi_fd_allocate(fd, 100, 100);
	WT_ERR(e, "fd_allocate 100+100", 0, __WASI_ERRNO_NOTSUP);
	wt_true(e || file_size(fd) == 200, "fd_allocate grew the file to 200 (or NOTSUP)");
	e = __wasi_fd_allocate(fd, 10, 10);
	WT_ERR(e, "fd_allocate inside the file", 0, __WASI_ERRNO_NOTSUP);
	wt_true(e || file_size(fd) == 200, "fd_allocate inside the file keeps 200 (or NOTSUP)");
	WT_ERR(__wasi_fd_allocate(dir, 0, 1), "fd_allocate on a directory", __WASI_ERRNO_ISDIR,
	       __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	WT_ERR(__wasi_fd_allocate(4242, 0, 1), "fd_allocate unused fd", __WASI_ERRNO_BADF);

	WT_OK(__wasi_fd_sync(fd), "fd_sync a file");
	WT_OK(__wasi_fd_datasync(fd), "fd_datasync a file");
	WT_ERR(__wasi_fd_sync(4242), "fd_sync unused fd", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_datasync(4242), "fd_datasync unused fd", __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_close(fd), "fd_close alloc");
}

/* Walk one fd_readdir buffer: count complete entries, remember names. */
struct rd {
	int n;
	char names[16][16];
	uint8_t types[16];
	uint64_t inos[16], next[16];
};

static void parse_dirents(const uint8_t *buf, uint32_t used, struct rd *r)
{
	uint32_t off = 0;

	r->n = 0;
	while (off + sizeof(__wasi_dirent_t) <= used && r->n < 16) {
		__wasi_dirent_t d;

		memcpy(&d, buf + off, sizeof(d));
		if (off + sizeof(d) + d.d_namlen > used)
			break;          /* the last entry, truncated */
		memset(r->names[r->n], 0, 16);
		memcpy(r->names[r->n], buf + off + sizeof(d), d.d_namlen < 15 ? d.d_namlen : 15);
		r->types[r->n] = d.d_type;
		r->inos[r->n] = d.d_ino;
		r->next[r->n] = d.d_next;
		r->n++;
		off += sizeof(d) + d.d_namlen;
	}
}

static int find(const struct rd *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name))
			return i;
	return -1;
}

static void check_readdir(void)
{
	static uint8_t buf[4096];
	__wasi_fd_t d, f;
	__wasi_size_t used = 0;
	__wasi_filestat_t st;
	struct rd r, r2;
	int i, k, total, seen[100], dup = 0;
	char name[16];

	WT_OK(__wasi_path_create_directory(dir, "rd"), "path_create_directory rd");
	WT_OK(wt_open_dir(dir, "rd", &d), "path_open rd as a directory");
	WT_OK(__wasi_fd_filestat_get(d, &st), "fd_filestat_get rd");
	WT_OK(__wasi_fd_readdir(d, buf, sizeof(buf), 0, &used), "fd_readdir empty dir");
	parse_dirents(buf, used, &r);
	wt_true(used < sizeof(buf) && r.n == 2 && find(&r, ".") >= 0 && find(&r, "..") >= 0,
		"an empty directory lists . and ..");
	i = find(&r, ".");
	wt_true(i >= 0 && r.types[i] == __WASI_FILETYPE_DIRECTORY && r.inos[i] == st.ino,
		"the . entry is a directory with the dir's inode");

	wt_put_file(d, "a", "A");
	wt_put_file(d, "bb", "BB");
	__wasi_path_create_directory(d, "c");
	WT_OK(__wasi_fd_readdir(d, buf, sizeof(buf), 0, &used), "fd_readdir with 3 entries");
	parse_dirents(buf, used, &r);
	wt_true(r.n == 5 && find(&r, "a") >= 0 && find(&r, "bb") >= 0 && find(&r, "c") >= 0,
		"fd_readdir lists ., .., a, bb, c");
	i = find(&r, "bb");
	WT_OK(__wasi_path_filestat_get(d, 0, "bb", &st), "path_filestat_get bb");
	wt_true(i >= 0 && r.types[i] == __WASI_FILETYPE_REGULAR_FILE && r.inos[i] == st.ino,
		"bb: regular file, d_ino = its inode");
	i = find(&r, "c");
	wt_true(i >= 0 && r.types[i] == __WASI_FILETYPE_DIRECTORY, "c: directory");

	k = 1;  /* resume after the second entry */
	WT_OK(__wasi_fd_readdir(d, buf, sizeof(buf), r.next[k], &used), "fd_readdir from a cookie");
	parse_dirents(buf, used, &r2);
	wt_true(r2.n == r.n - k - 1 && !strcmp(r2.names[0], r.names[k + 1]),
		"the cookie resumes after its entry");
	WT_OK(__wasi_fd_readdir(d, buf, 30, 0, &used), "fd_readdir with a 30-byte buffer");
	wt_true(used == 30, "a too-small buffer is filled completely (bufused == buf_len)");
	WT_OK(__wasi_fd_readdir(d, buf, 0, 0, &used), "fd_readdir with a 0-byte buffer");
	wt_true(used == 0, "a 0-byte buffer gets 0 bytes");
	WT_OK(__wasi_fd_readdir(d, buf, sizeof(buf), r.next[r.n - 1], &used),
	      "fd_readdir from the last cookie");
	wt_true(used == 0, "nothing after the last entry");
	WT_OK(wt_open(d, "a", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, &f),
	      "path_open a file");
	WT_ERR(__wasi_fd_readdir(f, buf, sizeof(buf), 0, &used), "fd_readdir on a file",
	       __WASI_ERRNO_NOTDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
	__wasi_fd_close(f);
	WT_ERR(__wasi_fd_readdir(4242, buf, sizeof(buf), 0, &used), "fd_readdir on an unused fd",
	       __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_readdir(d, (uint8_t *)(uintptr_t)(wt_mem_end() - 8), 64, 0, &used),
	       "fd_readdir buffer crossing the end of memory", __WASI_ERRNO_FAULT);

	/* 100 more entries, read 256 bytes at a time */
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "file.%d", i);
		if (wt_put_file(d, name, ""))
			break;
	}
	wt_true(i == 100, "created 100 files");
	memset(seen, 0, sizeof(seen));
	total = 0;
	uint64_t cookie = 0;
	for (int rounds = 0; rounds < 1000; rounds++) {
		if (__wasi_fd_readdir(d, buf, 256, cookie, &used))
			break;
		parse_dirents(buf, used, &r);
		for (i = 0; i < r.n; i++) {
			int num;

			total++;
			if (sscanf(r.names[i], "file.%d", &num) == 1 && num >= 0 && num < 100)
				dup += seen[num]++ != 0;
		}
		if (used < 256 || r.n == 0)
			break;
		cookie = r.next[r.n - 1];
	}
	for (i = 0, k = 0; i < 100; i++)
		k += seen[i] == 1;
	wt_true(total == 105 && k == 100 && !dup,
		"reading 256 bytes at a time sees 105 entries, each once");
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "file.%d", i);
		__wasi_path_unlink_file(d, name);
	}
	__wasi_path_unlink_file(d, "a");
	__wasi_path_unlink_file(d, "bb");
	__wasi_path_remove_directory(d, "c");
	WT_OK(__wasi_fd_close(d), "fd_close rd");
	WT_OK(__wasi_path_remove_directory(dir, "rd"), "path_remove_directory rd (empty again)");
}

static void check_rights_renumber_close(void)
{
	__wasi_fd_t f1, f2, dup;
	__wasi_fdstat_t s1, s2;
	__wasi_size_t n;
	char c;

	WT_OK(wt_open(dir, "r1", __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, &f1), "path_open r1");
	WT_OK(__wasi_fd_fdstat_get(f1, &s1), "fd_fdstat_get r1");
	WT_OK(__wasi_fd_fdstat_set_rights(f1, s1.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE,
					  s1.fs_rights_inheriting), "fd_fdstat_set_rights drop FD_WRITE");
	WT_OK(__wasi_fd_fdstat_get(f1, &s2), "fd_fdstat_get after dropping");
	wt_true(s2.fs_rights_base == (s1.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE),
		"fdstat shows exactly the remaining rights");
	WT_ERR(wt_write(f1, "x", 1, &n), "fd_write without FD_WRITE", __WASI_ERRNO_BADF,
	       __WASI_ERRNO_NOTCAPABLE);
	WT_OK(wt_read(f1, &c, 1, &n), "fd_read still allowed");
	WT_ERR(__wasi_fd_fdstat_set_rights(f1, s1.fs_rights_base, s1.fs_rights_inheriting),
	       "fd_fdstat_set_rights cannot add FD_WRITE back", __WASI_ERRNO_NOTCAPABLE);

	WT_OK(wt_open(dir, "r2", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, &f2), "path_open r2");
	WT_OK(__wasi_fd_renumber(f1, f2), "fd_renumber r1 -> r2's fd");
	WT_ERR(__wasi_fd_close(f1), "the renumbered-from fd is closed", __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_fdstat_get(f2, &s1), "fd_fdstat_get the renumbered-to fd");
	wt_true(s1.fs_rights_base == s2.fs_rights_base && s1.fs_filetype == s2.fs_filetype,
		"the renumbered-to fd now is r1 (same rights)");
	WT_ERR(__wasi_fd_renumber(f2, f1), "fd_renumber to a closed fd", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_renumber(4242, f2), "fd_renumber from an unused fd", __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_fdstat_get(f2, &s1), "fd_renumber failures left the fd open");
	WT_OK(__wasi_fd_close(f2), "fd_close r2");
	WT_ERR(__wasi_fd_close(f2), "fd_close twice", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_close(4242), "fd_close an unused fd", __WASI_ERRNO_BADF);

	/* stdin renumbered onto a file: fd 0 is gone afterwards */
	WT_OK(wt_open(dir, "r3", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, &f1), "path_open r3");
	WT_OK(__wasi_fd_renumber(0, f1), "fd_renumber stdin onto a file fd");
	WT_ERR(__wasi_fd_fdstat_get(0, &s1), "fd 0 is closed after renumbering it away",
	       __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_fdstat_get(f1, &s1), "the target fd is stdin now");
	WT_OK(__wasi_fd_close(f1), "fd_close it");

	/* closing the preopen (last: root is gone afterwards) */
	WT_OK(__wasi_path_open(root, 0, ".", __WASI_OFLAGS_DIRECTORY, DIR_BASE, DIR_INHERITING, 0,
			       &dup), "path_open \".\" of the preopen");
	WT_OK(__wasi_fd_close(root), "fd_close the preopen");
	WT_ERR(__wasi_fd_fdstat_get(root, &s1), "the preopen's fd is closed", __WASI_ERRNO_BADF);
	WT_ERR(__wasi_fd_prestat_get(root, &(__wasi_prestat_t){ 0 }),
	       "fd_prestat_get on the closed preopen", __WASI_ERRNO_BADF);
	WT_OK(__wasi_fd_fdstat_get(dup, &s1), "the other fd of the dir still works");
	root = dup;
}

int main(void)
{
	if (wt_start("wasi_fd.tmp", &root, &dir))
		return 1;
	check_prestat();
	check_fdstat();
	check_read_write_seek();
	check_pread_pwrite();
	check_flags();
	check_filestat();
	check_advise_allocate_sync();
	check_readdir();
	check_rights_renumber_close();

	const char *made[] = { "stat", "rw", "append", "alloc", "r1", "r2", "r3" };
	for (unsigned i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		__wasi_path_unlink_file(dir, made[i]);
	__wasi_fd_close(dir);
	WT_OK(__wasi_path_remove_directory(root, "wasi_fd.tmp"),
	      "the scratch directory is empty at the end");
	return wt_done();
}
