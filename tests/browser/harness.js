// Test infrastructure: the real server binary, Debian's Chromium driven by playwright-core,
// one browser context per simulated person, screenshots and page-error bookkeeping.
//
// Each scenario file runs in its own process (node --test), so each file gets its own server
// and browser, started lazily by the first scenario and stopped when the file is done.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
export const ARTIFACTS = path.join(HERE, 'artifacts');

/** Default timeout of every wait in these tests, in milliseconds. */
export const WAIT = 10_000;
/** Timeout of a whole scenario. */
export const SCENARIO_TIMEOUT = 120_000;

const SERVER_START_TIMEOUT = 15_000;
const READY_LINE = /Ready Room is running: open (http:\/\/127\.0\.0\.1:\d+\/) in your browser/;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The client speaks the browser's language: the scenarios read its English text.
  '--lang=en-US',
];

/** The server binary: $READYROOM_BIN, else target/release, else target/debug. */
export function serverBinary() {
  if (process.env.READYROOM_BIN) return process.env.READYROOM_BIN;
  for (const profile of ['release', 'debug']) {
    const candidate = path.join(ROOT, 'target', profile, 'readyroom');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('no server binary: run `cargo build --release --bin readyroom` first');
}

/**
 * @typedef {object} Server
 * @property {string} url      base URL, the same across restarts
 * @property {string} dataDir  the server's data directory (a fresh temporary one)
 * @property {() => string} logs the last of its output, across restarts
 * @property {(options?: {signal?: 'SIGKILL' | 'SIGTERM'}) => Promise<void>} kill
 *   ends the process: SIGKILL is a crash, SIGTERM a clean stop (clients get 1012)
 * @property {(options?: {signal?: 'SIGKILL' | 'SIGTERM', downtime?: number}) => Promise<void>} restart
 *   kills it, waits `downtime` ms, and starts it again on the same port and data directory
 * @property {() => Promise<void>} start starts it again after `kill`, on the same port and data directory
 * @property {() => Promise<void>} wipe  empties the data directory (server stopped): every room is gone
 * @property {() => Promise<void>} stop  stops it for good and deletes the data directory
 */

/**
 * Starts the server on an ephemeral port, with a fresh temporary data directory (never the
 * repository's), and waits for the line announcing its address.
 * @param {{ args?: string[] }} [options] further command-line arguments, kept across restarts
 * @returns {Promise<Server>}
 */
export async function startServer({ args = [] } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'readyroom-browser-'));
  let logs = '';
  const keep = (chunk) => {
    logs = (logs + chunk).slice(-20_000);
  };
  /** @type {{ child: import('node:child_process').ChildProcess, exited: Promise<unknown> } | null} */
  let running = null;
  let url = '';
  let removed = false;

  const spawnOnce = async (addr) => {
    const child = spawn(serverBinary(), ['--addr', addr, '--log', 'warn', '--data-dir', dataDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const from = logs.length;
    child.stderr.on('data', keep);
    child.stdout.on('data', keep);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Never outlive this test process, however it ends.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    exited.then(() => process.off('exit', killOnExit));
    const found = await new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('error', fail);
        child.off('exit', failOnExit);
        child.stdout.off('data', look);
      };
      const fail = (error) => {
        done();
        child.kill('SIGKILL');
        reject(error);
      };
      const failOnExit = (code, signal) => fail(new Error(`server exited (${code ?? signal}):\n${logs.slice(from)}`));
      const look = () => {
        const match = READY_LINE.exec(logs.slice(from));
        if (match) {
          done();
          resolve(match[1]);
        }
      };
      const timer = setTimeout(
        () => fail(new Error(`server printed no address within ${SERVER_START_TIMEOUT} ms:\n${logs.slice(from)}`)),
        SERVER_START_TIMEOUT,
      );
      child.on('error', fail);
      child.on('exit', failOnExit);
      child.stdout.on('data', look);
    });
    running = { child, exited };
    return found;
  };

  const kill = async ({ signal = 'SIGKILL' } = {}) => {
    const current = running;
    running = null;
    if (!current) return;
    const { child, exited } = current;
    if (child.exitCode === null && child.signalCode === null) {
      keep(`\n--- harness: ${signal} ---\n`);
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const start = async () => {
    if (running) return;
    const port = new URL(url).port;
    // The port was just given up; another process could take it, or the kernel may hold it
    // briefly: retry for a while.
    const deadline = Date.now() + SERVER_START_TIMEOUT;
    for (;;) {
      try {
        keep('\n--- harness: start ---\n');
        await spawnOnce(`127.0.0.1:${port}`);
        return;
      } catch (error) {
        if (Date.now() > deadline || !/in use|AddrInUse/i.test(String(error.message))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  try {
    url = await spawnOnce('127.0.0.1:0');
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const cleanUp = () => {
    if (removed) return;
    removed = true;
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);

  return {
    url,
    dataDir,
    logs: () => logs,
    kill,
    start,
    async wipe() {
      assert.equal(running, null, 'wipe the data directory of a stopped server only');
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
    },
    async restart({ signal = 'SIGKILL', downtime = 0 } = {}) {
      await kill({ signal });
      if (downtime > 0) await new Promise((resolve) => setTimeout(resolve, downtime));
      await start();
    },
    async stop() {
      await kill({ signal: 'SIGTERM' });
      cleanUp();
      process.off('exit', cleanUp);
    },
  };
}

/** Launches Debian's Chromium headless (Playwright gives it a fresh temporary profile). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * @typedef {object} Person
 * @property {string} name
 * @property {import('playwright-core').BrowserContext} context
 * @property {import('playwright-core').Page} page
 * @property {import('playwright-core').Page[]} tabs further tabs of the same person (openTab)
 * @property {string[]} pageErrors    uncaught exceptions in the page
 * @property {string[]} consoleErrors console.error output and failed loads
 * @property {string[]} dialogs       alert/confirm/prompt messages (accepted automatically)
 */

/**
 * A simulated person: a browser context of their own (own storage, own identity) and a page.
 * @param {import('playwright-core').Browser} browser
 * @param {{name: string} & import('playwright-core').BrowserContextOptions} options
 * @returns {Promise<Person>}
 */
export async function newPerson(browser, { name, ...contextOptions }) {
  // English unless a scenario asks for another language (`locale: 'de-DE'`): it sets
  // navigator.languages and Accept-Language, which the client picks its language from.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', ...contextOptions });
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(WAIT);
  const page = await context.newPage();
  /** @type {Person} */
  const person = { name, context, page, tabs: [], pageErrors: [], consoleErrors: [], dialogs: [] };
  watchPage(person, page, '');
  return person;
}

/**
 * Records a page's uncaught errors, console errors and dialogs (accepted) on its person.
 * @param {Person} person
 * @param {import('playwright-core').Page} page
 * @param {string} label prefix telling which tab it was
 */
function watchPage(person, page, label) {
  page.on('pageerror', (error) => person.pageErrors.push(`${label}${error.stack ?? String(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error') person.consoleErrors.push(`${label}${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    person.dialogs.push(`${label}${dialog.type()}: ${dialog.message()}`);
    dialog.accept().catch(() => {});
  });
}

/**
 * Another tab of the same person: same browser context, so same storage and identity.
 * @param {Person} person
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function openTab(person) {
  const page = await person.context.newPage();
  person.tabs.push(page);
  watchPage(person, page, `(tab ${person.tabs.length + 1}) `);
  return page;
}

/** Saves a screenshot as artifacts/<name>.png. */
export async function snap(pageOrPerson, name, { fullPage = true } = {}) {
  const page = typeof pageOrPerson.screenshot === 'function' ? pageOrPerson : pageOrPerson.page;
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${slug(name)}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled', timeout: WAIT });
  return file;
}

export function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Polls `check` (which throws, e.g. with assert, while the condition does not hold) until it
 * passes; rethrows its last error after `timeout` ms.
 * @template T
 * @param {() => Promise<T> | T} check
 * @param {{timeout?: number, interval?: number}} [options]
 * @returns {Promise<T>}
 */
export async function eventually(check, { timeout = WAIT, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        error.message = `still failing after ${timeout} ms: ${error.message}`;
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

// One server and one browser per test file, started on first use.
let environment = null;
/** @type {string[]} */
let extraServerArgs = [];

/**
 * Further command-line arguments for this file's server, such as
 * `serverArgs('--webhook-allow-private')`: call it before the file's first scenario.
 * @param {...string} args
 */
export function serverArgs(...args) {
  assert.equal(environment, null, 'serverArgs comes before the first scenario starts the server');
  extraServerArgs = args;
}

function env() {
  environment ??= (async () => {
    const server = await startServer({ args: extraServerArgs });
    const browser = await launchBrowser();
    return { server, browser };
  })();
  return environment;
}
after(async () => {
  if (!environment) return;
  const { server, browser } = await environment.catch(() => ({}));
  await browser?.close().catch(() => {});
  await server?.stop();
});

/**
 * What a scenario works with: the server's URL, people, screenshots.
 */
export class Scene {
  constructor({ server, browser }, testName) {
    this.server = server;
    this.browser = browser;
    this.baseUrl = server.url.replace(/\/$/, '');
    this.testName = testName;
    /** @type {Person[]} */
    this.people = [];
  }

  /** @param {{name: string} & import('playwright-core').BrowserContextOptions} options */
  async person(options) {
    const person = await newPerson(this.browser, options);
    this.people.push(person);
    return person;
  }

  url(pathname = '/') {
    return new URL(pathname, this.server.url).href;
  }

  /** JSON request to the server's HTTP API. */
  async api(method, pathname, body) {
    const response = await fetch(this.url(pathname), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${pathname}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  snap(pageOrPerson, name, options) {
    return snap(pageOrPerson, name, options);
  }

  /** Full-page screenshots of every open page, as artifacts/<test>-<person>.png. */
  async screenshotAll() {
    const files = [];
    for (const person of this.people) {
      for (const [index, page] of [person.page, ...person.tabs].entries()) {
        if (page.isClosed()) continue;
        const name = index === 0 ? person.name : `${person.name}-tab${index + 1}`;
        try {
          files.push(await snap(page, `${this.testName}-${name}`));
        } catch (error) {
          files.push(`(no screenshot of ${name}: ${error.message})`);
        }
      }
    }
    return files;
  }

  report() {
    const lines = [];
    for (const person of this.people) {
      for (const error of person.pageErrors) lines.push(`[${person.name}] page error: ${error}`);
      for (const error of person.consoleErrors) lines.push(`[${person.name}] console error: ${error}`);
      for (const dialog of person.dialogs) lines.push(`[${person.name}] dialog: ${dialog}`);
    }
    return lines;
  }

  async close() {
    await Promise.all(this.people.map((person) => person.context.close().catch(() => {})));
  }
}

/**
 * Declares a test that gets a fresh Scene. On failure, including running out of time, every
 * open page is screenshotted into artifacts/<test-name>-<person>.png and the pages' errors,
 * dialogs and the server's log are printed; an uncaught page error fails the test even if
 * everything else passed.
 * @param {string} name
 * @param {(scene: Scene, t: import('node:test').TestContext) => Promise<void>} fn
 * @param {{timeout?: number}} [options]
 */
export function scenario(name, fn, { timeout = SCENARIO_TIMEOUT } = {}) {
  // Our own deadline comes first, so that a scenario out of time still gets its screenshots;
  // node's test timeout is only the backstop.
  const budget = Math.max(timeout - 10_000, timeout / 2);
  test(name, { timeout }, async (t) => {
    const scene = new Scene(await env(), slug(name));
    let timer;
    try {
      await Promise.race([
        fn(scene, t),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`scenario took longer than ${budget} ms`)), budget);
        }),
      ]);
      const pageErrors = scene.people.flatMap((p) => p.pageErrors.map((e) => `[${p.name}] ${e}`));
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
    } catch (error) {
      for (const file of await scene.screenshotAll()) t.diagnostic(`screenshot: ${file}`);
      for (const line of scene.report()) t.diagnostic(line);
      t.diagnostic(`server log (tail): ${scene.server.logs().slice(-4_000)}`);
      throw error;
    } finally {
      clearTimeout(timer);
      await scene.close();
    }
  });
}
