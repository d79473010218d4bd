/** One input's answer from a decision taken for many. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The decision queue as a gathering sees it: where a decision queued now stands in its order. */
export interface DecisionOrder {
  decide<T>(decide: () => Promise<T>): Promise<T>;
  /** How many decisions have been queued so far: the position of the last one queued. */
  readonly queuedCount: number;
}

/** Where a sender's last decision stands in the queue's order: what it sends next must follow it. */
export interface SenderOrder {
  last: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

interface Open<In, Out> {
  /** The decision's position in the queue's order. */
  position: number;
  waiting: Waiting<In, Out>[];
}

/**
 * Inputs that arrive while one decision waits its turn are decided by it together: many worker
 * reports or submissions a turn, each of which was a decision of its own (a savepoint and its
 * statements on PostgreSQL), become one decision with one write for them all. Each input's caller
 * hears its own outcome. A decision refused as a whole (this master does not lead, the commit
 * failed) refuses every input it took.
 */
export class GatheredDecisions<In, Out> {
  private open: Open<In, Out> | undefined;

  constructor(
    private readonly decisions: DecisionOrder,
    private readonly decideAll: (inputs: In[]) => Promise<Outcome<Out>[]>,
  ) {}

  /**
   * Decides `input` with the others gathered. `sender`: the position of its sender's last decision,
   * which this one must follow (so a sender's reports keep their order); an open decision queued
   * before that one is not joined, and a new one is queued instead. It is moved on to this one's.
   */
  submit(input: In, sender?: SenderOrder): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const joining = this.open;
      if (joining && joining.position >= (sender?.last ?? 0)) {
        joining.waiting.push({ input, resolve, reject });
        if (sender) sender.last = joining.position;
        return;
      }
      const open: Open<In, Out> = { position: 0, waiting: [{ input, resolve, reject }] };
      this.open = open;
      this.decisions
        .decide(() => {
          // From here on the decision is under way: what arrives next waits for another.
          if (this.open === open) this.open = undefined;
          return this.decideAll(open.waiting.map((w) => w.input));
        })
        .then(
          (outcomes) => {
            for (const [i, w] of open.waiting.entries()) {
              const outcome = outcomes[i]!;
              if (outcome.ok) w.resolve(outcome.value);
              else w.reject(outcome.error);
            }
          },
          (error: unknown) => {
            if (this.open === open) this.open = undefined;
            for (const w of open.waiting) w.reject(error);
          },
        );
      open.position = this.decisions.queuedCount;
      if (sender) sender.last = open.position;
    });
  }
}
