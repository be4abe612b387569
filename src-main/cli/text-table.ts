/** Plain-text tables with aligned columns (no colours, so output pipes and diffs cleanly). */

/** One column: its heading and which side its cells align to. */
export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
}

/** Renders rows under headings, columns separated by two spaces, each line indented. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    indent + columns.map((c, i) => {
      const cell = cells[i] ?? '';
      const w = widths[i]!;
      return c.align === 'right' ? cell.padStart(w) : cell.padEnd(w);
    }).join('  ').trimEnd() + '\n';
  return line(columns.map((c) => c.title)) + rows.map(line).join('');
}

/** Renders "label: value" lines with the values aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const w = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(w)}  ${value}\n`).join('');
}
