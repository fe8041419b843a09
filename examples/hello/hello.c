/*
 * hello.c — the bundled example (`make run` boots it under QEMU): a WASI
 * command that greets and prints its arguments.
 *
 *   wasmetal run build/examples/hello.wasm one two
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from WebAssembly on wasmetal!\n");
	printf("No operating system underneath: this module was compiled to x86-64\n"
	       "by wasmetal's JIT and its WASI calls are served by the wasmetal runtime.\n");
	printf("argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
