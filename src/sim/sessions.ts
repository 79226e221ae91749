import { Random } from './random.js';
import type { PlannedVisit } from './visits.js';
import type { World } from './world.js';

/** A visit as the web would show it: what the tracker and the collector will see. */
export interface SimSession {
  readonly id: string;
  readonly visitor: number;
  readonly anonymousId: string;
  readonly startedAt: number;
  /** The channel group the simulator meant; classification of the fields below must agree. */
  readonly channel: string;
  readonly source: string | undefined;
  readonly medium: string | undefined;
  readonly campaign: string | undefined;
  readonly referrer: string | undefined;
  readonly landingUrl: string;
  readonly clickIds: Readonly<Record<string, string>>;
  /** Pages viewed, the landing page first, with their times. */
  readonly pages: readonly { readonly path: string; readonly at: number }[];
  readonly afterLead: boolean;
}

const landingPaths = [
  '/',
  '/pricing',
  '/product',
  '/blog/attribution-models',
  '/blog/pipeline-forecasting',
  '/customers',
  '/integrations/hubspot',
  '/demo',
];
const browsingPaths = [
  '/pricing',
  '/product',
  '/customers',
  '/security',
  '/docs',
  '/about',
  '/blog',
];

/** Device ids of a visitor: stable per device, different across devices. */
export function anonymousIdOf(world: World, visitor: number, device: number): string {
  return `a-${Random.stream(world.seed, visitor, 0xa11d + device).hex(12)}`;
}

export function sessionsOf(
  world: World,
  visitor: number,
  visits: readonly PlannedVisit[],
  afterLead: boolean,
  firstNumber: number,
): SimSession[] {
  const random = Random.stream(world.seed, visitor, afterLead ? 0x5e55 : 0x5e54);
  return visits.map((visit, k) => {
    const channel = world.channels[visit.channel];
    if (channel === undefined) throw new RangeError(`no channel ${visit.channel}`);
    const { utm, referrers, clickId } = channel.arrival;
    const landing = random.pick(landingPaths);
    const params = new URLSearchParams();
    const campaign = utm === undefined ? undefined : random.pick(utm.campaigns);
    if (utm !== undefined) {
      params.set('utm_source', utm.source);
      params.set('utm_medium', utm.medium);
      params.set('utm_campaign', campaign as string);
    }
    const clickIds: Record<string, string> = {};
    if (clickId !== undefined && random.chance(clickId.share)) {
      clickIds[clickId.param] = random.hex(10);
      params.set(clickId.param, clickIds[clickId.param] as string);
    }
    const query = params.toString();
    const pages = [{ path: landing, at: visit.at }];
    const extra = random.int(0, 3);
    for (let p = 1; p <= extra; p++) {
      pages.push({
        path: random.pick(browsingPaths),
        at: visit.at + p * random.int(20, 300) * 1000,
      });
    }
    return {
      id: `s-${visitor}-${firstNumber + k}`,
      visitor,
      anonymousId: anonymousIdOf(world, visitor, visit.device),
      startedAt: visit.at,
      channel: channel.name,
      source: utm?.source,
      medium: utm?.medium,
      campaign,
      referrer: referrers === undefined ? undefined : random.pick(referrers),
      landingUrl: `${world.site}${landing}${query === '' ? '' : `?${query}`}`,
      clickIds,
      pages,
      afterLead,
    };
  });
}
