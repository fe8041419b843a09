/*
 * serial.h — the 16550 UARTs (images/image.h): COM1 = kernel log, COM2 =
 * guest console, and COM3 = the guest's stderr when `wasmetal run` asks
 * for it (its run settings, drivers/fwcfg.h), else the console.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#define SERIAL_COM1 0x3f8
#define SERIAL_COM2 0x2f8
#define SERIAL_COM3 0x3e8

/* SERIAL_COM1, SERIAL_COM2 and SERIAL_COM3 as arguments below name roles:
 * the log, the console, and the guest's stderr.  serial_route, before
 * serial_init, puts a UART (its I/O base) behind each: by default the log
 * on COM1, the console on COM2 and no UART for stderr; the boot bundle's
 * manifest may swap the first two (docs/manifest.md: `console com1` for
 * plain VMs), the run settings of `wasmetal run` give stderr COM3.  0: the
 * role has no UART (the log and the console are silenced; stderr goes to
 * the console, as it does when its UART is absent). */
void serial_route(unsigned log_uart, unsigned console_uart, unsigned err_uart);
void serial_init(void);
/* Write len bytes.  COM1 (the log, read by people) turns "\n" into
 * "\r\n"; the console and stderr carry the guest's bytes unchanged,
 * because qemu_boot streams them to the CLI's stdout and stderr and tests
 * compare them exactly.  The log drops a byte when the UART stays busy too
 * long; the console and stderr wait for room as long as it takes (no byte
 * of the guest's output is lost when its reader is slow).
 * Polled; no locks (one CPU; interrupts are on only in the idle wait,
 * where nothing writes); safe in trap handlers. */
void serial_write(unsigned port, const void *buf, size_t len);
void serial_puts(unsigned port, const char *s);
/* Whether the UART behind the role answered at serial_init (for
 * SERIAL_COM3: whether stderr has a port of its own). */
bool serial_present(unsigned port);
/* Wait until every byte written to the role has left its UART (kernel
 * shutdown: before the machine stops). */
void serial_drain(unsigned port);
/* The next received byte (0..255), or -1 if none is waiting (or the port
 * is absent).  Never waits. */
int serial_getc(unsigned port);
/* The ISA IRQ line of the UART behind a role, or -1 (absent, or not a
 * standard port). */
int serial_isa_irq(unsigned port);
/* Raise the UART's interrupt when a byte is received (to wake the idle
 * loop; reading stays polled). */
void serial_rx_irq_enable(unsigned port);

#endif
