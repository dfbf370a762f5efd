// Headless Chromium against the real `charta serve`: the in-force page, the archive, an old
// edition and the changes page load and render without errors (CSP violations included),
// screenshots are written as artifacts, and the Atom feed and the sitemap are well-formed XML
// (parsed by the browser's XML parser).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
  artifactsDir, launchChromium, makePolicyRepository, removeDir, startServer, watchPage,
} from './support.mjs';

let dir;
let server;
let browser;

before(async () => {
  dir = makePolicyRepository();
  server = await startServer(dir);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) removeDir(dir);
});

// Opens "p" in a fresh page; returns the page, the main response and the problems seen.
async function open(p) {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  const response = await page.goto(server.url(p), { waitUntil: 'load' });
  return { page, response, problems };
}

async function screenshot(page, name) {
  const file = path.join(artifactsDir, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

test('the in-force page renders: edition 2, its dates, the upcoming notice, styles applied', async () => {
  const { page, response, problems } = await open('/personal-data');
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'text/html; charset=utf-8');
  assert.match(await page.title(), /Политика конфиденциальности персональных данных/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
  assert.equal(await page.locator('h1').count(), 1);
  assert.equal(await page.locator('.edition-meta dd').first().innerText(), '2');
  const since = page.locator('.edition-meta time').first();
  assert.match(await since.getAttribute('datetime'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+05:00$/);
  assert.match(await since.innerText(), /UTC\+05:00/);
  const notice = page.locator('.notice-next');
  assert.ok(await notice.isVisible(), 'the upcoming edition is announced');
  assert.equal(await notice.locator('a').getAttribute('href'), '/personal-data/v3');
  assert.equal(await page.locator('a[rel=prev]').getAttribute('href'), '/personal-data/v1');
  assert.equal(await page.locator('nav.toc li').count(), 9, 'all 9 sections in the contents');
  // The stylesheet loaded and applies (CSP allows 'self' styles): the body is not the UA default.
  const styled = await page.evaluate(() => {
    const sheets = [...document.styleSheets].filter((s) => s.href?.endsWith('/assets/charta.css'));
    return sheets.length === 1 && sheets[0].cssRules.length > 0;
  });
  assert.ok(styled, 'charta.css is applied');
  // No horizontal overflow on a narrow screen.
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 360px screen`);
  await screenshot(page, 'personal-data-mobile.png');
  await page.setViewportSize({ width: 1280, height: 900 });
  const file = await screenshot(page, 'personal-data.png');
  assert.deepEqual(problems, [], `problems while loading: ${problems.join('; ')}`);
  console.log(`screenshot: ${file}`);
  await page.close();
});

test('the archive lists every edition with its status and links to each', async () => {
  const { page, response, problems } = await open('/personal-data/versions');
  assert.equal(response.status(), 200);
  const rows = page.locator('table.editions tbody tr');
  assert.equal(await rows.count(), 3);
  const links = await rows.locator('th a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['/personal-data/v3', '/personal-data/v2', '/personal-data/v1']);
  assert.deepEqual(
    await rows.evaluateAll((trs) => trs.map((tr) => tr.className)),
    ['status-upcoming', 'status-in-force', 'status-superseded'],
  );
  assert.match(await rows.nth(1).innerText(), /Пункт 9\.4/);
  await screenshot(page, 'versions.png');
  assert.deepEqual(problems, [], `problems while loading: ${problems.join('; ')}`);
  await page.close();
});

test('an old edition says it is not in force; the print stylesheet hides navigation', async () => {
  const { page, response, problems } = await open('/personal-data/v1');
  assert.equal(response.status(), 200);
  assert.match(response.headers()['cache-control'], /immutable/);
  assert.equal(await page.locator('.edition-meta dd').first().innerText(), '1');
  const notice = page.locator('.notice-superseded');
  assert.ok(await notice.isVisible(), 'a not-in-force notice is shown');
  assert.match(await notice.innerText(), /не действует/);
  assert.equal(await page.locator('#p-9-4').count(), 0, 'v1 does not have the clause of v2');
  await screenshot(page, 'personal-data-v1.png');
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'personal-data-v1-print.png');
  assert.equal(await page.locator('.skip-link').isVisible(), false, 'no skip link in print');
  assert.deepEqual(problems, [], `problems while loading: ${problems.join('; ')}`);
  await page.close();
});

test('the changes page from edition 1 to 2 renders and names the added clause', async () => {
  const { page, response, problems } = await open('/personal-data/changes/v1...v2');
  assert.equal(response.status(), 200);
  assert.match(await page.locator('h1').innerText(), /Политика конфиденциальности/);
  assert.equal(await page.locator('.change-index a[href="#p-9-4"]').count(), 1);
  await screenshot(page, 'changes-v1-v2.png');
  assert.deepEqual(problems, [], `problems while loading: ${problems.join('; ')}`);
  await page.close();
});

test('the Atom feed and the sitemap are well-formed XML', async () => {
  const { page } = await open('/personal-data');
  const feedResponse = await fetch(server.url('/personal-data/feed.atom'));
  assert.equal(feedResponse.status, 200);
  assert.match(feedResponse.headers.get('content-type'), /^application\/atom\+xml/);
  const feed = await feedResponse.text();
  const sitemap = await (await fetch(server.url('/sitemap.xml'))).text();
  const parsed = await page.evaluate(([feedText, sitemapText]) => {
    const parse = (text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const error = doc.getElementsByTagName('parsererror')[0];
      return { doc, error: error ? error.textContent : null };
    };
    const atom = 'http://www.w3.org/2005/Atom';
    const f = parse(feedText);
    const s = parse(sitemapText);
    const entries = f.error ? [] : [...f.doc.getElementsByTagNameNS(atom, 'entry')].map((e) => ({
      id: e.getElementsByTagNameNS(atom, 'id')[0]?.textContent,
      title: e.getElementsByTagNameNS(atom, 'title')[0]?.textContent,
      updated: e.getElementsByTagNameNS(atom, 'updated')[0]?.textContent,
      published: e.getElementsByTagNameNS(atom, 'published')[0]?.textContent,
      link: e.getElementsByTagNameNS(atom, 'link')[0]?.getAttribute('href'),
    }));
    return {
      feedError: f.error,
      feedRoot: f.error ? null : `${f.doc.documentElement.namespaceURI} ${f.doc.documentElement.localName}`,
      feedHas: f.error ? null : ['id', 'title', 'updated'].every(
        (n) => [...f.doc.documentElement.children].some((c) => c.localName === n && c.textContent)),
      entries,
      sitemapError: s.error,
      sitemapUrls: s.error ? [] : [...s.doc.getElementsByTagName('loc')].map((l) => l.textContent),
    };
  }, [feed, sitemap]);
  assert.equal(parsed.feedError, null, `the feed is not well-formed: ${parsed.feedError}`);
  assert.equal(parsed.feedRoot, 'http://www.w3.org/2005/Atom feed');
  assert.ok(parsed.feedHas, 'the feed has id, title and updated');
  assert.equal(parsed.entries.length, 3, 'one entry per edition');
  for (const e of parsed.entries) {
    assert.ok(e.id && e.title && e.link, `entry ${JSON.stringify(e)}`);
    assert.match(e.updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)$/);
  }
  // updated is never in the future: v3, a day after v2 and not in force yet, is dated by its
  // publication until then.
  const byLink = Object.fromEntries(parsed.entries.map((e) => [e.link.replace(/^.*\//, ''), e]));
  for (const e of parsed.entries) {
    assert.ok(Date.parse(e.updated) <= Date.now(), `updated ${e.updated} is in the future`);
  }
  assert.equal(Date.parse(byLink.v3.updated), Date.parse(byLink.v3.published), `v3 ${byLink.v3.updated}`);
  assert.equal(parsed.sitemapError, null, `the sitemap is not well-formed: ${parsed.sitemapError}`);
  assert.ok(parsed.sitemapUrls.some((u) => u.endsWith('/personal-data')), parsed.sitemapUrls.join(' '));
  await page.close();
});

test('a feed of two entries a document: the current feed links its archive (RFC 5005)', async () => {
  const paged = await startServer(dir, ['site.feed_entries=2']);
  try {
    const { page } = await open('/personal-data');
    const texts = [];
    for (const p of ['/personal-data/feed.atom', '/personal-data/feed/1.atom']) {
      const r = await fetch(paged.url(p));
      assert.equal(r.status, 200, p);
      assert.match(r.headers.get('content-type'), /^application\/atom\+xml/);
      texts.push(await r.text());
    }
    assert.equal((await fetch(paged.url('/personal-data/feed/2.atom'))).status, 404);
    const docs = await page.evaluate((all) => all.map((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const error = doc.getElementsByTagName('parsererror')[0];
      const atom = 'http://www.w3.org/2005/Atom';
      const links = Object.fromEntries([...doc.documentElement.children]
        .filter((c) => c.localName === 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')]));
      return {
        error: error ? error.textContent : null,
        archive: doc.getElementsByTagNameNS('http://purl.org/syndication/history/1.0', 'archive').length,
        entries: [...doc.getElementsByTagNameNS(atom, 'entry')].map(
          (e) => e.getElementsByTagNameNS(atom, 'id')[0].textContent.replace(/^.*\//, '')),
        links,
      };
    }), texts);
    const [current, archive] = docs;
    assert.equal(current.error, null, current.error);
    assert.equal(archive.error, null, archive.error);
    assert.deepEqual(current.entries, ['v3', 'v2']);
    assert.equal(current.archive, 0);
    assert.match(current.links['prev-archive'], /\/personal-data\/feed\/1\.atom$/);
    assert.deepEqual(archive.entries, ['v2', 'v1']);
    assert.equal(archive.archive, 1);
    assert.match(archive.links.current, /\/personal-data\/feed\.atom$/);
    assert.equal(archive.links['prev-archive'], undefined);
    await page.close();
  } finally {
    await paged.stop();
  }
});
