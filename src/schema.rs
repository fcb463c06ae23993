//! The model registry: what the core knows about a model class. The JS layer
//! describes each class once (`BaoModel` statics, spec §5.1) as JSON; the core
//! resolves field names to positions so the hot paths never look names up twice.

use std::collections::HashMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::search_text::SearchConfig;

/// The placeholder DynamoBao accepts instead of a field name in key configs.
pub const MODEL_PREFIX: &str = "modelPrefix";

/// Storage behaviour of a field, one per built-in DynamoBao field class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldKind {
    String,
    Ulid,
    Related,
    Integer,
    Float,
    Counter,
    Boolean,
    DateTime,
    CreateDate,
    ModifiedDate,
    Ttl,
    Version,
    Binary,
    StringSet,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub kind: FieldKind,
}

/// One side of a key: the model prefix itself, or a declared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPart {
    ModelPrefix,
    Field(usize),
}

#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: String,
    pub pk: KeyPart,
    pub sk: KeyPart,
    /// `gsi1`..`gsi5`; `None` for a query name given to the primary key.
    pub gsi: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UniqueDef {
    pub name: String,
    pub field: usize,
    pub constraint_id: String,
}

#[derive(Debug, Clone)]
pub struct ModelSchema {
    /// The JS class name (model identity in DynamoBao).
    pub name: String,
    pub prefix: String,
    pub fields: Vec<FieldDef>,
    by_name: HashMap<String, usize>,
    pub pk: KeyPart,
    pub sk: KeyPart,
    pub indexes: Vec<IndexDef>,
    pub uniques: Vec<UniqueDef>,
    pub iterable: bool,
    pub iteration_buckets: u32,
    /// Present when the model is searchable: how `_searchText` is built.
    pub search: Option<SearchConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSearch {
    fields: Vec<String>,
    #[serde(default)]
    case_sensitive: bool,
    min_term_length: Option<usize>,
    #[serde(default)]
    dedupe: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawField {
    name: String,
    kind: FieldKind,
}

#[derive(Deserialize)]
struct RawKey {
    pk: String,
    sk: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIndex {
    name: String,
    pk: Option<String>,
    sk: Option<String>,
    index_id: Option<String>,
    #[serde(default)]
    primary_key: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUnique {
    name: String,
    field: String,
    constraint_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSchema {
    name: String,
    prefix: Option<String>,
    fields: Vec<RawField>,
    primary_key: Option<RawKey>,
    #[serde(default)]
    indexes: Vec<RawIndex>,
    #[serde(default)]
    unique_constraints: Vec<RawUnique>,
    #[serde(default)]
    iterable: bool,
    iteration_buckets: Option<u32>,
    /// Only sent for searchable models.
    search_config: Option<RawSearch>,
}

const GSI_IDS: [&str; 5] = ["gsi1", "gsi2", "gsi3", "gsi4", "gsi5"];
const UNIQUE_IDS: [&str; 3] = ["_uc1", "_uc2", "_uc3"];

impl ModelSchema {
    /// Builds a schema from the JS layer's description, with DynamoBao's
    /// configuration messages (spec §5.1) for what cannot work.
    pub fn from_json(json: &str) -> Result<ModelSchema> {
        let raw: RawSchema = serde_json::from_str(json)?;
        let model = raw.name;
        let prefix = match raw.prefix {
            Some(p) if !p.is_empty() => p,
            _ => {
                return Err(Error::configuration(format!(
                    "{model} must define a modelPrefix"
                )))
            }
        };
        // `#` separates a key's parts and `[`/`]` delimit the tenant: with them
        // in a prefix, model `u#x` with id `y` and model `u` with id `x#y` share
        // a key. Control characters would be invisible in keys and policies.
        if prefix.contains(['#', '[', ']']) || prefix.chars().any(char::is_control) {
            return Err(Error::configuration(format!(
                "{model}'s modelPrefix {prefix:?} may not contain '#', '[', ']' or control characters"
            )));
        }
        let mut by_name = HashMap::new();
        let mut fields = Vec::with_capacity(raw.fields.len());
        for (i, f) in raw.fields.into_iter().enumerate() {
            if f.name.starts_with('_') {
                return Err(Error::configuration(format!(
                    "Field name '{}' in {model} cannot start with underscore",
                    f.name
                )));
            }
            by_name.insert(f.name.clone(), i);
            fields.push(FieldDef {
                name: f.name,
                kind: f.kind,
            });
        }
        let part = |name: &str| -> Result<KeyPart> {
            if name == MODEL_PREFIX {
                return Ok(KeyPart::ModelPrefix);
            }
            by_name
                .get(name)
                .map(|i| KeyPart::Field(*i))
                .ok_or_else(|| {
                    Error::configuration(format!("Field {name} not found in {model} fields"))
                })
        };
        let key = raw
            .primary_key
            .ok_or_else(|| Error::configuration(format!("{model} must define a primaryKey")))?;
        let pk = part(&key.pk)?;
        let sk = part(key.sk.as_deref().unwrap_or(MODEL_PREFIX))?;
        let mut indexes = Vec::new();
        for ix in raw.indexes {
            if ix.primary_key {
                indexes.push(IndexDef {
                    name: ix.name,
                    pk,
                    sk,
                    gsi: None,
                });
                continue;
            }
            let id = ix.index_id.unwrap_or_default();
            if !GSI_IDS.contains(&id.as_str()) {
                return Err(Error::configuration(format!(
                    "Invalid index ID {id} in {model}"
                )));
            }
            // Two indexes on one GSI would both write its key attributes: every
            // save would then fail at DynamoDB ("Two document paths overlap").
            if let Some(other) = indexes
                .iter()
                .find(|o: &&IndexDef| o.gsi.as_deref() == Some(&id))
            {
                return Err(Error::configuration(format!(
                    "Indexes '{}' and '{}' in {model} both use index ID {id}",
                    other.name, ix.name
                )));
            }
            let ipk = part(ix.pk.as_deref().unwrap_or(MODEL_PREFIX))?;
            let isk = part(ix.sk.as_deref().unwrap_or(MODEL_PREFIX))?;
            for (p, role) in [(ipk, "partition key"), (isk, "sort key")] {
                if let KeyPart::Field(i) = p {
                    if fields[i].kind == FieldKind::StringSet {
                        return Err(Error::configuration(format!(
                            "StringSetField '{}' cannot be used as {role} in index '{}' in {model}",
                            fields[i].name, ix.name
                        )));
                    }
                }
            }
            indexes.push(IndexDef {
                name: ix.name,
                pk: ipk,
                sk: isk,
                gsi: Some(id),
            });
        }
        let mut uniques = Vec::new();
        for u in raw.unique_constraints {
            if !UNIQUE_IDS.contains(&u.constraint_id.as_str()) {
                return Err(Error::configuration(format!(
                    "Invalid constraint ID {} in {model}",
                    u.constraint_id
                )));
            }
            let field = match part(&u.field)? {
                KeyPart::Field(i) => i,
                KeyPart::ModelPrefix => {
                    return Err(Error::configuration(format!(
                        "Field {} not found in {model} fields",
                        u.field
                    )))
                }
            };
            uniques.push(UniqueDef {
                name: u.name,
                field,
                constraint_id: u.constraint_id,
            });
        }
        let iteration_buckets = raw.iteration_buckets.unwrap_or(100);
        if raw.iterable && !(1..=1000).contains(&iteration_buckets) {
            return Err(Error::configuration(format!(
                "iterationBuckets must be an integer between 1 and 1000 in {model}"
            )));
        }
        let search = match raw.search_config {
            Some(sc) => {
                if sc.fields.is_empty() {
                    return Err(Error::configuration(format!(
                        "{model} `searchConfig.fields` must be a non-empty array."
                    )));
                }
                if let Some(f) = sc.fields.iter().find(|f| !by_name.contains_key(*f)) {
                    return Err(Error::configuration(format!(
                        "{model} `searchConfig.fields` references \"{f}\" but that field is not defined on the model."
                    )));
                }
                Some(SearchConfig {
                    fields: sc.fields,
                    case_sensitive: sc.case_sensitive,
                    min_term_length: sc.min_term_length.unwrap_or(1),
                    dedupe: sc.dedupe,
                })
            }
            None => None,
        };
        Ok(ModelSchema {
            name: model,
            prefix,
            fields,
            by_name,
            pk,
            sk,
            indexes,
            uniques,
            iterable: raw.iterable,
            iteration_buckets,
            search,
        })
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.field_index(name).map(|i| &self.fields[i])
    }

    pub fn index(&self, name: &str) -> Option<&IndexDef> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The name a key part reads its value from in an item (`None` for the prefix).
    pub fn part_name(&self, part: KeyPart) -> Option<&str> {
        match part {
            KeyPart::ModelPrefix => None,
            KeyPart::Field(i) => Some(&self.fields[i].name),
        }
    }

    /// How many iteration buckets keys are spread over (DynamoBao's `getIterationBuckets`).
    pub fn buckets(&self) -> u32 {
        if self.iterable {
            self.iteration_buckets
        } else {
            1
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The spec's Appendix B model, restricted to keys and indexes.
    pub fn all_types() -> ModelSchema {
        ModelSchema::from_json(
            r#"{"name":"AllTypes","prefix":"at",
            "fields":[{"name":"id","kind":"ulid"},{"name":"s","kind":"string"},{"name":"s2","kind":"string"},
              {"name":"i","kind":"integer"},{"name":"f","kind":"float"},{"name":"b","kind":"boolean"},
              {"name":"dt","kind":"dateTime"}],
            "primaryKey":{"pk":"id"},
            "indexes":[{"name":"byS","pk":"s","sk":"dt","indexId":"gsi1"},
                       {"name":"byI","pk":"i","sk":"f","indexId":"gsi2"},
                       {"name":"byB","pk":"modelPrefix","sk":"b","indexId":"gsi3"}],
            "uniqueConstraints":[{"name":"uniqueS2","field":"s2","constraintId":"_uc1"}],
            "iterable":true,"iterationBuckets":10}"#,
        )
        .unwrap()
    }

    pub fn composite() -> ModelSchema {
        ModelSchema::from_json(
            r#"{"name":"Comp","prefix":"cp","fields":[{"name":"a","kind":"string"},{"name":"n","kind":"integer"}],
            "primaryKey":{"pk":"a","sk":"n"},"iterable":true,"iterationBuckets":1}"#,
        )
        .unwrap()
    }

    pub fn pk_prefix() -> ModelSchema {
        ModelSchema::from_json(
            r#"{"name":"PkPrefix","prefix":"pp","fields":[{"name":"k","kind":"string"}],
            "primaryKey":{"pk":"modelPrefix","sk":"k"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn resolves_names() {
        let s = all_types();
        assert_eq!(s.pk, KeyPart::Field(0));
        assert_eq!(s.sk, KeyPart::ModelPrefix);
        assert_eq!(s.index("byB").unwrap().pk, KeyPart::ModelPrefix);
        assert_eq!(s.uniques[0].field, 2);
        assert_eq!(s.buckets(), 10);
    }

    #[test]
    fn rejects_broken_models_with_the_original_messages() {
        let cases = [
            (
                r#"{"name":"M","fields":[],"primaryKey":{"pk":"id"}}"#,
                "M must define a modelPrefix",
            ),
            (
                r#"{"name":"M","prefix":"m","fields":[]}"#,
                "M must define a primaryKey",
            ),
            (
                r#"{"name":"M","prefix":"m","fields":[],"primaryKey":{"pk":"id"}}"#,
                "Field id not found in M fields",
            ),
            (
                r#"{"name":"M","prefix":"m","fields":[{"name":"_x","kind":"string"}],"primaryKey":{"pk":"_x"}}"#,
                "Field name '_x' in M cannot start with underscore",
            ),
            (
                r#"{"name":"M","prefix":"m","fields":[{"name":"a","kind":"string"}],"primaryKey":{"pk":"a"},
               "indexes":[{"name":"x","pk":"a","sk":"a","indexId":"gsi9"}]}"#,
                "Invalid index ID gsi9 in M",
            ),
            (
                r#"{"name":"M","prefix":"m","fields":[{"name":"a","kind":"string"},{"name":"t","kind":"stringSet"}],
               "primaryKey":{"pk":"a"},"indexes":[{"name":"x","pk":"t","sk":"a","indexId":"gsi1"}]}"#,
                "StringSetField 't' cannot be used as partition key in index 'x' in M",
            ),
            (
                r#"{"name":"M","prefix":"u#x","fields":[{"name":"a","kind":"string"}],"primaryKey":{"pk":"a"}}"#,
                "M's modelPrefix \"u#x\" may not contain '#', '[', ']' or control characters",
            ),
            (
                r#"{"name":"M","prefix":"m","fields":[{"name":"a","kind":"string"},{"name":"b","kind":"string"}],
               "primaryKey":{"pk":"a"},"indexes":[{"name":"x","pk":"a","sk":"b","indexId":"gsi1"},
                                                  {"name":"y","pk":"b","sk":"a","indexId":"gsi1"}]}"#,
                "Indexes 'x' and 'y' in M both use index ID gsi1",
            ),
        ];
        for (json, msg) in cases {
            let err = ModelSchema::from_json(json).unwrap_err();
            assert_eq!(err.message, msg);
        }
    }
}
