/* The floor of bench/burst.mjs: the least a loopback server can do under the junk burst.
 * One thread, epoll, nonblocking sockets; a connection whose first read holds a whole
 * request head gets a fixed answer at once (200 for GET /callback..., 404 for anything
 * else) and is closed; one whose first read is not a request line is closed; any other is
 * read and discarded until it closes. No parsing, no limits, no timers, no page: what is
 * left of the burst/quiet ratio here is what this machine imposes (the junk sender shares
 * its cores), not what a library adds.
 *
 *   cc -O2 -o floor-server bench/floor-server.c && ./floor-server PORT
 * prints "ready" once listening on 127.0.0.1:PORT; runs until killed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char OK[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
static const char NOT_FOUND[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
static unsigned char seen[1 << 16]; /* per descriptor: 1 once its first read was handled */

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int port = atoi(argv[1]);
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 511)) {
    perror("floor-server");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
  epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
  puts("ready");
  fflush(stdout);
  static char buf[1 << 16];
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == l) {
        for (int c; (c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0;) {
          if (c >= (int)sizeof seen) { close(c); continue; }
          seen[c] = 0;
          struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) { close(fd); continue; }
      if (seen[fd]) continue;
      seen[fd] = 1;
      if (r < 4 || memcmp(buf, "GET ", 4) != 0) { close(fd); continue; }
      if (!memmem(buf, (size_t)r, "\r\n\r\n", 4)) continue;
      int callback = r >= 13 && memcmp(buf, "GET /callback", 13) == 0;
      const char *answer = callback ? OK : NOT_FOUND;
      size_t len = callback ? sizeof OK - 1 : sizeof NOT_FOUND - 1;
      if (write(fd, answer, len) < 0) { /* the peer left: close below */ }
      close(fd);
    }
  }
}
