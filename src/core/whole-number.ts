import { ClosedloopError } from './errors.js';

/**
 * A whole number from a flag or query parameter within [min, max] (`fallback` when absent and
 * one is given), or one readable usage error naming it.
 */
export function wholeNumber(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback?: number,
): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (
    text === undefined ||
    text.trim() === '' ||
    !Number.isSafeInteger(value) ||
    value < min ||
    value > max
  ) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `${name}: expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got "${text ?? ''}"`,
    );
  }
  return value;
}
