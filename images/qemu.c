/*
 * qemu.c — boot a disk under QEMU (q35 + OVMF) and get the guest's exit
 * status back (see image.h for the serial-port contract).
 *
 *   qemu-system-x86_64 -nodefaults -machine q35 -cpu max -m 1024 -smp 1
 *                           (-cpu $WASMETAL_QEMU_CPU if set, e.g. qemu64)
 *     -accel kvm|tcg          kvm only if a probe VM can really run code
 *     -drive if=pflash ...    OVMF_CODE (read-only) + a private OVMF_VARS copy
 *     -drive if=virtio ...    the disk, by absolute file name (no protocols),
 *                             format= as o->disk_format says (default raw)
 *     -chardev file,path=/dev/fd/3 -serial chardev:com1   kernel log
 *     -chardev socket,fd=4 -serial chardev:com2            guest console
 *     (o->stdio, the run settings of image.h: `wasmetal run`)
 *     -chardev socket,fd=5 -serial chardev:stderr          COM3: guest stderr
 *     -fw_cfg name=opt/wasmetal/run,file=<tmp>/run         the run settings
 *     -device virtio-rng-pci  entropy for CPUs without RDRAND/RDSEED
 *     (o->net, struct qemu_net: the NIC, none by default)
 *     -netdev user,id=n0[,hostfwd=tcp:127.0.0.1:HOSTPORT-:GUESTPORT]...
 *                             QEMU_NET_USER: slirp, with the -p forwards
 *     -netdev tap,id=n0,ifname=IF,script=no,downscript=no
 *                             QEMU_NET_TAP: an existing TAP interface
 *     -device virtio-net-pci,netdev=n0,romfile=[,mac=MAC]
 *                             no option ROM: the firmware does not try to
 *                             boot from the network
 *     (o->disks: `wasmetal run --disk`, serial N = the Nth disk grant)
 *     -drive if=none,id=wdN,format=raw[,readonly=on],file.filename=HOST
 *     -device virtio-blk-pci,drive=wdN,serial=wasmetal-diskN
 *                             (microvm: virtio-blk-device)
 *     -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot
 *     -display none -monitor none -d cpu_reset -D <tmp>/qemu.log
 *     (-display $WASMETAL_QEMU_DISPLAY -device VGA if that is set, e.g. to
 *      gtk, vnc=:1 or none: a GOP framebuffer the kernel's console draws
 *      on; -monitor $WASMETAL_QEMU_MONITOR if set, e.g.
 *      unix:PATH,server=on,wait=off: tests/images/fbcon_screenshot.sh;
 *      -object filter-dump,id=pcap,netdev=n0,file=$WASMETAL_QEMU_PCAP if
 *      set and there is a NIC: its frames in a pcap file)
 *
 * COM1 is a pipe read here: it goes to the log file (and to stderr when
 * verbose) and is scanned line by line for the kernel's "[wasmetal] exit
 * status N".  COM2 is a socketpair, both ways: its output is copied to
 * o->console_fd from the loader's BOOT_CONSOLE_MARK on (before it, OVMF
 * uses COM2 as one of its consoles and writes clear-screens and boot
 * messages there), and from the mark on our stdin is sent to it, framed
 * as image.h says (end of input = a lone IMAGE_CONSOLE_EOF).  COM3, with
 * run settings, is a socketpair too (a socket chardev: QEMU then holds
 * the UART busy while we do not read, as for COM2, so nothing is lost),
 * copied to o->stdio->err_fd from the kernel's mark on.  No terminal is
 * ever put into raw mode.  QEMU runs in its own process group
 * (killed as a whole on timeout, and by the kernel if we die).  The exit
 * status comes from the log line; without one, the error says why: the
 * timeout, QEMU's own exit status and stderr, or a triple fault (which
 * TCG reports in the -d cpu_reset log), followed by the last log lines.
 *
 * QEMU_MICROVM (o->machine) boots without firmware, straight into the
 * kernel's PVH entry: `-machine microvm -kernel KERNEL -initrd BUNDLE`
 * instead of the pflash drives and the disk; microvm has one ISA serial
 * port of its own (COM1), so COM2 and COM3 are added as isa-serial
 * devices at their usual ports, and its virtio devices are virtio-mmio
 * (virtio-rng-device, virtio-net-device; -global
 * virtio-mmio.force-legacy=false: version 2).  Nothing precedes the kernel
 * on COM2: the kernel writes the console mark itself.
 *
 * "COM1" and "COM2" above are roles: for an image whose manifest says
 * `console com1` (o->console_com1: `wasmetal image` makes those, for
 * plain VMs), the console's socket is the first serial port and the log's
 * pipe the second; the kernel then writes the console mark itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "image.h"
#include "loader.h"             /* BOOT_CONSOLE_MARK */
#include "proc.h"
#include "../kernel/runcfg.h"   /* RUNCFG_FWCFG_NAME */
#include "parse/bundle_parse.h"     /* BUNDLE_DISK_SERIAL, BUNDLE_MAX_DISKS */

#define EXIT_LINE       "[wasmetal] exit status "
#define TAIL_LINES      20
#define LINE_MAX_KEEP   200
#define GRACE_MS        3000    /* after the exit line, before we kill */
#define DEFAULT_TIMEOUT 600     /* timeout_s == 0: a limit all the same */

static const char *const ovmf_pairs[][2] = {
	{ "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd" },
	{ "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd" },
	{ "/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd" },
};

/* COM1 line scanner: exit status + the last TAIL_LINES lines. */
struct scan {
	char line[LINE_MAX_KEEP + 1];
	size_t len;
	int esc;                        /* inside an ANSI escape sequence */
	char tail[TAIL_LINES][LINE_MAX_KEEP + 1];
	unsigned ntail;                 /* lines ever completed */
	int status;                     /* -1 until the exit line is seen */
};

/* The guest's output on one serial port (console or stderr): dropped up
 * to BOOT_CONSOLE_MARK, then copied to fd. */
struct out_stream {
	int fd;
	size_t mark_pos;                /* BOOT_CONSOLE_MARK bytes matched */
	int on;                         /* the mark has been seen */
	int ok;                         /* fd still takes what we write */
};

struct run {
	char dir[PATH_MAX];
	char vars[PATH_MAX + 16];
	char dlog[PATH_MAX + 16];       /* QEMU's -D log */
	char log[PATH_MAX + 16];
	char runcfg[PATH_MAX + 16];     /* the run settings (fw_cfg file) */
	const char *log_path;
	int log_fd;
	int com1_r, com2_r, com3_r, out_r; /* com2_r: the socket, both ways;
					   com3_r: -1 without run settings */
	int in_state;                   /* stdin: IN_WAIT, IN_OPEN, IN_DONE */
	size_t in_off, in_len;          /* framed stdin bytes not yet sent */
	unsigned char in_buf[2 * 4096 + 1];
	struct out_stream con, err;     /* COM2 -> console_fd, COM3 -> err_fd */
	char qemu_out[2048];            /* tail of QEMU's stdout/stderr */
	size_t qemu_out_len;
	struct scan sc;
};

enum { IN_WAIT, IN_OPEN, IN_DONE };
/* pump_until_exit's poll slots */
enum { P_LOG, P_CONSOLE, P_QEMU, P_STDERR, P_STDIN, P_N };

/* ---- KVM probe ----------------------------------------------------------- */

/* Some hosts expose a /dev/kvm that cannot run firmware (nested setups that
 * fail on x87 instructions in real mode, as OVMF's early code uses): run
 * "fninit; fwait; out 0x10, al; hlt" from a read-only slot and require
 * exactly the expected exits. */
static int kvm_run_probe(int kvm, int vm, uint8_t *mem)
{
	static const uint8_t code[] = { 0xdb, 0xe3, 0x9b, 0xb0, 0x42, 0xe6, 0x10, 0xf4 };
	struct kvm_userspace_memory_region r = {
		.slot = 0, .flags = KVM_MEM_READONLY, .guest_phys_addr = 0x1000,
		.memory_size = 0x1000, .userspace_addr = (uintptr_t)mem,
	};
	struct kvm_sregs s;
	struct kvm_regs g = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	int cpu, sz, ok = 0, saw_io = 0;

	memcpy(mem, code, sizeof(code));
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 ||
	    (cpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		return 0;
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = sz > 0 ? mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0)
		     : MAP_FAILED;
	if (run == MAP_FAILED || ioctl(cpu, KVM_GET_SREGS, &s) < 0)
		goto out;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(cpu, KVM_SET_SREGS, &s) < 0 || ioctl(cpu, KVM_SET_REGS, &g) < 0)
		goto out;
	for (int i = 0; i < 4 && ioctl(cpu, KVM_RUN, 0) == 0; i++) {
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x10 &&
		    ((uint8_t *)run)[run->io.data_offset] == 0x42) {
			saw_io = 1;
			continue;
		}
		ok = run->exit_reason == KVM_EXIT_HLT && saw_io;
		break;
	}
out:
	if (run != MAP_FAILED)
		munmap(run, sz);
	close(cpu);
	return ok;
}

static int kvm_usable(void)
{
	const char *env = getenv("WASMETAL_ACCEL");
	int kvm, vm, ok = 0;
	uint8_t *mem;

	if (env && *env)
		return !strcmp(env, "kvm");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 0;
	vm = ioctl(kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION ?
	     ioctl(kvm, KVM_CREATE_VM, 0) : -1;
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm >= 0 && mem != MAP_FAILED)
		ok = kvm_run_probe(kvm, vm, mem);
	if (mem != MAP_FAILED)
		munmap(mem, 0x1000);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return ok;
}

/* ---- setup ---------------------------------------------------------------- */

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
	ssize_t n = 0;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	if (in < 0 || out < 0 || n < 0)
		snprintf(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && n >= 0) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		n = -1;
	}
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

static int find_ovmf(const char **code, const char **vars, char *err, size_t errlen)
{
	*code = getenv("WASMETAL_OVMF_CODE");
	*vars = getenv("WASMETAL_OVMF_VARS");
	if (*code && *vars)
		return 0;
	for (size_t i = 0; i < sizeof(ovmf_pairs) / sizeof(ovmf_pairs[0]); i++)
		if (!access(ovmf_pairs[i][0], R_OK) && !access(ovmf_pairs[i][1], R_OK)) {
			*code = ovmf_pairs[i][0];
			*vars = ovmf_pairs[i][1];
			return 0;
		}
	snprintf(err, errlen, "OVMF firmware not found (apt-get install ovmf, or set "
		 "WASMETAL_OVMF_CODE and WASMETAL_OVMF_VARS)");
	return -1;
}

/* prefix + path into buf, with each ',' of path doubled (QEMU's option
 * syntax).  -1 if it does not fit. */
static int opt(char *buf, size_t len, const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (n >= len)
		return -1;
	memcpy(buf, prefix, n);
	for (; *path; path++) {
		if (n + 3 > len)
			return -1;
		if (*path == ',')
			buf[n++] = ',';
		buf[n++] = *path;
	}
	buf[n] = 0;
	return 0;
}

static int make_tmpdir(struct run *r, char *err, size_t errlen)
{
	const char *t = getenv("TMPDIR");

	if (!t || t[0] != '/')
		t = "/tmp";
	snprintf(r->dir, sizeof(r->dir), "%s/wasmetal-qemu.XXXXXX", t);
	if (!mkdtemp(r->dir)) {
		snprintf(err, errlen, "cannot create a temp dir in %s: %s", t, strerror(errno));
		return -1;
	}
	snprintf(r->vars, sizeof(r->vars), "%s/OVMF_VARS.fd", r->dir);
	snprintf(r->dlog, sizeof(r->dlog), "%s/qemu.log", r->dir);
	snprintf(r->log, sizeof(r->log), "%s/com1.log", r->dir);
	snprintf(r->runcfg, sizeof(r->runcfg), "%s/run", r->dir);
	return 0;
}

static void cleanup(struct run *r)
{
	unlink(r->vars);
	unlink(r->dlog);
	unlink(r->log);
	unlink(r->runcfg);
	rmdir(r->dir);
}

/* ---- the run settings (image.h, kernel/runcfg.h) -------------------------- */

int image_run_settings(const struct qemu_stdio *s, char *buf, size_t len)
{
	static const char *const kind[] = { "terminal", "file", "other" };
	int n;

	for (int i = 0; i < 3; i++)
		if (s->kind[i] > 2)
			return -1;
	n = snprintf(buf, len, "# wasmetal run settings (images/image.h)\n"
		     "wasmetal-run 1\nstdin %s\nstdout %s\nstderr %s\n"
		     "stderr-port com3\n", kind[s->kind[0]], kind[s->kind[1]],
		     kind[s->kind[2]]);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

static int write_run_settings(struct run *r, const struct qemu_stdio *s,
			      char *err, size_t errlen)
{
	char text[512];
	int n = image_run_settings(s, text, sizeof text), fd = -1;

	if (n >= 0)
		fd = open(r->runcfg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (n < 0 || fd < 0 || write(fd, text, (size_t)n) != n || close(fd)) {
		snprintf(err, errlen, "cannot write the run settings %s: %s", r->runcfg,
			 n < 0 ? "bad stream kind" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* ---- the COM1 scanner ----------------------------------------------------- */

static void scan_line_done(struct scan *s)
{
	const char *p;

	s->line[s->len] = 0;
	p = strstr(s->line, EXIT_LINE);
	if (p) {
		char *end;
		long v = strtol(p + strlen(EXIT_LINE), &end, 10);

		if (end != p + strlen(EXIT_LINE) && v >= 0 && v <= 255)
			s->status = (int)v;
	}
	memcpy(s->tail[s->ntail++ % TAIL_LINES], s->line, s->len + 1);
	s->len = 0;
}

static void scan(struct scan *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];

		if (s->esc) {           /* ESC [ params letter */
			if (s->esc == 1 && c != '[')
				s->esc = 0;
			else if (s->esc++ > 1 && ((c >= 'A' && c <= 'Z') ||
						    (c >= 'a' && c <= 'z')))
				s->esc = 0;
			continue;
		}
		if (c == 0x1b)
			s->esc = 1;
		else if (c == '\n')
			scan_line_done(s);
		else if ((c >= 0x20 || c == '\t') && c != 0x7f && s->len < LINE_MAX_KEEP)
			s->line[s->len++] = c;
	}
}

/* ---- the run loop ----------------------------------------------------------- */

/* SIGINT/SIGTERM/SIGHUP during a boot: stop QEMU, clean up, then die of
 * the same signal (qemu_boot re-raises it), as the user asked. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* All of it: a full O_NONBLOCK fd (a shell may pass one) is waited
 * for, not dropped. */
static void write_all(int fd, const char *p, size_t n, int *ok)
{
	while (*ok && n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EAGAIN) {
			struct pollfd pw = { .fd = fd, .events = POLLOUT };

			if (poll(&pw, 1, 1000) >= 0 || errno == EINTR)
				continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*ok = 0;        /* reader gone: keep the guest running */
			return;
		}
		p += w;
		n -= w;
	}
}

static void keep_tail(struct run *r, const char *p, size_t n)
{
	size_t cap = sizeof(r->qemu_out) - 1;

	if (n >= cap) {
		memcpy(r->qemu_out, p + n - cap, cap);
		r->qemu_out_len = cap;
	} else {
		if (r->qemu_out_len + n > cap) {
			size_t drop = r->qemu_out_len + n - cap;

			memmove(r->qemu_out, r->qemu_out + drop, r->qemu_out_len - drop);
			r->qemu_out_len -= drop;
		}
		memcpy(r->qemu_out + r->qemu_out_len, p, n);
		r->qemu_out_len += n;
	}
	r->qemu_out[r->qemu_out_len] = 0;
}

/* COM2 or COM3: drop the firmware's output up to the mark, then copy. */
static void guest_out(struct out_stream *s, const char *p, size_t n)
{
	static const char mark[] = BOOT_CONSOLE_MARK;
	size_t i = 0;

	while (!s->on && i < n) {
		char c = p[i++];

		if (c == mark[s->mark_pos])
			s->mark_pos++;
		else
			s->mark_pos = c == mark[0];
		s->on = s->mark_pos == sizeof(mark) - 1;
	}
	if (i < n)
		write_all(s->fd, p + i, n - i, &s->ok);
}

/* Read what is there on fd (which: P_LOG, P_CONSOLE, P_QEMU, P_STDERR);
 * -1 on EOF. */
static int pump(struct run *r, const struct qemu_opts *o, int which, int fd)
{
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf));
	int log_ok = 1, err_ok = 1;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	if (which == P_LOG) {
		write_all(r->log_fd, buf, n, &log_ok);
		if (o->verbose)
			write_all(2, buf, n, &err_ok);
		scan(&r->sc, buf, n);
	} else if (which == P_CONSOLE) {
		guest_out(&r->con, buf, n);
		if (r->con.on && r->in_state == IN_WAIT)
			r->in_state = IN_OPEN;
	} else if (which == P_STDERR) {
		guest_out(&r->err, buf, n);
	} else {
		keep_tail(r, buf, n);
	}
	return 0;
}

/* Read our stdin once and frame it into in_buf (image.h): 0x04 and 0x10
 * escaped with 0x10, the end of input (or an unreadable stdin) as a lone
 * 0x04, after which we stop reading. */
static void stdin_read(struct run *r)
{
	unsigned char buf[4096];
	ssize_t n = read(0, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	r->in_off = 0;
	r->in_len = 0;
	if (n <= 0) {
		r->in_buf[r->in_len++] = IMAGE_CONSOLE_EOF;
		r->in_state = IN_DONE;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == IMAGE_CONSOLE_EOF || buf[i] == IMAGE_CONSOLE_ESC)
			r->in_buf[r->in_len++] = IMAGE_CONSOLE_ESC;
		r->in_buf[r->in_len++] = buf[i];
	}
}

/* Send what is framed; the socket is non-blocking (POLLOUT says when
 * QEMU has room again: it stops reading while the UART's FIFO is full). */
static void stdin_send(struct run *r)
{
	while (r->in_off < r->in_len) {
		ssize_t w = write(r->com2_r, r->in_buf + r->in_off, r->in_len - r->in_off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {                   /* QEMU is gone */
			r->in_off = r->in_len = 0;
			r->in_state = IN_DONE;
			return;
		}
		r->in_off += (size_t)w;
	}
}

static void kill_group(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

/* Pump the pipes until EOF; kill QEMU at the deadline (or shortly after
 * the exit line).  Returns 1 if we had to kill it for the timeout. */
static int pump_until_exit(struct run *r, const struct qemu_opts *o, pid_t pid,
			   unsigned timeout_s)
{
	struct pollfd p[P_N] = {
		[P_LOG] = { .fd = r->com1_r, .events = POLLIN },
		[P_CONSOLE] = { .fd = r->com2_r, .events = POLLIN },
		[P_QEMU] = { .fd = r->out_r, .events = POLLIN },
		[P_STDERR] = { .fd = r->com3_r, .events = POLLIN },
		[P_STDIN] = { .fd = -1, .events = POLLIN },     /* when open */
	};
	long long deadline = now_ms() + timeout_s * 1000LL;
	int open_fds = r->com3_r >= 0 ? 4 : 3, killed = 0, timed_out = 0;
	long long killed_at = 0;

	while (open_fds > 0) {
		long long left = deadline - now_ms();

		if (r->sc.status >= 0 && left > GRACE_MS) {
			deadline = now_ms() + GRACE_MS;
			left = GRACE_MS;
		}
		if ((left <= 0 || stop_signal) && !killed) {
			timed_out = r->sc.status < 0 && !stop_signal;
			kill_group(pid);
			killed = 1;
			killed_at = now_ms();
		}
		if (killed && now_ms() - killed_at > 5000)
			break;          /* someone else holds the pipes open */
		stdin_send(r);
		p[P_CONSOLE].events = POLLIN | (r->in_off < r->in_len ? POLLOUT : 0);
		p[P_STDIN].fd = r->in_state == IN_OPEN && r->in_off == r->in_len &&
				p[P_CONSOLE].fd >= 0 && !killed ? 0 : -1;
		if (poll(p, P_N, killed ? 1000 : (int)(left > 1000 ? 1000 : left)) < 0) {
			if (errno == EINTR)
				continue;       /* revents are stale */
			break;
		}
		if (p[P_STDIN].fd >= 0 && p[P_STDIN].revents)
			stdin_read(r);  /* POLLNVAL too: no stdin is an empty one */
		for (int i = 0; i < P_STDIN; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pump(r, o, i, p[i].fd) < 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < P_STDIN; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	if (r->sc.len)
		scan_line_done(&r->sc);         /* an unterminated last line */
	return timed_out;
}

/* ---- results ---------------------------------------------------------------- */

static int saw_triple_fault(const char *dlog)
{
	char buf[65536];
	int fd = open(dlog, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, "Triple fault") != NULL;
}

static void append_tail(const struct scan *s, char *err, size_t errlen)
{
	unsigned first = s->ntail > TAIL_LINES ? s->ntail - TAIL_LINES : 0;
	size_t n = strlen(err);

	if (s->ntail == 0) {
		snprintf(err + n, errlen - n, "\n(the kernel log is empty)");
		return;
	}
	n += snprintf(err + n, errlen - n, "\nlast lines of the kernel log (COM1):");
	for (unsigned i = first; i < s->ntail && n < errlen; i++)
		n += snprintf(err + n, errlen - n, "\n  %s", s->tail[i % TAIL_LINES]);
}

static void explain(struct run *r, int status, int timed_out, unsigned timeout_s,
		    char *err, size_t errlen)
{
	char how[64];

	image_describe_status(status, how, sizeof(how));
	while (r->qemu_out_len && (r->qemu_out[r->qemu_out_len - 1] == '\n' ||
				   r->qemu_out[r->qemu_out_len - 1] == '\r'))
		r->qemu_out[--r->qemu_out_len] = 0;
	if (stop_signal)
		snprintf(err, errlen, "interrupted by signal %d: QEMU killed",
			 (int)stop_signal);
	else if (timed_out)
		snprintf(err, errlen, "timeout after %u s: QEMU killed, no exit status "
			 "from the kernel", timeout_s);
	else if (saw_triple_fault(r->dlog))
		snprintf(err, errlen, "the guest triple-faulted (CPU reset), no exit "
			 "status from the kernel");
	else if (WIFEXITED(status) && (WEXITSTATUS(status) & 1) &&
		 r->sc.ntail && !r->qemu_out_len)
		snprintf(err, errlen, "the kernel left through isa-debug-exit (QEMU %s) "
			 "without printing its exit status", how);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(err, errlen, "QEMU exited without an exit status from the "
			 "kernel: the guest powered off or reset");
	else
		snprintf(err, errlen, "QEMU failed (%s)%s%s", how,
			 r->qemu_out_len ? ": " : "", r->qemu_out);
	append_tail(&r->sc, err, errlen);
}

/* ---- qemu_boot ---------------------------------------------------------------- */

/* ---- the NIC (o->net) ------------------------------------------------------- */

#define NET_OPT_MAX 4096

/* Characters allowed in what goes into a -netdev/-device option: no ','
 * or '=' (QEMU's separators), nothing a shell or QEMU would read twice. */
static int net_word_ok(const char *w, size_t max)
{
	size_t n = strlen(w);

	if (n == 0 || n > max)
		return 0;
	for (; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		      (*w >= '0' && *w <= '9') || *w == '.' || *w == '-' || *w == '_' ||
		      *w == ':'))
			return 0;
	return 1;
}

static int net_user_opt(const struct qemu_net *n, char *buf, size_t len,
			char *err, size_t errlen)
{
	size_t off = (size_t)snprintf(buf, len, "user,id=n0");

	for (size_t i = 0; i < n->nfwd; i++) {
		const struct qemu_portfwd *f = &n->fwd[i];
		const char *host = f->host_addr[0] ? f->host_addr : "127.0.0.1";

		if (!net_word_ok(host, sizeof(f->host_addr) - 1) || strchr(host, ':')) {
			snprintf(err, errlen, "port forward: bad host address '%s'", host);
			return -1;
		}
		off += (size_t)snprintf(buf + off, len - off, ",hostfwd=%s:%s:%u-:%u",
					f->udp ? "udp" : "tcp", host, f->host_port,
					f->guest_port);
		if (off >= len) {
			snprintf(err, errlen, "too many port forwards");
			return -1;
		}
	}
	return 0;
}

/* The -netdev and -device values for o->net; *have = 0 when no NIC. */
static int net_opts(const struct qemu_opts *o, char *netdev, char *device,
		    int *have, char *err, size_t errlen)
{
	const struct qemu_net *n = o->net;

	*have = n && n->mode != QEMU_NET_NONE;
	if (!*have)
		return 0;
	if (n->mode == QEMU_NET_USER) {
		if (net_user_opt(n, netdev, NET_OPT_MAX, err, errlen))
			return -1;
	} else if (n->mode == QEMU_NET_TAP) {
		if (!n->tap_ifname || !net_word_ok(n->tap_ifname, 15) ||
		    strchr(n->tap_ifname, ':')) {
			snprintf(err, errlen, "bad TAP interface name '%s'",
				 n->tap_ifname ? n->tap_ifname : "");
			return -1;
		}
		snprintf(netdev, NET_OPT_MAX, "tap,id=n0,ifname=%s,script=no,downscript=no",
			 n->tap_ifname);
	} else {
		snprintf(err, errlen, "unknown network mode %d", (int)n->mode);
		return -1;
	}
	if (n->mac && (strlen(n->mac) != 17 || !net_word_ok(n->mac, 17))) {
		snprintf(err, errlen, "bad MAC address '%s'", n->mac);
		return -1;
	}
	if (o->machine == QEMU_MICROVM)        /* virtio-mmio, no option ROM */
		snprintf(device, NET_OPT_MAX, "virtio-net-device,netdev=n0%s%s",
			 n->mac ? ",mac=" : "", n->mac ? n->mac : "");
	else
		snprintf(device, NET_OPT_MAX, "virtio-net-pci,netdev=n0,romfile=%s%s",
			 n->mac ? ",mac=" : "", n->mac ? n->mac : "");
	return 0;
}

/* The log's pipe and the console's socketpair, and with want3 the
 * stderr's socketpair (else com3[] = -1).  0, or -1 with nothing open. */
static int serial_pipes(int com1[2], int com2[2], int com3[2], bool want3)
{
	com1[0] = com1[1] = com2[0] = com2[1] = com3[0] = com3[1] = -1;
	if (pipe2(com1, O_CLOEXEC) == 0 &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, com2) == 0 &&
	    (!want3 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, com3) == 0))
		return 0;
	for (int i = 0; i < 2; i++) {
		if (com1[i] >= 0)
			close(com1[i]);
		if (com2[i] >= 0)
			close(com2[i]);
	}
	return -1;
}

/* With run settings (o->stdio): COM3 for the guest's stderr (QEMU's fd 5)
 * and the settings as a fw_cfg file (image.h). */
static int stdio_args(struct run *r, const struct qemu_opts *o, const char **argv,
		      size_t *argc, char *fwcfg, size_t fwcfg_len, char *err,
		      size_t errlen)
{
	if (!o->stdio)
		return 0;
	if (write_run_settings(r, o->stdio, err, errlen))
		return -1;
	if (opt(fwcfg, fwcfg_len, "name=" RUNCFG_FWCFG_NAME ",file=", r->runcfg)) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	argv[(*argc)++] = "-chardev";
	argv[(*argc)++] = "socket,id=stderr,fd=5";
	if (o->machine == QEMU_MICROVM) {       /* COM3 at its usual port */
		argv[(*argc)++] = "-device";
		argv[(*argc)++] = "isa-serial,chardev=stderr,iobase=0x3e8,irq=4";
	} else {
		argv[(*argc)++] = "-serial";    /* the third: COM3 */
		argv[(*argc)++] = "chardev:stderr";
	}
	argv[(*argc)++] = "-fw_cfg";
	argv[(*argc)++] = fwcfg;
	return 0;
}

/* What differs between the machines: the firmware and disk, or the
 * kernel and initrd; the serial ports past COM1; the virtio transport. */
struct machine_args {
	char a[6][2 * PATH_MAX + 96];
};

static int machine_argv(const struct qemu_opts *o, const char *disk, const char *code,
			const struct run *r, const char *role2, struct machine_args *m,
			const char **argv, size_t *argc, char *err, size_t errlen)
{
	char disk_prefix[96];

	if (o->machine == QEMU_MICROVM) {
		snprintf(m->a[3], sizeof m->a[3],
			 "isa-serial,chardev=%s,iobase=0x2f8,irq=3", role2);
		argv[(*argc)++] = "-machine";
		argv[(*argc)++] = "microvm";
		/* QEMU's virtio-mmio transports are legacy (version 1) unless
		   told otherwise; the kernel drives version 2 only */
		argv[(*argc)++] = "-global";
		argv[(*argc)++] = "virtio-mmio.force-legacy=false";
		argv[(*argc)++] = "-kernel";
		argv[(*argc)++] = o->kernel_path;
		argv[(*argc)++] = "-initrd";
		argv[(*argc)++] = o->initrd_path;
		argv[(*argc)++] = "-device";
		argv[(*argc)++] = m->a[3];
		argv[(*argc)++] = "-device";
		argv[(*argc)++] = "virtio-rng-device";
		return 0;
	}
	argv[(*argc)++] = "-machine";
	argv[(*argc)++] = "q35";
	if (opt(m->a[0], sizeof m->a[0], "if=pflash,format=raw,unit=0,readonly=on,file=",
		code) ||
	    opt(m->a[1], sizeof m->a[1], "if=pflash,format=raw,unit=1,file=", r->vars) ||
	    snprintf(disk_prefix, sizeof(disk_prefix), "if=virtio,format=%s,"
		     "file.driver=file,file.filename=",
		     o->disk_format ? o->disk_format : "raw") >= (int)sizeof(disk_prefix) ||
	    opt(m->a[2], sizeof m->a[2], disk_prefix, disk)) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	argv[(*argc)++] = "-drive";
	argv[(*argc)++] = m->a[0];
	argv[(*argc)++] = "-drive";
	argv[(*argc)++] = m->a[1];
	argv[(*argc)++] = "-drive";
	argv[(*argc)++] = m->a[2];
	snprintf(m->a[3], sizeof m->a[3], "chardev:%s", role2);
	argv[(*argc)++] = "-serial";            /* the second: COM2 */
	argv[(*argc)++] = m->a[3];
	argv[(*argc)++] = "-device";
	argv[(*argc)++] = "virtio-rng-pci";
	return 0;
}

/* $WASMETAL_QEMU_PCAP=FILE: QEMU writes every frame of the guest's NIC
 * to FILE (a filter-dump on n0), to see what a network test saw.  An
 * empty buf when unset. */
static int pcap_opt(char *buf, size_t len, char *err, size_t errlen)
{
	const char *path = getenv("WASMETAL_QEMU_PCAP");

	buf[0] = 0;
	if (!path || !*path)
		return 0;
	if (strchr(path, ',') ||
	    (size_t)snprintf(buf, len, "filter-dump,id=pcap,netdev=n0,file=%s", path) >= len) {
		snprintf(err, errlen, "WASMETAL_QEMU_PCAP: a path without ',' and "
			 "shorter than %zu bytes, please", len - 48);
		buf[0] = 0;
		return -1;
	}
	return 0;
}

/* The --disk drives: -drive if=none + a virtio-blk device per disk, its
 * serial saying which grant it is (kernel/disks.c); the device is
 * virtio-blk-device on microvm (virtio-mmio), virtio-blk-pci on q35.
 * Two argv words each; -1 with err if a path does not fit. */
static int disk_args(const struct qemu_opts *o, const char **argv, size_t *argc,
		     char *err, size_t errlen)
{
	static char drive[BUNDLE_MAX_DISKS][PATH_MAX + 128], dev[BUNDLE_MAX_DISKS][96];
	char prefix[128];

	if (o->ndisks > BUNDLE_MAX_DISKS) {
		snprintf(err, errlen, "more than %d disks", BUNDLE_MAX_DISKS);
		return -1;
	}
	for (size_t i = 0; i < o->ndisks; i++) {
		snprintf(prefix, sizeof prefix, "if=none,id=wd%zu,format=raw,%s"
			 "file.driver=file,file.filename=", i,
			 o->disks[i].read_only ? "readonly=on," : "");
		if (opt(drive[i], sizeof drive[i], prefix, o->disks[i].host_path)) {
			snprintf(err, errlen, "path too long");
			return -1;
		}
		snprintf(dev[i], sizeof dev[i], "%s,drive=wd%zu,serial=" BUNDLE_DISK_SERIAL "%zu",
			 o->machine == QEMU_MICROVM ? "virtio-blk-device" : "virtio-blk-pci",
			 i, i);
		argv[(*argc)++] = "-drive";
		argv[(*argc)++] = drive[i];
		argv[(*argc)++] = "-device";
		argv[(*argc)++] = dev[i];
	}
	return 0;
}

static int start_qemu(struct run *r, const struct qemu_opts *o, const char *disk,
		      const char *code, pid_t *pid, char *err, size_t errlen)
{
	char o_fwcfg[2 * PATH_MAX + 64], o_serial1[64], o_pcap[PATH_MAX + 64];
	static char netdev[NET_OPT_MAX], netdevice[NET_OPT_MAX];
	static struct machine_args margs;
	int nic;
	/* the chardevs are named by role: "com1" the log, "com2" the console;
	   the first serial port is the UART COM1 (image.h: console_com1
	   images swap them, as their manifest says) */
	const char *role1 = o->console_com1 ? "com2" : "com1";
	const char *role2 = o->console_com1 ? "com1" : "com2";
	int com1[2], com2[2], com3[2], map[7];  /* com2: both ways */
	struct image_child c;
	int kvm = kvm_usable();
	const char *cpu = getenv("WASMETAL_QEMU_CPU");  /* e.g. qemu64: no RDRAND */
	const char *disp = getenv("WASMETAL_QEMU_DISPLAY");     /* e.g. gtk */
	const char *mon = getenv("WASMETAL_QEMU_MONITOR");      /* a chardev */
	const char *argv[64 + 4 * BUNDLE_MAX_DISKS] = {
		"qemu-system-x86_64", "-nodefaults",
		"-cpu", cpu && *cpu ? cpu : "max", "-m", "1024", "-smp", "1",
		"-accel", kvm ? "kvm" : "tcg",
	};
	size_t argc = 0;

	while (argv[argc])
		argc++;
	snprintf(o_serial1, sizeof o_serial1, "chardev:%s", role1);
	argv[argc++] = "-chardev";
	argv[argc++] = "file,id=com1,path=/dev/fd/3";
	argv[argc++] = "-chardev";
	argv[argc++] = "socket,id=com2,fd=4";
	argv[argc++] = "-serial";
	argv[argc++] = o_serial1;
	if (machine_argv(o, disk, code, r, role2, &margs, argv, &argc, err, errlen))
		return -1;
	argv[argc++] = "-device";
	argv[argc++] = "isa-debug-exit,iobase=0xf4,iosize=0x04";
	argv[argc++] = "-no-reboot";
	argv[argc++] = "-display";
	argv[argc++] = disp && *disp ? disp : "none";
	argv[argc++] = "-monitor";
	argv[argc++] = mon && *mon ? mon : "none";
	argv[argc++] = "-d";
	argv[argc++] = "cpu_reset";
	argv[argc++] = "-D";
	argv[argc++] = r->dlog;                 /* -D: a plain path */
	if (net_opts(o, netdev, netdevice, &nic, err, errlen))
		return -1;
	if (nic) {
		argv[argc++] = "-netdev";
		argv[argc++] = netdev;
		argv[argc++] = "-device";
		argv[argc++] = netdevice;
		if (pcap_opt(o_pcap, sizeof o_pcap, err, errlen))
			return -1;
		if (o_pcap[0]) {
			argv[argc++] = "-object";
			argv[argc++] = o_pcap;
		}
	}
	if (disp && *disp) {
		argv[argc++] = "-device";
		argv[argc++] = "VGA";            /* GOP */
	}
	if (disk_args(o, argv, &argc, err, errlen))
		return -1;
	if (stdio_args(r, o, argv, &argc, o_fwcfg, sizeof o_fwcfg, err, errlen))
		return -1;
	argv[argc] = NULL;

	if (serial_pipes(com1, com2, com3, o->stdio != NULL)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	map[0] = com1[1], map[1] = 3, map[2] = com2[1], map[3] = 4;
	map[4] = com3[1], map[5] = 5, map[6] = -1;     /* com3[1] < 0: the end */
	if (image_spawn(argv, NULL, map, true, &c, err, errlen)) {
		for (int i = 0; i < 2; i++) {
			close(com1[i]), close(com2[i]);
			if (com3[i] >= 0)
				close(com3[i]);
		}
		return -1;
	}
	close(com1[1]);
	close(com2[1]);
	if (com3[1] >= 0)
		close(com3[1]);
	r->com1_r = com1[0];
	r->com2_r = com2[0];
	r->com3_r = com3[0];
	fcntl(r->com2_r, F_SETFL, fcntl(r->com2_r, F_GETFL) | O_NONBLOCK);
	r->out_r = c.out_fd;
	*pid = c.pid;
	return 0;
}

static int boot(struct run *r, const char *disk_path, const struct qemu_opts *o,
		char *err, size_t errlen)
{
	char disk[PATH_MAX];
	const char *code, *vars;
	unsigned timeout_s = o->timeout_s ? o->timeout_s : DEFAULT_TIMEOUT;
	int status = 0, timed_out;
	pid_t pid;

	if (o->machine == QEMU_MICROVM) {      /* no firmware, no disk */
		code = NULL;
		disk[0] = 0;
		if (!o->kernel_path || !o->initrd_path) {
			snprintf(err, errlen, "microvm: no kernel or initrd");
			return -1;
		}
		if (make_tmpdir(r, err, errlen))
			return -1;
	} else {
		if (!realpath(disk_path, disk)) {
			snprintf(err, errlen, "%s: %s", disk_path, strerror(errno));
			return -1;
		}
		if (find_ovmf(&code, &vars, err, errlen) || make_tmpdir(r, err, errlen))
			return -1;
		if (copy_file(vars, r->vars, err, errlen))
			return -1;
	}
	r->log_path = o->log_path ? o->log_path : r->log;
	r->log_fd = open(r->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->log_fd < 0) {
		snprintf(err, errlen, "%s: %s", r->log_path, strerror(errno));
		return -1;
	}
	if (start_qemu(r, o, disk, code, &pid, err, errlen))
		return -1;
	timed_out = pump_until_exit(r, o, pid, timeout_s);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r->sc.status >= 0 && !stop_signal)
		return r->sc.status;
	explain(r, status, timed_out, timeout_s, err, errlen);
	return -1;
}

int qemu_boot(const char *disk_path, const struct qemu_opts *o,
	      char *err, size_t errlen)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction ign = { .sa_handler = SIG_IGN }, on = { .sa_handler = on_stop_signal };
	struct sigaction old_pipe, old_stop[3];
	struct run *r = calloc(1, sizeof(*r));
	int ret, sig;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->log_fd = -1;
	r->com3_r = -1;
	r->con = (struct out_stream){ .fd = o->console_fd, .ok = 1 };
	r->err = (struct out_stream){ .fd = o->stdio ? o->stdio->err_fd : -1, .ok = 1 };
	r->sc.status = -1;
	stop_signal = 0;
	sigaction(SIGPIPE, &ign, &old_pipe);    /* a closed console is not fatal */
	for (int i = 0; i < 3; i++) {            /* keep what is ignored ignored */
		sigaction(stops[i], NULL, &old_stop[i]);
		if (old_stop[i].sa_handler != SIG_IGN)
			sigaction(stops[i], &on, NULL);
	}
	ret = boot(r, disk_path, o, err, errlen);
	if (r->log_fd >= 0)
		close(r->log_fd);
	if (r->dir[0])
		cleanup(r);
	free(r);
	sigaction(SIGPIPE, &old_pipe, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(stops[i], &old_stop[i], NULL);
	sig = stop_signal;
	if (sig)
		raise(sig);             /* default action: we die as asked */
	return ret;
}
