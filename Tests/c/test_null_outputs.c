/* test_null_outputs.c — every optional out-pointer passed as NULL, on every call that does real
 * work: the work must still be done, only the report is skipped.
 *
 * A C caller that does not care how many rows were new passes NULL for out_inserted; the library
 * must still store the rows. So each check below calls with NULL for every optional output and
 * then looks at the effect through another call: rows stored (single and batch upserts, also
 * across a reopen of a file database), the watermark moved, token metadata written and rewritten,
 * metadata sync storing rows, the fetcher still handing out its trades, the G5 verdict still
 * computed, the local book still returned, and the processor still counting what it processed.
 *
 * Needs PM_FAKE_URL (the fake Polymarket server's root URL, set by run.sh) for the REST and
 * stream parts; the store part runs without it.
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_null_outputs.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_control.h"
#include "string_builder.h"

#define TOKEN "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define OTHER "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define COND "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
#define WALLET "0x56687bf447db6ffa42ffe2204a05edaa20f55839"
#define BATCH 5000

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
    t.proxy_wallet = WALLET;
    t.outcome = "Yes";
    return t;
}

static int64_t count_of(pm_store *s, const char *token) {
    int64_t n = -1;
    CHECK_STATUS(pm_store_count_trades(s, token, &n), PM_OK);
    return n;
}

/* ============================================================================================ */
/* The store                                                                                    */
/* ============================================================================================ */

static void check_store(pm_store *s, const char *label) {
    static pm_trade_input rows[BATCH];
    static char tx[BATCH][80];
    pm_trade_input one = trade(OTHER, "0x01", 1000);
    pm_trades *list = NULL;
    pm_watermark *w = NULL;
    pm_token_meta *m = NULL;
    pm_token_meta_input mi = PM_TOKEN_META_INPUT_INIT;
    size_t ins = 99;
    int i;

    printf("store: %s\n", label);
    /* one trade */
    CHECK_STATUS(pm_store_upsert_trade(s, &one, NULL), PM_OK);
    CHECK_I64(count_of(s, OTHER), 1);

    /* a batch: every row stored, not just acknowledged */
    for (i = 0; i < BATCH; i++) {
        snprintf(tx[i], sizeof tx[i], "0x%064d", i);
        rows[i] = trade(TOKEN, tx[i], 1767225600000LL + i);
    }
    CHECK_STATUS(pm_store_upsert_trades(s, rows, BATCH, NULL), PM_OK);
    CHECK_I64(count_of(s, TOKEN), BATCH);
    CHECK_STATUS(pm_store_query_trades(s, TOKEN, 1767225600000LL + BATCH - 1, INT64_MAX, 0, &list), PM_OK);
    CHECK_I64(pm_trades_count(list), 1);
    CHECK_STR(pm_trade_transaction_hash(pm_trades_at(list, 0)), tx[BATCH - 1]);
    pm_trades_free(list);
    /* with the count pointer the same batch reports nothing new: it really was all there */
    CHECK_STATUS(pm_store_upsert_trades(s, rows, BATCH, &ins), PM_OK);
    CHECK_I64(ins, 0);
    /* a batch of new rows and known ones, NULL count again */
    rows[0] = trade(TOKEN, "0xnew", 42);
    CHECK_STATUS(pm_store_upsert_trades(s, rows, 10, NULL), PM_OK);
    CHECK_I64(count_of(s, TOKEN), BATCH + 1);
    CHECK_STATUS(pm_store_upsert_trades(s, NULL, 0, NULL), PM_OK); /* the empty batch */

    /* the watermark moves (and keeps not moving backwards) */
    CHECK_STATUS(pm_store_update_watermark(s, COND, 5000, NULL), PM_OK);
    CHECK_STATUS(pm_store_get_watermark(s, COND, &w), PM_OK);
    CHECK(w != NULL);
    CHECK_I64(pm_watermark_last_trade_ms(w), 5000);
    pm_watermark_free(w);
    CHECK_STATUS(pm_store_update_watermark(s, COND, 4000, NULL), PM_OK);
    CHECK_STATUS(pm_store_update_watermark(s, COND, 6000, NULL), PM_OK);
    w = NULL;
    CHECK_STATUS(pm_store_get_watermark(s, COND, &w), PM_OK);
    CHECK_I64(pm_watermark_last_trade_ms(w), 6000);
    pm_watermark_free(w);

    /* token metadata: inserted, then rewritten */
    mi.token_id = TOKEN;
    mi.condition_id = COND;
    mi.question = "Null outputs?";
    mi.outcome_index = 0;
    mi.tick_size = "0.01";
    CHECK_STATUS(pm_store_upsert_token_meta(s, &mi, NULL), PM_OK);
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN, &m), PM_OK);
    CHECK(m != NULL);
    CHECK_STR(pm_token_meta_question(m), "Null outputs?");
    CHECK_STR(pm_token_meta_tick_size(m), "0.01");
    pm_token_meta_free(m);
    mi.tick_size = "0.001";
    CHECK_STATUS(pm_store_upsert_token_meta(s, &mi, NULL), PM_OK);
    m = NULL;
    CHECK_STATUS(pm_store_get_token_meta(s, TOKEN, &m), PM_OK);
    CHECK_STR(pm_token_meta_tick_size(m), "0.001");
    pm_token_meta_free(m);
}

static void test_store(void) {
    char dir[256], path[512], p[600];
    const char *tmp = getenv("TMPDIR");
    pm_store *s = NULL;
    pm_watermark *w = NULL;

    CHECK_STATUS(pm_store_open(":memory:", NULL, &s), PM_OK);
    if (s) check_store(s, ":memory:");
    pm_store_free(s);

    snprintf(dir, sizeof dir, "%s/pmingest-nullout.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        CHECK(0);
        return;
    }
    snprintf(path, sizeof path, "%s/null.db", dir);
    s = NULL;
    CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
    if (s) check_store(s, "file");
    pm_store_free(s);
    /* durable: a fresh handle sees everything */
    s = NULL;
    CHECK_STATUS(pm_store_open(path, NULL, &s), PM_OK);
    if (s) {
        CHECK_I64(count_of(s, NULL), BATCH + 2);
        CHECK_STATUS(pm_store_get_watermark(s, COND, &w), PM_OK);
        CHECK_I64(pm_watermark_last_trade_ms(w), 6000);
        pm_watermark_free(w);
    }
    pm_store_free(s);
    snprintf(p, sizeof p, "%s-wal", path);
    (void)unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    (void)unlink(p);
    (void)unlink(path);
    (void)rmdir(dir);
}

/* ============================================================================================ */
/* REST and stream, against the fake server                                                     */
/* ============================================================================================ */

static void new_session(const char *name, const char *preset, char *sid, size_t cap) {
    char body[256];
    snprintf(sid, cap, "%s-%s", g_prefix, name);
    if (preset)
        snprintf(body, sizeof body, "{\"id\":\"%s\",\"preset\":\"%s\"}", sid, preset);
    else
        snprintf(body, sizeof body, "{\"id\":\"%s\"}", sid);
    CTL_OK("POST", "/_control/sessions", body);
}

static void session_post(const char *sid, const char *what, const char *body) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/%s", sid, what);
    CTL_OK("POST", path, body);
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
    o.connect_timeout_ms = 2000;
    o.total_timeout_ms = 5000;
    o.rate_limit = false;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    return client;
}

/* A book as the CLOB serves it: bids lowest first, so the best bid (0.05) is last on the wire. */
static void book_json(struct sb *b, const char *token) {
    sb_sep(b);
    sb_printf(b,
              "\"%s\":{\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"1767225600123\","
              "\"hash\":\"3f1e6c0d2b9a8e7f6a5b4c3d2e1f0a9b8c7d6e5f\","
              "\"bids\":[{\"price\":\"0.01\",\"size\":\"500\"},{\"price\":\"0.05\",\"size\":\"84.17\"}],"
              "\"asks\":[{\"price\":\"0.99\",\"size\":\"10\"},{\"price\":\"0.07\",\"size\":\"30\"}],"
              "\"tick_size\":\"0.01\",\"min_order_size\":\"5\",\"neg_risk\":false,\"last_trade_price\":\"0.05\"}",
              token, COND, token);
}

static void trade_json(struct sb *b, const char *token, const char *price, const char *size, long long ts, const char *tx) {
    sb_sep(b);
    sb_printf(b,
              "{\"proxyWallet\":\"%s\",\"side\":\"BUY\",\"asset\":\"%s\",\"conditionId\":\"%s\",\"size\":%s,"
              "\"price\":%s,\"timestamp\":%lld,\"title\":\"Test market\",\"outcome\":\"Yes\",\"outcomeIndex\":0,"
              "\"transactionHash\":\"%s\"}",
              WALLET, token, COND, size, price, ts, tx);
}

static void test_metadata_sync(void) {
    char sid[96];
    pm_client *client;
    pm_store *store = NULL;
    pm_token_metas *metas = NULL;
    size_t inserted = 99;

    new_session("sync", "basic", sid, sizeof sid);
    client = client_for(sid);
    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);
    CHECK_STATUS(pm_metadata_sync(client, store, NULL, NULL, NULL, NULL), PM_OK);
    CHECK_STATUS(pm_store_list_token_metas(store, &metas), PM_OK);
    CHECK_I64(pm_token_metas_count(metas), 8); /* the basic preset's open markets' tokens */
    pm_token_metas_free(metas);
    /* and the next sync finds them all there */
    CHECK_STATUS(pm_metadata_sync(client, store, NULL, &inserted, NULL, NULL), PM_OK);
    CHECK_I64(inserted, 0);
    pm_store_free(store);
    pm_client_free(client);
}

static void test_fetcher_and_verify(void) {
    char sid[96];
    struct sb state = {NULL, 0, 0};
    long long now = (long long)time(NULL);
    pm_client *client;
    pm_fetcher *fetcher = NULL;
    pm_trades *trades = NULL;
    bool valid;

    new_session("rest", NULL, sid, sizeof sid);
    sb_printf(&state, "{\"market_by_token\":{\"%s\":\"%s\"},\"books\":{", TOKEN, COND);
    book_json(&state, TOKEN);
    sb_printf(&state, "},\"trades\":[");
    trade_json(&state, TOKEN, "0.52", "12.5", now - 10, "0x3c7e5e4ac2b8b1e0ab1b7a2d6ffdc1a0d6f0f1c8b5d3e0a9e8f7c6b5a4938271");
    trade_json(&state, TOKEN, "0.95", "100.0", now - 60 * 86400LL,
               "0x1111111111111111111111111111111111111111111111111111111111111111");
    sb_printf(&state, "]}");
    session_post(sid, "state", state.p);
    sb_free(&state);
    client = client_for(sid);

    CHECK_STATUS(pm_fetcher_new(client, 300, &fetcher), PM_OK);
    CHECK_STATUS(pm_fetcher_fetch_recent_trades(fetcher, TOKEN, -1, &trades, NULL), PM_OK);
    CHECK(trades != NULL);
    CHECK_I64(pm_trades_count(trades), 1); /* the fresh one; the stale one still dropped */
    CHECK_STR(pm_trade_price(pm_trades_at(trades, 0)), "0.52");
    pm_trades_free(trades);
    pm_fetcher_free(fetcher);

    /* G5 with both optional string outputs NULL: the verdict is still computed, both ways */
    valid = true;
    CHECK_STATUS(pm_verify_orderbook_price(client, TOKEN, "0.95", NULL, &valid, NULL, NULL), PM_OK);
    CHECK(valid == false);
    valid = false;
    CHECK_STATUS(pm_verify_orderbook_price(client, TOKEN, "0.05", NULL, &valid, NULL, NULL), PM_OK);
    CHECK(valid == true);
    pm_client_free(client);
}

static pm_event *next_event(pm_stream *stream, double seconds) {
    double end = mono_s() + seconds;
    while (mono_s() < end) {
        pm_event *ev = NULL;
        if (pm_stream_next(stream, 200, &ev) != PM_OK) return NULL;
        if (ev) return ev;
    }
    return NULL;
}

static void test_stream(void) {
    char sid[96], url[512];
    struct sb state = {NULL, 0, 0}, script = {NULL, 0, 0};
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    pm_processor *processor = NULL;
    pm_book *book = NULL;
    pm_event *book_ev, *trade_ev;
    const char *ids[1];

    new_session("stream", NULL, sid, sizeof sid);
    sb_printf(&state, "{\"books\":{");
    book_json(&state, TOKEN);
    sb_printf(&state, "}}");
    session_post(sid, "state", state.p);
    sb_printf(&script,
              "{\"on_subscribe\":[{\"json\":{\"event_type\":\"last_trade_price\",\"market\":\"%s\",\"asset_id\":\"%s\","
              "\"price\":\"0.05\",\"size\":\"75\",\"side\":\"BUY\",\"fee_rate_bps\":\"0\",\"timestamp\":\"1767225600789\"}}]}",
              COND, TOKEN);
    session_post(sid, "ws", script.p);
    sb_free(&state);
    sb_free(&script);

    snprintf(url, sizeof url, "ws://%s/s/%s/ws/market", g_base + strlen("http://"), sid);
    o.url = url;
    CHECK_STATUS(pm_stream_new(&o, &stream), PM_OK);
    if (!stream) return;
    ids[0] = TOKEN;
    CHECK_STATUS(pm_stream_subscribe(stream, ids, 1), PM_OK);
    CHECK_STATUS(pm_stream_connect(stream), PM_OK);
    book_ev = next_event(stream, 10);
    trade_ev = next_event(stream, 10);
    CHECK(book_ev != NULL && pm_event_get_type(book_ev) == PM_EVENT_BOOK);
    CHECK(trade_ev != NULL && pm_event_get_type(trade_ev) == PM_EVENT_LAST_TRADE_PRICE);

    /* the local book, with out_valid and out_reason NULL */
    CHECK_STATUS(pm_stream_book(stream, TOKEN, &book, NULL, NULL), PM_OK);
    CHECK(book != NULL);
    CHECK_STR(pm_book_level_price(book, PM_SIDE_BID, 0), "0.05");
    pm_book_free(book);

    /* the processor still processes (and counts) with every output NULL */
    CHECK_STATUS(pm_processor_new(NULL, NULL, &processor), PM_OK);
    CHECK_STATUS(pm_processor_process(processor, trade_ev, NULL, NULL, NULL), PM_OK);
    CHECK_STATUS(pm_processor_process(processor, trade_ev, NULL, NULL, NULL), PM_OK);
    CHECK_I64(pm_processor_stat_value(processor, PM_PROCESSOR_STAT_TOTAL), 2);
    CHECK_I64(pm_processor_stat_value(processor, PM_PROCESSOR_STAT_PASSED), 2);
    CHECK_I64(pm_processor_stat_value(processor, PM_PROCESSOR_STAT_STREAM_SIZED), 2);
    pm_processor_free(processor);
    pm_event_free(book_ev);
    pm_event_free(trade_ev);
    pm_stream_free(stream);
}

int main(void) {
    test_store();
    if (fake_connect("test_null_outputs", "cnull") == 0) {
        test_metadata_sync();
        test_fetcher_and_verify();
        test_stream();
        curl_global_cleanup();
    }
    return pmt_summary();
}
