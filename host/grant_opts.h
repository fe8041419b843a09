/*
 * grant_opts.h — the CLI's network grant options (host/grant_opts.c) into
 * a struct wasi_grants (wasi-baremetal/wasi_grant.h) whose arrays it owns.
 */
#ifndef GRANT_OPTS_H
#define GRANT_OPTS_H

#include <stddef.h>
#include "wasi_grant.h"

/* opt is "--tcplisten", "--addr-pool" or "--allow-resolve".  0, or -1
 * with err saying which value is wrong and why. */
int grant_opt_add(struct wasi_grants *g, const char *opt, const char *value,
		  char *err, size_t errlen);
void grant_opts_free(struct wasi_grants *g);

#endif
