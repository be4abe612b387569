/** Chart colours per theme (SVG attributes cannot read CSS variables reliably). */
import type { CSSProperties } from 'react';
import { useTheme } from '../stores/theme-store.js';

/** Colours a chart needs. */
export interface Palette {
  readonly tcp: string;
  readonly udp: string;
  readonly icmp: string;
  readonly other: string;
  readonly line1: string;
  readonly line2: string;
  readonly line3: string;
  readonly line4: string;
  readonly bar: string;
  readonly up: string;
  readonly down: string;
  readonly grid: string;
  readonly axis: string;
  readonly tooltipBg: string;
  readonly tooltipBorder: string;
  readonly text: string;
}

const LIGHT: Palette = {
  tcp: '#2563eb', udp: '#16a34a', icmp: '#f59e0b', other: '#9333ea',
  line1: '#2563eb', line2: '#dc2626', line3: '#0891b2', line4: '#c2410c',
  bar: '#3b82f6', up: '#2563eb', down: '#ea580c',
  grid: '#e5e7eb', axis: '#6b7280', tooltipBg: '#ffffff', tooltipBorder: '#d1d5db', text: '#1c2330',
};

const DARK: Palette = {
  tcp: '#5b8cff', udp: '#4ade80', icmp: '#fbbf24', other: '#c084fc',
  line1: '#5b8cff', line2: '#f87171', line3: '#22d3ee', line4: '#fb923c',
  bar: '#5b8cff', up: '#5b8cff', down: '#fb923c',
  grid: '#2e3442', axis: '#98a2b3', tooltipBg: '#1a1e26', tooltipBorder: '#2e3442', text: '#e3e7ee',
};

/** The palette of the current theme. */
export function usePalette(): Palette {
  return useTheme((s) => (s.theme === 'dark' ? DARK : LIGHT));
}

/** Tooltip styles for recharts. */
export function tooltipStyle(p: Palette): { contentStyle: CSSProperties; labelStyle: CSSProperties; itemStyle: CSSProperties } {
  return {
    contentStyle: { background: p.tooltipBg, border: `1px solid ${p.tooltipBorder}`, borderRadius: 6, fontSize: 12 },
    labelStyle: { color: p.text },
    itemStyle: { padding: 0 },
  };
}
