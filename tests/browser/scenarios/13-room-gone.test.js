// A room that no longer exists: the server comes back without it (its data is gone). The
// page cannot tell a refused WebSocket upgrade (404) from a server that is down, so it asks the
// HTTP API, and says so instead of reconnecting forever. (Its own file: the server's data
// directory is wiped.)

import assert from 'node:assert/strict';
import { scenario, WAIT } from '../harness.js';
import { addItem, openRoom, tid, waitConnectionState } from '../ui.js';

scenario('a room that is gone shows "This room does not exist"', async (scene) => {
  const { people } = await openRoom(scene, [{ name: 'Alice' }]);
  const [alice] = people;
  await addItem(alice, 'Soon gone');

  await scene.server.kill({ signal: 'SIGKILL' });
  await waitConnectionState(alice.page, 'reconnecting');
  await scene.server.wipe();
  await scene.server.start();

  const problem = alice.page.locator('#problem');
  await problem.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match(await problem.innerText(), /This room does not exist/);
  assert.equal(await alice.page.locator(tid('room')).isVisible(), false);
  // Nothing of the room is left on screen: no reconnecting banner, no status, no room tools.
  for (const testid of ['offline-banner', 'connection-status']) {
    assert.equal(await alice.page.locator(tid(testid)).isVisible(), false, `${testid} still shown`);
  }
  await scene.snap(alice, 'room-gone');

  // And it stays there: no more attempts to connect. A scheduled retry could come up to 10 s
  // later (the backoff's cap), so the page is told the network is back, which makes a client
  // that is still trying reconnect at once.
  const attempts = [];
  alice.page.on('websocket', (ws) => attempts.push(ws.url()));
  await alice.context.setOffline(true);
  await alice.context.setOffline(false);
  await alice.page.waitForTimeout(1_000);
  assert.deepEqual(attempts, [], 'still trying to connect to a room that does not exist');
  await problem.waitFor({ state: 'visible', timeout: WAIT });
});
