/** `jobs.*` and `capture.*`: the long jobs of the workbench. */
import { err, ok } from '../../src-shared/result.js';
import { listInterfaces } from '../capture/interfaces.js';
import type { CaptureJobs } from './capture-jobs.js';
import type { HandlerGroup, WorkbenchContext } from './context.js';

type JobMethod = 'jobs.list' | 'jobs.cancel' | 'capture.interfaces' | 'capture.start' | 'capture.stop';

/** Handlers of jobs and live capture; `cancelOther` cancels jobs owned elsewhere (training). */
export function jobHandlers(ctx: WorkbenchContext, captures: CaptureJobs, cancelOther: (jobId: string) => boolean = () => false): HandlerGroup<JobMethod> {
  return {
    'jobs.list': () => ok(ctx.jobs.list()),
    'jobs.cancel': ({ jobId }) => {
      if (ctx.ingest.cancel(jobId) || captures.stop(jobId) || cancelOther(jobId)) return ok(null);
      return ctx.jobs.get(jobId) === undefined
        ? err({ code: 'not_found', message: `jobId: no job ${jobId}` })
        : ok(null); // already finished: nothing to cancel
    },
    'capture.interfaces': () => {
      const all = listInterfaces();
      if (!all.ok) return all;
      return ok(
        all.value.map((i) => ({
          name: i.name, description: i.description, addresses: i.addresses.map((a) => a.address),
          up: i.up ?? false, running: i.running ?? false, loopback: i.loopback,
        })),
      );
    },
    'capture.start': (req) => captures.start(req),
    'capture.stop': ({ jobId }) =>
      captures.stop(jobId) ? ok(null) : err({ code: 'not_found', message: `jobId: no running capture ${jobId}` }),
  };
}
