import { type JourneyBatch, JourneyBatchBuilder } from '../core/journey-batch.js';
import type { ConversionRecord, EventStore, SessionRecord, StateStore } from './ports.js';

/** The channel of a conversion or deal nobody's visits can be tied to: reported, never dropped. */
export const unattributedChannel = 'Unattributed';

/** Visitor ids the tracker makes up for one page while consent is pending. */
export const cookielessPrefix = 'p:';

export interface JourneyReadOptions {
  /** Journeys per chunk (default 65,536). */
  readonly chunkSize?: number;
}

/**
 * A workspace's journeys as the core's batch, in chunks. A journey is a person's sessions — of
 * every visitor merged into them, in time order — up to and including their first conversion
 * (the lead), or an anonymous visitor's sessions, which convert only if the visitor did. Sessions
 * flagged as bots, and the tracker's cookieless page counts, are left out. A conversion with no
 * session before it (a lead that came in through a call, or a server-side event) is credited to
 * `Unattributed`, like a deal with no known visit: counted, never dropped. Anonymous visitors
 * stream straight through; identified people, whose visitors are scattered through the stream,
 * are gathered and sent at the end, then those who converted with no session at all.
 */
export async function* readJourneys(
  events: EventStore,
  state: StateStore,
  workspaceId: string,
  options: JourneyReadOptions = {},
): AsyncGenerator<JourneyBatch> {
  const chunkSize = options.chunkSize ?? 65_536;
  const personOf = await state.personsByVisitor(workspaceId);
  const firstConversion = new Map<string, ConversionRecord>();
  for (const conversion of await events.conversions(workspaceId)) {
    const owner = personOf.get(conversion.visitorId) ?? conversion.visitorId;
    const known = firstConversion.get(owner);
    if (known === undefined || conversion.at < known.at) firstConversion.set(owner, conversion);
  }
  let builder = new JourneyBatchBuilder({ withTimes: true, withAttributes: true });
  const dictionaries = builder.dictionaries;
  const people = new Map<string, SessionRecord[]>();
  const journeyed = new Set<string>();

  const addJourney = (owner: string, sessions: readonly SessionRecord[]) => {
    journeyed.add(owner);
    const conversion = firstConversion.get(owner);
    const optional = (dictionary: typeof dictionaries.sources, name: string | null) =>
      name === null ? -1 : dictionary.intern(name);
    let touches = 0;
    for (const session of sessions) {
      if (session.bot || (conversion !== undefined && session.startedAt > conversion.at)) continue;
      builder.addTouch(
        dictionaries.channels.intern(session.channel),
        session.startedAt,
        optional(dictionaries.sources, session.source),
        optional(dictionaries.mediums, session.medium),
        optional(dictionaries.campaigns, session.campaign),
      );
      touches++;
    }
    if (touches === 0 && conversion === undefined) return;
    if (touches === 0 && conversion !== undefined) {
      builder.addTouch(dictionaries.channels.intern(unattributedChannel), conversion.at);
      touches++;
    }
    const converted = conversion !== undefined;
    builder.endJourney(
      converted ? 1 : 0,
      0,
      converted ? 0 : 1,
      conversion?.at ?? Number.NaN,
      converted && touches > 0 ? touches - 1 : -1,
    );
  };
  const flushIfFull = function* () {
    if (builder.journeyCount < chunkSize) return;
    yield builder.build();
    builder = new JourneyBatchBuilder({ withTimes: true, withAttributes: true, dictionaries });
  };

  let visitor: string | undefined;
  let visitorSessions: SessionRecord[] = [];
  const endVisitor = () => {
    // `p:` ids are the tracker's per-page ids before consent: page counts, never a journey.
    if (visitor === undefined || visitor.startsWith(cookielessPrefix)) return;
    const person = personOf.get(visitor);
    if (person === undefined) addJourney(visitor, visitorSessions);
    else {
      const gathered = people.get(person) ?? [];
      // A loop, not a spread: a visitor with 100,000 sessions would overflow the call stack.
      for (const session of visitorSessions) gathered.push(session);
      people.set(person, gathered);
    }
  };
  for await (const chunk of events.streamSessions(workspaceId)) {
    for (const session of chunk) {
      if (session.visitorId !== visitor) {
        endVisitor();
        visitor = session.visitorId;
        visitorSessions = [];
        yield* flushIfFull();
      }
      visitorSessions.push(session);
    }
  }
  endVisitor();
  for (const [person, sessions] of people) {
    addJourney(
      person,
      sessions.sort((a, b) => a.startedAt - b.startedAt),
    );
    yield* flushIfFull();
  }
  for (const owner of firstConversion.keys()) {
    if (journeyed.has(owner) || owner.startsWith(cookielessPrefix)) continue;
    addJourney(owner, []);
    yield* flushIfFull();
  }
  if (builder.journeyCount > 0) yield builder.build();
}
