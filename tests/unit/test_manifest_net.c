/*
 * test_manifest_net.c — the manifest's network keys (kernel/
 * manifest_net.c, docs/manifest.md "Network") through the kernel's own
 * bundle parser: good settings land in struct bundle_net / bundle_httpd,
 * every malformed or contradictory one is refused with its line, and
 * what the CLI writes (images/bundle.c, --ip/--gateway/--dns/
 * --kernel-httpd) is read back exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "bundle.h"
#include "image.h"
#include "../../images/parse/bundle_parse.h"

struct buf {
	uint8_t b[8192];
	size_t n;
	uint32_t count;
};

static const uint8_t wasm8[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

static void put_entry(struct buf *w, uint32_t kind, const void *data, uint64_t len)
{
	struct bundle_entry e = { kind, 0, len };

	memcpy(w->b + w->n, &e, sizeof e);
	w->n += sizeof e;
	memcpy(w->b + w->n, data, len);
	w->n += (len + 7) & ~7ull;
	w->count++;
}

/* Parse a bundle of a module and this manifest text. */
static int parse(const char *text, struct boot_bundle *b, const char **why)
{
	static struct buf w;
	struct bundle_header h = { .version = BUNDLE_VERSION };

	memset(&w, 0, sizeof w);
	w.n = sizeof h;
	put_entry(&w, BUNDLE_MANIFEST, text, strlen(text));
	put_entry(&w, BUNDLE_MODULE, wasm8, sizeof wasm8);
	memcpy(h.magic, BUNDLE_MAGIC, 8);
	h.count = w.count;
	h.size = w.n;
	memcpy(w.b, &h, sizeof h);
	return bundle_parse(w.b, w.n, b, why);
}

TEST(no_net_lines_no_nic)
{
	struct boot_bundle b;
	const char *why;

	CHECK(parse("wasmetal-manifest 1\n", &b, &why) == 0);
	CHECK(!b.net.nic && !b.httpd.port);
	bundle_free(&b);
	CHECK(parse("wasmetal-manifest 1\nnet none\n", &b, &why) == 0);
	CHECK(!b.net.nic);
	bundle_free(&b);
}

TEST(dhcp_with_dns_and_httpd)
{
	struct boot_bundle b;
	const char *why;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
					0, 0, 0, 0x53 };

	CHECK(parse("wasmetal-manifest 1\nnet dhcp\ndns 10.0.2.3\ndns 2001:db8::53\n"
		    "kernel-httpd 8080:16777216\n", &b, &why) == 0);
	CHECK(b.net.nic && b.net.dhcp);
	CHECK_EQ_U64(b.net.ndns, 2);
	CHECK(b.net.dns_family[0] == 4 && !memcmp(b.net.dns[0], "\x0a\x00\x02\x03", 4));
	CHECK(b.net.dns_family[1] == 6 && !memcmp(b.net.dns[1], v6, 16));
	CHECK_EQ_U64(b.httpd.port, 8080);
	CHECK_EQ_U64(b.httpd.size, 16777216);
	bundle_free(&b);
}

TEST(static_address)
{
	struct boot_bundle b;
	const char *why;

	CHECK(parse("wasmetal-manifest 1\nnet static\naddress 192.168.1.20/24\n"
		    "gateway 192.168.1.1\ndns ::ffff:1.2.3.4\n", &b, &why) == 0);
	CHECK(b.net.nic && !b.net.dhcp);
	CHECK(!memcmp(b.net.addr, "\xc0\xa8\x01\x14", 4) && b.net.prefix == 24);
	CHECK(!memcmp(b.net.gateway, "\xc0\xa8\x01\x01", 4));
	CHECK(b.net.dns_family[0] == 6 && b.net.dns[0][10] == 0xff && b.net.dns[0][15] == 4);
	bundle_free(&b);
}

/* IPv6 text forms (RFC 4291 §2.2) the dns key takes, and their bytes. */
TEST(ipv6_forms)
{
	static const struct {
		const char *text;
		uint8_t a[16];
	} ok[] = {
		{ "::", { 0 } },
		{ "::1", { [15] = 1 } },
		{ "1::", { 0, 1 } },
		{ "1:2:3:4:5:6:7:8", { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8 } },
		{ "fe80::abcd:1", { 0xfe, 0x80, [12] = 0xab, 0xcd, 0, 1 } },
		{ "1:2:3:4:5:6:7::", { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7 } },
		{ "::ffff:10.0.0.1", { [10] = 0xff, 0xff, 10, 0, 0, 1 } },
		{ "1:2:3:4:5:6:1.2.3.4", { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4 } },
	};
	struct boot_bundle b;
	const char *why;
	char text[128];

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(text, sizeof text, "wasmetal-manifest 1\nnet dhcp\ndns %s\n",
			 ok[i].text);
		if (parse(text, &b, &why) != 0) {
			fprintf(stderr, "%s: %s\n", ok[i].text, why);
			CHECK(0);
			continue;
		}
		CHECK(b.net.dns_family[0] == 6 && !memcmp(b.net.dns[0], ok[i].a, 16));
		bundle_free(&b);
	}
}

static const struct {
	const char *text;
	unsigned line;
} bad[] = {
	{ "wasmetal-manifest 1\nnet\n", 2 },
	{ "wasmetal-manifest 1\nnet dchp\n", 2 },
	{ "wasmetal-manifest 1\nnet \"dhcp\"\n", 2 },
	{ "wasmetal-manifest 1\nnet dhcp\nnet dhcp\n", 3 },
	{ "wasmetal-manifest 1\nnet static\n", 2 },                 /* no address */
	{ "wasmetal-manifest 1\nnet dhcp\naddress 1.2.3.4/8\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ngateway 1.2.3.4\n", 3 },
	{ "wasmetal-manifest 1\ndns 1.1.1.1\n", 2 },                /* no NIC */
	{ "wasmetal-manifest 1\nnet none\nkernel-httpd 80:1\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3.4\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3.4/33\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3/8\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3.4.5/8\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 256.2.3.4/8\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1..3.4/8\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 0001.2.3.4/8\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3.4/\n", 3 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3.4/8\naddress 1.2.3.5/8\n", 4 },
	{ "wasmetal-manifest 1\nnet static\naddress 1.2.3.4/8\ngateway 1.2.3\n", 4 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 1:2:3:4:5:6:7:8:9\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 1::2::3\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 12345::\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns :1\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 1:\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 1:2:3:4:5:6:7\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 1:2:3:4:5:6:7:1.2.3.4\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns ::1.2.3\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns g::1\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\ndns 1.1.1.1\ndns 1.1.1.2\ndns 1.1.1.3\n", 5 },
	{ "wasmetal-manifest 1\nnet dhcp\nkernel-httpd 8080\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\nkernel-httpd 0:10\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\nkernel-httpd 65536:10\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\nkernel-httpd 80:99999999999999999999\n", 3 },
	{ "wasmetal-manifest 1\nnet dhcp\nkernel-httpd 80:1\nkernel-httpd 81:1\n", 4 },
};

TEST(bad_settings_name_their_line)
{
	struct boot_bundle b;
	const char *why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = parse(bad[i].text, &b, &why);

		CHECK_MSG(r == -EINVAL && why && b.bad_line == bad[i].line,
			  "case %zu: r %d line %u (want %u) why %s", i, r, b.bad_line,
			  bad[i].line, why ? why : "-");
		if (r == 0)
			bundle_free(&b);
	}
}

/* What `wasmetal run/image --ip ... --dns ... --kernel-httpd` writes, the
 * kernel reads back. */
TEST(cli_writer_round_trip)
{
	char dir[] = "/tmp/test_manifest_net.XXXXXX", mod[64], out[64], err[256];
	struct bundle_net n = { .nic = true, .dhcp = false, .addr = { 10, 1, 2, 3 },
				.prefix = 16, .gateway = { 10, 1, 0, 1 }, .ndns = 2,
				.dns_family = { 6, 4 },
				.dns = { { 0xfe, 0xc0, [15] = 3 }, { 8, 8, 4, 4 } } };
	struct image_spec s = { .module_path = mod, .net = &n, .httpd_port = 80,
				.httpd_size = 12345 };
	struct boot_bundle b;
	const char *why;
	uint8_t *buf;
	FILE *f;
	long len;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(mod, sizeof mod, "%s/m.wasm", dir);
	snprintf(out, sizeof out, "%s/bundle", dir);
	f = fopen(mod, "wb");
	fwrite(wasm8, 1, sizeof wasm8, f);
	fclose(f);
	CHECK(image_bundle_write(&s, out, err, sizeof err) == 0);
	f = fopen(out, "rb");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len);
	CHECK(fread(buf, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	CHECK(bundle_parse(buf, (uint64_t)len, &b, &why) == 0);
	CHECK(b.net.nic && !b.net.dhcp && b.net.prefix == 16);
	CHECK(!memcmp(b.net.addr, n.addr, 4) && !memcmp(b.net.gateway, n.gateway, 4));
	CHECK(b.net.ndns == 2 && !memcmp(b.net.dns, n.dns, sizeof n.dns));
	CHECK(b.net.dns_family[0] == 6 && b.net.dns_family[1] == 4);
	CHECK(b.httpd.port == 80 && b.httpd.size == 12345);
	bundle_free(&b);
	free(buf);
	unlink(mod);
	unlink(out);
	rmdir(dir);
}

int main(void)
{
	RUN(no_net_lines_no_nic);
	RUN(dhcp_with_dns_and_httpd);
	RUN(static_address);
	RUN(ipv6_forms);
	RUN(bad_settings_name_their_line);
	RUN(cli_writer_round_trip);
	CHECK_DONE();
}
