import type { ConversationRow } from '../../src-shared/capture-summary.js';
import { ConvProto, type ConversationTable } from './conversation-table.js';
import { formatEndpoint } from './format-endpoint.js';

/**
 * The `n` conversations (TCP and UDP together) with the most wire bytes, largest first,
 * counted as frames group by tshark's tcp.stream / udp.stream (frames where the conversation
 * is the innermost layer of its transport; see ConversationTable). On equal bytes the older
 * conversation (lower entry id, i.e. lower stream index) comes first, as a stable sort of
 * tshark's streams does. Endpoint `a` is the sender of the conversation's first packet.
 */
export function topConversations(table: ConversationTable, n = 5): ConversationRow[] {
  const best: number[] = [];
  const bytesOf = (id: number): number => table.streamBytes(id);
  for (let id = 0; id < table.size; id++) {
    const bytes = bytesOf(id);
    if (table.streamPackets(id) === 0) continue;
    if (best.length === n && bytes <= bytesOf(best[n - 1]!)) continue;
    let at = best.length;
    while (at > 0 && bytesOf(best[at - 1]!) < bytes) at--;
    best.splice(at, 0, id);
    if (best.length > n) best.pop();
  }
  return best.map((id) => conversationRow(table, id));
}

/** Report row of one table entry (stream-grouped packets and bytes). */
export function conversationRow(table: ConversationTable, id: number): ConversationRow {
  const v = table.ipVersion(id);
  const ea = table.endpoint(id, 0);
  const eb = table.endpoint(id, 1);
  const a = formatEndpoint(v, ea.words, ea.port);
  const b = formatEndpoint(v, eb.words, eb.port);
  const bFirst = table.initiatorIsB(id);
  return {
    proto: table.proto(id) === ConvProto.TCP ? 'tcp' : 'udp',
    a: bFirst ? b : a,
    b: bFirst ? a : b,
    packets: table.streamPackets(id),
    bytes: table.streamBytes(id),
  };
}
