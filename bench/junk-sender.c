/* The junk side of bench/burst.mjs in C (bench/junk-child.mjs is the same in Node): the
 * same 200 connections, the same bytes, the same line protocol on stdin/stdout. Node
 * spends about 100 us of CPU per connection it opens, so its burst lasts about 20 ms and
 * keeps one of this machine's two cores busy all along; a port scanner, or a browser's
 * network process, opens them in a few milliseconds. This sender does: one thread,
 * non-blocking sockets, epoll.
 *
 *   burst PORT   opens the connections to 127.0.0.1:PORT in order and writes their bytes;
 *                prints {"mid":true,"ms":...} once half of them are connected, then
 *                {"ready":true,"ms":...,"connections":200} once every connection is
 *                connected and its bytes are written (or the server closed it first)
 *   close        closes them; prints {"closed":true,"kinds":{kind:{status or "closed, no
 *                answer" or "still open": count}}}
 *
 *   cc -O2 -o junk-sender bench/junk-sender.c && ./junk-sender */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { FAVICON, WRONG_PATH, MALFORMED, TLS, GARBAGE, BIG_HEADER, IDLE, KINDS };
static const char *KIND_NAMES[KINDS] = {"favicon", "wrong path", "malformed query", "TLS ClientHello", "garbage line", "64 KiB header", "idle half-sent"};
static const int COUNTS[KINDS] = {30, 30, 30, 30, 30, 10, 40};
#define TOTAL 200

struct conn {
  int fd, kind, connected, sent, ended, status; /* status: 0 none yet, -1 not HTTP */
  char *bytes;
  size_t len, off;
  char head[16];
  size_t head_len;
};
static struct conn conns[TOTAL];
static int ep;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void random_bytes(unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(rand() >> 7);
}

/* The bytes of connection kind `k` for a server at `host`; malloc'd, length in *len. */
static char *junk_bytes(int k, const char *host, size_t *len) {
  static char b[70 * 1024];
  int n = 0;
  switch (k) {
  case FAVICON: n = sprintf(b, "GET /favicon.ico HTTP/1.1\r\nHost: %s\r\nAccept: image/avif,image/webp,*/*\r\nSec-Fetch-Dest: image\r\n\r\n", host); break;
  case WRONG_PATH: n = sprintf(b, "GET /wp-login.php?redirect_to=%%2Fadmin HTTP/1.1\r\nHost: %s\r\nUser-Agent: scanner\r\n\r\n", host); break;
  case MALFORMED: n = sprintf(b, "GET /callback?code=\x01%%zz&state=%%%%%%E0%%A4%%A HTTP/1.1\r\nHost: %s\r\n\r\n", host); break;
  case TLS: { /* A TLS 1.2/1.3 ClientHello record as a browser sends it first (517 bytes). */
    static const unsigned char rec[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    memcpy(b, rec, sizeof rec);
    random_bytes((unsigned char *)b + sizeof rec, 517 - sizeof rec);
    n = 517;
    break;
  }
  case GARBAGE: random_bytes((unsigned char *)b, 48); memcpy(b + 48, "\r\n", 2); n = 50; break;
  case BIG_HEADER:
    n = sprintf(b, "GET /favicon.ico HTTP/1.1\r\nHost: %s\r\nX-Pad: ", host);
    memset(b + n, 'a', 64 * 1024);
    n += 64 * 1024;
    n += sprintf(b + n, "\r\n\r\n");
    break;
  case IDLE: n = sprintf(b, "GET /callback?code=idle&state=idle HTTP/1.1\r\nHost: %s\r\n", host); break;
  }
  *len = (size_t)n;
  char *out = malloc((size_t)n);
  memcpy(out, b, (size_t)n);
  return out;
}

/* Writes what is left of c's bytes; 1 once all are written or the connection is over. */
static int push(struct conn *c) {
  while (c->off < c->len) {
    ssize_t w = write(c->fd, c->bytes + c->off, c->len - c->off);
    if (w > 0) { c->off += (size_t)w; continue; }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return 0;
    c->ended = 1; /* reset or closed by the server */
    return 1;
  }
  return 1;
}

static void take_answer(struct conn *c) {
  char buf[4096];
  for (;;) {
    ssize_t r = read(c->fd, buf, sizeof buf);
    if (r > 0) {
      size_t room = sizeof c->head - 1 - c->head_len, n = (size_t)r < room ? (size_t)r : room;
      memcpy(c->head + c->head_len, buf, n);
      c->head_len += n;
      c->head[c->head_len] = 0;
      if (c->status == 0 && c->head_len >= 12) {
        int s;
        c->status = (strncmp(c->head, "HTTP/1.", 7) == 0 && sscanf(c->head + 9, "%3d", &s) == 1) ? s : -1;
      }
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return;
    c->ended = 1; /* end of stream, or reset */
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    return;
  }
}

static void burst(int port) {
  char host[32];
  snprintf(host, sizeof host, "127.0.0.1:%d", port);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  double t0 = now_ms();
  int connected = 0, done = 0, mid = 0, i = 0;
  for (int k = 0; k < KINDS; k++) {
    for (int j = 0; j < COUNTS[k]; j++, i++) {
      struct conn *c = &conns[i];
      memset(c, 0, sizeof *c);
      c->kind = k;
      c->bytes = junk_bytes(k, host, &c->len);
      c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (unsigned)i};
      epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
      if (connect(c->fd, (struct sockaddr *)&a, sizeof a) == 0) {
        c->connected = 1;
        connected++;
        if (push(c)) { c->sent = 1; done++; }
      } else if (errno != EINPROGRESS) {
        c->ended = c->connected = c->sent = 1;
        connected++;
        done++;
      }
      if (!mid && connected >= TOTAL / 2) {
        mid = 1;
        printf("{\"mid\":true,\"ms\":%.3f}\n", now_ms() - t0);
        fflush(stdout);
      }
    }
  }
  struct epoll_event evs[64];
  while (done < TOTAL) {
    int n = epoll_wait(ep, evs, 64, 1000);
    if (n <= 0) break; /* nothing for a second: report what is there */
    for (int e = 0; e < n; e++) {
      struct conn *c = &conns[evs[e].data.u32];
      if (evs[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) take_answer(c);
      if (!c->connected) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        c->connected = 1;
        connected++;
        if (err) c->ended = 1;
      }
      if (!c->sent && (c->ended || push(c))) { c->sent = 1; done++; }
      if (!mid && connected >= TOTAL / 2) {
        mid = 1;
        printf("{\"mid\":true,\"ms\":%.3f}\n", now_ms() - t0);
        fflush(stdout);
      }
      if (c->sent && !c->ended) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[e].data.u32};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
      }
    }
  }
  printf("{\"ready\":true,\"ms\":%.3f,\"connections\":%d}\n", now_ms() - t0, TOTAL);
  fflush(stdout);
}

static void close_all(void) {
  int counts[KINDS][3] = {{0}}; /* closed, no answer / still open / not HTTP */
  int statuses[KINDS][600] = {{0}};
  for (int i = 0; i < TOTAL; i++) {
    struct conn *c = &conns[i];
    if (!c->ended) take_answer(c);
    if (c->status > 0 && c->status < 600) statuses[c->kind][c->status]++;
    else if (c->status < 0) counts[c->kind][2]++;
    else counts[c->kind][c->ended ? 0 : 1]++;
    close(c->fd);
    free(c->bytes);
  }
  printf("{\"closed\":true,\"kinds\":{");
  for (int k = 0; k < KINDS; k++) {
    printf("%s\"%s\":{", k ? "," : "", KIND_NAMES[k]);
    int first = 1;
    for (int s = 0; s < 600; s++)
      if (statuses[k][s]) { printf("%s\"%d\":%d", first ? "" : ",", s, statuses[k][s]); first = 0; }
    static const char *OTHER[3] = {"closed, no answer", "still open", "not HTTP"};
    for (int o = 0; o < 3; o++)
      if (counts[k][o]) { printf("%s\"%s\":%d", first ? "" : ",", OTHER[o], counts[k][o]); first = 0; }
    printf("}");
  }
  printf("}}\n");
  fflush(stdout);
}

int main(void) {
  ep = epoll_create1(0);
  srand((unsigned)time(NULL));
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    int port;
    if (sscanf(line, "burst %d", &port) == 1) burst(port);
    else if (strncmp(line, "close", 5) == 0) close_all();
  }
  return 0;
}
