import { Counter, Gauge, type Registry } from 'prom-client';
import { MetricName } from './metric-names.js';

/** What the leader metrics read at each scrape. */
export type LeaderReading = () => { leading: boolean; changes: number };

/** Whether this master leads (1) or follows (0), and how often it took up or lost the lead. */
export function registerLeaderMetrics(registry: Registry, read: LeaderReading): void {
  const registers = [registry];
  new Gauge({
    name: MetricName.MasterLeading,
    help: 'Whether this master leads the fleet (1) or follows another (0); a lone SQLite master always leads',
    registers,
    collect() {
      this.set(read().leading ? 1 : 0);
    },
  });
  let counted = 0;
  new Counter({
    name: MetricName.LeaderChanges,
    help: 'Times this master took up or lost the lead since it started',
    registers,
    collect() {
      const { changes } = read();
      if (changes > counted) this.inc(changes - counted);
      counted = changes;
    },
  });
}
