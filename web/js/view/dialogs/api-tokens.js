// The API tab of the tracker dialog: the facilitator issues tokens for the tools beside the
// meeting (a tracker sync, a dashboard, a bot), sees a new token's secret once, lists the
// tokens and revokes them. The secret lives in this part only until it is dismissed or the
// dialog closes; the room keeps only its digest, so it cannot be shown again. Below the tokens
// comes another part of the tab (the team rooms, linked with tokens of other rooms), drawn on
// its own so that redrawing the tokens never takes the focus from it.

import { curlExample, isFull, nameProblem, newestFirst } from '../../api-tokens.js';
import { errorText, formatDateTime, t } from '../../i18n.js';
import { API_TOKENS } from '../../protocol.js';
import { copyRow, h, replace } from '../dom.js';

/** @typedef {import('../../protocol.js').ApiToken} ApiToken */
/** @typedef {import('../../protocol.js').ApiScope} ApiScope */


export class ApiTokens {
  /**
   * @param {any} actions
   * @param {() => void} close closes the dialog
   * @param {Node} [after] what the tab shows after the tokens, before its Close button
   */
  constructor(actions, close, after) {
    this.actions = actions;
    this.close = close;
    this.root = h('div', { class: 'stack api-tokens', 'data-testid': 'api-tokens' });
    /** The tokens' own part of the tab, drawn again as they change. */
    this.content = h('div', { class: 'api-tokens-content' });
    this.buttons = h('div', { class: 'dialog-buttons' });
    replace(this.root, this.content, after, this.buttons);
    /** The room's tokens, null until loaded. @type {ApiToken[] | null} */
    this.tokens = null;
    this.loadProblem = '';
    /** The token just created, with its secret: shown until dismissed. @type {{ name: string, token: string } | null} */
    this.secret = null;
    /** The token whose revocation waits for a yes. @type {string | null} */
    this.confirming = null;
    this.problem = '';
    this.revokeProblem = '';
    this.busy = false;
    /** What was typed, kept across redraws. @type {{ name: string, scope: ApiScope }} */
    this.draft = { name: '', scope: 'read' };
  }

  /** Back to the start, the secret forgotten; the list is fetched again when shown. */
  reset() {
    this.tokens = null;
    this.loadProblem = '';
    this.secret = null;
    this.confirming = null;
    this.problem = '';
    this.revokeProblem = '';
    this.draft = { name: '', scope: 'read' };
    this.render();
  }

  /** The secret goes once the dialog is closed: it is never to be seen again. */
  forget() {
    this.secret = null;
    this.render();
  }

  /** Fetches the list, unless it is here already. */
  async show() {
    if (this.tokens) return;
    this.render();
    try {
      this.tokens = await this.actions.listApiTokens();
      this.loadProblem = '';
    } catch (error) {
      this.loadProblem = t('apiTokens.failed', { reason: errorText(/** @type {any} */ (error)) });
    }
    this.render();
  }

  render() {
    replace(
      this.content,
      h('p', { class: 'dialog-hint', text: t('apiTokens.hint') }),
      this.secret && this.secretView(this.secret),
      this.createForm(),
      this.listView(),
      this.exampleView(),
    );
    replace(this.buttons, h('button', { type: 'button', 'data-testid': 'api-close', text: t('dialog.close'), onclick: () => this.close() }));
  }

  /** @param {{ name: string, token: string }} secret */
  secretView(secret) {
    return h(
      'section',
      { class: 'api-secret', 'data-testid': 'api-secret', 'aria-labelledby': 'api-secret-heading', tabindex: -1 },
      h('h3', { id: 'api-secret-heading', text: t('apiTokens.secretHeading', { name: secret.name }) }),
      h('p', { class: 'api-secret-warning', text: t('apiTokens.secretWarning') }),
      h('label', { class: 'visually-hidden', for: 'api-token-secret', text: t('apiTokens.secretLabel') }),
      copyRow({ id: 'api-token-secret', value: secret.token, fieldTestId: 'api-token-secret', buttonTestId: 'copy-api-token' }),
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', 'data-testid': 'api-secret-done', text: t('apiTokens.secretDone'), onclick: () => this.dismissSecret() })),
    );
  }

  createForm() {
    const full = !!this.tokens && isFull(this.tokens);
    const name = h('input', {
      id: 'api-token-name',
      'data-testid': 'api-token-name',
      maxlength: API_TOKENS.nameChars,
      autocomplete: 'off',
      placeholder: t('apiTokens.namePlaceholder'),
      value: this.draft.name,
      disabled: full,
      'aria-describedby': this.problem ? 'api-token-problem' : undefined,
      'aria-invalid': this.problem ? 'true' : undefined,
      oninput: () => {
        this.draft.name = name.value;
      },
    });
    const scope = (/** @type {ApiScope} */ value) =>
      h(
        'label',
        { class: 'api-scope' },
        h('input', { type: 'radio', name: 'api-token-scope', value, 'data-testid': `api-scope-${value}`, checked: this.draft.scope === value, disabled: full, onchange: () => (this.draft.scope = value) }),
        h('span', {}, h('strong', { text: t(`apiTokens.scope.${value}`) }), h('small', { text: t(`apiTokens.scopeHint.${value}`) })),
      );
    return h(
      'form',
      {
        class: 'stack api-create',
        'data-testid': 'api-create',
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          this.create();
        },
      },
      h('h3', { text: t('apiTokens.newHeading') }),
      h('div', { class: 'api-create-fields' }, h('label', { for: 'api-token-name' }, t('apiTokens.name')), name),
      h('fieldset', { class: 'api-scopes' }, h('legend', { text: t('apiTokens.access') }), scope('read'), scope('write')),
      this.problem && h('p', { class: 'form-error', id: 'api-token-problem', role: 'alert', 'data-testid': 'api-token-problem', text: this.problem }),
      full && h('p', { class: 'dialog-hint', 'data-testid': 'api-tokens-full', text: t('apiTokens.full', { max: API_TOKENS.max }) }),
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'api-token-create', disabled: full, 'aria-disabled': this.busy ? 'true' : undefined, text: t(this.busy ? 'apiTokens.creating' : 'apiTokens.create') })),
    );
  }

  listView() {
    const tokens = this.tokens;
    const heading = h('h3', { id: 'api-list-heading', tabindex: -1 }, t('apiTokens.list'), ' ', tokens && h('span', { class: 'count', text: t('apiTokens.count', { count: tokens.length, max: API_TOKENS.max }) }));
    let body;
    if (this.loadProblem) body = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'api-tokens-error', text: this.loadProblem });
    else if (!tokens) body = h('p', { class: 'dialog-hint', role: 'status', text: t('apiTokens.loading') });
    else if (tokens.length === 0) body = h('p', { class: 'dialog-hint', 'data-testid': 'api-tokens-empty', text: t('apiTokens.none') });
    else body = h('ul', { class: 'api-token-list', 'data-testid': 'api-token-list', 'aria-labelledby': 'api-list-heading' }, ...newestFirst(tokens).map((token) => this.tokenRow(token)));
    return h('section', { class: 'api-list' }, heading, this.revokeProblem && h('p', { class: 'form-error', role: 'alert', 'data-testid': 'api-revoke-error', text: this.revokeProblem }), body);
  }

  /** @param {ApiToken} token */
  tokenRow(token) {
    const confirming = this.confirming === token.id;
    return h(
      'li',
      { class: 'api-token', 'data-testid': 'api-token', 'data-token-id': token.id, 'data-scope': token.scope },
      h(
        'div',
        { class: 'api-token-main' },
        h('span', { class: 'api-token-name', 'data-testid': 'api-token-name-text', text: token.name }),
        h('span', { class: `badge scope-${token.scope}`, text: t(`apiTokens.scope.${token.scope}`) }),
        h('span', { class: 'api-token-date', text: t('apiTokens.createdAt', { date: formatDateTime(token.created_at) }) }),
        !confirming &&
          h(
            'button',
            { type: 'button', class: 'small danger', 'data-testid': 'api-token-revoke', onclick: () => this.ask(token.id) },
            t('apiTokens.revoke'),
            h('span', { class: 'visually-hidden', text: ` ${t('quoted', { text: token.name })}` }),
          ),
      ),
      confirming &&
        h(
          'div',
          { class: 'api-confirm', role: 'group', 'aria-labelledby': `api-confirm-${token.id}` },
          h('p', { id: `api-confirm-${token.id}`, text: t('apiTokens.confirm', { name: token.name }) }),
          h(
            'div',
            { class: 'dialog-buttons' },
            h('button', { type: 'button', 'data-testid': 'api-revoke-cancel', text: t('dialog.cancel'), onclick: () => this.ask(null) }),
            h('button', { type: 'button', class: 'primary danger-fill', 'data-testid': 'api-revoke-confirm', text: t('apiTokens.confirmRevoke'), onclick: () => this.revoke(token) }),
          ),
        ),
    );
  }

  exampleView() {
    return h(
      'section',
      { class: 'api-example' },
      h('h3', { text: t('apiTokens.example') }),
      h('p', { class: 'dialog-hint', text: t('apiTokens.exampleHint') }),
      h('pre', { class: 'api-example-code', 'data-testid': 'api-example' }, h('code', { text: curlExample(location.origin, this.actions.roomId ?? '') })),
    );
  }

  async create() {
    if (this.busy) return;
    this.problem = nameProblem(this.draft.name);
    if (this.problem) {
      this.render();
      /** @type {HTMLElement | null} */ (this.root.querySelector('#api-token-name'))?.focus();
      return;
    }
    this.busy = true;
    this.render();
    const name = this.draft.name.trim();
    try {
      const created = await this.actions.createApiToken(name, this.draft.scope);
      this.secret = { name: created.name, token: created.token };
      this.tokens = [...(this.tokens ?? []), { id: created.id, name: created.name, scope: created.scope, created_at: created.created_at }];
      this.draft = { name: '', scope: 'read' };
    } catch (error) {
      this.problem = errorText(/** @type {any} */ (error));
    }
    this.busy = false;
    this.render();
    if (this.secret) /** @type {HTMLInputElement | null} */ (this.root.querySelector('#api-token-secret'))?.focus();
    else /** @type {HTMLElement | null} */ (this.root.querySelector('#api-token-name'))?.focus();
  }

  dismissSecret() {
    this.secret = null;
    this.render();
    /** @type {HTMLElement | null} */ (this.root.querySelector('#api-token-name'))?.focus();
  }

  /** @param {string | null} id the token to ask about, or null to ask nothing */
  ask(id) {
    const was = this.confirming;
    this.revokeProblem = '';
    this.confirming = id;
    this.render();
    const focus = id ? `[data-token-id="${CSS.escape(id)}"] [data-testid="api-revoke-cancel"]` : `[data-token-id="${CSS.escape(was ?? '')}"] [data-testid="api-token-revoke"]`;
    /** @type {HTMLElement | null} */ (this.root.querySelector(focus))?.focus();
  }

  /** @param {ApiToken} token */
  async revoke(token) {
    try {
      await this.actions.revokeApiToken(token.id);
      this.tokens = (this.tokens ?? []).filter((other) => other.id !== token.id);
      this.confirming = null;
      this.loadProblem = '';
    } catch (error) {
      // Said, and the list fetched again: it may have changed in another tab meanwhile.
      this.confirming = null;
      this.tokens = null;
      await this.show();
      this.revokeProblem = t('apiTokens.revokeFailed', { reason: errorText(/** @type {any} */ (error)) });
    }
    this.render();
    /** @type {HTMLElement | null} */ (this.root.querySelector('#api-list-heading'))?.focus();
  }
}
