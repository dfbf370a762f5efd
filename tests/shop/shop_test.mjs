// The worked integration of examples/shop against the real `charta serve`, in headless Chromium:
// a person opens the checkout, reads the policy page it links, ticks "marketing" and orders; the
// receipt cites exactly the edition and the page bytes that person's browser received. Then a
// material edition takes effect: the open checkout notices it through charta's public API
// (cross-origin), a form showing the old edition is asked again, the shop's webhook receiver
// finds the customers who must renew, and the account page asks them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {
  artifactsDir, gitEnv, launchChromium, removeDir, sourceDir, startServer, watchPage,
} from '../browser/support.mjs';

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const siteToken = crypto.randomBytes(24).toString('hex');
const auditorToken = crypto.randomBytes(24).toString('hex');
const secret = crypto.randomBytes(16).toString('hex');

let dir;
let charta;
let shop;
let browser;
const browserRequests = [];  // every request Chromium sent: [url, headers]
const shopBodies = [];       // every body the shop sent to Chromium

function run(argv, cwd = dir) {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd, env: { ...process.env, ...gitEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The shop of examples/shop, with its configuration in the environment.
async function startShop(port, chartaOrigin) {
  const err = fs.openSync(path.join(dir, 'shop.err'), 'w');
  const child = spawn(process.env.CHARTA_PYTHON || 'python3',
    [path.join(sourceDir, 'examples/shop/shop.py')], {
      cwd: dir,
      env: {
        ...process.env,
        CHARTA_URL: chartaOrigin,
        CHARTA_SITE_TOKEN: siteToken,
        CHARTA_WEBHOOK_SECRET: secret,
        SHOP_PORT: String(port),
        SHOP_DB: path.join(dir, 'shop.db'),
        SHOP_POLL_MS: '300',
        PYTHONDONTWRITEBYTECODE: '1',  // nothing written to the source tree
      },
      stdio: ['ignore', 'ignore', err],
    });
  fs.closeSync(err);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const url = (p) => `http://127.0.0.1:${port}${p}`;
  await waitFor('the shop to listen', async () => {
    if (exited) throw new Error(`the shop did not start: ${shopLog()}`);
    try {
      return (await fetch(url('/healthz'))).ok;
    } catch {
      return false;
    }
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const shopLog = () => fs.readFileSync(path.join(dir, 'shop.err'), 'utf8');

async function auditorGet(p) {
  const r = await fetch(charta.url(p), { headers: { Authorization: `Bearer ${auditorToken}` } });
  assert.equal(r.status, 200, p);
  return r.json();
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charta-shop-'));
  run([process.env.CHARTA_BINARY, 'init']);
  run(['git', 'clone', '-q', 'var/policies.git', 'wt']);
  const [chartaPort, shopPort] = [await freePort(), await freePort()];
  charta = await startServer(dir, [
    `server.port=${chartaPort}`,
    `site.base_url=http://127.0.0.1:${chartaPort}`,
    `auth.tokens=shop:site:${sha256(siteToken)};audit:auditor:${sha256(auditorToken)}`,
    `webhooks.shop.url=http://127.0.0.1:${shopPort}/charta-events`,
    `webhooks.shop.secret=${secret}`,
    'webhooks.retry_base_ms=200',
  ]);
  shop = await startShop(shopPort, charta.origin);
  browser = await launchChromium();
  browser.context.on('request', (r) => browserRequests.push([r.url(), r.headers()]));
  browser.context.on('response', async (r) => {
    if (r.url().startsWith(shop.url('/'))) shopBodies.push(await r.text().catch(() => ''));
  });
});

after(async () => {
  await browser?.close();
  shop?.stop();
  await charta?.stop();
  if (dir) removeDir(dir);
});

// Opens the policy link of "page" as a person would (a new tab); returns the URL and the exact
// bytes Chromium received for it.
async function readPolicy(page) {
  const link = page.locator('#policy-link');
  const href = await link.getAttribute('href');
  const seen = new Promise((resolve) => {
    const onResponse = (r) => {
      if (r.url() === href) {
        browser.context.off('response', onResponse);
        resolve(r);
      }
    };
    browser.context.on('response', onResponse);
  });
  const [tab] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
  const response = await seen;
  await tab.waitForLoadState('load');
  assert.equal(response.status(), 200);
  const bytes = await response.body();
  await tab.close();
  return { href, bytes };
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir, name), fullPage: true });
}

async function submit(page, button) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: button }).click(),
  ]);
}

// What went wrong on a page, less the live check's requests cut short by a navigation.
const real = (problems) => problems.filter((p) => !/net::ERR_ABORTED/.test(p));

test('a person ticks marketing at checkout; the receipt cites the edition and page shown', async () => {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  const currentUrl = charta.url('/api/v1/documents/personal-data/current');
  const polled = page.waitForResponse((r) => r.url() === currentUrl && r.status() === 200);
  await page.goto(shop.url('/checkout?customer=c-1001'));
  await polled;  // the page read charta's public API across origins (CORS)
  assert.match(await page.locator('#policy-link').innerText(), /редакция v1$/);

  const { href, bytes } = await readPolicy(page);
  assert.equal(href, charta.url('/personal-data/v1'));
  assert.equal(await page.locator('#page-sha256').innerText(), sha256(bytes));
  await screenshot(page, 'shop-checkout.png');

  await page.getByRole('checkbox', { name: /Обновления продукции/ }).check();
  await submit(page, 'Оформить заказ');
  const receipt = JSON.parse(await page.locator('#receipt').textContent());
  await screenshot(page, 'shop-receipt.png');

  // Exactly the edition and the page bytes this person's browser was shown.
  assert.equal(receipt.pii_principal_id, 'c-1001');
  assert.deepEqual(receipt.purposes, ['marketing']);
  assert.equal(receipt.event_type, 'given');
  assert.equal(receipt.privacy_notice.edition, 1);
  assert.equal(receipt.privacy_notice.language, 'ru');
  assert.equal(receipt.privacy_notice.page_sha256, sha256(bytes));
  const v1 = (await auditorGet('/api/v1/documents/personal-data/editions/v1')).commit;
  assert.equal(receipt.privacy_notice.commit, v1);
  // charta's ledger holds the same, and the shop kept the receipt.
  const held = await auditorGet(`/api/v1/consents/${receipt.record_id}`);
  assert.equal(held.privacy_notice.page_sha256, sha256(bytes));
  assert.equal(held.chain.hash, receipt.chain.hash);
  const kept = run(['sqlite3', path.join(dir, 'shop.db'), 'select receipt from receipts']);
  assert.equal(JSON.parse(kept).record_id, receipt.record_id);

  // The site token never reached the browser, and the browser never sent one.
  assert.ok(shopBodies.length > 0);
  for (const body of shopBodies) assert.ok(!body.includes(siteToken));
  for (const [url, headers] of browserRequests) {
    assert.equal(headers.authorization, undefined, url);
  }
  assert.deepEqual(real(problems), []);
  await page.close();
});

test('a material edition takes effect: the open checkout notices, stale forms and renewals ask again', async () => {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  await page.goto(shop.url('/checkout?customer=c-1002'));
  assert.match(await page.locator('#policy-link').innerText(), /редакция v1$/);

  // The legal team publishes v2, material for marketing, in force at once.
  fs.appendFileSync(path.join(dir, 'wt/personal-data/ru.md'), '\nПункт о новых рассылках.\n');
  run(['git', 'commit', '-qam', 'marketing e-mails'], path.join(dir, 'wt'));
  run(['git', 'push', '-q', 'origin', 'HEAD'], path.join(dir, 'wt'));
  run([process.env.CHARTA_BINARY, 'publish', 'personal-data', '--material',
    '--renew-purposes', 'marketing', '--summary', 'Рассылки']);

  // The open checkout learns it from charta's public API, in the browser.
  const note = page.locator('#edition-changed');
  await note.waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await note.innerText(), /\(v2\)/);
  await screenshot(page, 'shop-edition-changed.png');

  // The form still shows v1: sending it is refused by charta, and the shop asks again with v2.
  await page.getByRole('checkbox', { name: /Обновления продукции/ }).check();
  await submit(page, 'Оформить заказ');
  assert.match(await page.locator('p.note').first().innerText(), /изменилась/);
  assert.match(await page.locator('#policy-link').innerText(), /редакция v2$/);
  const { href, bytes } = await readPolicy(page);
  assert.equal(href, charta.url('/personal-data/v2'));
  await page.getByRole('checkbox', { name: /Обновления продукции/ }).check();
  await submit(page, 'Оформить заказ');
  const receipt = JSON.parse(await page.locator('#receipt').textContent());
  assert.equal(receipt.privacy_notice.edition, 2);
  assert.equal(receipt.privacy_notice.page_sha256, sha256(bytes));

  // The webhook: edition.effective, signed, told the shop; c-1001 must renew marketing.
  await waitFor('edition.effective at the shop', () => /"customers_to_ask": 1/.test(shopLog()));
  assert.match(shopLog(), /"type": "edition.effective"/);
  assert.doesNotMatch(shopLog(), /bad signature/);

  const account = await browser.context.newPage();
  const accountProblems = watchPage(account);
  await account.goto(shop.url('/account?customer=c-1001'));
  assert.equal(await account.locator('li[data-purpose=marketing]').innerText(),
    'marketing: renewal_required');
  await screenshot(account, 'shop-renewal.png');
  const renewed = await readPolicy(account);
  await account.getByRole('checkbox', { name: /Обновления продукции/ }).check();
  await submit(account, 'Подтвердить');
  const again = JSON.parse(await account.locator('#receipt').textContent());
  assert.equal(again.pii_principal_id, 'c-1001');
  assert.equal(again.privacy_notice.edition, 2);
  assert.equal(again.privacy_notice.page_sha256, sha256(renewed.bytes));
  const status = await auditorGet('/api/v1/subjects/c-1001/status?document=personal-data');
  assert.equal(status.purposes.find((p) => p.purpose === 'marketing').state, 'given');

  assert.deepEqual(real(problems), []);
  assert.deepEqual(real(accountProblems), []);
  await page.close();
  await account.close();
});
