/* test_storage_crash.c — a writer SIGKILLed in the middle of batch upserts leaves no partial batch.
 *
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_storage_crash.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lsqlite3 -lpthread
 * The parent re-executes itself (<this program> --writer <db> <first batch> <batches> <fd>: a fresh
 * process, no fork of a threaded Swift runtime) as a writer that appends batches of BATCH trades
 * through pm_store_upsert_trades(), one transaction each, and reports every committed batch with
 * one byte on a pipe. Batch b's trades all carry token "9<b, 76 digits>", so a batch is complete
 * exactly when its token has BATCH rows. KILLS times (seeded: PMTEST_SEED, else the clock; the
 * seed is printed), the parent waits for a random number of committed batches, then a random
 * number of microseconds below 60 ms, about one batch (so the kill lands inside a batch, a commit
 * or a WAL checkpoint), and SIGKILLs the writer. After each kill: pm_store_open() opens the file; PRAGMA integrity_check
 * (libsqlite3 directly) is "ok"; the row count is a whole number of batches; every batch present
 * has all its rows, batches are consecutive from 0, and each batch the writer reported committed
 * is there (WAL + synchronous=NORMAL survives a process crash). The next writer continues from
 * there; a last one runs to completion. Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 500
#define BATCHES_PER_WRITER 200
#define KILLS 10
#define FINAL_BATCHES 20
#define COND "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"

static void batch_token(char *out, size_t cap, long batch) { snprintf(out, cap, "9%076ld", batch); }

/* ============================================================================================ */
/* the writer (child process)                                                                   */
/* ============================================================================================ */

/* Appends `batches` batches starting at `first`; writes one byte to `fd` after each commit.
 * Exit status: 0 done, 3 open failed, 4 a batch failed. */
static int writer_main(const char *path, long first, long batches, int fd) {
    static pm_trade_input rows[BATCH];
    static char tx[BATCH][80];
    char token[96];
    pm_store *store = NULL;
    long b;
    int i;
    if (pm_store_open(path, NULL, &store) != PM_OK) {
        fprintf(stderr, "writer: open: %s\n", pm_last_error());
        return 3;
    }
    for (b = first; b < first + batches; b++) {
        size_t inserted = 0;
        pm_status st;
        char one = 'c';
        batch_token(token, sizeof token, b);
        for (i = 0; i < BATCH; i++) {
            pm_trade_input t = PM_TRADE_INPUT_INIT;
            snprintf(tx[i], sizeof tx[i], "0x%016lx%048d", (unsigned long)b, i);
            t.token_id = token;
            t.condition_id = COND;
            t.side = (i & 1) ? "SELL" : "BUY";
            t.price = "0.5";
            t.size = "12.5";
            t.timestamp_ms = 1767225600000LL + b * 1000 + i;
            t.transaction_hash = tx[i];
            t.proxy_wallet = "0x56687bf447db6ffa42ffe2204a05edaa20f55839";
            t.outcome = "Yes";
            rows[i] = t;
        }
        st = pm_store_upsert_trades(store, rows, BATCH, &inserted);
        if (st != PM_OK || inserted != BATCH) {
            fprintf(stderr, "writer: batch %ld: %s: %s (inserted %zu)\n", b, pm_status_str(st), pm_last_error(),
                    inserted);
            return 4;
        }
        if (write(fd, &one, 1) != 1) return 5;
    }
    pm_store_free(store);
    return 0;
}

/* ============================================================================================ */
/* the parent                                                                                   */
/* ============================================================================================ */

static uint64_t rng_state;

static uint64_t rng_next(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static long rng_below(long n) { return n > 0 ? (long)(rng_next() % (uint64_t)n) : 0; }

struct writer {
    pid_t pid;
    int fd; /* read end: one byte per committed batch */
};

static char self_exe[4096]; /* this program, for the writer (readlink, which valgrind also answers) */

static int start_writer(struct writer *w, const char *path, long first, long batches) {
    int fds[2];
    char a_first[32], a_batches[32], a_fd[16];
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    fflush(stderr);
    w->pid = fork();
    if (w->pid < 0) return -1;
    if (w->pid == 0) {
        close(fds[0]);
        snprintf(a_first, sizeof a_first, "%ld", first);
        snprintf(a_batches, sizeof a_batches, "%ld", batches);
        snprintf(a_fd, sizeof a_fd, "%d", fds[1]);
        execl(self_exe, self_exe, "--writer", path, a_first, a_batches, a_fd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    w->fd = fds[0];
    return 0;
}

/* Waits until `n` more batches are reported (or the writer ends); returns how many arrived. */
static long read_commits(int fd, long n, int timeout_ms) {
    long got = 0;
    char buf[256];
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    while (got < n) {
        ssize_t r;
        size_t want = (size_t)(n - got) < sizeof buf ? (size_t)(n - got) : sizeof buf;
        if (poll(&p, 1, timeout_ms) != 1) break;
        r = read(fd, buf, want);
        if (r <= 0) break;
        got += r;
    }
    return got;
}

/* Every byte left in the pipe after the writer died: commits reported before the kill. */
static long drain(int fd) {
    long got = 0;
    char buf[256];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) got += r;
    return got;
}

static int sql_text(sqlite3 *db, const char *sql, char *out, size_t cap) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    out[0] = '\0';
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The checks after a kill. Returns the number of complete batches on disk (-1 if unusable). */
static long check_after_kill(const char *path, long committed_at_least, int round) {
    pm_store *store = NULL;
    sqlite3 *db = NULL;
    int64_t rows = -1;
    long batches = -1;
    char text[256], token[96];

    /* the library opens it (WAL recovery) and counts */
    CHECK_STATUS(pm_store_open(path, NULL, &store), PM_OK);
    if (store == NULL) return -1;
    CHECK_STATUS(pm_store_count_trades(store, NULL, &rows), PM_OK);
    pm_store_free(store);

    /* SQLite's own verdict, and the shape of what is there */
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK(sql_text(db, "PRAGMA integrity_check", text, sizeof text) == SQLITE_OK);
    CHECK_STR(text, "ok");
    CHECK_I64(rows % BATCH, 0); /* a whole number of batches */
    batches = (long)(rows / BATCH);
    /* every batch present is complete, and they are batches 0 .. batches-1 */
    CHECK(sql_text(db, "SELECT count(*) FROM (SELECT token_id FROM trades GROUP BY token_id HAVING count(*) != 500)",
                   text, sizeof text) == SQLITE_OK);
    CHECK_STR(text, "0");
    CHECK(sql_text(db, "SELECT count(DISTINCT token_id) FROM trades", text, sizeof text) == SQLITE_OK);
    CHECK_I64(atol(text), batches);
    if (batches > 0) {
        batch_token(token, sizeof token, batches - 1);
        CHECK(sql_text(db, "SELECT max(token_id) FROM trades", text, sizeof text) == SQLITE_OK);
        CHECK_STR(text, token);
    }
    sqlite3_close(db);
    /* what the writer saw committed is durable; at most one more (committed, not yet reported) */
    CHECK(batches >= committed_at_least);
    CHECK(batches <= committed_at_least + 1);
    printf("kill %2d: %ld batches reported committed, %ld on disk (%lld rows), integrity ok\n", round,
           committed_at_least, batches, (long long)rows);
    return batches;
}

int main(int argc, char **argv) {
    char dir[256], path[512];
    const char *tmp = getenv("TMPDIR");
    const char *seed_text = getenv("PMTEST_SEED");
    uint64_t seed;
    long on_disk = 0;
    int round;

    if (argc == 6 && strcmp(argv[1], "--writer") == 0)
        return writer_main(argv[2], atol(argv[3]), atol(argv[4]), atoi(argv[5]));

    {
        ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
        if (n > 0) self_exe[n] = '\0';
        else snprintf(self_exe, sizeof self_exe, "%s", argv[0]);
    }
    seed = seed_text && seed_text[0] ? strtoull(seed_text, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
    rng_state = seed;
    printf("seed %llu (PMTEST_SEED=%llu repeats this run)\n", (unsigned long long)seed, (unsigned long long)seed);
    signal(SIGPIPE, SIG_IGN);

    snprintf(dir, sizeof dir, "%s/pmingest-crash.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(path, sizeof path, "%s/crash.db", dir);

    for (round = 1; round <= KILLS; round++) {
        struct writer w;
        long wait_batches = rng_below(12), reported, delay_us = rng_below(60000);
        int status = 0;
        struct timespec ts;
        CHECK(start_writer(&w, path, on_disk, BATCHES_PER_WRITER) == 0);
        if (w.pid <= 0) break;
        /* at least one commit proves the writer is running; then a random point in the stream */
        reported = read_commits(w.fd, 1 + wait_batches, 20000);
        CHECK(reported == 1 + wait_batches);
        ts.tv_sec = 0;
        ts.tv_nsec = delay_us * 1000L;
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        CHECK(kill(w.pid, SIGKILL) == 0);
        CHECK(waitpid(w.pid, &status, 0) == w.pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL); /* killed, not finished or failed */
        reported += drain(w.fd);
        close(w.fd);
        on_disk = check_after_kill(path, on_disk + reported, round);
        if (on_disk < 0) break;
    }

    /* the writer can continue: a last one runs to completion on the recovered file */
    if (on_disk >= 0) {
        struct writer w;
        int status = 0;
        long reported;
        CHECK(start_writer(&w, path, on_disk, FINAL_BATCHES) == 0);
        if (w.pid > 0) {
            reported = read_commits(w.fd, FINAL_BATCHES, 20000);
            CHECK(waitpid(w.pid, &status, 0) == w.pid);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            close(w.fd);
            CHECK_I64(reported, FINAL_BATCHES);
            CHECK_I64(check_after_kill(path, on_disk + reported, 0), on_disk + FINAL_BATCHES);
        }
    }

    {
        static const char *suffix[] = {"", "-wal", "-shm"};
        char p[600];
        size_t i;
        for (i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s%s", path, suffix[i]);
            (void)unlink(p);
        }
        if (rmdir(dir) != 0) fprintf(stderr, "note: %s not empty, left behind\n", dir);
    }
    return pmt_summary();
}
