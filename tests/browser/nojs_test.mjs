// The pages work without JavaScript: with scripts disabled in Chromium the text, the contents and
// the notices are there, and plain links navigate — clause references (`пп. 5.2. и 5.3.` →
// #p-5-2), the contents (#p-9), the skip link, the self-link of a clause, the archive, the
// previous edition and the changes page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  launchChromium, makePolicyRepository, removeDir, sourceDir, startServer, watchPage,
} from './support.mjs';

let dir;
let server;
let browser;

before(async () => {
  dir = makePolicyRepository();
  server = await startServer(dir);
  // Reduced motion: the stylesheet then jumps to an anchor instead of scrolling smoothly, so a
  // check right after a navigation sees where it landed.
  browser = await launchChromium({ javaScriptEnabled: false, reducedMotion: 'reduce' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) removeDir(dir);
});

// Is the element "selector" the :target, scrolled to the top of the viewport (or into view when
// the page cannot scroll further)? Waits up to 3 seconds for the scroll to settle.
async function isTargetInView(page, selector) {
  const deadline = Date.now() + 3000;
  for (;;) {
    const ok = await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      if (!el || !el.matches(':target')) return false;
      const top = el.getBoundingClientRect().top;
      const atBottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;
      return top >= -1 && (top < 64 || (atBottom && top < window.innerHeight - 32));
    }, selector);
    if (ok || Date.now() > deadline) return ok;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('scripts really are off', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.url('/personal-data'));
  // page.evaluate runs through the DevTools protocol even then; a page script would not.
  assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 0,
    'the page has no script elements');
  await page.setContent('<noscript><p id="n">off</p></noscript>');
  assert.equal(await page.locator('#n').count(), 1, '<noscript> content is parsed: JS is off');
  await page.close();
});

test('the in-force page without JavaScript: text, contents, clause anchors, references', async () => {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  const response = await page.goto(server.url('/personal-data'));
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('nav.toc li a').count(), 9);
  assert.ok(await page.getByText('Администрация сайта вправе вносить изменения').isVisible());
  // Every numbered clause has its anchor, and each anchor is unique.
  // Every numbered clause of the Markdown (the seed, plus 9.4 of edition 2) has its anchor.
  const ids = await page.locator('.policy-text [id^="p-"]').evaluateAll((els) => els.map((e) => e.id));
  assert.equal(new Set(ids).size, ids.length, 'clause anchors are unique');
  const markdown = fs.readFileSync(path.join(sourceDir, 'policies/personal-data/ru.md'), 'utf8');
  const numbered = [...markdown.matchAll(/^(?:#+\s*)?(\d+(?:\.\d+)*)\./gm)]
    .map((m) => `p-${m[1].replaceAll('.', '-')}`);
  assert.ok(numbered.length >= 60, `only ${numbered.length} numbered clauses found in the seed`);
  const missing = [...numbered, 'p-9-4'].filter((id) => !ids.includes(id));
  assert.deepEqual(missing, [], `clauses without an anchor: ${missing.join(' ')}`);
  for (const id of ['p-4-1-10', 'p-5-2', 'p-5-3']) assert.ok(ids.includes(id), id);

  // A reference in the text: "пп. 5.2. и 5.3." in clause 9.4 links to #p-5-2 and #p-5-3.
  const refs = page.locator('#p-9-4 a:not(.clause-link)');
  assert.deepEqual(await refs.evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ['#p-5-2', '#p-5-3']);
  await refs.first().click();
  await page.waitForURL(/#p-5-2$/);
  assert.ok(await isTargetInView(page, '#p-5-2'), '#p-5-2 is the target and in view');

  // The contents.
  await page.locator('nav.toc a[href="#p-9"]').click();
  await page.waitForURL(/#p-9$/);
  assert.ok(await isTargetInView(page, '#p-9'), '#p-9 is the target and in view');

  // A clause's self-link.
  await page.locator('#p-4-1-10 > a.clause-link').click();
  await page.waitForURL(/#p-4-1-10$/);
  assert.ok(await isTargetInView(page, '#p-4-1-10'));

  // Loading a URL with a fragment lands on the clause.
  await page.goto(server.url('/personal-data#p-5-3'));
  assert.ok(await isTargetInView(page, '#p-5-3'), 'a deep link lands on #p-5-3');

  // The skip link is the first stop of the keyboard and leads to the text.
  await page.goto(server.url('/personal-data'));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  assert.ok(await page.locator('.skip-link').isVisible(), 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#content$/);
  assert.deepEqual(problems, [], problems.join('; '));
  await page.close();
});

test('links between editions work without JavaScript', async () => {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  await page.goto(server.url('/personal-data'));
  await page.locator('a[rel=prev]').click();
  await page.waitForURL(/\/personal-data\/v1$/);
  assert.match(await page.locator('.notice-superseded').innerText(), /не действует/);

  await page.locator('.edition-nav a[href="/personal-data/versions"]').click();
  await page.waitForURL(/\/personal-data\/versions$/);
  await page.locator('table.editions a[href="/personal-data/v3"]').click();
  await page.waitForURL(/\/personal-data\/v3$/);
  assert.equal(await page.locator('.edition-meta dd').first().innerText(), '3');
  assert.ok(await page.locator('#p-9-5').isVisible(), 'v3 has its new clause');

  await page.locator('.site-title a').click();
  await page.waitForURL(/\/personal-data$/);
  assert.equal(await page.locator('.edition-meta dd').first().innerText(), '2');

  // What changed from the previous edition, and from there to the clause that was added.
  await page.locator('.edition-nav a[href="/personal-data/changes/v1...v2"]').click();
  await page.waitForURL(/\/personal-data\/changes\/v1\.\.\.v2$/);
  await page.locator('.change-index a[href="#p-9-4"]').click();
  await page.waitForURL(/#p-9-4$/);
  assert.ok(await isTargetInView(page, '#p-9-4'), 'the added clause is the target and in view');
  assert.deepEqual(problems, [], problems.join('; '));
  await page.close();
});
