import { createHash, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  user: string;
  password: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether an `Authorization` header carries these credentials (HTTP Basic). Compared as SHA-256 digests
 * with timingSafeEqual, so neither length nor content leaks through timing.
 */
export function checkBasicAuth(header: string | undefined, expected: Credentials): boolean {
  if (header === undefined) return false;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, sep)), digest(expected.user));
  const passOk = timingSafeEqual(digest(decoded.slice(sep + 1)), digest(expected.password));
  return userOk && passOk;
}

/** The user name of a Basic header (for "who issued this command"), without checking it. */
export function basicAuthUser(header: string | undefined): string | null {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  return sep < 0 ? null : decoded.slice(0, sep);
}
