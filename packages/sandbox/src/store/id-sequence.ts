/**
 * Short readable ids with a prefix (`u1`, `conv2`). Each store family owns its own sequence, so
 * adding a new kind of record (or seeding more of one) never shifts the ids of another.
 */
export class IdSequence {
  private last = 0;

  next(prefix: string): string {
    this.last += 1;
    return `${prefix}${this.last}`;
  }
}
