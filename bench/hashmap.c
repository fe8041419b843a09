/*
 * hashmap.c — bench: an open-addressing hash table (linear probing,
 * 64-bit keys, power-of-two capacity, tombstone-free deletion by
 * backward shift) under a pseudo-random mix of inserts, lookups and
 * deletes; prints the operation counts and a checksum of the survivors.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#define CAP_BITS 20
#define CAP (1u << CAP_BITS)
#define OPS 18000000
#define KEY_SPACE 900000u

struct slot {
	uint64_t key;   /* 0 = empty */
	uint64_t value;
};

static struct slot table[CAP];
static uint32_t used;

static uint32_t home(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (uint32_t)key & (CAP - 1);
}

static struct slot *find(uint64_t key)
{
	for (uint32_t i = home(key);; i = (i + 1) & (CAP - 1)) {
		if (table[i].key == key)
			return &table[i];
		if (table[i].key == 0)
			return NULL;
	}
}

static void insert(uint64_t key, uint64_t value)
{
	uint32_t i = home(key);
	while (table[i].key != 0 && table[i].key != key)
		i = (i + 1) & (CAP - 1);
	if (table[i].key == 0)
		used++;
	table[i].key = key;
	table[i].value = value;
}

static int erase(uint64_t key)
{
	uint32_t i = home(key);
	while (table[i].key != key) {
		if (table[i].key == 0)
			return 0;
		i = (i + 1) & (CAP - 1);
	}
	/* Backward-shift the following cluster into the hole. */
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & (CAP - 1); table[j].key != 0; j = (j + 1) & (CAP - 1)) {
		uint32_t h = home(table[j].key);
		/* Move j into the hole if its home is not in (hole, j]. */
		if (((j - h) & (CAP - 1)) >= ((j - hole) & (CAP - 1))) {
			table[hole] = table[j];
			hole = j;
		}
	}
	table[hole].key = 0;
	table[hole].value = 0;
	used--;
	return 1;
}

int main(void)
{
	uint64_t s = 88172645463325252ull;
	long inserts = 0, hits = 0, misses = 0, erased = 0;
	for (long op = 0; op < OPS; op++) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		uint64_t key = (s >> 20) % KEY_SPACE + 1;
		switch ((s >> 8) & 3) {
		case 0:
		case 1:
			insert(key, s);
			inserts++;
			break;
		case 2: {
			struct slot *e = find(key);
			if (e) {
				hits++;
				e->value += op;
			} else {
				misses++;
			}
			break;
		}
		default:
			erased += erase(key);
			break;
		}
	}
	uint64_t sum = 0;
	uint32_t count = 0;
	for (uint32_t i = 0; i < CAP; i++) {
		if (table[i].key) {
			count++;
			sum += table[i].key * 0x9e3779b97f4a7c15ull ^ table[i].value;
		}
	}
	printf("hashmap: %ld inserts, %ld hits, %ld misses, %ld erased\n",
	       inserts, hits, misses, erased);
	printf("hashmap: %u live (%u counted), checksum %016llx\n", used, count,
	       (unsigned long long)sum);
	return used == count ? 0 : 1;
}
