/**
 * Casting as people do it, with real WebRTC between pages of Debian's chromium on 127.0.0.1 and the
 * real server's signaling: a sender page with chromium's fake screen casts to two receiver pages,
 * pictures arrive on both, stop and cast again, a wrong code is refused, a receiver reload comes
 * back, and a server killed and restarted mid-cast leaves the media flowing and signaling working.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeekcastServer, type PeekcastServer } from '../../server/app.js';
import { fixturePath } from '../fixtures/generate.js';
import { launchChromium, watchPageErrors } from '../helpers/browser.js';
import { castState as state, expectFramesGrowing, openReceiver as openReceiverAt, pairCode as code } from '../helpers/receiver-page.js';
import { DIST_ROOT } from '../helpers/serve.js';

let server: PeekcastServer;
let browser: Browser;
let scratch: string;

beforeAll(async () => {
  server = await createPeekcastServer({ root: DIST_ROOT, port: 0, host: '127.0.0.1' });
  browser = await launchChromium([
    '--use-fake-ui-for-media-stream',
    // Three fake cameras, so the camera picker has a choice (the second is a 16-bit depth camera;
    // the third, fake_device_2, delivers MJPEG like a USB webcam).
    '--use-fake-device-for-media-stream=device-count=3',
    '--auto-select-desktop-capture-source=Entire screen',
    '--autoplay-policy=no-user-gesture-required',
  ]);
  scratch = mkdtempSync(join(tmpdir(), 'peekcast-cast-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.port}`;
const openReceiver = () => openReceiverAt(browser, base());


async function castTo(sender: Page, receiver: Page): Promise<void> {
  await sender.locator('[data-testid=cast-code]').fill(await code(receiver));
  await sender.locator('[data-testid=cast-start]').click();
  await expect.poll(() => state(receiver), { timeout: 20_000 }).toBe('playing');
}

describe('casting between pages', () => {
  it('casts a screen to two receivers, stops, casts again, and refuses a wrong code', async () => {
    const tv = await openReceiver();
    const projector = await openReceiver();
    expect(await code(tv.page)).not.toBe(await code(projector.page));
    const sender = await browser.newPage();
    const senderErrors = watchPageErrors(sender);
    await sender.goto(`${base()}/cast`);

    // A wrong code first: said in words, nothing starts.
    const wrong = (await code(tv.page)) === '000000' ? '000001' : '000000';
    await sender.locator('[data-testid=cast-code]').fill(wrong);
    await sender.locator('[data-testid=cast-start]').click();
    await expect.poll(() => sender.locator('[data-testid=cast-error]').textContent().catch(() => ''), { timeout: 10_000 }).toContain('No screen shows that code');

    await castTo(sender, tv.page);
    await castTo(sender, projector.page);
    await expectFramesGrowing(tv.page);
    await expectFramesGrowing(projector.page);
    expect(await sender.locator('[data-testid=receiver]').count()).toBe(2);
    await expect.poll(() => sender.locator('[data-testid=receiver]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['connected', 'connected']);
    expect(await state(sender)).toBe('casting');
    // The receivers estimate their latency from their own figures.
    await expect.poll(async () => Number(await tv.page.locator('[data-testid=latency-ms]').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);

    // Stop: both screens show a new code; casting again works with it.
    const oldCode = await code(tv.page);
    await sender.locator('[data-testid=cast-stop]').click();
    await expect.poll(() => state(tv.page), { timeout: 10_000 }).toBe('waiting');
    await expect.poll(() => state(projector.page), { timeout: 10_000 }).toBe('waiting');
    await expect.poll(() => code(tv.page)).toMatch(/^\d{6}$/);
    expect(await code(tv.page)).not.toBe(oldCode);
    await castTo(sender, tv.page);
    await expectFramesGrowing(tv.page);

    expect([...tv.errors, ...projector.errors, ...senderErrors]).toEqual([]);
    await Promise.all([tv.page.close(), projector.page.close(), sender.close()]);
  });

  it('casts a camera chosen in the picker, switches cameras without pairing again, caps size and frame rate, and shows the latency on both sides', async () => {
    const tv = await openReceiver();
    const sender = await browser.newPage();
    const errors = watchPageErrors(sender);
    await sender.goto(`${base()}/cast?source=camera`);
    await castTo(sender, tv.page);
    await expectFramesGrowing(tv.page);
    // Once capture is allowed the picker names every camera; the preview shows which one is cast.
    const cameras = sender.locator('[data-testid=camera-device] option');
    await expect.poll(() => cameras.allTextContents(), { timeout: 10_000 }).toEqual(['Default camera', 'fake_device_0', 'fake_device_1', 'fake_device_2']);
    const second = await cameras.nth(3).getAttribute('value');
    const castDevice = () => sender.locator('video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0]?.getSettings().deviceId);
    expect(await castDevice()).not.toBe(second);
    await sender.locator('[data-testid=camera-device]').selectOption(second!);
    await expect.poll(castDevice, { timeout: 10_000 }).toBe(second);
    // The same peer connection carries the new camera: no new pairing, pictures keep coming.
    expect(await state(tv.page)).toBe('playing');
    await expectFramesGrowing(tv.page);

    await sender.locator('[data-testid=size-cap]').selectOption('854x480');
    await sender.locator('[data-testid=fps-cap]').selectOption('15');
    await expect.poll(() => tv.page.locator('[data-testid=remote-video]').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 15_000 }).toBeLessThanOrEqual(854);
    await expect.poll(() => sender.locator('video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0]!.getSettings().frameRate), { timeout: 10_000 }).toBeLessThanOrEqual(15);

    // The receiver's latency estimate, on its screen and reported to the sender's panel.
    await expect.poll(async () => Number(await sender.locator('[data-testid=receiver-latency-ms]').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    // Both panels carry the figures: size, frame rate, bitrate, loss, round trip, jitter buffer.
    await expect.poll(() => tv.page.locator('.bar').textContent(), { timeout: 10_000 }).toMatch(/\d+×\d+ · \d+ fps[\s\S]*Mb\/s[\s\S]*loss[\s\S]*RTT \d+ ms[\s\S]*jitter buffer \d+ ms/);
    expect(await sender.locator('[data-testid=receiver]').textContent()).toMatch(/\d+×\d+ · \d+ fps[\s\S]*Mb\/s[\s\S]*RTT \d+ ms[\s\S]*loss[\s\S]*jitter buffer \d+ ms/);
    // The TV samples its estimate each second and reports it: the two agree once a report has landed.
    await expect.poll(async () => {
      const onScreen = Number(await tv.page.locator('[data-testid=latency-ms]').textContent());
      return Math.abs(Number(await sender.locator('[data-testid=receiver-latency-ms]').textContent()) - onScreen);
    }, { timeout: 10_000 }).toBeLessThan(100);
    expect([...errors, ...tv.errors]).toEqual([]);
    await Promise.all([tv.page.close(), sender.close()]);
  });

  it('casts the video open in the player, its pictures and its sound', async () => {
    const tv = await openReceiver();
    const app = await browser.newPage();
    const errors = watchPageErrors(app);
    await app.goto(`${base()}/?thumbs=2`);
    await app.locator('[data-testid=file-input]').setInputFiles(fixturePath('h264-faststart'));
    await expect.poll(() => app.locator('[data-testid=player]').getAttribute('data-frame'), { timeout: 20_000 }).toBe('0');
    await app.locator('[data-testid=open-cast]').click();
    await app.locator('[data-testid=cast-source]').selectOption('file');
    await castTo(app, tv.page);
    // Closing the panel does not stop the cast; the receiver gets the player's frames as it plays,
    // and its sound as a second track.
    await app.locator('[data-testid=close-cast]').click();
    await app.locator('[data-testid=play]').click();
    await expectFramesGrowing(tv.page);
    expect(await state(tv.page)).toBe('playing');
    expect(await tv.page.locator('[data-testid=remote-video]').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getTracks().map((t) => t.kind).sort())).toEqual(['audio', 'video']);
    expect(errors).toEqual([]);
    await Promise.all([tv.page.close(), app.close()]);
  });

  it('starts, resizes and stops a cast from the control API, through a sender page', async () => {
    const tv = await openReceiver();
    const sender = await browser.newPage();
    await sender.goto(`${base()}/cast?name=Lobby`);
    const api = (path: string, body?: object, token = server.apiToken) =>
      fetch(`${base()}/api/v1${path}`, { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    // Pages of the earlier tests are gone (offline, their places kept a while); this one is the only one online.
    await expect.poll(async () => ((await (await api('/senders')).json()) as { senders: Array<{ name: string; online: boolean }> }).senders.filter((s) => s.online).map((s) => s.name), { timeout: 10_000 }).toEqual(['Lobby']);
    expect((await api('/screen', { action: 'start', params: { source_id: 'pattern' } }, 'not-the-token-000000000')).status).toBe(401);

    const started = await api('/screen', { action: 'start', params: { source_id: 'pattern', resolution: '640x360', receiver: await code(tv.page) } });
    expect(await started.json()).toMatchObject({ ok: true, detail: 'casting pattern' });
    await expect.poll(() => state(tv.page), { timeout: 20_000 }).toBe('playing');
    await expectFramesGrowing(tv.page);
    await expect.poll(() => tv.page.locator('[data-testid=remote-video]').evaluate((v: HTMLVideoElement) => `${v.videoWidth}x${v.videoHeight}`), { timeout: 10_000 }).toBe('640x360');
    const lobby = ((await (await api('/senders')).json()) as { senders: Array<{ id: string; name: string; casting: boolean }> }).senders.find((s) => s.name === 'Lobby')!;
    expect(lobby.casting).toBe(true);
    const casts = ((await (await api('/casts')).json()) as { casts: Array<{ sender: string; receivers: string[] }> }).casts;
    expect(casts.filter((c) => c.sender === lobby.id).map((c) => c.receivers.length)).toEqual([1]);

    expect((await api('/screen', { action: 'stop' })).status).toBe(200);
    await expect.poll(() => state(tv.page), { timeout: 10_000 }).toBe('waiting');

    // The screen itself, started remotely: no click on the sender page (kiosk flags, see DEVELOPERS.md).
    const screen = await api('/screen', { action: 'start', params: { source_id: 'screen', receiver: await code(tv.page) } });
    expect(await screen.json()).toMatchObject({ ok: true, detail: 'casting screen' });
    await expect.poll(() => state(tv.page), { timeout: 20_000 }).toBe('playing');
    await expectFramesGrowing(tv.page);
    expect((await api('/screen', { action: 'stop' })).status).toBe(200);
    await expect.poll(() => state(tv.page), { timeout: 10_000 }).toBe('waiting');
    await Promise.all([tv.page.close(), sender.close()]);
  });

  it('brings a reloaded receiver back, and keeps the media flowing while the server restarts', async () => {
    const tv = await openReceiver();
    const sender = await browser.newPage();
    await sender.goto(`${base()}/cast?source=screen`);
    await castTo(sender, tv.page);
    await expectFramesGrowing(tv.page);

    // The TV reloads: it takes its place back and the sender offers again.
    await tv.page.reload();
    await expect.poll(() => state(tv.page), { timeout: 20_000 }).toBe('playing');
    await expectFramesGrowing(tv.page);

    // The server goes away: the peer-to-peer media do not need it.
    const port = server.port;
    await server.close();
    await expectFramesGrowing(tv.page);
    // It comes back on the same port: both pages reconnect and take their places back, so the sender can stop the cast.
    server = await createPeekcastServer({ root: DIST_ROOT, port, host: '127.0.0.1' });
    await expect.poll(() => server.signaling!.stats().peers, { timeout: 20_000 }).toBe(2);
    await sender.locator('[data-testid=cast-stop]').click();
    await expect.poll(() => state(tv.page), { timeout: 10_000 }).toBe('waiting');
    await expect.poll(() => code(tv.page)).toMatch(/^\d{6}$/);
    await Promise.all([tv.page.close(), sender.close()]);
  });
});
