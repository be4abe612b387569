/** An ApiClient that calls a Workbench in the same process (CLI, tests). */
import type { ApiClient, CallResult, EventName, Events, Method, Requests } from '../../src-shared/api.js';
import type { Workbench } from './workbench.js';

/** Wraps a workbench as the contract's client; arguments are validated like any transport's. */
export function createDirectClient(wb: Workbench): ApiClient {
  return {
    call: async <M extends Method>(method: M, req: Requests[M]['req']): Promise<CallResult<M>> =>
      (await wb.call(method, req)) as CallResult<M>,
    on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void): (() => void) =>
      wb.onEvent((name, payload) => {
        if ((name as EventName) === event) listener(payload as Events[E]);
      }),
  };
}
