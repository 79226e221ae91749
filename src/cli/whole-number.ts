import { ClosedloopError } from '../core/errors.js';

/** A flag's whole number within [min, max], or one readable usage error naming the flag. */
export function wholeNumber(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number {
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
      `${flag}: expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got "${text ?? ''}"`,
    );
  }
  return value;
}
