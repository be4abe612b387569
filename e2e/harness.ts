/**
 * What every browser journey needs: a real `flowbench serve` on a fresh workspace file, Debian's
 * Chromium driven by playwright-core (no browser download), and screenshots kept as artifacts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../test/corpus-paths.js';

/** Debian's Chromium (`apt-get install chromium`); `$FLOWBENCH_CHROMIUM` overrides. */
export const chromiumPath = process.env['FLOWBENCH_CHROMIUM'] ?? '/usr/bin/chromium';

/** Where journeys save their screenshots. */
export const artifactsDir = resolve(repoRoot, 'e2e', 'artifacts');

/** Why the browser journeys cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (apt-get install chromium)`;
  if (!existsSync(join(repoRoot, 'dist-renderer', 'index.html'))) return 'the renderer is not built (npm run build)';
  if (!existsSync(join(repoRoot, 'dist', 'src-main', 'cli', 'serve-command.js'))) return 'flowbench serve is not built (npm run build)';
  return null;
}

/** A running `flowbench serve` on its own temporary workspace. */
export interface Served {
  readonly url: string;
  readonly dbPath: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts `bin/flowbench serve --port 0` on a new workspace and resolves once it listens. */
export async function startServer(extraArgs: readonly string[] = []): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbench-e2e-'));
  const dbPath = join(dir, 'workspace.db');
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'flowbench'), 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbPath, ...extraArgs],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let errText = '';
  child.stderr?.on('data', (d: Buffer) => (errText += d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`flowbench serve did not start in 15 s: ${out}${errText}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving (http:\/\/\S+?)\/?\s/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`flowbench serve exited (${code}): ${out}${errText}`));
    });
  });
  return {
    url,
    dbPath,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with the flags this closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as `e2e/artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * Runs one journey: a fresh `flowbench serve` and browser page, `body` on it, then checks that
 * the page threw no uncaught error; always cleans up. Dialogs (window.confirm) are accepted.
 */
export async function journey(body: (page: Page, served: Served) => Promise<void>): Promise<void> {
  const served = await startServer();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(served.url);
    await body(page, served);
    if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.join(' | ')}`);
  } finally {
    await browser?.close();
    await served.stop();
  }
}

/** Polls an attribute of the first element matching `selector` until `ok` holds; returns it. */
export async function waitAttr(page: Page, selector: string, attr: string, ok: (v: string) => boolean, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let v = '';
  while (Date.now() < deadline) {
    const el = page.locator(selector).first();
    v = (await el.count()) > 0 ? ((await el.getAttribute(attr)) ?? '') : '';
    if (ok(v)) return v;
    await page.waitForTimeout(50);
  }
  throw new Error(`${selector} ${attr} never matched (last: "${v}")`);
}
