//! Who may see an item's estimate suggestion, and from which history. To keep it from
//! anchoring the team, a voter sees it only once the item's votes have been revealed; the
//! facilitator may look before. It is made from accepted estimates only, so it never reveals a
//! vote.

use std::collections::HashMap;

use readyroom_protocol::{Deck, ErrorCode, ItemId, ItemView, RoomRef};

use super::api::{Access, Need};
use super::{CommandError, Room, poker};

/// What a suggestion is worked out from, taken out of the room so that the work is done off
/// the room's task: the item, the items with estimates, and the deck.
#[derive(Debug)]
pub struct SuggestionInputs {
    pub target: ItemView,
    pub history: Vec<ItemView>,
    pub deck: Deck,
    /// Which room each item of `history` from a team room comes from.
    pub from_rooms: HashMap<ItemId, RoomRef>,
    /// The team rooms to draw on, each with the digest that must still open it (the shell
    /// reads them, each in its own task, and adds their items with [`Self::add_team_room`]).
    pub team_rooms: Vec<(RoomRef, String)>,
}

impl SuggestionInputs {
    /// Adds a team room's estimated items to the history.
    pub fn add_team_room(&mut self, room: &RoomRef, items: Vec<ItemView>) {
        // A room made from another's export has the same item ids: such an item counts once,
        // as this room's.
        let known: std::collections::HashSet<ItemId> = self
            .history
            .iter()
            .map(|item| item.id)
            .chain([self.target.id])
            .collect();
        for item in items.into_iter().filter(|item| !known.contains(&item.id)) {
            self.from_rooms.insert(item.id, room.clone());
            self.history.push(item);
        }
    }

    #[must_use]
    pub fn suggest(&self) -> readyroom_protocol::EstimateSuggestion {
        let history: Vec<&ItemView> = self.history.iter().collect();
        let mut suggestion = crate::suggest::suggest(&self.target, &history, &self.deck);
        for reference in &mut suggestion.references {
            reference.room = self.from_rooms.get(&reference.item_id).cloned();
        }
        suggestion
    }
}

impl Room {
    /// What the suggestion for `item_id` is made from, for the holder of `token`.
    ///
    /// # Errors
    /// `invalid_token` for a token that is not this room's, `unknown_item`, and `forbidden` for
    /// a participant before the item's votes have been revealed.
    pub fn suggestion_inputs(
        &self,
        item_id: ItemId,
        token: &str,
    ) -> Result<SuggestionInputs, CommandError> {
        let access = self.require(token, Need::Member)?;
        let target = self.item(item_id)?;
        let revealed = !target.history.is_empty()
            || self
                .round
                .as_ref()
                .is_some_and(|round| round.item_id == item_id && round.revealed.is_some());
        if !revealed && access != Access::Facilitator {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "the suggestion shows once the item's votes are revealed, so that it does not \
                 sway them",
            ));
        }
        // The deck the item is (or would be) estimated with.
        let deck = match self.round.as_ref().filter(|round| round.item_id == item_id) {
            Some(round) => round.deck.clone(),
            None => poker::resolve_deck(&self.settings.default_deck)?,
        };
        Ok(SuggestionInputs {
            target: target.clone(),
            history: self.estimated_items(Some(item_id)),
            deck,
            from_rooms: HashMap::new(),
            team_rooms: self.team_room_links(),
        })
    }
}
