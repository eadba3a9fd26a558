/**
 * The bridge's log: one JSON object a line with `--log-json` (the test hooks: `state`,
 * `pair-code`, …), readable lines otherwise. Everything goes to stdout except errors.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface BridgeLog {
  (event: string, fields?: LogFields, message?: string): void;
  error(event: string, fields?: LogFields, message?: string): void;
}

export function createLog(json: boolean, write: (line: string, error: boolean) => void = defaultWrite): BridgeLog {
  const emit = (isError: boolean) => (event: string, fields: LogFields = {}, message?: string) => {
    if (json) {
      write(JSON.stringify({ time: new Date().toISOString(), event, ...fields, ...(message ? { message } : {}) }), isError);
      return;
    }
    const details = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    write(`${event}${details ? ` ${details}` : ''}${message ? ` — ${message}` : ''}`, isError);
  };
  const log = emit(false) as BridgeLog;
  log.error = emit(true);
  return log;
}

function defaultWrite(line: string, error: boolean): void {
  (error ? process.stderr : process.stdout).write(`${line}\n`);
}
