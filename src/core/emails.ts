/** Longest address SMTP carries (RFC 5321: a 256-octet path less its angle brackets). */
const maxEmailLength = 254;

// One @, no spaces or list punctuation, a domain of dot-separated labels. No two parts can read
// the same character, so a near miss is rejected in one pass: no backtracking, whatever its length.
const emailPattern = /^[^\s@;,<>()]+@(?:[^\s@;,<>().]+\.)+[^\s@;,<>().]+$/;

/** Whether text (already trimmed) has the shape of an email address. */
export function looksLikeEmail(text: string): boolean {
  return text.length <= maxEmailLength && emailPattern.test(text);
}

// Zero-width space, non-joiner and joiner, word joiner, byte-order mark: pasted in with an address,
// unseen, they would make another address of it.
const invisible = /[\u200B-\u200D\u2060\uFEFF]/g;
const mailtoScheme = /^mailto:/i;

/**
 * An email address as it is stored, looked up and hashed for ad platforms: one form however it
 * was typed or pasted (composed accents, no invisible characters or `mailto:`), trimmed and
 * lower-cased.
 */
export function normaliseEmail(email: string): string {
  // Composed last: removing a character or lower-casing can leave an accent to compose anew.
  return email
    .replace(invisible, '')
    .trim()
    .replace(mailtoScheme, '')
    .trim()
    .toLowerCase()
    .normalize('NFC');
}
