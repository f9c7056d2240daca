// Accessibility checks with axe-core inside the page, as the browser tests' own instrument.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** axe-core's source, evaluated in the page through the debugging protocol (which the page's
 * Content-Security-Policy does not govern, so nothing of the app's policy is loosened). */
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Fails on any serious or critical violation on the page as it is now, naming each with the
 * elements concerned.
 * @param {import('playwright-core').Page} page
 * @param {string} screen what the page shows, for the message
 */
export async function expectAccessible(page, screen) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    // @ts-ignore: axe-core, evaluated above
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`).join('\n    ')}`);
  });
  assert.deepEqual(violations, [], `${screen}: serious or critical accessibility violations:\n  ${violations.join('\n  ')}`);
}
