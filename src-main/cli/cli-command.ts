/**
 * What a `flowbench` sub-command is: a name, its help, and a run function returning the exit
 * code. Adding a command (ingest, query, capture, serve, export, simulate) is one file
 * exporting a CliCommand plus one line in main.ts's list.
 */

/** Where a command writes; the real process or a test's buffers. */
export interface CliIo {
  /** Writes to standard output as is (callers add newlines). */
  readonly out: (text: string) => void;
  /** Writes to standard error as is. */
  readonly err: (text: string) => void;
  /** True when standard error is a terminal (progress lines redraw in place). */
  readonly errIsTty: boolean;
}

/** One sub-command of `flowbench`. */
export interface CliCommand {
  /** The word typed after `flowbench`. */
  readonly name: string;
  /** Arguments as shown in the command list, e.g. "FILE [--json]". */
  readonly synopsis: string;
  /** One line for `flowbench --help`. */
  readonly description: string;
  /** Full text of `flowbench NAME --help`. */
  readonly help: string;
  /** Runs the command on the arguments after its name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes every command uses. */
export const ExitCode = {
  OK: 0,
  /** Nothing could be done: bad usage, no such file, not a capture, permission. */
  FAILED: 1,
  /** Partial result: the input was damaged part-way; what was valid before is reported. */
  PARTIAL: 2,
  /** Interrupted by the user (SIGINT), as shells report 128 + 2. */
  INTERRUPTED: 130,
} as const;
