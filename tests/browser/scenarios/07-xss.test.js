// Markup typed by people is shown as text: an item title and a display name that look like
// HTML render literally, create no elements and run nothing.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import { addItem, backlogItem, field, openRoom, participant, selectItem, tid } from '../ui.js';

const TITLE = '<img src=x onerror=alert(1)>';
const NAME = '<x-evil onclick=alert(2)>Bob</x-evil>';

scenario('an item titled like HTML renders as text and runs nothing', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: NAME }]);
  const [alice, bob] = people;
  const itemId = await addItem(alice, TITLE);
  await selectItem(alice, itemId);
  await selectItem(bob, itemId);

  for (const person of people) {
    const { page } = person;
    await backlogItem(page, itemId).waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await backlogItem(page, itemId).locator(tid('item-title')).textContent()).trim(), TITLE);
    assert.equal(await page.locator(`${tid('backlog')} img`).count(), 0, `an <img> in ${person.name}'s backlog`);
    await eventually(async () => assert.equal(await field(page, 'title').inputValue(), TITLE));
    assert.ok((await participant(page, 'Bob').textContent()).includes(NAME), `the name shows literally to ${person.name}`);
    assert.equal(await page.locator('img[src="x"], x-evil').count(), 0, `injected elements in ${person.name}'s page`);
  }
  // The announcer, page title and anything else that echoes the item must not create elements either.
  await alice.page.locator(`${tid('item-panel')} ${tid('make-current')}`).click();
  await eventually(async () => assert.equal(await backlogItem(bob.page, itemId).getAttribute('data-current'), 'true'));
  for (const person of people) {
    assert.equal(await person.page.locator('img[src="x"], x-evil').count(), 0, `injected elements in ${person.name}'s page`);
    assert.deepEqual(person.dialogs, [], `dialogs opened in ${person.name}'s page`);
  }
});
