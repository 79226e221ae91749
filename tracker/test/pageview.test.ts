import { describe, expect, it } from 'vitest';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

const browser = useChromium();
const site = useFixtureSite();

const clickIds = 'gclid=G1&gbraid=GB1&wbraid=WB1&fbclid=F1&msclkid=M1&li_fat_id=L1&ttclid=T1';
const campaign = 'utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=crm&utm_content=ad2';

const collectPosts = () =>
  site.received.filter((r) => r.path === '/api/collect' && r.body.includes(site.writeKey));

describe('the page view', () => {
  it('carries the URL with its UTM tags and click ids, the referrer, title, screen, language and time zone, as text/plain to the origin of t.js', async () => {
    const landing = `/landing?${campaign}&${clickIds}`;
    site.page(
      'www.acme-shop.test',
      '/from',
      `<a id="go" href="${site.url('www.acme.test', landing)}">go</a>`,
    );
    site.page(
      'www.acme.test',
      '/landing',
      site.html('<h1>Landing</h1>', {}, { title: 'Pricing · Acme' }),
    );
    const { page, seen, context } = await newVisitor(browser(), {
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
      viewport: { width: 1024, height: 700 },
      screen: { width: 1440, height: 900 },
    });
    await page.goto(site.url('www.acme-shop.test', '/from'));
    const before = Date.now();
    await page.click('#go');
    const [event] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    const cookies = await context.cookies();
    expect(event).toEqual({
      type: 'page',
      messageId: expect.stringMatching(/^[0-9a-f]{32}$/),
      anonymousId: cookies[0]?.value,
      timestamp: expect.any(Number),
      context: {
        page: {
          url: site.url('www.acme.test', landing),
          referrer: site.url('www.acme-shop.test', '/'),
          title: 'Pricing · Acme',
        },
        screen: { width: 1440, height: 900 },
        locale: 'de-DE',
        timezone: 'Europe/Berlin',
      },
    });
    expect(event.anonymousId).toMatch(/^[0-9a-f]{32}$/);
    expect(event.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(event.timestamp).toBeLessThanOrEqual(Date.now());
    expect(site.batches()).toEqual([
      { writeKey: site.writeKey, sentAt: expect.any(Number), batch: [event] },
    ]);
    expect(collectPosts()).toMatchObject([
      {
        method: 'POST',
        host: 'www.acme.test',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      },
    ]);
    // A beacon, and no CORS preflight before it.
    // The browser reports its requests on its own schedule, sometimes after the server has them.
    await eventually(() =>
      expect(seen.filter((r) => r.url.endsWith('/api/collect'))).toMatchObject([
        { method: 'POST', resourceType: 'ping', url: site.url('www.acme.test', '/api/collect') },
      ]),
    );
    expect(site.received.some((r) => r.method === 'OPTIONS')).toBe(false);
  });

  it('batches the events of one page into one request, queued commands after the page view', async () => {
    const queued = `<script>
      closedloop('identify', { email: 'ada@example.com' });
      closedloop('track', 'Pricing viewed', { plan: 'pro' });
    </script>`;
    site.page('www.acme.test', '/batch', site.html('<p>batch</p>', {}, { before: queued }));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/batch'));
    await eventually(() => expect(site.events()).toHaveLength(3));
    // Hiding the page flushes the queue: it is empty, so nothing more leaves.
    await page.goto(site.url('www.acme.test', '/after-batch'));
    await eventually(() => expect(site.received.some((r) => r.path === '/after-batch')).toBe(true));
    expect(site.batches()).toHaveLength(1);
    const [pageView, identify, track] = site.events();
    expect([pageView.type, identify.type, track.type]).toEqual(['page', 'identify', 'track']);
    expect(identify.traits).toEqual({ email: 'ada@example.com' });
    expect(track).toMatchObject({ event: 'Pricing viewed', properties: { plan: 'pro' } });
    expect(new Set([pageView.anonymousId, identify.anonymousId, track.anonymousId]).size).toBe(1);
  });

  it('falls back to fetch with keepalive, still text/plain and with no preflight, when sendBeacon refuses or is missing', async () => {
    const breakers = {
      refused: 'Navigator.prototype.sendBeacon = function () { return false; };',
      missing: 'delete Navigator.prototype.sendBeacon;',
    };
    for (const [name, breaker] of Object.entries(breakers)) {
      site.page(
        'www.acme.test',
        `/${name}`,
        site.html(`<p>${name}</p>`, {}, { before: `<script>${breaker}</script>` }),
      );
      const { page, seen } = await newVisitor(browser());
      await page.goto(site.url('www.acme.test', `/${name}`));
      const [event] = await eventually(() => {
        const events = site.events().filter((e) => e.context.page.url.endsWith(`/${name}`));
        expect(events).toHaveLength(1);
        return events;
      });
      expect(event.type).toBe('page');
      await eventually(() =>
        expect(seen.filter((r) => r.url.endsWith('/api/collect'))).toMatchObject([
          { method: 'POST', resourceType: 'fetch', contentType: 'text/plain;charset=UTF-8' },
        ]),
      );
    }
    expect(collectPosts()).toHaveLength(2);
    for (const post of collectPosts()) {
      expect(post.headers['content-type']).toBe('text/plain;charset=UTF-8');
    }
    expect(site.received.some((r) => r.method === 'OPTIONS')).toBe(false);
  });

  it('sends to the collector that data-api names, and not to its own origin', async () => {
    const api = site.url('collect.acme-shop.test', '/');
    site.page(
      'www.acme.test',
      '/api-elsewhere',
      site.html('<p>elsewhere</p>', { 'data-api': api }),
    );
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/api-elsewhere'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    expect(collectPosts().map((r) => r.host)).toEqual(['collect.acme-shop.test']);
  });

  it('tracks automated browsers and pages on localhost or an IP address, with a host-only cookie', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      site.page(host, '/', site.html(`<p>${host}</p>`));
      const { page, context } = await newVisitor(browser());
      await page.goto(site.url(host));
      expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
      const [event] = await eventually(() => {
        const events = site.events().filter((e) => e.context.page.url === site.url(host));
        expect(events).toHaveLength(1);
        return events;
      });
      expect(await context.cookies()).toEqual([
        expect.objectContaining({ name: 'cl_id', value: event.anonymousId, domain: host }),
      ]);
    }
  });

  it('defines one global, closedloop, and nothing else', async () => {
    site.page('www.acme.test', '/globals', site.html('<p>globals</p>'));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/globals'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    const added = await page.evaluate(() => {
      const fresh = document.createElement('iframe');
      document.body.append(fresh);
      const own = new Set(Object.keys(fresh.contentWindow as Window));
      // Index keys are frames, like the one just added.
      return Object.keys(window).filter((name) => !own.has(name) && !/^\d+$/.test(name));
    });
    expect(added).toEqual(['closedloop']);
  });

  it('cuts the title to 2,048 characters and a referrer to 8,192, as the collector requires', async () => {
    site.page('www.acme.test', '/long', site.html('<p>long</p>', {}, { title: 't'.repeat(3000) }));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/long'));
    const long = `/long?q=${'z'.repeat(9000)}`;
    await page.evaluate((path) => {
      history.pushState({}, '', path);
      history.pushState({}, '', '/long/next');
    }, long);
    await page.goto('about:blank');
    const views = await eventually(() => {
      expect(site.events()).toHaveLength(3);
      return site.eventsInOrderMade();
    });
    expect(views.map((e) => e.context.page.title.length)).toEqual([2048, 2048, 2048]);
    expect(views[2].context.page.url).toBe(site.url('www.acme.test', '/long/next'));
    expect(views[2].context.page.referrer).toBe(site.url('www.acme.test', long).slice(0, 8192));
  });

  it('counts each page once when t.js is loaded twice', async () => {
    site.page(
      'www.acme.test',
      '/twice',
      site.html(`<script defer src="/t.js" data-key="${site.writeKey}"></script>`),
    );
    site.page('www.acme.test', '/once', site.html('<p>once</p>'));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/twice'));
    await page.evaluate(() => history.pushState({}, '', '/twice/next'));
    await page.goto(site.url('www.acme.test', '/once'));
    // Each page's views arrive once each: a second copy's would make more than three.
    const urls = await eventually(() => {
      expect(site.events()).toHaveLength(3);
      return site.eventsInOrderMade().map((e) => e.context.page.url);
    });
    expect(urls).toEqual([
      site.url('www.acme.test', '/twice'),
      site.url('www.acme.test', '/twice/next'),
      site.url('www.acme.test', '/once'),
    ]);
  });
});

describe('single-page navigation', () => {
  it('sends a page view on pushState, replaceState and popstate, with the page before as referrer, and none on a hash change or the same URL', async () => {
    site.page('www.acme.test', '/app', site.html('<p>app</p>'));
    const { page } = await newVisitor(browser());
    const app = site.url('www.acme.test', '/app');
    await page.goto(app);
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.evaluate(() => history.pushState({}, '', '/app/pricing'));
    await page.evaluate(() => {
      location.hash = '#plans';
      history.replaceState({}, '', location.href);
    });
    await page.evaluate(() => history.replaceState({}, '', '/app/pricing?plan=pro'));
    await page.evaluate(() => history.back());
    await eventually(() => expect(page.url()).toBe(`${app}/pricing`));
    // Hiding the page sends whatever is still waiting.
    await page.goto('about:blank');
    const pageViews = await eventually(() => {
      const views = site.eventsInOrderMade().filter((e) => e.type === 'page');
      expect(views).toHaveLength(4);
      return views;
    });
    expect(pageViews.map((e) => [e.context.page.url, e.context.page.referrer])).toEqual([
      [app, ''],
      [`${app}/pricing`, app],
      [`${app}/pricing?plan=pro`, `${app}/pricing`],
      [`${app}/pricing`, `${app}/pricing?plan=pro`],
    ]);
  });

  it('gives a page view the title the router sets after pushState, and a referrer without the #fragment', async () => {
    site.page(
      'www.acme.test',
      '/app',
      site.html(
        `<script>
          // As React Router or Next.js do: the URL first, the title once the route has rendered.
          window.go = (path, title) => {
            history.pushState({}, '', path);
            setTimeout(() => { document.title = title; }, 0);
          };
        </script>`,
        {},
        { title: 'Home' },
      ),
    );
    const { page } = await newVisitor(browser());
    const at = (path: string) => site.url('www.acme.test', path);
    await page.goto(at('/app?utm_source=news#top'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    // In quick succession: a page view's title is read at the next one, or else as it leaves.
    type Go = { go: (path: string, title: string) => void };
    const go = async (path: string, title: string) => {
      await page.evaluate(([p, t]) => (window as unknown as Go).go(p, t), [path, title]);
      await eventually(async () => expect(await page.title()).toBe(title));
    };
    await go('/pricing', 'Pricing');
    await go('/contact#form', 'Contact us');
    await go('/about', 'About');
    await page.goto('about:blank');
    const views = await eventually(() => {
      const events = site.eventsInOrderMade();
      expect(events).toHaveLength(4);
      return events;
    });
    expect(views.map((e) => e.context.page)).toEqual([
      { url: at('/app?utm_source=news#top'), referrer: '', title: 'Home' },
      { url: at('/pricing'), referrer: at('/app?utm_source=news'), title: 'Pricing' },
      { url: at('/contact#form'), referrer: at('/pricing'), title: 'Contact us' },
      { url: at('/about'), referrer: at('/contact'), title: 'About' },
    ]);
  });
});
