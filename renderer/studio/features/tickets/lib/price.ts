/**
 * Prices as the host types them (major units: "4.99") and as the server takes them (minor units:
 * 499; yen have no minor unit), with the rules shown next to the form.
 */
import { formatAmount, isZeroDecimal, maximumAmount, minimumAmount } from '../../../../../server/signalling/protocol.ts';

/** "4.99" usd → 499; "500" jpy → 500; null when it is not a price in that currency's units. */
export function toMinorUnits(text: string, currency: string): number | null {
  const trimmed = text.trim();
  const zero = isZeroDecimal(currency);
  if (!(zero ? /^\d{1,9}$/ : /^\d{1,7}(\.\d{1,2})?$/).test(trimmed)) return null;
  if (zero) return Number(trimmed);
  const [whole, fraction = ''] = trimmed.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 499 usd → "4.99". */
export function toMajorUnits(amount: number, currency: string): string {
  return isZeroDecimal(currency) ? String(amount) : (amount / 100).toFixed(2);
}

/** "From 0.50 USD (Stripe's minimum) to 1000.00 USD." */
export function priceRange(currency: string): string {
  const min = minimumAmount(currency);
  const max = maximumAmount(currency);
  if (min === null || max === null) return '';
  return `From ${formatAmount({ currency, amount: min })} (Stripe’s minimum) to ${formatAmount({ currency, amount: max })}.`;
}

/** A `datetime-local` value as an ISO time (the studio's own zone), or null when empty. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}
