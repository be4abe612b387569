/**
 * A virtualized table with a fixed row height: only the rows in the viewport (plus a few) are
 * in the DOM. Past the browser's element-height limit the scroll range is scaled, so millions
 * of rows still scroll end to end.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { JSX, ReactNode } from 'react';

/** A column: header, width (CSS grid track), cell renderer, optional sort key. */
export interface Column<T> {
  readonly id: string;
  readonly header: string;
  readonly width: string;
  readonly align?: 'right';
  readonly sortKey?: string;
  readonly cell: (row: T) => ReactNode;
  readonly title?: (row: T) => string;
}

/** Props of the table. */
export interface VirtualTableProps<T> {
  readonly columns: readonly Column<T>[];
  readonly total: number;
  readonly rowHeight: number;
  rowAt(index: number): T | undefined;
  rowKey(row: T): number;
  /** Called with the visible index range whenever it changes (to load pages). */
  onVisible(first: number, last: number): void;
  readonly sort: { readonly key: string; readonly desc: boolean };
  onSort(key: string): void;
  readonly selectedKey: number | null;
  onSelect(row: T): void;
  readonly testId?: string;
  readonly rowTestId?: string;
  /** Narrower than this, the table scrolls sideways (header included). */
  readonly minWidth?: string;
}

const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN = 6;

/** The table. */
export function VirtualTable<T>(props: VirtualTableProps<T>): JSX.Element {
  const { columns, total, rowHeight, rowAt, rowKey, onVisible, sort, onSort, selectedKey, onSelect } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const template = columns.map((c) => c.width).join(' ');

  useLayoutEffect(() => {
    const el = viewport.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const fullPx = total * rowHeight;
  const spacerPx = Math.min(fullPx, MAX_SCROLL_PX);
  // Scroll position → row position: 1:1 below the limit, scaled above it.
  const ratio = spacerPx > height ? Math.max(1, (fullPx - height) / (spacerPx - height)) : 1;
  const virtualTop = scrollTop * ratio;
  const first = Math.max(0, Math.floor(virtualTop / rowHeight) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((virtualTop + height) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (total > 0) onVisible(first, last);
  }, [first, last, total, onVisible]);

  // A new result set scrolls back to the top when the old position is past its end.
  useEffect(() => {
    const el = viewport.current;
    if (el !== null && el.scrollTop > spacerPx) el.scrollTop = 0;
  }, [spacerPx]);

  const rows: JSX.Element[] = [];
  for (let i = first; i <= last; i++) {
    const row = rowAt(i);
    const top = scrollTop + i * rowHeight - virtualTop;
    if (row === undefined) {
      rows.push(
        <div key={`p${i}`} className="row placeholder" style={{ top, height: rowHeight, gridTemplateColumns: template }}>
          <div>…</div>
        </div>,
      );
      continue;
    }
    const k = rowKey(row);
    rows.push(
      <div
        key={k}
        className={i % 2 === 1 ? 'row alt' : 'row'}
        role="row"
        aria-selected={k === selectedKey}
        aria-rowindex={i + 1}
        data-testid={props.rowTestId}
        data-id={k}
        style={{ top, height: rowHeight, lineHeight: `${rowHeight}px`, gridTemplateColumns: template }}
        onClick={() => onSelect(row)}
      >
        {columns.map((c) => (
          <div key={c.id} className={c.align === 'right' ? 'num' : undefined} title={c.title?.(row)}>
            {c.cell(row)}
          </div>
        ))}
      </div>,
    );
  }

  return (
    <div className="vtable" role="table" aria-rowcount={total} data-testid={props.testId}>
      <div
        ref={viewport}
        className="viewport"
        onScroll={(e) => {
          const t = e.currentTarget.scrollTop;
          window.requestAnimationFrame(() => setScrollTop(t));
        }}
      >
        <div className="inner" style={{ ['--table-min-width' as string]: props.minWidth ?? '1200px' }}>
          <div className="head" role="row" style={{ gridTemplateColumns: template }}>
            {columns.map((c) => (
              <div
                key={c.id}
                role="columnheader"
                className={c.sortKey === undefined ? 'nosort' : c.align === 'right' ? 'num' : undefined}
                aria-sort={c.sortKey !== undefined && c.sortKey === sort.key ? (sort.desc ? 'descending' : 'ascending') : undefined}
                data-testid={c.sortKey === undefined ? undefined : `sort-${c.sortKey}`}
                onClick={() => c.sortKey !== undefined && onSort(c.sortKey)}
              >
                {c.header}
                {c.sortKey !== undefined && c.sortKey === sort.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
              </div>
            ))}
          </div>
          <div style={{ height: spacerPx, position: 'relative' }}>{rows}</div>
        </div>
      </div>
    </div>
  );
}
