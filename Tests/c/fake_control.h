/* fake_control.h — the fake Polymarket's control API over libcurl, shared by the C tests that
 * script it (test_rest.c, test_stream.c). Include after pmtest.h; call fake_connect() first. */
#ifndef PM_FAKE_CONTROL_H
#define PM_FAKE_CONTROL_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *g_base;   /* PM_FAKE_URL, no trailing slash */
static char g_prefix[64];    /* session id prefix: unique per process */

struct ctl_buf {
    char *data;
    size_t len;
};

static size_t ctl_write(char *data, size_t size, size_t nmemb, void *user) {
    struct ctl_buf *b = user;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (grown == NULL) return 0;
    b->data = grown;
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* One control request. Returns the HTTP status (-1 on a transport error); *out (may be NULL)
 * receives the body, malloc'ed, to free(). Thread-safe (one easy handle per call). */
static long ctl(const char *method, const char *path, const char *body, char **out) {
    char url[1024];
    struct ctl_buf buf = {NULL, 0};
    struct curl_slist *headers = NULL;
    long status = -1;
    CURLcode rc;
    CURL *h = curl_easy_init();
    if (out) *out = NULL;
    if (h == NULL) return -1;
    snprintf(url, sizeof url, "%s%s", g_base, path);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ctl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &buf);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    } else {
        fprintf(stderr, "     control %s %s: %s\n", method, path, curl_easy_strerror(rc));
    }
    if (status != 200) fprintf(stderr, "     control %s %s -> %ld: %s\n", method, path, status, buf.data ? buf.data : "");
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (out) *out = buf.data; else free(buf.data);
    return status;
}

/* A control request that must answer 200 (counted as a check). */
#define CTL_OK(method, path, body) CHECK_I64(ctl((method), (path), (body), NULL), 200)

/* A number field of a control answer ("sent_to", "connections", "sent", ...); -1 when the request
 * fails or the field is absent. */
static inline long ctl_number(const char *method, const char *path, const char *body, const char *key) {
    char *answer = NULL, needle[64];
    const char *p;
    long value = -1;
    if (ctl(method, path, body, &answer) == 200 && answer) {
        snprintf(needle, sizeof needle, "\"%s\":", key);
        p = strstr(answer, needle);
        if (p) value = strtol(p + strlen(needle), NULL, 10);
    }
    free(answer);
    return value;
}


/* Creates the session "<g_prefix>-<name>" (seeded with `preset`, or the server's default when
 * NULL) and writes its id to sid (cap bytes). Counted as a check. */
static inline void fake_session(const char *name, const char *preset, char *sid, size_t cap) {
    char body[512];
    snprintf(sid, cap, "%s-%s", g_prefix, name);
    if (preset != NULL) snprintf(body, sizeof body, "{\"id\":\"%s\",\"preset\":\"%s\"}", sid, preset);
    else snprintf(body, sizeof body, "{\"id\":\"%s\"}", sid);
    CTL_OK("POST", "/_control/sessions", body);
}

/* POST /_control/sessions/<sid>/<what> (state, seed, faults, ws, ...). Counted as a check. */
static inline void fake_session_post(const char *sid, const char *what, const char *body) {
    char path[256];
    snprintf(path, sizeof path, "/_control/sessions/%s/%s", sid, what);
    CTL_OK("POST", path, body);
}

/* How many requests the session logged on `api_path` (exact, or a prefix ending in %2A); -1 when
 * the log cannot be read. */
static inline long fake_request_count(const char *sid, const char *api_path) {
    char path[512], *body = NULL;
    const char *p;
    long n = 0;
    snprintf(path, sizeof path, "/_control/sessions/%s/requests?path=%s", sid, api_path);
    if (ctl("GET", path, NULL, &body) != 200 || body == NULL) {
        free(body);
        return -1;
    }
    for (p = body; (p = strstr(p, "\"seq\"")) != NULL; p += 5) n++;
    free(body);
    return n;
}

/* Waits (polling every 20 ms, up to `seconds`) until the session's market channel has handled a
 * subscription of at least `assets` assets on its open connections (GET …/ws "open_assets").
 * pm_stream_connect returns once the handshake is done, which is before the fake has read the
 * subscription frame: a test that then pushes frames to subscribers must wait for this first.
 * Returns 1 when reached, 0 on timeout. */
static inline int fake_await_subscribed(const char *sid, long assets, double seconds) {
    char path[256], *answer = NULL;
    int polls = (int)(seconds * 50.0), i;
    snprintf(path, sizeof path, "/_control/sessions/%s/ws", sid);
    for (i = 0; i <= polls; i++) {
        long total = 0;
        const char *p, *end;
        if (ctl("GET", path, NULL, &answer) == 200 && answer && (p = strstr(answer, "\"open_assets\":{")) != NULL) {
            end = strchr(p, '}');
            for (p = strchr(p, '{'); p && end && (p = strchr(p, ':')) != NULL && p < end; p++) total += strtol(p + 1, NULL, 10);
        }
        free(answer);
        answer = NULL;
        if (total >= assets) return 1;
        {
            struct timespec pause = {0, 20000000L}; /* 20 ms; nanosleep: usleep is not POSIX.1-2008 */
            nanosleep(&pause, NULL);
        }
    }
    return 0;
}

/* Reads PM_FAKE_URL (set by Tests/c/run.sh) into g_base, names this process's sessions
 * "<prefix><pid>-…", initialises libcurl (before any thread runs: its global init is not
 * thread-safe) and checks that the server answers. Returns 0 when ready; otherwise the reason is
 * recorded as a failed check and printed. */
static int fake_connect(const char *test, const char *prefix) {
    static char base[512];
    const char *url = getenv("PM_FAKE_URL");
    size_t n;
    if (url == NULL || url[0] == '\0') {
        fprintf(stderr, "%s: PM_FAKE_URL is not set (the fake server's root URL; Tests/c/run.sh sets it)\n", test);
        pmt_record(0, __FILE__, __LINE__, "PM_FAKE_URL set");
        return -1;
    }
    snprintf(base, sizeof base, "%s", url);
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/') base[--n] = '\0';
    if (strncmp(base, "http://", 7) != 0) {
        fprintf(stderr, "%s: PM_FAKE_URL must start with http://\n", test);
        pmt_record(0, __FILE__, __LINE__, "PM_FAKE_URL is http://");
        return -1;
    }
    g_base = base;
    snprintf(g_prefix, sizeof g_prefix, "%s%ld", prefix, (long)getpid());
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        pmt_record(0, __FILE__, __LINE__, "curl_global_init");
        return -1;
    }
    if (ctl("GET", "/_control/health", NULL, NULL) != 200) {
        fprintf(stderr, "%s: no fake server at %s\n", test, g_base);
        pmt_record(0, __FILE__, __LINE__, "fake server reachable");
        curl_global_cleanup();
        return -1;
    }
    return 0;
}

#endif
