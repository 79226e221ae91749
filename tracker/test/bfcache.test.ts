import { describe, expect, it } from 'vitest';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

// The back-forward cache on, as in the browsers visitors use (Playwright turns it off).
const browser = useChromium({ backForwardCache: true });
const site = useFixtureSite();

describe('the back-forward cache', () => {
  it('counts a page restored from it (shown again, not loaded) as one more page view, with the referrer it had', async () => {
    const landing = '/landing?utm_source=news';
    site.page(
      'www.acme.test',
      '/landing',
      site.html(
        '<a id="next" href="/next">next</a>',
        {},
        {
          title: 'Landing',
          // Each pageshow's `persisted`: [false, true] only if the same document came back.
          before: `<script>
            window.shown = [];
            addEventListener('pageshow', (event) => window.shown.push(event.persisted));
          </script>`,
        },
      ),
    );
    site.page('www.acme.test', '/next', site.html('<p>next</p>', {}, { title: 'Next' }));
    const { page, pageErrors } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', landing));
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.click('#next');
    await eventually(() => expect(site.events()).toHaveLength(2));
    await page.goBack({ waitUntil: 'commit' });
    await eventually(async () =>
      expect(await page.evaluate(() => (window as unknown as { shown: boolean[] }).shown)).toEqual([
        false,
        true,
      ]),
    );
    const views = await eventually(() => {
      const events = site.eventsInOrderMade();
      expect(events).toHaveLength(3);
      return events;
    });
    expect(views.map((e) => [e.type, e.context.page])).toEqual([
      ['page', { url: site.url('www.acme.test', landing), referrer: '', title: 'Landing' }],
      [
        'page',
        {
          url: site.url('www.acme.test', '/next'),
          referrer: site.url('www.acme.test', landing),
          title: 'Next',
        },
      ],
      ['page', { url: site.url('www.acme.test', landing), referrer: '', title: 'Landing' }],
    ]);
    expect(new Set(views.map((e) => e.anonymousId)).size).toBe(1);
    expect(new Set(views.map((e) => e.messageId)).size).toBe(3);
    expect(views[2].timestamp).toBeGreaterThan(views[1].timestamp);
    expect(pageErrors).toEqual([]);
  });
});
