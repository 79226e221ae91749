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
  const host = window as Host;
  // The snippet's stub (with its queue), or the command of a copy of t.js that ran already.
  const stub = host.closedloop || ({} as Command);
  // A second copy of t.js (two script tags) would count every page twice.
  if (stub.l) return;
  const script = document.currentScript as HTMLScriptElement;
  const data = script.dataset;
  const endpoint = `${new URL(data.api || script.src).origin}/api/collect`;
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
  let timer = 0;
  let lastUrl = '';

  const flush = guard(() => {
    clearTimeout(timer);
    timer = 0;
    // Without a visitor id only page views may leave; the rest waits for consent.
    const batch: Message[] = [];
    queue = queue.filter((event) => {
      if (visitorId || event.type === 'page') {
        event.anonymousId = visitorId || pageId;
        return !batch.push(event);
      }
      return 1;
    });
    if (batch[0]) {
      if (!visitorId) counted = counted.concat(batch);
      send(endpoint, JSON.stringify({ writeKey: data.key, sentAt: Date.now(), batch }));
    }
  });

  const enqueue = (type: string, fields?: Message, now?: boolean): void => {
    queue.push(
      Object.assign(
        {
          type,
          messageId: randomId(),
          timestamp: Date.now(),
          context: pageContext(referrer),
        },
        fields,
      ),
    );
    if (now) flush();
    // Events of one page wait a second to leave together (unless the page is hidden first).
    else timer = timer || setTimeout(flush, 1000);
  };

  const page = (): void => {
    // After the first page view, the page before is the referrer, as on a full page load.
    if (lastUrl) referrer = lastUrl;
    lastUrl = location.href;
    enqueue('page');
  };

  // History changes that reach a new path or query are page views; hash-only changes are not.
  const navigated = guard(() => {
    if (location.href.split('#')[0] !== lastUrl.split('#')[0]) page();
  });

  const grant = (): void => {
    if (visitorId) return;
    visitorId = handedId || storedVisitorId() || randomId();
    keepVisitorId(visitorId);
    queue = counted
      .map((event): Message => Object.assign({}, event, { messageId: randomId() }))
      .concat(queue);
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
  host.closedloop = command;
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
  listen('pagehide', flush);
  listen('visibilitychange', () => document.hidden && flush());

  // Capture phase: runs even when the host's own handlers stop the event.
  listen(
    'submit',
    guard((event: SubmitEvent) => {
      const form = event.target as HTMLFormElement;
      const email = !form.closest('[data-closedloop-ignore]') && formEmail(form);
      if (email) {
        enqueue('track', { event: 'form_submit', properties: { formId: formId(form), email } });
        // The identify follows the conversion in the same batch, which leaves now: the form is
        // probably taking the page away.
        enqueue('identify', { traits: { email } }, true);
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
