// The trash and an item's history: a deleted item waits in the trash, everyone sees who deleted
// it, the facilitator puts it back where it was; the history says who changed what, and when.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogOrder, field, openRoom, selectItem, textOf, tid } from '../ui.js';

scenario('a deleted item comes back from the trash with its history', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }]);
  const [ana, ben] = people;
  const first = await addItem(ana, 'Sign-up');
  const item = await addItem(ben, 'Export');
  await addItem(ana, 'Receipts');

  // Ben renames it and labels it, then deletes it.
  await selectItem(ben, item);
  const title = field(ben.page, 'title');
  await title.click();
  await title.press('End');
  await title.pressSequentially(' CSV');
  const labels = field(ben.page, 'labels');
  await labels.fill('reporting');
  await labels.blur();
  await eventually(async () => assert.equal(await textOf(ana.page.locator(`[data-testid="backlog-item"][data-item-id="${item}"] [data-testid="item-title"]`)), 'Export CSV'));
  await ben.page.locator(tid('delete-item')).click();
  for (const { page } of people) {
    await eventually(async () => assert.equal((await backlogOrder(page)).includes(item), false));
    await eventually(async () => assert.match(await textOf(page.locator(tid('open-trash'))), /^Trash\s+1$/));
  }

  // Ben sees the trash but cannot restore; Ana can.
  await ben.page.locator(tid('open-trash')).click();
  const benTrash = ben.page.locator(tid('trash-dialog'));
  await eventually(async () => assert.match(await textOf(benTrash.locator(tid('trash-entry'))), /Export CSV.*Deleted by Ben/s));
  assert.equal(await benTrash.locator(tid('restore-item')).count(), 0);
  await scene.snap(ben, 'trash-dark');
  await ana.page.locator(tid('open-trash')).click();
  const anaTrash = ana.page.locator(tid('trash-dialog'));
  await anaTrash.locator(tid('restore-item')).click();
  for (const { page } of people) {
    await eventually(async () => assert.deepEqual((await backlogOrder(page)).slice(0, 2), [first, item], 'back where it was'));
  }
  await eventually(async () => assert.equal(await textOf(benTrash.locator(tid('trash-empty'))), 'The trash is empty.'));
  await anaTrash.locator('button[type=submit]').click();
  assert.equal(await ana.page.locator(tid('open-trash')).isHidden(), true, 'no trash button for an empty trash');

  // The history tells the story, newest first.
  await selectItem(ana, item);
  await ana.page.locator(tid('item-history')).click();
  const history = ana.page.locator(tid('history-dialog'));
  const entries = history.locator(tid('history-entry'));
  await eventually(async () => assert.equal(await entries.count(), 5));
  // What changed, without when (said relative to now: "now", "2 minutes ago").
  const lines = (await entries.locator('.history-what').allInnerTexts()).map((line) => line.replace(/\s+/g, ' ').trim());
  for (const when of await entries.locator('time').allInnerTexts()) assert.match(when, /^(now|1 minute ago|\d+ minutes ago)$/, 'a recent change says how long ago');
  assert.deepEqual(lines, [
    'Ana restored it from the trash',
    'Ben moved it to the trash',
    'Ben set the labels to reporting',
    'Ben renamed it from “Export” to “Export CSV”',
    'Ben created it as “Export”',
  ]);
  await scene.snap(ana, 'item-history');
});
