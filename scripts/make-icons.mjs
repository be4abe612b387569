// Renders assets/icon.svg to the PNG sizes electron-builder and the window use
// (assets/icon.png at 1024 px; builder derives .icns and .ico from it), with Debian's Chromium.
// Run after editing the SVG: node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { chromium } from 'playwright-core';

const svg = readFileSync(new URL('../assets/icon.svg', import.meta.url), 'utf8');
const sizes = [
  [1024, '../assets/icon.png'],
  [256, '../assets/icon-256.png'],
];
const browser = await chromium.launch({ executablePath: process.env['FLOWBENCH_CHROMIUM'] ?? '/usr/bin/chromium' });
try {
  for (const [size, out] of sizes) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg style="display:block;width:${size}px;height:${size}px" `)}</body></html>`);
    await page.screenshot({ path: new URL(out, import.meta.url).pathname, omitBackground: true });
    await page.close();
    console.log(`${out.slice(3)}: ${size}×${size}`);
  }
} finally {
  await browser.close();
}
