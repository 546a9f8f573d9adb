import { UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import type { Server } from 'node:http';
import { ElasticBeanstalkTarget } from '../../../../lib/targets/elastic-beanstalk/target.js';
import { ProbeState } from '../../../../lib/targets/types.js';
import { awsPlan, closeServer, fakeService, testClock } from '../aws-plans.js';
import { releaseOf, runPhases, runRestore } from '../drive.js';
import { APP, ENV, FakeEb, mockEbClients } from './fake-eb.js';

const { eb, cw } = mockEbClients();
const TARGET = { type: 'elastic-beanstalk', environment: ENV, region: 'eu-west-1', application: APP, bucket: 'skin-bundles' };
const ENV_NS = 'aws:elasticbeanstalk:application:environment';

let service: { host: string; server: Server; answer: { health: number; predict: number } };
beforeAll(async () => {
  service = (await fakeService()) as typeof service;
});
afterAll(async () => {
  await closeServer(service.server);
});
beforeEach(() => {
  eb.reset();
  cw.reset();
  service.answer.health = 200;
  service.answer.predict = 200;
});

interface GateCase {
  what: string;
  /** Index of the phase whose gate fails (default phases: minimal, ml-dependencies, faiss-scin, verify-metrics). */
  phase: number;
  /** Breaks the environment once the phases before have passed. */
  breakIt(fake: FakeEb): void;
  check: string;
  value: number | string | null;
  inconclusive?: boolean;
}

const CASES: GateCase[] = [
  {
    what: 'enhanced health Red (the deployment guides’ Severe, 50 % 5xx)',
    phase: 0,
    breakIt: (f) =>
      Object.assign(f.health, { HealthStatus: 'Severe', Color: 'Red', Causes: ['50.0 % of the requests are failing with HTTP 5xx.'] }),
    check: 'health',
    value: 'HTTP 200 from GET /health, but Elastic Beanstalk health is Severe (Red): 50.0 % of the requests are failing with HTTP 5xx.',
  },
  { what: 'the health path answering 503', phase: 0, breakIt: () => (service.answer.health = 503), check: 'health', value: 503 },
  {
    what: 'a smoke request answering 500',
    phase: 1,
    breakIt: () => (service.answer.predict = 500),
    check: 'smoke POST /predict',
    value: 500,
  },
  {
    what: 'CPU past 70 %',
    phase: 3,
    breakIt: (f) => f.instances.forEach((i) => Object.assign(i, { System: { CPUUtilization: { Idle: 12.5 } } })),
    check: 'cpuPercent',
    value: 87.5,
  },
  { what: 'memory past 80 %', phase: 3, breakIt: (f) => (f.memory = { 'i-0a1b2c3d4e5f60001': 93.4 }), check: 'memoryPercent', value: 93.4 },
  {
    what: 'memory not published by the CloudWatch agent (inconclusive, never passed)',
    phase: 3,
    breakIt: (f) => (f.memory = null),
    check: 'memoryPercent',
    value: null,
    inconclusive: true,
  },
  {
    what: 'enhanced health P95 (mean of the slowest 5 %) past 10 s, no ALB',
    phase: 3,
    breakIt: (f) => Object.assign(f.health.ApplicationMetrics!.Latency!, { P95: 12.5 }),
    check: 'slowest5PercentMeanLatencyMs',
    value: 12500,
  },
  {
    what: 'a 5xx share past 1 %',
    phase: 3,
    breakIt: (f) => Object.assign(f.health.ApplicationMetrics!.StatusCodes!, { Status2xx: 190, Status5xx: 10 }),
    check: 'errorRatePercent',
    value: 5,
  },
];

describe('Elastic Beanstalk: each gate failure → the rollback commands', () => {
  it.each(CASES)('$what fails the $check check of phase $phase, and the rollback restores the snapshot', async (c) => {
    const clock = testClock();
    const fake = new FakeEb(clock.now, service.host);
    fake.install(eb, cw);
    const plan = awsPlan(TARGET);
    const target = new ElasticBeanstalkTarget({ clock });
    const snapshot = releaseOf(plan, (await target.current(plan))!);
    if (c.phase > 0) expect((await runPhases(target, plan, clock, c.phase - 1)).every((p) => p.verdict.passed)).toBe(true);

    c.breakIt(fake);
    const [failed] = await runPhases(target, plan, clock, c.phase).then((all) => all.slice(c.phase));
    expect(failed?.verdict.passed).toBe(false);
    const check = failed?.verdict.checks.find((k) => !k.passed);
    expect(check).toMatchObject({ name: c.check, value: c.value, passed: false, ...(c.inconclusive ? { inconclusive: true } : {}) });

    // The broken measurements concern the new version; the restored one is judged by Ready + Green.
    Object.assign(fake.health, { HealthStatus: 'Ok', Color: 'Green' });
    eb.resetHistory();
    const probes = await runRestore(target, plan, snapshot, clock);
    expect(probes.at(-1)?.state).toBe(ProbeState.Stable);
    const [restore, ...more] = eb.commandCalls(UpdateEnvironmentCommand).map((call) => call.args[0].input);
    expect(more).toEqual([]);
    expect(restore).toMatchObject({ ApplicationName: APP, EnvironmentName: ENV, VersionLabel: '1.1.0-0123456789ab' });
    // Whatever the failed phase had added is taken out again; ML_AVAILABLE goes back to the snapshot's value.
    const added = Object.keys(plan.phases[c.phase]!.settings).filter((k) => !(k in snapshot.settings));
    expect(restore?.OptionsToRemove).toEqual(added.map((OptionName) => ({ Namespace: ENV_NS, OptionName })));
    expect(fake.env.VersionLabel).toBe('1.1.0-0123456789ab');
    expect(fake.option(ENV_NS, 'ML_AVAILABLE')).toBe('false');
  });
});
