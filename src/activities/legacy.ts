import type { Checkpoint } from '../domain/checkpoint';
import type { createAccountsPipeline } from '../pipelines/accounts';

type AccountsPipeline = ReturnType<typeof createAccountsPipeline>;

/**
 * Activities that workflows begun before pipelines still call by these names, all of the
 * accounts pipeline. They stay until no such workflow is running (see the README's upgrade notes).
 */
export function createLegacyActivities(accounts: AccountsPipeline | undefined) {
  const pipeline = (): AccountsPipeline => {
    if (!accounts) throw new Error('the accounts pipeline is not configured on this worker');
    return accounts;
  };
  return {
    /** Runs begun before problem records. */
    readChangedAccounts({
      since,
      nextRecordsUrl,
    }: {
      since: Checkpoint | null;
      nextRecordsUrl: string | null;
    }) {
      return pipeline().source.readSalesforcePage(since, nextRecordsUrl);
    },

    /** Record workflows begun before problem records. */
    async fetchAccount(recordId: string): Promise<unknown> {
      return (await pipeline().source.readRecord(recordId))?.record ?? null;
    },

    /** Record workflows begun before problem records, on the destination's task queue. */
    async upsertCustomer(account: unknown): Promise<void> {
      await pipeline().loadRecord({ recordId: '', version: '', record: account });
    },
  };
}
