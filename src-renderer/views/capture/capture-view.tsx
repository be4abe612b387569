/** Live capture: interface, filter, limits, Start/Stop, the status line, a model run live, and the capture's charts refreshing every second. */
import { useEffect } from 'react';
import type { JSX } from 'react';
import { ErrorMessage } from '../../components/error-banners.js';
import { formatBitRate, formatBytes, formatCount, formatDuration, formatPacketRate } from '../../format/units.js';
import { useApp } from '../../stores/app-store.js';
import { useCapture } from '../../stores/capture-store.js';
import { useSelection } from '../../stores/selection-store.js';
import { HeadlineTotals, useRangeTotals } from '../overview/headline-totals.js';
import { VolumeChart } from '../overview/volume-chart.js';
import { LiveModelPanel } from './live-model-panel.js';

/** The capture view. */
export function CaptureView(): JSX.Element {
  const info = useApp((s) => s.info);
  const st = useCapture();
  const sourceId = useSelection((s) => s.sourceId);
  const running = st.status?.running === true;
  useEffect(() => {
    void useCapture.getState().loadInterfaces();
  }, []);
  const unavailable = info !== null && !info.capture.available;
  // An error about the filter (the server names the field first) is shown at the field.
  const filterError = st.error?.startsWith('filter:') === true;
  return (
    <div className="content" data-testid="capture-view">
      <section className="panel">
        <h3>Live capture</h3>
        {unavailable && <ErrorMessage message={info.capture.reason ?? 'Live capture is not available on this host.'} />}
        {st.interfacesError !== null && <ErrorMessage message={st.interfacesError} />}
        <div className="capture-form">
          <label htmlFor="cap-iface">Interface</label>
          <select
            id="cap-iface"
            data-testid="capture-interface"
            value={st.form.iface}
            disabled={running}
            onChange={(e) => st.setForm({ iface: e.target.value })}
          >
            {st.interfaces.length === 0 && <option value="">(no interfaces)</option>}
            {st.interfaces.map((i) => (
              <option key={i.name} value={i.name}>
                {i.name}
                {i.description !== null ? ` — ${i.description}` : ''}
                {i.addresses.length > 0 ? ` (${i.addresses.join(', ')})` : ''}
                {i.loopback ? ' [loopback]' : ''}
                {i.up ? '' : ' [down]'}
              </option>
            ))}
          </select>
          <label htmlFor="cap-filter">Capture filter</label>
          <input
            id="cap-filter"
            data-testid="capture-filter"
            placeholder="BPF, e.g. tcp port 443"
            value={st.form.filter}
            disabled={running}
            onChange={(e) => st.setForm({ filter: e.target.value })}
            aria-invalid={filterError}
          />
          {filterError && st.error !== null && (
            <>
              <span />
              <ErrorMessage message={st.error} />
            </>
          )}
          <label htmlFor="cap-duration">Stop after</label>
          <span style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            <input
              id="cap-duration"
              data-testid="capture-duration"
              inputMode="numeric"
              placeholder="seconds"
              style={{ width: 100 }}
              value={st.form.durationSeconds}
              disabled={running}
              onChange={(e) => st.setForm({ durationSeconds: e.target.value })}
            />
            <span className="muted">s or</span>
            <input
              data-testid="capture-count"
              inputMode="numeric"
              placeholder="packets"
              style={{ width: 100 }}
              value={st.form.count}
              disabled={running}
              onChange={(e) => st.setForm({ count: e.target.value })}
              aria-label="Stop after packets"
            />
            <span className="muted">packets (empty = until stopped)</span>
          </span>
          <span />
          <span style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
            <label>
              <input
                type="checkbox"
                data-testid="capture-promiscuous"
                checked={st.form.promiscuous}
                disabled={running}
                onChange={(e) => st.setForm({ promiscuous: e.target.checked })}
              />{' '}
              Promiscuous
            </label>
            <label title="Leaves out the traffic between this page and the Flowbench server">
              <input
                type="checkbox"
                data-testid="capture-ignore-own"
                checked={st.form.ignoreOwnTraffic}
                disabled={running}
                onChange={(e) => st.setForm({ ignoreOwnTraffic: e.target.checked })}
              />{' '}
              Ignore this app&apos;s own traffic
            </label>
          </span>
          <span />
          <span style={{ display: 'flex', gap: 8 }}>
            <button className="primary" data-testid="capture-start" disabled={running || st.starting || unavailable} onClick={() => void st.start()}>
              Start
            </button>
            <button className="danger" data-testid="capture-stop" disabled={!running} onClick={() => void st.stop()}>
              Stop
            </button>
          </span>
        </div>
        {st.interfaces.length > 0 && (
          <table className="data iface-table" data-testid="capture-interfaces" style={{ marginTop: 10 }}>
            <thead>
              <tr>
                <th>Interface</th>
                <th>Addresses</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {st.interfaces.map((i) => (
                <tr
                  key={i.name}
                  aria-selected={i.name === st.form.iface}
                  data-testid="capture-interface-row"
                  onClick={() => !running && st.setForm({ iface: i.name })}
                >
                  <td className="mono">
                    {i.name}
                    {i.description !== null ? <span className="muted"> {i.description}</span> : null}
                  </td>
                  <td className="mono">{i.addresses.join(', ') || '–'}</td>
                  <td>
                    {i.up ? 'up' : 'down'}
                    {i.running ? ', running' : ''}
                    {i.loopback ? ', loopback' : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {st.error !== null && !filterError && <ErrorMessage message={st.error} />}
        {st.status !== null && (
          <div className="status-line" data-testid="capture-status" data-running={running} style={{ marginTop: 10 }}>
            <span>{running ? '● capturing' : 'stopped'} on <b>{st.status.interface}</b>{st.status.filter !== '' ? ` (${st.status.filter})` : ''}</span>
            <span>
              <b>{formatCount(st.status.packets)}</b> packets
            </span>
            <span>
              <b>{formatBytes(st.status.bytes)}</b>
            </span>
            <span>
              <b>{formatPacketRate(st.status.packetsPerSecond)}</b>
            </span>
            <span>
              mean <b>{st.status.elapsedSeconds > 0 ? formatBitRate((st.status.bytes * 8) / st.status.elapsedSeconds) : '–'}</b>
            </span>
            <span>
              elapsed <b>{formatDuration(st.status.elapsedSeconds)}</b>
            </span>
            <span>
              file <b>{formatBytes(st.status.fileBytes)}</b>
            </span>
            <span data-testid="capture-dropped">
              lost <b>{st.status.dropped === null ? 'unknown' : formatCount(st.status.dropped)}</b>
            </span>
          </div>
        )}
      </section>
      {st.jobId !== null && st.status !== null && <LiveModelPanel captureJobId={st.jobId} running={running} />}
      {st.status?.sourceId !== null && st.status?.sourceId !== undefined && st.status.sourceId === sourceId && <LiveCharts />}
    </div>
  );
}

function LiveCharts(): JSX.Element {
  const totals = useRangeTotals();
  return (
    <>
      <HeadlineTotals q={totals} />
      <VolumeChart height={200} />
    </>
  );
}
