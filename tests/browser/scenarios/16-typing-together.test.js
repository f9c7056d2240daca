// Two people type into the same description at the same time, one key every ~80 ms each,
// while an observer watches: the observer sees the text grow as they type (not after a
// pause), each typist sees the other's caret with their name, all three end with the same
// text holding every keystroke of both, and undo in one page takes back only that person's
// last word. Then text typed with the connection down survives a reload.

import assert from 'node:assert/strict';
import { eventually, scenario, WAIT } from '../harness.js';
import { addItem, field, openRoom, participantId, selectItem, tid } from '../ui.js';

const KEY_DELAY_MS = 80;

/** Puts the caret at the start or the end of a field. */
async function caretAt(page, name, where) {
  const box = field(page, name);
  await box.focus();
  await box.evaluate((el, end) => {
    const at = end ? el.value.length : 0;
    el.setSelectionRange(at, at);
  }, where === 'end');
}

/** The other people's carets drawn over a field, by participant id. */
function remoteCarets(page, name) {
  return page
    .locator(`${tid('item-panel')} .text-field:has(${tid(`field-${name}`)}) ${tid('remote-caret')}`)
    .evaluateAll((els) => els.map((el) => ({ id: el.getAttribute('data-participant'), name: el.textContent })));
}

scenario('two people typing in one description both keep every keystroke, and see each other', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben' }, { name: 'Cy', role: 'observer' }]);
  const [ana, ben, cy] = people;
  const itemId = await addItem(ana, 'Checkout with saved cards');
  for (const person of people) await selectItem(person, itemId);
  const anaId = await participantId(ben.page, 'Ana');
  const benId = await participantId(ana.page, 'Ben');

  await field(ana.page, 'description').fill('MIDDLE ');
  for (const person of people) {
    await eventually(async () => assert.equal(await field(person.page, 'description').inputValue(), 'MIDDLE '));
  }

  const anaTypes = 'alpha beta';
  const benTypes = 'gamma 😀 delta ';
  await caretAt(ana.page, 'description', 'end');
  await caretAt(ben.page, 'description', 'start');

  // The observer samples the text while they type.
  const seen = new Set();
  let typing = true;
  const watching = (async () => {
    while (typing) {
      seen.add(await field(cy.page, 'description').inputValue());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  let anaSawBen = false;
  let benSawAna = false;
  const lookForCarets = (async () => {
    while (typing) {
      anaSawBen ||= (await remoteCarets(ana.page, 'description')).some((c) => c.id === benId && c.name === 'Ben');
      benSawAna ||= (await remoteCarets(ben.page, 'description')).some((c) => c.id === anaId && c.name === 'Ana');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await Promise.all([
    ana.page.keyboard.type(anaTypes, { delay: KEY_DELAY_MS }),
    ben.page.keyboard.type(benTypes, { delay: KEY_DELAY_MS }),
  ]);
  typing = false;
  await Promise.all([watching, lookForCarets]);

  const expected = `${benTypes}MIDDLE ${anaTypes}`;
  for (const person of people) {
    await eventually(async () => assert.equal(await field(person.page, 'description').inputValue(), expected, `${person.name}'s description`));
  }
  // Growth seen as it happened: many states in between, not a jump at the end.
  const between = [...seen].filter((text) => text !== 'MIDDLE ' && text !== expected);
  assert.ok(between.length >= 8, `the observer saw ${between.length} states while they typed: ${JSON.stringify([...seen])}`);
  assert.ok(anaSawBen, "Ana saw Ben's caret while typing");
  assert.ok(benSawAna, "Ben saw Ana's caret while typing");
  // Still there once they stop: each caret sits where its owner stopped.
  await eventually(async () => assert.deepEqual((await remoteCarets(cy.page, 'description')).map((c) => c.name).sort(), ['Ana', 'Ben']));
  await scene.snap(ana, 'typing-together-ana');
  await scene.snap(cy, 'typing-together-observer');

  // Undo in Ana's page takes back her last word, not Ben's text.
  await field(ana.page, 'description').press('Control+z');
  const undone = `${benTypes}MIDDLE alpha `;
  for (const person of people) {
    await eventually(async () => assert.equal(await field(person.page, 'description').inputValue(), undone, `${person.name}'s description after Ana's undo`));
  }
  // And redo brings it back.
  await field(ana.page, 'description').press('Control+Shift+z');
  for (const person of people) {
    await eventually(async () => assert.equal(await field(person.page, 'description').inputValue(), expected, `${person.name}'s description after Ana's redo`));
  }
  // The room has it: a newcomer reads the same.
  await eventually(async () => assert.equal(await ana.page.evaluate(() => window.__readyroomDebug.textSettled()), true));
});

scenario('what was typed with the connection down survives a reload', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben' }]);
  const [ana, ben] = people;
  const itemId = await addItem(ana, 'Offline notes');
  for (const person of people) await selectItem(person, itemId);

  await ana.context.setOffline(true);
  await ana.page.evaluate(() => window.__readyroomDebug.dropConnection());
  await caretAt(ana.page, 'acceptance_criteria', 'end');
  await ana.page.keyboard.type('Given a saved card', { delay: 20 });
  // Ben writes meanwhile, in the same field.
  await caretAt(ben.page, 'acceptance_criteria', 'end');
  await ben.page.keyboard.type('Then it is charged', { delay: 20 });
  await ana.context.setOffline(false);
  await ana.page.reload();
  await selectItem(ana, itemId);
  for (const person of people) {
    await eventually(async () => {
      const text = await field(person.page, 'acceptance_criteria').inputValue();
      assert.ok(text.includes('Given a saved card') && text.includes('Then it is charged'), `${person.name} reads ${JSON.stringify(text)}`);
    }, { timeout: WAIT * 2 });
  }
  const texts = await Promise.all(people.map((person) => field(person.page, 'acceptance_criteria').inputValue()));
  assert.equal(texts[0], texts[1]);
});
