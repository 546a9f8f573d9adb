/* Inline SVG line charts (no script, no external resource): for the HTML report and the dashboard. */

export interface ChartLine {
  label: string;
  colour: string;
  /** [epoch ms, value]; a null value is a gap */
  points: [number, number | null][];
}

export interface ChartSpec {
  /** data-chart attribute: latency, errorRate, cpu, memory */
  id: string;
  title: string;
  unit: string;
  lines: ChartLine[];
  /** Drawn as a dashed red line, labelled. */
  threshold?: number;
}

const W = 280;
const H = 160;
const PAD = { left: 44, right: 10, top: 22, bottom: 24 };

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10));

/** One chart as an <svg> element string. */
export function lineChart(spec: ChartSpec): string {
  const all = spec.lines.flatMap((l) => l.points);
  const xs = all.map(([t]) => t);
  const ys = all.map(([, v]) => v).filter((v): v is number => v !== null);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const yMax = Math.max(1, ...ys, spec.threshold ?? 0) * 1.1;
  const px = (t: number) => PAD.left + (x1 === x0 ? (W - PAD.left - PAD.right) / 2 : ((t - x0) / (x1 - x0)) * (W - PAD.left - PAD.right));
  const py = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    `<text x="${PAD.left}" y="14" class="ct">${escapeHtml(spec.title)} (${escapeHtml(spec.unit)})</text>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" class="axis"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" class="axis"/>`,
    `<text x="${PAD.left - 4}" y="${py(yMax / 1.1) + 4}" text-anchor="end" class="tick">${fmt(yMax / 1.1)}</text>`,
    `<text x="${PAD.left - 4}" y="${H - PAD.bottom + 4}" text-anchor="end" class="tick">0</text>`,
  ];
  if (xs.length) {
    const secs = Math.round((x1 - x0) / 1000);
    parts.push(`<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end" class="tick">${secs} s</text>`);
  }
  if (spec.threshold !== undefined) {
    const y = py(spec.threshold);
    parts.push(
      `<line x1="${PAD.left}" y1="${y}" x2="${W - PAD.right}" y2="${y}" class="threshold" data-threshold="${spec.threshold}" stroke="#c0392b" stroke-dasharray="5 3"/>`,
      `<text x="${W - PAD.right}" y="${y - 3}" text-anchor="end" class="tick" fill="#c0392b">threshold ${fmt(spec.threshold)}</text>`,
    );
  }
  spec.lines.forEach((l, i) => {
    const segments: string[][] = [[]];
    for (const [t, v] of l.points) {
      if (v === null) segments.push([]);
      else segments.at(-1)?.push(`${px(t).toFixed(1)},${py(v).toFixed(1)}`);
    }
    for (const seg of segments.filter((s) => s.length > 0)) {
      if (seg.length === 1) {
        const [cx, cy] = (seg[0] ?? '0,0').split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${l.colour}" data-series="${escapeHtml(l.label)}"/>`);
      } else
        parts.push(
          `<polyline points="${seg.join(' ')}" fill="none" stroke="${l.colour}" stroke-width="1.6" data-series="${escapeHtml(l.label)}"/>`,
        );
    }
    parts.push(`<text x="${PAD.left + 6 + i * 60}" y="${PAD.top + 10}" class="tick" fill="${l.colour}">${escapeHtml(l.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
