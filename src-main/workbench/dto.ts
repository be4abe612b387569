/** Store rows → the contract's DTOs. */
import type { FlowDetail, SourceInfo } from '../../src-shared/api.js';
import type { ReadWarning } from '../../src-shared/capture-summary.js';
import type { StoredFlow } from '../store/flows-repo.js';
import type { SourceRow } from '../store/sources-repo.js';

/** A source as the UI lists it, with its reader warnings. */
export function toSourceInfo(r: SourceRow, warnings: readonly ReadWarning[]): SourceInfo {
  return {
    id: r.id, kind: r.kind, displayName: r.displayName, path: r.path, size: r.size, format: r.format,
    linkTypes: r.linkTypes, status: r.status, packets: r.packets, bytes: r.bytes, capturedBytes: r.capturedBytes,
    firstTimestamp: r.firstTimestamp, lastTimestamp: r.lastTimestamp, error: r.error, warnings,
    createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

/** A stored flow with both directions summed. */
export function toFlowDetail(f: StoredFlow): FlowDetail {
  return { ...f, packets: f.fwd_packets + f.bwd_packets, bytes: f.fwd_bytes + f.bwd_bytes };
}
