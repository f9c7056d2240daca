// No serious or critical axe-core violation on any main screen, light and dark: the landing
// page, the join dialog, the room, voting, results; keyboard focus stays where work goes on.

import assert from 'node:assert/strict';
import { expectAccessible } from '../a11y.js';
import { eventually, scenario } from '../harness.js';
import { addItem, openRoom, selectItem, tid, vote, waitPhase } from '../ui.js';

for (const colorScheme of ['light', 'dark']) {
  scenario(`every main screen passes axe-core (${colorScheme})`, async (scene) => {
    const visitor = await scene.person({ name: 'Visitor', colorScheme });
    await visitor.page.goto(scene.url('/'));
    await visitor.page.locator(tid('create-form')).waitFor();
    await expectAccessible(visitor.page, 'landing');

    const { room, people } = await openRoom(scene, [{ name: 'Ana', colorScheme }, { name: 'Ben', colorScheme }]);
    const [ana, ben] = people;
    await expectAccessible(ana.page, 'empty room');
    await scene.snap(ana, `getting-started-${colorScheme}`);
    const newcomer = await scene.person({ name: 'Cy', colorScheme });
    await newcomer.page.goto(room.join_url);
    await newcomer.page.locator(tid('join-dialog')).waitFor({ state: 'visible' });
    await expectAccessible(newcomer.page, 'join dialog');

    const item = await addItem(ana, 'Export the backlog as CSV');
    await selectItem(ana, item);
    await expectAccessible(ana.page, 'room with an item open');
    for (const [opener, dialog] of [['open-deck', 'deck-dialog'], ['invite-or-share', 'share-dialog'], ['open-timebox', 'timebox-dialog']]) {
      await ana.page.locator(opener === 'invite-or-share' ? '#share-button' : tid(opener)).click();
      await ana.page.locator(opener === 'invite-or-share' ? '#share-dialog' : tid(dialog)).waitFor({ state: 'visible' });
      await expectAccessible(ana.page, dialog);
      await ana.page.keyboard.press('Escape');
    }

    await ana.page.locator(`${tid('item-panel')} ${tid('start-round')}`).click();
    await waitPhase(ben.page, 'voting');
    // Starting the round leaves the focus in the round, not on the page.
    await eventually(async () => assert.notEqual(await ana.page.evaluate(() => document.activeElement?.tagName), 'BODY'));
    await expectAccessible(ben.page, 'voting');
    // The deck is one Tab stop; arrows move along it.
    await ben.page.locator(`${tid('card')}[data-card="0"]`).focus();
    await ben.page.keyboard.press('ArrowRight');
    assert.equal(await ben.page.evaluate(() => document.activeElement?.getAttribute('data-card')), '1');
    assert.equal(await ben.page.locator(`${tid('card')}[tabindex="0"]`).count(), 1);

    await vote(ana, '5');
    await vote(ben, '8');
    await ana.page.locator(tid('reveal')).click();
    await waitPhase(ben.page, 'revealed');
    await expectAccessible(ana.page, 'results (facilitator)');
    await expectAccessible(ben.page, 'results');
    await scene.snap(ben, `results-people-${colorScheme}`);
  });
}
