/*
 * sort.c — bench: quicksort (median of three, insertion sort for short
 * ranges) and a bottom-up mergesort of the same pseudo-random array of
 * 32-bit keys; checks both are sorted and equal, prints checksums.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define COUNT (1u << 21)
#define ROUNDS 3

static uint32_t data[COUNT], q[COUNT], m[COUNT], tmp[COUNT];

static void insertion(uint32_t *a, long lo, long hi)
{
	for (long i = lo + 1; i <= hi; i++) {
		uint32_t v = a[i];
		long j = i - 1;
		while (j >= lo && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void swap(uint32_t *a, long i, long j)
{
	uint32_t t = a[i];
	a[i] = a[j];
	a[j] = t;
}

static void quicksort(uint32_t *a, long lo, long hi)
{
	while (hi - lo > 16) {
		long mid = lo + (hi - lo) / 2;
		if (a[mid] < a[lo]) swap(a, mid, lo);
		if (a[hi] < a[lo]) swap(a, hi, lo);
		if (a[hi] < a[mid]) swap(a, hi, mid);
		uint32_t pivot = a[mid];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot) i++;
			while (a[j] > pivot) j--;
			if (i <= j) {
				swap(a, i, j);
				i++;
				j--;
			}
		}
		/* Recurse into the smaller side, loop on the larger. */
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
	insertion(a, lo, hi);
}

static void mergesort(uint32_t *a, uint32_t *t, size_t n)
{
	uint32_t *src = a, *dst = t;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		uint32_t *s = src;
		src = dst;
		dst = s;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

int main(void)
{
	uint32_t x = 2463534242u;
	uint64_t sum = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t i = 0; i < COUNT; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;   /* xorshift32 */
			/* A narrower key range in odd rounds gives many duplicates. */
			data[i] = (round & 1) ? x % 1000 : x;
		}
		memcpy(q, data, sizeof data);
		memcpy(m, data, sizeof data);
		quicksort(q, 0, COUNT - 1);
		mergesort(m, tmp, COUNT);
		for (size_t i = 0; i < COUNT; i++) {
			if (q[i] != m[i] || (i && q[i - 1] > q[i])) {
				printf("sort: MISMATCH at %zu in round %d\n", i, round);
				return 1;
			}
			sum = sum * 31 + q[i] * (uint64_t)(i | 1);
		}
		printf("sort round %d: min %u median %u max %u\n", round,
		       q[0], q[COUNT / 2], q[COUNT - 1]);
	}
	printf("sort %u keys x %d rounds: checksum %016llx\n", COUNT, ROUNDS,
	       (unsigned long long)sum);
	return 0;
}
