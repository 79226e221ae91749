import { describe, expect, it } from 'vitest';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

const browser = useChromium();
const site = useFixtureSite();

const pageId = /^p:[0-9a-f]{32}$/;
const visitorId = /^[0-9a-f]{32}$/;

/** The host handles the form itself, as single-page apps do, so the page stays. */
const signup = (shop: string) => `<form id="signup">
  <input type="email" name="email" value="ada@example.com"><button>Go</button>
</form>
<a id="shop" href="${shop}">shop</a>
<script>document.getElementById('signup').addEventListener('submit', (e) => e.preventDefault());</script>`;

describe('consent required', () => {
  it('before consent sends only page counts under a per-page id: no cookie, no storage, no visitor id, no track, no identify, no form, no hand-over', async () => {
    site.page(
      'www.acme.test',
      '/strict',
      site.html(signup(site.url('shop.acme-shop.test', '/cart')), {
        'data-consent': 'required',
        'data-domains': 'acme-shop.test',
      }),
    );
    site.page('shop.acme-shop.test', '/cart', '<p>cart</p>');
    const { page, context } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/strict'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.evaluate(() => window.closedloop('track', 'Clicked pricing'));
    await page.evaluate(() => window.closedloop('identify', { email: 'grace@example.com' }));
    await page.click('#signup button');
    // Reloading hides the page, which flushes whatever may leave, then counts the page again.
    await page.reload();
    const events = await eventually(() => {
      const all = site.events();
      expect(all).toHaveLength(2);
      return all;
    });
    expect(events.map((e) => e.type)).toEqual(['page', 'page']);
    expect(events[0].anonymousId).toMatch(pageId);
    expect(events[1].anonymousId).toMatch(pageId);
    expect(events[0].anonymousId).not.toBe(events[1].anonymousId);
    expect(JSON.stringify(site.batches())).not.toMatch(/example\.com/);

    // Nothing stored on the device, not even a probe cookie.
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);

    // A link to a listed domain leaves undecorated.
    await page.click('#shop');
    await eventually(() => expect(page.url()).toBe(site.url('shop.acme-shop.test', '/cart')));
    expect(site.received.find((r) => r.host === 'shop.acme-shop.test')?.url).toBe('/cart');
  });

  it('on consent sets the cookie, sends the page again and the waiting events under the visitor id, and keeps the id on the next page', async () => {
    site.page(
      'www.acme.test',
      '/consent',
      site.html('<p>banner</p>', { 'data-consent': 'required' }),
    );
    // The next page's consent manager calls before the tracker has loaded.
    site.page(
      'www.acme.test',
      '/consented',
      site.html(
        '<p>next</p>',
        { 'data-consent': 'required' },
        { before: "<script>closedloop('consent', true);</script>" },
      ),
    );
    const { page, context } = await newVisitor(browser());
    const url = `${site.url('www.acme.test', '/consent')}?utm_source=google&utm_medium=cpc`;
    await page.goto(url);
    const [counted] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    expect(counted.anonymousId).toMatch(pageId);
    await page.evaluate(() => window.closedloop('track', 'Clicked pricing'));
    await page.evaluate(() => window.closedloop('consent', true));
    const [, again, track] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(3);
      return events;
    });
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'cl_id', domain: '.acme.test', sameSite: 'Lax' }),
    ]);
    const id = cookies[0]?.value;
    expect(id).toMatch(visitorId);
    // The landing page, with its campaign, now also belongs to the visitor's journey.
    expect(again).toEqual({ ...counted, messageId: again.messageId, anonymousId: id });
    expect(again.messageId).not.toBe(counted.messageId);
    expect(again.context.page.url).toBe(url);
    expect(track).toMatchObject({ type: 'track', event: 'Clicked pricing', anonymousId: id });

    await page.goto(site.url('www.acme.test', '/consented'));
    await eventually(() => expect(site.events()).toHaveLength(4));
    // Hiding the page would flush anything still waiting.
    await page.goto('about:blank');
    expect(site.events().slice(3)).toEqual([
      expect.objectContaining({
        type: 'page',
        anonymousId: id,
        context: expect.objectContaining({
          page: expect.objectContaining({ url: site.url('www.acme.test', '/consented') }),
        }),
      }),
    ]);
  });
});

describe('consent withdrawn', () => {
  it('removes the cookie and the stored id; later events are page counts again', async () => {
    site.page('www.acme.test', '/withdraw', site.html('<p>settings</p>'));
    const { page, context } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/withdraw'));
    const [first] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    expect(first.anonymousId).toMatch(visitorId);
    expect(await context.cookies()).toHaveLength(1);
    await page.evaluate(() => {
      localStorage.setItem('cl_id', 'left-over-from-a-blocked-cookie');
      window.closedloop('consent', false);
      window.closedloop('track', 'Changed settings');
      window.closedloop('page');
    });
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('cl_id'))).toBeNull();
    await page.goto('about:blank');
    const events = await eventually(() => {
      const all = site.events();
      expect(all).toHaveLength(2);
      return all;
    });
    expect(events[1]).toMatchObject({ type: 'page', anonymousId: expect.stringMatching(pageId) });
    expect(events.some((e) => e.event === 'Changed settings')).toBe(false);
  });
});
