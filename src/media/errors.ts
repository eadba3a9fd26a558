/**
 * An error the user should read: `code` is stable for tests and logs, `message` says what
 * the file is and what happens next.
 */
export class MediaError extends Error {
  readonly code: string;
  readonly format: string | undefined;

  constructor(code: string, message: string, format?: string) {
    super(message);
    this.name = 'MediaError';
    this.code = code;
    this.format = format;
  }
}
