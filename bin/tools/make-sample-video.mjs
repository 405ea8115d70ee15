// Makes lambdas/adapters/simulated/sample-video.ts: a 2-second 160×90 WebM (VP8) recorded by
// Chromium's MediaRecorder from a canvas animation, so the simulated video model hands back a real,
// playable video. Run once: node bin/tools/make-sample-video.mjs (needs /usr/bin/chromium).
/* global document, MediaRecorder, performance, requestAnimationFrame, Blob, btoa -- page.evaluate runs in the browser */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 90;
    document.body.append(canvas);
    const g = canvas.getContext('2d');
    const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 60_000 });
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.start();
    const started = performance.now();
    await new Promise((resolve) => {
      const frame = () => {
        const t = (performance.now() - started) / 2000;
        g.fillStyle = '#fde047';
        g.fillRect(0, 0, 160, 90);
        g.fillStyle = '#854d0e';
        g.beginPath();
        g.arc(20 + t * 120, 45, 14, 0, Math.PI * 2);
        g.fill();
        if (t < 1) requestAnimationFrame(frame);
        else resolve();
      };
      frame();
    });
    recorder.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  });
  const out = new URL('../../lambdas/adapters/simulated/sample-video.ts', import.meta.url);
  writeFileSync(
    out,
    `/** A 2-second 160×90 WebM (VP8) made by bin/tools/make-sample-video.mjs: what the simulated video model returns. */\nexport const SAMPLE_VIDEO_CONTENT_TYPE = 'video/webm';\n\nexport const SAMPLE_VIDEO_BASE64 =\n  '${base64}';\n`,
  );
  // eslint-disable-next-line no-console -- a script's one line of output
  console.log(`wrote ${out.pathname}: ${Math.round((base64.length * 3) / 4)} bytes`);
} finally {
  await browser.close();
}
