import { z } from 'zod';
import { isSalesforceId } from './checkpoint';
import { parseInstant } from './instant';

/** The Account fields the sync reads; the SOQL select list and the schema below agree on them. */
export const ACCOUNT_FIELDS = [
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
  'IsDeleted',
  'LastModifiedDate',
  'SystemModstamp',
] as const;

// Salesforce omits fields that were not selected and returns null for empty ones; both mean "no value".
function optionalText(maxLength: number) {
  return z.string().max(maxLength).nullable().default(null);
}

const salesforceDateTime = z
  .string()
  .refine((s) => parseInstant(s) !== null, 'not a datetime like 2024-05-20T20:49:32.000+0000');

/** An Account as the Salesforce REST API returns it; unknown fields (e.g. `attributes`) are stripped. */
export const accountSchema = z.object({
  Id: z.string().refine(isSalesforceId, 'not a 15 or 18 character Salesforce id'),
  Name: z.string().max(255),
  BillingStreet: optionalText(255),
  BillingCity: optionalText(40),
  BillingState: optionalText(80),
  BillingPostalCode: optionalText(20),
  BillingCountry: optionalText(80),
  Phone: optionalText(40),
  Website: optionalText(255),
  Industry: optionalText(255),
  AnnualRevenue: z.number().nullable().default(null),
  NumberOfEmployees: z.number().int().nullable().default(null),
  IsDeleted: z.boolean().default(false),
  LastModifiedDate: salesforceDateTime.nullable().default(null),
  SystemModstamp: salesforceDateTime,
});

export type Account = z.infer<typeof accountSchema>;
