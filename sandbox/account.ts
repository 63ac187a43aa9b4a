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

/** Standard columns a query may select; custom columns are any `*__c` name. */
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
  'NetSuite_Id__c',
] as const;

/** Set by the sandbox itself on every write; callers may not supply them. */
export const MANAGED_ACCOUNT_FIELDS = ['Id', 'LastModifiedDate', 'SystemModstamp'] as const;

export function isCustomField(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*__c$/.test(name);
}

/** Sort key order of both the store and every query: (SystemModstamp, Id), ordinal. */
export function compareAccounts(a: SandboxAccount, b: SandboxAccount): number {
  if (a.SystemModstamp !== b.SystemModstamp) return a.SystemModstamp < b.SystemModstamp ? -1 : 1;
  if (a.Id === b.Id) return 0;
  return a.Id < b.Id ? -1 : 1;
}
