/**
 * The analytics page's charts as server-rendered SVG: a bar chart (histogram) and a timeline of
 * submissions against a due date. No charting library: a few rectangles and lines are all these
 * need, they read without JavaScript (and under the hub's CSP, which allows no inline script or
 * style: only presentation attributes are used), and every text goes through html`` (escaped).
 * Each chart has a <title> and <desc> (role="img", aria-labelledby) and text labels on the axes
 * and bars, and the page puts the same numbers in a table beside it.
 */
import { html, type SafeHtml } from '../layout.js';

const WIDTH = 480;
const HEIGHT = 200;
const LEFT = 40;
const BOTTOM = 36;
const TOP = 16;

let chartCounter = 0;
const chartId = (prefix: string) => `${prefix}-${(chartCounter = (chartCounter + 1) % 1_000_000)}`;

export interface Bar {
  label: string;
  count: number;
}

/** A histogram: one bar per bin with its count above it and its range below. */
export function barChartSvg(options: { title: string; desc: string; bars: Bar[]; xLabel: string }): SafeHtml {
  const id = chartId('chart');
  const { bars } = options;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const step = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.max(2, step * 0.8);
  const rects = bars.map((bar, i) => {
    const h = (bar.count / max) * plotHeight;
    const x = LEFT + i * step + (step - barWidth) / 2;
    const y = TOP + plotHeight - h;
    return html`<g class="bar" data-label="${bar.label}" data-count="${bar.count}">
      <rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="#4a78b5"><title>${bar.label}: ${bar.count}</title></rect>
      <text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="10" text-anchor="middle">${bar.count}</text>
      <text x="${(x + barWidth / 2).toFixed(1)}" y="${(TOP + plotHeight + 12).toFixed(1)}" font-size="9" text-anchor="middle">${bar.label}</text>
    </g>`;
  });
  return html`<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">
    <title id="${id}-title">${options.title}</title>
    <desc id="${id}-desc">${options.desc}</desc>
    <line x1="${LEFT}" y1="${TOP + plotHeight}" x2="${WIDTH - 8}" y2="${TOP + plotHeight}" stroke="#555" />
    <line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotHeight}" stroke="#555" />
    <text x="${LEFT - 4}" y="${TOP + 4}" font-size="10" text-anchor="end">${max}</text>
    <text x="${LEFT - 4}" y="${TOP + plotHeight}" font-size="10" text-anchor="end">0</text>
    ${rects}
    <text x="${LEFT + plotWidth / 2}" y="${HEIGHT - 4}" font-size="11" text-anchor="middle">${options.xLabel}</text>
  </svg>`;
}

/**
 * Submissions over time: the running count of submissions as a step line, the due date as a
 * dashed vertical line, late submissions as red marks on the time axis.
 */
export function timelineSvg(options: {
  title: string;
  desc: string;
  /** Milliseconds since the epoch, oldest first. */
  points: { at: number; late: boolean }[];
  due: number | null;
  formatTime: (ms: number) => string;
}): SafeHtml {
  const id = chartId('timeline');
  const { points, due } = options;
  const times = points.map((p) => p.at);
  if (due !== null) times.push(due);
  const start = Math.min(...times);
  const end = Math.max(...times);
  const span = Math.max(1, end - start);
  const plotWidth = WIDTH - LEFT - 16;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const xOf = (t: number) => LEFT + ((t - start) / span) * plotWidth;
  const total = Math.max(1, points.length);
  const yOf = (n: number) => TOP + plotHeight - (n / total) * plotHeight;
  let path = `M${xOf(start).toFixed(1)},${yOf(0).toFixed(1)}`;
  points.forEach((p, i) => {
    path += ` H${xOf(p.at).toFixed(1)} V${yOf(i + 1).toFixed(1)}`;
  });
  const late = points.filter((p) => p.late);
  const dueLine =
    due === null
      ? ''
      : html`<line class="due" x1="${xOf(due).toFixed(1)}" y1="${TOP}" x2="${xOf(due).toFixed(1)}" y2="${TOP + plotHeight}" stroke="#b00" stroke-dasharray="4 3" />
        <text x="${xOf(due).toFixed(1)}" y="${TOP - 4}" font-size="10" text-anchor="middle" fill="#b00">due</text>`;
  return html`<svg class="chart timeline" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">
    <title id="${id}-title">${options.title}</title>
    <desc id="${id}-desc">${options.desc}</desc>
    <line x1="${LEFT}" y1="${TOP + plotHeight}" x2="${WIDTH - 16}" y2="${TOP + plotHeight}" stroke="#555" />
    <line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotHeight}" stroke="#555" />
    <text x="${LEFT - 4}" y="${TOP + 4}" font-size="10" text-anchor="end">${points.length}</text>
    <text x="${LEFT - 4}" y="${TOP + plotHeight}" font-size="10" text-anchor="end">0</text>
    <path d="${path}" fill="none" stroke="#4a78b5" stroke-width="1.5" />
    ${dueLine}
    ${late.map(
      (p) =>
        html`<circle class="late" cx="${xOf(p.at).toFixed(1)}" cy="${(TOP + plotHeight).toFixed(1)}" r="3" fill="#b00"><title>late: ${options.formatTime(p.at)}</title></circle>`,
    )}
    <text x="${LEFT}" y="${HEIGHT - 4}" font-size="9">${options.formatTime(start)}</text>
    <text x="${WIDTH - 16}" y="${HEIGHT - 4}" font-size="9" text-anchor="end">${options.formatTime(end)}</text>
    <text x="${LEFT + plotWidth / 2}" y="${HEIGHT - 4}" font-size="11" text-anchor="middle">time (UTC); red: late</text>
  </svg>`;
}
