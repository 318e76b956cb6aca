/* stream_push_server.c — the loopback market-channel push server of the stream benchmarks.
 *
 *   stream_push_server [--frames N] [--rate R] [--stamps PATH] [--ids PATH] [--max-runtime S]
 *
 * One thread, plain sockets (no WebSocket library: the server must not be the bottleneck).
 * Listens on 127.0.0.1 port 0 and prints "port <n>". Serves WebSocket clients one after another:
 * the RFC 6455 handshake, then waits for the client's first text frame (its subscription), then
 * pushes frames 0..N-1 of the corpus (stream_push_corpus.h, cycled past 200,000), pre-encoded:
 * as fast as the socket takes them (--rate 0, the default), or paced at R frames/s (a send time
 * stamped with CLOCK_MONOTONIC just before each write, written to PATH as N int64 nanoseconds
 * once all are sent: the latency figures). Answers "PING" with "PONG" between frames, a close
 * frame with a close frame. --ids writes the 500 asset ids, one a line, for the clients to
 * subscribe. Stops on SIGTERM or after --max-runtime seconds (default 300). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stream_push_corpus.h"

#define CORPUS_FRAMES 200000

static volatile sig_atomic_t g_stop;
static void on_term(int sig) { (void)sig; g_stop = 1; }

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The pre-encoded corpus: every frame with its server-to-client WebSocket header. */
static char *g_wire;
static size_t *g_off; /* frame i is g_wire[g_off[i] .. g_off[i+1]) */

static size_t ws_header(unsigned char *h, size_t len, int opcode) {
    h[0] = (unsigned char)(0x80 | opcode);
    if (len < 126) { h[1] = (unsigned char)len; return 2; }
    if (len < 65536) { h[1] = 126; h[2] = (unsigned char)(len >> 8); h[3] = (unsigned char)len; return 4; }
    h[1] = 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)(len >> (56 - 8 * i));
    return 10;
}

static void build_corpus(void) {
    struct corpus_buf b = {malloc(4096), 0, 4096}, w = {malloc(1 << 20), 0, 1 << 20};
    struct corpus_rng r = {20261208};
    g_off = malloc(sizeof *g_off * (CORPUS_FRAMES + 1));
    for (uint64_t i = 0; i < CORPUS_FRAMES; i++) {
        unsigned char h[10];
        size_t hl;
        corpus_frame(&b, i, &r);
        hl = ws_header(h, b.len, 1);
        g_off[i] = w.len;
        while (w.cap - w.len < hl + b.len + 1) { w.cap *= 2; w.p = realloc(w.p, w.cap); }
        memcpy(w.p + w.len, h, hl);
        memcpy(w.p + w.len + hl, b.p, b.len);
        w.len += hl + b.len;
    }
    g_off[CORPUS_FRAMES] = w.len;
    g_wire = w.p;
    free(b.p);
    fprintf(stderr, "corpus: %d frames, %zu bytes on the wire\n", CORPUS_FRAMES, w.len);
}

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { struct pollfd pf = {fd, POLLOUT, 0}; poll(&pf, 1, 100); continue; }
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Client-to-server frames: accumulates bytes, answers PING/close. Returns -1 when closed. */
struct conn { int fd; unsigned char in[1 << 16]; size_t have; int subscribed, closed; };

static void send_text(struct conn *c, const char *text, int opcode) {
    unsigned char h[10];
    size_t n = strlen(text), hl = ws_header(h, n, opcode);
    if (write_all(c->fd, h, hl) < 0 || write_all(c->fd, text, n) < 0) c->closed = 1;
}

static void read_client(struct conn *c) {
    for (;;) {
        ssize_t k = recv(c->fd, c->in + c->have, sizeof c->in - c->have, MSG_DONTWAIT);
        if (k == 0) { c->closed = 1; return; }
        if (k < 0) { if (errno != EAGAIN && errno != EINTR) c->closed = 1; break; }
        c->have += (size_t)k;
    }
    for (;;) {
        size_t len, pos = 2;
        unsigned char *f = c->in;
        if (c->have < 2) return;
        len = f[1] & 0x7F;
        if (len == 126) { if (c->have < 4) return; len = (size_t)f[2] << 8 | f[3]; pos = 4; }
        else if (len == 127) { c->closed = 1; return; }   /* no client sends 64 KiB here */
        if (c->have < pos + 4 + len) {
            if (pos + 4 + len > sizeof c->in) c->closed = 1;
            return;
        }
        unsigned char *mask = f + pos, *payload = f + pos + 4;
        for (size_t i = 0; i < len; i++) payload[i] ^= mask[i & 3];
        int op = f[0] & 0x0F;
        if (op == 8) { send_text(c, "", 8); c->closed = 1; return; }
        if (op == 1) {
            if (len == 4 && memcmp(payload, "PING", 4) == 0) send_text(c, "PONG", 1);
            else c->subscribed = 1;
        }
        memmove(c->in, c->in + pos + 4 + len, c->have - (pos + 4 + len));
        c->have -= pos + 4 + len;
    }
}

static int handshake(int fd) {
    char req[8192], *key, *end, accept[64], resp[512];
    size_t have = 0;
    unsigned char digest[SHA_DIGEST_LENGTH];
    char joined[256];
    while (have < sizeof req - 1) {
        ssize_t k = recv(fd, req + have, sizeof req - 1 - have, 0);
        if (k <= 0) return -1;
        have += (size_t)k;
        req[have] = '\0';
        if (strstr(req, "\r\n\r\n")) break;
    }
    key = strcasestr(req, "Sec-WebSocket-Key:");
    if (!key) return -1;
    key += strlen("Sec-WebSocket-Key:");
    while (*key == ' ') key++;
    end = strstr(key, "\r\n");
    if (!end || end - key > 100) return -1;
    snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)(end - key), key);
    SHA1((unsigned char *)joined, strlen(joined), digest);
    EVP_EncodeBlock((unsigned char *)accept, digest, SHA_DIGEST_LENGTH);
    snprintf(resp, sizeof resp,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    return write_all(fd, resp, strlen(resp));
}

static void serve(int fd, uint64_t frames, double rate, const char *stamps_path) {
    struct conn *c = calloc(1, sizeof *c);
    int64_t *stamps = stamps_path ? calloc(frames, sizeof *stamps) : NULL;
    int one = 1;
    c->fd = fd;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (handshake(fd) < 0) goto done;
    while (!c->subscribed && !c->closed && !g_stop) {
        struct pollfd pf = {fd, POLLIN, 0};
        poll(&pf, 1, 100);
        read_client(c);
    }
    uint64_t i = 0;
    int64_t start = now_ns();
    while (i < frames && !c->closed && !g_stop) {
        uint64_t k = i % CORPUS_FRAMES, n = 1;
        if (rate > 0) {
            /* Sleep (never spin: on a 2-core machine a spinning server would take a core from the
               client under test) until the frame is due; the stamp is the actual send time. */
            int64_t due = start + (int64_t)((double)i * 1e9 / rate);
            if (now_ns() < due) {
                struct timespec ts = {(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
            }
            if (stamps) stamps[i] = now_ns();
        } else {
            while (n < 256 && k + n < CORPUS_FRAMES && i + n < frames) n++;
        }
        if (write_all(fd, g_wire + g_off[k], g_off[k + n] - g_off[k]) < 0) break;
        i += n;
        if ((i & 255) < n || rate > 0) read_client(c);
    }
    fprintf(stderr, "sent %llu frames in %.3f s\n", (unsigned long long)i, (double)(now_ns() - start) / 1e9);
    if (stamps && i == frames) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", stamps_path);
        FILE *f = fopen(tmp, "wb");
        if (f && fwrite(stamps, sizeof *stamps, frames, f) == frames && fclose(f) == 0) rename(tmp, stamps_path);
    }
    /* Until the client closes: keep answering PINGs. */
    while (!c->closed && !g_stop) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 100) > 0) read_client(c);
    }
done:
    close(fd);
    free(stamps);
    free(c);
}

int main(int argc, char **argv) {
    uint64_t frames = CORPUS_FRAMES;
    double rate = 0, max_runtime = 300;
    const char *stamps = NULL, *ids = NULL;
    for (int a = 1; a + 1 < argc; a += 2) {
        if (!strcmp(argv[a], "--frames")) frames = strtoull(argv[a + 1], NULL, 10);
        else if (!strcmp(argv[a], "--rate")) rate = atof(argv[a + 1]);
        else if (!strcmp(argv[a], "--stamps")) stamps = argv[a + 1];
        else if (!strcmp(argv[a], "--ids")) ids = argv[a + 1];
        else if (!strcmp(argv[a], "--max-runtime")) max_runtime = atof(argv[a + 1]);
    }
    signal(SIGTERM, on_term);
    signal(SIGALRM, on_term);
    alarm((unsigned)max_runtime);
    build_corpus();
    if (ids) {
        FILE *f = fopen(ids, "w");
        for (int k = 0; f && k < STREAM_CORPUS_ASSETS; k++) {
            char id[78], cond[67];
            corpus_asset(k, id, cond);
            fprintf(f, "%s\n", id);
        }
        if (f) fclose(f);
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in addr = {0};
    socklen_t alen = sizeof addr;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 16) < 0) return 1;
    getsockname(ls, (struct sockaddr *)&addr, &alen);
    printf("port %d\n", ntohs(addr.sin_port));
    fflush(stdout);
    while (!g_stop) {
        struct pollfd pf = {ls, POLLIN, 0};
        if (poll(&pf, 1, 200) <= 0) continue;
        int fd = accept(ls, NULL, NULL);
        if (fd >= 0) serve(fd, frames, rate, stamps);
    }
    close(ls);
    return 0;
}
