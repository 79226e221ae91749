import type Database from 'better-sqlite3';
import { normaliseEmail } from '../../core/emails.js';
import { ClosedloopError } from '../../core/errors.js';
import { phoneUserId } from '../../core/phones.js';
import type { IdentifyResult, IdentityClaim, Person, StateStore } from '../ports.js';
import { guarded } from './failures.js';
import { newPersonId, sha256Hex } from './keys.js';

export const identitySql = {
  visitorOwner: 'SELECT person_id FROM visitors WHERE workspace_id = ? AND visitor_id = ?',
  emailOwner: 'SELECT person_id FROM person_emails WHERE workspace_id = ? AND email = ?',
  userIdOwner: 'SELECT person_id FROM person_user_ids WHERE workspace_id = ? AND user_id = ?',
  holdsEmail: 'SELECT email FROM person_emails WHERE workspace_id = ? AND person_id = ? LIMIT 1',
  // Oldest first: the person known earliest survives a merge; ties go to the one made first.
  oldestPerson: `SELECT id FROM persons
    WHERE workspace_id = ? AND id IN (SELECT value FROM json_each(?))
    ORDER BY created_at, rowid LIMIT 1`,
  insertPerson: 'INSERT INTO persons (id, workspace_id, created_at) VALUES (?, ?, ?)',
  insertEmail: `INSERT INTO person_emails (workspace_id, email, email_sha256, person_id, added_at)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id, email) DO NOTHING`,
  insertUserId: `INSERT INTO person_user_ids (workspace_id, user_id, person_id, added_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, user_id) DO NOTHING`,
  linkVisitor: `INSERT INTO visitors (workspace_id, visitor_id, person_id, linked_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, visitor_id) DO NOTHING`,
  moveEmails: 'UPDATE person_emails SET person_id = ? WHERE workspace_id = ? AND person_id = ?',
  moveUserIds: 'UPDATE person_user_ids SET person_id = ? WHERE workspace_id = ? AND person_id = ?',
  moveVisitors: 'UPDATE visitors SET person_id = ? WHERE workspace_id = ? AND person_id = ?',
  markMerged: 'UPDATE persons SET merged_into = ? WHERE workspace_id = ? AND id = ?',
  // Those merged into the loser before now point at the survivor too: one hop always suffices.
  repointMerged: 'UPDATE persons SET merged_into = ? WHERE workspace_id = ? AND merged_into = ?',
  recordMerge: `INSERT INTO person_merges (workspace_id, from_person_id, into_person_id, at)
    VALUES (?, ?, ?, ?)`,
  livePerson: `SELECT coalesce(merged_into, id) FROM persons WHERE workspace_id = ? AND id = ?`,
  person: 'SELECT id, created_at FROM persons WHERE workspace_id = ? AND id = ?',
  emailsOf: `SELECT email, email_sha256 FROM person_emails WHERE workspace_id = ? AND person_id = ?
    ORDER BY added_at, email`,
  userIdsOf: `SELECT user_id FROM person_user_ids WHERE workspace_id = ? AND person_id = ?
    ORDER BY added_at, user_id`,
  visitorsOf: `SELECT visitor_id FROM visitors WHERE workspace_id = ? AND person_id = ?
    ORDER BY linked_at, visitor_id`,
  personsByVisitor: 'SELECT visitor_id, person_id FROM visitors WHERE workspace_id = ?',
  personsAtDomain: `SELECT DISTINCT person_id FROM person_emails
    WHERE workspace_id = ? AND domain = ? ORDER BY person_id`,
  // Lists travel as one JSON array; each key's person is the live one (merges repoint the keys,
  // the join makes sure).
  personsOfEmails: `SELECT e.email, coalesce(p.merged_into, p.id) FROM person_emails e
    JOIN persons p ON p.workspace_id = e.workspace_id AND p.id = e.person_id
    WHERE e.workspace_id = ? AND e.email IN (SELECT value FROM json_each(?))`,
  personsOfUserIds: `SELECT u.user_id, coalesce(p.merged_into, p.id) FROM person_user_ids u
    JOIN persons p ON p.workspace_id = u.workspace_id AND p.id = u.person_id
    WHERE u.workspace_id = ? AND u.user_id IN (SELECT value FROM json_each(?))`,
  visitorsOfPersons: `SELECT json_each.value, v.visitor_id FROM json_each(?)
    JOIN persons p ON p.workspace_id = ? AND p.id = json_each.value
    JOIN visitors v ON v.workspace_id = p.workspace_id AND v.person_id = coalesce(p.merged_into, p.id)
    ORDER BY json_each.value, v.linked_at, v.visitor_id`,
} as const;

type IdentityMethods = Pick<
  StateStore,
  | 'identify'
  | 'alias'
  | 'personByEmail'
  | 'personByUserId'
  | 'person'
  | 'visitorsOfPerson'
  | 'personsByVisitor'
  | 'emailHashesOf'
  | 'personsAtDomain'
  | 'personIdsOf'
  | 'visitorsOfPersons'
>;

/** What one call ties together; every part already normalised and non-empty. */
interface Links {
  readonly visitorId: string | undefined;
  readonly emails: readonly string[];
  readonly userIds: readonly string[];
  /** `tel:+…`: a weaker key than the others (see `phoneMayJoin`). */
  readonly phoneUserId: string | undefined;
}

/** Persons and the identity graph joining visitors, emails and user ids to them. */
export function sqliteIdentityGraph(db: Database.Database): IdentityMethods {
  const sql = identitySql;
  const one = (text: string) => db.prepare<[string, string], string>(text).pluck();
  const visitorOwner = one(sql.visitorOwner);
  const emailOwner = one(sql.emailOwner);
  const userIdOwner = one(sql.userIdOwner);
  const holdsEmail = one(sql.holdsEmail);
  const oldestPerson = one(sql.oldestPerson);
  const livePerson = one(sql.livePerson);
  const insertPerson = db.prepare<[string, string, number]>(sql.insertPerson);
  const insertEmail = db.prepare<[string, string, string, string, number]>(sql.insertEmail);
  const insertUserId = db.prepare<[string, string, string, number]>(sql.insertUserId);
  const linkVisitor = db.prepare<[string, string, string, number]>(sql.linkVisitor);
  const moves = [
    sql.moveEmails,
    sql.moveUserIds,
    sql.moveVisitors,
    sql.markMerged,
    sql.repointMerged,
  ].map((text) => db.prepare<[string, string, string]>(text));
  const recordMerge = db.prepare<[string, string, string, number]>(sql.recordMerge);
  const person = db.prepare<[string, string], { id: string; created_at: number }>(sql.person);
  const emailsOf = db.prepare<[string, string], { email: string; email_sha256: string }>(
    sql.emailsOf,
  );
  const userIdsOf = one(sql.userIdsOf);
  const visitorsOf = one(sql.visitorsOf);
  const personsByVisitor = db.prepare<[string], [string, string]>(sql.personsByVisitor).raw();
  const personsAtDomain = db.prepare<[string, string], string>(sql.personsAtDomain).pluck();
  const pairs = (text: string) => db.prepare<[string, string], [string, string]>(text).raw();
  const personsOfEmails = pairs(sql.personsOfEmails);
  const personsOfUserIds = pairs(sql.personsOfUserIds);
  const visitorsOfPersons = pairs(sql.visitorsOfPersons);

  /**
   * Union-find over the graph: the persons already holding any of the links merge into the oldest
   * of them (their emails, user ids and visitors move to it), or a new person is made when none
   * does; then the links missing are attached to it.
   */
  const link = db.transaction((workspaceId: string, links: Links, at: number): IdentifyResult => {
    const previousOwner =
      links.visitorId === undefined ? undefined : visitorOwner.get(workspaceId, links.visitorId);
    const owners = new Set<string>();
    if (previousOwner !== undefined) owners.add(previousOwner);
    for (const email of links.emails) addDefined(owners, emailOwner.get(workspaceId, email));
    for (const userId of links.userIds) addDefined(owners, userIdOwner.get(workspaceId, userId));
    const phoneOwner =
      links.phoneUserId === undefined ? undefined : userIdOwner.get(workspaceId, links.phoneUserId);
    if (phoneOwner !== undefined && phoneMayJoin(workspaceId, phoneOwner, owners, links)) {
      owners.add(phoneOwner);
    }

    let personId: string;
    if (owners.size === 0) {
      personId = newPersonId();
      insertPerson.run(personId, workspaceId, at);
    } else {
      personId = oldestPerson.get(workspaceId, JSON.stringify([...owners])) as string;
      for (const loser of owners) {
        if (loser === personId) continue;
        for (const move of moves) move.run(personId, workspaceId, loser);
        recordMerge.run(workspaceId, loser, personId, at);
      }
    }
    for (const email of links.emails) {
      insertEmail.run(workspaceId, email, sha256Hex(email), personId, at);
    }
    for (const userId of links.userIds) insertUserId.run(workspaceId, userId, personId, at);
    // A number its owner keeps (phoneMayJoin refused) is left with them: the insert does nothing.
    if (links.phoneUserId !== undefined) {
      insertUserId.run(workspaceId, links.phoneUserId, personId, at);
    }
    if (links.visitorId !== undefined) linkVisitor.run(workspaceId, links.visitorId, personId, at);
    return {
      personId,
      visitorNewlyLinked: links.visitorId !== undefined && previousOwner !== personId,
    };
  });

  /**
   * Whether the person known by a phone number joins the others a claim names. A number is shared
   * (a company's switchboard, a family's line): it links a device or a claim without an email to
   * its person, but never merges two persons who each gave an email.
   */
  function phoneMayJoin(
    workspaceId: string,
    phoneOwner: string,
    owners: ReadonlySet<string>,
    links: Links,
  ): boolean {
    if (owners.has(phoneOwner) || holdsEmail.get(workspaceId, phoneOwner) === undefined)
      return true;
    return (
      links.emails.length === 0 && ![...owners].some((owner) => holdsEmail.get(workspaceId, owner))
    );
  }

  /** The person an id names now: itself, or the person it was merged into. */
  const live = (workspaceId: string, personId: string) => livePerson.get(workspaceId, personId);

  function loadPerson(workspaceId: string, personId: string): Person | undefined {
    const id = live(workspaceId, personId);
    const row = id === undefined ? undefined : person.get(workspaceId, id);
    if (row === undefined) return undefined;
    return {
      id: row.id,
      workspaceId,
      emails: emailsOf.all(workspaceId, row.id).map((email) => email.email),
      userIds: userIdsOf.all(workspaceId, row.id),
      createdAt: row.created_at,
    };
  }

  return {
    identify: (workspaceId, claim, at) =>
      guarded('identify', () => {
        const links = claimLinks(claim);
        if (
          links.emails.length === 0 &&
          links.userIds.length === 0 &&
          links.phoneUserId === undefined
        ) {
          throw new ClosedloopError(
            'CL_ERR_IDENTITY',
            'identify: the claim holds no email or user id, so it names nobody',
          );
        }
        return link.immediate(workspaceId, links, at);
      }),
    alias: (workspaceId, previousId, userId, at) =>
      guarded('alias', () => {
        const previous = usable(previousId);
        // User ids are kept trimmed, as they are looked up; a visitor id is kept as the events say.
        const user = usable(userId)?.trim();
        if (previous === undefined || user === undefined) {
          throw new ClosedloopError(
            'CL_ERR_IDENTITY',
            'alias: both the previous id and the user id must be given',
          );
        }
        // Segment's previous id is whichever id the user was known by: an earlier user id or an
        // anonymous (visitor) id. Known as neither yet, it may be either, and is linked as both,
        // so that calls made later by that user id find this person.
        const knownUserId = userIdOwner.get(workspaceId, previous.trim()) !== undefined;
        const knownVisitor = visitorOwner.get(workspaceId, previous) !== undefined;
        const links: Links = {
          visitorId: knownVisitor || !knownUserId ? previous : undefined,
          emails: [],
          userIds: knownUserId || !knownVisitor ? [previous.trim(), user] : [user],
          phoneUserId: undefined,
        };
        return link.immediate(workspaceId, links, at);
      }),
    personsAtDomain: (workspaceId, domain) =>
      guarded('personsAtDomain', () =>
        personsAtDomain.all(workspaceId, domain.trim().toLowerCase()),
      ),
    personIdsOf: (workspaceId, { emails, userIds }) =>
      guarded('personIdsOf', () => {
        const byEmail = new Map<string, string>();
        if (emails.length > 0) {
          const owners = new Map(
            personsOfEmails.all(
              workspaceId,
              JSON.stringify([...new Set(emails.map(normaliseEmail))]),
            ),
          );
          for (const email of emails) addEntry(byEmail, email, owners.get(normaliseEmail(email)));
        }
        const byUserId = new Map<string, string>();
        if (userIds.length > 0) {
          const owners = new Map(
            personsOfUserIds.all(
              workspaceId,
              JSON.stringify([...new Set(userIds.map((id) => id.trim()))]),
            ),
          );
          for (const userId of userIds) addEntry(byUserId, userId, owners.get(userId.trim()));
        }
        return { byEmail, byUserId };
      }),
    visitorsOfPersons: (workspaceId, personIds) =>
      guarded('visitorsOfPersons', () => {
        const visitors = new Map<string, string[]>();
        if (personIds.length === 0) return visitors;
        const rows = visitorsOfPersons.all(JSON.stringify([...new Set(personIds)]), workspaceId);
        for (const [person, visitor] of rows) {
          const list = visitors.get(person) ?? [];
          list.push(visitor);
          visitors.set(person, list);
        }
        return visitors;
      }),
    personByEmail: (workspaceId, email) =>
      guarded('personByEmail', () => {
        const owner = emailOwner.get(workspaceId, normaliseEmail(email));
        return owner === undefined ? undefined : loadPerson(workspaceId, owner);
      }),
    personByUserId: (workspaceId, userId) =>
      guarded('personByUserId', () => {
        const owner = userIdOwner.get(workspaceId, userId.trim());
        return owner === undefined ? undefined : loadPerson(workspaceId, owner);
      }),
    person: (workspaceId, personId) => guarded('person', () => loadPerson(workspaceId, personId)),
    visitorsOfPerson: (workspaceId, personId) =>
      guarded('visitorsOfPerson', () => {
        const id = live(workspaceId, personId);
        return id === undefined ? [] : visitorsOf.all(workspaceId, id);
      }),
    personsByVisitor: (workspaceId) =>
      guarded('personsByVisitor', () => new Map(personsByVisitor.all(workspaceId))),
    emailHashesOf: (workspaceId, personId) =>
      guarded('emailHashesOf', () => {
        const id = live(workspaceId, personId);
        return id === undefined
          ? []
          : emailsOf.all(workspaceId, id).map((email) => email.email_sha256);
      }),
  };
}

function claimLinks(claim: IdentityClaim): Links {
  // Normalised first: a zero-width space or a bare `mailto:` is blank too.
  const email = typeof claim.email === 'string' ? normaliseEmail(claim.email) : '';
  const phone = usable(claim.phone);
  const userId = usable(claim.userId)?.trim();
  return {
    visitorId: usable(claim.visitorId),
    emails: email === '' ? [] : [email],
    userIds: userId === undefined ? [] : [userId],
    phoneUserId: phone === undefined ? undefined : phoneUserId(phone),
  };
}

/** A string with something in it; blank or missing parts of a claim are ignored. */
function usable(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function addEntry(map: Map<string, string>, key: string, value: string | undefined): void {
  if (value !== undefined) map.set(key, value);
}

function addDefined(set: Set<string>, value: string | undefined): void {
  if (value !== undefined) set.add(value);
}
