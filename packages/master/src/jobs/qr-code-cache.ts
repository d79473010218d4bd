/** At most this many logins' QR codes are kept (a fleet shows few QR logins at once). */
const MAX_CODES = 200;
/** And at most this many characters in all (a code may be up to 2 MB; a real one is a few KB). */
const MAX_TOTAL_CHARS = 16_000_000;

/**
 * The newest QR code of each login in progress, for readers that come late
 * (GET /jobs/:id/qrcode). Bounded in count and in total size: past either bound the oldest go.
 */
export class QrCodeCache {
  private readonly byJob = new Map<string, string>();
  private totalChars = 0;

  set(jobId: string, dataUrl: string): void {
    this.delete(jobId);
    this.byJob.set(jobId, dataUrl);
    this.totalChars += dataUrl.length;
    while (this.byJob.size > MAX_CODES || this.totalChars > MAX_TOTAL_CHARS) {
      const oldest = this.byJob.keys().next().value;
      if (oldest === undefined || oldest === jobId) break;
      this.delete(oldest);
    }
  }

  get(jobId: string): string | undefined {
    return this.byJob.get(jobId);
  }

  delete(jobId: string): void {
    const dataUrl = this.byJob.get(jobId);
    if (dataUrl === undefined) return;
    this.byJob.delete(jobId);
    this.totalChars -= dataUrl.length;
  }

  get size(): number {
    return this.byJob.size;
  }
}
