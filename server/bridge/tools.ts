/** Running the programs the bridge relies on (ffmpeg, mpv, getcap…) and looking for files, without throwing. */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';

/** How a program run went: whether it exists, whether it exited 0, and what it printed (stdout, then stderr). */
export interface ToolRun {
  found: boolean;
  ok: boolean;
  output: string;
}

export function runTool(command: string, args: string[], timeoutMs = 10_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ found: !(error && (error as NodeJS.ErrnoException).code === 'ENOENT'), ok: !error, output: `${stdout}${stderr}` });
    });
  });
}

export const pathExists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
