/**
 * What a transaction sends once it commits (see FleetBackend.afterCommit), kept by both adapters'
 * transactions. A savepoint marks where its own sends begin, so undoing it drops only those.
 */
export class AfterCommit {
  private readonly sends: (() => void)[] = [];

  add(send: () => void): void {
    this.sends.push(send);
  }

  /** Where a savepoint begins. */
  mark(): number {
    return this.sends.length;
  }

  /** The savepoint begun at `mark` was undone: its sends never go. */
  undoTo(mark: number): void {
    this.sends.length = mark;
  }

  /** After the commit: every send, in the order added. A send must not throw (it is the caller's to log). */
  flush(): void {
    for (const send of this.sends.splice(0)) send();
  }
}
