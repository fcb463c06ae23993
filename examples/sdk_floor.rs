//! The client CPU aws-sdk-rust itself needs for the benchmark's requests:
//! the same DynamoDB requests `npm run bench` makes (GetItem, the create's
//! conditional UpdateItem, the update's GetItem then UpdateItem, a 20-item
//! Query page, a 100-key BatchGetItem),
//! sent by a client built exactly as the package builds it
//! (`client::build_client`), with no Node, no napi and no modeling work.
//! What is left between this floor and the package's figures is the cost of
//! everything else; the floor itself only changes with the SDK.
//!
//! Run by `npm run bench:floor` (bench/sdk-floor.js), which starts DynamoDB
//! Local and creates the table. Environment: ENDPOINT, TABLE, REGION,
//! FLOOR_QUICK=1 (few operations). Prints one JSON line per phase.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_dynamodb::types::{
    AttributeValue as Av, KeysAndAttributes, ReturnConsumedCapacity, ReturnValue,
};
use aws_sdk_dynamodb::Client;
use dynamo_bao_native::client::{build_client, ClientConfig};

const TENANT: &str = "[floor]";
const SEED: usize = 2000;
const GROUPS: usize = 20;

type Item = HashMap<String, Av>;

/// CPU time of this process (all threads) in µs, from /proc (10 ms ticks).
fn cpu_us() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, r)| r.split(' ').collect())
        .unwrap_or_default();
    let tick = |i: usize| {
        rest.get(i)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) * 10_000.0
}

fn id_of(i: usize) -> String {
    format!("01FLOOR{i:019}")
}

fn key(prefix: &str, id: &str) -> Item {
    HashMap::from([
        ("_pk".to_string(), Av::S(format!("{TENANT}#{prefix}#{id}"))),
        ("_sk".to_string(), Av::S(prefix.to_string())),
    ])
}

/// The attributes the package writes for a bench item, as SET clauses.
fn fields(prefix: &str, id: &str, i: usize) -> Vec<(&'static str, Av)> {
    let now = "1795691721904".to_string();
    vec![
        ("itemId", Av::S(id.to_string())),
        ("group", Av::S(format!("g{}", i % GROUPS))),
        ("name", Av::S(format!("item-{i}"))),
        ("count", Av::N(i.to_string())),
        ("active", Av::Bool(i.is_multiple_of(2))),
        ("createdAt", Av::N(now.clone())),
        ("modifiedAt", Av::N(now.clone())),
        (
            "_gsi1_pk",
            Av::S(format!("{TENANT}#{prefix}#gsi1#g{}", i % GROUPS)),
        ),
        ("_gsi1_sk", Av::S(now)),
        (
            "_iter_pk",
            Av::S(format!("{TENANT}#{prefix}#iter#{:03}", i % 10)),
        ),
        ("_iter_sk", Av::S(id.to_string())),
    ]
}

/// As the package creates: PutItem of the whole item, if its key is absent.
async fn create(c: &Client, table: &str, prefix: &str, id: &str, i: usize) {
    let mut item = key(prefix, id);
    item.extend(
        fields(prefix, id, i)
            .into_iter()
            .map(|(name, v)| (name.to_string(), v)),
    );
    let out = c
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", "_pk")
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    if let Err(e) = out {
        panic!("create {id}: {e:?}");
    }
}

async fn run_op(c: &Client, table: &str, op: &str, i: usize, run: usize) -> usize {
    let seeded = |k: usize| id_of(k % SEED);
    match op {
        "find" => {
            let out = c
                .get_item()
                .table_name(table)
                .set_key(Some(key("br", &seeded(i * 7))))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await;
            usize::from(out.map(|o| o.item.is_some()).unwrap_or(false))
        }
        "create" => {
            let id = format!("01FLOORW{run:04}{i:014}");
            create(c, table, "bw", &id, i).await;
            1
        }
        // As the package and DynamoBao do: read the item, then update it.
        "update" => {
            let k = (i * 13) % SEED;
            let id = id_of(k);
            let found = c
                .get_item()
                .table_name(table)
                .set_key(Some(key("br", &id)))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map(|o| o.item.is_some())
                .unwrap_or(false);
            if !found {
                return 0;
            }
            let out = c
                .update_item()
                .table_name(table)
                .set_key(Some(key("br", &id)))
                .update_expression("SET #n0 = :v0, #n1 = :v1, #n2 = :v2, #n3 = :v3, #n4 = :v4")
                .expression_attribute_names("#n0", "name")
                .expression_attribute_names("#n1", "count")
                .expression_attribute_names("#n2", "modifiedAt")
                .expression_attribute_names("#n3", "_iter_pk")
                .expression_attribute_names("#n4", "_iter_sk")
                .expression_attribute_values(":v0", Av::S(format!("upd-{i}")))
                .expression_attribute_values(":v1", Av::N(i.to_string()))
                .expression_attribute_values(":v2", Av::N("1795691721905".into()))
                .expression_attribute_values(
                    ":v3",
                    Av::S(format!("{TENANT}#br#iter#{:03}", k % 10)),
                )
                .expression_attribute_values(":v4", Av::S(id))
                .return_values(ReturnValue::AllNew)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await;
            usize::from(out.is_ok())
        }
        "query" => c
            .query()
            .table_name(table)
            .index_name("gsi1")
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "_gsi1_pk")
            .expression_attribute_values(":pk", Av::S(format!("{TENANT}#br#gsi1#g{}", i % GROUPS)))
            .limit(20)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map(|o| o.items().len())
            .unwrap_or(0),
        "batchFind" => {
            let keys: Vec<Item> = (0..100).map(|k| key("br", &seeded(i * 100 + k))).collect();
            let request = KeysAndAttributes::builder().set_keys(Some(keys)).build();
            let Ok(request) = request else { return 0 };
            c.batch_get_item()
                .request_items(table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .ok()
                .and_then(|o| o.responses.and_then(|mut r| r.remove(table)))
                .map(|v| v.len())
                .unwrap_or(0)
        }
        _ => 0,
    }
}

/// One phase: `op` at concurrency `conc`; `tag` keeps created ids unique.
struct Phase {
    op: &'static str,
    conc: usize,
    expect: usize,
    tag: usize,
}

impl Phase {
    /// Runs `count` operations (items shifted by `offset`): CPU µs per op, ops/s, wrong answers.
    async fn run(
        &self,
        client: &Arc<Client>,
        table: &Arc<String>,
        count: usize,
        offset: usize,
    ) -> (f64, f64, usize) {
        let next = Arc::new(AtomicUsize::new(0));
        let wrong = Arc::new(AtomicUsize::new(0));
        let cpu0 = cpu_us();
        let t0 = Instant::now();
        let workers: Vec<_> = (0..self.conc.min(count))
            .map(|_| {
                let (c, t, next, wrong) =
                    (client.clone(), table.clone(), next.clone(), wrong.clone());
                let (op, expect, tag) = (self.op, self.expect, self.tag + offset);
                tokio::spawn(Box::pin(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break;
                        }
                        if run_op(&c, &t, op, i + offset, tag).await != expect {
                            wrong.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }))
            })
            .collect();
        for w in workers {
            let _ = w.await;
        }
        let wall = t0.elapsed().as_secs_f64();
        (
            (cpu_us() - cpu0) / count as f64,
            count as f64 / wall,
            wrong.load(Ordering::Relaxed),
        )
    }
}

fn main() {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let table = env("TABLE", "bao-bench");
    let quick = std::env::var("FLOOR_QUICK").as_deref() == Ok("1");
    let cfg = ClientConfig {
        region: Some(env("REGION", "us-west-2")),
        endpoint: std::env::var("ENDPOINT").ok(),
        ..Default::default()
    };
    // As many workers as the package's runtime (napi-rs: one per core).
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    };
    rt.block_on(async move {
        let client = Arc::new(build_client(&cfg, Default::default()).await);
        let table = Arc::new(table);
        // Seed the items the reads touch, 32 at a time.
        let next = Arc::new(AtomicUsize::new(0));
        let seeders: Vec<_> = (0..32)
            .map(|_| {
                let (c, t, next) = (client.clone(), table.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= SEED {
                            break;
                        }
                        let id = id_of(i);
                        create(&c, &t, "br", &id, i).await;
                    }
                })
            })
            .collect();
        for s in seeders {
            let _ = s.await;
        }
        let phases: [(&'static str, [usize; 2], usize); 5] = [
            ("create", [300, 3000], 1),
            ("find", [300, 3000], 1),
            ("update", [300, 3000], 1),
            ("query", [300, 3000], 20),
            ("batchFind", [30, 192], 100),
        ];
        // A first pass warms DynamoDB Local's JIT as the bench's seeding and
        // earlier runs do; only the second is reported.
        for report in [false, true] {
            for (run, (op, counts, expect)) in phases.into_iter().enumerate() {
                for (k, conc) in [1usize, 64].into_iter().enumerate() {
                    let n = if quick { counts[k].min(64) } else { counts[k] };
                    let tag = run * 2 + k + usize::from(report) * 1000;
                    let ops = Phase { op, conc, expect, tag };
                    // Warm-up on other items, then the measured operations.
                    ops.run(&client, &table, (n / 10).max(conc), n * 3 + 11).await;
                    let (cpu, rate, wrong) = ops.run(&client, &table, n, 0).await;
                    if report {
                        println!(
                            "{{\"op\":\"{op}\",\"conc\":{conc},\"ops\":{n},\"cpuPerOpUs\":{cpu:.1},\"opsPerSec\":{rate:.1},\"wrong\":{wrong}}}"
                        );
                    }
                }
            }
        }
    });
}
