import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dir, FlowStats } from './flow-stats.js';
import { EARLY_PACKETS } from '../../src-shared/flow-record.js';

function exact(xs: number[]) {
  if (xs.length === 0) return { min: 0, mean: 0, max: 0, std: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { min: Math.min(...xs), mean, max: Math.max(...xs), std };
}

function close(a: { min: number; mean: number; max: number; std: number }, b: typeof a, label: string): void {
  for (const k of ['min', 'mean', 'max', 'std'] as const) {
    assert.ok(Math.abs(a[k] - b[k]) <= 1e-9 * Math.max(1, Math.abs(b[k])), `${label}.${k}: ${a[k]} vs ${b[k]}`);
  }
}

test('Welford statistics per direction equal the two-pass values', () => {
  const st = new FlowStats(4);
  st.reset(3, 100, 0);
  const pkts: { dir: number; t: number; len: number }[] = [];
  let t = 100;
  let seed = 3;
  for (let k = 0; k < 200; k++) {
    seed = (seed * 16807) % 2147483647;
    t += (seed % 1000) / 1e4;
    pkts.push({ dir: seed % 3 === 0 ? Dir.BWD : Dir.FWD, t, len: 60 + (seed % 1400) });
  }
  for (const p of pkts) st.add(3, p.dir, Math.floor(p.t), Math.round((p.t % 1) * 1e9), p.len, 40, p.dir === Dir.FWD ? 0x18 : 0x10);
  const f = st.fields(3);
  const fwd = pkts.filter((p) => p.dir === Dir.FWD);
  const bwd = pkts.filter((p) => p.dir === Dir.BWD);
  const iats = (ps: typeof pkts) => ps.slice(1).map((p, k) => p.t - ps[k]!.t);
  close(f.pkt_len, exact(pkts.map((p) => p.len)), 'pkt_len');
  close(f.fwd_pkt_len, exact(fwd.map((p) => p.len)), 'fwd_pkt_len');
  close(f.bwd_pkt_len, exact(bwd.map((p) => p.len)), 'bwd_pkt_len');
  close(f.iat, exact(iats(pkts)), 'iat');
  close(f.fwd_iat, exact(iats(fwd)), 'fwd_iat');
  close(f.bwd_iat, exact(iats(bwd)), 'bwd_iat');
  assert.equal(f.fwd_packets, fwd.length);
  assert.equal(f.bwd_bytes, bwd.reduce((a, p) => a + p.len, 0));
  assert.equal(f.fwd_header_bytes, 40 * fwd.length);
  assert.equal(f.psh_count, fwd.length);
  assert.equal(f.ack_count, 200);
  assert.equal(f.early_packets.length, EARLY_PACKETS);
  assert.deepEqual(f.early_packets[0], [pkts[0]!.len, pkts[0]!.dir === Dir.FWD ? 1 : -1, 0]);
  const p5 = pkts[5]!;
  assert.deepEqual(f.early_packets[5]!.slice(0, 2), [p5.len, p5.dir === Dir.FWD ? 1 : -1]);
  assert.ok(Math.abs(f.early_packets[5]![2] - (p5.t - pkts[4]!.t)) < 1e-9);
  assert.deepEqual(f.first, [100, 0]);
  assert.ok(Math.abs(f.last[0] + f.last[1] * 1e-9 - t) < 1e-9);
  assert.ok(Math.abs(f.duration - (t - 100)) < 1e-9);
});

test('an empty direction gives zero statistics; reset clears a reused slot; growth keeps data', () => {
  const st = new FlowStats(1);
  st.reset(0, 5, 0);
  st.add(0, Dir.FWD, 5, 0, 100, 20, 0);
  st.ensureCapacity(64);
  const f = st.fields(0);
  assert.deepEqual(f.bwd_pkt_len, { min: 0, mean: 0, max: 0, std: 0 });
  assert.deepEqual(f.fwd_iat, { min: 0, mean: 0, max: 0, std: 0 });
  assert.equal(f.fwd_packets, 1);
  st.reset(0, 9, 0);
  assert.equal(st.fields(0).fwd_packets, 0);
  assert.equal(st.packets(0), 0);
  assert.equal(st.firstTs(0), 9);
});
