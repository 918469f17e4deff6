import type { BackpackErrorCode } from './constants';

/** A Backpack error answer: HTTP status plus the documented JSON body {code, message}. */
export class BackpackApiError extends Error {
  override readonly name = 'BackpackApiError' as const;
  readonly status: number;
  readonly code: BackpackErrorCode;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: BackpackErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  body(): { code: BackpackErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
