import { isPlainObject } from './http';

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
      return isPlainObject(field) && typeof field.id === 'string' && /^[A-Z]{2}$/.test(field.id)
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
      if (key === 'defaultBilling' || key === 'defaultShipping') return boolean(field, fieldPath);
      if (key === 'label') return text(100)(field, fieldPath);
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

/**
 * Validates a create (`companyName` required) or an update (omitted = unchanged, null = clear).
 * Custom fields `custentity_*` take any JSON value.
 */
export function validateCustomer(body: unknown, mode: 'create' | 'update'): ErrorDetail[] {
  if (!isPlainObject(body))
    return [{ detail: 'The request body must be a JSON object.', 'o:errorCode': 'INVALID_CONTENT' }];
  const problems = Object.entries(body).flatMap(([key, value]) => {
    if (key.startsWith('custentity_')) return [];
    const check = FIELDS[key];
    if (!check)
      return invalidContent(key, `Invalid field name ${key}: it is not a field of the customer record.`);
    return value === null ? [] : check(value, key);
  });
  const name = body.companyName;
  if ((mode === 'create' || 'companyName' in body) && (typeof name !== 'string' || name.trim() === '')) {
    const missing = {
      detail: 'Please enter value(s) for: Company Name',
      'o:errorCode': 'USER_ERROR',
      'o:errorPath': 'companyName',
    };
    return [...problems.filter((p) => p['o:errorPath'] !== 'companyName'), missing];
  }
  return problems;
}
