/** Files of a local environment's router, in the environment's directory. */
export const ROUTER_FILES = {
  /** RouterInfo, written by the router once it listens. */
  info: 'router.json',
  /** RoutesFile, written by the local target; the router reads it on start and on /reload. */
  routes: 'routes.json',
  log: 'logs/router.log',
} as const;

/** The header the router adds to each answer: the version that answered. */
export const VERSION_HEADER = 'x-ml-rollout-version';

/** One version process the router forwards to. */
export interface Route {
  /** Unique per process: `<version>@<port>`. */
  id: string;
  version: string;
  /** Private base URL of the process, http://127.0.0.1:<port>. */
  url: string;
  /** Share of user requests, %, 0–100; the weights of an environment add up to 100 (or 0: nothing serves). */
  weight: number;
}

export interface RoutesFile {
  routes: Route[];
}

/** What a running router tells about itself. */
export interface RouterInfo {
  pid: number;
  /** The environment's public port. */
  port: number;
  url: string;
  controlPort: number;
  token: string;
}

/** Per-route counts over a window, from the router's control /stats. */
export interface RouteWindow {
  requests: number;
  /** Answers ≥ 500 or no answer. */
  errors: number;
  /** Connections refused, retried on another version (not counted as requests). */
  refused: number;
  /** ms, of the answered requests. */
  latencies: number[];
}
