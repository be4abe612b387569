/**
 * Flow rows fetched on demand by page (offset/limit of flows.page) with a small LRU cache.
 * A new query (source, filter, sort) empties it; a data refresh keeps rows on screen and
 * re-reads the pages in view.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FlowFilter, FlowRow, FlowSortColumn } from '../../../src-shared/api.js';
import { call } from '../../api/client.js';

/** Rows per flows.page request. */
export const PAGE_SIZE = 200;
const MAX_PAGES = 40;

/** What the flows table asks for. */
export interface FlowQuery {
  readonly sourceId: number;
  readonly filter: FlowFilter;
  readonly sort: { readonly column: FlowSortColumn; readonly desc: boolean };
}

/** The cache's face to the table. */
export interface FlowPages {
  /** Matching rows (null until the first answer). */
  readonly total: number | null;
  readonly error: string | null;
  rowAt(index: number): FlowRow | undefined;
  /** Makes sure rows first..last are loaded (or loading). */
  ensure(first: number, last: number): void;
}

/** Paged flow rows for a query; `version` bumps re-read the visible pages. */
export function useFlowPages(query: FlowQuery | null, version: number): FlowPages {
  const key = query === null ? null : JSON.stringify(query);
  const pages = useRef(new Map<number, readonly FlowRow[]>());
  const loading = useRef(new Set<number>());
  const stale = useRef(new Set<number>());
  const generation = useRef(0);
  const visible = useRef<[number, number]>([0, 0]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, setTick] = useState(0);

  const fetchPage = useCallback(
    (page: number) => {
      if (key === null || loading.current.has(page)) return;
      const gen = generation.current;
      loading.current.add(page);
      const q = JSON.parse(key) as FlowQuery;
      void call('flows.page', { ...q, limit: PAGE_SIZE, offset: page * PAGE_SIZE }).then((r) => {
        if (gen !== generation.current) return;
        loading.current.delete(page);
        stale.current.delete(page);
        if (!r.ok) {
          setError(r.error.message);
          return;
        }
        setError(null);
        const map = pages.current;
        map.delete(page);
        map.set(page, r.value.rows);
        while (map.size > MAX_PAGES) {
          const oldest = map.keys().next().value;
          if (oldest === undefined) break;
          map.delete(oldest);
        }
        setTotal(r.value.total);
        setTick((t) => t + 1);
      });
    },
    [key],
  );

  const ensure = useCallback(
    (first: number, last: number) => {
      visible.current = [first, last];
      const a = Math.max(0, Math.floor(first / PAGE_SIZE));
      const b = Math.max(a, Math.floor(Math.max(first, last) / PAGE_SIZE));
      for (let p = a; p <= b; p++) {
        if (!pages.current.has(p) || stale.current.has(p)) fetchPage(p);
      }
    },
    [fetchPage],
  );

  // A new query: forget everything and read the first page (which gives the total).
  useEffect(() => {
    generation.current++;
    pages.current.clear();
    loading.current.clear();
    stale.current.clear();
    setTotal(null);
    setError(null);
    setTick((t) => t + 1);
    if (key !== null) fetchPage(0);
  }, [key, fetchPage]);

  // New data: keep rows on screen, re-read what is visible.
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version === firstVersion.current) return;
    generation.current++;
    loading.current.clear();
    for (const p of pages.current.keys()) stale.current.add(p);
    const [first, last] = visible.current;
    ensure(first, last);
  }, [version, ensure]);

  const rowAt = useCallback((index: number): FlowRow | undefined => {
    const page = pages.current.get(Math.floor(index / PAGE_SIZE));
    return page?.[index % PAGE_SIZE];
  }, []);

  return { total, error, rowAt, ensure };
}
