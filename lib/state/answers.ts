import type { GoldenAnswer } from '../gates/agreement.js';

/**
 * The golden answers of one release, recorded when it became known-good: what later rollouts'
 * agreement checks compare with, though the release no longer runs. Per phase, because a phase's
 * settings shape its answers (a phase without the index answers differently). One file or object
 * per release digest, beside the known-good record.
 */
export interface RecordedAnswers {
  environment: string;
  version: string;
  /** sha256 of the release's bundle, hex. */
  digest: string;
  /** ISO-8601 */
  recordedAt: string;
  /** Phase name → the golden answers its last gate sample got. */
  phases: Record<string, GoldenAnswer[]>;
}

/** A read: the answers, or what is wrong with the stored document (named), or null when there is none. */
export type AnswersRead = { answers: RecordedAnswers } | { problem: string } | null;

/** Where recorded answers live: files locally, objects in the state bucket on AWS. */
export interface AnswersStore {
  get(environment: string, digest: string): Promise<AnswersRead>;
  put(answers: RecordedAnswers): Promise<void>;
}

/** Parses a stored answers document; one that fails is a problem naming where it is and what is wrong. */
export async function parseRecordedAnswers(text: string, where: string): Promise<AnswersRead> {
  // The schema (and zod) loads on the first read: a command that reads no answers loads neither.
  const { recordedAnswersSchema } = await import('./answers-schema.js');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { problem: `${where} is not JSON (${(err as Error).message}); remove it to record answers anew` };
  }
  const parsed = recordedAnswersSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.map(String).join('.') || '(root)';
    return { problem: `${where} is not a recorded-answers file (${at}: ${issue?.message ?? 'invalid'}); remove it to record answers anew` };
  }
  return { answers: parsed.data as RecordedAnswers };
}
