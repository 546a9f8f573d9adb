import { entryProblem } from '../../../lib/bundle/zip.js';
import { limitsFromEnv, DEFAULT_LIMITS } from '../../../lib/bundle/limits.js';
import { webCommand } from '../../../lib/targets/local/procfile.js';

describe('zip entry safety', () => {
  it.each([
    ['app/server.js', 0o100644 << 16, null],
    ['../evil', 0, 'entry ../evil points outside the bundle root'],
    ['a/../../evil', 0, 'entry a/../../evil points outside the bundle root'],
    ['/etc/passwd', 0, 'entry /etc/passwd has an absolute path'],
    ['C:/evil', 0, 'entry C:/evil has an absolute path'],
    ['a\\b', 0, 'entry a\\b has a backslash in its path'],
    ['link', 0o120777 << 16, 'entry link is a symlink'],
  ])('%s', (name, attrs, problem) => {
    expect(entryProblem(name, attrs >>> 0)).toBe(problem);
  });
});

describe('limits', () => {
  it('come from the environment when set, else the defaults', () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFromEnv({ ML_ROLLOUT_MAX_BUNDLE_MB: '2', ML_ROLLOUT_MAX_BUNDLE_ENTRIES: '10' })).toEqual({
      maxTotalBytes: 2 * 1024 * 1024,
      maxEntries: 10,
    });
    expect(limitsFromEnv({ ML_ROLLOUT_MAX_BUNDLE_MB: 'lots' })).toEqual(DEFAULT_LIMITS);
  });
});

describe('Procfile', () => {
  it('finds the web: command', () => {
    expect(webCommand('worker: x\nweb:   gunicorn app:app --bind :$PORT  \n')).toBe('gunicorn app:app --bind :$PORT');
    expect(webCommand('worker: x\n')).toBeNull();
  });
});
