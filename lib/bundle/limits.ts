/** Safety limits on what a bundle may expand to. */
export interface BundleLimits {
  /** Most bytes all files may expand to (default 512 MiB; ML_ROLLOUT_MAX_BUNDLE_MB). */
  maxTotalBytes: number;
  /** Most entries (default 20 000; ML_ROLLOUT_MAX_BUNDLE_ENTRIES). */
  maxEntries: number;
}

export const DEFAULT_LIMITS: BundleLimits = { maxTotalBytes: 512 * 1024 * 1024, maxEntries: 20_000 };

/** The limits in force: the defaults, or what the environment sets (whole positive numbers only). */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): BundleLimits {
  const num = (v: string | undefined) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : null);
  const mb = num(env.ML_ROLLOUT_MAX_BUNDLE_MB);
  const entries = num(env.ML_ROLLOUT_MAX_BUNDLE_ENTRIES);
  return {
    maxTotalBytes: mb ? mb * 1024 * 1024 : DEFAULT_LIMITS.maxTotalBytes,
    maxEntries: entries ?? DEFAULT_LIMITS.maxEntries,
  };
}
