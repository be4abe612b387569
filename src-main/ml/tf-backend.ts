/**
 * Loads TensorFlow.js with the fastest backend that works here: `@tensorflow/tfjs-node`
 * (native TensorFlow) if it loads, else the wasm backend with its .wasm files read from the
 * installed package (no network), else the plain JS cpu backend. The same model code runs on
 * all three; the name chosen is recorded in each model's report.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfNamespace from '@tensorflow/tfjs';

/** The tfjs namespace (the union API all backends share). */
export type Tf = typeof TfNamespace;

/** Which backend runs: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** A loaded tfjs with its backend, and why faster ones were skipped. */
export interface LoadedTf {
  readonly tf: Tf;
  readonly backend: BackendName;
  readonly notes: readonly string[];
}

let loading: Promise<LoadedTf> | null = null;

/**
 * Loads tfjs once per thread. `prefer` forces a backend (tests, the bench); an unavailable
 * preference falls through to the next one.
 */
export function loadTf(prefer?: BackendName): Promise<LoadedTf> {
  loading ??= pick(prefer ?? readPreference());
  return loading;
}

function readPreference(): BackendName | undefined {
  const v = process.env['FLOWBENCH_TF_BACKEND'];
  return v === 'tensorflow' || v === 'wasm' || v === 'cpu' ? v : undefined;
}

async function pick(prefer: BackendName | undefined): Promise<LoadedTf> {
  const notes: string[] = [];
  if (prefer === undefined || prefer === 'tensorflow') {
    try {
      // Optional dependency: absent (or without its native library) on most machines here.
      const name = '@tensorflow/tfjs-node';
      const tfn = (await import(name)) as Tf;
      await tfn.setBackend('tensorflow');
      await tfn.ready();
      return { tf: tfn, backend: 'tensorflow', notes };
    } catch (e) {
      notes.push(`tfjs-node unavailable: ${firstLine(e)}`);
    }
  }
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
  if (prefer !== 'cpu') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmDir());
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm', notes };
      }
      notes.push('wasm backend did not initialise');
    } catch (e) {
      notes.push(`wasm backend unavailable: ${firstLine(e)}`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu', notes };
}

/** The folder of the installed wasm backend's .wasm files, with a trailing slash. */
function wasmDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  // main is …/tfjs-backend-wasm/dist/index.js (or dist/tf-backend-wasm.node.js).
  return `${join(dirname(main), '/')}`;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
