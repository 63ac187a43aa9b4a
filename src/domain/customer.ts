import { z } from 'zod';
import { isSalesforceId } from './checkpoint';

/** NetSuite accepts external ids of letters, digits, `_` and `-`; they also go into the URL path. */
const EXTERNAL_ID = /^[A-Za-z0-9_-]+$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

const addressSchema = z.object({
  addr1: z.string().optional(),
  addr2: z.string().optional(),
  addr3: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  zip: z.string().optional(),
  country: z.object({ id: z.string().regex(/^[A-Z]{2}$/, 'not an ISO-3166 alpha-2 code') }).optional(),
});

/** The NetSuite customer record this sync writes (PUT /customer/eid:{externalId}). */
export const customerSchema = z.object({
  externalId: z.string().regex(EXTERNAL_ID, 'only letters, digits, _ and - are allowed'),
  companyName: z
    .string()
    .min(1, 'must not be blank')
    .max(83, 'longer than the 83 characters NetSuite allows for a company name'),
  phone: z.string().nullable().optional(),
  url: z.string().refine(isWebUrl, 'not a valid URL').nullable().optional(),
  isInactive: z.boolean(),
  /** The whole address book: written with `replace=addressBook`, so no line is ever added twice. */
  addressBook: z.object({
    items: z
      .array(
        z.object({
          defaultBilling: z.literal(true),
          defaultShipping: z.literal(false),
          addressBookAddress: addressSchema,
        }),
      )
      .max(1),
  }),
  custentity_sf_account_id: z.string().refine(isSalesforceId, 'not a Salesforce id'),
  custentity_sf_system_modstamp: z.string().regex(ISO_INSTANT, 'not an ISO-8601 UTC instant'),
});

export type Customer = z.infer<typeof customerSchema>;
