/**
 * The default channel groups, named and ordered as GA4 names them, plus AI Assistants. The order
 * here is for listing only; the order in which rules are tried is in `default-rules.ts`.
 */
export const defaultChannels = [
  'Direct',
  'Cross-network',
  'Paid Shopping',
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Display',
  'Paid Other',
  'Organic Shopping',
  'Organic Social',
  'Organic Video',
  'Organic Search',
  'Referral',
  'Email',
  'Affiliates',
  'Audio',
  'SMS',
  'Mobile Push Notifications',
  'AI Assistants',
  'Unassigned',
] as const;

export type DefaultChannel = (typeof defaultChannels)[number];

const known: ReadonlySet<string> = new Set(defaultChannels);

export function isDefaultChannel(name: string): name is DefaultChannel {
  return known.has(name);
}
