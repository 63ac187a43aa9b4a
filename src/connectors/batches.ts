/**
 * Coalesces calls made within a few milliseconds of each other (the loads of a page's records,
 * each in its own workflow) into batches for an API that takes many writes in one request, while
 * every caller still gets its own outcome. DataLoader's idea, with the batch's make-up left to
 * the caller: `pick` chooses which waiting items go together (size limits, one write per key).
 */

export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface BatchOptions<T, R> {
  /** How long the first call waits for others to join it. */
  waitMs: number;
  /** Batches under way at once; more wait. */
  maxInFlight: number;
  /** Indexes (into `waiting`, oldest first) of the items of the next batch: at least one. */
  pick(waiting: readonly T[]): number[];
  /** One outcome per item, in order; a rejection is every item's outcome. */
  run(batch: T[]): Promise<ItemOutcome<R>[]>;
}

interface Waiting<T, R> {
  item: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class Batches<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(private readonly options: BatchOptions<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.waiting.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.waitMs);
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const picked = new Set(this.options.pick(this.waiting.map((w) => w.item)));
      if (picked.size === 0) picked.add(0);
      const batch = this.waiting.filter((_, index) => picked.has(index));
      this.waiting = this.waiting.filter((_, index) => !picked.has(index));
      this.inFlight += 1;
      void this.settle(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  private async settle(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const outcomes = await this.options.run(batch.map((w) => w.item));
      batch.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (outcome?.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome ? outcome.error : new Error('the batch gave this item no outcome'));
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
