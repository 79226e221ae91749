import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/server/app.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/open.js';
import { tempDirectory } from '../../src/test-support/temp-files.js';
import { eventually, newVisitor, useChromium } from './chromium.js';
import { useFixtureSite } from './fixture-site.js';

const browser = useChromium();
const site = useFixtureSite();
const dbPath = join(tempDirectory(), 'story.db');

const email = 'ada@northwind.example';
const password = 'Tr0ub4dor&3-never-stored';
// A person at a desk, not the automation's HeadlessChrome, whose sessions the server flags as bots.
const desktopChrome =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

let store: SqliteStore;
let app: App;
let collector = '';
let workspaceId = '';
let writeKey = '';
/** Every body the collector was sent. */
const collected: string[] = [];

beforeAll(async () => {
  store = await openSqliteStore(dbPath);
  app = await buildApp({ events: store.events, state: store.state });
  app.fastify.addHook('preValidation', async (request) => {
    if (request.url === '/api/collect') collected.push(JSON.stringify(request.body));
  });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  collector = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
  const created = await store.state.createWorkspace('acme');
  workspaceId = created.workspace.id;
  writeKey = created.writeKey;
});

let closed = false;
const close = async () => {
  if (closed) return;
  closed = true;
  await app.close();
  await store.close();
};
afterAll(close);

describe('the story: an ad click, a LinkedIn visit, a form', () => {
  it('ends as one person with two sessions, Paid Search then Organic Social, a form conversion, and no password in the database', async () => {
    const snippet = () => ({ 'data-key': writeKey });
    const tracker = () => ({ src: `${collector}/t.js` });
    site.page('www.acme.test', '/', site.html('<h1>Acme</h1>', snippet(), tracker()));
    site.page(
      'www.linkedin.com',
      '/',
      `<!doctype html><title>LinkedIn</title><a id="post" href="${site.url('www.acme.test', '/pricing')}">Acme's pricing</a>`,
    );
    site.page(
      'www.acme.test',
      '/pricing',
      site.html(
        `<form id="demo-request" method="post" action="/thanks">
          <input type="email" name="email" aria-label="email">
          <input type="password" name="password" aria-label="password">
          <button>Request a demo</button>
        </form>`,
        snippet(),
        tracker(),
      ),
    );
    site.page('www.acme.test', '/thanks', site.html('<p>Thanks!</p>', snippet(), tracker()));

    const { page, context } = await newVisitor(browser(), { userAgent: desktopChrome });
    const sessions = async () => {
      const cookie = (await context.cookies(site.url('www.acme.test'))).find(
        (c) => c.name === 'cl_id',
      );
      return cookie === undefined
        ? []
        : store.events.sessionsOfVisitors(workspaceId, [cookie.value]);
    };

    // 1. A click on a Google ad.
    await page.goto(
      site.url('www.acme.test', '/?utm_source=google&utm_medium=cpc&utm_campaign=brand'),
    );
    await eventually(async () => expect(await sessions()).toHaveLength(1));

    // 2. Back another day through a LinkedIn post.
    await page.goto(site.url('www.linkedin.com'));
    await page.click('#post');
    await eventually(async () => expect(await sessions()).toHaveLength(2));

    // 3. The demo request form, with a password the site asks for and the tracker never reads.
    await page.fill('input[type=email]', email);
    await page.fill('input[type=password]', password);
    await page.click('button');
    await eventually(() => expect(page.url()).toBe(site.url('www.acme.test', '/thanks')));
    const person = await eventually(async () => {
      const found = await store.state.personByEmail(workspaceId, email);
      expect(found).toBeDefined();
      return found;
    });
    // The thanks page continues the LinkedIn session.
    await eventually(async () =>
      expect((await sessions()).map((s) => s.pageViews)).toEqual([1, 2]),
    );

    const visitors = await store.state.visitorsOfPerson(workspaceId, person?.id ?? '');
    const [visitor] = (await context.cookies(site.url('www.acme.test'))).map((c) => c.value);
    expect(visitors).toEqual([visitor]);
    expect(new Set((await store.state.personsByVisitor(workspaceId)).values()).size).toBe(1);
    expect(person?.emails).toEqual([email]);

    const journey = await store.events.sessionsOfVisitors(workspaceId, visitors);
    expect(journey).toMatchObject([
      {
        channel: 'Paid Search',
        source: 'google',
        medium: 'cpc',
        campaign: 'brand',
        referrer: null,
        bot: false,
        landingPage: site.url(
          'www.acme.test',
          '/?utm_source=google&utm_medium=cpc&utm_campaign=brand',
        ),
      },
      {
        channel: 'Organic Social',
        source: null,
        referrer: site.url('www.linkedin.com', '/'),
        bot: false,
        landingPage: site.url('www.acme.test', '/pricing'),
      },
    ]);
    const conversions = await store.events.conversionsOfVisitors(workspaceId, visitors);
    expect(conversions).toMatchObject([{ type: 'form_submit', sessionId: journey[1]?.id }]);

    // No password in anything the tracker sent, nor anywhere in the database's files.
    expect(collected.length).toBeGreaterThanOrEqual(3);
    expect(collected.join('\n')).not.toContain(password);
    // Closed, so every byte is in the files.
    await close();
    const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(bytes.includes(email)).toBe(true);
    expect(bytes.includes(password)).toBe(false);
  });
});
