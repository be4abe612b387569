/** Reader warnings of a damaged file as sentences naming the file, byte offset and record. */
import type { JSX } from 'react';
import type { ReadWarning } from '../../src-shared/capture-summary.js';
import { formatCount } from '../format/units.js';

/** "capture.pcap, byte offset 1,234 (record 7): truncated record". */
export function warningSentence(file: string, w: ReadWarning): string {
  return `${file}, byte offset ${formatCount(w.offset)} (record ${formatCount(w.record)}): ${w.message}`;
}

/** A list of warnings, at most `max` shown. */
export function Warnings({ file, warnings, max = 5 }: { file: string; warnings: readonly ReadWarning[]; max?: number }): JSX.Element | null {
  if (warnings.length === 0) return null;
  return (
    <ul className="warn-list" data-testid="source-warnings">
      {warnings.slice(0, max).map((w, i) => (
        <li key={i}>⚠ {warningSentence(file, w)}</li>
      ))}
      {warnings.length > max && <li>… and {formatCount(warnings.length - max)} more</li>}
    </ul>
  );
}
