import Type, { type Static } from 'typebox';

/**
 * The events the collector accepts: Segment's HTTP tracking API spec (page, track, identify,
 * alias), which the browser tracker also speaks. Unknown fields are allowed and kept, as Segment
 * does; the fields Closedloop reads are checked.
 */
const text = (maxLength: number) => Type.String({ maxLength });
const time = Type.Union([Type.String({ maxLength: 64 }), Type.Number()]);

const campaign = Type.Object({
  name: Type.Optional(text(500)),
  source: Type.Optional(text(500)),
  medium: Type.Optional(text(500)),
  term: Type.Optional(text(500)),
  content: Type.Optional(text(500)),
});

const page = Type.Object({
  url: Type.Optional(text(8192)),
  path: Type.Optional(text(4096)),
  referrer: Type.Optional(text(8192)),
  title: Type.Optional(text(2048)),
  search: Type.Optional(text(8192)),
});

const context = Type.Object({
  campaign: Type.Optional(campaign),
  page: Type.Optional(page),
  referrer: Type.Optional(
    Type.Object({ url: Type.Optional(text(8192)), type: Type.Optional(text(200)) }),
  ),
  userAgent: Type.Optional(text(2048)),
  ip: Type.Optional(text(64)),
  traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

const common = {
  messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  anonymousId: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  userId: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  timestamp: Type.Optional(time),
  originalTimestamp: Type.Optional(time),
  sentAt: Type.Optional(time),
  context: Type.Optional(context),
};

export const pageEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Union([Type.Literal('page'), Type.Literal('screen')])),
  name: Type.Optional(text(2048)),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const trackEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Literal('track')),
  event: Type.String({ minLength: 1, maxLength: 200 }),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const identifyEvent = Type.Object({
  ...common,
  type: Type.Optional(Type.Literal('identify')),
  traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
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
