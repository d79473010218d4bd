import { collectDefaultMetrics, Registry } from 'prom-client';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { JobEventMetrics } from './job-event-metrics.js';
import { registerStoreMetrics } from './store-metrics.js';
import { JobCountFigures } from './job-count-figures.js';
import { registerLeaderMetrics, type LeaderReading } from './leader-metrics.js';
import type { FleetEvents } from '../events/fleet-events.js';
import { registerLimitMetrics } from './limit-metrics.js';

/**
 * The master's Prometheus metrics (`GET /metrics`, text format): the store's state read at each
 * scrape, the scheduler's events observed as they happen, and Node's process metrics.
 */
export class FleetMetrics {
  readonly registry = new Registry();
  private readonly events: JobEventMetrics;
  private readonly jobCounts: JobCountFigures;
  private readonly storeMetrics: { scrapeStarts(): void };

  /** `leader`: whether this master leads, and how often that changed. @defaultValue always leads */
  constructor(store: FleetBackend, scheduler: Scheduler, fleetEvents: FleetEvents, leader: LeaderReading = () => ({ leading: true, changes: 0 })) {
    collectDefaultMetrics({ register: this.registry });
    this.jobCounts = new JobCountFigures(store.jobs, fleetEvents);
    this.storeMetrics = registerStoreMetrics(this.registry, store, scheduler, this.jobCounts);
    this.events = new JobEventMetrics(this.registry, fleetEvents);
    registerLeaderMetrics(this.registry, leader);
    registerLimitMetrics(this.registry, scheduler.limits);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text. A closed store (shutdown) fails the scrape, as it should. */
  async render(): Promise<string> {
    // Node's event loop lag gauges have no value until a sample lands after the previous scrape;
    // prom-client writes that as `Nan` (the format says `NaN`, and several parsers refuse either).
    // A missing sample means the same to Prometheus, so such lines are left out.
    this.storeMetrics.scrapeStarts();
    return (await this.registry.metrics()).replace(/^[^#\n][^\n]* Nan\n/gm, '');
  }

  close(): void {
    this.events.close();
    this.jobCounts.close();
  }
}
