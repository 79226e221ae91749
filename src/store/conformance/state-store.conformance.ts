import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore, WorkspaceSettings } from '../ports.js';
import { failure } from './failure.js';

export interface OpenedStateStore {
  readonly state: StateStore;
  close(): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const day = 86_400_000;
const t0 = Date.UTC(2026, 0, 5);

/** The behaviour every StateStore engine owes its callers; `open` gives a fresh, empty store. */
export function describeStateStoreConformance(
  engine: string,
  open: () => Promise<OpenedStateStore>,
): void {
  describe(`StateStore conformance: ${engine}`, () => {
    let opened: OpenedStateStore;
    let store: StateStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.state;
    });
    afterEach(async () => {
      await opened.close();
    });

    describe('workspaces', () => {
      it('makes the default workspace once: UTC, USD, 30 minutes, 90 days', async () => {
        const first = await store.ensureDefaultWorkspace();
        expect(first).toMatchObject({
          name: 'default',
          timeZone: 'UTC',
          currency: 'USD',
          sessionTimeoutMinutes: 30,
          lookbackDays: 90,
        });
        expect(first.id).toMatch(/^ws_[0-9A-Za-z]+$/);
        expect(await store.ensureDefaultWorkspace()).toEqual(first);
        expect(await store.listWorkspaces()).toEqual([first]);
        expect(await store.writeKeyOf(first.id)).toMatch(/^wk_[0-9A-Za-z]{24}$/);
      });

      it('creates a workspace with its settings and two keys that find it', async () => {
        const before = Date.now();
        const created = await store.createWorkspace('Acme', {
          timeZone: 'Europe/Paris',
          currency: 'EUR',
        });
        const { workspace, writeKey, secretKey } = created;
        expect(workspace).toMatchObject({
          name: 'Acme',
          timeZone: 'Europe/Paris',
          currency: 'EUR',
          sessionTimeoutMinutes: 30,
          lookbackDays: 90,
        });
        expect(workspace.createdAt).toBeGreaterThanOrEqual(before);
        expect(writeKey).toMatch(/^wk_[0-9A-Za-z]{24}$/);
        expect(secretKey).toMatch(/^sk_[0-9A-Za-z]{40}$/);
        expect(await store.workspaceByWriteKey(writeKey)).toEqual(workspace);
        expect(await store.workspaceBySecretKey(secretKey)).toEqual(workspace);
        expect(await store.writeKeyOf(workspace.id)).toBe(writeKey);
        // Each key opens only its own door.
        expect(await store.workspaceByWriteKey(secretKey)).toBeUndefined();
        expect(await store.workspaceBySecretKey(writeKey)).toBeUndefined();
        expect(await store.workspaceBySecretKey(`${secretKey}x`)).toBeUndefined();
        expect(await store.workspaceBySecretKey('')).toBeUndefined();
        expect(await store.workspaceByWriteKey('')).toBeUndefined();
      });

      it('finds a workspace by id, else by name, and lists them in creation order', async () => {
        const a = (await store.createWorkspace('Acme')).workspace;
        const b = (await store.createWorkspace('Globex', { lookbackDays: 30 })).workspace;
        expect(a.id).not.toBe(b.id);
        expect(await store.findWorkspace(a.id)).toEqual(a);
        expect(await store.findWorkspace('Globex')).toEqual(b);
        expect(await store.findWorkspace('Initech')).toBeUndefined();
        expect(await store.listWorkspaces()).toEqual([a, b]);
      });

      it('refuses a second workspace of the same name', async () => {
        await store.createWorkspace('Acme');
        const error = await failure(store.createWorkspace('Acme'));
        expect(error.code).toBe('CL_ERR_CONFIG');
        expect(error.message).toMatch(/^name: /);
        expect((await failure(store.createWorkspace('  '))).message).toMatch(/^name: /);
        expect(await store.listWorkspaces()).toHaveLength(1);
      });

      it('takes a name trimmed, of 1 to 100 printable characters counted by code point', async () => {
        const accepted = [
          ['  Acme \t', 'Acme'],
          [` ${'a'.repeat(100)} `, 'a'.repeat(100)],
          // An emoji is one character, though two UTF-16 units.
          [`😀${'b'.repeat(99)}`, `😀${'b'.repeat(99)}`],
          ['😀'.repeat(100), '😀'.repeat(100)],
          ['Société Générale 東京 مرحبا', 'Société Générale 東京 مرحبا'],
        ];
        for (const [given, stored] of accepted) {
          const { workspace } = await store.createWorkspace(given as string);
          expect(workspace.name).toBe(stored);
          expect(await store.findWorkspace(stored as string)).toEqual(workspace);
        }
        // Trimmed before it is compared: the same name, spaced, exists already.
        expect((await failure(store.createWorkspace(' Acme '))).message).toMatch(/^name: /);

        const tooLong = [
          'c'.repeat(101),
          `😀${'d'.repeat(100)}`,
          '😀'.repeat(101),
          // Combining accents are characters of their own.
          'e\u0301'.repeat(51),
        ];
        for (const name of tooLong) {
          const error = await failure(store.createWorkspace(name));
          expect(error.code, JSON.stringify(name)).toBe('CL_ERR_CONFIG');
          expect(error.message, JSON.stringify(name)).toMatch(/^name: .*\b100\b/);
        }

        // Control, format (invisible), private-use, surrogate, unassigned, line and paragraph
        // separator characters, each named by its code point and never echoed raw.
        const invisible: [string, string][] = [
          ['\u200b', 'U+200B'],
          ['Acme\u200b', 'U+200B'],
          ['Acme\u202egnp', 'U+202E'],
          ['\u2066Acme\u2069', 'U+2066'],
          ['a\u2028b', 'U+2028'],
          ['a\u2029b', 'U+2029'],
          ['a\u0080b', 'U+0080'],
          ['a\u0085b', 'U+0085'],
          ['a\u009fb', 'U+009F'],
          ['a\u0007b', 'U+0007'],
          ['a\nb', 'U+000A'],
          ['a\u007fb', 'U+007F'],
          ['a\u00adb', 'U+00AD'],
          ['a\ufeffb', 'U+FEFF'],
          ['a\u{e0041}b', 'U+E0041'],
          ['a\ue000b', 'U+E000'],
          ['a\ud800b', 'U+D800'],
          ['a\udfffb', 'U+DFFF'],
          ['a\uffffb', 'U+FFFF'],
        ];
        for (const [name, codePoint] of invisible) {
          const error = await failure(store.createWorkspace(name));
          expect(error.code, codePoint).toBe('CL_ERR_CONFIG');
          expect(error.message, codePoint).toMatch(/^name: /);
          expect(error.message, codePoint).toContain(`(${codePoint})`);
          expect(error.message, codePoint).not.toContain(
            String.fromCodePoint(Number.parseInt(codePoint.slice(2), 16)),
          );
        }

        // Nothing left to see once trimmed: spaces, or marks that sit on no letter.
        for (const name of ['', '\u00a0\u3000', '\u0301', '\ufe0f', ' \u0301 \u20dd ']) {
          const error = await failure(store.createWorkspace(name));
          expect(error.code, JSON.stringify(name)).toBe('CL_ERR_CONFIG');
          expect(error.message, JSON.stringify(name)).toMatch(/^name: /);
        }
        expect(await store.listWorkspaces()).toHaveLength(accepted.length);
      });

      it('checks settings, naming the field at fault, and changes nothing then', async () => {
        const bad: [keyof WorkspaceSettings, Partial<WorkspaceSettings>][] = [
          ['timeZone', { timeZone: 'Mars/Olympus_Mons' }],
          ['timeZone', { timeZone: '' }],
          ['timeZone', { timeZone: '+02:00' }],
          ['currency', { currency: 'eur' }],
          ['currency', { currency: 'EURO' }],
          // Shaped like a code, but no currency: nothing could ever convert into it.
          ['currency', { currency: 'USS' }],
          ['sessionTimeoutMinutes', { sessionTimeoutMinutes: 0 }],
          ['sessionTimeoutMinutes', { sessionTimeoutMinutes: 2.5 }],
          ['lookbackDays', { lookbackDays: -1 }],
          ['lookbackDays', { lookbackDays: Number.NaN }],
          ['sessionTimeoutMinutes', { sessionTimeoutMinutes: 1e15 }],
          ['lookbackDays', { lookbackDays: 3_651 }],
        ];
        const { workspace } = await store.createWorkspace('Acme');
        for (const [field, settings] of bad) {
          const created = await failure(store.createWorkspace('Globex', settings));
          expect(created.code).toBe('CL_ERR_CONFIG');
          expect(created.message).toMatch(new RegExp(`^${field}: `));
          const updated = await failure(store.updateWorkspaceSettings(workspace.id, settings));
          expect(updated.code).toBe('CL_ERR_CONFIG');
          expect(updated.message).toMatch(new RegExp(`^${field}: `));
        }
        expect(await store.listWorkspaces()).toEqual([workspace]);
      });

      it('updates only the settings given, and spells a time zone as IANA does', async () => {
        const { workspace } = await store.createWorkspace('Acme');
        const updated = await store.updateWorkspaceSettings(workspace.id, {
          timeZone: 'asia/taipei',
          lookbackDays: 180,
        });
        expect(updated).toEqual({ ...workspace, timeZone: 'Asia/Taipei', lookbackDays: 180 });
        expect(await store.findWorkspace(workspace.id)).toEqual(updated);
        // Today's IANA names stay as given, though Intl may know the zone by an older alias.
        for (const zone of ['Asia/Kolkata', 'Europe/Kyiv']) {
          const renamed = await store.updateWorkspaceSettings(workspace.id, { timeZone: zone });
          expect(renamed.timeZone).toBe(zone);
        }
        const unknown = await failure(store.updateWorkspaceSettings('ws_nobody', {}));
        expect(unknown.code).toBe('CL_ERR_UNKNOWN_WORKSPACE');
        expect((await failure(store.writeKeyOf('ws_nobody'))).code).toBe(
          'CL_ERR_UNKNOWN_WORKSPACE',
        );
      });
    });

    describe('identify', () => {
      let ws: string;
      beforeEach(async () => {
        ws = (await store.createWorkspace('Acme')).workspace.id;
      });

      it('makes a person of a first claim, and knows the visitor the next time', async () => {
        const first = await store.identify(ws, { visitorId: 'v1', email: ' Ada@Example.COM ' }, t0);
        expect(first.personId).toMatch(/^p_[0-9A-Za-z]+$/);
        expect(first.visitorNewlyLinked).toBe(true);
        expect(
          await store.identify(ws, { visitorId: 'v1', email: 'ada@example.com' }, t0 + 1),
        ).toEqual({ personId: first.personId, visitorNewlyLinked: false });
        expect(await store.person(ws, first.personId)).toEqual({
          id: first.personId,
          workspaceId: ws,
          emails: ['ada@example.com'],
          userIds: [],
          createdAt: t0,
        });
        expect((await store.personByEmail(ws, 'ADA@example.com  '))?.id).toBe(first.personId);
        expect(await store.emailHashesOf(ws, first.personId)).toEqual([sha256('ada@example.com')]);
        expect(await store.personByEmail(ws, 'grace@example.com')).toBeUndefined();
        expect(await store.person(ws, 'p_nobody')).toBeUndefined();
      });

      it('knows one person by an email however it was typed or pasted', async () => {
        const composed = 'jos\u00e9@acme.example';
        const first = await store.identify(
          ws,
          { visitorId: 'v1', email: 'Jos\u00e9@Acme.example' },
          t0,
        );
        for (const [i, email] of [
          'Jose\u0301@acme.example',
          'jos\u00e9@acme.example\u200b',
          'MAILTO:jos\u00e9@acme.example',
        ].entries()) {
          const again = await store.identify(ws, { visitorId: `v${i + 2}`, email }, t0 + day);
          expect(again.personId, JSON.stringify(email)).toBe(first.personId);
          expect((await store.personByEmail(ws, email))?.id, JSON.stringify(email)).toBe(
            first.personId,
          );
        }
        expect((await store.person(ws, first.personId))?.emails).toEqual([composed]);
        expect(await store.emailHashesOf(ws, first.personId)).toEqual([sha256(composed)]);
        expect(
          (await store.personIdsOf(ws, { emails: ['Jose\u0301@acme.example'], userIds: [] }))
            .byEmail,
        ).toEqual(new Map([['Jose\u0301@acme.example', first.personId]]));
        // Nothing left once the invisible characters go: no email at all.
        const blank = await store.identify(ws, { email: '\u200b', userId: 'u-1' }, t0);
        expect((await store.person(ws, blank.personId))?.emails).toEqual([]);
      });

      it('joins two devices of one email into one person', async () => {
        const laptop = await store.identify(
          ws,
          { visitorId: 'laptop', email: 'ada@example.com' },
          t0,
        );
        const phone = await store.identify(
          ws,
          { visitorId: 'phone', email: 'ADA@example.com' },
          t0 + day,
        );
        expect(phone).toEqual({ personId: laptop.personId, visitorNewlyLinked: true });
        expect(await store.visitorsOfPerson(ws, laptop.personId)).toEqual(['laptop', 'phone']);
        expect(await store.personsByVisitor(ws)).toEqual(
          new Map([
            ['laptop', laptop.personId],
            ['phone', laptop.personId],
          ]),
        );
      });

      it('knows a person by phone as the user id tel:+…, beside their own user id', async () => {
        const web = await store.identify(
          ws,
          { visitorId: 'browser', email: 'ada@example.com', userId: 'u-7', phone: '+14155550100' },
          t0,
        );
        const call = await store.identify(
          ws,
          { visitorId: 'offline:tel:+14155550100', phone: '+14155550100' },
          t0 + day,
        );
        expect(call.personId).toBe(web.personId);
        expect((await store.person(ws, web.personId))?.userIds).toEqual([
          'tel:+14155550100',
          'u-7',
        ]);
        expect((await store.personByUserId(ws, 'tel:+14155550100'))?.id).toBe(web.personId);
      });

      it('never merges two persons who each gave an email by a phone number they share', async () => {
        const switchboard = '+12125550100';
        const ann = await store.identify(
          ws,
          { visitorId: 'ann-laptop', email: 'ann@bigco.example', phone: switchboard },
          t0,
        );
        const ben = await store.identify(
          ws,
          { visitorId: 'ben-laptop', email: 'ben@bigco.example', phone: switchboard },
          t0 + day,
        );
        expect(ben.personId).not.toBe(ann.personId);
        expect(await store.person(ws, ben.personId)).toMatchObject({
          emails: ['ben@bigco.example'],
          userIds: [],
        });
        // Ben's device giving the number again stays Ben's.
        const benAgain = await store.identify(
          ws,
          { visitorId: 'ben-laptop', phone: switchboard },
          t0 + 2 * day,
        );
        expect(benAgain.personId).toBe(ben.personId);
        expect(await store.person(ws, ann.personId)).toMatchObject({
          emails: ['ann@bigco.example'],
          userIds: [`tel:${switchboard}`],
        });
        // A call with the number alone is the person known by it.
        const call = await store.identify(
          ws,
          { visitorId: `offline:tel:${switchboard}`, phone: switchboard },
          t0 + 2 * day,
        );
        expect(call.personId).toBe(ann.personId);
        // A person known by a number alone takes the first email given with it.
        const caller = await store.identify(ws, { visitorId: 'c1', phone: '+14155550199' }, t0);
        const cy = await store.identify(
          ws,
          { visitorId: 'c2', email: 'cy@example.com', phone: '+14155550199' },
          t0 + day,
        );
        expect(cy.personId).toBe(caller.personId);
      });

      it('merges the persons a claim joins into the oldest, moving all they hold', async () => {
        const byEmail = await store.identify(ws, { visitorId: 'v1', email: 'ada@example.com' }, t0);
        const byUserId = await store.identify(ws, { visitorId: 'v2', userId: 'u-42' }, t0 + day);
        expect(byUserId.personId).not.toBe(byEmail.personId);

        const both = await store.identify(
          ws,
          { visitorId: 'v3', email: 'ada@example.com', userId: 'u-42' },
          t0 + 2 * day,
        );
        expect(both).toEqual({ personId: byEmail.personId, visitorNewlyLinked: true });
        const person = await store.person(ws, byEmail.personId);
        expect(person).toMatchObject({
          emails: ['ada@example.com'],
          userIds: ['u-42'],
          createdAt: t0,
        });
        expect(await store.visitorsOfPerson(ws, byEmail.personId)).toEqual(['v1', 'v2', 'v3']);
        expect(await store.personsByVisitor(ws)).toEqual(
          new Map(['v1', 'v2', 'v3'].map((visitor) => [visitor, byEmail.personId])),
        );
        // The merged person's id still leads to the survivor.
        expect(await store.person(ws, byUserId.personId)).toEqual(person);
        expect(await store.visitorsOfPerson(ws, byUserId.personId)).toEqual(['v1', 'v2', 'v3']);

        // v2 moved with its person: linking it again is no news.
        expect(await store.identify(ws, { visitorId: 'v2', userId: 'u-42' }, t0 + 3 * day)).toEqual(
          {
            personId: byEmail.personId,
            visitorNewlyLinked: false,
          },
        );
      });

      it('merges by the time a person became known, not by the order of calls', async () => {
        const late = await store.identify(
          ws,
          { visitorId: 'v1', email: 'ada@example.com' },
          t0 + 5 * day,
        );
        const early = await store.identify(ws, { visitorId: 'v2', userId: 'u-42' }, t0);
        const joined = await store.identify(
          ws,
          { email: 'ada@example.com', userId: 'u-42' },
          t0 + 6 * day,
        );
        expect(joined).toEqual({ personId: early.personId, visitorNewlyLinked: false });
        expect(await store.personsByVisitor(ws)).toEqual(
          new Map([
            ['v1', early.personId],
            ['v2', early.personId],
          ]),
        );
        expect(await store.person(ws, late.personId)).toMatchObject({ id: early.personId });
      });

      it('merges three persons at once, and follows merges of merges', async () => {
        const a = await store.identify(
          ws,
          { visitorId: 'va', email: 'a@example.com' },
          t0 + 3 * day,
        );
        const b = await store.identify(
          ws,
          { visitorId: 'vb', email: 'b@example.com' },
          t0 + 2 * day,
        );
        const c = await store.identify(ws, { visitorId: 'vc', userId: 'u-c' }, t0 + 4 * day);
        const abc = await store.identify(
          ws,
          { visitorId: 'va', email: 'b@example.com', userId: 'u-c' },
          t0 + 5 * day,
        );
        expect(abc).toEqual({ personId: b.personId, visitorNewlyLinked: true });
        const oldest = await store.identify(ws, { visitorId: 'vz', email: 'z@example.com' }, t0);
        const all = await store.identify(
          ws,
          { email: 'z@example.com', userId: 'u-c' },
          t0 + 6 * day,
        );
        expect(all.personId).toBe(oldest.personId);
        for (const merged of [a, b, c]) {
          expect((await store.person(ws, merged.personId))?.id).toBe(oldest.personId);
        }
        const person = await store.person(ws, oldest.personId);
        expect([...(person?.emails ?? [])].sort()).toEqual([
          'a@example.com',
          'b@example.com',
          'z@example.com',
        ]);
        expect(person?.userIds).toEqual(['u-c']);
        expect((await store.visitorsOfPerson(ws, oldest.personId)).sort()).toEqual([
          'va',
          'vb',
          'vc',
          'vz',
        ]);
        expect((await store.emailHashesOf(ws, a.personId)).sort()).toEqual(
          ['a@example.com', 'b@example.com', 'z@example.com'].map(sha256).sort(),
        );
      });

      it('answers for many emails, user ids and persons at once, as one at a time would', async () => {
        const ada = await store.identify(ws, { visitorId: 'laptop', email: 'ada@example.com' }, t0);
        await store.identify(ws, { visitorId: 'phone', email: 'ada@example.com' }, t0 + day);
        const lin = await store.identify(ws, { visitorId: 'v-lin', userId: 'crm-7' }, t0);
        const older = await store.identify(
          ws,
          { visitorId: 'v-old', email: 'old@example.com' },
          t0 - day,
        );
        // Lin turns out to be the older person: lin's id is merged into it.
        await store.identify(ws, { email: 'old@example.com', userId: 'crm-7' }, t0 + 2 * day);

        const { byEmail, byUserId } = await store.personIdsOf(ws, {
          emails: [' ADA@example.com', 'old@example.com', 'nobody@example.com'],
          userIds: ['crm-7', 'crm-unknown'],
        });
        expect(byEmail).toEqual(
          new Map([
            [' ADA@example.com', ada.personId],
            ['old@example.com', older.personId],
          ]),
        );
        expect(byUserId).toEqual(new Map([['crm-7', older.personId]]));
        expect(await store.personIdsOf(ws, { emails: [], userIds: [] })).toEqual({
          byEmail: new Map(),
          byUserId: new Map(),
        });

        const visitors = await store.visitorsOfPersons(ws, [
          ada.personId,
          lin.personId,
          'p_nobody',
        ]);
        expect(visitors).toEqual(
          new Map([
            [ada.personId, ['laptop', 'phone']],
            [lin.personId, await store.visitorsOfPerson(ws, older.personId)],
          ]),
        );
        expect(visitors.get(lin.personId)?.sort()).toEqual(['v-lin', 'v-old']);
        expect(await store.visitorsOfPersons(ws, [])).toEqual(new Map());
      });

      it('links a claim without a visitor, and ignores blank parts', async () => {
        const result = await store.identify(ws, { email: 'ada@example.com', visitorId: '  ' }, t0);
        expect(result.visitorNewlyLinked).toBe(false);
        expect(await store.visitorsOfPerson(ws, result.personId)).toEqual([]);
        const withBlankEmail = await store.identify(ws, { userId: 'u-1', email: ' ' }, t0);
        expect(await store.person(ws, withBlankEmail.personId)).toMatchObject({
          emails: [],
          userIds: ['u-1'],
        });
      });

      it('refuses a claim with neither email nor user id', async () => {
        for (const claim of [{}, { visitorId: 'v1' }, { email: '  ', userId: '' }]) {
          expect((await failure(store.identify(ws, claim, t0))).code).toBe('CL_ERR_IDENTITY');
        }
        expect(await store.personsByVisitor(ws)).toEqual(new Map());
      });
    });

    describe('alias', () => {
      let ws: string;
      beforeEach(async () => {
        ws = (await store.createWorkspace('Acme')).workspace.id;
      });

      it('ties an anonymous visitor to a user id', async () => {
        const known = await store.identify(ws, { visitorId: 'v1', userId: 'u-42' }, t0);
        const aliased = await store.alias(ws, 'v2', 'u-42', t0 + day);
        expect(aliased).toEqual({ personId: known.personId, visitorNewlyLinked: true });
        expect(await store.visitorsOfPerson(ws, known.personId)).toEqual(['v1', 'v2']);
        const fresh = await store.alias(ws, 'v3', 'u-7', t0 + day);
        expect(fresh.visitorNewlyLinked).toBe(true);
        // v3 was never seen: it may have been a user id too, and is kept as one.
        expect(await store.person(ws, fresh.personId)).toMatchObject({ userIds: ['u-7', 'v3'] });
      });

      it('ties an earlier user id to the new one, linking no visitor', async () => {
        const known = await store.identify(ws, { visitorId: 'v1', userId: 'old-id' }, t0);
        const aliased = await store.alias(ws, 'old-id', 'new-id', t0 + day);
        expect(aliased).toEqual({ personId: known.personId, visitorNewlyLinked: false });
        expect(await store.person(ws, known.personId)).toMatchObject({
          userIds: ['old-id', 'new-id'],
        });
        expect(await store.personsByVisitor(ws)).toEqual(new Map([['v1', known.personId]]));
      });

      it('ties a previous user id first seen in the alias to the person, whichever comes first', async () => {
        // The alias first: later calls by the previous user id (a backend's, or another
        // browser's) are the same person.
        const aliased = await store.alias(ws, 'old-user', 'new-user', t0);
        const backend = await store.identify(
          ws,
          { visitorId: 'user:old-user', userId: 'old-user' },
          t0 + day,
        );
        const browser = await store.identify(
          ws,
          { visitorId: 'v9', userId: ' old-user ' },
          t0 + day,
        );
        expect([backend.personId, browser.personId]).toEqual([aliased.personId, aliased.personId]);
        expect((await store.personByUserId(ws, 'old-user'))?.id).toBe(aliased.personId);
        // The previous user id first.
        const known = await store.identify(ws, { visitorId: 'user:old-2', userId: 'old-2' }, t0);
        expect((await store.alias(ws, 'old-2', 'new-2', t0 + day)).personId).toBe(known.personId);
        expect((await store.personByUserId(ws, 'new-2'))?.id).toBe(known.personId);
      });

      it('merges the visitor’s person with the user id’s person', async () => {
        const byEmail = await store.identify(ws, { visitorId: 'v1', email: 'ada@example.com' }, t0);
        const byUserId = await store.identify(ws, { visitorId: 'v2', userId: 'u-42' }, t0 + day);
        expect(await store.alias(ws, 'v1', 'u-42', t0 + 2 * day)).toEqual({
          personId: byEmail.personId,
          visitorNewlyLinked: false,
        });
        expect(await store.person(ws, byUserId.personId)).toMatchObject({
          id: byEmail.personId,
          emails: ['ada@example.com'],
          userIds: ['u-42'],
        });
        expect((await failure(store.alias(ws, '', 'u-42', t0))).code).toBe('CL_ERR_IDENTITY');
        expect((await failure(store.alias(ws, 'v1', ' ', t0))).code).toBe('CL_ERR_IDENTITY');
      });
    });

    it('finds a person by user id, trimmed, and no one for an unknown id', async () => {
      const ws = (await store.ensureDefaultWorkspace()).id;
      const made = await store.identify(ws, { visitorId: 'v1', userId: 'hs-501' }, t0);
      expect((await store.personByUserId(ws, ' hs-501 '))?.id).toBe(made.personId);
      expect(await store.personByUserId(ws, 'hs-502')).toBeUndefined();
      const other = (await store.createWorkspace('Vandelay')).workspace.id;
      expect(await store.personByUserId(other, 'hs-501')).toBeUndefined();
      // Given with spaces, a user id is stored as it is looked up: trimmed, by identify or alias.
      const spaced = await store.identify(ws, { visitorId: 'v2', userId: ' hs-601 ' }, t0);
      expect((await store.personByUserId(ws, 'hs-601'))?.id).toBe(spaced.personId);
      await store.alias(ws, 'v3', ' hs-701 ', t0);
      expect(
        await store.visitorsOfPerson(ws, (await store.personByUserId(ws, 'hs-701'))?.id ?? ''),
      ).toEqual(['v3']);
      await store.alias(ws, ' hs-701 ', 'hs-702', t0);
      expect((await store.personByUserId(ws, 'hs-702'))?.id).toBe(
        (await store.personByUserId(ws, 'hs-701'))?.id,
      );
    });

    it('finds the persons of an email domain, merged ones once', async () => {
      const ws = (await store.ensureDefaultWorkspace()).id;
      const ada = await store.identify(ws, { visitorId: 'v1', email: 'ada@acme.com' }, t0);
      await store.identify(ws, { visitorId: 'v2', email: 'Grace@ACME.com' }, t0 + day);
      await store.identify(ws, { visitorId: 'v3', email: 'linus@other.org' }, t0);
      await store.identify(ws, { email: 'ada@acme.com', userId: 'u-1' }, t0 + 2 * day);
      await store.identify(ws, { email: 'ada.work@acme.com', userId: 'u-1' }, t0 + 3 * day);
      const found = await store.personsAtDomain(ws, 'ACME.com');
      expect(found).toHaveLength(2);
      expect(found).toContain(ada.personId);
      expect(await store.personsAtDomain(ws, 'cme.com')).toEqual([]);
    });

    describe('tenant isolation', () => {
      it('never shows one workspace the persons, visitors or keys of another', async () => {
        const a = await store.createWorkspace('Acme');
        const b = await store.createWorkspace('Globex');
        const wa = a.workspace.id;
        const wb = b.workspace.id;
        const claim = { visitorId: 'v1', email: 'ada@example.com', userId: 'u-42' };
        const inA = await store.identify(wa, claim, t0);
        const inB = await store.identify(wb, claim, t0 + day);
        expect(inB.personId).not.toBe(inA.personId);
        expect(inB.visitorNewlyLinked).toBe(true);

        for (const [own, other, mine, theirs] of [
          [wa, wb, inA.personId, inB.personId],
          [wb, wa, inB.personId, inA.personId],
        ] as const) {
          expect((await store.personByEmail(own, 'ada@example.com'))?.id).toBe(mine);
          expect(await store.person(own, theirs)).toBeUndefined();
          expect((await store.person(own, mine))?.workspaceId).toBe(own);
          expect(await store.visitorsOfPerson(own, theirs)).toEqual([]);
          expect(await store.emailHashesOf(own, theirs)).toEqual([]);
          expect(await store.personsByVisitor(own)).toEqual(new Map([['v1', mine]]));
          expect(await store.writeKeyOf(own)).not.toBe(await store.writeKeyOf(other));
        }
        expect((await store.workspaceByWriteKey(a.writeKey))?.id).toBe(wa);
        expect((await store.workspaceBySecretKey(b.secretKey))?.id).toBe(wb);

        // A merge in one workspace leaves the other alone.
        await store.identify(wa, { visitorId: 'v9', email: 'grace@example.com' }, t0 - day);
        await store.identify(wa, { email: 'grace@example.com', userId: 'u-42' }, t0 + 2 * day);
        expect(await store.person(wb, inB.personId)).toMatchObject({
          id: inB.personId,
          emails: ['ada@example.com'],
        });
        expect(await store.personsByVisitor(wb)).toEqual(new Map([['v1', inB.personId]]));
      });

      it('answers batch and domain reads with the asking workspace’s persons only', async () => {
        const wa = (await store.createWorkspace('Acme')).workspace.id;
        const wb = (await store.createWorkspace('Globex')).workspace.id;
        // The same email, domain and user id in both, each known by other visitors; and in
        // each, one person at the domain whom the other workspace has never seen.
        const adaA = await store.identify(
          wa,
          { visitorId: 'a-laptop', email: 'ada@example.com', userId: 'u-42' },
          t0,
        );
        await store.identify(wa, { visitorId: 'a-phone', email: 'ada@example.com' }, t0 + day);
        const graceA = await store.identify(
          wa,
          { visitorId: 'a-grace', email: 'grace@example.com', userId: 'u-7' },
          t0,
        );
        const adaB = await store.identify(
          wb,
          { visitorId: 'b-laptop', email: 'ADA@example.com', userId: 'u-42' },
          t0 + day,
        );
        const linusB = await store.identify(
          wb,
          { visitorId: 'b-linus', email: 'linus@example.com', userId: 'u-9' },
          t0 + day,
        );
        expect(adaB.personId).not.toBe(adaA.personId);

        const sideA = {
          own: wa,
          ada: adaA.personId,
          only: graceA.personId,
          onlyEmail: 'grace@example.com',
          onlyUserId: 'u-7',
          visitors: new Map([
            [adaA.personId, ['a-laptop', 'a-phone']],
            [graceA.personId, ['a-grace']],
          ]),
        };
        const sideB = {
          own: wb,
          ada: adaB.personId,
          only: linusB.personId,
          onlyEmail: 'linus@example.com',
          onlyUserId: 'u-9',
          visitors: new Map([
            [adaB.personId, ['b-laptop']],
            [linusB.personId, ['b-linus']],
          ]),
        };
        for (const [mine, theirs] of [
          [sideA, sideB],
          [sideB, sideA],
        ] as const) {
          const keys = {
            emails: ['ada@example.com', mine.onlyEmail, theirs.onlyEmail],
            userIds: ['u-42', mine.onlyUserId, theirs.onlyUserId],
          };
          expect(await store.personIdsOf(mine.own, keys)).toEqual({
            byEmail: new Map([
              ['ada@example.com', mine.ada],
              [mine.onlyEmail, mine.only],
            ]),
            byUserId: new Map([
              ['u-42', mine.ada],
              [mine.onlyUserId, mine.only],
            ]),
          });
          // Keys only the other workspace knows find nobody.
          expect(
            await store.personIdsOf(mine.own, {
              emails: [theirs.onlyEmail],
              userIds: [theirs.onlyUserId],
            }),
          ).toEqual({ byEmail: new Map(), byUserId: new Map() });

          // The other workspace's person ids have no visitors here.
          expect(await store.visitorsOfPersons(mine.own, [theirs.ada, theirs.only])).toEqual(
            new Map(),
          );
          expect(
            await store.visitorsOfPersons(mine.own, [mine.ada, theirs.ada, mine.only, theirs.only]),
          ).toEqual(mine.visitors);

          expect([...(await store.personsAtDomain(mine.own, 'example.com'))].sort()).toEqual(
            [mine.ada, mine.only].sort(),
          );
        }
      });
    });
  });
}
