import { createHash, randomBytes } from 'node:crypto';

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 4 × 62: bytes at or above it are drawn again, so every character is equally likely. */
const unbiasedLimit = 248;

/** `length` characters of base62 from the system's cryptographic random source. */
export function randomBase62(length: number): string {
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte >= unbiasedLimit) continue;
      text += base62[byte % 62];
      if (text.length === length) break;
    }
  }
  return text;
}

/** Ids are opaque and unguessable (95 bits), prefixed so a reader can tell what they name. */
export const newWorkspaceId = (): string => `ws_${randomBase62(16)}`;
export const newPersonId = (): string => `p_${randomBase62(16)}`;

/** Public, placed in the page's snippet: collects only. 24 base62 characters ≈ 143 bits. */
export const newWriteKey = (): string => `wk_${randomBase62(24)}`;
/** Reads and administers; shown once. 40 base62 characters ≈ 238 bits. */
export const newSecretKey = (): string => `sk_${randomBase62(40)}`;

/**
 * SHA-256 hex. Enough for secret keys: they carry 238 random bits, so unlike passwords they need
 * no slow, salted hash to resist guessing.
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
