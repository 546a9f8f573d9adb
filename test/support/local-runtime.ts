import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalRuntime, resetRuntime, setRuntime, type Runtime } from '../../lib/runtime.js';
import { LocalTarget } from '../../lib/targets/local/local-target.js';

/** A runtime whose state lives in a fresh temporary directory, installed as the process's runtime. */
export async function tempRuntime(): Promise<{ rt: Runtime; home: string; cleanup(environments: string[]): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'ml-rollout-test-'));
  const rt = createLocalRuntime({ ML_ROLLOUT_HOME: home });
  setRuntime(rt);
  return {
    rt,
    home,
    async cleanup(environments) {
      const target = new LocalTarget(rt);
      for (const env of environments) await target.stop(env);
      resetRuntime();
      await rm(home, { recursive: true, force: true });
    },
  };
}
