import { ASTER_WS_ERRORS } from './constants';

/** A parsed WS control message, or the error frame to answer [DOC §Live Subscribing/Unsubscribing]. */
export type AsterWsControl =
  | { kind: 'subscribe' | 'unsubscribe'; id: number | null; params: string[] }
  | { kind: 'list'; id: number | null }
  | { kind: 'setProperty'; id: number | null; property: string; value: unknown }
  | { kind: 'getProperty'; id: number | null; property: string }
  | { kind: 'error'; frame: Record<string, unknown> };

const METHODS = '`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';

function invalid(msg: string, id?: unknown): AsterWsControl {
  const frame: Record<string, unknown> = {
    code: ASTER_WS_ERRORS.invalidRequest,
    msg: `Invalid request: ${msg}`,
  };
  if (id !== undefined) frame.id = id;
  return { kind: 'error', frame };
}

export function parseWsControl(text: string): AsterWsControl {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'expected value';
    return { kind: 'error', frame: { code: ASTER_WS_ERRORS.invalidJson, msg: `Invalid JSON: ${reason}` } };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return invalid('expected an object');
  const o = msg as Record<string, unknown>;
  const rawId = o.id;
  if (rawId !== undefined && rawId !== null && !(Number.isInteger(rawId) && (rawId as number) >= 0)) {
    return invalid('request ID must be an unsigned integer');
  }
  const id = (rawId as number | null | undefined) ?? null;
  if (!('method' in o)) return invalid('missing field `method`', id);
  const method = o.method;
  if (typeof method !== 'string') return invalid('property name must be a string', id);
  const params = o.params;
  switch (method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) {
        return invalid('property name must be a string', id);
      }
      return { kind: method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe', id, params: params as string[] };
    }
    case 'LIST_SUBSCRIPTIONS':
      return { kind: 'list', id };
    case 'SET_PROPERTY': {
      if (!Array.isArray(params) || params.length !== 2 || typeof params[0] !== 'string') {
        return invalid('invalid value for `params`', id);
      }
      return { kind: 'setProperty', id, property: params[0], value: params[1] };
    }
    case 'GET_PROPERTY': {
      if (!Array.isArray(params) || params.length !== 1 || typeof params[0] !== 'string') {
        return invalid('invalid value for `params`', id);
      }
      return { kind: 'getProperty', id, property: params[0] };
    }
    default:
      return invalid(`unknown variant \`${method}\`, expected one of ${METHODS}`, id);
  }
}
