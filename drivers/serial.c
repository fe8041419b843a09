/*
 * serial.c — polled driver for the 16550A UART (National Semiconductor
 * PC16550D data sheet: registers at base+0..7, DLAB in LCR bit 7, THRE in
 * LSR bit 5; receive: RBR at base+0, data ready in LSR bit 0, from the
 * 16-byte RX FIFO).  115200 8N1, FIFOs on.  Reception is polled (the
 * sender waits while the FIFO is full: QEMU does, a real line would
 * overrun); serial_rx_irq_enable turns on the "received data available"
 * interrupt (IER bit 0) only so that the idle loop wakes up when input
 * arrives: its handler does nothing, the reader polls as before.  A port
 * that is absent reads back 0xff; we then drop its output, and it has no
 * input, instead of spinning forever (the stderr role, absent, writes to
 * the console instead: drivers/serial.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu.h"
#include "serial.h"

#define UART_THR 0              /* transmit holding (DLAB=0) */
#define UART_RBR 0              /* receive buffer (DLAB=0, read) */
#define UART_DLL 0              /* divisor low (DLAB=1) */
#define UART_IER 1              /* interrupt enable (DLAB=0) */
#define   IER_RX_DATA  0x01     /* received data available */
#define UART_DLM 1              /* divisor high (DLAB=1) */
#define UART_FCR 2              /* FIFO control */
#define   FCR_ENABLE   0x01
#define   FCR_CLEAR_RX 0x02
#define   FCR_CLEAR_TX 0x04
#define UART_IIR 2              /* interrupt identification (read) */
#define   IIR_FIFOS    0xc0     /* both bits: FIFOs enabled */
#define UART_LCR 3              /* line control */
#define   LCR_8N1      0x03
#define   LCR_DLAB     0x80
#define UART_MCR 4              /* modem control */
#define   MCR_DTR_RTS  0x03
#define   MCR_OUT2     0x08
#define UART_LSR 5              /* line status */
#define   LSR_DR       0x01     /* a received byte is waiting */
#define   LSR_THRE     0x20
#define   LSR_TEMT     0x40     /* holding and shift registers empty */

/* Polls for room before a byte of the log is dropped (a wedged UART must
 * not stop the kernel over a log line).  The console never drops: its
 * bytes are the guest's stdout/stderr, and an emulated UART is only busy
 * while its host side does not read (QEMU's chardev is full: the CLI's
 * stdout is a pipe nobody drains yet).  Waiting is then what a write to a
 * full pipe does; dropping after a fixed number of polls lost bytes
 * whenever the reader paused for more than a few ms of guest time
 * (tests/kernel/console.sh, console/backpressure_no_loss). */
#define UART_SPIN_MAX 100000

/* Roles, by slot: 0 the log, 1 the console, 2 the guest's stderr. */
static bool uart_present[3];
/* Bytes the transmitter takes after one poll: THRE set with FIFOs on
 * means the 16-byte transmit FIFO is empty (16550D data sheet, LSR bit
 * 5), so up to 16 bytes go in after one poll instead of one each.  Under
 * QEMU's TCG every port access is a trip through the device model: this
 * about halves the log's cost (kernel/boottime.h "log output"). */
#define UART_FIFO_LEN 16
static unsigned uart_burst[3];          /* 1, or UART_FIFO_LEN with FIFOs */
static const bool uart_crlf[3] = { true, false, false };
/* The UART behind each role (serial_route); 0 = none. */
static unsigned uart_base[3] = { SERIAL_COM1, SERIAL_COM2, 0 };

static int uart_slot(unsigned port)
{
	return port == SERIAL_COM3 ? 2 : port == SERIAL_COM2 ? 1 : 0;
}

/* The stderr role without a UART of its own writes to the console. */
static int out_slot(unsigned port)
{
	int slot = uart_slot(port);

	return slot == 2 && !uart_present[2] ? 1 : slot;
}

void serial_route(unsigned log_uart, unsigned console_uart, unsigned err_uart)
{
	uart_base[0] = log_uart;
	uart_base[1] = console_uart;
	uart_base[2] = err_uart;
}

static void uart_init(unsigned role)
{
	unsigned port = uart_base[uart_slot(role)];

	if (!port)
		return;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, 1);               /* 115200 baud */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, LCR_8N1);
	/* Keep what COM2 already received: the CLI starts sending the
	 * guest's stdin when the loader's console mark appears, which can be
	 * before we get here (the FIFOs survive as long as FCR_ENABLE stays
	 * set, as the firmware left it). */
	outb(port + UART_FCR, FCR_ENABLE | FCR_CLEAR_TX |
	     (role == SERIAL_COM2 ? 0 : FCR_CLEAR_RX));
	outb(port + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	uart_present[uart_slot(role)] = inb(port + UART_LSR) != 0xff;
	/* IIR bits 7:6 = 11: FIFOs enabled (a 16550A, not an 8250/16450) */
	uart_burst[uart_slot(role)] = (inb(port + UART_IIR) & IIR_FIFOS) == IIR_FIFOS ?
				      UART_FIFO_LEN : 1;
}

void serial_init(void)
{
	uart_init(SERIAL_COM1);
	uart_init(SERIAL_COM2);
	uart_init(SERIAL_COM3);
}

/* Wait until the transmitter is empty; false if it stays busy (only
 * when !forever: the log gives up, the console waits as long as it
 * takes). */
static bool uart_wait_empty(unsigned port, bool forever)
{
	for (int polls = 0; !(inb(port + UART_LSR) & LSR_THRE); cpu_relax())
		if (!forever && ++polls >= UART_SPIN_MAX)
			return false;
	return true;
}

static uint64_t irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
	return flags;
}

static void irq_restore(uint64_t flags)
{
	if (flags & (1u << 9))                  /* IF */
		__asm__ volatile("sti" ::: "memory");
}

/* Up to `burst` bytes (a '\n' as "\r\n" where the role wants it) after
 * one empty transmitter, with interrupts off from the check to the last
 * byte: a log line from an interrupt handler must not fill the FIFO in
 * between.  The wait itself runs with interrupts as they were.  1 with
 * *sent bytes of p sent, 0 to try again (a handler wrote meanwhile), -1
 * the log's UART stayed busy (the rest is dropped). */
static int uart_burst_out(int slot, unsigned base, const uint8_t *p, size_t n,
			  bool console, bool *cr_pending, size_t *sent)
{
	unsigned room = uart_burst[slot] ? uart_burst[slot] : 1;
	uint64_t flags;
	size_t i = 0;

	if (!uart_wait_empty(base, console))
		return -1;
	flags = irq_save();
	if (!(inb(base + UART_LSR) & LSR_THRE)) {
		irq_restore(flags);
		return 0;
	}
	for (; i < n && room; room--) {
		if (p[i] == '\n' && uart_crlf[slot] && !*cr_pending) {
			outb(base + UART_THR, '\r');
			*cr_pending = true;
			continue;
		}
		outb(base + UART_THR, p[i++]);
		*cr_pending = false;
	}
	irq_restore(flags);
	*sent = i;
	return 1;
}

void serial_write(unsigned port, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int slot = out_slot(port);
	unsigned base = uart_base[slot];
	bool console = slot != 0;       /* the guest's bytes: never dropped */
	bool cr_pending = false;        /* the '\r' of p[0]'s "\r\n" is out */

	if (!uart_present[slot])
		return;
	while (len) {
		size_t sent = 0;
		int r = uart_burst_out(slot, base, p, len, console, &cr_pending, &sent);

		if (r < 0)
			return;
		p += sent;
		len -= sent;
	}
}

void serial_puts(unsigned port, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	serial_write(port, s, n);
}

bool serial_present(unsigned port)
{
	return uart_present[uart_slot(port)];
}

/* Until the last byte has left the shift register (TEMT): QEMU sets it
 * only once its chardev took the byte, so bytes written just before
 * isa-debug-exit are not lost with the machine.  The log is not waited
 * for longer than a write of it would be. */
void serial_drain(unsigned port)
{
	int slot = out_slot(port);
	unsigned base = uart_base[slot];

	if (!uart_present[slot])
		return;
	for (int polls = 0; !(inb(base + UART_LSR) & LSR_TEMT); cpu_relax())
		if (slot == 0 && ++polls >= UART_SPIN_MAX)
			return;
}

int serial_getc(unsigned port)
{
	unsigned base = uart_base[uart_slot(port)];

	if (!uart_present[uart_slot(port)] || !(inb(base + UART_LSR) & LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}

/* ISA IRQs of the standard ports (IBM PC/AT): COM1 4, COM2 3. */
int serial_isa_irq(unsigned port)
{
	unsigned base = uart_base[uart_slot(port)];

	if (!uart_present[uart_slot(port)])
		return -1;
	return base == SERIAL_COM1 ? 4 : base == SERIAL_COM2 ? 3 : -1;
}

void serial_rx_irq_enable(unsigned port)
{
	if (uart_present[uart_slot(port)])
		outb(uart_base[uart_slot(port)] + UART_IER, IER_RX_DATA);
}
