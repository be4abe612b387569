import type { CliIo } from './cli-command.js';

/** A CliIo that records what a command writes (for tests). */
export interface RecordingIo extends CliIo {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Creates a recording CliIo; `errIsTty` chooses how progress lines behave. */
export function recordingIo(errIsTty = false): RecordingIo {
  let out = '';
  let err = '';
  return {
    out: (t) => { out += t; },
    err: (t) => { err += t; },
    errIsTty,
    stdout: () => out,
    stderr: () => err,
  };
}
