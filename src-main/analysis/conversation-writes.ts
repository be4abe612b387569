/**
 * Turns a finished ConversationTable into the `conversations` rows of a source (Wireshark's
 * Conversations window: per-direction packets and bytes of every layer, start, duration).
 */
import type { ConversationWrite } from '../store/conversations-repo.js';
import { ConvProto } from './conversation-table.js';
import type { ConversationTable } from './conversation-table.js';
import { formatIpv4, formatIpv6 } from './format-endpoint.js';

/**
 * One row per table entry (TCP stream or UDP pair), in entry order. Side A is the sender of
 * the entry's first packet, as Wireshark lists it; the entry's own A/B (address order) is
 * swapped when B spoke first.
 */
export function conversationWrites(table: ConversationTable): ConversationWrite[] {
  const rows: ConversationWrite[] = [];
  for (let id = 0; id < table.size; id++) {
    const v = table.ipVersion(id);
    const ea = table.endpoint(id, 0);
    const eb = table.endpoint(id, 1);
    const addrA = v === 4 ? formatIpv4(ea.words[0]! >>> 0) : formatIpv6(ea.words);
    const addrB = v === 4 ? formatIpv4(eb.words[0]! >>> 0) : formatIpv6(eb.words);
    const [s0, n0] = table.firstTime(id);
    const [s1, n1] = table.lastTime(id);
    // Seconds and nanoseconds apart: their difference is exact before it becomes a double.
    const duration = s1 - s0 + (n1 - n0) / 1e9;
    const swap = table.initiatorIsB(id);
    const proto = table.proto(id) === ConvProto.TCP ? 'tcp' : 'udp';
    const a = { addr: addrA, port: ea.port, packets: table.packets(id, 0), bytes: table.bytes(id, 0) };
    const b = { addr: addrB, port: eb.port, packets: table.packets(id, 1), bytes: table.bytes(id, 1) };
    const [first, second] = swap ? [b, a] : [a, b];
    rows.push({
      proto,
      addr_a: first.addr,
      port_a: first.port,
      addr_b: second.addr,
      port_b: second.port,
      packets_ab: first.packets,
      bytes_ab: first.bytes,
      packets_ba: second.packets,
      bytes_ba: second.bytes,
      start: s0 + n0 / 1e9,
      duration,
    });
  }
  return rows;
}
