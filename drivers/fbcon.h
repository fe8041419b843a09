/*
 * fbcon.h — a text console drawn on the UEFI GOP framebuffer
 * (boot/boot_info.h struct boot_framebuffer), with a PSF1/PSF2 bitmap
 * font linked in at build time (the Makefile takes it from Debian's
 * console-setup-linux; it is never in the tree).  The guest's stdout and
 * stderr and the kernel's panics go to the serial console and, when
 * fbcon_init succeeded, here too.
 */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot_info.h"

/* Map the framebuffer (after vmm_init; uses the heap), parse the font,
 * clear the screen.  0, or -ENODEV (no framebuffer), -ENOTSUP (not 32
 * bpp, or too small for one character), -EINVAL (bad font), -ENOMEM.
 * Until it succeeds, fbcon_write does nothing. */
int fbcon_init(const struct boot_framebuffer *fb);

/* Draw len bytes of UTF-8 text: \n (new line, also back to column 0),
 * \r, \t (to the next multiple of 8), \b (one column left), line wrap and
 * scrolling; other control bytes and ANSI escape sequences are skipped.
 * `bright` draws in white instead of light grey (stderr, panics).  Safe in
 * fault and panic paths: it never allocates, and a fault inside it turns
 * the console off instead of recursing. */
void fbcon_write(const void *buf, size_t len, bool bright);

/* Whether fbcon_init succeeded (and no fault turned the console off). */
bool fbcon_active(void);

#endif
