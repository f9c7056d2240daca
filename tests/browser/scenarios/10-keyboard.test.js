// Keyboard: "?" opens the shortcuts help (but not while typing), digits play the card at that
// position.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, blurAll, card, cardValues, openRoom, participantId, startRound, tid, voteSlot, waitFor } from '../ui.js';

scenario('keyboard shortcuts: ? opens the help, number keys vote', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }]);
  const [alice, bob] = people;
  const help = bob.page.locator(tid('shortcuts-dialog'));

  await blurAll(bob.page);
  await bob.page.keyboard.press('Shift+Slash');
  await waitFor(bob.page, `${tid('shortcuts-dialog')}[open]`, { state: 'visible' });
  await scene.snap(bob, 'shortcuts');
  await bob.page.keyboard.press('Escape');
  await eventually(async () => assert.equal(await help.getAttribute('open'), null, 'Escape closes the help'));

  // Typing "?" into a field types it.
  const newTitle = bob.page.locator(tid('new-item-title'));
  await newTitle.click();
  await bob.page.keyboard.press('Shift+Slash');
  assert.equal(await newTitle.inputValue(), '?');
  assert.equal(await help.getAttribute('open'), null, 'the help opened while typing');
  await newTitle.fill('');

  const itemId = await addItem(alice, 'Keyboard-only voting');
  await startRound(alice, itemId, people);
  const cards = await cardValues(bob.page);
  const bobId = await participantId(alice.page, 'Bob');

  await blurAll(bob.page);
  await bob.page.keyboard.press('5');
  await waitFor(bob.page, `button${tid('card')}[data-card="${cards[4]}"][aria-pressed="true"]`);
  await eventually(async () => assert.equal(await voteSlot(alice.page, bobId).getAttribute('data-state'), 'voted'));

  await bob.page.keyboard.press('2');
  await waitFor(bob.page, `button${tid('card')}[data-card="${cards[1]}"][aria-pressed="true"]`);
  assert.notEqual(await card(bob.page, cards[4]).getAttribute('aria-pressed'), 'true');
  assert.equal(await bob.page.locator(`button${tid('card')}[aria-pressed="true"]`).count(), 1);
});
