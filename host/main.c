/*
 * main.c — the wasmetal command line (build/wasmetal), DESIGN.md "The
 * command line":
 *
 *   wasmetal run [--hosted] [OPTIONS] MODULE.wasm|ARTIFACT.wmo|IMAGE.img [ARGS...]
 *       --hosted: jit/ + wasi-baremetal/ in this Linux process (host/);
 *       otherwise: build a disk image in a temporary directory and boot it
 *       under QEMU (images/), the guest console on our stdout.
 *       IMAGE: a disk from `wasmetal image` (raw, qcow2, vmdk, vhdx by
 *       magic), booted as it is: its manifest says where its console is.
 *       --backend llvm: MODULE compiled on the host (through the artifact
 *       cache, host/aot.c), its artifact run hosted or booted in the
 *       bundle; --backend single: booted, the same with the single-pass
 *       JIT's artifact (hosted it is compiled at load as without it);
 *       --cpu: the CPU features that code is for (default host)
 *   wasmetal image [OPTIONS] MODULE.wasm|ARTIFACT.wmo -o OUT
 *       [--format raw|qcow2|vmdk|vhdx] [--backend single|llvm] [--cpu C]
 *       [ARGS...]: a disk for plain VMs (console on COM1,
 *       docs/manifest.md); --backend: the module compiled now for --cpu
 *       (default baseline: the image runs on any x86-64), the image
 *       carries the artifact (docs/artifact.md)
 *   wasmetal inspect MODULE.wasm|IMAGE   (host/inspect.c)
 *   wasmetal compile MODULE.wasm -o OUT.wmo [--backend single|llvm] [--cpu C]
 *       (host/compile.c: an artifact, docs/artifact.md; `run
 *       --allow-precompiled OUT.wmo` loads it; run and image refuse an
 *       artifact without that flag)
 *   wasmetal spec [-v] [--qemu] FILE.json...   (host/spec.c: the spec
 *       testsuite, hosted or in one QEMU boot)
 *
 * --dir HOST[::GUEST] (host/tree.c) reads the host directory now: hosted,
 * the trees go to wasi_run_module; for QEMU, into the image's bundle.
 * The network grants --tcplisten, --addr-pool and --allow-resolve
 * (host/grant_opts.c, wasi-baremetal/wasi_grant.h) go the same ways:
 * into the wasi_config hosted, into the manifest for QEMU and images.
 *
 * The network (QEMU runs; docs/manifest.md "Network"): -p and --net say
 * how QEMU attaches a NIC (images/image.h struct qemu_net); --ip,
 * --gateway, --dns and --kernel-httpd go into the manifest.  A run that
 * attaches a NIC writes `net dhcp` (or `net static` with --ip) so the
 * kernel brings the network up.
 *
 * As with wasmtime, everything after MODULE belongs to the guest, and the
 * guest's argv[0] is MODULE as given.  The guest sees only the environment
 * given with --env, never ours.  Exit status: the guest's (0..125), 134
 * on a trap, 1 for a proc_exit status outside 0..125 (wasi_run.c), 125
 * when wasmetal itself failed (bad module, image or boot failure), 2 on
 * usage errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "artifact.h"
#include "readfile.h"
#include "bundle.h"
#include "compile.h"
#include "disk_opts.h"
#include "grant_opts.h"
#include "parse/bundle_parse.h"     /* struct bundle_net */
#include "image.h"
#include "aot.h"
#include "tmpdir.h"
#include "inspect.h"
#include "jit.h"
#include "plat_host.h"
#include "spec.h"
#include "tree.h"
#include "wasi.h"

/* WASMETAL_VERSION: jit/artifact.h (artifacts record it) */
#define EXIT_USAGE 2
#define EXIT_INTERNAL 125       /* as wasmtime/docker: the runner failed */

enum cmd { CMD_RUN, CMD_IMAGE, CMD_INSPECT };

struct opts {
	enum cmd cmd;
	bool hosted, verbose;
	bool allow_precompiled;         /* --allow-precompiled: run/image take .wmo */
	unsigned timeout_s;             /* 0: none */
	const char *log_path;
	const char *out_path;           /* image -o */
	const char *format;             /* image --format */
	const char *backend;            /* --backend: run or put in the image an
					   artifact of this backend */
	const char *cpu_arg;            /* --cpu, as given (with --backend) */
	unsigned cpu;                   /* JIT_CPU_* that artifact is for */
	int nenv;
	const char **env;
	int ndirs;
	const char **dirs;              /* --dir HOST[::GUEST], as given */
	struct wasi_grants grants;      /* --tcplisten, --addr-pool,
					   --allow-resolve (arrays owned) */
	const char *module;
	int guest_argc;                 /* argv[0] = module */
	const char **guest_argv;
	struct qemu_net net;            /* -p, --net: QEMU's NIC */
	struct qemu_portfwd *fwd;
	bool net_given;                 /* --net said how */
	struct bundle_net bnet;         /* --ip, --gateway, --dns: the manifest's */
	bool static_ip;
	enum qemu_machine machine;      /* run --machine (default_machine()) */
	bool machine_given;
	uint16_t httpd_port;            /* --kernel-httpd PORT:SIZE */
	uint64_t httpd_size;
	size_t ndisks;                  /* run --disk HOST::GUEST[:ro] */
	struct image_disk disks[BUNDLE_MAX_DISKS];
};

static const char usage_text[] =
"usage: wasmetal run [--hosted] [OPTIONS] MODULE.wasm|ARTIFACT.wmo|IMAGE [ARGS...]\n"
"       wasmetal image [OPTIONS] MODULE.wasm|ARTIFACT.wmo -o OUT [--format FORMAT]\n"
"                      [--backend single|llvm [--cpu CPU]] [-- ARGS...]\n"
"       wasmetal inspect MODULE.wasm|IMAGE\n"
"       wasmetal compile MODULE.wasm -o OUT.wmo [--backend single|llvm]\n"
"                        [--cpu CPU]\n"
"       wasmetal spec [-v] [--qemu] FILE.json...   (wasmetal spec --help)\n"
"       wasmetal --help | --version\n"
"\n"
"run      boot MODULE under QEMU (its console on stdout) and exit with its\n"
"         exit status; with --hosted, run it in this process instead.\n"
"         IMAGE (from 'wasmetal image', any FORMAT) boots as it is.\n"
"image    write a bootable GPT disk image (UEFI x86-64) running MODULE;\n"
"         it boots on plain QEMU/VMs, its output on the first serial port.\n"
"inspect  print a module's imports, exports and memories; for an image,\n"
"         also its manifest and files.\n"
"compile  compile MODULE ahead of time into an artifact (.wmo), by default\n"
"         for this CPU (--cpu); 'run --hosted --allow-precompiled OUT.wmo'\n"
"         runs it without compiling.  An artifact is native code: run only\n"
"         artifacts you built (docs/artifact.md).\n"
"\n"
"options:\n"
"  --hosted             run in this Linux process (no QEMU)\n"
"  --dir HOST[::GUEST]  preopen a copy of directory HOST as GUEST (default:\n"
"                       HOST as given; repeatable; fds 3, 4, ...).  Writes\n"
"                       stay in memory: the host directory is never changed\n"
"  --env NAME=VALUE     set a guest environment variable (repeatable);\n"
"                       the guest sees no other environment\n"
"  --tcplisten ADDR:PORT  give the guest a listening TCP socket: an fd after\n"
"                       the --dir ones ([ADDR]:PORT for IPv6; repeatable)\n"
"  --addr-pool CIDR[:PORT[-PORT]]  let the guest open sockets and bind,\n"
"                       connect and send to these addresses (and ports)\n"
"                       only; repeatable or comma-separated; without it,\n"
"                       the guest opens no socket of its own\n"
"  --allow-resolve NAME  let the guest look NAME up (*.example.com: every\n"
"                       name below example.com; *: every name)\n"
"  --timeout SECONDS    stop the run after SECONDS (QEMU boots: firmware included;\n"
"                       --backend's compile comes first and is not counted)\n"
"  --allow-precompiled  run, image: accept an artifact (.wmo: native code from\n"
"                       'wasmetal compile'); without it an artifact is\n"
"                       refused, whatever its name\n"
"  --verbose            echo the kernel log (QEMU) or the runtime log\n"
"                       (--hosted) to stderr\n"
"  --log FILE           keep the kernel log (serial COM1) in FILE\n"
"  --disk HOST::GUEST[:ro]  run: attach the host file HOST (whole 512-byte\n"
"                       sectors) as a virtio-blk disk, seen by the guest as\n"
"                       the file GUEST of the disk's size (its directory a\n"
"                       preopen); writes go to HOST (:ro: refused, EROFS);\n"
"                       repeatable, at most 8\n"
"  --machine microvm|q35  run: QEMU's machine.  microvm (the default, or\n"
"                       $WASMETAL_MACHINE): no firmware, the kernel starts\n"
"                       directly (PVH) with the bundle as its initrd, in a\n"
"                       fraction of the time; q35: UEFI firmware (OVMF) boots\n"
"                       a disk image, as a cloud VM does.  An IMAGE always\n"
"                       boots on q35\n"
"  -p [HOSTADDR:]HOSTPORT:GUESTPORT[/udp]\n"
"                       forward a host port (HOSTADDR default 127.0.0.1) to\n"
"                       the guest; implies --net user (repeatable)\n"
"  --net user|tap:IFNAME|none\n"
"                       the guest's NIC: QEMU user networking (no root), an\n"
"                       existing TAP interface, or none (the default)\n"
"  --ip A.B.C.D/N       a static IPv4 address instead of DHCP (IPv6: SLAAC)\n"
"  --gateway A.B.C.D    with --ip: the default route\n"
"  --dns ADDR           a DNS server instead of DHCP's (at most 2)\n"
"  --kernel-httpd PORT:SIZE\n"
"                       benchmark/test aid: the kernel itself serves SIZE\n"
"                       bytes over HTTP on PORT instead of running MODULE,\n"
"                       until GET /exit\n"
"  -o FILE              image: output file\n"
"  --format FORMAT      image: raw (default), qcow2, vmdk or vhdx (qemu-img),\n"
"                       or pvh: OUT is a directory with kernel.elf + initrd\n"
"                       for a microVM monitor (QEMU -M microvm, Firecracker)\n"
"  --backend single|llvm  run, image: compile MODULE ahead of time; image puts\n"
"                       the artifact in the image, which boots without\n"
"                       compiling.  llvm: the optimizing backend (slow to\n"
"                       compile, fast code; the plugin libwasmetal-llvm.so,\n"
"                       or $WASMETAL_LLVM_PLUGIN); run keeps its artifacts\n"
"                       in a cache, so the next run starts at once:\n"
"                       ~/.cache/wasmetal/aot, $WASMETAL_AOT_CACHE=DIR|off\n"
"                       (docs/artifact.md)\n"
"  --cpu host|baseline|FEATURE,...  with --backend: the x86-64 CPU the code\n"
"                       is for; a CPU lacking one of its features refuses\n"
"                       it.  baseline: SSE2 only, runs on any x86-64 (the\n"
"                       default of image: images run on other machines,\n"
"                       and plain QEMU's default CPU lacks SSE4.1 and\n"
"                       POPCNT); host: this CPU's features (the default of\n"
"                       run and compile); or a list of\n"
"                       " COMPILE_CPU_NAMES " (single: only features this\n"
"                       CPU has)\n"
"\n"
"Everything after MODULE is passed to the guest; its argv[0] is MODULE.\n"
"Exit status: the guest's (0..125); 134 if it trapped; 125 if wasmetal failed;\n"
"1 if the guest exited with a status outside 0..125 (as Wasmtime).\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "wasmetal: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'wasmetal --help'.\n");
	exit(EXIT_USAGE);
}

/* The value of option argv[*i] ("--opt VALUE" or "--opt=VALUE"). */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc)
		usage_error("option %s needs a value", name);
	return argv[++*i];
}

static bool opt_is(const char *a, const char *name)
{
	size_t n = strlen(name);

	return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static void add_env(struct opts *o, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		usage_error("--env wants NAME=VALUE, got '%s'", kv);
	o->env[o->nenv++] = kv;
}

static void add_grant(struct opts *o, const char *opt, const char *value)
{
	char err[512];

	if (grant_opt_add(&o->grants, opt, value, err, sizeof err))
		usage_error("%s", err);
}

static void add_disk(struct opts *o, const char *value)
{
	char err[PATH_MAX + 256];

	if (disk_opt_add(o->disks, &o->ndisks, value, err, sizeof err))
		usage_error("%s", err);
}

static unsigned parse_timeout(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 86400 * 365 || s[0] == '-')
		usage_error("--timeout wants a positive number of seconds, got '%s'", s);
	return (unsigned)v;
}

/* Image options that may also follow MODULE (before the guest's args). */
static bool parse_image_opt(struct opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "-o") == 0 || opt_is(a, "--output")) {
		o->out_path = opt_value(argc, argv, i, a[1] == 'o' ? "-o" : "--output");
		return true;
	}
	if (opt_is(a, "--format")) {
		o->format = opt_value(argc, argv, i, "--format");
		return true;
	}
	if (opt_is(a, "--backend")) {
		o->backend = opt_value(argc, argv, i, "--backend");
		return true;
	}
	return false;
}

/* ---- network options ---------------------------------------------------------- */

static unsigned long parse_num(const char *s, size_t n, unsigned long max, bool *ok)
{
	unsigned long v = 0;

	*ok = n > 0 && n <= 20;
	for (size_t k = 0; k < n && *ok; k++) {
		if (s[k] < '0' || s[k] > '9' || v > (max - (unsigned long)(s[k] - '0')) / 10)
			*ok = false;
		else
			v = v * 10 + (unsigned long)(s[k] - '0');
	}
	return v;
}

static uint16_t parse_port(const char *s, size_t n, const char *what, const char *arg)
{
	bool ok;
	unsigned long v = parse_num(s, n, 65535, &ok);

	if (!ok || v == 0)
		usage_error(what, arg);
	return (uint16_t)v;
}

/* -p [HOSTADDR:]HOSTPORT:GUESTPORT[/udp|/tcp] */
static void add_portfwd(struct opts *o, const char *arg)
{
	static const char bad[] = "-p wants [HOSTADDR:]HOSTPORT:GUESTPORT[/udp], got '%s'";
	struct qemu_portfwd *f = &o->fwd[o->net.nfwd];
	const char *slash = strchr(arg, '/'), *end = slash ? slash : arg + strlen(arg);
	const char *c2 = NULL, *c1 = NULL;

	for (const char *p = arg; p < end; p++)
		if (*p == ':') {
			c1 = c2;
			c2 = p;
		}
	if (!c2 || (slash && strcmp(slash, "/udp") && strcmp(slash, "/tcp")))
		usage_error(bad, arg);
	memset(f, 0, sizeof *f);
	f->udp = slash && !strcmp(slash, "/udp");
	if (c1) {
		size_t n = (size_t)(c1 - arg);
		struct in_addr a;
		char host[sizeof f->host_addr];

		if (n == 0 || n >= sizeof host)
			usage_error(bad, arg);
		memcpy(host, arg, n);
		host[n] = 0;
		if (inet_pton(AF_INET, host, &a) != 1)
			usage_error("-p: the host address must be IPv4 (A.B.C.D), got '%s'", arg);
		memcpy(f->host_addr, host, n + 1);
	}
	f->host_port = parse_port(c1 ? c1 + 1 : arg, (size_t)(c2 - (c1 ? c1 + 1 : arg)), bad, arg);
	f->guest_port = parse_port(c2 + 1, (size_t)(end - c2 - 1), bad, arg);
	o->net.nfwd++;
	o->net.fwd = o->fwd;
}

static void set_net(struct opts *o, const char *v)
{
	o->net_given = true;
	if (!strcmp(v, "user"))
		o->net.mode = QEMU_NET_USER;
	else if (!strcmp(v, "none"))
		o->net.mode = QEMU_NET_NONE;
	else if (!strncmp(v, "tap:", 4) && v[4]) {
		o->net.mode = QEMU_NET_TAP;
		o->net.tap_ifname = v + 4;
	} else
		usage_error("--net wants user, tap:IFNAME or none, got '%s'", v);
}

static void set_ip(struct opts *o, const char *v)
{
	const char *slash = strchr(v, '/');
	char a[INET_ADDRSTRLEN];
	bool ok;
	unsigned long prefix;

	if (!slash || (size_t)(slash - v) >= sizeof a)
		usage_error("--ip wants A.B.C.D/N, got '%s'", v);
	memcpy(a, v, (size_t)(slash - v));
	a[slash - v] = 0;
	prefix = parse_num(slash + 1, strlen(slash + 1), 32, &ok);
	if (!ok || inet_pton(AF_INET, a, o->bnet.addr) != 1)
		usage_error("--ip wants A.B.C.D/N, got '%s'", v);
	o->bnet.prefix = (uint8_t)prefix;
	o->static_ip = true;
}

static void add_dns(struct opts *o, const char *v)
{
	unsigned i = o->bnet.ndns;

	if (i >= BUNDLE_MAX_DNS)
		usage_error("at most 2 --dns servers (got '%s' too)", v);
	if (inet_pton(AF_INET, v, o->bnet.dns[i]) == 1)
		o->bnet.dns_family[i] = 4;
	else if (inet_pton(AF_INET6, v, o->bnet.dns[i]) == 1)
		o->bnet.dns_family[i] = 6;
	else
		usage_error("--dns wants an IPv4 or IPv6 address, got '%s'", v);
	o->bnet.ndns++;
}

static void set_httpd(struct opts *o, const char *v)
{
	const char *colon = strchr(v, ':');
	bool ok;

	if (!colon)
		usage_error("--kernel-httpd wants PORT:SIZE, got '%s'", v);
	o->httpd_port = parse_port(v, (size_t)(colon - v), "--kernel-httpd wants PORT:SIZE, got '%s'", v);
	o->httpd_size = parse_num(colon + 1, strlen(colon + 1), 256ul << 20, &ok);
	if (!ok)
		usage_error("--kernel-httpd: SIZE is 0..268435456 bytes, got '%s'", v);
}

/* The network options, as separate branches of parse_opt. */
static bool parse_net_opt(struct opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-p") || opt_is(a, "--publish"))
		add_portfwd(o, opt_value(argc, argv, i, a[1] == 'p' ? "-p" : "--publish"));
	else if (opt_is(a, "--net"))
		set_net(o, opt_value(argc, argv, i, "--net"));
	else if (opt_is(a, "--ip"))
		set_ip(o, opt_value(argc, argv, i, "--ip"));
	else if (opt_is(a, "--gateway")) {
		const char *v = opt_value(argc, argv, i, "--gateway");

		if (inet_pton(AF_INET, v, o->bnet.gateway) != 1)
			usage_error("--gateway wants A.B.C.D, got '%s'", v);
	} else if (opt_is(a, "--dns"))
		add_dns(o, opt_value(argc, argv, i, "--dns"));
	else if (opt_is(a, "--kernel-httpd"))
		set_httpd(o, opt_value(argc, argv, i, "--kernel-httpd"));
	else
		return false;
	return true;
}

/* A run that needs the network and did not say how gets QEMU's user
 * networking, and without -p one forward per TCP listener granted, on
 * 127.0.0.1 at the same port (issue 7: `-p` "one per listener by
 * default").  ports[0..n) are the listeners' ports. */
static void default_nic(struct opts *o, bool wanted, const uint16_t *ports, size_t n)
{
	if (!wanted || o->net_given || o->hosted)
		return;
	o->net.mode = QEMU_NET_USER;
	for (size_t i = 0; !o->net.nfwd && i < n && i < QEMU_DEFAULT_FWD_MAX; i++)
		o->fwd[i] = (struct qemu_portfwd){ .host_port = ports[i],
						   .guest_port = ports[i] };
	if (!o->net.nfwd && n) {
		o->net.nfwd = n < QEMU_DEFAULT_FWD_MAX ? n : QEMU_DEFAULT_FWD_MAX;
		o->net.fwd = o->fwd;
	}
}

/* After parsing: -p means user networking; the settings agree. */
static void check_net_opts(struct opts *o)
{
	bool gw = o->bnet.gateway[0] | o->bnet.gateway[1] | o->bnet.gateway[2] |
		  o->bnet.gateway[3];

	if (o->net.nfwd && !o->net_given)
		o->net.mode = QEMU_NET_USER;
	if (o->net.nfwd && o->net.mode != QEMU_NET_USER)
		usage_error("%s", "-p forwards ports of --net user only");
	if (gw && !o->static_ip)
		usage_error("%s", "--gateway goes with --ip");
	if (o->hosted && (o->net.nfwd || o->net_given || o->static_ip || o->bnet.ndns ||
			  o->httpd_port))
		usage_error("%s", "-p, --net, --ip, --dns and --kernel-httpd are for QEMU "
			    "runs and images (--hosted uses the host's network)");
	if (o->hosted && o->machine_given)
		usage_error("%s", "--machine is for QEMU runs (not --hosted)");
	if (o->hosted && o->ndisks)
		usage_error("%s", "--disk is for QEMU runs (not --hosted)");
	if (o->cmd == CMD_RUN) {
		uint16_t ports[QEMU_DEFAULT_FWD_MAX];
		size_t n = 0;

		for (size_t i = 0; i < o->grants.nlisten && n < QEMU_DEFAULT_FWD_MAX; i++)
			ports[n++] = o->grants.listen[i].port;
		default_nic(o, wasi_grants_any(&o->grants) || o->static_ip ||
			    o->bnet.ndns || o->httpd_port, ports, n);
	}
}

/* The manifest's network settings, or NULL when the kernel needs none. */
static const struct bundle_net *manifest_net(struct opts *o)
{
	bool nic = (o->cmd == CMD_RUN && o->net.mode != QEMU_NET_NONE) ||
		   o->static_ip || o->bnet.ndns || o->httpd_port;

	if (!nic || (o->net_given && o->net.mode == QEMU_NET_NONE))
		return NULL;
	o->bnet.nic = true;
	o->bnet.dhcp = !o->static_ip;
	return &o->bnet;
}

static void parse_machine(struct opts *o, const char *v)
{
	if (!strcmp(v, "q35"))
		o->machine = QEMU_Q35;
	else if (!strcmp(v, "microvm"))
		o->machine = QEMU_MICROVM;
	else
		usage_error("--machine wants q35 or microvm, got '%s'", v);
	o->machine_given = true;
}

/* run's machine without --machine: $WASMETAL_MACHINE (so that a whole
 * test suite can be run on either, tests/README.md), else microvm: a
 * boot without firmware takes a fraction of OVMF's time (issue 11). */
static enum qemu_machine default_machine(void)
{
	const char *v = getenv("WASMETAL_MACHINE");

	if (!v || !*v || !strcmp(v, "microvm"))
		return QEMU_MICROVM;
	if (!strcmp(v, "q35"))
		return QEMU_Q35;
	usage_error("WASMETAL_MACHINE wants q35 or microvm, got '%s'", v);
	return QEMU_MICROVM;
}

static void parse_opt(struct opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (o->cmd == CMD_RUN && strcmp(a, "--hosted") == 0)
		o->hosted = true;
	else if (opt_is(a, "--env"))
		add_env(o, opt_value(argc, argv, i, "--env"));
	else if (opt_is(a, "--dir"))
		o->dirs[o->ndirs++] = opt_value(argc, argv, i, "--dir");
	else if (opt_is(a, "--tcplisten"))
		add_grant(o, "--tcplisten", opt_value(argc, argv, i, "--tcplisten"));
	else if (opt_is(a, "--addr-pool"))
		add_grant(o, "--addr-pool", opt_value(argc, argv, i, "--addr-pool"));
	else if (opt_is(a, "--allow-resolve"))
		add_grant(o, "--allow-resolve", opt_value(argc, argv, i, "--allow-resolve"));
	else if (opt_is(a, "--timeout"))
		o->timeout_s = parse_timeout(opt_value(argc, argv, i, "--timeout"));
	else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
		o->verbose = true;
	else if (strcmp(a, "--allow-precompiled") == 0)
		o->allow_precompiled = true;
	else if (opt_is(a, "--log"))
		o->log_path = opt_value(argc, argv, i, "--log");
	else if (o->cmd == CMD_RUN && opt_is(a, "--disk"))
		add_disk(o, opt_value(argc, argv, i, "--disk"));
	else if (o->cmd == CMD_RUN && opt_is(a, "--machine"))
		parse_machine(o, opt_value(argc, argv, i, "--machine"));
	else if (opt_is(a, "--backend"))
		o->backend = opt_value(argc, argv, i, "--backend");
	else if (opt_is(a, "--cpu"))
		o->cpu_arg = opt_value(argc, argv, i, "--cpu");
	else if (o->cmd == CMD_IMAGE && parse_image_opt(o, argc, argv, i))
		;
	else if (parse_net_opt(o, argc, argv, i))
		;
	else
		usage_error("unknown option '%s'", a);
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	int i = 2;

	o->env = calloc((size_t)argc, sizeof(*o->env));
	o->dirs = calloc((size_t)argc, sizeof(*o->dirs));
	o->guest_argv = calloc((size_t)argc + 1, sizeof(*o->guest_argv));
	/* -p forwards, or one per --tcplisten (each takes 2 argv words) */
	o->fwd = calloc((size_t)argc + QEMU_DEFAULT_FWD_MAX, sizeof(*o->fwd));
	if (!o->env || !o->dirs || !o->guest_argv || !o->fwd) {
		fprintf(stderr, "wasmetal: out of memory\n");
		exit(EXIT_INTERNAL);
	}
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		parse_opt(o, argc, argv, &i);
	}
	if (i >= argc)
		usage_error("%s: missing MODULE", argv[1]);
	o->module = argv[i++];
	/* image: options may follow MODULE too, up to "--" or the first
	 * argument (run: everything after MODULE is the guest's) */
	for (; o->cmd == CMD_IMAGE && i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		parse_opt(o, argc, argv, &i);
	}
	o->guest_argv[o->guest_argc++] = o->module;
	while (i < argc)
		o->guest_argv[o->guest_argc++] = argv[i++];
	check_net_opts(o);
}

/* What PATH starts with: a module ("\0asm"), an artifact (its magic), or
 * something else (an image, or a file that cannot be read: the caller
 * reports the open error when it reads it). */
enum file_kind { FILE_OTHER, FILE_WASM, FILE_ARTIFACT };

static enum file_kind file_kind(const char *path)
{
	uint8_t magic[8] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return FILE_OTHER;
	n = fread(magic, 1, sizeof magic, f);
	fclose(f);
	if (jit_artifact_is(magic, n))
		return FILE_ARTIFACT;
	return n >= 4 && memcmp(magic, "\0asm", 4) == 0 ? FILE_WASM : FILE_OTHER;
}

/* An artifact is native code (docs/artifact.md): taken only when the user
 * says so, never because a file that looks like a module starts with the
 * artifact magic.  Says why and returns false when it is refused. */
static bool artifact_allowed(const struct opts *o)
{
	if (o->allow_precompiled)
		return true;
	fprintf(stderr, "wasmetal: %s is a precompiled artifact (native code, not a "
		"sandboxed module): pass --allow-precompiled to run it, and only for "
		"artifacts you built\n", o->module);
	return false;
}

static void on_alarm(int sig)
{
	static const char msg[] = "wasmetal: timeout: the module ran too long\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);

	(void)r;
	_exit(EXIT_INTERNAL);
}

/* The --dir trees, read now. */
struct trees {
	size_t n;
	struct host_tree *t;
	struct wasi_preopen *preopens;  /* copies of t[i].preopen */
	const char **sources;           /* host paths */
};

static void trees_free(struct trees *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		host_tree_free(&tr->t[i]);
	free(tr->t);
	free(tr->preopens);
	free(tr->sources);
	memset(tr, 0, sizeof(*tr));
}

static int trees_read(const struct opts *o, struct trees *tr)
{
	char err[PATH_MAX + 256];
	char *host, *guest;

	memset(tr, 0, sizeof(*tr));
	tr->t = calloc((size_t)o->ndirs + 1, sizeof(*tr->t));
	tr->preopens = calloc((size_t)o->ndirs + 1, sizeof(*tr->preopens));
	tr->sources = calloc((size_t)o->ndirs + 1, sizeof(*tr->sources));
	if (!tr->t || !tr->preopens || !tr->sources) {
		fprintf(stderr, "wasmetal: out of memory\n");
		trees_free(tr);
		return -1;
	}
	for (int i = 0; i < o->ndirs; i++) {
		if (host_dir_arg(o->dirs[i], &host, &guest, err, sizeof(err)))
			usage_error("%s", err);
		if (host_tree_read(host, guest, &tr->t[tr->n], err, sizeof(err))) {
			fprintf(stderr, "wasmetal: %s\n", err);
			free(host);
			free(guest);
			trees_free(tr);
			return -1;
		}
		free(host);
		free(guest);
		tr->preopens[tr->n] = tr->t[tr->n].preopen;
		tr->sources[tr->n] = tr->t[tr->n].host_path;
		tr->n++;
	}
	return 0;
}

/* run --hosted --backend B MODULE (B not single): *wasm becomes its
 * artifact, from the cache or compiled now, run below as `run
 * --allow-precompiled` would; single-pass compiles at load as always.
 * Done before the clock of --timeout starts, as a QEMU run compiles
 * before it boots: the time limit is the module's, and a compile it cut
 * short would never reach the cache.  0 or an exit status. */
static int hosted_aot(const struct opts *o, uint8_t **wasm, size_t *len)
{
	/* an artifact by its magic, whatever its name (docs/artifact.md) */
	if (jit_artifact_is(*wasm, *len))
		usage_error("%s is already an artifact: --backend is for a .wasm", o->module);
	if (!strcmp(o->backend, "single"))      /* compiled at load, for o->cpu */
		return compile_cpu_single(o->cpu);
	free(*wasm);
	return compile_to_memory(o->module, o->backend, o->cpu, AOT_CACHE, wasm, len);
}

static int run_hosted(const struct opts *o)
{
	struct wasi_config cfg = {
		.argc = o->guest_argc, .argv = o->guest_argv,
		.envc = o->nenv, .envp = o->env, .grants = o->grants,
	};
	struct trees tr;
	size_t len;
	uint8_t *wasm = host_read_file(o->module, &len);
	bool ours = o->backend && strcmp(o->backend, "single");  /* our artifact */
	int status;

	if (!wasm) {
		fprintf(stderr, "wasmetal: cannot read %s: %s\n", o->module, strerror(errno));
		return EXIT_INTERNAL;
	}
	if (o->backend && (status = hosted_aot(o, &wasm, &len))) {
		free(wasm);
		return status;
	}
	if (trees_read(o, &tr)) {
		free(wasm);
		return EXIT_INTERNAL;
	}
	cfg.npreopens = tr.n;
	cfg.preopens = tr.preopens;
	for (int fd = 0; fd < 3; fd++)          /* isatty() true on terminals only */
		cfg.stdio[fd] = (uint8_t)plat_host_stdio_kind(fd);
	if (o->timeout_s) {
		signal(SIGALRM, on_alarm);
		alarm(o->timeout_s);
	}
	fflush(stdout);
	if (ours)
		status = wasi_run_artifact(wasm, len, &cfg);
	else if (jit_artifact_is(wasm, len))
		status = artifact_allowed(o) ? wasi_run_artifact(wasm, len, &cfg)
					     : EXIT_INTERNAL;
	else
		status = wasi_run_module(wasm, len, &cfg);
	free(wasm);
	trees_free(&tr);
	return status;
}

static void fill_spec(struct opts *o, const struct trees *tr,
		      struct image_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->module_path = o->module;
	spec->argc = o->guest_argc;
	spec->argv = o->guest_argv;
	spec->envc = o->nenv;
	spec->envp = o->env;
	spec->flags = o->verbose ? BUNDLE_FLAG_VERBOSE : 0;
	spec->npreopens = tr->n;
	spec->preopens = tr->preopens;
	spec->preopen_sources = tr->sources;
	spec->grants = &o->grants;
	spec->net = manifest_net(o);
	spec->net_none = o->net_given && o->net.mode == QEMU_NET_NONE;
	spec->httpd_port = o->httpd_port;
	spec->httpd_size = o->httpd_size;
	spec->ndisks = o->ndisks;
	spec->disks = o->disks;
}

#ifndef WASMETAL_BUILD_DIR
#define WASMETAL_BUILD_DIR "build"
#endif

/* Boot disk (q35), or kernel + initrd (microvm: disk is NULL). */
static int boot_vm(const struct opts *o, const char *disk, const char *format,
		   bool console_com1, const char *kernel, const char *initrd)
{
	struct qemu_stdio io = { .err_fd = 2 };  /* stderr apart, kinds told */
	struct qemu_opts q = {
		.timeout_s = o->timeout_s, .log_path = o->log_path,
		.machine = disk ? QEMU_Q35 : QEMU_MICROVM,
		.kernel_path = kernel, .initrd_path = initrd,
		.verbose = o->verbose, .console_fd = 1,
		.disk_format = format, .console_com1 = console_com1,
		.net = o->net.mode != QEMU_NET_NONE ? &o->net : NULL,
		.ndisks = o->ndisks, .disks = o->disks,
		.stdio = &io,
	};
	char err[4096] = "";
	int status;

	for (int fd = 0; fd < 3; fd++)
		io.kind[fd] = (uint8_t)plat_host_stdio_kind(fd);
	fflush(stdout);
	status = qemu_boot(disk, &q, err, sizeof(err));
	if (status < 0) {
		fprintf(stderr, "wasmetal: boot failed: %s\n", err[0] ? err : "(no detail)");
		return EXIT_INTERNAL;
	}
	return status;
}

/* An existing image: its format by magic, its console from its manifest. */
static int run_image(struct opts *o)
{
	struct image_info info;
	char err[4096] = "";

	if (o->guest_argc > 1 || o->nenv || o->ndirs || wasi_grants_any(&o->grants) ||
	    o->static_ip || o->bnet.ndns || o->httpd_port || o->ndisks)
		usage_error("%s is a disk image: its arguments, environment, "
			    "directories, grants, disks and network settings were fixed by "
			    "'wasmetal image' (-p and --net still choose the NIC)", o->module);
	if (image_info_read(o->module, &info, err, sizeof(err))) {
		fprintf(stderr, "wasmetal: %s\n", err);
		return EXIT_INTERNAL;
	}
	default_nic(o, info.nic, info.listen_ports, info.nlisten);
	if (o->machine_given && o->machine == QEMU_MICROVM)
		usage_error("%s is a disk image: it boots with UEFI firmware "
			    "(--machine q35); for microvm, make it with 'wasmetal image "
			    "--format pvh'", o->module);
	return boot_vm(o, o->module, image_format_name(info.format),
		       info.console_com1, NULL, NULL);
}

/* The disk image (q35) or the initrd (microvm) from spec, in dir, then
 * the boot.  tr is freed before booting (the image has the trees). */
static int build_and_boot(const struct opts *o, const struct image_spec *spec,
			  struct trees *tr, const char *dir)
{
	char err[4096] = "", path[PATH_MAX];
	const char *kernel = spec->kernel_path ? spec->kernel_path
					       : WASMETAL_BUILD_DIR "/kernel.elf";
	int r;

	if (o->machine == QEMU_MICROVM) {
		snprintf(path, sizeof(path), "%s/initrd", dir);
		r = image_bundle_write(spec, path, err, sizeof(err));
	} else {
		snprintf(path, sizeof(path), "%s/disk.img", dir);
		r = image_build(spec, path, err, sizeof(err));
	}
	if (r < 0) {
		fprintf(stderr, "wasmetal: cannot build the %s: %s\n",
			o->machine == QEMU_MICROVM ? "initrd" : "image", err);
		return EXIT_INTERNAL;
	}
	trees_free(tr);
	if (o->machine == QEMU_MICROVM)
		return boot_vm(o, NULL, NULL, false, kernel, path);
	return boot_vm(o, path, NULL, false, NULL, NULL);
}

static int run_qemu(struct opts *o)
{
	struct image_spec spec;
	struct trees tr;
	char wmo[PATH_MAX];
	char *dir;
	enum file_kind kind;
	int status;

	if (access(o->module, R_OK) != 0) {
		fprintf(stderr, "wasmetal: cannot read %s: %s\n", o->module, strerror(errno));
		return EXIT_INTERNAL;
	}
	/* a module or an artifact (docs/artifact.md) goes into the bundle */
	kind = file_kind(o->module);
	if (kind == FILE_ARTIFACT && !artifact_allowed(o))
		return EXIT_INTERNAL;
	if (kind == FILE_OTHER && o->backend)
		usage_error("%s is not a module: --backend is for a .wasm", o->module);
	if (kind == FILE_OTHER)
		return run_image(o);
	if (kind == FILE_ARTIFACT && o->backend)
		usage_error("%s is already an artifact: --backend is for a .wasm", o->module);
	if (trees_read(o, &tr))
		return EXIT_INTERNAL;
	dir = tmpdir_make("wasmetal");
	if (!dir) {
		fprintf(stderr, "wasmetal: cannot create a temporary directory: %s\n",
			strerror(errno));
		trees_free(&tr);
		return EXIT_INTERNAL;
	}
	snprintf(wmo, sizeof(wmo), "%s/module.wmo", dir);
	fill_spec(o, &tr, &spec);
	/* --backend: the bundle carries the artifact (argv[0] stays MODULE) */
	if (o->backend && (status = compile_backend(o->module, wmo, o->backend, o->cpu,
						   AOT_CACHE))) {
		trees_free(&tr);
		tmpdir_remove(dir);
		return status;
	}
	if (o->backend)
		spec.module_path = wmo;
	status = build_and_boot(o, &spec, &tr, dir);
	trees_free(&tr);
	tmpdir_remove(dir);
	return status;
}

/* Build raw into a temporary file, then let qemu-img convert it. */
static int build_converted(const struct image_spec *spec, const char *out,
			   enum image_format fmt, char *err, size_t errlen)
{
	char disk[PATH_MAX];
	char *dir = tmpdir_make("wasmetal");
	int r;

	if (!dir) {
		snprintf(err, errlen, "cannot create a temporary directory: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(disk, sizeof(disk), "%s/disk.img", dir);
	r = image_build(spec, disk, err, errlen);
	if (!r)
		r = image_convert(disk, IMAGE_RAW, out, fmt, err, errlen);
	tmpdir_remove(dir);
	return r;
}

static int cmd_image(struct opts *o)
{
	struct image_spec spec;
	enum image_format fmt = IMAGE_RAW;
	struct trees tr;
	char err[4096] = "", wmo[PATH_MAX];
	char *wmo_dir = NULL;
	int r;
	enum file_kind kind;

	if (!o->out_path)
		usage_error("%s", "image: missing -o OUT.img");
	if (o->format && strcmp(o->format, "pvh") &&
	    image_format_parse(o->format, &fmt))
		usage_error("unknown --format '%s' (raw, qcow2, vmdk, vhdx, pvh)",
			    o->format);
	if (access(o->module, R_OK) != 0) {
		fprintf(stderr, "wasmetal: cannot read %s: %s\n", o->module, strerror(errno));
		return EXIT_INTERNAL;
	}
	kind = file_kind(o->module);
	if (kind == FILE_OTHER) {
		fprintf(stderr, "wasmetal: %s is not a WebAssembly module or an artifact\n",
			o->module);
		return EXIT_INTERNAL;
	}
	if (o->backend && kind == FILE_ARTIFACT)
		usage_error("%s is already an artifact: --backend is for a .wasm", o->module);
	if (kind == FILE_ARTIFACT && !artifact_allowed(o))
		return EXIT_INTERNAL;
	/* --backend: compiled here, the image carries the artifact */
	if (o->backend && !(wmo_dir = tmpdir_make("wasmetal"))) {
		fprintf(stderr, "wasmetal: cannot create a temporary directory: %s\n",
			strerror(errno));
		return EXIT_INTERNAL;
	}
	if (wmo_dir) {
		snprintf(wmo, sizeof wmo, "%s/module.wmo", wmo_dir);
		if ((r = compile_backend(o->module, wmo, o->backend, o->cpu, AOT_CACHE))) {
			tmpdir_remove(wmo_dir);
			return r;
		}
	}
	if (trees_read(o, &tr)) {
		if (wmo_dir)
			tmpdir_remove(wmo_dir);
		return EXIT_INTERNAL;
	}
	fill_spec(o, &tr, &spec);
	spec.console_com1 = true;
	if (wmo_dir)
		spec.module_path = wmo;         /* argv[0] stays MODULE as given */
	if (o->format && !strcmp(o->format, "pvh"))
		r = image_pvh_build(&spec, o->out_path, err, sizeof(err));
	else if (fmt == IMAGE_RAW)
		r = image_build(&spec, o->out_path, err, sizeof(err));
	else
		r = build_converted(&spec, o->out_path, fmt, err, sizeof(err));
	trees_free(&tr);
	if (wmo_dir)
		tmpdir_remove(wmo_dir);
	if (r < 0) {
		fprintf(stderr, "wasmetal: cannot build the image: %s\n", err);
		return EXIT_INTERNAL;
	}
	return 0;
}

/* --cpu, and the defaults: an image is made to run on other machines,
 * so its code is for any x86-64 (baseline); a run's is for this CPU, as
 * the code it would compile at load is (docs/artifact.md "Choosing the
 * CPU"). */
static void parse_cpu(struct opts *o)
{
	if (o->cpu_arg && !o->backend)
		usage_error("%s", "--cpu is for --backend (code compiled ahead of time)");
	o->cpu = o->cmd == CMD_IMAGE ? 0 : jit_cpu_features();
	if (o->cpu_arg && compile_cpu_parse(o->cpu_arg, &o->cpu))
		usage_error("--cpu wants host, baseline or a list of " COMPILE_CPU_NAMES
			    ", got '%s'", o->cpu_arg);
}

static void opts_free(struct opts *o)
{
	free(o->env);
	free(o->dirs);
	free(o->guest_argv);
	free(o->fwd);
	grant_opts_free(&o->grants);
	disk_opts_free(o->disks, o->ndisks);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int status;

	plat_host_init();
	if (argc < 2)
		usage_error("%s", "missing command (run, image, inspect, compile, spec)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("wasmetal %s\n", WASMETAL_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "spec"))
		return spec_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compile"))
		return compile_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inspect")) {
		if (argc != 3 || argv[2][0] == '-')
			usage_error("%s", "usage: wasmetal inspect MODULE.wasm|IMAGE");
		return inspect_main(argv[2]) ? EXIT_INTERNAL : 0;
	}
	if (!strcmp(argv[1], "run"))
		o.cmd = CMD_RUN;
	else if (!strcmp(argv[1], "image"))
		o.cmd = CMD_IMAGE;
	else
		usage_error("unknown command '%s' (run, image, inspect, compile, spec)", argv[1]);
	parse_args(&o, argc, argv);
	if (o.backend && strcmp(o.backend, "single") && strcmp(o.backend, "llvm"))
		usage_error("unknown --backend '%s' (single, llvm)", o.backend);
	parse_cpu(&o);
	if (o.cmd == CMD_RUN && !o.hosted && !o.machine_given)
		o.machine = default_machine();
	if (o.cmd == CMD_IMAGE) {
		status = cmd_image(&o);
	} else {
		plat_host_set_verbose(o.verbose);
		status = o.hosted ? run_hosted(&o) : run_qemu(&o);
	}
	opts_free(&o);          /* so that LeakSanitizer sees no leak (SAN=1) */
	return status;
}
