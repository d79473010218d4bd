import type { JobsPerMinuteBucket } from '@fleetwright/client';
import { html, type SafeHtml } from '../render.js';

const WIDTH = 1000;
const HEIGHT = 200;
const PAD = { left: 36, right: 8, top: 10, bottom: 22 };

/**
 * Jobs finished per minute (bar height) and how many of them failed (red part), oldest minute on
 * the left, the current minute on the right. Plain SVG: no chart library.
 */
export function jobsChart(minutes: JobsPerMinuteBucket[]): SafeHtml {
  const finished = minutes.map((m) => m.succeeded + m.failed + m.cancelled);
  const max = Math.max(1, ...finished);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, minutes.length);
  const barW = Math.max(1, slot * 0.75);
  const y = (n: number): number => PAD.top + plotH - (n / max) * plotH;
  const bars = minutes.map((m, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const total = finished[i]!;
    const time = new Date(m.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return html`<g data-minute="${m.at}" data-finished="${total}" data-failed="${m.failed}">
      <title>${time}: ${total} finished (${m.succeeded} succeeded, ${m.failed} failed, ${m.cancelled} cancelled)</title>
      ${total > 0 ? html`<rect class="bar-finished" x="${x.toFixed(1)}" y="${y(total).toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - y(total)).toFixed(1)}"></rect>` : ''}
      ${m.failed > 0 ? html`<rect class="bar-failed" x="${x.toFixed(1)}" y="${y(m.failed).toFixed(1)}" width="${barW.toFixed(1)}" height="${(PAD.top + plotH - y(m.failed)).toFixed(1)}"></rect>` : ''}
    </g>`;
  });
  const ticks = [0, Math.round(max / 2), max].filter((v, i, all) => all.indexOf(v) === i);
  const span = minutes.length;
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="jobs finished and failed per minute over the last ${span} minutes" data-chart="jobs-per-minute">
    ${ticks.map((t) => html`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"></line><text class="axis" x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`)}
    ${bars}
    <text class="axis" x="${PAD.left}" y="${HEIGHT - 6}">−${span} min</text>
    <text class="axis" x="${PAD.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">−${Math.round(span / 2)} min</text>
    <text class="axis" x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end">now</text>
  </svg>
  <p class="legend"><span class="key key-finished"></span> finished <span class="key key-failed"></span> failed</p>`;
}
