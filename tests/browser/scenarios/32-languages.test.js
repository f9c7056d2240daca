// The client in three languages: a browser whose language is German gets German from the
// landing page on (numbers and durations written the German way, the server's default
// Definition of Ready said in German too); the switcher turns a room to Spanish live, without a
// reload, for the results on screen, the item and the messages that pop up, and it stays
// Spanish after a reload while the room and the person are kept. A teammate keeps their own
// language. No English is left on any of these screens (checked against the English
// catalogue), the German room passes axe-core, and screenshots of it in German and Spanish, on
// a desktop and a phone, light and dark, land in artifacts/.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, enterRoom, selectItem, statNumber, textOf, tid, vote, waitPhase } from '../ui.js';
import en from '../../../web/js/messages/en.js';
import de from '../../../web/js/messages/de.js';
import es from '../../../web/js/messages/es.js';

const CATALOGUES = { de, es };
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

/** @param {import('../../../web/js/i18n.js').Message} message */
const textsOf = (message) => (typeof message === 'string' ? [message] : Object.values(message));

/**
 * Pieces of English the page must not show in `language`: every run of words of an English
 * message (between its placeholders) that the language's own catalogue does not also use, as
 * "Definition of Ready" is also German.
 * @param {'de' | 'es'} language
 */
function englishPieces(language) {
  const own = Object.values(CATALOGUES[language]).flatMap(textsOf).join('\n');
  const pieces = new Set();
  for (const message of Object.values(en)) {
    for (const text of textsOf(message)) {
      for (const piece of text.split(/\{\w+\}/)) {
        const words = piece.trim();
        if (words.length >= 8 && /[a-z]{3}/i.test(words) && !own.includes(words)) pieces.add(words);
      }
    }
  }
  return [...pieces];
}

/**
 * Everything the page says: its visible text, every option, and the labels, titles,
 * placeholders and alternative texts of all its elements (shown or not).
 * @param {import('playwright-core').Page} page
 */
function everythingSaid(page) {
  return page.evaluate(() => {
    const said = [document.title, document.body.innerText];
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = element.getAttribute(attribute);
        if (value) said.push(value);
      }
      if (element.tagName === 'OPTION') said.push(element.textContent ?? '');
    }
    return said.join('\n');
  });
}

/**
 * @param {import('playwright-core').Page} page
 * @param {'de' | 'es'} language
 * @param {string} screen
 */
async function expectNoEnglish(page, language, screen) {
  const said = await everythingSaid(page);
  const found = englishPieces(language).filter((piece) => said.includes(piece));
  assert.deepEqual(found, [], `${screen} in ${language} still says in English`);
}

/**
 * Screenshots of the page as it is, desktop and phone, light and dark; on the phone the page
 * must not scroll sideways and the top bar must keep its controls inside it.
 * @param {import('../harness.js').Scene} scene
 * @param {import('../harness.js').Person} person
 * @param {string} name
 */
async function snapEverywhere(scene, person, name) {
  const { page } = person;
  for (const [size, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
    await page.setViewportSize(viewport);
    for (const colorScheme of /** @type {const} */ (['light', 'dark'])) {
      await page.emulateMedia({ colorScheme });
      await eventually(async () => assert.equal(await page.getAttribute('html', 'data-theme'), colorScheme));
      const overflow = await page.evaluate(() => {
        const bar = /** @type {HTMLElement} */ (document.querySelector('.topbar'));
        const outside = [...bar.querySelectorAll('button, select, .language, .connection, .timer')]
          .filter((element) => /** @type {HTMLElement} */ (element).offsetParent !== null)
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return box.left < 0 || box.right > window.innerWidth + 1;
          })
          .map((element) => element.textContent || element.getAttribute('aria-label'));
        return { page: document.documentElement.scrollWidth - window.innerWidth, bar: bar.scrollWidth - bar.clientWidth, outside };
      });
      assert.ok(overflow.page <= 1, `${name} (${size}, ${colorScheme}): the page scrolls sideways by ${overflow.page}px`);
      assert.ok(overflow.bar <= 1 && overflow.outside.length === 0, `${name} (${size}, ${colorScheme}): the top bar overflows: ${JSON.stringify(overflow)}`);
      await scene.snap(page, `${name}-${size}-${colorScheme}`, { fullPage: size === 'desktop' });
    }
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
}

scenario('a German browser gets German; the switcher turns the room Spanish live and for good', async (scene) => {
  // The landing page, in the browser's language.
  const anja = await scene.person({ name: 'Anja', locale: 'de-DE', viewport: DESKTOP });
  const { page } = anja;
  await page.goto(scene.url('/'));
  await page.locator(tid('create-form')).waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.equal(await textOf(page.locator('.landing-title')), de['landing.title']);
  assert.equal(await page.locator(tid('create-room')).innerText(), 'Raum erstellen');
  const switcher = page.locator(tid('language'));
  assert.equal(await switcher.inputValue(), 'de');
  assert.equal(await switcher.getAttribute('aria-label'), 'Sprache', 'the switcher is named in the page’s language');
  assert.deepEqual(await switcher.locator('option').allTextContents(), ['English', 'Deutsch', 'Español'], 'each language named in itself');
  assert.match(await page.locator('select[name="deck"] option').first().textContent() ?? '', /^Fibonacci \(/);
  await expectNoEnglish(page, 'de', 'the landing page');
  await scene.snap(anja, 'languages-landing-de', { fullPage: false });

  // Creating a room and joining it, in German.
  await page.locator('input[name="room-name"]').fill('Verfeinerung Sprint 7');
  await page.locator(tid('create-room')).click();
  await page.waitForURL(/\/r\/[0-9a-f-]{36}$/);
  const join = page.locator(tid('join-dialog'));
  await join.waitFor({ state: 'visible' });
  assert.equal(await join.locator('#join-heading').innerText(), 'Verfeinerung Sprint 7 beitreten');
  assert.equal(await join.locator(tid('join')).innerText(), 'Raum betreten');
  await expectNoEnglish(page, 'de', 'the join dialog');
  await scene.snap(anja, 'languages-join-de', { fullPage: false });
  await enterRoom(anja, { name: 'Anja' });
  const teamLink = page.url();

  const ben = await scene.person({ name: 'Ben', locale: 'de-DE' });
  await ben.page.goto(teamLink);
  await enterRoom(ben, { name: 'Ben' });

  const item = await addItem(anja, 'Export als CSV');
  await addItem(anja, 'Anmeldung per SSO');
  await selectItem(anja, item);
  const panel = page.locator(tid('item-panel'));
  assert.equal(await panel.locator('label[for="field-description"]').innerText(), 'BESCHREIBUNG', 'labels are in German (shown in capitals)');
  // The server's default Definition of Ready is said in German, each criterion as the room has it.
  assert.ok((await panel.locator(tid('criterion')).allInnerTexts()).some((text) => text.includes('Titel und Beschreibung sind klar')));
  // A duration and a share through Intl: "2 Std.", "5 %".
  assert.match(await textOf(page.locator(tid('session-budget'))), /^Budget 2 Std\.: 5\s%/);

  // A round, revealed: the results in German, numbers written the German way.
  await panel.locator(tid('start-round')).click();
  await waitPhase(ben.page, 'voting');
  await vote(anja, '5');
  await vote(ben, '8');
  await page.locator(tid('reveal')).click();
  await waitPhase(page, 'revealed');
  await eventually(async () => assert.equal(await textOf(page.locator(tid('stat-average'))), '6,5'));
  assert.equal(await statNumber(page, 'average'), 6.5);
  assert.match(await textOf(page.locator(tid('stat-agreement'))), /^\d+\s%/, 'a percentage with the German space');
  assert.match(await textOf(page.locator(tid('verdict'))), /^Kein Konsens/);
  assert.equal(await page.locator(`${tid('estimation')} h2`).innerText(), 'Ergebnis für Export als CSV');
  await expectNoEnglish(page, 'de', 'the room with results');
  await expectAccessible(page, 'the room in German');
  await snapEverywhere(scene, anja, 'languages-room-de');

  // Switched to Spanish: everything is said again at once, with no reload.
  await page.evaluate(() => {
    /** @type {any} */ (window).__notReloaded = true;
  });
  await switcher.selectOption('es');
  await eventually(async () => assert.equal(await page.getAttribute('html', 'lang'), 'es'));
  assert.equal(await page.evaluate(() => /** @type {any} */ (window).__notReloaded), true, 'the page was not reloaded');
  assert.equal(await page.locator(`${tid('estimation')} h2`).innerText(), 'Resultados de Export als CSV');
  assert.match(await textOf(page.locator(tid('verdict'))), /^Sin consenso/);
  assert.equal(await textOf(page.locator(tid('stat-average'))), '6,5');
  assert.equal(await panel.locator('label[for="field-description"]').innerText(), 'DESCRIPCIÓN');
  assert.equal(await textOf(page.locator(tid('connection-status'))), 'Conectado');
  assert.equal(await textOf(page.locator('#language-code')), 'ES');
  assert.match(await textOf(page.locator(tid('session-budget'))), /^Duración 2 h: el 5\s%/);
  // A message that pops up: a link the server refuses (only http and https are allowed).
  await panel.locator('#link-form input[type="url"]').fill('ftp://ejemplo.com/informe');
  await panel.locator('#link-form input[type="url"]').press('Enter');
  await eventually(async () => assert.equal(await textOf(page.locator(tid('toast'))), es['error.invalid_value']));
  // A time through Intl: the history says how long ago, in Spanish.
  await panel.locator(tid('item-history')).click();
  const history = page.locator(tid('history-dialog'));
  await eventually(async () => assert.ok((await history.locator(tid('history-entry')).count()) > 0));
  assert.match(await history.locator('time').first().innerText(), /^(ahora|hace \d+ minutos?)$/);
  assert.match(await history.locator(tid('history-entry')).last().innerText(), /^Anja lo creó como «Export als CSV»/);
  await history.locator(tid('history-close')).click();
  await expectNoEnglish(page, 'es', 'the room with results');
  // Each person keeps their own language.
  assert.match(await textOf(ben.page.locator(tid('verdict'))), /^Kein Konsens/);
  assert.equal(await ben.page.getAttribute('html', 'lang'), 'de');

  // A reload keeps the language, the room and the person.
  await page.reload();
  await page.locator(`${tid('connection-status')}[data-state="connected"]`).waitFor();
  assert.equal(await page.locator(tid('join-dialog')).isVisible(), false, 'still a participant');
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal(await switcher.inputValue(), 'es');
  await waitPhase(page, 'revealed');
  assert.match(await textOf(page.locator(tid('verdict'))), /^Sin consenso/);
  await selectItem(anja, item);
  await expectNoEnglish(page, 'es', 'the room after a reload');
  await snapEverywhere(scene, anja, 'languages-room-es');

  // And back to English, as the switcher offers it.
  await switcher.selectOption('en');
  await eventually(async () => assert.equal(await page.getAttribute('html', 'lang'), 'en'));
  assert.equal(await page.locator(`${tid('estimation')} h2`).innerText(), 'Results for Export als CSV');
});
