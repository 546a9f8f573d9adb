import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { BundleInvalidError } from '../../lib/errors.js';
import { slug, TargetType } from '../../lib/plan/target-schema.js';
import { projectRoot } from '../paths.js';
import { DEFAULT_REGION, defaultEnvironment, defaultInstanceType, manifestText, type InitAnswers } from './init-manifest.js';
import { askAnswers, type PromptStreams } from './init-prompts.js';
import { PROXY_DEFAULTS } from '../../lib/proxy/defaults.js';

/**
 * Forces the prompts without a terminal: for tests only, which drive them through piped stdin.
 * Not a user option: a user answers in a terminal, or takes the defaults with --yes.
 */
export const FORCE_INTERACTIVE_ENV = 'ML_ROLLOUT_INIT_INTERACTIVE';

/** `ml-rollout init <name> [--dir DIR] [--target T] [--yes]`. */
export interface InitOptions {
  name: string;
  /** Default ./<name>. */
  dir?: string;
  target?: string;
  /** Take every default without asking. */
  yes?: boolean;
  /** Ask (default: when stdin is a terminal and --yes is absent, or FORCE_INTERACTIVE_ENV=1). */
  interactive?: boolean;
  /** Where the prompts read and write (default: the process's stdin and stdout). */
  streams?: PromptStreams;
}

export interface InitResult {
  dir: string;
  answers: InitAnswers;
  /** Paths written, relative to dir. */
  files: string[];
}

const TARGET_TYPES = Object.values(TargetType) as string[];

function templateDir(): string {
  // The templates are plain files beside the sources (dist/ holds compiled TypeScript only).
  return join(projectRoot(), 'cli', 'templates', 'service');
}

async function templateFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await templateFiles(root, path)));
    else if (e.isFile()) out.push(relative(root, path));
  }
  return out.sort();
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

function defaults(name: string, target: TargetType): InitAnswers {
  return {
    name,
    target,
    environment: defaultEnvironment(name, target),
    region: DEFAULT_REGION,
    instanceType: defaultInstanceType(target),
    memoryGb: null,
    cacheTtlSeconds: PROXY_DEFAULTS.cacheTtlSeconds,
  };
}

function targetNotes(a: InitAnswers): string {
  switch (a.target) {
    case TargetType.Local:
      return `\`deploy\` runs the Procfile's \`web:\` process on this machine, phase by phase; \`npx ml-rollout destroy --env ${a.environment}\` stops it.`;
    case TargetType.ElasticBeanstalk:
      return `The Elastic Beanstalk environment \`${a.environment}\` of application \`${a.name}\` (${a.region}) must exist; \`deploy\` uploads the bundle to the bucket named in rollout.yaml.`;
    case TargetType.SageMaker:
      return `Build and push the image named in rollout.yaml (it serves /health and /predict on SageMaker's /ping and /invocations), and replace the execution role's placeholder account.`;
    case TargetType.Ecs:
      return `The ECS service \`${a.name}-service\` of cluster \`${a.name}-cluster\` (${a.region}) must exist behind an Application Load Balancer; each phase registers a revision of its task definition with the image in rollout.yaml.`;
  }
}

/**
 * Creates a new service project: the inference service and its tests, rollout.yaml, a Procfile,
 * a CI workflow and a README. Never touches an existing directory (BundleInvalidError: exit 2).
 */
export async function init(opts: InitOptions, log: (line: string) => void): Promise<InitResult> {
  const name = opts.name;
  if (!slug.safeParse(name).success)
    throw new BundleInvalidError(`init: name ${JSON.stringify(name)}: use lowercase letters, digits and dashes`);
  if (opts.target !== undefined && !TARGET_TYPES.includes(opts.target)) {
    throw new BundleInvalidError(`init: --target ${opts.target}: one of ${TARGET_TYPES.join(', ')}`);
  }
  const dir = resolve(opts.dir ?? name);
  if (existsSync(dir)) throw new BundleInvalidError(`init: ${opts.dir ?? name} already exists; init never overwrites a directory`);
  const preset = opts.target as TargetType | undefined;
  const interactive = opts.interactive ?? (!opts.yes && (process.stdin.isTTY === true || process.env[FORCE_INTERACTIVE_ENV] === '1'));
  const answers = interactive ? await askAnswers(name, preset, opts.streams ?? {}) : defaults(name, preset ?? TargetType.Local);
  const manifest = manifestText(answers);
  // Only now, with every answer in: an interrupted prompt leaves nothing behind.
  if (existsSync(dir)) throw new BundleInvalidError(`init: ${opts.dir ?? name} already exists; init never overwrites a directory`);
  const values = {
    NAME: name,
    TARGET: answers.target,
    REGION: answers.region,
    TARGET_NOTES: targetNotes(answers),
    PROXY_ROW:
      answers.cacheTtlSeconds === null
        ? ''
        : `| \`proxy.env\` | the inference proxy's cache TTL: \`env $(cat proxy.env) npx ml-rollout proxy --env ${answers.environment}\` |\n`,
  };
  const root = templateDir();
  const files: string[] = [];
  for (const file of await templateFiles(root)) {
    const text = await readFile(join(root, file), 'utf8');
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), substitute(text, values));
    files.push(file);
  }
  await writeFile(join(dir, 'rollout.yaml'), manifest);
  files.push('rollout.yaml');
  if (answers.cacheTtlSeconds !== null) {
    await writeFile(join(dir, 'proxy.env'), `PROXY_CACHE_TTL_SECONDS=${answers.cacheTtlSeconds}\n`);
    files.push('proxy.env');
  }
  log(`created ${opts.dir ?? name}/ for ${answers.target} environment ${answers.environment}: ${files.sort().join(', ')}`);
  log(`next: cd ${opts.dir ?? name} && npm test && npx ml-rollout deploy .`);
  return { dir, answers, files };
}
