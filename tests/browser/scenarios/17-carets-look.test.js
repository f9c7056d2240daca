// Others' carets as people see them, light and dark, desktop and phone: each caret is drawn
// inside the field, on the line of its character, with its owner's name; a selection is
// marked. Screenshots of each go to artifacts/.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, field, openRoom, selectItem, tid } from '../ui.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Where the others' carets are drawn over a field, and the field's box. */
async function caretBoxes(page, name) {
  return page.locator(`${tid('item-panel')} .text-field:has(${tid(`field-${name}`)})`).evaluate((wrapper) => {
    const box = wrapper.querySelector('textarea, input').getBoundingClientRect();
    return {
      field: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
      carets: [...wrapper.querySelectorAll('[data-testid="remote-caret"]')].map((el) => {
        const r = el.getBoundingClientRect();
        return { name: el.textContent, left: r.left, top: r.top, bottom: r.bottom };
      }),
      selections: wrapper.querySelectorAll('.remote-selection').length,
    };
  });
}

scenario('carets of others look right in light and dark, on desktop and phone', async (scene) => {
  const { people } = await openRoom(scene, [
    { name: 'Ana' },
    { name: 'Ben', colorScheme: 'dark' },
    { name: 'Cy', role: 'observer', ...PHONE },
    { name: 'Dee', role: 'observer', colorScheme: 'dark', ...PHONE },
  ]);
  const [ana, ben, cy, dee] = people;
  const itemId = await addItem(ana, 'Saved cards at checkout');
  for (const person of people) await selectItem(person, itemId);

  const description = field(ana.page, 'description');
  await description.fill('As a returning customer\nI want to pay with a saved card\nso that checkout takes seconds.');
  // Ana selects "saved card" on the second line; Ben puts his caret at the end of the first.
  await description.evaluate((el) => {
    const start = el.value.indexOf('saved card');
    el.focus();
    el.setSelectionRange(start, start + 'saved card'.length);
  });
  const benField = field(ben.page, 'description');
  await eventually(async () => assert.match(await benField.inputValue(), /saved card/));
  await benField.evaluate((el) => {
    const end = el.value.indexOf('\n');
    el.focus();
    el.setSelectionRange(end, end);
  });
  await ben.page.keyboard.type(' on a phone');

  for (const person of people) {
    await eventually(async () => {
      const { field: box, carets, selections } = await caretBoxes(person.page, 'description');
      const others = carets.map((c) => c.name).sort();
      const expected = ['Ana', 'Ben'].filter((name) => name !== person.name);
      assert.deepEqual(others, expected, `${person.name} sees the others' carets`);
      for (const caret of carets) {
        assert.ok(caret.left >= box.left && caret.left <= box.right && caret.top >= box.top && caret.bottom <= box.bottom, `${caret.name}'s caret inside the field for ${person.name}`);
      }
      if (person.name !== 'Ana') assert.ok(selections > 0, `${person.name} sees Ana's selection`);
    });
  }
  // Ana's caret (after "saved card", line 2) is below Ben's (end of line 1).
  const seenByCy = await caretBoxes(cy.page, 'description');
  const anaCaret = seenByCy.carets.find((c) => c.name === 'Ana');
  const benCaret = seenByCy.carets.find((c) => c.name === 'Ben');
  assert.ok(anaCaret.top > benCaret.top, `Ana's caret (${anaCaret.top}) is on a later line than Ben's (${benCaret.top})`);

  await scene.snap(ana, 'carets-desktop-light');
  await scene.snap(ben, 'carets-desktop-dark');
  await cy.page.locator(tid('item-panel')).scrollIntoViewIfNeeded();
  await field(cy.page, 'description').scrollIntoViewIfNeeded();
  await scene.snap(cy, 'carets-phone-light', { fullPage: false });
  await field(dee.page, 'description').scrollIntoViewIfNeeded();
  await scene.snap(dee, 'carets-phone-dark', { fullPage: false });
});
