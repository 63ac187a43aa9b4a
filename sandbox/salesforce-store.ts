import {
  compareAccounts,
  customFieldType,
  isCustomField,
  MANAGED_ACCOUNT_FIELDS,
  READ_ONLY_ACCOUNT_FIELDS,
  STANDARD_ACCOUNT_FIELDS,
  WRITABLE_STANDARD_FIELDS,
  type CustomFieldType,
  type FieldType,
  type SandboxAccount,
} from './account';
import { formatSalesforceDatetime, parseSalesforceDatetime, parseSoqlDatetime } from './datetime';
import { isPlainObject } from './http';
import type { Prng } from './prng';
import { newAccountId, seedAccounts } from './seed';
import type { AccountQuery } from './soql';

/** The sandbox org's Account table: seeded, then written only through these methods. */
export class AccountStore {
  private byId = new Map<string, SandboxAccount>();
  private rng!: Prng;
  private lastWriteMs = 0;
  private created = 0;
  private customFields = new Map<string, CustomFieldType>();

  /** `customFields`: the Account custom fields that exist on the org, with their types. */
  constructor(
    private readonly seedCount: number,
    private readonly seed: number,
    private readonly initialCustomFields: Readonly<Record<string, CustomFieldType>>,
  ) {
    this.reseed();
  }

  reseed(): void {
    const { accounts, rng } = seedAccounts(this.seedCount, this.seed);
    this.customFields = new Map(Object.entries(this.initialCustomFields));
    // Seeded rows carry the org's custom fields (null), and no others.
    for (const account of accounts) {
      for (const key of Object.keys(account))
        if (isCustomField(key) && !this.customFields.has(key)) delete account[key];
      for (const key of this.customFields.keys()) account[key] ??= null;
    }
    this.byId = new Map(accounts.map((a) => [a.Id, a]));
    this.rng = rng;
    this.created = 0;
    // Seeds lie in the past, but keep new stamps after them even on a machine with a wrong clock.
    this.lastWriteMs = accounts.reduce(
      (max, a) => Math.max(max, parseSalesforceDatetime(a.SystemModstamp)),
      0,
    );
  }

  /** Every column a query may select: standard ones plus the org's custom fields. */
  columns(): string[] {
    return [...STANDARD_ACCOUNT_FIELDS, ...this.customFields.keys()];
  }

  /** The org's custom fields and their types. */
  customFieldTypes(): Record<string, CustomFieldType> {
    return Object.fromEntries(this.customFields);
  }

  all(): SandboxAccount[] {
    return [...this.byId.values()].sort(compareAccounts).map((a) => ({ ...a }));
  }

  get(id: string): SandboxAccount | undefined {
    const account = this.byId.get(id);
    return account && { ...account };
  }

  create(fields: Partial<SandboxAccount>): SandboxAccount {
    this.checkWritable(fields);
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
      ...Object.fromEntries([...this.customFields.keys()].map((key) => [key, null])),
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
    this.checkWritable(fields);
    const targets = this.existing(ids);
    const stamp = this.stamp();
    for (const account of targets) Object.assign(account, fields, stamp);
  }

  /** Hard delete (emptied from the recycle bin, or purged after 15 days): gone even for queryAll. */
  purge(id: string): void {
    this.byId.delete(id);
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
    this.checkWritable(fields);
    const ms = parseSoqlDatetime(stampedAt);
    if (ms === undefined) throw new Error(`stampedAt is not a datetime: ${stampedAt}`);
    if (ms > Math.max(Date.now(), this.lastWriteMs)) throw new Error('stampedAt must not be in the future');
    const targets = this.existing(ids);
    const stamp = formatSalesforceDatetime(ms);
    // The transaction held the rows' locks: no later save of them can have committed before it.
    const later = targets.find((account) => account.SystemModstamp > stamp);
    if (later)
      throw new Error(`${later.Id} was saved after ${stampedAt}: a late commit cannot move its stamp back`);
    for (const account of targets)
      Object.assign(account, fields, { SystemModstamp: stamp, LastModifiedDate: stamp });
  }

  /** Ids of the matching rows in (SystemModstamp, Id) order: what a query fixes when it runs. */
  queryIds(q: AccountQuery, includeDeleted: boolean): string[] {
    const after = q.after && { stamp: formatSalesforceDatetime(q.after.modstampMs), id: q.after.id };
    // By id: look them up rather than scan every account.
    const candidates = q.ids
      ? [...new Set(q.ids)].flatMap((id) => this.byId.get(id) ?? [])
      : [...this.byId.values()];
    return candidates
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

  /**
   * The programmatic API (a test's stand-in for an admin or a data load): any standard field but
   * the managed ones, and any custom field, which the org gains (as text) if it lacked it.
   */
  private checkWritable(fields: Partial<SandboxAccount>): void {
    for (const key of Object.keys(fields)) {
      if ((MANAGED_ACCOUNT_FIELDS as readonly string[]).includes(key))
        throw new Error(`${key} is set by the sandbox`);
      if (!(STANDARD_ACCOUNT_FIELDS as readonly string[]).includes(key) && !isCustomField(key)) {
        throw new Error(`No such column '${key}' on entity 'Account'`);
      }
    }
    for (const key of Object.keys(fields))
      if (isCustomField(key) && !this.customFields.has(key)) this.customFields.set(key, 'text');
  }

  /**
   * A REST API update body checked as Salesforce checks it: field names (case-insensitive) first,
   * then value types, then read-only fields, then required fields and lengths. Returns the fields to
   * write, canonically named and normalised (datetimes in Salesforce's format), or the error.
   */
  checkApiUpdate(body: Record<string, unknown>): { write: Partial<SandboxAccount> } | ApiWriteError {
    const types = new Map<string, [string, FieldType | 'read-only']>();
    for (const name of READ_ONLY_ACCOUNT_FIELDS) types.set(name.toLowerCase(), [name, 'read-only']);
    for (const [name, type] of Object.entries(WRITABLE_STANDARD_FIELDS))
      types.set(name.toLowerCase(), [name, type]);
    for (const [name, type] of this.customFields)
      types.set(name.toLowerCase(), [name, customFieldType(type)]);

    const entries: [string, FieldType | 'read-only', unknown][] = [];
    for (const [key, value] of Object.entries(body)) {
      // The sObject's type annotation may come along, as clients echo records they read.
      if (key === 'attributes' && isPlainObject(value)) continue;
      const known = types.get(key.toLowerCase());
      if (!known) {
        return {
          errorCode: 'INVALID_FIELD',
          message: `No such column '${key}' on sobject of type Account`,
          fields: [],
        };
      }
      entries.push([known[0], known[1], value]);
    }
    for (const [name, type, value] of entries) {
      if (type === 'read-only' || value === null || fitsJsonType(type, value)) continue;
      return {
        errorCode: 'JSON_PARSER_ERROR',
        message: `Cannot deserialize instance of ${jsonTypeName(type)} from ${JSON.stringify(value)} for field ${name}`,
        fields: [],
      };
    }
    const readOnly = entries.filter(([, type]) => type === 'read-only').map(([name]) => name);
    if (readOnly.length > 0) {
      return {
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: readOnly,
      };
    }
    const fields: Record<string, unknown> = {};
    for (const [name, type, value] of entries) {
      if (type === 'read-only') continue;
      if (name === 'Name' && (value === null || (typeof value === 'string' && value.trim() === ''))) {
        return {
          errorCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [Name]',
          fields: ['Name'],
        };
      }
      if (value === null) {
        fields[name] = type.kind === 'checkbox' ? false : null;
        continue;
      }
      if (type.kind === 'text' && (value as string).length > type.length) {
        return {
          errorCode: 'STRING_TOO_LONG',
          message: `${name}: data value too large: ${(value as string).slice(0, 40)}... (max length=${type.length})`,
          fields: [name],
        };
      }
      if (
        type.kind === 'id' &&
        !new RegExp(`^${type.prefix}[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$`).test(value as string)
      ) {
        return {
          errorCode: 'MALFORMED_ID',
          message: `${name}: id value of incorrect type: ${String(value)}`,
          fields: [name],
        };
      }
      if (type.kind === 'datetime') {
        const ms = parseSoqlDatetime(value as string);
        if (ms === undefined) {
          return {
            errorCode: 'JSON_PARSER_ERROR',
            message: `Cannot deserialize instance of datetime from VALUE_STRING value ${String(value)} for field ${name}`,
            fields: [],
          };
        }
        fields[name] = formatSalesforceDatetime(ms);
        continue;
      }
      fields[name] = value;
    }
    return { write: fields as Partial<SandboxAccount> };
  }
}

/** A REST API write refused: 400 with this error. */
export interface ApiWriteError {
  errorCode: string;
  message: string;
  fields: string[];
}

function fitsJsonType(type: FieldType, value: unknown): boolean {
  switch (type.kind) {
    case 'text':
    case 'id':
    case 'datetime':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'checkbox':
      return typeof value === 'boolean';
  }
}

function jsonTypeName(type: FieldType): string {
  return {
    text: 'string',
    id: 'id',
    datetime: 'datetime',
    number: 'double',
    int: 'int',
    checkbox: 'boolean',
  }[type.kind];
}
