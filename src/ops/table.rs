//! Table administration: the table DynamoBao's `bao-create-table` followed by
//! `bao-update-table` leaves behind (spec §3.1), created through the same client.

use std::time::Duration;

use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
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

/// Creates the table (if missing) with gsi1..gsi5, `iter_index`,
/// `iter_search_index` and TTL on `ttl`; waits until it is ACTIVE.
pub async fn create_table(db: &Db) -> Result<Value> {
    let table = &db.table;
    if status(db, table).await?.is_some() {
        return Ok(json!({ "created": false, "tableName": table }));
    }
    let mut attrs = vec!["_pk".to_string(), "_sk".to_string()];
    let mut indexes = Vec::new();
    let all = || {
        Projection::builder()
            .projection_type(ProjectionType::All)
            .build()
    };
    for n in 1..=5 {
        let (pk, sk) = (format!("_gsi{n}_pk"), format!("_gsi{n}_sk"));
        indexes.push(gsi(&format!("gsi{n}"), &pk, &sk, all())?);
        attrs.extend([pk, sk]);
    }
    attrs.extend(["_iter_pk".to_string(), "_iter_sk".to_string()]);
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
    let definitions = attrs
        .iter()
        .map(|a| {
            build(
                AttributeDefinition::builder()
                    .attribute_name(a)
                    .attribute_type(ScalarAttributeType::S)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let client = db.client().await;
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(definitions))
        .set_key_schema(Some(key_schema("_pk", "_sk")?))
        .set_global_secondary_indexes(Some(indexes))
        .send()
        .await
        .map_err(sdk_error)?;
    for _ in 0..240 {
        if let Some((TableStatus::Active, true)) = status(db, table).await? {
            client
                .update_time_to_live()
                .table_name(table)
                .time_to_live_specification(build(
                    TimeToLiveSpecification::builder()
                        .attribute_name("ttl")
                        .enabled(true)
                        .build(),
                )?)
                .send()
                .await
                .map_err(sdk_error)?;
            return Ok(json!({ "created": true, "tableName": table }));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(Error::internal(format!(
        "table {table} did not become ACTIVE within 60 s"
    )))
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
