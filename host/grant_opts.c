/*
 * grant_opts.c — the command line's network grants (host/main.c):
 * --tcplisten ADDR:PORT, --addr-pool CIDR[:PORTS], --allow-resolve NAME,
 * each repeatable; --addr-pool and --allow-resolve also take a
 * comma-separated list, as WAMR's --addr-pool does.  Every value goes
 * through the portable parsers of wasi-baremetal/wasi_grant.c, the same
 * ones the kernel applies to an image's manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grant_opts.h"

/* Grow an array of n elements of size sz by one: the new slot, or NULL. */
static void *grow(void *arr_ptr, size_t n, size_t sz)
{
	void **arr = arr_ptr;
	void *p = realloc(*arr, (n + 1) * sz);

	if (!p)
		return NULL;
	*arr = p;
	return (char *)p + n * sz;
}

static int add_one(struct wasi_grants *g, const char *opt, const char *v,
		   char *err, size_t errlen)
{
	const char *why;
	void *slot;

	if (g->nlisten >= WASI_GRANT_MAX || g->npool >= WASI_GRANT_MAX ||
	    g->nresolve >= WASI_GRANT_MAX) {
		snprintf(err, errlen, "%s: more than %d grants of a kind", opt, WASI_GRANT_MAX);
		return -1;
	}
	if (!strcmp(opt, "--tcplisten")) {
		struct plat_addr a;

		if ((why = wasi_grant_parse_listen(v, &a)))
			goto bad;
		if (!(slot = grow(&g->listen, g->nlisten, sizeof a)))
			goto oom;
		memcpy(slot, &a, sizeof a);
		g->nlisten++;
	} else if (!strcmp(opt, "--addr-pool")) {
		struct wasi_pool_entry e;

		if ((why = wasi_grant_parse_pool(v, &e)))
			goto bad;
		if (!(slot = grow(&g->pool, g->npool, sizeof e)))
			goto oom;
		memcpy(slot, &e, sizeof e);
		g->npool++;
	} else {
		char *copy;

		if ((why = wasi_grant_parse_name(v)))
			goto bad;
		if (!(copy = strdup(v)) || !(slot = grow(&g->resolve, g->nresolve, sizeof copy))) {
			free(copy);
			goto oom;
		}
		memcpy(slot, &copy, sizeof copy);
		g->nresolve++;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s '%s': %s", opt, v, why);
	return -1;
oom:
	snprintf(err, errlen, "%s: out of memory", opt);
	return -1;
}

int grant_opt_add(struct wasi_grants *g, const char *opt, const char *value,
		  char *err, size_t errlen)
{
	char *list, *item, *save = NULL;
	int r = 0;

	if (!strcmp(opt, "--tcplisten"))
		return add_one(g, opt, value, err, errlen);
	if (!*value || value[strlen(value) - 1] == ',' || value[0] == ',' ||
	    strstr(value, ",,")) {
		snprintf(err, errlen, "%s '%s': an empty entry in the list", opt, value);
		return -1;
	}
	if (!(list = strdup(value))) {
		snprintf(err, errlen, "%s: out of memory", opt);
		return -1;
	}
	for (item = strtok_r(list, ",", &save); item && !r; item = strtok_r(NULL, ",", &save))
		r = add_one(g, opt, item, err, errlen);
	free(list);
	return r;
}

void grant_opts_free(struct wasi_grants *g)
{
	for (size_t i = 0; i < g->nresolve; i++)
		free((char *)g->resolve[i]);
	free((void *)g->resolve);
	free((void *)g->listen);
	free((void *)g->pool);
	memset(g, 0, sizeof(*g));
}
