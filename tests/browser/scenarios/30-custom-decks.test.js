// Decks in the UI: the facilitator gives the room its own cards (with or without "?" and "☕"),
// or a preset for the next round only; everyone votes with the cards chosen.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, cardValues, openRoom, selectItem, startRound, textOf, tid, waitPhase } from '../ui.js';

scenario('the facilitator sets a custom deck for the room and a preset for one round', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }]);
  const [ana, ben] = people;
  const first = await addItem(ana, 'Sign-up');
  const second = await addItem(ana, 'Checkout');
  await selectItem(ana, first);
  await eventually(async () => assert.equal(await textOf(ana.page.locator(`${tid('deck-line')} span`)), 'Deck: Fibonacci'));

  await ana.page.locator(tid('open-deck')).click();
  const dialog = ana.page.locator(tid('deck-dialog'));
  await dialog.locator(tid('deck-kind-custom')).check();
  // The dialog redraws for the kind picked; the focus stays on that kind, not the page.
  assert.equal(await ana.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'deck-kind-custom');
  const cards = dialog.locator(tid('deck-custom-cards'));
  await cards.fill('1 2 2');
  await eventually(async () => assert.equal(await textOf(dialog.locator(tid('deck-custom-note'))), '“2” appears twice.'));
  await cards.fill('1, 2, 4, 8, 16');
  await dialog.locator(tid('deck-coffee')).uncheck();
  await scene.snap(ana, 'deck-dialog');
  await dialog.locator(tid('deck-save')).click();
  await eventually(async () => assert.equal(await dialog.isVisible(), false));
  await eventually(async () => assert.equal(await textOf(ana.page.locator(`${tid('deck-line')} span`)), 'Deck: Custom: 1, 2, 4, 8, 16'));

  await startRound(ana, first, people);
  assert.deepEqual(await cardValues(ben.page), ['1', '2', '4', '8', '16', '?'], 'the room’s own cards, “?” but no “☕”');
  await ana.page.locator(tid('cancel-round')).click();
  await waitPhase(ana.page, 'idle');

  // T-shirt sizes for the next round only.
  await selectItem(ana, second);
  await ana.page.locator(tid('open-deck')).click();
  await dialog.locator(tid('deck-kind-t_shirt')).check();
  assert.equal(await dialog.locator(tid('deck-coffee')).isChecked(), false, 'the dialog starts from the deck in use');
  await dialog.locator(tid('deck-coffee')).check();
  await dialog.locator(tid('deck-scope-round')).check();
  await dialog.locator(tid('deck-save')).click();
  await eventually(async () => assert.equal(await textOf(ana.page.locator(`${tid('deck-line')} span`)), 'Deck: T-shirt sizes (next round only)'));
  await startRound(ana, second, people);
  assert.deepEqual(await cardValues(ben.page), ['XS', 'S', 'M', 'L', 'XL', 'XXL', '?', '☕']);
  await ana.page.locator(tid('cancel-round')).click();
  await waitPhase(ana.page, 'idle');
  await eventually(async () => assert.match(await textOf(ana.page.locator(`${tid('deck-line')} span`)), /^Deck: Custom: 1, 2, 4, 8, 16/), 'back to the room’s deck');
});
