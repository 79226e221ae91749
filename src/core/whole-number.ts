import { ClosedloopError } from './errors.js';

/**
 * A whole number from a flag or query parameter within [min, max] (`fallback` when absent and
 * one is given), or one readable usage error naming it.
 */
export function wholeNumber(
  name: string,
  text: unknown,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (text === undefined && fallback !== undefined) return fallback;
  // Digits only: Number() would also read 0x10 and 1e3; an array is a repeated parameter.
  const value = typeof text === 'string' && /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `${name}: expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${typeof text === 'string' ? `"${text}"` : (JSON.stringify(text) ?? '""')}`,
    );
  }
  return value;
}
