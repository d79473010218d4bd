/** What a `ChildSupervisor` tells `parent-watch.ts` in each child, as query parameters of its URL. */
export const WATCH_PARAMS = {
  /** The child's `ownedMarker`, reaped when it stops on its own. */
  marker: 'marker',
  /** The supervisor's `stopTimeoutMs`. */
  stopTimeoutMs: 'stopTimeoutMs',
  /** The supervisor's pid: children with the same one are siblings. */
  supervisor: 'supervisor',
  /** The child's `stopTier`: siblings of a higher tier stop first. */
  stopTier: 'stopTier',
} as const;
