/*
 * adv_escape.c — adversarial: try to leave a preopened directory through
 * "..", absolute paths and symlinks (absolute targets, "../" targets,
 * chains, loops, links in the middle of a path), with every path_*
 * function, and from a subdirectory fd.  Each attempt must fail with the
 * errno of an escape (ENOTCAPABLE, or EPERM as newer Wasmtime says; the
 * WASI testsuite accepts both), ELOOP for loops, and the process must keep
 * running.  A directory fd is a capability of its own: ".." beyond it is
 * an escape even when the parent is inside the preopen (Wasmtime/cap-std,
 * and the testsuite's interesting_paths).
 *
 * tests/run.sh prepares, on the host:
 *   T/secret.txt                       "SECRET"      (outside every preopen)
 *   T/a/inside.txt                     "inside"      preopened as /a
 *   T/a/sub/deep/x.txt                 "x"
 *   T/b/b.txt                          "bee"         preopened as /b
 * and these symlinks in T/a (created at test time, not committed):
 *   abs_etc -> /etc/passwd      abs_b -> /b/b.txt       up_secret -> ../secret.txt
 *   up_b -> ../b/b.txt          deep_up -> sub/deep/../../../secret.txt
 *   sub/deep/upup -> ../../../../../../../etc           dir_up -> ..
 *   chain1 -> chain2 -> chain3 -> ../secret.txt         loop1 <-> loop2
 *   ok_link -> sub/deep/x.txt   ok_dotdot -> sub/../inside.txt
 *   sub/uplink -> ../inside.txt
 * One line per check, then "N ok".
 */
#include "wt.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define ESC WT_ESCAPE

static __wasi_fd_t A, B;

/* path_open for reading; if it wrongly succeeds, say what it read. */
static int try_open(__wasi_fd_t d, int flags, const char *path, int oflags)
{
	__wasi_fd_t fd;
	char buf[16] = "";
	__wasi_size_t n = 0;
	int e = __wasi_path_open(d, flags, path, oflags, __WASI_RIGHTS_FD_READ, 0, 0, &fd);

	if (!e) {
		wt_read(fd, buf, sizeof(buf) - 1, &n);
		buf[n < sizeof(buf) ? n : 0] = 0;
		printf("  (opened %.60s: read %u bytes: \"%.8s\")\n", path, (unsigned)n, buf);
		__wasi_fd_close(fd);
	}
	return e;
}

/* Every way in to `path` must be refused with `errs`. */
static void refuse_all(__wasi_fd_t d, const char *path, const int *errs, int nerrs)
{
	__wasi_filestat_t st;
	char what[160], buf[64];
	__wasi_size_t used;

	snprintf(what, sizeof(what), "path_open FOLLOW \"%s\"", path);
	wt_errno_in(try_open(d, FOLLOW, path, 0), errs, nerrs, what);
	snprintf(what, sizeof(what), "path_open DIRECTORY FOLLOW \"%s\"", path);
	wt_errno_in(try_open(d, FOLLOW, path, __WASI_OFLAGS_DIRECTORY), (const int[]){
		errs[0], errs[nerrs - 1], __WASI_ERRNO_NOTDIR }, 3, what);
	snprintf(what, sizeof(what), "path_filestat_get FOLLOW \"%s\"", path);
	wt_errno_in(__wasi_path_filestat_get(d, FOLLOW, path, &st), errs, nerrs, what);
	snprintf(what, sizeof(what), "path_open CREAT FOLLOW \"%s/new\"", path);
	wt_errno_in(__wasi_path_open(d, FOLLOW, strcat(strcpy(buf, path), "/new"),
				     __WASI_OFLAGS_CREAT, 0, 0, 0, &(__wasi_fd_t){ 0 }),
		    (const int[]){ errs[0], errs[nerrs - 1], __WASI_ERRNO_NOTDIR }, 3, what);
	(void)used;
}

#define REFUSE(d, path, ...) \
	refuse_all((d), (path), (const int[]){ __VA_ARGS__ }, \
		   (int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)))

static void check_dotdot(void)
{
	static const char *paths[] = {
		"..", "../", "./..", "../secret.txt", "../a/inside.txt", "../b/b.txt",
		"sub/../..", "sub/../../secret.txt", "sub/deep/../../..",
		"sub/deep/../../../secret.txt", "sub/deep/../../../../../../../../etc/passwd",
		"sub/./deep/.././../../a/inside.txt",
	};
	__wasi_fd_t sub, deep;
	char buf[16];
	__wasi_size_t used;

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		REFUSE(A, paths[i], ESC);
	/* these may fail earlier, at the missing or non-directory component */
	REFUSE(A, "missing/../../secret.txt", ESC, __WASI_ERRNO_NOENT);
	REFUSE(A, "inside.txt/../../secret.txt", ESC, __WASI_ERRNO_NOTDIR);
	WT_ERR(try_open(A, 0, "..", __WASI_OFLAGS_DIRECTORY), "path_open \"..\" of the preopen",
	       ESC);
	WT_ERR(try_open(A, 0, "sub/deep/../../../secret.txt", 0),
	       "path_open sub/deep/../../../secret.txt", ESC);
	WT_ERR(__wasi_path_create_directory(A, "../newdir"), "path_create_directory ../newdir", ESC);
	WT_ERR(__wasi_path_create_directory(A, "sub/../../newdir"),
	       "path_create_directory sub/../../newdir", ESC);
	WT_ERR(__wasi_path_unlink_file(A, "../secret.txt"), "path_unlink_file ../secret.txt", ESC);
	WT_ERR(__wasi_path_unlink_file(A, "../b/b.txt"), "path_unlink_file ../b/b.txt", ESC);
	WT_ERR(__wasi_path_remove_directory(A, "../a"), "path_remove_directory ../a", ESC);
	WT_ERR(__wasi_path_remove_directory(A, ".."), "path_remove_directory ..", ESC,
	       __WASI_ERRNO_INVAL, __WASI_ERRNO_BUSY);
	WT_ERR(__wasi_path_rename(A, "inside.txt", A, "../stolen.txt"),
	       "path_rename inside.txt -> ../stolen.txt", ESC);
	WT_ERR(__wasi_path_rename(A, "../secret.txt", A, "got.txt"),
	       "path_rename ../secret.txt -> got.txt", ESC);
	WT_ERR(__wasi_path_link(A, 0, "../secret.txt", A, "got.txt"),
	       "path_link ../secret.txt -> got.txt", ESC);
	WT_ERR(__wasi_path_link(A, 0, "inside.txt", A, "../planted.txt"),
	       "path_link inside.txt -> ../planted.txt", ESC);
	WT_ERR(__wasi_path_symlink("inside.txt", A, "../planted"), "path_symlink at ../planted",
	       ESC);
	WT_ERR(__wasi_path_readlink(A, "../a/ok_link", (uint8_t *)buf, sizeof(buf), &used),
	       "path_readlink ../a/ok_link", ESC);
	WT_ERR(__wasi_path_filestat_set_times(A, 0, "../secret.txt", 0, 0,
					       __WASI_FSTFLAGS_MTIM_NOW),
	       "path_filestat_set_times ../secret.txt", ESC);
	wt_true(wt_content_is(A, "inside.txt", "inside") && wt_content_is(B, "b.txt", "bee"),
		"the preopens' files are intact");

	/* a subdirectory fd is a root of its own */
	WT_OK(wt_open_dir(A, "sub", &sub), "path_open sub");
	WT_OK(wt_open_dir(sub, "deep", &deep), "path_open sub/deep from sub");
	WT_ERR(try_open(sub, 0, "../inside.txt", 0), "from sub: ../inside.txt", ESC);
	WT_ERR(try_open(deep, 0, "../../inside.txt", 0), "from sub/deep: ../../inside.txt", ESC);
	WT_ERR(try_open(deep, 0, "..", __WASI_OFLAGS_DIRECTORY), "from sub/deep: ..", ESC);
	WT_ERR(try_open(sub, FOLLOW, "uplink", 0), "from sub: symlink uplink -> ../inside.txt",
	       ESC);
	wt_true(wt_content_is(A, "sub/uplink", "inside"),
		"from the preopen: sub/uplink -> ../inside.txt stays inside and works");
	WT_ERR(try_open(deep, 0, "../deep/x.txt", 0), "from sub/deep: ../deep/x.txt", ESC);
	__wasi_fd_close(deep);
	__wasi_fd_close(sub);
}

static void check_absolute(void)
{
	static const char *paths[] = {
		"/", "/etc/passwd", "/a/inside.txt", "/b/b.txt", "//inside.txt", "/inside.txt",
		"/../secret.txt",
	};

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		REFUSE(A, paths[i], ESC);
	WT_ERR(__wasi_path_create_directory(A, "/tmp/x"), "path_create_directory /tmp/x", ESC);
	WT_ERR(__wasi_path_unlink_file(A, "/inside.txt"), "path_unlink_file /inside.txt", ESC);
	WT_ERR(__wasi_path_symlink("x", A, "/planted"), "path_symlink at /planted", ESC);
	WT_ERR(__wasi_path_rename(A, "inside.txt", B, "/b.txt"), "path_rename to /b.txt", ESC);
	WT_ERR(try_open(1, 0, "/etc/passwd", 0), "path_open /etc/passwd relative to stdout",
	       __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
	WT_ERR(try_open(1, 0, "etc/passwd", 0), "path_open etc/passwd relative to stdout",
	       __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
}

static void check_symlinks(void)
{
	static const char *escaping[] = {
		"abs_etc", "abs_b", "up_secret", "up_b", "deep_up", "sub/deep/upup",
		"sub/deep/upup/passwd", "chain1", "dir_up", "dir_up/b/b.txt", "dir_up/secret.txt",
	};
	char what[96], target[32];
	__wasi_size_t used = 0;
	int i, e;

	for (unsigned k = 0; k < sizeof(escaping) / sizeof(escaping[0]); k++)
		REFUSE(A, escaping[k], ESC);
	WT_ERR(try_open(A, FOLLOW, "loop1", 0), "path_open the loop loop1 <-> loop2",
	       __WASI_ERRNO_LOOP);
	WT_ERR(try_open(A, 0, "loop1/x", 0), "path_open loop1/x", __WASI_ERRNO_LOOP);
	wt_true(wt_content_is(A, "ok_link", "x"), "ok_link -> sub/deep/x.txt works");
	wt_true(wt_content_is(A, "ok_dotdot", "inside"), "ok_dotdot -> sub/../inside.txt works");
	WT_OK(__wasi_path_readlink(A, "abs_etc", (uint8_t *)target, sizeof(target), &used),
	      "path_readlink abs_etc (reading the link itself is fine)");
	wt_true(used == 11 && !memcmp(target, "/etc/passwd", 11),
		"abs_etc was copied as a link, not as the host's /etc/passwd");
	wt_true(__wasi_path_filestat_get(A, 0, "abs_etc", &(__wasi_filestat_t){ 0 }) == 0,
		"path_filestat_get of abs_etc without FOLLOW works");
	WT_OK(__wasi_path_unlink_file(A, "up_secret"), "path_unlink_file up_secret (the link)");
	WT_ERR(__wasi_path_unlink_file(A, "dir_up/secret.txt"),
	       "path_unlink_file dir_up/secret.txt", ESC);
	WT_ERR(__wasi_path_create_directory(A, "dir_up/made"),
	       "path_create_directory dir_up/made", ESC);
	WT_ERR(__wasi_path_open(A, FOLLOW, "up_b", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
				__WASI_RIGHTS_FD_WRITE, 0, 0, &(__wasi_fd_t){ 0 }),
	       "path_open CREAT|TRUNC through up_b", ESC);
	wt_true(wt_content_is(B, "b.txt", "bee"), "b.txt is intact");

	/* links the guest makes itself */
	static const char *targets[] = { "../secret.txt", "/etc/passwd", "../../../..", "..",
					 "/", "sub/../../b/b.txt" };
	for (i = 0; i < (int)(sizeof(targets) / sizeof(targets[0])); i++) {
		char name[16];

		snprintf(name, sizeof(name), "mk%d", i);
		e = __wasi_path_symlink(targets[i], A, name);
		if (e == 0)
			e = try_open(A, FOLLOW, name, 0);
		else
			e = __WASI_ERRNO_NOTCAPABLE;    /* refusing to make it is fine */
		snprintf(what, sizeof(what), "guest symlink -> %s is refused or cannot be followed",
			 targets[i]);
		wt_errno_in(e, (const int[]){ ESC }, 2, what);
		__wasi_path_unlink_file(A, name);
	}

	/* a 200-link chain ends in ELOOP, not in a stack overflow */
	char name[16], to[16];

	for (i = 0, e = 0; i < 200 && !e; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		snprintf(to, sizeof(to), i == 199 ? "inside.txt" : "n%d", i + 1);
		e = __wasi_path_symlink(to, A, name);
	}
	WT_OK(e, "made a chain of 200 symlinks");
	WT_ERR(try_open(A, FOLLOW, "n0", 0), "following a 200-link chain", __WASI_ERRNO_LOOP);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		__wasi_path_unlink_file(A, name);
	}
}

static void check_long_paths(void)
{
	static char path[70000];
	size_t i;
	int e;

	for (i = 0; i + 2 < 65536; i += 2)
		memcpy(path + i, "./", 2);
	strcpy(path + i, "inside.txt");
	e = try_open(A, 0, path, 0);
	WT_ERR(e, "path_open a 64 KiB path of ./ components", 0, __WASI_ERRNO_NAMETOOLONG);
	for (i = 0; i + 3 < 65536; i += 3)
		memcpy(path + i, "../", 3);
	strcpy(path + i, "etc");
	WT_ERR(try_open(A, 0, path, 0), "path_open 21845 \"..\" components", ESC,
	       __WASI_ERRNO_NAMETOOLONG);
	for (i = 0; i + 4 < 65536; i += 4)
		memcpy(path + i, "sub/", 4);
	path[i] = 0;
	WT_ERR(__wasi_path_create_directory(A, path), "path_create_directory 16384 levels deep",
	       __WASI_ERRNO_NOENT, __WASI_ERRNO_NAMETOOLONG);
}

int main(void)
{
	int a = wt_preopen("/a"), b = wt_preopen("/b");

	if (a < 0 || b < 0) {
		printf("FAIL the preopens /a and /b are missing\n");
		return 1;
	}
	A = a;
	B = b;
	wt_true(wt_content_is(A, "inside.txt", "inside"), "/a/inside.txt is readable");
	check_dotdot();
	check_absolute();
	check_symlinks();
	check_long_paths();
	wt_true(wt_content_is(A, "inside.txt", "inside"), "still running, /a intact");
	return wt_done();
}
