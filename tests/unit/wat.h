/*
 * wat.h — WAT text to a binary module for the unit tests, with wabt's
 * wat2wasm (--debug-names, so traps show function names) in a private
 * directory the test made.
 */
#ifndef TESTS_WAT_H
#define TESTS_WAT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "readfile.h"

/* The module's bytes (malloc'd) and their number in *len; NULL (and a
 * message with the text) if wat2wasm failed.  flags: more wat2wasm
 * options, e.g. "--enable-extended-const" ("" for none). */
static inline uint8_t *wat_assemble_flags(const char *dir, const char *flags,
					  const char *text, size_t *len)
{
	char in[256], out[256], cmd[600];
	FILE *f;

	snprintf(in, sizeof in, "%s/m.wat", dir);
	snprintf(out, sizeof out, "%s/m.wasm", dir);
	if (!(f = fopen(in, "w")))
		return NULL;
	fputs(text, f);
	fclose(f);
	unlink(out);
	snprintf(cmd, sizeof cmd, "wat2wasm --debug-names %s -o %s %s", flags, out, in);
	if (system(cmd) != 0) {
		fprintf(stderr, "wat2wasm failed on:\n%s\n", text);
		return NULL;
	}
	return host_read_file(out, len);
}

static inline uint8_t *wat_assemble(const char *dir, const char *text, size_t *len)
{
	return wat_assemble_flags(dir, "", text, len);
}

#endif
