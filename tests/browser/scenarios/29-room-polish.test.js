// What a newcomer sees: an empty room that says how to start and invites the team (with a QR
// code for phones), a join dialog with no half-drawn room behind it, titles that wrap, people
// with initials in their colour, presence that does not pretend while offline, and on a phone
// every card in view with the item's text above them.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { enterRoom, field, openRoom, addItem, selectItem, startRound, textOf, tid, vote, waitConnectionState, waitParticipants } from '../ui.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

scenario('a newcomer is invited, sees who is who, and votes from a phone', async (scene) => {
  const { room, people } = await openRoom(scene, [{ name: 'Ana Lima' }]);
  const [ana] = people;
  const start = ana.page.locator(tid('getting-started'));
  await eventually(async () => assert.match(await textOf(start), /nobody else is here yet/));
  await start.locator(tid('invite')).click();
  const qr = ana.page.locator(tid('join-qr'));
  await eventually(async () => assert.ok(await qr.evaluate((img) => /** @type {HTMLImageElement} */ (img).naturalWidth > 0), 'the QR code loads'));
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'copy-join-link', 'copying comes first');
  assert.equal(await ana.page.locator(tid('join-link')).evaluate((input) => input.scrollLeft), 0, 'the link reads from its start');
  // The test server is on 127.0.0.1: a phone could not open that link, and the dialog says so.
  assert.match(await textOf(ana.page.locator(tid('share-local'))), /--public-url/);
  await scene.snap(ana, 'share-qr');
  await ana.page.keyboard.press('Escape');

  // Ben, on a phone: the join dialog stands alone.
  const ben = await scene.person({ name: 'Ben', colorScheme: 'dark', ...PHONE });
  await ben.page.goto(room.join_url);
  await ben.page.locator(tid('join-dialog')).waitFor({ state: 'visible' });
  assert.equal(await ben.page.locator(tid('room')).isVisible(), false, 'no half-drawn room behind the dialog');
  await enterRoom(ben, { name: 'Ben' });
  for (const { page } of [ana, ben]) await waitParticipants(page, 2);
  const avatar = (page, name) => page.locator(tid('participant'), { hasText: name }).locator('.avatar');
  assert.equal(await textOf(avatar(ben.page, 'Ana Lima')), 'AL');
  const colour = await avatar(ana.page, 'Ben').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await avatar(ben.page, 'Ben').evaluate((el) => getComputedStyle(el).backgroundColor), colour, 'the same colour for everyone');

  // A long title wraps instead of hiding most of itself; a pasted line break becomes a space.
  const item = await addItem(ana, 'Export');
  await selectItem(ana, item);
  const title = field(ana.page, 'title');
  await title.fill('Export the whole backlog as CSV, with every field, every label and the estimate history, for the quarterly planning spreadsheet');
  const lines = await title.evaluate((el) => el.scrollHeight / parseFloat(getComputedStyle(el).lineHeight));
  assert.ok(lines >= 2, `the title shows on ${lines.toFixed(1)} lines`);
  // However the break comes in (pasted, dropped, from an input method), it becomes a space.
  await title.evaluate((el) => /** @type {HTMLTextAreaElement} */ (el).setSelectionRange(6, 6));
  await title.focus();
  await ana.page.keyboard.insertText(' and\nimport');
  assert.match(await title.inputValue(), /^Export and import the whole/);
  await field(ana.page, 'description').fill('So that the PO can paste it into the roadmap.');

  // On the phone, every card is in view, with the item's text above them.
  await startRound(ana, item, [ana, ben]);
  const cards = ben.page.locator(tid('card'));
  const viewport = ben.page.viewportSize();
  for (const box of await cards.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()))) {
    assert.ok(box.left >= 0 && box.right <= (viewport?.width ?? 0) && box.bottom <= (viewport?.height ?? 0), `a card out of view: ${JSON.stringify(box)}`);
  }
  await eventually(async () => assert.match(await textOf(ben.page.locator(tid('round-item'))), /paste it into the roadmap/));
  // Folded away, "About this item" stays folded as the round moves on.
  await ben.page.locator(`${tid('round-item')} summary`).click();
  await vote(ana, '5');
  await ben.page.locator(`${tid('vote-slot')}[data-state="voted"]`).first().waitFor();
  assert.equal(await ben.page.locator(tid('round-item')).evaluate((el) => /** @type {HTMLDetailsElement} */ (el).open), false);
  await scene.snap(ben, 'phone-voting-dark', { fullPage: false });

  // Offline, Ben's copy does not claim Ana is online.
  await ben.page.evaluate(() => window.dispatchEvent(new Event('offline')));
  await waitConnectionState(ben.page, 'offline');
  assert.equal(await ben.page.locator(tid('participant'), { hasText: 'Ana Lima' }).getAttribute('data-presence'), 'unknown');
  await ben.page.evaluate(() => window.dispatchEvent(new Event('online')));
  await eventually(async () => assert.equal(await ben.page.locator(tid('participant'), { hasText: 'Ana Lima' }).getAttribute('data-presence'), 'online'));
});
