// Shared parts of the browser tests: a fresh policy repository with three editions, the real
// `charta serve` process on an ephemeral port, and headless Chromium driven by playwright-core.
//
// Environment (set by tests/browser/CMakeLists.txt):
//   CHARTA_BINARY        the charta binary under test (required)
//   CHARTA_NODE_DIR      where `npm ci` put node_modules (default: tests/node of this tree)
//   CHARTA_CHROMIUM      the browser (default: /usr/bin/chromium)
//   CHARTA_ARTIFACTS_DIR where screenshots and reports go (default: a temporary directory)
//
// Exit code 77 (ctest: skipped) when the node modules are not installed: run `npm ci` in
// tests/node (scripts/test.sh does).

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../..');
export const nodeDir = process.env.CHARTA_NODE_DIR || path.join(sourceDir, 'tests/node');

if (!fs.existsSync(path.join(nodeDir, 'node_modules'))) {
  console.error(`skipped: the node modules are not installed: run \`npm ci --ignore-scripts\` in ${nodeDir}`);
  process.exit(77);
}

// Loads a package installed by `npm ci` in tests/node.
export function requireTool(name) {
  const require = createRequire(path.join(nodeDir, 'package.json'));
  try {
    return require(name);
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND') {
      console.error(`${name} is not installed: run \`npm ci --ignore-scripts\` in ${nodeDir}`);
      process.exit(77);
    }
    throw e;
  }
}

// Resolves a file inside an installed package (e.g. axe-core/axe.min.js).
export function toolFile(spec) {
  const require = createRequire(path.join(nodeDir, 'package.json'));
  try {
    return require.resolve(spec);
  } catch (e) {
    console.error(`${spec} is not installed: run \`npm ci --ignore-scripts\` in ${nodeDir}`);
    process.exit(77);
  }
}

export const artifactsDir = (() => {
  const dir = process.env.CHARTA_ARTIFACTS_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'charta-artifacts-'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
})();

// The git identity and isolation the C++ tests use (tests/support/sandbox.cpp gitEnv()).
export const gitEnv = {
  GIT_AUTHOR_NAME: 'Legal Team',
  GIT_AUTHOR_EMAIL: 'legal@shop.test',
  GIT_COMMITTER_NAME: 'Legal Team',
  GIT_COMMITTER_EMAIL: 'legal@shop.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  HOME: '/nonexistent',
};

function chartaBinary() {
  const bin = process.env.CHARTA_BINARY;
  if (!bin) throw new Error('CHARTA_BINARY is not set');
  return bin;
}

function run(argv, cwd) {
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: { ...process.env, ...gitEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  return r.stdout;
}

// A policy repository in a fresh directory: v1 (superseded), v2 (in force), v3 (upcoming, a
// day ahead), each with a summary. Editions are published with the real CLI; the edits are
// made by "the legal team" with the git CLI.
export function makePolicyRepository() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charta-browser-'));
  const charta = chartaBinary();
  run([charta, 'init'], dir);
  run(['git', 'clone', '-q', 'var/policies.git', 'wt'], dir);
  const wt = path.join(dir, 'wt');
  const edit = (line, publishArgs) => {
    fs.appendFileSync(path.join(wt, 'personal-data/ru.md'), `\n${line}\n`);
    run(['git', 'commit', '-qam', 'edit'], wt);
    run(['git', 'push', '-q', 'origin', 'HEAD'], wt);
    run([charta, 'publish', 'personal-data', ...publishArgs], dir);
  };
  edit('9.4. Вопросы по пп. 5.2. и 5.3. направляйте Администрации сайта.', [
    '--summary', 'Пункт 9.4: куда направлять вопросы',
  ]);
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const at = tomorrow.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  edit('9.5. Политика доступна также в архиве редакций.', [
    '--effective-from', at, '--summary', 'Пункт 9.5: архив редакций',
  ]);
  return dir;
}

// The real `charta serve` on an ephemeral port in "dir". stop() sends SIGTERM and waits.
export async function startServer(dir, defs = []) {
  const portFile = path.join(dir, 'port');
  fs.rmSync(portFile, { force: true });
  const args = ['-D', 'server.port=0', '-D', `server.port_file=${portFile}`];
  for (const d of defs) args.push('-D', d);
  args.push('serve');
  const out = fs.openSync(path.join(dir, 'serve.out'), 'w');
  const err = fs.openSync(path.join(dir, 'serve.err'), 'w');
  const child = spawn(chartaBinary(), args, {
    cwd: dir,
    env: { ...process.env, ...gitEnv },
    stdio: ['ignore', out, err],
  });
  fs.closeSync(out);
  fs.closeSync(err);
  let exited = null;
  const done = new Promise((resolve) => child.on('exit', (code, sig) => {
    exited = code ?? 128;
    resolve(sig ? `signal ${sig}` : `exit ${code}`);
  }));
  const deadline = Date.now() + 20000;
  while (!fs.existsSync(portFile)) {
    if (exited !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`charta serve did not start: ${fs.readFileSync(path.join(dir, 'serve.err'), 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8').trim());
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    async stop() {
      if (exited === null) child.kill('SIGTERM');
      const how = await done;
      if (how !== 'exit 0') {
        throw new Error(`charta serve ended with ${how}: ${fs.readFileSync(path.join(dir, 'serve.err'), 'utf8')}`);
      }
    },
  };
}

// The flags the browser tests run Chromium with.
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Headless Debian Chromium with a fresh user data directory. "options" are playwright context
// options (javaScriptEnabled, viewport, ...). close() ends the browser and removes the profile.
export async function launchChromium(options = {}) {
  const { chromium } = requireTool('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'charta-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHARTA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1280, height: 900 },
    locale: 'ru-RU',
    timeout: 30000,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Collects what a page reports as going wrong: console errors (CSP violations among them),
// uncaught exceptions, failed requests and responses >= 400.
export function watchPage(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

// Removes a directory made by makePolicyRepository().
export function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}
