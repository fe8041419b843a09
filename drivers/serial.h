/*
 * serial.h — the two 16550 UARTs (images/image.h): COM1 = kernel log,
 * COM2 = guest console.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#define SERIAL_COM1 0x3f8
#define SERIAL_COM2 0x2f8

/* SERIAL_COM1 and SERIAL_COM2 as arguments below name roles, the log and
 * the console; by default each is the UART of that name, and the boot
 * bundle's manifest may move them (docs/manifest.md: `console com1` puts
 * the console on COM1 for plain VMs): serial_route, before serial_init,
 * with the UARTs' I/O bases (0: the role is silenced). */
void serial_route(unsigned log_uart, unsigned console_uart);
void serial_init(void);
/* Write len bytes.  COM1 (the log, read by people) turns "\n" into
 * "\r\n"; COM2 carries the guest's stdout/stderr byte for byte, because
 * qemu_boot streams it to the CLI's stdout and tests compare it exactly.
 * The log drops a byte when the UART stays busy too long; the console
 * waits for room as long as it takes (no byte of the guest's output is
 * lost when its reader is slow).
 * Polled; no locks (one CPU; interrupts are on only in the idle wait,
 * where nothing writes); safe in trap handlers. */
void serial_write(unsigned port, const void *buf, size_t len);
void serial_puts(unsigned port, const char *s);
/* Whether the UART answered at serial_init. */
bool serial_present(unsigned port);
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
