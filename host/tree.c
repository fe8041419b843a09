/*
 * tree.c — read a host directory for `--dir HOST[::GUEST]` (tree.h).
 *
 * The walk works on directory fds (openat/fstatat with O_NOFOLLOW and
 * AT_SYMLINK_NOFOLLOW), so a symlink inside the tree is never followed,
 * not even when the tree changes under us: it is recorded with its target
 * text, and the guest's path resolution (wasi-baremetal/) decides what it
 * may reach.  Limits are the kernel's (images/parse/bundle_parse.h), checked
 * here so that a tree the kernel would refuse is refused on the host,
 * with the file's name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tree.h"
#include "parse/bundle_parse.h"

#define TREE_MAX_DEPTH 256              /* open directory fds at once */

struct walker {
	struct host_tree *t;
	char path[BUNDLE_MAX_PATH + 2];     /* relative path being built */
	char *err;
	size_t errlen;
};

int host_dir_arg(const char *arg, char **host, char **guest,
		 char *err, size_t errlen)
{
	const char *sep = strstr(arg, "::");
	size_t hl = sep ? (size_t)(sep - arg) : strlen(arg);

	if (hl == 0 || (sep && !sep[2])) {
		snprintf(err, errlen, "--dir wants HOST[::GUEST], got '%s'", arg);
		return -1;
	}
	*host = strndup(arg, hl);
	*guest = strdup(sep ? sep + 2 : *host ? *host : "");
	if (!*host || !*guest) {
		free(*host);
		free(*guest);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int add_entry(struct walker *w, uint8_t kind, uint8_t *data, size_t len)
{
	struct host_tree *t = w->t;
	struct wasi_tree_entry *e;
	char *path;

	if (t->preopen.nentries >= BUNDLE_MAX_NODES) {
		snprintf(w->err, w->errlen, "%s: more than %u files", t->host_path,
			 BUNDLE_MAX_NODES);
		return -1;
	}
	if (t->preopen.nentries == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		void *n = realloc((void *)t->preopen.entries, cap * sizeof *e);

		if (!n)
			goto oom;
		t->preopen.entries = n;
		t->cap = cap;
	}
	if (!(path = strdup(w->path)))
		goto oom;
	e = (struct wasi_tree_entry *)&t->preopen.entries[t->preopen.nentries++];
	*e = (struct wasi_tree_entry){ .path = path, .kind = kind, .data = data, .len = len };
	return 0;
oom:
	snprintf(w->err, w->errlen, "out of memory reading %s", t->host_path);
	return -1;
}

static int read_fd(int fd, uint8_t **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	ssize_t r;

	while (buf && (r = read(fd, buf + n, cap - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		n += (size_t)r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);

			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

static int add_file(struct walker *w, int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	const char *why = NULL;
	struct stat st;
	uint8_t *data = NULL;
	size_t len = 0;

	if (fd < 0 || fstat(fd, &st))
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "changed while it was read";
	else if (read_fd(fd, &data, &len))
		why = strerror(errno);
	if (fd >= 0)
		close(fd);
	if (why) {
		snprintf(w->err, w->errlen, "%s/%s: %s", w->t->host_path, w->path, why);
		return -1;
	}
	if (add_entry(w, WASI_NODE_FILE, data, len)) {
		free(data);
		return -1;
	}
	w->t->files++;
	w->t->bytes += len;
	return 0;
}

static int add_symlink(struct walker *w, int dfd, const char *name)
{
	char *target = malloc(BUNDLE_MAX_PATH + 1);
	ssize_t n = target ? readlinkat(dfd, name, target, BUNDLE_MAX_PATH + 1) : -1;

	if (n <= 0 || n > BUNDLE_MAX_PATH) {
		snprintf(w->err, w->errlen, "%s/%s: %s", w->t->host_path, w->path,
			 n > BUNDLE_MAX_PATH ? "symlink target too long" : strerror(errno));
		free(target);
		return -1;
	}
	if (add_entry(w, WASI_NODE_SYMLINK, (uint8_t *)target, (size_t)n)) {
		free(target);
		return -1;
	}
	w->t->symlinks++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dfd except "." and "..", sorted; NULL-terminated. */
static char **list_dir(int dfd, size_t *count)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n + 1 >= cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *nn);

			if (!nn)
				goto fail;
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto fail;
		n++;
	}
	if (errno)
		goto fail;
	closedir(d);
	if (names)
		qsort(names, n, sizeof *names, cmp_names);
	else if (!(names = calloc(1, sizeof *names)))
		return NULL;
	names[n] = NULL;
	*count = n;
	return names;
fail:
	while (names && n)
		free(names[--n]);
	free(names);
	closedir(d);
	return NULL;
}

static int walk_dir(struct walker *w, int dfd, int depth);

/* One directory entry: name is in dfd, w->path already names it. */
static int walk_one(struct walker *w, int dfd, const char *name, int depth)
{
	struct stat st;
	int sub, r;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		snprintf(w->err, w->errlen, "%s/%s: %s", w->t->host_path, w->path,
			 strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return add_file(w, dfd, name);
	if (S_ISLNK(st.st_mode))
		return add_symlink(w, dfd, name);
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "wasmetal: warning: %s/%s: not a file, directory or "
			"symlink: skipped\n", w->t->host_path, w->path);
		w->t->skipped++;
		return 0;
	}
	if (add_entry(w, WASI_NODE_DIR, NULL, 0))
		return -1;
	w->t->dirs++;
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0) {
		snprintf(w->err, w->errlen, "%s/%s: %s", w->t->host_path, w->path,
			 strerror(errno));
		return -1;
	}
	r = walk_dir(w, sub, depth + 1);
	close(sub);
	return r;
}

static int walk_dir(struct walker *w, int dfd, int depth)
{
	size_t base = strlen(w->path), n = 0, i;
	char **names;
	int r = 0;

	if (depth > TREE_MAX_DEPTH) {
		snprintf(w->err, w->errlen, "%s/%s: directories nested too deeply",
			 w->t->host_path, w->path);
		return -1;
	}
	if (!(names = list_dir(dfd, &n))) {
		snprintf(w->err, w->errlen, "%s/%s: %s", w->t->host_path, w->path,
			 strerror(errno ? errno : ENOMEM));
		return -1;
	}
	for (i = 0; i < n && !r; i++) {
		size_t len = strlen(names[i]) + (base ? 1 : 0);

		if (base + len > BUNDLE_MAX_PATH) {
			snprintf(w->err, w->errlen, "%s/%s/%s: path too long",
				 w->t->host_path, w->path, names[i]);
			r = -1;
			break;
		}
		snprintf(w->path + base, sizeof w->path - base, "%s%s",
			 base ? "/" : "", names[i]);
		r = walk_one(w, dfd, names[i], depth);
		w->path[base] = 0;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

void host_tree_free(struct host_tree *t)
{
	for (size_t i = 0; i < t->preopen.nentries; i++) {
		free((char *)t->preopen.entries[i].path);
		free((uint8_t *)t->preopen.entries[i].data);
	}
	free((void *)t->preopen.entries);
	free((char *)t->preopen.guest_path);
	free(t->host_path);
	memset(t, 0, sizeof *t);
}

int host_tree_read(const char *host, const char *guest, struct host_tree *t,
		   char *err, size_t errlen)
{
	struct walker w = { .t = t, .err = err, .errlen = errlen };
	int dfd, r;

	memset(t, 0, sizeof *t);
	t->host_path = strdup(host);
	t->preopen.guest_path = strdup(guest);
	if (!t->host_path || !t->preopen.guest_path) {
		snprintf(err, errlen, "out of memory");
		host_tree_free(t);
		return -1;
	}
	if (strlen(guest) > BUNDLE_MAX_PATH) {
		snprintf(err, errlen, "--dir %s: guest path too long", host);
		host_tree_free(t);
		return -1;
	}
	dfd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "--dir %s: %s", host, strerror(errno));
		host_tree_free(t);
		return -1;
	}
	r = walk_dir(&w, dfd, 0);
	close(dfd);
	if (r)
		host_tree_free(t);
	return r;
}
