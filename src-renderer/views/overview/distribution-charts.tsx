/** Packet-size distribution and protocol mix of the range (both from stats.totals). */
import { useMemo } from 'react';
import type { JSX } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RangeTotals } from '../../../src-shared/api.js';
import { formatBytes, formatCompactCount, formatCount, formatPercent } from '../../format/units.js';
import { tooltipStyle, usePalette } from '../chart-palette.js';

/** Wireshark's Packet Lengths buckets as bars. */
export function PacketSizeChart({ totals }: { totals: RangeTotals | null }): JSX.Element {
  const palette = usePalette();
  const rows = useMemo(() => totals?.packetLengths.map((b) => ({ range: b.range.replace(' and greater', '+'), count: b.count })) ?? [], [totals]);
  const sum = rows.reduce((a, r) => a + r.count, 0);
  return (
    <section className="panel" data-testid="packet-size-chart">
      <h3>Packet lengths</h3>
      <div style={{ height: 220 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="range" stroke={palette.axis} fontSize={10} interval={0} angle={-25} textAnchor="end" height={42} />
            <YAxis stroke={palette.axis} fontSize={11} tickFormatter={(v: number) => formatCompactCount(v)} width={48} />
            <Tooltip
              {...tooltipStyle(palette)}
              cursor={{ fill: palette.grid, opacity: 0.4 }}
              formatter={(v) => [`${formatCount(Number(v))} packets (${formatPercent(sum > 0 ? Number(v) / sum : 0)})`, 'Packets']}
              labelFormatter={(l) => `${String(l)} bytes`}
            />
            <Bar dataKey="count" fill={palette.bar} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

/** Packets and bytes per transport: a pie of bytes and the exact figures. */
export function ProtocolMix({ totals }: { totals: RangeTotals | null }): JSX.Element {
  const palette = usePalette();
  const protos = totals?.protocols ?? [];
  const bytes = protos.reduce((a, p) => a + p.bytes, 0);
  const packets = protos.reduce((a, p) => a + p.packets, 0);
  const data = protos.filter((p) => p.bytes > 0).map((p) => ({ name: p.name.toUpperCase(), value: p.bytes, key: p.name }));
  return (
    <section className="panel" data-testid="protocol-mix">
      <h3>Protocol mix</h3>
      <div style={{ display: 'grid', gridTemplateColumns: '160px 1fr', gap: 12, alignItems: 'center' }}>
        <div style={{ height: 160 }}>
          <ResponsiveContainer width="100%" height="100%">
            <PieChart>
              <Pie data={data} dataKey="value" nameKey="name" innerRadius={40} outerRadius={70} isAnimationActive={false} stroke="none">
                {data.map((d) => (
                  <Cell key={d.key} fill={palette[d.key]} />
                ))}
              </Pie>
              <Tooltip {...tooltipStyle(palette)} formatter={(v) => formatBytes(Number(v))} />
            </PieChart>
          </ResponsiveContainer>
        </div>
        <table className="data">
          <thead>
            <tr>
              <th>Transport</th>
              <th className="num">Packets</th>
              <th className="num">%</th>
              <th className="num">Bytes</th>
              <th className="num">%</th>
            </tr>
          </thead>
          <tbody>
            {protos.map((p) => (
              <tr key={p.name} data-testid="protocol-row" data-proto={p.name}>
                <td>
                  <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 2, background: palette[p.name], marginRight: 6 }} />
                  {p.name.toUpperCase()}
                </td>
                <td className="num">{formatCount(p.packets)}</td>
                <td className="num">{formatPercent(packets > 0 ? p.packets / packets : 0)}</td>
                <td className="num" title={`${formatCount(p.bytes)} B`}>{formatBytes(p.bytes)}</td>
                <td className="num">{formatPercent(bytes > 0 ? p.bytes / bytes : 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
