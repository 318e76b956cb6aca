/* fake_control.h — the fake Polymarket's control API over libcurl, shared by the C tests that
 * script it (test_rest.c, test_stream.c). Include after pmtest.h, once `g_base` (the server root,
 * PM_FAKE_URL, no trailing slash) is declared. */
#ifndef PM_FAKE_CONTROL_H
#define PM_FAKE_CONTROL_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
