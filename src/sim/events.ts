import type { SimSession } from './sessions.js';

/**
 * Events in the shape the collector accepts (Segment's spec: page, identify, track), so the demo
 * can go through the real ingest path rather than around it.
 */
export interface CollectorEvent {
  readonly type: 'page' | 'identify' | 'track';
  readonly messageId: string;
  readonly anonymousId: string;
  readonly timestamp: string;
  readonly event?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly traits?: Readonly<Record<string, unknown>>;
  readonly context: {
    readonly page?: {
      readonly url: string;
      readonly path: string;
      readonly referrer: string;
      readonly title: string;
    };
    readonly campaign?: {
      readonly source?: string;
      readonly medium?: string;
      readonly name?: string;
    };
    readonly userAgent: string;
  };
}

export interface IdentifyAt {
  /** The session during which the visitor gives their email. */
  readonly sessionId: string;
  readonly email: string;
  /** Filled a form (a conversion) rather than being recognised on another device. */
  readonly formSubmit: boolean;
}

const userAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
];

const titleOf = (path: string) =>
  path === '/' ? 'Closedloop demo' : `${path.slice(1).replaceAll('/', ' · ')} — Closedloop demo`;

/** The events of one session, in time order: its page views, then an identify and a form submit. */
export function* eventsOfSession(
  session: SimSession,
  identify: IdentifyAt | undefined,
): Generator<CollectorEvent> {
  const userAgent = userAgents[session.visitor % userAgents.length] as string;
  const campaign =
    session.source === undefined
      ? undefined
      : { source: session.source, medium: session.medium, name: session.campaign };
  let last = session.startedAt;
  for (const [k, page] of session.pages.entries()) {
    const url = k === 0 ? session.landingUrl : `${new URL(session.landingUrl).origin}${page.path}`;
    last = page.at;
    yield {
      type: 'page',
      messageId: `${session.id}-p${k}`,
      anonymousId: session.anonymousId,
      timestamp: new Date(page.at).toISOString(),
      properties: { url, path: page.path },
      context: {
        page: {
          url,
          path: page.path,
          referrer: k === 0 ? (session.referrer ?? '') : '',
          title: titleOf(page.path),
        },
        ...(k === 0 && campaign !== undefined ? { campaign } : {}),
        userAgent,
      },
    };
  }
  if (identify === undefined) return;
  const at = new Date(last + 30_000).toISOString();
  const page = session.pages[session.pages.length - 1];
  const context = { userAgent };
  if (identify.formSubmit) {
    yield {
      type: 'track',
      messageId: `${session.id}-form`,
      anonymousId: session.anonymousId,
      timestamp: at,
      event: 'form_submit',
      properties: { formId: 'demo-request', path: page?.path ?? '/', email: identify.email },
      context,
    };
  }
  yield {
    type: 'identify',
    messageId: `${session.id}-identify`,
    anonymousId: session.anonymousId,
    timestamp: at,
    traits: { email: identify.email },
    context,
  };
}
