// Reordering the backlog with the mouse (drag handle) and with the keyboard (Alt+arrows):
// every browser ends up with the same order.

import { scenario } from '../harness.js';
import { addItem, backlogItem, dragItem, expectOrder, openRoom } from '../ui.js';

scenario('reorder by drag and by keyboard; everyone sees the same order', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }, { name: 'Bob' }, { name: 'Carol' }]);
  const [alice, bob, carol] = people;
  const a = await addItem(alice, 'Alpha: audit log');
  const b = await addItem(alice, 'Bravo: bulk import');
  const c = await addItem(alice, 'Charlie: CSV export');
  const d = await addItem(alice, 'Delta: dark mode');
  await expectOrder(people, [a, b, c, d]);

  // Alice drags Charlie to the top.
  await dragItem(alice.page, c, a);
  await expectOrder(people, [c, a, b, d], 'after dragging Charlie to the top');

  // Alice drags Alpha down to the bottom.
  await dragItem(alice.page, a, d, 'lower');
  await expectOrder(people, [c, b, d, a], 'after dragging Alpha to the bottom');

  // Bob moves Alpha up with the keyboard, twice.
  await backlogItem(bob.page, a).focus();
  await bob.page.keyboard.press('Alt+ArrowUp');
  await expectOrder(people, [c, b, a, d], 'after Alt+ArrowUp');
  await backlogItem(bob.page, a).focus();
  await bob.page.keyboard.press('Alt+ArrowUp');
  await expectOrder(people, [c, a, b, d], 'after a second Alt+ArrowUp');

  // Carol moves Charlie down with the keyboard.
  await backlogItem(carol.page, c).focus();
  await carol.page.keyboard.press('Alt+ArrowDown');
  await expectOrder(people, [a, c, b, d], 'after Alt+ArrowDown');
});
