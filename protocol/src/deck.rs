use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The "I don't know" card.
pub const UNSURE_CARD: &str = "?";
/// The "I need a break" card.
pub const COFFEE_CARD: &str = "☕";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeckKind {
    Fibonacci,
    ModifiedFibonacci,
    TShirt,
    PowersOfTwo,
    Custom,
}

impl DeckKind {
    /// The cards of a preset deck, lowest first, without the special cards. Empty for
    /// [`DeckKind::Custom`], whose cards come with the choice.
    #[must_use]
    pub fn preset_cards(self) -> &'static [&'static str] {
        match self {
            Self::Fibonacci => &["0", "1", "2", "3", "5", "8", "13", "21", "34", "55", "89"],
            Self::ModifiedFibonacci => {
                &["0", "½", "1", "2", "3", "5", "8", "13", "20", "40", "100"]
            }
            Self::TShirt => &["XS", "S", "M", "L", "XL", "XXL"],
            Self::PowersOfTwo => &["1", "2", "4", "8", "16", "32", "64"],
            Self::Custom => &[],
        }
    }
}

/// What a facilitator asks for: a preset or custom list of cards, plus the special cards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeckChoice {
    pub kind: DeckKind,
    /// The cards of a custom deck, lowest first. Ignored (and may be omitted) for presets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<String>,
    /// Include the "?" card.
    #[serde(default = "yes")]
    pub unsure: bool,
    /// Include the "☕" card.
    #[serde(default = "yes")]
    pub coffee: bool,
}

fn yes() -> bool {
    true
}

impl Default for DeckChoice {
    fn default() -> Self {
        Self {
            kind: DeckKind::Fibonacci,
            cards: Vec::new(),
            unsure: true,
            coffee: true,
        }
    }
}

/// A deck as used in a round: every card a voter may play, in order, special cards last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Deck {
    pub kind: DeckKind,
    pub cards: Vec<String>,
}

impl Deck {
    #[must_use]
    pub fn contains(&self, card: &str) -> bool {
        self.cards.iter().any(|c| c == card)
    }

    /// Position of a card in the deck; the order the statistics use for "lowest" and "highest".
    #[must_use]
    pub fn position(&self, card: &str) -> Option<usize> {
        self.cards.iter().position(|c| c == card)
    }

    /// Whether average and median mean something: every ordinary card has a numeric value.
    #[must_use]
    pub fn is_numeric(&self) -> bool {
        self.cards
            .iter()
            .filter(|c| !is_special(c))
            .all(|c| card_value(c).is_some())
    }
}

/// Whether a card is one of the special cards, which never count towards statistics.
#[must_use]
pub fn is_special(card: &str) -> bool {
    card == UNSURE_CARD || card == COFFEE_CARD
}

/// The numeric value of a card: its label read as a decimal number, with "½" as 0.5.
/// Special and word cards (T-shirt sizes) have none.
#[must_use]
pub fn card_value(card: &str) -> Option<f64> {
    if card == "½" {
        return Some(0.5);
    }
    card.parse::<f64>().ok().filter(|v| v.is_finite())
}
