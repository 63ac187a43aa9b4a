/** The Salesforce Account as the sandbox stores and serves it. */
export interface SandboxAccount {
  Id: string;
  Name: string | null;
  BillingStreet: string | null;
  BillingCity: string | null;
  BillingState: string | null;
  BillingPostalCode: string | null;
  BillingCountry: string | null;
  Phone: string | null;
  Website: string | null;
  Industry: string | null;
  AnnualRevenue: number | null;
  NumberOfEmployees: number | null;
  IsDeleted: boolean;
  /** Salesforce format, e.g. 2024-05-20T20:49:32.000+0000. */
  LastModifiedDate: string;
  SystemModstamp: string;
  [custom: string]: unknown;
}

/** Standard columns a query may select; custom columns are the org's custom fields (`*__c`). */
export const STANDARD_ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'BillingStreet',
  'BillingCity',
  'BillingState',
  'BillingPostalCode',
  'BillingCountry',
  'Phone',
  'Website',
  'Industry',
  'AnnualRevenue',
  'NumberOfEmployees',
  'OwnerId',
  'IsDeleted',
  'LastModifiedDate',
  'SystemModstamp',
] as const;

/** Set by the sandbox itself on every write; callers may not supply them. */
export const MANAGED_ACCOUNT_FIELDS = ['Id', 'LastModifiedDate', 'SystemModstamp'] as const;

/** Fields the REST API refuses to write (INVALID_FIELD_FOR_INSERT_UPDATE). */
export const READ_ONLY_ACCOUNT_FIELDS = ['Id', 'IsDeleted', 'LastModifiedDate', 'SystemModstamp'] as const;

/** The type of a writable field, as the REST API checks a JSON value against it. */
export type FieldType =
  | { kind: 'text'; length: number }
  | { kind: 'number' }
  | { kind: 'int' }
  | { kind: 'checkbox' }
  | { kind: 'datetime' }
  | { kind: 'id'; prefix: string };

/** The writable standard fields and their types (lengths as in the Account object reference). */
export const WRITABLE_STANDARD_FIELDS: Readonly<Record<string, FieldType>> = {
  Name: { kind: 'text', length: 255 },
  BillingStreet: { kind: 'text', length: 255 },
  BillingCity: { kind: 'text', length: 40 },
  BillingState: { kind: 'text', length: 80 },
  BillingPostalCode: { kind: 'text', length: 20 },
  BillingCountry: { kind: 'text', length: 80 },
  Phone: { kind: 'text', length: 40 },
  Website: { kind: 'text', length: 255 },
  Industry: { kind: 'text', length: 255 },
  AnnualRevenue: { kind: 'number' },
  NumberOfEmployees: { kind: 'int' },
  OwnerId: { kind: 'id', prefix: '005' },
};

/** The type a custom field is created with on the org. */
export type CustomFieldType = 'text' | 'number' | 'checkbox' | 'datetime';

/** The Account custom fields the org has unless told otherwise: what the sync writes back. */
export const DEFAULT_CUSTOM_FIELDS: Readonly<Record<string, CustomFieldType>> = {
  NetSuite_Id__c: 'text',
  Sync_Status__c: 'text',
  Last_Synced_At__c: 'datetime',
};

export function customFieldType(type: CustomFieldType): FieldType {
  return type === 'text' ? { kind: 'text', length: 255 } : { kind: type };
}

export function isCustomField(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*__c$/.test(name);
}

/** Sort key order of both the store and every query: (SystemModstamp, Id), ordinal. */
export function compareAccounts(a: SandboxAccount, b: SandboxAccount): number {
  if (a.SystemModstamp !== b.SystemModstamp) return a.SystemModstamp < b.SystemModstamp ? -1 : 1;
  if (a.Id === b.Id) return 0;
  return a.Id < b.Id ? -1 : 1;
}
