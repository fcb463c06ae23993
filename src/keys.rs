//! The key codec: every key string DynamoBao 0.6.0 writes (spec §3.3–3.7),
//! byte for byte, plus one deliberate fix (a `modelPrefix` partition key gets
//! the tenant prefix). Pure functions of the schema, the tenant and dy values.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::jsnum::{number_to_js_string, pad20, to_exponential_20};
use crate::schema::{FieldKind, KeyPart, ModelSchema};
use crate::tenant::TenantId;

/// Joins the two halves of a composite primary id (`src/model.js:31`).
pub const GID_SEPARATOR: &str = "##__SK__##";
/// The sort key of every unique-constraint item.
pub const UNIQUE_CONSTRAINT_KEY: &str = "_raft_uc";

/// A dy value as seen by `toGsi`: `None` is JS `undefined`.
type Dy<'a> = Option<&'a Value>;

/// JS `String(v)`.
pub fn js_string(v: Dy) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => number_to_js_string(n),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::Null => String::new(),
                other => js_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(Value::Object(_)) => "[object Object]".into(),
    }
}

/// JS truthiness of a dy value.
pub fn truthy(v: Dy) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn is_nullish(v: Dy) -> bool {
    matches!(v, None | Some(Value::Null))
}

fn as_f64(v: Dy) -> Option<f64> {
    match v {
        Some(Value::Number(n)) => n.as_f64(),
        _ => None,
    }
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

/// `field.toGsi(dyValue)` for each built-in field class (spec §3.9, §4).
pub fn to_gsi(kind: FieldKind, v: Dy) -> Result<String> {
    // DynamoBao would write "[object Object]" (or an array's items joined by
    // commas) into the key: every object shares one key, and an array takes
    // the key of its first item's string. (Binary and set fields have their
    // own refusal below.)
    let keyless = matches!(kind, FieldKind::Binary | FieldKind::StringSet);
    if !keyless && matches!(v, Some(Value::Object(_) | Value::Array(_))) {
        return Err(Error::validation(
            "A value used in a key must be a string, number or boolean, not an object or array",
        ));
    }
    Ok(match kind {
        FieldKind::String | FieldKind::Version => js_string(v),
        FieldKind::Ulid | FieldKind::Related => {
            if truthy(v) {
                js_string(v)
            } else {
                String::new()
            }
        }
        FieldKind::Integer | FieldKind::Counter => {
            if is_nullish(v) {
                String::new()
            } else {
                pad20(&js_string(v))
            }
        }
        FieldKind::Float => match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::Number(n)) => to_exponential_20(n.as_f64().unwrap_or(f64::NAN)),
            Some(_) => {
                return Err(Error::validation(
                    "FloatField value must be a number to be used in a key",
                ))
            }
        },
        FieldKind::Boolean => {
            if is_nullish(v) {
                String::new()
            } else if truthy(v) {
                "1".into()
            } else {
                "0".into()
            }
        }
        FieldKind::DateTime | FieldKind::CreateDate | FieldKind::ModifiedDate | FieldKind::Ttl => {
            if !truthy(v) {
                return Ok("0".into());
            }
            // DateTimeField.toGsi re-applies the subclass's toDy to the stored
            // value: ModifiedDateField's toDy ignores it and returns Date.now(),
            // TtlField's reads the stored seconds as milliseconds.
            let t = match kind {
                FieldKind::ModifiedDate => Some(now_ms()),
                FieldKind::Ttl => as_f64(v).map(|s| (s / 1000.0).floor()),
                _ => as_f64(v),
            };
            match t {
                Some(t) if t != 0.0 && !t.is_nan() => pad20(&crate::jsnum::to_js_string(t)),
                Some(_) => "0".into(),
                // A non-number dy date (CreateDateField stores strings verbatim).
                None => pad20(&js_string(v)),
            }
        }
        FieldKind::Binary => {
            return Err(Error::validation(
                "BinaryField does not support GSI conversion",
            ))
        }
        FieldKind::StringSet => {
            return Err(Error::validation(
                "StringSetField does not support GSI conversion (sets cannot be indexed)",
            ))
        }
    })
}

/// The two string halves of a primary key, before tenant and model prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkSk {
    pub pk: String,
    pub sk: Option<String>,
}

/// A key field's dy value, by name: borrowed from a dy object, or made from
/// an item still in its wire form.
pub type KeyValueOf<'v> = dyn Fn(&str) -> Result<Option<Cow<'v, Value>>> + 'v;

/// The key string of one side of the primary key.
fn part_string(schema: &ModelSchema, part: KeyPart, value_of: &KeyValueOf) -> Result<String> {
    match part {
        KeyPart::ModelPrefix => Ok(schema.prefix.clone()),
        KeyPart::Field(i) => {
            let f = &schema.fields[i];
            to_gsi(f.kind, value_of(&f.name)?.as_deref())
        }
    }
}

/// `_getPrimaryKeyValues(data)`.
pub fn primary_key_values(schema: &ModelSchema, dy: &Map<String, Value>) -> Result<PkSk> {
    key_values_of(schema, &|name| Ok(dy.get(name).map(Cow::Borrowed)))
}

/// The key of a new item, refused when a part holds the id separator: its id
/// would parse back as another key, so the item could not be found, updated
/// or deleted by its own id.
pub fn new_item_key(schema: &ModelSchema, dy: &Map<String, Value>) -> Result<PkSk> {
    let k = primary_key_values(schema, dy)?;
    let parts = [Some(k.pk.as_str()), k.sk.as_deref()];
    if parts
        .into_iter()
        .flatten()
        .any(|p| p.contains(GID_SEPARATOR))
    {
        return Err(Error::validation(format!(
            "{}: a key value may not contain \"{GID_SEPARATOR}\", which separates the parts of an id",
            schema.name
        )));
    }
    Ok(k)
}

fn key_values_of(schema: &ModelSchema, value_of: &KeyValueOf) -> Result<PkSk> {
    Ok(PkSk {
        pk: part_string(schema, schema.pk, value_of)?,
        sk: Some(part_string(schema, schema.sk, value_of)?),
    })
}

/// `makePrimaryId(pk, sk)`: the string users pass to `find`.
pub fn make_primary_id(schema: &ModelSchema, pk: &str, sk: &str) -> String {
    if schema.pk == KeyPart::ModelPrefix {
        sk.to_string()
    } else if schema.sk == KeyPart::ModelPrefix {
        pk.to_string()
    } else {
        format!("{pk}{GID_SEPARATOR}{sk}")
    }
}

/// The id of `k`, parsed from `id`. A string `id` that names the same key
/// but spells it differently (extra `##__SK__##` parts, a sort key the model
/// does not use) is refused: writes store the id (`_iter_sk`, the owner of
/// unique-constraint items), and the lenient spelling would be stored as given.
pub fn canonical_primary_id(schema: &ModelSchema, id: &Value, k: &PkSk) -> Result<String> {
    let canonical = make_primary_id(schema, &k.pk, k.sk.as_deref().unwrap_or_default());
    match id {
        Value::String(s) if *s != canonical => Err(Error::validation(format!(
            "primaryId {s:?} is not a {} id: its key's id is {canonical:?}",
            schema.name
        ))),
        _ => Ok(canonical),
    }
}

/// `getPrimaryId(data)`.
pub fn primary_id(schema: &ModelSchema, dy: &Map<String, Value>) -> Result<String> {
    primary_id_of(schema, &|name| Ok(dy.get(name).map(Cow::Borrowed)))
}

/// `getPrimaryId` of an item whose key fields `value_of` gives (an item
/// still in its wire form needs no dy object built for it).
pub fn primary_id_of(schema: &ModelSchema, value_of: &KeyValueOf) -> Result<String> {
    let k = key_values_of(schema, value_of)?;
    Ok(make_primary_id(
        schema,
        &k.pk,
        k.sk.as_deref().unwrap_or_default(),
    ))
}

/// `_parsePrimaryId(id)`: a primary id string, `{pk, sk}`, or a data object.
pub fn parse_primary_id(schema: &ModelSchema, id: &Value) -> Result<PkSk> {
    match id {
        Value::String(s) => {
            if let Some((pk, rest)) = s.split_once(GID_SEPARATOR) {
                let sk = rest.split(GID_SEPARATOR).next().unwrap_or_default();
                return Ok(PkSk {
                    pk: pk.into(),
                    sk: Some(sk.into()),
                });
            }
            Ok(if schema.pk == KeyPart::ModelPrefix {
                PkSk {
                    pk: schema.prefix.clone(),
                    sk: Some(s.clone()),
                }
            } else if schema.sk == KeyPart::ModelPrefix {
                PkSk {
                    pk: s.clone(),
                    sk: Some(schema.prefix.clone()),
                }
            } else {
                PkSk {
                    pk: s.clone(),
                    sk: None,
                }
            })
        }
        Value::Object(o) if o.contains_key("pk") => Ok(PkSk {
            pk: js_string(o.get("pk")),
            sk: o
                .get("sk")
                .filter(|v| !v.is_null())
                .map(|v| js_string(Some(v))),
        }),
        Value::Object(o) => primary_key_values(schema, o),
        other => Err(Error::validation(format!(
            "primaryId must be a string or an object. Got {}",
            js_type_of(other)
        ))),
    }
}

fn js_type_of(v: &Value) -> &'static str {
    match v {
        Value::Null | Value::Array(_) | Value::Object(_) => "object",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    }
}

/// Builds the key strings of one model for one tenant.
pub struct KeyCodec<'a> {
    pub schema: &'a ModelSchema,
    pub tenant: Option<&'a TenantId>,
}

impl<'a> KeyCodec<'a> {
    pub fn new(schema: &'a ModelSchema, tenant: Option<&'a TenantId>) -> Self {
        KeyCodec { schema, tenant }
    }

    /// `[T]#` + the parts joined by `#`, or only the parts when no tenant is
    /// in effect. Built in one allocation: `format!` twice per key was a
    /// visible share of a 100-key batchFind's CPU.
    fn tenant_key(&self, parts: &[&str]) -> String {
        let tenant = self.tenant.map(TenantId::as_str);
        let len =
            tenant.map_or(0, |t| t.len() + 3) + parts.iter().map(|p| p.len() + 1).sum::<usize>();
        let mut key = String::with_capacity(len);
        if let Some(t) = tenant {
            key.push('[');
            key.push_str(t);
            key.push_str("]#");
        }
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('#');
            }
            key.push_str(part);
        }
        key
    }

    /// `_pk` of an item whose partition key is a field: `[T]#<prefix>#<value>`.
    pub fn table_pk(&self, value: &str) -> String {
        self.tenant_key(&[&self.schema.prefix, value])
    }

    /// `{_pk, _sk}` for a parsed primary id (`_getDyKeyForPkSk`).
    ///
    /// Deliberate fix: when the partition key is `modelPrefix` the original
    /// writes `<prefix>` for every tenant (one partition shared by all); here a
    /// tenant in effect makes it `[T]#<prefix>`.
    pub fn table_key(&self, k: &PkSk) -> Result<(String, String)> {
        let sk = || {
            k.sk.clone()
                .ok_or_else(|| Error::validation("SK must be defined for a composite primary key"))
        };
        if self.schema.sk == KeyPart::ModelPrefix {
            Ok((self.table_pk(&k.pk), self.schema.prefix.clone()))
        } else if self.schema.pk == KeyPart::ModelPrefix {
            Ok((self.tenant_key(&[&self.schema.prefix]), sk()?))
        } else {
            Ok((self.table_pk(&k.pk), sk()?))
        }
    }

    /// `_gsiN_pk`: `[T]#<prefix>#<gsiN>#<value>`.
    pub fn gsi_pk(&self, gsi: &str, value: &str) -> String {
        self.tenant_key(&[&self.schema.prefix, gsi, value])
    }

    /// The partition value of an index or of the primary key, for a query.
    pub fn index_partition(&self, index_gsi: Option<&str>, value: &str) -> String {
        match index_gsi {
            Some(g) => self.gsi_pk(g, value),
            None if self.schema.pk == KeyPart::ModelPrefix => {
                self.tenant_key(&[&self.schema.prefix])
            }
            None => self.table_pk(value),
        }
    }

    /// `_iter_pk` for a bucket: `[T]#<prefix>#iter` with one bucket, else `…#iter#NNN`.
    pub fn iter_pk(&self, bucket: u32) -> String {
        if self.schema.buckets() == 1 {
            self.tenant_key(&[&self.schema.prefix, "iter"])
        } else {
            self.tenant_key(&[&self.schema.prefix, "iter", &format!("{bucket:03}")])
        }
    }

    /// `(_iter_pk, _iter_sk)` of an item (spec §3.6).
    pub fn iteration_keys(&self, primary_id: &str) -> (String, String) {
        let bucket = bucket_of(primary_id, self.schema.buckets());
        (self.iter_pk(bucket), primary_id.to_string())
    }

    /// `_pk` (and `uniqueValue`) of a unique-constraint item (spec §3.7).
    pub fn unique_key(&self, constraint_id: &str, field: &str, value: &str) -> String {
        let field_value = format!("{field}:{value}");
        self.tenant_key(&[
            UNIQUE_CONSTRAINT_KEY,
            constraint_id,
            &self.schema.prefix,
            &field_value,
        ])
    }
}

/// Java's `String.hashCode` over UTF-16 code units, then `Math.abs` on a JS
/// number: `i32::MIN` becomes 2147483648 instead of overflowing.
pub fn java_hash(s: &str) -> i64 {
    let mut h: i32 = 0;
    for unit in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(i32::from(unit));
    }
    i64::from(h).abs()
}

/// The iteration bucket of a primary id.
pub fn bucket_of(primary_id: &str, buckets: u32) -> u32 {
    let n = i64::from(buckets.max(1));
    // The remainder is below `buckets`, so it fits.
    u32::try_from(java_hash(primary_id) % n).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // 3.14 is the spec's test value, not π
mod tests {
    use super::*;
    use crate::schema::tests::{all_types, composite, pk_prefix};
    use crate::tenant::{validate_tenant_id, Candidate};
    use serde_json::json;

    fn t1() -> TenantId {
        validate_tenant_id(&Candidate::Text("T1".into())).unwrap()
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn iteration_hash_vectors() {
        let vectors = [
            ("01ARZ3NDEKTSV4RRFFQ69G5FAV", 1771234269, 9, 69, 4),
            ("01M8AY2ADKJKZH6PCRPCTFS89A", 14296988, 8, 88, 3),
            ("alpha##__SK__##00000000000000000007", 828024899, 9, 99, 4),
            ("a", 97, 7, 97, 2),
            ("Ab", 2113, 3, 13, 3),
            ("polygenelubricants", 2147483648, 8, 48, 3),
            ("😀x", 54959989, 9, 89, 4),
        ];
        for (id, hash, m10, m100, m5) in vectors {
            assert_eq!(java_hash(id), hash, "{id}");
            assert_eq!(bucket_of(id, 10), m10, "{id}");
            assert_eq!(bucket_of(id, 100), m100, "{id}");
            assert_eq!(bucket_of(id, 5), m5, "{id}");
        }
    }

    #[test]
    fn to_gsi_per_field_type() {
        use FieldKind::*;
        let cases: Vec<(FieldKind, Option<Value>, &str)> = vec![
            (String, Some(Value::Null), "null"),
            (String, None, "undefined"),
            (String, Some(json!("Hello, World!")), "Hello, World!"),
            (Integer, Some(json!(42)), "00000000000000000042"),
            (Integer, Some(json!(-7)), "000000000000000000-7"),
            (Integer, Some(Value::Null), ""),
            (Float, Some(json!(3.14)), "3.14000000000000012434e+0"),
            (Float, Some(json!(-0.5)), "-5.00000000000000000000e-1"),
            (Boolean, Some(json!(true)), "1"),
            (Boolean, Some(json!(false)), "0"),
            (Boolean, None, ""),
            (
                DateTime,
                Some(json!(1704164645678u64)),
                "00000001704164645678",
            ),
            (DateTime, Some(Value::Null), "0"),
            (DateTime, Some(json!(0)), "0"),
            (Ulid, Some(Value::Null), ""),
            (Ttl, Some(json!(1893456000)), "00000000000001893456"),
        ];
        for (kind, v, want) in &cases {
            assert_eq!(to_gsi(*kind, v.as_ref()).unwrap(), *want, "{kind:?} {v:?}");
        }
        assert!(to_gsi(Binary, Some(&json!("x"))).is_err());
        assert!(to_gsi(StringSet, Some(&json!(["x"]))).is_err());
    }

    #[test]
    fn appendix_b_row_keys() {
        let s = all_types();
        let t = t1();
        let codec = KeyCodec::new(&s, Some(&t));
        let id = "01M8AY2P3GC72ZHYKWVJ75N8PA";
        let dy = obj(json!({"id": id}));
        assert_eq!(primary_id(&s, &dy).unwrap(), id);
        let key = codec
            .table_key(&parse_primary_id(&s, &json!(id)).unwrap())
            .unwrap();
        assert_eq!(key, (format!("[T1]#at#{id}"), "at".to_string()));
        assert_eq!(codec.gsi_pk("gsi1", "null"), "[T1]#at#gsi1#null");
        assert_eq!(codec.gsi_pk("gsi3", "at"), "[T1]#at#gsi3#at");
        assert_eq!(
            codec.iteration_keys(id),
            ("[T1]#at#iter#008".to_string(), id.to_string())
        );
        assert_eq!(
            codec.unique_key("_uc1", "s2", "Uniq Val"),
            "[T1]#_raft_uc#_uc1#at#s2:Uniq Val"
        );
        let untenanted = KeyCodec::new(&s, None);
        assert_eq!(
            untenanted.unique_key("_uc1", "s2", "Uniq Val"),
            "_raft_uc#_uc1#at#s2:Uniq Val"
        );
        assert_eq!(
            untenanted.iteration_keys("01M8AY2ADKJKZH6PCRPCTFS89A").0,
            "at#iter#008"
        );
    }

    #[test]
    fn composite_keys() {
        let s = composite();
        let t = t1();
        let codec = KeyCodec::new(&s, Some(&t));
        let dy = obj(json!({"a": "alpha", "n": 7}));
        let id = primary_id(&s, &dy).unwrap();
        assert_eq!(id, "alpha##__SK__##00000000000000000007");
        let k = parse_primary_id(&s, &json!(id)).unwrap();
        assert_eq!(
            codec.table_key(&k).unwrap(),
            (
                "[T1]#cp#alpha".to_string(),
                "00000000000000000007".to_string()
            )
        );
        assert_eq!(
            codec.iteration_keys(&id),
            ("[T1]#cp#iter".to_string(), id.clone())
        );
        // The object form applies toGsi; the unpadded string form does not.
        assert_eq!(
            parse_primary_id(&s, &json!({"a": "alpha", "n": 7})).unwrap(),
            k
        );
        assert_eq!(parse_primary_id(&s, &json!("alpha")).unwrap().sk, None);
        assert!(codec
            .table_key(&parse_primary_id(&s, &json!("alpha")).unwrap())
            .is_err());
    }

    #[test]
    fn model_prefix_partition_is_tenant_scoped() {
        let s = pk_prefix();
        let t = t1();
        let k = parse_primary_id(&s, &json!("kk")).unwrap();
        assert_eq!(
            KeyCodec::new(&s, Some(&t)).table_key(&k).unwrap(),
            ("[T1]#pp".to_string(), "kk".to_string())
        );
        assert_eq!(
            KeyCodec::new(&s, None).table_key(&k).unwrap(),
            ("pp".to_string(), "kk".to_string())
        );
        assert_eq!(make_primary_id(&s, "pp", "kk"), "kk");
    }

    #[test]
    fn rejects_ids_that_are_not_strings_or_objects() {
        let err = parse_primary_id(&all_types(), &json!(7)).unwrap_err();
        assert_eq!(
            err.message,
            "primaryId must be a string or an object. Got number"
        );
    }

    #[test]
    fn only_the_canonical_spelling_of_an_id_is_written() {
        let canonical = |s: &ModelSchema, id: Value| {
            let k = parse_primary_id(s, &id).unwrap();
            canonical_primary_id(s, &id, &k)
        };
        let (at, cp, pp) = (all_types(), composite(), pk_prefix());
        assert_eq!(canonical(&at, json!("abc")).unwrap(), "abc");
        assert_eq!(
            canonical(&cp, json!("alpha##__SK__##7")).unwrap(),
            "alpha##__SK__##7"
        );
        // An object names the key by field values, stored as the field stores them.
        assert_eq!(
            canonical(&cp, json!({"a": "alpha", "n": 7})).unwrap(),
            "alpha##__SK__##00000000000000000007"
        );
        assert_eq!(canonical(&pp, json!("k1")).unwrap(), "k1");
        for (s, id) in [
            (&at, "abc##__SK__##junk"),
            (&cp, "alpha##__SK__##7##__SK__##x"),
            (&pp, "other##__SK__##k1"),
        ] {
            let err = canonical(s, json!(id)).unwrap_err();
            assert_eq!(err.code, crate::error::ErrorCode::Validation, "{id}");
        }
    }

    #[test]
    fn keys_refuse_objects_and_the_id_separator() {
        assert!(to_gsi(FieldKind::String, Some(&json!({"x": 1}))).is_err());
        assert!(to_gsi(FieldKind::String, Some(&json!(["k"]))).is_err());
        assert_eq!(to_gsi(FieldKind::String, Some(&json!(42))).unwrap(), "42");
        let s = pk_prefix();
        assert!(new_item_key(&s, &obj(json!({"k": "a##__SK__##b"}))).is_err());
        assert_eq!(
            new_item_key(&s, &obj(json!({"k": "a#b"})))
                .unwrap()
                .sk
                .as_deref(),
            Some("a#b")
        );
    }
}
