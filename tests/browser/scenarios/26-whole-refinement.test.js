// A whole refinement, as the "done when" describes it: a facilitator takes a raw backlog
// of ten items through a session in the browser: splits the one that is too big, resolves a
// dependency, orders by WSJF, estimates the rest with the team, watches the checklist turn items
// Ready, and ends with a backlog where every item is Ready or shows why not.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, scenario } from '../harness.js';
import { backlogItem, backlogOrder, enterRoom, expectFacilitator, field, selectItem, startRound, tid, vote, waitParticipants, waitPhase } from '../ui.js';

const T0 = 1_767_268_800_000;

/** A raw backlog item, as an export holds it. */
function raw(title, { description = `Why: ${title.toLowerCase()} matters to our users.`, criteria = `- ${title} works end to end`, status = 'new', wsjf } = {}) {
  return {
    id: randomUUID(),
    rank: '80',
    title,
    description,
    acceptance_criteria: criteria,
    notes: '',
    remarks: [],
    labels: [],
    links: [],
    dependencies: [],
    estimate: null,
    status,
    history: [],
    created_at: T0,
    revisions: { title: 0, description: 0, acceptance_criteria: 0, notes: 0 },
    split_into: [],
    split_from: null,
    checked: [],
    ready_override: null,
    wsjf,
  };
}

const wsjf = (business_value, time_criticality, risk_reduction, job_size) => ({ business_value, time_criticality, risk_reduction, job_size });

scenario('a raw backlog of ten items ends ready, or says why not', async (scene) => {
  const backlog = [
    raw('Checkout UI', { wsjf: wsjf(8, 8, 3, 5) }),
    raw('Sign-up with email', { wsjf: wsjf(8, 5, 3, 3) }),
    raw('Password reset', { wsjf: wsjf(5, 3, 2, 2) }),
    raw('Checkout', { status: 'needs_splitting', criteria: '- Card payments work\n- Invoices can be requested', wsjf: wsjf(13, 8, 5, 13) }),
    raw('Payments API', { wsjf: wsjf(8, 8, 8, 5) }),
    raw('Order history', { wsjf: wsjf(3, 2, 1, 3) }),
    raw('Email receipts', { wsjf: wsjf(3, 3, 1, 2) }),
    raw('Admin audit log', { wsjf: wsjf(2, 1, 5, 5) }),
    raw('Search by title', { wsjf: wsjf(5, 2, 2, 3) }),
    raw('Dark mode', { criteria: '', wsjf: wsjf(2, 1, 1, 2) }),
  ];
  const ids = Object.fromEntries(backlog.map((item) => [item.title, item.id]));
  const created = await scene.api('POST', '/api/rooms/import', {
    format: 'readyroom.room',
    version: 1,
    exported_at: T0,
    room_id: randomUUID(),
    settings: { name: 'Sprint 43 refinement', default_deck: { kind: 'fibonacci' }, auto_reveal: false },
    participants: [],
    items: backlog,
  });
  const ana = await scene.person({ name: 'Ana' });
  await ana.page.goto(created.facilitator_url);
  await enterRoom(ana, { name: 'Ana' });
  const ben = await scene.person({ name: 'Ben', colorScheme: 'dark' });
  await ben.page.goto(created.join_url);
  await enterRoom(ben, { name: 'Ben' });
  const people = [ana, ben];
  for (const { page } of people) await waitParticipants(page, 2);
  await expectFacilitator(ana.page, 'Ana');
  await ana.page.locator(tid('start-session')).click();
  await scene.snap(ana, 'refinement-raw-backlog');

  // Split the item that is too big.
  await selectItem(ana, ids.Checkout);
  await ana.page.locator(tid('split-item')).click();
  const split = ana.page.locator(tid('split-dialog'));
  const titles = split.locator(tid('split-part-title'));
  await titles.nth(0).fill('Pay by card');
  await titles.nth(1).fill('Pay by invoice');
  const criteria = split.locator(tid('split-line-acceptance_criteria'));
  await criteria.nth(0).selectOption({ label: '→ Pay by card' });
  await criteria.nth(1).selectOption({ label: '→ Pay by invoice' });
  await split.locator(tid('split-confirm')).click();
  await eventually(async () => assert.equal((await backlogOrder(ben.page)).length, 11, 'two parts take the place of one'));

  // Resolve a dependency: the UI waits for the API, and is ranked above it; one click fixes the order.
  await selectItem(ana, ids['Checkout UI']);
  await ana.page.locator(tid('dependency-search')).fill('Payments');
  await ana.page.locator(tid('dependency-option'), { hasText: 'Payments API' }).first().click();
  await eventually(async () => assert.match(await ana.page.locator(tid('order-warning')).innerText(), /Ranked above “Payments API”/));
  await ana.page.locator(tid('move-below')).click();
  await eventually(async () => {
    const order = await backlogOrder(ben.page);
    assert.ok(order.indexOf(ids['Checkout UI']) > order.indexOf(ids['Payments API']), 'the UI now comes after the API');
  });

  // Order by WSJF, as everyone sees.
  await ana.page.locator(tid('open-priorities')).click();
  await ana.page.locator(tid('apply-wsjf-order')).click();
  await ana.page.keyboard.press('Escape');
  await eventually(async () => assert.equal((await backlogOrder(ben.page))[0], ids['Sign-up with email'], 'the highest score first'));

  // Estimate the rest with the team, tick what people check, and watch items turn Ready.
  const order = await backlogOrder(ana.page);
  assert.equal(order.length, 11);
  const criterion = (page, id) => page.locator(`${tid('criterion')}[data-criterion="${id}"] input`);
  for (const itemId of order) {
    await startRound(ana, itemId, people);
    await vote(ana, '3');
    await vote(ben, '3');
    await ana.page.locator(tid('reveal')).click();
    await waitPhase(ana.page, 'revealed');
    await ana.page.locator(tid('accept')).click();
    await waitPhase(ana.page, 'idle');
    await selectItem(ben, itemId);
    await criterion(ben.page, 1).check();
    await criterion(ben.page, 5).check();
  }
  await scene.snap(ben, 'refinement-done-dark');

  // Every item is Ready, or shows why not.
  const status = (id) => backlogItem(ana.page, id).locator(tid('status-badge')).innerText();
  for (const itemId of order) {
    if (itemId === ids['Dark mode']) continue;
    await eventually(async () => assert.equal(await status(itemId), 'Ready'));
  }
  await eventually(async () => assert.equal(await backlogItem(ana.page, ids['Dark mode']).locator(tid('readiness-badge')).innerText(), '5/6'));
  await selectItem(ana, ids['Dark mode']);
  await eventually(async () => assert.match(await ana.page.locator(tid('checklist')).innerText(), /No acceptance criteria yet/));
  await ana.page.locator(tid('filter-status')).selectOption('not_ready');
  await eventually(async () => assert.deepEqual(await backlogOrder(ana.page), [ids['Dark mode']]));
  await scene.snap(ana, 'refinement-done');
  await ana.page.locator(tid('filter-status')).selectOption('');
  assert.equal(await field(ana.page, 'acceptance_criteria').inputValue(), '');
});
