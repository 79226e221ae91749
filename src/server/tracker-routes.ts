import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ClosedloopError } from '../core/errors.js';
import { demoSitePage } from './demo-site.js';

export interface TrackerRoutesOptions {
  /** The built tracker (default: dist/tracker/t.js of this package). */
  readonly file?: string;
  /**
   * The write key of the demo site's snippet, asked per request: the demo workspace is filled
   * after the server starts. No key (or no function): no demo site.
   */
  readonly demoSiteWriteKey?: () => string | undefined;
}

/** Both src/server and dist/server sit two folders below the package root. */
const builtTracker = resolve(import.meta.dirname, '../../dist/tracker/t.js');

/**
 * `GET /t.js`, the browser tracker, and `GET /demo-site/`, a page that embeds it. The tracker is
 * read once and kept; browsers may keep it an hour and then revalidate it by its ETag.
 */
export async function registerTrackerRoutes(
  app: FastifyInstance,
  options: TrackerRoutesOptions = {},
): Promise<void> {
  const file = options.file ?? builtTracker;
  let tracker: { body: Buffer; etag: string } | undefined;

  app.get('/t.js', async (request, reply) => {
    if (tracker === undefined) {
      const body = await readFile(file).catch(() => undefined);
      if (body === undefined) {
        throw new ClosedloopError(
          'CL_ERR_NOT_FOUND',
          `GET /t.js: the tracker is not built (${file}); run npm run build`,
        );
      }
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
      tracker = { body, etag: `"${hash}"` };
    }
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=3600')
      .header('etag', tracker.etag);
    if (matchesEtag(request.headers['if-none-match'], tracker.etag)) return reply.code(304).send();
    return reply.send(tracker.body);
  });

  // The query goes along: a visit tagged with UTMs or a click id keeps them.
  app.get('/demo-site', async (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(`/demo-site/${query === -1 ? '' : request.url.slice(query)}`);
  });
  app.get('/demo-site/', async (_request, reply) => {
    const writeKey = options.demoSiteWriteKey?.();
    if (writeKey === undefined) {
      throw new ClosedloopError(
        'CL_ERR_NOT_FOUND',
        'GET /demo-site/: no demo site (start with closedloop serve --demo)',
      );
    }
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('cache-control', 'no-store')
      .send(demoSitePage(writeKey));
  });
}

/**
 * Whether If-None-Match names the tag: a list, a weak tag (`W/"…"`, as caches and proxies send it
 * back) or `*` match too, as RFC 9110 compares them for GET.
 */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}
