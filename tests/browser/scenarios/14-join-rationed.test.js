// Joins are rationed per client address (here 2 at once, then one every 6 s: slow enough that
// the first two joins have not earned Carol's back on a slow machine or a debug build). Everyone in this
// test comes from 127.0.0.1, like a team behind one office router coming back after a restart:
// whoever is refused for the rate gets in a moment later by itself, without an error on screen.
// (Its own file: the server runs with these limits.)

import assert from 'node:assert/strict';
import { scenario } from '../harness.js';
import { connectionState, enterRoom, tid, waitParticipants } from '../ui.js';

process.env.READYROOM_JOIN_BURST = '2';
process.env.READYROOM_JOINS_PER_MINUTE = '10';

scenario('a join refused for the rate is asked again until it gets in', async (scene) => {
  const room = await scene.api('POST', '/api/rooms', { name: 'Rationed' });
  const people = [];
  for (const [index, name] of ['Alice', 'Bob'].entries()) {
    const person = await scene.person({ name });
    await person.page.goto(index === 0 ? room.facilitator_url : room.join_url);
    await enterRoom(person, { name });
    people.push(person);
  }
  const carol = await scene.person({ name: 'Carol' });
  /** @type {string[]} */
  const answers = [];
  carol.page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    const message = JSON.parse(String(payload));
    if (message.type === 'welcome' || message.code === 'rate_limited') answers.push(message.code ?? message.type);
  }));
  await carol.page.goto(room.join_url);
  await enterRoom(carol, { name: 'Carol' });
  people.push(carol);
  for (const { page } of people) await waitParticipants(page, 3);
  assert.equal(answers[0], 'rate_limited', `Carol's first join was refused: ${answers}`);
  assert.equal(answers.at(-1), 'welcome');
  assert.equal(await carol.page.locator('#problem').isVisible(), false);
  assert.equal(await carol.page.locator(tid('room')).isVisible(), true);
  assert.equal(await connectionState(carol.page), 'connected');
});
