/**
 * esbuild plugins of `sls package` (serverless.yml: custom.esbuild.plugins).
 *
 * zod-namespace: Powertools Parser's schemas write `import { z } from 'zod'`. Rollup and webpack
 * tree-shake that; esbuild does not (a namespace re-exported by name is kept whole), so every
 * function using a Powertools schema would carry all of zod, its locales included: about 370 KB
 * more per bundle. `import * as z from 'zod'` is the same binding, and esbuild shakes it.
 */
const { readFile } = require('node:fs/promises');

const zodNamespace = {
  name: 'zod-namespace',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-lambda-powertools[\\/]parser[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replace(/^import \{ z \} from 'zod';$/gm, "import * as z from 'zod';"), loader: 'js' };
    });
  },
};

module.exports = [zodNamespace];
