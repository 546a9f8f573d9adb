import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';

/** The dashboard's buttons: the CLI's own commands, run as a child, so they do exactly what the CLI does. */
export const DashboardAction = { Approve: 'approve', Abort: 'abort' } as const;
export type DashboardAction = (typeof DashboardAction)[keyof typeof DashboardAction];

export interface ActionResult {
  /** The command as it ran (argv after node). */
  command: string[];
  code: number;
  stdout: string;
  stderr: string;
}

/** Longest an action may take before the dashboard gives up on it, ms (an abort returns once it is asked). */
const ACTION_TIMEOUT_MS = 60_000;

export function actionArgs(action: DashboardAction, environment: string, reason?: string): string[] {
  const args = [join(projectRoot(), 'bin', 'ml-rollout.js'), action, '--env', environment];
  if (action === DashboardAction.Abort) args.push('--reason', reason?.trim() ? reason.trim() : 'aborted from the dashboard');
  return args;
}

/** Runs `ml-rollout <action> --env NAME` over the same state home; resolves with its exit code and output. */
export function runAction(home: string, action: DashboardAction, environment: string, reason?: string): Promise<ActionResult> {
  const args = actionArgs(action, environment, reason);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ML_ROLLOUT_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: ACTION_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', (err) => resolve({ command: args, code: 1, stdout, stderr: `${stderr}${err.message}` }));
    child.on('close', (code) => resolve({ command: args, code: code ?? 1, stdout, stderr }));
  });
}
