/*
 * pcap-count: the bench's floor. Reads a capture with libpcap's pcap_loop and only counts
 * packets and bytes, so it shows what "reading every record" costs with no decoding at all.
 *
 * Build: cc -O2 -o bench/.work/pcap-count bench/pcap-count.c -lpcap
 * Usage: pcap-count FILE   ->  "packets=N captured_bytes=N wire_bytes=N" on stdout
 *        pcap-count --version   ->  libpcap's version string
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct counts {
  uint64_t packets;
  uint64_t captured_bytes;
  uint64_t wire_bytes;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes) {
  struct counts *c = (struct counts *)user;
  (void)bytes;
  c->packets++;
  c->captured_bytes += header->caplen;
  c->wire_bytes += header->len;
}

int main(int argc, char **argv) {
  char errbuf[PCAP_ERRBUF_SIZE];
  struct counts c = {0, 0, 0};
  pcap_t *p;
  int rc;

  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("%s\n", pcap_lib_version());
    return 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: pcap-count FILE\n");
    return 1;
  }
  p = pcap_open_offline(argv[1], errbuf);
  if (p == NULL) {
    fprintf(stderr, "pcap-count: %s\n", errbuf);
    return 1;
  }
  rc = pcap_loop(p, -1, on_packet, (u_char *)&c);
  printf("packets=%llu captured_bytes=%llu wire_bytes=%llu\n", (unsigned long long)c.packets,
         (unsigned long long)c.captured_bytes, (unsigned long long)c.wire_bytes);
  if (rc == PCAP_ERROR) {
    fprintf(stderr, "pcap-count: %s\n", pcap_geterr(p));
    pcap_close(p);
    return 2;
  }
  pcap_close(p);
  return 0;
}
