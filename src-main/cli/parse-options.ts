import { parseArgs } from 'node:util';
import { err, ok, type Result } from '../../src-shared/result.js';

/** Boolean and string options a command accepts (long names; `short` is one letter). */
export type OptionSpec = Record<string, { readonly type: 'boolean' | 'string'; readonly short?: string }>;

/** Parsed command line: option values by long name and the positional arguments. */
export interface ParsedOptions {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments strictly (unknown options are errors), returning a one-line
 * reason instead of throwing, so usage mistakes never print a stack.
 */
export function parseOptions(args: readonly string[], options: OptionSpec): Result<ParsedOptions> {
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return ok({ values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return err({ code: 'invalid_argument', message });
  }
}
