//! A reader for one item of DynamoDB's JSON (`{"name": {"S": "x"}, …}`),
//! given as text serde_json has already checked is one JSON value.
//!
//! serde's derived reader for the type-tagged attributes went through a
//! visitor per token and allocated as it went; it was the largest share of
//! the tokio side's CPU for a batch of items. This reader walks the bytes
//! once, borrows every string without escapes, and allocates one vector per
//! item, list or set.

use std::borrow::Cow;

use crate::wire::{WireAttr, WireItem};

/// Levels of lists and maps an attribute may nest (DynamoDB allows 32);
/// deeper input is refused rather than risking the stack.
pub const MAX_DEPTH: usize = 32;

/// Why an item could not be read (serde's error type takes a message).
#[derive(Debug, PartialEq)]
pub struct ReadError(pub String);

type Read<T> = std::result::Result<T, ReadError>;

fn fail<T>(what: &str, at: usize) -> Read<T> {
    Err(ReadError(format!("{what} at byte {at} of an item")))
}

/// The item `text` holds. `text` must be one well-formed JSON value (as a
/// serde_json `RawValue` is); anything else is an error, never a panic.
pub fn read_item(text: &str) -> Read<WireItem<'_>> {
    let mut r = Reader { text, at: 0 };
    let item = r.item(0)?;
    r.space();
    if r.at != text.len() {
        return fail("text after the item", r.at);
    }
    Ok(item)
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    /// Skips space, then `c`.
    fn expect(&mut self, c: u8, what: &str) -> Read<()> {
        self.space();
        if self.byte() != Some(c) {
            return fail(what, self.at);
        }
        self.at += 1;
        Ok(())
    }

    /// After an element: `true` at the closing `close`, `false` after a comma.
    fn ends(&mut self, close: u8) -> Read<bool> {
        self.space();
        match self.byte() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.at += 1;
                Ok(true)
            }
            _ => fail("expected , or the end of a list or object", self.at),
        }
    }

    /// Just after an opening bracket: `true` if the container is empty.
    fn empty(&mut self, close: u8) -> bool {
        self.space();
        if self.byte() == Some(close) {
            self.at += 1;
            return true;
        }
        false
    }

    fn string(&mut self) -> Read<Cow<'a, str>> {
        self.expect(b'"', "expected a string")?;
        let bytes = self.text.as_bytes();
        let start = self.at;
        let plain = bytes[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\')
            .map(|n| start + n);
        match plain {
            Some(end) if bytes[end] == b'"' => {
                self.at = end + 1;
                // Quotes are ASCII, so both ends are char boundaries.
                Ok(Cow::Borrowed(&self.text[start..end]))
            }
            Some(end) => {
                self.at = end;
                let mut owned = self.text[start..end].to_string();
                self.escaped(&mut owned)?;
                Ok(Cow::Owned(owned))
            }
            None => fail("unterminated string", start),
        }
    }

    /// The rest of a string with escapes, from the first backslash.
    fn escaped(&mut self, out: &mut String) -> Read<()> {
        loop {
            let rest = &self.text[self.at..];
            let n = rest
                .bytes()
                .position(|c| c == b'"' || c == b'\\')
                .map_or_else(|| fail("unterminated string", self.at), Ok)?;
            out.push_str(&rest[..n]);
            self.at += n + 1;
            if rest.as_bytes()[n] == b'"' {
                return Ok(());
            }
            let c = match self.byte() {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    self.at += 1;
                    let c = self.unicode_escape()?;
                    out.push(c);
                    continue;
                }
                _ => return fail("bad escape", self.at),
            };
            self.at += 1;
            out.push(c);
        }
    }

    /// The four hex digits after `\u` (and a low surrogate's after them).
    fn unicode_escape(&mut self) -> Read<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.at..].starts_with("\\u") {
                    return fail("lone surrogate in a \\u escape", self.at);
                }
                self.at += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return fail("lone surrogate in a \\u escape", self.at);
                }
                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return fail("lone surrogate in a \\u escape", self.at),
            c => c,
        };
        char::from_u32(code).map_or_else(|| fail("bad \\u escape", self.at), Ok)
    }

    fn hex4(&mut self) -> Read<u32> {
        let code = self
            .text
            .get(self.at..self.at + 4)
            .and_then(|d| d.chars().try_fold(0, |n, c| Some(n * 16 + c.to_digit(16)?)));
        let code = code.map_or_else(|| fail("bad \\u escape", self.at), Ok)?;
        self.at += 4;
        Ok(code)
    }

    /// The elements of a list (`[`…`]`) or an object (`{`…`}`), each read by
    /// `element`.
    fn elements<T>(
        &mut self,
        (open, close): (u8, u8),
        what: &str,
        capacity: usize,
        mut element: impl FnMut(&mut Self) -> Read<T>,
    ) -> Read<Vec<T>> {
        self.expect(open, what)?;
        let mut out = Vec::with_capacity(capacity);
        if !self.empty(close) {
            loop {
                out.push(element(self)?);
                if self.ends(close)? {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// `{"name": attribute, …}`, sorted by name.
    fn item(&mut self, depth: usize) -> Read<WireItem<'a>> {
        let entries = self.elements((b'{', b'}'), "expected an object of attributes", 16, |r| {
            let name = r.string()?;
            r.expect(b':', "expected :")?;
            Ok((name, r.attr(depth)?))
        })?;
        Ok(WireItem::from_entries(entries))
    }

    /// `{"T": value}` with T one of DynamoDB's type tags.
    fn attr(&mut self, depth: usize) -> Read<WireAttr<'a>> {
        self.expect(b'{', "expected an attribute value")?;
        let tag_at = self.at;
        let tag = self.string()?;
        self.expect(b':', "expected :")?;
        let value = match tag.as_ref() {
            "S" => WireAttr::S(self.string()?),
            "N" => WireAttr::N(self.string()?),
            "B" => WireAttr::B(self.string()?),
            "BOOL" => WireAttr::BOOL(self.boolean()?),
            "NULL" => WireAttr::NULL(self.boolean()?),
            "SS" => WireAttr::SS(self.strings()?),
            "NS" => WireAttr::NS(self.strings()?),
            "BS" => WireAttr::BS(self.strings()?),
            "L" | "M" if depth >= MAX_DEPTH => return fail("attribute nested too deeply", tag_at),
            "L" => WireAttr::L(self.list(depth + 1)?),
            "M" => WireAttr::M(self.item(depth + 1)?),
            _ => return fail("unknown type tag", tag_at),
        };
        self.expect(b'}', "expected one type tag per attribute value")?;
        Ok(value)
    }

    fn boolean(&mut self) -> Read<bool> {
        self.space();
        for (word, value) in [("true", true), ("false", false)] {
            if self.text[self.at..].starts_with(word) {
                self.at += word.len();
                return Ok(value);
            }
        }
        fail("expected true or false", self.at)
    }

    fn strings(&mut self) -> Read<Vec<Cow<'a, str>>> {
        self.elements((b'[', b']'), "expected a list of strings", 0, Self::string)
    }

    fn list(&mut self, depth: usize) -> Read<Vec<WireAttr<'a>>> {
        self.elements(
            (b'[', b']'),
            "expected a list of attribute values",
            0,
            |r| r.attr(depth),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> WireAttr<'_> {
        WireAttr::S(Cow::Borrowed(text))
    }

    #[test]
    fn reads_every_type_with_spaces_anywhere_json_allows_them() {
        let text = " { \"b\" : { \"BOOL\" : false } , \"a\":{\"L\":[ {\"NULL\":true} , {\"M\":{}} ]},\n\t\"s\":{\"SS\":[]},\"n\":{\"NS\":[\"1\",\"2\"]} } ";
        let item = read_item(text).unwrap();
        let names: Vec<&str> = item.0.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(names, ["a", "b", "n", "s"], "sorted by name");
        assert_eq!(item.get("b"), Some(&WireAttr::BOOL(false)));
        assert_eq!(
            item.get("a"),
            Some(&WireAttr::L(vec![
                WireAttr::NULL(true),
                WireAttr::M(WireItem::default())
            ]))
        );
        assert_eq!(item.get("s"), Some(&WireAttr::SS(vec![])));
    }

    #[test]
    fn escapes_are_decoded_and_plain_strings_borrowed() {
        let text = r#"{"k":{"S":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"},"p":{"S":"plain"}}"#;
        let item = read_item(text).unwrap();
        assert_eq!(
            item.get("k"),
            Some(&WireAttr::S(Cow::Owned(
                "a\"b\\c/d\u{8}\u{c}\n\r\té😀".to_string()
            )))
        );
        assert!(matches!(
            item.get("p"),
            Some(WireAttr::S(Cow::Borrowed("plain")))
        ));
        let named = read_item(r#"{"n\u0041me":{"S":"x"}}"#).unwrap();
        assert_eq!(named.get("nAme"), Some(&s("x")));
    }

    #[test]
    fn refuses_what_is_not_an_item() {
        for (text, why) in [
            (r#"[]"#, "expected an object of attributes"),
            (r#"{"a":{"X":"1"}}"#, "unknown type tag"),
            (r#"{"a":{"S":"1","N":"2"}}"#, "expected one type tag"),
            (r#"{"a":{}}"#, "expected a string"),
            (r#"{"a":{"N":1}}"#, "expected a string"),
            (r#"{"a":{"BOOL":"true"}}"#, "expected true or false"),
            (r#"{"a":{"SS":["x",1]}}"#, "expected a string"),
            (r#"{"a":{"S":"\ud800"}}"#, "lone surrogate"),
            (r#"{"a":{"S":"\udc00\ud800"}}"#, "lone surrogate"),
            (r#"{"a":{"S":"x"}} {}"#, "text after the item"),
            (r#"{"a":{"S":"x"#, "unterminated string"),
        ] {
            let err = read_item(text).unwrap_err();
            assert!(err.0.starts_with(why), "{text}: {err:?}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |levels: usize| {
            let mut text = r#"{"S":"x"}"#.to_string();
            for _ in 0..levels {
                text = format!(r#"{{"L":[{text}]}}"#);
            }
            format!(r#"{{"a":{text}}}"#)
        };
        assert!(read_item(&nested(MAX_DEPTH)).is_ok());
        let err = read_item(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(err.0.starts_with("attribute nested too deeply"), "{err:?}");
    }
}
