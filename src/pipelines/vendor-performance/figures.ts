import Decimal from 'decimal.js';
import type { FieldChoices, FieldDifference } from '../../domain/sync';
import type { PerformanceRecord, SubPeriod } from './record';
import { storedReturn, timeWeightedReturn } from './returns';

/**
 * The figures a performance record is stored with, as reconciliation compares them and a person
 * chooses between them in a conflict: the record's own, the computed return, and the amounts the
 * table derives from the sub-periods (a hand edit may change one of those alone).
 */
export const COMPARED_FIELDS = [
  'currency',
  'subPeriods',
  'reportedReturn',
  'computedReturn',
  'beginValue',
  'endValue',
  'netFlows',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** Decimals as text, never binary floats. */
export interface StoredFigures {
  currency: string;
  subPeriods: SubPeriod[];
  reportedReturn: string;
  computedReturn: string;
  beginValue: string;
  endValue: string;
  netFlows: string;
}

/** Computed from the sub-periods: they follow the sub-periods unless a person keeps the table's. */
const DERIVED = ['computedReturn', 'beginValue', 'endValue', 'netFlows'] as const;
type Derived = Pick<StoredFigures, (typeof DERIVED)[number]>;

const Exact = Decimal.clone({ precision: 40 });

/** As the store computes them: the return with the sync's rounding, the amounts exactly. */
function derivedFrom(subPeriods: SubPeriod[]): Derived {
  return {
    computedReturn: storedReturn(timeWeightedReturn(subPeriods)),
    beginValue: subPeriods[0]?.begin ?? '0',
    endValue: subPeriods.at(-1)?.end ?? '0',
    netFlows: subPeriods.reduce((sum, { flow }) => sum.plus(flow), new Exact(0)).toFixed(),
  };
}

/** What the record's figures are stored as. Throws a RangeError when its sub-periods have no return. */
export function figuresOfRecord(record: PerformanceRecord): StoredFigures {
  const { currency, subPeriods, reportedReturn } = record;
  return { currency, subPeriods, reportedReturn, ...derivedFrom(subPeriods) };
}

/** What record-sync wrote, from an audit row's `after`; null when it is not one (or unreadable). */
export function writtenFigures(after: unknown): StoredFigures | null {
  if (typeof after !== 'object' || after === null) return null;
  const written = after as Partial<StoredFigures>;
  const { currency, subPeriods, reportedReturn, computedReturn } = written;
  if (
    typeof currency !== 'string' ||
    !Array.isArray(subPeriods) ||
    subPeriods.length === 0 ||
    typeof reportedReturn !== 'string' ||
    typeof computedReturn !== 'string'
  ) {
    return null;
  }
  // The amounts are written down only where a person kept the table's; else they follow the sub-periods.
  const first = subPeriods[0];
  const last = subPeriods[subPeriods.length - 1];
  return {
    currency,
    subPeriods,
    reportedReturn,
    computedReturn,
    beginValue: written.beginValue ?? first.begin,
    endValue: written.endValue ?? last.end,
    netFlows:
      written.netFlows ?? subPeriods.reduce((sum, { flow }) => sum.plus(flow), new Exact(0)).toFixed(),
  };
}

/** The table's columns holding the figures, as a query selects them. */
export const FIGURE_COLUMNS =
  'currency, sub_periods, begin_value, end_value, net_flows, reported_return, computed_return';

/** Those columns as they come back: numeric as text, jsonb parsed. */
export interface FigureColumns {
  currency: string;
  sub_periods: SubPeriod[];
  begin_value: string;
  end_value: string;
  net_flows: string;
  reported_return: string;
  computed_return: string;
}

export function storedFigures(row: FigureColumns): StoredFigures {
  return {
    currency: row.currency,
    subPeriods: row.sub_periods,
    reportedReturn: row.reported_return,
    computedReturn: row.computed_return,
    beginValue: row.begin_value,
    endValue: row.end_value,
    netFlows: row.net_flows,
  };
}

const isNumeric = (value: unknown) => typeof value === 'string' || typeof value === 'number';

/**
 * Equal as numbers (1.50 is 1.5), exactly: a hand edit may store a sub-period's amount as a JSON
 * number. Anything that is no number only equals itself.
 */
function sameDecimal(a: unknown, b: unknown): boolean {
  if (!isNumeric(a) || !isNumeric(b)) return a === b;
  try {
    return new Exact(a as Decimal.Value).eq(b as Decimal.Value);
  } catch {
    return a === b;
  }
}

function sameSubPeriods(a: SubPeriod[], b: SubPeriod[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (p, i) =>
        sameDecimal(p.begin, b[i].begin) && sameDecimal(p.end, b[i].end) && sameDecimal(p.flow, b[i].flow),
    )
  );
}

function same(field: ComparedField, a: StoredFigures, b: StoredFigures): boolean {
  if (field === 'currency') return a.currency === b.currency;
  if (field === 'subPeriods') return sameSubPeriods(a.subPeriods, b.subPeriods);
  return sameDecimal(a[field], b[field]);
}

export const sameFigures = (a: StoredFigures, b: StoredFigures): boolean =>
  COMPARED_FIELDS.every((field) => same(field, a, b));

/**
 * The fields the table holds otherwise than the file says. A field the table holds as
 * record-sync last wrote it is no difference even where the file differs: a person chose the
 * table's value in a conflict, or replayed the row with an edit (the audit log says which).
 */
export function differingFields(
  source: StoredFigures,
  destination: StoredFigures,
  lastSynced: StoredFigures | null,
): FieldDifference[] {
  return COMPARED_FIELDS.filter(
    (field) => !same(field, source, destination) && !(lastSynced && same(field, destination, lastSynced)),
  ).map((field) => ({
    field,
    source: source[field],
    destination: destination[field],
    lastSynced: lastSynced?.[field] ?? null,
  }));
}

/** Choices that name no compared field, or choose neither side. */
export function unknownChoices(choices: FieldChoices): string[] {
  return Object.entries(choices)
    .filter(
      ([field, side]) =>
        !(COMPARED_FIELDS as readonly string[]).includes(field) || !['source', 'destination'].includes(side),
    )
    .map(([field]) => field);
}

/**
 * A person's decision applied: each field chosen 'destination' keeps the table's value, every
 * other takes the file's; the derived ones not kept are computed again from the chosen
 * sub-periods. Throws a RangeError when the table's sub-periods are chosen and have no return.
 */
export function chosenFigures(
  source: StoredFigures,
  destination: StoredFigures,
  choices: FieldChoices,
): StoredFigures {
  const kept = (field: ComparedField) => choices[field] === 'destination';
  const subPeriods = kept('subPeriods') ? destination.subPeriods : source.subPeriods;
  const derived = kept('subPeriods') ? derivedFrom(subPeriods) : source;
  const chosen: StoredFigures = {
    currency: kept('currency') ? destination.currency : source.currency,
    subPeriods,
    reportedReturn: kept('reportedReturn') ? destination.reportedReturn : source.reportedReturn,
    computedReturn: derived.computedReturn,
    beginValue: derived.beginValue,
    endValue: derived.endValue,
    netFlows: derived.netFlows,
  };
  for (const field of DERIVED) if (kept(field)) chosen[field] = destination[field];
  return chosen;
}
