/**
 * Raw capture records as struct-of-arrays: what a reader hands to the decoder.
 *
 * Invariant: for i < count, data[offset[i] .. offset[i] + caplen[i]) holds record i's
 * captured bytes. `data` belongs to the reader and is valid only until the reader's next
 * call to `next()`; a consumer that needs bytes longer copies them (or the reader is
 * given a fresh buffer, as a worker does when it transfers `data`).
 */
export interface RawBatch {
  readonly capacity: number;
  count: number;
  data: Uint8Array;
  readonly offset: Uint32Array;
  readonly caplen: Uint32Array;
  readonly wirelen: Uint32Array;
  /** Whole seconds since the epoch (integral; may exceed 2^32). */
  readonly tsSec: Float64Array;
  /** Nanoseconds within the second, 0 ≤ tsNsec < 1e9. */
  readonly tsNsec: Uint32Array;
  /** LINKTYPE_ number of the record's interface. */
  readonly linkType: Uint32Array;
  /** pcapng interface id (0 for pcap). */
  readonly interfaceId: Uint32Array;
  /** 1-based file record number of record 0 of this batch (pcap record / pcapng block count). */
  firstRecord: number;
}

/** Allocates an empty batch able to hold `capacity` records. */
export function createRawBatch(capacity = 8192): RawBatch {
  return {
    capacity,
    count: 0,
    data: new Uint8Array(0),
    offset: new Uint32Array(capacity),
    caplen: new Uint32Array(capacity),
    wirelen: new Uint32Array(capacity),
    tsSec: new Float64Array(capacity),
    tsNsec: new Uint32Array(capacity),
    linkType: new Uint32Array(capacity),
    interfaceId: new Uint32Array(capacity),
    firstRecord: 1,
  };
}
