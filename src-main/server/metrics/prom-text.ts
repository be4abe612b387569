/**
 * Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` once per family, then its
 * samples, label values escaped (`\\`, `"`, `\n`), HELP text escaped (`\\`, `\n`), values as
 * Go prints floats (`+Inf`, `-Inf`, `NaN`). Pure: families in, text out.
 */

/** Content-Type of the exposition. */
export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label names and values of one sample. */
export type Labels = Readonly<Record<string, string>>;

/** One counter or gauge sample. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** One histogram series: cumulative bucket counts for `bounds`, then sum and count. */
export interface HistogramSample {
  readonly labels: Labels;
  /** Upper bounds, ascending, without +Inf. */
  readonly bounds: readonly number[];
  /** counts[i] = observations ≤ bounds[i] (cumulative). */
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** A metric family. */
export type Family =
  | { readonly name: string; readonly help: string; readonly type: 'counter' | 'gauge'; readonly samples: readonly Sample[] }
  | { readonly name: string; readonly help: string; readonly type: 'histogram'; readonly samples: readonly HistogramSample[] };

/** A number as the format writes it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels, extra?: readonly [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** The exposition text of the families, in the order given. */
export function formatFamilies(families: readonly Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === 'histogram') {
      for (const h of f.samples) {
        h.bounds.forEach((b, i) => out.push(`${f.name}_bucket${labelText(h.labels, ['le', formatValue(b)])} ${formatValue(h.cumulative[i] ?? 0)}`));
        out.push(`${f.name}_bucket${labelText(h.labels, ['le', '+Inf'])} ${formatValue(h.count)}`);
        out.push(`${f.name}_sum${labelText(h.labels)} ${formatValue(h.sum)}`);
        out.push(`${f.name}_count${labelText(h.labels)} ${formatValue(h.count)}`);
      }
    } else {
      for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** A histogram being filled: fixed bounds, one series. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(v: number): void {
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  sample(labels: Labels): HistogramSample {
    return { labels, bounds: this.bounds, cumulative: [...this.counts], sum: this.sum, count: this.count };
  }
}
