/*
 * oob_store.c — C writing through a wild pointer beyond the end of linear
 * memory (3 GiB, far past the few pages a small program has).  Expected:
 * "out of bounds memory access" with function index and offset, non-zero
 * exit status, after the first line reached stdout.
 */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uintptr_t addr = 0xc0000000u;

	printf("about to write out of bounds\n");
	fflush(stdout);
	*(volatile int *)addr = 42;
	printf("still alive?\n");
	return 0;
}
