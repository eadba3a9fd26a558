/**
 * Triage as a user meets it: a generated folder of mixed, nested and broken videos opened through
 * the folder input of the built app in Debian's chromium; facts checked against ffprobe, problems
 * against the file made to have each, flags across a reload, sort, filter and the exported reports.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../src/shared/triage-report.js';
import { launchChromium } from '../helpers/browser.js';
import { choose, openApp } from '../helpers/app.js';
import { fixturePath } from '../fixtures/generate.js';
import { startServer, type TestServer } from '../helpers/serve.js';
import { ensureTriageFolder, TRIAGE_FILES } from '../fixtures/triage-folder.js';

const run = promisify(execFile);
let server: TestServer;
let browser: Browser;
let folder: string;

beforeAll(async () => {
  [server, browser, folder] = await Promise.all([startServer(), launchChromium(), ensureTriageFolder()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const rows = (page: Page) => page.locator('[data-testid=triage-row]');
const row = (page: Page, path: string) => page.locator(`[data-testid=triage-row][data-path="${path}"]`);

/** Opens `dir` (of `files` videos) through the folder input and waits until every file is described. */
async function openFolder(page: Page, dir: string, files = TRIAGE_FILES.length): Promise<void> {
  await page.locator('[data-testid=folder-input]').setInputFiles(dir);
  await page.locator(`[data-testid=triage-progress][data-total="${files}"][data-done=true]`).waitFor({ timeout: 45_000 });
}

async function shownPaths(page: Page): Promise<string[]> {
  return rows(page).evaluateAll((els) => els.map((el) => el.getAttribute('data-path') ?? ''));
}

async function download(page: Page, testid: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=${testid}]`).click()]);
  return readFile((await file.path())!, 'utf8');
}

interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
}

async function ffprobe(path: string): Promise<{ duration: number; streams: ProbedStream[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', path]);
  const json = JSON.parse(stdout) as { format: { duration: string }; streams: ProbedStream[] };
  return { duration: Number(json.format.duration), streams: json.streams };
}

describe('triage of a folder', () => {
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ page, errors } = await openApp(browser, server.url));
    await openFolder(page, folder);
  }, 60_000);

  it('lists every video of the folder and its subfolders, and nothing else', async () => {
    const paths = await shownPaths(page);
    expect([...paths].sort()).toEqual(TRIAGE_FILES.map((f) => f.path).sort());
    expect(paths).not.toContain('notes.txt');
    expect(paths).not.toContain('.hidden.mp4');
    expect(await rows(page).evaluateAll((els) => els.every((el) => el.getAttribute('data-state') === 'done'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('flags each problem on the file made to have it, and on no other', async () => {
    for (const file of TRIAGE_FILES) {
      const ids = await row(page, file.path).locator('[data-testid=problem]').evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
      expect({ path: file.path, problems: ids }).toEqual({ path: file.path, problems: file.problems });
    }
  });

  it('exports JSON whose facts match ffprobe for every readable file', async () => {
    const report = JSON.parse(await download(page, 'export-json')) as {
      folder: string;
      files: Array<{ path: string; sizeBytes: number; info: { durationSec: number; tracks: Array<{ type: string; codec: string; width?: number; height?: number }> } | null; problems: Array<{ id: string; message: string }> }>;
    };
    expect(report.folder).toBe('triage-folder');
    expect(report.files).toHaveLength(TRIAGE_FILES.length);
    for (const file of report.files) {
      const expected = TRIAGE_FILES.find((f) => f.path === file.path)!;
      expect(file.problems.map((p) => p.id)).toEqual(expected.problems);
      for (const problem of file.problems) expect(problem.message.length).toBeGreaterThan(10);
      if (expected.problems.includes('unreadable')) {
        expect(file.info).toBeNull();
        continue;
      }
      const probed = await ffprobe(join(folder, file.path));
      expect(file.info, file.path).not.toBeNull();
      expect(Math.abs(file.info!.durationSec - probed.duration), file.path).toBeLessThan(0.1);
      const mine = file.info!.tracks.filter((t) => t.type === 'video' || t.type === 'audio');
      const theirs = probed.streams.filter((s) => s.codec_type === 'video' || s.codec_type === 'audio');
      expect(mine.map((t) => [t.type, t.codec, t.width, t.height]), file.path).toEqual(theirs.map((s) => [s.codec_type, s.codec_name, s.width, s.height]));
    }
  });

  it('exports a CSV that parses, one row per file, matching the table', async () => {
    const records = parse(await download(page, 'export-csv'), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS]);
    expect(records.map((r) => r.path).sort()).toEqual(TRIAGE_FILES.map((f) => f.path).sort());
    for (const record of records) {
      const expected = TRIAGE_FILES.find((f) => f.path === record.path)!;
      expect(record.problems, record.path).toBe(expected.problems.join(';'));
    }
    const clean = records.find((r) => r.path === 'clean.mp4')!;
    expect([clean.container, clean.video_codec, clean.width, clean.height, clean.audio_codec]).toEqual(['mp4', 'h264', '320', '240', 'aac']);
    expect(Number(clean.duration_s)).toBeCloseTo(2, 1);
  });

  it('sorts by any column, both ways', async () => {
    await page.locator('[data-testid=sort-size]').click();
    const bySize = await shownPaths(page);
    const sizes = await Promise.all(bySize.map(async (p) => (await readFile(join(folder, p))).byteLength));
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    await page.locator('[data-testid=sort-size]').click();
    const bySizeDown = await shownPaths(page);
    const sizesDown = await Promise.all(bySizeDown.map(async (p) => (await readFile(join(folder, p))).byteLength));
    expect(sizesDown).toEqual([...sizes].sort((a, b) => b - a));
    await page.locator('[data-testid=sort-duration]').click();
    const byDuration = await shownPaths(page);
    // Files without a duration (unreadable) sort last; the rest by what ffprobe says.
    const unreadable = TRIAGE_FILES.filter((f) => f.problems.includes('unreadable')).map((f) => f.path);
    expect(byDuration.slice(-unreadable.length).sort()).toEqual([...unreadable].sort());
    const known = await Promise.all(byDuration.slice(0, -unreadable.length).map(async (p) => (await ffprobe(join(folder, p))).duration));
    for (let i = 1; i < known.length; i++) expect(known[i]! + 0.05).toBeGreaterThanOrEqual(known[i - 1]!);
    await page.locator('[data-testid=sort-name]').click();
    const byName = (await shownPaths(page)).map((p) => p.slice(p.lastIndexOf('/') + 1).toLowerCase());
    expect(byName).toEqual([...byName].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('filters by problem, codec, text, duration, audio, rotation and HDR, with totals of what is shown', async () => {
    const expectShown = async (paths: string[]) => {
      await expect.poll(async () => (await shownPaths(page)).sort()).toEqual([...paths].sort());
      expect(parseTotals(await page.locator('[data-testid=triage-totals]').getAttribute('data-count'))).toBe(paths.length);
    };
    const withProblem = (id: string) => TRIAGE_FILES.filter((f) => (f.problems as string[]).includes(id)).map((f) => f.path);
    await page.locator('[data-testid=filter-problem]').selectOption('unreadable');
    await expectShown(withProblem('unreadable'));
    const totalSize = Number(await page.locator('[data-testid=triage-totals]').getAttribute('data-size'));
    const sizes = await Promise.all(withProblem('unreadable').map(async (p) => (await readFile(join(folder, p))).byteLength));
    expect(totalSize).toBe(sizes.reduce((a, b) => a + b, 0));
    await page.locator('[data-testid=filter-problem]').selectOption('none');
    await expectShown(TRIAGE_FILES.filter((f) => f.problems.length === 0).map((f) => f.path));
    await page.locator('[data-testid=filter-problem]').selectOption('');
    await page.locator('[data-testid=filter-codec]').selectOption('vp9');
    await expectShown(['odd/odd-size.mp4', 'nested/deeper/clip.webm', 'nested/deeper/silent.webm']);
    await page.locator('[data-testid=filter-codec]').selectOption('');
    await page.locator('[data-testid=filter-text]').fill('day1');
    await expectShown(TRIAGE_FILES.filter((f) => f.path.startsWith('day1/')).map((f) => f.path));
    await page.locator('[data-testid=filter-text]').fill('');
    await page.locator('[data-testid=filter-min-duration]').fill('5');
    await expectShown(['day2/long-gop.mp4', 'gap/gap.mp4']);
    await page.locator('[data-testid=filter-min-duration]').fill('');
    await page.locator('[data-testid=filter-audio]').selectOption('no');
    await expectShown(['day1/no-audio.mp4']);
    await page.locator('[data-testid=filter-audio]').selectOption('');
    await page.locator('[data-testid=filter-rotated]').selectOption('yes');
    await expectShown(['day2/rotated.mp4']);
    await page.locator('[data-testid=filter-rotated]').selectOption('');
    await page.locator('[data-testid=filter-hdr]').selectOption('yes');
    await expectShown(['day2/hdr.mp4']);
    await page.locator('[data-testid=filter-hdr]').selectOption('');
    // Every readable file here is under 720p; unreadable ones have no resolution at all.
    await page.locator('[data-testid=filter-resolution]').selectOption('sd');
    await expectShown(TRIAGE_FILES.filter((f) => !f.problems.includes('unreadable')).map((f) => f.path));
    await page.locator('[data-testid=filter-resolution]').selectOption('hd');
    await expectShown([]);
    await page.locator('[data-testid=filter-resolution]').selectOption('');
    await expectShown(TRIAGE_FILES.map((f) => f.path));
  });

  it('shows the same files, facts and problems as a grid of posters', async () => {
    await page.locator('[data-testid=triage-view-grid]').click();
    await expect.poll(() => page.locator('pc-triage .card[data-testid=triage-row]').count()).toBe(TRIAGE_FILES.length);
    for (const file of TRIAGE_FILES) {
      const ids = await row(page, file.path).locator('[data-testid=problem]').evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
      expect(ids, file.path).toEqual(file.problems);
    }
    await page.locator('[data-testid=triage-view-table]').click();
    await expect.poll(() => page.locator('pc-triage .card').count()).toBe(0);
  });

  it('makes a contact sheet of the selected file', async () => {
    await row(page, 'day2/rotated.mp4').click();
    const [file] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=triage-sheet]').click()]);
    expect(file.suggestedFilename()).toBe('rotated_sheet.jpg');
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', (await file.path())!]);
    const [codec, width, height] = stdout.trim().split(',');
    expect(codec).toBe('mjpeg');
    // 24 upright (portrait) cells under a header: taller than one row of them, wider than a few.
    expect(Number(width)).toBeGreaterThan(600);
    expect(Number(height)).toBeGreaterThan(600);
  });

  it('compares two files side by side: facts with differences marked, one scrubber, playing together, split and wipe', async () => {
    await row(page, 'clean.mp4').click();
    await page.keyboard.press('c');
    await row(page, 'day2/bframes.mp4').click();
    await page.locator('[data-testid=triage-compare]').click();
    const compare = page.locator('pc-compare');
    const players = compare.locator('[data-testid=player]');
    await expect.poll(() => players.count(), { timeout: 20_000 }).toBe(2);
    const differs = async (key: string) => compare.locator(`[data-testid=compare-row][data-key=${key}]`).getAttribute('data-differs');
    expect(await differs('bFrames')).toBe('true');
    expect(await differs('resolution')).toBe('false');
    expect(await differs('container')).toBe('false');
    const times = async () => Promise.all([0, 1].map(async (i) => Number(await players.nth(i).getAttribute('data-time'))));
    await compare.locator('[data-testid=compare-scrubber]').evaluate((el) => {
      const input = el as HTMLInputElement;
      input.value = '1';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await expect.poll(async () => (await times()).every((t) => Math.abs(t - 1) < 0.05), { timeout: 10_000 }).toBe(true);
    await compare.locator('[data-testid=compare-step-forward]').click();
    await expect.poll(async () => (await times()).every((t) => t > 1.01 && t < 1.1), { timeout: 10_000 }).toBe(true);
    await compare.locator('[data-testid=compare-play]').click();
    // Both play (poll: starting two players takes a while on a busy machine), then pause together.
    await expect.poll(async () => (await times())[0], { timeout: 10_000 }).toBeGreaterThan(1.3);
    await compare.locator('[data-testid=compare-play]').click();
    await expect.poll(async () => {
      const [a, b] = await times();
      return a! > 1.3 && Math.abs(a! - b!) < 0.05;
    }, { timeout: 10_000 }).toBe(true);
    await compare.locator('[data-testid=compare-layout-wipe]').click();
    expect(await compare.locator('[data-testid=compare-stage]').getAttribute('data-layout')).toBe('wipe');
    await compare.locator('[data-testid=compare-wipe]').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => rows(page).first().isVisible()).toBe(true);
    expect(await page.locator('pc-compare').count()).toBe(0);
  });

  it('opens the selected file in the player with Enter and comes back with Esc', async () => {
    await row(page, 'day1/vfr.mp4').click();
    await page.keyboard.press('Enter');
    const json = page.locator('[data-testid=metadata-json]');
    await expect.poll(async () => JSON.parse((await json.textContent()) || '{}').sizeBytes, { timeout: 10_000 }).toBe((await readFile(join(folder, 'day1/vfr.mp4'))).byteLength);
    await expect.poll(() => rows(page).first().isVisible()).toBe(false);
    await page.keyboard.press('Escape');
    await expect.poll(() => rows(page).first().isVisible()).toBe(true);
    await expect(page.locator('[data-testid=metadata-json]').count()).resolves.toBe(0);
  });
});

describe('a folder dropped on the page', () => {
  it('is read recursively, as the folder input reads it', async () => {
    const { page, errors } = await openApp(browser, server.url);
    // A real drag of a folder from the system: Chromium turns the path into directory entries.
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: [folder], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, x: 200, y: 200, data });
    await page.locator(`[data-testid=triage-progress][data-total="${TRIAGE_FILES.length}"][data-done=true]`).waitFor({ timeout: 45_000 });
    expect((await shownPaths(page)).sort()).toEqual(TRIAGE_FILES.map((f) => f.path).sort());
    expect(await page.locator('pc-triage h2').textContent()).toBe('triage-folder');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('a folder opened through File System Access', () => {
  it('is walked through its handle, and the report is saved into it', async () => {
    const { page, errors } = await openApp(browser, server.url);
    // The system's folder picker cannot be driven headless: the page's own origin-private file
    // system stands in for the chosen folder. Everything after the picker is the real API.
    const files = {
      'clean.mp4': (await readFile(join(folder, 'clean.mp4'))).toString('base64'),
      'sub/clip.mkv': (await readFile(join(folder, 'nested/clip.mkv'))).toString('base64'),
      '.hidden.mp4': (await readFile(join(folder, 'clean.mp4'))).toString('base64'),
    };
    await page.evaluate(`(async (files) => {
      const root = await navigator.storage.getDirectory();
      const trip = await root.getDirectoryHandle('Trip', { create: true });
      for (const [path, base64] of Object.entries(files)) {
        const parts = path.split('/');
        let dir = trip;
        for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
        const writable = await (await dir.getFileHandle(parts.at(-1), { create: true })).createWritable();
        await writable.write(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
        await writable.close();
      }
      window.showDirectoryPicker = async () => trip;
    })(${JSON.stringify(files)})`);
    await page.locator('pc-file-drop label[for=folder]').click();
    await page.locator('[data-testid=triage-progress][data-total="2"][data-done=true]').waitFor({ timeout: 30_000 });
    expect((await shownPaths(page)).sort()).toEqual(['clean.mp4', 'sub/clip.mkv']);
    await page.locator('[data-testid=save-report]').click();
    await expect.poll(() => page.evaluate(`(async () => {
      const trip = await (await navigator.storage.getDirectory()).getDirectoryHandle('Trip');
      try {
        const file = await (await trip.getFileHandle('Trip - peekcast triage.csv')).getFile();
        return (await file.text()).trim().split('\\r\\n').length;
      } catch { return 0; }
    })()`), { timeout: 10_000 }).toBe(3);
    // The JSON is written after the CSV: poll until it is there and whole.
    const readJson = () => page.evaluate(`(async () => {
      const trip = await (await navigator.storage.getDirectory()).getDirectoryHandle('Trip');
      try {
        return JSON.parse(await (await (await trip.getFileHandle('Trip - peekcast triage.json')).getFile()).text());
      } catch { return null; }
    })()`) as Promise<{ folder: string; files: Array<{ path: string }> } | null>;
    await expect.poll(readJson, { timeout: 10_000 }).not.toBeNull();
    const json = (await readJson())!;
    expect(json.folder).toBe('Trip');
    expect(json.files.map((f) => f.path).sort()).toEqual(['clean.mp4', 'sub/clip.mkv']);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('posters', () => {
  it('are drawn for MP4, MKV and WebM files, the Matroska ones without loading ffmpeg.wasm', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peekcast-posters-'));
    try {
      for (const path of ['clean.mp4', 'nested/clip.mkv', 'nested/deeper/clip.webm']) await copyFile(join(folder, path), join(dir, path.slice(path.lastIndexOf('/') + 1)));
      const { page, errors } = await openApp(browser, server.url);
      const ffmpegRequests: string[] = [];
      page.on('request', (request) => {
        if (/ffmpeg-core/.test(request.url())) ffmpegRequests.push(request.url());
      });
      await openFolder(page, dir, 3);
      for (const name of ['clean.mp4', 'clip.mkv', 'clip.webm']) {
        const canvas = row(page, name).locator('canvas.poster');
        await expect.poll(() => canvas.getAttribute('data-drawn'), { timeout: 20_000 }).toBe('true');
        // testsrc2's colour bars: a drawn poster has bright, saturated pixels, not a black box.
        const brightest = await canvas.evaluate((el) => {
          const c = el as HTMLCanvasElement;
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let max = 0;
          for (let i = 0; i < data.length; i += 4) max = Math.max(max, data[i]!, data[i + 1]!, data[i + 2]!);
          return max;
        });
        expect(brightest, name).toBeGreaterThan(200);
      }
      expect(ffmpegRequests).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('flags', () => {
  it('are set from the keyboard and survive a reload, a rename and opening the folder again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await openFolder(page, folder);
    await row(page, 'clean.mp4').click();
    await page.keyboard.press('k');
    await page.keyboard.press('4');
    await expect.poll(() => row(page, 'clean.mp4').getAttribute('data-flag')).toBe('keep');
    expect(await row(page, 'clean.mp4').getAttribute('data-rating')).toBe('4');
    // N moves to the next file as shown; X rejects it, S stars the one after.
    const order = await shownPaths(page);
    await page.keyboard.press('n');
    await page.keyboard.press('x');
    const second = order[order.indexOf('clean.mp4') + 1]!;
    await expect.poll(() => row(page, second).getAttribute('data-flag')).toBe('reject');
    await page.keyboard.press('n');
    await page.keyboard.press('s');
    const third = order[order.indexOf('clean.mp4') + 2]!;
    await expect.poll(() => row(page, third).getAttribute('data-flag')).toBe('star');
    await page.keyboard.press('p');
    await page.keyboard.press('x');
    await expect.poll(() => row(page, second).getAttribute('data-flag')).toBe('');
    await row(page, 'clean.mp4').click();
    await page.locator('[data-testid=triage-detail] h3', { hasText: /^clean\.mp4$/ }).waitFor();
    await page.locator('[data-testid=triage-tags]').fill('intro, b-roll');
    // Text not yet committed survives a re-render (as progress updates cause while a folder is read).
    await page.evaluate(`(async () => {
      const view = document.querySelector('peekcast-app').shadowRoot.querySelector('pc-triage');
      view.requestUpdate();
      await view.updateComplete;
    })()`);
    expect(await page.locator('[data-testid=triage-tags]').inputValue()).toBe('intro, b-roll');
    await page.locator('[data-testid=triage-tags]').press('Tab');
    // Tags are searchable; the flag filter finds the kept file.
    await page.locator('[data-testid=filter-text]').fill('b-roll');
    await expect.poll(() => shownPaths(page)).toEqual(['clean.mp4']);
    await page.locator('[data-testid=filter-text]').fill('');
    await page.locator('[data-testid=filter-flag]').selectOption('keep');
    await expect.poll(() => shownPaths(page)).toEqual(['clean.mp4']);

    await page.reload();
    await openFolder(page, folder);
    // Marks are read back from IndexedDB as rows fill in: poll.
    await expect.poll(() => row(page, 'clean.mp4').getAttribute('data-flag')).toBe('keep');
    await expect.poll(() => row(page, 'clean.mp4').getAttribute('data-rating')).toBe('4');
    await expect.poll(() => row(page, third).getAttribute('data-flag')).toBe('star');
    await expect.poll(() => row(page, second).getAttribute('data-flag')).toBe('');

    // The same bytes under another name, in another folder: the marks follow the content.
    const renamed = await mkdtemp(join(tmpdir(), 'peekcast-renamed-'));
    try {
      await copyFile(join(folder, 'clean.mp4'), join(renamed, 'renamed.mp4'));
      await openFolder(page, renamed, 1);
      expect(await shownPaths(page)).toEqual(['renamed.mp4']);
      expect(await row(page, 'renamed.mp4').getAttribute('data-flag')).toBe('keep');
      await row(page, 'renamed.mp4').click();
      // The detail pane fills in on the next render after the click: poll, do not read once.
      await expect.poll(() => page.locator('[data-testid=triage-tags]').inputValue()).toBe('intro, b-roll');
    } finally {
      await rm(renamed, { recursive: true, force: true });
      await context.close();
    }
  });
});

function parseTotals(count: string | null): number {
  return Number(count);
}

describe('bitrate and GOP view', () => {
  async function packets(path: string): Promise<{ count: number; keys: number }> {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', path]);
    const lines = stdout.split('\n').filter(Boolean);
    return { count: lines.length, keys: lines.filter((l) => l.startsWith('K')).length };
  }

  it('counts the frames ffprobe counts, from the sample table (MP4) and from ffprobe packets (MKV), and seeks where clicked', async () => {
    const { page, errors } = await openApp(browser, server.url);
    for (const [name, from] of [['bframes', 'sample-table'], ['gap/gap.mp4', 'sample-table'], ['sample-mkv', 'ffprobe']] as const) {
      const path = name.includes('/') ? join(folder, name) : fixturePath(name);
      await choose(page, path);
      const section = page.locator('[data-testid=bitrate-section]');
      await section.waitFor({ timeout: 20_000 });
      if (!(await section.evaluate((el) => (el as HTMLDetailsElement).open))) await section.locator('summary').click();
      const view = page.locator('[data-testid=bitrate-view]');
      const expected = await packets(path);
      await expect.poll(() => view.getAttribute('data-frames'), { timeout: 30_000 }).toBe(String(expected.count));
      expect(await view.getAttribute('data-keyframes')).toBe(String(expected.keys));
      expect(await view.getAttribute('data-source')).toBe(from);
      expect(await page.locator('[data-testid=gop-histogram] [role=listitem]').count()).toBeGreaterThan(0);
      expect(Number(await view.getAttribute('data-peak-bps'))).toBeGreaterThanOrEqual(Number(await view.getAttribute('data-average-bps')) * 0.9);
    }
    // The MKV is on screen: a click at three quarters of the graph seeks there.
    const duration = (await ffprobe(fixturePath('sample-mkv'))).duration;
    const graph = page.locator('[data-testid=bitrate-graph]');
    const box = (await graph.boundingBox())!;
    await page.locator('[data-testid=player]').waitFor({ timeout: 20_000 });
    await graph.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
    await expect.poll(async () => Math.abs(Number(await page.locator('[data-testid=player]').getAttribute('data-time')) - duration * 0.75), { timeout: 20_000 }).toBeLessThan(0.1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
