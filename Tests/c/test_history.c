/* test_history.c — the trade-history surface of the C ABI: pm_client_fetch_trade_history,
 * pm_backfill_trades (with a progress callback, and a real kill -9 in mid-walk followed by a
 * resume), pm_store_get_trade_coverage, through the real library against the fake Polymarket
 * server (Tests/fakepolymarket; PM_FAKE_URL set by run.sh).
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_history.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_control.h"

#define COND "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"
#define COMBO "0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
#define TOKEN "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define NEWEST 1767225600LL
#define CHILD_FLAG "--backfill-child"
static int state_dummy;
#define SENTINEL_POINTS ((pm_price_points *)(void *)&state_dummy)

/* {"v2_trades":[...]}: n rows one second apart from NEWEST down (plus one combo row). */
static char *tape_state(int n) {
    size_t cap = (size_t)n * 400 + 1024, used;
    char *buf = malloc(cap);
    int i;
    if (buf == NULL) return NULL;
    used = (size_t)snprintf(buf, cap, "{\"v2_trades\":[");
    for (i = 0; i < n; i++) {
        used += (size_t)snprintf(buf + used, cap - used,
            "%s{\"proxy_wallet\":\"0x1234\",\"side\":\"%s\",\"token_id\":\"" TOKEN "\",\"condition_id\":\"" COND "\","
            "\"size\":50.0,\"price\":0.30000000000000004,\"timestamp\":%lld,\"title\":\"T\",\"slug\":\"s\","
            "\"event_slug\":\"e\",\"outcome\":\"Yes\",\"outcome_index\":0,\"transaction_hash\":\"0x%x\"}",
            i ? "," : "", i % 2 ? "BUY" : "SELL", NEWEST - i, i);
    }
    used += (size_t)snprintf(buf + used, cap - used,
        ",{\"proxy_wallet\":\"0x1\",\"side\":\"BUY\",\"token_id\":\"1\",\"condition_id\":\"" COMBO "\",\"_combo_of\":\"" COND "\","
        "\"size\":1,\"price\":0.5,\"timestamp\":%lld,\"slug\":\"\",\"outcome\":\"\",\"outcome_index\":999}]}", NEWEST - 3);
    return buf;
}

static pm_client *client_for(const char *sid) {
    char gamma[512], clob[512], data[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    snprintf(gamma, sizeof gamma, "%s/s/%s/gamma", g_base, sid);
    snprintf(clob, sizeof clob, "%s/s/%s/clob", g_base, sid);
    snprintf(data, sizeof data, "%s/s/%s/data", g_base, sid);
    o.gamma_url = gamma;
    o.clob_url = clob;
    o.data_url = data;
    o.max_attempts = 1;
    o.total_timeout_ms = 20000;
    o.rate_limit = false;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    return client;
}

static void test_fetch_trade_history(void) {
    char sid[128];
    char *state = tape_state(1200);
    pm_client *client;
    pm_trades *trades = NULL;
    fake_session("history", NULL, sid, sizeof sid);
    fake_session_post(sid, "state", state);
    free(state);
    client = client_for(sid);
    CHECK_STATUS(pm_client_fetch_trade_history(client, COND, -1, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 1200);   /* the combo row is skipped */
    CHECK_I64(pm_trade_timestamp_ms(pm_trades_at(trades, 0)), NEWEST * 1000);
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 0)), "0.3");
    CHECK_STR(pm_trade_size(pm_trades_at(trades, 0)), "50");
    CHECK_STR(pm_trade_condition_id(pm_trades_at(trades, 1199)), COND);
    pm_trades_free(trades);
    CHECK_I64(fake_request_count(sid, "/data/v2/trades"), 2);

    trades = NULL;
    CHECK_STATUS(pm_client_fetch_trade_history(client, COND, (NEWEST - 99) * 1000, &trades), PM_OK);
    CHECK_I64(pm_trades_count(trades), 100);
    pm_trades_free(trades);

    trades = (pm_trades *)(void *)&state_dummy;
    CHECK_STATUS(pm_client_fetch_trade_history(client, NULL, -1, &trades), PM_E_INVALID_ARG);
    CHECK(trades == NULL);
    CHECK_STATUS(pm_client_fetch_trade_history(client, COND, -1, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_trade_history(NULL, COND, -1, &trades), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_trade_history(client, "bad id", -1, &trades), PM_E_INVALID_ARG);
    /* the v2 429 (no Retry-After, one attempt): an HTTP error, not a hang */
    fake_session_post(sid, "faults", "{\"rules\":[{\"path\":\"/data/v2/trades\",\"times\":1,\"preset\":\"v2_rate_limited\"}]}");
    CHECK(pm_client_fetch_trade_history(client, COND, -1, &trades) != PM_OK);
    CHECK(trades == NULL);
    pm_client_free(client);
}

struct progress_log {
    size_t calls, last_pages, last_inserted, market_count;
    int condition_ok;
};

static void on_progress(const char *condition_id, size_t market_index, size_t market_count, size_t pages,
                        size_t trades, size_t inserted, void *userdata) {
    struct progress_log *log = userdata;
    (void)trades;
    log->calls++;
    log->last_pages = pages;
    log->last_inserted = inserted;
    log->market_count = market_count;
    log->condition_ok = condition_id != NULL && strcmp(condition_id, COND) == 0 && market_index == 0;
}

/* The child: backfill COND into the database file argv[2] from session argv[3] (killed by the parent). */
static int backfill_child(const char *db, const char *sid) {
    pm_store *store = NULL;
    pm_client *client;
    const char *conditions[1] = {COND};
    if (fake_connect("test_history child", "chist") != 0) return 3;
    if (pm_store_open(db, NULL, &store) != PM_OK) return 2;
    client = client_for(sid);
    pm_backfill_trades(client, store, conditions, 1, -1, NULL, NULL, NULL, NULL, NULL);
    return 0;   /* not reached: the parent kills us inside page 3 */
}

static void test_backfill_kill_and_resume(const char *self) {
    extern char **environ;
    char sid[128], db[256], dir[] = "/tmp/pmingest-history-XXXXXX", rule[512];
    char *state = tape_state(2500), *argv[5];
    pm_store *store = NULL;
    pm_client *client;
    pm_trades *got = NULL;
    const char *conditions[1] = {COND};
    struct progress_log log = {0, 0, 0, 0, 0};
    size_t pages = 0, rows = 0, inserted = 0;
    int64_t count = -1, oldest = -1, newest = -1;
    bool found = true;
    pid_t pid;
    int status = 0, waited = 0;

    fake_session("backfill", NULL, sid, sizeof sid);
    fake_session_post(sid, "state", state);
    free(state);
    /* page 3 (cursor "2000:1000") never answers: the child is killed -9 while it waits */
    snprintf(rule, sizeof rule, "{\"rules\":[{\"path\":\"/data/v2/trades\",\"query\":{\"cursor\":\"v2.MjAwMDoxMDAw\"},"
                                "\"hang\":true,\"times\":1}]}");
    fake_session_post(sid, "faults", rule);
    if (mkdtemp(dir) == NULL) {
        CHECK(!"mkdtemp");
        return;
    }
    snprintf(db, sizeof db, "%s/trades.db", dir);

    argv[0] = (char *)self;
    argv[1] = (char *)CHILD_FLAG;
    argv[2] = db;
    argv[3] = sid;
    argv[4] = NULL;
    fflush(stdout);
    fflush(stderr);
    if (posix_spawn(&pid, strchr(self, '/') ? self : "/proc/self/exe", NULL, NULL, argv, environ) != 0) {
        CHECK(!"posix_spawn");
        return;
    }
    while (fake_request_count(sid, "/data/v2/trades") < 3 && waited < 2000) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
        waited++;
    }
    CHECK_I64(fake_request_count(sid, "/data/v2/trades"), 3);
    kill(pid, SIGKILL);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    CHECK_STATUS(pm_store_open(db, NULL, &store), PM_OK);
    CHECK_STATUS(pm_store_count_trades(store, TOKEN, &count), PM_OK);
    /* pages 1 and 2: 2000 rows, one of them the combo (skipped), the oldest 1998 s below NEWEST */
    CHECK_I64(count, 1999);
    CHECK_STATUS(pm_store_get_trade_coverage(store, COND, &found, &oldest, &newest), PM_OK);
    CHECK(found);
    CHECK_I64(oldest, (NEWEST - 1998) * 1000 + 1);

    client = client_for(sid);
    CHECK_STATUS(pm_backfill_trades(client, store, conditions, 1, -1, on_progress, &log, &pages, &rows, &inserted), PM_OK);
    CHECK_I64(pages, 3);
    CHECK_I64(rows, 2500);
    CHECK_I64(inserted, 501);
    CHECK_I64(log.calls, 3);
    CHECK_I64(log.last_pages, 3);
    CHECK_I64(log.last_inserted, 501);
    CHECK_I64(log.market_count, 1);
    CHECK(log.condition_ok);
    CHECK_STATUS(pm_store_count_trades(store, TOKEN, &count), PM_OK);
    CHECK_I64(count, 2500);
    CHECK_STATUS(pm_store_get_trade_coverage(store, COND, &found, &oldest, &newest), PM_OK);
    CHECK(found);
    CHECK_I64(oldest, 0);
    CHECK(newest > NEWEST * 1000);
    CHECK_STATUS(pm_store_query_trades(store, TOKEN, 0, INT64_MAX, 0, &got), PM_OK);
    CHECK_I64(pm_trades_count(got), 2500);
    pm_trades_free(got);

    /* nothing proven for another market; bad arguments */
    CHECK_STATUS(pm_store_get_trade_coverage(store, "0xother", &found, &oldest, &newest), PM_OK);
    CHECK(!found);
    CHECK_I64(oldest, 0);
    CHECK_STATUS(pm_store_get_trade_coverage(store, "0xother", &found, NULL, NULL), PM_OK);
    CHECK_STATUS(pm_store_get_trade_coverage(store, COND, NULL, &oldest, &newest), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_store_get_trade_coverage(NULL, COND, &found, &oldest, &newest), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_store_get_trade_coverage(store, NULL, &found, &oldest, &newest), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_backfill_trades(NULL, store, conditions, 1, -1, NULL, NULL, NULL, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_backfill_trades(client, NULL, conditions, 1, -1, NULL, NULL, NULL, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_backfill_trades(client, store, NULL, 1, -1, NULL, NULL, &pages, NULL, NULL), PM_E_INVALID_ARG);
    CHECK_I64(pages, 0);
    /* count 0: every market of the token metadata (none here) */
    CHECK_STATUS(pm_backfill_trades(client, store, NULL, 0, -1, NULL, NULL, &pages, NULL, NULL), PM_OK);
    CHECK_I64(pages, 0);
    pm_client_free(client);
    pm_store_free(store);
    unlink(db);
    {
        char wal[300];
        snprintf(wal, sizeof wal, "%s-wal", db);
        unlink(wal);
        snprintf(wal, sizeof wal, "%s-shm", db);
        unlink(wal);
    }
    rmdir(dir);
}


#define OTHER "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define P0 1760000000LL

static void test_price_history(void) {
    char sid[128];
    size_t cap = 200000, used, i;
    char *state = malloc(cap);
    pm_client *client;
    pm_price_points *points = NULL;
    pm_store *store = NULL;
    const char *tokens[2] = {OTHER, TOKEN};
    size_t inserted = 99;
    pm_price_point_input in[2] = {PM_PRICE_POINT_INPUT_INIT, PM_PRICE_POINT_INPUT_INIT};
    if (state == NULL) return;
    /* 40 days of hourly points for TOKEN (more than two 15-day windows), two for OTHER */
    used = (size_t)snprintf(state, cap, "{\"prices_history\":{\"" TOKEN "\":[");
    for (i = 0; i < 960; i++)
        used += (size_t)snprintf(state + used, cap - used, "%s{\"timestamp\":%lld,\"price\":0.%03d}", i ? "," : "",
                                 P0 + (long long)i * 3600, (int)(100 + i % 800));
    snprintf(state + used, cap - used, "],\"" OTHER "\":[{\"timestamp\":%lld,\"price\":0.30000000000000004},"
             "{\"timestamp\":%lld,\"price\":0.25}]}}", P0, P0 + 7200);
    fake_session("prices", NULL, sid, sizeof sid);
    fake_session_post(sid, "state", state);
    free(state);
    client = client_for(sid);

    CHECK_STATUS(pm_client_fetch_price_history(client, TOKEN, P0 * 1000, (P0 + 40 * 86400) * 1000, 0, &points), PM_OK);
    CHECK_I64(pm_price_points_count(points), 960);
    CHECK_I64(pm_price_points_timestamp_ms(points, 0), P0 * 1000);
    CHECK_STR(pm_price_points_price(points, 0), "0.1");
    CHECK_I64(pm_price_points_price_micros(points, 1), 101000);
    CHECK_STR(pm_price_points_token_id(points, 959), TOKEN);
    CHECK_I64(pm_price_points_timestamp_ms(points, 959), (P0 + 959 * 3600) * 1000);
    CHECK_STR(pm_price_points_price(points, 960), "");
    CHECK_I64(pm_price_points_price_micros(points, 960), -1);
    CHECK_I64(pm_price_points_timestamp_ms(NULL, 0), 0);
    CHECK_STR(pm_price_points_token_id(NULL, 0), "");
    CHECK_I64(pm_price_points_count(NULL), 0);
    CHECK(fake_request_count(sid, "/data/v2/prices-history") == 3);   /* three windows of at most 15 days */

    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);
    in[0].token_id = TOKEN;
    in[0].timestamp_ms = pm_price_points_timestamp_ms(points, 0);
    in[0].price = pm_price_points_price(points, 0);
    in[1].token_id = TOKEN;
    in[1].timestamp_ms = 5000;
    in[1].price = "0.75";
    CHECK_STATUS(pm_store_upsert_price_points(store, in, 2, &inserted), PM_OK);
    CHECK_I64(inserted, 2);
    CHECK_STATUS(pm_store_upsert_price_points(store, in, 2, &inserted), PM_OK);
    CHECK_I64(inserted, 0);
    pm_price_points_free(points);   /* in[0] borrowed its price from the list */
    points = NULL;
    in[0].price = "0.1";
    CHECK_STATUS(pm_store_upsert_price_points(store, NULL, 0, &inserted), PM_OK);
    CHECK_STATUS(pm_store_query_price_points(store, TOKEN, INT64_MIN, INT64_MAX, &points), PM_OK);
    CHECK_I64(pm_price_points_count(points), 2);
    CHECK_STR(pm_price_points_price(points, 0), "0.75");
    pm_price_points_free(points);
    in[1].price = "abc";
    CHECK_STATUS(pm_store_upsert_price_points(store, in, 2, &inserted), PM_E_PARSE);
    CHECK(strstr(pm_last_error(), "points[1]") != NULL);
    in[1].price = "0.5";
    in[1].token_id = "x";
    CHECK_STATUS(pm_store_upsert_price_points(store, in, 2, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_store_upsert_price_points(store, NULL, 1, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_store_query_price_points(store, TOKEN, 5, 4, &points), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_store_query_price_points(store, TOKEN, 0, 1, NULL), PM_E_INVALID_ARG);
    pm_store_free(store);

    points = NULL;
    CHECK_STATUS(pm_client_fetch_price_histories(client, tokens, 2, P0 * 1000, (P0 + 3600) * 1000, 0, &points), PM_OK);
    /* ordered by token id, then time: OTHER ("52...") before TOKEN ("71...") */
    CHECK_I64(pm_price_points_count(points), 3);
    CHECK_STR(pm_price_points_token_id(points, 0), OTHER);
    CHECK_STR(pm_price_points_price(points, 0), "0.3");
    CHECK_STR(pm_price_points_token_id(points, 1), TOKEN);
    CHECK_I64(pm_price_points_timestamp_ms(points, 2), (P0 + 3600) * 1000);
    pm_price_points_free(points);
    points = SENTINEL_POINTS;
    CHECK_STATUS(pm_client_fetch_price_histories(client, NULL, 0, 0, 1, 0, &points), PM_OK);
    CHECK_I64(pm_price_points_count(points), 0);
    pm_price_points_free(points);
    CHECK_STATUS(pm_client_fetch_price_history(client, TOKEN, 10, 10, 0, &points), PM_E_INVALID_ARG);
    CHECK(points == NULL);
    CHECK_STATUS(pm_client_fetch_price_history(client, NULL, 0, 0, 0, &points), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_price_history(NULL, TOKEN, 0, 0, 0, &points), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_price_history(client, TOKEN, 0, 1000, 0, NULL), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_price_histories(client, NULL, 1, 0, 1, 0, &points), PM_E_INVALID_ARG);
    pm_price_points_free(NULL);
    pm_client_free(client);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], CHILD_FLAG) == 0) return backfill_child(argv[2], argv[3]);
    if (fake_connect("test_history", "chist") != 0) return pmt_summary();
    test_fetch_trade_history();
    test_backfill_kill_and_resume(argv[0]);
    test_price_history();
    curl_global_cleanup();
    return pmt_summary();
}
