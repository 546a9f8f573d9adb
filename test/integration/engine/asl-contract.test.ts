import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { parse } from 'yaml';
import { ErrorName, FailName, LambdaServiceErrorName, StatesErrorName } from '../../../lib/errors.js';
import { loadDefinition, StateMachineName } from '../../../cli/definition.js';
import { TASK_FUNCTIONS } from '../../../cli/handlers.js';

type State = {
  Type: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Comment?: string }[];
  Error?: string;
  Resource?: unknown;
};

const machines = Object.values(StateMachineName);
const known = new Set<string>([
  ...Object.values(ErrorName),
  ...Object.values(LambdaServiceErrorName),
  ...Object.values(StatesErrorName),
  'States.ALL',
]);

describe.each(machines)('statemachines/%s.asl.yml', (name) => {
  it('is valid ASL once its function ARNs are in place', async () => {
    const { definition } = await loadDefinition(name);
    const { isValid, errors } = aslValidator(definition as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('matches only the exported error names, and its Fail states raise only FailName', async () => {
    const raw = parse(await readFile(join(import.meta.dirname, '../../../statemachines', `${name}.asl.yml`), 'utf8')) as {
      States: Record<string, State>;
    };
    const states = Object.values(raw.States);
    const matched = states.flatMap((s) => [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals));
    expect(matched.filter((e) => !known.has(e))).toEqual([]);
    const fails = states.filter((s) => s.Type === 'Fail').map((s) => s.Error);
    expect(fails.filter((e) => !Object.values(FailName).includes(e as never))).toEqual([]);
  });

  it('binds every Task to a function that exists', async () => {
    const { taskFunctions } = await loadDefinition(name);
    const fns = TASK_FUNCTIONS;
    expect(Object.values(taskFunctions).filter((f) => !(f in fns))).toEqual([]);
  });

  it('says on every Catch why it goes where it goes, and gives every Task a Retry and a Catch', async () => {
    const raw = parse(await readFile(join(import.meta.dirname, '../../../statemachines', `${name}.asl.yml`), 'utf8')) as {
      States: Record<string, State>;
    };
    const tasks = Object.entries(raw.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.filter(([, s]) => !s.Retry?.length || !s.Catch?.length).map(([n]) => n)).toEqual([]);
    const uncommented = tasks.flatMap(([n, s]) => (s.Catch ?? []).filter((c) => !c.Comment?.trim()).map(() => n));
    expect(uncommented).toEqual([]);
  });

  it('never retries an invalid bundle', async () => {
    const raw = parse(await readFile(join(import.meta.dirname, '../../../statemachines', `${name}.asl.yml`), 'utf8')) as {
      States: Record<string, State>;
    };
    const retried = Object.values(raw.States).flatMap((s) => (s.Retry ?? []).flatMap((r) => r.ErrorEquals));
    expect(retried).not.toContain(ErrorName.BundleInvalid);
    expect(retried).not.toContain(ErrorName.GateFailed);
  });
});

describe('statemachines/rollout.asl.yml: the pause for approval', () => {
  it('is a .waitForTaskToken Lambda task whose timeout is the phase approval timeout, rolling back on States.Timeout', async () => {
    const raw = parse(await readFile(join(import.meta.dirname, '../../../statemachines/rollout.asl.yml'), 'utf8')) as {
      States: Record<string, State & { Parameters?: Record<string, unknown>; TimeoutSecondsPath?: string; Next?: string }>;
    };
    const wait = raw.States.WaitForApproval!;
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.Parameters).toEqual({
      FunctionName: { 'Fn::GetAtt': ['awaitApproval', 'Arn'] },
      Payload: { 'token.$': '$$.Task.Token', 'state.$': '$' },
    });
    expect(wait.TimeoutSecondsPath).toBe('$.phaseRun.approvalTimeoutSeconds');
    const catches = (wait.Catch ?? []) as { ErrorEquals: string[]; Next: string }[];
    expect(catches.map((c) => [c.ErrorEquals, c.Next])).toEqual([
      [[StatesErrorName.Timeout], 'ApprovalTimedOut'],
      [[ErrorName.RolloutAborted], 'RestoreSnapshot'],
      [['States.ALL'], 'RestoreSnapshot'],
    ]);
    expect(raw.States.ApprovalTimedOut?.Next).toBe('RestoreSnapshot');
    const { callbackTasks, taskFunctions } = await loadDefinition(StateMachineName.Rollout);
    expect(callbackTasks).toEqual(['WaitForApproval']);
    expect(taskFunctions.WaitForApproval).toBe('awaitApproval');
  });
});
