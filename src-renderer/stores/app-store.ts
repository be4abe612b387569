/** The host (app.info) and the connection state of the transport. */
import { create } from 'zustand';
import type { AppInfo } from '../../src-shared/api.js';
import { call, onConnectionState } from '../api/client.js';
import type { ConnectionState } from '../api/ws-client.js';

interface AppState {
  readonly info: AppInfo | null;
  readonly connection: ConnectionState;
  load(): Promise<void>;
}

/** Host facts and connection state. */
export const useApp = create<AppState>()((set) => ({
  info: null,
  connection: 'connecting',
  load: async () => {
    const r = await call('app.info', {});
    if (r.ok) set({ info: r.value });
  },
}));

onConnectionState((connection) => {
  useApp.setState({ connection });
  if (connection === 'open') void useApp.getState().load();
});
