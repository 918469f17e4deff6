/**
 * Whether a fault's route pattern matches a request's route id ("<METHOD> <path>"):
 * "*" matches all; otherwise an exact id, a prefix of the path ("/fapi/v1/") or of the id ("POST /api/").
 */
export function routeMatches(pattern: string, routeId: string): boolean {
  if (pattern === '*' || pattern === routeId) return true;
  if (pattern.startsWith('/')) {
    const space = routeId.indexOf(' ');
    const path = space >= 0 ? routeId.slice(space + 1) : routeId;
    return path.startsWith(pattern);
  }
  return routeId.startsWith(pattern);
}
