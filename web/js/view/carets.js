// Other people's carets and selections drawn over a text field. A layer with the field's exact
// box and font lies on top of it, transparent to the pointer; it holds the field's text in
// transparent ink with the selections marked and a coloured bar (with the person's name) at
// each caret, and scrolls with the field. Text goes in as text nodes only.

import { h } from './dom.js';

/** Caret colours: distinct from each other, readable with white text in light and dark themes. */
const COLOURS = ['#c2410c', '#1d4ed8', '#15803d', '#a21caf', '#b45309', '#0e7490', '#be123c', '#6d28d9'];

/**
 * A participant's colour: the same in every tab and for everyone.
 * @param {string} participantId
 */
export function caretColour(participantId) {
  let hash = 0;
  for (const c of participantId) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return COLOURS[hash % COLOURS.length];
}

/** The styles that decide where each character of a field lands. */
const LAYOUT = [
  'font-family', 'font-size', 'font-weight', 'font-style', 'letter-spacing', 'word-spacing', 'line-height', 'text-transform', 'text-indent',
  'padding-top', 'padding-right', 'padding-bottom', 'padding-left',
  'border-top-width', 'border-right-width', 'border-bottom-width', 'border-left-width', 'tab-size',
];

/** @typedef {{ participantId: string, name: string, anchor: number, head: number }} ShownCaret */

export class CaretLayer {
  /** @param {HTMLInputElement | HTMLTextAreaElement} field */
  constructor(field) {
    this.field = field;
    this.singleLine = field.tagName === 'INPUT';
    this.layer = h('div', { class: `caret-layer${this.singleLine ? ' single-line' : ''}`, 'aria-hidden': 'true', hidden: true });
    field.addEventListener('scroll', () => this.followScroll());
  }

  /**
   * @param {string} text what the field shows
   * @param {ShownCaret[]} carets positions in characters of `text`
   */
  render(text, carets) {
    const layer = this.layer;
    if (carets.length === 0 || !this.field.isConnected) {
      if (!layer.hidden) {
        layer.hidden = true;
        layer.replaceChildren();
      }
      return;
    }
    layer.hidden = false;
    this.matchBox();
    const chars = Array.from(text);
    // Every place something starts or ends, in order; between two of them the text is one run.
    const cuts = new Set([0, chars.length]);
    for (const caret of carets) {
      cuts.add(caret.anchor);
      cuts.add(caret.head);
    }
    const points = [...cuts].sort((a, b) => a - b);
    /** @type {Node[]} */
    const nodes = [];
    for (let i = 0; i < points.length; i += 1) {
      const at = points[i];
      for (const caret of carets) if (caret.head === at) nodes.push(this.caretMark(caret));
      const next = points[i + 1];
      if (next === undefined) break;
      const run = chars.slice(at, next).join('');
      const selecting = carets.find((c) => Math.min(c.anchor, c.head) <= at && next <= Math.max(c.anchor, c.head) && c.anchor !== c.head);
      nodes.push(selecting ? h('mark', { class: 'remote-selection', style: { '--caret-colour': caretColour(selecting.participantId) }, text: run }) : document.createTextNode(run));
    }
    // A final line break takes a line only with something after it, as in the field.
    nodes.push(document.createTextNode('\u200b'));
    layer.replaceChildren(...nodes);
    this.followScroll();
    // A name tag above a caret on the first visible line would be cut off: it goes below.
    for (const mark of layer.querySelectorAll('.remote-caret')) {
      const top = /** @type {HTMLElement} */ (mark).offsetTop - layer.scrollTop;
      mark.classList.toggle('label-below', top < 18);
    }
  }

  /** @param {ShownCaret} caret */
  caretMark(caret) {
    return h(
      'span',
      { class: 'remote-caret', 'data-testid': 'remote-caret', 'data-participant': caret.participantId, style: { '--caret-colour': caretColour(caret.participantId) } },
      h('span', { class: 'remote-caret-name', text: caret.name }),
    );
  }

  /** Gives the layer the field's box, font and wrapping, so each character lands where the field's does. */
  matchBox() {
    const field = this.field;
    const style = getComputedStyle(field);
    const layer = this.layer;
    for (const property of LAYOUT) layer.style.setProperty(property, style.getPropertyValue(property));
    const borders = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    // Without the field's scroll bar, which takes width from its text.
    layer.style.width = `${field.clientWidth + borders}px`;
    layer.style.height = `${field.offsetHeight}px`;
    layer.style.top = `${field.offsetTop}px`;
    layer.style.left = `${field.offsetLeft}px`;
    if (this.singleLine) {
      const inner = field.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      layer.style.lineHeight = `${inner}px`;
    }
  }

  followScroll() {
    this.layer.scrollTop = this.field.scrollTop;
    this.layer.scrollLeft = this.field.scrollLeft;
  }
}
