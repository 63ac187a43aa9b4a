/**
 * One vendor's performance figures for one account and period: the canonical record every vendor
 * format is mapped to. Amounts and returns are decimal strings (never binary floats), returns as
 * fractions (0.0123 is 1.23 %).
 */
export interface PerformanceRecord {
  vendor: string;
  accountId: string;
  /** ISO dates, YYYY-MM-DD. */
  periodStart: string;
  periodEnd: string;
  /** ISO 4217 code, upper case. */
  currency: string;
  /**
   * The period cut at each external cash flow. A flow happens at the start of its sub-period:
   * the sub-period's return is end / (begin + flow) - 1.
   */
  subPeriods: SubPeriod[];
  /** The return the vendor reported for the period, as a fraction. */
  reportedReturn: string;
}

export interface SubPeriod {
  begin: string;
  end: string;
  flow: string;
}

/** What the engine knows a performance record by: one per vendor, account and period. */
export function recordKey(
  record: Pick<PerformanceRecord, 'vendor' | 'accountId' | 'periodStart' | 'periodEnd'>,
): string {
  return `${record.vendor}/${record.accountId}/${record.periodStart}/${record.periodEnd}`;
}
