// Pre-votes, their review and the relative sizing board, as the room's snapshot holds them:
// applying their events (the same rules as the server's) and what the views ask about them.
// No DOM here.

/** @typedef {import('./protocol.js').Confidence} Confidence */
/** @typedef {import('./protocol.js').ConfidenceTally} ConfidenceTally */
/** @typedef {import('./protocol.js').Round} PrevoteRound */
/** @typedef {import('./protocol.js').Prevotes} Prevotes */
/** @typedef {import('./protocol.js').PrevoteResult} PrevoteResult */
/** @typedef {import('./protocol.js').PrevoteReview} PrevoteReview */
/** @typedef {import('./protocol.js').Placement} Placement */
/** @typedef {import('./protocol.js').SizingBoard} SizingBoard */
/** @typedef {import('./protocol.js').Snapshot} EstimationSnapshot */

export const CONFIDENCES = /** @type {const} */ (['low', 'medium', 'high']);

/**
 * The live round or the open pre-vote round with this id.
 * @param {EstimationSnapshot} room
 * @param {string} roundId
 * @returns {PrevoteRound | null}
 */
export function roundById(room, roundId) {
  if (room.round?.id === roundId) return room.round;
  return room.prevotes?.rounds.find((round) => round.id === roundId) ?? null;
}

/**
 * The open pre-vote round on an item, if there is one.
 * @param {EstimationSnapshot | null} room
 * @param {string | null} itemId
 */
export function prevoteOn(room, itemId) {
  return room?.prevotes?.rounds.find((round) => round.item_id === itemId) ?? null;
}

/**
 * Applies one of this module's events to the snapshot. Returns whether it was one of them.
 * @param {EstimationSnapshot} room
 * @param {import('./protocol.js').ProtocolEvent} e
 * @param {import('./protocol.js').EventFrame} frame
 * @param {(itemId: string, record: import('./protocol.js').RoundRecord) => void} keepInHistory
 */
export function applyEstimationEvent(room, e, frame, keepInHistory) {
  switch (e.type) {
    case 'prevotes_opened':
      room.prevotes = e.prevotes;
      return true;
    case 'prevotes_cancelled':
      room.prevotes = null;
      return true;
    case 'prevotes_revealed':
      room.prevotes = null;
      for (const result of e.review.results) keepInHistory(result.item_id, result.record);
      room.prevote_review = e.review;
      return true;
    case 'prevote_review_dismissed':
      room.prevote_review = null;
      return true;
    case 'sizing_opened':
      room.sizing = e.board;
      return true;
    case 'sizing_placed':
      if (room.sizing) placeOnBoard(room.sizing, e.item_id, e.column ?? null, frame.actor);
      return true;
    case 'sizing_closed':
      room.sizing = null;
      return true;
    default:
      return false;
  }
}

/**
 * Moves an item to the end of a column (null: unsized), as the server does.
 * @param {SizingBoard} board
 * @param {string} itemId
 * @param {string | null} column
 * @param {string | null} by
 */
export function placeOnBoard(board, itemId, column, by) {
  const at = board.placements.findIndex((p) => p.item_id === itemId);
  if (at < 0) return;
  board.placements.splice(at, 1);
  board.placements.push({ item_id: itemId, column, by });
}

/**
 * An item left the backlog (deleted or split): it leaves the pre-votes, the review and the
 * board, as on the server.
 * @param {EstimationSnapshot} room
 * @param {string} itemId
 */
export function dropFromEstimation(room, itemId) {
  if (room.prevotes) {
    room.prevotes.rounds = room.prevotes.rounds.filter((round) => round.item_id !== itemId);
    if (room.prevotes.rounds.length === 0) room.prevotes = null;
  }
  settleReview(room, itemId);
  if (room.sizing) room.sizing.placements = room.sizing.placements.filter((p) => p.item_id !== itemId);
}

/**
 * The item's estimate was accepted: it leaves the review, which closes once empty.
 * @param {EstimationSnapshot} room
 * @param {string} itemId
 */
export function settleReview(room, itemId) {
  if (!room.prevote_review) return;
  room.prevote_review.results = room.prevote_review.results.filter((result) => result.item_id !== itemId);
  if (room.prevote_review.results.length === 0) room.prevote_review = null;
}

/**
 * @param {Prevotes} prevotes
 * @param {number} now
 */
export function isClosed(prevotes, now) {
  return now > prevotes.closes_at;
}

/**
 * How far along this voter is.
 * @param {Prevotes} prevotes
 */
export function myProgress(prevotes) {
  const voted = prevotes.rounds.filter((round) => round.my_card != null).length;
  return { voted, total: prevotes.rounds.length };
}

/**
 * The round this voter should look at next: the one on the item they have open, else the first
 * they have not voted on.
 * @param {Prevotes} prevotes
 * @param {string | null} selected
 */
export function activePrevote(prevotes, selected) {
  return prevotes.rounds.find((round) => round.item_id === selected) ?? prevotes.rounds.find((round) => round.my_card == null) ?? null;
}

/**
 * A pre-vote deadline to suggest: the next working day at 9:00, local time.
 * @param {Date} now
 */
export function defaultDeadline(now) {
  const next = new Date(now);
  next.setDate(next.getDate() + 1);
  while (next.getDay() === 0 || next.getDay() === 6) next.setDate(next.getDate() + 1);
  next.setHours(9, 0, 0, 0);
  return next;
}

/**
 * A local time as an `<input type="datetime-local">` value ("2026-12-01T09:00").
 * @param {Date} at
 */
export function toLocalInput(at) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * The review split as the meeting works through it.
 * @param {PrevoteReview} review
 */
export function reviewGroups(review) {
  return {
    agreed: review.results.filter((result) => result.consensus),
    discuss: review.results.filter((result) => !result.consensus),
  };
}

/**
 * The lowest and highest ordinary cards played, in deck order.
 * @param {import('./protocol.js').RoundRecord} record
 * @param {(card: string) => boolean} isSpecial
 */
export function range(record, isSpecial) {
  const played = record.stats.distribution.filter((count) => !isSpecial(count.card)).map((count) => count.card);
  return played.length === 0 ? null : { low: played[0], high: played[played.length - 1] };
}

/**
 * The board's columns in deck order, each with its items (in the order they were placed), and
 * the unsized items first.
 * @param {SizingBoard} board
 */
export function boardColumns(board) {
  /** @type {Array<{ column: string | null, items: Placement[] }>} */
  const columns = [{ column: null, items: [] }, ...board.deck.cards.map((card) => ({ column: /** @type {string | null} */ (card), items: /** @type {Placement[]} */ ([]) }))];
  for (const placement of board.placements) {
    const target = columns.find((c) => c.column === (placement.column ?? null)) ?? columns[0];
    target.items.push(placement);
  }
  return columns;
}

/**
 * The column next to an item's, for moving it with the arrow keys (null: unsized).
 * @param {SizingBoard} board
 * @param {string | null} column
 * @param {-1 | 1} step
 * @returns {string | null | undefined} undefined when there is nowhere to go
 */
export function neighbourColumn(board, column, step) {
  const order = [null, ...board.deck.cards];
  const at = order.indexOf(column);
  const next = at + step;
  return next < 0 || next >= order.length ? undefined : order[next];
}

/**
 * Items the facilitator may put up for pre-votes or sizing: not split, not estimated first.
 * @param {import('./protocol.js').Item[]} ordered items in backlog order
 * @param {(item: import('./protocol.js').Item) => boolean} isSplit
 */
export function candidates(ordered, isSplit) {
  const open = ordered.filter((item) => !isSplit(item));
  return { unestimated: open.filter((item) => item.estimate == null), estimated: open.filter((item) => item.estimate != null) };
}
