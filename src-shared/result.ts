/** Error codes that cross a boundary (CLI exit, IPC, WebSocket, worker message). */
export type ErrorCode =
  | 'not_found'
  | 'permission_denied'
  | 'not_a_capture'
  | 'unsupported'
  | 'truncated'
  | 'corrupt'
  | 'invalid_argument'
  | 'cancelled'
  | 'io_error'
  | 'internal';

/** An error as a value: a code for programs, a sentence for people. */
export interface AppError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Success or a typed error; errors cross boundaries as values, never as stacks. */
export type Result<T, E extends AppError = AppError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/** Wraps a value as a successful Result. */
export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

/** Wraps an error as a failed Result. */
export function err<E extends AppError>(error: E): Result<never, E> {
  return { ok: false, error };
}
