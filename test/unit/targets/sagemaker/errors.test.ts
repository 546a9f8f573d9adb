import { CreateModelCommand, DescribeEndpointCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { RollbackFailedError, TargetError, TransientError } from '../../../../lib/errors.js';
import { SageMakerTarget } from '../../../../lib/targets/sagemaker/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, testClock } from '../aws-plans.js';
import { ENDPOINT, FakeSageMaker, SM_TARGET, mockSageMakerClients, smError } from './fake-sagemaker.js';

const { sm, runtime, cw } = mockSageMakerClients();
const OLD = 'skin-sm-1-1-0-p3-0a0b0c0d';

function setup() {
  const clock = testClock();
  const fake = new FakeSageMaker();
  fake.install(sm, runtime, cw);
  fake.existing(OLD, { ML_ROLLOUT_VERSION: '1.1.0' }, { 'ml-rollout:expected-config': OLD });
  return { clock, fake, plan: awsPlan(SM_TARGET), target: new SageMakerTarget({ clock }) };
}

describe('SageMaker: AWS errors', () => {
  it('throttling is a TransientError, and the retried task succeeds without duplicates', async () => {
    const { plan, target } = setup();
    sm.on(UpdateEndpointCommand)
      .rejectsOnce(smError('ThrottlingException', 'Rate exceeded'))
      .callsFakeOnce(() => ({}));
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(TransientError);
    await expect(target.apply(plan, plan.phases[0]!)).resolves.toMatchObject({ version: '1.2.0' });
    expect(sm).toHaveReceivedCommandTimes(UpdateEndpointCommand, 2);
    expect(sm).toHaveReceivedCommandTimes(CreateModelCommand, 2); // the second answered "already exists"
  });

  it('a busy endpoint is a TransientError before anything is created', async () => {
    const { fake, plan, target } = setup();
    fake.endpoint!.status = 'SystemUpdating';
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toThrow(
      new TransientError(`endpoint ${ENDPOINT} is SystemUpdating: minimal starts once it is InService`),
    );
    expect(sm).not.toHaveReceivedCommand(CreateModelCommand);
  });

  it('access denied is a TargetError naming the call and the model', async () => {
    const { plan, target } = setup();
    sm.on(CreateModelCommand).rejects(smError('AccessDeniedException', 'User is not authorized to perform: iam:PassRole', 403));
    await expect(target.apply(plan, plan.phases[0]!)).rejects.toMatchObject({
      name: 'TargetError',
      message: expect.stringMatching(
        /^access denied — CreateModel skin-sm-1-2-0-p0-[0-9a-f]{8}: the IAM action iam:PassRole is not allowed \(AccessDeniedException: User is not authorized to perform: iam:PassRole\)$/,
      ),
    });
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('an invalid parameter is a TargetError', async () => {
    const { plan, target } = setup();
    sm.on(CreateModelCommand).rejects(smError('ValidationException', 'Could not access model data at s3://skin-models/model.tar.gz.'));
    const err = await target.apply(plan, plan.phases[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toContain('Could not access model data at s3://skin-models/model.tar.gz.');
  });

  it('an endpoint that vanished fails the probe and the rollback', async () => {
    const { fake, plan, target } = setup();
    fake.endpoint = null;
    expect(await target.probe(plan)).toEqual({ state: ProbeState.Failed, detail: 'the endpoint does not exist' });
    const release = {
      name: plan.name,
      version: '1.1.0',
      digest: '',
      source: plan.release,
      settings: {},
      targetState: { endpointConfigName: OLD },
    };
    await expect(target.restore(plan, release)).rejects.toThrow(RollbackFailedError);
  });

  it('a release without an endpoint config cannot be restored, and says so', async () => {
    const { plan, target } = setup();
    const release = { name: plan.name, version: '1.0.0', digest: '', source: plan.release, settings: {} };
    await expect(target.restore(plan, release)).rejects.toThrow('release 1.0.0 records no SageMaker endpoint config to restore');
  });

  it('a 5xx of DescribeEndpoint is a TransientError, not "the endpoint does not exist"', async () => {
    const { plan, target } = setup();
    sm.on(DescribeEndpointCommand).rejects(smError('InternalFailure', 'internal error', 500));
    await expect(target.probe(plan)).rejects.toThrow(TransientError);
  });
});
