import Type, { type Static } from 'typebox';

/**
 * The events the collector accepts: Segment's HTTP tracking API spec (page, track, identify,
 * alias), which the browser tracker also speaks. Unknown fields are allowed and kept, as Segment
 * does; the fields Closedloop reads are checked.
 */
const text = (maxLength: number) => Type.String({ maxLength });
const time = Type.Union([Type.String({ maxLength: 64 }), Type.Number()]);
/**
 * A field that may be absent or null: Segment's Python and Ruby libraries send every optional
 * field, null when unset (`"name": null` in a page call).
 */
const optional = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));
const record = Type.Record(Type.String(), Type.Unknown());
// Segment takes events of up to 32 KB: an ad click's long URL is still a page view, click id and all.
const maxUrlLength = 32 * 1024;

const campaign = Type.Object({
  name: optional(text(500)),
  source: optional(text(500)),
  medium: optional(text(500)),
  term: optional(text(500)),
  content: optional(text(500)),
});

const page = Type.Object({
  url: optional(text(maxUrlLength)),
  path: optional(text(4096)),
  referrer: optional(text(maxUrlLength)),
  title: optional(text(2048)),
  search: optional(text(maxUrlLength)),
});

const context = Type.Object({
  campaign: optional(campaign),
  page: optional(page),
  referrer: optional(Type.Object({ url: optional(text(maxUrlLength)), type: optional(text(200)) })),
  userAgent: optional(text(2048)),
  ip: optional(text(64)),
  traits: optional(record),
});

const common = {
  messageId: optional(Type.String({ minLength: 1, maxLength: 200 })),
  anonymousId: optional(Type.String({ maxLength: 200 })),
  userId: optional(Type.String({ maxLength: 200 })),
  timestamp: optional(time),
  originalTimestamp: optional(time),
  sentAt: optional(time),
  context: optional(context),
};

export const pageEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Union([Type.Literal('page'), Type.Literal('screen')])),
  name: optional(text(2048)),
  properties: optional(record),
});

export const trackEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Literal('track')),
  event: Type.String({ minLength: 1, maxLength: 200 }),
  properties: optional(record),
});

export const identifyEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Literal('identify')),
  traits: optional(record),
});

export const aliasEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Literal('alias')),
  previousId: Type.String({ minLength: 1, maxLength: 200 }),
  userId: Type.String({ minLength: 1, maxLength: 200 }),
});

export type PageEvent = Static<typeof pageEvent>;
export type TrackEvent = Static<typeof trackEvent>;
export type IdentifyEvent = Static<typeof identifyEvent>;
export type AliasEvent = Static<typeof aliasEvent>;

export const eventSchemas = {
  page: pageEvent,
  screen: pageEvent,
  track: trackEvent,
  identify: identifyEvent,
  alias: aliasEvent,
} as const;
