/** Capture file properties, as Wireshark's Capture File Properties lists them. */
import type { JSX } from 'react';
import type { SourceInfo } from '../../../src-shared/api.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Warnings } from '../../components/warnings.js';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatBitRate, formatBytes, formatCount, formatDuration, formatEpochString, formatPacketRate, linkTypeName } from '../../format/units.js';

/** The properties panel of one source. */
export function CaptureProperties({ source }: { source: SourceInfo }): JSX.Element {
  const first = source.firstTimestamp === null ? null : Number(source.firstTimestamp);
  const last = source.lastTimestamp === null ? null : Number(source.lastTimestamp);
  const duration = first !== null && last !== null ? last - first : null;
  const rate = duration !== null && duration > 0;
  return (
    <section className="panel" data-testid="capture-properties">
      <h3>
        {source.displayName} <StatusBadge status={source.status} />
      </h3>
      <dl className="props">
        <dt>File</dt>
        <dd className="mono" title={source.path ?? ''}>{source.path ?? '(uploaded)'}</dd>
        <dt>Format</dt>
        <dd>{source.format ?? '–'}</dd>
        <dt>Size</dt>
        <dd>{source.size === null ? '–' : `${formatBytes(source.size)} (${formatCount(source.size)} B)`}</dd>
        <dt>Link types</dt>
        <dd>{source.linkTypes.length === 0 ? '–' : source.linkTypes.map(linkTypeName).join(', ')}</dd>
        <dt>Packets</dt>
        <dd>{formatCount(source.packets)}</dd>
        <dt>Captured bytes</dt>
        <dd>{`${formatBytes(source.capturedBytes)} (${formatCount(source.capturedBytes)} B)`}</dd>
        <dt>Wire bytes</dt>
        <dd>{`${formatBytes(source.bytes)} (${formatCount(source.bytes)} B)`}</dd>
        <dt>First packet</dt>
        <dd>{formatEpochString(source.firstTimestamp)}</dd>
        <dt>Last packet</dt>
        <dd>{formatEpochString(source.lastTimestamp)}</dd>
        <dt>Duration</dt>
        <dd>{duration === null ? '–' : `${formatDuration(duration)} (${duration.toFixed(6)} s)`}</dd>
        <dt>Avg packets/s</dt>
        <dd>{rate ? formatPacketRate(source.packets / duration) : '–'}</dd>
        <dt>Avg bits/s</dt>
        <dd>{rate ? formatBitRate((source.bytes * 8) / duration) : '–'}</dd>
        <dt>Avg packet size</dt>
        <dd>{source.packets > 0 ? formatBytes(source.bytes / source.packets) : '–'}</dd>
      </dl>
      {source.error !== null && <ErrorMessage message={source.error} />}
      <Warnings file={source.displayName} warnings={source.warnings} />
    </section>
  );
}
