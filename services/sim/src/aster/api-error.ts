import type { AsterErrorDef } from './constants';

/** A venue error answered as `{code,msg}` with its HTTP status. `%s` in the message is filled in order. */
export class AsterApiError extends Error {
  override readonly name = 'AsterApiError';
  readonly status: number;
  readonly code: number;
  readonly headers: Record<string, string>;

  constructor(def: AsterErrorDef, args: (string | number)[] = [], headers: Record<string, string> = {}) {
    let i = 0;
    const msg = def.msg.replace(/%s/g, () => String(args[i++] ?? ''));
    super(msg);
    this.status = def.status;
    this.code = def.code;
    this.headers = headers;
  }

  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}
