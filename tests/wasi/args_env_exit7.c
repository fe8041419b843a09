/*
 * args_env_exit7.c — prints argc, every argv entry and every environment
 * entry in order, then exits with status 7 (proc_exit).  Run with the same
 * args/env under node's WASI and wasmetal; stdout and status must match.
 */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	int n = 0;
	for (char **e = environ; *e; e++, n++)
		printf("env[%d]=%s\n", n, *e);
	printf("envc=%d\n", n);
	fflush(stdout);
	exit(7);
}
