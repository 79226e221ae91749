/** Longest address SMTP carries (RFC 5321: a 256-octet path less its angle brackets). */
const maxEmailLength = 254;

// One @, no spaces or list punctuation, a domain of dot-separated labels. No two parts can read
// the same character, so a near miss is rejected in one pass: no backtracking, whatever its length.
const emailPattern = /^[^\s@;,<>()]+@(?:[^\s@;,<>().]+\.)+[^\s@;,<>().]+$/;

/** Whether text (already trimmed) has the shape of an email address. */
export function looksLikeEmail(text: string): boolean {
  return text.length <= maxEmailLength && emailPattern.test(text);
}
