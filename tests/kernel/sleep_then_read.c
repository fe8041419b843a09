/*
 * sleep_then_read.c — a guest for tests/kernel/idle.sh: sleeps argv[1]
 * seconds (poll_oneoff on a clock: the kernel must wake at the deadline
 * from its timer interrupt, having idled in hlt meanwhile), then waits up
 * to 60 s in poll_oneoff for stdin and reads it to the end (the console
 * UART's interrupt must wake it when input arrives, long before the
 * timeout).  Prints what it saw; exit status 0, or 1 on an error.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1, t0 = now(), t1;
	struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char buf[256];
	size_t got = 0;
	ssize_t n;

	if (nanosleep(&ts, NULL))
		return perror("nanosleep"), 1;
	t1 = now();
	printf("slept %s\n", t1 - t0 >= secs ? "at least as asked" : "TOO SHORT");
	fflush(stdout);
	if (poll(&p, 1, 60000) != 1)
		return printf("poll: no input within 60 s\n"), 1;
	printf("input after %s\n", now() - t1 < 50 ? "less than 50 s" : "the timeout");
	while ((n = read(0, buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0)
		return perror("read"), 1;
	buf[got] = 0;
	printf("read %zu bytes: %s", got, buf);
	return 0;
}
