import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecordedAnswers, type AnswersRead, type AnswersStore, type RecordedAnswers } from './answers.js';
import { writeJsonAtomic } from './files.js';
import { environmentDir } from './local-store.js';

const DIGEST = /^[0-9a-f]{8,128}$/;

/** Recorded answers in $ML_ROLLOUT_HOME/envs/<environment>/answers/<digest>.json. */
export class LocalAnswersStore implements AnswersStore {
  constructor(private readonly home: string) {}

  file(environment: string, digest: string): string {
    // A digest is hex: anything else would let a path reach out of the folder.
    if (!DIGEST.test(digest)) throw new Error(`not a bundle digest: ${JSON.stringify(digest)}`);
    return join(environmentDir(this.home, environment), 'answers', `${digest}.json`);
  }

  async get(environment: string, digest: string): Promise<AnswersRead> {
    const path = this.file(environment, digest);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return parseRecordedAnswers(text, path);
  }

  put(answers: RecordedAnswers): Promise<void> {
    return writeJsonAtomic(this.file(answers.environment, answers.digest), answers);
  }
}
