import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BundleInvalidError, describeError } from '../lib/errors.js';
import { createLocalRuntime, setRuntime, type Runtime } from '../lib/runtime.js';
import { deploy } from './commands/deploy.js';
import { destroy, rollback, status, unlock } from './commands/environment.js';
import { pack } from './commands/pack.js';
import { planBundle, planLines } from './commands/plan.js';
import { assertCapacity } from '../lib/plan/capacity.js';
import { projectRoot } from './paths.js';

const USAGE = `usage: ml-rollout <command> [options]

  deploy <bundle.zip|dir> [--report FILE] [--bucket B]
                                            roll a bundle out through its phases
  plan <bundle.zip|dir>                     dry run: phases, settings, gates, deadlines
  init <name> [--dir DIR] [--target T] [--yes]
                                            a new service project (asks, or takes the defaults)
  status --env NAME [--json]                what serves the environment, and is it healthy
  rollback --env NAME                       back to the previous known-good version
  destroy --env NAME                        stop the environment's processes
  unlock --env NAME                         clear a lock left by a crashed run
  pack <dir> -o FILE [--manifest FILE]      zip a bundle directory
  proxy --env NAME [--port N]               the caching inference proxy in front of an environment
  demo                                      pack and deploy the example service

State lives under $ML_ROLLOUT_HOME (default ./.ml-rollout).`;

/** Usage errors: exit 2 with one line, like a rejected bundle. */
class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

function args(argv: string[], options: Options, positionals: number) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals ? `expected ${positionals} argument(s), got ${parsed.positionals.length}` : 'takes no arguments');
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function envOf(values: Record<string, string | boolean | undefined>): string {
  const env = values.env;
  if (typeof env !== 'string' || !env) throw new UsageError('--env NAME is required');
  return env;
}

function seconds(v: string | boolean | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number of seconds ≥ 1`);
  return n;
}

export async function main(argv: string[], rt: Runtime = createLocalRuntime()): Promise<number> {
  setRuntime(rt);
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const err = (l: string) => process.stderr.write(`${l}\n`);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'deploy': {
        const a = args(
          rest,
          {
            report: { type: 'string' },
            bucket: { type: 'string' },
            'poll-seconds': { type: 'string' },
            'sample-seconds': { type: 'string' },
          },
          1,
        );
        const r = await deploy(
          rt,
          {
            bundle: a.positionals[0] as string,
            bucket: a.values.bucket as string | undefined,
            reportFile: a.values.report as string | undefined,
            pollSeconds: seconds(a.values['poll-seconds'], '--poll-seconds'),
            sampleSeconds: seconds(a.values['sample-seconds'], '--sample-seconds'),
          },
          out,
          err,
        );
        return r.code;
      }
      case 'plan': {
        const a = args(rest, {}, 1);
        const planned = await planBundle(a.positionals[0] as string);
        planLines(planned).forEach(out);
        // Whatever the rollout would reject, the dry run rejects too (after showing the plan).
        assertCapacity(planned.manifest);
        return 0;
      }
      case 'init': {
        const a = args(rest, { dir: { type: 'string' }, target: { type: 'string' }, yes: { type: 'boolean' } }, 1);
        const { init } = await import('./commands/init.js');
        await init(
          {
            name: a.positionals[0] as string,
            ...(typeof a.values.dir === 'string' ? { dir: a.values.dir } : {}),
            ...(typeof a.values.target === 'string' ? { target: a.values.target } : {}),
            yes: a.values.yes === true,
          },
          out,
        );
        return 0;
      }
      case 'status': {
        const a = args(rest, { env: { type: 'string' }, json: { type: 'boolean' } }, 0);
        const s = await status(rt, envOf(a.values));
        if (a.values.json) out(JSON.stringify(s));
        else
          out(
            s.version
              ? `${s.environment}: ${s.version} at ${s.url} (${s.healthy ? 'healthy' : 'NOT healthy'})`
              : `${s.environment}: nothing serves`,
          );
        return 0;
      }
      case 'rollback': {
        const a = args(rest, { env: { type: 'string' } }, 0);
        return await rollback(rt, envOf(a.values), out, err);
      }
      case 'destroy': {
        const a = args(rest, { env: { type: 'string' } }, 0);
        out(await destroy(rt, envOf(a.values)));
        return 0;
      }
      case 'unlock': {
        const a = args(rest, { env: { type: 'string' } }, 0);
        out(await unlock(rt, envOf(a.values)));
        return 0;
      }
      case 'pack': {
        const a = args(rest, { output: { type: 'string', short: 'o' }, manifest: { type: 'string' } }, 1);
        if (typeof a.values.output !== 'string') throw new UsageError('-o FILE is required');
        const r = await pack(a.positionals[0] as string, a.values.output, a.values.manifest as string | undefined);
        out(`packed ${r.files} files of version ${r.version} into ${a.values.output}`);
        return 0;
      }
      case 'proxy': {
        const a = args(rest, { env: { type: 'string' }, port: { type: 'string' } }, 0);
        const port = a.values.port === undefined ? undefined : Number(a.values.port);
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError('--port takes a port number');
        const { startLocalProxy } = await import('./proxy-server.js');
        const proxy = await startLocalProxy({ environment: envOf(a.values), ...(port !== undefined ? { port } : {}), log: out });
        out(`proxy for ${envOf(a.values)} listening on ${proxy.url} (POST ${proxy.url}/v1/${envOf(a.values)}/predict); Ctrl-C stops it`);
        await new Promise<void>((resolve) => {
          const stop = () => void proxy.close().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return 0;
      }
      case 'demo': {
        args(rest, {}, 0);
        const zip = join(rt.home, 'bundles', 'skin-similarity.zip');
        await mkdir(join(rt.home, 'bundles'), { recursive: true });
        const packed = await pack(join(projectRoot(), 'examples', 'skin-similarity'), zip);
        out(`packed examples/skin-similarity ${packed.version} into ${zip}`);
        const r = await deploy(rt, { bundle: zip }, out, err);
        if (r.code === 0) {
          out('');
          out('Next: npx ml-rollout status --env skin-dev --json   ·   npx ml-rollout destroy --env skin-dev');
        }
        return r.code;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command ${command} (ml-rollout help lists them)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`ml-rollout: ${e.message}`);
      return 2;
    }
    err(`ml-rollout: ${describeError(e)}`);
    return e instanceof BundleInvalidError ? 2 : 1;
  }
}
