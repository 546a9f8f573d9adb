import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Element } from 'domhandler';
import { reportHtml } from '../../../cli/report-html.js';
import { costOfTransitions } from '../../../lib/rollout/cost.js';
import type { RolloutRecord } from '../../../lib/state/types.js';

const record = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/records/rolled-back.json'), 'utf8')) as RolloutRecord;
const all = (html: string, test: (e: Element) => boolean) => findAll(test, parseDocument(html).children) as Element[];

test('a self-contained page: timeline, checks with value/threshold/passed, four charts with thresholds, cost', () => {
  const cost = costOfTransitions([{ state: 'ValidateBundle', type: 'Task', at: 0 }], 1000);
  const html = reportHtml({ ...record, cost }, null);
  expect(all(html, (e) => ['script', 'link', 'img', 'iframe'].includes(e.name))).toHaveLength(0);
  expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  expect(all(html, (e) => e.name === 'tr' && getAttributeValue(e, 'class') === 'phase failed').map((e) => textContent(e))).toEqual([
    expect.stringMatching(/^2verify-metricsfailed2026-01-01T00:00:05.000Z55 s/),
  ]);
  expect(all(html, (e) => e.name === 'tr' && (getAttributeValue(e, 'class') ?? '').startsWith('check')).map((e) => textContent(e))).toEqual(
    ['health2002xx✓ passed', 'memoryPercent93.2%80%✗ failed'],
  );
  const svgs = all(html, (e) => e.name === 'svg');
  expect(svgs.map((s) => getAttributeValue(s, 'data-chart'))).toEqual(['latency', 'errorRate', 'cpu', 'memory']);
  const thresholds = all(html, (e) => getAttributeValue(e, 'data-threshold') !== undefined).map((e) =>
    getAttributeValue(e, 'data-threshold'),
  );
  expect(thresholds).toEqual(['70', '80']);
  const latencyLines = findAll((e) => e.name === 'polyline', (svgs[0] as Element).children) as Element[];
  expect(latencyLines.map((l) => [getAttributeValue(l, 'data-series'), (getAttributeValue(l, 'points') ?? '').split(' ').length])).toEqual([
    ['p50', 2],
    ['p95', 2],
  ]);
  expect(textContent(all(html, (e) => getAttributeValue(e, 'class') === 'cost')[0] as Element)).toMatch(/^AWS cost: ≈ \$/);
});

test('values from a bundle are escaped', () => {
  const html = reportHtml({ ...record, name: '<script>alert(1)</script>' }, null);
  expect(all(html, (e) => e.name === 'script')).toHaveLength(0);
  expect(html).toContain('&lt;script&gt;');
});
