/*
 * fannkuch.c — bench: for every permutation of 0..n-1 (generated in
 * factorial-number-system order by a counter array), count the prefix
 * reversals ("pancake flips") until 0 reaches the front; prints the
 * maximum flip count and a signed checksum of all counts.  Run REPS
 * times with n read from a volatile, so no repetition can be folded.
 */
#include <stdio.h>

#define NMAX 16
#define REPS 3

static volatile int size = 10;

struct result {
	long perms, checksum;
	int maxflips;
};

static struct result fannkuch(int n)
{
	int perm[NMAX], work[NMAX], count[NMAX];
	struct result res = { 0, 0, 0 };

	for (int i = 0; i < n; i++) {
		perm[i] = i;
		count[i] = 0;
	}
	for (;;) {
		/* Count flips for this permutation. */
		if (perm[0] != 0) {
			for (int i = 0; i < n; i++)
				work[i] = perm[i];
			int flips = 0;
			int first = work[0];
			while (first != 0) {
				int lo = 0, hi = first;
				while (lo < hi) {
					int t = work[lo];
					work[lo] = work[hi];
					work[hi] = t;
					lo++;
					hi--;
				}
				flips++;
				first = work[0];
			}
			if (flips > res.maxflips)
				res.maxflips = flips;
			res.checksum += (res.perms & 1) ? -flips : flips;
		}
		res.perms++;

		/* Next permutation: rotate the first r+1 elements left by one,
		 * with count[] as a mixed-radix counter. */
		int r = 1;
		for (;;) {
			if (r == n)
				return res;
			int p0 = perm[0];
			for (int i = 0; i < r; i++)
				perm[i] = perm[i + 1];
			perm[r] = p0;
			if (++count[r] <= r)
				break;
			count[r] = 0;
			r++;
		}
	}
}

int main(void)
{
	long total = 0;
	for (int rep = 0; rep < REPS; rep++) {
		int n = size;
		if (n < 1 || n > NMAX)
			return 1;
		struct result r = fannkuch(n);
		total += r.checksum;
		if (rep == 0)
			printf("fannkuch(%d): %ld permutations, max flips %d, checksum %ld\n",
			       n, r.perms, r.maxflips, r.checksum);
	}
	printf("fannkuch x %d: total checksum %ld\n", REPS, total);
	return 0;
}
