/*
 * libc_glue.c — the system calls newlib (built --disable-newlib-supplied-
 * syscalls for x86_64-elf, see host/tools/build-newlib.sh) expects from
 * its OS: here, the kernel.  printf/puts/write on fd 1 and 2 go to the
 * kernel log (COM1; the guest's console is plat_console_write, COM2);
 * exit/abort shut down; time comes from the platform clocks; there are no
 * files (ENOSYS/EBADF).  sbrk is in mm/heap.c.  Each function also has
 * the underscored name some newlib configurations call.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include "kernel.h"
#include "plat.h"
#include "serial.h"

#define ALIAS(name) __attribute__((alias(#name)))

int write(int fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	serial_write(SERIAL_COM1, buf, len);
	return (int)len;
}
int _write(int fd, const void *buf, size_t len) ALIAS(write);

int read(int fd, void *buf, size_t len)
{
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	return 0;                       /* stdin: always at end of file */
}
int _read(int fd, void *buf, size_t len) ALIAS(read);

int close(int fd)
{
	errno = EBADF;
	return -1;
}
int _close(int fd) ALIAS(close);

int fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR };
	return 0;
}
int _fstat(int fd, struct stat *st) ALIAS(fstat);

int isatty(int fd)
{
	if (fd >= 0 && fd <= 2)
		return 1;
	errno = EBADF;
	return 0;
}
int _isatty(int fd) ALIAS(isatty);

off_t lseek(int fd, off_t off, int whence)
{
	errno = ESPIPE;
	return -1;
}
off_t _lseek(int fd, off_t off, int whence) ALIAS(lseek);

void _exit(int status)
{
	kernel_shutdown(status & 0xff);
}

int getpid(void)
{
	return 1;
}
int _getpid(void) ALIAS(getpid);

/* abort() -> raise(SIGABRT) -> kill(getpid(), SIGABRT) */
int kill(int pid, int sig)
{
	if (pid != 1) {
		errno = ESRCH;
		return -1;
	}
	panic("kernel received signal %d (abort or assert in C code)", sig);
}
int _kill(int pid, int sig) ALIAS(kill);

int gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = plat_clock_ns(PLAT_CLOCK_REALTIME);

	if (tv) {
		tv->tv_sec = (time_t)(ns / 1000000000u);
		tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000);
	}
	return 0;
}
int _gettimeofday(struct timeval *tv, void *tz) ALIAS(gettimeofday);

clock_t times(struct tms *t)
{
	uint64_t ns = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	clock_t ticks = (clock_t)(ns / (1000000000u / CLOCKS_PER_SEC));

	if (t)
		*t = (struct tms){ .tms_utime = ticks };
	return ticks;
}
clock_t _times(struct tms *t) ALIAS(times);

int getentropy(void *buf, size_t len)
{
	if (len > 256 || plat_random(buf, len)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	if (old)
		*old = 0;
	return 0;
}

/* No file system, processes or links under newlib. */
static int no_sys(void)
{
	errno = ENOSYS;
	return -1;
}
int open(const char *path, int flags, ...) { return no_sys(); }
int _open(const char *path, int flags, ...) ALIAS(open);
int stat(const char *path, struct stat *st) { return no_sys(); }
int _stat(const char *path, struct stat *st) ALIAS(stat);
int unlink(const char *path) { return no_sys(); }
int _unlink(const char *path) ALIAS(unlink);
int link(const char *a, const char *b) { return no_sys(); }
int _link(const char *a, const char *b) ALIAS(link);
int mkdir(const char *path, mode_t mode) { return no_sys(); }
int fcntl(int fd, int cmd, ...) { return no_sys(); }
int fork(void) { return no_sys(); }
int _fork(void) ALIAS(fork);
int wait(int *status) { return no_sys(); }
int _wait(int *status) ALIAS(wait);
int execve(const char *p, char *const argv[], char *const envp[]) { return no_sys(); }
int _execve(const char *p, char *const argv[], char *const envp[]) ALIAS(execve);

/* __libc_init_array calls these; kernel_main runs .init_array itself. */
void _init(void) {}
void _fini(void) {}
