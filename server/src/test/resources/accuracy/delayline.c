/*
 * A fixed-delay line for the speed-test accuracy rig, for kernels built without sch_netem.
 *
 * nftables hands every packet arriving on one interface to an NFQUEUE; this program holds each
 * one for the given delay and then accepts it, in arrival order. With the loss done by nftables
 * (numgen random) before the queue and the rate by tbf on the sender's egress, a link is:
 * rate (tbf) -> loss -> propagation delay (here), which is what netem delay+loss under a tbf
 * would give. The hold happens on the receiver's ingress, after the veth has orphaned the skb,
 * so the sender's TCP small-queues accounting does not see the delay (it would with the queue on
 * the sender's own egress, and throttle the flow to ~1 ms of data in flight).
 *
 * Usage: delayline QUEUE_NUM DELAY_MS  (run inside the namespace whose nftables rule queues;
 * prints "ready" once bound; exits on SIGTERM). Needs libnetfilter-queue (Debian:
 * libnetfilter-queue-dev).
 */
#define _GNU_SOURCE /* ppoll */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h> /* NF_ACCEPT, NF_DROP */

#define CAPACITY (1 << 17)

static uint32_t ids[CAPACITY];
static int64_t due[CAPACITY];
static unsigned head, tail; /* held packets are [head, tail) modulo CAPACITY */
static int64_t delay_ns;
static volatile sig_atomic_t stop;
static unsigned long long held_total, overflow_total;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data) {
  (void) msg;
  (void) data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (ph == NULL) {
    return 0;
  }
  uint32_t id = ntohl(ph->packet_id);
  if (tail - head >= CAPACITY) {
    /* Full: a router whose buffer is full drops. Counted and reported on exit. */
    overflow_total++;
    return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
  }
  ids[tail % CAPACITY] = id;
  due[tail % CAPACITY] = now_ns() + delay_ns;
  tail++;
  held_total++;
  return 0;
}

static void on_term(int sig) {
  (void) sig;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s QUEUE_NUM DELAY_MS\n", argv[0]);
    return 2;
  }
  int queue = atoi(argv[1]);
  delay_ns = (int64_t) (atof(argv[2]) * 1e6);
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);

  struct nfq_handle *h = nfq_open();
  if (h == NULL) {
    perror("nfq_open");
    return 1;
  }
  struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t) queue, &on_packet, NULL);
  if (qh == NULL) {
    perror("nfq_create_queue");
    return 1;
  }
  /* Only the packet id is needed, never the payload. */
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
    perror("nfq_set_mode");
    return 1;
  }
  nfq_set_queue_maxlen(qh, CAPACITY);
  int fd = nfq_fd(h);
  int rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  printf("ready\n");
  fflush(stdout);

  char buf[65536] __attribute__((aligned));
  while (!stop) {
    int64_t now = now_ns();
    while (head != tail && due[head % CAPACITY] <= now) {
      nfq_set_verdict(qh, ids[head % CAPACITY], NF_ACCEPT, 0, NULL);
      head++;
    }
    struct timespec wait = {1, 0};
    if (head != tail) {
      int64_t left = due[head % CAPACITY] - now;
      wait.tv_sec = left / 1000000000LL;
      wait.tv_nsec = left % 1000000000LL;
    }
    struct pollfd p = {fd, POLLIN, 0};
    int r = ppoll(&p, 1, &wait, NULL);
    if (r < 0 && errno != EINTR) {
      perror("ppoll");
      break;
    }
    if (r > 0) {
      /* Drain what is waiting without blocking, so a burst is timestamped on arrival. */
      for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) {
          break;
        }
        nfq_handle_packet(h, buf, (int) n);
      }
    }
  }
  /* Release what is still held rather than leave it to the kernel's queue teardown. */
  while (head != tail) {
    nfq_set_verdict(qh, ids[head % CAPACITY], NF_ACCEPT, 0, NULL);
    head++;
  }
  fprintf(stderr, "delayline: held %llu packets, dropped %llu on overflow\n", held_total,
          overflow_total);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
