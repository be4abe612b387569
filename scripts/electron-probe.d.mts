// Types of electron-probe.mjs for TypeScript importers (e2e/electron-launch.ts).

/** How long `electron --version` may take before the binary counts as unusable. */
export declare const PROBE_TIMEOUT_MS: number;

/** Where the Electron executable would be, or why there is none. */
export declare function locateElectron(
  env?: NodeJS.ProcessEnv,
): { executable: string; reason: null } | { executable: null; reason: string };

/** Whether Electron can run here, why (or why not), and the binary and version found. */
export declare function electronAvailability(options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): {
  available: boolean;
  reason: string;
  executable: string | null;
  version: string | null;
};
