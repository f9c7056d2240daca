// The tracker round trip: the facilitator previews a Jira export (the tracker told from its
// headers, each column's use, what each row becomes), imports it, and everyone sees the items
// arrive with a notice; an item links back to its issue; the backlog goes back out as Jira
// CSV and the room as JSON (which opens as a new room from the start page), and anyone saves
// the summary. A file that cannot be read says where, and imports nothing.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { backlogItemTitled, backlogOrder, enterRoom, expectFacilitator, openRoom, textOf, tid, waitPanel } from '../ui.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const JIRA_CSV = { name: 'jira-export.csv', mimeType: 'text/csv', buffer: readFileSync(path.join(FIXTURES, 'jira-export.csv')) };
const TITLES = ['Checkout, one click', 'Receipt e-mail', 'Saved cards page'];
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * The content of a download, started by `click`.
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<void>} click
 */
async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await download.path();
  assert.ok(file, 'the download was saved');
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8'), file };
}

/** The tracker dialog of a page, opened from the backlog's tools. */
async function openTracker(page) {
  await page.locator(tid('open-tracker')).click();
  const dialog = page.locator(tid('tracker-dialog'));
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

scenario('a Jira export is previewed, imported for everyone, linked back and exported again', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana', viewport: DESKTOP }, { name: 'Ben' }]);
  const [ana, ben] = people;
  assert.equal(await textOf(ana.page.locator(tid('open-tracker'))), 'Import & export');
  assert.equal(await textOf(ben.page.locator(tid('open-tracker'))), 'Export', 'a voter sees the export only');

  // The preview: nothing changes yet.
  const dialog = await openTracker(ana.page);
  assert.equal(await dialog.locator(tid('tracker-tab-import')).getAttribute('aria-selected'), 'true');
  await dialog.locator(tid('import-tracker-url')).fill('https://acme.atlassian.net');
  await dialog.locator(tid('import-file')).setInputFiles(JIRA_CSV);
  const preview = dialog.locator(tid('import-preview-result'));
  await preview.waitFor();
  assert.equal(await preview.locator(tid('import-format')).inputValue(), 'jira', 'told from the headers');
  assert.equal(await textOf(preview.locator(tid('import-counts'))), '3 new');
  const rows = preview.locator(tid('import-row'));
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action'))), ['create', 'create', 'create']);
  assert.match(await textOf(rows.first()), /SHOP-12\s+Checkout, one click\s+5\s+New/);
  const fieldOf = (column) => preview.locator(`${tid('import-field')}[data-column="${column}"]`).inputValue();
  assert.equal(await preview.locator(tid('import-column')).count(), 16);
  assert.deepEqual([await fieldOf(1), await fieldOf(2), await fieldOf(3), await fieldOf(14), await fieldOf(16)], ['title', 'key', 'ignored', 'estimate', 'depends_on']);
  assert.match(await textOf(preview.locator(`${tid('import-columns')} summary`)), /Columns: 11 of 16 imported/);
  assert.equal(await textOf(dialog.locator(tid('import-confirm'))), 'Import 3 items');
  assert.deepEqual(await backlogOrder(ben.page), [], 'a preview imports nothing');
  await expectAccessible(ana.page, 'import preview');
  await scene.snap(ana, 'tracker-import-preview', { fullPage: false });

  // The import, as previewed: everyone gets the items and a word on where they came from.
  await dialog.locator(tid('import-confirm')).click();
  const result = dialog.locator(tid('import-result'));
  await result.waitFor();
  assert.equal(await textOf(result.locator('h3')), 'Imported from Jira');
  assert.equal(await textOf(result.locator(tid('import-result-counts'))), '3 added');
  assert.equal(await result.locator(tid('import-skipped')).count(), 0, 'both ends of the link were in the file');
  await scene.snap(ana, 'tracker-import-result', { fullPage: false });
  await ben.page.locator(tid('toast')).filter({ hasText: '3 items imported from Jira' }).waitFor();
  for (const { page } of people) {
    await eventually(async () => assert.deepEqual(await page.locator(`${tid('backlog')} ${tid('item-title')}`).allInnerTexts(), TITLES));
  }
  await dialog.locator(tid('import-done')).click();
  await dialog.waitFor({ state: 'hidden' });

  // An item knows its issue, and links to it.
  const checkout = backlogItemTitled(ana.page, TITLES[0]);
  const checkoutId = await checkout.getAttribute('data-item-id');
  await checkout.locator(tid('item-title')).click();
  await waitPanel(ana.page, checkoutId);
  await scene.snap(ana, 'tracker-item-key', { fullPage: false });
  const link = ana.page.locator(`${tid('item-panel')} ${tid('external-link')}`);
  assert.equal(await textOf(ana.page.locator(tid('external-ref'))), 'From Jira: SHOP-12');
  assert.equal(await link.getAttribute('href'), 'https://acme.atlassian.net/browse/SHOP-12');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /\bnoopener\b/);

  // Back to the tracker: the same issues, with their keys.
  await openTracker(ana.page);
  await dialog.locator(tid('tracker-tab-export')).click();
  const exports = dialog.locator(tid('tracker-export'));
  await exports.waitFor();
  await expectAccessible(ana.page, 'export');
  await scene.snap(ana, 'tracker-export', { fullPage: false });
  const jira = await downloaded(ana.page, () => dialog.locator(tid('export-jira')).click());
  assert.match(jira.name, /-jira\.csv$/);
  assert.match(jira.text, /^\uFEFF?Issue Key,Summary,/);
  for (const [key, title] of [['SHOP-12', '"Checkout, one click"'], ['SHOP-13', 'Receipt e-mail'], ['SHOP-14', 'Saved cards page']]) assert.ok(jira.text.includes(`${key},${title}`), `${key} is in the export:\n${jira.text}`);
  const room = await downloaded(ana.page, () => dialog.locator(tid('export-json')).click());
  assert.match(room.name, /\.json$/);
  assert.equal(JSON.parse(room.text).items.length, 3);
  await ana.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  // Anyone saves the summary; only the facilitator the rest.
  const benDialog = await openTracker(ben.page);
  assert.equal(await benDialog.locator('[role=tab]').count(), 0, 'no import for a voter');
  assert.equal(await benDialog.locator(tid('csv-import')).count(), 0);
  assert.equal(await benDialog.locator(tid('export-jira')).count(), 0);
  const summary = await downloaded(ben.page, () => benDialog.locator(tid('export-summary')).click());
  assert.match(summary.name, /summary\.md$/);
  assert.match(summary.text, /^# Refinement — refinement summary/);
  await expectAccessible(ben.page, 'export for a voter');
  await scene.snap(ben, 'tracker-export-voter', { fullPage: false });
  await ben.page.keyboard.press('Escape');

  // On a phone, in the dark: the same file again would update the three; a column read
  // otherwise is previewed again.
  await ana.page.setViewportSize(PHONE);
  await ana.page.emulateMedia({ colorScheme: 'dark' });
  await openTracker(ana.page);
  await dialog.locator(tid('import-file')).setInputFiles(JIRA_CSV);
  await eventually(async () => assert.equal(await textOf(preview.locator(tid('import-counts'))), '3 updates'));
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action'))), ['update', 'update', 'update']);
  await scene.snap(ana, 'tracker-import-preview-phone-dark', { fullPage: false });
  const points = preview.locator(`${tid('import-field')}[data-column="14"]`);
  await points.focus();
  await points.selectOption('ignored');
  await eventually(async () => assert.match(await textOf(preview.locator(`${tid('import-columns')} summary`)), /Columns: 10 of 16 imported/));
  assert.doesNotMatch(await textOf(rows.first()), /\b5\b/, 'the story points are no longer read');
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-column')), '14', 'the focus stays on the column changed');
  // A choice the file cannot be read by is undone, and says why.
  await preview.locator(`${tid('import-field')}[data-column="1"]`).selectOption('ignored');
  await eventually(async () => assert.match(await textOf(dialog.locator(tid('import-error'))), /^The file cannot be read that way, so the preview stays as it was: no “Summary” column/));
  assert.equal(await preview.locator(`${tid('import-field')}[data-column="1"]`).inputValue(), 'title');
  assert.equal(await preview.locator(`${tid('import-field')}[data-column="14"]`).inputValue(), 'ignored', 'the choice before it stays');
  // The tabs go by arrow keys too.
  await dialog.locator(tid('tracker-tab-import')).focus();
  await ana.page.keyboard.press('ArrowRight');
  assert.equal(await dialog.locator(tid('tracker-tab-export')).getAttribute('aria-selected'), 'true');
  await exports.waitFor({ state: 'visible' });
  await scene.snap(ana, 'tracker-export-phone-dark', { fullPage: false });
  await ana.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(await ben.page.locator(`${tid('backlog')} ${tid('item-title')}`).allInnerTexts(), TITLES, 'closing a preview imports nothing');

  // The room's JSON opens as a new room, from the start page, with Ana as its facilitator.
  const original = new URL(ana.page.url()).pathname;
  await ana.page.setViewportSize(DESKTOP);
  await ana.page.emulateMedia({ colorScheme: 'light' });
  await ana.page.goto(scene.url('/'));
  await ana.page.locator('.landing-more summary').click();
  await ana.page.locator(tid('import-room-file')).setInputFiles(room.file);
  await scene.snap(ana, 'tracker-landing-import', { fullPage: false });
  await ana.page.locator(tid('import-room')).click();
  await ana.page.waitForURL((url) => /^\/r\/[0-9a-f-]{36}$/.test(url.pathname) && url.pathname !== original);
  // The people of the room come along (offline): a new name tells her apart.
  await enterRoom(ana, { name: 'Zoe' });
  await expectFacilitator(ana.page, 'Zoe');
  await eventually(async () => assert.deepEqual(await ana.page.locator(`${tid('backlog')} ${tid('item-title')}`).allInnerTexts(), TITLES));
});

scenario('a file that cannot be read says which row and column, and imports nothing', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben' }]);
  const [ana, ben] = people;
  const dialog = await openTracker(ana.page);
  const broken = 'Summary,Issue key,Story Points\nFine,K-1,3\n,K-2,5\n';

  // Pasted: previewed on asking.
  await dialog.locator('.import-paste summary').click();
  await dialog.locator(tid('import-text')).fill(broken);
  await dialog.locator(tid('import-preview')).click();
  const error = dialog.locator(tid('import-error'));
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await textOf(error), 'Nothing was imported. Fix the file and try again: row 3, column “Summary”: the title is empty');
  assert.equal(await dialog.locator(tid('import-confirm')).count(), 0, 'nothing to import');
  await expectAccessible(ana.page, 'import error');
  await scene.snap(ana, 'tracker-import-error', { fullPage: false });

  // Chosen as a file: previewed at once, the same answer.
  await dialog.locator(tid('import-file')).setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await eventually(async () => assert.equal(await dialog.locator(tid('import-text')).inputValue(), '', 'the file replaces the pasted text'));
  await eventually(async () => assert.match(await textOf(error), /row 3, column “Summary”: the title is empty$/));
  assert.equal(await dialog.locator(tid('import-preview-result')).count(), 0);

  // Mended, it previews.
  await dialog.locator(tid('import-text')).fill('Summary,Issue key\nFine,K-1\n');
  await dialog.locator(tid('import-preview')).click();
  await dialog.locator(tid('import-preview-result')).waitFor();
  assert.equal(await error.isHidden(), true, 'the error goes once the file reads');
  await ana.page.keyboard.press('Escape');
  for (const { page } of people) assert.deepEqual(await backlogOrder(page), [], 'nothing was imported');
  assert.equal(await ben.page.locator(tid('toast')).count(), 0);

  // In German the page says it in German, and the row and column as the server wrote them.
  await ana.page.locator(tid('language')).selectOption('de');
  await eventually(async () => assert.equal(await textOf(ana.page.locator(tid('open-tracker'))), 'Import & Export'));
  await openTracker(ana.page);
  await dialog.locator(tid('import-file')).setInputFiles({ name: 'kaputt.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await eventually(async () => assert.equal(await textOf(error), 'Es wurde nichts importiert. Korrigiere die Datei und versuche es erneut: row 3, column “Summary”: the title is empty'));
  await scene.snap(ana, 'tracker-import-error-de', { fullPage: false });
});

scenario('a link to an issue not in the room is left out, a text too long is cut, and both are said', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }]);
  const [ana, ben] = people;
  const dialog = await openTracker(ana.page);
  await dialog.locator('.import-paste summary').click();
  await dialog.locator(tid('import-text')).fill(`title,key,depends on,description\nExport to PDF,R-1,R-9,${'log line '.repeat(2_300)}\nPrint view,R-2,R-1,\n`);
  await dialog.locator(tid('import-preview')).click();
  const preview = dialog.locator(tid('import-preview-result'));
  await preview.waitFor();
  assert.equal(await preview.locator(tid('import-format')).inputValue(), 'plain');
  assert.equal(await textOf(preview.locator(tid('import-counts'))), '2 new');
  const cut = /1 text read differently[\s\S]*row 2, column “description”: cut to 20000 characters/;
  assert.match(await textOf(preview.locator(tid('import-warnings'))), cut, 'said before importing');
  await dialog.locator(tid('import-confirm')).click();
  const result = dialog.locator(tid('import-result'));
  await result.waitFor();
  assert.equal(await textOf(result.locator('h3')), 'Imported from CSV');
  assert.match(await textOf(result.locator(tid('import-skipped'))), /1 dependency left out[\s\S]*R-1 depends on R-9: R-9 is not in this room/);
  assert.match(await textOf(result.locator(tid('import-warnings'))), cut, 'and after');
  await eventually(async () => assert.equal(await result.evaluate((section) => section === document.activeElement), true, 'the focus goes to what happened'));
  await expectAccessible(ana.page, 'import result');
  await scene.snap(ana, 'tracker-import-skipped', { fullPage: false });
  await ben.page.locator(tid('toast')).filter({ hasText: '2 items imported from CSV' }).waitFor();
  await eventually(async () => assert.deepEqual(await ben.page.locator(`${tid('backlog')} ${tid('item-title')}`).allInnerTexts(), ['Export to PDF', 'Print view']));

  // Without a tracker's address the key is said, not linked.
  const print = backlogItemTitled(ben.page, 'Print view');
  await print.locator(tid('item-title')).click();
  await waitPanel(ben.page, await print.getAttribute('data-item-id'));
  assert.equal(await textOf(ben.page.locator(tid('external-ref'))), 'From CSV: R-2');
  assert.equal(await ben.page.locator(tid('external-link')).count(), 0);
});
