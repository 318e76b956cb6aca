/* test_gamma.c — the Gamma additions of the C ABI: pm_market_protocol_version (asset ids chosen by
 * the market's `version`), keyset listings (after_cursor, the end, the offset fallback, a cursor
 * that cycles), pm_client_fetch_events with the pm_gamma_event(s)_* accessors, and the protocol
 * version through pm_metadata_sync, pm_token_meta_input version 2 and pm_token_meta_protocol_version
 * (a version 1 struct still accepted). Against the fake Polymarket server (Tests/fakepolymarket).
 *
 * Needs PM_FAKE_URL (set by run.sh).
 * Build: cc -std=c99 -Wall -Wextra -Werror -pedantic -I include -I Tests/c Tests/c/test_gamma.c
 *           -L <libdir> -lpmingest -Wl,-rpath,<libdir> -lpthread -lcurl
 * Ends with "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "pmingest.h"
#include "pmtest.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_control.h"

#define V1_YES "71321045679252212594626385532706912750332728571942532289631379312455583992563"
#define V1_NO "52114319501245915516055106046884209969926127482827954674443846427813813222426"
#define V2_YES "30000000000000000000000000000000000000000000000000000000000000000000000000001"
#define V2_NO "30000000000000000000000000000000000000000000000000000000000000000000000000002"
#define V2S_YES "30000000000000000000000000000000000000000000000000000000000000000000000000003"
#define V2S_NO "30000000000000000000000000000000000000000000000000000000000000000000000000004"
#define COND_V1 "0x1111111111111111111111111111111111111111111111111111111111111111"
#define COND_V2 "0x2222222222222222222222222222222222222222222222222222222222222222"
#define COND_V2S "0x3333333333333333333333333333333333333333333333333333333333333333"
#define COND_SHUT "0x4444444444444444444444444444444444444444444444444444444444444444"

static int not_null_dummy;
#define SENTINEL(type) ((type *)(void *)&not_null_dummy)

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

static pm_client *client_for(const char *sid) {
    char gamma[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pm_client *client = NULL;
    snprintf(gamma, sizeof gamma, "%s/s/%s/gamma", g_base, sid);
    o.gamma_url = gamma;
    o.connect_timeout_ms = 2000;
    o.total_timeout_ms = 5000;
    o.rate_limit = false;
    CHECK_STATUS(pm_client_new(&o, &client), PM_OK);
    return client;
}

/* Four markets: v1 (no version: an old copy), v2 with positionIds as an array (and a stale
 * clobTokenIds beside it), v2 with positionIds as JSON-in-string, and a closed v2 one. */
#define MARKETS                                                                                          \
    "[{\"id\":\"1\",\"conditionId\":\"" COND_V1 "\",\"active\":true,\"closed\":false,"                  \
    "\"outcomes\":\"[\\\"Yes\\\",\\\"No\\\"]\",\"clobTokenIds\":\"[\\\"" V1_YES "\\\",\\\"" V1_NO "\\\"]\"," \
    "\"feesEnabled\":true,\"feeSchedule\":{\"r\":1},\"rfqEnabled\":false,\"liquidityClob\":1.5},"          \
    "{\"id\":\"2\",\"conditionId\":\"" COND_V2 "\",\"active\":true,\"closed\":false,\"version\":\"v2\","  \
    "\"outcomes\":\"[\\\"Yes\\\",\\\"No\\\"]\",\"positionIds\":[\"" V2_YES "\",\"" V2_NO "\"],"           \
    "\"clobTokenIds\":\"[\\\"1\\\",\\\"2\\\"]\",\"closedTime\":null,\"umaResolutionStatuses\":\"[]\"},"  \
    "{\"id\":\"3\",\"conditionId\":\"" COND_V2S "\",\"active\":true,\"closed\":false,\"version\":\"v2\"," \
    "\"outcomes\":\"[\\\"Up\\\",\\\"Down\\\"]\",\"positionIds\":\"[\\\"" V2S_YES "\\\",\\\"" V2S_NO "\\\"]\"}," \
    "{\"id\":\"4\",\"conditionId\":\"" COND_SHUT "\",\"active\":false,\"closed\":true,\"version\":\"v2\"," \
    "\"positionIds\":[\"" V2_YES "5\"]}]"

static const pm_market *find_market(const pm_markets *list, const char *condition) {
    size_t i;
    for (i = 0; i < pm_markets_count(list); i++)
        if (strcmp(pm_market_condition_id(pm_markets_at(list, i)), condition) == 0) return pm_markets_at(list, i);
    return NULL;
}

static void test_markets_by_version(void) {
    char sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);
    const pm_market *m;

    fake_session("versions", NULL, sid, sizeof sid);
    fake_session_post(sid, "state", "{\"markets\":" MARKETS ",\"config\":{\"gamma_limit_max\":1}}");
    client = client_for(sid);
    CHECK_STATUS(pm_client_fetch_active_markets(client, &markets), PM_OK);
    CHECK_I64(pm_markets_count(markets), 3);
    CHECK_I64(fake_request_count(sid, "/gamma/markets/keyset"), 3); /* one a page, by cursor */
    CHECK_I64(fake_request_count(sid, "/gamma/markets"), 0);

    m = find_market(markets, COND_V1);
    CHECK(m != NULL);
    CHECK_STR(pm_market_protocol_version(m), "v1");
    CHECK_STR(pm_market_token_id(m, 0), V1_YES);
    m = find_market(markets, COND_V2);
    CHECK(m != NULL);
    CHECK_STR(pm_market_protocol_version(m), "v2");
    CHECK_I64(pm_market_token_count(m), 2);
    CHECK_STR(pm_market_token_id(m, 0), V2_YES); /* positionIds, never the stale clobTokenIds */
    CHECK_STR(pm_market_token_id(m, 1), V2_NO);
    CHECK_STR(pm_market_token_outcome(m, 1), "No");
    m = find_market(markets, COND_V2S);
    CHECK(m != NULL);
    CHECK_STR(pm_market_protocol_version(m), "v2");
    CHECK_STR(pm_market_token_id(m, 1), V2S_NO);
    CHECK_STR(pm_market_token_outcome(m, 0), "Up");
    CHECK(find_market(markets, COND_SHUT) == NULL);
    CHECK_STR(pm_market_protocol_version(NULL), "");
    pm_markets_free(markets);

    /* an unknown version refuses the listing, naming the market */
    fake_session_post(sid, "append", "{\"markets\":[{\"id\":\"77\",\"conditionId\":\"0xc77\",\"active\":true,"
                                "\"closed\":false,\"version\":\"v3\",\"positionIds\":[\"5\"]}]}");
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_PARSE);
    CHECK(markets == NULL);
    CHECK(contains(pmt_last_msg, "market 77") && contains(pmt_last_msg, "v3"));
    pm_client_free(client);
}

static void test_keyset_fallback_and_cycle(void) {
    char sid[96];
    pm_client *client;
    pm_markets *markets = SENTINEL(pm_markets);

    fake_session("fallback", NULL, sid, sizeof sid);
    fake_session_post(sid, "state", "{\"markets\":" MARKETS ",\"config\":{\"gamma_keyset\":false,\"gamma_limit_max\":2}}");
    client = client_for(sid);
    /* no keyset endpoint (404 on its first page): the legacy offset listing */
    CHECK_STATUS(pm_client_fetch_active_markets(client, &markets), PM_OK);
    CHECK_I64(pm_markets_count(markets), 3);
    CHECK_I64(fake_request_count(sid, "/gamma/markets/keyset"), 1);
    CHECK_I64(fake_request_count(sid, "/gamma/markets"), 3); /* 2 + 2 + the empty page */
    CHECK_STR(pm_market_protocol_version(find_market(markets, COND_V2)), "v2");
    pm_markets_free(markets);

    /* a server whose cursors repeat: refused, never looped on */
    fake_session_post(sid, "config", "{\"gamma_keyset\":true,\"gamma_keyset_cursor_repeat\":true,\"gamma_limit_max\":1}");
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_PARSE);
    CHECK(markets == NULL);
    CHECK(contains(pmt_last_msg, "cycle"));

    /* a keyset 404 after the first page is an error, not a fallback */
    fake_session_post(sid, "config", "{\"gamma_keyset_cursor_repeat\":false}");
    fake_session_post(sid, "faults", "{\"rules\":[{\"path\":\"/gamma/markets/keyset\",\"query\":{\"after_cursor\":\"b2Zmc2V0OjE\"},"
                                "\"status\":404}]}");
    markets = SENTINEL(pm_markets);
    CHECK_FAILS(pm_client_fetch_active_markets(client, &markets), PM_E_HTTP);
    CHECK(markets == NULL);
    pm_client_free(client);
}

static void test_events(void) {
    char sid[96];
    pm_client *client;
    pm_gamma_events *events = SENTINEL(pm_gamma_events);
    const pm_gamma_event *e;
    const pm_market *m;

    fake_session("events", NULL, sid, sizeof sid);
    fake_session_post(sid, "state",
                 "{\"events\":["
                 "{\"id\":\"9001\",\"slug\":\"will-y\",\"title\":\"Will Y?\",\"active\":true,\"closed\":false,"
                 "\"negRisk\":false,\"liquidity\":12.5,\"markets\":" MARKETS "},"
                 "{\"id\":\"9002\",\"active\":true,\"closed\":false},"
                 "{\"id\":\"9003\",\"slug\":\"done\",\"active\":false,\"closed\":true,\"markets\":[]}],"
                 "\"config\":{\"gamma_keyset_events_max\":1}}");
    client = client_for(sid);
    CHECK_STATUS(pm_client_fetch_events(client, false, &events), PM_OK);
    CHECK_I64(pm_gamma_events_count(events), 2);
    CHECK_I64(fake_request_count(sid, "/gamma/events/keyset"), 2); /* clamped to 1 a page */
    e = pm_gamma_events_at(events, 0);
    CHECK_STR(pm_gamma_event_id(e), "9001");
    CHECK_STR(pm_gamma_event_slug(e), "will-y");
    CHECK_STR(pm_gamma_event_title(e), "Will Y?");
    CHECK(pm_gamma_event_active(e) == true);
    CHECK(pm_gamma_event_closed(e) == false);
    CHECK_I64(pm_gamma_event_market_count(e), 4); /* an event's markets are not filtered */
    m = pm_gamma_event_market_at(e, 1);
    CHECK_STR(pm_market_condition_id(m), COND_V2);
    CHECK_STR(pm_market_protocol_version(m), "v2");
    CHECK_STR(pm_market_token_id(m, 0), V2_YES);
    CHECK(pm_gamma_event_market_at(e, 4) == NULL);
    CHECK(pm_gamma_event_market_at(e, (size_t)-1) == NULL);
    e = pm_gamma_events_at(events, 1);
    CHECK_STR(pm_gamma_event_slug(e), "");
    CHECK_STR(pm_gamma_event_title(e), "");
    CHECK_I64(pm_gamma_event_market_count(e), 0);
    CHECK(pm_gamma_events_at(events, 2) == NULL);
    pm_gamma_events_free(events);

    events = NULL;
    CHECK_STATUS(pm_client_fetch_events(client, true, &events), PM_OK);
    CHECK_I64(pm_gamma_events_count(events), 1);
    CHECK_STR(pm_gamma_event_slug(pm_gamma_events_at(events, 0)), "done");
    CHECK(pm_gamma_event_closed(pm_gamma_events_at(events, 0)) == true);
    pm_gamma_events_free(events);

    /* NULLs: errors or neutral values, never a crash */
    events = SENTINEL(pm_gamma_events);
    CHECK_FAILS(pm_client_fetch_events(NULL, false, &events), PM_E_INVALID_ARG);
    CHECK(events == NULL);
    CHECK_FAILS(pm_client_fetch_events(client, false, NULL), PM_E_INVALID_ARG);
    CHECK_I64(pm_gamma_events_count(NULL), 0);
    CHECK(pm_gamma_events_at(NULL, 0) == NULL);
    pm_gamma_events_free(NULL);
    CHECK_STR(pm_gamma_event_id(NULL), "");
    CHECK_STR(pm_gamma_event_slug(NULL), "");
    CHECK_STR(pm_gamma_event_title(NULL), "");
    CHECK(pm_gamma_event_active(NULL) == false);
    CHECK(pm_gamma_event_closed(NULL) == false);
    CHECK_I64(pm_gamma_event_market_count(NULL), 0);
    CHECK(pm_gamma_event_market_at(NULL, 0) == NULL);

    /* the legacy /events when keyset is not there */
    fake_session_post(sid, "config", "{\"gamma_keyset\":false}");
    events = NULL;
    CHECK_STATUS(pm_client_fetch_events(client, false, &events), PM_OK);
    CHECK_I64(pm_gamma_events_count(events), 2);
    CHECK(fake_request_count(sid, "/gamma/events") >= 1);
    pm_gamma_events_free(events);
    pm_client_free(client);
}

static void test_token_meta_protocol(void) {
    char sid[96];
    pm_client *client;
    pm_store *store = NULL;
    pm_token_meta *meta = NULL;
    pm_token_meta_input in = PM_TOKEN_META_INPUT_INIT;
    pm_change change = PM_CHANGE_UNCHANGED;
    size_t markets = 0;

    CHECK_I64(PM_TOKEN_META_INPUT_VERSION, 2);
    fake_session("meta", NULL, sid, sizeof sid);
    fake_session_post(sid, "state", "{\"markets\":" MARKETS "}");
    client = client_for(sid);
    CHECK_STATUS(pm_store_open(":memory:", NULL, &store), PM_OK);
    CHECK_STATUS(pm_metadata_sync(client, store, &markets, NULL, NULL, NULL), PM_OK);
    CHECK_I64(markets, 3);
    CHECK_STATUS(pm_store_get_token_meta(store, V2_NO, &meta), PM_OK);
    CHECK(meta != NULL);
    CHECK_STR(pm_token_meta_protocol_version(meta), "v2");
    CHECK_STR(pm_token_meta_condition_id(meta), COND_V2);
    pm_token_meta_free(meta);
    meta = NULL;
    CHECK_STATUS(pm_store_get_token_meta(store, V1_YES, &meta), PM_OK);
    CHECK_STR(pm_token_meta_protocol_version(meta), "v1");
    pm_token_meta_free(meta);
    CHECK_STR(pm_token_meta_protocol_version(NULL), "");

    /* version 2 input: written and read back; unknown when NULL or ""; anything else refused */
    in.token_id = "12345";
    in.condition_id = COND_V1;
    in.protocol_version = "v2";
    CHECK_STATUS(pm_store_upsert_token_meta(store, &in, &change), PM_OK);
    CHECK_I64(change, PM_CHANGE_INSERTED);
    meta = NULL;
    CHECK_STATUS(pm_store_get_token_meta(store, "12345", &meta), PM_OK);
    CHECK_STR(pm_token_meta_protocol_version(meta), "v2");
    pm_token_meta_free(meta);
    in.protocol_version = "";
    CHECK_STATUS(pm_store_upsert_token_meta(store, &in, &change), PM_OK);
    CHECK_I64(change, PM_CHANGE_UPDATED);
    meta = NULL;
    CHECK_STATUS(pm_store_get_token_meta(store, "12345", &meta), PM_OK);
    CHECK_STR(pm_token_meta_protocol_version(meta), "");
    pm_token_meta_free(meta);
    in.protocol_version = "v9";
    CHECK_FAILS(pm_store_upsert_token_meta(store, &in, &change), PM_E_INVALID_ARG);
    CHECK(contains(pmt_last_msg, "protocol_version"));

    /* a version 1 caller's struct ends before protocol_version: only its bytes are read (the
     * field is laid out past them here, holding garbage a v1 reader must never touch) */
    {
        union {
            pm_token_meta_input v2;
            unsigned char bytes[sizeof(pm_token_meta_input)];
        } old;
        memset(&old, 0, sizeof old);
        old.v2.version = 1;
        old.v2.token_id = "67890";
        old.v2.condition_id = COND_V1;
        old.v2.outcome_index = -1;
        memset(old.bytes + offsetof(pm_token_meta_input, protocol_version), 0x5a,
               sizeof old.bytes - offsetof(pm_token_meta_input, protocol_version));
        CHECK_STATUS(pm_store_upsert_token_meta(store, &old.v2, &change), PM_OK);
        CHECK_I64(change, PM_CHANGE_INSERTED);
        meta = NULL;
        CHECK_STATUS(pm_store_get_token_meta(store, "67890", &meta), PM_OK);
        CHECK_STR(pm_token_meta_protocol_version(meta), "");
        pm_token_meta_free(meta);
    }
    pm_store_free(store);
    pm_client_free(client);
}

int main(void) {
    if (fake_connect("test_gamma", "cgamma") == 0) {
        test_markets_by_version();
        test_keyset_fallback_and_cycle();
        test_events();
        test_token_meta_protocol();
        curl_global_cleanup();
    }
    return pmt_summary();
}
