//! `NativeDb`: one configured table. Every data operation resolves the
//! tenant synchronously on the JS thread (resolvers are JS functions), then
//! runs on the shared tokio runtime and resolves to a JSON envelope.

use std::future::Future;
use std::sync::Arc;

use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;
use serde_json::Value;

use super::completion::spawn_answer;
use super::model::NativeModel;
use super::tenant_scope::TenantScope;
use super::{envelope, to_napi};
use crate::credentials::TenantCredentials;
use crate::db::Db;
use crate::error::{ErrorCode, Result};
use crate::ops::{self, raw, OpScope};
use crate::schema::ModelSchema;
use crate::tenant::{effective_tenant, validate_tenant_id, Candidate, TenantId};

#[napi]
pub struct NativeDb {
    db: Arc<Db>,
}

/// What a spawned operation owns.
struct Job {
    db: Arc<Db>,
    schema: Arc<ModelSchema>,
    tenant: Result<Option<TenantId>>,
    payload: String,
}

impl Job {
    fn scope(&self) -> Result<OpScope<'_>> {
        // Without a table every request would fail inside the SDK, which
        // reads as a network error.
        if self.db.table.is_empty() {
            return Err(crate::error::Error::configuration(
                "No table name is configured: pass db: { tableName } to initModels (or set TABLE_NAME)",
            ));
        }
        Ok(OpScope {
            db: &self.db,
            schema: &self.schema,
            tenant: self.tenant.clone()?,
        })
    }
}

#[napi]
impl NativeDb {
    /// Throws with code `CONFIGURATION` or `INVALID_TENANT_ID` for a config that cannot work.
    #[napi(constructor)]
    pub fn new(config_json: String) -> napi::Result<Self, ErrorCode> {
        Ok(NativeDb {
            db: Arc::new(Db::from_json(&config_json).map_err(to_napi)?),
        })
    }

    #[napi(getter)]
    pub fn table_name(&self) -> String {
        self.db.table.clone()
    }

    fn job(
        &self,
        env: &Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<Job> {
        Ok(Job {
            db: self.db.clone(),
            schema: model.schema.clone(),
            tenant: self.tenant_of(env, scope, &als)?,
            payload,
        })
    }

    /// The tenant a data operation runs as: resolved from the AsyncLocalStorage
    /// value, the fallback (unless `tenancy.strict`) and the resolvers, then
    /// validated. The outer error is a resolver's exception.
    fn tenant_of(
        &self,
        env: &Env,
        scope: &TenantScope,
        als: &Unknown,
    ) -> napi::Result<Result<Option<TenantId>>> {
        let candidate = scope.resolve(env, als, !self.db.tenancy.strict)?;
        Ok(effective_tenant(&self.db.tenancy, &candidate))
    }

    /// Whether the raw seam confines `operation` to the tenant: data
    /// operations, with tenancy enabled.
    fn confines(&self, operation: &str) -> bool {
        self.db.tenancy.enabled
            && !matches!(
                operation,
                "DescribeTable" | "ListTables" | "DescribeTimeToLive" | "UpdateTimeToLive"
            )
    }

    /// Resolves the tenant now, on the JS thread, then runs `op` on the runtime.
    #[allow(clippy::too_many_arguments)]
    fn run<'env, Fut, T>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
        op: impl FnOnce(Job) -> Fut,
    ) -> napi::Result<PromiseRaw<'env, String>>
    where
        Fut: Future<Output = Result<T>> + Send + 'static,
        T: Into<crate::ops::Reply>,
    {
        let mut job = self.job(env, scope, als, model, payload)?;
        // A tenant without usable credentials gets the signal at once, with
        // nothing sent, so the JS layer can fetch them and run `op` again.
        if let Ok(tenant) = &job.tenant {
            if let Err(e) = self.db.check_credentials(tenant.as_ref()) {
                job.tenant = Err(e);
            }
        }
        // An operation's future is 12-14 KB; boxed, spawning it moves a
        // pointer instead of copying the future (a third of the per-call cost).
        let future = Box::pin(op(job));
        spawn_answer(env, future)
    }

    /// The tenant a data operation with these arguments runs as, resolved and
    /// validated as the operation itself does (`rawOperation`: the raw seam's
    /// DynamoDB operation, which control operations and disabled tenancy run
    /// without one). `null` when it runs without a tenant or would fail for
    /// want of a valid one; a resolver's exception is thrown. The debug
    /// request log names this tenant and hands it to the operation, so
    /// resolvers that name a tenant run once per call.
    #[napi]
    pub fn operation_tenant(
        &self,
        env: Env,
        scope: &TenantScope,
        als: Unknown,
        raw_operation: Option<String>,
    ) -> napi::Result<Option<String>> {
        if raw_operation.is_some_and(|op| !self.confines(&op)) {
            return Ok(None);
        }
        let tenant = self.tenant_of(&env, scope, &als)?;
        Ok(tenant.ok().flatten().map(|t| t.as_str().to_string()))
    }

    /// The refusal, as a message, of a read made through an instance read
    /// with `loadedPk` (its related objects) as the tenant these arguments
    /// resolve to; `null` when that tenant is the instance's, or when there
    /// is none (the read itself then fails for want of one). A resolver's
    /// exception is thrown.
    #[napi]
    pub fn instance_tenant_mismatch(
        &self,
        env: Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        loaded_pk: String,
        what: String,
    ) -> napi::Result<Option<String>> {
        let Ok(tenant) = self.tenant_of(&env, scope, &als)? else {
            return Ok(None);
        };
        Ok(
            ops::check_loaded_tenant(&model.schema.name, tenant.as_ref(), &loaded_pk, &what)
                .err()
                .map(|e| e.message),
        )
    }

    /// `find(primaryId)`; payload: the id as JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn find<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let id: Value = serde_json::from_str(&job.payload)?;
            ops::get::find(&job.scope()?, &id).await
        })
    }

    /// `create` / `update` / `save`; payload: a `SaveRequest`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn save<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let req = serde_json::from_str(&job.payload)?;
            ops::save::save(&job.scope()?, req).await
        })
    }

    /// `delete(primaryId, {condition})`; payload: a `DeleteRequest`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn delete<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let req = serde_json::from_str(&job.payload)?;
            ops::delete::delete(&job.scope()?, req).await
        })
    }

    /// `queryByIndex` / `queryByPrimaryKey`; payload: a `QueryRequest`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn query<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let req = serde_json::from_str(&job.payload)?;
            ops::query::query(&job.scope()?, req).await
        })
    }

    /// `Model.count(filter?)`; payload: the dy filter as JSON (`null` for none).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn count<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let filter: Value = serde_json::from_str(&job.payload)?;
            ops::count::count(&job.scope()?, Some(&filter).filter(|f| !f.is_null())).await
        })
    }

    /// `findByUniqueConstraint(name, value)`; payload: a `UniqueLookup`.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn find_by_unique<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let req = serde_json::from_str(&job.payload)?;
            ops::unique::find_by_unique(&job.scope()?, req).await
        })
    }

    /// `batchFind(ids)`; payload: the ids as a JSON array.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn batch_find<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.run(env, scope, als, model, payload, |job| async move {
            let ids: Vec<Value> = serde_json::from_str(&job.payload)?;
            ops::batch_get::batch_find(&job.scope()?, &ids).await
        })
    }

    /// The document-form Query of one iteration or search page (nothing is
    /// sent); payload: a `QueryPlan`. Answers a JSON envelope synchronously.
    #[napi]
    pub fn iteration_query(
        &self,
        env: Env,
        scope: &TenantScope,
        als: Unknown,
        model: &NativeModel,
        payload: String,
    ) -> napi::Result<String> {
        let job = self.job(&env, scope, als, model, payload)?;
        Ok(envelope((|| {
            let plan = serde_json::from_str(&job.payload)?;
            ops::iterate::build_query(&job.scope()?, &plan)
        })()))
    }

    /// `documentClient.send(command)`: one DynamoDB request in its JSON shape.
    /// `wire` selects DynamoDB JSON values instead of document values. Data
    /// operations run as the resolved tenant when tenancy is enabled.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn send<'env>(
        &self,
        env: &'env Env,
        scope: &TenantScope,
        als: Unknown,
        operation: String,
        wire: bool,
        input: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let tenant = if self.confines(&operation) {
            self.tenant_of(env, scope, &als)?
        } else {
            Ok(None)
        };
        let tenant = tenant.and_then(|t| {
            self.db.check_credentials(t.as_ref())?;
            Ok(t)
        });
        let db = self.db.clone();
        spawn_answer(env, async move {
            let tenant = tenant?;
            let input: Value = serde_json::from_str(&input)?;
            let form = if wire {
                raw::Form::Wire
            } else {
                raw::Form::Document
            };
            let confine = raw::Confinement {
                tenant: tenant.as_ref(),
            };
            raw::send(&db, &confine, &operation, form, &input).await
        })
    }

    /// Stores `tenancy.credentials(tenantId)`'s answer (normalised JSON) for
    /// `tenant_id`. Throws `INVALID_TENANT_ID`, `VALIDATION` or `CONFIGURATION`.
    #[napi]
    pub fn set_tenant_credentials(
        &self,
        tenant_id: String,
        credentials_json: String,
    ) -> napi::Result<(), ErrorCode> {
        let cache = self.db.credentials.as_ref().ok_or_else(|| {
            to_napi(crate::error::Error::configuration(
                "tenancy.credentials is not configured",
            ))
        })?;
        let tenant = validate_tenant_id(&Candidate::Text(tenant_id)).map_err(to_napi)?;
        let creds = TenantCredentials::from_json(&credentials_json).map_err(to_napi)?;
        cache.set(&tenant, creds);
        Ok(())
    }

    /// Requests, attempts, retries, throttled attempts and failures of this
    /// configuration's client, as JSON.
    #[napi]
    pub fn stats(&self) -> String {
        self.db.stats().to_string()
    }

    /// Creates the DynamoBao table layout if the table is missing.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn create_table<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let db = self.db.clone();
        spawn_answer(env, async move { ops::table::create_table(&db).await })
    }

    /// Adds the missing GSIs and enables TTL (`bao-update-table`).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn update_table<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let db = self.db.clone();
        spawn_answer(env, async move { ops::table::update_table(&db).await })
    }

    /// One page of `bao-audit-keys`; `startKey` is the previous page's
    /// `lastEvaluatedKey` as JSON (or none).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn audit_page<'env>(
        &self,
        env: &'env Env,
        start_key: Option<String>,
        limit: Option<i32>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let db = self.db.clone();
        spawn_answer(env, async move {
            let start: Option<serde_json::Map<String, Value>> =
                start_key.map(|k| serde_json::from_str(&k)).transpose()?;
            ops::audit::scan_page(&db, start.as_ref(), limit).await
        })
    }

    /// Deletes the table if it exists.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn delete_table<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let db = self.db.clone();
        spawn_answer(env, async move { ops::table::delete_table(&db).await })
    }
}
