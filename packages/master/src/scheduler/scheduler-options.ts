export interface SchedulerOptions {
  /** The interval workers are told to heartbeat at. @defaultValue 10000 */
  heartbeatIntervalMs: number;
  /** Missed heartbeats before a worker is offline and its jobs requeue. @defaultValue 3 */
  missedHeartbeats?: number;
  /** Default job deadline when the job names none. @defaultValue 300000 */
  defaultJobTimeoutMs?: number;
  /** Default attempts when the job names none. @defaultValue 3 */
  defaultMaxAttempts?: number;
  /** How often the scheduler looks at timers (runAfter, liveness) on its own. @defaultValue 1000 */
  tickIntervalMs?: number;
  /** Backoff base for retries. @defaultValue 1000 */
  retryBaseMs?: number;
  /** How long an offline worker keeps its accounts before they move to other workers. @defaultValue 60000 */
  accountFailoverMs?: number;
}
