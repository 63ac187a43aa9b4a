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

// Control characters (other than tab and line breaks, which streets use) are corruption, not data:
// NetSuite would store them and every report downstream would carry them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function text(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'contains control characters');
}

// Salesforce omits fields that were not selected and returns null for empty ones; both mean "no value".
function optionalText(maxLength: number) {
  return text(maxLength).nullable().default(null);
}

const salesforceDateTime = z
  .string()
  .refine((s) => parseInstant(s) !== null, 'not a datetime like 2024-05-20T20:49:32.000+0000');

/** An Account as the Salesforce REST API returns it; unknown fields (e.g. `attributes`) are stripped. */
export const accountSchema = z.object({
  Id: z.string().refine(isSalesforceId, 'not a 15 or 18 character Salesforce id'),
  Name: text(255),
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
