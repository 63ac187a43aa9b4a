import Decimal from 'decimal.js';
import type { PerformanceRecord, SubPeriod } from './record';

/**
 * Twice the digits any vendor reports, so that linking a dozen sub-periods leaves the result
 * exact to far below a hundredth of a basis point. A clone, so the library's global settings stay
 * untouched for other modules.
 */
const Exact = Decimal.clone({ precision: 40 });

const BASIS_POINTS_PER_UNIT = new Exact(10_000);

/**
 * The time-weighted return of a period: each sub-period's growth end / (begin + flow), linked
 * geometrically, minus one. Flows do not move it, only how the money grew between them.
 */
export function timeWeightedReturn(subPeriods: readonly SubPeriod[]): Decimal {
  if (subPeriods.length === 0) throw new RangeError('a time-weighted return needs at least one sub-period');
  let growth = new Exact(1);
  subPeriods.forEach(({ begin, end, flow }, index) => {
    const invested = new Exact(begin).plus(flow);
    if (invested.lte(0)) {
      throw new RangeError(
        `sub-period ${index + 1}: begin + flow is ${invested.toFixed()}, the return is undefined`,
      );
    }
    growth = growth.times(new Exact(end).div(invested));
  });
  return growth.minus(1);
}

/** A computed return as it is stored and compared: 12 places, half up. */
export function storedReturn(computed: Decimal): string {
  return computed.toDecimalPlaces(12, Decimal.ROUND_HALF_UP).toFixed();
}

export interface ToleranceCheck {
  passed: boolean;
  /** Fractions, as decimal strings: the computed one to 12 places, the reported one as reported. */
  computed: string;
  reported: string;
  /** |computed − reported| in basis points, rounded up to 2 places. */
  differenceBps: string;
}

/**
 * Compares the time-weighted return computed from the record's values with the one the vendor
 * reported. The comparison uses the exact difference; the displayed one is rounded up, so a
 * failed check never shows a difference that looks within tolerance.
 */
export function checkTolerance(record: PerformanceRecord, toleranceBps: number): ToleranceCheck {
  if (!Number.isFinite(toleranceBps) || toleranceBps < 0) {
    throw new RangeError(`the tolerance must be a number of basis points, at least 0 (got ${toleranceBps})`);
  }
  const computed = timeWeightedReturn(record.subPeriods);
  const reported = new Exact(record.reportedReturn);
  const difference = computed.minus(reported).abs().times(BASIS_POINTS_PER_UNIT);
  return {
    passed: difference.lte(new Exact(String(toleranceBps))),
    computed: storedReturn(computed),
    reported: reported.toFixed(),
    differenceBps: difference.toFixed(2, Decimal.ROUND_UP),
  };
}

/** A fraction as a percentage for messages: 0.051234 → "5.1234 %". */
export function formatPercent(fraction: Decimal.Value): string {
  const text = new Exact(fraction).times(100).toFixed(4, Decimal.ROUND_HALF_UP);
  // A tiny negative rounds to "-0.0000", which reads as a loss that is not there.
  return `${/^-0\.0+$/.test(text) ? text.slice(1) : text} %`;
}
