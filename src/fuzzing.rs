//! Fuzz targets for the key codec, the filter-expression builder and the
//! reader of items in response bodies, shared
//! by `cargo fuzz` (fuzz/fuzz_targets, nightly + libFuzzer) and by the stable
//! driver (`cargo run --example fuzz_stable`), which needs neither.
//!
//! Each target takes arbitrary bytes, must never panic, and checks the
//! invariants tenant isolation rests on: a tenant id that passes validation
//! cannot contain the prefix delimiters, and every partition key the codec
//! builds for a tenant starts with that tenant's prefix.

use std::collections::HashMap;
use std::sync::OnceLock;

use aws_sdk_dynamodb::types::AttributeValue;

use serde_json::Value;

use crate::expr::filter;
use crate::keys::{bucket_of, parse_primary_id, to_gsi, KeyCodec};
use crate::marshal::{wire_from, DyItem};
use crate::schema::{FieldKind, ModelSchema};
use crate::tenant::{validate_tenant_id, Candidate};
use crate::wire::{self, WireItem};

type Item = HashMap<String, AttributeValue>;

const SCHEMAS: [&str; 3] = [
    r#"{"name":"AllTypes","prefix":"at",
        "fields":[{"name":"id","kind":"ulid"},{"name":"s","kind":"string"},{"name":"s2","kind":"string"},
          {"name":"i","kind":"integer"},{"name":"f","kind":"float"},{"name":"b","kind":"boolean"},
          {"name":"dt","kind":"dateTime"},{"name":"tags","kind":"stringSet"}],
        "primaryKey":{"pk":"id"},
        "indexes":[{"name":"byS","pk":"s","sk":"dt","indexId":"gsi1"},
                   {"name":"byI","pk":"i","sk":"f","indexId":"gsi2"},
                   {"name":"byB","pk":"modelPrefix","sk":"b","indexId":"gsi3"}],
        "uniqueConstraints":[{"name":"uniqueS2","field":"s2","constraintId":"_uc1"}],
        "iterable":true,"iterationBuckets":10}"#,
    r#"{"name":"Comp","prefix":"cp","fields":[{"name":"a","kind":"string"},{"name":"n","kind":"integer"}],
        "primaryKey":{"pk":"a","sk":"n"},"iterable":true,"iterationBuckets":1}"#,
    r#"{"name":"PkPrefix","prefix":"pp","fields":[{"name":"k","kind":"string"}],
        "primaryKey":{"pk":"modelPrefix","sk":"k"}}"#,
];

const KINDS: [FieldKind; 6] = [
    FieldKind::String,
    FieldKind::Integer,
    FieldKind::Float,
    FieldKind::Boolean,
    FieldKind::DateTime,
    FieldKind::Ulid,
];

fn schemas() -> &'static [ModelSchema] {
    static ALL: OnceLock<Vec<ModelSchema>> = OnceLock::new();
    ALL.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|j| ModelSchema::from_json(j).expect("fuzz schemas are valid"))
            .collect()
    })
}

/// `tenant \0 value \0 rest`: tenant validation, then every key the codec
/// builds from `value` for that tenant.
pub fn key_codec(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let schemas = schemas();
    let schema = &schemas[usize::from(selector) % schemas.len()];
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(3, '\0');
    let tenant_text = parts.next().unwrap_or_default();
    let value = parts.next().unwrap_or_default();
    let extra = parts.next().unwrap_or_default();

    let tenant = validate_tenant_id(&Candidate::Text(tenant_text.to_string())).ok();
    if let Some(t) = &tenant {
        assert!(
            !t.as_str().contains(['[', ']', '#']),
            "validated tenant id with a delimiter: {:?}",
            t.as_str()
        );
    }
    let prefix = tenant.as_ref().map(|t| format!("[{}]#", t.as_str()));
    let codec = KeyCodec::new(schema, tenant.as_ref());
    let in_tenant = |key: &str| {
        if let Some(p) = &prefix {
            assert!(key.starts_with(p.as_str()), "{key:?} outside {p:?}");
        }
    };

    in_tenant(&codec.table_pk(value));
    in_tenant(&codec.gsi_pk("gsi1", value));
    in_tenant(&codec.index_partition(None, value));
    in_tenant(&codec.index_partition(Some("gsi2"), value));
    in_tenant(&codec.unique_key("_uc1", "s2", value));
    let bucket = bucket_of(value, schema.buckets().max(1));
    assert!(bucket < schema.buckets().max(1));
    in_tenant(&codec.iter_pk(bucket));
    in_tenant(&codec.iteration_keys(value).0);

    for id in [Value::String(value.to_string()), json_or_string(extra)] {
        if let Ok(pksk) = parse_primary_id(schema, &id) {
            if let Ok((pk, _sk)) = codec.table_key(&pksk) {
                in_tenant(&pk);
            }
        }
    }
    let operand = json_or_string(extra);
    for kind in KINDS {
        let _ = to_gsi(kind, Some(&operand));
    }
}

/// The bytes as a DynamoBao filter (JSON, else a string) for the AllTypes
/// model: building it must not panic, and what it builds must be complete.
pub fn filter_expression(data: &[u8]) {
    let value = json_or_string(&String::from_utf8_lossy(data));
    let schema = &schemas()[0];
    if let Ok(Some(f)) = filter::build(schema, &value) {
        for placeholder in tokens(&f.expression, '#') {
            assert!(
                f.names.contains_key(&placeholder),
                "{placeholder} unnamed in {}",
                f.expression
            );
        }
        for placeholder in tokens(&f.expression, ':') {
            assert!(
                f.values.contains_key(&placeholder),
                "{placeholder} unbound in {}",
                f.expression
            );
        }
        let _ = filter::grouped(&f.expression);
    }
}

/// The bytes as an item in a response body: reading it must not panic, and
/// the dy JSON the wire reader writes must be what the SDK's form of the same
/// item gives (`marshal::DyItem`, the path reads took before), byte for byte.
/// The item it reads must also be the one an independent reading finds:
/// serde_json's `Value`, then `marshal::wire_from` (the low-level client's
/// converter) per attribute.
pub fn wire_item(data: &[u8]) {
    let independent = independent_reading(data);
    let item = match wire::parse::<WireItem>(data) {
        Ok(item) => item,
        Err(e) => {
            // The reader refuses a little more than `wire_from` accepts: a
            // NULL that is not a boolean, a repeated type tag, deep nesting,
            // and a bad value under a name sent again later (`Value` keeps
            // only the later one, so `wire_from` never sees it).
            if let (Some(Ok(attrs)), false) = (independent, repeats_a_name(data)) {
                let allowed = ["nested too deeply", "one type tag", "true or false"];
                assert!(
                    allowed.iter().any(|a| e.message.contains(a)),
                    "the reader refused an item wire_from reads as {attrs:?}: {}",
                    e.message
                );
            }
            return;
        }
    };
    let direct = serde_json::to_string(&item);
    match item.to_attrs() {
        Ok(attrs) => {
            let via_sdk_form = serde_json::to_string(&DyItem(&attrs)).ok();
            assert_eq!(
                direct.as_ref().ok(),
                via_sdk_form.as_ref(),
                "wire and DyItem disagree on {item:?}"
            );
            match independent {
                Some(Ok(other)) => assert_eq!(
                    via_sdk_form,
                    serde_json::to_string(&DyItem(&other)).ok(),
                    "the reader and wire_from disagree on {item:?}"
                ),
                other => panic!("the reader read {item:?}, the independent reading {other:?}"),
            }
        }
        // Only binary that is not base64 fails, and it fails every way.
        Err(_) => {
            assert!(
                direct.is_err(),
                "to_attrs failed but serialising did not: {item:?}"
            );
            assert!(
                matches!(independent, Some(Err(_))),
                "to_attrs failed, wire_from did not: {item:?}"
            );
        }
    }
}

/// Whether some object in the JSON repeats a name.
fn repeats_a_name(data: &[u8]) -> bool {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Repeats;
    impl<'de> DeserializeSeed<'de> for Repeats {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Repeats {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<bool, M::Error> {
            let (mut names, mut repeats) = (std::collections::HashSet::new(), false);
            while let Some(name) = m.next_key::<String>()? {
                repeats |= !names.insert(name);
                repeats |= m.next_value_seed(Repeats)?;
            }
            Ok(repeats)
        }
        fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<bool, S::Error> {
            let mut repeats = false;
            while let Some(r) = s.next_element_seed(Repeats)? {
                repeats |= r;
            }
            Ok(repeats)
        }
        fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
    }
    Repeats
        .deserialize(&mut serde_json::Deserializer::from_slice(data))
        .unwrap_or(false)
}

/// `None` if the bytes are not a JSON object, else the item `wire_from` reads.
fn independent_reading(data: &[u8]) -> Option<crate::error::Result<Item>> {
    let value = serde_json::from_slice::<Value>(data).ok()?;
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .map(|(k, v)| Ok((k.clone(), wire_from(v)?)))
            .collect(),
    )
}

fn json_or_string(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// The `#name` / `:value` placeholders of an expression.
fn tokens(expr: &str, sigil: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != sigil {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if d.is_alphanumeric() || d == '_' {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        if end > i + 1 {
            out.push(expr[i..end].to_string());
        }
    }
    out
}

/// An item as DynamoDB sends it, with every attribute type: the start of the
/// `wire_item` corpus.
pub const WIRE_SAMPLE: &[u8] = br#"{"_pk":{"S":"[t]#u#1"},"n":{"N":"-1.5e3"},"b":{"BOOL":true},"z":{"NULL":true},"bin":{"B":"AAH+/w=="},"ss":{"SS":["b","a"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["Bw==",""]},"l":{"L":[{"S":"x\"y"},{"M":{"k":{"N":"9007199254740993"}}}]},"m":{"M":{"b":{"S":"\u00e9\ud83d\ude00\n"},"a":{"L":[]}}},"n":{"N":"2"}}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_sample_is_read_the_same_both_ways() {
        let item = wire::parse::<WireItem>(WIRE_SAMPLE).unwrap();
        assert_eq!(item.0.len(), 10, "the repeated name counts once");
        assert_eq!(
            item.get("n").unwrap().to_value().unwrap(),
            Value::from(2),
            "the later value wins"
        );
        wire_item(WIRE_SAMPLE);
    }

    /// A short deterministic run of both targets, so `cargo test` keeps them
    /// building and catches a regression without libFuzzer.
    #[test]
    fn targets_survive_a_short_random_run() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet: &[u8] = b"[]#\0abc{}\":,$eqnotinAND10.-_ \xff\xfeSNBLM";
        for round in 0..3000 {
            let len = (next() % 48) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            key_codec(&bytes);
            filter_expression(&bytes);
            wire_item(&bytes);
            if round % 3 == 0 {
                wire_item(WIRE_SAMPLE);
                filter_expression(br#"{"s":{"$in":["a","b"]},"$or":[{"i":{"$gt":1}},{"b":true}]}"#);
            }
        }
    }
}
