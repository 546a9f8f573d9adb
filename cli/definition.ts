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
}

/**
 * Reads statemachines/<name>.asl.yml. On AWS, serverless-step-functions turns each
 * `Fn::GetAtt: [fn, Arn]` into the function's ARN; here it becomes a placeholder ARN and the Task
 * is bound to the function's handler instead. Nothing else of the definition is touched.
 */
export async function loadDefinition(name: StateMachineName): Promise<LocalDefinition> {
  const text = await readFile(join(projectRoot(), 'statemachines', `${name}.asl.yml`), 'utf8');
  const definition = parse(text) as LocalDefinition['definition'];
  const taskFunctions: Record<string, string> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const ref = state.Resource as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
    const fn = typeof ref === 'object' ? ref['Fn::GetAtt']?.[0] : undefined;
    if (!fn) throw new Error(`${name}.asl.yml: Task ${stateName} has no Fn::GetAtt resource`);
    taskFunctions[stateName] = fn;
    state.Resource = `arn:aws:lambda:us-east-1:000000000000:function:${fn}`;
  }
  return { definition, taskFunctions };
}
