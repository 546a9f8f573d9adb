/**
 * Packages the service once with `sls package` (offline, with every AWS credential source
 * disabled) and checks the CloudFormation it generates. One packaging per run: 10-40 s on two
 * cores depending on load, most of it esbuild bundling each function.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import aslValidator from 'asl-validator';
import yauzl from 'yauzl';
import { isAlias, isMap, parseDocument, parse as parseYaml } from 'yaml';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Outputs?: Json };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Json };

const SERVICE = process.cwd();
const MACHINES = { rollout: 'RolloutStateMachine', rollback: 'RollbackStateMachine' } as const;
/** APIs that take no resource ARN: the only ones a statement may grant on "*". */
const RESOURCE_STAR_APIS = new Set([
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'elasticbeanstalk:DescribeEnvironments',
  'sagemaker:ListEndpoints',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeLoadBalancers',
]);

let out: string;
let template: Template;

/** The environment with every AWS credential source switched off: packaging must not need one. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE)$/.test(key)) delete env[key];
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'ml-rollout-no-credentials'),
    AWS_CONFIG_FILE: join(tmpdir(), 'ml-rollout-no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
  };
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'ml-rollout-package-'));
  const sls = join(SERVICE, 'node_modules', 'osls', 'bin', 'serverless.js');
  try {
    await promisify(execFile)(process.execPath, [sls, 'package', '--stage', 'ci', '--region', 'eu-west-1', '--package', out], {
      cwd: SERVICE,
      env: offlineEnv(),
      maxBuffer: 16 << 20,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`sls package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 300_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

function resourcesOfType(type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function resource(id: string): Resource {
  const r = template.Resources[id];
  if (!r) throw new Error(`no resource ${id} in the template`);
  return r;
}

function zipEntries(path: string): Promise<string[]> {
  return yauzl.openPromise(path).then(async (zip) => {
    const names: string[] = [];
    for await (const entry of zip.eachEntry()) names.push(entry.fileName);
    zip.close();
    return names;
  });
}

/** The one file of a function's zip, as text. */
async function bundleText(path: string): Promise<string> {
  const zip = await yauzl.openPromise(path);
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return '';
  } finally {
    zip.close();
  }
}

function getAttTarget(value: unknown): string | null {
  const att = (value as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
  return att && att[1] === 'Arn' ? att[0] : null;
}

/** A Lambda function's ARN as the test spells it: the logical id stands in for the name. */
const fakeArn = (logicalId: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${logicalId}`;

/** The definition of a state machine with its Fn::Sub parameters (function ARNs) filled in. */
function definitionOf(logicalId: string): { definition: Json; functions: Record<string, string> } {
  const ds = resource(logicalId).Properties.DefinitionString as string | { 'Fn::Sub': [string, Record<string, unknown>] };
  if (typeof ds === 'string') return { definition: JSON.parse(ds) as Json, functions: {} };
  const [text, params] = ds['Fn::Sub'];
  const functions: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const target = getAttTarget(value);
    if (!target) throw new Error(`parameter ${name} of ${logicalId} is not a function ARN: ${JSON.stringify(value)}`);
    functions[name] = target;
  }
  const resolved = text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    const target = functions[name];
    if (!target) throw new Error(`unresolved \${${name}} in ${logicalId}`);
    return fakeArn(target);
  });
  return { definition: JSON.parse(resolved) as Json, functions };
}

/**
 * The Retry and Catch blocks the file writes once, as a YAML anchor, and uses again as an alias:
 * anchor name → the states that use it (the anchor's own state first).
 */
function anchoredBlocks(text: string): Map<string, { state: string; key: string }[]> {
  const states = parseDocument(text).get('States', true);
  const groups = new Map<string, { state: string; key: string }[]>();
  if (!isMap(states)) return groups;
  for (const pair of states.items) {
    if (!isMap(pair.value)) continue;
    for (const key of ['Retry', 'Catch']) {
      const node = pair.value.get(key, true);
      const anchor = isAlias(node) ? node.source : (node as { anchor?: string } | undefined)?.anchor;
      if (anchor) groups.set(anchor, [...(groups.get(anchor) ?? []), { state: String((pair.key as { value: unknown }).value), key }]);
    }
  }
  return groups;
}

/** Each Task's function ARN: its Resource, or for a `lambda:invoke.waitForTaskToken` task its Parameters.FunctionName. */
function tasksOf(definition: Json): [string, unknown][] {
  const states = (definition.States ?? {}) as Record<string, { Type: string; Resource?: unknown; Parameters?: { FunctionName?: unknown } }>;
  return Object.entries(states)
    .filter(([, s]) => s.Type === 'Task')
    .map(([name, s]) => [name, s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken' ? s.Parameters?.FunctionName : s.Resource]);
}

function statementsOf(role: Resource): Statement[] {
  const policies = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** Logical ids a value refers to: Ref, Fn::GetAtt and ${Name} in Fn::Sub (pseudo parameters aside). */
function referencesIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencesIn(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : (String(v).split('.')[0] ?? ''));
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? String(v[0]) : String(v);
        for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) into.add(m[1] ?? '');
        if (Array.isArray(v)) referencesIn(v[1], into);
      } else referencesIn(v, into);
    }
  }
  return into;
}

/** A dependency cycle among resources, as the ids along it; null when there is none. */
function findCycle(resources: Record<string, Resource>): string[] | null {
  const edges = new Map<string, string[]>();
  for (const [id, r] of Object.entries(resources)) {
    const refs = referencesIn(r.Properties ?? {}, new Set(list(r.DependsOn ?? []).map(String)));
    edges.set(
      id,
      [...refs].filter((ref) => ref in resources),
    );
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return null;
}

describe('sls package (offline, no AWS credentials)', () => {
  it('packages every function as one minified bundle (.cjs) for nodejs22.x on arm64, nothing left external', async () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(14);
    for (const [id, fn] of functions) {
      expect([id, fn.Properties.Runtime, fn.Properties.Architectures]).toEqual([id, 'nodejs22.x', ['arm64']]);
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const zip = join(out, basename(key));
      expect(existsSync(zip)).toBe(true);
      const entries = (await zipEntries(zip)).filter((e) => !e.endsWith('/'));
      const handlerFile = `${String(fn.Properties.Handler).replace(/\.[^.]+$/, '')}.cjs`;
      expect([id, entries]).toEqual([id, [handlerFile]]);
    }
  });

  it('bundles the Powertools Parser schemas without the whole of zod (no zod locale but English)', async () => {
    for (const id of ['StartRolloutLambdaFunction', 'SlackNotifierLambdaFunction']) {
      const zip = join(out, basename((resource(id).Properties.Code as { S3Key: string }).S3Key));
      const text = await bundleText(zip);
      // The Dutch locale's message for an invalid input (ASCII, so esbuild leaves it as written):
      // there only when every locale is bundled.
      expect([id, text.includes('Ongeldige invoer')]).toEqual([id, false]);
      expect([id, text.includes('Invalid input')]).toEqual([id, true]);
    }
  });

  it.each(Object.entries(MACHINES))(
    'state machine %s: loaded from its .asl.yml, valid ASL, every Task a packaged function',
    async (name, logicalId) => {
      const { definition } = definitionOf(logicalId);
      // asl-validator fills in defaults (QueryLanguage) on what it is given: hand it a copy.
      const { isValid, errors } = aslValidator(structuredClone(definition) as never);
      expect(errors).toEqual([]);
      expect(isValid).toBe(true);

      const packaged = new Set(resourcesOfType('AWS::Lambda::Function').map(([id]) => id));
      const tasks = tasksOf(definition);
      expect(tasks.length).toBeGreaterThan(0);
      for (const [state, arn] of tasks) {
        const id = typeof arn === 'string' ? arn.replace(fakeArn(''), '') : '';
        expect([state, packaged.has(id)]).toEqual([state, true]);
      }

      // The deployed definition is the file, function names turned into ARNs, and nothing else.
      const text = await readFile(join(SERVICE, 'statemachines', `${name}.asl.yml`), 'utf8');
      const file = parseYaml(text) as Json;
      const fromFile = JSON.parse(
        JSON.stringify(file, (_k, v: unknown) => {
          const att = (v as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
          if (!att) return v;
          const fn = att[0];
          return fakeArn(`${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`);
        }),
      ) as Json;
      expect(definition).toEqual(fromFile);

      // Its repeated Retry/Catch blocks are YAML aliases, expanded by packaging: every state that
      // uses an anchor got the anchor's block, in full.
      const groups = anchoredBlocks(text);
      expect([...groups.values()].some((uses) => uses.length > 1)).toBe(true);
      const states = definition.States as Record<string, Json>;
      for (const [anchor, uses] of groups) {
        const [first, ...rest] = uses.map(({ state, key }) => [`${anchor}: ${state}.${key}`, states[state]?.[key]] as const);
        expect(first?.[1]).toEqual(expect.any(Array));
        for (const [where, block] of rest) expect([where, block]).toEqual([where, first?.[1]]);
      }
    },
  );

  it('has no dependency cycle among its resources (CloudFormation would refuse the stack)', () => {
    expect(findCycle(template.Resources)).toBeNull();
  });

  it('starts a rollout on ObjectCreated of bundles/*.zip in a versioned, encrypted, private bucket', () => {
    const bucket = resource('BundleBucket').Properties;
    const lambdaConfigs = (bucket.NotificationConfiguration as { LambdaConfigurations: Json[] }).LambdaConfigurations;
    expect(lambdaConfigs).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Function: { 'Fn::GetAtt': ['StartRolloutLambdaFunction', 'Arn'] },
        Filter: {
          S3Key: {
            Rules: [
              { Name: 'prefix', Value: 'bundles/' },
              { Name: 'suffix', Value: '.zip' },
            ],
          },
        },
      },
    ]);
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });

    const permission = resourcesOfType('AWS::Lambda::Permission').find(([, p]) => p.Properties.Principal === 's3.amazonaws.com');
    expect(permission?.[1].Properties.FunctionName).toEqual({ 'Fn::GetAtt': ['StartRolloutLambdaFunction', 'Arn'] });
    expect(resource('BundleBucket').DependsOn).toContain(permission?.[0]);
  });

  it('publishes to one SNS topic the Slack notifier is subscribed to, its webhook from SSM', () => {
    expect(resource('RolloutTopic').Type).toBe('AWS::SNS::Topic');
    const subscriptions = resourcesOfType('AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subscriptions).toContainEqual({
      TopicArn: { Ref: 'RolloutTopic' },
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': ['SlackNotifierLambdaFunction', 'Arn'] },
    });
    expect(
      resourcesOfType('AWS::Lambda::Permission').some(
        ([, p]) =>
          p.Properties.Principal === 'sns.amazonaws.com' && getAttTarget(p.Properties.FunctionName) === 'SlackNotifierLambdaFunction',
      ),
    ).toBe(true);

    const env = (fn: string) => (resource(fn).Properties.Environment as { Variables: Json }).Variables;
    expect(env('NotifyLambdaFunction').TOPIC_ARN).toEqual({ Ref: 'RolloutTopic' });
    expect(env('SlackNotifierLambdaFunction').SLACK_WEBHOOK_PARAMETER).toBe('/ml-rollout/ci/slack-webhook-url');
    for (const [id] of resourcesOfType('AWS::Lambda::Function')) expect([id, 'SLACK_WEBHOOK_URL' in env(id)]).toEqual([id, false]);
    expect(env('StartRolloutLambdaFunction').ROLLOUT_STATE_MACHINE_ARN).toEqual({ Ref: 'RolloutStateMachine' });
    expect(env('RollbackLambdaFunction').ROLLBACK_STATE_MACHINE_ARN).toEqual({ Ref: 'RollbackStateMachine' });
  });

  it('gives every function a role of its own', () => {
    const roles = resourcesOfType('AWS::Lambda::Function').map(([id, fn]) => [id, getAttTarget(fn.Properties.Role)] as const);
    for (const [id, role] of roles) {
      expect([id, role]).toEqual([id, `${id.replace(/LambdaFunction$/, '')}IamRoleLambdaExecution`]);
      expect(resource(role ?? '').Type).toBe('AWS::IAM::Role');
    }
    expect(new Set(roles.map(([, r]) => r)).size).toBe(roles.length);
  });

  it('grants no wildcard action anywhere, and "*" resources only to APIs that take no ARN', () => {
    const problems: string[] = [];
    for (const [id, role] of resourcesOfType('AWS::IAM::Role')) {
      for (const s of statementsOf(role).filter((st) => st.Effect === 'Allow')) {
        for (const action of list(s.Action) as string[]) {
          if (action === '*' || action.endsWith(':*')) problems.push(`${id}: wildcard action ${action}`);
          if (list(s.Resource).includes('*') && !RESOURCE_STAR_APIS.has(action)) problems.push(`${id}: ${action} on "*"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lets the tasks that wait renew the lock (PUT lock.json) but never release it (no DELETE)', () => {
    const lockArn = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::ml-rollout-ci-${AWS::AccountId}-${AWS::Region}/state/*/lock.json' };
    const onLock = (fn: string) =>
      statementsOf(resource(`${fn}IamRoleLambdaExecution`))
        .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(lockArn))
        .flatMap((s) => list(s.Action));
    for (const fn of ['CheckStable', 'SampleGate', 'VerifyRestore']) expect([fn, onLock(fn)]).toEqual([fn, ['s3:PutObject']]);
    expect(onLock('ReleaseLock')).toContain('s3:DeleteObject');
  });

  it('lets each entry function do only its one job', () => {
    const granted = (fn: string) =>
      statementsOf(resource(`${fn}IamRoleLambdaExecution`))
        .filter((s) => !list(s.Action).every((a) => String(a).startsWith('logs:')))
        .map((s) => [list(s.Action), s.Resource]);
    expect(granted('StartRollout')).toEqual([
      [
        ['s3:GetObject', 's3:GetObjectVersion'],
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::ml-rollout-ci-${AWS::AccountId}-${AWS::Region}/bundles/*' },
      ],
      [['states:StartExecution'], { Ref: 'RolloutStateMachine' }],
    ]);
    expect(granted('Rollback')).toEqual([[['states:StartExecution'], { Ref: 'RollbackStateMachine' }]]);
    expect(granted('SlackNotifier')).toEqual([
      [
        ['ssm:GetParameter'],
        { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ml-rollout/ci/slack-webhook-url' },
      ],
    ]);
  });

  it('lets approve and abort end a pause of the rollout state machine only, and write no more than the pause and the flag', () => {
    const statements = (fn: string) => statementsOf(resource(`${fn}IamRoleLambdaExecution`));
    const granting = (fn: string, action: string) => statements(fn).filter((s) => list(s.Action).includes(action));
    for (const fn of ['Approve', 'Abort']) {
      expect([fn, granting(fn, 'states:SendTaskSuccess')]).toEqual([
        fn,
        [{ Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: { Ref: 'RolloutStateMachine' } }],
      ]);
      const deletes = granting(fn, 's3:DeleteObject').flatMap((s) => list(s.Resource).map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']));
      expect([fn, deletes.map((arn) => arn.replace(/^.*\/state\//, 'state/'))]).toEqual([
        fn,
        ['state/*/abort.json', 'state/*/approval.json'],
      ]);
    }
    for (const fn of ['CheckStable', 'SampleGate', 'ApplyPhase']) expect([fn, granting(fn, 'states:SendTaskSuccess')]).toEqual([fn, []]);
  });

  it('grants the ECS target its calls scoped by params, PassRole only to ecs-tasks.amazonaws.com', () => {
    const statements = (fn: string) => statementsOf(resource(`${fn}IamRoleLambdaExecution`));
    const granting = (fn: string, action: string) => statements(fn).filter((s) => list(s.Action).includes(action));
    const sub = (arn: string) => ({ 'Fn::Sub': arn });
    expect(granting('ApplyPhase', 'ecs:UpdateService')).toEqual([
      {
        Effect: 'Allow',
        Action: ['ecs:UpdateService', 'ecs:TagResource'],
        Resource: [
          sub('arn:${AWS::Partition}:ecs:*:${AWS::AccountId}:service/*/*'),
          sub('arn:${AWS::Partition}:ecs:*:${AWS::AccountId}:task-definition/*:*'),
        ],
      },
    ]);
    expect(granting('ApplyPhase', 'ecs:RegisterTaskDefinition')).toEqual([
      {
        Effect: 'Allow',
        Action: ['ecs:RegisterTaskDefinition'],
        Resource: '*',
        Condition: { Null: { 'aws:RequestTag/ml-rollout:environment': 'false' } },
      },
    ]);
    expect(granting('ApplyPhase', 'elasticloadbalancing:ModifyTargetGroup')).toEqual([
      {
        Effect: 'Allow',
        Action: ['elasticloadbalancing:ModifyTargetGroup'],
        Resource: sub('arn:${AWS::Partition}:elasticloadbalancing:*:${AWS::AccountId}:targetgroup/*/*'),
      },
    ]);
    const passRole = granting('ApplyPhase', 'iam:PassRole').filter((s) => JSON.stringify(s.Condition).includes('ecs-tasks'));
    expect(passRole).toEqual([
      {
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'),
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
    for (const fn of ['TakeSnapshot', 'CheckStable', 'SampleGate', 'RestoreSnapshot', 'VerifyRestore']) {
      expect([fn, granting(fn, 'ecs:DescribeServices').length]).toEqual([fn, 1]);
      expect([
        fn,
        granting(fn, 'ecs:RegisterTaskDefinition').length,
        granting(fn, 'elasticloadbalancing:ModifyTargetGroup').length,
      ]).toEqual([fn, 0, 0]);
    }
    // Only the tasks that change the service may update it.
    for (const fn of ['TakeSnapshot', 'CheckStable', 'SampleGate']) expect([fn, granting(fn, 'ecs:UpdateService').length]).toEqual([fn, 0]);
    for (const fn of ['RestoreSnapshot', 'VerifyRestore']) expect([fn, granting(fn, 'ecs:UpdateService').length]).toEqual([fn, 1]);
  });

  it("grants the rollback alarm's calls on ml-rollout-* alarms only, each to the task that makes it, and the abort and policy restore", () => {
    const statements = (fn: string) => statementsOf(resource(`${fn}IamRoleLambdaExecution`));
    const granting = (fn: string, action: string) => statements(fn).filter((s) => list(s.Action).includes(action));
    const alarm = { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:*:${AWS::AccountId}:alarm:ml-rollout-*' };
    const who = (action: string) =>
      ['TakeSnapshot', 'ApplyPhase', 'CheckStable', 'SampleGate', 'RestoreSnapshot', 'VerifyRestore', 'RecordKnownGood'].filter(
        (fn) => granting(fn, action).length > 0,
      );
    expect(who('cloudwatch:PutMetricAlarm')).toEqual(['ApplyPhase']);
    expect(who('cloudwatch:SetAlarmState')).toEqual(['RestoreSnapshot']);
    expect(who('cloudwatch:DeleteAlarms')).toEqual(['VerifyRestore', 'RecordKnownGood']);
    for (const [fn, action] of [
      ['ApplyPhase', 'cloudwatch:PutMetricAlarm'],
      ['RestoreSnapshot', 'cloudwatch:SetAlarmState'],
      ['VerifyRestore', 'cloudwatch:DeleteAlarms'],
      ['RecordKnownGood', 'cloudwatch:DeleteAlarms'],
    ] as const) {
      expect(granting(fn, action)).toEqual([{ Effect: 'Allow', Action: [action], Resource: alarm }]);
    }
    // A failed gate mid-evaluation aborts the update; the verification and the end of the rollout may update the environment.
    expect(who('elasticbeanstalk:AbortEnvironmentUpdate')).toEqual(['ApplyPhase', 'RestoreSnapshot']);
    expect(who('elasticbeanstalk:UpdateEnvironment')).toEqual(['ApplyPhase', 'RestoreSnapshot', 'VerifyRestore', 'RecordKnownGood']);
    expect(who('elasticbeanstalk:CreateApplicationVersion')).toEqual(['ApplyPhase', 'RestoreSnapshot']);
  });
});
