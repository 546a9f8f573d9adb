import { colourOn, invokedAs, painter } from '../../../cli/terminal.js';

describe('colour on a terminal only', () => {
  it('a terminal has colour; a pipe, NO_COLOR or TERM=dumb has none; FORCE_COLOR forces it', () => {
    expect(colourOn({ isTTY: true }, {})).toBe(true);
    expect(colourOn({ isTTY: false }, {})).toBe(false);
    expect(colourOn({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourOn({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colourOn({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourOn({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourOn({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });

  it('paints the marks and the verdict, and leaves the text as it is', () => {
    const paint = painter(true);
    expect(paint('  ✓ errorRatePercent 0% ≤ 1%')).toBe('  \u001b[32m✓\u001b[39m errorRatePercent 0% ≤ 1%');
    expect(paint('      ✗ smoke POST /predict 500')).toBe('      \u001b[31m✗\u001b[39m smoke POST /predict 500');
    expect(paint('↩ rolling back to 1.0.0')).toBe('\u001b[33m↩\u001b[39m rolling back to 1.0.0');
    expect(paint('Rolled back: faiss-scin gate failed')).toBe('\u001b[1m\u001b[33mRolled back:\u001b[39m\u001b[22m faiss-scin gate failed');
    expect(paint('Succeeded: 1.0.0 serves')).toContain('\u001b[32mSucceeded:');
    expect(paint('FAILED: boom')).toContain('\u001b[31mFAILED:');
    expect(painter(false)('  ✓ Succeeded: x')).toBe('  ✓ Succeeded: x');
  });
});

describe('the name the hints print', () => {
  it('ml-rollout for the linked bin on PATH, npx ml-rollout otherwise', () => {
    expect(invokedAs('/usr/local/bin/ml-rollout', {})).toBe('ml-rollout');
    expect(invokedAs('/home/me/ml-rollout/node_modules/.bin/ml-rollout', { npm_command: 'exec' })).toBe('npx ml-rollout');
    expect(invokedAs('/home/me/ml-rollout/bin/ml-rollout.js', {})).toBe('npx ml-rollout');
    expect(invokedAs('/home/me/ml-rollout/bin/ml-rollout.js', { npm_command: 'run-script' })).toBe('npx ml-rollout');
  });
});
