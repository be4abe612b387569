/**
 * A minimal Thrift compact-protocol encoder (the encoding of Parquet page headers and the file
 * footer): structs as field lists, i32/i64 as zigzag varints, binaries, lists of structs or
 * scalars. Pure: it appends to a growable byte array and returns the bytes.
 *
 * Numbers are JS numbers: i64 values must be safe integers (≤ 2^53), which file offsets, sizes
 * and row counts of an export are.
 */

/** A compact-protocol value: the writer knows each field's Thrift type from the tag. */
export type ThriftValue =
  | { readonly t: 'i32'; readonly v: number }
  | { readonly t: 'i64'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'binary'; readonly v: Uint8Array }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'struct'; readonly v: ThriftStruct }
  | { readonly t: 'list'; readonly elem: 'i32' | 'string' | 'struct'; readonly v: readonly (number | string | ThriftStruct)[] };

/** Fields by id (ascending ids are written; absent fields are omitted). */
export type ThriftStruct = ReadonlyArray<readonly [number, ThriftValue]>;

// Compact protocol type ids (Thrift compact protocol spec, "Struct encoding").
const CT_TRUE = 1;
const CT_FALSE = 2;
const CT_I32 = 5;
const CT_I64 = 6;
const CT_BINARY = 8;
const CT_LIST = 9;
const CT_STRUCT = 12;

const utf8 = new TextEncoder();

/** Encodes values into one growing buffer. */
class Out {
  buf = new Uint8Array(256);
  n = 0;

  byte(b: number): void {
    if (this.n === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = b;
  }

  bytes(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
}

function typeId(v: ThriftValue): number {
  switch (v.t) {
    case 'i32': return CT_I32;
    case 'i64': return CT_I64;
    case 'bool': return v.v ? CT_TRUE : CT_FALSE;
    case 'binary':
    case 'string': return CT_BINARY;
    case 'struct': return CT_STRUCT;
    case 'list': return CT_LIST;
  }
}

function writeStruct(out: Out, s: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of s) {
    const delta = id - last;
    const tid = typeId(value);
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | tid);
    else {
      out.byte(tid);
      out.zigzag(id);
    }
    last = id;
    writeValue(out, value);
  }
  out.byte(0);
}

function writeValue(out: Out, value: ThriftValue): void {
  switch (value.t) {
    case 'i32':
    case 'i64': out.zigzag(value.v); return;
    case 'bool': return; // the value is in the field header
    case 'binary': out.varint(value.v.length); out.bytes(value.v); return;
    case 'string': { const b = utf8.encode(value.v); out.varint(b.length); out.bytes(b); return; }
    case 'struct': writeStruct(out, value.v); return;
    case 'list': {
      const elem = value.elem === 'i32' ? CT_I32 : value.elem === 'string' ? CT_BINARY : CT_STRUCT;
      const n = value.v.length;
      if (n < 15) out.byte((n << 4) | elem);
      else {
        out.byte(0xf0 | elem);
        out.varint(n);
      }
      for (const e of value.v) {
        if (value.elem === 'i32') out.zigzag(e as number);
        else if (value.elem === 'string') { const b = utf8.encode(e as string); out.varint(b.length); out.bytes(b); }
        else writeStruct(out, e as ThriftStruct);
      }
    }
  }
}

/** The compact-protocol bytes of one struct. */
export function encodeStruct(s: ThriftStruct): Uint8Array {
  const out = new Out();
  writeStruct(out, s);
  return out.buf.subarray(0, out.n);
}

/** Shorthands for building structs. */
export const i32 = (v: number): ThriftValue => ({ t: 'i32', v });
export const i64 = (v: number): ThriftValue => ({ t: 'i64', v });
export const str = (v: string): ThriftValue => ({ t: 'string', v });
export const bin = (v: Uint8Array): ThriftValue => ({ t: 'binary', v });
export const struct = (v: ThriftStruct): ThriftValue => ({ t: 'struct', v });
