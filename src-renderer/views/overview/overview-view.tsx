/** The overview dashboard of the selected source. */
import { memo } from 'react';
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

// Panels re-render only when their own props or subscriptions change: a live source's re-read
// every second re-renders this view (its SourceInfo changed) but not every chart under it.
const Volume = memo(VolumeChart);
const Latency = memo(LatencyChart);
const Anomalies = memo(AnomaliesPanel);
const Events = memo(SourceEventsPanel);
const Properties = memo(CaptureProperties);
const PacketSizes = memo(PacketSizeChart);
const Protocols = memo(ProtocolMix);
const Talkers = memo(TalkersTables);
const Conversations = memo(ConversationsTable);
const Drift = memo(DriftPanel);

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
      <Volume series={source.kind === 'series'} />
      <Events sourceId={source.id} />
      <Anomalies sourceId={source.id} />
      <div className="grid-2">
        <Latency finished={source.status !== 'ingesting'} />
        <Properties source={source} />
      </div>
      <div className="grid-2">
        <PacketSizes totals={totals.data} />
        <Protocols totals={totals.data} />
      </div>
      <Talkers />
      <Conversations />
      <Drift key={source.id} sourceId={source.id} />
    </div>
  );
}
