// Webhooks: the facilitator points the room at a receiver in the tracker dialog's Webhooks tab,
// sees its signing secret once, sends a test and follows it in the delivery log as the
// receiver first refuses it (503), the server retries, and it arrives; the receiver (a real
// HTTP server in this test) finds every request signed with that secret. A receiver that
// keeps failing leaves a failed delivery, retried by hand; a webhook is deleted after a yes.
// Voters are offered no Webhooks tab.

import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario, serverArgs } from '../harness.js';
import { addItem, openRoom, textAndAttributes, textOf, tid } from '../ui.js';

// Receivers on this machine are allowed, retries come after a second (then two), and a
// delivery fails for good after two attempts: the whole life of a delivery in a few seconds.
serverArgs('--webhook-allow-private', '--webhook-retry-seconds', '1', '--webhook-attempts', '2');

const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Long enough for a retry (a second, or two, and a tenth more) and the log's next look. */
const SETTLE = 15_000;

/**
 * @typedef {{ path: string, headers: import('node:http').IncomingHttpHeaders, body: string }} Received
 */

/**
 * A webhook receiver: records every request and answers the n-th (from 1) with the status
 * `answer` gives, which may keep it waiting.
 * @param {(n: number) => number | Promise<number>} answer
 */
async function receiver(answer) {
  /** @type {Received[]} */
  const requests = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', async () => {
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      response.writeHead(await answer(requests.length)).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    requests,
    url: (/** @type {string} */ path) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * Whether a request's `ReadyRoom-Signature` is the HMAC-SHA256 of "<t>.<body>" under `secret`,
 * with a time of now.
 * @param {Received} request
 * @param {string} secret
 */
function signedWith(request, secret) {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['readyroom-signature']));
  assert.ok(match, `a signature header: ${request.headers['readyroom-signature']}`);
  const [, time, signature] = match;
  assert.ok(Math.abs(Date.now() / 1000 - Number(time)) < 300, 'signed just now');
  const expected = createHmac('sha256', secret).update(`${time}.${request.body}`).digest();
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}

/** The Webhooks tab of the tracker dialog, opened afresh. */
async function openWebhooksTab(page) {
  await page.locator(tid('open-tracker')).click();
  const dialog = page.locator(tid('tracker-dialog'));
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(tid('tracker-tab-webhooks')).click();
  await dialog.locator(tid('webhooks')).waitFor({ state: 'visible' });
  return dialog;
}

/** Whether anything on the page scrolls sideways: the page itself or the dialog. */
function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const dialog = /** @type {HTMLElement} */ (document.querySelector('#tracker-dialog'));
    return Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth, dialog.scrollWidth - dialog.clientWidth);
  });
}

scenario('a webhook is signed with a secret shown once, its log follows retries, and it is the facilitator’s alone', async (scene) => {
  // The first receiver refuses the first request, keeps the second waiting until let go, and
  // takes everything after; the second receiver is down for good.
  /** @type {() => void} */
  let letGo = () => {};
  const held = new Promise((resolve) => (letGo = () => resolve(undefined)));
  const flaky = await receiver(async (n) => {
    if (n === 1) return 503;
    if (n === 2) await held;
    return 204;
  });
  const down = await receiver(() => 500);
  try {
    const { room, people } = await openRoom(scene, [{ name: 'Ana', viewport: DESKTOP }, { name: 'Ben' }]);
    const [ana, ben] = people;
    await ana.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: scene.baseUrl });
    await addItem(ana, 'Checkout');

    const dialog = await openWebhooksTab(ana.page);
    assert.equal(await dialog.locator(tid('tracker-tab-webhooks')).getAttribute('aria-selected'), 'true');
    await dialog.locator(tid('webhooks-empty')).waitFor();
    assert.match(await textOf(dialog.locator(tid('webhook-signature-format'))), /ReadyRoom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>\.<body>">/);

    // The form says what is wrong before asking the server.
    await dialog.locator(tid('webhook-event-estimate.accepted')).uncheck();
    await dialog.locator(tid('webhook-create')).click();
    assert.equal(await textOf(dialog.locator(tid('webhook-url-problem'))), 'Enter the address your receiver answers at.');
    assert.equal(await textOf(dialog.locator(tid('webhook-events-problem'))), 'Choose at least one event to send.');
    assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'webhook-url');
    assert.equal(await dialog.locator(tid('webhook-url')).getAttribute('aria-invalid'), 'true');
    await dialog.locator(tid('webhook-url')).fill('ftp://example.com/hook');
    await dialog.locator(tid('webhook-create')).click();
    assert.equal(await textOf(dialog.locator(tid('webhook-url-problem'))), 'The address must start with https:// or http://.');

    // Created: the secret, once, with what it is for.
    const flakyUrl = flaky.url('/hook');
    await dialog.locator(tid('webhook-url')).fill(flakyUrl);
    await dialog.locator(tid('webhook-event-estimate.accepted')).check();
    await dialog.locator(tid('webhook-event-items.imported')).check();
    await dialog.locator(tid('webhook-create')).click();
    const secretField = dialog.locator(tid('webhook-secret'));
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.match(secret, /^whsec_[0-9a-f]{32,}$/);
    assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'webhook-secret', 'the focus goes to the secret, to copy it');
    assert.match(await textOf(dialog.locator(tid('webhook-secret-box'))), /Copy it now: you won’t see it again\.[\s\S]*ReadyRoom-Signature header/);
    await dialog.locator(tid('copy-webhook-secret')).click();
    await eventually(async () => assert.equal(await ana.page.evaluate(() => navigator.clipboard.readText()), secret));
    assert.equal(await textOf(dialog.locator(tid('copy-webhook-secret'))), 'Copied ✓');
    const flakyRow = dialog.locator(tid('webhook')).filter({ hasText: flakyUrl });
    await flakyRow.waitFor();
    assert.equal(await textOf(flakyRow.locator(tid('webhook-url-text'))), flakyUrl);
    assert.deepEqual(await flakyRow.locator(tid('webhook-event')).allInnerTexts(), ['estimate.accepted', 'items.imported']);
    assert.equal(await textOf(flakyRow.locator(tid('webhook-log-empty'))), 'No deliveries yet — send a test to check your receiver.');
    assert.equal(await dialog.locator(tid('webhook-url')).inputValue(), '', 'the form is ready for another');
    await expectAccessible(ana.page, 'a new webhook');
    await scene.snap(ana, 'webhooks-fresh-secret', { fullPage: false });

    // Dismissed, the secret is gone from the page; opened again, the dialog does not have it either.
    await dialog.locator(tid('webhook-secret-done')).click();
    assert.equal(await dialog.locator(tid('webhook-secret-box')).count(), 0);
    assert.ok(!(await textAndAttributes(dialog)).some((part) => part.includes(secret)), 'no trace of the secret');
    await ana.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await openWebhooksTab(ana.page);
    await flakyRow.waitFor();
    assert.equal(await dialog.locator(tid('webhook-secret-box')).count(), 0, 'never shown again');

    // A test: refused first, so the log shows it waiting for its retry with the answer it got…
    await flakyRow.locator(tid('webhook-ping')).click();
    const ping = flakyRow.locator(tid('webhook-delivery')).filter({ hasText: 'ping' });
    await eventually(async () => assert.equal(await ping.getAttribute('data-state'), 'retrying'), { timeout: SETTLE });
    assert.equal(await ping.getAttribute('data-status'), 'pending');
    assert.match(await textOf(ping), /Retrying[\s\S]*ping[\s\S]*1 attempt[\s\S]*HTTP 503[\s\S]*next try/);
    await eventually(() => assert.equal(flaky.requests.length, 2), { timeout: SETTLE });
    await dialog.locator(tid('webhook-list')).scrollIntoViewIfNeeded();
    await scene.snap(ana, 'webhooks-retrying', { fullPage: false });
    // …and, the receiver letting the retry through, delivered.
    letGo();
    await eventually(async () => assert.equal(await ping.getAttribute('data-status'), 'delivered'), { timeout: SETTLE });
    assert.match(await textOf(ping), /Delivered[\s\S]*ping[\s\S]*2 attempts[\s\S]*HTTP 204/);
    assert.equal(await ping.locator(tid('delivery-retry')).count(), 0);
    assert.equal(await textOf(dialog.locator(tid('webhooks-live'))), 'The ping delivery arrived.');

    // What the receiver got: the same ping twice, each signed with the secret.
    assert.equal(flaky.requests.length, 2);
    const [first, second] = flaky.requests;
    assert.equal(first.path, '/hook');
    assert.equal(first.headers['readyroom-event'], 'ping');
    assert.equal(first.headers['readyroom-delivery'], second.headers['readyroom-delivery'], 'a retry is the same delivery');
    assert.equal(JSON.parse(first.body).event, 'ping');
    assert.equal(JSON.parse(first.body).room_id, room.room_id);
    for (const request of flaky.requests) assert.ok(signedWith(request, secret), 'the signature verifies with the secret');
    assert.ok(!signedWith(first, `${secret}x`), 'and with no other');

    // An event from the room: a tracker sync imports items; the log, refreshed, shows it.
    const imported = await fetch(scene.url(`/api/rooms/${room.room_id}/import/csv`), {
      method: 'POST',
      headers: { authorization: `Bearer ${room.facilitator_token}`, 'content-type': 'text/csv' },
      body: 'key,title\nS-1,Search the backlog\n',
    });
    assert.equal(imported.status, 200, await imported.text());
    await eventually(() => assert.equal(flaky.requests.length, 3), { timeout: SETTLE });
    assert.equal(flaky.requests[2].headers['readyroom-event'], 'items.imported');
    assert.ok(signedWith(flaky.requests[2], secret));
    await dialog.locator(tid('webhooks-refresh')).click();
    const importedRow = flakyRow.locator(tid('webhook-delivery')).filter({ hasText: 'items.imported' });
    await eventually(async () => assert.equal(await importedRow.getAttribute('data-status'), 'delivered'), { timeout: SETTLE });
    assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'webhooks-refresh', 'a refresh keeps the focus');

    // A receiver that is down: its test fails for good, and is retried by hand. Its long
    // address wraps rather than widening the dialog.
    const downUrl = down.url(`/integrations/readyroom/webhooks/${'deliveries-for-the-team-dashboard-'.repeat(4)}end`);
    await dialog.locator(tid('webhook-url')).fill(downUrl);
    await dialog.locator(tid('webhook-event-item.ready')).check();
    await dialog.locator(tid('webhook-create')).click();
    await dialog.locator(tid('webhook-secret-done')).click();
    const downRow = dialog.locator(tid('webhook')).filter({ hasText: downUrl });
    assert.deepEqual(await dialog.locator(tid('webhook-url-text')).allInnerTexts(), [downUrl, flakyUrl], 'newest first');
    assert.equal(await textOf(dialog.locator('.webhooks-list .count')), '2 of 5');
    await downRow.locator(tid('webhook-ping')).click();
    const failed = downRow.locator(tid('webhook-delivery'));
    await eventually(async () => assert.equal(await failed.getAttribute('data-status'), 'failed'), { timeout: SETTLE });
    assert.match(await textOf(failed), /Failed[\s\S]*ping[\s\S]*2 attempts[\s\S]*HTTP 500/);
    assert.equal(await textOf(dialog.locator(tid('webhooks-live'))), 'The ping delivery failed.');
    assert.equal(down.requests.length, 2);
    await failed.locator(tid('delivery-retry-button')).click();
    await eventually(async () => assert.equal(await failed.getAttribute('data-status'), 'pending'), { timeout: SETTLE });
    await eventually(async () => assert.equal(await failed.getAttribute('data-status'), 'failed'), { timeout: SETTLE });
    assert.equal(down.requests.length, 4, 'retried from its first attempt');

    // The log with a delivered and a failed delivery, in both themes, on a desk and a phone.
    await dialog.locator(tid('webhook-list')).scrollIntoViewIfNeeded();
    await expectAccessible(ana.page, 'the webhooks and their deliveries');
    await scene.snap(ana, 'webhooks-log', { fullPage: false });
    await ana.page.emulateMedia({ colorScheme: 'dark' });
    await scene.snap(ana, 'webhooks-log-dark', { fullPage: false });
    await expectAccessible(ana.page, 'the webhooks and their deliveries, dark');
    await ana.page.setViewportSize(PHONE);
    await dialog.locator(tid('webhook-list')).scrollIntoViewIfNeeded();
    assert.ok((await sidewaysOverflow(ana.page)) <= 0, 'nothing scrolls sideways on a phone');
    await scene.snap(ana, 'webhooks-log-phone-dark', { fullPage: false });
    await expectAccessible(ana.page, 'the webhooks on a phone, dark');
    await ana.page.emulateMedia({ colorScheme: 'light' });
    await scene.snap(ana, 'webhooks-log-phone', { fullPage: false });
    await dialog.locator(tid('tracker-tab-webhooks')).scrollIntoViewIfNeeded();
    await scene.snap(ana, 'webhooks-form-phone', { fullPage: false });

    // Deleting asks first; cancelled, nothing happens.
    await flakyRow.locator(tid('webhook-delete')).click();
    assert.equal(await textOf(flakyRow.locator('.api-confirm p')), `Delete the webhook to ${flakyUrl}? Nothing more is sent there, and its deliveries are forgotten.`);
    assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'webhook-delete-cancel', 'the safe answer has the focus');
    await scene.snap(ana, 'webhooks-delete-phone', { fullPage: false });
    await flakyRow.locator(tid('webhook-delete-cancel')).click();
    assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'webhook-delete');
    await flakyRow.locator(tid('webhook-delete')).click();
    await flakyRow.locator(tid('webhook-delete-confirm')).click();
    await eventually(async () => assert.deepEqual(await dialog.locator(tid('webhook-url-text')).allInnerTexts(), [downUrl]));
    const listed = await fetch(scene.url(`/api/rooms/${room.room_id}/webhooks`), { headers: { authorization: `Bearer ${room.facilitator_token}` } });
    assert.deepEqual((await listed.json()).map((webhook) => webhook.url), [downUrl], 'the server has forgotten it too');
    await ana.page.keyboard.press('Escape');

    // A voter has no Webhooks tab, and the server would not list webhooks for their token anyway.
    await ben.page.locator(tid('open-tracker')).click();
    const benDialog = ben.page.locator(tid('tracker-dialog'));
    await benDialog.waitFor({ state: 'visible' });
    assert.equal(await benDialog.locator(tid('tracker-tab-webhooks')).count(), 0);
    assert.equal(await benDialog.locator(tid('webhooks')).count(), 0);
  } finally {
    letGo();
    await flaky.close();
    await down.close();
  }
});
