//! The process's tokio runtime, which napi-rs runs every operation on.
//!
//! On a machine with at most 2 CPUs it gets one worker thread instead of one
//! per CPU. Each operation hands work from the JS thread to a worker and
//! back; with a second worker, tasks of one request (the request and hyper's
//! connection) also wake each other across workers. On a 2-vCPU VM, where a
//! thread woken on an idle CPU costs about 15 µs, one worker cut the workers'
//! sleeps per create from 3.3 to 1.8 and the client CPU of a create at
//! concurrency 64 by about a fifth (`npm run bench`-style A/B, README
//! "Performance"). The second worker would only share those CPUs with the JS
//! thread. Larger machines keep tokio's default, which leaves room for more
//! SDK work than one thread can do, and `TOKIO_WORKER_THREADS`, which tokio
//! reads, still decides when it is set.

use std::sync::Once;

use napi_derive::module_init;

/// At most this many CPUs get the single worker.
const SMALL_MACHINE_CPUS: usize = 2;

#[module_init]
fn init_runtime() {
    // Node may load the addon once per worker_threads environment; the
    // runtime is per process.
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TOKIO_WORKER_THREADS").is_some() {
            return;
        }
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpus > SMALL_MACHINE_CPUS {
            return;
        }
        // If the runtime cannot be built here, napi-rs builds its default one on first use.
        if let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
        {
            napi::bindgen_prelude::create_custom_tokio_runtime(rt);
        }
    });
}
