import {
  compareAccounts,
  isCustomField,
  MANAGED_ACCOUNT_FIELDS,
  STANDARD_ACCOUNT_FIELDS,
  type SandboxAccount,
} from './account';
import { formatSalesforceDatetime, parseSalesforceDatetime, parseSoqlDatetime } from './datetime';
import type { Prng } from './prng';
import { newAccountId, seedAccounts } from './seed';
import type { AccountQuery } from './soql';

/** The sandbox org's Account table: seeded, then written only through these methods. */
export class AccountStore {
  private byId = new Map<string, SandboxAccount>();
  private rng!: Prng;
  private lastWriteMs = 0;
  private created = 0;

  constructor(
    private readonly seedCount: number,
    private readonly seed: number,
  ) {
    this.reseed();
  }

  reseed(): void {
    const { accounts, rng } = seedAccounts(this.seedCount, this.seed);
    this.byId = new Map(accounts.map((a) => [a.Id, a]));
    this.rng = rng;
    this.created = 0;
    // Seeds lie in the past, but keep new stamps after them even on a machine with a wrong clock.
    this.lastWriteMs = accounts.reduce(
      (max, a) => Math.max(max, parseSalesforceDatetime(a.SystemModstamp)),
      0,
    );
  }

  /** Every column a query may select: standard ones plus custom ones present on some account. */
  columns(): string[] {
    const columns = new Set<string>(STANDARD_ACCOUNT_FIELDS);
    for (const account of this.byId.values()) for (const key of Object.keys(account)) columns.add(key);
    return [...columns];
  }

  all(): SandboxAccount[] {
    return [...this.byId.values()].sort(compareAccounts).map((a) => ({ ...a }));
  }

  get(id: string): SandboxAccount | undefined {
    const account = this.byId.get(id);
    return account && { ...account };
  }

  create(fields: Partial<SandboxAccount>): SandboxAccount {
    checkWritable(fields);
    this.created += 1;
    const account: SandboxAccount = {
      Id: newAccountId(this.rng, (id) => this.byId.has(id)),
      Name: `New Account ${this.created}`,
      BillingStreet: null,
      BillingCity: null,
      BillingState: null,
      BillingPostalCode: null,
      BillingCountry: null,
      Phone: null,
      Website: null,
      Industry: null,
      AnnualRevenue: null,
      NumberOfEmployees: null,
      IsDeleted: false,
      ...fields,
      ...this.stamp(),
    };
    this.byId.set(account.Id, account);
    return { ...account };
  }

  update(id: string, fields: Partial<SandboxAccount>): SandboxAccount {
    this.touch([id], fields);
    return this.get(id) as SandboxAccount;
  }

  /** One write for all: every account gets the same new SystemModstamp, as a data-loader run does. */
  touch(ids: string[], fields: Partial<SandboxAccount> = {}): void {
    checkWritable(fields);
    const targets = this.existing(ids);
    const stamp = this.stamp();
    for (const account of targets) Object.assign(account, fields, stamp);
  }

  /** Soft delete, like the Salesforce recycle bin: still visible to queryAll. */
  delete(id: string): void {
    this.touch([id], { IsDeleted: true });
  }

  /**
   * A change committed by a transaction that started at `stampedAt` and commits only now: the rows
   * carry that past stamp, so a reader whose checkpoint has already passed it never sees them again
   * unless it re-reads behind its checkpoint (Salesforce's replication API has latestDateCovered for
   * this). `stampedAt` is any SOQL datetime form, no later than the org's present.
   */
  commitLate(ids: string[], fields: Partial<SandboxAccount>, stampedAt: string): void {
    checkWritable(fields);
    const ms = parseSoqlDatetime(stampedAt);
    if (ms === undefined) throw new Error(`stampedAt is not a datetime: ${stampedAt}`);
    if (ms > Math.max(Date.now(), this.lastWriteMs)) throw new Error('stampedAt must not be in the future');
    const targets = this.existing(ids);
    const stamp = formatSalesforceDatetime(ms);
    for (const account of targets)
      Object.assign(account, fields, { SystemModstamp: stamp, LastModifiedDate: stamp });
  }

  /** Ids of the matching rows in (SystemModstamp, Id) order: what a query fixes when it runs. */
  queryIds(q: AccountQuery, includeDeleted: boolean): string[] {
    const after = q.after && { stamp: formatSalesforceDatetime(q.after.modstampMs), id: q.after.id };
    return [...this.byId.values()]
      .filter((a) => includeDeleted || !a.IsDeleted)
      .filter(
        (a) =>
          !after ||
          a.SystemModstamp > after.stamp ||
          (after.id !== undefined && a.SystemModstamp === after.stamp && a.Id > after.id),
      )
      .sort(compareAccounts)
      .slice(0, q.limit)
      .map((a) => a.Id);
  }

  /** The row's current values of `fields`, soft-deleted or not; undefined once it no longer exists. */
  project(id: string, fields: readonly string[]): Record<string, unknown> | undefined {
    const account = this.byId.get(id);
    return account && Object.fromEntries(fields.map((f) => [f, account[f] ?? null]));
  }

  /** All or nothing: an unknown id fails the whole write before any row changes. */
  private existing(ids: string[]): SandboxAccount[] {
    return ids.map((id) => {
      const account = this.byId.get(id);
      if (!account) throw new Error(`no account with Id ${id}`);
      return account;
    });
  }

  /** Salesforce stamps are strictly increasing per write, even within one millisecond. */
  private stamp(): Pick<SandboxAccount, 'SystemModstamp' | 'LastModifiedDate'> {
    this.lastWriteMs = Math.max(Date.now(), this.lastWriteMs + 1);
    const stamp = formatSalesforceDatetime(this.lastWriteMs);
    return { SystemModstamp: stamp, LastModifiedDate: stamp };
  }
}

function checkWritable(fields: Partial<SandboxAccount>): void {
  for (const key of Object.keys(fields)) {
    if ((MANAGED_ACCOUNT_FIELDS as readonly string[]).includes(key))
      throw new Error(`${key} is set by the sandbox`);
    if (!(STANDARD_ACCOUNT_FIELDS as readonly string[]).includes(key) && !isCustomField(key)) {
      throw new Error(`No such column '${key}' on entity 'Account'`);
    }
  }
}
