//! dy values (JSON from the JS layer) <-> DynamoDB AttributeValues, with the
//! original's type mapping (spec §2.6 marshalling table) so items written here
//! read back identically through DynamoBao and vice versa.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};
use crate::jsnum::number_to_js_string;

/// The original refuses to marshal `""` (DynamoBao's own client throws this).
pub const EMPTY_STRING_MESSAGE: &str =
    "Cannot marshall empty string - DynamoDB does not support empty string values";

/// How a Node `Buffer` looks after `JSON.stringify`: `{"type":"Buffer","data":[…]}`.
fn as_buffer(o: &Map<String, Value>) -> Option<Vec<u8>> {
    if o.len() != 2 || o.get("type").and_then(Value::as_str) != Some("Buffer") {
        return None;
    }
    o.get("data")?
        .as_array()?
        .iter()
        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
        .collect()
}

pub(crate) fn buffer_json(bytes: &[u8]) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), "Buffer".into());
    m.insert(
        "data".into(),
        Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
    );
    Value::Object(m)
}

/// A dy value to an AttributeValue.
pub fn to_attr(v: &Value) -> Result<AttributeValue> {
    Ok(match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(number_to_js_string(n)),
        Value::String(s) if s.is_empty() => return Err(Error::validation(EMPTY_STRING_MESSAGE)),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(a) if a.is_empty() => AttributeValue::L(Vec::new()),
        // Any all-string array is a String Set in the original (spec §9.1 item 8).
        Value::Array(a) if a.iter().all(Value::is_string) => AttributeValue::Ss(
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
        ),
        Value::Array(a) if a.iter().all(Value::is_number) => AttributeValue::Ns(
            a.iter()
                .filter_map(|n| n.as_number().map(number_to_js_string))
                .collect(),
        ),
        Value::Array(a) => {
            let buffers: Option<Vec<Vec<u8>>> = a
                .iter()
                .map(|x| x.as_object().and_then(as_buffer))
                .collect();
            match buffers {
                Some(bs) => AttributeValue::Bs(bs.into_iter().map(Blob::new).collect()),
                None => AttributeValue::L(a.iter().map(to_attr).collect::<Result<_>>()?),
            }
        }
        Value::Object(o) => match as_buffer(o) {
            Some(bytes) => AttributeValue::B(Blob::new(bytes)),
            None => AttributeValue::M(to_item(o)?),
        },
    })
}

/// A dy object to an item; `undefined` never arrives (JSON drops it).
pub fn to_item(o: &Map<String, Value>) -> Result<HashMap<String, AttributeValue>> {
    o.iter()
        .map(|(k, v)| Ok((k.clone(), to_attr(v)?)))
        .collect()
}

/// `Number(s)` for an `N` attribute; integers stay integers in the JSON.
pub(crate) fn number_from(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        // Beyond 2^53 JS would round; keep what JS's Number() would give.
        if i.unsigned_abs() <= (1u64 << 53) {
            return Value::Number(i.into());
        }
    }
    s.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// An AttributeValue to its dy value.
pub fn from_attr(a: &AttributeValue) -> Value {
    match a {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => number_from(n),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::B(b) => buffer_json(b.as_ref()),
        AttributeValue::Ss(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(v) => Value::Array(v.iter().map(|n| number_from(n)).collect()),
        AttributeValue::Bs(v) => Value::Array(v.iter().map(|b| buffer_json(b.as_ref())).collect()),
        AttributeValue::L(v) => Value::Array(v.iter().map(from_attr).collect()),
        AttributeValue::M(m) => Value::Object(from_item(m)),
        _ => Value::Null,
    }
}

/// An item to a dy object, attributes sorted by name. The SDK's maps iterate
/// in a random order per map; a fixed order gives every item of a model one
/// object shape in V8, which made decoding and hydrating a query page or a
/// batchFind several times cheaper (`npm run bench`: about -38% client CPU).
pub fn from_item(item: &HashMap<String, AttributeValue>) -> Map<String, Value> {
    let mut entries: Vec<(&String, &AttributeValue)> = item.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
        .into_iter()
        .map(|(k, v)| (k.clone(), from_attr(v)))
        .collect()
}

/// An item serialised straight to the JSON `from_item` would give, with no
/// `Value` tree in between: a query page, a batchFind or a save answer is written
/// once, instead of every string being copied into a map and then escaped.
pub struct DyItem<'a>(pub &'a HashMap<String, AttributeValue>);

struct DyAttr<'a>(&'a AttributeValue);

impl Serialize for DyItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut entries: Vec<(&String, &AttributeValue)> = self.0.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(k, &DyAttr(v))?;
        }
        map.end()
    }
}

impl Serialize for DyAttr<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            AttributeValue::S(s) => serializer.serialize_str(s),
            AttributeValue::N(n) => number_from(n).serialize(serializer),
            AttributeValue::Bool(b) => serializer.serialize_bool(*b),
            AttributeValue::Ss(v) => serializer.collect_seq(v),
            AttributeValue::L(v) => serializer.collect_seq(v.iter().map(DyAttr)),
            AttributeValue::M(m) => DyItem(m).serialize(serializer),
            // Rare on the hot path: the Value form is exact and cheap enough.
            other => from_attr(other).serialize(serializer),
        }
    }
}

/// DynamoDB JSON (`{"S": "x"}`) to an AttributeValue, for the low-level client.
pub fn wire_from(v: &Value) -> Result<AttributeValue> {
    let bad = || Error::validation(format!("not a DynamoDB attribute value: {v}"));
    let o = v.as_object().filter(|o| o.len() == 1).ok_or_else(bad)?;
    let (tag, inner) = o.iter().next().ok_or_else(bad)?;
    let strings = |x: &Value| -> Result<Vec<String>> {
        x.as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(bad))
            .collect()
    };
    let bytes = |x: &Value| -> Result<Blob> {
        use base64_engine::decode;
        decode(x.as_str().ok_or_else(bad)?)
            .map(Blob::new)
            .ok_or_else(bad)
    };
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(inner.as_str().ok_or_else(bad)?.to_string()),
        "N" => AttributeValue::N(inner.as_str().ok_or_else(bad)?.to_string()),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or_else(bad)?),
        "NULL" => AttributeValue::Null(true),
        "B" => AttributeValue::B(bytes(inner)?),
        "SS" => AttributeValue::Ss(strings(inner)?),
        "NS" => AttributeValue::Ns(strings(inner)?),
        "BS" => AttributeValue::Bs(
            inner
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(bytes)
                .collect::<Result<_>>()?,
        ),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(wire_from)
                .collect::<Result<_>>()?,
        ),
        "M" => AttributeValue::M(
            inner
                .as_object()
                .ok_or_else(bad)?
                .iter()
                .map(|(k, v)| Ok((k.clone(), wire_from(v)?)))
                .collect::<Result<_>>()?,
        ),
        _ => return Err(bad()),
    })
}

/// An AttributeValue as DynamoDB JSON.
pub fn wire_to(a: &AttributeValue) -> Value {
    let mut m = Map::new();
    let (tag, v) = match a {
        AttributeValue::S(s) => ("S", Value::String(s.clone())),
        AttributeValue::N(n) => ("N", Value::String(n.clone())),
        AttributeValue::Bool(b) => ("BOOL", Value::Bool(*b)),
        AttributeValue::Null(_) => ("NULL", Value::Bool(true)),
        AttributeValue::B(b) => ("B", Value::String(base64_engine::encode(b.as_ref()))),
        AttributeValue::Ss(v) => (
            "SS",
            Value::Array(v.iter().cloned().map(Value::String).collect()),
        ),
        AttributeValue::Ns(v) => (
            "NS",
            Value::Array(v.iter().cloned().map(Value::String).collect()),
        ),
        AttributeValue::Bs(v) => (
            "BS",
            Value::Array(
                v.iter()
                    .map(|b| Value::String(base64_engine::encode(b.as_ref())))
                    .collect(),
            ),
        ),
        AttributeValue::L(v) => ("L", Value::Array(v.iter().map(wire_to).collect())),
        AttributeValue::M(m2) => (
            "M",
            Value::Object(m2.iter().map(|(k, v)| (k.clone(), wire_to(v))).collect()),
        ),
        _ => ("NULL", Value::Bool(true)),
    };
    m.insert(tag.into(), v);
    Value::Object(m)
}

/// Standard base64, which DynamoDB JSON uses for binary values.
pub(crate) mod base64_engine {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub fn decode(s: &str) -> Option<Vec<u8>> {
        let s = s.trim_end_matches('=');
        let mut out = Vec::with_capacity(s.len() * 3 / 4);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in s.bytes() {
            let v = u32::try_from(ALPHABET.iter().position(|a| *a == c)?).ok()?;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // 3.14 is the spec's test value, not π
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_follow_the_original() {
        assert_eq!(to_attr(&json!("x")).unwrap(), AttributeValue::S("x".into()));
        assert_eq!(to_attr(&json!(42)).unwrap(), AttributeValue::N("42".into()));
        assert_eq!(
            to_attr(&json!(3.14)).unwrap(),
            AttributeValue::N("3.14".into())
        );
        assert_eq!(to_attr(&json!(true)).unwrap(), AttributeValue::Bool(true));
        assert_eq!(to_attr(&Value::Null).unwrap(), AttributeValue::Null(true));
        assert_eq!(
            to_attr(&json!(["a", "b"])).unwrap(),
            AttributeValue::Ss(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            to_attr(&json!([1, 2])).unwrap(),
            AttributeValue::Ns(vec!["1".into(), "2".into()])
        );
        assert_eq!(to_attr(&json!([])).unwrap(), AttributeValue::L(vec![]));
        assert_eq!(
            to_attr(&json!({"type": "Buffer", "data": [1, 2, 3]})).unwrap(),
            AttributeValue::B(Blob::new(vec![1, 2, 3]))
        );
        assert_eq!(
            to_attr(&json!("")).unwrap_err().message,
            EMPTY_STRING_MESSAGE
        );
    }

    #[test]
    fn round_trips() {
        let v = json!({"s": "x", "n": 1704164645678u64, "f": 3.14, "b": false, "ss": ["y", "z"],
                       "m": {"k": [1, "two", null]}, "bin": {"type": "Buffer", "data": [0, 255]}});
        let item = to_item(v.as_object().unwrap()).unwrap();
        assert_eq!(Value::Object(from_item(&item)), v);
    }

    #[test]
    fn dy_item_writes_what_from_item_gives() {
        let v = json!({"s": "x\"\\\n\u{1F600}", "n": 1704164645678u64, "big": 9007199254740993u64,
                       "f": 3.14, "e": 1e21, "b": false, "nul": null, "ss": ["y", "z"], "ns": [3, 1.5],
                       "m": {"z": [1, "two", null, {"in": true}], "a": {"type": "Buffer", "data": [0, 255]}},
                       "bin": {"type": "Buffer", "data": [1, 2, 3]}, "l": []});
        let mut item = to_item(v.as_object().unwrap()).unwrap();
        item.insert(
            "ns".into(),
            AttributeValue::Ns(vec!["3".into(), "1.5".into()]),
        );
        item.insert("bs".into(), AttributeValue::Bs(vec![Blob::new(vec![7u8])]));
        let direct = serde_json::to_string(&DyItem(&item)).unwrap();
        assert_eq!(direct, Value::Object(from_item(&item)).to_string());
        assert!(
            direct.starts_with(r#"{"b":false,"big":"#),
            "sorted by name: {direct}"
        );
    }

    #[test]
    fn wire_json_round_trips() {
        let v = json!({"M": {"s": {"S": "x"}, "n": {"N": "1"}, "b": {"B": "AQID"}, "ss": {"SS": ["a"]},
                       "l": {"L": [{"NULL": true}, {"BOOL": false}]}}});
        assert_eq!(wire_to(&wire_from(&v).unwrap()), v);
        assert_eq!(base64_engine::encode(b"hello!?"), "aGVsbG8hPw==");
        assert_eq!(base64_engine::decode("aGVsbG8hPw==").unwrap(), b"hello!?");
        assert!(wire_from(&json!({"X": 1})).is_err());
    }

    #[test]
    fn numbers_read_like_js_number() {
        assert_eq!(number_from("42"), json!(42));
        assert_eq!(number_from("3.14"), json!(3.14));
        assert_eq!(number_from("1e3"), json!(1000.0));
    }
}
