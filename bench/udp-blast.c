/*
 * udp-blast: the capture bench's sender. Sends sequence-numbered UDP datagrams to
 * 127.0.0.1:PORT (the address is fixed here: the bench only ever talks to loopback) at a paced
 * rate for a bounded time, in sendmmsg batches, and keeps a sink socket bound to the port (never
 * read) so the kernel answers no ICMP port-unreachable.
 *
 * Build: cc -O2 -o bench/.work/udp-blast bench/udp-blast.c
 * Usage: udp-blast PORT RATE SECONDS PAYLOAD RUN
 *   payload bytes 0..3 = RUN (little-endian u32, tells this run's datagrams from strays),
 *   bytes 4..11 = sequence number (little-endian u64, 0, 1, 2, ...), the rest zeros.
 *   Prints "sent=N seconds=S errors=E" on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PAYLOAD 1400
#define MAX_RATE 5000000.0
#define MAX_SECONDS 30.0

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_le(unsigned char *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: udp-blast PORT RATE SECONDS PAYLOAD RUN\n");
    return 2;
  }
  long port = strtol(argv[1], NULL, 10);
  double rate = strtod(argv[2], NULL);
  double seconds = strtod(argv[3], NULL);
  long payload = strtol(argv[4], NULL, 10);
  uint32_t run = (uint32_t)strtoul(argv[5], NULL, 10);
  if (port < 1 || port > 65535 || !(rate > 0 && rate <= MAX_RATE) || !(seconds > 0 && seconds <= MAX_SECONDS) || payload < 12 || payload > MAX_PAYLOAD) {
    fprintf(stderr, "udp-blast: bad arguments (port 1..65535, rate <= %.0f/s, seconds <= %.0f, payload 12..%d)\n", MAX_RATE, MAX_SECONDS, MAX_PAYLOAD);
    return 2;
  }
  struct sockaddr_in dst;
  memset(&dst, 0, sizeof dst);
  dst.sin_family = AF_INET;
  dst.sin_port = htons((uint16_t)port);
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  int sink = socket(AF_INET, SOCK_DGRAM, 0);
  if (sink < 0 || bind(sink, (struct sockaddr *)&dst, sizeof dst) != 0) {
    fprintf(stderr, "udp-blast: cannot bind the sink to 127.0.0.1:%ld: %s\n", port, strerror(errno));
    return 1;
  }
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  if (tx < 0 || connect(tx, (struct sockaddr *)&dst, sizeof dst) != 0) {
    fprintf(stderr, "udp-blast: cannot open the sender: %s\n", strerror(errno));
    return 1;
  }

  static unsigned char bufs[BATCH][MAX_PAYLOAD];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(bufs, 0, sizeof bufs);
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    put_le(bufs[i], run, 4);
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = (size_t)payload;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  const uint64_t total = (uint64_t)(rate * seconds);
  uint64_t seq = 0;
  uint64_t errors = 0;
  double t0 = now();
  double deadline = t0 + seconds + 1.0; /* give up if the machine cannot keep up */
  while (seq < total) {
    double t = now();
    if (t > deadline) break;
    uint64_t due = (uint64_t)((t - t0) * rate);
    if (due > total) due = total;
    if (due <= seq) {
      struct timespec nap = { 0, 50000 }; /* 50 µs */
      nanosleep(&nap, NULL);
      continue;
    }
    uint64_t want = due - seq;
    int n = want > BATCH ? BATCH : (int)want;
    for (int i = 0; i < n; i++) put_le(bufs[i] + 4, seq + (uint64_t)i, 8);
    int sent = sendmmsg(tx, msgs, (unsigned)n, 0);
    if (sent < 0) {
      if (errno == EINTR) continue;
      errors++;
      if (errno == ENOBUFS || errno == EAGAIN) continue; /* retry the same sequence numbers */
      fprintf(stderr, "udp-blast: sendmmsg: %s\n", strerror(errno));
      break;
    }
    seq += (uint64_t)sent;
  }
  double elapsed = now() - t0;
  printf("sent=%llu seconds=%.3f errors=%llu\n", (unsigned long long)seq, elapsed, (unsigned long long)errors);
  close(tx);
  close(sink);
  return 0;
}
