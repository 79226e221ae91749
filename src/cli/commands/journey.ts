import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { normaliseEmail } from '../../core/emails.js';
import { ClosedloopError } from '../../core/errors.js';
import type { EventStore, StateStore } from '../../store/ports.js';
import { resolveWorkspace, withStore } from '../store-access.js';

interface RawJourneyOptions extends RawStoreOptions {
  email?: string;
  json?: boolean;
}

export function registerJourney(program: Command): void {
  program
    .command('journey')
    .description("print a person's journey: every session of every device, and their conversions")
    .requiredOption('--email <email>', "the person's email")
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print one JSON document')
    .action(async (options: RawJourneyOptions) => {
      const config = parseStoreConfig(options, process.env);
      const journey = await withStore(config, async ({ state, events }) => {
        const workspace = await resolveWorkspace(state, config.workspace);
        return journeyOf(state, events, workspace.id, options.email ?? '');
      });
      process.stdout.write(
        options.json === true ? `${JSON.stringify(journey)}\n` : formatJourney(journey),
      );
    });
}

export interface PersonJourney {
  readonly person: { readonly id: string; readonly emails: readonly string[] };
  readonly visitors: readonly string[];
  readonly sessions: readonly {
    readonly id: string;
    readonly visitorId: string;
    readonly startedAt: string;
    readonly channel: string;
    readonly source: string | null;
    readonly medium: string | null;
    readonly campaign: string | null;
    readonly landingPage: string | null;
    readonly referrer: string | null;
    readonly bot: boolean;
  }[];
  readonly conversions: readonly {
    readonly type: string;
    readonly at: string;
    readonly sessionId: string | null;
  }[];
}

export async function journeyOf(
  state: StateStore,
  events: EventStore,
  workspaceId: string,
  email: string,
): Promise<PersonJourney> {
  const person = await state.personByEmail(workspaceId, email);
  if (person === undefined) {
    throw new ClosedloopError(
      'CL_ERR_NOT_FOUND',
      `--email: no person with the email "${normaliseEmail(email)}" in this workspace`,
    );
  }
  const visitors = await state.visitorsOfPerson(workspaceId, person.id);
  const sessions = await events.sessionsOfVisitors(workspaceId, visitors);
  const conversions = await events.conversionsOfVisitors(workspaceId, visitors);
  const iso = (at: number) => new Date(at).toISOString();
  return {
    person: { id: person.id, emails: person.emails },
    visitors,
    sessions: [...sessions]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((s) => ({
        id: s.id,
        visitorId: s.visitorId,
        startedAt: iso(s.startedAt),
        channel: s.channel,
        source: s.source,
        medium: s.medium,
        campaign: s.campaign,
        landingPage: s.landingPage,
        referrer: s.referrer,
        bot: s.bot,
      })),
    conversions: [...conversions]
      .sort((a, b) => a.at - b.at)
      .map((c) => ({ type: c.type, at: iso(c.at), sessionId: c.sessionId })),
  };
}

function formatJourney(journey: PersonJourney): string {
  const lines = [
    `${journey.person.emails.join(', ')} (${journey.person.id}), ${journey.visitors.length} device(s)`,
  ];
  // One timeline: a conversion sits among the visits around it. ISO times sort as text, and a
  // stable sort keeps a conversion after the visit that starts at the same instant.
  const timeline = [
    ...journey.sessions.map((s) => ({
      at: s.startedAt,
      line: `  ${s.startedAt}  ${s.channel.padEnd(18)} ${s.landingPage ?? ''}${s.bot ? '  [bot]' : ''}`,
    })),
    ...journey.conversions.map((c) => ({ at: c.at, line: `  ${c.at}  converted: ${c.type}` })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const entry of timeline) lines.push(entry.line);
  return `${lines.join('\n')}\n`;
}
