import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { TargetType } from '../plan/target-schema.js';
import type { Serving } from '../state/types.js';
import { NotServingError } from './errors.js';
import { HttpUpstream } from './http-upstream.js';
import { SageMakerUpstream } from './sagemaker-upstream.js';
import type { Upstream } from './upstream.js';

/** Picks the upstream of a serving record; one object per URL or endpoint, reused. */
export class UpstreamResolver {
  private readonly byLabel = new Map<string, Upstream>();

  constructor(
    /** ms, bound of every upstream call */
    private readonly timeoutMs: number,
    /** Called on the first SageMaker environment only, so local use never builds an AWS client. */
    private readonly sagemaker: () => SageMakerRuntimeClient,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  resolve(serving: Serving): Upstream {
    const id = serving.targetType === TargetType.SageMaker ? `sagemaker:${serving.endpointName ?? ''}` : (serving.url ?? '');
    const known = this.byLabel.get(id);
    if (known) return known;
    const upstream = this.create(serving);
    this.byLabel.set(id, upstream);
    return upstream;
  }

  private create(serving: Serving): Upstream {
    if (serving.targetType === TargetType.SageMaker) {
      if (!serving.endpointName) throw new NotServingError(serving.environment, 'its serving record names no SageMaker endpoint');
      return new SageMakerUpstream(this.sagemaker(), serving.endpointName, this.timeoutMs);
    }
    if (!serving.url) throw new NotServingError(serving.environment, 'its serving record has no URL');
    return new HttpUpstream(serving.url, this.timeoutMs, this.fetchFn);
  }
}
