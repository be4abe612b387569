/** A row per running (or just finished) job and per upload: label, packets, rate, %, ETA, Cancel. */
import type { JSX } from 'react';
import type { JobInfo } from '../../src-shared/api.js';
import { assertNever } from '../../src-shared/assert-never.js';
import { Warnings } from '../components/warnings.js';
import { formatBytes, formatCount, formatDuration, formatPacketRate, formatPercent } from '../format/units.js';
import { useJobs } from '../stores/jobs-store.js';
import type { UploadInfo } from '../stores/jobs-store.js';

/** Every job and upload. */
export function JobPanel(): JSX.Element | null {
  const jobs = useJobs((s) => s.jobs);
  const uploads = useJobs((s) => s.uploads);
  const list = Object.values(jobs).sort((a, b) => a.startedAt - b.startedAt);
  if (list.length === 0 && uploads.length === 0) return null;
  return (
    <section className="jobs" aria-label="Jobs">
      {uploads.map((u) => (
        <UploadRow key={`u${u.id}`} upload={u} />
      ))}
      {list.map((j) => (
        <JobRow key={j.jobId} job={j} />
      ))}
    </section>
  );
}

function UploadRow({ upload }: { upload: UploadInfo }): JSX.Element {
  const frac = upload.total > 0 ? upload.loaded / upload.total : 0;
  return (
    <div className="job-row" data-testid="upload-row">
      <span className="label">Uploading {upload.name}</span>
      <span className="figures">
        <span>
          {formatBytes(upload.loaded)} of {formatBytes(upload.total)}
        </span>
        <span>{formatPercent(frac)}</span>
      </span>
      <span />
      <div className="progress">
        <div style={{ width: `${(frac * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}

function JobRow({ job }: { job: JobInfo }): JSX.Element {
  const cancel = useJobs((s) => s.cancel);
  const dismiss = useJobs((s) => s.dismiss);
  const active = job.phase === 'running' || job.phase === 'queued';
  const frac = job.bytesTotal > 0 ? Math.min(1, job.bytesDone / job.bytesTotal) : job.phase === 'done' ? 1 : 0;
  return (
    <div className="job-row" data-testid="job-row" data-job-id={job.jobId} data-phase={job.phase} data-kind={job.kind}>
      <span className="label" title={job.label}>
        {jobTitle(job)}
      </span>
      <span className="figures">
        <span>{job.phase}</span>
        {job.kind !== 'train' && <span>{formatCount(job.packets)} packets</span>}
        {active && job.kind !== 'train' && <span>{formatPacketRate(job.packetsPerSecond)}</span>}
        {job.bytesTotal > 0 && (
          <span>
            {job.kind === 'train'
              ? formatPercent(frac)
              : job.kind === 'simulate'
                ? `${formatPercent(frac)} of ${formatDuration(job.bytesTotal / 1000)} of traffic`
                : `${formatPercent(frac)} of ${formatBytes(job.bytesTotal)}`}
          </span>
        )}
        {active && job.kind === 'capture' && <span>{formatBytes(job.bytesDone)} written</span>}
        {active && <span>ETA {job.etaSeconds === null ? 'unknown' : formatDuration(job.etaSeconds)}</span>}
      </span>
      {active ? (
        <button className="danger" data-testid="job-cancel" onClick={() => void cancel(job.jobId)}>
          {job.kind === 'capture' ? 'Stop' : 'Cancel'}
        </button>
      ) : (
        <button className="link" data-testid="job-dismiss" onClick={() => dismiss(job.jobId)} aria-label="Dismiss">
          ✕
        </button>
      )}
      <div className="progress">
        <div style={{ width: `${(frac * 100).toFixed(1)}%` }} />
      </div>
      {job.error !== null && (
        <div style={{ gridColumn: '1 / -1' }} className="banner" data-testid="error-message" role="alert">
          <span className="msg">{job.error.message}</span>
        </div>
      )}
      {job.warnings.length > 0 && job.error === null && (
        <div style={{ gridColumn: '1 / -1' }}>
          <Warnings file={job.label} warnings={job.warnings} max={3} />
        </div>
      )}
    </div>
  );
}

function jobTitle(job: JobInfo): string {
  switch (job.kind) {
    case 'capture':
      return job.label;
    case 'train':
      return /^train/i.test(job.label) ? job.label : `Training ${job.label}`;
    case 'ingest':
      return `Analysing ${job.label}`;
    case 'simulate':
      return `Generating ${job.label.replace(/^simulate /, '')}`;
    default:
      return assertNever(job.kind);
  }
}
