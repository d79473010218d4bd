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
  /**
   * How long a worker that fell silent (ping timeout, missed heartbeats) keeps its jobs and
   * accounts once offline, before its jobs requeue and its accounts move to other workers: it may
   * still be running, cut off. @defaultValue 60000
   */
  accountFailoverMs?: number;
  /**
   * The same for a worker whose connection was closed (its process died, or it disconnected):
   * short, since it is most likely gone; long enough for a reconnect after a network blip.
   * Never longer than `accountFailoverMs`. @defaultValue 5000
   */
  closedConnectionFailoverMs?: number;
  /**
   * Run first in each batch of decisions (see DecisionQueue): a master sharing its store with others
   * passes its leadership's fence, so a master that no longer leads writes nothing. @defaultValue none
   */
  fence?: () => Promise<void>;
}
