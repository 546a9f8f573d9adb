import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeEnvironmentsCommand, UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import { DescribeEndpointCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { status, statusOutput } from '../../../cli/commands/environment.js';
import type { Plan } from '../../../lib/plan/plan.js';
import { createLocalRuntime, type Runtime } from '../../../lib/runtime.js';
import { awsPlan, digestOf } from '../targets/aws-plans.js';
import { APP, ENV as EB_ENV, FakeEb, mockEbClients } from '../targets/elastic-beanstalk/fake-eb.js';
import { FakeSageMaker, mockSageMakerClients, SM_TARGET } from '../targets/sagemaker/fake-sagemaker.js';

/** `status` of an AWS environment asks the target what serves and how healthy it is, beside the state store's record. */
const { eb, cw } = mockEbClients();
const { sm, runtime, cw: smCw } = mockSageMakerClients();
const EB_TARGET = { type: 'elastic-beanstalk', environment: EB_ENV, region: 'eu-west-1', application: APP, bucket: 'skin-bundles' };
const HOST = 'skin-prod.eu-west-1.elasticbeanstalk.com';
let home: string;
let rt: Runtime;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-status-aws-'));
  rt = createLocalRuntime({ ML_ROLLOUT_HOME: home });
});
afterEach(() => rm(home, { recursive: true, force: true }));

/** The state store's side: `plan`'s release is the known-good, and the record says `serving` serves. */
async function recorded(plan: Plan, serving: { version: string; phase: string | null; url: string | null }) {
  await rt.state.putKnownGood({
    environment: plan.environment,
    current: { name: plan.name, version: plan.version, digest: plan.digest, source: plan.release, settings: {}, plan },
    previous: [],
    recordedAt: '2025-06-01T00:00:00.000Z',
  });
  await rt.state.putServing({
    environment: plan.environment,
    targetType: plan.target.type,
    digest: plan.digest,
    updatedAt: '2025-06-01T00:00:00.000Z',
    ...serving,
  });
}

describe('status of an Elastic Beanstalk environment', () => {
  it('healthy and verified as DescribeEnvironments reports it: exit 0, nothing changed', async () => {
    new FakeEb(Date.now, HOST).install(eb, cw);
    const plan = awsPlan(EB_TARGET, {}, '1.1.0');
    await recorded(plan, { version: '1.1.0', phase: null, url: `http://${HOST}` });
    const s = await status(rt, EB_ENV);
    expect(s).toMatchObject({
      version: '1.1.0',
      url: `http://${HOST}`,
      healthy: true,
      verified: true,
      knownGood: '1.1.0',
      recorded: '1.1.0',
      detail: 'Ready, health Green (Ok), version 1.1.0-0123456789ab',
    });
    expect(statusOutput(s, false)).toEqual({
      out: [`${EB_ENV}: 1.1.0 at http://${HOST} (healthy)`],
      err: [],
      code: 0,
    });
    expect(eb).toHaveReceivedCommand(DescribeEnvironmentsCommand);
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
  });

  it("the target says it is not healthy, though the record says it serves: exit 1 with the target's words", async () => {
    const fake = new FakeEb(Date.now, HOST);
    fake.env.Health = 'Red';
    fake.env.HealthStatus = 'Severe';
    fake.install(eb, cw);
    const plan = awsPlan(EB_TARGET, {}, '1.1.0');
    await recorded(plan, { version: '1.1.0', phase: null, url: `http://${HOST}` });
    const shown = statusOutput(await status(rt, EB_ENV), false);
    expect(shown.code).toBe(1);
    expect(shown.out).toEqual([`${EB_ENV}: 1.1.0 at http://${HOST} (NOT healthy: Ready, health Red (Severe))`]);
  });

  it('cannot ask (an AWS error): not healthy, the error in one line, the record beside it', async () => {
    eb.on(DescribeEnvironmentsCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    );
    const plan = awsPlan(EB_TARGET, {}, '1.1.0');
    await recorded(plan, { version: '1.1.0', phase: null, url: `http://${HOST}` });
    const s = await status(rt, EB_ENV);
    expect(s).toMatchObject({ version: '1.1.0', healthy: false, recorded: '1.1.0' });
    expect(s.detail).toMatch(/^cannot ask the elastic-beanstalk target: .*credentials/i);
    expect(statusOutput(s, false).code).toBe(1);
  });
});

describe('status of a SageMaker endpoint', () => {
  it('what DescribeEndpoint says serves, InService: healthy; a version the record has not verified: exit 1', async () => {
    const fake = new FakeSageMaker();
    fake.install(sm, runtime, smCw);
    fake.existing('skin-similarity-1-1-0', { ML_ROLLOUT_VERSION: '1.2.0', ML_ROLLOUT_DIGEST: digestOf('bundle 1.2.0') }, {});
    const plan = awsPlan(SM_TARGET, {}, '1.1.0');
    await recorded(plan, { version: '1.2.0', phase: 'faiss-scin', url: null });
    const s = await status(rt, SM_TARGET.environment);
    expect(s).toMatchObject({
      version: '1.2.0',
      url: null,
      healthy: true,
      verified: false,
      knownGood: '1.1.0',
      detail: `endpoint ${SM_TARGET.endpoint} InService on skin-similarity-1-1-0`,
    });
    expect(statusOutput(s, false).code).toBe(1);
    expect(sm).toHaveReceivedCommand(DescribeEndpointCommand);
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });
});
