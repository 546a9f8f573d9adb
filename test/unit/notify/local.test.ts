import { createServer, type IncomingMessage, type Server } from 'node:http';
import { jest } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { LocalNotifier } from '../../../lib/notify/local.js';
import { buildMessage, summaryLine } from '../../../lib/notify/message.js';
import type { RolloutNotification } from '../../../lib/notify/types.js';

const rolledBack: RolloutNotification = {
  outcome: 'rolled_back',
  rolloutId: 'r1',
  environment: 'skin-dev',
  name: 'skin-similarity',
  version: '1.3.0',
  previousVersion: '1.2.0',
  phase: 'faiss-scin',
  reason: {
    error: 'GateFailed',
    message: 'faiss-scin gate failed: memoryPercent 93.2% > 80%',
    check: { name: 'memoryPercent', value: 93.2, threshold: 80, passed: false, unit: '%' },
  },
  rollback: { performed: true, restoredVersion: '1.2.0', verified: true },
  startedAt: '2026-11-22T10:00:00.000Z',
  finishedAt: '2026-11-22T10:01:00.000Z',
  durationMs: 60_000,
};

let home: string;
let server: Server;
let received: { body: unknown }[];
let answer = 200;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'notify-'));
  received = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body: JSON.parse(body) });
      res.writeHead(answer).end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await rm(home, { recursive: true, force: true });
});
const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

describe('notification messages', () => {
  it('subject and summary name the environment, versions, phase and the failed check', () => {
    const m = buildMessage(rolledBack);
    expect(m.subject).toBe('[ml-rollout] skin-dev: skin-similarity 1.3.0 rolled back (faiss-scin)');
    expect(m.attributes).toEqual({ environment: 'skin-dev', status: 'rolled_back' });
    expect(summaryLine(rolledBack)).toBe(
      'skin-dev: skin-similarity 1.3.0 rolled back (faiss-scin) (previous: 1.2.0): memoryPercent 93.2% > 80%',
    );
  });
});

describe('LocalNotifier', () => {
  it('appends one SNS-shaped line to the outbox and posts to the Slack webhook', async () => {
    const n = new LocalNotifier(home, url());
    await n.publish(buildMessage(rolledBack));
    const lines = (await readFile(join(home, 'outbox.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line.Subject).toBe('[ml-rollout] skin-dev: skin-similarity 1.3.0 rolled back (faiss-scin)');
    expect(JSON.parse(line.Message)).toEqual(rolledBack);
    expect(line.MessageAttributes.status).toEqual({ DataType: 'String', StringValue: 'rolled_back' });
    expect(line.slack).toEqual({ delivered: true, detail: 'HTTP 200' });
    expect(received).toHaveLength(1);
    // Slack mrkdwn: > is escaped.
    expect((received[0]!.body as { text: string }).text).toContain('memoryPercent 93.2% &gt; 80%');
    expect((received[0]!.body as { blocks: { type: string }[] }).blocks[0]?.type).toBe('header');
  });

  it('a Slack failure is recorded in the outbox and never thrown', async () => {
    answer = 500;
    await new LocalNotifier(home, url()).publish(buildMessage(rolledBack));
    answer = 200;
    await new LocalNotifier(home, 'http://127.0.0.1:1/nothing-listens').publish(buildMessage(rolledBack));
    const lines = (await readFile(join(home, 'outbox.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.slack.delivered)).toEqual([false, false]);
    expect(lines[0].slack.detail).toBe('HTTP 500');
  });

  it('without a webhook only the outbox is written', async () => {
    await new LocalNotifier(home, undefined).publish(buildMessage({ ...rolledBack, outcome: 'succeeded', reason: null, phase: null }));
    const line = JSON.parse((await readFile(join(home, 'outbox.jsonl'), 'utf8')).trim());
    expect(line.slack).toBeUndefined();
    expect(received).toHaveLength(0);
  });

  it('an outbox that cannot be written (issue 14, case 3): the Slack post still goes out, once, and the error is on stderr', async () => {
    await mkdir(join(home, 'outbox.jsonl')); // a directory where the file goes: every append fails
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let told: string[];
    try {
      await new LocalNotifier(home, url()).publish(buildMessage(rolledBack));
      await expect(new LocalNotifier(home, undefined).publish(buildMessage(rolledBack))).rejects.toThrow(/EISDIR/);
    } finally {
      told = stderr.mock.calls.map((c) => String(c[0]));
      stderr.mockRestore();
    }
    expect(received).toHaveLength(1);
    expect(told[0]).toMatch(/^ml-rollout: could not write .*outbox\.jsonl: EISDIR.*rolled back/);
  });
});
