import type { S3Client } from '@aws-sdk/client-s3';
import { parseRecordedAnswers, type AnswersRead, type AnswersStore, type RecordedAnswers } from './answers.js';
import { S3Json, StateKeys, type S3Location } from './s3-store.js';

/** Recorded answers as objects <prefix><environment>/answers/<digest>.json, beside known-good.json. */
export class S3AnswersStore implements AnswersStore {
  private readonly json: S3Json;
  readonly keys: StateKeys;

  constructor(client: S3Client, location: S3Location) {
    this.json = new S3Json(client, location.bucket);
    this.keys = new StateKeys(location.prefix);
  }

  key(environment: string, digest: string): string {
    return `${this.keys.environment(environment, 'answers', digest)}.json`;
  }

  async get(environment: string, digest: string): Promise<AnswersRead> {
    const key = this.key(environment, digest);
    const found = await this.json.read(key);
    return found ? parseRecordedAnswers(found.text, `s3://${this.json.bucket}/${key}`) : null;
  }

  put(answers: RecordedAnswers): Promise<void> {
    return this.json.writeJson(this.key(answers.environment, answers.digest), answers);
  }
}
