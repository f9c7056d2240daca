// A dependency that would close a circle is refused, and the person is told which items would
// wait for each other; the dependency already there stays.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, openRoom, selectItem } from '../ui.js';

scenario('a dependency cycle is refused with the circle named', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Ana' }]);
  const [ana] = people;
  const api = await addItem(ana, 'Payments API');
  const app = await addItem(ana, 'Checkout screen');
  await selectItem(ana, app);
  await ana.page.locator('#add-dependency').selectOption(api);
  await eventually(async () => assert.match(await ana.page.locator('#dependencies').innerText(), /Payments API/));
  await selectItem(ana, api);
  await ana.page.locator('#add-dependency').selectOption(app);
  const toast = ana.page.locator('.toast');
  await eventually(async () => assert.match(await toast.innerText(), /“Payments API” → “Checkout screen” → “Payments API”/));
  await scene.snap(ana, 'dependency-cycle-refused');
  assert.match(await ana.page.locator('#dependencies').innerText(), /No dependencies/);
});
