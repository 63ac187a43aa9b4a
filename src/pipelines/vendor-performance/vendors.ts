import { z } from 'zod';
import { isCurrencyCode } from './normalise';

const FILE_FORMATS = ['csv', 'xlsx', 'json'] as const;
const DATE_FORMATS = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'] as const;
const RETURN_UNITS = ['percent', 'fraction'] as const;

export type DateFormat = (typeof DATE_FORMATS)[number];

/** A column header as it appears in the vendor's file (JSON: the dotted path, e.g. `account.id`). */
const column = z.string().trim().min(1, 'must be a column name');

const subPeriodColumns = z.strictObject({ begin: column, end: column, flow: column });

const columnsSchema = z.strictObject({
  accountId: column,
  periodStart: column,
  periodEnd: column,
  currency: column.optional(),
  reportedReturn: column,
  subPeriods: z.array(subPeriodColumns).min(1, 'must list at least one sub-period'),
});

const mappingSchema = z
  .strictObject({
    // Part of every record key (vendor/account/period), hence no '/'.
    vendor: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-", such as vendor-a'),
    files: z.string().superRefine((pattern, context) => {
      try {
        new RegExp(pattern);
      } catch (error) {
        context.addIssue({
          code: 'custom',
          message: `must be a regular expression (${(error as Error).message})`,
        });
      }
    }),
    format: z.enum(FILE_FORMATS, { error: `must be one of ${FILE_FORMATS.join(', ')}` }),
    columns: columnsSchema,
    defaultCurrency: z
      .string()
      .refine(isCurrencyCode, 'must be an ISO 4217 currency code such as USD')
      .optional(),
    dateFormat: z.enum(DATE_FORMATS, { error: `must be one of ${DATE_FORMATS.join(', ')}` }),
    returnUnit: z.enum(RETURN_UNITS, { error: `must be one of ${RETURN_UNITS.join(', ')}` }),
    decimalSeparator: z.enum(['.', ','], { error: 'must be "." or ","' }).default('.'),
  })
  .superRefine((mapping, context) => {
    if (mapping.columns.currency === undefined && mapping.defaultCurrency === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['columns', 'currency'],
        message: 'required unless defaultCurrency is set',
      });
    }
    // One column read as two fields is almost always a copy-paste slip in the configuration.
    const seen = new Map<string, string>();
    for (const [path, name] of columnEntries(mapping.columns)) {
      const first = seen.get(name);
      if (first === undefined) seen.set(name, path.join('.'));
      else {
        context.addIssue({
          code: 'custom',
          path: ['columns', ...path],
          message: `"${name}" is already the column for ${first}`,
        });
      }
    }
  });

const fileSchema = z
  .strictObject({ vendors: z.array(mappingSchema).min(1, 'must list at least one vendor') })
  .superRefine((file, context) => {
    file.vendors.forEach((mapping, index) => {
      const first = file.vendors.findIndex((other) => other.vendor === mapping.vendor);
      if (first !== index) {
        context.addIssue({
          code: 'custom',
          path: ['vendors', index, 'vendor'],
          message: `"${mapping.vendor}" is already used by vendors[${first}]`,
        });
      }
    });
  });

/** How one vendor's files are recognised and read into performance records. */
export type VendorMapping = z.output<typeof mappingSchema>;
type Columns = VendorMapping['columns'];

function columnEntries(columns: Columns): [(string | number)[], string][] {
  const entries: [(string | number)[], string][] = [
    [['accountId'], columns.accountId],
    [['periodStart'], columns.periodStart],
    [['periodEnd'], columns.periodEnd],
    [['reportedReturn'], columns.reportedReturn],
  ];
  if (columns.currency !== undefined) entries.push([['currency'], columns.currency]);
  columns.subPeriods.forEach((group, index) => {
    for (const field of ['begin', 'end', 'flow'] as const) {
      entries.push([['subPeriods', index, field], group[field]]);
    }
  });
  return entries;
}

export class VendorMappingError extends Error {
  override readonly name = 'VendorMappingError';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `vendors[1] (vendor-b).columns.subPeriods[0].flow`: the vendor id helps find the entry by eye. */
function describePath(input: unknown, path: readonly PropertyKey[]): string {
  let text = '';
  path.forEach((key, index) => {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
    if (index === 1 && path[0] === 'vendors') {
      const vendor = valueAt(input, [...path.slice(0, 2), 'vendor']);
      if (typeof vendor === 'string' && vendor !== '') text += ` (${vendor})`;
    }
  });
  return text;
}

const EXPECTED: Record<string, string> = { object: 'an object', array: 'a list', string: 'text' };

/** One line per problem, each starting with where it is: `vendors[0] (vendor-a).format: ...`. */
function describeIssue(input: unknown, issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${describePath(input, [...issue.path, key])}: unknown field`);
  }
  if (issue.path.length === 0) {
    return [issue.code === 'invalid_type' ? 'must be an object with a "vendors" list' : issue.message];
  }
  const where = describePath(input, issue.path);
  const missing = valueAt(input, issue.path) === undefined;
  if (missing && (issue.code === 'invalid_type' || issue.code === 'invalid_value'))
    return [`${where}: required`];
  if (issue.code === 'invalid_type')
    return [`${where}: must be ${EXPECTED[issue.expected] ?? issue.expected}`];
  return [`${where}: ${issue.message}`];
}

/**
 * Checks the vendor mappings file. Throws a VendorMappingError with one line per problem, each
 * naming the file, the vendor and the field, e.g.
 * `config/vendor-mappings.json: vendors[1] (vendor-b).columns.periodEnd: required`.
 */
export function parseVendorMappings(json: unknown, source: string): VendorMapping[] {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((issue) => describeIssue(json, issue));
    throw new VendorMappingError(lines.map((line) => `${source}: ${line}`).join('\n'));
  }
  return parsed.data.vendors;
}

/** The base name of a file key: `incoming/vendor-a-2026-10.csv` → `vendor-a-2026-10.csv`. */
function baseName(fileKey: string): string {
  return fileKey.slice(fileKey.lastIndexOf('/') + 1);
}

/**
 * The mapping whose `files` pattern matches the whole base name of the file, or null when no
 * vendor claims it. When several match, the first listed wins, so a narrow pattern can be listed
 * before a broad one.
 */
export function vendorFor(mappings: readonly VendorMapping[], fileKey: string): VendorMapping | null {
  const name = baseName(fileKey);
  return mappings.find((mapping) => new RegExp(`^(?:${mapping.files})$`).test(name)) ?? null;
}

/**
 * The columns a vendor's file must have, or it is quarantined whole. Only the first sub-period
 * group is required: a JSON file whose accounts all have two valuations has no `valuations.2.*`
 * at all, and a missing later group reads the same as a blank one.
 */
export function requiredColumns(mapping: VendorMapping): string[] {
  const { columns } = mapping;
  const [first] = columns.subPeriods;
  return [
    columns.accountId,
    columns.periodStart,
    columns.periodEnd,
    ...(columns.currency !== undefined && mapping.defaultCurrency === undefined ? [columns.currency] : []),
    columns.reportedReturn,
    first.begin,
    first.end,
    first.flow,
  ];
}
