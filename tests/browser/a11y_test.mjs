// Accessibility: axe-core in headless Chromium finds no serious or critical violations (WCAG 2.x
// A and AA rules and axe's best practices) on the in-force page, the archive, an old edition, an
// upcoming edition, the changes page and the 404 page, on a wide and a narrow screen. Minor and
// moderate findings are printed, not failed. axe is injected through the DevTools protocol, so
// the pages keep their Content-Security-Policy (no inline script is allowed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  artifactsDir, launchChromium, makePolicyRepository, removeDir, startServer, toolFile,
} from './support.mjs';

const axeSource = fs.readFileSync(toolFile('axe-core/axe.min.js'), 'utf8');

let dir;
let server;
let browser;

before(async () => {
  dir = makePolicyRepository();
  // Two editions a page: the archive of three editions has two pages, with their nav.
  server = await startServer(dir, ['site.archive_page_size=2']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) removeDir(dir);
});

async function runAxe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
}

test('axe, injected this way, does find a critical violation (control)', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.url('/personal-data'));
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/assets/favicon.svg';
    document.querySelector('main').append(img);
  });
  const result = await runAxe(page);
  await page.close();
  assert.ok(result.violations.some((v) => v.id === 'image-alt' && v.impact === 'critical'),
    JSON.stringify(result.violations.map((v) => v.id)));
});

const pages = [
  ['the in-force page', '/personal-data', 200],
  ['the archive', '/personal-data/versions', 200],
  ['the archive\'s second page', '/personal-data/versions/2', 200],
  ['an old edition', '/personal-data/v1', 200],
  ['an upcoming edition', '/personal-data/v3', 200],
  ['the changes page', '/personal-data/changes/v1...v2', 200],
  ['the 404 page', '/personal-data/v9', 404],
];

const viewports = [
  ['wide', { width: 1280, height: 900 }],
  ['narrow', { width: 360, height: 740 }],
];

for (const [name, p, status] of pages) {
  test(`axe: ${name} (${p}) has no serious or critical violations`, async () => {
    const page = await browser.context.newPage();
    const report = [];
    for (const [label, viewport] of viewports) {
      await page.setViewportSize(viewport);
      const response = await page.goto(server.url(p));
      assert.equal(response.status(), status);
      const result = await runAxe(page);
      assert.ok(result.passes.length >= 20, `axe checked only ${result.passes.length} rules`);
      for (const v of result.violations) {
        report.push({
          viewport: label,
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        });
      }
    }
    await page.close();
    const file = path.join(artifactsDir, `axe${p.replaceAll('/', '_')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    for (const v of report) {
      if (v.impact !== 'serious' && v.impact !== 'critical') {
        console.log(`note (${v.impact}, ${v.viewport}): ${v.id} — ${v.help}: ${v.nodes.join(', ')}`);
      }
    }
    const bad = report.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `axe violations on ${p} (report: ${file})`);
  });
}
