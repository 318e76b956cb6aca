#include <curl/curl.h>
/* curl_easy_setopt/getinfo/multi_setopt are variadic: Swift cannot call them. One typed shim each. */
static inline CURLcode pm_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pm_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pm_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pm_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*pm_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode pm_curl_setopt_datafn(CURL *h, CURLoption o, pm_curl_data_cb f) { return curl_easy_setopt(h, o, f); }
typedef int (*pm_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode pm_curl_setopt_xferinfofn(CURL *h, pm_curl_xferinfo_cb f) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }
static inline CURLcode pm_curl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode pm_curl_getinfo_ptr(CURL *h, CURLINFO i, void **out) { return curl_easy_getinfo(h, i, out); }
static inline CURLMcode pm_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
/* Thread names (the HTTP engine thread shows as "pmingest-http" in top -H, gdb and
   /proc/<pid>/task/<tid>/comm). glibc declares pthread_setname_np only under _GNU_SOURCE, which
   Swift's Glibc module does not define; an identical redeclaration is valid C. */
#include <pthread.h>
static inline int pm_thread_setname(pthread_t thread, const char *name) {
    extern int pthread_setname_np(pthread_t, const char *);
    return pthread_setname_np(thread, name);
}
