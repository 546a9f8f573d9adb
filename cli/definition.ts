import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './paths.js';

/** The names of the state machines in statemachines/ (<name>.asl.yml). */
export const StateMachineName = { Rollout: 'rollout', Rollback: 'rollback' } as const;
export type StateMachineName = (typeof StateMachineName)[keyof typeof StateMachineName];

/** A definition ready for the local engine, and which function each Task state runs. */
export interface LocalDefinition {
  definition: Record<string, unknown> & { States: Record<string, Record<string, unknown>> };
  /** Task state name → function name (the first element of its Fn::GetAtt). */
  taskFunctions: Record<string, string>;
  /**
   * Task states that invoke their function with `lambda:invoke.waitForTaskToken` (its Parameters
   * name the function): the engine binds them to the function plus a local wait for the callback.
   */
  callbackTasks: string[];
}

/** The service integration of a callback task: Lambda invoked with a task token, then a wait. */
export const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * Reads statemachines/<name>.asl.yml. On AWS, serverless-step-functions turns each
 * `Fn::GetAtt: [fn, Arn]` into the function's ARN; here it becomes a placeholder ARN and the Task
 * is bound to the function's handler instead. Nothing else of the definition is touched, but for
 * the one path the local engine reads from elsewhere (a callback task's TimeoutSecondsPath, below).
 */
export async function loadDefinition(name: StateMachineName): Promise<LocalDefinition> {
  const text = await readFile(join(projectRoot(), 'statemachines', `${name}.asl.yml`), 'utf8');
  const definition = parse(text) as LocalDefinition['definition'];
  const taskFunctions: Record<string, string> = {};
  const callbackTasks: string[] = [];
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    if (state.Resource === WAIT_FOR_TASK_TOKEN) {
      const params = state.Parameters as { FunctionName?: { 'Fn::GetAtt'?: [string, string] } } | undefined;
      const fn = params?.FunctionName?.['Fn::GetAtt']?.[0];
      if (!fn) throw new Error(`${name}.asl.yml: Task ${stateName} has no Parameters.FunctionName Fn::GetAtt`);
      taskFunctions[stateName] = fn;
      callbackTasks.push(stateName);
      (state.Parameters as Record<string, unknown>).FunctionName = `arn:aws:lambda:us-east-1:000000000000:function:${fn}`;
      // Step Functions reads TimeoutSecondsPath from the state's input; aws-local-stepfunctions
      // reads it from the input after Parameters, where that input is at $.Payload.state.
      const timeoutPath = state.TimeoutSecondsPath;
      if (typeof timeoutPath === 'string') {
        const payload = (state.Parameters as { Payload?: Record<string, unknown> }).Payload;
        if (payload?.['state.$'] !== '$' || !timeoutPath.startsWith('$.')) {
          throw new Error(`${name}.asl.yml: Task ${stateName} needs Payload "state.$": "$" for its TimeoutSecondsPath`);
        }
        state.TimeoutSecondsPath = `$.Payload.state.${timeoutPath.slice(2)}`;
      }
      continue;
    }
    const ref = state.Resource as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
    const fn = typeof ref === 'object' ? ref['Fn::GetAtt']?.[0] : undefined;
    if (!fn) throw new Error(`${name}.asl.yml: Task ${stateName} has no Fn::GetAtt resource`);
    taskFunctions[stateName] = fn;
    state.Resource = `arn:aws:lambda:us-east-1:000000000000:function:${fn}`;
  }
  return { definition, taskFunctions, callbackTasks };
}
