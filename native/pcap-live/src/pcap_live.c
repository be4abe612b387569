/*
 * @flowbench/pcap-live: a small libpcap binding for Node (N-API, node_api.h only), written from
 * the libpcap man pages (pcap_create(3PCAP), pcap_activate, pcap_dispatch, pcap_stats, ...).
 *
 * Exports
 *   open({ device, snaplen, bufferBytes, promisc, timeoutMs, immediate, filter }) -> handle
 *   info(handle)          -> { dlt, dltName, snaplen, nanoTimestamps }
 *   read(handle, buffer)  -> Promise<number>: packets copied into `buffer` as packed records
 *   stats(handle)         -> { received, dropped, ifDropped }   (pcap_stats)
 *   close(handle)         -> undefined, idempotent
 *   compileFilter(dlt, snaplen, filter) -> undefined, or throws (pcap_open_dead + pcap_compile)
 *   findAllDevs()         -> [{ name, description, flags, addresses: [...] }]
 * Errors are thrown JS Errors whose `code` says what failed (ERR_PCAP_FILTER,
 * ERR_PCAP_NO_SUCH_DEVICE, ERR_PCAP_PERM, ERR_PCAP_IFACE_NOT_UP, ERR_PCAP_CLOSED,
 * ERR_PCAP_BUSY, ERR_PCAP) and whose message is libpcap's own text (pcap_geterr).
 *
 * Record layout written by read(), host byte order, every record 4-byte aligned:
 *   u32 ts_sec | u32 ts_nsec | u32 caplen | u32 len | caplen bytes | 0..3 zero pad bytes
 * ts_nsec is nanoseconds (microsecond timestamps are scaled by 1000 where the device cannot
 * give nanoseconds).
 *
 * Threading (why read() is async work plus a non-blocking handle):
 *   The handle is put in non-blocking mode after activation. read() queues napi async work;
 *   on a libuv pool thread it drains every packet libpcap has ready (pcap_dispatch with a
 *   packet count that is guaranteed to fit the buffer), and only when nothing was ready does
 *   it wait, with poll() on pcap_get_selectable_fd(), for at most timeoutMs, then drains once
 *   more. So a read never blocks the JS thread and never takes longer than ~timeoutMs, no
 *   libuv handle (uv.h) is needed, and pcap_breakloop is not needed either.
 *   The pcap_t is touched by one thread at a time: while a read is in flight only the pool
 *   thread uses it; close() on the JS thread then only sets a flag, and the read's completion
 *   (back on the JS thread) does the pcap_close. One read per handle at a time (ERR_PCAP_BUSY).
 *   The Buffer is held by a napi reference from read() until its completion, so it cannot be
 *   collected while native code writes into it (unlike a raw pointer kept across calls). The
 *   caller must not detach (transfer) its ArrayBuffer while a read is pending.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define RECORD_HEADER 16u
#define ALIGN4(n) (((n) + 3u) & ~3u)

typedef struct {
  pcap_t *p;
  int fd;
  unsigned snaplen;
  int timeout_ms;
  int nano;
  int busy;          /* a read is in flight (JS thread only) */
  int close_pending; /* close() was called during a read (JS thread only) */
  int closing;       /* set on the JS thread, read by the pool thread (atomics): return early */
} handle_t;

typedef struct {
  handle_t *h;
  napi_async_work work;
  napi_deferred deferred;
  napi_ref buffer_ref;
  napi_ref handle_ref;
  uint8_t *data;
  size_t cap;
  size_t used;
  uint32_t count;
  uint32_t overflowed;
  int failed;
  char err[PCAP_ERRBUF_SIZE + 64];
} read_req_t;

/* ---------- small N-API helpers ---------- */

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      throw_last(env, #call);                                              \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static void throw_last(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char msg[256];
  snprintf(msg, sizeof msg, "pcap-live: %s failed: %s", what,
           info != NULL && info->error_message != NULL ? info->error_message : "unknown N-API error");
  napi_throw_error(env, "ERR_PCAP_NAPI", msg);
}

static napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_value make_error(napi_env env, const char *code, const char *msg) {
  napi_value c, m, e;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &e);
  return e;
}

static int get_prop(napi_env env, napi_value obj, const char *name, napi_value *out) {
  bool has = false;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, obj, name, out) != napi_ok) return 0;
  napi_valuetype t;
  napi_typeof(env, *out, &t);
  return t != napi_undefined && t != napi_null;
}

/* Reads a string property into a malloc'd buffer; NULL (and a thrown TypeError) on failure. */
static char *get_string(napi_env env, napi_value obj, const char *name, int required) {
  napi_value v;
  if (!get_prop(env, obj, name, &v)) {
    if (required) {
      char msg[128];
      snprintf(msg, sizeof msg, "pcap-live: option \"%s\" is required", name);
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
      return NULL;
    }
    char *empty = calloc(1, 1);
    return empty;
  }
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "pcap-live: option \"%s\" must be a string", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (s == NULL) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) { /* embedded NUL: libpcap would see a different string */
    free(s);
    char msg[128];
    snprintf(msg, sizeof msg, "pcap-live: option \"%s\" must not contain NUL", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", msg);
    return NULL;
  }
  return s;
}

static int get_int(napi_env env, napi_value obj, const char *name, int64_t dflt, int64_t lo, int64_t hi, int64_t *out) {
  napi_value v;
  if (!get_prop(env, obj, name, &v)) {
    *out = dflt;
    return 1;
  }
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d != d || d < (double)lo || d > (double)hi || (double)(int64_t)d != d) {
    char msg[160];
    snprintf(msg, sizeof msg, "pcap-live: option \"%s\" must be an integer from %lld to %lld", name, (long long)lo, (long long)hi);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return 0;
  }
  *out = (int64_t)d;
  return 1;
}

static int get_bool(napi_env env, napi_value obj, const char *name, int dflt) {
  napi_value v;
  if (!get_prop(env, obj, name, &v)) return dflt;
  bool b = false;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return dflt;
  return b ? 1 : 0;
}

/* ---------- handle lifetime ---------- */

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  handle_t *h = data;
  if (h->busy) {
    /* Only at environment teardown (a pending read holds a reference otherwise): the pool
     * thread may still be inside libpcap, so leave the handle to the exiting process. */
    __atomic_store_n(&h->closing, 1, __ATOMIC_RELEASE);
    return;
  }
  if (h->p != NULL) pcap_close(h->p);
  free(h);
}

static handle_t *get_handle(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "pcap-live: expected a capture handle");
    return NULL;
  }
  void *data = NULL;
  napi_get_value_external(env, v, &data);
  return data;
}

static const char *activate_code(int rc) {
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: return "ERR_PCAP_NO_SUCH_DEVICE";
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "ERR_PCAP_PERM";
    case PCAP_ERROR_IFACE_NOT_UP: return "ERR_PCAP_IFACE_NOT_UP";
    default: return "ERR_PCAP";
  }
}

/* open(options) */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t != napi_object) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: open() takes an options object");

  int64_t snaplen, buffer_bytes, timeout_ms;
  if (!get_int(env, argv[0], "snaplen", 65535, 1, 262144, &snaplen)) return NULL;
  if (!get_int(env, argv[0], "bufferBytes", 32 << 20, 65536, 1 << 30, &buffer_bytes)) return NULL;
  if (!get_int(env, argv[0], "timeoutMs", 50, 1, 10000, &timeout_ms)) return NULL;
  int promisc = get_bool(env, argv[0], "promisc", 0);
  int immediate = get_bool(env, argv[0], "immediate", 0);
  char *device = get_string(env, argv[0], "device", 1);
  if (device == NULL) return NULL;
  char *filter = get_string(env, argv[0], "filter", 0);
  if (filter == NULL) {
    free(device);
    return NULL;
  }

  char errbuf[PCAP_ERRBUF_SIZE];
  char msg[PCAP_ERRBUF_SIZE + 128];
  errbuf[0] = '\0';
  const char *code = NULL;
  pcap_t *p = pcap_create(device, errbuf);
  if (p == NULL) {
    code = "ERR_PCAP";
    snprintf(msg, sizeof msg, "%s", errbuf[0] != '\0' ? errbuf : "pcap_create failed");
    goto fail;
  }
  pcap_set_snaplen(p, (int)snaplen);
  pcap_set_promisc(p, promisc);
  pcap_set_timeout(p, (int)timeout_ms);
  pcap_set_buffer_size(p, (int)buffer_bytes);
  pcap_set_immediate_mode(p, immediate);
  /* Not every device offers nanoseconds; the micro default is kept where it is refused. */
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  int rc = pcap_activate(p);
  if (rc < 0) {
    const char *detail = pcap_geterr(p);
    code = activate_code(rc);
    if (rc == PCAP_ERROR && detail != NULL && detail[0] != '\0') snprintf(msg, sizeof msg, "%s", detail);
    else if (detail != NULL && detail[0] != '\0') snprintf(msg, sizeof msg, "%s: %s (%s)", device, pcap_statustostr(rc), detail);
    else snprintf(msg, sizeof msg, "%s: %s", device, pcap_statustostr(rc));
    goto fail;
  }
  if (filter[0] != '\0') {
    struct bpf_program prog;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      code = "ERR_PCAP_FILTER";
      snprintf(msg, sizeof msg, "%s", pcap_geterr(p));
      goto fail;
    }
    int frc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (frc != 0) {
      code = "ERR_PCAP_FILTER";
      snprintf(msg, sizeof msg, "%s", pcap_geterr(p));
      goto fail;
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    code = "ERR_PCAP";
    snprintf(msg, sizeof msg, "%s: pcap_setnonblock: %s", device, errbuf);
    goto fail;
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    code = "ERR_PCAP";
    snprintf(msg, sizeof msg, "%s: the capture has no selectable descriptor", device);
    goto fail;
  }

  handle_t *h = calloc(1, sizeof *h);
  if (h == NULL) {
    code = "ERR_PCAP";
    snprintf(msg, sizeof msg, "out of memory");
    goto fail;
  }
  h->p = p;
  h->fd = fd;
  h->snaplen = (unsigned)pcap_snapshot(p);
  h->timeout_ms = (int)timeout_ms;
  h->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  free(device);
  free(filter);
  napi_value ext;
  if (napi_create_external(env, h, handle_finalize, NULL, &ext) != napi_ok) {
    pcap_close(h->p);
    free(h);
    throw_last(env, "napi_create_external");
    return NULL;
  }
  return ext;

fail:
  if (p != NULL) pcap_close(p);
  free(device);
  free(filter);
  return throw_code(env, code, msg);
}

/* info(handle) */
static napi_value js_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: info(handle)");
  handle_t *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (h->p == NULL || h->close_pending) return throw_code(env, "ERR_PCAP_CLOSED", "pcap-live: the capture is closed");
  int dlt = pcap_datalink(h->p);
  const char *name = pcap_datalink_val_to_name(dlt);
  napi_value o, v;
  CHECK(env, napi_create_object(env, &o));
  napi_create_int32(env, dlt, &v);
  napi_set_named_property(env, o, "dlt", v);
  if (name != NULL) napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, o, "dltName", v);
  napi_create_uint32(env, h->snaplen, &v);
  napi_set_named_property(env, o, "snaplen", v);
  napi_get_boolean(env, h->nano != 0, &v);
  napi_set_named_property(env, o, "nanoTimestamps", v);
  return o;
}

/* ---------- read ---------- */

static void on_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes) {
  read_req_t *r = (read_req_t *)user;
  uint32_t caplen = hdr->caplen;
  if (caplen > r->h->snaplen) caplen = r->h->snaplen; /* libpcap never exceeds it; the room math relies on it */
  size_t need = RECORD_HEADER + ALIGN4(caplen);
  if (r->used + need > r->cap) { /* unreachable: pcap_dispatch's count was sized to fit (drain) */
    r->overflowed++;
    return;
  }
  uint8_t *o = r->data + r->used;
  uint32_t head[4];
  head[0] = (uint32_t)hdr->ts.tv_sec;
  head[1] = r->h->nano ? (uint32_t)hdr->ts.tv_usec : (uint32_t)hdr->ts.tv_usec * 1000u;
  head[2] = caplen;
  head[3] = hdr->len;
  memcpy(o, head, sizeof head);
  memcpy(o + RECORD_HEADER, bytes, caplen);
  for (size_t i = RECORD_HEADER + caplen; i < need; i++) o[i] = 0;
  r->used += need;
  r->count++;
}

static int is_closing(const handle_t *h) {
  return __atomic_load_n(&h->closing, __ATOMIC_ACQUIRE);
}

/* Copies every ready packet that surely fits; <0 on a libpcap error. Pool thread.
 * The count given to pcap_dispatch is half of what fits: some libpcap versions cap the packets
 * taken from each TPACKET_V3 block at the count instead of at what is left of it, so one call
 * can deliver up to 2 x count - 1 packets. Half keeps every packet inside the buffer. */
static int drain(read_req_t *r) {
  const size_t max_record = RECORD_HEADER + ALIGN4(r->h->snaplen);
  for (;;) {
    if (is_closing(r->h)) return 0;
    size_t room = (r->cap - r->used) / max_record;
    if (room < 2) return 0;
    size_t cnt = room / 2;
    if (cnt > 1u << 20) cnt = 1u << 20;
    int n = pcap_dispatch(r->h->p, (int)cnt, on_packet, (u_char *)r);
    if (n < 0) return n;
    /* Fewer than asked: libpcap had no more ready (non-blocking mode). */
    if ((size_t)n < cnt) return 0;
  }
}

static void read_execute(napi_env env, void *data) {
  (void)env;
  read_req_t *r = data;
  handle_t *h = r->h;
  int rc = drain(r);
  if (rc >= 0 && r->count == 0 && !is_closing(h)) {
    struct pollfd pfd = { .fd = h->fd, .events = POLLIN, .revents = 0 };
    /* The wait is bounded by the pcap timeout: a TPACKET_V3 block is handed over when it is
     * full or when that timeout retires it, and poll() wakes for either. */
    int pr = poll(&pfd, 1, h->timeout_ms);
    if (pr > 0) rc = drain(r);
  }
  if (rc >= 0 && r->overflowed > 0) {
    /* Never silent: a packet that could not be stored is an error, not a quiet loss. */
    r->failed = 1;
    snprintf(r->err, sizeof r->err, "pcap-live: %u packets did not fit the read buffer", r->overflowed);
  } else if (rc < 0) {
    r->failed = 1;
    snprintf(r->err, sizeof r->err, "%s", rc == PCAP_ERROR_BREAK ? "capture interrupted" : pcap_geterr(h->p));
  }
}

static void read_complete(napi_env env, napi_status status, void *data) {
  read_req_t *r = data;
  handle_t *h = r->h;
  h->busy = 0;
  if (h->close_pending && h->p != NULL) {
    pcap_close(h->p);
    h->p = NULL;
  }
  if (status == napi_cancelled) {
    napi_reject_deferred(env, r->deferred, make_error(env, "ERR_PCAP_CLOSED", "pcap-live: the read was cancelled"));
  } else if (r->failed) {
    napi_reject_deferred(env, r->deferred, make_error(env, "ERR_PCAP", r->err));
  } else {
    napi_value n;
    napi_create_uint32(env, r->count, &n);
    napi_resolve_deferred(env, r->deferred, n);
  }
  /* Only now may the Buffer and the handle be collected. */
  napi_delete_reference(env, r->buffer_ref);
  napi_delete_reference(env, r->handle_ref);
  napi_delete_async_work(env, r->work);
  free(r);
}

/* read(handle, buffer) -> Promise<number> */
static napi_value js_read(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: read(handle, buffer)");
  handle_t *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (h->p == NULL || h->close_pending) return throw_code(env, "ERR_PCAP_CLOSED", "pcap-live: the capture is closed");
  if (h->busy) return throw_code(env, "ERR_PCAP_BUSY", "pcap-live: a read is already pending on this capture");
  bool is_typed = false;
  napi_is_typedarray(env, argv[1], &is_typed);
  if (!is_typed) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: read() needs a Buffer or Uint8Array");
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *bytes = NULL;
  CHECK(env, napi_get_typedarray_info(env, argv[1], &type, &length, &bytes, NULL, &offset));
  if (type != napi_uint8_array) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: read() needs a Buffer or Uint8Array");
  if (((uintptr_t)bytes & 3u) != 0) return throw_code(env, "ERR_INVALID_ARG_VALUE", "pcap-live: the read buffer must start 4-byte aligned");
  if (length < 2 * (RECORD_HEADER + ALIGN4(h->snaplen))) {
    char msg[160];
    snprintf(msg, sizeof msg, "pcap-live: the read buffer must hold at least two full records (%u bytes)", 2 * (RECORD_HEADER + ALIGN4(h->snaplen)));
    return throw_code(env, "ERR_OUT_OF_RANGE", msg);
  }

  read_req_t *r = calloc(1, sizeof *r);
  if (r == NULL) return throw_code(env, "ERR_PCAP", "pcap-live: out of memory");
  r->h = h;
  r->data = bytes;
  r->cap = length;
  napi_value promise, name;
  if (napi_create_promise(env, &r->deferred, &promise) != napi_ok) {
    free(r);
    throw_last(env, "napi_create_promise");
    return NULL;
  }
  napi_create_reference(env, argv[1], 1, &r->buffer_ref);
  napi_create_reference(env, argv[0], 1, &r->handle_ref);
  napi_create_string_utf8(env, "pcap-live:read", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, read_execute, read_complete, r, &r->work) != napi_ok ||
      napi_queue_async_work(env, r->work) != napi_ok) {
    /* The promise is returned rejected rather than left pending forever. */
    napi_reject_deferred(env, r->deferred, make_error(env, "ERR_PCAP", "pcap-live: cannot queue the read"));
    napi_delete_reference(env, r->buffer_ref);
    napi_delete_reference(env, r->handle_ref);
    if (r->work != NULL) napi_delete_async_work(env, r->work);
    free(r);
    return promise;
  }
  h->busy = 1;
  return promise;
}

/* stats(handle) */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: stats(handle)");
  handle_t *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (h->p == NULL || h->close_pending) return throw_code(env, "ERR_PCAP_CLOSED", "pcap-live: the capture is closed");
  /* pcap_stats reads kernel counters with getsockopt; safe beside a pool-thread read of the ring
   * on Linux, but keep to the rule: no libpcap call while a read is in flight. */
  if (h->busy) return throw_code(env, "ERR_PCAP_BUSY", "pcap-live: stats() while a read is pending");
  struct pcap_stat st;
  memset(&st, 0, sizeof st);
  if (pcap_stats(h->p, &st) != 0) return throw_code(env, "ERR_PCAP", pcap_geterr(h->p));
  napi_value o, v;
  CHECK(env, napi_create_object(env, &o));
  napi_create_double(env, (double)st.ps_recv, &v);
  napi_set_named_property(env, o, "received", v);
  napi_create_double(env, (double)st.ps_drop, &v);
  napi_set_named_property(env, o, "dropped", v);
  napi_create_double(env, (double)st.ps_ifdrop, &v);
  napi_set_named_property(env, o, "ifDropped", v);
  return o;
}

/* close(handle): idempotent; during a read the close happens when the read completes. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: close(handle)");
  handle_t *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (h->busy) {
    h->close_pending = 1;
    __atomic_store_n(&h->closing, 1, __ATOMIC_RELEASE);
  } else if (h->p != NULL) {
    pcap_close(h->p);
    h->p = NULL;
  }
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* compileFilter(dlt, snaplen, filter): checks a filter for a link type without any device. */
static napi_value js_compile_filter(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: compileFilter(dlt, snaplen, filter)");
  int32_t dlt = 0, snaplen = 0;
  if (napi_get_value_int32(env, argv[0], &dlt) != napi_ok || napi_get_value_int32(env, argv[1], &snaplen) != napi_ok || snaplen <= 0) {
    return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: compileFilter needs an integer link type and a positive snaplen");
  }
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[2], NULL, 0, &len) != napi_ok) {
    return throw_code(env, "ERR_INVALID_ARG_TYPE", "pcap-live: the filter must be a string");
  }
  char *filter = malloc(len + 1);
  if (filter == NULL) return throw_code(env, "ERR_PCAP", "pcap-live: out of memory");
  napi_get_value_string_utf8(env, argv[2], filter, len + 1, &len);
  if (strlen(filter) != len) {
    free(filter);
    return throw_code(env, "ERR_PCAP_FILTER", "the filter contains a NUL character");
  }
  pcap_t *p = pcap_open_dead(dlt, snaplen);
  if (p == NULL) {
    free(filter);
    return throw_code(env, "ERR_PCAP", "pcap-live: pcap_open_dead failed");
  }
  struct bpf_program prog;
  char msg[PCAP_ERRBUF_SIZE + 16];
  int failed = pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0;
  if (failed) snprintf(msg, sizeof msg, "%s", pcap_geterr(p));
  else pcap_freecode(&prog);
  pcap_close(p);
  free(filter);
  if (failed) return throw_code(env, "ERR_PCAP_FILTER", msg);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* ---------- findAllDevs ---------- */

static void set_addr(napi_env env, napi_value o, const char *key, const struct sockaddr *sa) {
  char text[INET6_ADDRSTRLEN];
  napi_value v;
  const char *s = NULL;
  if (sa != NULL && sa->sa_family == AF_INET) {
    s = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
  } else if (sa != NULL && sa->sa_family == AF_INET6) {
    s = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof text);
  }
  if (s != NULL) napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, o, key, v);
}

static napi_value js_find_all_devs(napi_env env, napi_callback_info info) {
  (void)info;
  pcap_if_t *all = NULL;
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  if (pcap_findalldevs(&all, errbuf) != 0) return throw_code(env, "ERR_PCAP", errbuf);
  napi_value list, v;
  if (napi_create_array(env, &list) != napi_ok) {
    pcap_freealldevs(all);
    throw_last(env, "napi_create_array");
    return NULL;
  }
  uint32_t i = 0;
  for (pcap_if_t *d = all; d != NULL; d = d->next) {
    napi_value o, addrs;
    napi_create_object(env, &o);
    napi_create_string_utf8(env, d->name, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "name", v);
    if (d->description != NULL) napi_create_string_utf8(env, d->description, NAPI_AUTO_LENGTH, &v);
    else napi_get_null(env, &v);
    napi_set_named_property(env, o, "description", v);
    napi_create_uint32(env, d->flags, &v);
    napi_set_named_property(env, o, "flags", v);
    napi_create_array(env, &addrs);
    uint32_t k = 0;
    for (pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
      if (a->addr == NULL || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) continue;
      napi_value ao;
      napi_create_object(env, &ao);
      napi_create_string_utf8(env, a->addr->sa_family == AF_INET ? "IPv4" : "IPv6", NAPI_AUTO_LENGTH, &v);
      napi_set_named_property(env, ao, "family", v);
      set_addr(env, ao, "addr", a->addr);
      set_addr(env, ao, "netmask", a->netmask);
      set_addr(env, ao, "broadaddr", a->broadaddr);
      set_addr(env, ao, "dstaddr", a->dstaddr);
      napi_set_element(env, addrs, k++, ao);
    }
    napi_set_named_property(env, o, "addresses", addrs);
    napi_set_element(env, list, i++, o);
  }
  pcap_freealldevs(all);
  return list;
}

/* ---------- module ---------- */

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

static void export_u32(napi_env env, napi_value obj, const char *name, uint32_t value) {
  napi_value v;
  napi_create_uint32(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

NAPI_MODULE_INIT() {
  export_fn(env, exports, "open", js_open);
  export_fn(env, exports, "info", js_info);
  export_fn(env, exports, "read", js_read);
  export_fn(env, exports, "stats", js_stats);
  export_fn(env, exports, "close", js_close);
  export_fn(env, exports, "compileFilter", js_compile_filter);
  export_fn(env, exports, "findAllDevs", js_find_all_devs);
  napi_value c, v;
  napi_create_object(env, &c);
  export_u32(env, c, "IF_LOOPBACK", PCAP_IF_LOOPBACK);
  export_u32(env, c, "IF_UP", PCAP_IF_UP);
  export_u32(env, c, "IF_RUNNING", PCAP_IF_RUNNING);
  export_u32(env, c, "RECORD_HEADER_BYTES", RECORD_HEADER);
  napi_set_named_property(env, exports, "constants", c);
  napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, exports, "libpcapVersion", v);
  return exports;
}
