// {{NAME}}: a small inference service made by `ml-rollout init`. No dependencies; it honours the
// variables each rollout phase sets:
//   ML_AVAILABLE=true      enables POST /predict (a fixed linear model over the input vector)
//   PRELOAD_FAISS=true     also builds a flat vector index (FAISS IndexFlatL2-like) of
//                          FAISS_DIMENSION dimensions at start; /predict then returns neighbours
//   GET /health            the version and what is loaded
// Replace the model with your own: keep /health answering 200 once the service is ready.
import { createServer } from 'node:http';

const env = process.env;
const port = Number(env.PORT ?? 8080);
const mlAvailable = env.ML_AVAILABLE === 'true';
const preloadFaiss = env.PRELOAD_FAISS === 'true';
const dimension = Number(env.FAISS_DIMENSION ?? 512);
const indexSize = Number(env.INDEX_SIZE ?? 2000);
const version = env.ML_ROLLOUT_VERSION ?? 'dev';
const LABELS = ['class-a', 'class-b', 'class-c', 'class-d'];

/** mulberry32: a tiny deterministic PRNG, so every start builds the same index. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildIndex() {
  const rand = prng(42);
  const vectors = new Float32Array(indexSize * dimension);
  for (let i = 0; i < vectors.length; i++) vectors[i] = rand() * 2 - 1;
  return vectors;
}

const started = Date.now();
const index = mlAvailable && preloadFaiss ? buildIndex() : null;
const loadMs = Date.now() - started;

function toVector(input) {
  const v = new Float32Array(dimension);
  for (let d = 0; d < Math.min(dimension, input.length); d++) v[d] = Number(input[d]) || 0;
  return v;
}

function nearest(query, k) {
  const best = [];
  for (let i = 0; i < indexSize; i++) {
    let distance = 0;
    for (let d = 0; d < dimension; d++) {
      const diff = index[i * dimension + d] - query[d];
      distance += diff * diff;
    }
    if (best.length < k || distance < best[best.length - 1].distance) {
      best.push({ id: i, label: LABELS[i % LABELS.length], distance: Math.round(distance * 1000) / 1000 });
      best.sort((a, b) => a.distance - b.distance);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

function predict(input) {
  const v = toVector(input);
  const scores = LABELS.map((label, i) => ({ label, score: Math.round(Math.abs(Math.sin(v[0] * (i + 1) + (v[1] ?? 0))) * 1000) / 1000 }));
  scores.sort((a, b) => b.score - a.score);
  return index ? { version, prediction: scores[0], neighbours: nearest(v, 3) } : { version, prediction: scores[0] };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/health') {
    return send(res, 200, {
      status: 'ok',
      version,
      ml: mlAvailable,
      faiss: index ? { loaded: true, dimension, loadMs } : { loaded: false },
    });
  }
  if (req.method === 'POST' && url.pathname === '/predict') {
    if (!mlAvailable) return send(res, 503, { error: 'ML is not available in this phase (ML_AVAILABLE=false)' });
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(raw || '{}');
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
      if (!Array.isArray(body.input) || body.input.length === 0)
        return send(res, 400, { error: 'input: expected a non-empty array of numbers' });
      return send(res, 200, predict(body.input));
    });
    return;
  }
  send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
});

server.listen(port, env.HOST ?? '0.0.0.0', () =>
  console.log(`{{NAME}} ${version} listening on :${server.address().port} ml=${mlAvailable} faiss=${!!index}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
