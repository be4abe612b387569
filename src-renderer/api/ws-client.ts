/**
 * The contract over WebSocket (`flowbench serve`): numbered calls, answers matched by id, pushed
 * events fanned out to listeners; reconnects with backoff and re-sends calls that had not
 * been answered when the socket dropped.
 */
import type { ApiClient, CallResult, EventName, Events, Method, Requests, ServerFrame } from '../../src-shared/api.js';

/** The connection state shown in the status bar. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Pending {
  readonly frame: string;
  readonly resolve: (r: CallResult<Method>) => void;
}

type Listener = (payload: unknown) => void;

/** A WebSocket ApiClient with reconnect, request ids and events. */
export class WsClient implements ApiClient {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private retryMs = 250;
  private state: ConnectionState = 'connecting';

  constructor(private readonly url: string) {
    this.connect();
  }

  call<M extends Method>(method: M, req: Requests[M]['req']): Promise<CallResult<M>> {
    const id = this.nextId++;
    const frame = JSON.stringify({ type: 'call', id, method, req });
    return new Promise<CallResult<M>>((resolve) => {
      this.pending.set(id, { frame, resolve: resolve as (r: CallResult<Method>) => void });
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
    });
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as Listener;
    set.add(l);
    return () => set.delete(l);
  }

  /** Subscribes to connection state changes; returns the unsubscribe function. */
  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    this.socket = ws;
    this.setState('connecting');
    ws.onopen = () => {
      this.retryMs = 250;
      this.setState('open');
      for (const p of this.pending.values()) ws.send(p.frame);
      // Events missed while disconnected: listeners re-read state on a synthetic change.
      this.emit('sources.changed', { sourceId: null });
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.receive(ev.data);
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.setState('closed');
      window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  private receive(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'result') {
      const p = this.pending.get(frame.id);
      if (p === undefined) return;
      this.pending.delete(frame.id);
      p.resolve(frame.ok ? { ok: true, value: frame.value as never } : { ok: false, error: frame.error });
    } else if (frame.type === 'event') {
      this.emit(frame.event, frame.payload);
    }
  }

  private emit(event: EventName, payload: unknown): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const l of [...set]) {
      try {
        l(payload);
      } catch (e) {
        console.error(`listener for ${event} failed`, e);
      }
    }
  }
}
