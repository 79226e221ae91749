import type { FastifyRequest } from 'fastify';
import { ClosedloopError } from '../core/errors.js';
import type { StateStore, Workspace } from '../store/ports.js';

/** The workspace of the secret key in `Authorization: Bearer sk_…` (read and admin routes). */
export async function workspaceOfSecretKey(
  state: StateStore,
  request: FastifyRequest,
): Promise<Workspace> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^bearer\s+(\S+)$/i.exec(header);
  if (match === null) {
    throw new ClosedloopError(
      'CL_ERR_AUTH',
      'Authorization: expected "Bearer <secret key>" (`closedloop workspace key` issues one)',
    );
  }
  const workspace = await state.workspaceBySecretKey(match[1] as string);
  if (workspace === undefined) throw new ClosedloopError('CL_ERR_AUTH', 'secret key: unknown');
  return workspace;
}
