/* test_errors.c — pm_last_error_http_status() (the HTTP status behind the last failure: set with
 * the message, per thread, 0 when the failure had none) and pm_metadata_sync_with_progress() (the
 * per-page progress of MetadataSync, a cancel from inside the callback). Against the fake
 * Polymarket server (Tests/fakepolymarket).
 *
 * Needs PM_FAKE_URL (set by run.sh).
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_errors.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_control.h"

/* basic preset: market A's Yes token has a book; D (resolved) has none, so its /book is 404. */
#define A_YES "144025376118479892262749490880200562967355458335621099086839387638815271716888"
#define D_YES "110436092679328050248773699021512577829689879253169394784141881484429816963284"

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
    o.connect_timeout_ms = 2000;
    o.total_timeout_ms = 5000;
    o.max_attempts = 1;
    o.rate_limit = false;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    CHECK(client != NULL);
    return client;
}

/* ---- pm_last_error_http_status ----------------------------------------------------------- */

struct thread_result {
    pm_client *client;
    int before;     /* this thread's status before any call: 0 */
    int status;     /* of its own failing call */
    int http;       /* that failure's HTTP status */
};

/* On another thread: a 404 of its own; it must not see (or change) the main thread's value. */
static void *other_thread(void *arg) {
    struct thread_result *r = arg;
    pm_book *book = NULL;
    r->before = pm_last_error_http_status();
    r->status = (int)pm_client_fetch_orderbook(r->client, D_YES, &book);
    r->http = pm_last_error_http_status();
    pm_book_free(book);
    return NULL;
}

static void test_http_status(void) {
    char sid[96];
    pm_client *client;
    pm_book *book = NULL;
    pthread_t thread;
    struct thread_result r = {NULL, -1, -1, -1};

    fake_session("http", "basic", sid, sizeof sid);
    client = client_for(sid);

    /* a final 4xx: PM_E_HTTP with its status */
    fake_session_post(sid, "faults", "{\"rules\":[{\"method\":\"GET\",\"path\":\"/clob/book\",\"times\":1,\"status\":400}]}");
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
    CHECK_I64(pm_last_error_http_status(), 400);
    CHECK(strstr(pmt_last_msg, "400") != NULL);
    CHECK(book == NULL);

    /* a 5xx (one attempt: no retry left) */
    fake_session_post(sid, "faults", "{\"rules\":[{\"method\":\"GET\",\"path\":\"/clob/book\",\"times\":1,\"status\":503}]}");
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
    CHECK_I64(pm_last_error_http_status(), 503);

    /* a success leaves the slot as it was, like the message */
    CHECK_STATUS(pm_client_fetch_orderbook(client, A_YES, &book), PM_OK);
    CHECK(book != NULL);
    pm_book_free(book);
    book = NULL;
    CHECK_I64(pm_last_error_http_status(), 503);

    /* no book: PM_E_NO_BOOK carries the 404 */
    CHECK_FAILS(pm_client_fetch_orderbook(client, D_YES, &book), PM_E_NO_BOOK);
    CHECK_I64(pm_last_error_http_status(), 404);

    /* per thread: another thread starts at 0 and its failure stays its own */
    fake_session_post(sid, "faults", "{\"rules\":[{\"method\":\"GET\",\"path\":\"/clob/book\",\"times\":1,\"status\":418}]}");
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
    CHECK_I64(pm_last_error_http_status(), 418);
    r.client = client;
    CHECK(pthread_create(&thread, NULL, other_thread, &r) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK_I64(r.before, 0);
    CHECK_I64(r.status, PM_E_NO_BOOK);
    CHECK_I64(r.http, 404);
    CHECK_I64(pm_last_error_http_status(), 418);

    /* a failure without an HTTP answer resets it to 0: a bad argument, a connection refused */
    CHECK_FAILS(pm_client_fetch_orderbook(NULL, A_YES, &book), PM_E_INVALID_ARG);
    CHECK_I64(pm_last_error_http_status(), 0);
    fake_session_post(sid, "faults", "{\"rules\":[{\"method\":\"GET\",\"path\":\"/clob/book\",\"times\":1,\"status\":400}]}");
    CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
    CHECK_I64(pm_last_error_http_status(), 400);
    {   /* nothing listens on port 1: a connection refused has no HTTP status */
        pm_client_options o = PM_CLIENT_OPTIONS_INIT;
        pm_client *dead = NULL;
        o.clob_url = "http://127.0.0.1:1/clob";
        o.max_attempts = 1;
        o.rate_limit = false;
        CHECK_STATUS(pm_client_new(&o, &dead), PM_OK);
        CHECK_FAILS(pm_client_fetch_orderbook(dead, A_YES, &book), PM_E_NETWORK);
        CHECK_I64(pm_last_error_http_status(), 0);
        pm_client_free(dead);
    }
    {   /* a failure outside any client (the decimal parser) resets it too */
        int64_t micros = 0;
        fake_session_post(sid, "faults", "{\"rules\":[{\"method\":\"GET\",\"path\":\"/clob/book\",\"times\":1,\"status\":400}]}");
        CHECK_FAILS(pm_client_fetch_orderbook(client, A_YES, &book), PM_E_HTTP);
        CHECK_FAILS(pm_decimal_parse("abc", &micros), PM_E_PARSE);
        CHECK_I64(pm_last_error_http_status(), 0);
    }
    pm_client_free(client);
}

/* ---- pm_metadata_sync_with_progress ------------------------------------------------------ */

struct progress_log {
    size_t calls;
    size_t last_pages;
    size_t last_markets;
    int monotonic;          /* pages grow by one per call, markets never shrink */
    void *seen_userdata;
    pm_client *cancel_on_first; /* when set: pm_client_cancel() from inside the first call */
};

static void on_page(size_t pages, size_t markets, void *userdata) {
    struct progress_log *log = userdata;
    if (pages != log->last_pages + 1 || markets < log->last_markets) log->monotonic = 0;
    log->calls++;
    log->last_pages = pages;
    log->last_markets = markets;
    log->seen_userdata = userdata;
    if (log->cancel_on_first != NULL && log->calls == 1) pm_client_cancel(log->cancel_on_first);
}

static void test_sync_progress(void) {
    char sid[96];
    pm_client *client;
    pm_store *store = NULL;
    pm_token_metas *metas = NULL;
    struct progress_log log = {0, 0, 0, 1, NULL, NULL};
    size_t markets = 99, inserted = 99, updated = 99, unchanged = 99;

    fake_session("sync", "basic", sid, sizeof sid);
    /* pages of at most 2 markets: the 4 open markets of the preset take more than one page */
    fake_session_post(sid, "config", "{\"gamma_keyset_markets_max\":2}");
    client = client_for(sid);
    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);

    CHECK_STATUS(pm_metadata_sync_with_progress(client, store, on_page, &log, &markets, &inserted, &updated,
                                                &unchanged), PM_OK);
    CHECK_I64(markets, 4);
    CHECK_I64(inserted, 8);
    CHECK_I64(updated, 0);
    CHECK_I64(unchanged, 0);
    CHECK(log.calls >= 2);
    CHECK_I64(log.calls, log.last_pages);
    CHECK(log.monotonic);
    CHECK_I64(log.last_markets, 4);
    CHECK(log.seen_userdata == &log);
    CHECK_I64(fake_request_count(sid, "/gamma/markets/keyset"), (long)log.calls);

    /* NULL progress: exactly pm_metadata_sync (a second sync: everything unchanged) */
    CHECK_STATUS(pm_metadata_sync_with_progress(client, store, NULL, NULL, &markets, NULL, NULL, &unchanged), PM_OK);
    CHECK_I64(markets, 4);
    CHECK_I64(unchanged, 8);

    /* bad arguments: outs zeroed, nothing called */
    log.calls = 0;
    markets = 99;
    CHECK_FAILS(pm_metadata_sync_with_progress(NULL, store, on_page, &log, &markets, NULL, NULL, NULL), PM_E_INVALID_ARG);
    CHECK(strstr(pmt_last_msg, "client") != NULL);
    CHECK_I64(markets, 0);
    CHECK_FAILS(pm_metadata_sync_with_progress(client, NULL, on_page, &log, NULL, NULL, NULL, NULL), PM_E_INVALID_ARG);
    CHECK(strstr(pmt_last_msg, "store") != NULL);
    CHECK_I64(log.calls, 0);
    pm_store_free(store);

    /* a cancel from inside the callback: PM_E_CANCELLED, nothing written */
    store = NULL;
    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);
    memset(&log, 0, sizeof log);
    log.monotonic = 1;
    log.cancel_on_first = client;
    CHECK_FAILS(pm_metadata_sync_with_progress(client, store, on_page, &log, &markets, &inserted, NULL, NULL),
                PM_E_CANCELLED);
    CHECK_I64(log.calls, 1);
    CHECK_I64(markets, 0);
    CHECK_I64(inserted, 0);
    CHECK_STATUS(pm_store_list_token_metas(store, &metas), PM_OK);
    CHECK_I64(pm_token_metas_count(metas), 0);
    pm_token_metas_free(metas);
    pm_store_free(store);
    pm_client_free(client);
}

int main(void) {
    /* before any failure on this thread */
    CHECK_I64(pm_last_error_http_status(), 0);
    if (fake_connect("test_errors", "cerrors") == 0) {
        test_http_status();
        test_sync_progress();
        curl_global_cleanup();
    }
    return pmt_summary();
}
