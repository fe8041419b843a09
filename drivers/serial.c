/*
 * serial.c — polled driver for the 16550A UART (National Semiconductor
 * PC16550D data sheet: registers at base+0..7, DLAB in LCR bit 7, THRE in
 * LSR bit 5).  115200 8N1, FIFOs on, no interrupts.  A port that is absent
 * reads back 0xff; we then drop its output instead of spinning forever.
 */
#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"
#include "serial.h"

#define UART_THR 0              /* transmit holding (DLAB=0) */
#define UART_DLL 0              /* divisor low (DLAB=1) */
#define UART_IER 1              /* interrupt enable (DLAB=0) */
#define UART_DLM 1              /* divisor high (DLAB=1) */
#define UART_FCR 2              /* FIFO control */
#define   FCR_ENABLE   0x01
#define   FCR_CLEAR    0x06
#define UART_LCR 3              /* line control */
#define   LCR_8N1      0x03
#define   LCR_DLAB     0x80
#define UART_MCR 4              /* modem control */
#define   MCR_DTR_RTS  0x03
#define   MCR_OUT2     0x08
#define UART_LSR 5              /* line status */
#define   LSR_THRE     0x20

#define UART_SPIN_MAX 100000    /* polls before a byte is dropped */

static bool uart_present[2];
static bool uart_crlf[2] = { true, false };

static int uart_slot(unsigned port)
{
	return port == SERIAL_COM2 ? 1 : 0;
}

static void uart_init(unsigned port)
{
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, 1);               /* 115200 baud */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE | FCR_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	uart_present[uart_slot(port)] = inb(port + UART_LSR) != 0xff;
}

void serial_init(void)
{
	uart_init(SERIAL_COM1);
	uart_init(SERIAL_COM2);
}

static void uart_putc(unsigned port, uint8_t c)
{
	for (int i = 0; i < UART_SPIN_MAX; i++) {
		if (inb(port + UART_LSR) & LSR_THRE) {
			outb(port + UART_THR, c);
			return;
		}
		cpu_relax();
	}
}

void serial_write(unsigned port, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!uart_present[uart_slot(port)])
		return;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' && uart_crlf[uart_slot(port)])
			uart_putc(port, '\r');
		uart_putc(port, p[i]);
	}
}

void serial_puts(unsigned port, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	serial_write(port, s, n);
}
