//! dynamo-bao-native: the Rust core of a drop-in replacement for DynamoBao.
//!
//! Core modules never use napi; `binding` (feature `node`) is the only place
//! that does: it converts arguments, calls the core and maps errors.

pub mod client;
pub mod credentials;
pub mod cursor;
pub mod db;
pub mod error;
pub mod expr;
#[doc(hidden)]
pub mod fuzzing;
pub mod jsnum;
pub mod keys;
pub mod marshal;
pub mod ops;
pub mod request_stats;
pub mod response_body;
pub mod schema;
pub mod search_text;
pub mod tenant;
pub mod wire;
pub mod wire_reader;

#[cfg(feature = "node")]
mod binding;

/// The addon's allocator: the SDK allocates many small, short-lived buffers
/// on several threads, which glibc's malloc serves slower and with more
/// retained memory (measured with `npm run bench`). Version 2 of mimalloc
/// (see Cargo.toml for why not 3).
#[cfg(feature = "node")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
