/*
 * image.h — host-side image tools used by the CLI (host/main.c):
 * build a boot bundle, pack it with BOOTX64.EFI and kernel.elf into a GPT
 * disk with a FAT ESP (mtools + sfdisk, no root needed), and boot a disk
 * under QEMU (q35 + OVMF; KVM when usable, TCG otherwise) with a timeout.
 *
 * Serial ports of a booted image:
 *   COM1 (0x3f8) = kernel log: firmware noise, boot timeline, panics, and
 *                  the final "[wasmetal] exit status N" line.
 *   COM2 (0x2f8) = the guest console: the module's stdin and stdout;
 *                  qemu_boot streams it to the CLI's stdout.
 *   COM3 (0x3e8) = the guest's stderr when the run settings (below) say
 *                  so: its fd 2, trap reports, load errors, and the
 *                  kernel's own errors for the user (invalid bundle,
 *                  panic); qemu_boot streams it to the CLI's stderr.
 *                  Without run settings (an image booted by anything but
 *                  `wasmetal run`), all of that goes to the console, so a
 *                  person at a plain VM's one serial port sees it too.
 * The kernel ends every boot through isa-debug-exit (port 0xf4); qemu_boot
 * recovers the exact exit status from the log line.  These are the roles
 * of images the CLI boots itself; an image whose manifest says `console
 * com1` (`wasmetal image` makes those, for plain VMs that show the first
 * port) has the console on COM1 and the log on COM2, and qemu_boot swaps
 * its pipes for it (qemu_opts.console_com1; docs/manifest.md).  Output on
 * the console and on COM3 starts after the loader's (or the kernel's)
 * console mark, BOOT_CONSOLE_MARK; what the firmware wrote before is
 * dropped.  Each stream is a byte stream of its own, in order, nothing
 * lost (the kernel waits for the UART while the CLI does not read, and
 * for the last byte to leave before it stops the machine); the order
 * *between* stdout and stderr is not kept, as between two pipes.
 *
 * Run settings: what `wasmetal run` tells the kernel about the run itself
 * (qemu_opts.stdio), a text in the manifest's syntax (kernel/runcfg.h)
 * handed over as QEMU's fw_cfg file "opt/wasmetal/run"
 * (drivers/fwcfg.h), for a module and a prebuilt image alike:
 *   wasmetal-run 1
 *   stdin terminal|file|other      what the CLI's own fd 0, 1, 2 are
 *   stdout terminal|file|other     (isatty / S_ISREG / anything else), so
 *   stderr terminal|file|other     the guest's fd_fdstat_get says what it
 *                                  would say hosted (wasi.h)
 *   stderr-port com3               the guest's stderr on COM3
 * Why not the manifest: the settings belong to one run, not to the image
 * (`wasmetal run app.img` boots an image as it is, and the same image
 * must behave the same on a plain VM), and one mechanism serves modules
 * and images.  Why a third serial port rather than marks in the console's
 * stream: a plain VM's console (COM1 under `-serial stdio`) stays exactly
 * the program's bytes for the person reading it, no byte of the guest's
 * output has to be escaped, and the back-pressure of the console comes
 * for free; a third UART costs the boot nothing measurable, where a
 * virtio-console would add a PCI device, a driver and its queues.
 *
 * COM2's input is the guest's stdin.  A serial line has no end of file, so
 * the sender marks it in band: IMAGE_CONSOLE_EOF (EOT, ^D) alone means "no
 * more input" (the guest's fd_read returns 0 from then on), and
 * IMAGE_CONSOLE_ESC (DLE, ^P) means "the next byte is data", so any byte
 * value can be sent: qemu_boot sends 0x04 as 10 04 and 0x10 as 10 10, and
 * a lone 04 when its own stdin ends (or is closed).  It starts sending
 * once the loader's console mark has appeared on COM2 (the firmware no
 * longer reads the port then).  A person at a serial terminal types ^D for
 * end of input, as at a Unix terminal.
 */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define IMAGE_CONSOLE_EOF 0x04
#define IMAGE_CONSOLE_ESC 0x10

struct wasi_preopen;
struct wasi_grants;
struct bundle_net;

/* `wasmetal run --disk HOST:GUEST[:ro]`: a host file attached as a
 * virtio-blk drive (qemu_opts.disks, serial BUNDLE_DISK_SERIAL "N" for
 * the Nth), granted to the guest as the file GUEST (image_spec.disks: the
 * manifest's `disk` / `disk-ro` lines, docs/manifest.md "Disks"). */
struct image_disk {
	const char *host_path;
	const char *guest_path;
	bool read_only;                 /* :ro: `disk-ro`, and QEMU's drive
					   read-only (the device offers
					   VIRTIO_BLK_F_RO) */
};

struct image_spec {
	const char *module_path;        /* .wasm file (NULL with spec_path) */
	const char *spec_path;          /* a spec blob (spec/spec_blob.h) the
					   kernel runs instead of a module:
					   `wasmetal spec --qemu`; or NULL */
	int argc;                       /* guest argv, argv[0] included */
	const char *const *argv;
	int envc;                       /* "NAME=VALUE" strings */
	const char *const *envp;
	uint32_t flags;                 /* BUNDLE_FLAG_* */
	size_t npreopens;               /* --dir trees (host/tree.c): fds 3.. */
	const struct wasi_preopen *preopens;
	const char *const *preopen_sources;     /* their host paths, for the
					   manifest's comments; or NULL */
	const struct wasi_grants *grants;       /* network grants
					   (wasi-baremetal/wasi_grant.h):
					   manifest keys tcplisten, addr-pool,
					   allow-resolve; or NULL: none */
	bool console_com1;              /* the guest console on COM1 and the
					   kernel log on COM2 (images for plain
					   VMs: `wasmetal image`); else the
					   CLI's COM2 console + COM1 log */
	const struct bundle_net *net;   /* the manifest's network lines
					   (docs/manifest.md "Network"), or
					   NULL: none (no NIC unless a grant
					   asks for one) */
	uint16_t httpd_port;            /* `kernel-httpd PORT:SIZE`: the kernel
					   serves HTTP instead of running the
					   module (0: no) */
	uint64_t httpd_size;
	bool net_none;                  /* `net none`: no NIC, whatever the
					   grants (--net none) */
	size_t ndisks;                  /* `disk`/`disk-ro` lines */
	const struct image_disk *disks;
	const char *efi_path;           /* BOOTX64.EFI (default: build dir) */
	const char *kernel_path;        /* kernel.elf (default: build dir) */
};

/* Write the boot bundle for spec to out_path.  0 or -1 with err filled. */
int image_bundle_write(const struct image_spec *spec, const char *out_path,
		       char *err, size_t errlen);

/* Build a raw GPT disk image with a FAT ESP at out_path.  0 or -1. */
int image_build(const struct image_spec *spec, const char *out_path,
		char *err, size_t errlen);

/* ---- images read back (images/readback.c) ---- */

/* `--format pvh`: OUT_DIR/kernel.elf + OUT_DIR/initrd (the bundle) for a
 * microVM monitor (images/pvh_out.c).  0 or -1 with err. */
int image_pvh_build(const struct image_spec *spec, const char *out_dir,
		    char *err, size_t errlen);

enum image_format { IMAGE_RAW, IMAGE_QCOW2, IMAGE_VMDK, IMAGE_VHDX };

const char *image_format_name(enum image_format f);     /* "raw", ... */
int image_format_parse(const char *name, enum image_format *f);  /* 0 / -1 */
/* The format of a disk file by its magic (no magic: raw).  0 or -1. */
int image_detect_format(const char *path, enum image_format *f,
			char *err, size_t errlen);
/* qemu-img convert in -> out.  0 or -1. */
int image_convert(const char *in, enum image_format in_fmt, const char *out,
		  enum image_format out_fmt, char *err, size_t errlen);
/* Byte offset of the EFI System partition of a raw GPT disk.  0 or -1. */
int image_esp_offset(const char *disk, uint64_t *offset, char *err, size_t errlen);
/* The boot bundle of a disk image of any of the formats above, read back
 * from its ESP (malloc'd into *buf).  0 or -1. */
int image_read_bundle(const char *disk, uint8_t **buf, size_t *len,
		      char *err, size_t errlen);

/* The NIC `wasmetal run` attaches (qemu_opts.net): none, QEMU's user
 * networking (slirp: no root; the guest is 10.0.2.15 behind a NAT whose
 * gateway 10.0.2.2 is the host's loopback) with port forwards, or a TAP
 * interface that already exists. */
enum qemu_net_mode { QEMU_NET_NONE, QEMU_NET_USER, QEMU_NET_TAP };

struct qemu_portfwd {
	bool udp;                       /* else TCP */
	char host_addr[64];             /* "" = 127.0.0.1 */
	uint16_t host_port, guest_port;
};

/* At most this many default forwards (one per --tcplisten) */
#define QEMU_DEFAULT_FWD_MAX 16

struct qemu_net {
	enum qemu_net_mode mode;
	const char *tap_ifname;         /* QEMU_NET_TAP */
	size_t nfwd;                    /* QEMU_NET_USER: -p forwards */
	const struct qemu_portfwd *fwd;
	const char *mac;                /* "52:54:00:..." or NULL (QEMU's) */
};

/* `wasmetal run`'s own streams: the run settings (above). */
struct qemu_stdio {
	int err_fd;                     /* where COM3, the guest's stderr,
					   goes: usually 2 */
	uint8_t kind[3];                /* our fds 0-2: enum wasi_stdio_kind
					   (wasi.h; host: plat_host_stdio_kind) */
};

/* The run settings' text for s into buf: its length, or -1 if a kind is
 * unknown or buf is too small. */
int image_run_settings(const struct qemu_stdio *s, char *buf, size_t len);

/* The machine QEMU emulates: q35 + OVMF booting the disk (the UEFI
 * loader), or microvm booting kernel.elf + initrd directly (PVH, no
 * firmware; kernel/pvh_entry.S). */
enum qemu_machine { QEMU_Q35, QEMU_MICROVM };

struct qemu_opts {
	unsigned timeout_s;             /* whole run, firmware included */
	enum qemu_machine machine;
	const char *kernel_path;        /* QEMU_MICROVM: kernel.elf */
	const char *initrd_path;        /* QEMU_MICROVM: the bundle */
	const char *log_path;           /* where COM1 goes (NULL: a temp file) */
	bool verbose;                   /* echo the kernel log to stderr */
	int console_fd;                 /* where the console goes; usually 1 */
	const char *disk_format;        /* QEMU's format= (NULL: raw) */
	bool console_com1;              /* the image's console is COM1 and its
					   log COM2 (its manifest says so) */
	const struct qemu_net *net;     /* NULL: no NIC */
	size_t ndisks;                  /* --disk drives, in manifest order */
	const struct image_disk *disks;
	const struct qemu_stdio *stdio; /* the run settings, COM3 to
					   stdio->err_fd; NULL: none (stderr
					   on the console; the guest sees
					   terminals) */
};

/* Boot disk_path (QEMU_MICROVM: o->kernel_path + o->initrd_path, and
 * disk_path is NULL).  Returns the guest's exit status (0..255), or -1 if the
 * boot failed (timeout, crash, no exit line) with err saying what happened
 * and the last lines of the kernel log. */
int qemu_boot(const char *disk_path, const struct qemu_opts *o,
	      char *err, size_t errlen);

#endif
