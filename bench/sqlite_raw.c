/* sqlite_raw.c — the raw-C baseline of trade storage: libsqlite3 directly, no pmingest.
 *
 *   cc -O2 -std=c99 bench/sqlite_raw.c -lsqlite3 -o sqlite_raw
 *   ./sqlite_raw [rows=100000] [runs=5] [schema=bench/trades_schema.sql]
 *
 * Runs the DDL of the schema file on a fresh database, prepares its one upsert statement once,
 * and inserts the rows of bench_data.h inside BEGIN ... COMMIT: all rows in one transaction, and
 * (for comparison with 1000-row library batches) one transaction per 1000 rows. Databases:
 * ":memory:" and a temp file (WAL, synchronous=NORMAL, as pmingest uses). Only the inserts are
 * timed (not open/DDL/close). Prints the best of `runs`, one line per measurement:
 *   rows_per_s sqlite_raw_c_memory <n>
 *   rows_per_s sqlite_raw_c_file <n>
 *   rows_per_s sqlite_raw_c_memory_batch1000 <n>
 *   rows_per_s sqlite_raw_c_file_batch1000 <n> */
#define _POSIX_C_SOURCE 200809L
#include "bench_data.h"

#include <sqlite3.h>
#include <unistd.h>

static char *schema_sql;

static void die(sqlite3 *db, const char *what) {
    fprintf(stderr, "sqlite_raw: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    exit(1);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    long n;
    char *s;
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) exit(2);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Executes every parameterless statement of the schema; returns the prepared upsert. */
static sqlite3_stmt *apply_schema(sqlite3 *db) {
    const char *sql = schema_sql, *tail = NULL;
    sqlite3_stmt *upsert = NULL;
    while (sql && *sql) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) die(db, "prepare schema");
        sql = tail;
        if (st == NULL) continue; /* whitespace or comment */
        if (sqlite3_bind_parameter_count(st) > 0) {
            if (upsert) {
                fprintf(stderr, "sqlite_raw: schema has more than one statement with parameters\n");
                exit(2);
            }
            if (sqlite3_bind_parameter_count(st) != 10) {
                fprintf(stderr, "sqlite_raw: the upsert must take 10 parameters\n");
                exit(2);
            }
            upsert = st;
            continue;
        }
        if (sqlite3_step(st) != SQLITE_DONE) die(db, "schema statement");
        sqlite3_finalize(st);
    }
    if (!upsert) {
        fprintf(stderr, "sqlite_raw: schema has no upsert statement (one with parameters)\n");
        exit(2);
    }
    return upsert;
}

static void exec(sqlite3 *db, const char *sql) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die(db, sql);
}

/* One timed run; returns rows per second. */
static double run_once(const char *path, const bench_row *rows, size_t n, size_t batch) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st;
    size_t i;
    double t0, dt;
    sqlite3_int64 count = 0;
    if (sqlite3_open(path, &db) != SQLITE_OK) die(db, "open");
    if (strcmp(path, ":memory:") != 0) {
        exec(db, "PRAGMA journal_mode = WAL");
        exec(db, "PRAGMA synchronous = NORMAL");
    }
    st = apply_schema(db);

    t0 = bench_now();
    for (i = 0; i < n; i++) {
        const bench_row *r = &rows[i];
        if (i % batch == 0) exec(db, "BEGIN");
        sqlite3_bind_text(st, 1, r->id, 64, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->token_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->condition_id, 66, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->side, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, r->price_micros);
        sqlite3_bind_int64(st, 6, r->size_micros);
        sqlite3_bind_int64(st, 7, r->timestamp_ms);
        sqlite3_bind_text(st, 8, r->transaction_hash, 66, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, r->proxy_wallet, 42, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, r->outcome, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) die(db, "upsert");
        sqlite3_reset(st);
        if (i % batch == batch - 1 || i == n - 1) exec(db, "COMMIT");
    }
    dt = bench_now() - t0;
    sqlite3_finalize(st);

    { /* sanity, untimed */
        sqlite3_stmt *c = NULL;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM trades", -1, &c, NULL) == SQLITE_OK &&
            sqlite3_step(c) == SQLITE_ROW)
            count = sqlite3_column_int64(c, 0);
        sqlite3_finalize(c);
        if ((size_t)count != n) {
            fprintf(stderr, "sqlite_raw: expected %lu rows, found %lld\n", (unsigned long)n, (long long)count);
            exit(1);
        }
    }
    sqlite3_close(db);
    return (double)n / dt;
}

static void remove_db(const char *path) {
    char p[600];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    int i;
    for (i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

static void measure(const char *name, const char *path, const bench_row *rows, size_t n, size_t batch, int runs) {
    double best = 0;
    int r;
    for (r = 0; r < runs; r++) {
        double v;
        if (strcmp(path, ":memory:") != 0) remove_db(path);
        v = run_once(path, rows, n, batch);
        if (v > best) best = v;
    }
    if (strcmp(path, ":memory:") != 0) remove_db(path);
    printf("rows_per_s %s %.0f\n", name, best);
    fflush(stdout);
}

int main(int argc, char **argv) {
    size_t n;
    int runs;
    bench_row *rows;
    char dir[512], file[600];
    const char *tmp = getenv("TMPDIR");

    bench_args(argc, argv, &n, &runs);
    schema_sql = slurp(argc > 3 ? argv[3] : "bench/trades_schema.sql");
    rows = bench_make_rows(n);
    snprintf(dir, sizeof dir, "%s/pmingest-bench-raw.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(file, sizeof file, "%s/raw.db", dir);

    measure("sqlite_raw_c_memory", ":memory:", rows, n, n, runs);
    measure("sqlite_raw_c_file", file, rows, n, n, runs);
    measure("sqlite_raw_c_memory_batch1000", ":memory:", rows, n, 1000, runs);
    measure("sqlite_raw_c_file_batch1000", file, rows, n, 1000, runs);

    rmdir(dir);
    free(rows);
    free(schema_sql);
    return 0;
}
