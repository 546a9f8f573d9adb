import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { handler as notify } from '../../../functions/notify.js';
import { handler as validateBundle } from '../../../functions/validate-bundle.js';
import { handler as applyPhase } from '../../../functions/apply-phase.js';
import { ErrorName } from '../../../lib/errors.js';
import { tempRuntime } from '../../support/local-runtime.js';

const fixture = async (name: string) => JSON.parse(await readFile(join(import.meta.dirname, '../../fixtures/events', name), 'utf8'));
const context = { functionName: 'test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 } as never;

describe('task handlers', () => {
  let env: Awaited<ReturnType<typeof tempRuntime>>;
  beforeAll(async () => {
    env = await tempRuntime();
  });
  afterAll(async () => env.cleanup([]));

  it('notify: a rejection becomes one outbox message naming the problem', async () => {
    const n = (await notify(await fixture('notify-rejected.json'), context)) as { outcome: string; reason: { message: string } };
    expect(n.outcome).toBe('rejected');
    expect(n.reason.message).toBe("rollout.yaml: unknown field 'colour'");
    const lines = (await readFile(join(env.home, 'outbox.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).Subject).toBe('[ml-rollout] unknown environment: rollout rejected');
  });

  it('an event that does not fit is refused with InvalidEvent naming the field', async () => {
    await expect(validateBundle(await fixture('validate-bundle-bad.json'), context)).rejects.toMatchObject({
      name: ErrorName.InvalidEvent,
      message: 'invalid event: rolloutId: letters, digits, dashes and underscores, at most 80',
    });
    await expect(applyPhase({ rolloutId: 'r1' }, context)).rejects.toMatchObject({
      name: ErrorName.InvalidEvent,
      message: expect.stringContaining('plan'),
    });
    await expect(notify({ outcome: 'exploded', state: { rolloutId: 'r' } }, context)).rejects.toMatchObject({
      name: ErrorName.InvalidEvent,
    });
  });
});
