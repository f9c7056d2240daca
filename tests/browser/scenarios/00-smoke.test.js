// Infrastructure check that needs no client features: the server starts, Chromium loads the
// page it serves, the Content-Security-Policy forbids inline script, a screenshot is written.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { scenario, WAIT } from '../harness.js';

scenario('smoke: the server serves a page Chromium renders under a strict CSP', async (scene) => {
  const health = await scene.api('GET', '/healthz');
  // `status` is the contract; the server may report more (e.g. rooms in memory).
  assert.equal(health.status, 'ok');

  const { page } = await scene.person({ name: 'visitor' });
  const response = await page.goto(scene.url('/'), { timeout: WAIT });
  assert.equal(response.status(), 200);
  assert.match(await page.title(), /Ready Room/);

  const csp = response.headers()['content-security-policy'] ?? '';
  const directives = Object.fromEntries(
    csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]),
  );
  const scriptSources = directives['script-src'] ?? directives['default-src'];
  assert.ok(scriptSources, `no script-src or default-src in CSP: ${csp}`);
  assert.ok(!scriptSources.includes("'unsafe-inline'"), `CSP allows inline script: ${csp}`);
  assert.ok(!scriptSources.includes("'unsafe-eval'"), `CSP allows eval: ${csp}`);

  // And the browser enforces it: an injected inline script does not run.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true;';
    document.head.append(script);
    return window.__inlineRan === true;
  });
  assert.equal(ran, false, 'an inline script ran despite the CSP');

  const file = await scene.snap(page, 'smoke');
  assert.ok(existsSync(file));
});
