/** Compile-time exhaustiveness check: call in the `default` of a switch over a union. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
