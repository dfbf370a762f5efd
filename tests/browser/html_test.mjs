// HTML validity: the W3C Nu checker (vnu.jar from the vnu-jar package, run with java) finds no
// errors in the bytes `charta serve` sends for the in-force page, the archive, an old edition,
// an upcoming edition, the changes page (redline) and the 404 page, nor in the stylesheet and
// the SVG icon. Control files with known errors prove the checker's findings are read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { artifactsDir, makePolicyRepository, removeDir, startServer, toolFile } from './support.mjs';

const vnuJar = process.env.CHARTA_VNU_JAR || toolFile('vnu-jar/build/dist/vnu.jar');

const files = [
  ['/personal-data', 'personal-data.html', 200],
  ['/personal-data/versions', 'versions.html', 200],
  ['/personal-data/versions/2', 'versions-2.html', 200],
  ['/personal-data/v1', 'personal-data-v1.html', 200],
  ['/personal-data/v3', 'personal-data-v3.html', 200],
  ['/personal-data/changes/v1...v2', 'changes-v1-v2.html', 200],
  ['/nope', 'not-found.html', 404],
  ['/assets/charta.css', 'charta.css', 200],
  ['/assets/favicon.svg', 'favicon.svg', 200],
];

let dir;
let out;
let messages;  // vnu's messages by file name

before(async () => {
  dir = makePolicyRepository();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'charta-vnu-'));
  // Two editions a page: the archive of three editions has two pages, with their nav.
  const server = await startServer(dir, ['site.archive_page_size=2']);
  try {
    for (const [p, name, status] of files) {
      const r = await fetch(server.url(p));
      assert.equal(r.status, status, p);
      fs.writeFileSync(path.join(out, name), Buffer.from(await r.arrayBuffer()));
    }
  } finally {
    await server.stop();
  }
  // The controls: a duplicate id, an invalid colour.
  fs.writeFileSync(path.join(out, 'control.html'),
    '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
    + '<body><p id="a">x</p><p id="a">y</body></html>\n');
  fs.writeFileSync(path.join(out, 'control.css'), 'p { color: rgb(1, 2); }\n');
  const r = spawnSync('java', ['-jar', vnuJar, '--errors-only', '--format', 'json',
    '--also-check-css', '--also-check-svg', out], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run java: ${r.error.message}`);
  let report;
  try {
    report = JSON.parse(r.stderr || r.stdout);
  } catch (e) {
    throw new Error(`vnu did not answer JSON (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
  fs.writeFileSync(path.join(artifactsDir, 'vnu.json'), `${JSON.stringify(report, null, 2)}\n`);
  messages = {};
  for (const m of report.messages) {
    const name = m.url ? path.basename(decodeURIComponent(new URL(m.url).pathname)) : '(none)';
    (messages[name] ??= []).push(m);
  }
});

after(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
  if (dir) removeDir(dir);
});

test('vnu reads the control files and reports their errors', () => {
  for (const name of ['control.html', 'control.css']) {
    const control = messages[name] ?? [];
    assert.ok(control.some((m) => m.type === 'error'), `${name}: ${JSON.stringify(control)}`);
  }
  assert.deepEqual(messages['(none)'] ?? [], [], 'no messages about no file (checker failures)');
});

for (const [p, name] of files) {
  test(`vnu: no errors in ${p}`, () => {
    const errors = (messages[name] ?? []).filter((m) => m.type === 'error' || m.subType === 'fatal');
    const text = errors.map((m) => `line ${m.lastLine}: ${m.message} «${m.extract ?? ''}»`).join('\n');
    assert.equal(errors.length, 0, `${name}:\n${text}`);
  });
}
