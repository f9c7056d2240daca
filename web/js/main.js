// Composition root: decides which screen to show and wires the parts together: the session
// (the socket and joining), the command pipeline (ids, outbox, pacing), the store (the room),
// text sync (typing together) and carets (presence). Turns the view's intents into commands.

import { nextAgendaItem } from './agenda.js';
import { roundShare } from './timebox.js';
import { ApiError, apiTokens, createApiToken, createRoom, createWebhook, deleteWebhook, describeRoom, exportFile, importCsv, importRoom, insights, itemHistory, linkTeamRoom, pingWebhook, retryDelivery, revokeApiToken, suggestion, teamRooms, unlinkTeamRoom, webhooks } from './api.js';
import { CaretBook, CaretSender } from './carets.js';
import { CommandPipeline } from './commands.js';
import { errorText, isLocale, pickLocale, setLocale, t } from './i18n.js';
import { loadIdentity, loadLanguage, loadName, saveIdentity, saveLanguage, saveName, updateIdentity } from './identity.js';
import { IDENTITY_LOST, isTextField } from './protocol.js';
import { Session } from './session.js';
import { placeOnBoard } from './prevotes.js';
import { RoomStore } from './store.js';
import { TextSync } from './text-sync.js';
import { replaceOp } from './text-op.js';
import { View } from './view/index.js';

/** @typedef {import('./protocol.js').Command} Command */
/** @typedef {import('./protocol.js').TextField} TextField */
/** @typedef {import('./protocol.js').TextOp} TextOp */

const ROOM_PATH = /^\/r\/([0-9a-fA-F-]{36})\/?$/;
/** The position in the room (epoch, seq) is written to localStorage at most this often. */
const POSITION_WRITE_MS = 1_000;

class App {
  constructor() {
    this.store = new RoomStore();
    this.carets = new CaretBook();
    /** @type {string | null} */
    this.roomId = null;
    /** @type {Session | null} */
    this.session = null;
    /** @type {CommandPipeline | null} */
    this.pipeline = null;
    /** @type {TextSync | null} */
    this.textSync = null;
    this.caretSender = new CaretSender((caret) => !!this.session?.send({ cmd: 0, type: 'set_caret', caret }));
    this.welcomed = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.positionTimer = undefined;
    this.view = new View(this.store, this);
    addEventListener('pagehide', () => this.writePosition());
  }

  async start() {
    const match = ROOM_PATH.exec(location.pathname);
    if (!match) {
      this.view.showLanding();
      return;
    }
    const roomId = match[1].toLowerCase();
    this.roomId = roomId;
    this.pipeline = new CommandPipeline(roomId, {
      canSend: () => !!this.session?.canSend,
      send: (message) => !!this.session?.send(message),
      unansweredChanged: (count) => this.store.setUnanswered(count),
      refused: (error) => this.view.toast(errorText(error)),
    });
    this.textSync = new TextSync(this.store, this.pipeline);
    this.view.attachTextSync(this.textSync, this.carets);
    // The facilitator link carries its token in the fragment: keep it, then clean the address
    // bar so the link people copy from it is the team link.
    const fragment = new URLSearchParams(location.hash.slice(1));
    const facilitatorToken = fragment.get('facilitator');
    if (facilitatorToken) {
      updateIdentity(roomId, { facilitatorToken });
      history.replaceState(null, '', location.pathname);
    }
    const identity = loadIdentity(roomId);
    let room;
    try {
      room = await describeRoom(roomId);
    } catch {
      this.view.showProblem('problem.unreachable.title', 'problem.unreachable.text');
      return;
    }
    if (!room) {
      this.view.showProblem('problem.noRoom.title', 'problem.noRoom.text');
      return;
    }
    this.view.setRoomName(room.name);
    if (identity.participantToken) {
      // What this tab had not had answered when it was last closed or reloaded goes out again
      // after the welcome, under the same ids.
      this.pipeline.restore();
      // A facilitator token goes along only when it came with this very link: a reload must
      // not take back a facilitation handed over meanwhile (the token stays stored, for
      // "Take back facilitation").
      this.connect({
        participant_token: identity.participantToken,
        ...(facilitatorToken ? { facilitator_token: facilitatorToken } : {}),
      });
    } else {
      this.pipeline.clear();
      this.view.showJoin(room.name, loadName(), !!identity.facilitatorToken);
    }
  }

  /**
   * @param {string} name
   * @param {import('./protocol.js').DeckChoice['kind']} deck
   */
  async createRoom(name, deck) {
    this.openCreated(await createRoom({ name, default_deck: { kind: deck } }));
  }

  /**
   * Opens a room's JSON export as a new room.
   * @param {Blob} exported
   */
  async importRoom(exported) {
    this.openCreated(await importRoom(exported));
  }

  /**
   * Goes to a room just made, as its facilitator: the token is kept here, not put in the
   * address.
   * @param {import('./api.js').RoomCreated} created
   */
  openCreated(created) {
    saveIdentity(created.room_id, { facilitatorToken: created.facilitator_token });
    location.assign(`/r/${created.room_id}`);
  }

  /**
   * Joins as a new participant (nobody in this browser is one yet): with the facilitator token
   * if this browser holds one.
   * @param {string} name
   * @param {import('./protocol.js').Role} role
   */
  join(name, role) {
    saveName(name);
    const identity = loadIdentity(/** @type {string} */ (this.roomId));
    this.connect({ name, role, ...(identity.facilitatorToken ? { facilitator_token: identity.facilitatorToken } : {}) });
  }

  /** @param {Record<string, any>} request */
  connect(request) {
    this.view.showRoom();
    const roomId = /** @type {string} */ (this.roomId);
    const pipeline = /** @type {CommandPipeline} */ (this.pipeline);
    if (!this.session) {
      this.session = new Session(roomId, {
        nextId: () => pipeline.nextId(),
        resumeFrom: () => (this.store.room && this.store.epoch ? { epoch: this.store.epoch, seq: this.store.seq } : null),
        onWelcome: (welcome) => this.onWelcome(welcome),
        onResumed: (resumed) => this.onResumed(resumed),
        onMessage: (message) => this.onMessage(message),
        onJoinRefused: (error, hadToken) => this.onJoinRefused(error, hadToken),
        onRemoved: () => {
          this.forgetIdentity();
          this.leave();
          this.view.showProblem('problem.removed.title', 'problem.removed.text');
        },
        onRoomGone: () => {
          this.forgetIdentity();
          this.leave();
          this.view.showProblem('problem.noRoom.title', 'problem.gone.text');
        },
        onStatus: (status) => this.store.setConnection(status),
      });
      const session = this.session;
      /** @type {any} */ (window).__readyroomDebug = {
        dropConnection: () => session.resync(),
        unanswered: () => pipeline.outbox.map((e) => ({ cmd: e.cmd, type: e.command.type, sends: e.sends })),
        joinAnswers: () => [...session.joinAnswers],
        textSettled: () => !!this.textSync?.settled,
      };
    }
    this.session.connect(request);
  }

  /** Stops for good: no more reconnecting, and nothing unanswered will be answered. */
  leave() {
    this.session?.leave();
    this.session = null;
    this.pipeline?.failAll('disconnected');
  }

  /**
   * @param {any} error
   * @param {boolean} hadToken
   */
  onJoinRefused(error, hadToken) {
    this.session = null;
    this.pipeline?.failAll('disconnected');
    if (IDENTITY_LOST.has(error.code) && hadToken) {
      this.forgetIdentity();
      this.view.showJoin(this.store.room?.settings.name ?? '', loadName(), this.holdsFacilitatorToken);
    } else {
      this.view.showProblem('problem.joinRefused.title', 'problem.joinRefused.text', () => ({ reason: errorText(error) }));
    }
  }

  /** @param {any} message */
  onMessage(message) {
    const pipeline = /** @type {CommandPipeline} */ (this.pipeline);
    switch (message.type) {
      case 'event':
        return this.onEvent(message);
      case 'ack':
        return pipeline.settle(message);
      case 'caret_moved':
        return this.carets.set(message.participant_id, message.caret);
      case 'error':
        if (message.cmd === null || message.cmd === undefined) return pipeline.unnamedError();
        if (message.cmd === 0) return undefined; // a refused caret: the next one says where it is
        return pipeline.settle(message);
      default:
        // `pong`, or a message type newer than this client: nothing to do.
        return undefined;
    }
  }

  /** @param {any} frame */
  onEvent(frame) {
    const textSync = /** @type {TextSync} */ (this.textSync);
    const e = frame.event;
    // Text changes are seen before the store applies them: pending edits move past them.
    const change = textSync.beforeEvent(frame);
    const before = e.type === 'item_updated' && isTextField(e.field) ? this.store.items.get(e.item_id)?.[e.field] : undefined;
    const applied = this.store.apply(frame);
    textSync.afterEvent();
    if (!applied) {
      this.session?.resync();
      return;
    }
    this.positionChanged();
    if (e.type === 'text_edited') this.carets.moveOver(e.item_id, e.field, e.op, frame.actor, e.revision);
    if (before !== undefined) {
      const revision = this.store.items.get(e.item_id)?.revisions?.[/** @type {TextField} */ (e.field)] ?? 0;
      this.carets.moveOver(e.item_id, e.field, replaceOp(before, e.value), null, revision);
    }
    if (change) this.view.textChanged(change);
  }

  /** @param {any} welcome */
  onWelcome(welcome) {
    const roomId = /** @type {string} */ (this.roomId);
    updateIdentity(roomId, { participantToken: welcome.participant_token, epoch: welcome.epoch, seq: welcome.room.seq });
    const first = !this.welcomed;
    this.welcomed = true;
    this.carets.clear();
    this.store.reset(welcome.room, welcome.you, welcome.epoch ?? null);
    /** @type {TextSync} */ (this.textSync).welcomed();
    this.joined(welcome.last_cmd, welcome.max_frame_bytes);
    if (first) this.view.announce(t('announce.you', { room: welcome.room.settings.name }));
  }

  /**
   * The server still had everything since our last event: the state stays, the events missed
   * follow as ordinary events (the store skips any it already has).
   * @param {any} resumed
   */
  onResumed(resumed) {
    const store = this.store;
    if (!store.room || resumed.epoch !== store.epoch || resumed.from_seq !== store.seq || resumed.you !== store.you) {
      // Not the state this was asked for (it cannot happen with this client): start over.
      this.session?.resyncFully();
      return;
    }
    this.carets.clear();
    this.joined(resumed.last_cmd);
  }

  /**
   * After a welcome or resumed: everything unanswered goes out, in order, with the same ids.
   * @param {number} lastCmd
   * @param {number} [maxFrameBytes]
   */
  joined(lastCmd, maxFrameBytes) {
    /** @type {CommandPipeline} */ (this.pipeline).joined(lastCmd, maxFrameBytes);
    this.caretSender.reconnected();
  }

  forgetIdentity() {
    const roomId = /** @type {string} */ (this.roomId);
    updateIdentity(roomId, { participantToken: undefined, epoch: undefined, seq: undefined });
    this.pipeline?.failAll('not_participant');
    this.welcomed = false;
  }

  positionChanged() {
    if (this.positionTimer !== undefined) return;
    this.positionTimer = setTimeout(() => this.writePosition(), POSITION_WRITE_MS);
  }

  writePosition() {
    clearTimeout(this.positionTimer);
    this.positionTimer = undefined;
    if (this.roomId && this.store.room && this.store.epoch) updateIdentity(this.roomId, { epoch: this.store.epoch, seq: this.store.seq });
  }

  /**
   * Sends a command; resolves with its real reply (ack or error), however long that takes.
   * @param {Command} command
   * @returns {Promise<any>}
   */
  send(command) {
    return this.pipeline ? this.pipeline.send(command) : Promise.resolve(null);
  }

  /**
   * Whether the command behind a promise from `send` still waits for its answer.
   * @param {Promise<any>} promise
   */
  isUnanswered(promise) {
    return !!this.pipeline?.isUnanswered(promise);
  }

  // Intents from the view, one per thing a person can do.

  /**
   * Shows the page in another language from now on, here and on the next visit. Nothing is
   * reloaded: the room, the connection and what is being typed stay as they are.
   * @param {string} language
   */
  async setLanguage(language) {
    if (!isLocale(language)) return;
    saveLanguage(language);
    try {
      await setLocale(language);
    } catch {
      this.view.toast(t('error.language'));
    }
    this.view.relocalize();
  }

  /** @param {string} title */
  async createItem(title) {
    const reply = await this.send({ type: 'create_item', title });
    // Its event arrived before the ack (the ack's seq is the event's); open it unless this
    // person is following someone.
    const created = reply.type === 'ack' && typeof reply.seq === 'number' ? this.store.createdByMe.get(reply.seq) : undefined;
    if (created && this.store.items.has(created) && (!this.store.following || this.store.isFacilitator)) this.store.select(created);
    return reply;
  }

  /**
   * @param {string} itemId
   * @param {import('./protocol.js').ItemField} field
   * @param {any} value
   */
  updateItem(itemId, field, value) {
    return this.send({ type: 'update_item', item_id: itemId, field, value });
  }

  /**
   * @param {string} itemId
   * @param {import('./protocol.js').SplitPart[]} parts
   */
  async splitItem(itemId, parts) {
    const reply = await this.send({ type: 'split_item', item_id: itemId, parts });
    // Open the first part, where the work goes on (the facilitator's split leads everyone there).
    const first = this.store.items.get(itemId)?.split_into?.[0];
    if (reply?.type === 'ack' && first && (!this.store.following || this.store.isFacilitator)) this.store.select(first);
    return reply;
  }

  /**
   * @param {string} itemId
   * @param {number} criterion
   * @param {boolean} checked
   */
  checkCriterion(itemId, criterion, checked) {
    return this.send({ type: 'check_criterion', item_id: itemId, criterion, checked });
  }

  /**
   * @param {string} itemId
   * @param {string} kind
   * @param {string} text
   * @param {string | null} owner
   */
  addRemark(itemId, kind, text, owner) {
    return this.send({ type: 'add_remark', item_id: itemId, kind, text, ...(owner ? { owner } : {}) });
  }

  /**
   * @param {string} itemId
   * @param {number} remarkId
   * @param {string | null} answer
   */
  answerQuestion(itemId, remarkId, answer) {
    return this.send({ type: 'answer_question', item_id: itemId, remark_id: remarkId, answer });
  }

  /**
   * @param {string} itemId
   * @param {number} remarkId
   */
  removeRemark(itemId, remarkId) {
    return this.send({ type: 'remove_remark', item_id: itemId, remark_id: remarkId });
  }

  /**
   * @param {string} itemId
   * @param {boolean} ready
   */
  overrideReady(itemId, ready) {
    return this.send({ type: 'override_ready', item_id: itemId, ready });
  }

  /** @param {import('./protocol.js').ReadyCriterionDraft[]} criteria */
  setDefinitionOfReady(criteria) {
    return this.send({ type: 'update_settings', definition_of_ready: criteria });
  }

  /** @param {string} itemId */
  restoreItem(itemId) {
    return this.send({ type: 'restore_item', item_id: itemId });
  }

  /**
   * An item's history, read with this person's participant token.
   * @param {string} itemId
   */
  loadHistory(itemId) {
    const roomId = /** @type {string} */ (this.roomId);
    const token = loadIdentity(roomId).participantToken;
    if (!token) return Promise.reject(new Error(t('error.notJoined')));
    return itemHistory(roomId, itemId, token);
  }

  /**
   * Reads a tracker's CSV file into the room, or previews it, with the facilitator token.
   * @param {Blob | string} csv
   * @param {{ dryRun: boolean, format?: string, trackerUrl?: string, columns?: string }} options
   */
  importCsv(csv, options) {
    const token = this.facilitatorToken;
    if (!token) return Promise.reject(new ApiError('invalid_token', t('error.invalid_token')));
    return importCsv(/** @type {string} */ (this.roomId), token, csv, options);
  }

  /**
   * A file to save: the backlog as a tracker's CSV or the room's JSON (with the facilitator
   * token), or the summary (with this person's own token, which everyone in the room has).
   * @param {import('./api.js').ExportKind} kind
   */
  exportFile(kind) {
    const roomId = /** @type {string} */ (this.roomId);
    const token = kind === 'summary' ? loadIdentity(roomId).participantToken ?? this.facilitatorToken : this.facilitatorToken;
    if (!token) return Promise.reject(new ApiError('invalid_token', t('error.invalid_token')));
    return exportFile(roomId, kind, token);
  }

  /**
   * Whether this person leads the meeting with the room's facilitator token: what the server
   * shows the facilitator alone (a suggestion before the reveal, figures per person, API tokens)
   * is theirs to see. Someone holding the token while voting sees what voters see.
   */
  get leadsWithToken() {
    return this.store.isFacilitator && this.holdsFacilitatorToken;
  }

  /**
   * The token to read the room with: the facilitator's while leading with it, else this person's own.
   * @returns {Promise<string>}
   */
  readToken() {
    const token = (this.leadsWithToken && this.facilitatorToken) || loadIdentity(/** @type {string} */ (this.roomId)).participantToken;
    return token ? Promise.resolve(token) : Promise.reject(new ApiError('invalid_token', t('error.invalid_token')));
  }

  /**
   * The estimate the room's history suggests for an item.
   * @param {string} itemId
   */
  async loadSuggestion(itemId) {
    return suggestion(/** @type {string} */ (this.roomId), itemId, await this.readToken());
  }

  /** How the room refines; with figures per person for the facilitator. */
  async loadInsights() {
    return insights(/** @type {string} */ (this.roomId), await this.readToken());
  }

  /** The facilitator token, for what only it may do. */
  leaderToken() {
    const token = this.facilitatorToken;
    return token ? Promise.resolve(token) : Promise.reject(new ApiError('invalid_token', t('error.invalid_token')));
  }

  async listApiTokens() {
    return apiTokens(/** @type {string} */ (this.roomId), await this.leaderToken());
  }

  /**
   * @param {string} name
   * @param {import('./protocol.js').ApiScope} scope
   */
  async createApiToken(name, scope) {
    return createApiToken(/** @type {string} */ (this.roomId), await this.leaderToken(), { name, scope });
  }

  /** @param {string} id */
  async revokeApiToken(id) {
    return revokeApiToken(/** @type {string} */ (this.roomId), await this.leaderToken(), id);
  }

  /** The room's webhooks, each with its latest deliveries. */
  async listWebhooks() {
    return webhooks(/** @type {string} */ (this.roomId), await this.leaderToken());
  }

  /**
   * @param {string} url
   * @param {import('./protocol.js').WebhookEvent[]} events
   */
  async createWebhook(url, events) {
    return createWebhook(/** @type {string} */ (this.roomId), await this.leaderToken(), { url, events });
  }

  /** @param {string} id */
  async deleteWebhook(id) {
    return deleteWebhook(/** @type {string} */ (this.roomId), await this.leaderToken(), id);
  }

  /** @param {string} id */
  async pingWebhook(id) {
    return pingWebhook(/** @type {string} */ (this.roomId), await this.leaderToken(), id);
  }

  /**
   * @param {string} webhookId
   * @param {string} deliveryId
   */
  async retryWebhookDelivery(webhookId, deliveryId) {
    return retryDelivery(/** @type {string} */ (this.roomId), await this.leaderToken(), webhookId, deliveryId);
  }

  /** The team's other rooms this room's suggestions draw on. */
  async listTeamRooms() {
    return teamRooms(/** @type {string} */ (this.roomId), await this.leaderToken());
  }

  /**
   * @param {string} roomId the other room
   * @param {string} token one of its API tokens
   */
  async linkTeamRoom(roomId, token) {
    return linkTeamRoom(/** @type {string} */ (this.roomId), await this.leaderToken(), { room_id: roomId, token });
  }

  /** @param {string} roomId the linked room */
  async unlinkTeamRoom(roomId) {
    return unlinkTeamRoom(/** @type {string} */ (this.roomId), await this.leaderToken(), roomId);
  }

  /** @param {string} itemId */
  deleteItem(itemId) {
    return this.send({ type: 'delete_item', item_id: itemId });
  }

  /**
   * @param {string} itemId
   * @param {string | null} after
   * @param {string | null} before
   */
  moveItem(itemId, after, before) {
    return this.send({ type: 'move_item', item_id: itemId, after, before });
  }

  /**
   * A keystroke (or paste, cut, drop…) in a text field, as an operation on the text it showed.
   * Returns false if it could not be taken: the field shows the text it should again.
   * @param {string} itemId
   * @param {TextField} field
   * @param {TextOp} op
   */
  editText(itemId, field, op) {
    return /** @type {TextSync} */ (this.textSync).edit(itemId, field, op);
  }

  /**
   * @param {string} itemId
   * @param {TextField} field
   */
  undoText(itemId, field) {
    return /** @type {TextSync} */ (this.textSync).undo(itemId, field);
  }

  /**
   * @param {string} itemId
   * @param {TextField} field
   */
  redoText(itemId, field) {
    return /** @type {TextSync} */ (this.textSync).redo(itemId, field);
  }

  /**
   * Which field this person is in and, in a text field, where their caret is (in characters of
   * the text shown); null when they left it.
   * @param {{ itemId: string, field: import('./protocol.js').ItemField, anchor: number, head: number } | null} at
   */
  reportCaret(at) {
    if (!at) {
      this.caretSender.report(null);
      return;
    }
    const field = at.field;
    const revision = isTextField(field) ? this.store.items.get(at.itemId)?.revisions?.[field] ?? 0 : 0;
    this.caretSender.report({ item_id: at.itemId, field: at.field, revision, anchor: at.anchor, head: at.head });
  }

  /** @param {string} itemId */
  makeCurrent(itemId) {
    return this.send({ type: 'set_current_item', item_id: itemId });
  }

  /**
   * Facilitator: leads everyone to the next item that still needs the team, and starts its
   * round if asked. Returns false when none is left.
   * @param {boolean} withRound
   */
  nextItem(withRound) {
    const next = nextAgendaItem(this.store.orderedItems(), this.store.room?.current_item ?? this.store.selected);
    if (!next) return false;
    this.makeCurrent(next.id);
    this.store.select(next.id);
    if (withRound) this.startRound(next.id);
    return true;
  }

  /**
   * @param {string} itemId
   * @param {import('./protocol.js').WsjfDimension} dimension
   */
  startDimensionRound(itemId, dimension) {
    return this.send({ type: 'start_round', item_id: itemId, dimension });
  }

  /**
   * Starts the item's round and, in a session, its share of what is left as a timebox.
   * @param {string} itemId
   */
  startRound(itemId) {
    const timebox = this.itemBudget();
    const deck = this.store.roundDeck;
    const sent = this.send({ type: 'start_round', item_id: itemId, ...(deck ? { deck } : {}), ...(timebox ? { timebox_seconds: timebox } : {}) });
    // A deck for the next round only is used up by a round that started, not by a refusal.
    if (deck) {
      sent.then((/** @type {any} */ reply) => {
        if (reply?.type !== 'error' && this.store.roundDeck === deck) this.setRoundDeck(null);
      });
    }
    return sent;
  }

  /** @param {import('./protocol.js').DeckChoice | null} deck the next round's, or null for the room's */
  setRoundDeck(deck) {
    this.store.roundDeck = deck;
    this.store.notify(['round']);
  }

  /** The time budget a round started now gets: none outside a session or when turned off. */
  itemBudget() {
    const room = this.store.room;
    if (!room || !this.store.timeboxRounds) return null;
    return roundShare(room, this.store.orderedItems(), Date.now());
  }

  startSession() {
    return this.send({ type: 'start_session' });
  }

  endSession() {
    return this.send({ type: 'end_session' });
  }

  /** @param {import('./protocol.js').RefinementTimebox} timebox */
  setTimebox(timebox) {
    return this.send({ type: 'update_settings', timebox });
  }

  /** @param {string} card */
  vote(card) {
    const round = this.store.room?.round;
    if (!round || round.phase !== 'voting') return Promise.resolve(null);
    if (round.my_card === card) return this.retractVote(round.id);
    return this.castVote(round.id, card, round.my_confidence ?? null);
  }

  /**
   * How sure this voter is of the card played in the live round (null: not saying).
   * @param {import('./protocol.js').Confidence | null} confidence
   */
  setConfidence(confidence) {
    const round = this.store.room?.round;
    if (!round || round.phase !== 'voting' || !round.my_card) return Promise.resolve(null);
    return this.castVote(round.id, round.my_card, confidence);
  }

  /**
   * Plays a card, with a confidence, in a round: the live one or a pre-vote.
   * @param {string} roundId
   * @param {string} card
   * @param {import('./protocol.js').Confidence | null} confidence
   */
  castVote(roundId, card, confidence) {
    return this.send({ type: 'vote', round_id: roundId, card, ...(confidence ? { confidence } : {}) });
  }

  /** @param {string} roundId */
  retractVote(roundId) {
    return this.send({ type: 'retract_vote', round_id: roundId });
  }

  /**
   * @param {string[]} itemIds
   * @param {import('./protocol.js').DeckChoice | undefined} deck the room's when absent
   * @param {number} closesAt
   */
  openPrevotes(itemIds, deck, closesAt) {
    return this.send({ type: 'open_prevotes', item_ids: itemIds, ...(deck ? { deck } : {}), closes_at: closesAt });
  }

  revealPrevotes() {
    return this.send({ type: 'reveal_prevotes' });
  }

  cancelPrevotes() {
    return this.send({ type: 'cancel_prevotes' });
  }

  /** @param {string[]} itemIds */
  acceptPrevotes(itemIds) {
    return this.send({ type: 'accept_prevotes', item_ids: itemIds });
  }

  dismissPrevoteReview() {
    return this.send({ type: 'dismiss_prevote_review' });
  }

  /**
   * @param {string[]} itemIds
   * @param {import('./protocol.js').DeckChoice | undefined} deck
   */
  openSizingBoard(itemIds, deck) {
    return this.send({ type: 'open_sizing_board', item_ids: itemIds, ...(deck ? { deck } : {}) });
  }

  /**
   * Moves an item on the sizing board. Shown at once: a second arrow key press moves it on from
   * where the first put it. The server's order settles it for everyone as its events come in.
   * @param {string} itemId
   * @param {string | null} column
   */
  placeOnBoard(itemId, column) {
    const board = this.store.room?.sizing;
    if (!board) return Promise.resolve(null);
    placeOnBoard(board, itemId, column, this.store.you);
    this.store.moveAhead(itemId);
    this.store.notify(['plans']);
    const sent = this.send({ type: 'place_on_board', item_id: itemId, column });
    // A refused move has no echo: it is no longer ahead of the server.
    sent.then((/** @type {any} */ reply) => {
      if (reply?.type === 'error') this.store.confirmMove(itemId);
    });
    return sent;
  }

  acceptSizing() {
    return this.send({ type: 'accept_sizing' });
  }

  closeSizingBoard() {
    return this.send({ type: 'close_sizing_board' });
  }

  reveal() {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'reveal', round_id: round.id }) : Promise.resolve(null);
  }

  revote() {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'revote', round_id: round.id }) : Promise.resolve(null);
  }

  /** @param {string} estimate */
  accept(estimate) {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'accept_estimate', round_id: round.id, estimate }) : Promise.resolve(null);
  }

  cancelRound() {
    const round = this.store.room?.round;
    return round ? this.send({ type: 'cancel_round', round_id: round.id }) : Promise.resolve(null);
  }

  /** @param {boolean} on */
  setAnonymousReveal(on) {
    return this.send({ type: 'update_settings', anonymous_reveal: on });
  }

  /** @param {boolean} on */
  setAutoReveal(on) {
    return this.send({ type: 'update_settings', auto_reveal: on });
  }

  /** @param {number} seconds */
  startTimer(seconds) {
    return this.send({ type: 'start_timer', seconds });
  }

  stopTimer() {
    return this.send({ type: 'stop_timer' });
  }

  /** @param {string} participantId */
  handOver(participantId) {
    return this.send({ type: 'hand_over_facilitator', participant_id: participantId });
  }

  reclaimFacilitator() {
    const token = loadIdentity(/** @type {string} */ (this.roomId)).facilitatorToken;
    return token ? this.send({ type: 'claim_facilitator', facilitator_token: token }) : Promise.resolve(null);
  }

  get holdsFacilitatorToken() {
    return !!this.facilitatorToken;
  }

  /** @returns {string | null} */
  get facilitatorToken() {
    return (this.roomId && loadIdentity(this.roomId).facilitatorToken) || null;
  }

  /** @param {string} participantId */
  removeParticipant(participantId) {
    return this.send({ type: 'remove_participant', participant_id: participantId });
  }

  /** @param {import('./protocol.js').Role} role */
  setRole(role) {
    return this.send({ type: 'set_role', role });
  }

  /** @param {string} name */
  rename(name) {
    saveName(name);
    return this.send({ type: 'rename', name });
  }

  /** @param {string} name */
  renameRoom(name) {
    return this.send({ type: 'update_settings', name });
  }

  /** @param {import('./protocol.js').DeckChoice} deck */
  setDefaultDeck(deck) {
    return this.send({ type: 'update_settings', default_deck: deck });
  }
}

/**
 * The language comes first, so that nothing is drawn in another one: the one chosen before,
 * else the browser's, else English (also when its catalogue cannot be loaded).
 */
async function boot() {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  await setLocale(pickLocale(loadLanguage(), preferred)).catch(() => {});
  const app = new App();
  app.start();
}

boot();
