import { CommanderError, type Command } from 'commander';
import { BundleInvalidError, describeError, NoCredentialsError } from '../lib/errors.js';
import type { Runtime } from '../lib/runtime.js';
import { buildProgram, type CliContext } from './program.js';
import { terminal, type Terminal } from './terminal.js';

/** Exits of commander that are not errors: help or the version was asked for and printed. */
const PRINTED = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * One line for a usage error: what is wrong and the closest valid spelling, or the valid ones.
 * Commander's own message says what is wrong; its suggestion ("Did you mean …?") joins the line.
 */
export function usageLine(e: CommanderError, program: Command, argv: string[], bin: string): string {
  const [first = '', ...more] = e.message.replace(/^error: /, '').split('\n');
  const similar = /\(Did you mean (?:one of )?(.+)\?\)/.exec(more.join(' '))?.[1];
  const command = program.commands.find((c) => c.name() === argv.find((a) => !a.startsWith('-')));
  const usage = command ? `${bin} ${command.name()} ${command.usage()}`.trimEnd() : `${bin} <command>`;
  switch (e.code) {
    case 'commander.missingArgument':
      return `missing ${/'(.+)'/.exec(first)?.[1] ?? 'an argument'}: ${usage}`;
    case 'commander.missingMandatoryOptionValue': {
      // "required option '-o, --output <file>' not specified" → "missing -o/--output: …"
      const flags = /'([^']+)'/
        .exec(first)?.[1]
        ?.replace(/ <.*>$/, '')
        .replace(', ', '/');
      return `missing ${flags ?? 'an option'}: ${usage}`;
    }
    case 'commander.invalidArgument':
      // The parser's own message names the flag, the rule and the value.
      return first.replace(/^.* is invalid\. /, '');
    case 'commander.unknownCommand':
      return similar
        ? `${first}: did you mean ${similar}?`
        : `${first}: the commands are ${program.commands.map((c) => c.name()).join(', ')}`;
    case 'commander.unknownOption': {
      if (similar) return `${first}: did you mean ${similar}?`;
      const flags = (command ?? program).options.map((o) => o.long).filter((f) => f !== undefined);
      return `${first}: ${command ? `${command.name()} takes` : 'the options are'} ${[...flags, '--help'].join(', ')}`;
    }
    default:
      return `${first} (${usage})`;
  }
}

/** Runs one command line; returns the exit code (0 ok, 1 failed, 2 rejected or bad input, 3 rolled back). */
export async function main(argv: string[], rt?: Runtime, term: Terminal = terminal()): Promise<number> {
  let runtime: Runtime | undefined = rt;
  const ctx: CliContext = {
    term,
    code: 0,
    async runtime() {
      const { createLocalRuntime, setRuntime } = await import('../lib/runtime.js');
      runtime ??= createLocalRuntime(process.env, undefined, term.bin);
      // The local engine's tasks find the runtime through currentRuntime().
      setRuntime(runtime);
      return runtime;
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (PRINTED.has(e.code)) return 0;
      // `help [command]` exits 0; no command at all prints the help to stderr and exits 2.
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
      term.err(`ml-rollout: ${usageLine(e, program, argv, term.bin)}`);
      return 2;
    }
    term.err(`ml-rollout: ${describeError(e)}`);
    return e instanceof BundleInvalidError || e instanceof NoCredentialsError ? 2 : 1;
  }
}
