/*
 * runcfg.h — the run settings: what `wasmetal run` tells the kernel about
 * the run itself, beside the image it boots (images/image.h, "Run
 * settings"): whether the guest's stderr has a serial port of its own
 * (COM3), and what the CLI's stdin, stdout and stderr are, so that the
 * guest sees them as it would hosted (wasi.h enum wasi_stdio_kind).  The
 * CLI passes them as QEMU's fw_cfg file RUNCFG_FWCFG_NAME
 * (drivers/fwcfg.h); an image booted any other way has none, and gets
 * the defaults: stderr on the console, every stream a terminal (the
 * serial console is a character device).
 */
#ifndef KERNEL_RUNCFG_H
#define KERNEL_RUNCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUNCFG_FWCFG_NAME "opt/wasmetal/run"
#define RUNCFG_MAX 4096         /* bytes of text */

struct runcfg {
	bool stderr_com3;       /* `stderr-port com3` */
	uint8_t stdio[3];       /* `stdin`, `stdout`, `stderr`: enum
				   wasi_stdio_kind (0 = terminal) */
};

/* Parse the text (manifest syntax, images/parse/manifest.c):
 *
 *   wasmetal-run 1                     first, exactly once
 *   stdin terminal|file|other          each key at most once, all optional
 *   stdout terminal|file|other
 *   stderr terminal|file|other
 *   stderr-port com3|console
 *
 * 0 with *rc filled (defaults for what is not said), or -EINVAL with *why
 * and *line (1-based) saying what is wrong; unknown keys are errors. */
int runcfg_parse(const char *text, size_t len, struct runcfg *rc,
		 unsigned *line, const char **why);

/* "terminal", "file" or "other" (log lines). */
const char *runcfg_kind_name(uint8_t kind);

#endif
