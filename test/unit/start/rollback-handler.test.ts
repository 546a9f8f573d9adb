import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorName } from '../../../lib/errors.js';
import type { RollbackStart } from '../../../lib/start/rollback.js';
import { eventFixture, lambdaContext } from './lambda-context.js';

type Handler = (event: unknown, context: unknown) => Promise<RollbackStart>;
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-dev-rollback';
const sfnMock = mockClient(SFNClient);
let handler: Handler;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
  process.env.ROLLBACK_STATE_MACHINE_ARN = MACHINE;
  ({ handler } = (await import('../../../functions/rollback.js')) as unknown as { handler: Handler });
});

beforeEach(() => {
  sfnMock.reset();
  sfnMock
    .on(StartExecutionCommand)
    .callsFake(async (input: { name: string }) => ({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}` }));
});

describe('rollback handler', () => {
  it('starts the rollback state machine for the environment of the fixture', async () => {
    const started = await handler(eventFixture('rollback'), lambdaContext('ml-rollout-dev-rollback'));
    expect(started.input).toEqual({ rolloutId: started.rolloutId, environment: 'skin-dev' });
    expect(started.rolloutId).toMatch(/^rollback-skin-dev-\d{8}T\d{9}Z$/);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE, name: started.rolloutId });
  });

  it('rejects anything but {"environment": <name>} as InvalidEvent', async () => {
    await expect(handler({ environment: 'Skin Dev' }, lambdaContext('ml-rollout-dev-rollback'))).rejects.toThrow(
      expect.objectContaining({
        name: ErrorName.InvalidEvent,
        message: expect.stringMatching(/^expected \{"environment".*: environment: /),
      }),
    );
    await expect(handler({ environment: 'skin-dev', force: true }, lambdaContext('ml-rollout-dev-rollback'))).rejects.toThrow(
      expect.objectContaining({ name: ErrorName.InvalidEvent }),
    );
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('without ROLLBACK_STATE_MACHINE_ARN: a ConfigurationError naming the setting, nothing started', async () => {
    delete process.env.ROLLBACK_STATE_MACHINE_ARN;
    try {
      await expect(handler(eventFixture('rollback'), lambdaContext('ml-rollout-dev-rollback'))).rejects.toThrow(
        expect.objectContaining({
          name: ErrorName.Configuration,
          message: expect.stringContaining('ROLLBACK_STATE_MACHINE_ARN is not set'),
        }),
      );
    } finally {
      process.env.ROLLBACK_STATE_MACHINE_ARN = MACHINE;
    }
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
