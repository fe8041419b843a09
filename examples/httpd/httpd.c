/*
 * httpd.c — an HTTP/1.1 static-file server (RFC 9112 message syntax, RFC
 * 9110 semantics: GET and HEAD, 404, Content-Length, persistent
 * connections) in plain C on wasi-libc: accept, recv, send and poll on
 * the listening socket the runtime preopens, files from a preopened
 * directory.  Nothing wasmetal-specific: it runs the same under wasmtime.
 *
 *   wasmetal run --hosted --tcplisten 127.0.0.1:8080 --dir ./site::/www httpd.wasm
 *   curl http://127.0.0.1:8080/index.html
 *
 *   httpd [DOCROOT]     DOCROOT: the preopen to serve, default /www
 *
 * The listening socket is the first fd that fd_fdstat_get calls a
 * SOCKET_STREAM (preview1 cannot create sockets: wasmtime and wasmetal
 * hand one over with --tcplisten, after the directory preopens).  Built
 * natively (gcc, for bench/net.sh), it takes an inherited listening
 * socket the same way, and DOCROOT is a host directory.
 *
 * One thread, non-blocking sockets, one poll() over the listener and
 * every connection:
 *   listener readable   -> accept4(SOCK_NONBLOCK) until EAGAIN
 *   connection readable -> read the request head (at most 8 KiB), answer:
 *                          headers into out[], the file streamed after
 *                          them in 64 KiB pieces as the socket takes them
 *   connection writable -> send what is pending; when the response is
 *                          done, the next request (pipelined or not) or close
 * A connection idle for IDLE_MS is closed, so slow or silent clients cannot
 * hold the server's slots forever.
 */
#define _GNU_SOURCE             /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

#define MAX_CONNS       1000
#define HEAD_MAX        8192
#define OUT_MAX         65536
#define IDLE_MS         60000
#define PATH_MAX_       1024

struct conn {
	int fd;
	int file;                       /* the body being sent, or -1 */
	unsigned long long left;        /* its bytes not yet read */
	bool keep_alive, close_after;
	long long last_ms;
	size_t in_len;                  /* bytes of in[] */
	size_t out_len, out_off;        /* out[out_off..out_len) to send */
	char in[HEAD_MAX];
	char out[OUT_MAX];
};

static struct conn *conns[MAX_CONNS];
static int nconns;
static const char *docroot = "/www";
static unsigned long long served;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#ifdef __wasi__
/* The preopened listening socket: the first stream socket fd. */
static int find_listener(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		__wasi_fdstat_t st;
		int e = __wasi_fd_fdstat_get(fd, &st);

		if (e == __WASI_ERRNO_BADF)
			continue;
		if (!e && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
			return fd;
	}
	return -1;
}
#else
/* Built natively (bench/net.sh compares it with the Wasm build): the
 * listening socket is inherited, as with systemd's socket activation;
 * the first fd that is a listening stream socket. */
static int find_listener(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		int v = 0;
		socklen_t n = sizeof v;

		if (!getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &n) && v)
			return fd;
	}
	return -1;
}
#endif

static const char *content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
		{ ".js", "text/javascript" }, { ".json", "application/json" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".gif", "image/gif" },
		{ ".svg", "image/svg+xml" }, { ".wasm", "application/wasm" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The request target as a file path under docroot: percent-decoded,
 * query dropped, no ".." segment, "/" -> "/index.html".  0 or -1. */
static int target_path(const char *t, size_t n, char *out, size_t outlen)
{
	size_t o = (size_t)snprintf(out, outlen, "%s", docroot), seg = o;

	if (n == 0 || t[0] != '/' || o >= outlen)
		return -1;
	for (size_t i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
		char c = t[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n || (h = hex(t[i + 1])) < 0 || (l = hex(t[i + 2])) < 0)
				return -1;
			c = (char)(h << 4 | l);
			i += 2;
			if (c == 0)
				return -1;
		}
		if (o + 1 >= outlen)
			return -1;
		if (c == '/')
			seg = o + 1;
		out[o++] = c;
		out[o] = 0;
		if (!strcmp(out + seg, "..") && (i + 1 == n || t[i + 1] == '/'))
			return -1;
	}
	if (out[o - 1] == '/' && o + 10 < outlen)
		strcpy(out + o, "index.html");
	return 0;
}

static void respond_status(struct conn *c, int code, const char *reason, bool head)
{
	char body[128];
	int bl = snprintf(body, sizeof body, "%d %s\n", code, reason);

	c->out_len = (size_t)snprintf(c->out, OUT_MAX,
		"HTTP/1.1 %d %s\r\nServer: wasmetal-httpd\r\n"
		"Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
		"Connection: %s\r\n\r\n%s", code, reason, bl,
		c->keep_alive ? "keep-alive" : "close", head ? "" : body);
	c->out_off = 0;
}

/* Open the file for a GET or HEAD: headers into out, the body to follow. */
static void respond_file(struct conn *c, const char *path, bool head)
{
	struct stat st;
	char index[PATH_MAX_ + 16];
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(index, sizeof index, "%s/index.html", path);
		path = index;
		fd = open(path, O_RDONLY);
	}
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		respond_status(c, 404, "Not Found", head);
		return;
	}
	c->out_len = (size_t)snprintf(c->out, OUT_MAX,
		"HTTP/1.1 200 OK\r\nServer: wasmetal-httpd\r\nContent-Type: %s\r\n"
		"Content-Length: %llu\r\nConnection: %s\r\n\r\n", content_type(path),
		(unsigned long long)st.st_size, c->keep_alive ? "keep-alive" : "close");
	c->out_off = 0;
	if (head || st.st_size == 0) {
		close(fd);
		return;
	}
	c->file = fd;
	c->left = (unsigned long long)st.st_size;
}

/* The value of header `name` in the head [h, end), or NULL. */
static const char *header(const char *h, const char *end, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (const char *l = h; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l));

		if (!e)
			break;
		if ((size_t)(e - l) > nl && !strncasecmp(l, name, nl) && l[nl] == ':') {
			const char *v = l + nl + 1;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			*len = (size_t)(e - v);
			while (*len && (v[*len - 1] == '\r' || v[*len - 1] == ' '))
				(*len)--;
			return v;
		}
		l = e + 1;
	}
	return NULL;
}

/* A whole request head in in[]: answer it.  Returns the head's length,
 * 0 if it is not complete yet, -1 to close at once. */
static long handle_request(struct conn *c)
{
	char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4), path[PATH_MAX_];
	char *sp1, *sp2, *eol;
	const char *v;
	size_t vl, hl;
	bool head, v11;

	if (!end)
		return c->in_len == HEAD_MAX ? -1 : 0;
	hl = (size_t)(end - c->in) + 4;
	eol = memchr(c->in, '\r', hl);
	sp1 = memchr(c->in, ' ', (size_t)(eol - c->in));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp2 || eol - sp2 != 9 || strncmp(sp2 + 1, "HTTP/1.", 7)) {
		c->keep_alive = false;
		respond_status(c, 400, "Bad Request", false);
		return (long)hl;
	}
	v11 = sp2[8] == '1';
	c->keep_alive = v11;
	if ((v = header(eol + 2, end + 2, "Connection", &vl))) {
		if (vl == 5 && !strncasecmp(v, "close", 5))
			c->keep_alive = false;
		else if (vl == 10 && !strncasecmp(v, "keep-alive", 10))
			c->keep_alive = true;
	}
	if ((v = header(eol + 2, end + 2, "Content-Length", &vl)) && strtoul(v, NULL, 10)) {
		c->keep_alive = false;  /* a body we do not read: close after */
	}
	head = sp1 - c->in == 4 && !strncmp(c->in, "HEAD", 4);
	if (!head && !(sp1 - c->in == 3 && !strncmp(c->in, "GET", 3)))
		respond_status(c, 405, "Method Not Allowed", false);
	else if (target_path(sp1 + 1, (size_t)(sp2 - sp1 - 1), path, sizeof path))
		respond_status(c, 404, "Not Found", head);
	else
		respond_file(c, path, head);
	served++;
	return (long)hl;
}

static void conn_close(int i)
{
	struct conn *c = conns[i];

	if (c->file >= 0)
		close(c->file);
	close(c->fd);
	free(c);
	conns[i] = conns[--nconns];
}

static bool busy(const struct conn *c)
{
	return c->out_off < c->out_len || c->file >= 0;
}

/* Start the next response if a request is waiting: 0, or -1 to close. */
static int next_request(struct conn *c)
{
	long used;

	if (busy(c) || c->in_len == 0)
		return 0;
	used = handle_request(c);
	if (used < 0)
		return -1;
	memmove(c->in, c->in + used, c->in_len - (size_t)used);
	c->in_len -= (size_t)used;
	if (!c->keep_alive)
		c->close_after = true;
	return 0;
}

/* Send what is pending, refilling from the file: 0, 1 when the response
 * is done and the connection should close, -1 on an error.  The file's
 * bytes go into out[] behind what is still pending there (the headers,
 * at first), so that a small response is one send: two small sends in a
 * row would wait for the peer's delayed ACK (Nagle's algorithm). */
static int pump(struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->out_off == c->out_len)
			c->out_off = c->out_len = 0;
		if (c->file >= 0 && c->out_len < OUT_MAX) {
			size_t room = OUT_MAX - c->out_len;
			size_t want = c->left < room ? (size_t)c->left : room;

			n = read(c->file, c->out + c->out_len, want);
			if (n <= 0)
				return -1;      /* the file shrank: cut the connection */
			c->out_len += (size_t)n;
			c->left -= (unsigned long long)n;
			if (c->left == 0) {
				close(c->file);
				c->file = -1;
			}
		}
		if (c->out_off == c->out_len)
			return c->close_after ? 1 : 0;
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, 0);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)n;
	}
}

/* Readable: take what came, answer what is complete: 0 or -1 (close). */
static int on_readable(struct conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, HEAD_MAX - c->in_len, 0);

	if (n == 0 || (n < 0 && errno != EAGAIN))
		return -1;
	if (n > 0)
		c->in_len += (size_t)n;
	return next_request(c);
}

static void accept_all(int lfd)
{
	while (nconns < MAX_CONNS) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK);
		struct conn *c;

		if (fd < 0)
			return;
		if (!(c = malloc(sizeof *c))) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->file = -1;
		c->left = 0;
		c->keep_alive = true;
		c->close_after = false;
		c->in_len = c->out_len = c->out_off = 0;
		c->last_ms = now_ms();
		conns[nconns++] = c;
	}
}

/* One connection after poll(): 0, or -1 when it is to be closed. */
static int serve(struct conn *c, short revents)
{
	int r;

	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		if (!busy(c) && on_readable(c))
			return -1;
	}
	if ((r = pump(c)) != 0)
		return -1;
	if (!busy(c) && c->in_len && next_request(c))
		return -1;
	return busy(c) && pump(c) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[MAX_CONNS + 1];
	int lfd = find_listener();

	if (argc > 1)
		docroot = argv[1];
	if (lfd < 0) {
		fprintf(stderr, "httpd: no listening socket (run with --tcplisten ADDR:PORT)\n");
		return 1;
	}
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	fprintf(stderr, "httpd: serving %s on fd %d\n", docroot, lfd);
	for (;;) {
		int n = 0, np = nconns;
		long long now;

		pfd[n++] = (struct pollfd){ .fd = lfd, .events = nconns < MAX_CONNS ? POLLIN : 0 };
		for (int i = 0; i < np; i++)
			pfd[n++] = (struct pollfd){ .fd = conns[i]->fd,
				.events = busy(conns[i]) ? POLLOUT : POLLIN };
		if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR) {
			perror("httpd: poll");
			return 1;
		}
		now = now_ms();
		/* Backwards, so that closing (which moves the last one into
		 * the slot) never skips a connection polled this round. */
		for (int i = np - 1; i >= 0; i--) {
			struct conn *c = conns[i];

			if (pfd[i + 1].revents)
				c->last_ms = now;
			if ((pfd[i + 1].revents && serve(c, pfd[i + 1].revents)) ||
			    now - c->last_ms > IDLE_MS)
				conn_close(i);
		}
		if (pfd[0].revents & POLLIN)
			accept_all(lfd);
	}
}
