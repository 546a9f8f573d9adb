// A small ML inference service for the ml-rollout demo: no dependencies, honours the rollout's phase variables.
//   ML_AVAILABLE=true      enables POST /predict
//   PRELOAD_FAISS=true     builds a flat vector index (FAISS IndexFlatL2-like) of FAISS_DIMENSION
//                          dimensions over SCIN_SIZE SCIN-like embeddings generated deterministically;
//                          /predict then returns the nearest neighbours
//   INDEX_SEED=N           seed of the generated embeddings (default 42); another seed is a "broken
//                          index" (built from the wrong snapshot): 200, fast, other neighbours
//   GET /health            the version and what is loaded
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const env = process.env;
const port = Number(env.PORT ?? 8080);
const mlAvailable = env.ML_AVAILABLE === 'true';
const preloadFaiss = env.PRELOAD_FAISS === 'true';
const dimension = Number(env.FAISS_DIMENSION ?? 512);
const size = Number(env.SCIN_SIZE ?? 4000);
const indexSeed = Number(env.INDEX_SEED ?? 42);
const version = env.ML_ROLLOUT_VERSION ?? /^version:\s*(\S+)/m.exec(safeRead('rollout.yaml'))?.[1] ?? 'unknown';

// Skin conditions of the SCIN dataset's most frequent labels; each is a cluster in embedding space.
const CONDITIONS = ['eczema', 'psoriasis', 'acne', 'urticaria', 'tinea', 'contact dermatitis', 'folliculitis', 'insect bite'];

function safeRead(path) {
  try {
    return readFileSync(new URL(path, import.meta.url), 'utf8');
  } catch {
    return '';
  }
}

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
  // The cluster centres are the embedding model's: the same for every index.
  const rand = prng(42);
  const centers = CONDITIONS.map(() => Float32Array.from({ length: dimension }, () => rand() * 2 - 1));
  // The vectors are the snapshot's: another seed, another set of neighbours.
  const sample = indexSeed === 42 ? rand : prng(indexSeed);
  const vectors = new Float32Array(size * dimension);
  const labels = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const c = i % CONDITIONS.length;
    labels[i] = c;
    const center = centers[c];
    for (let d = 0; d < dimension; d++) vectors[i * dimension + d] = center[d] + (sample() - 0.5) * 0.6;
  }
  return { vectors, labels };
}

const started = Date.now();
const index = mlAvailable && preloadFaiss ? buildIndex() : null;
const loadMs = Date.now() - started;

function toQuery(embedding) {
  const q = new Float32Array(dimension);
  for (let d = 0; d < Math.min(dimension, embedding.length); d++) q[d] = Number(embedding[d]) || 0;
  return q;
}

function search(query, k) {
  const { vectors, labels } = index;
  const best = [];
  for (let i = 0; i < size; i++) {
    let dist = 0;
    const off = i * dimension;
    for (let d = 0; d < dimension; d++) {
      const diff = vectors[off + d] - query[d];
      dist += diff * diff;
    }
    if (best.length < k || dist < best[best.length - 1].distance) {
      best.push({ id: `scin-${i}`, condition: CONDITIONS[labels[i]], distance: dist });
      best.sort((a, b) => a.distance - b.distance);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => ({ ...b, distance: Math.round(b.distance * 1000) / 1000 }));
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
      faiss: index ? { loaded: true, dimension, vectors: size, loadMs } : { loaded: false },
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
      if (!Array.isArray(body.embedding) || body.embedding.length === 0) {
        return send(res, 400, { error: 'embedding: expected a non-empty array of numbers' });
      }
      const query = toQuery(body.embedding);
      if (index) return send(res, 200, { version, neighbours: search(query, 5) });
      // Without the index: a fixed linear score per condition, the "ML dependencies only" answer.
      const scores = CONDITIONS.map((c, i) => ({ condition: c, score: Math.abs(Math.sin(query[0] * (i + 1) + query[1])) }));
      scores.sort((a, b) => b.score - a.score);
      return send(res, 200, { version, prediction: scores[0] });
    });
    return;
  }
  send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
});

server.listen(port, '127.0.0.1', () => console.log(`skin-similarity ${version} on :${port} ml=${mlAvailable} faiss=${!!index}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
