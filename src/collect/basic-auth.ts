import type { FastifyRequest } from 'fastify';

/** The user name and password of an HTTP basic-auth header; undefined without one. */
export function basicAuthCredentials(
  request: FastifyRequest,
): { readonly user: string; readonly password: string } | undefined {
  const header = request.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0
    ? { user: decoded, password: '' }
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
