import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Customer } from '../src/domain/customer';
import {
  comparedValues,
  contentChecksum,
  decideWrite,
  type DestinationState,
} from '../src/domain/guarded-write';

const customer: Customer = {
  externalId: '001000000000001AAA',
  companyName: 'Acme Corporation',
  phone: '+1 415 555 0100',
  url: 'https://acme.example.com',
  isInactive: false,
  addressBook: { items: [] },
  custentity_sf_account_id: '001000000000001AAA',
  custentity_sf_system_modstamp: '2026-05-20T20:49:33.000Z',
};

/** NetSuite holding what record-sync wrote for `written`, then changed by `edits`. */
function held(written: Customer, edits: Partial<Customer> = {}): DestinationState {
  return {
    internalId: '1001',
    sourceVersion: written.custentity_sf_system_modstamp,
    checksum: contentChecksum(written),
    lastSynced: comparedValues(written),
    current: comparedValues({ ...written, ...edits }),
  };
}

const newer = (fields: Partial<Customer>): Customer => ({
  ...customer,
  ...fields,
  custentity_sf_system_modstamp: '2026-05-21T08:00:00.000Z',
});

describe('decideWrite', () => {
  it('creates what NetSuite does not have, but not an account deleted before it was ever synced', () => {
    assert.deepEqual(decideWrite(customer, null, 'ask'), { action: 'write', customer, create: true });
    assert.equal(decideWrite({ ...customer, isInactive: true }, null, 'ask').action, 'skip');
  });

  it('skips the same content (whatever the version) and an older version', () => {
    assert.equal(decideWrite(newer({}), held(customer), 'ask').action, 'skip');
    assert.match(
      JSON.stringify(decideWrite(customer, held(newer({ companyName: 'Later Ltd' })), 'source-wins')),
      /newer version/,
    );
  });

  it('writes a change when NetSuite still holds what record-sync wrote', () => {
    const changed = newer({ companyName: 'Acme Holdings' });
    assert.deepEqual(decideWrite(changed, held(customer), 'ask'), {
      action: 'write',
      customer: changed,
      create: false,
    });
  });

  it('holds a conflict for a person when NetSuite was changed since, with the three values', () => {
    const decision = decideWrite(
      newer({ companyName: 'Acme Holdings' }),
      held(customer, { phone: '+1 212 555 0000' }),
      'ask',
    );
    assert.equal(decision.action, 'conflict');
    assert.deepEqual(decision.action === 'conflict' ? decision.diff : [], [
      {
        field: 'companyName',
        source: 'Acme Holdings',
        destination: 'Acme Corporation',
        lastSynced: 'Acme Corporation',
      },
      {
        field: 'phone',
        source: '+1 415 555 0100',
        destination: '+1 212 555 0000',
        lastSynced: '+1 415 555 0100',
      },
    ]);
  });

  it('decides by policy: source-wins writes the source, destination-wins keeps the fields changed in NetSuite', () => {
    const changed = newer({ companyName: 'Acme Holdings' });
    const edited = held(customer, { phone: '+1 212 555 0000' });
    const sourceWins = decideWrite(changed, edited, 'source-wins');
    assert.equal(sourceWins.action === 'write' && sourceWins.customer.phone, '+1 415 555 0100');
    const destinationWins = decideWrite(changed, edited, 'destination-wins');
    assert.deepEqual(
      destinationWins.action === 'write' && [
        destinationWins.customer.companyName,
        destinationWins.customer.phone,
      ],
      ['Acme Holdings', '+1 212 555 0000'],
    );
  });

  it("applies a person's choices field by field over the policy", () => {
    const decision = decideWrite(
      newer({ companyName: 'Acme Holdings' }),
      held(customer, { phone: '+1 212 555 0000' }),
      'ask',
      {
        phone: 'destination',
        companyName: 'source',
      },
    );
    assert.deepEqual(
      decision.action === 'write' && [decision.customer.companyName, decision.customer.phone],
      ['Acme Holdings', '+1 212 555 0000'],
    );
  });

  it('checksums content, not the version stamp or key order', () => {
    const reordered = Object.fromEntries(Object.entries(customer).reverse()) as Customer;
    assert.equal(contentChecksum(reordered), contentChecksum(newer({})));
    assert.notEqual(contentChecksum(customer), contentChecksum(newer({ phone: null })));
  });
});
