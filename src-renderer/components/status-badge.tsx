/** A source status as a coloured badge. */
import type { JSX } from 'react';
import type { SourceStatus } from '../../src-shared/api.js';

/** complete / partial / ingesting / failed. */
export function StatusBadge({ status }: { status: SourceStatus }): JSX.Element {
  return <span className={`badge ${status}`}>{status}</span>;
}
