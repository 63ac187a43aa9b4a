import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestLimits } from '../src/connectors/request-limits';

/** Runs `count` calls through the limits, each taking `ms`; reports the peak in flight and start order. */
async function runCalls(limits: RequestLimits, count: number, ms: number) {
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const startTimes: number[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      limits.run(async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        started.push(index);
        startTimes.push(Date.now());
        await sleep(ms);
        inFlight -= 1;
      }),
    ),
  );
  return { peak, started, startTimes };
}

describe('RequestLimits (one process’s gate to a vendor)', () => {
  it('never lets more than maxConcurrent run at once, and reaches it', async () => {
    const { peak } = await runCalls(new RequestLimits({ maxConcurrent: 3 }), 20, 5);
    assert.equal(peak, 3);
  });

  it('starts waiting calls in arrival order', async () => {
    const { started } = await runCalls(new RequestLimits({ maxConcurrent: 2 }), 10, 2);
    assert.deepEqual(
      started,
      Array.from({ length: 10 }, (_, index) => index),
    );
  });

  it('frees the slot of a call that fails', async () => {
    const limits = new RequestLimits({ maxConcurrent: 1 });
    await assert.rejects(
      limits.run(() => Promise.reject(new Error('refused'))),
      /refused/,
    );
    assert.equal(await limits.run(() => Promise.resolve('next')), 'next');
  });

  it('starts no call before its turn at maxPerSecond', async () => {
    const issuedAt = Date.now();
    const { startTimes } = await runCalls(new RequestLimits({ maxConcurrent: 10, maxPerSecond: 50 }), 6, 0);
    // The k-th call's turn is 20 ms × k after the first call's turn, which is no earlier than when
    // the calls were issued (the first call itself may start late); timers may fire 1 ms early.
    startTimes.forEach((time, k) => {
      assert.ok(
        time - issuedAt >= 20 * k - 1,
        `call ${k} started ${time - issuedAt} ms after the calls were issued`,
      );
    });
  });

  it('rejects settings that could never let a request through', () => {
    assert.throws(() => new RequestLimits({ maxConcurrent: 0 }), /maxConcurrent/);
    assert.throws(() => new RequestLimits({ maxConcurrent: 1, maxPerSecond: 0 }), /maxPerSecond/);
  });
});
