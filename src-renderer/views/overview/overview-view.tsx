/** The overview dashboard of the selected source. */
import type { JSX } from 'react';
import { useSelectedSource } from '../../stores/sources-store.js';
import { AnomaliesPanel } from './anomalies-panel.js';
import { CaptureProperties } from './capture-properties.js';
import { ConversationsTable } from './conversations-table.js';
import { DriftPanel } from './drift-panel.js';
import { SourceEventsPanel } from './event-bands.js';
import { PacketSizeChart, ProtocolMix } from './distribution-charts.js';
import { HeadlineTotals, useRangeTotals } from './headline-totals.js';
import { LatencyChart } from './latency-chart.js';
import { TalkersTables } from './talkers-tables.js';
import { VolumeChart } from './volume-chart.js';

/** Properties, totals, charts, anomalies, tables and drift; every range-aware part follows the brush. */
export function OverviewView(): JSX.Element {
  const source = useSelectedSource();
  const totals = useRangeTotals();
  if (source === null) {
    return (
      <div className="content">
        <p className="muted">Select a source on the left.</p>
      </div>
    );
  }
  return (
    <div className="content" data-testid="overview">
      <HeadlineTotals q={totals} />
      <VolumeChart series={source.kind === 'series'} />
      <SourceEventsPanel sourceId={source.id} />
      <AnomaliesPanel sourceId={source.id} />
      <div className="grid-2">
        <LatencyChart finished={source.status !== 'ingesting'} />
        <CaptureProperties source={source} />
      </div>
      <div className="grid-2">
        <PacketSizeChart totals={totals.data} />
        <ProtocolMix totals={totals.data} />
      </div>
      <TalkersTables />
      <ConversationsTable />
      <DriftPanel key={source.id} sourceId={source.id} />
    </div>
  );
}
