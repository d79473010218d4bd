/** What a `ChildSupervisor` tells `parent-watch.ts` in each child, as query parameters of its URL. */
export const WATCH_PARAMS = {
  /** The child's `ownedMarker`, reaped when it stops on its own. */
  marker: 'marker',
  /** The supervisor's `stopTimeoutMs`. */
  stopTimeoutMs: 'stopTimeoutMs',
} as const;
