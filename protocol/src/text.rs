//! Text operations for writing one long-text field together, in the way of ot.js and ShareDB's
//! text type: an operation walks the field's old text from start to end, keeping, inserting and
//! deleting, and the server orders concurrent operations by transforming each over the ones
//! applied since the revision it was made on.
//!
//! Every length and position counts **Unicode scalar values** (Rust `char`s; in JavaScript,
//! `Array.from(text)`), never bytes or UTF-16 units: an emoji is one, as is each combining
//! mark.
//!
//! On the wire an operation is a JSON array: a positive integer keeps that many characters, a
//! string inserts itself, a negative integer deletes that many: `[5, "abc", -3]` keeps 5,
//! inserts "abc", deletes 3 and keeps the rest (an operation must cover the whole old text:
//! trailing keeps may not be left out).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One step of a [`TextOp`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextComponent {
    /// Keep this many characters.
    Retain(u64),
    Insert(String),
    /// Delete this many characters.
    Delete(u64),
}

/// A change to one text, in canonical form: no empty steps, no two neighbours of one kind, an
/// insert never right after a delete (it goes before it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextOp {
    components: Vec<TextComponent>,
}

/// Why an operation cannot be applied, composed or transformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextOpError {
    /// The operation covers a text of another length than the one it meets.
    LengthMismatch { expected: u64, found: u64 },
}

impl std::fmt::Display for TextOpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LengthMismatch { expected, found } => write!(
                f,
                "the operation covers {expected} characters but the text has {found}"
            ),
        }
    }
}

impl std::error::Error for TextOpError {}

fn chars(text: &str) -> u64 {
    u64::try_from(text.chars().count()).unwrap_or(u64::MAX)
}

impl TextOp {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn components(&self) -> &[TextComponent] {
        &self.components
    }

    /// Adds a step keeping `n` characters.
    #[must_use]
    pub fn retain(mut self, n: u64) -> Self {
        if n == 0 {
            return self;
        }
        if let Some(TextComponent::Retain(last)) = self.components.last_mut() {
            *last = last.saturating_add(n);
        } else {
            self.components.push(TextComponent::Retain(n));
        }
        self
    }

    /// Adds a step inserting `text`.
    #[must_use]
    pub fn insert(mut self, text: &str) -> Self {
        if text.is_empty() {
            return self;
        }
        let len = self.components.len();
        match self.components.as_mut_slice() {
            [.., TextComponent::Insert(last)] => last.push_str(text),
            // Insert before a trailing delete: both orders mean the same, one is canonical.
            [.., TextComponent::Insert(before), TextComponent::Delete(_)] => before.push_str(text),
            [.., TextComponent::Delete(_)] => {
                self.components
                    .insert(len - 1, TextComponent::Insert(text.to_owned()));
            }
            _ => self.components.push(TextComponent::Insert(text.to_owned())),
        }
        self
    }

    /// Adds a step deleting `n` characters.
    #[must_use]
    pub fn delete(mut self, n: u64) -> Self {
        if n == 0 {
            return self;
        }
        if let Some(TextComponent::Delete(last)) = self.components.last_mut() {
            *last = last.saturating_add(n);
        } else {
            self.components.push(TextComponent::Delete(n));
        }
        self
    }

    /// The operation that replaces all of `old` by `new`.
    #[must_use]
    pub fn replace(old: &str, new: &str) -> Self {
        Self::new().insert(new).delete(chars(old))
    }

    /// Whether it changes nothing.
    #[must_use]
    pub fn is_noop(&self) -> bool {
        self.components
            .iter()
            .all(|c| matches!(c, TextComponent::Retain(_)))
    }

    /// The length of the text it applies to.
    #[must_use]
    pub fn base_len(&self) -> u64 {
        self.components
            .iter()
            .map(|c| match c {
                TextComponent::Retain(n) | TextComponent::Delete(n) => *n,
                TextComponent::Insert(_) => 0,
            })
            .fold(0, u64::saturating_add)
    }

    /// The length of the text it makes.
    #[must_use]
    pub fn target_len(&self) -> u64 {
        self.components
            .iter()
            .map(|c| match c {
                TextComponent::Retain(n) => *n,
                TextComponent::Insert(text) => chars(text),
                TextComponent::Delete(_) => 0,
            })
            .fold(0, u64::saturating_add)
    }

    /// The text after this operation.
    ///
    /// # Errors
    /// The operation was made for a text of another length.
    pub fn apply(&self, text: &str) -> Result<String, TextOpError> {
        let found = chars(text);
        if self.base_len() != found {
            return Err(TextOpError::LengthMismatch {
                expected: self.base_len(),
                found,
            });
        }
        // Slices copied whole: pushing a long retained run char by char was the server's
        // busiest function of its own in the meeting (perf, 3,000-character descriptions).
        let mut rest = text;
        let mut new = String::with_capacity(text.len());
        for component in &self.components {
            match component {
                TextComponent::Retain(n) => {
                    let (kept, after) = split_after_chars(rest, *n);
                    new.push_str(kept);
                    rest = after;
                }
                TextComponent::Insert(inserted) => new.push_str(inserted),
                TextComponent::Delete(n) => rest = split_after_chars(rest, *n).1,
            }
        }
        Ok(new)
    }

    /// The operation that undoes this one on the text `base` it was applied to.
    #[must_use]
    pub fn invert(&self, base: &str) -> Self {
        let mut old = base.chars();
        let mut inverse = Self::new();
        for component in &self.components {
            match component {
                TextComponent::Retain(n) => {
                    old.by_ref().take(to_usize(*n)).for_each(drop);
                    inverse = inverse.retain(*n);
                }
                TextComponent::Insert(text) => inverse = inverse.delete(chars(text)),
                TextComponent::Delete(n) => {
                    let deleted: String = old.by_ref().take(to_usize(*n)).collect();
                    inverse = inverse.insert(&deleted);
                }
            }
        }
        inverse
    }

    /// One operation with the effect of this one followed by `next`.
    ///
    /// # Errors
    /// `next` was not made for the text this one makes.
    pub fn compose(&self, next: &Self) -> Result<Self, TextOpError> {
        if self.target_len() != next.base_len() {
            return Err(TextOpError::LengthMismatch {
                expected: next.base_len(),
                found: self.target_len(),
            });
        }
        let mut out = Self::new();
        let mut first = Steps::new(&self.components);
        let mut second = Steps::new(&next.components);
        loop {
            match (first.peek(), second.peek()) {
                (Some(Step::Delete(n)), _) => {
                    out = out.delete(n);
                    first.take(n);
                }
                (_, Some(Step::Insert(text))) => {
                    out = out.insert(&text);
                    second.take(chars(&text));
                }
                (Some(a), Some(b)) => {
                    let n = a.len().min(b.len());
                    match (a, b) {
                        (Step::Retain(_), Step::Retain(_)) => out = out.retain(n),
                        (Step::Insert(text), Step::Retain(_)) => {
                            out = out.insert(&prefix(&text, n));
                        }
                        (Step::Retain(_), Step::Delete(_)) => out = out.delete(n),
                        // An insert deleted right away leaves nothing.
                        _ => {}
                    }
                    first.take(n);
                    second.take(n);
                }
                // Lengths were checked, so both run out together.
                (None, _) | (_, None) => return Ok(out),
            }
        }
    }

    /// Transforms two operations made on the same text so that each can follow the other:
    /// returns `(a', b')` with `a ∘ b' = b ∘ a'`. Where both insert at the same place, `a`'s
    /// text comes first.
    ///
    /// # Errors
    /// The two were not made for texts of the same length.
    pub fn transform(a: &Self, b: &Self) -> Result<(Self, Self), TextOpError> {
        if a.base_len() != b.base_len() {
            return Err(TextOpError::LengthMismatch {
                expected: a.base_len(),
                found: b.base_len(),
            });
        }
        let mut a_prime = Self::new();
        let mut b_prime = Self::new();
        let mut left = Steps::new(&a.components);
        let mut right = Steps::new(&b.components);
        loop {
            match (left.peek(), right.peek()) {
                (Some(Step::Insert(text)), _) => {
                    let n = chars(&text);
                    a_prime = a_prime.insert(&text);
                    b_prime = b_prime.retain(n);
                    left.take(n);
                }
                (_, Some(Step::Insert(text))) => {
                    let n = chars(&text);
                    a_prime = a_prime.retain(n);
                    b_prime = b_prime.insert(&text);
                    right.take(n);
                }
                (Some(x), Some(y)) => {
                    let n = x.len().min(y.len());
                    match (x, y) {
                        (Step::Retain(_), Step::Retain(_)) => {
                            a_prime = a_prime.retain(n);
                            b_prime = b_prime.retain(n);
                        }
                        (Step::Delete(_), Step::Retain(_)) => a_prime = a_prime.delete(n),
                        (Step::Retain(_), Step::Delete(_)) => b_prime = b_prime.delete(n),
                        // Both deleted the same characters: nothing left to do for either.
                        _ => {}
                    }
                    left.take(n);
                    right.take(n);
                }
                // Lengths were checked, so both run out together.
                (None, _) | (_, None) => return Ok((a_prime, b_prime)),
            }
        }
    }

    /// Where a caret at `position` (in characters) goes when this operation is applied: after
    /// text inserted right at it when `own` (the caret's owner typed it), before otherwise.
    #[must_use]
    pub fn transform_position(&self, position: u64, own: bool) -> u64 {
        let mut old = 0_u64;
        let mut moved = position;
        for component in &self.components {
            if old > position {
                break;
            }
            match component {
                TextComponent::Retain(n) => old = old.saturating_add(*n),
                TextComponent::Insert(text) => {
                    if old < position || own {
                        moved = moved.saturating_add(chars(text));
                    }
                }
                TextComponent::Delete(n) => {
                    moved = moved.saturating_sub((*n).min(position.saturating_sub(old)));
                    old = old.saturating_add(*n);
                }
            }
        }
        moved
    }
}

/// A client's side of one field: at most one operation in flight (sent, not yet applied by
/// the server), and what was typed since composed into one buffered operation. Test clients,
/// and any client in Rust, share it; the web client does the same in JavaScript.
#[derive(Clone, Debug, Default)]
pub struct PendingEdits {
    in_flight: Option<TextOp>,
    buffer: Option<TextOp>,
}

impl PendingEdits {
    /// An operation in flight with another made after it on the text it makes (a server
    /// bringing a `follows` edit up to date uses the same steps as the client).
    #[must_use]
    pub fn in_flight_then(in_flight: TextOp, buffer: TextOp) -> Self {
        Self {
            in_flight: Some(in_flight),
            buffer: Some(buffer),
        }
    }

    /// Takes a local edit (made on the text as the client shows it). Returns the operation to
    /// send now, if nothing is in flight.
    ///
    /// # Errors
    /// `op` was not made for the text the pending edits make.
    pub fn edit(&mut self, op: TextOp) -> Result<Option<TextOp>, TextOpError> {
        self.buffer = Some(match self.buffer.take() {
            Some(buffer) => buffer.compose(&op)?,
            None => op,
        });
        Ok(self.next())
    }

    /// The server applied the operation in flight. Returns the buffered one to send next.
    pub fn acknowledged(&mut self) -> Option<TextOp> {
        self.in_flight = None;
        self.next()
    }

    /// Someone else's operation, made on the server's text: the pending edits are transformed
    /// over it (theirs are ahead of it, as on the server), and it is returned as it applies to
    /// the text the client shows.
    ///
    /// # Errors
    /// `theirs` was not made for the text the pending edits were made on.
    pub fn receive(&mut self, theirs: &TextOp) -> Result<TextOp, TextOpError> {
        let mut theirs = theirs.clone();
        for pending in [&mut self.in_flight, &mut self.buffer] {
            if let Some(mine) = pending.take() {
                let (mine, over) = TextOp::transform(&mine, &theirs)?;
                *pending = Some(mine);
                theirs = over;
            }
        }
        Ok(theirs)
    }

    /// Whether nothing is waiting for the server.
    #[must_use]
    pub fn is_settled(&self) -> bool {
        self.in_flight.is_none() && self.buffer.is_none()
    }

    fn next(&mut self) -> Option<TextOp> {
        if self.in_flight.is_some() {
            return None;
        }
        self.in_flight = self.buffer.take();
        self.in_flight.clone()
    }
}

/// `text` split after its first `n` characters (all of it if it has fewer).
fn split_after_chars(text: &str, n: u64) -> (&str, &str) {
    let at = text
        .char_indices()
        .nth(to_usize(n))
        .map_or(text.len(), |(at, _)| at);
    text.split_at(at)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The first `n` characters of `text`.
fn prefix(text: &str, n: u64) -> String {
    text.chars().take(to_usize(n)).collect()
}

/// A step as seen while walking an operation, with what is left of the current component.
#[derive(Clone, Debug)]
enum Step {
    Retain(u64),
    Insert(String),
    Delete(u64),
}

impl Step {
    fn len(&self) -> u64 {
        match self {
            Self::Retain(n) | Self::Delete(n) => *n,
            Self::Insert(text) => chars(text),
        }
    }
}

/// Walks an operation's components, taking parts of them.
struct Steps<'a> {
    components: &'a [TextComponent],
    at: usize,
    /// Characters of the current component already taken.
    taken: u64,
}

impl<'a> Steps<'a> {
    fn new(components: &'a [TextComponent]) -> Self {
        Self {
            components,
            at: 0,
            taken: 0,
        }
    }

    fn peek(&self) -> Option<Step> {
        Some(match self.components.get(self.at)? {
            TextComponent::Retain(n) => Step::Retain(n - self.taken),
            TextComponent::Delete(n) => Step::Delete(n - self.taken),
            TextComponent::Insert(text) => {
                Step::Insert(text.chars().skip(to_usize(self.taken)).collect::<String>())
            }
        })
    }

    fn take(&mut self, n: u64) {
        let Some(step) = self.peek() else { return };
        if n >= step.len() {
            self.at += 1;
            self.taken = 0;
        } else {
            self.taken += n;
        }
    }
}

impl Serialize for TextOp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.components.len()))?;
        for component in &self.components {
            match component {
                TextComponent::Retain(n) => seq.serialize_element(n)?,
                TextComponent::Insert(text) => seq.serialize_element(text)?,
                TextComponent::Delete(n) => {
                    seq.serialize_element(&i64::try_from(*n).map_or(i64::MIN, |n| -n))?;
                }
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for TextOp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(i64),
            Text(String),
        }
        let raw = Vec::<Raw>::deserialize(deserializer)?;
        let mut op = Self::new();
        for step in raw {
            op = match step {
                Raw::Count(0) => {
                    return Err(serde::de::Error::custom(
                        "0 is not a step: keep (positive), delete (negative) or insert (a string)",
                    ));
                }
                Raw::Count(n) if n > 0 => op.retain(n.unsigned_abs()),
                Raw::Count(n) => op.delete(n.unsigned_abs()),
                Raw::Text(text) if text.is_empty() => {
                    return Err(serde::de::Error::custom("an insert must not be empty"));
                }
                Raw::Text(text) => op.insert(&text),
            };
        }
        Ok(op)
    }
}

impl JsonSchema for TextOp {
    fn schema_name() -> Cow<'static, str> {
        "TextOp".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A text operation: a positive integer keeps that many characters (Unicode scalar values), a string inserts itself, a negative integer deletes that many. It must cover the whole old text.",
            "type": "array",
            "items": {
                "anyOf": [
                    { "type": "integer", "not": { "const": 0 } },
                    { "type": "string", "minLength": 1 }
                ]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn op(json: &str) -> TextOp {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn counts_scalar_values_not_bytes_or_utf16_units() {
        // An emoji (4 bytes, 2 UTF-16 units), an e with a combining acute (2 scalars), CJK.
        let text = "a😀e\u{301}漢字";
        assert_eq!(chars(text), 6);
        let edit = op(r#"[1, -1, "🎉", 4]"#);
        assert_eq!(edit.apply(text).unwrap(), "a🎉e\u{301}漢字");
        let after_accent = op(r#"[4, "!", 2]"#);
        assert_eq!(after_accent.apply(text).unwrap(), "a😀e\u{301}!漢字");
    }

    #[test]
    fn wire_form_is_canonical_and_strict() {
        assert_eq!(
            serde_json::to_string(&op(r#"[2, 3, -1, "a", "b", 1]"#)).unwrap(),
            r#"[5,"ab",-1,1]"#
        );
        for bad in ["[0]", r#"[""]"#, "[1.5]", "[true]", "{}"] {
            assert!(serde_json::from_str::<TextOp>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            op("[3]").apply("ab").unwrap_err(),
            TextOpError::LengthMismatch {
                expected: 3,
                found: 2
            }
        );
    }

    #[test]
    fn inserts_at_one_place_keep_the_first_operation_first() {
        let a = op(r#"["A", 2]"#);
        let b = op(r#"["B", 2]"#);
        let (a2, b2) = TextOp::transform(&a, &b).unwrap();
        let one = b2.apply(&a.apply("xy").unwrap()).unwrap();
        let other = a2.apply(&b.apply("xy").unwrap()).unwrap();
        assert_eq!(one, "ABxy");
        assert_eq!(other, one);
    }

    #[test]
    fn carets_follow_the_text() {
        let edit = op(r#"[2, "XY", -1, 3]"#);
        assert_eq!(edit.transform_position(1, false), 1);
        assert_eq!(edit.transform_position(2, false), 2);
        assert_eq!(edit.transform_position(2, true), 4);
        assert_eq!(edit.transform_position(3, false), 4);
        assert_eq!(edit.transform_position(6, false), 7);
    }
}
