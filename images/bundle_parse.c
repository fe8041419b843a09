/*
 * bundle_parse.c — the kernel's own bundle parser (kernel/bundle.c), built
 * into the CLI as well, so that `wasmetal inspect` and `wasmetal run
 * IMAGE` judge a bundle exactly as the kernel will at boot.  One parser,
 * two builds: nothing to keep in step by hand.  The manifest's lexer is
 * images/manifest_parse.c, a separate object, so that a unit test that
 * #includes kernel/bundle.c alone still links against the library.
 */
#include "../kernel/bundle.c"
