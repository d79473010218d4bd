import type { Page } from '@fleetwright/shared/contract';

/**
 * Server-side paging with the API's opaque cursors: only one page is ever held. Going back to a
 * newer page reuses the cursor that led to it (the API pages newest first, with no `before`).
 */
export class CursorPager<T> {
  private readonly cursors: (string | null)[] = [null];
  private next: string | null = null;
  items: T[] = [];

  constructor(private readonly fetchPage: (cursor: string | null) => Promise<Page<T>>) {}

  get pageNumber(): number {
    return this.cursors.length;
  }

  get hasNewer(): boolean {
    return this.cursors.length > 1;
  }

  get hasOlder(): boolean {
    return this.next !== null;
  }

  get onFirstPage(): boolean {
    return this.cursors.length === 1;
  }

  /** Loads the current page again (after a live change). */
  async reload(): Promise<T[]> {
    const page = await this.fetchPage(this.cursors.at(-1) ?? null);
    this.items = page.items;
    this.next = page.nextCursor;
    return this.items;
  }

  async older(): Promise<T[]> {
    if (this.next === null) return this.items;
    this.cursors.push(this.next);
    return this.reload();
  }

  async newer(): Promise<T[]> {
    if (this.cursors.length > 1) this.cursors.pop();
    return this.reload();
  }
}
