/*
 * spec.h — `wasmetal spec FILE.json...`: the WebAssembly spec testsuite
 * runner's command line (host/spec.c: JSON loading, --qemu, --truncate).
 * The executor itself and the "spectest" module are portable, in spec/.
 */
#ifndef HOST_SPEC_H
#define HOST_SPEC_H

/* The `spec` subcommand; argv[0] is "spec".  Exit status 0 when every
 * command of every file passed, 1 when some failed, 2 on usage errors
 * (--qemu: the kernel's status; 125 when the boot itself failed). */
int spec_main(int argc, char **argv);

#endif
