// The landing page (create a room, open a link, open a room's export as a new one) and the
// join dialog.

import { ApiError } from '../api.js';
import { kindLabel } from '../decks.js';
import { errorText, t } from '../i18n.js';
import { DECK_KINDS } from '../protocol.js';
import { $, h, replace } from './dom.js';

/** The presets offered for a new room, named in the current language (the choice is kept). */
export function fillDecks() {
  const form = /** @type {HTMLFormElement} */ ($('#create-form'));
  const deck = /** @type {HTMLSelectElement} */ (form.elements.namedItem('deck'));
  const chosen = deck.value;
  replace(deck, ...DECK_KINDS.filter((kind) => kind !== 'custom').map((kind) => h('option', { value: kind, text: kindLabel(kind) })));
  if (chosen) deck.value = chosen;
}

/** @param {any} actions */
export function setUpLanding(actions) {
  const form = /** @type {HTMLFormElement} */ ($('#create-form'));
  const deck = /** @type {HTMLSelectElement} */ (form.elements.namedItem('deck'));
  fillDecks();
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
  const nameInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('room-name'));
  nameInput.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement} */ ($('[data-testid=create-room]'));
    button.disabled = true;
    error.hidden = true;
    try {
      await actions.createRoom(nameInput.value.trim() || t('landing.defaultName'), deck.value);
    } catch (problem) {
      // Refused by the server (a code to say in words), or it could not be reached at all.
      const reason = problem instanceof ApiError ? errorText(problem) : t('error.network');
      error.textContent = t('landing.createFailed', { reason });
      error.hidden = false;
      button.disabled = false;
    }
  });
  setUpImport(actions);
  const open = /** @type {HTMLFormElement} */ ($('#open-form'));
  open.addEventListener('submit', (event) => {
    event.preventDefault();
    const link = /** @type {HTMLInputElement} */ (open.elements.namedItem('link')).value;
    const match = /\/r\/([0-9a-fA-F-]{36})/.exec(link) ?? /^([0-9a-fA-F-]{36})$/.exec(link.trim());
    if (match) location.assign(`/r/${match[1]}${link.includes('#') ? link.slice(link.indexOf('#')) : ''}`);
    else {
      error.textContent = t('landing.notALink');
      error.hidden = false;
    }
  });
}

/**
 * A room's JSON export opened as a new room, of which this person becomes the facilitator.
 * @param {any} actions
 */
function setUpImport(actions) {
  const form = /** @type {HTMLFormElement} */ ($('#import-room-form'));
  const file = /** @type {HTMLInputElement} */ (form.elements.namedItem('export'));
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    button.disabled = true;
    error.hidden = true;
    try {
      await actions.importRoom(chosen);
    } catch (problem) {
      // A file the server cannot read as an export is the wrong file, not a broken page.
      const reason = !(problem instanceof ApiError) ? t('error.network') : problem.code === 'invalid_message' ? t('landing.notAnExport') : errorText(problem);
      error.textContent = t('landing.importFailed', { reason });
      error.hidden = false;
      button.disabled = false;
    }
  });
}

/** @param {string} roomName */
export function setJoinHeading(roomName) {
  $('#join-heading').textContent = t('join.heading', { room: roomName });
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
  setJoinHeading(roomName);
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
