import { decorateLink, isSister, takeHandOver } from './cross-domain.js';
import { formEmail, formId } from './forms.js';
import { guard } from './guard.js';
import { randomId } from './ids.js';
import { pageContext } from './page.js';
import { send } from './transport.js';
import { forgetVisitorId, keepVisitorId, storedVisitorId } from './visitor.js';

type Command = ((name?: unknown, first?: unknown, second?: unknown) => void) & {
  q?: Parameters<Command>[];
  l?: 1;
};
type Message = Record<string, unknown>;
// The snippet queues `arguments` objects: iterable, so they spread like the tuples typed here.
type Host = Window & { closedloop?: Command };

guard(() => {
  const listen = addEventListener;
  // The snippet's stub (with its queue), or the command of a copy of t.js that ran already.
  const stub = (window as Host).closedloop || ({} as Command);
  // A second copy of t.js (two script tags) would count every page twice.
  if (stub.l) return;
  const script = document.currentScript as HTMLScriptElement;
  const data = script.dataset;
  const endpoint = new URL('/api/collect', data.api || script.src).href;
  const domains = (data.domains || '').split(/[\s,]+/);
  // Before consent (when required) events carry this id instead: it lives in this page only.
  const pageId = `p:${randomId()}`;
  // Only the site's other listed domains hand over an id. They are no referrer either: coming
  // from one, the visit goes on. (A referrer is `scheme://host:port/...`, or empty.)
  let referrer = document.referrer;
  const fromSister = isSister(referrer.split(/[/:]/)[3], domains);
  if (fromSister) referrer = '';
  const handedId = takeHandOver(fromSister);
  let visitorId: string | undefined;
  let queue: Message[] = [];
  // Page views already sent under the page id: sent again under the visitor id on consent.
  let counted: Message[] = [];
  // The address of the last page view (before the first, the referrer) without its #fragment,
  // which a referrer never carries.
  let lastUrl = referrer;
  const here = (): string => location.href.split('#')[0];

  // Routers set document.title after pushState, so an event's title is read as it leaves, or at
  // the next page view if that comes first (the title is still its page's then); then it stays.
  const retitle = (): void => {
    for (const event of queue) {
      const page = (event.context as ReturnType<typeof pageContext>).page;
      // The collector's limit.
      page.title = page.title || document.title.slice(0, 2048);
    }
  };

  const flush = guard(() => {
    // Without a visitor id only page views may leave; the rest waits for consent.
    const batch: Message[] = [];
    retitle();
    queue = queue.filter((event) => {
      if (visitorId || event.type === 'page') {
        event.anonymousId = visitorId || pageId;
        return !batch.push(event);
      }
      return 1;
    });
    if (batch[0]) {
      if (!visitorId) counted.push(...batch);
      send(endpoint, JSON.stringify({ writeKey: data.key, sentAt: Date.now(), batch }));
    }
  });

  const enqueue = (type: string, fields?: Message): void => {
    queue.push(
      Object.assign(
        { type, messageId: randomId(), timestamp: Date.now(), context: pageContext(referrer) },
        fields,
      ),
    );
    // An event waits a second (unless the page is hidden first), so those of a moment leave
    // together: the first one's timer takes them all; the others' find later ones, or none.
    setTimeout(flush, 1000);
  };

  const page = (): void => {
    retitle();
    // After the first page view, the page before is the referrer, as on a full page load.
    referrer = lastUrl;
    lastUrl = here();
    enqueue('page');
  };

  // History changes that reach a new path or query are page views; hash-only changes are not.
  const navigated = guard(() => {
    if (here() !== lastUrl) page();
  });

  const grant = (): void => {
    if (visitorId) return;
    visitorId = handedId || storedVisitorId() || randomId();
    keepVisitorId(visitorId);
    // Sent already, so free to change.
    for (const event of counted) event.messageId = randomId();
    queue = counted.concat(queue);
    counted = [];
    flush();
  };

  // A copy through JSON. A value that is no object, or cannot be sent, drops its command alone.
  const plain = (value: unknown): Message => {
    // Any throw will do: the guard drops the command.
    if (value && typeof value !== 'object') throw 0;
    return JSON.parse(JSON.stringify(value || {}));
  };

  const commands: Record<string, (first?: unknown, second?: unknown) => void> = {
    page,
    track: (name, properties) => {
      if (typeof name === 'string')
        enqueue('track', { event: name, properties: plain(properties) });
    },
    identify: (traits) => enqueue('identify', { traits: plain(traits) }),
    consent: (granted) => {
      if (granted) return grant();
      visitorId = '';
      forgetVisitorId();
      queue = queue.filter((event) => event.type === 'page');
    },
  };
  // An unknown command name finds no function and throws, inside the guard.
  const command: Command = guard((name, first, second) =>
    (commands[name as string] as NonNullable<(typeof commands)[string]>)(first, second),
  );

  if (data.consent !== 'required') grant();
  page();
  // Marks this copy as running, for a second one to see.
  command.l = 1;
  (window as Host).closedloop = command;
  for (const args of stub.q || []) command(...args);

  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      // Both return undefined (by spec), so nothing to hand back.
      original.apply(this, args);
      navigated();
    };
  }
  listen('popstate', navigated);
  // A page restored from the back-forward cache is shown again without loading: one more view,
  // of the address and with the referrer its last one had.
  listen(
    'pageshow',
    guard((event: PageTransitionEvent) => event.persisted && enqueue('page')),
  );
  listen('pagehide', flush);
  listen('visibilitychange', () => document.hidden && flush());

  // Capture phase: runs even when the host's own handlers stop the event.
  listen(
    'submit',
    guard((event: SubmitEvent) => {
      const form = event.target as HTMLFormElement;
      const email = !form.closest('[data-closedloop-ignore]') && formEmail(form);
      if (email) {
        command('track', 'form_submit', { formId: formId(form), email });
        // The identify follows the conversion in the same batch, which leaves now: the form is
        // probably taking the page away.
        command('identify', { email });
        flush();
      }
    }),
    true,
  );
  // Not on a right click (button 2): "Copy link address" would copy the id.
  const onLink = guard((event: MouseEvent) => {
    if (visitorId && event.button < 2) decorateLink(event.target, domains, visitorId);
  });
  listen('click', onLink, true);
  listen('auxclick', onLink, true);
})();
