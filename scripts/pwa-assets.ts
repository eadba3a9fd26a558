/**
 * Draws the PWA's install assets with Debian's chromium: PNG icons (192 and 512, any and maskable,
 * and a monochrome one) from the SVGs in public/icons/, and the install dialog's screenshots (wide
 * and narrow) of the built app with a video open. Run after `npm run build` when the icons or the
 * look of the app change: `node --import tsx scripts/pwa-assets.ts`. The results are committed.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { createPeekcastServer } from '../server/app.js';

const root = join(import.meta.dirname, '..');
const icons = join(root, 'public/icons');
const run = promisify(execFile);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const [svg, out, sizes] of [
    ['icon.svg', 'icon', [192, 512]],
    ['icon-maskable.svg', 'icon-maskable', [192, 512]],
    ['icon-monochrome.svg', 'icon-monochrome', [512]],
  ] as const) {
    const markup = await readFile(join(icons, svg), 'utf8');
    for (const size of sizes) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${markup}`);
      await page.screenshot({ path: join(icons, `${out}-${size}.png`), omitBackground: true });
      await page.close();
    }
  }

  // Screenshots of the app as the install dialog shows them: a wide (desktop) and a narrow (phone) one.
  const server = await createPeekcastServer({ root: join(root, 'dist'), port: 0, host: '127.0.0.1' });
  const video = join(root, 'test/.fixtures/play-1080p30-60s.mp4');
  for (const [name, width, height] of [['wide', 1280, 800], ['narrow', 540, 1170]] as const) {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme: 'dark' });
    await page.goto(`${server.url}/?thumbs=8`);
    await page.locator('[data-testid=file-input]').setInputFiles(video);
    await page.locator('[data-testid=thumb]').nth(7).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    const png = join(root, `public/screenshots/${name}.png`);
    await page.screenshot({ path: png });
    await run('ffmpeg', ['-v', 'error', '-y', '-i', png, '-c:v', 'libwebp', '-quality', '70', join(root, `public/screenshots/${name}.webp`)]);
    await run('rm', [png]);
    await page.close();
  }
  await server.close();
} finally {
  await browser.close();
}
