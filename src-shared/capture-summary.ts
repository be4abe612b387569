/**
 * The `flowbench summary --json` contract: other tools and tests read these keys.
 * Counts follow Wireshark's definitions (see DESIGN.md, Definitions).
 */

/** Container format, detected from the magic number, never the file name. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** A recoverable problem met while reading: where it is and what it is. */
export interface ReadWarning {
  /** Byte offset in the file where the faulty record or block starts. */
  readonly offset: number;
  /** 1-based number of the record (pcap) or block (pcapng) at that offset. */
  readonly record: number;
  readonly message: string;
}

/** Frames containing each protocol anywhere (display-filter semantics). */
export interface ProtocolCounts {
  readonly ipv4: number;
  readonly ipv6: number;
  readonly tcp: number;
  readonly udp: number;
  readonly icmp: number;
  readonly icmpv6: number;
}

/** One row of the top-conversations list (endpoints as "addr:port", IPv6 in brackets). */
export interface ConversationRow {
  readonly proto: 'tcp' | 'udp';
  readonly a: string;
  readonly b: string;
  readonly packets: number;
  readonly bytes: number;
}

/** Everything `flowbench summary` reports about one capture file. */
export interface CaptureSummary {
  readonly file: string;
  readonly format: CaptureFormat;
  /** LINKTYPE_ numbers seen, in order of first appearance. */
  readonly linkTypes: readonly number[];
  readonly packets: number;
  readonly capturedBytes: number;
  readonly wireBytes: number;
  /** Earliest timestamp, epoch seconds with 9 fractional digits; null without packets. */
  readonly firstTimestamp: string | null;
  /** Latest timestamp, epoch seconds with 9 fractional digits; null without packets. */
  readonly lastTimestamp: string | null;
  /** last − first in seconds (capinfos' duration: max − min). */
  readonly durationSeconds: number;
  readonly protocols: ProtocolCounts;
  readonly conversations: { readonly tcp: number; readonly udp: number };
  readonly topConversations: readonly ConversationRow[];
  readonly warnings?: readonly ReadWarning[];
}
