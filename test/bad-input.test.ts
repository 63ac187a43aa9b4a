import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ACCOUNT_FIELDS } from '../src/domain/account';
import { customerSchema } from '../src/domain/customer';
import { mapAccountToCustomer } from '../src/pipelines/accounts/mapping';
import { createPrng, type Prng } from '../sandbox/prng';
import type { SandboxAccount } from '../sandbox/salesforce';
import { startSyncEnvironment, startTemporal, type SyncEnvironment } from './harness';

/** Values of every shape a broken integration or a hostile user could leave in a field. */
function hostileValue(random: Prng): unknown {
  const choices: (() => unknown)[] = [
    () => null,
    () => undefined,
    () => Math.floor(random() * 1e6),
    () => random() < 0.5,
    () => ({ nested: 'object' }),
    () => ['array'],
    () => '',
    () => 'x'.repeat(Math.floor(random() * 100_000)),
    () => String.fromCharCode(...Array.from({ length: 12 }, () => Math.floor(random() * 0x20))),
    () => "' OR Name != '' --",
    () => '2024-13-45T99:99:99Z',
    () => '名前 🚀 \u202e reversed',
    () => 'https://example.com/' + 'a'.repeat(Math.floor(random() * 400)),
    () => Number.NaN,
  ];
  return choices[Math.floor(random() * choices.length)]();
}

describe('bad input', () => {
  describe('mapping fuzz (fixed seed)', () => {
    it('never throws: every input is either a valid customer or issues naming fields', () => {
      const random = createPrng(5150);
      const fields = [...ACCOUNT_FIELDS, 'Unexpected__c', 'attributes'];
      let valid = 0;
      for (let i = 0; i < 5_000; i += 1) {
        const input: Record<string, unknown> = {
          Id: '001000000000001AAA',
          Name: 'Fuzz Corp',
          SystemModstamp: '2024-05-20T20:49:32.000+0000',
        };
        for (let f = 0; f < 3; f += 1)
          input[fields[Math.floor(random() * fields.length)]] = hostileValue(random);
        const result = mapAccountToCustomer(random() < 0.02 ? hostileValue(random) : input);
        if (result.ok) {
          valid += 1;
          assert.ok(customerSchema.safeParse(result.customer).success);
        } else {
          assert.ok(result.issues.length > 0);
          for (const issue of result.issues) assert.ok(issue.field && issue.message, JSON.stringify(issue));
        }
      }
      assert.ok(valid > 100 && valid < 4_900, `fuzz should mix valid and invalid inputs (${valid} valid)`);
    });
  });

  describe('through the pipeline', () => {
    let temporal: TestWorkflowEnvironment;
    let sync: SyncEnvironment;
    let stopWorkers: () => Promise<void>;
    before(async () => {
      temporal = await startTemporal();
      sync = await startSyncEnvironment({ temporal, seedCount: 50 });
      stopWorkers = await sync.startWorkers();
    });
    after(async () => {
      await stopWorkers?.();
      await sync?.teardown();
      await temporal?.teardown();
    });

    it('holds each malformed record as a problem record with its field, value and reason; the valid ones sync', async () => {
      const malformed: [Partial<SandboxAccount>, string, RegExp][] = [
        [{ Name: 12345 as unknown as string }, 'Name', /expected string/],
        [{ Name: 'x'.repeat(100_000) }, 'Name', /255/],
        [{ Name: 'Bell\u0007 Corp' }, 'Name', /control characters/],
        [{ NumberOfEmployees: 'many' as unknown as number }, 'NumberOfEmployees', /expected number/],
        [{ Website: 'not a url at all' }, 'Website', /not a valid URL/],
        [{ BillingCity: 'C'.repeat(41) }, 'BillingCity', /40/],
      ];
      const created = malformed.map(([fields]) => sync.salesforce.createAccount(fields));
      const odd = sync.salesforce.createAccount({
        Name: 'Unexpected Fields Ltd',
        Custom_Blob__c: { deeply: { nested: ['value'] } },
      });
      // A truncated, non-JSON page is retried, never taken for an empty one.
      sync.salesforce.setFaults({ malformedPages: 1 });

      const summary = await sync.runSync();

      assert.equal(summary.counts.read, sync.salesforce.accounts().length);
      for (const [[fields, field, reason], index] of malformed.map((row, i) => [row, i] as const)) {
        const problem = await sync.problem(created[index].Id);
        assert.ok(problem, `record with bad ${field} is not held as a problem record`);
        assert.equal(problem.status, 'VALIDATION_FAILED');
        assert.equal(problem.failure.kind, 'invalid');
        assert.equal(problem.failure.field, field);
        assert.match(problem.failure.error, reason);
        const value = fields[field as keyof typeof fields];
        if (typeof value === 'string')
          assert.equal(problem.failure.value, value.length > 200 ? `${value.slice(0, 200)}…` : value);
        assert.ok(!sync.netsuite.customerByExternalId(created[index].Id));
      }
      assert.equal(sync.netsuite.customerByExternalId(odd.Id)?.companyName, 'Unexpected Fields Ltd');
      const { synced, validationFailed, deadLettered, read } = summary.counts;
      assert.equal(synced + validationFailed + deadLettered, read);
    });
  });
});
