/* soak.c — resource soak of libpmingest through its C ABI (issue 6, "Prove it survives").
 *
 * Against the fake Polymarket server (PM_FAKE_URL = "http://127.0.0.1:PORT", started by
 * scripts/soak.sh), this program:
 *   1. warms up (a short stream with one reconnect, a few hundred REST calls, everything freed)
 *      and samples the process's baseline: RSS (/proc/self/statm), open descriptors
 *      (/proc/self/fd), threads (/proc/self/task);
 *   2. stream: subscribes on the fake market channel, which floods frames cycling through a mix
 *      of book / price_change / last_trade_price / best_bid_ask events and drops the connection
 *      every SOAK_DROP_EVERY events (the fake's ws/flood, README §10.5); consumes
 *      SOAK_STREAM_MESSAGES events with the pull API (pm_stream_next), counting events,
 *      reconnects, queue drops and skipped frames;
 *   3. REST: SOAK_REST_CALLS calls from SOAK_REST_THREADS threads on one pm_client (a mix of
 *      GET /book, POST /books, fetcher recent trades, G3 trade size at price, G5 verify, and a
 *      404 book that must fail cleanly);
 *   4. frees everything and samples again.
 * A line is printed every SOAK_SAMPLE_SECONDS, then a before/after table and the verdict line
 *     soak: stream N msgs, R reconnects; rest N calls; rss +X MB; fds +N; threads +N: PASS|FAIL
 * Exit status 0 only on PASS: RSS at most SOAK_RSS_LIMIT_MB (5) above the baseline, fds and
 * threads back to the baseline, every stream event accounted for (received + dropped by the
 * queue = sent), and no REST call with an unexpected result.
 *
 * Environment (all optional): SOAK_STREAM_MESSAGES (1000000), SOAK_REST_CALLS (100000),
 * SOAK_DROP_EVERY (50000 events), SOAK_EVENTS_PER_FRAME (1: one event per WebSocket frame; N > 1
 * sends array frames of N events, and events are counted), SOAK_REST_THREADS (4),
 * SOAK_SAMPLE_SECONDS (5), SOAK_RSS_LIMIT_MB (5), SOAK_TIMEOUT_SECONDS (600, per phase).
 * Build: cc -std=c11 -O2 -I include -I Tests/c Tests/soak/soak.c -L dist/lib -lpmingest -lcurl -lpthread */
#define _GNU_SOURCE /* mallinfo2 */
#include "pmingest.h"
#include "pmtest.h"

#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_control.h"
#include "process_counts.h"
#include "string_builder.h"

/* The `basic` preset's market A (both tokens have books and trades) and D (closed: no book). */
#define A_YES "144025376118479892262749490880200562967355458335621099086839387638815271716888"
#define A_NO "112278289787275788450760739773662884649160898737205504916059379809203140215082"
#define D_YES "110436092679328050248773699021512577829689879253169394784141881484429816963284"
#define A_COND "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"

/* ============================================================================================ */
/* configuration and clock                                                                      */
/* ============================================================================================ */

static long env_long(const char *name, long fallback, long minimum) {
    const char *v = getenv(name);
    char *end = NULL;
    long n;
    if (v == NULL || v[0] == '\0') return fallback;
    n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < minimum) {
        fprintf(stderr, "soak: %s=%s is not an integer >= %ld\n", name, v, minimum);
        exit(2);
    }
    return n;
}

static struct {
    long stream_messages, rest_calls, drop_every, per_frame, rest_threads, sample_s, rss_limit_mb, timeout_s;
} cfg;

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double g_start;

/* ============================================================================================ */
/* process samples                                                                              */
/* ============================================================================================ */

struct sample {
    double rss_mb;
    double heap_mb; /* bytes malloc has handed out and not had back (all arenas) */
    long fds;
    long threads;
};

static struct sample take_sample(void) {
    struct sample s = {0, 0, 0, 0};
    struct mallinfo2 mi = mallinfo2();
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    s.rss_mb = (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
    s.heap_mb = (double)mi.uordblks / (1024.0 * 1024.0) + (double)mi.hblkhd / (1024.0 * 1024.0);
    s.fds = fd_count() - 1; /* minus the descriptor reading the directory */
    s.threads = thread_count();
    return s;
}

/* The names of the process's threads (/proc/self/task/<tid>/comm), for a count that differs. */
static void print_thread_names(const char *label) {
    DIR *dir = opendir("/proc/self/task");
    struct dirent *e;
    printf("soak: %s threads:", label);
    while (dir != NULL && (e = readdir(dir)) != NULL) {
        char path[300], name[64] = "?";
        FILE *f;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        f = fopen(path, "r");
        if (f) {
            if (fgets(name, sizeof name, f) == NULL) snprintf(name, sizeof name, "?");
            fclose(f);
        }
        name[strcspn(name, "\n")] = '\0';
        printf(" %s[%s]", name, e->d_name);
    }
    if (dir) closedir(dir);
    printf("\n");
}

static void print_sample(const char *phase, const char *progress) {
    struct sample s = take_sample();
    printf("soak: t=%6.1fs %-7s %s rss=%.1f MB heap=%.2f MB fds=%ld threads=%ld\n", mono_s() - g_start, phase, progress,
           s.rss_mb, s.heap_mb, s.fds, s.threads);
    fflush(stdout);
}

/* ============================================================================================ */
/* stream phase                                                                                 */
/* ============================================================================================ */

/* The flood's event cycle: a snapshot, level deltas, trades (with and without a size), best
 * bid/ask, on both tokens, so the local books are rebuilt and updated all along. */
#define CYCLE 8

static void cycle_event(struct sb *b, int k) {
    const char *tok = (k < CYCLE / 2) ? A_YES : A_NO;
    switch (k % (CYCLE / 2)) {
    case 0:
        sb_printf(b,
                  "{\"event_type\":\"book\",\"market\":\"%s\",\"asset_id\":\"%s\",\"timestamp\":\"1767225600123\","
                  "\"hash\":\"3cd4d61e042c81560c9037ece0c61f3b1a8fbbdd\","
                  "\"bids\":[{\"price\":\"0.40\",\"size\":\"10\"},{\"price\":\"0.45\",\"size\":\"20\"},"
                  "{\"price\":\"0.50\",\"size\":\"5\"}],"
                  "\"asks\":[{\"price\":\"0.60\",\"size\":\"3\"},{\"price\":\"0.58\",\"size\":\"4\"},"
                  "{\"price\":\"0.55\",\"size\":\"2\"}]}",
                  A_COND, tok);
        break;
    case 1:
        sb_printf(b,
                  "{\"event_type\":\"price_change\",\"market\":\"%s\",\"timestamp\":\"1767225600456\","
                  "\"price_changes\":[{\"asset_id\":\"%s\",\"price\":\"0.51\",\"size\":\"300\",\"side\":\"BUY\","
                  "\"hash\":\"56621a121a47ed9333273e21c83b660cff37ae50\",\"best_bid\":\"0.51\",\"best_ask\":\"0.55\"},"
                  "{\"asset_id\":\"%s\",\"price\":\"0.6\",\"size\":\"0\",\"side\":\"SELL\","
                  "\"hash\":\"1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e\",\"best_bid\":\"0.51\",\"best_ask\":\"0.55\"}]}",
                  A_COND, tok, tok);
        break;
    case 2:
        sb_printf(b,
                  "{\"event_type\":\"last_trade_price\",\"market\":\"%s\",\"asset_id\":\"%s\",\"price\":\"0.52\"%s,"
                  "\"side\":\"BUY\",\"fee_rate_bps\":\"0\",\"timestamp\":\"1767225600789\"}",
                  A_COND, tok, k < CYCLE / 2 ? ",\"size\":\"84.17\"" : ""); /* A_NO's: no size (G3) */
        break;
    default:
        sb_printf(b,
                  "{\"event_type\":\"best_bid_ask\",\"market\":\"%s\",\"asset_id\":\"%s\",\"best_bid\":\"0.51\","
                  "\"best_ask\":\"0.52\",\"spread\":\"0.01\",\"timestamp\":\"1767225601100\"}",
                  A_COND, tok);
    }
}

/* POST .../ws/flood: `events` events in frames of cfg.per_frame, the connection dropped every
 * `drop_every` events. Returns the number of events the flood will send. */
static long start_flood(const char *sid, long events, long drop_every) {
    struct sb body = {NULL, 0, 0};
    char path[256];
    long frames = (events + cfg.per_frame - 1) / cfg.per_frame;
    long drop_frames = drop_every / cfg.per_frame;
    long status;
    int j, i;
    if (drop_frames < 1) drop_frames = 1;
    sb_printf(&body, "{\"frames\":[");
    for (j = 0; j < CYCLE; j++) {
        sb_printf(&body, "%s{\"json\":", j ? "," : "");
        if (cfg.per_frame > 1) sb_printf(&body, "[");
        for (i = 0; i < cfg.per_frame; i++) {
            if (i) sb_printf(&body, ",");
            cycle_event(&body, (int)((j * cfg.per_frame + i) % CYCLE));
        }
        if (cfg.per_frame > 1) sb_printf(&body, "]");
        sb_printf(&body, "}");
    }
    sb_printf(&body, "],\"count\":%ld,\"drop_every\":%ld}", frames, drop_frames);
    snprintf(path, sizeof path, "/_control/sessions/%s/ws/flood", sid);
    status = ctl("POST", path, body.p, NULL);
    free(body.p);
    return status == 200 ? frames * cfg.per_frame : -1;
}

/* Why continuity was lost (a reconnect, or a queue overflow's gap marker): the distinct pm_event_detail() texts of RECONNECTED events. */
#define MAX_REASONS 8
struct reasons {
    char text[MAX_REASONS][160];
    long count[MAX_REASONS];
    long other;
};

static void reasons_add(struct reasons *r, const char *text) {
    int i;
    for (i = 0; i < MAX_REASONS && r->count[i] > 0; i++)
        if (strcmp(r->text[i], text) == 0) break;
    if (i == MAX_REASONS) {
        r->other++;
        return;
    }
    if (r->count[i]++ == 0) snprintf(r->text[i], sizeof r->text[i], "%s", text);
}

struct stream_result {
    long events;      /* market events received (PM_EVENT_RECONNECTED not counted) */
    long reconnects;  /* PM_STREAM_STAT_RECONNECTS */
    long gaps;        /* PM_EVENT_RECONNECTED events: reconnects and queue-overflow gap markers */
    long dropped;     /* PM_STREAM_STAT_DROPPED: queue overflow */
    long skipped;     /* PM_STREAM_STAT_SKIPPED */
    long sent;        /* events the flood sent */
    long bad;         /* events whose accessors gave impossible values */
    double seconds;
    struct reasons why;
};

/* Touches what a consumer would read, so the accessors' paths run too. */
static int check_event(const pm_event *ev) {
    switch (pm_event_get_type(ev)) {
    case PM_EVENT_BOOK: {
        const pm_book *book = pm_event_book(ev);
        return book != NULL && pm_book_level_count(book, PM_SIDE_BID) == 3 &&
               pm_book_level_price_micros(book, PM_SIDE_BID, 0) == 500000;
    }
    case PM_EVENT_PRICE_CHANGE:
        return pm_event_change_count(ev) == 2 && strcmp(pm_event_change_size(ev, 1), "0") == 0;
    case PM_EVENT_LAST_TRADE_PRICE:
        return pm_event_is_price_update(ev) && strcmp(pm_event_price(ev), "0.52") == 0;
    case PM_EVENT_BEST_BID_ASK:
        return strcmp(pm_event_best_ask(ev), "0.52") == 0;
    default:
        return 0;
    }
}

static struct stream_result run_stream(const char *fake_root, const char *name, long events, long drop_every,
                                       int verbose) {
    struct stream_result r;
    char sid[128], body[256], url[512];
    pm_stream_options o = PM_STREAM_OPTIONS_INIT;
    pm_stream *stream = NULL;
    const char *ids[2] = {A_YES, A_NO};
    double t0 = mono_s(), next_print = t0 + (double)cfg.sample_s, last_event = t0, deadline = t0 + (double)cfg.timeout_s;
    long flood_done = 0;
    pm_status st;

    memset(&r, 0, sizeof r);
    snprintf(sid, sizeof sid, "%s-%s", g_prefix, name);
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"preset\":\"empty\"}", sid);
    if (ctl("POST", "/_control/sessions", body, NULL) != 200) return r;
    snprintf(url, sizeof url, "ws://%s/s/%s/ws/market", fake_root + strlen("http://"), sid);
    o.url = url;
    o.asset_silence_timeout_ms = 0; /* the flood's drops are the reconnects under test */
    if (pm_stream_new(&o, &stream) != PM_OK || pm_stream_connect(stream) != PM_OK ||
        pm_stream_subscribe(stream, ids, 2) != PM_OK) {
        fprintf(stderr, "soak: stream set-up failed: %s\n", pm_last_error());
        pm_stream_free(stream);
        return r;
    }
    r.sent = start_flood(sid, events, drop_every);
    if (r.sent < 0) {
        pm_stream_free(stream);
        return r;
    }
    for (;;) {
        pm_event *ev = NULL;
        double now;
        st = pm_stream_next(stream, 200, &ev);
        if (st != PM_OK) {
            fprintf(stderr, "soak: pm_stream_next: %s: %s\n", pm_status_str(st), pm_last_error());
            break;
        }
        now = mono_s();
        if (ev != NULL) {
            last_event = now;
            if (pm_event_get_type(ev) == PM_EVENT_RECONNECTED) {
                r.gaps++;
                reasons_add(&r.why, pm_event_detail(ev));
            } else {
                r.events++;
                if (!check_event(ev) && r.bad++ == 0)
                    fprintf(stderr, "soak: unexpected event %s: type %d\n", pm_event_type_name(ev),
                            (int)pm_event_get_type(ev));
            }
            pm_event_free(ev);
        }
        r.dropped = (long)pm_stream_stat_value(stream, PM_STREAM_STAT_DROPPED);
        r.reconnects = (long)pm_stream_stat_value(stream, PM_STREAM_STAT_RECONNECTS);
        if (r.events + r.dropped >= r.sent) break;
        if (now >= next_print) {
            char progress[160];
            snprintf(progress, sizeof progress, "msgs=%ld/%ld reconnects=%ld dropped=%ld", r.events, r.sent,
                     r.reconnects, r.dropped);
            if (verbose) print_sample("stream", progress);
            next_print = now + (double)cfg.sample_s;
        }
        /* the flood has sent everything and nothing came for 3 s: the rest is lost */
        if (now - last_event > 3.0) {
            char path[256];
            snprintf(path, sizeof path, "/_control/sessions/%s/ws/flood", sid);
            if (flood_done || ctl_number("GET", path, NULL, "sent") * cfg.per_frame >= r.sent) {
                if (flood_done++) break;
            }
            last_event = now;
        }
        if (now > deadline) {
            fprintf(stderr, "soak: stream phase timed out after %ld s\n", cfg.timeout_s);
            break;
        }
    }
    r.skipped = (long)pm_stream_stat_value(stream, PM_STREAM_STAT_SKIPPED);
    r.seconds = mono_s() - t0;
    pm_stream_free(stream);
    snprintf(url, sizeof url, "/_control/sessions/%s", sid);
    ctl("DELETE", url, NULL, NULL);
    return r;
}

/* ============================================================================================ */
/* REST phase                                                                                   */
/* ============================================================================================ */

struct rest_shared {
    pm_client *client;
    pm_fetcher *fetcher;
    long calls;
    atomic_long next;   /* next call number to take */
    atomic_long done;
    atomic_long failures;
    char first_failure[512];
    pthread_mutex_t lock;
};

static void rest_fail(struct rest_shared *sh, long call, const char *what, pm_status st) {
    if (atomic_fetch_add(&sh->failures, 1) == 0) {
        pthread_mutex_lock(&sh->lock);
        snprintf(sh->first_failure, sizeof sh->first_failure, "call %ld (%s): %s: %s", call, what, pm_status_str(st),
                 pm_last_error());
        pthread_mutex_unlock(&sh->lock);
    }
}

/* One call of the mix; every result is checked. */
static void rest_call(struct rest_shared *sh, long i) {
    pm_status st;
    switch (i % 6) {
    case 0: { /* GET /book */
        pm_book *book = NULL;
        st = pm_client_fetch_orderbook(sh->client, A_YES, &book);
        if (st != PM_OK || pm_book_level_count(book, PM_SIDE_BID) == 0) rest_fail(sh, i, "fetch_orderbook", st);
        pm_book_free(book);
        break;
    }
    case 1: { /* POST /books */
        const char *ids[3] = {A_YES, A_NO, D_YES};
        pm_books *books = NULL;
        st = pm_client_fetch_orderbooks(sh->client, ids, 3, &books);
        if (st != PM_OK || pm_books_count(books) != 2) rest_fail(sh, i, "fetch_orderbooks", st);
        pm_books_free(books);
        break;
    }
    case 2: { /* Data API trades through the fetcher (G1) */
        pm_trades *trades = NULL;
        size_t stale = 0;
        st = pm_fetcher_fetch_recent_trades(sh->fetcher, A_YES, 86400, &trades, &stale);
        if (st != PM_OK || pm_trades_count(trades) == 0) rest_fail(sh, i, "fetch_recent_trades", st);
        pm_trades_free(trades);
        break;
    }
    case 3: { /* G3 back-fill */
        char *size = NULL;
        st = pm_fetcher_fetch_trade_size_at_price(sh->fetcher, A_YES, "0.5", "0.5", 86400, &size);
        if (st != PM_OK || size == NULL) rest_fail(sh, i, "fetch_trade_size_at_price", st);
        pm_string_free(size);
        break;
    }
    case 4: { /* G5 */
        bool valid = false;
        char *best = NULL, *reason = NULL;
        st = pm_verify_orderbook_price(sh->client, A_YES, "0.5", "0.5", &valid, &best, &reason);
        if (st != PM_OK || !valid || best == NULL) rest_fail(sh, i, "verify_orderbook_price", st);
        pm_string_free(best);
        pm_string_free(reason);
        break;
    }
    default: { /* a token without a book: a clean error, every time */
        pm_book *book = NULL;
        st = pm_client_fetch_orderbook(sh->client, D_YES, &book);
        if (st != PM_E_BOOK_INVALID || book != NULL || pm_last_error()[0] == '\0')
            rest_fail(sh, i, "fetch_orderbook of a token without a book (want PM_E_BOOK_INVALID)", st);
        pm_book_free(book);
    }
    }
}

static void *rest_worker(void *arg) {
    struct rest_shared *sh = arg;
    for (;;) {
        long i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->calls) break;
        rest_call(sh, i);
        atomic_fetch_add(&sh->done, 1);
    }
    return NULL;
}

struct rest_result {
    long calls;
    long failures;
    double seconds;
};

static struct rest_result run_rest(const char *name, long calls, int verbose) {
    struct rest_result r = {0, 0, 0};
    struct rest_shared sh;
    char sid[128], body[256], gamma[512], clob[512], data[512];
    pm_client_options o = PM_CLIENT_OPTIONS_INIT;
    pthread_t th[64];
    long n = cfg.rest_threads > 64 ? 64 : cfg.rest_threads, k, started = 0;
    double t0 = mono_s(), next_print = t0 + (double)cfg.sample_s;

    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.lock, NULL);
    snprintf(sid, sizeof sid, "%s-%s", g_prefix, name);
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"preset\":\"basic\"}", sid);
    if (ctl("POST", "/_control/sessions", body, NULL) != 200) return r;
    snprintf(gamma, sizeof gamma, "%s/s/%s/gamma", g_base, sid);
    snprintf(clob, sizeof clob, "%s/s/%s/clob", g_base, sid);
    snprintf(data, sizeof data, "%s/s/%s/data", g_base, sid);
    o.gamma_url = gamma;
    o.clob_url = clob;
    o.data_url = data;
    o.rate_limit = false; /* Polymarket's pacing would make this a test of the rate limiter */
    if (pm_client_new(&o, &sh.client) != PM_OK || pm_fetcher_new(sh.client, 300, &sh.fetcher) != PM_OK) {
        fprintf(stderr, "soak: client set-up failed: %s\n", pm_last_error());
        pm_client_free(sh.client);
        return r;
    }
    sh.calls = calls;
    for (k = 0; k < n; k++)
        if (pthread_create(&th[k], NULL, rest_worker, &sh) == 0) started++;
    while (atomic_load(&sh.done) < calls && started > 0) {
        double now;
        sleep_ms(50);
        now = mono_s();
        if (verbose && now >= next_print) {
            char progress[160];
            snprintf(progress, sizeof progress, "calls=%ld/%ld failures=%ld", (long)atomic_load(&sh.done), calls,
                     (long)atomic_load(&sh.failures));
            print_sample("rest", progress);
            next_print = now + (double)cfg.sample_s;
        }
        if (now - t0 > (double)cfg.timeout_s) {
            fprintf(stderr, "soak: REST phase timed out after %ld s: cancelling\n", cfg.timeout_s);
            atomic_store(&sh.next, calls); /* no new calls */
            pm_client_cancel(sh.client);
            break;
        }
    }
    for (k = 0; k < started; k++) pthread_join(th[k], NULL);
    r.calls = atomic_load(&sh.done);
    r.failures = atomic_load(&sh.failures) + (r.calls < calls ? calls - r.calls : 0);
    r.seconds = mono_s() - t0;
    if (sh.failures) fprintf(stderr, "soak: %ld REST failures, first: %s\n", (long)sh.failures, sh.first_failure);
    pm_fetcher_free(sh.fetcher);
    pm_client_free(sh.client);
    pthread_mutex_destroy(&sh.lock);
    snprintf(body, sizeof body, "/_control/sessions/%s", sid);
    ctl("DELETE", body, NULL, NULL);
    return r;
}

/* ============================================================================================ */
/* main                                                                                         */
/* ============================================================================================ */

/* A sample once the process is idle: the thread count has not changed for 6 s (at most 30 s).
 * The library's blocking calls run on Swift's cooperative pool (libdispatch workers), which
 * starts workers on demand and ends each after about 5 s without work; a thread a *_free() just
 * stopped may also still be on its way out. What remains after that is what the process keeps. */
static struct sample settled_sample(double *waited) {
    double t0 = mono_s(), stable_since = t0;
    struct sample s = take_sample(), now;
    for (;;) {
        sleep_ms(100);
        now = take_sample();
        if (now.threads != s.threads || now.fds != s.fds) stable_since = mono_s();
        s = now;
        if (mono_s() - stable_since >= 6.0 || mono_s() - t0 >= 30.0) break;
    }
    *waited = mono_s() - t0;
    return take_sample();
}

int main(void) {
    struct sample base, after;
    struct stream_result sr;
    struct rest_result rr;
    double rss_delta, waited = 0;
    int pass;

    cfg.stream_messages = env_long("SOAK_STREAM_MESSAGES", 1000000, 1);
    cfg.rest_calls = env_long("SOAK_REST_CALLS", 100000, 1);
    cfg.drop_every = env_long("SOAK_DROP_EVERY", 50000, 1);
    cfg.per_frame = env_long("SOAK_EVENTS_PER_FRAME", 1, 1);
    cfg.rest_threads = env_long("SOAK_REST_THREADS", 4, 1);
    cfg.sample_s = env_long("SOAK_SAMPLE_SECONDS", 5, 1);
    cfg.rss_limit_mb = env_long("SOAK_RSS_LIMIT_MB", 5, 0);
    cfg.timeout_s = env_long("SOAK_TIMEOUT_SECONDS", 600, 1);
    g_start = mono_s();

    if (fake_connect("soak", "soak") != 0) return 2;
    printf("soak: libpmingest %s; stream %ld events (%ld per frame, connection dropped every %ld), rest %ld calls "
           "on %ld threads\n",
           pm_version_string(), cfg.stream_messages, cfg.per_frame, cfg.drop_every, cfg.rest_calls,
           cfg.rest_threads);

    /* warm-up: every code path once, the allocator's arenas and libcurl/OpenSSL state created */
    sr = run_stream(g_base, "warm-stream", 20000 < cfg.stream_messages ? 20000 : cfg.stream_messages,
                    10000 < cfg.drop_every ? 10000 : cfg.drop_every, 0);
    rr = run_rest("warm-rest", 600 < cfg.rest_calls ? 600 : cfg.rest_calls, 0);
    printf("soak: warm-up: stream %ld/%ld events, %ld reconnects; rest %ld calls, %ld failures\n", sr.events, sr.sent,
           sr.reconnects, rr.calls, rr.failures);
    base = settled_sample(&waited);
    printf("soak: baseline after %.1f s idle\n", waited);
    print_sample("base", "");
    if (getenv("SOAK_THREAD_NAMES")) print_thread_names("baseline");

    sr = run_stream(g_base, "stream", cfg.stream_messages, cfg.drop_every, 1);
    print_sample("stream", "done");
    rr = run_rest("rest", cfg.rest_calls, 1);
    print_sample("rest", "done");

    after = settled_sample(&waited);
    printf("soak: after-sample after %.1f s idle\n", waited);
    rss_delta = after.rss_mb - base.rss_mb;
    if (after.threads != base.threads || getenv("SOAK_THREAD_NAMES")) print_thread_names("after");

    printf("soak: stream: %ld events received of %ld sent in %.1f s (%.0f events/s, %s), %ld reconnects, "
           "%ld dropped by the queue, %ld frames skipped, %ld bad events\n",
           sr.events, sr.sent, sr.seconds, sr.seconds > 0 ? (double)sr.events / sr.seconds : 0.0,
           cfg.per_frame > 1 ? "array frames, events counted" : "one event per frame", sr.reconnects, sr.dropped,
           sr.skipped, sr.bad);
    {
        int i;
        for (i = 0; i < MAX_REASONS && sr.why.count[i] > 0; i++)
            printf("soak: stream: %ld continuity-lost events: %s\n", sr.why.count[i], sr.why.text[i]);
        if (sr.why.other) printf("soak: stream: %ld continuity-lost events for other reasons\n", sr.why.other);
    }
    printf("soak: rest: %ld calls in %.1f s (%.0f calls/s) on %ld threads, %ld failures\n", rr.calls, rr.seconds,
           rr.seconds > 0 ? (double)rr.calls / rr.seconds : 0.0, cfg.rest_threads, rr.failures);
    printf("soak:            baseline     after     delta\n");
    printf("soak: rss MB   %9.1f %9.1f %+9.1f   (limit +%ld)\n", base.rss_mb, after.rss_mb, rss_delta, cfg.rss_limit_mb);
    printf("soak: heap MB  %9.2f %9.2f %+9.2f   (malloc'ed, not freed)\n", base.heap_mb, after.heap_mb,
           after.heap_mb - base.heap_mb);
    printf("soak: fds      %9ld %9ld %+9ld\n", base.fds, after.fds, after.fds - base.fds);
    printf("soak: threads  %9ld %9ld %+9ld\n", base.threads, after.threads, after.threads - base.threads);

    pass = rss_delta <= (double)cfg.rss_limit_mb && after.fds == base.fds && after.threads == base.threads &&
           sr.sent > 0 && sr.events + sr.dropped == sr.sent && sr.bad == 0 &&
           (sr.sent <= cfg.drop_every || sr.reconnects > 0) &&
           rr.calls == cfg.rest_calls && rr.failures == 0;
    printf("soak: stream %ld msgs, %ld reconnects; rest %ld calls; rss %+.1f MB; fds %+ld; threads %+ld: %s\n",
           sr.events, sr.reconnects, rr.calls, rss_delta, after.fds - base.fds, after.threads - base.threads,
           pass ? "PASS" : "FAIL");
    /* informational: how much of the RSS is freed memory the allocator kept (not part of the verdict) */
    malloc_trim(0);
    printf("soak: (rss after malloc_trim(0): %.1f MB)\n", take_sample().rss_mb);
    curl_global_cleanup();
    return pass ? 0 : 1;
}
