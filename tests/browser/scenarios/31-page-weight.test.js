// What a visit costs: the page and its assets arrive compressed, the assets are kept by the
// browser for good (their addresses change with each build) while the page is asked about
// again; and the time from a join link to a usable room, printed as a figure for
// BENCHMARKS.md (measured, never asserted: a slow machine is not a failure).

import assert from 'node:assert/strict';
import http from 'node:http';
import { eventually, scenario } from '../harness.js';
import { enterRoom, openRoom, textOf, tid, waitConnected } from '../ui.js';

/**
 * The bytes a GET of `url` puts on the wire with this Accept-Encoding (the body as sent, not
 * decoded).
 * @param {string} url
 * @param {string} encoding
 * @returns {Promise<number>}
 */
function wireBytes(url, encoding) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (response) => {
        let bytes = 0;
        response.on('data', (chunk) => (bytes += chunk.length));
        response.on('end', () => resolve(bytes));
      })
      .on('error', reject);
  });
}

scenario('a join link loads compressed, cached assets and a usable room', async (scene, t) => {
  const room = await scene.api('POST', '/api/rooms', { name: 'Sprint 43', default_deck: { kind: 'fibonacci' }, auto_reveal: false });
  const ben = await scene.person({ name: 'Ben' });
  /** @type {{ url: string, status: number, encoding: string, caching: string, bytes: number }[]} */
  const seen = [];
  ben.page.on('requestfinished', async (request) => {
    const response = await request.response();
    if (!response || request.url().includes('/ws/')) return;
    const sizes = await request.sizes();
    const headers = await response.allHeaders();
    seen.push({ url: new URL(request.url()).pathname, status: response.status(), encoding: headers['content-encoding'] ?? '', caching: headers['cache-control'] ?? '', bytes: sizes.responseBodySize + sizes.responseHeadersSize });
  });

  // Marks taken by the page itself, the moment things happen: Playwright's waiting polls at
  // growing intervals and would add its own delay to the figures.
  await ben.page.addInitScript(() => {
    const marks = /** @type {Record<string, number>} */ ({});
    Object.defineProperty(window, '__marks', { value: marks });
    new MutationObserver(() => {
      const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById('join-dialog'));
      if (dialog?.open && marks.dialog === undefined) marks.dialog = performance.now();
      if (marks.joined !== undefined && marks.usable === undefined && document.querySelector('[data-testid="participant"]') && document.querySelector('[data-testid="connection-status"][data-state="connected"]')) marks.usable = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
    document.addEventListener('submit', () => { marks.joined = performance.now(); }, { capture: true });
  });
  const clicked = performance.now();
  await ben.page.goto(room.join_url);
  await ben.page.locator(tid('join-dialog')).waitFor({ state: 'visible' });
  const dialogShown = performance.now();
  // The same, as the page itself saw it (from the start of navigation): where the time goes.
  const inPage = await ben.page.evaluate(() => {
    const navigation = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
    const resources = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource'));
    const scripts = resources.filter((r) => r.name.endsWith('.js'));
    return {
      document: navigation.responseEnd,
      firstScript: Math.min(...scripts.map((r) => r.startTime)),
      lastScript: Math.max(...scripts.map((r) => r.responseEnd)),
      api: Math.max(0, ...resources.filter((r) => r.name.includes('/api/')).map((r) => r.responseEnd)),
      dialog: /** @type {any} */ (window).__marks.dialog,
    };
  });
  await ben.page.locator(tid('join-dialog')).locator('input[name="display-name"]').fill('Ben');
  const joining = performance.now();
  await ben.page.locator(tid('join')).click();
  await ben.page.locator(tid('room')).waitFor({ state: 'visible' });
  await waitConnected(ben.page);
  await ben.page.locator(tid('participant')).first().waitFor();
  const usable = performance.now();
  const marks = await ben.page.evaluate(() => /** @type {any} */ (window).__marks);

  const assets = seen.filter((r) => r.url.startsWith('/v/'));
  const page = seen.find((r) => r.url.startsWith('/r/'));
  assert.ok(page, 'the page was loaded');
  assert.equal(page.caching, 'no-cache', 'the page is asked about on every visit');
  assert.ok(assets.length > 5, `assets come from versioned addresses: ${seen.map((r) => r.url).join(', ')}`);
  for (const asset of assets) {
    assert.match(asset.caching, /immutable/, `${asset.url} is kept for good`);
    if (/\.(js|css|svg)$/.test(asset.url)) assert.match(asset.encoding, /^(br|gzip)$/, `${asset.url} arrives compressed`);
  }
  assert.match(page.encoding, /^(br|gzip)$/, 'the page arrives compressed');
  const urls = [new URL(room.join_url).pathname, ...assets.map((r) => r.url)].map((path) => scene.url(path));
  const compressed = (await Promise.all(urls.map((url) => wireBytes(url, 'br, gzip')))).reduce((a, b) => a + b, 0);
  const plain = (await Promise.all(urls.map((url) => wireBytes(url, 'identity')))).reduce((a, b) => a + b, 0);

  // A second visit: the page is revalidated, the assets come from the browser's cache.
  seen.length = 0;
  const again = performance.now();
  await ben.page.reload();
  await enterRoom(ben, { name: 'Ben' });
  const againUsable = performance.now();
  // Served from the browser's cache, an asset crosses the network with nothing.
  const fetched = seen.filter((r) => r.url.startsWith('/v/') && r.bytes > 0);
  assert.deepEqual(fetched.map((r) => r.url), [], 'no asset is fetched again');

  const ms = (/** @type {number} */ value) => Math.round(value);
  t.diagnostic(`benchmark: in the page, from navigation start: document ${ms(inPage.document)} ms, first module asked ${ms(inPage.firstScript)} ms, last module in ${ms(inPage.lastScript)} ms, room looked up ${ms(inPage.api)} ms, join dialog ${ms(inPage.dialog)} ms`);
  t.diagnostic(`benchmark: as the page marked it: join dialog open ${ms(inPage.dialog)} ms after navigation start; join → usable room ${ms(marks.usable - marks.joined)} ms; link → usable, less typing the name, ${ms(inPage.dialog + marks.usable - marks.joined)} ms`);
  t.diagnostic(`benchmark: join link → join dialog ${ms(dialogShown - clicked)} ms; join → usable room ${ms(usable - joining)} ms; link → usable, less typing the name, ${ms(dialogShown - clicked + usable - joining)} ms`);
  t.diagnostic(`benchmark: first visit ${urls.length} requests, ${(compressed / 1024).toFixed(1)} KiB compressed (${(plain / 1024).toFixed(1)} KiB uncompressed, ${(plain / compressed).toFixed(1)}×); reload to a usable room ${ms(againUsable - again)} ms, ${fetched.length} assets fetched again`);
});

scenario('a dialog first opened after an upgrade says to reload instead of doing nothing', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }]);
  const [ana] = people;
  // Dialogs load when first opened; a server upgraded meanwhile no longer has this build's.
  await ana.page.route('**/js/view/dialogs/**', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await ana.page.locator(tid('open-definition')).click();
  await eventually(async () => assert.match(await textOf(ana.page.locator(tid('toast'))), /has been updated since this page opened\. Reload the page/));
  assert.equal(await ana.page.locator(tid('definition-dialog')).isVisible(), false);
  // Once the module can be had again, the same button opens the dialog: a failure is not kept.
  await ana.page.unroute('**/js/view/dialogs/**');
  await ana.page.locator(tid('open-definition')).click();
  await eventually(async () => assert.equal(await ana.page.locator(tid('definition-dialog')).isVisible(), true));
});
