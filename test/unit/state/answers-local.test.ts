import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalAnswersStore } from '../../../lib/state/answers-local.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'answers-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));
const digest = 'ef'.repeat(32);

describe('LocalAnswersStore', () => {
  it('writes envs/<env>/answers/<digest>.json atomically and reads it through its schema', async () => {
    const store = new LocalAnswersStore(home);
    const answers = { environment: 'e', version: '1', digest, recordedAt: 'now', phases: { p: [{ key: 'k', label: 'l', status: null }] } };
    expect(await store.get('e', digest)).toBeNull();
    await store.put(answers);
    expect(await readdir(join(home, 'envs', 'e', 'answers'))).toEqual([`${digest}.json`]);
    expect(await store.get('e', digest)).toEqual({ answers });
    await writeFile(store.file('e', digest), '[1,2,3]');
    expect(await store.get('e', digest)).toEqual({ problem: expect.stringContaining(`${digest}.json is not a recorded-answers file`) });
    expect(() => store.file('e', '../../x')).toThrow(/not a bundle digest/);
  });
});
