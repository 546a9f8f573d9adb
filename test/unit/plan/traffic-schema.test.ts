import { describeIssues, manifestSchema } from '../../../lib/plan/schema.js';
import { phaseTraffic, trafficSchema, trafficSteps } from '../../../lib/plan/traffic-schema.js';

const base = { name: 'svc', version: '1.0.0', target: { environment: 'dev' } };

function firstError(input: unknown): string {
  const r = manifestSchema.safeParse(input);
  if (r.success) throw new Error('expected a rejection');
  return describeIssues(r.error);
}

describe('traffic schema', () => {
  it('defaults to all at once with 60 s steps', () => {
    expect(trafficSchema.parse({})).toEqual({ strategy: 'all-at-once', stepSeconds: 60 });
  });
  it('lists the weights of each strategy, ending at 100', () => {
    expect(trafficSteps(undefined)).toEqual([100]);
    expect(trafficSteps(trafficSchema.parse({}))).toEqual([100]);
    expect(trafficSteps(trafficSchema.parse({ strategy: 'canary', steps: [10, 50] }))).toEqual([10, 50, 100]);
    expect(trafficSteps(trafficSchema.parse({ strategy: 'linear', stepPercent: 25 }))).toEqual([25, 50, 75, 100]);
    expect(trafficSteps(trafficSchema.parse({ strategy: 'linear', stepPercent: 30 }))).toEqual([30, 60, 90, 100]);
    expect(trafficSteps(trafficSchema.parse({ strategy: 'linear', stepPercent: 50 }))).toEqual([50, 100]);
  });
  it('takes the manifest traffic on every phase unless the phase has its own', () => {
    const m = manifestSchema.parse({
      ...base,
      traffic: { strategy: 'canary', steps: [10], stepSeconds: 5 },
      phases: [{ name: 'a' }, { name: 'b', traffic: { strategy: 'all-at-once' } }],
    });
    expect(phaseTraffic(m, m.phases[0] as never)?.strategy).toBe('canary');
    expect(phaseTraffic(m, m.phases[1] as never)?.strategy).toBe('all-at-once');
  });
  it.each([
    [{ strategy: 'canary' }, 'traffic.steps: a canary needs steps, e.g. [10, 50]'],
    [{ strategy: 'canary', steps: [50, 10] }, 'traffic.steps: canary steps must be in ascending order'],
    [{ strategy: 'canary', steps: [10, 10] }, 'traffic.steps: canary steps must be in ascending order'],
    [{ strategy: 'linear' }, 'traffic.stepPercent: linear needs stepPercent, e.g. 25'],
    [{ strategy: 'linear', stepPercent: 25, steps: [10] }, 'traffic.steps: steps are for canary; linear has stepPercent'],
    [{ strategy: 'all-at-once', steps: [10] }, 'traffic.steps: steps are for canary, not all-at-once'],
    [{ strategy: 'canary', steps: [0] }, 'traffic.steps.0: Too small: expected number to be >=1'],
    [{ strategy: 'canary', steps: [100] }, 'traffic.steps.0: Too big: expected number to be <=99'],
    [{ strategy: 'blue-green' }, 'traffic.strategy'],
    [{ stepSeconds: -1 }, 'traffic.stepSeconds'],
    [{ compare: { p95LatencyRatio: 0 } }, 'traffic.compare.p95LatencyRatio'],
    [{ compare: { colour: 1 } }, "unknown field 'colour' in traffic.compare"],
  ])('rejects %j with one line naming the field', (traffic, message) => {
    expect(firstError({ ...base, traffic })).toContain(message);
  });
  it('names the phase of a bad phase traffic', () => {
    expect(firstError({ ...base, phases: [{ name: 'a', traffic: { strategy: 'linear' } }] })).toBe(
      'phases.0.traffic.stepPercent: linear needs stepPercent, e.g. 25',
    );
  });
});
