// The landing page (create a room, open a link) and the join dialog.

import { DECK_LABELS } from '../protocol.js';
import { $, h } from './dom.js';

/** @param {any} actions */
export function setUpLanding(actions) {
  const form = /** @type {HTMLFormElement} */ ($('#create-form'));
  const deck = /** @type {HTMLSelectElement} */ (form.elements.namedItem('deck'));
  for (const [value, label] of Object.entries(DECK_LABELS)) {
    if (value !== 'custom') deck.append(h('option', { value, text: label }));
  }
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
  const nameInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('room-name'));
  nameInput.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement} */ ($('[data-testid=create-room]'));
    button.disabled = true;
    error.hidden = true;
    try {
      await actions.createRoom(nameInput.value.trim() || 'Refinement', deck.value);
    } catch (problem) {
      error.textContent = `The room could not be created: ${problem instanceof Error ? problem.message : problem}`;
      error.hidden = false;
      button.disabled = false;
    }
  });
  const open = /** @type {HTMLFormElement} */ ($('#open-form'));
  open.addEventListener('submit', (event) => {
    event.preventDefault();
    const link = /** @type {HTMLInputElement} */ (open.elements.namedItem('link')).value;
    const match = /\/r\/([0-9a-fA-F-]{36})/.exec(link) ?? /^([0-9a-fA-F-]{36})$/.exec(link.trim());
    if (match) location.assign(`/r/${match[1]}${link.includes('#') ? link.slice(link.indexOf('#')) : ''}`);
    else {
      error.textContent = 'That does not look like a Ready Room link.';
      error.hidden = false;
    }
  });
}

/**
 * @param {string} roomName
 * @param {string} name
 * @param {boolean} facilitator
 * @param {(name: string, role: 'voter' | 'observer') => void} onJoin
 */
export function setUpJoin(roomName, name, facilitator, onJoin) {
  const dialog = /** @type {HTMLDialogElement} */ ($('#join-dialog'));
  const form = /** @type {HTMLFormElement} */ ($('#join-form'));
  $('#join-room-name').textContent = roomName;
  $('#join-facilitator-note').hidden = !facilitator;
  const input = /** @type {HTMLInputElement} */ (form.elements.namedItem('display-name'));
  input.value = name;
  form.onsubmit = (event) => {
    event.preventDefault();
    const displayName = input.value.trim();
    if (!displayName) {
      input.focus();
      return;
    }
    const role = /** @type {RadioNodeList} */ (form.elements.namedItem('role')).value === 'observer' ? 'observer' : 'voter';
    dialog.close();
    onJoin(displayName, role);
  };
  // Joining is the only way on: Escape must not leave a half-open room behind.
  dialog.addEventListener('cancel', (event) => event.preventDefault());
  dialog.showModal();
  input.focus();
  input.select();
}
