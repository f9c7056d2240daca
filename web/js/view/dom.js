// The only way the view builds elements. Text always goes in as text nodes, never as HTML.

import { listParts, t, tParts } from '../i18n.js';

/**
 * @typedef {Record<string, any>} Attributes
 * `class`, `text`, `data-*`, `aria-*` and other attributes; `on<event>` functions become
 * listeners; `value`, `checked`, `disabled`, `hidden`, `open` are set as properties.
 */

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'open', 'tabIndex', 'draggable']);

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') element.textContent = String(value);
    // Through the CSSOM, which the Content-Security-Policy allows (style attributes it does not).
    else if (key === 'style' && typeof value === 'object') for (const [name, v] of Object.entries(value)) element.style.setProperty(name, String(v));
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) /** @type {any} */ (element)[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An SVG element, as `h` makes HTML ones: attributes as they are written (`viewBox`, `x`,
 * `class`), `text` as a text node, children appended.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attributes]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {SVGElement}
 */
export function svg(tag, attributes = {}, ...children) {
  const element = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') element.textContent = String(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {Array<Node | string | number | null | undefined | false>} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * A message with elements in its gaps ("Voting on {title}" with a button for the title), in
 * the order the language puts them; gaps without an element stay as they are written.
 * @param {string} key
 * @param {Record<string, string | number>} params
 * @param {Record<string, Node>} slots
 * @returns {Array<Node | string>}
 */
export function localized(key, params, slots) {
  return tParts(key, params).map((part) => (typeof part === 'string' ? part : slots[part.slot] ?? `{${part.slot}}`));
}

/**
 * Elements in a list as the language writes one: "A, B and C", "A, B y C".
 * @param {Node[]} nodes
 * @returns {Array<Node | string>}
 */
export function listOf(nodes) {
  return listParts(nodes.length).map((part) => (typeof part === 'string' ? part : nodes[part.index]));
}

/**
 * Replaces an element's children.
 * @param {Element} parent
 * @param {...(Node | string | null | undefined | false)} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export function $(selector, root = document) {
  const element = root.querySelector(selector);
  if (!element) throw new Error(`missing element ${selector}`);
  return /** @type {HTMLElement} */ (element);
}

/** @param {Element | null} element */
export function isTyping(element) {
  return !!element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || /** @type {HTMLElement} */ (element).isContentEditable);
}

/**
 * Animates elements from where they were to where they are now (FLIP), so that moves made by
 * others are seen rather than jumped.
 * @param {Map<string, DOMRect>} before positions by key, measured before the change
 * @param {Iterable<HTMLElement>} elements with `data-key`
 */
export function animateMoves(before, elements) {
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  for (const element of elements) {
    const key = element.dataset.key;
    const was = key ? before.get(key) : undefined;
    if (!was) continue;
    const now = element.getBoundingClientRect();
    const dy = was.top - now.top;
    if (Math.abs(dy) < 1) continue;
    element.animate([{ transform: `translateY(${dy}px)` }, { transform: 'translateY(0)' }], { duration: 220, easing: 'ease-out' });
  }
}

/** @param {Iterable<HTMLElement>} elements */
export function measure(elements) {
  /** @type {Map<string, DOMRect>} */
  const positions = new Map();
  for (const element of elements) if (element.dataset.key) positions.set(element.dataset.key, element.getBoundingClientRect());
  return positions;
}

// Copying a value to the clipboard from a read-only field, with its button saying how it went.
// The field is selected first, so that where the clipboard is refused the value can still be
// copied by hand.

/** How long "Copied" shows on a copy button. */
const COPIED_MS = 2000;

/**
 * @param {HTMLInputElement} input
 * @param {HTMLElement} button
 */
export async function copyFrom(input, button) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    button.textContent = t('share.copied');
  } catch {
    button.textContent = t('share.pressCopy');
  }
  setTimeout(() => (button.textContent = t('share.copy')), COPIED_MS);
}

/**
 * A read-only field holding `value` and its copy button.
 * @param {{ id: string, value: string, fieldTestId: string, buttonTestId: string }} row
 */
export function copyRow({ id, value, fieldTestId, buttonTestId }) {
  const field = /** @type {HTMLInputElement} */ (
    h('input', { id, class: 'api-secret-value', 'data-testid': fieldTestId, readonly: true, value, spellcheck: 'false', autocomplete: 'off' })
  );
  const copy = h('button', { type: 'button', 'data-testid': buttonTestId, text: t('share.copy'), onclick: () => copyFrom(field, copy) });
  return h('div', { class: 'copy-row' }, field, copy);
}
