//! The room's HTTP API: tokens the facilitator issues (kept as digests, like every token), who
//! a presented token is, and the changes a token with write access may make (items created and
//! edited as an editor would, with no participant as the actor).

use readyroom_protocol::limits::{MAX_API_TOKEN_NAME_CHARS, MAX_API_TOKENS};
use readyroom_protocol::{
    ApiScope, ApiTokenView, ErrorCode, EventFrame, ItemChange, ItemId, NewItem, WebhookEvent,
    WebhookView,
};
use serde::{Deserialize, Serialize};

use super::{CommandError, Ctx, Out, Room, random_id_bytes, tokens, validate};

/// A token as the room keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiToken {
    pub view: ApiTokenView,
    /// `tokens::shield` of the secret.
    pub digest: String,
}

/// Who a presented token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Facilitator,
    Participant,
    Api(ApiScope),
}

/// What a request needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Anyone in the room, or any API token: the summary, insights, histories.
    Member,
    /// The facilitator or any API token: exports, the backlog over the API.
    Read,
    /// The facilitator or an API token with write access: imports, creating and editing items.
    Write,
    /// The facilitator alone: issuing and revoking API tokens, webhooks.
    Facilitator,
}

/// A change an API token with write access asks for; logged as an input of its own.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiChange {
    CreateToken {
        name: String,
        scope: ApiScope,
        /// The digest of the secret, minted by the shell.
        digest: String,
    },
    RevokeToken {
        id: uuid::Uuid,
    },
    CreateItem {
        item: NewItem,
    },
    UpdateItem {
        item_id: ItemId,
        change: ItemChange,
    },
    CreateWebhook {
        url: String,
        events: Vec<WebhookEvent>,
        /// Minted by the shell.
        secret: super::webhooks::SigningSecret,
    },
    DeleteWebhook {
        id: uuid::Uuid,
    },
    /// The other room was checked by the shell: `digest` opens it.
    LinkTeamRoom {
        room: readyroom_protocol::RoomRef,
        digest: String,
    },
    UnlinkTeamRoom {
        room_id: readyroom_protocol::RoomId,
    },
}

/// What an API change gave.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiOutcome {
    Token(ApiTokenView),
    Revoked,
    Item(ItemId),
    Webhook(WebhookView),
    TeamRoom(readyroom_protocol::TeamRoomView),
}

impl Room {
    /// Who `token` is in this room, if anyone.
    #[must_use]
    pub fn access(&self, token: &str) -> Option<Access> {
        if self.is_facilitator_token(token) {
            return Some(Access::Facilitator);
        }
        let digest = tokens::shield(token);
        if self.tokens.contains_key(&digest) {
            return Some(Access::Participant);
        }
        // Every stored digest is compared, so the time taken says nothing about which matched.
        self.api_tokens
            .iter()
            .filter(|stored| tokens::matches(&digest, &stored.digest))
            .map(|stored| Access::Api(stored.view.scope))
            .next_back()
    }

    /// `token`'s access if it allows `need`.
    ///
    /// # Errors
    /// `invalid_token` for a token that is not this room's or does not allow it.
    pub fn require(&self, token: &str, need: Need) -> Result<Access, CommandError> {
        let access = self.access(token);
        let allowed = matches!(
            (need, access),
            (_, Some(Access::Facilitator))
                | (Need::Member, Some(_))
                | (Need::Read | Need::Write, Some(Access::Api(ApiScope::Write)))
                | (Need::Read, Some(Access::Api(ApiScope::Read)))
        );
        match access {
            Some(access) if allowed => Ok(access),
            Some(_) => Err(CommandError::new(
                ErrorCode::InvalidToken,
                match need {
                    Need::Facilitator => "this needs the facilitator token",
                    Need::Write => {
                        "this needs the facilitator token or an API token that may write"
                    }
                    Need::Read | Need::Member => "this needs the facilitator token or an API token",
                },
            )),
            None => Err(CommandError::new(
                ErrorCode::InvalidToken,
                "send a token of this room as `Authorization: Bearer <token>`",
            )),
        }
    }

    /// The room's API tokens, for the facilitator.
    ///
    /// # Errors
    /// `invalid_token` for any other token.
    pub fn api_tokens(&self, token: &str) -> Result<Vec<ApiTokenView>, CommandError> {
        self.require(token, Need::Facilitator)?;
        Ok(self.api_tokens.iter().map(|t| t.view.clone()).collect())
    }

    /// The backlog in order, for the facilitator or an API token.
    ///
    /// # Errors
    /// `invalid_token` for any other token.
    pub fn items_for(
        &self,
        token: &str,
    ) -> Result<Vec<readyroom_protocol::ItemView>, CommandError> {
        self.require(token, Need::Read)?;
        Ok(self.order.views())
    }

    /// The round under way as nobody in particular sees it (who has voted, never a card before
    /// the reveal), and every item's revealed rounds, for the facilitator or an API token.
    ///
    /// # Errors
    /// `invalid_token` for any other token.
    pub fn rounds_for(&self, token: &str) -> Result<RoundsView, CommandError> {
        self.require(token, Need::Read)?;
        let snapshot = self.snapshot_for(readyroom_protocol::ParticipantId(uuid::Uuid::nil()));
        Ok(RoundsView {
            current: snapshot.round,
            items: snapshot
                .items
                .into_iter()
                .filter(|item| !item.history.is_empty())
                .map(|item| ItemRounds {
                    item_id: item.id,
                    title: item.title,
                    estimate: item.estimate,
                    rounds: item.history,
                })
                .collect(),
        })
    }

    /// Applies a change made over the API (the token was checked by the shell).
    pub fn apply_api(
        &mut self,
        ctx: &mut Ctx<'_>,
        change: &ApiChange,
    ) -> (Result<ApiOutcome, CommandError>, Vec<EventFrame>) {
        let mut out = Out::new(ctx.now, None);
        let result = match change {
            ApiChange::CreateToken {
                name,
                scope,
                digest,
            } => self.create_api_token(ctx, name, *scope, digest),
            ApiChange::RevokeToken { id } => {
                let before = self.api_tokens.len();
                self.api_tokens.retain(|t| t.view.id != *id);
                if self.api_tokens.len() == before {
                    Err(CommandError::invalid("no API token with that id"))
                } else {
                    Ok(ApiOutcome::Revoked)
                }
            }
            ApiChange::CreateItem { item } => self
                .add_item(ctx, item.clone(), &mut out)
                .map(ApiOutcome::Item),
            ApiChange::UpdateItem { item_id, change } => self
                .change_item(*item_id, change.clone(), &mut out)
                .map(|()| ApiOutcome::Item(*item_id)),
            ApiChange::CreateWebhook {
                url,
                events,
                secret,
            } => self.create_webhook(ctx, url, events, secret),
            ApiChange::DeleteWebhook { id } => self.delete_webhook(*id),
            ApiChange::LinkTeamRoom { room, digest } => self.link_team_room(ctx, room, digest),
            ApiChange::UnlinkTeamRoom { room_id } => self.unlink_team_room(*room_id),
        };
        if result.is_ok() {
            let touched = std::mem::take(&mut out.touched);
            self.settle_readiness(&touched, &mut out);
        }
        (result, out.events)
    }

    fn create_api_token(
        &mut self,
        ctx: &mut Ctx<'_>,
        name: &str,
        scope: ApiScope,
        digest: &str,
    ) -> Result<ApiOutcome, CommandError> {
        if self.api_tokens.len() >= MAX_API_TOKENS {
            return Err(CommandError::invalid(format!(
                "a room has at most {MAX_API_TOKENS} API tokens; revoke one first"
            )));
        }
        let view = ApiTokenView {
            id: uuid::Uuid::from_bytes(random_id_bytes(ctx.rng)),
            name: validate::line("the token's name", name, MAX_API_TOKEN_NAME_CHARS)?,
            scope,
            created_at: ctx.now,
        };
        self.api_tokens.push(ApiToken {
            view: view.clone(),
            digest: tokens::digest(digest),
        });
        Ok(ApiOutcome::Token(view))
    }
}

/// `GET /api/rooms/{room_id}/rounds`.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RoundsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<readyroom_protocol::RoundView>,
    pub items: Vec<ItemRounds>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ItemRounds {
    pub item_id: ItemId,
    pub title: String,
    pub estimate: Option<String>,
    pub rounds: Vec<readyroom_protocol::RoundRecord>,
}
