import type { z } from 'zod';
import { accountSchema, type Account } from '../../domain/account';
import { toIsoInstant } from '../../domain/checkpoint';
import { countryCode } from '../../domain/country';
import { customerSchema, type Customer } from '../../domain/customer';

export interface FieldIssue {
  field: string;
  message: string;
}

export type MappingResult = { ok: true; customer: Customer } | { ok: false; issues: FieldIssue[] };

/**
 * The Salesforce field each customer field comes from, so that every issue names a field
 * the person fixing the Account can see in Salesforce.
 */
const SOURCE_FIELD: Record<string, string> = {
  externalId: 'Id',
  companyName: 'Name',
  phone: 'Phone',
  url: 'Website',
  isInactive: 'IsDeleted',
  addr1: 'BillingStreet',
  addr2: 'BillingStreet',
  addr3: 'BillingStreet',
  city: 'BillingCity',
  state: 'BillingState',
  zip: 'BillingPostalCode',
  country: 'BillingCountry',
  custentity_sf_account_id: 'Id',
  custentity_sf_system_modstamp: 'SystemModstamp',
};

function accountIssues(error: z.ZodError, input: unknown): FieldIssue[] {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? String(issue.path[0]) : '(record)';
    const missing = issue.path.length > 0 && issue.code === 'invalid_type' && record[field] == null;
    return { field, message: missing ? 'Required' : issue.message };
  });
}

function customerIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    // Address issues have paths like addressBook.items.0.addressBookAddress.city: the last
    // known key names the field.
    const key = [...issue.path].reverse().find((part) => typeof part === 'string' && part in SOURCE_FIELD);
    return { field: key ? SOURCE_FIELD[String(key)] : issue.path.join('.'), message: issue.message };
  });
}

/** Blank text means "no value" in Salesforce; NetSuite should not receive whitespace-only fields. */
function text(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Salesforce users often type `www.example.com`; NetSuite needs a full URL. */
function websiteUrl(website: string | null): string | null {
  const trimmed = text(website);
  if (trimmed === undefined) return null;
  return /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/**
 * NetSuite keeps street lines apart (addr1..addr3); Salesforce keeps one multi-line street. Lines
 * past the third are joined into addr3 rather than dropped.
 */
function streetLines(street: string | null): { addr1?: string; addr2?: string; addr3?: string } {
  const lines = (street ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const [addr1, addr2, ...rest] = lines;
  return { addr1, addr2, addr3: rest.length ? rest.join(', ') : undefined };
}

/**
 * The billing address as the customer's whole address book: one line, or none when the account
 * has no address (sent with `replace=addressBook`, so a cleared address is cleared in NetSuite).
 */
function addressBookOf(account: Account): Customer['addressBook'] {
  const address = {
    ...streetLines(account.BillingStreet),
    city: text(account.BillingCity),
    state: text(account.BillingState),
    zip: text(account.BillingPostalCode),
    country: undefined as { id: string } | undefined,
  };
  const country = text(account.BillingCountry);
  const code = country === undefined ? undefined : countryCode(country);
  if (code !== undefined) address.country = { id: code };
  const present = Object.fromEntries(Object.entries(address).filter(([, v]) => v !== undefined));
  // An address made only of an unrecognised country would be an empty address in NetSuite.
  if (Object.keys(present).length === 0) return { items: [] };
  return { items: [{ defaultBilling: true, defaultShipping: false, addressBookAddress: present }] };
}

export function mapAccountToCustomer(input: unknown): MappingResult {
  const parsed = accountSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: accountIssues(parsed.error, input) };
  const account = parsed.data;

  const addressBook = addressBookOf(account);
  const candidate = {
    externalId: account.Id,
    companyName: account.Name.trim(),
    phone: text(account.Phone) ?? null,
    url: websiteUrl(account.Website),
    isInactive: account.IsDeleted,
    addressBook,
    custentity_sf_account_id: account.Id,
    custentity_sf_system_modstamp: toIsoInstant(account.SystemModstamp),
  };
  const checked = customerSchema.safeParse(candidate);
  if (!checked.success) return { ok: false, issues: customerIssues(checked.error) };
  return { ok: true, customer: checked.data };
}

export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
}
