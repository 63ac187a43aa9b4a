import { isPlainObject } from './http';
import type { AddressLine, StampPrecision, StoredCustomer } from './netsuite-store';
import { formatRestDatetime } from './netsuite-store';

/**
 * Validation of customer bodies as NetSuite's REST record API applies it, reduced to the fields the
 * sync writes. Problems come back as `o:errorDetails` entries naming the offending field.
 */

export interface ErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
}

/** NetSuite's limit on companyName (and entityId). */
export const MAX_NAME_LENGTH = 83;
export const EXTERNAL_ID = /^[A-Za-z0-9_-]+$/;

const ADDRESS_TEXT_FIELDS = [
  'addr1',
  'addr2',
  'addr3',
  'addressee',
  'attention',
  'city',
  'state',
  'zip',
  'addrPhone',
];

type Check = (value: unknown, path: string) => ErrorDetail[];

const invalidContent = (path: string, detail: string): ErrorDetail[] => [
  { detail, 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': path },
];
const invalidValue = (path: string, detail: string): ErrorDetail[] => [
  { detail, 'o:errorCode': 'INVALID_FLD_VALUE', 'o:errorPath': path },
];

const text =
  (maxLength = 4000): Check =>
  (value, path) => {
    if (typeof value !== 'string')
      return invalidContent(path, `Invalid value type for field ${path}: expected a string.`);
    if (value.length > maxLength) {
      return invalidValue(
        path,
        `The field ${path} contained more than the maximum number ( ${maxLength} ) of characters allowed.`,
      );
    }
    return [];
  };

const boolean: Check = (value, path) =>
  typeof value === 'boolean'
    ? []
    : invalidContent(path, `Invalid value type for field ${path}: expected a boolean.`);

const reference: Check = (value, path) =>
  isPlainObject(value) && (typeof value.id === 'string' || typeof value.id === 'number')
    ? []
    : invalidContent(path, `Invalid reference for field ${path}: expected an object with an id.`);

const matching =
  (test: (value: string) => boolean, detail: string): Check =>
  (value, path) => {
    const typed = text()(value, path);
    if (typed.length > 0) return typed;
    return test(value as string) ? [] : invalidValue(path, detail);
  };

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function address(value: unknown, path: string): ErrorDetail[] {
  if (!isPlainObject(value))
    return invalidContent(path, `Invalid value type for field ${path}: expected an object.`);
  return Object.entries(value).flatMap(([key, field]) => {
    const fieldPath = `${path}.${key}`;
    if (field === null) return [];
    if (ADDRESS_TEXT_FIELDS.includes(key)) return text(150)(field, fieldPath);
    if (key === 'country') {
      return isPlainObject(field) && typeof field.id === 'string' && countryName(field.id) !== undefined
        ? []
        : invalidValue(fieldPath, `Invalid country reference: expected {"id": "<ISO 3166 alpha-2 code>"}.`);
    }
    return invalidContent(fieldPath, `Unknown field ${key} on address.`);
  });
}

function addressBook(value: unknown, path: string): ErrorDetail[] {
  if (!isPlainObject(value) || !Array.isArray(value.items)) {
    return invalidContent(path, 'Invalid value for addressBook: expected {"items": [...]}.');
  }
  return value.items.flatMap((item: unknown, i) => {
    const itemPath = `${path}.items[${i}]`;
    if (!isPlainObject(item))
      return invalidContent(itemPath, 'Invalid address book entry: expected an object.');
    return Object.entries(item).flatMap(([key, field]) => {
      const fieldPath = `${itemPath}.${key}`;
      if (field === null) return [];
      if (key === 'defaultBilling' || key === 'defaultShipping' || key === 'isResidential')
        return boolean(field, fieldPath);
      if (key === 'label') return text(100)(field, fieldPath);
      // The line's key: a line naming an existing line's id updates that line.
      if (key === 'id') {
        return (typeof field === 'number' && Number.isInteger(field) && field > 0) ||
          (typeof field === 'string' && /^[1-9]\d*$/.test(field))
          ? []
          : invalidContent(fieldPath, 'Invalid address book line id: expected a positive integer.');
      }
      if (key === 'addressBookAddress') return address(field, fieldPath);
      return invalidContent(fieldPath, `Unknown field ${key} on address book entry.`);
    });
  });
}

const FIELDS: Record<string, Check> = {
  externalId: matching((v) => EXTERNAL_ID.test(v), 'External ids may only contain letters, digits, _ and -.'),
  entityId: text(MAX_NAME_LENGTH),
  companyName: text(MAX_NAME_LENGTH),
  isPerson: boolean,
  email: matching((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), 'Please enter a valid email address.'),
  phone: matching(
    (v) => (v.match(/\d/g) ?? []).length >= 7,
    'Phone number should have seven digits or more.',
  ),
  url: matching(isHttpUrl, 'Please enter a valid URL, starting with http:// or https://.'),
  isInactive: boolean,
  subsidiary: reference,
  addressBook,
  comments: text(),
};

/** Body fields a GET can return, besides custom fields: what `fields=` may name. */
export const READABLE_FIELDS = [...Object.keys(FIELDS), 'id', 'dateCreated', 'lastModifiedDate'] as const;

/** The account's settings that validation depends on. */
export interface AccountRules {
  /** OneWorld: a new customer must name its subsidiary. */
  requireSubsidiary: boolean;
  /** Subsidiary internal id -> name; a reference to any other id is refused. */
  subsidiaries: Readonly<Record<string, string>>;
}

function missing(path: string, label: string): ErrorDetail {
  return { detail: `Please enter value(s) for: ${label}`, 'o:errorCode': 'USER_ERROR', 'o:errorPath': path };
}

/**
 * Validates a create (`companyName` required, and `subsidiary` in a OneWorld account) or an update
 * (omitted = unchanged, null = clear, but a required field cannot be cleared). Custom fields
 * `custentity_*` take any JSON value.
 */
export function validateCustomer(
  body: unknown,
  mode: 'create' | 'update',
  rules: AccountRules = { requireSubsidiary: false, subsidiaries: { '1': 'Parent Company' } },
): ErrorDetail[] {
  if (!isPlainObject(body))
    return [{ detail: 'The request body must be a JSON object.', 'o:errorCode': 'INVALID_CONTENT' }];
  let problems = Object.entries(body).flatMap(([key, value]) => {
    if (key.startsWith('custentity_')) return [];
    const check = FIELDS[key];
    if (!check)
      return invalidContent(key, `Invalid field name ${key}: it is not a field of the customer record.`);
    return value === null ? [] : check(value, key);
  });
  const subsidiary = body.subsidiary;
  if (isPlainObject(subsidiary) && problems.every((p) => p['o:errorPath'] !== 'subsidiary')) {
    const id = String(subsidiary.id);
    if (!(id in rules.subsidiaries))
      problems.push(...invalidValue('subsidiary', `Invalid subsidiary reference key ${id}.`));
  }
  const name = body.companyName;
  if ((mode === 'create' || 'companyName' in body) && (typeof name !== 'string' || name.trim() === '')) {
    problems = [
      ...problems.filter((p) => p['o:errorPath'] !== 'companyName'),
      missing('companyName', 'Company Name'),
    ];
  }
  if (
    rules.requireSubsidiary &&
    ((mode === 'create' && (subsidiary === undefined || subsidiary === null)) ||
      (mode === 'update' && 'subsidiary' in body && subsidiary === null))
  ) {
    problems.push(missing('subsidiary', 'Subsidiary'));
  }
  return problems;
}

/**
 * The customer record's sublists, as `replace=` may name them (case-insensitive). Only the address
 * book is stored by the sandbox; naming another is accepted and changes nothing.
 */
const CUSTOMER_SUBLISTS = [
  'addressBook',
  'contactRoles',
  'creditCards',
  'currency',
  'downloads',
  'groupPricing',
  'itemPricing',
  'partners',
  'salesTeam',
];

/** The sublists named by `replace=a,b`, canonically spelled; a string is the reason it was refused. */
export function parseReplace(query: URLSearchParams): Set<string> | string {
  const names = query
    .getAll('replace')
    .flatMap((v) => v.split(','))
    .map((n) => n.trim());
  const replace = new Set<string>();
  for (const name of names) {
    const sublist = CUSTOMER_SUBLISTS.find((s) => s.toLowerCase() === name.toLowerCase());
    if (!sublist)
      return `Invalid value for the replace parameter: ${name || '(empty)'} is not a sublist of the customer record.`;
    replace.add(sublist);
  }
  return replace;
}

/** The fields named by `fields=a,b`, canonically spelled; a string is the reason it was refused. */
export function parseFields(query: URLSearchParams): string[] | undefined | string {
  const raw = query.get('fields');
  if (raw === null) return undefined;
  const fields: string[] = [];
  for (const name of raw.split(',').map((n) => n.trim())) {
    if (/^custentity_[a-z0-9_]+$/i.test(name)) {
      fields.push(name.toLowerCase());
      continue;
    }
    const field = [...READABLE_FIELDS].find((f) => f.toLowerCase() === name.toLowerCase());
    if (!field)
      return `Invalid value for the fields parameter: ${name || '(empty)'} is not a field of the customer record.`;
    fields.push(field);
  }
  return fields;
}

// ISO codes Intl names that are not countries NetSuite knows.
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** The English name of an ISO 3166 alpha-2 country code; undefined when it is not one. */
export function countryName(code: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return undefined;
  const name = regionNames.of(code);
  return name === undefined || name === code || name === 'Unknown Region' ? undefined : name;
}

/** What the read-back renderers need to know about the account. */
export interface RenderContext {
  /** e.g. http://host/services/rest/record/v1 */
  recordBase: string;
  precision: StampPrecision;
  subsidiaries: Readonly<Record<string, string>>;
}

type Links = { rel: string; href: string }[];
const self = (href: string): Links => [{ rel: 'self', href }];

/**
 * A customer as GET returns it: the stored body fields, with defaults NetSuite fills in, references
 * as `{links, id, refName}`, system stamps, and the address book as a link unless `expand`.
 * `fields` limits the body fields (id and links always come back).
 */
export function renderCustomer(
  customer: StoredCustomer,
  ctx: RenderContext,
  opts: { expand: boolean; fields?: string[] },
): Record<string, unknown> {
  const url = `${ctx.recordBase}/customer/${customer.id}`;
  const all: Record<string, unknown> = {
    isInactive: false,
    isPerson: false,
    ...customer.body,
    dateCreated: formatRestDatetime(customer.createdMs, ctx.precision),
    lastModifiedDate: formatRestDatetime(customer.modifiedMs, ctx.precision),
    addressBook: renderAddressBook(customer, ctx, opts.expand),
  };
  if (isPlainObject(all.subsidiary)) {
    const id = String(all.subsidiary.id);
    all.subsidiary = {
      links: self(`${ctx.recordBase}/subsidiary/${id}`),
      id,
      refName: ctx.subsidiaries[id] ?? id,
    };
  }
  const wanted = opts.fields && new Set(opts.fields.map((f) => f.toLowerCase()));
  const out: Record<string, unknown> = { links: self(url), id: customer.id };
  for (const key of Object.keys(all).sort()) {
    if (wanted && !wanted.has(key.toLowerCase())) continue;
    out[key] = all[key];
  }
  return out;
}

/** The address book sublist: links only, or with its lines when expanded. */
export function renderAddressBook(
  customer: StoredCustomer,
  ctx: RenderContext,
  expand: boolean,
): Record<string, unknown> {
  const url = `${ctx.recordBase}/customer/${customer.id}/addressBook`;
  if (!expand) return { links: self(url) };
  return {
    links: self(url),
    items: (customer.addressBook ?? []).map((line) => renderAddressLine(customer, line, ctx, true)),
  };
}

/** One address book line with its defaults; its address subrecord expanded, or as a link. */
export function renderAddressLine(
  customer: StoredCustomer,
  line: AddressLine,
  ctx: RenderContext,
  expand: boolean,
): Record<string, unknown> {
  const url = `${ctx.recordBase}/customer/${customer.id}/addressBook/${line.id}`;
  const address = isPlainObject(line.fields.addressBookAddress) ? line.fields.addressBookAddress : {};
  const rendered: Record<string, unknown> = {
    links: self(url),
    id: line.id,
    defaultBilling: false,
    defaultShipping: false,
    isResidential: false,
    ...(typeof address.addr1 === 'string' ? { label: address.addr1 } : {}),
    ...line.fields,
  };
  rendered.addressBookAddress = expand
    ? renderAddress(customer, line, ctx)
    : { links: self(`${url}/addressBookAddress`) };
  return rendered;
}

/**
 * The address subrecord: its fields, the country as a reference with its name, and the formatted
 * address text NetSuite computes (unconfirmed layout: attention, addressee, street lines, city
 * state zip, country name).
 */
export function renderAddress(
  customer: StoredCustomer,
  line: AddressLine,
  ctx: RenderContext,
): Record<string, unknown> {
  const url = `${ctx.recordBase}/customer/${customer.id}/addressBook/${line.id}/addressBookAddress`;
  const address = isPlainObject(line.fields.addressBookAddress) ? { ...line.fields.addressBookAddress } : {};
  const code = isPlainObject(address.country) ? String(address.country.id) : undefined;
  const country = code === undefined ? undefined : { id: code, refName: countryName(code) ?? code };
  const text = (key: string) => (typeof address[key] === 'string' ? address[key] : '');
  const cityLine = [text('city'), text('state'), text('zip')].filter(Boolean).join(' ');
  const addrText = [
    text('attention'),
    text('addressee'),
    text('addr1'),
    text('addr2'),
    text('addr3'),
    cityLine,
    country?.refName ?? '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    links: self(url),
    ...address,
    ...(country ? { country } : {}),
    ...(addrText ? { addrText } : {}),
  };
}
