/*
 * simd_loops.c — a real program built with -msimd128 (issue 10, "Tests:
 * Real programs"): loops clang's autovectoriser turns into v128 code
 * (integer dot product, saxpy/daxpy, byte min/max/sum, i16 saturating
 * add, f32 -> i32 conversion, clamping) and a string search, a byte
 * histogram and a few lane operations written with wasm_simd128.h
 * intrinsics.  Prints checksums (floats as their bits), compared with
 * node by tests/run.sh; run.sh also checks that the module really holds
 * v128 instructions, so a toolchain that stops vectorising is caught.
 * No NaN is ever produced: V8 and wasmetal may differ in NaN bits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasm_simd128.h>

#define N 4099          /* not a multiple of any vector width: tails run */

static uint32_t seed = 12345;
static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int32_t ia[N], ib[N];
static float fx[N], fy[N];
static double dx[N], dy[N];
static uint8_t bytes[N];
static int16_t sa[N], sb[N], sc[N];
static int32_t conv[N];
static char text[8192];

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

/* FNV-1a over n bytes */
static uint32_t fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* the autovectorised loops: noinline so each one is a function of its own */
__attribute__((noinline)) static int64_t dot_i32(const int32_t *a, const int32_t *b, int n)
{
	int32_t s = 0;          /* wraps: the same on every runner */
	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

__attribute__((noinline)) static void saxpy(float a, const float *x, float *y, int n)
{
	for (int i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static void daxpy(double a, const double *x, double *y, int n)
{
	for (int i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static void minmax_sum_u8(const uint8_t *b, int n, uint8_t *mn,
						    uint8_t *mx, uint32_t *sum)
{
	uint8_t lo = 255, hi = 0;
	uint32_t s = 0;
	for (int i = 0; i < n; i++) {
		lo = b[i] < lo ? b[i] : lo;
		hi = b[i] > hi ? b[i] : hi;
		s += b[i];
	}
	*mn = lo, *mx = hi, *sum = s;
}

__attribute__((noinline)) static void adds_i16(const int16_t *a, const int16_t *b, int16_t *c, int n)
{
	for (int i = 0; i < n; i++) {
		int32_t v = a[i] + b[i];
		c[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
	}
}

__attribute__((noinline)) static void to_i32_clamped(const float *f, int32_t *o, int n)
{
	for (int i = 0; i < n; i++) {
		float v = f[i] * 1000.0f;
		v = v < -500.0f ? -500.0f : v > 500.0f ? 500.0f : v;
		o[i] = (int32_t)v;
	}
}

/* explicit intrinsics: count the occurrences of needle's first byte
 * 16 bytes at a time (i8x16.eq, bitmask), then check the rest */
__attribute__((noinline)) static int count_matches(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	v128_t first = wasm_i8x16_splat(needle[0]);
	int count = 0;
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		v128_t block = wasm_v128_load(hay + i);
		uint32_t mask = wasm_i8x16_bitmask(wasm_i8x16_eq(block, first));
		while (mask) {
			size_t at = i + __builtin_ctz(mask);
			mask &= mask - 1;
			if (at + m <= n && memcmp(hay + at, needle, m) == 0)
				count++;
		}
	}
	for (; i < n; i++)
		if (hay[i] == needle[0] && i + m <= n && memcmp(hay + i, needle, m) == 0)
			count++;
	return count;
}

/* a byte histogram, 16 bytes a load (i8x16.extract_lane_u), and the
 * number of bits set in them (i8x16.popcnt, extadd_pairwise) */
__attribute__((noinline)) static uint32_t histogram(const uint8_t *b, int n, uint32_t h[256])
{
	v128_t pop = wasm_i32x4_splat(0);
	int i = 0;
	memset(h, 0, 256 * sizeof h[0]);
	for (; i + 16 <= n; i += 16) {
		v128_t v = wasm_v128_load(b + i);
#define LANE(k) h[wasm_u8x16_extract_lane(v, k)]++
		LANE(0), LANE(1), LANE(2), LANE(3), LANE(4), LANE(5), LANE(6), LANE(7);
		LANE(8), LANE(9), LANE(10), LANE(11), LANE(12), LANE(13), LANE(14), LANE(15);
#undef LANE
		v128_t c = wasm_i8x16_popcnt(v);
		pop = wasm_i32x4_add(pop, wasm_u32x4_extadd_pairwise_u16x8(
						  wasm_u16x8_extadd_pairwise_u8x16(c)));
	}
	for (; i < n; i++)
		h[b[i]]++;
	return wasm_u32x4_extract_lane(pop, 0) + wasm_u32x4_extract_lane(pop, 1) +
	       wasm_u32x4_extract_lane(pop, 2) + wasm_u32x4_extract_lane(pop, 3);
}

/* lane operations the loops above may not reach */
__attribute__((noinline)) static uint32_t lanes(void)
{
	uint32_t h = 0;
	for (int i = 0; i + 8 <= N; i += 8) {
		v128_t a = wasm_v128_load(&sa[i]), b = wasm_v128_load(&sb[i]);
		v128_t r[] = {
			wasm_i16x8_q15mulr_sat(a, b),
			wasm_i32x4_dot_i16x8(a, b),
			wasm_i32x4_extmul_high_i16x8(a, b),
			wasm_u8x16_avgr(a, b),
			wasm_i8x16_shuffle(a, b, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31),
			wasm_i8x16_swizzle(a, wasm_u8x16_min(b, wasm_u8x16_splat(20))),
			wasm_i8x16_narrow_i16x8(a, b),
			wasm_u16x8_narrow_i32x4(a, b),
			wasm_i16x8_shr(a, (uint32_t)i),     /* count taken mod 16 */
			wasm_v128_bitselect(a, b, wasm_i16x8_gt(a, b)),
			wasm_i64x2_mul(a, b),
			wasm_i16x8_abs(a),
		};
		for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++)
			h = (h ^ wasm_i32x4_extract_lane(r[k], 1)) * 16777619u +
			    (uint32_t)wasm_i64x2_extract_lane(r[k], 1);
	}
	for (int i = 0; i + 4 <= N; i += 4) {
		v128_t f = wasm_v128_load(&fx[i]), g = wasm_v128_load(&fy[i]);
		v128_t r = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_abs(f)),
					  wasm_f32x4_nearest(wasm_f32x4_mul(g, wasm_f32x4_splat(3.5f))));
		r = wasm_f32x4_pmin(r, wasm_f32x4_floor(g));
		v128_t d = wasm_f64x2_promote_low_f32x4(r);
		v128_t t = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(f, wasm_f32x4_splat(1e9f)));
		h = (h ^ fbits(wasm_f32x4_extract_lane(r, 3))) * 16777619u;
		h = (h ^ (uint32_t)dbits(wasm_f64x2_extract_lane(d, 1))) * 16777619u;
		h = (h ^ (uint32_t)wasm_i32x4_extract_lane(t, 2)) * 16777619u;
	}
	return h;
}

int main(void)
{
	for (int i = 0; i < N; i++) {
		ia[i] = (int32_t)rnd() - (1 << 23);
		ib[i] = (int32_t)(rnd() & 0xffff) - 32768;
		fx[i] = (float)(int)(rnd() & 0xfffff) / 4096.0f - 128.0f;
		fy[i] = (float)(int)(rnd() & 0xfffff) / 8192.0f;
		dx[i] = (double)rnd() / 65536.0 - 128.0;
		dy[i] = (double)rnd() / 1024.0;
		bytes[i] = (uint8_t)(rnd() % 251 + 2);
		sa[i] = (int16_t)rnd();
		sb[i] = (int16_t)rnd();
	}
	bytes[N / 3] = 1;
	bytes[2 * N / 3] = 254;
	static const char *words[] = { "wasm", "simd", "lane", "vector", "wasmetal", "v128" };
	size_t len = 0;
	while (len + 16 < sizeof text) {
		const char *w = words[rnd() % 6];
		size_t k = strlen(w);
		memcpy(text + len, w, k);
		len += k;
		text[len++] = " ,."[rnd() % 3];
	}
	text[len] = 0;

	printf("dot_i32 %lld\n", (long long)dot_i32(ia, ib, N));
	for (int r = 0; r < 3; r++) {
		saxpy(0.75f - r, fx, fy, N);
		daxpy(1.25 + r, dx, dy, N);
	}
	printf("saxpy %08x y[0] %08x y[N-1] %08x\n", fnv(fy, sizeof fy), fbits(fy[0]),
	       fbits(fy[N - 1]));
	printf("daxpy %08x y[7] %016llx\n", fnv(dy, sizeof dy), (unsigned long long)dbits(dy[7]));
	uint8_t mn, mx;
	uint32_t sum;
	minmax_sum_u8(bytes, N, &mn, &mx, &sum);
	printf("bytes min %u max %u sum %u\n", mn, mx, sum);
	adds_i16(sa, sb, sc, N);
	printf("adds_i16 %08x\n", fnv(sc, sizeof sc));
	to_i32_clamped(fx, conv, N);
	printf("to_i32 %08x conv[1] %d\n", fnv(conv, sizeof conv), conv[1]);
	printf("search wasm %d wasmetal %d v128 %d lanes %d\n", count_matches(text, len, "wasm"),
	       count_matches(text, len, "wasmetal"), count_matches(text, len, "v128"),
	       count_matches(text, len, "lanes"));
	static uint32_t h[256];
	uint32_t pop = histogram(bytes, N, h);
	printf("histogram %08x popcount %u h[1] %u h[254] %u\n", fnv(h, sizeof h), pop, h[1], h[254]);
	printf("lanes %08x\n", lanes());
	return 0;
}
