// The backlog as the meeting's agenda: once an item is estimated, the facilitator's next step is
// the next item that still needs the team (ready items are skipped), with its round started at
// once if they like; the "." key does the same; at the end the agenda says it is done.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, currentItemId, openRoom, startRound, tid, vote, waitPhase } from '../ui.js';

scenario('after an estimate, the next item is one click or one key away', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }]);
  const [ana, ben] = people;
  const first = await addItem(ana, 'Sign-up');
  const done = await addItem(ana, 'Already ready');
  const second = await addItem(ana, 'Checkout');
  const third = await addItem(ana, 'Receipts');
  await ana.page.locator(`[data-testid="backlog-item"][data-item-id="${done}"]`).click();
  await ana.page.locator(tid('override-ready')).click();

  await startRound(ana, first, people);
  await vote(ana, '5');
  await vote(ben, '5');
  await ana.page.locator(tid('reveal')).click();
  await waitPhase(ana.page, 'revealed');
  await ana.page.locator(tid('accept')).click();
  await waitPhase(ana.page, 'idle');
  const next = ana.page.locator(tid('next-item'));
  await eventually(async () => assert.equal(await next.innerText(), 'Next: “Checkout” →'));
  assert.match(await next.getAttribute('class'), /primary/, 'the next step comes first once estimated');
  await scene.snap(ana, 'agenda-next');

  await ana.page.locator(tid('next-with-round')).check();
  await next.click();
  for (const { page } of people) {
    await waitPhase(page, 'voting');
    await eventually(async () => assert.equal(await currentItemId(page), second));
  }
  await ana.page.locator(tid('cancel-round')).click();
  await waitPhase(ana.page, 'idle');
  // The key does the same, without a round.
  await ana.page.locator('body').press('.');
  await eventually(async () => assert.equal(await currentItemId(ben.page), third));
  await waitPhase(ben.page, 'idle');
  await ana.page.locator('body').press('.');
  await eventually(async () => assert.equal(await currentItemId(ben.page), first), 'round to the top: Sign-up is estimated but not ready');
});
