import { setTimeout as sleep } from 'node:timers/promises';

export interface RequestLimitSettings {
  /** Requests in flight at once. */
  maxConcurrent: number;
  /** Request starts per second, spaced evenly; unset for no rate limit. */
  maxPerSecond?: number;
}

/**
 * Keeps one process's requests to a vendor within its limits: every call waits for a free slot
 * (first come, first served) and, with a rate set, for its turn to start. All callers sharing a
 * client share its limits, whichever workflow or activity they serve.
 */
export class RequestLimits {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private nextStartAt = 0;

  constructor(private readonly settings: RequestLimitSettings) {
    if (!Number.isInteger(settings.maxConcurrent) || settings.maxConcurrent < 1) {
      throw new RangeError(
        `maxConcurrent must be a whole number of at least 1, got ${settings.maxConcurrent}`,
      );
    }
    if (settings.maxPerSecond !== undefined && !(settings.maxPerSecond > 0)) {
      throw new RangeError(`maxPerSecond must be above 0, got ${settings.maxPerSecond}`);
    }
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.awaitTurn();
      return await call();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.settings.maxConcurrent) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiter, so a newcomer cannot overtake it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  private async awaitTurn(): Promise<void> {
    const { maxPerSecond } = this.settings;
    if (maxPerSecond === undefined) return;
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + 1000 / maxPerSecond;
    if (startAt > now) await sleep(startAt - now);
  }
}
