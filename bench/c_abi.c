/* c_abi.c — trade storage through libpmingest's C ABI (pm_store_upsert_trades), the figure that
 * sqlite_raw.c is the baseline for.
 *
 *   cc -O2 -std=c99 -I include bench/c_abi.c -L <libdir> -lpmingest -Wl,-rpath,<libdir> -o c_abi
 *   ./c_abi [rows=100000] [runs=5]
 *
 * The same rows as the baseline (bench_data.h), as pm_trade_input with decimal strings; the
 * library parses them, derives the SHA-256 dedup id and upserts. Whole: one call with every row
 * (one transaction); batch1000: one call per 1000 rows. Databases: ":memory:" and a temp file
 * (pmingest uses WAL + synchronous=NORMAL for files). Only the upsert calls are timed (not open
 * or close). Prints the best of `runs`, one line per measurement:
 *   rows_per_s store_upsert_c_abi_memory <n>
 *   rows_per_s store_upsert_c_abi_file <n>
 *   rows_per_s store_upsert_c_abi_memory_batch1000 <n>
 *   rows_per_s store_upsert_c_abi_file_batch1000 <n> */
#define _POSIX_C_SOURCE 200809L
#include "bench_data.h"
#include "pmingest.h"

#include <unistd.h>

static void die(pm_status s, const char *what) {
    fprintf(stderr, "c_abi: %s: %s (%s)\n", what, pm_status_str(s), pm_last_error());
    exit(1);
}

static double run_once(const char *path, const pm_trade_input *in, size_t n, size_t batch) {
    pm_store *store = NULL;
    pm_status s;
    size_t done, inserted_total = 0;
    int64_t count = 0;
    double t0, dt;
    if ((s = pm_store_open(path, NULL, &store)) != PM_OK) die(s, "pm_store_open");
    t0 = bench_now();
    for (done = 0; done < n; done += batch) {
        size_t k = n - done < batch ? n - done : batch, inserted = 0;
        if ((s = pm_store_upsert_trades(store, in + done, k, &inserted)) != PM_OK) die(s, "pm_store_upsert_trades");
        inserted_total += inserted;
    }
    dt = bench_now() - t0;
    if ((s = pm_store_count_trades(store, NULL, &count)) != PM_OK) die(s, "pm_store_count_trades");
    if (inserted_total != n || (size_t)count != n) {
        fprintf(stderr, "c_abi: expected %lu new rows, got %lu (count %lld)\n", (unsigned long)n,
                (unsigned long)inserted_total, (long long)count);
        exit(1);
    }
    pm_store_free(store);
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

static void measure(const char *name, const char *path, const pm_trade_input *in, size_t n, size_t batch, int runs) {
    double best = 0;
    int r;
    for (r = 0; r < runs; r++) {
        double v;
        if (strcmp(path, ":memory:") != 0) remove_db(path);
        v = run_once(path, in, n, batch);
        if (v > best) best = v;
    }
    if (strcmp(path, ":memory:") != 0) remove_db(path);
    printf("rows_per_s %s %.0f\n", name, best);
    fflush(stdout);
}

int main(int argc, char **argv) {
    size_t n, i;
    int runs;
    bench_row *rows;
    pm_trade_input *in;
    char dir[512], file[600];
    const char *tmp = getenv("TMPDIR");

    if (pm_abi_version() != PM_ABI_VERSION) {
        fprintf(stderr, "c_abi: libpmingest ABI %u, built for %d\n", pm_abi_version(), PM_ABI_VERSION);
        return 2;
    }
    bench_args(argc, argv, &n, &runs);
    rows = bench_make_rows(n);
    in = malloc(n * sizeof *in);
    if (!in) return 2;
    for (i = 0; i < n; i++) {
        pm_trade_input t = PM_TRADE_INPUT_INIT;
        t.token_id = rows[i].token_id;
        t.condition_id = rows[i].condition_id;
        t.side = rows[i].side;
        t.price = rows[i].price;
        t.size = rows[i].size;
        t.timestamp_ms = rows[i].timestamp_ms;
        t.transaction_hash = rows[i].transaction_hash;
        t.proxy_wallet = rows[i].proxy_wallet;
        t.outcome = rows[i].outcome;
        in[i] = t;
    }
    snprintf(dir, sizeof dir, "%s/pmingest-bench-abi.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(file, sizeof file, "%s/abi.db", dir);

    measure("store_upsert_c_abi_memory", ":memory:", in, n, n, runs);
    measure("store_upsert_c_abi_file", file, in, n, n, runs);
    measure("store_upsert_c_abi_memory_batch1000", ":memory:", in, n, 1000, runs);
    measure("store_upsert_c_abi_file_batch1000", file, in, n, 1000, runs);

    rmdir(dir);
    free(in);
    free(rows);
    return 0;
}
