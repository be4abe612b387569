/** Headline totals of the selected range (stats.totals); the exact integers are in data-value and title. */
import type { JSX } from 'react';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatBitRate, formatBytes, formatCompactCount, formatCount, formatDuration, formatEpoch } from '../../format/units.js';
import type { RangeTotals } from '../../../src-shared/api.js';
import { useApiQuery } from '../../hooks/use-api-query.js';
import type { QueryState } from '../../hooks/use-api-query.js';
import { useSourceQueryInputs } from './source-query.js';

/** stats.totals of the selected source and range. */
export function useRangeTotals(): QueryState<RangeTotals> {
  const { sourceId, rangeReq, version } = useSourceQueryInputs();
  return useApiQuery('stats.totals', sourceId === null ? null : { sourceId, ...rangeReq }, version);
}

/** Packets, bytes, flows, span and mean rate of the range. */
export function HeadlineTotals({ q }: { q: QueryState<RangeTotals> }): JSX.Element {
  const t = q.data;
  const span = t !== null && t.from !== null && t.to !== null ? t.to - t.from : null;
  return (
    <>
      {q.error !== null && <ErrorMessage message={q.error} />}
      <div className={`headline${q.loading ? ' loading' : ''}`} data-testid="headline-totals">
        <div className="figure">
          <div className="k">Packets</div>
          <div className="v" data-testid="total-packets" data-value={t?.packets ?? ''} title={t === null ? '' : `${formatCount(t.packets)} packets`}>
            {t === null ? '–' : formatCompactCount(t.packets)}
          </div>
          <div className="s">{t === null ? '' : formatCount(t.packets)}</div>
        </div>
        <div className="figure">
          <div className="k">Bytes (wire)</div>
          <div className="v" data-testid="total-bytes" data-value={t?.bytes ?? ''} title={t === null ? '' : `${formatCount(t.bytes)} bytes`}>
            {t === null ? '–' : formatBytes(t.bytes)}
          </div>
          <div className="s">{t === null ? '' : `${formatCount(t.bytes)} B`}</div>
        </div>
        <div className="figure">
          <div className="k">Flows</div>
          <div className="v" data-testid="total-flows" data-value={t?.flows ?? ''}>
            {t === null ? '–' : formatCount(t.flows)}
          </div>
          <div className="s">in range</div>
        </div>
        <div className="figure">
          <div className="k">Span</div>
          <div className="v">{span === null ? '–' : formatDuration(span)}</div>
          <div className="s">{t === null ? '' : formatEpoch(t.from)}</div>
        </div>
        <div className="figure">
          <div className="k">Mean rate</div>
          <div className="v">{t === null || span === null || span <= 0 ? '–' : formatBitRate((t.bytes * 8) / span)}</div>
          <div className="s">{t === null || span === null || span <= 0 ? '' : `${(t.packets / span).toFixed(1)} pkt/s`}</div>
        </div>
      </div>
    </>
  );
}
