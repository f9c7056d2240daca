// Dark mode: the system preference picks the theme, the page really is dark, and the toggle
// switches between light and dark.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backgroundRgb, luminance, openRoom, startRound, tid } from '../ui.js';

const theme = (page) => page.evaluate(() => document.documentElement.dataset.theme);

/** Clicks the theme toggle (at most three times, for a light/dark/system cycle) until `wanted`. */
async function toggleTo(page, wanted) {
  for (let clicks = 0; clicks < 3 && (await theme(page)) !== wanted; clicks += 1) {
    await page.locator(tid('theme-toggle')).click();
  }
  assert.equal(await theme(page), wanted);
}

scenario('dark mode follows the system and the toggle', async (scene) => {
  const { people } = await openRoom(scene, [
    { name: 'Alice', colorScheme: 'dark' },
    { name: 'Bob', colorScheme: 'light' },
  ]);
  const [alice, bob] = people;
  await eventually(async () => assert.equal(await theme(alice.page), 'dark'));
  await eventually(async () => assert.equal(await theme(bob.page), 'light'));
  assert.ok(luminance(await backgroundRgb(alice.page)) < 0.2, 'dark theme has a dark background');
  assert.ok(luminance(await backgroundRgb(bob.page)) > 0.6, 'light theme has a light background');

  const itemId = await addItem(alice, 'Dark mode for the reports');
  await addItem(alice, 'Keyboard shortcuts');
  await startRound(alice, itemId, people);
  await scene.snap(alice, 'dark');

  await toggleTo(alice.page, 'light');
  await eventually(async () => assert.ok(luminance(await backgroundRgb(alice.page)) > 0.6, 'toggled to a light background'));
  await toggleTo(alice.page, 'dark');
  await eventually(async () => assert.ok(luminance(await backgroundRgb(alice.page)) < 0.2, 'toggled back to dark'));
  assert.equal(await theme(bob.page), 'light', "Alice's choice is hers alone");
});
