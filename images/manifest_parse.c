/*
 * manifest_parse.c — the kernel's manifest lexer (kernel/manifest.c) in
 * the CLI; see images/bundle_parse.c.
 */
#include "../kernel/manifest.c"
