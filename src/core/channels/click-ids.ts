/**
 * Ad platforms' click ids, as they appear in landing-page URLs. Only their presence matters to
 * classification: the values are unique per click, so the classifier works on a bit mask of the
 * ids present and its cache never sees the values.
 */
export const clickIdNames = [
  'gclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'fbclid',
  'li_fat_id',
  'ttclid',
] as const;

export type ClickIdName = (typeof clickIdNames)[number];

/** Click id name → its value; an absent, empty or blank value means the id is not there. */
export type ClickIds = Readonly<Partial<Record<ClickIdName, string | null | undefined>>>;

export const clickIdBit: Readonly<Record<ClickIdName, number>> = {
  gclid: 1,
  gbraid: 2,
  wbraid: 4,
  msclkid: 8,
  fbclid: 16,
  li_fat_id: 32,
  ttclid: 64,
};

export const googleClickIds = clickIdBit.gclid | clickIdBit.gbraid | clickIdBit.wbraid;

/** The ids present, one bit each (`clickIdBit`); 0 for none or for anything that is not an object. */
export function clickIdMask(clickIds: ClickIds | null | undefined): number {
  if (clickIds === null || typeof clickIds !== 'object') return 0;
  let mask = 0;
  if (present(clickIds.gclid)) mask |= 1;
  if (present(clickIds.gbraid)) mask |= 2;
  if (present(clickIds.wbraid)) mask |= 4;
  if (present(clickIds.msclkid)) mask |= 8;
  if (present(clickIds.fbclid)) mask |= 16;
  if (present(clickIds.li_fat_id)) mask |= 32;
  if (present(clickIds.ttclid)) mask |= 64;
  return mask;
}

function present(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && value.trim() !== '';
}

/** The names of the ids in a mask, in `clickIdNames` order. */
export function clickIdNamesIn(mask: number): ClickIdName[] {
  return clickIdNames.filter((name) => (mask & clickIdBit[name]) !== 0);
}
