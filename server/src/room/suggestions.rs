//! Who may see an item's estimate suggestion, and from which history. To keep it from
//! anchoring the team, a voter sees it only once the item's votes have been revealed; the
//! facilitator may look before. It is made from accepted estimates only, so it never reveals a
//! vote.

use readyroom_protocol::{Deck, ErrorCode, ItemId, ItemView};

use super::api::{Access, Need};
use super::{CommandError, Room, poker};

/// What a suggestion is worked out from, taken out of the room so that the work is done off
/// the room's task: the item, the items with estimates, and the deck.
#[derive(Debug)]
pub struct SuggestionInputs {
    pub target: ItemView,
    pub history: Vec<ItemView>,
    pub deck: Deck,
}

impl SuggestionInputs {
    #[must_use]
    pub fn suggest(&self) -> readyroom_protocol::EstimateSuggestion {
        let history: Vec<&ItemView> = self.history.iter().collect();
        crate::suggest::suggest(&self.target, &history, &self.deck)
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
        let history: Vec<ItemView> = self
            .order
            .ids()
            .filter_map(|id| self.order.get(id))
            .filter(|item| {
                item.estimate.is_some() && item.split_into.is_empty() && item.id != item_id
            })
            .cloned()
            .collect();
        Ok(SuggestionInputs {
            target: target.clone(),
            history,
            deck,
        })
    }
}
