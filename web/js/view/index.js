// The view: the only code that touches the DOM. It renders the store and turns what people do
// into calls on the app's intents.

import { LOCALES, LOCALE_NAMES, formatMinutes, formatNumber, formatPercent, locale, t } from '../i18n.js';
import { loadTheme, saveTheme } from '../identity.js';
import { ITEM_STATUSES } from '../protocol.js';
import { NOT_READY } from '../store.js';
import { Backlog } from './backlog.js';
import { $, copyFrom, h, isTyping, replace } from './dom.js';
import { renderEstimation } from './estimation.js';
import { ItemPanel } from './item-panel.js';
import { fillDecks, setJoinHeading, setUpJoin, setUpLanding } from './landing.js';
import { renderParticipants } from './participants.js';
import { DependencyMap } from './dependencies.js';
import { PrioritiesDialog } from './wsjf.js';
import { SessionPanel } from './session.js';
import { PrevotePanel } from './prevotes.js';
import { SizingBoardView } from './sizing-board.js';
import { clock } from '../timebox.js';

/** @typedef {import('../store.js').RoomStore} RoomStore */
/** @typedef {import('../store.js').Topic} Topic */
/** @typedef {any} Actions the app's intents (see main.js) */

/** Host names only this computer reaches. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Toasts shown at once; older ones give way. */
const MAX_TOASTS = 3;

/** Minutes a facilitator can start a timebox for. */
const TIMEBOX_MINUTES = [1, 2, 3, 5, 10, 15, 30];

/**
 * Fills in the page's own text (index.html, written in English) from the catalogue: elements
 * with `data-i18n` get their text, `data-i18n-<attribute>` the attribute.
 * @param {ParentNode} root
 */
function localizeStatic(root) {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(/** @type {string} */ (element.getAttribute('data-i18n')));
  for (const attribute of ['aria-label', 'title', 'placeholder', 'alt']) {
    for (const element of root.querySelectorAll(`[data-i18n-${attribute}]`)) element.setAttribute(attribute, t(/** @type {string} */ (element.getAttribute(`data-i18n-${attribute}`))));
  }
}

export class View {
  /**
   * @param {RoomStore} store
   * @param {Actions} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.backlog = new Backlog(store, actions);
    // Dialogs load when first opened: most meetings never open most of them, and each module
    // left out of the start is one request fewer before the join dialog shows.
    const dialogs = {
      split: this.onFirstUse(async () => new (await import('./dialogs/split-dialog.js')).SplitDialog(actions)),
      definition: this.onFirstUse(async () => new (await import('./dialogs/definition-dialog.js')).DefinitionDialog(store, actions)),
      timebox: this.onFirstUse(async () => new (await import('./dialogs/timebox-dialog.js')).TimeboxDialog(store, actions)),
      deck: this.onFirstUse(async () => new (await import('./dialogs/deck-dialog.js')).DeckDialog(store, actions)),
      history: this.onFirstUse(async () => new (await import('./dialogs/history-dialog.js')).HistoryDialog(actions)),
      trash: this.onFirstUse(async () => new (await import('./dialogs/trash-dialog.js')).TrashDialog(store, actions, this.openHistory)),
      plan: this.onFirstUse(async () => new (await import('./dialogs/plan-dialog.js')).PlanDialog(store, actions)),
      tracker: this.onFirstUse(async () => new (await import('./dialogs/tracker-dialog.js')).TrackerDialog(store, actions)),
      insights: this.onFirstUse(async () => new (await import('./dialogs/insights-dialog.js')).InsightsDialog(store, actions)),
    };
    /** What the round trip with the tracker says, fetched with the dialog or the first import's notice. */
    this.trackerTexts = this.onFirstUse(() => import('../tracker.js'));
    this.dialogs = dialogs;
    this.dependencyMap = new DependencyMap(store);
    this.priorities = new PrioritiesDialog(store, actions);
    /** Opens the deck the facilitator estimates with. */
    this.openDeck = () => dialogs.deck((dialog) => dialog.open());
    /** Opens an item's history. @param {string} itemId @param {string} title */
    this.openHistory = (itemId, title) => dialogs.history((dialog) => dialog.open(itemId, title));
    this.openTimebox = () => dialogs.timebox((dialog) => dialog.open());
    this.prevotes = new PrevotePanel(/** @type {HTMLElement} */ ($('#prevotes')), store, actions);
    this.sizingBoard = new SizingBoardView(/** @type {HTMLElement} */ ($('#sizing-board')), store, actions);
    this.session = new SessionPanel(store, actions, this.openTimebox);
    /** Opens the split dialog on an item. @param {import('../protocol.js').Item} item */
    this.openSplit = (item) => dialogs.split((dialog) => dialog.open(item));
    /** Opens the invitation: the team link to copy. */
    this.openShare = () => {
      this.renderShare();
      const share = /** @type {HTMLDialogElement} */ ($('#share-dialog'));
      share.showModal();
      // The link reads from its start, and the first thing to do is copy it.
      for (const input of share.querySelectorAll('input')) {
        input.setSelectionRange(0, 0);
        input.scrollLeft = 0;
      }
      /** @type {HTMLElement} */ ($('[data-copy="join-link"]')).focus();
    };
    this.itemPanel = new ItemPanel(store, actions, this.openSplit, this.openHistory, this.openShare);
    this.timerTick = /** @type {ReturnType<typeof setInterval> | undefined} */ (undefined);
    /** @type {import('../carets.js').CaretBook | null} */
    this.carets = null;
    /** The screen shown. @type {'landing' | 'problem' | 'room' | null} */
    this.screen = null;
    /** What the problem screen says, kept to say it again in another language. @type {{ title: string, text: string, params: () => Record<string, string> } | null} */
    this.problem = null;
    /** The room's name while joining, for the join dialog's heading. */
    this.joiningRoom = '';
    this.localize();
    this.applyTheme();
    this.setUpChrome();
    this.setUpKeyboard();
    store.subscribe((topics, frame) => this.render(topics, frame));
  }

  /**
   * @param {import('../text-sync.js').TextSync} textSync
   * @param {import('../carets.js').CaretBook} carets
   */
  attachTextSync(textSync, carets) {
    this.carets = carets;
    this.itemPanel.attachTextSync(textSync, carets);
    textSync.subscribe((change) => this.itemPanel.textChanged(change));
    // The people list shows which field each person is in, not where their caret is: it is
    // drawn again only when someone changes field, not on every caret move.
    let fields = '';
    carets.subscribe(() => {
      const now = JSON.stringify([...carets.carets].map(([id, caret]) => [id, caret.item_id, caret.field]));
      if (now === fields || this.screen !== 'room') return;
      fields = now;
      renderParticipants($('#participants'), $('#me'), this.store, this.actions, carets);
    });
  }

  /** @param {import('../text-sync.js').TextChange} change */
  textChanged(change) {
    this.itemPanel.textChanged(change);
  }

  showLanding() {
    this.show('landing');
    setUpLanding(this.actions);
  }

  /**
   * @param {string} title the catalogue's key of the heading
   * @param {string} text the key of what it says, with `{reason}` when there is one
   * @param {() => Record<string, string>} [params] its placeholders, worked out in the language shown
   */
  showProblem(title, text, params = () => ({})) {
    this.problem = { title, text, params };
    this.renderProblem();
    this.show('problem');
  }

  renderProblem() {
    if (!this.problem) return;
    $('#problem-title').textContent = t(this.problem.title);
    $('#problem-text').textContent = t(this.problem.text, this.problem.params());
  }

  /**
   * @param {string} roomName
   * @param {string} name
   * @param {boolean} facilitator
   */
  showJoin(roomName, name, facilitator) {
    this.show('room');
    // Nothing of the room is drawn yet: the dialog stands alone until the room arrives.
    document.body.classList.add('joining');
    this.joiningRoom = roomName;
    setUpJoin(roomName, name, facilitator, (displayName, role) => this.actions.join(displayName, role));
  }

  showRoom() {
    this.show('room');
    document.body.classList.remove('joining');
    $('#share-button').hidden = false;
    $('#insights-button').hidden = false;
  }

  /** @param {'landing' | 'problem' | 'room'} screen */
  show(screen) {
    this.screen = screen;
    for (const id of ['landing', 'problem', 'room']) $(`#${id}`).hidden = id !== screen;
    // The room's tools go with the room (a room that is gone, or a removal, ends on the problem screen).
    if (screen !== 'room') {
      clearInterval(this.timerTick);
      this.session.stop();
      for (const id of ['timer-controls', 'timer', 'share-button', 'insights-button']) $(`#${id}`).hidden = true;
    }
    $('#connection').hidden = screen !== 'room';
    this.renderConnection();
  }

  /** @param {string} name */
  setRoomName(name) {
    const heading = $('#room-name');
    heading.textContent = name;
    heading.hidden = false;
    document.title = `${name} · Ready Room`;
  }

  /**
   * A part of the page whose module is fetched the first time it is used. `use` runs once it is
   * there; `loaded` is it once it has been, for updates that only matter to an open dialog.
   * A page left open across an upgrade cannot fetch the old build's module any more: it says
   * so instead of doing nothing.
   * @template T
   * @param {() => Promise<T>} load
   */
  onFirstUse(load) {
    /** @type {Promise<T> | null} */
    let loading = null;
    /** @param {(part: T) => void} use */
    const withPart = (use) => {
      loading ??= load().then(
        (part) => {
          withPart.loaded = part;
          return part;
        },
        (error) => {
          loading = null;
          throw error;
        },
      );
      loading.then(use, () => this.toast(t('error.updated')));
    };
    /** @type {T | null} */
    withPart.loaded = null;
    return withPart;
  }

  /** @param {string} message */
  toast(message) {
    const shelf = $('#toasts');
    // The same message again is the same toast, shown longer; and a few at most stay up.
    const same = Array.from(shelf.children).find((toast) => toast.textContent === message);
    same?.remove();
    const toast = h('div', { class: 'toast', role: 'alert', 'data-testid': 'toast', text: message });
    shelf.append(toast);
    while (shelf.children.length > MAX_TOASTS) shelf.firstElementChild?.remove();
    setTimeout(() => toast.remove(), 5000);
  }

  /** @param {string} message */
  announce(message) {
    const announcer = $('#announcer');
    // Replacing the node makes screen readers announce a repeated message too.
    replace(announcer, h('p', { text: message }));
  }

  /**
   * @param {Set<Topic>} topics
   * @param {import('../protocol.js').EventFrame} [frame]
   */
  render(topics, frame) {
    const store = this.store;
    if (this.screen === 'problem') return;
    if (!store.room) {
      if (topics.has('connection') || topics.has('outbox')) this.renderConnection();
      return;
    }
    if (topics.has('connection') || topics.has('outbox')) this.renderConnection();
    if (topics.has('settings') || topics.has('room')) this.setRoomName(store.room.settings.name);
    // Arrived in the room (a join, or a full welcome again): the focus starts at its content
    // instead of nowhere.
    if (topics.has('room') && (document.activeElement === document.body || document.activeElement === null)) {
      /** @type {HTMLElement} */ ($('#main')).focus({ preventScroll: true });
    }
    if (topics.has('timer') || topics.has('room') || topics.has('connection') || topics.has('current') || topics.has('items')) this.renderTimer();
    if (topics.has('timer') || topics.has('room') || topics.has('participants') || topics.has('settings')) this.session.render();
    if (topics.has('items') || topics.has('current') || topics.has('selection') || topics.has('filters') || topics.has('connection')) {
      this.backlog.render();
    }
    if (topics.has('items') || topics.has('room') || topics.has('participants')) this.renderTrash();
    if (topics.has('room') || topics.has('participants')) this.renderTrackerButton();
    if (topics.has('plans') || topics.has('items') || topics.has('participants') || topics.has('selection') || topics.has('round') || topics.has('room')) this.renderPlans();
    if (topics.has('items') || topics.has('selection') || topics.has('participants') || topics.has('round') || topics.has('connection') || topics.has('current')) {
      this.itemPanel.render();
    }
    if (topics.has('round') || topics.has('participants') || topics.has('items') || topics.has('connection') || topics.has('settings') || topics.has('selection') || topics.has('timer')) {
      renderEstimation($('#estimation'), store, this.actions, this.openSplit, this.openDeck);
    }
    if (topics.has('participants') || topics.has('round') || topics.has('room') || topics.has('connection')) {
      renderParticipants($('#participants'), $('#me'), store, this.actions, this.carets);
      $('#people-count').textContent = formatNumber(store.orderedParticipants().filter((p) => p.online).length);
    }
    if (topics.has('room')) this.renderShare();
    if (frame) this.announceEvent(frame);
  }

  /** Pre-votes, their results and the sizing board, and the facilitator's ways to open them. */
  renderPlans() {
    const facilitator = this.store.isFacilitator;
    const room = this.store.room;
    $('#prevote-button').hidden = !facilitator || !!room?.prevotes;
    $('#sizing-button').hidden = !facilitator || !!room?.sizing;
    this.prevotes.render();
    this.sizingBoard.render();
    // The board takes the item's place while it is open.
    document.body.classList.toggle('sizing', !!room?.sizing);
  }

  renderTrash() {
    const trash = this.store.room?.trash ?? [];
    $('#trash-button').hidden = trash.length === 0;
    $('#trash-count').textContent = formatNumber(trash.length);
    this.dialogs.trash.loaded?.refresh();
  }

  /** Import and export for the facilitator who holds the room's token; the summary for everyone. */
  renderTrackerButton() {
    const button = $('#tracker-button');
    const full = this.store.isFacilitator && this.actions.holdsFacilitatorToken;
    button.hidden = false;
    button.textContent = t(full ? 'tracker.button' : 'tracker.exportButton');
    button.title = t(full ? 'tracker.buttonTitle' : 'tracker.exportButtonTitle');
  }

  renderConnection() {
    const element = $('#connection');
    const status = this.store.connection;
    element.dataset.state = status;
    element.textContent = t(`connection.${status}`);
    document.body.classList.toggle('disconnected', status !== 'connected');
    // Only once in a room: before the first welcome, "connecting" is no news.
    const banner = $('#offline-banner');
    banner.hidden = status === 'connected' || !this.store.room || this.screen !== 'room';
    const waiting = this.store.unanswered;
    const note = $('#unsent-note');
    note.className = waiting ? 'unsent' : '';
    note.dataset.count = String(waiting);
    note.textContent = waiting ? t('offline.unsent', { count: waiting }) : '';
  }

  renderTimer() {
    const timer = this.store.room?.timer ?? null;
    const element = $('#timer');
    clearInterval(this.timerTick);
    this.renderTimerControls(!!timer);
    if (!timer) {
      element.hidden = true;
      return;
    }
    element.hidden = false;
    // An item's budget says whose it is; past its end, both count on to show the overrun.
    const item = timer.item_id ? this.store.items.get(timer.item_id) : undefined;
    element.title = item ? t('timer.itemTitle', { title: item.title }) : t('timer.timebox');
    const tick = () => {
      const left = Math.round((timer.ends_at - Date.now()) / 1000);
      const whose = item ? 'item' : 'timebox';
      element.textContent = left > 0 ? t(`timer.${whose}.left`, { time: clock(left) }) : left === 0 ? t('timer.up') : t(`timer.${whose}.over`, { time: clock(-left) });
      element.classList.toggle('expired', left <= 0);
    };
    tick();
    this.timerTick = setInterval(tick, 1000);
  }

  /** @param {boolean} running */
  renderTimerControls(running) {
    const store = this.store;
    const controls = $('#timer-controls');
    controls.hidden = !store.isFacilitator;
    if (!store.isFacilitator) return;
    replace(
      controls,
      running
        ? h('button', { type: 'button', class: 'icon-button', 'data-testid': 'stop-timer', text: t('timer.stop'), onclick: () => this.actions.stopTimer() })
        : h(
            'select',
            {
              'data-testid': 'start-timer',
              'aria-label': t('timer.start'),
              onchange: (/** @type {Event} */ event) => {
                const minutes = Number(/** @type {HTMLSelectElement} */ (event.target).value);
                if (minutes > 0) this.actions.startTimer(minutes * 60);
              },
            },
            h('option', { value: '', text: t('timer.choose') }),
            ...TIMEBOX_MINUTES.map((m) => h('option', { value: m, text: formatMinutes(m) })),
          ),
    );
  }

  renderShare() {
    const store = this.store;
    const base = `${location.origin}/r/${store.room?.room_id}`;
    /** @type {HTMLInputElement} */ ($('#join-link')).value = base;
    // A link to localhost works on this computer only: say so rather than hand out a dead code.
    $('#share-local').hidden = !LOOPBACK_HOSTS.has(new URL(base, location.href).hostname);
    const qr = /** @type {HTMLImageElement} */ ($('#join-qr'));
    const qrSource = `/api/rooms/${encodeURIComponent(store.room?.room_id ?? '')}/qr.svg`;
    if (qr.getAttribute('src') !== qrSource) qr.src = qrSource;
    const facilitatorRow = $('#facilitator-link-row');
    const token = this.actions.holdsFacilitatorToken ? this.actions.facilitatorToken : null;
    facilitatorRow.hidden = !token;
    if (token) /** @type {HTMLInputElement} */ ($('#facilitator-link')).value = `${base}#facilitator=${token}`;
  }

  /** @param {import('../protocol.js').EventFrame} frame */
  announceEvent(frame) {
    const store = this.store;
    const e = frame.event;
    switch (e.type) {
      case 'participant_joined':
        if (e.participant.id !== store.you) this.announce(t('announce.joined', { name: e.participant.name }));
        break;
      case 'round_revealed': {
        const s = e.record.stats;
        const parts = [t('announce.votes', { count: s.votes })];
        if (s.average !== null) parts.push(t('announce.average', { value: formatNumber(s.average) }));
        if (s.median !== null) parts.push(t('announce.median', { value: formatNumber(s.median) }));
        if (s.mode) parts.push(t('announce.mode', { card: s.mode }));
        parts.push(t('announce.agreement', { percent: formatPercent(s.agreement) }));
        this.announce(t('announce.revealed', { details: parts.join(', ') }));
        break;
      }
      case 'current_item_changed': {
        const item = e.item_id ? store.items.get(e.item_id) : null;
        if (item) this.announce(t('announce.current', { title: item.title }));
        break;
      }
      case 'round_started': {
        const item = store.items.get(e.round.item_id);
        if (item) this.announce(t('announce.roundStarted', { title: item.title }));
        break;
      }
      case 'estimate_accepted': {
        const item = store.items.get(e.item_id);
        if (item) this.announce(t('announce.accepted', { title: item.title, estimate: e.estimate }));
        break;
      }
      case 'facilitator_changed':
        if (e.participant_id) this.announce(t('announce.facilitator', { name: store.nameOf(e.participant_id) }));
        break;
      case 'items_imported':
        // Items appearing by the dozen need a word on where they came from, for everyone.
        this.trackerTexts((tracker) => {
          const notice = tracker.importedNotice(/** @type {import('../protocol.js').ItemsImported} */ (e));
          if (notice) this.toast(notice);
        });
        break;
      default:
        break;
    }
  }

  /**
   * Says everything again in the language now chosen: the page's own text, then whatever the
   * parts drew, without losing what people were doing (the room, typing, a half-typed value).
   */
  relocalize() {
    this.localize();
    if (this.screen === 'landing') fillDecks();
    if (this.screen === 'problem') this.renderProblem();
    if (document.body.classList.contains('joining')) setJoinHeading(this.joiningRoom);
    this.renderConnection();
    if (!this.store.room) return;
    // The item panel's labels are made once per item: made again, in the new language.
    this.itemPanel.relocalize();
    this.render(new Set(/** @type {import('../store.js').Topic[]} */ (['items', 'participants', 'round', 'settings', 'current', 'timer', 'selection', 'connection', 'filters', 'outbox', 'plans'])));
    this.renderShare();
  }

  /** The page's own text and the controls filled in here, in the current language. */
  localize() {
    document.documentElement.lang = locale();
    localizeStatic(document);
    const statusFilter = /** @type {HTMLSelectElement} */ ($('#filter-status'));
    const chosen = statusFilter.value;
    replace(
      statusFilter,
      h('option', { value: '', text: t('backlog.allStatuses') }),
      ...ITEM_STATUSES.map((value) => h('option', { value, text: t(`status.${value}`) })),
      h('option', { value: NOT_READY, text: t('backlog.notReady') }),
    );
    statusFilter.value = chosen;
    const language = /** @type {HTMLSelectElement} */ ($('#language'));
    // Each language named in itself, and marked as such for screen readers.
    if (language.options.length === 0) for (const code of LOCALES) language.append(h('option', { value: code, lang: code, text: LOCALE_NAMES[code] }));
    language.value = locale();
    $('#language-code').textContent = locale().toUpperCase();
  }

  setUpChrome() {
    const language = /** @type {HTMLSelectElement} */ ($('#language'));
    language.addEventListener('change', () => this.actions.setLanguage(language.value));
    const statusFilter = /** @type {HTMLSelectElement} */ ($('#filter-status'));
    statusFilter.addEventListener('change', () => this.store.setFilters({ status: statusFilter.value }));
    const labelFilter = /** @type {HTMLInputElement} */ ($('#filter-label'));
    labelFilter.addEventListener('input', () => this.store.setFilters({ label: labelFilter.value }));
    $('#definition-button').addEventListener('click', () => this.dialogs.definition((dialog) => dialog.open()));
    $('#trash-button').addEventListener('click', () => this.dialogs.trash((dialog) => dialog.open()));
    $('#dependency-button').addEventListener('click', () => this.dependencyMap.open());
    $('#priorities-button').addEventListener('click', () => this.priorities.open());
    $('#prevote-button').addEventListener('click', () => this.dialogs.plan((dialog) => dialog.open('prevote')));
    $('#sizing-button').addEventListener('click', () => this.dialogs.plan((dialog) => dialog.open('sizing')));
    $('#tracker-button').addEventListener('click', () => this.dialogs.tracker((dialog) => dialog.open()));
    $('#insights-button').addEventListener('click', () => this.dialogs.insights((dialog) => dialog.open()));
    const splitFilter = /** @type {HTMLInputElement} */ ($('#filter-split'));
    splitFilter.addEventListener('change', () => this.store.setFilters({ split: splitFilter.checked }));

    $('#theme-toggle').addEventListener('click', () => {
      const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
      const system = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
      // Choosing what the system already does means "follow the system" again.
      saveTheme(next === system ? null : next);
      this.applyTheme();
    });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.applyTheme());

    const shortcuts = /** @type {HTMLDialogElement} */ ($('#shortcuts-dialog'));
    $('#shortcuts-button').addEventListener('click', () => shortcuts.showModal());
    const share = /** @type {HTMLDialogElement} */ ($('#share-dialog'));
    $('#share-button').addEventListener('click', () => this.openShare());
    share.addEventListener('click', async (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest('[data-copy]');
      if (!(button instanceof HTMLElement)) return;
      await copyFrom(/** @type {HTMLInputElement} */ ($(`#${button.dataset.copy}`)), button);
    });
  }

  applyTheme() {
    const chosen = loadTheme();
    const system = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    const theme = chosen ?? system;
    document.documentElement.dataset.theme = theme;
    $('#theme-toggle').setAttribute('aria-pressed', String(theme === 'dark'));
  }

  setUpKeyboard() {
    document.addEventListener('keydown', (event) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(document.activeElement)) return;
      if (document.querySelector('dialog[open]')) return;
      const store = this.store;
      if (event.key === '?') {
        /** @type {HTMLDialogElement} */ ($('#shortcuts-dialog')).showModal();
        event.preventDefault();
        return;
      }
      if (!store.room) return;
      const round = store.room.round;
      if (/^[0-9]$/.test(event.key) && round?.phase === 'voting' && store.canVote) {
        const index = event.key === '0' ? 9 : Number(event.key) - 1;
        const card = round.deck.cards[index];
        if (card !== undefined) {
          this.actions.vote(card);
          event.preventDefault();
        }
        return;
      }
      switch (event.key) {
        case 'j':
        case 'k': {
          const items = store.visibleItems();
          const at = items.findIndex((item) => item.id === store.selected);
          const next = items[Math.max(0, Math.min(items.length - 1, at + (event.key === 'j' ? 1 : -1)))];
          if (next) store.select(next.id);
          break;
        }
        case 'n':
          $('#new-item-title').focus();
          event.preventDefault();
          break;
        case 'f':
          store.setFollowing(!store.following);
          break;
        case 'r':
          if (store.isFacilitator && round?.phase === 'voting') this.actions.reveal();
          break;
        case '.':
          if (store.isFacilitator && round?.phase !== 'voting') this.actions.nextItem(false);
          break;
        default:
          break;
      }
    });
  }
}
