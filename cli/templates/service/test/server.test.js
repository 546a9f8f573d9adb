// The service's own tests: node's test runner, nothing to install (`npm test`).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const running = [];

/** Starts server.js with the given phase variables on a free port; resolves its base URL. */
async function start(vars) {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, ...vars, PORT: '0', HOST: '127.0.0.1', INDEX_SIZE: '200' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.push(child);
  let seen = '';
  for await (const chunk of child.stdout) {
    seen += chunk;
    const port = /listening on :(\d+)/.exec(seen)?.[1];
    if (port) return `http://127.0.0.1:${port}`;
  }
  throw new Error(`server.js exited before listening: ${seen}`);
}

after(async () => {
  for (const child of running) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});

const post = (base, body) =>
  fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the minimal phase (ML_AVAILABLE=false)', () => {
  it('is healthy and refuses predictions', async () => {
    const base = await start({ ML_AVAILABLE: 'false', PRELOAD_FAISS: 'false', ML_ROLLOUT_VERSION: '9.9.9' });
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', version: '9.9.9', ml: false, faiss: { loaded: false } });
    assert.equal((await post(base, { input: [0.1, 0.2] })).status, 503);
  });
});

describe('with ML and the vector index (PRELOAD_FAISS=true, FAISS_DIMENSION=8)', () => {
  it('predicts and returns the nearest neighbours', async () => {
    const base = await start({ ML_AVAILABLE: 'true', PRELOAD_FAISS: 'true', FAISS_DIMENSION: '8' });
    const health = await (await fetch(`${base}/health`)).json();
    assert.equal(health.faiss.loaded, true);
    assert.equal(health.faiss.dimension, 8);
    const res = await post(base, { input: [0.1, 0.2, 0.3] });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.neighbours.length, 3);
    assert.ok(body.neighbours[0].distance <= body.neighbours[2].distance);
    assert.equal(typeof body.prediction.label, 'string');
  });

  it('rejects a body without input', async () => {
    const base = await start({ ML_AVAILABLE: 'true' });
    assert.equal((await post(base, { nothing: true })).status, 400);
    assert.equal((await fetch(`${base}/nowhere`)).status, 404);
  });
});
