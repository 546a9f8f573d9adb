import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { startRollback } from '../../../lib/start/rollback.js';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-test-rollback';
const sfnMock = mockClient(SFNClient);

beforeEach(() => sfnMock.reset());

describe('startRollback', () => {
  it('starts the rollback state machine with {rolloutId, environment}, named by the time', async () => {
    sfnMock.on(StartExecutionCommand).callsFake(async (input: { name: string }) => ({
      executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`,
    }));
    const clock = { now: () => Date.parse('2025-03-14T09:15:00.123Z') };

    const started = await startRollback({ sfn: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: MACHINE, clock }, 'skin-prod');

    expect(started.rolloutId).toBe('rollback-skin-prod-20250314T091500123Z');
    expect(started.executionArn).toBe(`arn:aws:states:eu-west-1:123456789012:execution:ml-rollout-test-rollback:${started.rolloutId}`);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: MACHINE,
      name: started.rolloutId,
      input: JSON.stringify({ rolloutId: started.rolloutId, environment: 'skin-prod' }),
    });
  });

  it('keeps the name within 80 characters for the longest environment names', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn' });
    const started = await startRollback(
      { sfn: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: MACHINE, clock: { now: () => 0 } },
      'e'.repeat(63),
    );
    expect(started.rolloutId.length).toBeLessThanOrEqual(80);
    expect(started.rolloutId).toMatch(/^rollback-e+-19700101T000000000Z$/);
  });
});
