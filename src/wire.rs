//! Items in DynamoDB's JSON wire form (`{"S": "x"}`), read straight from a
//! response body. The SDK would first build a `HashMap<String,
//! AttributeValue>` per item (a hashed, allocated entry per attribute), only
//! for `marshal::DyItem` to sort and write it out again; for item-heavy reads
//! that parse was the largest share of the tokio side's CPU. Here an item
//! borrows its strings from the body and is written as the same dy JSON
//! `DyItem` writes (`same_json_as_dy_item` holds the two together).

use std::borrow::Cow;
use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::db::capacity_value;
use crate::error::{Error, Result};
use crate::marshal::{base64_engine, buffer_json, number_from};
use crate::wire_reader::read_item;

/// A response body as `T` (an operation's answer, borrowing from `body`).
pub fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        Error::internal(format!(
            "DynamoDB sent an answer that could not be read: {e}"
        ))
    })
}

/// One attribute value; the variant names are DynamoDB's type tags.
#[derive(Debug, PartialEq)]
#[allow(clippy::upper_case_acronyms)]
pub enum WireAttr<'a> {
    S(Cow<'a, str>),
    N(Cow<'a, str>),
    BOOL(bool),
    NULL(bool),
    B(Cow<'a, str>),
    SS(Vec<Cow<'a, str>>),
    NS(Vec<Cow<'a, str>>),
    BS(Vec<Cow<'a, str>>),
    L(Vec<WireAttr<'a>>),
    M(WireItem<'a>),
}

/// An item or map, its attributes sorted by name, as `marshal::from_item`
/// sorts them (one object shape per model in V8).
#[derive(Debug, Default, PartialEq)]
pub struct WireItem<'a>(pub Vec<(Cow<'a, str>, WireAttr<'a>)>);

impl<'a> WireItem<'a> {
    /// The item of these attributes, in any order.
    pub fn from_entries(mut entries: Vec<(Cow<'a, str>, WireAttr<'a>)>) -> Self {
        // Stable, so that of a name sent twice the later value wins, as in
        // the SDK's map; DynamoDB itself never repeats a name.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| {
            let repeated = later.0 == earlier.0;
            if repeated {
                std::mem::swap(later, earlier);
            }
            repeated
        });
        WireItem(entries)
    }

    pub fn get(&self, name: &str) -> Option<&WireAttr<'a>> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The dy object, as `marshal::from_item` gives it (a LastEvaluatedKey).
    pub fn to_map(&self) -> Result<serde_json::Map<String, Value>> {
        self.0
            .iter()
            .map(|(k, v)| Ok((k.to_string(), v.to_value()?)))
            .collect()
    }

    /// The SDK's form, for keys sent back to DynamoDB (unprocessed keys).
    pub fn to_attrs(&self) -> Result<HashMap<String, AttributeValue>> {
        self.0
            .iter()
            .map(|(k, v)| Ok((k.to_string(), v.to_attr()?)))
            .collect()
    }
}

/// serde_json checks and skips the item as a raw value (borrowed from the
/// body, so only from `from_slice`/`from_str`); `wire_reader` reads it.
impl<'de: 'a, 'a> Deserialize<'de> for WireItem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        read_item(raw.get()).map_err(|e| serde::de::Error::custom(e.0))
    }
}

fn blob(s: &str) -> Result<Vec<u8>> {
    base64_engine::decode(s)
        .ok_or_else(|| Error::internal("DynamoDB sent a binary value that is not base64"))
}

impl WireAttr<'_> {
    /// The SDK's form of this value (numbers stay their exact digits).
    pub fn to_attr(&self) -> Result<AttributeValue> {
        let strings = |v: &[Cow<str>]| v.iter().map(|s| s.to_string()).collect();
        Ok(match self {
            WireAttr::S(s) => AttributeValue::S(s.to_string()),
            WireAttr::N(n) => AttributeValue::N(n.to_string()),
            WireAttr::BOOL(b) => AttributeValue::Bool(*b),
            WireAttr::NULL(b) => AttributeValue::Null(*b),
            WireAttr::B(b) => AttributeValue::B(Blob::new(blob(b)?)),
            WireAttr::SS(v) => AttributeValue::Ss(strings(v)),
            WireAttr::NS(v) => AttributeValue::Ns(strings(v)),
            WireAttr::BS(v) => AttributeValue::Bs(
                v.iter()
                    .map(|b| blob(b).map(Blob::new))
                    .collect::<Result<_>>()?,
            ),
            WireAttr::L(v) => {
                AttributeValue::L(v.iter().map(WireAttr::to_attr).collect::<Result<_>>()?)
            }
            WireAttr::M(m) => AttributeValue::M(m.to_attrs()?),
        })
    }

    /// The dy value, as `marshal::from_attr` gives it.
    pub fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(|e| Error::internal(e.to_string()))
    }
}

/// Written as dy JSON, exactly as `DyItem` writes the SDK's form.
impl Serialize for WireAttr<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let buffer = |b: &str| {
            blob(b)
                .map(|bytes| buffer_json(&bytes))
                .map_err(S::Error::custom)
        };
        match self {
            WireAttr::S(s) => serializer.serialize_str(s),
            WireAttr::N(n) => number_from(n).serialize(serializer),
            WireAttr::BOOL(b) => serializer.serialize_bool(*b),
            WireAttr::NULL(_) => serializer.serialize_unit(),
            WireAttr::B(b) => buffer(b)?.serialize(serializer),
            WireAttr::SS(v) => serializer.collect_seq(v),
            WireAttr::NS(v) => serializer.collect_seq(v.iter().map(|n| number_from(n))),
            WireAttr::BS(v) => {
                let buffers = v
                    .iter()
                    .map(|b| buffer(b))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                serializer.collect_seq(buffers)
            }
            WireAttr::L(v) => serializer.collect_seq(v),
            WireAttr::M(m) => m.serialize(serializer),
        }
    }
}

impl Serialize for WireItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `{TableName, CapacityUnits}` of a response, as `db::capacity_json` gives it.
#[derive(serde::Deserialize, Debug)]
pub struct WireCapacity {
    #[serde(rename = "TableName")]
    table_name: Option<String>,
    #[serde(rename = "CapacityUnits")]
    capacity_units: Option<f64>,
}

/// `{TableName, CapacityUnits}` as DynamoBao reports it, or `null`.
pub fn capacity_json(c: Option<&WireCapacity>) -> Value {
    c.map_or(Value::Null, |c| {
        capacity_value(c.table_name.as_deref(), c.capacity_units)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marshal::{wire_to, DyItem};

    /// The wire JSON DynamoDB would send for `item`.
    fn wire_item_json(item: &HashMap<String, AttributeValue>) -> Value {
        Value::Object(item.iter().map(|(k, v)| (k.clone(), wire_to(v))).collect())
    }

    fn sample() -> HashMap<String, AttributeValue> {
        use AttributeValue as A;
        let nested = HashMap::from([
            ("z".to_string(), A::N("-0.5".into())),
            (
                "a".to_string(),
                A::L(vec![A::S("x".into()), A::Bool(false), A::Null(true)]),
            ),
        ]);
        HashMap::from([
            ("_pk".to_string(), A::S("[t]#u#01J".into())),
            (
                "name".to_string(),
                A::S("quote \" backslash \\ tab \t é 😀 \u{1}".into()),
            ),
            ("count".to_string(), A::N("42".into())),
            ("big".to_string(), A::N("12345678901234567890".into())),
            ("ratio".to_string(), A::N("3.25e2".into())),
            ("active".to_string(), A::Bool(true)),
            ("nothing".to_string(), A::Null(true)),
            ("tags".to_string(), A::Ss(vec!["b".into(), "a".into()])),
            ("scores".to_string(), A::Ns(vec!["1".into(), "2.5".into()])),
            ("blob".to_string(), A::B(Blob::new(vec![0, 1, 254, 255]))),
            (
                "blobs".to_string(),
                A::Bs(vec![Blob::new(vec![7]), Blob::new(vec![])]),
            ),
            ("map".to_string(), A::M(nested)),
            ("empty".to_string(), A::L(vec![])),
        ])
    }

    #[test]
    fn same_json_as_dy_item() {
        let item = sample();
        let body = serde_json::to_string(&wire_item_json(&item)).unwrap();
        let wire: WireItem = serde_json::from_str(&body).unwrap();
        assert_eq!(
            serde_json::to_string(&wire).unwrap(),
            serde_json::to_string(&DyItem(&item)).unwrap()
        );
    }

    #[test]
    fn converts_back_to_the_sdk_form() {
        let item = sample();
        let body = serde_json::to_string(&wire_item_json(&item)).unwrap();
        let wire: WireItem = serde_json::from_str(&body).unwrap();
        assert_eq!(wire.to_attrs().unwrap(), item);
        assert_eq!(wire.to_map().unwrap(), crate::marshal::from_item(&item));
        assert_eq!(
            wire.get("count").unwrap().to_value().unwrap(),
            Value::from(42)
        );
        assert!(wire.get("missing").is_none());
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let body = r#"{"a":{"S":"plain"},"b":{"S":"esc\"aped"}}"#;
        let wire: WireItem = serde_json::from_str(body).unwrap();
        assert!(matches!(
            wire.get("a"),
            Some(WireAttr::S(Cow::Borrowed("plain")))
        ));
        assert!(matches!(wire.get("b"), Some(WireAttr::S(Cow::Owned(s))) if s == "esc\"aped"));
    }

    #[test]
    fn unknown_type_tags_and_bad_binary_are_errors() {
        assert!(serde_json::from_str::<WireItem>(r#"{"a":{"X":"1"}}"#).is_err());
        let wire: WireItem = serde_json::from_str(r#"{"a":{"B":"!!"}}"#).unwrap();
        assert!(serde_json::to_string(&wire).is_err());
        assert!(wire.to_attrs().is_err());
    }

    #[test]
    fn an_unreadable_answer_is_an_internal_error_not_bad_input() {
        let err = parse::<WireItem>(b"{\"a\":").unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::Internal);
        assert!(
            err.message.starts_with("DynamoDB sent an answer"),
            "{}",
            err.message
        );
    }
}
