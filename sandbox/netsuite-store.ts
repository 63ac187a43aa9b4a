/** The sandbox account's customer records, indexed by internal id and by external id. */

export interface SandboxCustomer {
  /** Internal id, numeric as a string, assigned on create. */
  id: string;
  /** Absent when the record was created without one (plain POST). */
  externalId?: string;
  companyName: string;
  dateCreated: string;
  lastModifiedDate: string;
  /** Everything else the client sent: entityId, phone, addressBook, custentity_*, ... */
  [field: string]: unknown;
}

const FIRST_ID = 1001;

/** NetSuite reports times in whole seconds. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class CustomerStore {
  private byId = new Map<string, SandboxCustomer>();
  private idByExternalId = new Map<string, string>();
  private nextId = FIRST_ID;

  clear(): void {
    this.byId.clear();
    this.idByExternalId.clear();
    this.nextId = FIRST_ID;
  }

  all(): SandboxCustomer[] {
    return [...this.byId.values()].map((c) => structuredClone(c));
  }

  get(id: string): SandboxCustomer | undefined {
    const customer = this.byId.get(id);
    return customer && structuredClone(customer);
  }

  idOf(externalId: string): string | undefined {
    return this.idByExternalId.get(externalId);
  }

  /** `fields` must be validated; nulls mean "not set" on create. */
  create(fields: Record<string, unknown>): SandboxCustomer {
    const id = String(this.nextId++);
    const stamp = now();
    const customer = { id, dateCreated: stamp, lastModifiedDate: stamp } as SandboxCustomer;
    this.byId.set(id, customer);
    this.apply(customer, fields);
    customer.lastModifiedDate = stamp;
    return structuredClone(customer);
  }

  /** Omitted fields stay, null clears (PATCH semantics). Sublists such as addressBook are replaced whole. */
  update(id: string, fields: Record<string, unknown>): SandboxCustomer {
    const customer = this.byId.get(id);
    if (!customer) throw new Error(`no customer ${id}`);
    this.apply(customer, fields);
    customer.lastModifiedDate = now();
    return structuredClone(customer);
  }

  private apply(customer: SandboxCustomer, fields: Record<string, unknown>): void {
    if ('externalId' in fields && customer.externalId !== undefined)
      this.idByExternalId.delete(customer.externalId);
    for (const [key, value] of Object.entries(fields)) {
      if (value === null) delete customer[key];
      else customer[key] = structuredClone(value);
    }
    if (customer.externalId !== undefined) this.idByExternalId.set(customer.externalId, customer.id);
  }
}
