//! The room as clients see it: snapshots and the parts events carry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::deck::{Deck, DeckChoice};
use crate::ids::{ItemId, ParticipantId, RoomId, RoundId, Seq, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Votes in rounds and edits items.
    Voter,
    /// Watches; cannot vote or edit.
    Observer,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    #[default]
    New,
    NeedsInfo,
    NeedsSplitting,
    Ready,
}

/// The fields of an item written together, character by character, with `edit_text`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Title,
    Description,
    AcceptanceCriteria,
    Notes,
}

/// How many changes each text field of an item has had: `edit_text` names the revision its
/// operation was made on. Every `text_edited` event, and every `item_updated` event that
/// changes one of these fields, raises that field's revision by one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TextRevisions {
    pub title: u64,
    pub description: u64,
    pub acceptance_criteria: u64,
    #[serde(default)]
    pub notes: u64,
}

impl TextRevisions {
    #[must_use]
    pub fn of(&self, field: TextField) -> u64 {
        match field {
            TextField::Title => self.title,
            TextField::Description => self.description,
            TextField::AcceptanceCriteria => self.acceptance_criteria,
            TextField::Notes => self.notes,
        }
    }

    pub fn of_mut(&mut self, field: TextField) -> &mut u64 {
        match field {
            TextField::Title => &mut self.title,
            TextField::Description => &mut self.description,
            TextField::AcceptanceCriteria => &mut self.acceptance_criteria,
            TextField::Notes => &mut self.notes,
        }
    }
}

/// The fields of an item, as named in `update_item`, `set_editing` and events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemField {
    Title,
    Description,
    AcceptanceCriteria,
    Notes,
    Labels,
    Links,
    Dependencies,
    Estimate,
    Status,
    Wsjf,
    /// Decisions and questions.
    Remarks,
}

impl ItemField {
    /// The text field this is, if it is one (written with `edit_text`).
    #[must_use]
    pub fn as_text(self) -> Option<TextField> {
        match self {
            Self::Title => Some(TextField::Title),
            Self::Description => Some(TextField::Description),
            Self::AcceptanceCriteria => Some(TextField::AcceptanceCriteria),
            Self::Notes => Some(TextField::Notes),
            Self::Labels
            | Self::Links
            | Self::Dependencies
            | Self::Estimate
            | Self::Status
            | Self::Wsjf
            | Self::Remarks => None,
        }
    }
}

impl From<TextField> for ItemField {
    fn from(field: TextField) -> Self {
        match field {
            TextField::Title => Self::Title,
            TextField::Description => Self::Description,
            TextField::AcceptanceCriteria => Self::AcceptanceCriteria,
            TextField::Notes => Self::Notes,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Link {
    /// An absolute `http` or `https` URL.
    pub url: String,
    #[serde(default)]
    pub title: String,
}

/// Which field of which item someone is in, and in a text field where their caret (and
/// selection) is: ephemeral presence, never stored. In a text field, positions count Unicode
/// scalar values in the sender's text of the field, which is the field at `revision` with the
/// sender's own unanswered edits on top; `anchor` is where the selection started and `head`
/// where the caret is (equal without a selection). In other fields all three are 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Caret {
    pub item_id: ItemId,
    pub field: ItemField,
    #[serde(default)]
    pub revision: u64,
    #[serde(default)]
    pub anchor: u64,
    #[serde(default)]
    pub head: u64,
}

/// "This participant is editing that field of that item."
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Editing {
    pub item_id: ItemId,
    pub field: ItemField,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ParticipantView {
    pub id: ParticipantId,
    pub name: String,
    pub role: Role,
    pub online: bool,
    pub editing: Option<Editing>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ItemView {
    pub id: ItemId,
    /// Sort key: items are shown in ascending byte order of their ranks. Opaque to clients.
    pub rank: String,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: String,
    /// What was said about the item, written together like the description.
    #[serde(default)]
    pub notes: String,
    pub labels: Vec<String>,
    pub links: Vec<Link>,
    pub dependencies: Vec<ItemId>,
    pub estimate: Option<String>,
    pub status: ItemStatus,
    /// Revealed rounds of this item, oldest first.
    pub history: Vec<RoundRecord>,
    pub created_at: Timestamp,
    /// The text fields' revisions, for `edit_text`.
    #[serde(default)]
    pub revisions: TextRevisions,
    /// The items this one was split into (`split_item`), in backlog order when split. An item
    /// split is out of the active backlog, kept for reference.
    #[serde(default)]
    pub split_into: Vec<ItemId>,
    /// The item this one was split from.
    #[serde(default)]
    pub split_from: Option<ItemId>,
    /// The criteria of the room's Definition of Ready people have checked for this item (by
    /// id); automatic criteria are never listed, the server checks them.
    #[serde(default)]
    pub checked: Vec<CriterionId>,
    /// Set when the facilitator marked the item ready whatever its checklist says.
    #[serde(default)]
    pub ready_override: Option<ReadyOverride>,
    /// Weighted Shortest Job First: what the item is worth and how big it is. Left out while
    /// nothing of it is given.
    #[serde(default, skip_serializing_if = "Wsjf::is_empty")]
    pub wsjf: Wsjf,
    /// Decisions taken and questions asked about the item, oldest first.
    #[serde(default)]
    pub remarks: Vec<Remark>,
    /// The issue this item was imported from, by which a re-import updates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalRef>,
}

/// An item's issue in the team's tracker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExternalRef {
    pub tracker: Tracker,
    /// The key there: `PROJ-12` in Jira, the work item's id in Azure DevOps.
    pub key: String,
    /// The page, when the import was told the tracker's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The trackers whose CSV files Ready Room reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tracker {
    Jira,
    Azure,
    /// A plain CSV with a `title` column.
    Plain,
}

/// A remark's id; unique in its room, never reused.
pub type RemarkId = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemarkKind {
    Decision,
    /// Open until answered; an open question keeps the item from being ready.
    Question,
}

/// A decision or a question recorded on an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Remark {
    pub id: RemarkId,
    pub kind: RemarkKind,
    pub text: String,
    /// Who follows it up.
    pub owner: Option<ParticipantId>,
    /// A question's answer; `null` while it is open (always for a decision).
    pub answer: Option<String>,
    pub by: Option<ParticipantId>,
    pub at: Timestamp,
}

impl Remark {
    /// An open question: asked and not answered.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.kind == RemarkKind::Question && self.answer.is_none()
    }
}

/// The parts of a Weighted Shortest Job First score, each a whole number from 1 to
/// [`crate::limits::MAX_WSJF_VALUE`] or not given yet. The score is the cost of delay (business
/// value + time criticality + risk reduction or opportunity enablement) over the job size; the
/// job size defaults to the item's estimate when that is a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Wsjf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_value: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_criticality: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_reduction: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_size: Option<u32>,
}

/// One part of a WSJF score, as a poker round can estimate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WsjfDimension {
    BusinessValue,
    TimeCriticality,
    RiskReduction,
    JobSize,
}

impl Wsjf {
    /// Whether no part is given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn slot(&mut self, dimension: WsjfDimension) -> &mut Option<u32> {
        match dimension {
            WsjfDimension::BusinessValue => &mut self.business_value,
            WsjfDimension::TimeCriticality => &mut self.time_criticality,
            WsjfDimension::RiskReduction => &mut self.risk_reduction,
            WsjfDimension::JobSize => &mut self.job_size,
        }
    }
}

/// A criterion's id within its room's Definition of Ready; never reused.
pub type CriterionId = u32;

/// "Ready, whatever the checklist says", and who said so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReadyOverride {
    /// The facilitator who overrode; absent for an item that was ready before its room had a
    /// Definition of Ready (an import, an older room).
    pub by: Option<ParticipantId>,
    pub at: Timestamp,
}

/// What the server checks by itself for a criterion of the Definition of Ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AutoCheck {
    /// The item has an estimate.
    Estimated,
    /// The acceptance criteria are not blank.
    AcceptanceCriteria,
    /// Every item it depends on is ready (an item that was split: when all its parts are).
    DependenciesReady,
    /// None of its questions is open.
    QuestionsAnswered,
}

/// One line of a room's Definition of Ready.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReadyCriterion {
    pub id: CriterionId,
    pub text: String,
    /// Checked by the server from the item itself; absent: checked by people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoCheck>,
}

/// A criterion as `update_settings` names it: an existing one by its id, a new one without.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReadyCriterionDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CriterionId>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoCheck>,
}

/// The criteria of a Definition of Ready that people check (the others the server checks).
pub fn manual_criteria(definition: &[ReadyCriterion]) -> impl Iterator<Item = CriterionId> + '_ {
    definition.iter().filter(|c| c.auto.is_none()).map(|c| c.id)
}

/// The Definition of Ready a room starts with.
#[must_use]
pub fn default_definition_of_ready() -> Vec<ReadyCriterion> {
    [
        ("Clear title and description", None),
        (
            "Acceptance criteria written",
            Some(AutoCheck::AcceptanceCriteria),
        ),
        ("Estimated", Some(AutoCheck::Estimated)),
        (
            "No unfinished dependencies",
            Some(AutoCheck::DependenciesReady),
        ),
        ("Small enough for one sprint", None),
        (
            "Open questions answered",
            Some(AutoCheck::QuestionsAnswered),
        ),
    ]
    .into_iter()
    .zip(1..)
    .map(|((text, auto), id)| ReadyCriterion {
        id,
        text: text.to_owned(),
        auto,
    })
    .collect()
}

impl ItemView {
    /// Whether the item has been split into others, and so left the active backlog.
    #[must_use]
    pub fn is_split(&self) -> bool {
        !self.split_into.is_empty()
    }

    /// Applies an `estimate_accepted` event, as a client does: the estimate, or on a round
    /// that estimated a part of the WSJF score, that part.
    pub fn accept(&mut self, round_id: RoundId, estimate: &str, dimension: Option<WsjfDimension>) {
        match dimension.zip(estimate.parse::<u32>().ok()) {
            Some((dimension, value)) => *self.wsjf.slot(dimension) = Some(value),
            None => self.estimate = Some(estimate.to_owned()),
        }
        if let Some(record) = self
            .history
            .iter_mut()
            .rev()
            .find(|r| r.round_id == round_id)
        {
            record.accepted = Some(estimate.to_owned());
        }
    }

    /// Applies `remark_added` or `remark_changed`, as a client does.
    pub fn put_remark(&mut self, remark: &Remark) {
        match self.remarks.iter_mut().find(|r| r.id == remark.id) {
            Some(slot) => slot.clone_from(remark),
            None => self.remarks.push(remark.clone()),
        }
    }

    /// Applies a `criterion_checked` event, as a client does.
    pub fn set_checked(&mut self, criterion: CriterionId, checked: bool) {
        self.checked.retain(|c| *c != criterion);
        if checked {
            self.checked.push(criterion);
        }
    }

    /// Links this item back to a restored one, as `item_restored` asks: a part to its original,
    /// an original to its part.
    pub fn recall_link(&mut self, restored: &ItemView) {
        if restored.split_into.contains(&self.id) {
            self.split_from = Some(restored.id);
        }
        if restored.split_from == Some(self.id) && !self.split_into.contains(&restored.id) {
            self.split_into.push(restored.id);
        }
    }

    /// Drops this item's links to a deleted item, as `item_deleted` asks.
    pub fn forget_link(&mut self, deleted: ItemId) {
        self.split_into.retain(|part| *part != deleted);
        if self.split_from == Some(deleted) {
            self.split_from = None;
        }
    }

    #[must_use]
    pub fn text(&self, field: TextField) -> &str {
        match field {
            TextField::Title => &self.title,
            TextField::Description => &self.description,
            TextField::AcceptanceCriteria => &self.acceptance_criteria,
            TextField::Notes => &self.notes,
        }
    }

    pub fn text_mut(&mut self, field: TextField) -> &mut String {
        match field {
            TextField::Title => &mut self.title,
            TextField::Description => &mut self.description,
            TextField::AcceptanceCriteria => &mut self.acceptance_criteria,
            TextField::Notes => &mut self.notes,
        }
    }

    /// Applies a `text_edited` event, as a client does.
    ///
    /// # Errors
    /// The operation does not fit the field: this copy has missed something.
    pub fn apply_text_edit(
        &mut self,
        field: TextField,
        revision: u64,
        op: &crate::TextOp,
    ) -> Result<(), crate::TextOpError> {
        let text = op.apply(self.text(field))?;
        *self.text_mut(field) = text;
        *self.revisions.of_mut(field) = revision;
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemRank {
    pub item_id: ItemId,
    pub rank: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomSettings {
    pub name: String,
    /// The deck a round uses when its `start_round` names none.
    pub default_deck: DeckChoice,
    /// Reveal as soon as every online voter has voted.
    pub auto_reveal: bool,
    /// Reveals show the cards played but not who played which (`RoundRecord::anonymous`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous_reveal: bool,
    /// After a reveal whose median vote is at least this, clients offer to split the item (on
    /// a deck of words: when the most played card is its largest); 0 never.
    #[serde(default = "default_split_suggestion")]
    pub suggest_split_at: u32,
    /// What an item needs to be ready, in the order shown.
    #[serde(default = "default_definition_of_ready")]
    pub definition_of_ready: Vec<ReadyCriterion>,
    /// How much time refinement gets, from which each session's budget follows.
    #[serde(default)]
    pub timebox: RefinementTimebox,
    /// Pre-votes whose most played card has at least this share (percent) of the ordinary
    /// votes are offered for accepting in one step (50 to 100).
    #[serde(default = "default_consensus_percent")]
    pub consensus_percent: u32,
}

fn default_consensus_percent() -> u32 {
    crate::DEFAULT_CONSENSUS_PERCENT
}

/// The share of a sprint spent refining (the Scrum Guide's "usually no more than 10%"),
/// spread over the sprint's sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RefinementTimebox {
    /// Working days in a sprint (1 to [`crate::limits::MAX_SPRINT_DAYS`]).
    pub sprint_days: u32,
    /// Percent of the sprint spent refining (1 to [`crate::limits::MAX_REFINEMENT_PERCENT`]).
    pub share_percent: u32,
    /// Refinement sessions per sprint (1 to [`crate::limits::MAX_SESSIONS_PER_SPRINT`]).
    pub sessions_per_sprint: u32,
}

impl Default for RefinementTimebox {
    /// Two weeks, 5%, two sessions: two hours each.
    fn default() -> Self {
        Self {
            sprint_days: 10,
            share_percent: 5,
            sessions_per_sprint: 2,
        }
    }
}

impl RefinementTimebox {
    /// One session's budget, counting [`crate::WORKING_HOURS_PER_DAY`] hours a day.
    #[must_use]
    pub fn session_budget_seconds(&self) -> u64 {
        let sprint_seconds =
            u64::from(self.sprint_days) * u64::from(crate::WORKING_HOURS_PER_DAY) * 3600;
        sprint_seconds * u64::from(self.share_percent)
            / 100
            / u64::from(self.sessions_per_sprint.max(1))
    }
}

/// A refinement session under way: the clock its budget is spent against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Session {
    pub started_at: Timestamp,
}

fn default_split_suggestion() -> u32 {
    crate::DEFAULT_SPLIT_SUGGESTION
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundPhase {
    Voting,
    Revealed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VoteView {
    pub participant_id: ParticipantId,
    pub card: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<crate::Confidence>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CardCount {
    pub card: String,
    pub count: u32,
}

/// The voters whose cards lie furthest apart, by deck order. Absent when all agree, and
/// between two voters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Outliers {
    pub low_card: String,
    pub low: Vec<ParticipantId>,
    pub high_card: String,
    pub high: Vec<ParticipantId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoundStats {
    pub votes: u32,
    /// Count per card played, in deck order.
    pub distribution: Vec<CardCount>,
    /// Over numeric cards only, rounded to two decimals; absent for word decks or when no
    /// numeric card was played.
    pub average: Option<f64>,
    pub median: Option<f64>,
    /// The most played ordinary card: the proposed estimate. Absent on a tie for most played:
    /// the team has not agreed on a card.
    pub mode: Option<String>,
    /// Share (0 to 1) of ordinary votes for the most played card (any of them, on a tie).
    pub agreement: f64,
    /// Every ordinary vote is the same card.
    pub consensus: bool,
    pub outliers: Option<Outliers>,
    /// How sure the voters were, for votes that said (also on an anonymous reveal).
    #[serde(default, skip_serializing_if = "crate::ConfidenceTally::is_empty")]
    pub confidence: crate::ConfidenceTally,
}

/// A revealed round, as kept in its item's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoundRecord {
    pub round_id: RoundId,
    /// 1 for an item's first round, 2 for its first re-vote …
    pub number: u32,
    pub deck: Deck,
    pub votes: Vec<VoteView>,
    pub stats: RoundStats,
    pub revealed_at: Timestamp,
    /// The estimate the facilitator accepted after this round, if any.
    pub accepted: Option<String>,
    /// Revealed without names (the room's `anonymous_reveal`): `votes` is empty and there are
    /// no `outliers`; `stats.distribution` holds the cards.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
    /// The part of the WSJF score this round estimated; absent for the estimate itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<WsjfDimension>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoundView {
    pub id: RoundId,
    pub item_id: ItemId,
    pub number: u32,
    pub deck: Deck,
    pub phase: RoundPhase,
    pub started_at: Timestamp,
    /// Who has voted. Before reveal, this is all anyone learns about other people's votes.
    pub voted: Vec<ParticipantId>,
    /// The receiving participant's own card, if it voted. Never anyone else's.
    pub my_card: Option<String>,
    /// The confidence the receiving participant gave with its card, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_confidence: Option<crate::Confidence>,
    /// A pre-vote round: votes are accepted until then, and it is revealed with the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
    /// Every vote and the statistics; present once revealed.
    pub revealed: Option<RoundRecord>,
    /// The part of the WSJF score this round estimates; absent for the estimate itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<WsjfDimension>,
    /// This round reveals without names (the room's `anonymous_reveal` when it started).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Timer {
    pub started_at: Timestamp,
    pub ends_at: Timestamp,
    /// The item whose time budget this is (started with its round); it stops when the room
    /// moves on to another item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
}

/// The whole room as one participant may see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoomSnapshot {
    pub room_id: RoomId,
    /// The sequence number of the last event included in this snapshot.
    pub seq: Seq,
    pub settings: RoomSettings,
    pub facilitator: Option<ParticipantId>,
    pub participants: Vec<ParticipantView>,
    /// In rank order.
    pub items: Vec<ItemView>,
    /// The item the facilitator is leading everyone to.
    pub current_item: Option<ItemId>,
    pub round: Option<RoundView>,
    pub timer: Option<Timer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Deleted items the facilitator can restore, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trash: Vec<TrashedItem>,
    /// Pre-votes open for voting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevotes: Option<crate::Prevotes>,
    /// Revealed pre-votes still to be settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevote_review: Option<crate::PrevoteReview>,
    /// The relative sizing board, while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizing: Option<crate::SizingBoard>,
}

/// A deleted item, as the trash lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrashedItem {
    pub item_id: ItemId,
    pub title: String,
    pub deleted_at: Timestamp,
    pub deleted_by: Option<ParticipantId>,
}

impl RoomSnapshot {
    /// Applies an `item_split` event, as a client does: the original's `split_into`, then the
    /// parts (`items` is then out of rank order until sorted).
    pub fn apply_item_split(&mut self, item_id: ItemId, parts: &[ItemView]) {
        if let Some(original) = self.items.iter_mut().find(|item| item.id == item_id) {
            original.split_into = parts.iter().map(|part| part.id).collect();
        }
        self.items.extend(parts.iter().cloned());
        self.drop_from_estimation(item_id);
    }

    /// An item that left the backlog (deleted or split) leaves the open pre-votes, the
    /// pre-vote review and the sizing board, as on the server.
    pub fn drop_from_estimation(&mut self, item_id: ItemId) {
        if let Some(prevotes) = &mut self.prevotes {
            prevotes.rounds.retain(|round| round.item_id != item_id);
            if prevotes.rounds.is_empty() {
                self.prevotes = None;
            }
        }
        self.settle_review(item_id);
        if let Some(board) = &mut self.sizing {
            board.placements.retain(|p| p.item_id != item_id);
        }
    }

    /// The item's estimate was accepted: it leaves the pre-vote review, which closes once
    /// empty.
    pub fn settle_review(&mut self, item_id: ItemId) {
        if let Some(review) = &mut self.prevote_review {
            review.results.retain(|result| result.item_id != item_id);
            if review.results.is_empty() {
                self.prevote_review = None;
            }
        }
    }

    /// Applies a `settings_changed` event, as a client does: checks of criteria no longer
    /// checked by people go.
    pub fn apply_settings(&mut self, settings: RoomSettings) {
        let manual: Vec<CriterionId> = manual_criteria(&settings.definition_of_ready).collect();
        for item in &mut self.items {
            item.checked.retain(|c| manual.contains(c));
        }
        self.settings = settings;
    }

    /// Applies an `item_deleted` event (its frame's `at` and `actor`), as a client does: the
    /// item goes to the trash.
    pub fn apply_item_deleted(
        &mut self,
        item_id: ItemId,
        at: Timestamp,
        by: Option<ParticipantId>,
    ) {
        if let Some(gone) = self.items.iter().find(|item| item.id == item_id) {
            self.trash.push(TrashedItem {
                item_id,
                title: gone.title.clone(),
                deleted_at: at,
                deleted_by: by,
            });
        }
        self.items.retain(|item| item.id != item_id);
        for item in &mut self.items {
            item.forget_link(item_id);
        }
        self.drop_from_estimation(item_id);
    }

    /// Applies an `item_restored` event, as a client does: the item leaves the trash and its
    /// split links are mended on both sides (`items` is then out of rank order until sorted).
    pub fn apply_item_restored(&mut self, restored: &ItemView) {
        self.trash.retain(|trashed| trashed.item_id != restored.id);
        for item in &mut self.items {
            item.recall_link(restored);
        }
        self.items.push(restored.clone());
    }

    /// Applies a `trash_purged` event, as a client does.
    pub fn apply_trash_purged(&mut self, item_ids: &[ItemId]) {
        self.trash
            .retain(|trashed| !item_ids.contains(&trashed.item_id));
    }
}
