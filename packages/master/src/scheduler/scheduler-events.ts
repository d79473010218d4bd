/** The scheduler's own hook; what happens in the fleet goes on `FleetEvents`. */
export interface SchedulerEvents {
  /** Each scheduler pass, before assignment and dispatch: timers (monitors, retention) hook here. */
  tick: [];
}
