// What a person does and sees in the Ready Room client, in terms of the DOM contract
// (data-testid attributes, roles and labels) and nothing else.

import assert from 'node:assert/strict';
import { eventually, WAIT } from './harness.js';

/** CSS selector of a data-testid. */
export const tid = (id) => `[data-testid="${id}"]`;

const ROOM_PATH = /\/r\/([0-9a-f-]{36})(?:[?#].*)?$/;
const BACKLOG_ITEM = `${tid('backlog')} ${tid('backlog-item')}`;

/** A regular expression matching exactly `text` (surrounding whitespace allowed). */
export function exactly(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/** Does `text` contain `token` as a whole word (not inside a longer run of letters/digits)? */
export function containsToken(text, token) {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(text);
}

/** The text of whatever `locator` matches right now ('' when nothing does); does not wait. */
export async function textOf(locator) {
  return (await locator.allInnerTexts()).join(' ');
}

/** Waits until `selector` matches (attached by default) on `page`. */
export function waitFor(page, selector, { state = 'attached', timeout = WAIT } = {}) {
  return page.locator(selector).first().waitFor({ state, timeout });
}

export function waitConnected(page, timeout = WAIT) {
  return waitFor(page, `${tid('connection-status')}[data-state="connected"]`, { timeout });
}

/** The connection state the status pill shows now. */
export function connectionState(page) {
  return page.locator(tid('connection-status')).getAttribute('data-state', { timeout: WAIT });
}

/** Waits until the status pill shows `state` (connected, reconnecting, offline, connecting). */
export function waitConnectionState(page, state, timeout = WAIT) {
  return waitFor(page, `${tid('connection-status')}[data-state="${state}"]`, { timeout });
}

/** How many changes the page says are waiting to be sent (0 when it says nothing). */
export async function unsentCount(page) {
  return Number((await page.locator(tid('unsent-note')).getAttribute('data-count', { timeout: WAIT })) ?? 0);
}

/**
 * Starts recording every connection state the page goes through (read with
 * `connectionLog`), with whether the new-item field was disabled and the offline banner shown.
 */
export function watchConnection(page) {
  return page.evaluate(() => {
    const log = [];
    const status = () => document.querySelector('[data-testid="connection-status"]');
    const editingDisabled = () => {
      const input = /** @type {HTMLInputElement | null} */ (document.querySelector('[data-testid="new-item-title"]'));
      return !!input && (input.disabled || input.matches(':disabled') || input.getAttribute('aria-disabled') === 'true');
    };
    const bannerShown = () => {
      const banner = /** @type {HTMLElement | null} */ (document.querySelector('[data-testid="offline-banner"]'));
      return !!banner && !banner.hidden && banner.offsetParent !== null;
    };
    const push = (state, disabled = editingDisabled(), banner = bannerShown()) => {
      const entry = { state, editingDisabled: disabled, banner };
      const last = log[log.length - 1];
      if (!last || last.state !== entry.state || last.editingDisabled !== entry.editingDisabled || last.banner !== entry.banner) log.push(entry);
    };
    push(status()?.getAttribute('data-state'));
    new MutationObserver((records) => {
      for (const record of records) {
        // Old values rebuild every intermediate state, however fast they followed each other.
        if (record.attributeName === 'data-state' && record.target === status()) push(record.oldValue, null, null);
      }
      push(status()?.getAttribute('data-state'));
    }).observe(document.documentElement, {
      subtree: true, childList: true, attributes: true, attributeOldValue: true,
      attributeFilter: ['data-state', 'disabled', 'aria-disabled', 'hidden'],
    });
    /** @type {any} */ (window).__connectionLog = log;
  });
}

/** @returns {Promise<Array<{state: string, editingDisabled: boolean | null, banner: boolean | null}>>} */
export function connectionLog(page) {
  return page.evaluate(() => /** @type {any} */ (window).__connectionLog);
}

/** How the page's joins were answered so far, in order: 'welcome' (a full snapshot) or 'resumed'. */
export function joinAnswers(page) {
  return page.evaluate(() => /** @type {any} */ (window).__readyroomDebug.joinAnswers());
}

/** The states of the connection log, without repeats. */
export async function connectionStates(page) {
  const states = (await connectionLog(page)).map((e) => e.state);
  return states.filter((state, i) => state !== states[i - 1]);
}

/** Checks a radio button, also when the client hides the native input behind a styled label. */
async function choose(radio) {
  if (await radio.isVisible()) await radio.check({ timeout: WAIT });
  else await radio.evaluate((input) => input.checked || input.click());
  assert.ok(await radio.isChecked(), 'radio button did not get checked');
}

/** On a room page: answers the join dialog if it is shown, then waits until connected. */
export async function enterRoom(person, { name, role = 'voter' }) {
  const { page } = person;
  const dialog = page.locator(tid('join-dialog'));
  const room = page.locator(tid('room'));
  const connected = page.locator(`${tid('connection-status')}[data-state="connected"]`);
  // Either the client asks who we are, or it knows us already and connects straight away.
  await dialog.filter({ visible: true }).or(connected).first().waitFor({ state: 'attached', timeout: WAIT });
  if (await dialog.isVisible()) {
    await dialog.locator('input[name="display-name"]').fill(name);
    await choose(dialog.locator(`input[name="role"][value="${role}"]`));
    await dialog.locator(tid('join')).click();
  }
  await room.waitFor({ state: 'visible', timeout: WAIT });
  await waitConnected(page);
}

/** Creates a room through the landing page; the creator ends up joined. Returns the room id. */
export async function createRoomViaLanding(person, baseUrl, { roomName, deck, name }) {
  const { page } = person;
  if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/`);
  const form = page.locator(tid('create-form'));
  await form.waitFor({ state: 'visible', timeout: WAIT });
  await form.locator('input[name="room-name"]').fill(roomName);
  if (deck) await form.locator('select[name="deck"]').selectOption(deck);
  await page.locator(tid('create-room')).click();
  await page.waitForURL(ROOM_PATH, { timeout: WAIT });
  await enterRoom(person, { name });
  return ROOM_PATH.exec(page.url())[1];
}

/**
 * Creates a room through the HTTP API and brings everybody in: the first person through the
 * facilitator link, the others through the team link. Each spec is {name, role?, ...context
 * options}. Returns the API's answer and the people, in order.
 */
export async function openRoom(scene, specs, { deck = 'fibonacci', roomName = 'Refinement' } = {}) {
  const room = await scene.api('POST', '/api/rooms', {
    name: roomName,
    default_deck: { kind: deck },
    auto_reveal: false,
  });
  const people = [];
  for (const [index, { name, role, ...contextOptions }] of specs.entries()) {
    const person = await scene.person({ name, ...contextOptions });
    await person.page.goto(index === 0 ? room.facilitator_url : room.join_url);
    await enterRoom(person, { name, role });
    people.push(person);
  }
  for (const { page } of people) await waitParticipants(page, people.length);
  await expectFacilitator(people[0].page, people[0].name);
  return { room, people };
}

// ---- participants -------------------------------------------------------------------------

/** The participant entry showing `name`. */
export function participant(page, name) {
  return page
    .locator(`${tid('participants')} ${tid('participant')}`)
    .filter({ hasText: name });
}

/** Waits until the participant called `name` is shown as the facilitator. */
export function expectFacilitator(page, name) {
  return eventually(async () => {
    assert.equal(await participant(page, name).getAttribute('data-facilitator', { timeout: WAIT }), 'true', `${name} is facilitator`);
  });
}

export async function participantId(page, name) {
  const entry = participant(page, name);
  await entry.waitFor({ state: 'attached', timeout: WAIT });
  return entry.getAttribute('data-participant-id');
}

/** Waits until exactly `count` participants are listed, all online. */
export function waitParticipants(page, count) {
  return eventually(async () => {
    const entries = await page
      .locator(`${tid('participants')} ${tid('participant')}`)
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-online')));
    assert.deepEqual(entries, Array(count).fill('true'), 'participants (data-online of each)');
  });
}

// ---- backlog ------------------------------------------------------------------------------

/** The backlog entry of an item. */
export function backlogItem(page, itemId) {
  return page.locator(`${BACKLOG_ITEM}[data-item-id="${itemId}"]`);
}

export function backlogItemTitled(page, title) {
  return page.locator(BACKLOG_ITEM).filter({ has: page.locator(tid('item-title'), { hasText: exactly(title) }) });
}

/**
 * Types a title into the new-item field and presses Enter, without waiting for the item
 * (e.g. while the connection is down). The field is free for the next title at once.
 */
export async function submitItem(person, title) {
  const input = person.page.locator(tid('new-item-title'));
  await input.fill(title);
  await input.press('Enter');
  await eventually(async () => assert.equal(await input.inputValue(), '', 'the new-item field is cleared once submitted'));
}

/** Adds an item through the new-item field; returns its id once it is listed. */
export async function addItem(person, title) {
  const { page } = person;
  await submitItem(person, title);
  const entry = backlogItemTitled(page, title);
  await entry.waitFor({ state: 'visible', timeout: WAIT });
  const id = await entry.getAttribute('data-item-id');
  assert.ok(id, `item "${title}" has no data-item-id`);
  return id;
}

/** Ids of the listed items, in display order. */
export function backlogOrder(page) {
  return page.locator(BACKLOG_ITEM).evaluateAll((els) => els.map((el) => el.getAttribute('data-item-id')));
}

/** Waits until every person's backlog lists exactly `ids`, in this order. */
export async function expectOrder(people, ids, message = 'backlog order') {
  for (const person of people) {
    await eventually(async () => assert.deepEqual(await backlogOrder(person.page), ids, `${message} for ${person.name}`));
  }
}

/** Waits until the item panel shows `itemId`. */
export function waitPanel(page, itemId, timeout = WAIT) {
  return waitFor(page, `${tid('item-panel')}[data-item-id="${itemId}"]`, { state: 'visible', timeout });
}

/** Opens an item in the item panel by clicking it in the backlog. */
export async function selectItem(person, itemId) {
  await backlogItem(person.page, itemId).locator(tid('item-title')).click();
  await waitPanel(person.page, itemId);
}

/** An item panel field: title, description, acceptance_criteria, labels, status, estimate. */
export function field(page, name) {
  return page.locator(`${tid('item-panel')} ${tid(`field-${name}`)}`);
}

/** Which item has data-current="true" in the backlog (null if none). */
export async function currentItemId(page) {
  const ids = await page
    .locator(`${BACKLOG_ITEM}[data-current="true"]`)
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-item-id')));
  assert.ok(ids.length <= 1, `several items are current: ${ids}`);
  return ids[0] ?? null;
}

/**
 * Drags an item by its handle with the mouse and drops it on the upper or lower quarter of
 * `ontoId`. Use the upper part of the first item or the lower part of the last one: those
 * drops mean the same under every drop rule (before/after the midpoint, or "take its place").
 */
export async function dragItem(page, itemId, ontoId, part = 'upper') {
  const handle = backlogItem(page, itemId).locator(tid('drag-handle'));
  await handle.scrollIntoViewIfNeeded({ timeout: WAIT });
  const from = await handle.boundingBox({ timeout: WAIT });
  const to = await backlogItem(page, ontoId).boundingBox({ timeout: WAIT });
  assert.ok(from && to, 'drag handle or drop target has no box');
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  const targetY = to.y + to.height * (part === 'upper' ? 0.25 : 0.75);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y + (targetY > y ? 6 : -6), { steps: 3 });
  await page.mouse.move(to.x + to.width / 2, targetY, { steps: 12 });
  await page.mouse.move(to.x + to.width / 2, targetY + 1, { steps: 2 });
  await page.mouse.up();
}

// ---- estimation ---------------------------------------------------------------------------

export function waitPhase(page, phase, timeout = WAIT) {
  return waitFor(page, `${tid('estimation')}[data-phase="${phase}"]`, { timeout });
}

export function card(page, value) {
  return page.locator(`button${tid('card')}[data-card="${value}"]`);
}

/** The cards offered, in order. */
export function cardValues(page) {
  return page.locator(`button${tid('card')}`).evaluateAll((els) => els.map((el) => el.getAttribute('data-card')));
}

export function voteSlot(page, participantId) {
  return page.locator(`${tid('vote-slot')}[data-participant-id="${participantId}"]`);
}

/** Plays a card by clicking it and waits until it shows as mine. */
export async function vote(person, value) {
  await card(person.page, value).click();
  await waitFor(person.page, `button${tid('card')}[data-card="${value}"][aria-pressed="true"]`);
}

/** Facilitator: opens the item and starts a round on it; waits for phase voting everywhere. */
export async function startRound(facilitator, itemId, everyone = [facilitator]) {
  await selectItem(facilitator, itemId);
  await facilitator.page.locator(`${tid('item-panel')} ${tid('start-round')}`).click();
  for (const { page } of everyone) await waitPhase(page, 'voting');
}

/** The number shown by a results statistic (average, median), or NaN. */
export async function statNumber(page, name) {
  const text = await page.locator(tid(`stat-${name}`)).innerText({ timeout: WAIT });
  const match = /-?\d+(?:[.,]\d+)?/.exec(text);
  return match ? Number(match[0].replace(',', '.')) : Number.NaN;
}

/** Text and every attribute value of an element and its descendants. */
export function textAndAttributes(locator) {
  return locator.evaluate((root) => {
    const parts = [root.textContent ?? ''];
    for (const element of [root, ...root.querySelectorAll('*')]) {
      for (const attribute of element.attributes) parts.push(`${attribute.name}=${attribute.value}`);
    }
    return parts;
  });
}

/** Blurs whatever has focus, so that single-key shortcuts reach the page. */
export function blurAll(page) {
  return page.evaluate(() => /** @type {HTMLElement | null} */ (document.activeElement)?.blur?.());
}

/** The page's background colour as [r, g, b] 0–255, normalised through a canvas. */
export function backgroundRgb(page) {
  return page.evaluate(() => {
    const candidates = [document.body, document.documentElement].map((el) => getComputedStyle(el).backgroundColor);
    const color = candidates.find((c) => c && c !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(c)) ?? 'white';
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const context = canvas.getContext('2d');
    context.fillStyle = color;
    context.fillRect(0, 0, 1, 1);
    return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  });
}

/** Relative luminance (0 black … 1 white) of an sRGB colour. */
export function luminance([r, g, b]) {
  const linear = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}
