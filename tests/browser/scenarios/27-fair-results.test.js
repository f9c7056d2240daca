// Fair results: a tie proposes no card, two voters who differ are not "outliers", Reveal waits
// for a first vote, and the results say plainly when there is no consensus.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, openRoom, startRound, textOf, tid, vote, waitPhase } from '../ui.js';

scenario('a tie between two voters proposes neither card', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }]);
  const [ana, ben] = people;
  const item = await addItem(ana, 'Search by title');
  await startRound(ana, item, people);
  const reveal = ana.page.locator(tid('reveal'));
  assert.equal(await reveal.isDisabled(), true, 'nothing to reveal before a vote');
  await vote(ana, '8');
  await eventually(async () => assert.equal(await reveal.isDisabled(), false));
  await vote(ben, '21');
  await reveal.click();
  for (const { page } of people) {
    await waitPhase(page, 'revealed');
    await eventually(async () => assert.equal(await textOf(page.locator(tid('verdict'))), 'No consensus: 8 and 21 are tied. Talk it through and vote again, or split the item if it is too big.'));
    assert.equal(await page.locator(`${tid('vote-slot')}[data-outlier]`).count(), 0, 'nobody is singled out between two');
    assert.equal(await textOf(page.locator(tid('stat-mode'))), '—');
  }
  assert.equal(await ana.page.locator(tid('accept')).count(), 0, 'no single card is proposed');
  assert.match(await ana.page.locator(tid('revote')).getAttribute('class'), /primary/, 'voting again comes first');
  const tied = ana.page.locator(tid('accept-tied'));
  assert.deepEqual(await tied.allInnerTexts(), ['Accept 8', 'Accept 21']);
  await scene.snap(ana, 'results-tie');
  await scene.snap(ben, 'results-tie-dark');

  // Talked through, they agree.
  await ana.page.locator(tid('revote')).click();
  await vote(ana, '13');
  await vote(ben, '13');
  await reveal.click();
  await eventually(async () => assert.equal(await textOf(ben.page.locator(tid('verdict'))), 'Consensus: everyone played 13.'));
  await ana.page.locator(tid('accept')).click();
  await waitPhase(ben.page, 'idle');
});

scenario('a reveal without names shows the cards and nobody under them', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark' }, { name: 'Cy' }]);
  const [ana, ben, cy] = people;
  const item = await addItem(ana, 'Audit log');
  await ana.page.locator(tid('anonymous-reveal')).check();
  await startRound(ana, item, people);
  await vote(ana, '3');
  await vote(ben, '3');
  await vote(cy, '13');
  await ana.page.locator(tid('reveal')).click();
  for (const { page } of people) {
    await waitPhase(page, 'revealed');
    const slots = page.locator(tid('vote-slot'));
    await eventually(async () => assert.deepEqual(await slots.allInnerTexts(), ['3', '3', '13']));
    assert.equal(await page.locator('.slot-name').count(), 0, 'no names under the cards');
    assert.match(await textOf(page.locator(tid('anonymous-note'))), /nobody sees who played which card/);
    assert.equal(await page.locator(`${tid('vote-slot')}[data-outlier]`).count(), 0);
  }
  await scene.snap(ben, 'results-anonymous-dark');
});
