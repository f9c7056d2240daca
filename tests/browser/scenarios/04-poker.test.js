// Planning poker end to end: votes stay face down (and out of the DOM) for everyone else until
// reveal; the results show the distribution, average, median, agreement and outliers; a re-vote
// starts afresh; accepting puts the estimate badge on the item everywhere.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import {
  addItem, backlogItem, backlogItemTitled, card, containsToken, field, openRoom, participantId, startRound, statNumber,
  textAndAttributes, tid, vote, voteSlot, waitFor, waitPhase,
} from '../ui.js';

/** The data-testid (and data-card) of what has the focus on `page`. */
function focused(page) {
  return page.evaluate(() => [document.activeElement?.getAttribute('data-testid'), document.activeElement?.getAttribute('data-card')]);
}

const FIBONACCI = ['0', '1', '2', '3', '5', '8', '13', '21', '34', '55', '89'];

/** On `page`, the slot of `ownerId` is face down and shows no card value at all. */
async function expectFaceDown(page, ownerId, played) {
  const slot = voteSlot(page, ownerId);
  await eventually(async () => assert.equal(await slot.getAttribute('data-state'), 'voted'));
  const [text, ...attributes] = await textAndAttributes(slot);
  for (const value of FIBONACCI) {
    assert.ok(!containsToken(text, value), `face-down slot shows "${value}" in its text: ${JSON.stringify(text)}`);
  }
  for (const attribute of attributes.filter((a) => !a.startsWith('data-participant-id='))) {
    assert.ok(!containsToken(attribute.replace(/^[^=]*=/, ''), played),
      `face-down slot carries the card "${played}" in attribute ${attribute}`);
  }
}

async function expectBars(page, counts) {
  await eventually(async () => {
    const bars = await page.locator(`${tid('results')} ${tid('bar')}`)
      .evaluateAll((els) => els.map((el) => [el.getAttribute('data-card'), Number(el.getAttribute('data-count'))]));
    assert.deepEqual(Object.fromEntries(bars.filter(([, count]) => count > 0)), counts);
  });
}

scenario('vote in secret, reveal, re-vote and accept', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }, { name: 'Carol' }]);
  const [alice, bob, carol] = people;
  const ids = {
    alice: await participantId(alice.page, 'Alice'),
    bob: await participantId(alice.page, 'Bob'),
    carol: await participantId(alice.page, 'Carol'),
  };
  const itemId = await addItem(alice, 'Rate-limit the public API');
  await startRound(alice, itemId, people);
  for (const { page } of people) {
    for (const id of Object.values(ids)) await waitFor(page, `${tid('vote-slot')}[data-participant-id="${id}"][data-state="waiting"]`);
  }

  // Alice plays 5 and Bob 8; Carol has not voted yet.
  await vote(alice, '5');
  await vote(bob, '8');
  await expectFaceDown(carol.page, ids.alice, '5');
  await expectFaceDown(carol.page, ids.bob, '8');
  await expectFaceDown(alice.page, ids.bob, '8');
  await expectFaceDown(bob.page, ids.alice, '5');
  assert.equal(await voteSlot(carol.page, ids.carol).getAttribute('data-state'), 'waiting');
  for (const { page } of people) {
    await eventually(async () => {
      const voted = await page.locator(`${tid('participant')}[data-voted="true"]`)
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-participant-id')).sort());
      assert.deepEqual(voted, [ids.alice, ids.bob].sort());
    });
  }
  assert.equal(await card(alice.page, '5').getAttribute('aria-pressed'), 'true');
  assert.notEqual(await card(alice.page, '8').getAttribute('aria-pressed'), 'true');
  await scene.snap(carol, 'voting');

  // Carol has a card focused (a keyboard user choosing): others' activity does not take it away.
  await card(carol.page, '3').focus();
  await addItem(bob, 'Meanwhile: a new item');
  await backlogItemTitled(carol.page, 'Meanwhile: a new item').waitFor({ state: 'visible' });
  assert.deepEqual(await focused(carol.page), ['card', '3'], 'Carol lost the focus of her card');

  // Carol plays 5; nothing is revealed until the facilitator says so.
  await vote(carol, '5');
  await expectFaceDown(alice.page, ids.carol, '5');
  await waitPhase(alice.page, 'voting');
  await alice.page.locator(tid('reveal')).click();
  for (const { page } of people) await waitPhase(page, 'revealed');

  for (const person of people) {
    const { page } = person;
    await eventually(async () => {
      for (const [who, value, outlier] of [['alice', '5', 'low'], ['bob', '8', 'high'], ['carol', '5', 'low']]) {
        const slot = voteSlot(page, ids[who]);
        assert.equal(await slot.getAttribute('data-state'), 'revealed', `${who}'s slot for ${person.name}`);
        assert.ok(containsToken(await slot.innerText(), value), `${who}'s slot shows ${value} to ${person.name}`);
        assert.equal(await slot.getAttribute('data-outlier'), outlier, `${who} is the ${outlier} outlier`);
      }
    });
    await expectBars(page, { 5: 2, 8: 1 });
    assert.equal(await statNumber(page, 'average'), 6);
    assert.equal(await statNumber(page, 'median'), 5);
    assert.match(await page.locator(tid('stat-agreement')).innerText(), /\b67\s?%/);
  }
  assert.ok(containsToken(await alice.page.locator(tid('accept')).innerText(), '5'), 'accept proposes the mode, 5');
  await scene.snap(alice, 'revealed');

  // Alice starts typing another value to accept; Bob's activity (an item, his presence in a
  // field) must neither wipe it nor take her focus.
  const other = alice.page.locator(tid('accept-value'));
  await other.click();
  await other.pressSequentially('1');
  await addItem(bob, 'Meanwhile: another item');
  await backlogItemTitled(alice.page, 'Meanwhile: another item').waitFor({ state: 'visible' });
  await field(bob.page, 'title').focus();
  await eventually(async () => assert.match(await alice.page.locator(tid('participants')).innerText(), /editing/));
  await field(bob.page, 'title').blur();
  assert.equal(await other.inputValue(), '1', 'the half-typed value was wiped');
  assert.deepEqual(await focused(alice.page), ['accept-value', null], 'Alice lost the focus of the value field');
  await other.pressSequentially('3');
  assert.equal(await other.inputValue(), '13');
  await other.fill('');

  // Re-vote: a fresh round, nobody has voted, no card is selected.
  await alice.page.locator(tid('revote')).click();
  for (const { page } of people) {
    await waitPhase(page, 'voting');
    for (const id of Object.values(ids)) await waitFor(page, `${tid('vote-slot')}[data-participant-id="${id}"][data-state="waiting"]`);
    assert.equal(await page.locator(`button${tid('card')}[aria-pressed="true"]`).count(), 0, 'a card is still selected');
  }
  for (const person of people) await vote(person, '5');
  await alice.page.locator(tid('reveal')).click();
  for (const { page } of people) {
    await waitPhase(page, 'revealed');
    await expectBars(page, { 5: 3 });
    assert.equal(await statNumber(page, 'average'), 5);
    assert.equal(await statNumber(page, 'median'), 5);
    assert.match(await page.locator(tid('stat-agreement')).innerText(), /\b100\s?%/);
    assert.equal(await page.locator(`${tid('vote-slot')}[data-outlier]`).count(), 0, 'no outliers in a consensus');
  }

  // Accept: the round ends and the item carries its estimate everywhere.
  await alice.page.locator(tid('accept')).click();
  for (const { page } of people) {
    await waitPhase(page, 'idle');
    await eventually(async () => assert.equal(
      (await backlogItem(page, itemId).locator(tid('estimate-badge')).innerText()).trim(), '5'));
  }
  await eventually(async () => assert.equal(await field(alice.page, 'estimate').inputValue(), '5'));
  await eventually(async () => assert.ok(containsToken(await alice.page.locator(tid('vote-history')).innerText(), '8'),
    'the first round (with its 8) is in the vote history'));
});
