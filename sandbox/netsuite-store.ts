import { isPlainObject } from './http';

/**
 * The sandbox account's customer records, indexed by internal id and by external id. Body fields
 * are kept as written; the address book is kept as lines with their own ids (a keyed sublist), and
 * the system stamps as epoch ms, so each interface can render them as NetSuite does there.
 */

/** A customer as tests see it: the body fields as written, plus the system fields. */
export interface SandboxCustomer {
  /** Internal id, numeric as a string, assigned on create. */
  id: string;
  /** Absent when the record was created without one (plain POST). */
  externalId?: string;
  companyName: string;
  /** NetSuite fills it in on create when none is given (here: the company name). */
  entityId?: string;
  /** REST format, ISO 8601 UTC (see `formatRestDatetime`). */
  dateCreated: string;
  lastModifiedDate: string;
  /** The address lines as written (without their line ids); absent when never set. */
  addressBook?: { items: Record<string, unknown>[] };
  /** Everything else the client sent: phone, url, subsidiary, custentity_*, ... */
  [field: string]: unknown;
}

/** One line of the address book sublist; `id` is its key (the address book entry's internal id). */
export interface AddressLine {
  id: number;
  fields: Record<string, unknown>;
}

/** A stored customer, as the read-back renderers need it. Returned as a deep copy. */
export interface StoredCustomer {
  id: string;
  body: Record<string, unknown>;
  /** undefined: the record never had an address book written (or it was cleared with null). */
  addressBook?: AddressLine[];
  createdMs: number;
  modifiedMs: number;
}

/** The precision NetSuite shows system datetimes with in REST: `minute` (the default) or `second`. */
export type StampPrecision = 'minute' | 'second';

/** REST web services datetimes: ISO 8601 in UTC without fractions, e.g. 2026-11-24T03:20:00Z. */
export function formatRestDatetime(ms: number, precision: StampPrecision): string {
  const iso = new Date(ms).toISOString();
  return precision === 'minute' ? iso.replace(/:\d{2}\.\d{3}Z$/, ':00Z') : iso.replace(/\.\d{3}Z$/, 'Z');
}

const FIRST_ID = 1001;
const FIRST_LINE_ID = 5001;

/** The sublists of the customer record the sandbox stores. */
export const STORED_SUBLISTS = ['addressBook'] as const;

export class CustomerStore {
  private byId = new Map<string, StoredCustomer>();
  private idByExternalId = new Map<string, string>();
  private nextId = FIRST_ID;
  private nextLineId = FIRST_LINE_ID;
  private lastStampMs = 0;

  constructor(private precision: StampPrecision = 'minute') {}

  clear(): void {
    this.byId.clear();
    this.idByExternalId.clear();
    this.nextId = FIRST_ID;
    this.nextLineId = FIRST_LINE_ID;
  }

  all(): SandboxCustomer[] {
    return [...this.byId.values()].map((c) => this.view(c));
  }

  get(id: string): SandboxCustomer | undefined {
    const customer = this.byId.get(id);
    return customer && this.view(customer);
  }

  /** The stored form, for rendering read-backs (a copy). */
  record(id: string): StoredCustomer | undefined {
    const customer = this.byId.get(id);
    return customer && structuredClone(customer);
  }

  /** Every stored record, in internal id order (copies). */
  records(): StoredCustomer[] {
    return [...this.byId.values()].map((c) => structuredClone(c));
  }

  /**
   * The stored records of these external ids (unknown ones skipped), or all of them, in internal
   * id order and NOT copied: for a query that renders a page of them and keeps none. Copying every
   * record, as `records()` does, costs half a second a query at 50,000 customers, and a benchmark
   * would then measure the sandbox instead of its client.
   */
  scan(externalIds?: readonly string[]): readonly Readonly<StoredCustomer>[] {
    if (!externalIds) return [...this.byId.values()];
    const ids = new Set<string>();
    for (const externalId of externalIds) {
      const id = this.idByExternalId.get(externalId);
      if (id !== undefined) ids.add(id);
    }
    return [...ids].sort((a, b) => Number(a) - Number(b)).map((id) => this.byId.get(id)!);
  }

  idOf(externalId: string): string | undefined {
    return this.idByExternalId.get(externalId);
  }

  /**
   * `fields` must be validated; nulls mean "not set" on create. The sublist lines sent are the
   * record's lines. Without an entityId NetSuite names the customer after its company name.
   */
  create(fields: Record<string, unknown>): SandboxCustomer {
    const id = String(this.nextId++);
    const stamp = this.stamp();
    const customer: StoredCustomer = { id, body: {}, createdMs: stamp, modifiedMs: stamp };
    this.byId.set(id, customer);
    this.apply(customer, fields, new Set(STORED_SUBLISTS));
    if (customer.body.entityId === undefined && typeof customer.body.companyName === 'string')
      customer.body.entityId = customer.body.companyName;
    return this.view(customer);
  }

  /**
   * Omitted fields stay, null clears (PATCH semantics). Sublist lines are merged, as NetSuite does
   * on update: a line whose `id` matches an existing line updates it, the others are added. Sublists
   * named in `replace` are replaced: matched lines updated, unmatched existing lines removed.
   */
  update(
    id: string,
    fields: Record<string, unknown>,
    replace: ReadonlySet<string> = new Set(),
  ): SandboxCustomer {
    const customer = this.byId.get(id);
    if (!customer) throw new Error(`no customer ${id}`);
    this.apply(customer, fields, replace);
    customer.modifiedMs = this.stamp();
    return this.view(customer);
  }

  private apply(
    customer: StoredCustomer,
    fields: Record<string, unknown>,
    replace: ReadonlySet<string>,
  ): void {
    if ('externalId' in fields && customer.body.externalId !== undefined)
      this.idByExternalId.delete(customer.body.externalId as string);
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'addressBook') {
        customer.addressBook =
          value === null
            ? undefined
            : this.mergeLines(customer.addressBook ?? [], linesOf(value), replace.has('addressBook'));
      } else if (value === null) delete customer.body[key];
      else customer.body[key] = structuredClone(value);
    }
    const eid = customer.body.externalId;
    if (typeof eid === 'string') this.idByExternalId.set(eid, customer.id);
  }

  private mergeLines(
    existing: AddressLine[],
    sent: Record<string, unknown>[],
    replace: boolean,
  ): AddressLine[] {
    const kept = replace ? [] : existing.map((line) => line);
    const result: AddressLine[] = [...kept];
    for (const raw of sent) {
      const { id: key, ...fields } = structuredClone(raw);
      const lineId = key === undefined || key === null ? undefined : Number(key);
      const match = existing.find((line) => line.id === lineId);
      if (match) {
        const merged = mergeLine(match.fields, fields);
        const at = result.findIndex((line) => line.id === match.id);
        if (at >= 0) result[at] = { id: match.id, fields: merged };
        else result.push({ id: match.id, fields: merged });
      } else {
        result.push({ id: this.nextLineId++, fields: withoutNulls(fields) });
      }
    }
    return result;
  }

  private view(customer: StoredCustomer): SandboxCustomer {
    const view = {
      id: customer.id,
      ...structuredClone(customer.body),
      dateCreated: formatRestDatetime(customer.createdMs, this.precision),
      lastModifiedDate: formatRestDatetime(customer.modifiedMs, this.precision),
    } as SandboxCustomer;
    if (customer.addressBook)
      view.addressBook = { items: customer.addressBook.map((line) => structuredClone(line.fields)) };
    return view;
  }

  /** Never earlier than the last stamp given, even if the clock steps back. */
  private stamp(): number {
    this.lastStampMs = Math.max(Date.now(), this.lastStampMs);
    return this.lastStampMs;
  }
}

function linesOf(sublist: unknown): Record<string, unknown>[] {
  return isPlainObject(sublist) && Array.isArray(sublist.items)
    ? sublist.items.filter((item): item is Record<string, unknown> => isPlainObject(item))
    : [];
}

/** A line update: omitted fields stay, null clears; the address subrecord is merged the same way. */
function mergeLine(current: Record<string, unknown>, sent: Record<string, unknown>): Record<string, unknown> {
  const merged = structuredClone(current);
  for (const [key, value] of Object.entries(sent)) {
    if (value === null) delete merged[key];
    else if (key === 'addressBookAddress' && isPlainObject(value) && isPlainObject(merged[key]))
      merged[key] = withoutNulls({ ...merged[key], ...value });
    else merged[key] = structuredClone(value);
  }
  return merged;
}

function withoutNulls(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue;
    out[key] = isPlainObject(value) ? withoutNulls(value) : value;
  }
  return out;
}
