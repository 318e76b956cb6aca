/* stream_bench_common.h — shared by the stream benchmark clients (stream_lws_raw.c,
 * stream_c_abi.c): clock, the asset ids file, and the latency summary.
 * Output lines: "msg_per_s <name> <value>", "latency_us <name> <p50> <p99> <p99.9>",
 * "rss_kb <name> <first> <last>". */
#ifndef PM_BENCH_STREAM_COMMON_H
#define PM_BENCH_STREAM_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STREAM_BASE_MS 1767225600000LL

static int64_t sb_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The ids file (one a line): *n ids, each malloc'ed. */
static char **sb_read_ids(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    char line[128], **ids = NULL;
    *n = 0;
    if (!f) return NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0]) continue;
        ids = realloc(ids, sizeof *ids * (*n + 1));
        ids[(*n)++] = strdup(line);
    }
    fclose(f);
    return ids;
}

static int sb_cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* recv[i] = receive time of frame i (0 = never); waits up to 10 s for the server's stamps file,
 * then prints the latency line of the frames seen (send → in the caller's hands). */
static void sb_latency_report(const char *name, const char *stamps_path, const int64_t *recv, size_t n) {
    int64_t *sent = malloc(sizeof *sent * n), *lat = malloc(sizeof *lat * n);
    size_t m = 0, i;
    FILE *f = NULL;
    for (i = 0; i < 1000 && !(f = fopen(stamps_path, "rb")); i++) usleep(10000);
    if (!f || fread(sent, sizeof *sent, n, f) != n) {
        fprintf(stderr, "%s: no stamps file %s\n", name, stamps_path);
        exit(1);
    }
    fclose(f);
    for (i = 0; i < n; i++) if (recv[i] > 0) lat[m++] = recv[i] - sent[i];
    qsort(lat, m, sizeof *lat, sb_cmp64);
    if (m == 0) { fprintf(stderr, "%s: nothing received\n", name); exit(1); }
    printf("latency_us %s %.1f %.1f %.1f\n", name, lat[m / 2] / 1e3, lat[(m * 99) / 100] / 1e3,
           lat[(m * 999) / 1000] / 1e3);
    if (m != n) fprintf(stderr, "%s: %zu of %zu frames seen\n", name, m, n);
    free(sent);
    free(lat);
}

/* The frame index of a message: its "timestamp":"<BASE + i>". -1 if none. */
static long long sb_seq_of(const char *p, size_t len) {
    static const char key[] = "\"timestamp\":\"";
    const char *end = p + len;
    while (p + sizeof key < end) {
        const char *hit = memmem(p, (size_t)(end - p), key, sizeof key - 1);
        if (!hit) return -1;
        return strtoll(hit + sizeof key - 1, NULL, 10) - STREAM_BASE_MS;
    }
    return -1;
}

static long sb_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

#endif
