/* test_storage_schema.c — what pm_store_open does with the file it is given.
 *
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_storage_schema.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lsqlite3 -lcrypto -lpthread
 * Covers:
 *  - a new database opened by OPENERS processes at the same instant (forked children released
 *    together by closing one pipe), ROUNDS times: every open succeeds, every child's write lands,
 *    and the schema is exactly the one a lone open creates;
 *  - plain SQLite files of another application (application_id 0, with tables of their own, or a
 *    user_version of their own) and a 'PMIG' file without pmingest's tables: refused with
 *    PM_E_CORRUPT, the file's bytes unchanged and no -wal/-shm created; an empty file is ours;
 *  - read-only databases: a file without write permission and a database in a directory without
 *    write permission, opened by an unprivileged process (as root the test forks a child that
 *    drops to uid/gid 65534): refused at open with PM_E_CANT_OPEN naming "read-only", nothing
 *    created or changed; root itself may write a 0444 file (permissions do not bind root);
 *  - a schema-1 database whose trade ids were derived the old way (hashing fields joined by '|')
 *    is upgraded: ids re-derived, and upserting the same trades again inserts nothing;
 *  - two trades whose old '|'-joined strings collide are both stored.
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOKEN "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define COND "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
#define WALLET "0x56687bf447db6ffa42ffe2204a05edaa20f55839"
#define PMIG_APPLICATION_ID 1347242311 /* 'PMIG' */
#define OPENERS 8
#define ROUNDS 25
#define NOBODY 65534

static char dir[256];

static void path_in(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static int exists_suffix(const char *path, const char *suffix) {
    char p[600];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return exists(p);
}

static void remove_db(const char *path) {
    static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[600];
    size_t i;
    for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        (void)unlink(p);
    }
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    *len = 0;
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

/* Runs sql through libsqlite3 directly (no pmingest) and returns the first column of the first
 * row as text in out ("" when no row). Returns the SQLite result code. */
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

/* Runs a script through libsqlite3 directly; SQLITE_OK or the failing code. */
static int sqlite_exec(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    char *err = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) fprintf(stderr, "     sqlite: %s\n", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}

static pm_trade_input trade(const char *token, const char *tx, const char *wallet, int64_t ts) {
    pm_trade_input t = PM_TRADE_INPUT_INIT;
    t.token_id = token;
    t.condition_id = COND;
    t.side = "BUY";
    t.price = "0.5";
    t.size = "10";
    t.timestamp_ms = ts;
    t.transaction_hash = tx;
    t.proxy_wallet = wallet;
    t.outcome = "Yes";
    return t;
}

static int64_t count_of(pm_store *s) {
    int64_t n = -1;
    CHECK_STATUS(pm_store_count_trades(s, NULL, &n), PM_OK);
    return n;
}

/* The schema as text: every object's SQL in name order (what a lone open creates). */
static void schema_of(const char *path, char *out, size_t cap) {
    CHECK(sqlite_scalar(path, "SELECT group_concat(name || ':' || coalesce(sql, ''), ';') FROM "
                              "(SELECT name, sql FROM sqlite_master ORDER BY name)", out, cap) == SQLITE_OK);
}

/* ============================================================================================ */
/* Many processes opening one new database at once                                              */
/* ============================================================================================ */

struct outcome {
    int status;
    char message[240];
};

/* A child: waits for the barrier pipe to close, opens, writes one trade, reports. */
static void opener_main(const char *path, int barrier, int report, int index) {
    struct outcome o;
    pm_store *s = NULL;
    char tx[80];
    char c;
    pm_trade_input t;
    memset(&o, 0, sizeof o);
    while (read(barrier, &c, 1) < 0 && errno == EINTR) {
    }
    o.status = pm_store_open(path, NULL, &s);
    if (o.status == PM_OK) {
        snprintf(tx, sizeof tx, "0x%064d", index);
        t = trade(TOKEN, tx, WALLET, 1767225600000LL + index);
        o.status = pm_store_upsert_trade(s, &t, NULL);
    }
    if (o.status != PM_OK) snprintf(o.message, sizeof o.message, "%s", pm_last_error());
    pm_store_free(s);
    if (write(report, &o, sizeof o) != (ssize_t)sizeof o) _exit(3);
    _exit(0);
}

static void test_new_database_race(void) {
    char reference[512], want[8192], got[8192], path[512], v[64];
    int round, failed_rounds = 0;
    pm_store *s = NULL;

    /* the schema a lone open creates; the reference store is opened in a child so that the parent
     * forks the openers before it has ever run the library */
    path_in(reference, sizeof reference, "reference.db");
    {
        pid_t pid;
        int status = 0;
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid == 0) _exit(pm_store_open(reference, NULL, &s) == PM_OK ? (pm_store_free(s), 0) : 1);
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    schema_of(reference, want, sizeof want);
    CHECK(strstr(want, "trades:CREATE TABLE") != NULL);

    for (round = 0; round < ROUNDS; round++) {
        int barrier[2], report[2], i, ok = 1, reaped = 0;
        pid_t pids[OPENERS];
        char name[64];
        snprintf(name, sizeof name, "race-%d.db", round);
        path_in(path, sizeof path, name);
        remove_db(path);
        if (pipe(barrier) != 0 || pipe(report) != 0) {
            CHECK(0);
            return;
        }
        fflush(stdout);
        fflush(stderr);
        for (i = 0; i < OPENERS; i++) {
            pids[i] = fork();
            if (pids[i] == 0) {
                close(barrier[1]);
                close(report[0]);
                opener_main(path, barrier[0], report[1], i);
            }
            if (pids[i] < 0) ok = 0;
        }
        close(barrier[0]);
        close(report[1]);
        close(barrier[1]); /* every child's read returns now: they open together */
        for (i = 0; i < OPENERS; i++) {
            struct outcome o;
            if (read(report[0], &o, sizeof o) != (ssize_t)sizeof o) {
                ok = 0;
                fprintf(stderr, "     round %d: a child reported nothing\n", round);
                break;
            }
            if (o.status != PM_OK) {
                ok = 0;
                fprintf(stderr, "     round %d: open/write failed: %s: %s\n", round, pm_status_str((pm_status)o.status),
                        o.message);
            }
        }
        close(report[0]);
        for (i = 0; i < OPENERS; i++) {
            int status = 0;
            if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0)
                reaped++;
        }
        if (reaped != OPENERS) ok = 0;
        /* the schema is the lone open's, the version pmingest's, and every child's trade is there */
        schema_of(path, got, sizeof got);
        if (strcmp(got, want) != 0) {
            ok = 0;
            fprintf(stderr, "     round %d: schema differs:\n       %s\n     vs %s\n", round, got, want);
        }
        CHECK(sqlite_scalar(path, "SELECT count(*) FROM trades", v, sizeof v) == SQLITE_OK);
        if (atoi(v) != OPENERS) {
            ok = 0;
            fprintf(stderr, "     round %d: %s trades stored, expected %d\n", round, v, OPENERS);
        }
        CHECK(sqlite_scalar(path, "PRAGMA journal_mode", v, sizeof v) == SQLITE_OK);
        if (strcmp(v, "wal") != 0) ok = 0;
        if (!ok) failed_rounds++;
        remove_db(path);
    }
    printf("new-database race: %d of %d rounds with %d openers failed\n", failed_rounds, ROUNDS, OPENERS);
    CHECK_I64(failed_rounds, 0);
    {
        char ref_version[64], raced[64];
        CHECK(sqlite_scalar(reference, "PRAGMA user_version", ref_version, sizeof ref_version) == SQLITE_OK);
        CHECK(sqlite_scalar(reference, "PRAGMA application_id", raced, sizeof raced) == SQLITE_OK);
        CHECK_I64(atoll(raced), PMIG_APPLICATION_ID);
        CHECK(atoi(ref_version) >= 2);
    }
    remove_db(reference);
}

/* ============================================================================================ */
/* Another application's SQLite file                                                            */
/* ============================================================================================ */

/* pm_store_open refuses `path` with PM_E_CORRUPT; the file is byte for byte what it was and no
 * -wal/-shm/-journal appeared. `why` must appear in the message. */
static void expect_refused_untouched(const char *path, const char *why) {
    unsigned char *before, *after;
    size_t before_len, after_len;
    pm_store *s = NULL;
    before = read_file(path, &before_len);
    CHECK(before != NULL && before_len > 0);
    CHECK_FAILS(pm_store_open(path, NULL, &s), PM_E_CORRUPT);
    CHECK(s == NULL);
    if (strstr(pmt_last_msg, why) == NULL) fprintf(stderr, "     message \"%s\" lacks \"%s\"\n", pmt_last_msg, why);
    CHECK(strstr(pmt_last_msg, why) != NULL);
    CHECK(strstr(pmt_last_msg, path) != NULL);
    pm_store_free(s);
    after = read_file(path, &after_len);
    CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    CHECK(!exists_suffix(path, "-wal"));
    CHECK(!exists_suffix(path, "-shm"));
    CHECK(!exists_suffix(path, "-journal"));
    free(before);
    free(after);
}

static void test_foreign_files(void) {
    char path[512], v[64];
    pm_store *s = NULL;

    /* an application's plain SQLite file: its own tables, application_id 0, user_version 0 */
    path_in(path, sizeof path, "contacts.db");
    CHECK(sqlite_exec(path, "CREATE TABLE contacts (name TEXT, phone TEXT);"
                            "INSERT INTO contacts VALUES ('Ada', '555-0100');") == SQLITE_OK);
    expect_refused_untouched(path, "not a pmingest database");
    CHECK(sqlite_scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'trades'", v, sizeof v) == SQLITE_OK);
    CHECK_STR(v, "0");
    CHECK(sqlite_scalar(path, "PRAGMA journal_mode", v, sizeof v) == SQLITE_OK);
    CHECK_STR(v, "delete");
    remove_db(path);

    /* ... with a user_version of its own (which a migration would have overwritten) */
    path_in(path, sizeof path, "versioned.db");
    CHECK(sqlite_exec(path, "CREATE TABLE notes (body TEXT); PRAGMA user_version = 3;") == SQLITE_OK);
    expect_refused_untouched(path, "not a pmingest database");
    CHECK(sqlite_scalar(path, "PRAGMA user_version", v, sizeof v) == SQLITE_OK);
    CHECK_STR(v, "3");
    remove_db(path);

    /* ... a user_version and no tables at all: user_version 1 looked like an up-to-date schema 1 */
    path_in(path, sizeof path, "version-only.db");
    CHECK(sqlite_exec(path, "PRAGMA user_version = 1;") == SQLITE_OK);
    expect_refused_untouched(path, "not a pmingest database");
    remove_db(path);

    /* a file marked 'PMIG' whose tables are missing is not one of ours either */
    path_in(path, sizeof path, "hollow.db");
    CHECK(sqlite_exec(path, "PRAGMA application_id = 1347242311; PRAGMA user_version = 1; CREATE TABLE x (y);") == SQLITE_OK);
    expect_refused_untouched(path, "trades");
    remove_db(path);

    /* an empty file (0 bytes) is a new database: ours to create */
    path_in(path, sizeof path, "empty.db");
    {
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        if (f) fclose(f);
    }
    CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
    if (s) CHECK_I64(count_of(s), 0);
    pm_store_free(s);
    CHECK(sqlite_scalar(path, "PRAGMA application_id", v, sizeof v) == SQLITE_OK);
    CHECK_I64(atoll(v), PMIG_APPLICATION_ID);
    remove_db(path);
}

/* ============================================================================================ */
/* Read-only databases                                                                          */
/* ============================================================================================ */

/* In a child, as an unprivileged user when we are root: opens path, reports status and message. */
static struct outcome open_unprivileged(const char *path) {
    struct outcome o;
    int fds[2];
    pid_t pid;
    int status = 0;
    memset(&o, 0, sizeof o);
    o.status = -1;
    if (pipe(fds) != 0) return o;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        pm_store *s = NULL;
        struct outcome r;
        close(fds[0]);
        memset(&r, 0, sizeof r);
        if (geteuid() == 0 && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)) _exit(4);
        r.status = pm_store_open(path, NULL, &s);
        snprintf(r.message, sizeof r.message, "%s", pm_last_error());
        pm_store_free(s);
        _exit(write(fds[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 3);
    }
    close(fds[1]);
    if (pid > 0) {
        if (read(fds[0], &o, sizeof o) != (ssize_t)sizeof o) o.status = -1;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fprintf(stderr, "     child exit status %d\n", status);
    }
    close(fds[0]);
    return o;
}

/* A fresh pmingest database at path with one trade, closed again. */
static void make_store(const char *path) {
    pm_store *s = NULL;
    pm_trade_input t = trade(TOKEN, "0xr1", WALLET, 1767225600000LL);
    CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
    CHECK_STATUS(pm_store_upsert_trade(s, &t, NULL), PM_OK);
    pm_store_free(s);
}

static void expect_read_only_refused(const char *path, int file_exists) {
    unsigned char *before = NULL, *after = NULL;
    size_t before_len = 0, after_len = 0;
    struct outcome o;
    if (file_exists) before = read_file(path, &before_len);
    o = open_unprivileged(path);
    pmt_record(o.status == PM_E_CANT_OPEN, __FILE__, __LINE__, "read-only database refused with PM_E_CANT_OPEN");
    if (o.status != PM_E_CANT_OPEN || strstr(o.message, "read-only") == NULL)
        fprintf(stderr, "     %s: got %d (%s) \"%s\"\n", path, o.status, o.status >= 0 ? pm_status_str((pm_status)o.status) : "?",
                o.message);
    CHECK(strstr(o.message, "read-only") != NULL);
    CHECK(strstr(o.message, path) != NULL);
    if (file_exists) {
        after = read_file(path, &after_len);
        CHECK(before && after && before_len == after_len && memcmp(before, after, after_len) == 0);
    } else {
        CHECK(!exists(path));
    }
    CHECK(!exists_suffix(path, "-wal"));
    CHECK(!exists_suffix(path, "-shm"));
    free(before);
    free(after);
}

static void test_read_only(void) {
    char ro_file_dir[300], ro_dir[300], path[512];
    int root = geteuid() == 0;

    /* a file without write permission, in a directory anyone may write (so SQLite could create
     * its -wal and -shm files there): read-only all the same */
    path_in(ro_file_dir, sizeof ro_file_dir, "open-dir");
    CHECK(mkdir(ro_file_dir, 0777) == 0 && chmod(ro_file_dir, 0777) == 0);
    snprintf(path, sizeof path, "%s/trades.db", ro_file_dir);
    make_store(path);
    CHECK(chmod(path, 0444) == 0);
    expect_read_only_refused(path, 1);
    if (root) {
        /* root may write a 0444 file: permissions do not bind root, so they do not bind pmingest */
        pm_store *s = NULL;
        pm_trade_input t = trade(TOKEN, "0xr2", WALLET, 1767225600001LL);
        CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
        CHECK_STATUS(pm_store_upsert_trade(s, &t, NULL), PM_OK);
        if (s) CHECK_I64(count_of(s), 2);
        pm_store_free(s);
    }
    remove_db(path);
    rmdir(ro_file_dir);

    /* a writable file in a directory without write permission (SQLite cannot create its -wal,
     * -shm or journal beside it) */
    path_in(ro_dir, sizeof ro_dir, "closed-dir");
    CHECK(mkdir(ro_dir, 0755) == 0 && chmod(ro_dir, 0755) == 0);
    snprintf(path, sizeof path, "%s/trades.db", ro_dir);
    make_store(path);
    if (root) CHECK(chown(path, NOBODY, NOBODY) == 0); /* nobody's file, root's directory */
    else CHECK(chmod(ro_dir, 0555) == 0);
    expect_read_only_refused(path, 1);
    /* and a new database there cannot be created */
    snprintf(path, sizeof path, "%s/new.db", ro_dir);
    {
        struct outcome o = open_unprivileged(path);
        pmt_record(o.status == PM_E_CANT_OPEN, __FILE__, __LINE__, "new database in a read-only directory: PM_E_CANT_OPEN");
        CHECK(!exists(path));
    }
    chmod(ro_dir, 0755);
    snprintf(path, sizeof path, "%s/trades.db", ro_dir);
    remove_db(path);
    rmdir(ro_dir);
}

/* ============================================================================================ */
/* Trade ids: upgrade from schema 1, and fields that contain '|'                                */
/* ============================================================================================ */

/* Schema 1 exactly as pmingest 0.1 created it. */
static const char *const schema_v1 =
    "CREATE TABLE trades (\n"
    "    id               TEXT PRIMARY KEY,\n"
    "    token_id         TEXT NOT NULL,\n"
    "    condition_id     TEXT,\n"
    "    side             TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),\n"
    "    price_micros     INTEGER NOT NULL CHECK (price_micros >= 0),\n"
    "    size_micros      INTEGER NOT NULL CHECK (size_micros >= 0),\n"
    "    timestamp_ms     INTEGER NOT NULL,\n"
    "    transaction_hash TEXT,\n"
    "    proxy_wallet     TEXT,\n"
    "    outcome          TEXT\n"
    ");\n"
    "CREATE INDEX trades_by_token_time ON trades (token_id, timestamp_ms);\n"
    "CREATE TABLE trade_watermarks (\n"
    "    condition_id  TEXT PRIMARY KEY,\n"
    "    last_trade_ms INTEGER NOT NULL,\n"
    "    updated_at_ms INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE token_meta (\n"
    "    token_id              TEXT PRIMARY KEY,\n"
    "    condition_id          TEXT NOT NULL,\n"
    "    question              TEXT,\n"
    "    outcome               TEXT,\n"
    "    outcome_index         INTEGER,\n"
    "    tick_size_micros      INTEGER,\n"
    "    min_order_size_micros INTEGER,\n"
    "    neg_risk              INTEGER NOT NULL,\n"
    "    active                INTEGER NOT NULL,\n"
    "    closed                INTEGER NOT NULL,\n"
    "    end_date_ms           INTEGER,\n"
    "    market_slug           TEXT,\n"
    "    updated_at_ms         INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX token_meta_by_condition ON token_meta (condition_id);\n"
    "PRAGMA application_id = 1347242311;\n"
    "PRAGMA user_version = 1;\n";

/* The old derivation: SHA-256 of "pmtrade1|tx|token|SIDE|size_micros|price_micros|wallet|ts". */
static void old_canonical(char *out, size_t cap, const char *tx, const char *token, const char *side, long long size_micros,
                          long long price_micros, const char *wallet, long long ts) {
    snprintf(out, cap, "pmtrade1|%s|%s|%s|%lld|%lld|%s|%lld", tx ? tx : "", token, side, size_micros, price_micros,
             wallet ? wallet : "", ts);
}

static void old_id(char out[65], const char *canonical) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    int i;
    SHA256((const unsigned char *)canonical, strlen(canonical), digest);
    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

#define V1_ROWS 2500

static void test_upgrade_from_v1(void) {
    static pm_trade_input rows[V1_ROWS];
    static char tx[V1_ROWS][80];
    char path[512], v[64], canonical[1024], id[65];
    sqlite3 *db = NULL;
    sqlite3_stmt *insert = NULL;
    pm_store *s = NULL, *fresh = NULL;
    pm_trades *migrated = NULL, *expected = NULL;
    size_t ins = 99, i;
    int ok = 1;

    for (i = 0; i < V1_ROWS; i++) {
        snprintf(tx[i], sizeof tx[i], "0x%064zu", i);
        /* every tenth without a transaction hash or wallet: NULL columns hash as "" */
        rows[i] = trade(TOKEN, i % 10 == 0 ? NULL : tx[i], i % 10 == 0 ? NULL : WALLET, 1767225600000LL + (int64_t)i);
        if (i % 2) rows[i].side = "SELL";
    }
    path_in(path, sizeof path, "schema1.db");
    CHECK(sqlite_exec(path, schema_v1) == SQLITE_OK);
    CHECK(sqlite_exec(path, "PRAGMA journal_mode = WAL") == SQLITE_OK);
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db,
                             "INSERT INTO trades (id, token_id, condition_id, side, price_micros, size_micros, timestamp_ms,"
                             " transaction_hash, proxy_wallet, outcome) VALUES (?1, ?2, ?3, ?4, 500000, 10000000, ?5, ?6, ?7, 'Yes')",
                             -1, &insert, NULL) == SQLITE_OK);
    for (i = 0; i < V1_ROWS && insert; i++) {
        old_canonical(canonical, sizeof canonical, rows[i].transaction_hash, TOKEN, rows[i].side, 10000000, 500000,
                      rows[i].proxy_wallet, rows[i].timestamp_ms);
        old_id(id, canonical);
        sqlite3_reset(insert);
        sqlite3_bind_text(insert, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, TOKEN, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, COND, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 4, rows[i].side, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 5, rows[i].timestamp_ms);
        if (rows[i].transaction_hash) sqlite3_bind_text(insert, 6, rows[i].transaction_hash, -1, SQLITE_STATIC);
        else sqlite3_bind_null(insert, 6);
        if (rows[i].proxy_wallet) sqlite3_bind_text(insert, 7, rows[i].proxy_wallet, -1, SQLITE_STATIC);
        else sqlite3_bind_null(insert, 7);
        if (sqlite3_step(insert) != SQLITE_DONE) ok = 0;
    }
    CHECK(ok);
    sqlite3_finalize(insert);
    CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);

    /* opening upgrades it */
    CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
    if (!s) return;
    CHECK(sqlite_scalar(path, "PRAGMA user_version", v, sizeof v) == SQLITE_OK);
    CHECK(atoi(v) >= 2);
    CHECK_I64(count_of(s), V1_ROWS);
    /* the same trades again (e.g. re-fetched after the upgrade): nothing new */
    CHECK_STATUS(pm_store_upsert_trades(s, rows, V1_ROWS, &ins), PM_OK);
    CHECK_I64(ins, 0);
    CHECK_I64(count_of(s), V1_ROWS);
    /* and every stored id is the one a new database gives the same trade */
    CHECK_STATUS(pm_store_open(":memory:", NULL, &fresh), PM_OK);
    CHECK_STATUS(pm_store_upsert_trades(fresh, rows, V1_ROWS, &ins), PM_OK);
    CHECK_STATUS(pm_store_query_trades(s, TOKEN, INT64_MIN, INT64_MAX, 0, &migrated), PM_OK);
    CHECK_STATUS(pm_store_query_trades(fresh, TOKEN, INT64_MIN, INT64_MAX, 0, &expected), PM_OK);
    CHECK_I64(pm_trades_count(migrated), V1_ROWS);
    CHECK_I64(pm_trades_count(expected), V1_ROWS);
    ok = pm_trades_count(migrated) == pm_trades_count(expected);
    for (i = 0; ok && i < pm_trades_count(migrated); i++)
        ok = strcmp(pm_trade_id(pm_trades_at(migrated, i)), pm_trade_id(pm_trades_at(expected, i))) == 0;
    CHECK(ok);
    pm_trades_free(migrated);
    pm_trades_free(expected);
    pm_store_free(fresh);
    pm_store_free(s);
    /* a second open has nothing left to do */
    s = NULL;
    CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
    if (s) CHECK_I64(count_of(s), V1_ROWS);
    pm_store_free(s);
    remove_db(path);
}

static void test_fields_with_separators(void) {
    /* A's wallet and B's transaction hash swallow the other's fields: joined by '|' without
     * lengths they read the same, and B was dropped as A's duplicate */
    pm_trade_input pair[2];
    char a[1024], b[1024];
    pm_store *s = NULL;
    size_t ins = 0;
    pair[0] = trade("123456", "0xt", "0xw|123456|BUY|10000000|500000|0xw", 1767225600000LL);
    pair[1] = trade("123456", "0xt|123456|BUY|10000000|500000|0xw", "0xw", 1767225600000LL);
    old_canonical(a, sizeof a, pair[0].transaction_hash, "123456", "BUY", 10000000, 500000, pair[0].proxy_wallet, 1767225600000LL);
    old_canonical(b, sizeof b, pair[1].transaction_hash, "123456", "BUY", 10000000, 500000, pair[1].proxy_wallet, 1767225600000LL);
    CHECK_STR(a, b); /* the premise: the old strings collide */

    CHECK_STATUS(pm_store_open(":memory:", NULL, &s), PM_OK);
    if (!s) return;
    CHECK_STATUS(pm_store_upsert_trades(s, pair, 2, &ins), PM_OK);
    CHECK_I64(ins, 2);
    CHECK_I64(count_of(s), 2);
    pm_store_free(s);
    s = NULL;
    CHECK_STATUS(pm_store_open(":memory:", NULL, &s), PM_OK);
    {
        int one = -1;
        CHECK_STATUS(pm_store_upsert_trade(s, &pair[0], &one), PM_OK);
        CHECK_I64(one, 1);
        CHECK_STATUS(pm_store_upsert_trade(s, &pair[1], &one), PM_OK);
        CHECK_I64(one, 1);
    }
    pm_store_free(s);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/pmingest-schema.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    chmod(dir, 0755); /* the unprivileged child must reach the files inside */
    test_new_database_race(); /* first: the openers are forked before this process ran the library */
    test_foreign_files();
    test_read_only();
    test_upgrade_from_v1();
    test_fields_with_separators();
    if (rmdir(dir) != 0) fprintf(stderr, "note: %s not empty, left behind\n", dir);
    return pmt_summary();
}
