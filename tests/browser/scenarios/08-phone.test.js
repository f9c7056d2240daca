// A phone-sized viewport during a round: the cards can be reached and played by touch, and the
// page does not scroll sideways.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, card, cardValues, openRoom, participantId, startRound, tid, voteSlot, waitPhase } from '../ui.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

scenario('phone viewport: the room during a round', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob', ...PHONE }]);
  const [alice, bob] = people;
  await addItem(alice, 'Search by label');
  const itemId = await addItem(alice, 'Offline mode for the mobile app');
  await startRound(alice, itemId, people);
  await waitPhase(bob.page, 'voting');

  const cards = await cardValues(bob.page);
  assert.ok(cards.includes('3'), `cards offered on the phone: ${cards}`);
  const three = card(bob.page, '3');
  await three.scrollIntoViewIfNeeded();
  await eventually(async () => {
    const box = await three.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 844 && box.x >= 0 && box.x + box.width <= 390,
      `card 3 lies inside the phone's viewport: ${JSON.stringify(box)}`);
  });
  const overflow = await bob.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px on a phone`);
  await scene.snap(bob, 'phone', { fullPage: false });

  await three.tap();
  await eventually(async () => assert.equal(await three.getAttribute('aria-pressed'), 'true'));
  const bobId = await participantId(alice.page, 'Bob');
  await eventually(async () => assert.equal(await voteSlot(alice.page, bobId).getAttribute('data-state'), 'voted'));
  assert.equal(await bob.page.locator(tid('room')).isVisible(), true);
});
