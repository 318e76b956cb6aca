/*
 * book_server.c — a fast loopback HTTP/1.1 server for the REST benchmarks (the project's Python
 * fake server is far slower than the clients it would be measuring).
 *
 *   book_server [max_runtime_seconds]        (default 300)
 *
 * Binds 127.0.0.1 on an ephemeral port, prints "port <n>" on stdout (flushed) and serves until
 * SIGTERM/SIGINT or the max runtime, whichever comes first: it always stops by itself.
 *
 * One thread, epoll (level-triggered), non-blocking sockets, keep-alive, pipelining. Any
 * `GET /book?...` is answered 200 with one fixed order book in the CLOB's real wire shape
 * (OrderBookSummary: decimal strings, ms timestamp as a string, bids ascending = worst first,
 * asks descending = worst first, 20 levels per side), with Content-Length and no compression.
 * Anything else gets a small 404 JSON body. Request bodies (Content-Length) are skipped;
 * "Connection: close" is honoured. Up to MAX_FDS connections at once.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 4096
#define IN_CAP 16384

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

typedef struct conn {
    int used;
    size_t in_len;
    char in[IN_CAP];
    size_t skip_body;  /* request-body bytes still to discard */
    char *out;         /* pending output (only when a write was partial) */
    size_t out_len, out_off, out_cap;
    int close_after;
} conn;

static conn *conns[MAX_FDS];
static char *book_response, *missing_response;
static size_t book_response_len, missing_response_len, body_len;
static int epfd;

/* 20 bids ascending (worst first), 20 asks descending (worst first), sizes with 0-2 decimals. */
static char *make_book_body(size_t *len) {
    static const char *sizes[] = {"1520.35", "250", "98.5", "3000", "742.12", "15", "1200", "64.8",
                                  "5000", "310.44", "88", "2150.5", "405", "19.99", "7500", "133.33",
                                  "600", "42.1", "1000", "275.6"};
    char *b = malloc(4096);
    size_t n = 0;
    n += (size_t)sprintf(b + n,
        "{\"market\":\"0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1\","
        "\"asset_id\":\"21742633143463906290569050155826241533067272736897614950488156847949938836455\","
        "\"timestamp\":\"1718000000123\","
        "\"hash\":\"0x8f1a3d2c9b7e6f5a4d3c2b1a0f9e8d7c6b5a4f3e\","
        "\"bids\":[");
    for (int i = 0; i < 20; i++)  /* 0.29 .. 0.48 ascending */
        n += (size_t)sprintf(b + n, "%s{\"price\":\"0.%02d\",\"size\":\"%s\"}", i ? "," : "", 29 + i, sizes[i]);
    n += (size_t)sprintf(b + n, "],\"asks\":[");
    for (int i = 0; i < 20; i++)  /* 0.69 .. 0.50 descending */
        n += (size_t)sprintf(b + n, "%s{\"price\":\"0.%02d\",\"size\":\"%s\"}", i ? "," : "", 69 - i, sizes[19 - i]);
    n += (size_t)sprintf(b + n,
        "],\"min_order_size\":\"5\",\"tick_size\":\"0.01\",\"neg_risk\":false,\"last_trade_price\":\"0.49\"}");
    *len = n;
    return b;
}

static char *make_response(const char *status, const char *body, size_t blen, size_t *len) {
    char *r = malloc(blen + 512);
    int h = sprintf(r,
        "HTTP/1.1 %s\r\n"
        "Date: Mon, 10 Jun 2024 06:13:20 GMT\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        "Content-Length: %zu\r\n"
        "Connection: keep-alive\r\n"
        "Cache-Control: no-store\r\n"
        "\r\n", status, blen);
    memcpy(r + h, body, blen);
    *len = (size_t)h + blen;
    return r;
}

static void drop(int fd) {
    conn *c = conns[fd];
    if (c) {
        free(c->out);
        free(c);
        conns[fd] = NULL;
    }
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/* Queues bytes after a partial write; switches the fd to EPOLLOUT. */
static int queue_out(int fd, conn *c, const char *data, size_t len) {
    if (c->out_len - c->out_off + len > c->out_cap) {
        size_t keep = c->out_len - c->out_off;
        size_t cap = (keep + len) * 2;
        char *o = malloc(cap);
        if (!o) return -1;
        if (keep) memcpy(o, c->out + c->out_off, keep);
        free(c->out);
        c->out = o;
        c->out_cap = cap;
        c->out_len = keep;
        c->out_off = 0;
    } else if (c->out_off) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

static int send_bytes(int fd, conn *c, const char *data, size_t len) {
    if (c->out_len > c->out_off) return queue_out(fd, c, data, len);  /* keep order */
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (w > 0) { off += (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return queue_out(fd, c, data + off, len - off);
        return -1;
    }
    return 0;
}

static int flush_out(int fd, conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t w = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w > 0) { c->out_off += (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        return -1;
    }
    c->out_off = c->out_len = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0) return -1;
    return c->close_after ? -1 : 0;
}

/* Case-insensitive search for a header line "name:" inside [head, end); returns the value start. */
static const char *find_header(const char *head, const char *end, const char *name) {
    size_t nl = strlen(name);
    for (const char *p = head; p < end; ) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) break;
        const char *line = eol + 1;
        if ((size_t)(end - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (v < end && (*v == ' ' || *v == '\t')) v++;
            return v;
        }
        p = line;
    }
    return NULL;
}

/* Answers every complete request in the buffer; returns -1 to close the connection. */
static int serve(int fd, conn *c) {
    size_t pos = 0;
    while (pos < c->in_len) {
        if (c->skip_body) {
            size_t take = c->in_len - pos < c->skip_body ? c->in_len - pos : c->skip_body;
            pos += take;
            c->skip_body -= take;
            continue;
        }
        char *start = c->in + pos;
        char *hdr_end = memmem(start, c->in_len - pos, "\r\n\r\n", 4);
        if (!hdr_end) break;
        size_t req_len = (size_t)(hdr_end + 4 - start);
        const char *cl = find_header(start, hdr_end + 2, "content-length");
        const char *conn_hdr = find_header(start, hdr_end + 2, "connection");
        if (conn_hdr && strncasecmp(conn_hdr, "close", 5) == 0) c->close_after = 1;
        const char *eol = memchr(start, '\r', (size_t)(hdr_end - start) + 1);
        if (!conn_hdr && eol && eol - start >= 8 && memcmp(eol - 8, "HTTP/1.0", 8) == 0)
            c->close_after = 1;  /* HTTP/1.0 without keep-alive */
        int is_book = strncmp(start, "GET /book?", 10) == 0 || strncmp(start, "GET /book ", 10) == 0;
        int rc = is_book ? send_bytes(fd, c, book_response, book_response_len)
                         : send_bytes(fd, c, missing_response, missing_response_len);
        if (rc != 0) return -1;
        pos += req_len;
        if (cl) c->skip_body = strtoul(cl, NULL, 10);
        if (c->close_after) {
            if (c->out_len > c->out_off) return 0;  /* closes once flushed */
            return -1;
        }
    }
    if (pos) {
        memmove(c->in, c->in + pos, c->in_len - pos);
        c->in_len -= pos;
    }
    if (c->in_len == IN_CAP) return -1;  /* a header block larger than the buffer */
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double max_runtime = argc > 1 ? atof(argv[1]) : 300.0;
    if (max_runtime <= 0) max_runtime = 300.0;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *body = make_book_body(&body_len);
    book_response = make_response("200 OK", body, body_len, &book_response_len);
    static const char missing[] = "{\"error\":\"not found\"}";
    missing_response = make_response("404 Not Found", missing, sizeof missing - 1, &missing_response_len);
    free(body);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
    if (listen(lfd, 1024) != 0) { perror("listen"); return 1; }
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);

    printf("port %d\n", ntohs(addr.sin_port));
    fprintf(stderr, "book_server: 127.0.0.1:%d, body %zu bytes, response %zu bytes, max runtime %.0f s\n",
            ntohs(addr.sin_port), body_len, book_response_len, max_runtime);
    fflush(stdout);

    double deadline = now_s() + max_runtime;
    unsigned long long served_conns = 0;
    struct epoll_event events[256];
    while (!stop_flag) {
        if (now_s() >= deadline) {
            fprintf(stderr, "book_server: max runtime reached, exiting\n");
            break;
        }
        int n = epoll_wait(epfd, events, 256, 250);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            break;
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                for (;;) {
                    int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0) break;
                    if (cfd >= MAX_FDS) { close(cfd); continue; }
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *c = calloc(1, sizeof *c);
                    if (!c) { close(cfd); continue; }
                    conns[cfd] = c;
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev);
                    served_conns++;
                }
                continue;
            }
            conn *c = conns[fd];
            if (!c) continue;
            if (events[i].events & EPOLLOUT) {
                if (flush_out(fd, c) != 0) { drop(fd); continue; }
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = recv(fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)) {
                    drop(fd);
                    continue;
                }
                if (r > 0) {
                    c->in_len += (size_t)r;
                    if (serve(fd, c) != 0) drop(fd);
                }
            }
        }
    }
    for (int fd = 0; fd < MAX_FDS; fd++)
        if (conns[fd]) drop(fd);
    close(lfd);
    close(epfd);
    fprintf(stderr, "book_server: stopped after %llu connections\n", served_conns);
    return 0;
}
