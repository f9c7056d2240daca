// Notes, decisions and questions: a question asked in the meeting, with an owner, keeps the
// item from being ready (its checklist and its backlog row say so) until someone answers it;
// decisions are recorded beside it; notes are written together like the description.

import assert from 'node:assert/strict';
import { eventually, scenario } from '../harness.js';
import { addItem, backlogItem, field, openRoom, selectItem, tid } from '../ui.js';

scenario('an open question blocks readiness until it is answered', async (scene) => {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { people } = await openRoom(scene, [{ name: 'Ana' }, { name: 'Ben', colorScheme: 'dark', ...phone }]);
  const [ana, ben] = people;
  const item = await addItem(ana, 'CSV export');
  await selectItem(ana, item);
  await field(ana.page, 'notes').fill('Finance asked for it in the review.');
  await field(ana.page, 'notes').blur();

  const form = ana.page.locator(tid('remark-form'));
  await form.locator(tid('remark-kind')).selectOption('question');
  await form.locator(tid('remark-text')).fill('Which columns does finance need?');
  await form.locator(tid('remark-owner')).selectOption({ label: 'Ben' });
  await form.locator(tid('remark-add')).click();
  await form.locator(tid('remark-kind')).selectOption('decision');
  await form.locator(tid('remark-text')).fill('UTF-8 with a header row');
  await form.locator(tid('remark-add')).click();

  await eventually(async () => assert.equal(await backlogItem(ben.page, item).locator(tid('questions-badge')).innerText(), '1 open question'));
  const questions = ana.page.locator(`${tid('criterion')}[data-criterion="6"]`);
  await eventually(async () => assert.equal(await questions.getAttribute('data-met'), 'false'));
  assert.match(await questions.innerText(), /1 open question/);
  await scene.snap(ana, 'remarks-open-question');

  // Ben, the owner, answers from his phone; the notes reached him too.
  await selectItem(ben, item);
  await eventually(async () => assert.equal(await field(ben.page, 'notes').inputValue(), 'Finance asked for it in the review.'));
  const open = ben.page.locator(`${tid('remark')}[data-open="true"]`);
  await eventually(async () => assert.match(await open.innerText(), /Which columns does finance need\?.*→ Ben/s));
  await open.locator(tid('answer-text')).fill('Amount, date and customer');
  await open.locator(tid('answer')).click();
  await eventually(async () => assert.equal(await questions.getAttribute('data-met'), 'true'));
  assert.equal(await backlogItem(ana.page, item).locator(tid('questions-badge')).count(), 0);
  assert.equal(await ana.page.locator(tid('remark-answer')).innerText(), 'Amount, date and customer');
  await ben.page.locator(tid('remarks-field')).scrollIntoViewIfNeeded();
  await scene.snap(ben, 'remarks-answered-phone-dark', { fullPage: false });
});
