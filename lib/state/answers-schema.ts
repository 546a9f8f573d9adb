import * as z from 'zod';

const goldenAnswerSchema = z.strictObject({
  key: z.string(),
  label: z.string(),
  status: z.number().int().nullable(),
  answer: z.unknown().optional(),
});

/** A recorded-answers document (RecordedAnswers in lib/state/answers.ts), as stored. */
export const recordedAnswersSchema = z.strictObject({
  environment: z.string().min(1),
  version: z.string().min(1),
  digest: z.string().regex(/^[0-9a-f]{8,128}$/, 'a hex digest'),
  recordedAt: z.string(),
  phases: z.record(z.string(), z.array(goldenAnswerSchema)),
});
