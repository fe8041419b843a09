/*
 * stdio_kinds.c — guest of tests/stdio/stdio.sh: what the guest is told
 * its stdin, stdout and stderr are.  Prints one line per fd (on stderr
 * with argv[1] = "stderr", so that stdout can be anything):
 *
 *   fd N: TYPE isatty=0|1 seek=0|1 read=0|1 write=0|1
 *
 * TYPE is fd_fdstat_get's filetype by name, isatty() is wasi-libc's (a
 * character device without the seek and tell rights), seek says whether
 * the seek or tell right is there, read/write the fd_read/fd_write
 * rights.  Status 0, or 1 if fd_fdstat_get failed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *type_name(unsigned t)
{
	static const char *const names[] = {
		"unknown", "block_device", "character_device", "directory",
		"regular_file", "socket_dgram", "socket_stream", "symbolic_link",
	};

	return t < 8 ? names[t] : "?";
}

int main(int argc, char **argv)
{
	FILE *out = argc > 1 && !strcmp(argv[1], "stderr") ? stderr : stdout;

	for (int fd = 0; fd < 3; fd++) {
		__wasi_fdstat_t st;
		__wasi_rights_t r;

		if (__wasi_fd_fdstat_get(fd, &st))
			return fprintf(out, "fd %d: fd_fdstat_get failed\n", fd), 1;
		r = st.fs_rights_base;
		fprintf(out, "fd %d: %s isatty=%d seek=%d read=%d write=%d\n", fd,
			type_name(st.fs_filetype), isatty(fd),
			!!(r & (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)),
			!!(r & __WASI_RIGHTS_FD_READ), !!(r & __WASI_RIGHTS_FD_WRITE));
	}
	return 0;
}
