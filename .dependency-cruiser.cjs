/**
 * The layers point one way: cli/ → functions/ → lib/. lib/ imports neither of the others, and
 * there is no import circle anywhere, type-only imports included (`npm run lint:deps`).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle, type-only ones included, inverts a layer somewhere.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-to-functions-or-cli',
      severity: 'error',
      comment: 'lib/ is the domain: the Lambda handlers and the CLI build on it, never the reverse.',
      from: { path: '^lib/' },
      to: { path: '^(functions|cli)/' },
    },
    {
      name: 'functions-not-to-cli',
      severity: 'error',
      comment: 'A Lambda handler never depends on the CLI.',
      from: { path: '^functions/' },
      to: { path: '^cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
