import { BundleInvalidError } from '../../../lib/errors.js';
import { parseManifest } from '../../../lib/bundle/read.js';
import { MAX } from '../../../lib/plan/limits.js';

/**
 * Issue 14, cases 9 and 10: the manifest's size and lists are bounded, each with one line; a
 * setting keeps the text written (a YAML number is not rewritten).
 */
const head = 'name: app\nversion: 1.0.0\ntarget: { type: local, environment: env }\n';
const rejected = (text: string): string => {
  try {
    parseManifest(text);
  } catch (err) {
    expect(err).toBeInstanceOf(BundleInvalidError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};
const smoke = (n: number) => `smoke:\n${'  - { path: /predict, method: POST }\n'.repeat(n)}`;
const settings = (n: number, prefix = 'S') => Array.from({ length: n }, (_, i) => `      ${prefix}${i}: "x"`).join('\n');

describe('manifest bounds', () => {
  it(`rollout.yaml over 1 MiB is refused before it is parsed`, () => {
    const big = `${head}# ${'x'.repeat(MAX.manifestBytes)}\n`;
    expect(rejected(big)).toBe('rollout.yaml is larger than 1048576 bytes (1 MiB)');
  });

  it(`at most ${MAX.smoke} smoke requests (the issue's 200,000 took 22 s to plan)`, () => {
    expect(parseManifest(head + smoke(MAX.smoke)).smoke).toHaveLength(MAX.smoke);
    expect(rejected(head + smoke(MAX.smoke + 1))).toBe('rollout.yaml: smoke: at most 100 smoke requests');
  });

  it(`at most ${MAX.settings} settings in a phase, and in all phases together`, () => {
    const one = (body: string) => `${head}phases:\n  - name: a\n    settings:\n${body}\n`;
    expect(Object.keys(parseManifest(one(settings(MAX.settings))).phases[0]!.settings)).toHaveLength(MAX.settings);
    expect(rejected(one(settings(MAX.settings + 1)))).toBe('rollout.yaml: phases.0.settings: at most 200 settings');
    const two = `${head}phases:\n  - name: a\n    settings:\n${settings(150, 'A')}\n  - name: b\n    settings:\n${settings(150, 'B')}\n`;
    expect(rejected(two)).toBe('rollout.yaml: phases: at most 200 settings in all phases together');
  });

  it('names and values of sane length', () => {
    const phase = (line: string) => `${head}phases:\n  - name: a\n    settings:\n      ${line}\n`;
    expect(rejected(phase(`${'N'.repeat(129)}: x`))).toBe(
      'rollout.yaml: phases.0.settings.' + 'N'.repeat(129) + ': a setting name has at most 128 characters',
    );
    expect(rejected(phase(`V: "${'v'.repeat(4097)}"`))).toBe(
      'rollout.yaml: phases.0.settings.V: a setting value has at most 4096 characters',
    );
    expect(rejected(`${head}health: { path: /${'h'.repeat(2048)} }\n`)).toBe('rollout.yaml: health.path: at most 2048 characters');
  });
});

describe('settings keep the text written', () => {
  it.each([
    ['1.10', '1.10'],
    ['0x10', '0x10'],
    ['007', '007'],
    ['12345678901234567890123', '12345678901234567890123'],
    ['1e3', '1e3'],
    ['-0', '-0'],
    ['"quoted"', 'quoted'],
    ['true', 'true'],
  ])('%s stays %j', (written, kept) => {
    const m = parseManifest(`${head}phases:\n  - name: a\n    settings:\n      V: ${written}  # a comment\n`);
    expect(m.phases[0]!.settings.V).toBe(kept);
  });
});
