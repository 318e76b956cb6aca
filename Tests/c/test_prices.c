/* test_prices.c — the batch price surface of the C ABI: pm_client_fetch_prices,
 * pm_client_fetch_midpoints, pm_client_fetch_last_trade_prices and the pm_token_prices accessors,
 * through the real library against the fake Polymarket server (Tests/fakepolymarket; PM_FAKE_URL
 * set by run.sh), including 2,000-token sweeps (prices and books) counted in the fake's request log.
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_prices.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_control.h"

#define SWEEP 2000
static int state_dummy;
#define SENTINEL ((pm_token_prices *)(void *)&state_dummy)

static pm_client *client_for(const char *sid) {
    char clob[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    snprintf(clob, sizeof clob, "%s/s/%s/clob", g_base, sid);
    o.clob_url = clob;
    o.max_attempts = 1;
    o.total_timeout_ms = 20000;
    o.rate_limit = false;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    return client;
}

/* Tokens "1000001".."1002000"; every odd-numbered one has a book (bids 0.01/0.49, asks
 * 0.99/0.52: best bid 0.49, best ask 0.52, midpoint 0.505) and a trade, every fourth a BUY. */
static char *sweep_state(void) {
    size_t cap = (size_t)SWEEP * 420 + 1024, used;
    char *state = malloc(cap);
    int i, first = 1;
    if (state == NULL) return NULL;
    used = (size_t)snprintf(state, cap, "{\"books\":{");
    for (i = 1; i <= SWEEP; i += 2) {
        used += (size_t)snprintf(state + used, cap - used,
                                 "%s\"%d\":{\"market\":\"0x%064d\",\"asset_id\":\"%d\",\"timestamp\":\"1\",\"hash\":\"\","
                                 "\"bids\":[{\"price\":\"0.01\",\"size\":\"5\"},{\"price\":\"0.49\",\"size\":\"5\"}],"
                                 "\"asks\":[{\"price\":\"0.99\",\"size\":\"5\"},{\"price\":\"0.52\",\"size\":\"5\"}],"
                                 "\"min_order_size\":\"5\",\"tick_size\":\"0.01\",\"neg_risk\":false}",
                                 first ? "" : ",", 1000000 + i, 0, 1000000 + i);
        first = 0;
    }
    used += (size_t)snprintf(state + used, cap - used, "},\"trades\":[");
    first = 1;
    for (i = 1; i <= SWEEP; i += 2) {
        used += (size_t)snprintf(state + used, cap - used,
                                 "%s{\"asset\":\"%d\",\"price\":0.5,\"side\":\"%s\",\"timestamp\":1767225600}",
                                 first ? "" : ",", 1000000 + i, (i % 4 == 1) ? "BUY" : "SELL");
        first = 0;
    }
    snprintf(state + used, cap - used, "]}");
    return state;
}

static void test_sweep(void) {
    char sid[128], names[SWEEP][12];
    const char *tokens[SWEEP];
    pm_client *client;
    pm_token_prices *prices = NULL;
    char *state = sweep_state();
    int i;
    if (state == NULL) return;
    for (i = 0; i < SWEEP; i++) {
        snprintf(names[i], sizeof names[i], "%d", 1000001 + i);
        tokens[i] = names[i];
    }
    fake_session("sweep", NULL, sid, sizeof sid);
    {
        char path[256];
        snprintf(path, sizeof path, "/_control/sessions/%s/state", sid);
        CTL_OK("POST", path, state);
    }
    free(state);
    client = client_for(sid);

    CHECK_STATUS(pm_client_fetch_prices(client, tokens, SWEEP, PM_SIDE_BID, &prices), PM_OK);
    CHECK_I64(fake_request_count(sid, "/clob/prices"), 20);
    CHECK_I64(pm_token_prices_count(prices), SWEEP / 2);
    CHECK_STR(pm_token_prices_token_id(prices, 0), "1000001");
    CHECK_STR(pm_token_prices_price(prices, 0), "0.49");
    CHECK_I64(pm_token_prices_price_micros(prices, 0), 490000);
    CHECK_STR(pm_token_prices_side(prices, 0), "BUY");
    CHECK_STR(pm_token_prices_token_id(prices, 1), "1000003");  /* 1000002 has no book: no row */
    CHECK_STR(pm_token_prices_price(prices, SWEEP), "");
    CHECK_I64(pm_token_prices_price_micros(prices, SWEEP), -1);
    CHECK_STR(pm_token_prices_side(prices, SWEEP), "");
    pm_token_prices_free(prices);

    CHECK_STATUS(pm_client_fetch_prices(client, tokens, SWEEP, PM_SIDE_ASK, &prices), PM_OK);
    CHECK_STR(pm_token_prices_price(prices, 0), "0.52");
    CHECK_STR(pm_token_prices_side(prices, 0), "SELL");
    pm_token_prices_free(prices);

    CHECK_STATUS(pm_client_fetch_midpoints(client, tokens, SWEEP, &prices), PM_OK);
    CHECK_I64(fake_request_count(sid, "/clob/midpoints"), 20);
    CHECK_I64(pm_token_prices_count(prices), SWEEP / 2);
    CHECK_STR(pm_token_prices_price(prices, 0), "0.505");
    CHECK_I64(pm_token_prices_price_micros(prices, 0), 505000);
    CHECK_STR(pm_token_prices_side(prices, 0), "");
    pm_token_prices_free(prices);

    CHECK_STATUS(pm_client_fetch_last_trade_prices(client, tokens, SWEEP, &prices), PM_OK);
    CHECK_I64(fake_request_count(sid, "/clob/last-trades-prices"), 20);
    CHECK_I64(pm_token_prices_count(prices), SWEEP / 2);
    CHECK_STR(pm_token_prices_price(prices, 0), "0.5");
    CHECK_STR(pm_token_prices_side(prices, 0), "BUY");
    CHECK_STR(pm_token_prices_side(prices, 1), "SELL");
    pm_token_prices_free(prices);

    {
        pm_books *books = NULL;
        CHECK_STATUS(pm_client_fetch_orderbooks(client, tokens, SWEEP, &books), PM_OK);
        CHECK_I64(fake_request_count(sid, "/clob/books"), 20);
        CHECK_I64(pm_books_count(books), SWEEP / 2);
        CHECK_STR(pm_book_token_id(pm_books_at(books, 1)), "1000003");
        pm_books_free(books);
    }
    pm_client_free(client);
}

static void test_errors(void) {
    char sid[128];
    const char *bad[2] = {"1000001", "x"};
    const char *one[1] = {"1000001"};
    pm_client *client;
    pm_token_prices *prices = SENTINEL;
    fake_session("errors", NULL, sid, sizeof sid);
    client = client_for(sid);
    CHECK_STATUS(pm_client_fetch_midpoints(client, NULL, 0, &prices), PM_OK);
    CHECK_I64(pm_token_prices_count(prices), 0);
    pm_token_prices_free(prices);
    prices = SENTINEL;
    CHECK_STATUS(pm_client_fetch_prices(client, bad, 2, PM_SIDE_BID, &prices), PM_E_INVALID_ARG);
    CHECK(strstr(pm_last_error(), "token_ids[1]") != NULL);
    CHECK(prices == NULL);
    CHECK_I64(fake_request_count(sid, "/clob/prices"), 0);
    prices = SENTINEL;
    CHECK_STATUS(pm_client_fetch_prices(client, one, 1, (pm_side)7, &prices), PM_E_INVALID_ARG);
    CHECK(prices == NULL);
    CHECK_STATUS(pm_client_fetch_last_trade_prices(client, NULL, 1, &prices), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_last_trade_prices(NULL, one, 1, &prices), PM_E_INVALID_ARG);
    CHECK_STATUS(pm_client_fetch_midpoints(client, one, 1, NULL), PM_E_INVALID_ARG);
    {
        char path[256];
        snprintf(path, sizeof path, "/_control/sessions/%s/faults", sid);
        CTL_OK("POST", path, "{\"rules\":[{\"path\":\"/clob/midpoints\",\"status\":503}]}");
    }
    CHECK_STATUS(pm_client_fetch_midpoints(client, one, 1, &prices), PM_E_HTTP);
    CHECK(prices == NULL);
    CHECK_I64(pm_token_prices_count(NULL), 0);
    CHECK_STR(pm_token_prices_token_id(NULL, 0), "");
    CHECK_STR(pm_token_prices_side(NULL, 0), "");
    pm_token_prices_free(NULL);
    pm_client_free(client);
}

int main(void) {
    if (fake_connect("test_prices", "cprices") != 0) return pmt_summary();
    test_sweep();
    test_errors();
    curl_global_cleanup();
    return pmt_summary();
}
