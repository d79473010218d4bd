import { Readable } from 'node:stream';
import { getMetricsFromStream, type PromData, type PromHistogramData, type PromMetrics } from 'prom2javascript';

/** One scrape of `/metrics`, parsed by a real Prometheus text-format parser (prom2javascript). */
export class PrometheusScrape {
  private constructor(
    readonly metrics: PromMetrics,
    readonly contentType: string,
  ) {}

  static async from(baseUrl: string): Promise<PrometheusScrape> {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`GET /metrics answered ${res.status}: ${await res.text()}`);
    const metrics = await getMetricsFromStream(Readable.from([await res.text()]));
    return new PrometheusScrape(metrics, res.headers.get('content-type') ?? '');
  }

  /** The metric family's declared type (`gauge`, `counter`, `histogram`). */
  type(name: string): string {
    const family = this.metrics[name];
    if (!family) throw new Error(`no metric ${name} in the scrape`);
    return family.type;
  }

  private sample<T extends { labels: Record<string, string> }>(name: string, labels: Record<string, string>): T | undefined {
    const family = this.metrics[name];
    if (!family) throw new Error(`no metric ${name} in the scrape`);
    return (family.data as T[]).find((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
  }

  /** A gauge's or counter's value for the sample whose labels include `labels`; undefined when absent. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    return this.sample<PromData>(name, labels)?.value;
  }

  /** A histogram's observations for `labels`; zero when never observed. */
  histogram(name: string, labels: Record<string, string> = {}): { count: number; sum: number; buckets: Record<string, number> } {
    const sample = this.sample<PromHistogramData>(name, labels);
    return sample ? { count: sample.count, sum: sample.sum ?? 0, buckets: sample.buckets } : { count: 0, sum: 0, buckets: {} };
  }
}
