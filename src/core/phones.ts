import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A phone number in E.164 (`+14155550100`), however it was written, or undefined when it is not
 * a valid number. A national number (`(415) 555-0100`) needs its country, ISO 3166-1 alpha-2.
 */
export function e164(text: string, country?: string): string | undefined {
  const region = country?.trim().toUpperCase();
  if (region !== undefined && !isSupportedCountry(region)) return undefined;
  const number = parsePhoneNumberFromString(text, region);
  return number?.isValid() ? number.number : undefined;
}

/** Whether `country` is a country code phone numbers can be read in (`US`, `gb`). */
export function isPhoneCountry(country: string): boolean {
  return isSupportedCountry(country.trim().toUpperCase());
}

/** The user id a phone number is known by in the identity graph. */
export function phoneUserId(e164Number: string): string {
  return `tel:${e164Number}`;
}
