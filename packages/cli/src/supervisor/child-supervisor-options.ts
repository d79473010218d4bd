/** How a {@link ChildSupervisor} restarts its children and stops them. */
export interface ChildSupervisorOptions {
  /**
   * More restarts than this within {@link restartWindowMs} is a crash loop: the child is given up
   * on (reported, not restarted) and the others keep running. @defaultValue 5
   */
  maxRestarts?: number;
  /** The sliding window in which restarts are counted. @defaultValue 120_000 */
  restartWindowMs?: number;
  /** The delay before the first restart; each further one doubles it. @defaultValue 1_000 */
  initialDelayMs?: number;
  /** The longest delay between restarts. @defaultValue 30_000 */
  maxDelayMs?: number;
  /** A child that ran this long before it exited starts again at {@link initialDelayMs}. @defaultValue 30_000 */
  stableAfterMs?: number;
  /**
   * On close, how long a child has to stop after SIGTERM before its process group is SIGKILLed.
   * A worker drains for FLEET_DRAIN_TIMEOUT_MS (30 s) first. @defaultValue 40_000
   */
  stopTimeoutMs?: number;
  /** Where restarts, give-ups and leftovers are reported, one line each. @defaultValue stdout */
  report?: (line: string) => void;
}

/** One supervised child: a Node.js program run with this process's `node`. */
export interface ChildSpec {
  /** Its name in reports (`master`, `worker-1`). */
  name: string;
  /** Arguments after `node` (the script first). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /**
   * Text in the command line of processes that belong to this child even outside its process
   * group, such as a worker's own data dir: Playwright starts each Chromium in a process group
   * of its own, so killing the child's group alone would leave them running. Whatever mentions
   * it is SIGKILLed whenever the child exits.
   */
  ownedMarker?: string;
  /**
   * Children stop in descending tier on close: every child of a higher tier has exited before a
   * lower tier is sent SIGTERM; one tier stops together. Workers above their master let them hand
   * jobs and storage states back to a master that still listens. @defaultValue 0
   */
  stopTier?: number;
}
