/*
 * test_grant.c — the network grants (wasi-baremetal/wasi_grant.h): the
 * three parsers on good and hostile text, the canonical forms written back
 * (wasi_addr.c, RFC 5952), the checks (address pool with prefixes, port
 * ranges and IPv4-mapped IPv6; name patterns), the manifest keys as the
 * kernel reads them (images/parse/bundle_read.c: stored, a bad one refused with its
 * line, the NIC switched on by a grant) and a round trip through the
 * image writer (images/bundle.c) and back; the CLI's lists
 * (host/grant_opts.c) and the errno map (wasi_errno.c).
 */
#define _GNU_SOURCE             /* memmem */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "bundle.h"
#include "grant_opts.h"
#include "image.h"
#include "wasi.h"
#include "wasi_abi.h"
#include "../../images/parse/bundle_parse.h"

int wasi_errno_from_plat(long err);

static const char *fmt_listen(const char *s)
{
	static char buf[WASI_ADDR_TEXT_MAX];
	struct plat_addr a;

	if (wasi_grant_parse_listen(s, &a))
		return "(error)";
	return wasi_addr_format(&a, true, buf, sizeof buf);
}

static const char *fmt_pool(const char *s)
{
	static char buf[WASI_ADDR_TEXT_MAX];
	struct wasi_pool_entry e;

	if (wasi_grant_parse_pool(s, &e))
		return "(error)";
	return wasi_pool_format(&e, buf, sizeof buf);
}

TEST(listen_parses_and_formats)
{
	CHECK(!strcmp(fmt_listen("0.0.0.0:8080"), "0.0.0.0:8080"));
	CHECK(!strcmp(fmt_listen("127.0.0.1:0"), "127.0.0.1:0"));
	CHECK(!strcmp(fmt_listen("[::]:80"), "[::]:80"));
	CHECK(!strcmp(fmt_listen("[::1]:65535"), "[::1]:65535"));
	CHECK(!strcmp(fmt_listen("[2001:DB8:0:0:0:0:0:1]:443"), "[2001:db8::1]:443"));
	CHECK(!strcmp(fmt_listen("[::ffff:10.1.2.3]:1"), "[::ffff:10.1.2.3]:1"));
}

TEST(listen_refuses_bad_text)
{
	static const char *const bad[] = {
		"", "8080", "0.0.0.0", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:-1",
		"0.0.0.0:80x", "localhost:80", "256.0.0.1:80", "1.2.3:80",
		"01.2.3.4:80", "1.2.3.4.5:80", "::1:80", "[::1]", "[::1]80",
		"[1.2.3.4]:80", "[::1:80", "[fe80::1%eth0]:80", "[1::2::3]:80",
		"[1:2:3:4:5:6:7:8:9]:80", "[12345::]:80", " 1.2.3.4:80",
	};
	struct plat_addr a;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = wasi_grant_parse_listen(bad[i], &a);

		if (!why)
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
		CHECK(why && *why);
	}
	CHECK(wasi_grant_parse_listen(NULL, &a) != NULL);
}

TEST(ipv6_text_forms)
{
	static const struct { const char *in, *out; } t[] = {
		{ "::", "::" }, { "::1", "::1" }, { "1::", "1::" },
		{ "1:0:0:2:0:0:0:3", "1:0:0:2::3" },    /* longest run */
		{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" },  /* first of equals */
		{ "1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7" },       /* one 0 stays */
		{ "2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
		{ "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
	};
	struct plat_addr a;
	char buf[64];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		CHECK(wasi_addr_parse(t[i].in, strlen(t[i].in), &a) == 0);
		wasi_addr_format(&a, false, buf, sizeof buf);
		if (strcmp(buf, t[i].out))
			fprintf(stderr, "%s -> %s, want %s\n", t[i].in, buf, t[i].out);
		CHECK(!strcmp(buf, t[i].out));
	}
	CHECK(wasi_addr_parse("1:2:3:4:5:6:7:8:9", 17, &a) == -1);
	CHECK(wasi_addr_parse(":1", 2, &a) == -1);
	CHECK(wasi_addr_parse("1:", 2, &a) == -1);
	CHECK(wasi_addr_parse("1:::2", 5, &a) == -1);
	CHECK(wasi_addr_parse("::1.2.3", 7, &a) == -1);
	CHECK(wasi_addr_parse("::g", 3, &a) == -1);
}

TEST(pool_parses_and_formats)
{
	CHECK(!strcmp(fmt_pool("10.0.0.0/8"), "10.0.0.0/8"));
	CHECK(!strcmp(fmt_pool("127.0.0.1"), "127.0.0.1/32"));
	CHECK(!strcmp(fmt_pool("127.0.0.1:8080"), "127.0.0.1/32:8080"));
	CHECK(!strcmp(fmt_pool("0.0.0.0/0:1024-65535"), "0.0.0.0/0:1024-65535"));
	CHECK(!strcmp(fmt_pool("0.0.0.0/0:0-65535"), "0.0.0.0/0"));
	CHECK(!strcmp(fmt_pool("::/0"), "::/0"));
	CHECK(!strcmp(fmt_pool("2001:db8::/32"), "2001:db8::/32"));
	CHECK(!strcmp(fmt_pool("[2001:db8::/32]"), "2001:db8::/32"));
	CHECK(!strcmp(fmt_pool("[2001:db8::/32]:443"), "[2001:db8::/32]:443"));
	CHECK(!strcmp(fmt_pool("[2001:db8::]/32:443"), "[2001:db8::/32]:443"));
	CHECK(!strcmp(fmt_pool("[::1]:80-81"), "[::1/128]:80-81"));
	/* what the writer prints, the parser reads back the same */
	CHECK(!strcmp(fmt_pool(fmt_pool("[2001:db8::]/32:443")), "[2001:db8::/32]:443"));
}

TEST(pool_refuses_bad_text)
{
	static const char *const bad[] = {
		"", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x",
		"10.0.0.0/8:", "10.0.0.0/8:90-80", "10.0.0.0/8:1-", "10.0.0.0/8:99999",
		"10.0.0.0/8:80x", "example.com", "*.example.com", "2001:db8::/32:443",
		"2001:db8::1/32", "::/129", "[10.0.0.0/8]", "[::1", "[::1]x",
		"10.0.0.0/8/8", "10.0.0.0/0008",
	};
	struct wasi_pool_entry e;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *why = wasi_grant_parse_pool(bad[i], &e);

		if (!why)
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
		CHECK(why && *why);
	}
}

static struct plat_addr addr(const char *ip, uint16_t port)
{
	struct plat_addr a;

	wasi_addr_parse(ip, strlen(ip), &a);
	a.port = port;
	return a;
}

TEST(pool_checks)
{
	struct wasi_pool_entry pool[4];
	struct wasi_grants g = { .npool = 4, .pool = pool };
	struct plat_addr a;

	CHECK(!wasi_grant_parse_pool("10.0.0.0/8", &pool[0]));
	CHECK(!wasi_grant_parse_pool("192.168.1.128/25:80", &pool[1]));
	CHECK(!wasi_grant_parse_pool("2001:db8::/32", &pool[2]));
	CHECK(!wasi_grant_parse_pool("[fe80::/10]:1000-2000", &pool[3]));
	a = addr("10.255.1.2", 9);
	CHECK(wasi_grants_pool_allows(&g, &a));
	a = addr("11.0.0.1", 9);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	a = addr("192.168.1.200", 80);
	CHECK(wasi_grants_pool_allows(&g, &a));
	a = addr("192.168.1.200", 81);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	a = addr("192.168.1.127", 80);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	a = addr("2001:db8:ffff::1", 1);
	CHECK(wasi_grants_pool_allows(&g, &a));
	a = addr("2001:db9::1", 1);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	a = addr("febf::1", 1500);
	CHECK(wasi_grants_pool_allows(&g, &a));
	a = addr("fec0::1", 1500);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	a = addr("fe80::1", 999);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	/* IPv4-mapped: checked as the IPv4 address, against IPv4 entries */
	a = addr("::ffff:10.1.1.1", 5);
	CHECK(wasi_grants_pool_allows(&g, &a));
	a = addr("::ffff:11.1.1.1", 5);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	/* no pool: nothing */
	g.npool = 0;
	a = addr("10.0.0.1", 1);
	CHECK(!wasi_grants_pool_allows(&g, &a));
	CHECK(!wasi_grants_any_pool(&g));
	CHECK(!wasi_grants_pool_allows(NULL, &a));
}

TEST(mapped_ipv4_needs_an_ipv4_grant)
{
	/* ::/0 grants IPv6; it must not grant IPv4 through ::ffff:a.b.c.d */
	struct wasi_pool_entry e;
	struct wasi_grants g = { .npool = 1, .pool = &e };
	struct plat_addr a = addr("::ffff:127.0.0.1", 80);

	CHECK(!wasi_grant_parse_pool("::/0", &e));
	CHECK(!wasi_grants_pool_allows(&g, &a));
	a = addr("::1", 80);
	CHECK(wasi_grants_pool_allows(&g, &a));
}

TEST(names)
{
	static const char *const pats[] = { "example.com", "*.test.org" };
	struct wasi_grants g = { .nresolve = 2, .resolve = pats };
	struct wasi_grants all = { .nresolve = 1, .resolve = (const char *const[]){ "*" } };

	CHECK(wasi_grants_name_allows(&g, "example.com", 11));
	CHECK(wasi_grants_name_allows(&g, "EXAMPLE.com.", 12));
	CHECK(!wasi_grants_name_allows(&g, "www.example.com", 15));
	CHECK(!wasi_grants_name_allows(&g, "example.co", 10));
	CHECK(wasi_grants_name_allows(&g, "a.test.org", 10));
	CHECK(wasi_grants_name_allows(&g, "a.b.Test.Org", 12));
	CHECK(!wasi_grants_name_allows(&g, "test.org", 8));
	CHECK(!wasi_grants_name_allows(&g, "atest.org", 9));
	CHECK(!wasi_grants_name_allows(&g, "a..test.org", 11));
	CHECK(!wasi_grants_name_allows(&g, "a test.org", 10));
	CHECK(wasi_grants_name_allows(&all, "anything.at.all", 15));
	CHECK(!wasi_grants_name_allows(&all, "bad name", 8));
	CHECK(!wasi_grants_name_allows(&all, "", 0));
	/* pattern syntax */
	CHECK(!wasi_grant_parse_name("*"));
	CHECK(!wasi_grant_parse_name("*.a.b"));
	CHECK(!wasi_grant_parse_name("localhost"));
	CHECK(!wasi_grant_parse_name("a-b_c.d."));
	CHECK(wasi_grant_parse_name(""));
	CHECK(wasi_grant_parse_name("*a.b"));
	CHECK(wasi_grant_parse_name("a.*.b"));
	CHECK(wasi_grant_parse_name("*."));
	CHECK(wasi_grant_parse_name("a..b"));
	CHECK(wasi_grant_parse_name(".a"));
	CHECK(wasi_grant_parse_name("a b"));
	CHECK(wasi_grant_parse_name("a/b"));
	CHECK(wasi_grant_parse_name(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"));
	CHECK(wasi_grant_parse_name(NULL));
}

TEST(cli_lists)
{
	struct wasi_grants g = { 0 };
	char err[256];

	CHECK(grant_opt_add(&g, "--addr-pool", "10.0.0.0/8,::1", err, sizeof err) == 0);
	CHECK(grant_opt_add(&g, "--allow-resolve", "a.b,*.c.d", err, sizeof err) == 0);
	CHECK(grant_opt_add(&g, "--tcplisten", "[::1]:80", err, sizeof err) == 0);
	CHECK_EQ_U64(g.npool, 2);
	CHECK_EQ_U64(g.nresolve, 2);
	CHECK_EQ_U64(g.nlisten, 1);
	CHECK(!strcmp(g.resolve[1], "*.c.d"));
	CHECK(grant_opt_add(&g, "--addr-pool", "10.0.0.0/8,", err, sizeof err) == -1);
	CHECK(grant_opt_add(&g, "--addr-pool", "10.0.0.1/8", err, sizeof err) == -1);
	CHECK(strstr(err, "--addr-pool '10.0.0.1/8'") && strstr(err, "past the prefix"));
	CHECK(grant_opt_add(&g, "--tcplisten", "1.2.3.4:80,5.6.7.8:80", err, sizeof err) == -1);
	CHECK_EQ_U64(g.npool, 2);
	grant_opts_free(&g);
}

/* ---- the manifest, as the kernel reads it ---------------------------------- */

struct buf {
	uint8_t b[8192];
	size_t n;
	uint32_t count;
};

static void put_entry(struct buf *w, uint32_t kind, const void *data, uint64_t len)
{
	struct bundle_entry e = { kind, 0, len };

	memcpy(w->b + w->n, &e, sizeof e);
	w->n += sizeof e;
	memcpy(w->b + w->n, data, len);
	w->n += (len + 7) & ~7ull;
	w->count++;
}

static int parse_manifest(const char *text, struct boot_bundle *b, const char **why)
{
	static const uint8_t wasm[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	struct buf w = { .n = sizeof(struct bundle_header) };
	struct bundle_header h = { .version = BUNDLE_VERSION };

	memset(w.b, 0, sizeof w.b);
	put_entry(&w, BUNDLE_MANIFEST, text, strlen(text));
	put_entry(&w, BUNDLE_MODULE, wasm, sizeof wasm);
	memcpy(h.magic, BUNDLE_MAGIC, 8);
	h.count = w.count;
	h.size = w.n;
	memcpy(w.b, &h, sizeof h);
	/* the bundle must outlive b: keep it static per call site */
	static uint8_t keep[8192];
	memcpy(keep, w.b, w.n);
	return bundle_parse(keep, w.n, b, why);
}

TEST(manifest_grants)
{
	struct boot_bundle b;
	const char *why;
	char text[64];

	CHECK(parse_manifest("wasmetal-manifest 1\n"
			     "tcplisten 0.0.0.0:8080\n"
			     "tcplisten [::1]:81\n"
			     "addr-pool 10.0.0.0/8:443\n"
			     "addr-pool \"[2001:db8::/32]:80-90\"\n"
			     "allow-resolve \"*.example.com\"\n"
			     "allow-resolve localhost\n", &b, &why) == 0);
	CHECK_EQ_U64(b.grants.nlisten, 2);
	CHECK_EQ_U64(b.grants.npool, 2);
	CHECK_EQ_U64(b.grants.nresolve, 2);
	CHECK(!strcmp(wasi_addr_format(&b.grants.listen[1], true, text, sizeof text),
		      "[::1]:81"));
	CHECK(!strcmp(wasi_pool_format(&b.grants.pool[1], text, sizeof text),
		      "[2001:db8::/32]:80-90"));
	CHECK(!strcmp(b.grants.resolve[0], "*.example.com"));
	CHECK(b.net.nic);
	bundle_free(&b);

	CHECK(parse_manifest("wasmetal-manifest 1\narg x\n", &b, &why) == 0);
	CHECK(!b.net.nic);
	CHECK(!wasi_grants_any(&b.grants));
	bundle_free(&b);

	CHECK(parse_manifest("wasmetal-manifest 1\nallow-resolve a.b\n", &b, &why) == 0);
	CHECK(b.net.nic);
	bundle_free(&b);
}

TEST(manifest_bad_grant_stops_with_its_line)
{
	static const struct { const char *text; unsigned line; } bad[] = {
		{ "wasmetal-manifest 1\narg x\naddr-pool 10.0.0.1/8\n", 3 },
		{ "wasmetal-manifest 1\ntcplisten 1.2.3.4\n", 2 },
		{ "wasmetal-manifest 1\n\n\ntcplisten \"[::1]:99999\"\n", 4 },
		{ "wasmetal-manifest 1\nallow-resolve \"a b\"\n", 2 },
		{ "wasmetal-manifest 1\nallow-resolve\n", 2 },
		{ "wasmetal-manifest 1\nallow-resolve \"*x\"\n", 2 },
	};
	struct boot_bundle b;
	const char *why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(parse_manifest(bad[i].text, &b, &why) == -EINVAL);
		CHECK_EQ_U64(b.bad_line, bad[i].line);
		CHECK(why && *why);
	}
}

TEST(manifest_too_many_grants)
{
	static char text[WASI_GRANT_MAX * 24 + 64];
	struct boot_bundle b;
	const char *why;
	size_t n = (size_t)snprintf(text, sizeof text, "wasmetal-manifest 1\n");

	for (int i = 0; i <= WASI_GRANT_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "addr-pool 10.0.%d.%d\n",
				      i / 256, i % 256);
	CHECK(n < sizeof text && n + 64 < sizeof(struct buf));
	CHECK(parse_manifest(text, &b, &why) == -EINVAL);
	CHECK_EQ_U64(b.bad_line, WASI_GRANT_MAX + 2);
}

/* ---- the image writer, and back ------------------------------------------- */

TEST(writer_round_trip)
{
	static const uint8_t mod[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	char dir[] = "/tmp/test_grant.XXXXXX", wasm[64], out[64], text[64];
	struct wasi_grants g = { 0 };
	const char *argv[] = { "prog" };
	struct image_spec s = { .argc = 1, .argv = argv, .grants = &g };
	static uint8_t b[16384];
	struct boot_bundle bb;
	const char *why;
	char err[256];
	size_t n;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(wasm, sizeof wasm, "%s/m.wasm", dir);
	snprintf(out, sizeof out, "%s/bundle", dir);
	f = fopen(wasm, "wb");
	fwrite(mod, 1, sizeof mod, f);
	fclose(f);
	s.module_path = wasm;
	CHECK(!grant_opt_add(&g, "--tcplisten", "[::]:8080", err, sizeof err));
	CHECK(!grant_opt_add(&g, "--addr-pool", "[2001:db8::]/32:443,10.0.0.0/8", err, sizeof err));
	CHECK(!grant_opt_add(&g, "--allow-resolve", "*.example.com", err, sizeof err));
	CHECK(image_bundle_write(&s, out, err, sizeof err) == 0);
	f = fopen(out, "rb");
	n = fread(b, 1, sizeof b, f);
	fclose(f);
	CHECK(memmem(b, n, "tcplisten [::]:8080\n", 20) != NULL);
	CHECK(memmem(b, n, "addr-pool [2001:db8::/32]:443\n", 30) != NULL);
	CHECK(memmem(b, n, "allow-resolve \"*.example.com\"\n", 30) != NULL);
	CHECK(bundle_parse(b, n, &bb, &why) == 0);
	CHECK_EQ_U64(bb.grants.nlisten, 1);
	CHECK_EQ_U64(bb.grants.npool, 2);
	CHECK(!strcmp(wasi_pool_format(&bb.grants.pool[1], text, sizeof text), "10.0.0.0/8"));
	CHECK(!strcmp(bb.grants.resolve[0], "*.example.com"));
	CHECK(bb.net.nic);
	bundle_free(&bb);
	grant_opts_free(&g);
	unlink(wasm);
	unlink(out);
	rmdir(dir);
}

TEST(errno_map_by_name)
{
	CHECK_EQ_U64(wasi_errno_from_plat(0), 0);
	CHECK_EQ_U64(wasi_errno_from_plat(-EAGAIN), WASI_EAGAIN);
	CHECK_EQ_U64(wasi_errno_from_plat(-EWOULDBLOCK), WASI_EAGAIN);
	CHECK_EQ_U64(wasi_errno_from_plat(-ECONNREFUSED), WASI_ECONNREFUSED);
	CHECK_EQ_U64(wasi_errno_from_plat(-EADDRINUSE), WASI_EADDRINUSE);
	CHECK_EQ_U64(wasi_errno_from_plat(-EOPNOTSUPP), WASI_ENOTSUP);
	CHECK_EQ_U64(wasi_errno_from_plat(-EPIPE), WASI_EPIPE);
	CHECK_EQ_U64(wasi_errno_from_plat(-ENETDOWN), WASI_ENETDOWN);
	CHECK_EQ_U64(wasi_errno_from_plat(ETIMEDOUT), WASI_ETIMEDOUT);  /* SO_ERROR */
	CHECK_EQ_U64(wasi_errno_from_plat(-ECHILD), WASI_EIO);          /* unmapped */
}

/*
 * Regression (make check-asan, UBSan): grants with names but no address
 * pool (npool 0, pool NULL, as the manifest reader leaves them) made
 * wasi_ctx_create's grants_copy call memcpy with a NULL source, which C
 * does not allow even for 0 bytes.  The context must be made and hold the
 * names; under the sanitizers the memcpy itself would abort the test.
 */
TEST(ctx_grants_names_without_pool)
{
	static const char *const names[] = { "example.com" };
	struct wasi_config cfg = {
		.grants = { .nlisten = 0, .listen = NULL, .npool = 0, .pool = NULL,
			    .nresolve = 1, .resolve = names },
	};
	char why[256] = "";
	struct wasi_ctx *ctx = wasi_ctx_create(&cfg, why, sizeof why);

	CHECK(ctx != NULL);
	if (ctx)
		wasi_ctx_free(ctx);
}

int main(void)
{
	RUN(listen_parses_and_formats);
	RUN(listen_refuses_bad_text);
	RUN(ipv6_text_forms);
	RUN(pool_parses_and_formats);
	RUN(pool_refuses_bad_text);
	RUN(pool_checks);
	RUN(mapped_ipv4_needs_an_ipv4_grant);
	RUN(names);
	RUN(cli_lists);
	RUN(manifest_grants);
	RUN(manifest_bad_grant_stops_with_its_line);
	RUN(manifest_too_many_grants);
	RUN(writer_round_trip);
	RUN(errno_map_by_name);
	RUN(ctx_grants_names_without_pool);
	CHECK_DONE();
}
