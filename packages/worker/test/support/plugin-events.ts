import type { JobEventReport, JobReporter } from '../../dist/runner/job-reporter.js';

/**
 * Records what plugins `ctx.emit` on a reporter that does not (the rig's RecordingReporter):
 * the events as the master would receive them, in order.
 */
export function recordJobEvents(reporter: JobReporter): JobEventReport[] {
  const events: JobEventReport[] = [];
  reporter.jobEvent = async (report) => {
    events.push(report);
  };
  return events;
}

/** The payloads of one kind of event for one job. */
export function eventsOf<E extends JobEventReport['event']>(
  events: JobEventReport[],
  jobId: string,
  event: E,
): Extract<JobEventReport, { event: E }>['payload'][] {
  return events.filter((e): e is Extract<JobEventReport, { event: E }> => e.event === event && e.payload.jobId === jobId).map((e) => e.payload);
}
