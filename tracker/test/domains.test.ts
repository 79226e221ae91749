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
