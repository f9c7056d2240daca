// Wire vocabulary shared by the client's modules: the protocol version, the protocol's values
// and limits, and JSDoc types of the messages (see docs/protocol.md). What they are called for
// people is in the message catalogue (i18n.js).

export const PROTOCOL_VERSION = 1;

/** @typedef {'voter' | 'observer'} Role */
/** @typedef {'new' | 'needs_info' | 'needs_splitting' | 'ready'} ItemStatus */
/** @typedef {'title' | 'description' | 'acceptance_criteria' | 'notes' | 'labels' | 'links' | 'dependencies' | 'estimate' | 'status' | 'wsjf' | 'remarks'} ItemField */
/** @typedef {{ item_id: string, field: ItemField }} Editing */
/** @typedef {{ id: string, name: string, role: Role, online: boolean, editing: Editing | null }} Participant */
/** @typedef {{ url: string, title: string }} Link */
/** @typedef {{ kind: string, cards: string[] }} Deck */
/** @typedef {{ kind: string, cards?: string[], unsure?: boolean, coffee?: boolean }} DeckChoice */
/** @typedef {'low' | 'medium' | 'high'} Confidence */
/** How many votes came with each confidence. @typedef {{ low: number, medium: number, high: number }} ConfidenceTally */
/** @typedef {{ participant_id: string, card: string, confidence?: Confidence }} Vote */
/** @typedef {{ card: string, count: number }} CardCount */
/** @typedef {{ low_card: string, low: string[], high_card: string, high: string[] }} Outliers */
/**
 * @typedef {{ votes: number, distribution: CardCount[], average: number | null,
 *   median: number | null, mode: string | null, agreement: number, consensus: boolean,
 *   outliers: Outliers | null, confidence?: ConfidenceTally }} RoundStats
 */
/**
 * @typedef {{ round_id: string, number: number, deck: Deck, votes: Vote[], stats: RoundStats,
 *   revealed_at: number, accepted: string | null, dimension?: WsjfDimension, anonymous?: boolean }} RoundRecord
 */
/**
 * @typedef {{ id: string, item_id: string, number: number, deck: Deck, phase: 'voting' | 'revealed',
 *   started_at: number, voted: string[], my_card: string | null, revealed: RoundRecord | null, anonymous?: boolean,
 *   dimension?: WsjfDimension, my_confidence?: Confidence | null, closes_at?: number }} Round
 */
/** Open pre-votes: one round per item, each with `closes_at`. @typedef {{ closes_at: number, rounds: Round[] }} Prevotes */
/** @typedef {{ item_id: string, record: RoundRecord, consensus: boolean, spread: number }} PrevoteResult */
/** Agreed items first, then the discussion queue, widest spread first. @typedef {{ results: PrevoteResult[] }} PrevoteReview */
/** @typedef {{ item_id: string, column?: string | null, by?: string | null }} Placement */
/** @typedef {{ deck: Deck, placements: Placement[] }} SizingBoard */
/**
 * @typedef {{ id: string, rank: string, title: string, description: string,
 *   acceptance_criteria: string, notes?: string, remarks?: Remark[], labels: string[], links: Link[], dependencies: string[],
 *   estimate: string | null, status: ItemStatus, history: RoundRecord[], created_at: number,
 *   revisions?: TextRevisions, split_into?: string[], split_from?: string | null,
 *   checked?: number[], ready_override?: ReadyOverride | null, wsjf?: Wsjf, external?: ExternalRef }} Item
 */
/** The trackers whose CSV files the server reads and writes. @typedef {'jira' | 'azure' | 'plain'} Tracker */
/** The issue an item was imported from; `url` only when the import was given the tracker's address. @typedef {{ tracker: Tracker, key: string, url?: string }} ExternalRef */
/** @typedef {'key' | 'title' | 'description' | 'acceptance_criteria' | 'estimate' | 'labels' | 'priority' | 'depends_on' | 'blocks' | 'ignored'} ImportField */
/** A column of an imported file (`column` counts from 1) and what it fills in. @typedef {{ column: number, header: string, field: ImportField }} ImportColumn */
/**
 * A row of an imported file: `action` is `create` or `update` in a dry run, then `created`,
 * `updated` or `unchanged`.
 * @typedef {{ row: number, key?: string, title: string, estimate?: string,
 *   action: 'create' | 'update' | 'created' | 'updated' | 'unchanged', item_id?: string }} ImportRow
 */
/**
 * What `POST …/import/csv` did, or with `dry_run` would do. `skipped_links`: dependencies the
 * room could not take; `warnings`: what was read differently from how it was written (a text
 * cut to what an item holds). Both in the server's words, absent when empty.
 * @typedef {{ tracker: Tracker, dry_run: boolean, columns: ImportColumn[], rows: ImportRow[],
 *   created: number, updated: number, unchanged: number, skipped_links?: string[], warnings?: string[] }} ImportReport
 */
/**
 * After an import, the event everyone gets (`actor` null), once each item has had its own
 * `item_created` or `item_updated`.
 * @typedef {{ type: 'items_imported', tracker: Tracker, created: string[], updated: string[] }} ItemsImported
 */
/** A room by its id and its name. @typedef {{ room_id: string, name: string }} RoomRef */
/**
 * A similar item with an accepted estimate; `room` names the team room it comes from, when
 * not this room (see `TeamRoom`).
 * @typedef {{ item_id: string, title: string, estimate: string, similarity: number, room?: RoomRef }} SuggestionReference
 */
/**
 * An estimate suggested from the room's history; `suggested` and `confidence` only with three matches or more.
 * @typedef {{ item_id: string, matches: number, suggested?: string, confidence?: Confidence,
 *   references: SuggestionReference[] }} EstimateSuggestion
 */
/** A stretch an item was the current item. @typedef {{ item_id: string, title: string, from: number, to: number }} Stretch */
/**
 * One session's figures; shares from 0 to 1, absent when there was nothing to count.
 * @typedef {{ started_at: number, ended_at?: number, budget_seconds: number, seconds_on_items: number,
 *   timeline: Stretch[], items_estimated: number, rounds: number, first_round_consensus?: number,
 *   revote_rate?: number, average_spread?: number, unsure_share?: number, coffee_share?: number,
 *   accepted_other_than_mode?: number }} SessionInsights
 */
/**
 * @typedef {{ participant_id: string, name: string, votes: number, unsure_share: number,
 *   outlier_rounds: number, distance_from_accepted?: number }} PersonInsights
 */
/**
 * Sessions oldest first; `people` for the facilitator only.
 * @typedef {{ sessions: SessionInsights[], split_candidates: { item_id: string, title: string, estimate: string }[],
 *   people?: PersonInsights[] }} Insights
 */
/** @typedef {'read' | 'write'} ApiScope */
/** An API token as listed: never its secret. @typedef {{ id: string, name: string, scope: ApiScope, created_at: number }} ApiToken */
/** What a webhook can be told of; `ping` only when asked for, from its settings. @typedef {'estimate.accepted' | 'item.ready' | 'session.ended' | 'items.imported' | 'ping'} WebhookEvent */
/** @typedef {'pending' | 'delivered' | 'failed'} DeliveryStatus */
/**
 * One delivery in a webhook's log; the optional fields are absent until they are known.
 * @typedef {{ id: string, webhook_id: string, event: WebhookEvent, status: DeliveryStatus, created_at: number,
 *   attempts: number, next_attempt_at?: number, last_attempt_at?: number, response_status?: number, error?: string }} Delivery
 */
/**
 * Another room of the team whose accepted estimates this room's suggestions draw on, as
 * listed; the link holds while that room keeps the API token it was made with.
 * @typedef {{ room_id: string, name: string, linked_at: number, sharing?: boolean }} TeamRoom
 */
/** A webhook as listed, with its latest deliveries newest first: never its secret. @typedef {{ id: string, url: string, events: WebhookEvent[], created_at: number, deliveries: Delivery[] }} Webhook */
/** A new webhook, with the secret its requests are signed with: shown this once. @typedef {{ id: string, url: string, events: WebhookEvent[], created_at: number, secret: string }} WebhookCreated */
/** @typedef {'business_value' | 'time_criticality' | 'risk_reduction' | 'job_size'} WsjfDimension */
/** @typedef {{ business_value?: number, time_criticality?: number, risk_reduction?: number, job_size?: number }} Wsjf */
/** @typedef {'estimated' | 'acceptance_criteria' | 'dependencies_ready' | 'questions_answered'} AutoCheck */
/** @typedef {{ id: number, text: string, auto?: AutoCheck }} ReadyCriterion */
/** @typedef {{ id?: number, text: string, auto?: AutoCheck }} ReadyCriterionDraft */
/** @typedef {{ by: string | null, at: number }} ReadyOverride */
/** @typedef {{ sprint_days: number, share_percent: number, sessions_per_sprint: number }} RefinementTimebox */
/**
 * @typedef {{ name: string, default_deck: DeckChoice, auto_reveal: boolean, anonymous_reveal?: boolean, suggest_split_at?: number,
 *   definition_of_ready?: ReadyCriterion[], timebox?: RefinementTimebox, consensus_percent?: number }} Settings
 */
/** One of the items a split makes. @typedef {{ title: string, description?: string, acceptance_criteria?: string }} SplitPart */
/** `item_id` names the item whose time budget the timer is. @typedef {{ started_at: number, ends_at: number, item_id?: string }} Timer */
/** @typedef {{ started_at: number }} Session */
/** A deleted item the facilitator can restore. @typedef {{ item_id: string, title: string, deleted_at: number, deleted_by: string | null }} TrashedItem */
/**
 * One change in an item's history (`GET …/items/{id}/history`).
 * @typedef {{ at: number, by: string | null, by_name: string | null, field: string, value: string | null, previous: string | null }} HistoryEntry
 */
/** @typedef {{ item_id: string, title: string, truncated: boolean, entries: HistoryEntry[] }} ItemHistory */
/**
 * @typedef {{ room_id: string, seq: number, settings: Settings, facilitator: string | null,
 *   participants: Participant[], items: Item[], current_item: string | null,
 *   round: Round | null, timer: Timer | null, session?: Session | null, trash?: TrashedItem[],
 *   prevotes?: Prevotes | null, prevote_review?: PrevoteReview | null, sizing?: SizingBoard | null }} Snapshot
 */
/** @typedef {'title' | 'description' | 'acceptance_criteria' | 'notes'} TextField */
/**
 * A decision or a question on an item; a question is open while `answer` is null.
 * @typedef {{ id: number, kind: 'decision' | 'question', text: string, owner: string | null,
 *   answer: string | null, by: string | null, at: number }} Remark
 */

/** The fields written together with text operations (`edit_text`), which count revisions. */
export const TEXT_FIELDS = /** @type {readonly TextField[]} */ (['title', 'description', 'acceptance_criteria', 'notes']);

/**
 * @param {string} field
 * @returns {field is TextField}
 */
export function isTextField(field) {
  return TEXT_FIELDS.includes(/** @type {TextField} */ (field));
}
/** @typedef {{ title: number, description: number, acceptance_criteria: number, notes?: number }} TextRevisions */
/** A text operation: keep n (positive), insert a string, delete n (negative). @typedef {Array<number | string>} TextOp */
/** @typedef {{ type: string, [key: string]: any }} ProtocolEvent */
/** @typedef {{ seq: number, at: number, actor: string | null, event: ProtocolEvent }} EventFrame */
/** @typedef {{ type: string, [key: string]: any }} ServerMessage */
/** @typedef {{ type: string, [key: string]: any }} Command */

/** An item's statuses, in the order they are offered (their names are in the message catalogue). */
export const ITEM_STATUSES = /** @type {readonly ItemStatus[]} */ (['new', 'needs_info', 'needs_splitting', 'ready']);

/** The kinds of deck: the presets, then the team's own. */
export const DECK_KINDS = /** @type {readonly string[]} */ (['fibonacci', 'modified_fibonacci', 't_shirt', 'powers_of_two', 'custom']);

/** The cards of the preset decks, lowest first (`DeckKind::preset_cards`). @type {Record<string, string[]>} */
export const PRESET_CARDS = {
  fibonacci: ['0', '1', '2', '3', '5', '8', '13', '21', '34', '55', '89'],
  modified_fibonacci: ['0', '½', '1', '2', '3', '5', '8', '13', '20', '40', '100'],
  t_shirt: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  powers_of_two: ['1', '2', '4', '8', '16', '32', '64'],
};

/** A custom deck's bounds (`MAX_CUSTOM_CARDS`, `MAX_CARD_CHARS`). */
export const CUSTOM_DECK = { maxCards: 30, cardChars: 8 };

/** The cards that are not estimates: "not sure" and "I need a break". */
export const SPECIAL_CARDS = new Set(['?', '☕']);

/**
 * The ordinary cards of a deck choice (no "?" or "☕").
 * @param {DeckChoice} deck
 * @returns {string[]}
 */
export function deckCards(deck) {
  return deck.kind === 'custom' ? deck.cards ?? [] : PRESET_CARDS[deck.kind] ?? [];
}

/** Criteria a Definition of Ready holds, at most (`MAX_READY_CRITERIA`), and their length. */
export const READY_CRITERIA = { max: 12, chars: 120 };

/** The longest timer the server starts (`MAX_TIMER_SECONDS`). */
export const MAX_TIMER_SECONDS = 4 * 60 * 60;

/**
 * A refinement timebox's bounds (`MAX_SPRINT_DAYS`, `MAX_REFINEMENT_PERCENT`,
 * `MAX_SESSIONS_PER_SPRINT`; each at least 1) and the working day it counts in
 * (`WORKING_HOURS_PER_DAY`).
 */
export const TIMEBOX = { sprint_days: 60, share_percent: 25, sessions_per_sprint: 20, hoursPerDay: 8 };

/** Parts a split makes, at least and at most (`MAX_SPLIT_PARTS`). */
export const SPLIT_PARTS = { min: 2, max: 10 };

/**
 * Whether an item has been split into others (and so left the active backlog).
 * @param {Item} item
 */
export function isSplit(item) {
  return (item.split_into?.length ?? 0) > 0;
}

/** Decisions and questions on one item, at most, and their length (`MAX_REMARKS_PER_ITEM`, `MAX_REMARK_CHARS`). */
export const REMARKS = { max: 50, chars: 500 };

/**
 * Whether a remark is an open question: asked and not answered (the server's `Remark::is_open`).
 * @param {Remark} remark
 */
export function isOpenQuestion(remark) {
  return remark.kind === 'question' && remark.answer === null;
}

/**
 * How many questions on an item are still open.
 * @param {Item} item
 */
export function openQuestions(item) {
  return (item.remarks ?? []).filter(isOpenQuestion).length;
}

/** The trackers, in the order they are offered. */
export const TRACKERS = /** @type {readonly Tracker[]} */ (['jira', 'azure', 'plain']);

/** What a column of an imported file can fill in, in the order offered (`ignored` last). */
export const IMPORT_FIELDS = /** @type {readonly ImportField[]} */ (['key', 'title', 'description', 'acceptance_criteria', 'estimate', 'labels', 'priority', 'depends_on', 'blocks', 'ignored']);

/** The largest CSV file the server reads (`CSV_BODY_LIMIT`), in bytes. */
export const CSV_LIMIT_BYTES = 16 * 1024 * 1024;

/** API tokens a room holds at most, and their names' length (`MAX_API_TOKENS`, `MAX_API_TOKEN_NAME_CHARS`). */
export const API_TOKENS = { max: 20, nameChars: 60 };

/**
 * Webhooks a room holds at most, their URL's length, and the deliveries listed per webhook
 * (`MAX_WEBHOOKS`, `MAX_WEBHOOK_URL_CHARS`, `DELIVERY_LOG_LENGTH`).
 */
export const WEBHOOKS = { max: 5, urlChars: 2000, deliveries: 50 };

/** The events a webhook can subscribe to, in the order offered (`WebhookEvent::SUBSCRIBABLE`). */
export const WEBHOOK_EVENTS = /** @type {readonly WebhookEvent[]} */ (['estimate.accepted', 'item.ready', 'session.ended', 'items.imported']);

/** Other rooms of the team a room's suggestions draw on at most (`MAX_TEAM_ROOMS`). */
export const TEAM_ROOMS = { max: 5 };

/** Server error codes that mean "your identity here is gone": join afresh. */
export const IDENTITY_LOST = new Set(['invalid_token', 'unknown_participant']);
