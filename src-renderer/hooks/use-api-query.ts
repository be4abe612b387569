/**
 * Runs one API call for the current arguments and keeps the last answer while the next one
 * loads (no flicker on zoom); stale answers are dropped. `req` null = nothing to ask.
 */
import { useEffect, useRef, useState } from 'react';
import type { Method, Requests } from '../../src-shared/api.js';
import { call } from '../api/client.js';

/** The state of a query. */
export interface QueryState<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly loading: boolean;
}

/** Calls `method` with `req` whenever its JSON (or `refresh`) changes. */
export function useApiQuery<M extends Method>(method: M, req: Requests[M]['req'] | null, refresh: unknown = 0): QueryState<Requests[M]['res']> {
  const key = req === null ? null : JSON.stringify(req);
  const [state, setState] = useState<QueryState<Requests[M]['res']>>({ data: null, error: null, loading: req !== null });
  const seq = useRef(0);
  const lastKey = useRef<string | null>(null);
  useEffect(() => {
    if (key === null) {
      lastKey.current = null;
      setState({ data: null, error: null, loading: false });
      return;
    }
    const mine = ++seq.current;
    // A different request clears an error but keeps the old data visible while loading.
    setState((s) => ({ data: s.data, error: lastKey.current === key ? s.error : null, loading: true }));
    lastKey.current = key;
    void call(method, JSON.parse(key) as Requests[M]['req']).then((r) => {
      if (mine !== seq.current) return;
      setState(r.ok ? { data: r.value, error: null, loading: false } : { data: null, error: r.error.message, loading: false });
    });
  }, [method, key, refresh]);
  return state;
}
