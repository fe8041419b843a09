/*
 * serial.h — the two 16550 UARTs (images/image.h): COM1 = kernel log,
 * COM2 = guest console.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stddef.h>

#define SERIAL_COM1 0x3f8
#define SERIAL_COM2 0x2f8

void serial_init(void);
/* Write len bytes.  COM1 (the log, read by people) turns "\n" into
 * "\r\n"; COM2 carries the guest's stdout/stderr byte for byte, because
 * qemu_boot streams it to the CLI's stdout and tests compare it exactly.
 * Polled; no locks (one CPU, interrupts off); safe in trap handlers. */
void serial_write(unsigned port, const void *buf, size_t len);
void serial_puts(unsigned port, const char *s);

#endif
