//! Table administration: the table DynamoBao's `bao-create-table` followed by
//! `bao-update-table` leaves behind (spec §3.1), created through the same client.

use std::time::Duration;

use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndex,
    GlobalSecondaryIndexUpdate, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use serde_json::{json, Value};

use crate::db::{sdk_error, Db};
use crate::error::{Error, Result};

fn build<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| Error::internal(e.to_string()))
}

fn key_schema(pk: &str, sk: &str) -> Result<Vec<KeySchemaElement>> {
    Ok(vec![
        build(
            KeySchemaElement::builder()
                .attribute_name(pk)
                .key_type(KeyType::Hash)
                .build(),
        )?,
        build(
            KeySchemaElement::builder()
                .attribute_name(sk)
                .key_type(KeyType::Range)
                .build(),
        )?,
    ])
}

fn gsi(name: &str, pk: &str, sk: &str, projection: Projection) -> Result<GlobalSecondaryIndex> {
    build(
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .set_key_schema(Some(key_schema(pk, sk)?))
            .projection(projection)
            .build(),
    )
}

/// The table's status, or `None` when it does not exist.
async fn status(db: &Db, table: &str) -> Result<Option<(TableStatus, bool)>> {
    match db
        .client()
        .await
        .describe_table()
        .table_name(table)
        .send()
        .await
    {
        Ok(out) => Ok(out.table().map(|t| {
            let indexes_active = t
                .global_secondary_indexes()
                .iter()
                .all(|g| g.index_status().is_none_or(|s| s.as_str() == "ACTIVE"));
            (
                t.table_status().cloned().unwrap_or(TableStatus::Creating),
                indexes_active,
            )
        })),
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(DescribeTableError::ResourceNotFoundException(_))
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(sdk_error(e)),
    }
}

/// The GSIs DynamoBao's table tools create, in order: `gsi1`..`gsi5` (ALL),
/// `iter_index` (KEYS_ONLY), `iter_search_index` (INCLUDE `_searchText`).
fn expected_indexes() -> Result<Vec<GlobalSecondaryIndex>> {
    let all = || {
        Projection::builder()
            .projection_type(ProjectionType::All)
            .build()
    };
    let mut indexes = Vec::new();
    for n in 1..=5 {
        indexes.push(gsi(
            &format!("gsi{n}"),
            &format!("_gsi{n}_pk"),
            &format!("_gsi{n}_sk"),
            all(),
        )?);
    }
    indexes.push(gsi(
        "iter_index",
        "_iter_pk",
        "_iter_sk",
        Projection::builder()
            .projection_type(ProjectionType::KeysOnly)
            .build(),
    )?);
    indexes.push(gsi(
        "iter_search_index",
        "_iter_pk",
        "_iter_sk",
        Projection::builder()
            .projection_type(ProjectionType::Include)
            .non_key_attributes("_searchText")
            .build(),
    )?);
    Ok(indexes)
}

fn string_attribute(name: &str) -> Result<AttributeDefinition> {
    build(
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build(),
    )
}

/// The key attributes of an index, as attribute definitions.
fn key_attributes(index: &GlobalSecondaryIndex) -> Result<Vec<AttributeDefinition>> {
    index
        .key_schema()
        .iter()
        .map(|k| string_attribute(k.attribute_name()))
        .collect()
}

/// Creates the table (if missing) with gsi1..gsi5, `iter_index`,
/// `iter_search_index` and TTL on `ttl`; waits until it is ACTIVE.
pub async fn create_table(db: &Db) -> Result<Value> {
    let table = &db.table;
    if status(db, table).await?.is_some() {
        return Ok(json!({ "created": false, "tableName": table }));
    }
    let indexes = expected_indexes()?;
    let mut definitions = vec![string_attribute("_pk")?, string_attribute("_sk")?];
    for ix in &indexes {
        for a in key_attributes(ix)? {
            if !definitions
                .iter()
                .any(|d| d.attribute_name() == a.attribute_name())
            {
                definitions.push(a);
            }
        }
    }
    db.client()
        .await
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(definitions))
        .set_key_schema(Some(key_schema("_pk", "_sk")?))
        .set_global_secondary_indexes(Some(indexes))
        .send()
        .await
        .map_err(sdk_error)?;
    wait_active(db).await?;
    enable_ttl(db).await?;
    Ok(json!({ "created": true, "tableName": table }))
}

/// Waits until the table and all its indexes are ACTIVE.
async fn wait_active(db: &Db) -> Result<()> {
    for _ in 0..1200 {
        if let Some((TableStatus::Active, true)) = status(db, &db.table).await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(Error::internal(format!(
        "table {} did not become ACTIVE within 5 minutes",
        db.table
    )))
}

/// Turns TTL on for `ttl` unless it is on (or changing); `true` when it changed something.
async fn enable_ttl(db: &Db) -> Result<bool> {
    let client = db.client().await;
    let current = client
        .describe_time_to_live()
        .table_name(&db.table)
        .send()
        .await
        .map_err(sdk_error)?;
    let status = current
        .time_to_live_description()
        .and_then(|d| d.time_to_live_status())
        .map(|s| s.as_str().to_string());
    if matches!(
        status.as_deref(),
        Some("ENABLED" | "ENABLING" | "DISABLING")
    ) {
        return Ok(false);
    }
    client
        .update_time_to_live()
        .table_name(&db.table)
        .time_to_live_specification(build(
            TimeToLiveSpecification::builder()
                .attribute_name("ttl")
                .enabled(true)
                .build(),
        )?)
        .send()
        .await
        .map_err(sdk_error)?;
    Ok(true)
}

/// `bao-update-table`: adds the missing GSIs (one UpdateTable each, waiting
/// for each to become ACTIVE) and enables TTL; idempotent.
pub async fn update_table(db: &Db) -> Result<Value> {
    let client = db.client().await;
    let described = match client.describe_table().table_name(&db.table).send().await {
        Ok(d) => d,
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(DescribeTableError::ResourceNotFoundException(_))
            ) =>
        {
            return Err(Error::configuration(format!(
                "Table '{}' not found. Please run bao-init to create it first.",
                db.table
            )))
        }
        Err(e) => return Err(sdk_error(e)),
    };
    let existing: Vec<String> = described
        .table()
        .map(|t| {
            t.global_secondary_indexes()
                .iter()
                .filter_map(|g| g.index_name().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut added = Vec::new();
    for ix in expected_indexes()? {
        let name = ix.index_name().to_string();
        if existing.contains(&name) {
            continue;
        }
        let create = build(
            CreateGlobalSecondaryIndexAction::builder()
                .index_name(&name)
                .set_key_schema(Some(ix.key_schema().to_vec()))
                .set_projection(ix.projection().cloned())
                .build(),
        )?;
        client
            .update_table()
            .table_name(&db.table)
            .set_attribute_definitions(Some(key_attributes(&ix)?))
            .global_secondary_index_updates(
                GlobalSecondaryIndexUpdate::builder().create(create).build(),
            )
            .send()
            .await
            .map_err(sdk_error)?;
        wait_active(db).await?;
        added.push(name);
    }
    let ttl_enabled = enable_ttl(db).await?;
    Ok(json!({ "tableName": db.table, "addedIndexes": added, "ttlEnabled": ttl_enabled }))
}

/// Deletes the table if it exists.
pub async fn delete_table(db: &Db) -> Result<Value> {
    if status(db, &db.table).await?.is_none() {
        return Ok(json!({ "deleted": false, "tableName": db.table }));
    }
    db.client()
        .await
        .delete_table()
        .table_name(&db.table)
        .send()
        .await
        .map_err(sdk_error)?;
    Ok(json!({ "deleted": true, "tableName": db.table }))
}
