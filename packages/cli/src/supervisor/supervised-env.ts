/** The env vars a `ChildSupervisor` sets for `parent-watch.ts` in each child it starts. */
export const SUPERVISED_ENV = {
  /** The child's `ownedMarker`, reaped when it stops on its own. */
  marker: 'FLEET_SUPERVISED_MARKER',
  /** The supervisor's `stopTimeoutMs`. */
  stopTimeoutMs: 'FLEET_SUPERVISED_STOP_TIMEOUT_MS',
} as const;
