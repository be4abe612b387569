import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate, menuLabelForPath, type MenuCommands, type MenuContext } from './menu.js';

function context(over: Partial<MenuContext> = {}): { ctx: MenuContext; log: string[] } {
  const log: string[] = [];
  const commands: MenuCommands = {
    openCapture: () => log.push('openCapture'),
    openRecent: (p) => log.push(`openRecent ${p}`),
    clearRecent: () => log.push('clearRecent'),
    openSample: () => log.push('openSample'),
    exportData: () => log.push('exportData'),
    setTheme: (t) => log.push(`theme ${t}`),
    send: (a) => log.push(`send ${a}`),
    about: () => log.push('about'),
    quit: () => log.push('quit'),
  };
  return { ctx: { platform: 'linux', isDev: false, appName: 'Flowbench', recentFiles: [], theme: 'system', commands, ...over }, log };
}

const items = (m: MenuItemConstructorOptions): MenuItemConstructorOptions[] => (Array.isArray(m.submenu) ? m.submenu : []);
const find = (list: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions => {
  const item = list.find((i) => i.label === label || i.label === `&${label}`);
  assert.ok(item, `menu item ${label}`);
  return item;
};
const click = (item: MenuItemConstructorOptions): void => (item.click as () => void)();

test('the menu bar: File, Edit, Capture, View, Help, and no Models menu yet', () => {
  const { ctx } = context();
  const bar = buildMenuTemplate(ctx);
  assert.deepEqual(bar.map((m) => m.label ?? m.role), ['&File', 'editMenu', '&Capture', '&View', 'help']);
  assert.equal(JSON.stringify(bar).includes('Model'), false);
  const mac = buildMenuTemplate({ ...ctx, platform: 'darwin' }).map((m) => m.label ?? m.role);
  assert.deepEqual(mac, ['appMenu', '&File', 'editMenu', '&Capture', '&View', 'windowMenu']);
});

test('File opens captures and exports', () => {
  const { ctx, log } = context({ recentFiles: ['/caps/a&b.pcap', '/caps/c.pcapng'] });
  const file = items(find(buildMenuTemplate(ctx), 'File'));
  const open = find(file, 'Open Capture…');
  assert.equal(open.accelerator, 'CmdOrCtrl+O');
  assert.equal(open.registerAccelerator, false, 'the page handles the key; registering it too would open two dialogs');
  click(open);
  click(find(file, 'Open Sample Capture'));
  const recent = items(find(file, 'Open Recent'));
  assert.deepEqual(recent.map((i) => i.label ?? i.type), ['/caps/a&&b.pcap', '/caps/c.pcapng', 'separator', 'Clear Recent']);
  click(recent[0] as MenuItemConstructorOptions);
  click(find(recent, 'Clear Recent'));
  click(find(file, 'Quit'));
  const exportItem = find(file, 'Export…');
  assert.notEqual(exportItem.enabled, false);
  click(exportItem);
  assert.deepEqual(log, ['openCapture', 'openSample', 'openRecent /caps/a&b.pcap', 'clearRecent', 'quit', 'exportData']);
  const empty = items(find(items(find(buildMenuTemplate(context().ctx), 'File')), 'Open Recent'));
  assert.deepEqual(empty.map((i) => [i.label, i.enabled]), [['No Recent Captures', false]]);
});

test('Capture items go to the renderer; Theme is a radio group', () => {
  const { ctx, log } = context({ theme: 'dark' });
  const bar = buildMenuTemplate(ctx);
  for (const item of items(find(bar, 'Capture'))) click(item);
  const theme = items(find(items(find(bar, 'View')), 'Theme'));
  assert.deepEqual(theme.map((i) => [i.label, i.type, i.checked]), [['System', 'radio', false], ['Light', 'radio', false], ['Dark', 'radio', true]]);
  click(find(theme, 'Light'));
  assert.deepEqual(log, ['send capture.start', 'send capture.stop', 'theme light']);
});

test('Reload and DevTools only in development', () => {
  const roles = (isDev: boolean): unknown[] => items(find(buildMenuTemplate(context({ isDev }).ctx), 'View')).map((i) => i.role);
  assert.equal(roles(false).includes('toggleDevTools'), false);
  assert.equal(roles(false).includes('reload'), false);
  assert.deepEqual(roles(true).slice(-2), ['reload', 'toggleDevTools']);
  assert.ok(roles(false).includes('zoomIn') && roles(false).includes('resetZoom'));
});

test('ampersands in paths are not mnemonics', () => {
  assert.equal(menuLabelForPath('/R&D/x.pcap'), '/R&&D/x.pcap');
});
