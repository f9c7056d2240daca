// A text operation from another client (`edit_text`, as an API client sends it) reaches an
// open page as it lands: the page applies it to the field, counting characters as the server
// does (an emoji is one), without reloading.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, field, openRoom, selectItem } from '../ui.js';

scenario('an edit made with a text operation shows in an open page', async (scene) => {
  const { room, people } = await openRoom(scene, [{ name: 'Alice' }]);
  const [alice] = people;
  const itemId = await addItem(alice, 'Written by two');
  await selectItem(alice, itemId);

  const robot = await scene.person({ name: 'robot' });
  await robot.page.goto(scene.url('/healthz'));
  const wsUrl = `${scene.baseUrl.replace(/^http/, 'ws')}/ws/rooms/${room.room_id}`;
  // Two edits on the empty description: the second made on the first's revision, with the
  // emoji counted as one character.
  const replies = await robot.page.evaluate(async ({ url, item }) => {
    const ws = new WebSocket(url);
    const replies = [];
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    const answer = (cmd) => new Promise((resolve) => {
      const listen = (event) => {
        const message = JSON.parse(event.data);
        if (message.cmd === cmd && message.type !== 'event') {
          ws.removeEventListener('message', listen);
          resolve(message);
        }
      };
      ws.addEventListener('message', listen);
    });
    ws.send(JSON.stringify({ cmd: 1, type: 'join', protocol: 1, name: 'Robot', role: 'voter' }));
    replies.push((await answer(1)).type);
    ws.send(JSON.stringify({ cmd: 2, type: 'edit_text', item_id: item, field: 'description', revision: 0, op: ['Hello 😀 world'] }));
    replies.push((await answer(2)).type);
    ws.send(JSON.stringify({ cmd: 3, type: 'edit_text', item_id: item, field: 'description', revision: 1, op: [7, ' big', 6] }));
    replies.push((await answer(3)).type);
    ws.close();
    return replies;
  }, { url: wsUrl, item: itemId });
  assert.deepEqual(replies, ['welcome', 'ack', 'ack']);

  await eventually(async () => {
    assert.equal(await field(alice.page, 'description').inputValue(), 'Hello 😀 big world');
  });
  await scene.snap(alice, 'text-op-applied');
});
