/* test_storage_faults.c — pm_store against real files, other processes and threads.
 *
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include Tests/c/test_storage_faults.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lsqlite3 -lpthread
 * Covers: a file that is not a database (PM_E_CORRUPT, file untouched); a schema newer than the
 * library (PM_E_CORRUPT); a path in a missing directory and a directory as path (PM_E_CANT_OPEN);
 * persistence across close/reopen (and WAL + user_version on disk); a write lock held by ANOTHER
 * PROCESS (a forked child using libsqlite3 directly holds BEGIN EXCLUSIVE for 2 s: PM_E_BUSY
 * after about busy_timeout_ms, then the store recovers); garbage over the middle half of a valid
 * database's pages (reads and a batch that reach it fail with PM_E_CORRUPT, the file's bytes are
 * unchanged) and over its schema page (refused at open, unchanged); a 500-row batch against a write
 * lock held by a second connection (PM_E_BUSY after the busy timeout, "locked" in the message,
 * nothing written, then the same batch succeeds); 8 threads x 500 upserts on one store; two stores
 * on one file written from several threads. Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define COND "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"

static char dir[256];
static int sentinel_target;
#define SENTINEL_TRADES ((pm_trades *)(void *)&sentinel_target)
#define SENTINEL_STORE ((pm_store *)(void *)&sentinel_target)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void path_in_dir(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static void remove_db(const char *path) {
    static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[512];
    size_t i;
    for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        (void)unlink(p);
    }
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static pm_trade_input trade(const char *token, const char *tx, int64_t ts) {
    pm_trade_input t = PM_TRADE_INPUT_INIT;
    t.token_id = token;
    t.condition_id = COND;
    t.side = "BUY";
    t.price = "0.5";
    t.size = "10";
    t.timestamp_ms = ts;
    t.transaction_hash = tx;
    t.proxy_wallet = "0x56687bf447db6ffa42ffe2204a05edaa20f55839";
    t.outcome = "Yes";
    return t;
}

static pm_store *open_ok(const char *path, int32_t busy_ms) {
    pm_store_options o = PM_STORE_OPTIONS_INIT;
    pm_store *s = NULL;
    o.busy_timeout_ms = busy_ms;
    CHECK_STATUS(pm_store_open(path, &o, &s), PM_OK);
    CHECK(s != NULL);
    return s;
}

/* Runs one SQL statement through libsqlite3 directly and returns the first column as text. */
static int sqlite_scalar(const char *path, const char *sql, char *out, size_t cap) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    out[0] = '\0';
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(out, cap, "%s", t ? (const char *)t : "");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* ---- not a database ------------------------------------------------------------------------- */

static void test_not_a_database(void) {
    char path[512];
    unsigned char garbage[8192];
    unsigned char *after;
    size_t i, len = 0;
    uint32_t x = 2463534242u;
    FILE *f;
    pm_store *s = (pm_store *)(void *)&x;

    path_in_dir(path, sizeof path, "garbage.db");
    memcpy(garbage, "this is not a database, just bytes\n", 35);
    for (i = 35; i < sizeof garbage; i++) { /* xorshift32 noise */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage[i] = (unsigned char)x;
    }
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fwrite(garbage, 1, sizeof garbage, f) == sizeof garbage);
    fclose(f);

    CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CORRUPT);
    CHECK(s == NULL);
    if (s && s != (pm_store *)(void *)&x) pm_store_free(s);

    after = read_file(path, &len);
    CHECK(after != NULL);
    CHECK_I64(len, sizeof garbage);
    CHECK(after != NULL && len == sizeof garbage && memcmp(after, garbage, len) == 0);
    free(after);
    /* a second attempt behaves the same (nothing was half-created) */
    s = NULL;
    CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CORRUPT);
    CHECK(s == NULL);
    after = read_file(path, &len);
    CHECK(after != NULL && len == sizeof garbage && memcmp(after, garbage, len) == 0);
    free(after);
    remove_db(path);
}

/* ---- a schema newer than this library ------------------------------------------------------- */

static void test_newer_schema(void) {
    char path[512], v[64];
    sqlite3 *db = NULL;
    pm_store *s = NULL;
    unsigned char *before, *after;
    size_t before_len = 0, after_len = 0;
    path_in_dir(path, sizeof path, "future.db");
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE from_the_future(x); PRAGMA user_version = 1000000;", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    before = read_file(path, &before_len);
    CHECK(before != NULL);

    CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CORRUPT);
    CHECK(s == NULL);
    if (s) pm_store_free(s);
    /* A file the library refuses is left exactly as it was: "An existing file is never
     * overwritten". */
    after = read_file(path, &after_len);
    /* (was a known issue: pm_store_open ran PRAGMA journal_mode=WAL before checking
     * user_version, so a refused newer-schema database was converted to WAL) */
    CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    free(before);
    free(after);
    /* untouched: still the future version, its table still there */
    CHECK(sqlite_scalar(path, "PRAGMA user_version", v, sizeof v) == SQLITE_OK);
    CHECK_STR(v, "1000000");
    CHECK(sqlite_scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'from_the_future'", v, sizeof v) == SQLITE_OK);
    CHECK_STR(v, "1");
    remove_db(path);
}

/* ---- paths that cannot be opened ------------------------------------------------------------ */

static void test_cant_open(void) {
    char path[512], missing[512];
    pm_store *s = (pm_store *)(void *)&s;

    path_in_dir(missing, sizeof missing, "no/such/dir");
    path_in_dir(path, sizeof path, "no/such/dir/trades.db");
    CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CANT_OPEN);
    CHECK(s == NULL);
    CHECK(!exists(missing)); /* it does not create directories */

    s = (pm_store *)(void *)&s;
    CHECK_FAILS(pm_store_open(dir, NULL, &s), PM_E_CANT_OPEN); /* a directory */
    CHECK(s == NULL);

    if (geteuid() != 0) {
        char ro[512];
        path_in_dir(ro, sizeof ro, "readonly");
        CHECK(mkdir(ro, 0500) == 0);
        path_in_dir(path, sizeof path, "readonly/trades.db");
        s = NULL;
        CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CANT_OPEN);
        CHECK(s == NULL);
        rmdir(ro);
    } else {
        printf("note: running as root, read-only directory case skipped\n");
    }
}

/* ---- persistence ---------------------------------------------------------------------------- */

static void test_persistence(void) {
    char path[512], v[64];
    pm_store *s, *s2;
    pm_trade_input rows[3];
    size_t ins = 0;
    int64_t n = -1;
    pm_watermark *w = NULL;
    pm_token_meta *m = NULL;
    pm_token_meta_input mi = PM_TOKEN_META_INPUT_INIT;
    pm_trades *list = NULL;

    path_in_dir(path, sizeof path, "persist.db");
    s = open_ok(path, 5000);
    if (!s) return;
    rows[0] = trade(TOKEN, "0xa1", 1000);
    rows[1] = trade(TOKEN, "0xa2", 2000);
    rows[2] = trade(TOKEN, "0xa3", 3000);
    rows[2].price = "0.125";
    CHECK_STATUS(pm_store_upsert_trades(s, rows, 3, &ins), PM_OK);
    CHECK_I64(ins, 3);
    CHECK_STATUS(pm_store_update_watermark(s, COND, 3000, NULL), PM_OK);
    mi.token_id = TOKEN;
    mi.condition_id = COND;
    mi.question = "Persisted?";
    mi.outcome_index = 1;
    CHECK_STATUS(pm_store_upsert_token_meta(s, &mi, NULL), PM_OK);

    /* a second handle on the same file sees committed data at once */
    s2 = open_ok(path, 5000);
    CHECK_STATUS(pm_store_count_trades(s2, NULL, &n), PM_OK);
    CHECK_I64(n, 3);
    pm_store_free(s2);
    pm_store_free(s);

    /* on disk: WAL journaling and a schema version */
    CHECK(sqlite_scalar(path, "PRAGMA journal_mode", v, sizeof v) == SQLITE_OK);
    CHECK_STR(v, "wal");
    CHECK(sqlite_scalar(path, "PRAGMA user_version", v, sizeof v) == SQLITE_OK);
    CHECK(atoi(v) > 0);

    s = open_ok(path, 5000);
    if (!s) return;
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, 3);
    CHECK_STATUS(pm_store_query_trades(s, TOKEN, 3000, 3000, 0, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 1);
    CHECK_STR(pm_trade_price(pm_trades_at(list, 0)), "0.125");
    CHECK_STR(pm_trade_transaction_hash(pm_trades_at(list, 0)), "0xa3");
    pm_trades_free(list);
    CHECK_STATUS(pm_store_get_watermark(s, COND, &w), PM_OK);
    CHECK(w != NULL);
    CHECK_I64(pm_watermark_last_trade_ms(w), 3000);
    pm_watermark_free(w);
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN, &m), PM_OK);
    CHECK_STR(pm_token_meta_question(m), "Persisted?");
    CHECK_I64(pm_token_meta_outcome_index(m), 1);
    pm_token_meta_free(m);
    /* reopening does not duplicate anything */
    ins = 99;
    CHECK_STATUS(pm_store_upsert_trades(s, rows, 3, &ins), PM_OK);
    CHECK_I64(ins, 0);
    pm_store_free(s);
    remove_db(path);
}

/* ---- a lock held by another process --------------------------------------------------------- */

static int child_hold_lock(const char *path, int fd, unsigned hold_ms) {
    sqlite3 *db = NULL;
    struct timespec ts;
    char ok = 'L', bad = 'E';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
        (void)!write(fd, &bad, 1);
        return 1;
    }
    (void)!write(fd, &ok, 1);
    ts.tv_sec = hold_ms / 1000;
    ts.tv_nsec = (long)(hold_ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) return 2;
    return sqlite3_close(db) == SQLITE_OK ? 0 : 3;
}

static void test_locked_by_other_process(void) {
    char path[512];
    pm_store *s;
    int fds[2];
    pid_t pid;
    char c = 0;
    struct pollfd pfd;
    int status = 0;
    double t0, dt;
    pm_trade_input t = trade(TOKEN, "0xb1", 1000);
    pm_status st;
    int64_t n = -1;

    path_in_dir(path, sizeof path, "locked.db");
    /* create the database, then close every connection to it before fork() */
    s = open_ok(path, 5000);
    if (!s) return;
    CHECK_STATUS(pm_store_upsert_trade(s, &t, NULL), PM_OK);
    pm_store_free(s);

    CHECK(pipe(fds) == 0);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    CHECK(pid >= 0);
    if (pid < 0) return;
    if (pid == 0) {
        close(fds[0]);
        _exit(child_hold_lock(path, fds[1], 2000));
    }
    close(fds[1]);
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    CHECK(poll(&pfd, 1, 10000) == 1 && read(fds[0], &c, 1) == 1);
    CHECK(c == 'L');
    close(fds[0]);
    if (c != 'L') {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return;
    }

    /* The child now holds the write lock for 2 s. Opening may need the lock (schema check) or
     * not; either way the first write must fail with PM_E_BUSY after about 100 ms. */
    {
        pm_store_options o = PM_STORE_OPTIONS_INIT;
        s = NULL;
        o.busy_timeout_ms = 100;
        t0 = now_s();
        st = pm_store_open(path, &o, &s);
        dt = now_s() - t0;
        if (st == PM_E_BUSY) {
            printf("note: pm_store_open itself needed the write lock (PM_E_BUSY after %.0f ms)\n", dt * 1000);
            CHECK(s == NULL);
            CHECK(dt < 1.5);
        } else {
            CHECK_STATUS(st, PM_OK);
        }
        if (st == PM_OK && s != NULL) {
            t = trade(TOKEN, "0xb2", 2000);
            t0 = now_s();
            CHECK_FAILS(pm_store_upsert_trade(s, &t, NULL), PM_E_BUSY);
            dt = now_s() - t0;
            printf("busy after %.0f ms (busy_timeout_ms=100, lock held 2000 ms)\n", dt * 1000);
            CHECK(dt < 1.5);   /* quickly: long before the child lets go */
            CHECK(dt >= 0.05); /* but it did wait for the busy timeout */
            /* readers are not blocked by a writer in WAL mode (informational) */
            st = pm_store_count_trades(s, NULL, &n);
            if (st != PM_OK)
                printf("note: a read while another process writes gave %s (\"%s\"); WAL readers usually proceed\n",
                       pm_status_str(st), pm_last_error());
        }
        /* busy_timeout_ms = 0 fails at once */
        {
            pm_store *z = NULL;
            pm_store_options oz = PM_STORE_OPTIONS_INIT;
            oz.busy_timeout_ms = 0;
            t0 = now_s();
            st = pm_store_open(path, &oz, &z);
            if (st == PM_OK) st = pm_store_upsert_trade(z, &t, NULL);
            dt = now_s() - t0;
            CHECK_STATUS(st, PM_E_BUSY);
            CHECK(dt < 0.5); /* not the default 5000 ms, nor until the child lets go */
            pm_store_free(z);
        }
    }

    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* the lock is gone: the same handle recovers (no transaction left open by the failure) */
    if (s == NULL) s = open_ok(path, 5000);
    if (s) {
        CHECK_STATUS(pm_store_upsert_trade(s, &t, NULL), PM_OK);
        CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
        CHECK_I64(n, 2);
        pm_store_free(s);
    }
    remove_db(path);
}

/* ---- a damaged database: garbage in its pages ----------------------------------------------- */

#define DAMAGE_TOKENS 4
#define DAMAGE_BATCHES 40

static void damage_token(char *out, size_t cap, long i) { snprintf(out, cap, "9%076ld", i); }

/* A valid pmingest database of DAMAGE_BATCHES x 500 trades over DAMAGE_TOKENS tokens. */
static int build_damage_db(const char *path) {
    static pm_trade_input rows[500];
    static char tx[500][80];
    char token[96];
    pm_store *s = open_ok(path, 5000);
    long b;
    int i, ok = 1;
    if (!s) return 0;
    for (b = 0; b < DAMAGE_BATCHES && ok; b++) {
        size_t ins = 0;
        damage_token(token, sizeof token, b % DAMAGE_TOKENS);
        for (i = 0; i < 500; i++) {
            snprintf(tx[i], sizeof tx[i], "0x%08lx%056d", (unsigned long)b, i);
            rows[i] = trade(token, tx[i], 1767225600000LL + b * 1000 + i);
        }
        ok = pm_store_upsert_trades(s, rows, 500, &ins) == PM_OK && ins == 500;
    }
    CHECK(ok);
    pm_store_free(s);
    return ok;
}

/* Overwrites bytes [from, to) of the file with xorshift noise. */
static int scribble(const char *path, long from, long to) {
    FILE *f = fopen(path, "r+b");
    uint32_t x = 88172645u;
    long i;
    if (!f) return 0;
    if (fseek(f, from, SEEK_SET) != 0) {
        fclose(f);
        return 0;
    }
    for (i = from; i < to; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        fputc((int)(x & 0xff), f);
    }
    return fclose(f) == 0;
}

static long page_size_of(const unsigned char *header) {
    long n = (long)header[16] << 8 | header[17]; /* big-endian; 1 means 65536 */
    return n == 1 ? 65536 : n;
}

/* Garbage over the middle half of the pages: the header and schema are intact, so the file
 * opens; every read or write that reaches the damage fails with PM_E_CORRUPT and a clear
 * message; nothing is repaired, rewritten or truncated: the bytes are the same afterwards. */
static void test_damaged_pages(void) {
    char path[512], token[96];
    unsigned char *before, *after;
    size_t before_len = 0, after_len = 0;
    long page, pages;
    int64_t n = -1;
    pm_store *s = NULL;
    pm_status st;
    int i;

    path_in_dir(path, sizeof path, "damaged.db");
    if (!build_damage_db(path)) return;
    before = read_file(path, &before_len);
    if (!before || before_len < 100) {
        CHECK(0);
        free(before);
        return;
    }
    page = page_size_of(before);
    pages = (long)before_len / page;
    free(before);
    CHECK(pages > 100);
    CHECK(scribble(path, pages / 4 * page, pages * 3 / 4 * page));
    before = read_file(path, &before_len);
    CHECK(before != NULL);

    st = pm_store_open(path, NULL, &s);
    if (st != PM_OK) {
        /* an open that checks the pages may refuse the file at once: also a report */
        CHECK_FAILS(st, PM_E_CORRUPT);
        CHECK(s == NULL);
    } else {
        static pm_trade_input rows[500];
        static char tx[500][80];
        size_t ins = 99;
        CHECK_FAILS(pm_store_count_trades(s, NULL, &n), PM_E_CORRUPT);
        CHECK(strstr(pmt_last_msg, "damaged") != NULL || strstr(pmt_last_msg, "malformed") != NULL);
        for (i = 0; i < DAMAGE_TOKENS; i++) { /* each token's rows run through the damage */
            pm_trades *list = SENTINEL_TRADES;
            damage_token(token, sizeof token, i);
            CHECK_FAILS(pm_store_query_trades(s, token, INT64_MIN, INT64_MAX, 0, &list), PM_E_CORRUPT);
            CHECK(list == NULL);
            CHECK_FAILS(pm_store_count_trades(s, token, &n), PM_E_CORRUPT);
        }
        /* a batch that runs into the damage is refused whole */
        damage_token(token, sizeof token, 0);
        for (i = 0; i < 500; i++) {
            snprintf(tx[i], sizeof tx[i], "0x%064d", i);
            rows[i] = trade(token, tx[i], 1800000000000LL + i);
        }
        CHECK_FAILS(pm_store_upsert_trades(s, rows, 500, &ins), PM_E_CORRUPT);
        pm_store_free(s);
    }
    after = read_file(path, &after_len);
    CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    free(before);
    free(after);
    remove_db(path);
}

/* Garbage in page 1 after the 100-byte header (the schema): refused at open, file untouched. */
static void test_damaged_schema_page(void) {
    char path[512];
    unsigned char *before, *after;
    size_t before_len = 0, after_len = 0;
    pm_store *s = SENTINEL_STORE;
    long page;

    path_in_dir(path, sizeof path, "damaged-schema.db");
    if (!build_damage_db(path)) return;
    before = read_file(path, &before_len);
    if (!before || before_len < 100) {
        CHECK(0);
        free(before);
        return;
    }
    page = page_size_of(before);
    free(before);
    CHECK(scribble(path, 100, page));
    before = read_file(path, &before_len);

    CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CORRUPT);
    CHECK(s == NULL);
    CHECK(strstr(pmt_last_msg, path) != NULL); /* the message names the file */
    after = read_file(path, &after_len);
    CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    free(before);
    free(after);
    remove_db(path);
}

/* ---- a batch against a write lock held by another connection --------------------------------- */

static void test_batch_while_locked(void) {
    static pm_trade_input rows[500];
    static char tx[500][80];
    char path[512];
    sqlite3 *holder = NULL;
    pm_store *s;
    size_t ins = 99;
    int64_t n = -1;
    double t0, dt;
    int i;

    path_in_dir(path, sizeof path, "locked-batch.db");
    s = open_ok(path, 300);
    if (!s) return;
    for (i = 0; i < 500; i++) {
        snprintf(tx[i], sizeof tx[i], "0x%064d", i);
        rows[i] = trade(TOKEN, tx[i], 1767225600000LL + i);
    }
    /* a second connection (libsqlite3 directly, same process) takes the write lock */
    CHECK(sqlite3_open_v2(path, &holder, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);

    t0 = now_s();
    CHECK_FAILS(pm_store_upsert_trades(s, rows, 500, &ins), PM_E_BUSY);
    dt = now_s() - t0;
    CHECK(strstr(pmt_last_msg, "locked") != NULL);
    printf("batch busy after %.0f ms (busy_timeout_ms=300)\n", dt * 1000);
    CHECK(dt >= 0.25); /* it waited for the busy timeout ... */
    CHECK(dt < 3.0);   /* ... and no longer: not a hang */
    /* WAL: reading is not blocked by the writer, and nothing of the batch is there */
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, 0);

    CHECK(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(holder);
    /* the lock is gone: the same handle writes the same batch */
    CHECK_STATUS(pm_store_upsert_trades(s, rows, 500, &ins), PM_OK);
    CHECK_I64(ins, 500);
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    CHECK_I64(n, 500);
    pm_store_free(s);
    remove_db(path);
}

/* ---- threads -------------------------------------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 500

struct worker {
    pm_store *store;
    int index;
    int per_thread;
    int failures;
    int inserted;
    char token[96];
    char first_error[256];
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    int i;
    for (i = 0; i < w->per_thread; i++) {
        char tx[96];
        int ins = -1;
        pm_trade_input t;
        pm_status st;
        snprintf(tx, sizeof tx, "0x%02d%062d", w->index, i);
        t = trade(w->token, tx, 1700000000000LL + i);
        st = pm_store_upsert_trade(w->store, &t, &ins);
        if (st != PM_OK) {
            if (w->failures++ == 0)
                snprintf(w->first_error, sizeof w->first_error, "%s: %s", pm_status_str(st), pm_last_error());
        } else {
            w->inserted += ins;
        }
        if (i % 50 == 49) { /* interleave reads */
            int64_t n = -1;
            pm_trades *list = NULL;
            st = pm_store_count_trades(w->store, w->token, &n);
            if (st != PM_OK || n < i + 1) {
                if (w->failures++ == 0)
                    snprintf(w->first_error, sizeof w->first_error, "count %lld: %s", (long long)n, pm_last_error());
            }
            st = pm_store_query_trades(w->store, w->token, 0, INT64_MAX, 10, &list);
            if (st != PM_OK || pm_trades_count(list) != 10) {
                if (w->failures++ == 0)
                    snprintf(w->first_error, sizeof w->first_error, "query: %s", pm_last_error());
            }
            pm_trades_free(list);
        }
    }
    return NULL;
}

static void run_workers(pm_store **stores, int nstores, int threads, int per_thread, const char *label) {
    pthread_t th[THREADS];
    struct worker w[THREADS];
    int i, total_failures = 0, total_inserted = 0;
    double t0 = now_s();
    for (i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].store = stores[i % nstores];
        w[i].index = i;
        w[i].per_thread = per_thread;
        snprintf(w[i].token, sizeof w[i].token, "%077d", 1000 + i);
        CHECK(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
    }
    for (i = 0; i < threads; i++) {
        CHECK(pthread_join(th[i], NULL) == 0);
        if (w[i].failures) fprintf(stderr, "     %s thread %d: %d failures, first: %s\n", label, i, w[i].failures, w[i].first_error);
        total_failures += w[i].failures;
        total_inserted += w[i].inserted;
    }
    CHECK_I64(total_failures, 0);
    CHECK_I64(total_inserted, threads * per_thread);
    printf("%s: %d threads x %d upserts in %.2f s\n", label, threads, per_thread, now_s() - t0);
    for (i = 0; i < threads; i++) {
        int64_t n = -1;
        CHECK_STATUS(pm_store_count_trades(stores[0], w[i].token, &n), PM_OK);
        CHECK_I64(n, per_thread);
    }
}

static void test_threads(void) {
    char path[512];
    pm_store *s[2];
    int64_t n = -1;

    path_in_dir(path, sizeof path, "threads.db");
    s[0] = open_ok(path, 5000);
    if (!s[0]) return;
    run_workers(s, 1, THREADS, PER_THREAD, "one store");
    CHECK_STATUS(pm_store_count_trades(s[0], NULL, &n), PM_OK);
    CHECK_I64(n, THREADS * PER_THREAD);
    pm_store_free(s[0]);
    remove_db(path);

    /* two handles (two SQLite connections) on one file, written at once: the busy timeout
     * (default 5000 ms) must absorb the contention, no PM_E_BUSY */
    path_in_dir(path, sizeof path, "threads2.db");
    s[0] = open_ok(path, 5000);
    s[1] = open_ok(path, 5000);
    if (s[0] && s[1]) {
        run_workers(s, 2, 4, 250, "two stores, one file");
        CHECK_STATUS(pm_store_count_trades(s[1], NULL, &n), PM_OK);
        CHECK_I64(n, 4 * 250);
    }
    pm_store_free(s[0]);
    pm_store_free(s[1]);
    remove_db(path);

    /* :memory: too */
    s[0] = open_ok(":memory:", 5000);
    if (s[0]) run_workers(s, 1, THREADS, 100, "one :memory: store");
    pm_store_free(s[0]);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/pmingest-faults.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    test_not_a_database();
    test_newer_schema();
    test_cant_open();
    test_persistence();
    test_locked_by_other_process();
    test_damaged_pages();
    test_damaged_schema_page();
    test_batch_while_locked();
    test_threads();
    if (rmdir(dir) != 0) fprintf(stderr, "note: %s not empty, left behind\n", dir);
    return pmt_summary();
}
