/**
 * One TCP connection seen from a capture point between client and server (RFC 9293): the
 * three-way handshake, request/response exchanges sent with an ACK-clocked window (slow start
 * from 10 segments up to `maxWindow`), an ACK for every second segment and for the last one,
 * and a FIN close. Times are capture-point times: the capture point sees a client→server→client
 * round trip take `serverRtt` µs and a server→client→server one `clientRtt` µs, so the
 * configured path RTT is their sum and Wireshark's handshake RTT (SYN → ACK of the SYN/ACK)
 * equals it exactly. Sequence and acknowledgement numbers are always consistent, so both
 * tcp.analysis.ack_rtt and bytes in flight are measurable.
 */
import { ScheduledActor, type SimContext } from './actor.js';
import { TcpFlag, type Endpoint, type PayloadFill } from './frame-writer.js';
import { fillTlsRecords } from './payloads.js';

/** One request/response exchange. */
export interface Exchange {
  /** Client bytes (ignored for the first exchange when `firstRequest` is given). */
  readonly request: number;
  readonly response: number;
  /** Client think time before sending the request, µs. */
  readonly thinkUs: number;
  /** Server processing time before the response, µs. */
  readonly serverDelayUs: number;
}

/** What a connection does. */
export interface TcpSessionParams {
  readonly startUs: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly clientPort: number;
  readonly serverPort: number;
  /** Path RTT, µs (the handshake RTT a capture shows). */
  readonly rttUs: number;
  /** Share of the RTT between the client and the capture point (0–1). */
  readonly clientShare: number;
  readonly exchanges: readonly Exchange[];
  /** Exact bytes of the first request (a TLS ClientHello); later transfers are TLS records. */
  readonly firstRequest?: Uint8Array;
  /** Payload bytes are TLS application-data records (else zeros). */
  readonly tls: boolean;
  /** µs between back-to-back server segments (bottleneck serialization). */
  readonly serverGapUs: number;
  /** Largest congestion window, segments. */
  readonly maxWindow: number;
  readonly clientIsn: number;
  readonly serverIsn: number;
}

const MSS = 1448;
const INITIAL_WINDOW = 10;
const CLIENT_GAP_US = 20;

/** One direction's sender and receiver state. */
interface Side {
  readonly ep: Endpoint;
  readonly port: number;
  /** Next sequence number to send. */
  nxt: number;
  /** Next byte expected from the other side (the ACK we send). */
  rcv: number;
  /** Capture → this host → capture, µs. */
  readonly rtt: number;
  readonly gap: number;
  /** Earliest capture time of our next data segment (serialization). */
  freeAt: number;
  // Transfer in progress (as sender).
  total: number;
  /** Stream offset of the next byte not yet scheduled. */
  queued: number;
  /** Stream offset acknowledged by the other side. */
  acked: number;
  cwnd: number;
  startSeq: number;
  /** Segments received since our last ACK (as receiver). */
  unacked: number;
}

/** A TCP connection as an actor; see the file comment. */
export class TcpSession extends ScheduledActor {
  private readonly c: Side;
  private readonly s: Side;
  private exchange = 0;

  constructor(private readonly p: TcpSessionParams) {
    super();
    const clientRtt = Math.max(0, Math.round(p.rttUs * p.clientShare));
    const serverRtt = Math.max(1, p.rttUs - clientRtt);
    const side = (ep: Endpoint, port: number, isn: number, rtt: number, gap: number): Side => ({
      ep, port, nxt: isn, rcv: 0, rtt, gap, freeAt: 0, total: 0, queued: 0, acked: 0, cwnd: INITIAL_WINDOW, startSeq: 0, unacked: 0,
    });
    this.c = side(p.client, p.clientPort, p.clientIsn >>> 0, clientRtt, CLIENT_GAP_US);
    this.s = side(p.server, p.serverPort, p.serverIsn >>> 0, serverRtt, Math.max(1, p.serverGapUs));
    this.at(p.startUs, (ctx) => this.syn(ctx));
  }

  private syn(ctx: SimContext): void {
    const { c, s } = this;
    this.send(ctx, c, s, this.p.startUs, TcpFlag.SYN, 0);
    c.nxt = (c.nxt + 1) >>> 0;
    this.at(this.p.startUs + s.rtt, (cx) => {
      s.rcv = c.nxt;
      this.send(cx, s, c, this.p.startUs + s.rtt, TcpFlag.SYN | TcpFlag.ACK, 0);
      s.nxt = (s.nxt + 1) >>> 0;
      const tAck = this.p.startUs + s.rtt + c.rtt;
      this.at(tAck, (cx2) => {
        c.rcv = s.nxt;
        this.send(cx2, c, s, tAck, TcpFlag.ACK, 0);
        this.nextRequest(tAck);
      });
    });
  }

  /** The client's next request (or the close) after time t. */
  private nextRequest(t: number): void {
    const ex = this.p.exchanges[this.exchange];
    if (ex === undefined) {
      this.close(t + 100);
      return;
    }
    const first = this.exchange === 0 && this.p.firstRequest !== undefined;
    const len = first ? this.p.firstRequest!.length : Math.max(1, ex.request);
    this.startTransfer(this.c, t + Math.max(10, ex.thinkUs), len);
  }

  /** Begins sending `len` bytes from `from` at time t with the initial window. */
  private startTransfer(from: Side, t: number, len: number): void {
    from.total = len;
    from.queued = 0;
    from.acked = 0;
    from.cwnd = INITIAL_WINDOW;
    from.startSeq = from.nxt;
    from.freeAt = t;
    this.pump(from, t);
  }

  /** Schedules as many segments as the window allows, no earlier than t. */
  private pump(from: Side, t: number): void {
    const to = from === this.c ? this.s : this.c;
    while (from.queued < from.total && from.queued - from.acked < from.cwnd * MSS) {
      const off = from.queued;
      const len = Math.min(MSS, from.total - off);
      from.queued += len;
      const when = Math.max(t, from.freeAt);
      from.freeAt = when + from.gap;
      this.at(when, (ctx) => this.data(ctx, from, to, when, off, len));
    }
  }

  private data(ctx: SimContext, from: Side, to: Side, t: number, off: number, len: number): void {
    const last = off + len === from.total;
    const seq = (from.startSeq + off) >>> 0;
    const fill = this.fill(from, off, len);
    this.sendAt(ctx, from, to, t, seq, TcpFlag.ACK | (last ? TcpFlag.PSH : 0), len, fill);
    to.rcv = (seq + len) >>> 0;
    if (++to.unacked >= 2 || last) {
      to.unacked = 0;
      const ackOff = off + len;
      const ackNo = to.rcv;
      const tAck = t + to.rtt;
      this.at(tAck, (cx) => {
        this.sendAt(cx, to, from, tAck, to.nxt, TcpFlag.ACK, 0, undefined, ackNo);
        this.acked(from, tAck, ackOff);
      });
    }
    if (last) {
      from.nxt = (from.startSeq + from.total) >>> 0;
      if (from === this.c) {
        const ex = this.p.exchanges[this.exchange]!;
        this.startTransfer(this.s, t + this.s.rtt + ex.serverDelayUs, Math.max(1, ex.response));
      } else {
        this.exchange++;
        this.nextRequest(t + this.c.rtt);
      }
    }
  }

  /** The sender learns of an ACK seen at capture time t: the window opens one RTT later. */
  private acked(from: Side, t: number, off: number): void {
    if (off <= from.acked) return;
    const segs = Math.ceil((off - from.acked) / MSS);
    from.acked = off;
    from.cwnd = Math.min(this.p.maxWindow, from.cwnd + segs);
    if (from.queued < from.total) this.pump(from, t + from.rtt);
  }

  private fill(from: Side, off: number, len: number): PayloadFill | undefined {
    if (from === this.c && this.exchange === 0 && this.p.firstRequest !== undefined) {
      const bytes = this.p.firstRequest;
      return (d, o) => d.set(bytes.subarray(off, off + len), o);
    }
    if (!this.p.tls) return undefined;
    const total = from.total;
    return (d, o) => fillTlsRecords(d, o, off, len, total);
  }

  private close(t: number): void {
    const { c, s } = this;
    this.at(t, (ctx) => {
      this.send(ctx, c, s, t, TcpFlag.FIN | TcpFlag.ACK, 0);
      c.nxt = (c.nxt + 1) >>> 0;
      const tFin = t + s.rtt;
      this.at(tFin, (cx) => {
        s.rcv = c.nxt;
        this.send(cx, s, c, tFin, TcpFlag.FIN | TcpFlag.ACK, 0);
        s.nxt = (s.nxt + 1) >>> 0;
        const tLast = tFin + c.rtt;
        this.at(tLast, (cx2) => {
          c.rcv = s.nxt;
          this.send(cx2, c, s, tLast, TcpFlag.ACK, 0);
        });
      });
    });
  }

  private send(ctx: SimContext, from: Side, to: Side, t: number, flags: number, len: number): void {
    this.sendAt(ctx, from, to, t, from.nxt, flags, len, undefined);
  }

  private sendAt(ctx: SimContext, from: Side, to: Side, t: number, seq: number, flags: number, len: number,
    fill: PayloadFill | undefined, ack = from.rcv): void {
    ctx.out.tcp(t, from.ep, to.ep, from.port, to.port, seq, ack, flags, len, fill);
  }
}
