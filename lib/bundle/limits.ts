/** Safety limits on what a bundle may expand to. */
export interface BundleLimits {
  /** Most bytes all files may expand to (default 512 MiB). */
  maxTotalBytes: number;
  /** Most entries (default 20 000). */
  maxEntries: number;
}

export const DEFAULT_LIMITS: BundleLimits = { maxTotalBytes: 512 * 1024 * 1024, maxEntries: 20_000 };
