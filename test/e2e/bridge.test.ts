/**
 * The bridge as a box in a meeting room runs it: the single-file bundle alone in an empty folder,
 * `node peekcast-bridge.mjs bridge send` in its own process, ffmpeg
 * encoding the `test` picture or a file into RTP, werift sending it to a real receiver page in
 * Debian's chromium, through the real server on 127.0.0.1. Pictures must be decoded there; a killed
 * ffmpeg must come back; the control API must start, resize and stop the bridge; SIGTERM must leave
 * no ffmpeg behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeekcastServer, type PeekcastServer } from '../../server/app.js';
import { ffprobe, packetStats } from '../fixtures/ffprobe.js';
import { fixturePath } from '../fixtures/generate.js';
import { launchChromium, watchPageErrors } from '../helpers/browser.js';
import { castState as state, expectFramesGrowing, openReceiver as openReceiverAt, pairCode as code } from '../helpers/receiver-page.js';
import { DIST_ROOT } from '../helpers/serve.js';

let server: PeekcastServer;
let browser: Browser;
const bridges: Bridge[] = [];
/** Stands in for ffmpeg with a UVC device behind it (see the script). */
const fakeFfmpeg = fileURLToPath(new URL('../fixtures/fake-v4l2-ffmpeg.sh', import.meta.url));
/** The single-file bridge (`npm run build:bridge`), copied alone into an empty folder: no node_modules near it. */
let bundleDir: string;

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'peekcast-bridge-'));
  copyFileSync(join(DIST_ROOT, 'peekcast-bridge.mjs'), join(bundleDir, 'peekcast-bridge.mjs'));
  server = await createPeekcastServer({ root: DIST_ROOT, port: 0, host: '127.0.0.1' });
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
});

afterAll(async () => {
  for (const b of bridges) b.child.kill('SIGKILL');
  await browser?.close();
  await server?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.port}`;
const openReceiver = () => openReceiverAt(browser, base());

interface LogLine {
  event: string;
  [key: string]: unknown;
}

/** A bridge process and the JSON lines it has logged so far. */
interface Bridge {
  child: ChildProcess;
  lines: LogLine[];
  exited: Promise<number | null>;
}

function startBridge(args: string[], command: 'send' | 'receive' = 'send'): Bridge {
  const child = spawn(process.execPath, ['peekcast-bridge.mjs', 'bridge', command, '--server', base(), '--log-json', ...args], { cwd: bundleDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ event: 'text', line });
      }
    });
  }
  // 'close', not 'exit': by then stdout and stderr are drained, so the last log lines are in.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const bridge = { child, lines, exited };
  bridges.push(bridge);
  return bridge;
}

const states = (b: Bridge) => b.lines.filter((l) => l.event === 'state').map((l) => l.state);
const lastState = (b: Bridge) => states(b).at(-1);
const ffmpegPids = (b: Bridge) => b.lines.filter((l) => l.event === 'ffmpeg').map((l) => l.pid as number);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const size = (page: Page) => page.locator('[data-testid=remote-video]').evaluate((v: HTMLVideoElement) => `${v.videoWidth}x${v.videoHeight}`);

describe('bridge send', () => {
  it('casts the test picture to a receiver page, survives a killed ffmpeg, and leaves nothing behind on SIGTERM', async () => {
    const tv = await openReceiver();
    const bridge = startBridge(['--source', 'test', '--size', '640x360', '--fps', '25', '--code', await code(tv.page)]);
    await expect.poll(() => state(tv.page), { timeout: 20_000 }).toBe('playing');
    await expectFramesGrowing(tv.page);
    expect(await size(tv.page)).toBe('640x360');
    await expect.poll(() => lastState(bridge)).toBe('casting');
    expect(states(bridge)[0]).toBe('starting');

    // ffmpeg dies: the bridge says so, starts it again, and the pictures come back.
    const pid = ffmpegPids(bridge).at(-1)!;
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => states(bridge).includes('source-lost'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => lastState(bridge), { timeout: 10_000 }).toBe('casting');
    expect(ffmpegPids(bridge).at(-1)).not.toBe(pid);
    await expectFramesGrowing(tv.page);

    // ffmpeg hangs (a stuck device: alive, silent): the receiver says the source is lost instead of
    // freezing on the last picture, and the bridge restarts ffmpeg.
    const hung = ffmpegPids(bridge).at(-1)!;
    process.kill(hung, 'SIGSTOP');
    await expect.poll(() => tv.page.locator('[data-testid=source-lost]').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => tv.page.locator('[data-testid=source-lost]').count(), { timeout: 15_000 }).toBe(0);
    expect(ffmpegPids(bridge).at(-1)).not.toBe(hung);
    expect(bridge.lines.some((l) => l.event === 'ffmpeg-stalled')).toBe(true);
    await expectFramesGrowing(tv.page);
    expect(alive(hung)).toBe(false);

    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    expect(lastState(bridge)).toBe('stopped');
    for (const p of ffmpegPids(bridge)) expect(alive(p), `ffmpeg ${p} left running`).toBe(false);
    await expect.poll(() => state(tv.page), { timeout: 10_000 }).toBe('waiting');
    expect(tv.errors).toEqual([]);
    await tv.page.close();
  });

  it('loops a file, and takes start, resize and stop from the control API', async () => {
    const tv = await openReceiver();
    const bridge = startBridge(['--source', `file:${fixturePath('h264-faststart')}`, '--size', '480x270', '--name', 'Room 4']);
    const api = (path: string, body?: object) =>
      fetch(`${base()}/api/v1${path}`, { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${server.apiToken}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    type Sender = { id: string; name: string; online: boolean; sources?: string[] };
    const room = async () => ((await (await api('/senders')).json()) as { senders: Sender[] }).senders.find((s) => s.name === 'Room 4' && s.online);
    await expect.poll(room, { timeout: 15_000 }).toBeTruthy();
    const { id, sources } = (await room())!;
    const sourceId = `file:${fixturePath('h264-faststart')}`;
    expect(sources).toEqual([sourceId]);

    // Started by its source, as the API lists it: the bridge that has it casts it.
    const started = await api('/screen', { action: 'start', params: { source_id: sourceId, receiver: await code(tv.page) } });
    expect(await started.json()).toMatchObject({ ok: true, sender: id });
    await expect.poll(() => state(tv.page), { timeout: 20_000 }).toBe('playing');
    await expectFramesGrowing(tv.page);
    expect(await size(tv.page)).toBe('480x270');

    // A new size restarts the encoder at it; the receiver follows without pairing again.
    const resized = await api('/screen', { action: 'set_resolution', params: { sender: id, resolution: '320x180' } });
    expect(resized.status).toBe(200);
    await expect.poll(() => size(tv.page), { timeout: 15_000 }).toBe('320x180');
    await expectFramesGrowing(tv.page);

    expect((await api('/screen', { action: 'stop', params: { sender: id } })).status).toBe(200);
    await expect.poll(() => state(tv.page), { timeout: 10_000 }).toBe('waiting');
    await expect.poll(() => lastState(bridge)).toBe('waiting');
    bridge.child.kill('SIGINT');
    expect(await bridge.exited).toBe(0);
    await tv.page.close();
  });

  it('casts a capture device, says when it is unplugged, and comes back when it is plugged in again', async () => {
    // The stand-in device (test/fixtures/fake-v4l2-ffmpeg.sh): present while this file exists.
    const device = join(bundleDir, 'video-dongle');
    writeFileSync(device, '');
    const tv = await openReceiver();
    const bridge = startBridge(['--source', `v4l2:${device}`, '--size', '640x360', '--ffmpeg', fakeFfmpeg, '--code', await code(tv.page)]);
    await expect.poll(() => state(tv.page), { timeout: 20_000 }).toBe('playing');
    await expectFramesGrowing(tv.page);
    expect(bridge.lines.find((l) => l.event === 'capture')).toMatchObject({ format: 'mjpeg', width: 640, height: 480, passthrough: false });

    // Unplugged: the device is gone and its ffmpeg fails. The screen says so; the bridge keeps asking.
    rmSync(device);
    process.kill(ffmpegPids(bridge).at(-1)!, 'SIGKILL');
    await expect.poll(() => tv.page.locator('[data-testid=source-lost]').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => bridge.lines.filter((l) => l.event === 'device').length, { timeout: 10_000 }).toBeGreaterThan(1);
    expect(lastState(bridge)).toBe('source-lost');

    // Plugged in again: pictures come back on their own.
    writeFileSync(device, '');
    await expect.poll(() => lastState(bridge), { timeout: 15_000 }).toBe('casting');
    await expect.poll(() => tv.page.locator('[data-testid=source-lost]').count(), { timeout: 10_000 }).toBe(0);
    await expectFramesGrowing(tv.page);
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    await tv.page.close();
  });

  it('says a missing capture device is lost and keeps trying, and refuses a bad command line', async () => {
    const bridge = startBridge(['--source', 'v4l2:/dev/video-peekcast-none']);
    await expect.poll(() => lastState(bridge), { timeout: 10_000 }).toBe('source-lost');
    await expect.poll(() => bridge.lines.filter((l) => l.event === 'device').length, { timeout: 10_000 }).toBeGreaterThan(1);
    expect(String(bridge.lines.find((l) => l.event === 'device')?.message)).toContain('/dev/video-peekcast-none');
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);

    // No screen program here (no mpv, no kmssink, no framebuffer): the drm sink says what to install.
    const screen = startBridge(['--sink', 'drm'], 'receive');
    expect(await screen.exited).toBe(1);
    expect(String(screen.lines.find((l) => l.event === 'display')?.message)).toContain('apt-get install mpv');

    const bad = startBridge(['--source', 'camera']);
    expect(await bad.exited).toBe(1);
    expect(bad.lines.map((l) => l.line ?? '').join('\n')).toContain('is not a source');
  });
});

describe('bridge receive', () => {
  it('shows a pairing code, records the cast of a browser page (picture and sound) without re-encoding, and finishes the file on SIGTERM', async () => {
    const out = join(bundleDir, 'cast.mkv');
    const bridge = startBridge(['--sink', `file:${out}`], 'receive');
    await expect.poll(() => bridge.lines.find((l) => l.event === 'pair-code')?.code, { timeout: 15_000 }).toMatch(/^\d{6}$/);
    expect(lastState(bridge)).toBe('waiting');
    const pairCode = String(bridge.lines.find((l) => l.event === 'pair-code')!.code);

    const sender = await browser.newPage();
    const errors = watchPageErrors(sender);
    // The fake camera and microphone: picture and sound.
    await sender.goto(`${base()}/cast?source=camera&resolution=640x360&code=${pairCode}&autostart=1`);
    await expect.poll(() => sender.locator('[data-testid=receiver]').getAttribute('data-state').catch(() => null), { timeout: 20_000 }).toBe('connected');
    await expect.poll(() => lastState(bridge), { timeout: 10_000 }).toBe('casting');
    await expect.poll(() => bridge.lines.some((l) => l.event === 'recording'), { timeout: 10_000 }).toBe(true);
    await sender.waitForTimeout(3000);

    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    const probe = await ffprobe(out);
    const video = probe.streams.find((st) => st.codec_type === 'video')!;
    expect(['vp8', 'h264']).toContain(video.codec_name);
    // Within the size cap (the fake camera picks its nearest mode: 4:3).
    expect(video.width).toBeGreaterThan(0);
    expect(video.width).toBeLessThanOrEqual(640);
    expect(video.height).toBeLessThanOrEqual(360);
    expect(probe.streams.find((st) => st.codec_type === 'audio')?.codec_name).toBe('opus');
    expect((await packetStats(out, 'a:0')).count).toBeGreaterThan(50);
    expect((await packetStats(out, 'v:0')).count).toBeGreaterThan(30);
    expect(errors).toEqual([]);
    await sender.close();
  });
});
