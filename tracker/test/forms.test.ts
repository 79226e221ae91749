import { describe, expect, it } from 'vitest';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

const browser = useChromium();
const site = useFixtureSite();

// Values long and odd enough never to turn up by chance inside a random id or a timestamp of the
// requests, so finding one in a request body means a field's value leaked.
const secrets = {
  password: 'correct-horse-battery-staple',
  hidden: 'csrf-7f3a9c-token',
  card: '4242424242424242',
  cvc: '987-cvc-value',
};

/**
 * A sign-up form handled by the page itself (so the page stays and can be inspected), whose
 * secret fields report any read of their value.
 */
const signup = `<form id="demo-request">
  <input name="name" value="Ada Lovelace">
  <input type="email" name="email" value="Ada@Example.com ">
  <input type="password" name="password" value="${secrets.password}" data-secret>
  <input type="hidden" name="csrf" value="${secrets.hidden}" data-secret>
  <input name="card" autocomplete="cc-number" value="${secrets.card}" data-secret>
  <input name="cvc" value="${secrets.cvc}" data-secret>
  <button>Request a demo</button>
</form>
<script>
  window.secretReads = [];
  const value = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  for (const field of document.querySelectorAll('[data-secret]')) {
    Object.defineProperty(field, 'value', {
      get() { window.secretReads.push(field.name); return value.get.call(field); },
      set(text) { value.set.call(field, text); },
    });
  }
  document.querySelector('form').addEventListener('submit', (event) => event.preventDefault());
</script>`;

describe('form capture', () => {
  it('turns a submitted email into a form_submit conversion and an identify, sent at once, without reading password, hidden or card fields', async () => {
    site.page('www.acme.test', '/signup', site.html(signup));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/signup'));
    const [pageView] = await eventually(() => {
      const events = site.events();
      expect(events).toHaveLength(1);
      return events;
    });
    await page.click('button');
    const batches = await eventually(() => {
      const all = site.batches();
      expect(all).toHaveLength(2);
      return all;
    });
    expect(batches[1]?.batch).toEqual([
      expect.objectContaining({
        type: 'track',
        event: 'form_submit',
        properties: { formId: 'demo-request', email: 'Ada@Example.com' },
        anonymousId: pageView.anonymousId,
      }),
      expect.objectContaining({
        type: 'identify',
        traits: { email: 'Ada@Example.com' },
        anonymousId: pageView.anonymousId,
      }),
    ]);
    expect(
      await page.evaluate(() => (window as unknown as { secretReads: string[] }).secretReads),
    ).toEqual([]);
    const sent = site.received.map((r) => r.body).join('\n');
    for (const secret of Object.values(secrets)) expect(sent).not.toContain(secret);
  });

  it('sends the conversion before a form that navigates takes the page away', async () => {
    site.page(
      'www.acme.test',
      '/contact',
      site.html(`<form id="contact" method="post" action="/thanks">
        <input type="email" name="work_email" value="grace@example.com">
        <input type="password" name="password" value="${secrets.password}">
        <button>Send</button>
      </form>`),
    );
    site.page('www.acme.test', '/thanks', site.html('<p>Thanks!</p>'));
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/contact'));
    await page.click('button');
    const events = await eventually(() => {
      expect(site.events()).toHaveLength(4);
      return site.eventsInOrderMade();
    });
    expect(events.map((e) => e.type)).toEqual(['page', 'track', 'identify', 'page']);
    expect(events[1].properties).toEqual({ formId: 'contact', email: 'grace@example.com' });
    expect(events[3].context.page.url).toBe(site.url('www.acme.test', '/thanks'));
    // The site's own form post carries the password; no tracker request does.
    const trackerBodies = site.received.filter((r) => r.path === '/api/collect').map((r) => r.body);
    expect(trackerBodies.join('\n')).not.toContain(secrets.password);
  });

  it('skips a form marked data-closedloop-ignore (or inside such an element) and a form with no email', async () => {
    site.page(
      'www.acme.test',
      '/forms',
      site.html(`<form id="ignored" data-closedloop-ignore><input type="email" value="one@example.com"><button>1</button></form>
<div data-closedloop-ignore><form id="inside"><input type="email" value="two@example.com"><button>2</button></form></div>
<form id="search" role="search"><input name="q" value="attribution"><button>3</button></form>
<form id="not-an-email"><input type="email" value="nobody"><button>4</button></form>
<form name="newsletter"><input name="email" value="three@example.com"><button>5</button></form>
<form><input id="mail" value="four@example.com"><input name="id" value="shadows form.id"><button>6</button></form>
<script>for (const form of document.forms) form.addEventListener('submit', (e) => e.preventDefault());</script>`),
    );
    const { page } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', '/forms'));
    await eventually(() => expect(site.events()).toHaveLength(1));
    for (const button of ['1', '2', '3', '4', '5', '6']) {
      await page.click(`button:text-is("${button}")`);
    }
    const submits = await eventually(() => {
      const all = site.events().filter((e) => e.type === 'track');
      expect(all).toHaveLength(2);
      return all;
    });
    // Named forms go by name, nameless ones by their place among the page's forms. (Each submit
    // leaves in its own request, so they may arrive in either order.)
    expect(submits.map((e) => e.properties).sort((a, b) => a.email.localeCompare(b.email))).toEqual(
      [
        { formId: '5', email: 'four@example.com' },
        { formId: 'newsletter', email: 'three@example.com' },
      ],
    );
    await page.goto('about:blank');
    const sent = JSON.stringify(site.batches());
    for (const skipped of ['one@', 'two@', 'attribution', 'nobody']) {
      expect(sent).not.toContain(skipped);
    }
  });

  const capture = async (path: string, form: string) => {
    site.page(
      'www.acme.test',
      path,
      site.html(
        `${form}<script>document.forms[0].addEventListener('submit', (e) => e.preventDefault());</script>`,
      ),
    );
    const { page, pageErrors } = await newVisitor(browser());
    await page.goto(site.url('www.acme.test', path));
    await eventually(() => expect(site.events()).toHaveLength(1));
    await page.click('button');
    const [submit] = await eventually(() => {
      const all = site.events().filter((e) => e.type === 'track');
      expect(all).toHaveLength(1);
      return all;
    });
    expect(pageErrors).toEqual([]);
    return submit.properties;
  };

  it('captures the email past a fieldset or object whose name or id says mail (their value is no string)', async () => {
    expect(
      await capture(
        '/sections',
        `<form id="sections"><fieldset id="email-section"><object name="mailer"></object>
          <input type="email" name="email" value="ada@example.com"></fieldset><button>Go</button></form>`,
      ),
    ).toEqual({ formId: 'sections', email: 'ada@example.com' });
  });

  it('captures the email of a form with a field named elements', async () => {
    expect(
      await capture(
        '/shadowed',
        `<form id="shadowed"><input type="email" name="email" value="bob@example.com">
          <input name="elements" value="x"><button>Go</button></form>`,
      ),
    ).toEqual({ formId: 'shadowed', email: 'bob@example.com' });
  });
});
