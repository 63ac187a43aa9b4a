import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkpointOf } from '../src/domain/checkpoint';
import { asPosition, earlierPosition, instantOf, laterPosition, positionAt } from '../src/domain/position';
import { checkpointOfPosition } from '../src/pipelines/accounts/source';
import { parseRowVersion, rowVersion } from '../src/pipelines/vendor-performance/source';

describe('positions', () => {
  it('order Salesforce positions as (SystemModstamp, Id) did, ties by Id ordinally', () => {
    const records = [
      { Id: '001000000000000AAA', SystemModstamp: '2024-05-20T20:49:32.000+0000' },
      { Id: '001000000000000ZZZ', SystemModstamp: '2024-05-20T20:49:32.000+0000' },
      { Id: '001000000000000aaa', SystemModstamp: '2024-05-20T20:49:32.000+0000' },
      { Id: '001000000000000AAA', SystemModstamp: '2024-05-20T20:49:33.000+0000' },
    ];
    const positions = records.map((record) => asPosition(checkpointOf(record))!);
    assert.deepEqual([...positions].sort(), positions);
    assert.ok(positionAt('2024-05-20T20:49:32Z') < positions[0], 'a time is before every record at it');
    assert.ok(positions[2] < positionAt('2024-05-20T20:49:33Z'));
  });

  it('turn back into the checkpoint the Salesforce query needs', () => {
    const checkpoint = { systemModstamp: '2024-05-20T20:49:32.000Z', id: '001000000000000AAA' };
    assert.deepEqual(checkpointOfPosition(asPosition(checkpoint)), checkpoint);
    assert.deepEqual(checkpointOfPosition(positionAt('2024-05-20T20:49:32Z')), {
      systemModstamp: '2024-05-20T20:49:32.000Z',
      id: '',
    });
  });

  it('order file rows by the file, then the row, whatever the file is called', () => {
    const file = (key: string, lastModified: string) => ({
      key,
      lastModified,
      checksum: 'a'.repeat(64),
      vendor: 'v',
    });
    const first = file('inbox/b|odd name.csv', '2026-11-01T00:00:00.000Z');
    const second = file('inbox/a.csv', '2026-11-01T00:00:00.001Z');
    const order = [rowVersion(first, 0), rowVersion(first, 9), rowVersion(first, 10), rowVersion(second, 0)];
    assert.deepEqual([...order].sort(), order);
    assert.deepEqual(parseRowVersion(order[2]), {
      name: 'b|odd name.csv',
      index: 10,
      checksum: 'a'.repeat(64),
    });
    assert.equal(instantOf(order[3]), '2026-11-01T00:00:00.001Z');
  });

  it('take the later and the earlier, null meaning no bound', () => {
    assert.equal(laterPosition(null, 'b'), 'b');
    assert.equal(laterPosition('a', 'b'), 'b');
    assert.equal(earlierPosition('a', null), 'a');
    assert.equal(earlierPosition('a', 'b'), 'a');
  });
});
