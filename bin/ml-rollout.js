#!/usr/bin/env node
// The CLI's entry: the compiled TypeScript in dist/ (built by `npm ci` through the prepare script).
// The Powertools logger of the task functions is for Lambda; the CLI prints its own progress.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `ml-rollout: needs Node.js 22 or later (this is ${process.version}); run it through npx or npm scripts, which use the project's node@22\n`,
  );
  process.exit(1);
}
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (err) {
  process.stderr.write(`ml-rollout: cannot load dist/ (${err.message.split('\n')[0]}); run npm run build\n`);
  process.exit(1);
}
const code = await cli.main(process.argv.slice(2));
process.exit(code);
