/*
 * main.c — the SQLite benchmark (bench/real/, issue 9 "Speed targets": a
 * database).  SQLite is the amalgamation generated from Debian's sqlite3
 * source by bench/real/build.sh, built with SQLITE_OS_OTHER: this file
 * supplies the OS layer (sqlite3_os_init/sqlite3_os_end and a VFS) for an
 * in-memory database, the same in the native and the wasm build.
 *
 * The VFS opens no file (xOpen fails: ":memory:" and SQLITE_TEMP_STORE=3
 * never need one), its randomness is a fixed sequence and its clock a fixed
 * date, so every runner prints the same bytes.  Workload: inserts in one
 * transaction through a prepared statement, an index, point and range
 * queries through it, an aggregate with GROUP BY, an update and a delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

/* ---- the VFS ---------------------------------------------------------- */

static int vfs_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	f->pMethods = NULL;	/* tells SQLite there is nothing to close */
	return SQLITE_CANTOPEN;
}

static int vfs_delete(sqlite3_vfs *v, const char *name, int sync)
{
	return SQLITE_IOERR_DELETE;
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *res)
{
	*res = 0;
	return SQLITE_OK;
}

static int vfs_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	sqlite3_snprintf(n, out, "%s", name);
	return SQLITE_OK;
}

static int vfs_random(sqlite3_vfs *v, int n, char *out)
{
	static unsigned int x = 2463534242u;	/* xorshift32, fixed seed */

	for (int i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[i] = (char)x;
	}
	return n;
}

static int vfs_sleep(sqlite3_vfs *v, int us)
{
	return 0;
}

static int vfs_time(sqlite3_vfs *v, double *jd)
{
	*jd = 2461000.5;	/* a fixed Julian day */
	return SQLITE_OK;
}

static int vfs_lasterror(sqlite3_vfs *v, int n, char *buf)
{
	return 0;
}

static sqlite3_vfs bench_vfs = {
	.iVersion = 1,
	.szOsFile = sizeof(sqlite3_file),
	.mxPathname = 512,
	.zName = "bench-memory",
	.xOpen = vfs_open,
	.xDelete = vfs_delete,
	.xAccess = vfs_access,
	.xFullPathname = vfs_fullpath,
	.xRandomness = vfs_random,
	.xSleep = vfs_sleep,
	.xCurrentTime = vfs_time,
	.xGetLastError = vfs_lasterror,
};

int sqlite3_os_init(void)
{
	return sqlite3_vfs_register(&bench_vfs, 1);
}

int sqlite3_os_end(void)
{
	return SQLITE_OK;
}

/* ---- the workload ----------------------------------------------------- */

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "?");
		exit(1);
	}
}

static sqlite3_stmt *prepare(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sql);
	return st;
}

/* Print every row of a query (all columns as text), then finalize it. */
static void show(const char *sql)
{
	sqlite3_stmt *st = prepare(sql);
	int rc;

	printf("%s\n", sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			printf("%s%s", i ? " | " : "  ", (const char *)sqlite3_column_text(st, i));
		printf("\n");
	}
	if (rc != SQLITE_DONE)
		die(sql);
	sqlite3_finalize(st);
}

static unsigned int lcg = 12345;
static unsigned int next(void)
{
	lcg = lcg * 1103515245u + 12345u;
	return lcg >> 1;
}

#define ROWS 200000
#define LOOKUPS 100000

int main(void)
{
	static const char *words[] = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
				       "golf", "hotel", "india", "juliet", "kilo", "lima" };
	char text[64];

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		die("open");
	exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)");

	exec("BEGIN");
	sqlite3_stmt *ins = prepare("INSERT INTO t(a, b, c) VALUES (?1, ?2, ?3)");
	for (int i = 0; i < ROWS; i++) {
		unsigned int r = next();
		snprintf(text, sizeof text, "%s-%u", words[r % 12], r % 9973);
		sqlite3_bind_int(ins, 1, (int)(next() % 50000));
		sqlite3_bind_text(ins, 2, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(ins, 3, (double)(r % 100000) / 8.0);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert");
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	exec("COMMIT");
	exec("CREATE INDEX t_a ON t(a)");
	exec("CREATE INDEX t_b ON t(b)");

	/* Point lookups through the index: many short statements. */
	sqlite3_stmt *q = prepare("SELECT count(*), total(c) FROM t WHERE a = ?1");
	long long hits = 0;
	double sum = 0;
	for (int i = 0; i < LOOKUPS; i++) {
		sqlite3_bind_int(q, 1, (int)(next() % 50000));
		if (sqlite3_step(q) != SQLITE_ROW)
			die("lookup");
		hits += sqlite3_column_int64(q, 0);
		sum += sqlite3_column_double(q, 1);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	printf("lookups: %d queries, %lld rows, total %.3f\n", LOOKUPS, hits, sum);

	show("SELECT count(*), min(a), max(a), sum(a) FROM t");
	show("SELECT count(*), round(avg(c), 6) FROM t WHERE a BETWEEN 1000 AND 20000");
	show("SELECT substr(b, 1, instr(b, '-') - 1) AS w, count(*), sum(a) % 1000003 FROM t GROUP BY w ORDER BY w");
	show("SELECT b, count(*) FROM t WHERE b LIKE 'kilo-1%' GROUP BY b ORDER BY count(*) DESC, b LIMIT 5");
	exec("UPDATE t SET c = c * 2 WHERE a % 7 = 0");
	exec("DELETE FROM t WHERE a % 5 = 0");
	show("SELECT count(*), round(sum(c), 3) FROM t");
	show("SELECT a, count(*) FROM t GROUP BY a ORDER BY count(*) DESC, a LIMIT 3");
	show("SELECT x.a, count(*) FROM t AS x JOIN t AS y ON x.a = y.a AND x.id < y.id WHERE x.a < 300 GROUP BY x.a ORDER BY 2 DESC, 1 LIMIT 3");
	sqlite3_close(db);
	return 0;
}
