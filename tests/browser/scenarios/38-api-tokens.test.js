// API tokens: the facilitator issues one for a tool in the tracker dialog's API tab, sees its
// secret once (and never again, not even on opening the dialog again), finds it listed with its
// access and date, and revokes it after saying yes; the token opens the room's backlog over
// HTTP until then, and nothing after. Voters are offered no API tab.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, openRoom, textAndAttributes, textOf, tid } from '../ui.js';

const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The API tab of the tracker dialog, opened afresh. */
async function openApiTab(page) {
  await page.locator(tid('open-tracker')).click();
  const dialog = page.locator(tid('tracker-dialog'));
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(tid('tracker-tab-api')).click();
  await dialog.locator(tid('api-tokens')).waitFor({ state: 'visible' });
  return dialog;
}

/**
 * The room's backlog as a tool reads it with `token`: the status, and the titles when allowed.
 * @param {import('../harness.js').Scene} scene
 * @param {string} roomId
 * @param {string} token
 */
async function backlogWith(scene, roomId, token) {
  const response = await fetch(scene.url(`/api/rooms/${roomId}/items`), { headers: { authorization: `Bearer ${token}` } });
  const body = await response.json();
  return { status: response.status, titles: response.ok ? body.map((item) => item.title) : null };
}

scenario('an API token is shown once, works until it is revoked, and is the facilitator’s alone', async (scene) => {
  const { room, people } = await openRoom(scene, [{ name: 'Ana', viewport: DESKTOP }, { name: 'Ben' }]);
  const [ana, ben] = people;
  await addItem(ana, 'Checkout');

  const dialog = await openApiTab(ana.page);
  assert.equal(await dialog.locator(tid('tracker-tab-api')).getAttribute('aria-selected'), 'true');
  await dialog.locator(tid('api-tokens-empty')).waitFor();
  // The example names the room and this server, and the token only by a variable.
  assert.equal(await textOf(dialog.locator(tid('api-example'))), `curl -H "Authorization: Bearer $READYROOM_TOKEN" ${scene.baseUrl}/api/rooms/${room.room_id}/items`);

  // A token needs a name.
  await dialog.locator(tid('api-token-create')).click();
  assert.equal(await textOf(dialog.locator(tid('api-token-problem'))), 'Name the token, for instance after the tool that will use it.');
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'api-token-name');

  // Created: the secret, once, with a word that it will not be shown again.
  await dialog.locator(tid('api-token-name')).fill('Jira sync');
  await dialog.locator(tid('api-scope-read')).check();
  await dialog.locator(tid('api-token-create')).click();
  const secretField = dialog.locator(tid('api-token-secret'));
  await secretField.waitFor();
  const secret = await secretField.inputValue();
  assert.match(secret, /^rr_[0-9a-f]{32}$/);
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'api-token-secret', 'the focus goes to the secret, to copy it');
  assert.match(await textOf(dialog.locator(tid('api-secret'))), /Token for “Jira sync”[\s\S]*Copy it now: you won’t see it again\./);
  assert.equal(await textOf(dialog.locator(tid('api-example'))), `curl -H "Authorization: Bearer $READYROOM_TOKEN" ${scene.baseUrl}/api/rooms/${room.room_id}/items`, 'the example never shows the secret');
  const listed = dialog.locator(tid('api-token'));
  await eventually(async () => assert.equal(await listed.count(), 1));
  assert.equal(await textOf(listed.locator(tid('api-token-name-text'))), 'Jira sync');
  assert.equal(await listed.getAttribute('data-scope'), 'read');
  assert.match(await textOf(listed), /Read\s+Created /);
  assert.ok(!ana.page.url().includes(secret), 'the secret is in no address');
  await expectAccessible(ana.page, 'a new API token');
  await scene.snap(ana, 'api-token-fresh-secret', { fullPage: false });

  // The token reads the backlog, as a tool would; a read token changes nothing.
  assert.deepEqual(await backlogWith(scene, room.room_id, secret), { status: 200, titles: ['Checkout'] });
  const write = await fetch(scene.url(`/api/rooms/${room.room_id}/items`), { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'From a bot' }) });
  assert.equal(write.status, 403, 'a read token may not add items');

  // Dismissed, the secret is gone from the page; opened again, the dialog does not have it either.
  await dialog.locator(tid('api-secret-done')).click();
  assert.equal(await dialog.locator(tid('api-secret')).count(), 0);
  assert.ok(!(await textAndAttributes(dialog)).some((part) => part.includes(secret)), 'no trace of the secret');
  await ana.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await openApiTab(ana.page);
  await eventually(async () => assert.equal(await dialog.locator(tid('api-token')).count(), 1));
  assert.equal(await dialog.locator(tid('api-secret')).count(), 0, 'never shown again');

  // A second, with write access, closed before dismissing: its secret does not outlive the dialog.
  await dialog.locator(tid('api-token-name')).fill('Dashboard');
  await dialog.locator(tid('api-scope-write')).check();
  await dialog.locator(tid('api-token-create')).click();
  const second = await dialog.locator(tid('api-token-secret')).inputValue();
  assert.match(second, /^rr_[0-9a-f]{32}$/);
  assert.notEqual(second, secret);
  await eventually(async () => assert.deepEqual(await dialog.locator(tid('api-token-name-text')).allInnerTexts(), ['Dashboard', 'Jira sync'], 'newest first'));
  await ana.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(!(await textAndAttributes(dialog)).some((part) => part.includes(second)), 'closing the dialog forgets the secret');

  // Revoking asks first; cancelled, nothing happens.
  await openApiTab(ana.page);
  const jira = dialog.locator(tid('api-token')).filter({ hasText: 'Jira sync' });
  await jira.locator(tid('api-token-revoke')).click();
  assert.equal(await textOf(jira.locator('.api-confirm p')), 'Revoke “Jira sync”? Tools using it are refused from then on.');
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'api-revoke-cancel', 'the safe answer has the focus');
  await ana.page.setViewportSize(PHONE);
  await ana.page.emulateMedia({ colorScheme: 'dark' });
  await scene.snap(ana, 'api-token-revoke-phone-dark', { fullPage: false });
  await expectAccessible(ana.page, 'revoking an API token');
  await jira.locator(tid('api-revoke-cancel')).click();
  assert.equal((await backlogWith(scene, room.room_id, secret)).status, 200);
  await jira.locator(tid('api-token-revoke')).click();
  await jira.locator(tid('api-revoke-confirm')).click();
  await eventually(async () => assert.deepEqual(await dialog.locator(tid('api-token-name-text')).allInnerTexts(), ['Dashboard']));
  const revoked = await backlogWith(scene, room.room_id, secret);
  assert.ok([401, 403].includes(revoked.status), `a revoked token opens nothing (${revoked.status})`);
  assert.deepEqual(await backlogWith(scene, room.room_id, second), { status: 200, titles: ['Checkout'] }, 'the other token still works');
  await ana.page.keyboard.press('Escape');

  // A voter has no API tab, and the server would not list tokens for their token anyway.
  await ben.page.locator(tid('open-tracker')).click();
  const benDialog = ben.page.locator(tid('tracker-dialog'));
  await benDialog.waitFor({ state: 'visible' });
  assert.equal(await benDialog.locator(tid('tracker-tab-api')).count(), 0);
  assert.equal(await benDialog.locator(tid('api-tokens')).count(), 0);
});
