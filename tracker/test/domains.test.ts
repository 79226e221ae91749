import { describe, expect, it } from 'vitest';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

const browser = useChromium();
const site = useFixtureSite();

const thirteenMonthsS = 395 * 86_400;

describe('one site, many subdomains', () => {
  it('keeps one visitor from www. to app.: a cookie on the registrable domain, 13 months, SameSite=Lax, no hand-over needed', async () => {
    site.page(
      'www.acme.test',
      '/',
      site.html(`<a id="app" href="${site.url('app.acme.test', '/login')}">log in</a>`, {
        'data-domains': 'acme.test, acme-shop.test',
      }),
    );
    site.page('app.acme.test', '/login', site.html('<p>log in</p>'));
    const { page, context } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.click('#app');
    const [www, app] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(2);
      return events;
    });
    expect(app.context.page.url).toBe(site.url('app.acme.test', '/login'));
    expect(app.anonymousId).toBe(www.anonymousId);
    // Same site: the link went as it was written.
    expect(site.received.find((r) => r.host === 'app.acme.test' && r.path === '/login')?.url).toBe(
      '/login',
    );

    const cookies = await context.cookies();
    expect(cookies).toEqual([
      {
        name: 'cl_id',
        value: www.anonymousId,
        domain: '.acme.test',
        path: '/',
        expires: expect.any(Number),
        httpOnly: false,
        secure: false,
        sameSite: 'Lax',
      },
    ]);
    const lifetime = (cookies[0]?.expires ?? 0) - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(thirteenMonthsS - 120);
    expect(lifetime).toBeLessThanOrEqual(thirteenMonthsS);
  });
});

describe('cross-domain hand-over', () => {
  it('carries the visitor id to a listed domain in _cl, which the other side adopts and removes from the address bar', async () => {
    site.page(
      'www.acme.test',
      '/pricing',
      site.html(
        `<a id="shop" href="${site.url('shop.acme-shop.test', '/cart?item=7#summary')}">buy</a>
         <a id="linkedin" href="${site.url('www.linkedin.com', '/company/acme')}">follow us</a>`,
        { 'data-domains': 'acme.test, acme-shop.test' },
      ),
    );
    site.page(
      'shop.acme-shop.test',
      '/cart',
      site.html('<p>cart</p>', { 'data-domains': 'acme.test, acme-shop.test' }),
    );
    site.page('www.linkedin.com', '/company/acme', '<p>LinkedIn</p>');
    const { page, seen, context } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/pricing'));
    const [pricing] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });

    // An unlisted domain gets no id.
    await page.click('#linkedin');
    await eventually(() => expect(page.url()).toBe(site.url('www.linkedin.com', '/company/acme')));
    await page.goBack();
    await eventually(() => expect(site.events()).toHaveLength(2));

    const clicked = Date.now();
    await page.click('#shop');
    const [cart] = await eventually(() => {
      const events = site.events().filter((e) => e.context.page.url.includes('shop.acme-shop'));
      expect(events).toHaveLength(1);
      return events;
    });
    const navigation = site.received.find(
      (r) => r.host === 'shop.acme-shop.test' && r.path === '/cart',
    );
    const handOver = /[?&]_cl=([0-9a-f]{32})\.(\d+)/.exec(navigation?.url ?? '');
    expect(handOver?.[1]).toBe(pricing.anonymousId);
    expect(Number(handOver?.[2])).toBeGreaterThanOrEqual(clicked - 1000);
    // (A request has no fragment; the address bar below keeps it.)
    expect(navigation?.url).toMatch(/^\/cart\?item=7&_cl=[0-9a-f]{32}\.\d+$/);

    expect(cart.anonymousId).toBe(pricing.anonymousId);
    expect(cart.context.page.url).toBe(site.url('shop.acme-shop.test', '/cart?item=7#summary'));
    expect(page.url()).toBe(site.url('shop.acme-shop.test', '/cart?item=7#summary'));
    const shopCookies = await context.cookies(site.url('shop.acme-shop.test'));
    expect(shopCookies).toEqual([
      expect.objectContaining({
        name: 'cl_id',
        value: pricing.anonymousId,
        domain: '.acme-shop.test',
      }),
    ]);
    // Only the navigation to the listed domain carried the id; not the one to LinkedIn.
    expect(site.received.filter((r) => r.url.includes('_cl='))).toEqual([navigation]);
    expect(seen.filter((r) => r.url.includes('_cl=')).map((r) => r.resourceType)).toEqual([
      'document',
    ]);
  });

  it('removes a stale or malformed _cl without adopting it', async () => {
    site.page('shop.acme-shop.test', '/stale', site.html('<p>stale</p>'));
    const staleId = 'a'.repeat(32);
    const cases = [
      `?_cl=${staleId}.${Date.now() - 5 * 60_000}&ref=mail`,
      `?ref=mail&_cl=not-an-id.${Date.now()}`,
      `?_cl=${staleId}.${Date.now() + 5 * 60_000}&ref=mail`,
    ];
    for (const query of cases) {
      const { page } = await newVisitor(browser());
      await page.goto(site.url('shop.acme-shop.test', `/stale${query}`));
      await eventually(() =>
        expect(page.url()).toBe(site.url('shop.acme-shop.test', '/stale?ref=mail')),
      );
    }
    const events = await eventually(() => {
      const all = site.events();
      expect(all).toHaveLength(cases.length);
      return all;
    });
    for (const event of events) {
      expect(event.anonymousId).toMatch(/^[0-9a-f]{32}$/);
      expect(event.anonymousId).not.toBe(staleId);
      expect(event.context.page.url).toBe(site.url('shop.acme-shop.test', '/stale?ref=mail'));
    }
  });
  it('ignores a _cl planted by a page not on a listed domain, or on a site with no data-domains, and keeps the visitor id', async () => {
    const planted = 'b'.repeat(32);
    const plant = (to: string) =>
      `<a id="plant" href="${site.url('www.acme.test', to)}?_cl=${planted}.${Date.now()}">acme</a>`;
    site.page('www.acme.test', '/unlisted', site.html('<p>no data-domains</p>'));
    site.page(
      'www.acme.test',
      '/listed',
      site.html('<p>listed</p>', { 'data-domains': 'acme.test, acme-shop.test' }),
    );
    // A site without hand-over, whose visitor already has an id.
    const { page, context } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/unlisted'));
    const [first] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    site.page('www.linkedin.com', '/plant', plant('/unlisted'));
    await page.goto(site.url('www.linkedin.com', '/plant'));
    await page.click('#plant');
    await eventually(() => expect(site.events()).toHaveLength(2));
    // A site with hand-over, reached from a domain it does not list.
    const other = await newVisitor(browser());
    site.page('www.linkedin.com', '/plant', plant('/listed'));
    await other.page.goto(site.url('www.linkedin.com', '/plant'));
    await other.page.click('#plant');
    const events = await eventually(() => {
      const all = site.events();
      expect(all).toHaveLength(3);
      return all;
    });
    expect(events[1].anonymousId).toBe(first.anonymousId);
    expect(events[2].anonymousId).toMatch(/^[0-9a-f]{32}$/);
    expect(events[2].anonymousId).not.toBe(planted);
    // Taken out of the address either way.
    expect(events.slice(1).map((e) => e.context.page.url)).toEqual([
      site.url('www.acme.test', '/unlisted'),
      site.url('www.acme.test', '/listed'),
    ]);
    expect((await context.cookies()).find((c) => c.name === 'cl_id')?.value).toBe(
      first.anonymousId,
    );
  });

  it('adopts from a listed domain only 32 lowercase hex digits, and then replaces the id the visitor had', async () => {
    const domains = { 'data-domains': 'acme.test, acme-shop.test' };
    const handed = 'c'.repeat(32);
    site.page('www.acme.test', '/own', site.html('<p>own</p>', domains));
    site.page(
      'shop.acme-shop.test',
      '/links',
      // No tracker here, or its own decoration would replace these.
      `<a id="upper" href="${site.url('www.acme.test', `/own?_cl=${'C'.repeat(32)}.${Date.now()}`)}">upper</a>
       <a id="good" href="${site.url('www.acme.test', `/own?_cl=${handed}.${Date.now()}`)}">good</a>`,
    );
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/own'));
    const [own] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    for (const link of ['#upper', '#good']) {
      await page.goto(site.url('shop.acme-shop.test', '/links'));
      await page.click(link);
      await eventually(() => expect(page.url()).toBe(site.url('www.acme.test', '/own')));
    }
    const arrivals = await eventually(() => {
      const all = site.events().filter((e) => e.context.page.url.includes('www.acme'));
      expect(all).toHaveLength(3);
      return all;
    });
    expect(arrivals.map((e) => e.anonymousId)).toEqual([own.anonymousId, own.anonymousId, handed]);
  });

  it("sends no referrer for a page reached from the site's other listed domain, so the visit goes on", async () => {
    const domains = { 'data-domains': 'acme.test, acme-shop.test' };
    site.page(
      'www.acme.test',
      '/to-shop',
      site.html(`<a id="shop" href="${site.url('shop.acme-shop.test', '/cart')}">buy</a>`, domains),
    );
    site.page('shop.acme-shop.test', '/cart', site.html('<p>cart</p>', domains));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/to-shop'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.click('#shop');
    const [, cart] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(2);
      return events;
    });
    expect(await page.evaluate(() => document.referrer)).toBe(site.url('www.acme.test', '/'));
    expect(cart.context.page).toMatchObject({
      url: site.url('shop.acme-shop.test', '/cart'),
      referrer: '',
    });
  });

  it('decorates a link on a click or middle click, not on a right click ("Copy link address")', async () => {
    const cart = site.url('shop.acme-shop.test', '/cart');
    site.page(
      'www.acme.test',
      '/menu',
      site.html(
        `<a id="shop" href="${cart}">buy</a>
         <script>
           // The address the click carries, as the host's own handlers (and the browser's
           // default action, prevented here) see it while the click is dispatched.
           window.seen = [];
           for (const type of ['click', 'auxclick']) {
             document.addEventListener(type, (e) => {
               window.seen.push([type, e.button, e.target.closest('a').href]);
               e.preventDefault();
             });
           }
         </script>`,
        { 'data-domains': 'acme.test, acme-shop.test' },
      ),
    );
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/menu'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    const href = () => page.$eval('#shop', (a) => (a as HTMLAnchorElement).href);
    const seen = () => page.evaluate(() => (window as unknown as { seen: unknown[] }).seen);
    const decorated = expect.stringMatching(/\/cart\?_cl=[0-9a-f]{32}\.\d+$/);
    await page.click('#shop', { button: 'right' });
    expect(await href()).toBe(cart);
    await page.click('#shop', { button: 'middle' });
    await page.click('#shop');
    expect(await seen()).toEqual([
      ['auxclick', 2, cart],
      ['auxclick', 1, decorated],
      ['click', 0, decorated],
    ]);
    // Only while the click is dispatched: after it, the link is as written again.
    await eventually(async () => expect(await href()).toBe(cart));
  });

  it('leaves the link as written once a click has carried the id: middle click, Ctrl/Cmd click, click opening a new tab', async () => {
    const domains = { 'data-domains': 'acme.test, acme-shop.test' };
    const written = {
      shop: site.url('shop.acme-shop.test', '/cart?item=7#summary'),
      tab: site.url('shop.acme-shop.test', '/cart?via=tab'),
    };
    site.page(
      'www.acme.test',
      '/links',
      site.html(
        `<a id="shop" href="${written.shop}">buy</a>
         <a id="tab" href="${written.tab}" target="_blank">buy in a new tab</a>`,
        domains,
      ),
    );
    site.page('shop.acme-shop.test', '/cart', site.html('<p>cart</p>', domains));
    const { page, context } = await newVisitor(browser());
    // The server's record is the whole file's.
    const before = site.received.length;
    await page.goto(site.url('www.acme.test', '/links'));
    const [links] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    const clicks = [
      { link: '#shop', options: { button: 'middle' as const } },
      { link: '#shop', options: { modifiers: ['ControlOrMeta' as const] } },
      { link: '#tab', options: {} },
    ];
    for (const { link, options } of clicks) {
      const [tab] = await Promise.all([context.waitForEvent('page'), page.click(link, options)]);
      // The new tab went with the id, and the page that stays shows the link as written.
      await eventually(() => expect(tab.url()).toMatch(/\/cart\?/));
      const attribute = await page.$eval(link, (a) => a.getAttribute('href'));
      expect(attribute).toBe(link === '#tab' ? written.tab : written.shop);
      await tab.close();
    }
    const carts = site.received
      .slice(before)
      .filter((r) => r.host === 'shop.acme-shop.test' && r.path === '/cart');
    expect(carts.map((r) => r.url)).toEqual([
      expect.stringMatching(/^\/cart\?item=7&_cl=[0-9a-f]{32}\.\d+$/),
      expect.stringMatching(/^\/cart\?item=7&_cl=[0-9a-f]{32}\.\d+$/),
      expect.stringMatching(/^\/cart\?via=tab&_cl=[0-9a-f]{32}\.\d+$/),
    ]);
    for (const cart of carts) expect(cart.url).toContain(`_cl=${links.anonymousId}.`);
  });
});

describe('cookies blocked', () => {
  it('keeps the visitor id in localStorage instead', async () => {
    const blockCookies = `<script>
      Object.defineProperty(Document.prototype, 'cookie', { get: () => '', set: () => {} });
    </script>`;
    site.page(
      'www.acme.test',
      '/no-cookies',
      site.html('<p>no cookies</p>', {}, { before: blockCookies }),
    );
    const { page, context } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/no-cookies'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.reload();
    const [first, second] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(2);
      return events;
    });
    expect(first.anonymousId).toMatch(/^[0-9a-f]{32}$/);
    expect(second.anonymousId).toBe(first.anonymousId);
    expect(await page.evaluate(() => localStorage.getItem('cl_id'))).toBe(first.anonymousId);
    expect(await context.cookies()).toEqual([]);
  });
});
