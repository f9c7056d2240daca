//! The relative sizing board: the team drags items into the deck's columns at the same time;
//! each move is applied in the server's order and told to everyone, so all boards converge.

use readyroom_protocol::limits::MAX_SIZING_ITEMS;
use readyroom_protocol::{
    DeckChoice, ErrorCode, Event, ItemChange, ItemId, ParticipantId, Role, SizingBoard,
    SizingPlacement, is_special,
};

use super::poker::resolve_deck;
use super::{CommandError, Out, Room};

impl Room {
    pub(super) fn open_sizing_board(
        &mut self,
        actor: ParticipantId,
        item_ids: &[ItemId],
        deck: Option<&DeckChoice>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "open the sizing board")?;
        if self.sizing.is_some() {
            return Err(CommandError::invalid(
                "the sizing board is open; accept or close it first",
            ));
        }
        let mut deck = resolve_deck(deck.unwrap_or(&self.settings.default_deck))?;
        // "?" and "☕" are not sizes.
        deck.cards.retain(|card| !is_special(card));
        let placements = self
            .items_to_estimate(
                item_ids,
                (MAX_SIZING_ITEMS, "the sizing board takes", "size its parts"),
            )?
            .into_iter()
            .map(|item_id| SizingPlacement {
                item_id,
                column: None,
                by: None,
            })
            .collect();
        let board = SizingBoard { deck, placements };
        self.sizing = Some(board.clone());
        self.emit(out, Event::SizingOpened { board });
        Ok(())
    }

    pub(super) fn place_on_board(
        &mut self,
        actor: ParticipantId,
        item_id: ItemId,
        column: Option<String>,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        if self.participant(actor)?.view.role != Role::Voter && !self.is_facilitator(actor) {
            return Err(CommandError::forbidden("size items (observers watch)"));
        }
        let board = self.sizing.as_mut().ok_or_else(no_board)?;
        if column
            .as_ref()
            .is_some_and(|card| !board.deck.contains(card))
        {
            return Err(CommandError::invalid("that is not a column of the board"));
        }
        if !board.placements.iter().any(|p| p.item_id == item_id) {
            return Err(CommandError::invalid("that item is not on the board"));
        }
        board.place(item_id, column.clone(), Some(actor));
        self.emit(out, Event::SizingPlaced { item_id, column });
        Ok(())
    }

    pub(super) fn accept_sizing(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "accept the sizes")?;
        let board = self.sizing.take().ok_or_else(no_board)?;
        for placement in board.placements {
            let Some(column) = placement.column else {
                continue;
            };
            let change = ItemChange::Estimate(Some(column));
            if let Some(item) = self.order.get_mut(placement.item_id) {
                if change.apply_to(item) {
                    self.settle_review(placement.item_id);
                    self.emit(
                        out,
                        Event::ItemUpdated {
                            item_id: placement.item_id,
                            change,
                        },
                    );
                }
            }
        }
        self.emit(out, Event::SizingClosed { accepted: true });
        Ok(())
    }

    pub(super) fn close_sizing_board(
        &mut self,
        actor: ParticipantId,
        out: &mut Out,
    ) -> Result<(), CommandError> {
        self.require_facilitator(actor, "close the sizing board")?;
        if self.sizing.take().is_none() {
            return Err(no_board());
        }
        self.emit(out, Event::SizingClosed { accepted: false });
        Ok(())
    }

    pub(super) fn drop_from_board(&mut self, item_id: ItemId) {
        if let Some(board) = &mut self.sizing {
            board.placements.retain(|p| p.item_id != item_id);
        }
    }
}

fn no_board() -> CommandError {
    CommandError::new(ErrorCode::NoSizingBoard, "the sizing board is not open")
}
