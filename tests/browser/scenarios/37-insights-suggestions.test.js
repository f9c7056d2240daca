// Estimate suggestions and insights: with a history imported from a tracker, the facilitator
// may look at the suggestion before the reveal while voters see nothing of it (nor ask for it);
// after the reveal everyone sees the card similar items got, and opens one of them. After a
// short session the insights show where the time went, the trends, the items to split and,
// for the facilitator alone, figures per person; each chart's data downloads as CSV.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { backlogItemTitled, openRoom, startRound, textOf, tid, vote, waitPanel, waitPhase } from '../ui.js';

const DESKTOP = { width: 1366, height: 800 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** A backlog with history: three exports estimated 3, one at 5, one too big, and two to estimate. */
const HISTORY = [
  'key,title,description,estimate,labels',
  'H-1,Export the backlog as CSV,Download the items as a CSV file,3,export',
  'H-2,Export estimates as CSV,The estimates as a CSV file,3,export',
  'H-3,Export votes as CSV,Every vote as a CSV file,3,export',
  'H-4,Export the summary as PDF,A printable summary,5,export',
  'H-5,Single sign-on,SAML login for the whole company,13,auth',
  'H-6,Export people as CSV,Who took part as a CSV file,,export',
  'H-7,Dark mode,Follow the system theme,,',
].join('\n');
const SIMILAR = ['Export the backlog as CSV', 'Export estimates as CSV', 'Export votes as CSV', 'Export the summary as PDF'];

/**
 * Imports the history through the HTTP API, as a tracker sync would, and waits for everyone to have it.
 * @param {import('../harness.js').Scene} scene
 * @param {{ room_id: string, facilitator_token: string }} room
 * @param {import('../harness.js').Person[]} people
 */
async function importHistory(scene, room, people) {
  const response = await fetch(scene.url(`/api/rooms/${room.room_id}/import/csv`), {
    method: 'POST',
    headers: { authorization: `Bearer ${room.facilitator_token}`, 'content-type': 'text/csv' },
    body: HISTORY,
  });
  assert.equal(response.status, 200, await response.text());
  for (const { page } of people) await eventually(async () => assert.equal(await page.locator(`${tid('backlog')} ${tid('backlog-item')}`).count(), 7));
}

/** The id of the backlog item titled `title`. */
function itemId(page, title) {
  return backlogItemTitled(page, title).getAttribute('data-item-id');
}

/**
 * The content of a download, started by `click`.
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<void>} click
 */
async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await download.path();
  assert.ok(file, 'the download was saved');
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

scenario('the suggestion is the facilitator’s to look at before the reveal, and everyone’s after it', async (scene) => {
  const { room, people } = await openRoom(scene, [{ name: 'Ana', viewport: DESKTOP }, { name: 'Ben', viewport: DESKTOP }]);
  const [ana, ben] = people;
  /** Every time Ben's page asks for a suggestion. */
  const benAsked = [];
  ben.page.on('request', (request) => {
    if (request.url().includes('/suggestion')) benAsked.push({ url: request.url(), authorization: request.headers().authorization ?? '' });
  });
  await importHistory(scene, room, people);
  const target = await itemId(ana.page, 'Export people as CSV');

  // Voting: the facilitator is offered a look, quietly; the voter sees nothing of it.
  await startRound(ana, target, people);
  const offer = ana.page.locator(tid('show-suggestion'));
  await offer.waitFor();
  assert.match(await textOf(ana.page.locator(`${tid('suggestion')} .suggestion-why`)), /^Only you can see it\. Voters get it after the reveal, so that it does not anchor their estimates\.$/);
  assert.equal(await ben.page.locator(tid('suggestion')).count(), 0, 'a voter is offered nothing before the reveal');
  await scene.snap(ana, 'suggestion-facilitator-before-reveal', { fullPage: false });
  await offer.click();
  const early = ana.page.locator(tid('suggestion'));
  await eventually(async () => assert.equal(await textOf(early.locator(tid('suggested-card'))), '3'));
  assert.equal(await early.getAttribute('data-mode'), 'on_request');
  assert.match(await textOf(early.locator(tid('suggestion-matches'))), /^from \d+ similar items$/);
  assert.match(await textOf(early), /Hidden from voters until the reveal\./);
  await scene.snap(ana, 'suggestion-facilitator-peek', { fullPage: false });
  // A vote redraws the area; the answer is kept, not asked for again.
  const asked = [];
  ana.page.on('request', (request) => request.url().includes('/suggestion') && asked.push(request.url()));
  await vote(ben, '5');
  await vote(ana, '3');
  await eventually(async () => assert.equal(await textOf(ana.page.locator(tid('reveal'))), 'Reveal (2)'));
  assert.equal(await textOf(early.locator(tid('suggested-card'))), '3');
  assert.equal(await ben.page.locator(tid('suggestion')).count(), 0, 'still nothing for the voter');
  assert.deepEqual(benAsked, [], 'the voter’s page never asked for it before the reveal');

  // The reveal: everyone sees it, fetched with their own token.
  await ana.page.locator(tid('reveal')).click();
  for (const { page } of people) await waitPhase(page, 'revealed');
  const shown = ben.page.locator(tid('suggestion'));
  await eventually(async () => assert.equal(await textOf(shown.locator(tid('suggested-card'))), '3'));
  assert.equal(await shown.getAttribute('data-mode'), 'revealed');
  assert.equal(await shown.locator('h3').textContent(), 'From your history');
  assert.match(await textOf(shown.locator(tid('suggestion-confidence'))), /^(High|Medium|Low) confidence$/);
  const titles = await shown.locator(`${tid('suggestion-reference')} ${tid('suggestion-reference-title')}`).allInnerTexts();
  assert.equal(titles.length, 3);
  for (const title of titles) assert.ok(SIMILAR.includes(title), `${title} is one of the similar items`);
  assert.equal(benAsked.length, 1, 'asked once, after the reveal');
  assert.doesNotMatch(benAsked[0].url, /token|rr_/i, 'no token in the address');
  assert.match(benAsked[0].authorization, /^Bearer [0-9a-f]{32}$/, 'the voter’s own token, in the header');
  assert.notEqual(benAsked[0].authorization, `Bearer ${room.facilitator_token}`);
  await eventually(async () => assert.equal(await textOf(ana.page.locator(`${tid('suggestion')} ${tid('suggested-card')}`)), '3'));
  assert.deepEqual(asked, [], 'the facilitator’s answer from before the reveal is kept');
  await expectAccessible(ben.page, 'suggestion after the reveal');
  await scene.snap(ben, 'suggestion-after-reveal', { fullPage: false });

  // A similar item opens from it.
  const first = shown.locator(tid('suggestion-reference')).first();
  const firstId = await first.getAttribute('data-item-id');
  await first.locator(tid('suggestion-reference-title')).click();
  await waitPanel(ben.page, firstId);

  // Accepted, the round is over; an item like nothing else says so plainly.
  await ana.page.locator(`${tid('accept-tied')}[data-card="3"]`).click();
  await waitPhase(ana.page, 'idle');
  await startRound(ana, await itemId(ana.page, 'Dark mode'), people);
  await vote(ben, '2');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ben.page, 'revealed');
  await eventually(async () => assert.equal(await textOf(ben.page.locator(tid('suggestion-none'))), 'Not enough similar estimated items yet.'));
  assert.equal(await ben.page.locator(tid('suggested-card')).count(), 0);
});

scenario('insights after a short session: the time, the trends, what to split, and people for the facilitator only', async (scene) => {
  const { room, people } = await openRoom(scene, [{ name: 'Ana', viewport: DESKTOP }, { name: 'Ben', colorScheme: 'dark', ...PHONE }]);
  const [ana, ben] = people;
  await importHistory(scene, room, people);

  // Nothing refined yet: the charts say so rather than draw nothing.
  await ben.page.locator(tid('open-insights')).click();
  const benDialog = ben.page.locator(tid('insights-dialog'));
  await benDialog.locator(tid('insights-timeline')).waitFor();
  assert.match(await textOf(benDialog.locator(tid('insights-session-title'))), /^Everything so far \(no session started yet\)$/);
  assert.match(await textOf(benDialog.locator(tid('timeline-empty'))), /^No item was discussed in this session yet\./);
  assert.match(await textOf(benDialog.locator(tid('trends-empty'))), /^No votes revealed yet/);
  assert.deepEqual(await benDialog.locator(`${tid('split-candidate')} button`).allInnerTexts(), ['Single sign-on'], 'estimated at 13: likely too big');
  assert.equal(await benDialog.locator(tid('insights-people')).count(), 0, 'no figures per person for a voter');
  await ben.page.keyboard.press('Escape');
  await benDialog.waitFor({ state: 'hidden' });

  // A short session: one item agreed only on a second round, one at once.
  await ana.page.locator(tid('start-session')).click();
  await ben.page.locator(tid('session-spent')).waitFor();
  await startRound(ana, await itemId(ana.page, 'Export people as CSV'), people);
  await vote(ana, '3');
  await vote(ben, '8');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ana.page, 'revealed');
  await ana.page.locator(tid('revote')).click();
  await waitPhase(ben.page, 'voting');
  await vote(ana, '3');
  await vote(ben, '?');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ana.page, 'revealed');
  await ana.page.locator(tid('accept')).click();
  await waitPhase(ana.page, 'idle');
  await startRound(ana, await itemId(ana.page, 'Dark mode'), people);
  await vote(ana, '2');
  await vote(ben, '2');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ana.page, 'revealed');
  await ana.page.locator(tid('accept')).click();
  await waitPhase(ana.page, 'idle');

  // The facilitator's insights: the session's timeline against its budget, trends, split candidates, people.
  await ana.page.locator(tid('open-insights')).click();
  const dialog = ana.page.locator(tid('insights-dialog'));
  await dialog.locator(tid('timeline')).waitFor();
  assert.match(await textOf(dialog.locator(tid('insights-session-title'))), /^Session under way since /);
  assert.deepEqual(await dialog.locator(`${tid('timeline-row')} .timeline-title`).allInnerTexts(), ['Export people as CSV', 'Dark mode'], 'a row per item, in the order they came up');
  assert.ok((await dialog.locator(tid('timeline-bar')).count()) >= 2, 'a bar per stretch');
  assert.match(await dialog.locator(tid('timeline')).getAttribute('aria-label'), /^2 items discussed, .* in all: Export people as CSV, .*; Dark mode, .*\.$/);
  assert.match(await textOf(dialog.locator(tid('insights-budget'))), /^Time on items: \d+ min of a 2 hr budget/);
  assert.equal(await textOf(dialog.locator(tid('insights-items-estimated'))), '2');
  assert.equal(await textOf(dialog.locator(tid('insights-rounds'))), '3');
  const trend = (key) => dialog.locator(`${tid('trend')}[data-trend="${key}"]`);
  assert.equal(await dialog.locator(tid('trend')).count(), 5);
  assert.equal(await textOf(trend('first_round_consensus').locator(tid('trend-latest'))), '50%', 'one first round of two agreed');
  assert.equal(await textOf(trend('revote_rate').locator(tid('trend-latest'))), '50%');
  assert.match(await trend('first_round_consensus').locator('svg').getAttribute('aria-label'), /^First-round consensus by session: .+: 50%\.$/);
  assert.equal(await trend('first_round_consensus').locator('svg title').textContent(), await trend('first_round_consensus').locator('svg').getAttribute('aria-label'));
  const rows = dialog.locator(tid('person-row'));
  assert.deepEqual((await rows.locator('th').allInnerTexts()).sort(), ['Ana', 'Ben']);
  assert.match(await textOf(rows.filter({ hasText: 'Ben' })), /Ben\s+3\s+33%/, 'three votes, one of them “?”');
  await expectAccessible(ana.page, 'insights');
  await scene.snap(ana, 'insights-desktop-light', { fullPage: false });
  await dialog.locator(tid('insights-trends')).scrollIntoViewIfNeeded();
  await scene.snap(ana, 'insights-desktop-light-trends', { fullPage: false });
  await dialog.locator(tid('insights-people')).scrollIntoViewIfNeeded();
  await scene.snap(ana, 'insights-desktop-light-people', { fullPage: false });
  await ana.page.emulateMedia({ colorScheme: 'dark' });
  await scene.snap(ana, 'insights-desktop-dark-people', { fullPage: false });
  await expectAccessible(ana.page, 'insights in the dark');
  await ana.page.emulateMedia({ colorScheme: 'light' });

  // Each chart's data downloads as CSV, made in the page.
  const timeline = await downloaded(ana.page, () => dialog.locator(tid('csv-timeline')).click());
  assert.equal(timeline.name, 'readyroom-insights-timeline.csv');
  const lines = timeline.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  assert.equal(lines[0], 'Item ID,Title,From,To,Minutes');
  assert.match(lines[1], /^[0-9a-f-]{36},Export people as CSV,\d{4}-\d\d-\d\dT[\d:.]+Z,\d{4}-\d\d-\d\dT[\d:.]+Z,[\d.]+$/);
  assert.match(lines.at(-1), /,Dark mode,/);
  const consensus = await downloaded(ana.page, () => trend('first_round_consensus').locator(tid('csv-trend-first-round-consensus')).click());
  assert.deepEqual(consensus.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((line) => line.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')), ['Session start,Session end,First-round consensus', 'T,,0.5']);
  const split = await downloaded(ana.page, () => dialog.locator(tid('csv-split-candidates')).click());
  assert.match(split.text, /^\uFEFFItem ID,Title,Estimate\r\n[0-9a-f-]{36},Single sign-on,13\r\n$/);
  await ana.page.keyboard.press('Escape');

  // The voter, on a phone in the dark: the same session, without anyone's figures.
  await ben.page.locator(tid('open-insights')).click();
  await benDialog.locator(tid('timeline')).waitFor();
  assert.equal(await benDialog.locator(tid('insights-people')).count(), 0, 'still no figures per person for a voter');
  assert.equal(await benDialog.locator(tid('trend')).count(), 5);
  await expectAccessible(ben.page, 'insights on a phone');
  await scene.snap(ben, 'insights-phone-dark', { fullPage: false });
  await benDialog.locator(tid('insights-trends')).scrollIntoViewIfNeeded();
  await scene.snap(ben, 'insights-phone-dark-trends', { fullPage: false });
  await ben.page.emulateMedia({ colorScheme: 'light' });
  await benDialog.locator(tid('insights-split')).scrollIntoViewIfNeeded();
  await scene.snap(ben, 'insights-phone-light-split', { fullPage: false });
  // A split candidate opens its item, the dialog making way.
  await benDialog.locator(`${tid('split-candidate')} button`).click();
  await benDialog.waitFor({ state: 'hidden' });
  await waitPanel(ben.page, await itemId(ben.page, 'Single sign-on'));

  // A second session: a bar each in the trends, and the earlier session's timeline still to be had.
  await ana.page.locator(tid('end-session')).click();
  await ana.page.locator(tid('start-session')).click();
  await ana.page.locator(tid('end-session')).waitFor();
  await startRound(ana, await itemId(ana.page, 'Export the summary as PDF'), people);
  await vote(ana, '5');
  await vote(ben, '5');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ana.page, 'revealed');
  await ana.page.locator(tid('accept')).click();
  await waitPhase(ana.page, 'idle');
  await ana.page.locator(tid('open-insights')).click();
  await dialog.locator(tid('timeline')).waitFor();
  // The item still current from the first session is on the second's timeline from its start.
  assert.deepEqual(await dialog.locator(`${tid('timeline-row')} .timeline-title`).allInnerTexts(), ['Dark mode', 'Export the summary as PDF']);
  assert.equal(await textOf(trend('first_round_consensus').locator(tid('trend-latest'))), '100%');
  assert.equal(await trend('first_round_consensus').locator('rect.trend-bar').count(), 2, 'a bar per session');
  const sessions = dialog.locator(tid('insights-session-select'));
  assert.equal(await sessions.locator('option').count(), 2);
  assert.match(await textOf(sessions.locator('option').first()), /^Session under way since /, 'the latest first');
  await sessions.selectOption({ index: 1 });
  // When it ran, as a span (a session of less than a minute is one time).
  await eventually(async () => assert.match(await textOf(dialog.locator(tid('insights-session-title'))), /^Session of \w{3} \d+, \d{4}, \d/));
  assert.deepEqual(await dialog.locator(`${tid('timeline-row')} .timeline-title`).allInnerTexts(), ['Export people as CSV', 'Dark mode']);
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'insights-session-select', 'the focus stays on the choice');
  await scene.snap(ana, 'insights-desktop-two-sessions', { fullPage: false });
});
