/*
 * httpd_builtin.c — a minimal HTTP/1.1 server (RFC 9112) inside the
 * kernel, on the same plat_sock_* path a Wasm server uses (net/sock.c),
 * with no Wasm in between: the baseline of the benchmark (Wasm httpd vs
 * this) and an end-to-end test of the network stack.  Selected by the
 * manifest's `kernel-httpd PORT:SIZE` (docs/manifest.md), it runs instead
 * of the module:
 *
 *   GET or HEAD of any path -> 200, SIZE bytes of body (HEAD: none), the
 *       body a fixed pattern: line k (16 bytes) is k*16 in 15 hex digits
 *       and "\n", so every byte says where it belongs (tests compare it
 *       byte for byte); GET /N (decimal) -> its first N bytes (<= SIZE)
 *   GET /resolve/NAME -> 200 and NAME's address (plat_resolve, through the
 *       DNS servers), or 404 and the error: a test of name resolution
 *   GET /exit -> 200 "bye\n", then the server stops (kernel shutdown 0)
 *   other methods -> 405; a request head over REQ_MAX bytes -> 431
 *
 * Keep-alive as HTTP/1.1 says (persistent unless "Connection: close", or
 * HTTP/1.0 without "Connection: keep-alive"), pipelined requests in turn.
 * Up to HTTPD_CONNS connections (then the listen backlog holds the
 * rest); an idle connection is closed after IDLE_NS.  Everything is
 * non-blocking; when nothing moved, it waits in plat_wait on all its
 * sockets, until the next idle connection is due to be closed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "net.h"
#include "plat.h"

#define HTTPD_CONNS     256
#define REQ_MAX         8192
#define HEAD_MAX        256
#define BACKLOG         64
#define IDLE_NS         (60ull * 1000000000)
#define BODY_MAX        (256ull << 20)
#define FLUSH_NS        (2ull * 1000000000)

enum conn_state { C_READ, C_WRITE };

struct conn {
	struct plat_sock *s;
	enum conn_state st;
	char req[REQ_MAX];
	size_t req_len;
	char head[HEAD_MAX];            /* the response head being sent */
	char text[80];                  /* a small generated body */
	size_t head_len, head_off;
	const char *body;
	uint64_t body_len, body_off;
	bool close_after, exit_after;
	uint64_t last_ns;
};

static struct {
	struct plat_sock *l[2];         /* IPv4 0.0.0.0 and IPv6 "::" (which is
					   IPv6 only: net/sock.c) */
	struct conn *c[HTTPD_CONNS];
	unsigned nconn;
	char *body;
	uint64_t size;
	bool exiting;
	uint64_t requests;
} h;

/* The body: 16-byte lines "%015llx\n" of their own offset. */
static char *make_body(uint64_t size)
{
	static const char hex[] = "0123456789abcdef";
	char *b = malloc(size ? size : 1), line[16];

	if (!b)
		return NULL;
	for (uint64_t off = 0; off < size; off += 16) {
		uint64_t v = off;

		for (int i = 14; i >= 0; i--, v >>= 4)
			line[i] = hex[v & 15];
		line[15] = '\n';
		memcpy(b + off, line, size - off < 16 ? size - off : 16);
	}
	return b;
}

static uint64_t now_ns(void)
{
	return plat_clock_ns(PLAT_CLOCK_MONOTONIC);
}

/* ---- requests ---------------------------------------------------------------- */

/* The value of header `name` in the head [p, end), or NULL. */
static const char *header(const char *p, const char *end, const char *name,
			  size_t *len)
{
	size_t n = strlen(name);

	for (const char *l = memchr(p, '\n', (size_t)(end - p)); l && l + 1 < end;
	     l = memchr(l + 1, '\n', (size_t)(end - l - 1))) {
		const char *v = l + 1, *e;

		if ((size_t)(end - v) <= n || strncasecmp(v, name, n) || v[n] != ':')
			continue;
		v += n + 1;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		e = memchr(v, '\r', (size_t)(end - v));
		*len = (size_t)((e ? e : end) - v);
		return v;
	}
	return NULL;
}

static bool has_token(const char *v, size_t len, const char *tok)
{
	size_t n = strlen(tok);

	for (size_t i = 0; v && i + n <= len; i++)
		if (!strncasecmp(v + i, tok, n))
			return true;
	return false;
}

static void respond(struct conn *c, int code, const char *reason, const char *body,
		    uint64_t len, bool head_only)
{
	c->head_len = (size_t)snprintf(c->head, sizeof c->head,
		"HTTP/1.1 %d %s\r\nServer: wasmetal-kernel-httpd\r\n"
		"Content-Type: application/octet-stream\r\nContent-Length: %llu\r\n%s\r\n",
		code, reason, (unsigned long long)len,
		c->close_after ? "Connection: close\r\n" : "");
	c->head_off = 0;
	c->body = body;
	c->body_len = head_only ? 0 : len;
	c->body_off = 0;
	c->st = C_WRITE;
}

/* GET /resolve/NAME: plat_resolve(NAME) (net/resolve.c) -> 200 and the
 * address as text, or 404 and the error.  Waits (bounded by
 * plat_resolve): a test aid, not for serving. */
static void resolve(struct conn *c, const char *name, size_t n, bool head)
{
	char *text = c->text, nm[256];
	struct plat_addr a;
	int r;

	if (n >= sizeof nm) {
		respond(c, 414, "URI Too Long", "", 0, head);
		return;
	}
	memcpy(nm, name, n);
	nm[n] = 0;
	r = plat_resolve(nm, 0, &a, 1);
	if (r < 1) {
		snprintf(text, sizeof c->text, "error %d\n", r);
		respond(c, 404, "Not Found", text, strlen(text), head);
		return;
	}
	if (a.family == PLAT_AF_INET)
		snprintf(text, sizeof c->text, "%u.%u.%u.%u\n", a.addr[0], a.addr[1],
			 a.addr[2], a.addr[3]);
	else
		for (int i = 0, k = 0; i < 16; i += 2)
			k += snprintf(text + k, sizeof c->text - (size_t)k, "%x%s",
				      a.addr[i] << 8 | a.addr[i + 1], i < 14 ? ":" : "\n");
	respond(c, 200, "OK", text, strlen(text), head);
}

/* "/N" (decimal): the first N bytes of the body (at most SIZE); any
 * other path: all of it. */
static uint64_t path_size(const char *p, size_t n)
{
	uint64_t v = 0;

	if (n < 2 || n > 21 || p[0] != '/')
		return h.size;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return h.size;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return v < h.size ? v : h.size;
}

/* One complete request head of hlen bytes at c->req: the response. */
static void handle(struct conn *c, size_t hlen)
{
	const char *p = c->req, *end = p + hlen, *sp1, *sp2, *v;
	size_t vlen = 0;
	bool http10, get, head;

	h.requests++;
	sp1 = memchr(p, ' ', hlen);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
	if (!sp1 || !sp2) {
		c->close_after = true;
		respond(c, 400, "Bad Request", "", 0, false);
		return;
	}
	http10 = end - sp2 > 9 && !strncmp(sp2 + 1, "HTTP/1.0", 8);
	v = header(p, end, "Connection", &vlen);
	c->close_after = has_token(v, vlen, "close") ||
			 (http10 && !has_token(v, vlen, "keep-alive"));
	get = sp1 - p == 3 && !strncmp(p, "GET", 3);
	head = sp1 - p == 4 && !strncmp(p, "HEAD", 4);
	if (!get && !head) {
		respond(c, 405, "Method Not Allowed", "", 0, false);
		return;
	}
	if (sp2 - sp1 - 1 > 9 && !strncmp(sp1 + 1, "/resolve/", 9)) {
		resolve(c, sp1 + 10, (size_t)(sp2 - sp1 - 10), head);
		return;
	}
	if (sp2 - sp1 - 1 == 5 && !strncmp(sp1 + 1, "/exit", 5)) {
		c->close_after = c->exit_after = true;
		respond(c, 200, "OK", "bye\n", 4, head);
		return;
	}
	respond(c, 200, "OK", h.body, path_size(sp1 + 1, (size_t)(sp2 - sp1 - 1)), head);
}

/* The end of the request head in c->req, or 0. */
static size_t head_end(const struct conn *c)
{
	for (size_t i = 3; i < c->req_len; i++)
		if (!memcmp(c->req + i - 3, "\r\n\r\n", 4))
			return i + 1;
	return 0;
}

/* ---- connections ---------------------------------------------------------------- */

static void conn_close(unsigned i)
{
	plat_sock_close(h.c[i]->s);
	free(h.c[i]);
	h.c[i] = h.c[--h.nconn];
}

/* Read what is there; a complete head starts a response.  Returns
 * progress (1), nothing to do (0), or -1: close the connection. */
static int conn_read(struct conn *c)
{
	struct plat_iov iov = { c->req + c->req_len, REQ_MAX - c->req_len };
	size_t hl;
	long n;

	if (!(hl = head_end(c))) {
		if (c->req_len == REQ_MAX) {
			c->close_after = true;
			respond(c, 431, "Request Header Fields Too Large", "", 0, false);
			return 1;
		}
		n = plat_sock_recv(c->s, &iov, 1, 0, NULL, NULL);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0)
			return -1;      /* closed by the peer, or an error */
		c->req_len += (size_t)n;
		if (!(hl = head_end(c)))
			return 1;
	}
	handle(c, hl);
	memmove(c->req, c->req + hl, c->req_len - hl); /* pipelined rest */
	c->req_len -= hl;
	return 1;
}

static int conn_write(struct conn *c)
{
	struct plat_iov iov[2];
	size_t n = 0;
	long w;

	if (c->head_off < c->head_len)
		iov[n++] = (struct plat_iov){ c->head + c->head_off, c->head_len - c->head_off };
	if (c->body_off < c->body_len)
		iov[n++] = (struct plat_iov){ (char *)c->body + c->body_off,
					      (size_t)(c->body_len - c->body_off) };
	if (n) {
		w = plat_sock_send(c->s, iov, n, NULL);
		if (w == -EAGAIN)
			return 0;
		if (w < 0)
			return -1;
		if (c->head_off < c->head_len) {
			size_t k = (size_t)w < c->head_len - c->head_off ?
				   (size_t)w : c->head_len - c->head_off;

			c->head_off += k;
			w -= (long)k;
		}
		c->body_off += (uint64_t)w;
		if (c->head_off < c->head_len || c->body_off < c->body_len)
			return 1;
	}
	if (c->exit_after)
		h.exiting = true;
	if (c->close_after)
		return -1;              /* graceful: the rest goes in the background */
	c->st = C_READ;
	return 1;
}

static int conn_step(struct conn *c)
{
	int r;

	if (h.exiting && c->st == C_READ && !c->req_len)
		return -1;              /* stopping: idle connections go */
	r = c->st == C_READ ? conn_read(c) : conn_write(c);

	if (r > 0)
		c->last_ns = now_ns();
	else if (r == 0 && now_ns() - c->last_ns > IDLE_NS)
		r = -1;
	return r;
}

static bool accept_some(void)
{
	struct plat_sock *s;
	struct conn *c;
	bool any = false;

	for (int k = 0; k < 2; k++) {
		while (h.nconn < HTTPD_CONNS && plat_sock_accept(h.l[k], &s, NULL) == 0) {
			if (!(c = calloc(1, sizeof *c))) {
				plat_sock_close(s);
				return any;
			}
			c->s = s;
			c->last_ns = now_ns();
			plat_sock_setopt(s, PLAT_TCP_NODELAY, 1);
			h.c[h.nconn++] = c;
			any = true;
		}
	}
	return any;
}

static void wait_events(void)
{
	static struct plat_wait_sock ws[HTTPD_CONNS + 2];
	uint64_t until = UINT64_MAX;
	size_t n = 0;

	for (int k = 0; k < 2 && h.nconn < HTTPD_CONNS; k++)
		ws[n++] = (struct plat_wait_sock){ h.l[k], PLAT_POLL_IN };
	for (unsigned i = 0; i < h.nconn; i++) {
		ws[n++] = (struct plat_wait_sock){ h.c[i]->s,
			h.c[i]->st == C_READ ? PLAT_POLL_IN : PLAT_POLL_OUT };
		if (h.c[i]->last_ns + IDLE_NS < until)
			until = h.c[i]->last_ns + IDLE_NS;
	}
	plat_wait(until, 0, ws, n);
}

static int start(uint16_t port, uint64_t size)
{
	static const int family[2] = { PLAT_AF_INET, PLAT_AF_INET6 };
	int r;

	if (size > BODY_MAX)
		return -EFBIG;
	h.size = size;
	if (!(h.body = make_body(size)))
		return -ENOMEM;
	for (int k = 0; k < 2; k++) {
		struct plat_addr any = { .family = (uint8_t)family[k], .port = port };

		if ((r = plat_sock_open(family[k], PLAT_SOCK_STREAM, &h.l[k])))
			return r;
		plat_sock_setopt(h.l[k], PLAT_SO_REUSEADDR, 1);
		if ((r = plat_sock_bind(h.l[k], &any)) ||
		    (r = plat_sock_listen(h.l[k], BACKLOG)))
			return r;
	}
	return 0;
}

int net_httpd_run(uint16_t port, uint64_t size)
{
	int r = start(port, size);

	if (r) {
		plat_log("kernel-httpd: cannot serve on port %u: error %d", port, r);
		return r;
	}
	plat_log("kernel-httpd: serving %llu bytes on port %u (IPv4 and IPv6)",
		 (unsigned long long)size, port);
	while (!h.exiting || h.nconn) {
		bool progress = !h.exiting && accept_some();

		for (unsigned i = 0; i < h.nconn;) {
			int s = conn_step(h.c[i]);

			if (s < 0)
				conn_close(i);  /* the last one moved here */
			else
				i++;
			progress |= s != 0;
		}
		if (!progress)
			wait_events();
	}
	plat_log("kernel-httpd: /exit after %llu requests", (unsigned long long)h.requests);
	plat_sock_close(h.l[0]);
	plat_sock_close(h.l[1]);
	net_flush(FLUSH_NS);            /* the last bytes and FINs go out */
	return 0;
}
