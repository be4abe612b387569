import type { CliIo } from './cli-command.js';
import { formatCount, formatSpan } from './units.js';

/** What a progress line needs to know about a long run. */
export interface ProgressSample {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly packets: number;
}

/** Nothing is shown for runs shorter than this. */
const SHOW_AFTER_MS = 1000;
/** On a pipe or file (forced with --progress), one line per this interval. */
const PIPE_INTERVAL_MS = 1000;

/**
 * A one-line progress report on stderr: packets, MB/s, percent and ETA. Shown only once the
 * run has lasted a second, and only on a terminal unless forced; on a terminal it redraws in
 * place, elsewhere it writes a new line each second.
 */
export class ProgressLine {
  private readonly started = performance.now();
  private lastPipeLine = 0;
  private drawn = false;

  constructor(private readonly io: CliIo, private readonly label: string, private readonly force: boolean) {}

  /** Reports a sample; cheap to call often. */
  update(p: ProgressSample): void {
    if (!this.io.errIsTty && !this.force) return;
    const now = performance.now();
    const elapsedMs = now - this.started;
    if (elapsedMs < SHOW_AFTER_MS) return;
    const text = describe(this.label, p, elapsedMs / 1000);
    if (this.io.errIsTty) {
      this.io.err(`\r${text}\x1b[K`);
      this.drawn = true;
    } else if (now - this.lastPipeLine >= PIPE_INTERVAL_MS) {
      this.lastPipeLine = now;
      this.io.err(`${text}\n`);
    }
  }

  /** Clears the line on a terminal so the result starts on a clean line. */
  finish(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
  }
}

/** "summary: 12,345,678 packets  845.2 MB/s  42.0 %  ETA 3.2 s". */
export function describe(label: string, p: ProgressSample, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? p.bytesDone / elapsedSeconds : 0;
  const parts = [`${label}: ${formatCount(p.packets)} packets`, `${(rate / 1e6).toFixed(1)} MB/s`];
  if (p.bytesTotal > 0) {
    const fraction = Math.min(1, p.bytesDone / p.bytesTotal);
    parts.push(`${(fraction * 100).toFixed(1)} %`);
    if (rate > 0) parts.push(`ETA ${eta((p.bytesTotal - p.bytesDone) / rate)}`);
  }
  return parts.join('  ');
}

/** Whole seconds under a minute ("ETA 7 s"), a short span beyond. */
function eta(seconds: number): string {
  return seconds < 60 ? `${Math.ceil(seconds)} s` : formatSpan(seconds);
}
