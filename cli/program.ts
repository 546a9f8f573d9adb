import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULTS } from '../lib/plan/defaults.js';
import type { Runtime } from '../lib/runtime.js';
import { projectRoot } from './paths.js';
import { EXIT_CODE } from './report.js';
import type { Terminal } from './terminal.js';

/*
 * The commands' definitions. Each action imports its command's module when it runs, so that
 * `--help`, `--version`, `status` or `plan` load neither the engine nor an AWS SDK client.
 */

/** What the actions share: where they write, the runtime (built on first use), the exit code. */
export interface CliContext {
  term: Terminal;
  runtime(): Promise<Runtime>;
  /** The exit code the action sets (0 unless it says otherwise). */
  code: number;
}

/** An exit code and what it means for one command, for its --help. */
type ExitCodes = [code: number, meaning: string][];

const ROLLOUT_EXITS: ExitCodes = [
  [EXIT_CODE.succeeded, 'succeeded (or this bundle already serves: nothing to do)'],
  [EXIT_CODE.failed, 'failed: an error the rollout could not handle (the summary says whether it rolled back)'],
  [EXIT_CODE.rejected, 'rejected: invalid bundle or arguments, does not fit, or the environment is locked; nothing changed'],
  [EXIT_CODE.rolled_back, 'rolled back: a phase failed its gate or deadline; the previous version serves again'],
];
const ROLLBACK_EXITS: ExitCodes = [
  [0, 'the previous known-good version serves again, verified healthy'],
  [1, 'failed'],
  [2, 'refused (nothing to roll back to, or the environment is locked) or bad arguments'],
];
const PLAN_EXITS: ExitCodes = [
  [0, 'the bundle is valid and fits'],
  [1, 'an error reading it'],
  [2, 'the rollout would reject it (invalid bundle, does not fit) or bad arguments'],
];
const PLAIN_EXITS: ExitCodes = [
  [0, 'done'],
  [1, 'an error'],
  [2, 'bad arguments or input; nothing changed'],
];

const STATUS_EXITS: ExitCodes = [
  [0, 'healthy and verified (or nothing serves after a destroy)'],
  [1, 'serving but unverified (an interrupted rollout) or unhealthy'],
  [2, 'no such environment, or bad arguments'],
];

const APPROVE_EXITS: ExitCodes = [
  [0, 'a rollout was waiting for approval: it goes on'],
  [2, 'no rollout of the environment was waiting (none runs, or it is not paused), or bad arguments'],
];
const ABORT_EXITS: ExitCodes = [
  [0, 'a rollout was running: it rolls back now (verified) and its deploy exits 3'],
  [2, 'no rollout of the environment was running, or bad arguments'],
];

function exitCodes(codes: ExitCodes): string {
  return `\nExit codes:\n${codes.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n')}`;
}

/**
 * A command's usage in two parts for the list of commands: what it requires beside its name,
 * and its optional flags on the line under its description, so that the column stays narrow.
 */
function splitUsage(cmd: Command): { required: string; optional: string } {
  const usage = cmd.usage() === '[options]' ? '' : cmd.usage();
  const at = usage.indexOf('[-');
  return at < 0 ? { required: usage, optional: '' } : { required: usage.slice(0, at).trim(), optional: usage.slice(at) };
}

function wholeSeconds(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a whole number of seconds ≥ 1, not '${value}'`);
    return n;
  };
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port takes a port number (0–65535), not '${value}'`);
  return n;
}

/**
 * An environment name as manifests spell it (`slug` of lib/plan/target-schema.ts, repeated here
 * so that parsing the command line loads no zod): never a path.
 */
const ENVIRONMENT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
function environmentName(value: string): string {
  if (!ENVIRONMENT_NAME.test(value))
    throw new InvalidArgumentError(`--env takes an environment name (lowercase letters, digits and dashes, at most 63), not '${value}'`);
  return value;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const byTarget = (d: Record<string, number>) =>
  Object.entries(d)
    .map(([target, s]) => `${s} s ${target}`)
    .join(', ');

interface DeployFlags {
  detach?: boolean;
  report?: string;
  reportHtml?: string;
  bucket?: string;
  pollSeconds?: number;
  sampleSeconds?: number;
  json?: boolean;
  quiet?: boolean;
}

function defineRollout(program: Command, ctx: CliContext): void {
  const t = ctx.term;
  program
    .command('deploy')
    .description('roll out a bundle phase by phase, rolling back on failure')
    .usage(
      '<bundle> [--report FILE] [--report-html FILE] [--bucket B] [--poll-seconds N] [--sample-seconds N] [--json] [--quiet] [--detach]',
    )
    .argument('<bundle>', 'a bundle: a .zip or a directory with rollout.yaml and a Procfile')
    .option('--report <file>', 'also write the JSON report to FILE')
    .option('--bucket <name>', "S3 bucket for the bundle of an AWS target (default: the manifest's target.bucket)")
    .option(
      '--poll-seconds <n>',
      `seconds between health polls while a phase starts (default: ${byTarget(DEFAULTS.pollSeconds)})`,
      wholeSeconds('--poll-seconds'),
    )
    .option(
      '--sample-seconds <n>',
      `seconds between gate samples while a phase bakes (default: ${byTarget(DEFAULTS.sampleSeconds)})`,
      wholeSeconds('--sample-seconds'),
    )
    .option('--json', 'print the JSON report on stdout (progress and summary go to stderr)')
    .option('--quiet', 'print neither progress nor the summary (errors still go to stderr)')
    .option('--detach', 'start the rollout in its engine process, print its id and return at once')
    .option('--report-html <file>', 'also write the HTML report (timeline, checks, charts, AWS cost) to FILE')
    .addHelpText('after', exitCodes(ROLLOUT_EXITS))
    .action(async (bundle: string, o: DeployFlags) => {
      const { deploy } = await import('./commands/deploy.js');
      const opts = {
        bundle,
        bucket: o.bucket,
        reportFile: o.report,
        ...(o.reportHtml ? { reportHtmlFile: o.reportHtml } : {}),
        pollSeconds: o.pollSeconds,
        sampleSeconds: o.sampleSeconds,
        quiet: o.quiet === true,
        detach: o.detach === true,
        bin: t.bin,
      };
      const r = await deploy(await ctx.runtime(), opts, o.json ? t.errPainted : t.out, t.err);
      if (o.json && r.report) process.stdout.write(`${JSON.stringify(r.report, null, 2)}\n`);
      ctx.code = r.code;
    });

  program
    .command('plan')
    .description('dry run: phases, settings, gates, deadlines, capacity')
    .usage('<bundle> [--json]')
    .argument('<bundle>', 'a bundle: a .zip or a directory')
    .option('--json', 'print the resolved plan as JSON')
    .addHelpText('after', exitCodes(PLAN_EXITS))
    .action(async (bundle: string, o: { json?: boolean }) => {
      const [{ planBundle, planLines }, { assertCapacity }] = await Promise.all([
        import('./commands/plan.js'),
        import('../lib/plan/capacity.js'),
      ]);
      const planned = await planBundle(bundle);
      if (o.json) process.stdout.write(`${JSON.stringify(planned.plan, null, 2)}\n`);
      else planLines(planned).forEach(t.out);
      // Whatever the rollout would reject, the dry run rejects too (after showing the plan).
      assertCapacity(planned.manifest);
    });

  program
    .command('demo')
    .description('pack the example service and deploy it (env skin-dev)')
    .addHelpText('after', exitCodes(ROLLOUT_EXITS))
    .action(async () => {
      const [{ mkdir }, { deploy }, { pack }] = await Promise.all([
        import('node:fs/promises'),
        import('./commands/deploy.js'),
        import('./commands/pack.js'),
      ]);
      const rt = await ctx.runtime();
      const zip = join(rt.home, 'bundles', 'skin-similarity.zip');
      await mkdir(join(rt.home, 'bundles'), { recursive: true });
      const packed = await pack(join(projectRoot(), 'examples', 'skin-similarity'), zip);
      t.out(`packed examples/skin-similarity ${packed.version} into ${zip}`);
      const r = await deploy(rt, { bundle: zip }, t.out, t.err);
      if (r.code === 0) {
        t.out('');
        t.out(`Next: ${t.bin} status --env skin-dev --json   ·   ${t.bin} destroy --env skin-dev`);
      }
      ctx.code = r.code;
    });
}

function defineEnvironment(program: Command, ctx: CliContext): void {
  const t = ctx.term;
  // Validated before anything reads it: the name becomes a path under the state home.
  const env = (cmd: Command) => cmd.requiredOption('--env <name>', 'the environment (target.environment of its manifest)', environmentName);

  env(program.command('status'))
    .description('what serves the environment, is it healthy and verified, and the rollout running if any')
    .usage('--env NAME [--json]')
    .option('--json', 'print {environment, version, url, healthy, verified, knownGood, rollout, …} as JSON')
    .addHelpText('after', exitCodes(STATUS_EXITS))
    .action(async (o: { env: string; json?: boolean }) => {
      const { status, statusOutput } = await import('./commands/environment.js');
      const shown = statusOutput(await status(await ctx.runtime(), o.env), o.json === true);
      shown.out.forEach(t.out);
      shown.err.forEach(t.err);
      ctx.code = shown.code;
    });

  env(program.command('rollback'))
    .description('back to the last known-good version (the one before it when what serves is known-good), verified healthy')
    .usage('--env NAME [--detach]')
    .option('--detach', 'start the rollback in its engine process and return at once')
    .addHelpText('after', exitCodes(ROLLBACK_EXITS))
    .action(async (o: { env: string; detach?: boolean }) => {
      const { rollback } = await import('./commands/environment.js');
      ctx.code = await rollback(await ctx.runtime(), o.env, t.out, t.err, { detach: o.detach === true });
    });

  env(program.command('destroy'))
    .description("stop the environment's processes (its history stays)")
    .usage('--env NAME')
    .addHelpText('after', exitCodes(PLAIN_EXITS))
    .action(async (o: { env: string }) => {
      const { destroy, DestroyRefusedError } = await import('./commands/environment.js');
      try {
        t.out(await destroy(await ctx.runtime(), o.env));
      } catch (err) {
        if (!(err instanceof DestroyRefusedError)) throw err;
        t.err(`ml-rollout: ${err.message}`);
        ctx.code = 2;
      }
    });

  env(program.command('unlock'))
    .description('clear a lock left by a crashed run')
    .usage('--env NAME')
    .addHelpText('after', exitCodes(PLAIN_EXITS))
    .action(async (o: { env: string }) => {
      const { unlock } = await import('./commands/environment.js');
      t.out(await unlock(await ctx.runtime(), o.env));
    });

  env(program.command('proxy'))
    .description('the caching inference proxy in front of an environment')
    .usage('--env NAME [--port N]')
    .option('--port <n>', 'port to listen on (default: a free one)', portNumber)
    .addHelpText('after', exitCodes(PLAIN_EXITS))
    .action(async (o: { env: string; port?: number }) => {
      const { startLocalProxy } = await import('./proxy-server.js');
      const proxy = await startLocalProxy({ environment: o.env, ...(o.port !== undefined ? { port: o.port } : {}), log: t.out });
      t.out(`proxy for ${o.env} listening on ${proxy.url} (POST ${proxy.url}/v1/${o.env}/predict); Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        const stop = () => void proxy.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function defineOperate(program: Command, ctx: CliContext): void {
  const t = ctx.term;
  const env = (cmd: Command) => cmd.requiredOption('--env <name>', 'the environment (target.environment of its manifest)');
  const show = (r: { code: number; out: string[]; err: string[] }) => {
    r.out.forEach(t.out);
    r.err.forEach(t.err);
    ctx.code = r.code;
  };

  env(program.command('approve'))
    .description('let a rollout paused for approval (a phase with approve: true) go on')
    .usage('--env NAME')
    .addHelpText('after', exitCodes(APPROVE_EXITS))
    .action(async (o: { env: string }) => {
      const { approve } = await import('./commands/approve.js');
      show(await approve(await ctx.runtime(), o.env));
    });

  env(program.command('abort'))
    .description('roll the running or paused rollout back now, verified; its deploy exits 3')
    .usage('--env NAME [--reason TEXT]')
    .option('--reason <text>', 'why: the rollout record, its notification and its deploy name it')
    .addHelpText('after', exitCodes(ABORT_EXITS))
    .action(async (o: { env: string; reason?: string }) => {
      const { abort } = await import('./commands/abort.js');
      show(await abort(await ctx.runtime(), o.env, o.reason?.trim() || null));
    });
}

function definePack(program: Command, ctx: CliContext): void {
  program
    .command('pack')
    .description('zip a bundle directory (dot-files left out)')
    .usage('<dir> -o FILE [--manifest FILE]')
    .argument('<dir>', 'the bundle directory')
    .requiredOption('-o, --output <file>', 'the zip to write')
    .option('--manifest <file>', "use this rollout.yaml instead of the directory's")
    .addHelpText('after', exitCodes(PLAIN_EXITS))
    .action(async (dir: string, o: { output: string; manifest?: string }) => {
      const { pack } = await import('./commands/pack.js');
      const r = await pack(dir, o.output, o.manifest);
      ctx.term.out(`packed ${r.files} files of version ${r.version} into ${o.output}`);
    });
}

function defineInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a deployable inference service: app, tests, rollout.yaml, Procfile, CI workflow')
    .usage('<name> [--dir DIR] [--target local|elastic-beanstalk|sagemaker|ecs] [--yes]')
    .argument('<name>', 'the service name (lowercase letters, digits and dashes)')
    .option('--dir <dir>', 'where to create it (default ./<name>); never overwritten')
    .option('--target <type>', 'local, elastic-beanstalk, sagemaker or ecs (asked on a terminal; default local)')
    .option('--yes', 'take every default without asking')
    .addHelpText('after', exitCodes(PLAIN_EXITS))
    .action(async (name: string, o: { dir?: string; target?: string; yes?: boolean }) => {
      const { init } = await import('./commands/init.js');
      await init({ name, ...(o.dir ? { dir: o.dir } : {}), ...(o.target ? { target: o.target } : {}), yes: o.yes === true }, ctx.term.out);
    });
}

const VIEW_EXITS: ExitCodes = [
  [0, 'shown'],
  [1, 'an error'],
  [2, 'no such environment (or rollout), or bad arguments'],
];
const WATCH_EXITS: ExitCodes = [
  [0, 'shown (with --watch: the rollout succeeded, or none was running)'],
  [1, 'an error (with --watch: the rollout failed)'],
  [2, 'no such environment, or bad arguments (with --watch: the rollout was rejected)'],
  [3, 'with --watch: the rollout rolled back'],
];

function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a whole number ≥ 1, not '${value}'`);
    return n;
  };
}

function defineViews(program: Command, ctx: CliContext): void {
  const t = ctx.term;
  const env = (cmd: Command) => cmd.requiredOption('--env <name>', 'the environment (target.environment of its manifest)');

  env(program.command('get'))
    .description('what serves, the running rollout (phase, step, checks, approval) or the last outcome')
    .usage('--env NAME [--watch] [--json]')
    .option('--watch', 'redraw until the running rollout ends (one line per change when not on a terminal)')
    .option('--json', 'print {environment, serving, rollout, last} as JSON')
    .addHelpText('after', exitCodes(WATCH_EXITS))
    .action(async (o: { env: string; watch?: boolean; json?: boolean }) => {
      const { getView, getLines, watchGet } = await import('./commands/get.js');
      const rt = await ctx.runtime();
      const v = await getView(rt, o.env, t.bin);
      if (!v.exists) {
        t.err(`ml-rollout: no environment ${o.env} here (nothing was ever deployed to it)`);
        ctx.code = 2;
        return;
      }
      if (o.watch && !o.json) {
        ctx.code = await watchGet(rt, o.env, t.bin, { tty: Boolean(process.stdout.isTTY), write: (s) => void process.stdout.write(s) });
        return;
      }
      if (o.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
      else getLines(v).forEach(t.out);
    });

  env(program.command('history'))
    .description('one row per rollout, newest first: version, previous, status, start, duration, failed check')
    .usage('--env NAME [--json] [--limit N]')
    .option('--json', 'print an array of {id, version, previousVersion, status, startedAt, durationMs, failedCheck, …}')
    .option('--limit <n>', 'at most N rows', positiveInt('--limit'))
    .addHelpText('after', exitCodes(VIEW_EXITS))
    .action(async (o: { env: string; json?: boolean; limit?: number }) => {
      const { historyCommand } = await import('./commands/history.js');
      const shown = await historyCommand(await ctx.runtime(), o.env, { json: o.json === true, ...(o.limit ? { limit: o.limit } : {}) });
      shown.out.forEach((l) => process.stdout.write(`${l}\n`));
      shown.err.forEach(t.err);
      ctx.code = shown.code;
    });

  env(program.command('report'))
    .description('one self-contained HTML page of a rollout: timeline, checks, charts of every sample, AWS cost')
    .usage('--env NAME --html FILE [--rollout ID]')
    .requiredOption('--html <file>', 'the HTML file to write')
    .option('--rollout <id>', 'the rollout (default: the latest)')
    .addHelpText('after', exitCodes(VIEW_EXITS))
    .action(async (o: { env: string; html: string; rollout?: string }) => {
      const { writeReportHtml, ReportInputError } = await import('./commands/report-html.js');
      try {
        t.out(await writeReportHtml(await ctx.runtime(), o.env, o.html, o.rollout));
      } catch (err) {
        if (!(err instanceof ReportInputError)) throw err;
        t.err(`ml-rollout: ${err.message}`);
        ctx.code = 2;
      }
    });

  program
    .command('dashboard')
    .description('a local web page: every environment, live rollouts with charts, history, approve and abort')
    .usage('[--port N]')
    .option('--port <n>', 'port on 127.0.0.1 (default 3100)', portNumber)
    .addHelpText('after', exitCodes(PLAIN_EXITS))
    .action(async (o: { port?: number }) => {
      const { startDashboard } = await import('./dashboard/server.js');
      const d = await startDashboard(await ctx.runtime(), { port: o.port ?? 3100, bin: t.bin });
      t.out(`dashboard on ${d.url} (127.0.0.1 only); Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        const stop = () => void d.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/**
 * The program. Errors are not printed here: they are thrown (exitOverride) for main to print
 * as one line with exit 2.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('ml-rollout')
    .description('Phased, gated rollouts of ML inference services with automatic rollback.')
    .usage('<command> [options]')
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .helpCommand('help [command]', "print a command's help")
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .configureHelp({
      subcommandTerm: (cmd) => `${cmd.name()} ${splitUsage(cmd).required}`.trimEnd(),
      subcommandDescription: (cmd) => [cmd.description(), splitUsage(cmd).optional].filter(Boolean).join('\n'),
    })
    .addHelpText(
      'after',
      `\nState lives under $ML_ROLLOUT_HOME (default ./.ml-rollout).\n${ctx.term.bin} <command> --help lists a command's options and exit codes.`,
    );
  defineRollout(program, ctx);
  defineEnvironment(program, ctx);
  defineOperate(program, ctx);
  definePack(program, ctx);
  defineInit(program, ctx);
  defineViews(program, ctx);
  return program;
}
