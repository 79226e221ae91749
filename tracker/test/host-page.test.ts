import { describe, expect, it } from 'vitest';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

const browser = useChromium();
const site = useFixtureSite();

describe('a hostile host page', () => {
  it('still gets its visit sent when its own scripts throw, and the tracker throws nothing into it', async () => {
    site.page(
      'www.acme.test',
      '/broken',
      site.html(
        `<script>
  window.addEventListener('load', () => { throw new Error('host script failed after the tracker'); });
  window.addEventListener('load', () => {
    const cyclic = {};
    cyclic.self = cyclic;
    const calls = [
      [],
      ['no-such-command'],
      ['track'],
      ['track', 42],
      ['identify', null],
      ['identify', 'not traits'],
      ['track', 'Cyclic', cyclic],
      ['page', 'extra', 'arguments'],
      ['toString'],
      ['__proto__'],
      ['track', 'After the bad calls', { ok: true }],
    ];
    window.thrown = [];
    for (const args of calls) {
      try { closedloop(...args); } catch (error) { window.thrown.push(String(error)); }
    }
  });
</script>`,
        {},
        {
          before: `<script>throw new Error('host script failed before the tracker');</script>
<script>Navigator.prototype.sendBeacon = function () { throw new Error('beacons blocked by the host'); };</script>`,
        },
      ),
    );
    const { page, pageErrors } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/broken'));
    const events = await eventually(() => {
      const all = site.events();
      expect(all.at(-1)?.event).toBe('After the bad calls');
      return all;
    });
    expect(await page.evaluate(() => (window as unknown as { thrown: string[] }).thrown)).toEqual(
      [],
    );
    expect(pageErrors.sort()).toEqual([
      'host script failed after the tracker',
      'host script failed before the tracker',
    ]);
    // The page view, the identify without traits, the explicit page view and the one good
    // track: the malformed and unsendable commands were dropped, each on its own.
    expect(events.map((e) => [e.type, e.event, e.traits])).toEqual([
      ['page', undefined, undefined],
      ['identify', undefined, {}],
      ['page', undefined, undefined],
      ['track', 'After the bad calls', undefined],
    ]);
  });
});
