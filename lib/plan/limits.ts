/**
 * Bounds on a manifest, each rejected with one line (exit 2) before anything changes: a manifest
 * is small, and a list that runs to thousands of requests per sample is a mistake, not a plan.
 */
export const MAX = {
  /** rollout.yaml, bytes (1 MiB). */
  manifestBytes: 1024 * 1024,
  /** Smoke requests. */
  smoke: 100,
  /** Golden requests (recorded answers). */
  golden: 100,
  /** Settings of one phase (and of all phases together). */
  settings: 200,
  /** Phases. */
  phases: 50,
  /** A setting name, characters. */
  settingName: 128,
  /** A setting value, characters. */
  settingValue: 4096,
  /** A health or smoke path, characters. */
  pathLength: 2048,
  /** Headers of one smoke request. */
  headers: 50,
  /** A header name or value, characters. */
  headerLength: 4096,
  /** A smoke request's body as JSON, characters. */
  bodyLength: 65_536,
} as const;

/**
 * A gate path is origin-relative: one leading `/`, then no `/` straight after it (`//host/x` is
 * another host), no backslash (which WHATWG URLs read as `/`), no whitespace or control character.
 */
export const ORIGIN_RELATIVE_PATH = /^\/(?![/\\])[^\\\s\u0000-\u001f\u007f]*$/;
