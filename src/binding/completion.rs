//! How an async operation's promise is settled: one threadsafe function per
//! JS thread carries every operation's answer back, instead of one per call.
//!
//! napi-rs's `spawn_future` creates a threadsafe function for each promise.
//! Each one is an async resource (an `init` and a `destroy` async hook, which
//! AsyncLocalStorage keeps enabled), a libuv async handle opened and closed,
//! and an environment cleanup hook added and removed; and libuv visits every
//! open async handle on each wakeup, so every wakeup of the JS thread scanned
//! as many handles as there were operations in flight. With one shared
//! function, answers that arrive together are settled in one wakeup.
//!
//! Liveness is kept as before: while an operation is in flight the shared
//! function holds the event loop open (as each per-call function did), and
//! when none is, it does not, so a process with nothing else to do exits.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::ptr;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use napi::bindgen_prelude::PromiseRaw;
use napi::{check_status, sys, Env};

use super::envelope;
use crate::error::Error;

/// The shared threadsafe function, as foreign threads see it: `None` once
/// the environment is being torn down, after which it must not be called
/// (Node frees it during teardown).
#[derive(Clone)]
struct Sender(Arc<Mutex<Option<Tsfn>>>);

#[derive(Clone, Copy)]
struct Tsfn(sys::napi_threadsafe_function);

// A threadsafe function is made to be called from any thread.
unsafe impl Send for Tsfn {}

/// An operation's promise, to be settled on the JS thread that made it.
struct Deferred(sys::napi_deferred);

// Carried by the operation's task, but only used on its JS thread (in `settle`).
unsafe impl Send for Deferred {}

/// One settled operation, queued to the JS thread.
struct Answer {
    deferred: Deferred,
    json: String,
}

/// This JS thread's dispatcher.
struct Dispatcher {
    tsfn: Tsfn,
    sender: Sender,
    /// Operations in flight: the loop is held open while this is above zero.
    pending: Cell<usize>,
}

thread_local! {
    static DISPATCHER: RefCell<Option<Dispatcher>> = const { RefCell::new(None) };
}

/// Spawns `fut` on the runtime and returns the promise its result, as an
/// [`envelope`], settles. A panic inside `fut` resolves the promise with an
/// `INTERNAL` error envelope rather than leaving it pending.
pub(crate) fn spawn_answer<'env, T, Fut>(
    env: &'env Env,
    fut: Fut,
) -> napi::Result<PromiseRaw<'env, String>>
where
    T: Into<crate::ops::Reply>,
    Fut: Future<Output = crate::error::Result<T>> + Send + 'static,
{
    let raw_env = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    check_status!(
        unsafe { sys::napi_create_promise(raw_env, &mut deferred, &mut promise) },
        "creating an operation's promise failed"
    )?;
    let sender = start_operation(raw_env)?;
    let deferred = Deferred(deferred);
    napi::bindgen_prelude::spawn(async move {
        let json = envelope(
            AssertUnwindSafe(fut)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    Err(Error::internal(
                        "the operation panicked; nothing more is known",
                    ))
                }),
        );
        send(&sender, Answer { deferred, json });
    });
    Ok(PromiseRaw::new(raw_env, promise))
}

/// Queues `answer` for the JS thread, or drops it when the environment is
/// gone (its promise can no longer be observed).
fn send(sender: &Sender, answer: Answer) {
    // Held across the call, so that teardown waits for a call in progress.
    // Nothing panics while it is held; a poisoned lock still holds the truth.
    let slot = sender.0.lock().unwrap_or_else(|e| e.into_inner());
    let Some(tsfn) = *slot else { return };
    let data = Box::into_raw(Box::new(answer));
    let status = unsafe {
        sys::napi_call_threadsafe_function(
            tsfn.0,
            data.cast(),
            sys::ThreadsafeFunctionCallMode::nonblocking,
        )
    };
    if status != sys::Status::napi_ok {
        // Not queued: the answer is still ours to free.
        drop(unsafe { Box::from_raw(data) });
    }
}

/// Counts one more operation in flight on this thread, holding the event
/// loop open from the first, and returns where its answer goes. The shared
/// function is created on first use.
fn start_operation(env: sys::napi_env) -> napi::Result<Sender> {
    DISPATCHER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let d = match slot.as_mut() {
            Some(d) => d,
            None => slot.insert(create(env)?),
        };
        let n = d.pending.get();
        if n == 0 {
            unsafe { sys::napi_ref_threadsafe_function(env, d.tsfn.0) };
        }
        d.pending.set(n + 1);
        Ok(d.sender.clone())
    })
}

fn create(env: sys::napi_env) -> napi::Result<Dispatcher> {
    // Tokio's threads outlive any one environment; keep the image mapped for them.
    napi::bindgen_prelude::retain_current_module_for_unload_safety();
    let (status, name) = unsafe { js_string(env, "dynamo-bao-native operation") };
    check_status!(status, "naming the completion function failed")?;
    let mut raw = ptr::null_mut();
    check_status!(
        unsafe {
            sys::napi_create_threadsafe_function(
                env,
                ptr::null_mut(),
                ptr::null_mut(),
                name,
                0,
                1,
                ptr::null_mut(),
                None,
                ptr::null_mut(),
                Some(settle),
                &mut raw,
            )
        },
        "creating the completion function failed"
    )?;
    let tsfn = Tsfn(raw);
    // Idle until the first operation: an unused addon must not keep Node running.
    check_status!(
        unsafe { sys::napi_unref_threadsafe_function(env, raw) },
        "releasing the event loop failed"
    )?;
    let sender = Sender(Arc::new(Mutex::new(Some(tsfn))));
    // Registered after the function, so it runs before Node's own teardown
    // of it (cleanup hooks run in reverse order): no thread calls it after.
    let hook = Box::into_raw(Box::new(sender.clone()));
    let status = unsafe { sys::napi_add_env_cleanup_hook(env, Some(teardown), hook.cast()) };
    if status != sys::Status::napi_ok {
        drop(unsafe { Box::from_raw(hook) });
        unsafe {
            sys::napi_release_threadsafe_function(raw, sys::ThreadsafeFunctionReleaseMode::abort)
        };
        return Err(napi::Error::from_reason(
            "registering the completion teardown failed",
        ));
    }
    Ok(Dispatcher {
        tsfn,
        sender,
        pending: Cell::new(0),
    })
}

/// One operation fewer in flight on this thread.
fn release_loop(env: sys::napi_env) {
    // `try_`: this runs inside an extern "C" callback, where a panic must not start.
    let _ = DISPATCHER.try_with(|cell| {
        if let Some(d) = cell.try_borrow().ok().as_ref().and_then(|d| d.as_ref()) {
            let n = d.pending.get().saturating_sub(1);
            d.pending.set(n);
            if n == 0 {
                unsafe { sys::napi_unref_threadsafe_function(env, d.tsfn.0) };
            }
        }
    });
}

/// Runs on the JS thread for each queued answer; `env` is null when the
/// function is being torn down and only the answer is to be freed.
unsafe extern "C" fn settle(
    env: sys::napi_env,
    _: sys::napi_value,
    _: *mut c_void,
    data: *mut c_void,
) {
    if data.is_null() {
        return;
    }
    let answer = unsafe { Box::from_raw(data.cast::<Answer>()) };
    if env.is_null() {
        return;
    }
    release_loop(env);
    let (created, value) = unsafe { js_string(env, &answer.json) };
    if created == sys::Status::napi_ok {
        unsafe { sys::napi_resolve_deferred(env, answer.deferred.0, value) };
    } else {
        // Out of memory for the string: reject with whatever error JS can still make.
        let text = "dynamo-bao-native: the operation's answer could not be handed to JavaScript";
        let mut error = ptr::null_mut();
        unsafe {
            let (_, message) = js_string(env, text);
            sys::napi_create_error(env, ptr::null_mut(), message, &mut error);
            sys::napi_reject_deferred(env, answer.deferred.0, error);
        }
    }
}

/// A JS string of `text`, with the call's status.
///
/// # Safety
/// `env` must be the current thread's live environment.
unsafe fn js_string(env: sys::napi_env, text: &str) -> (sys::napi_status, sys::napi_value) {
    let mut value = ptr::null_mut();
    let status = unsafe {
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut value)
    };
    (status, value)
}

/// The environment is going away: no foreign thread may call the function
/// again, and this thread forgets it.
unsafe extern "C" fn teardown(arg: *mut c_void) {
    let sender = unsafe { Box::from_raw(arg.cast::<Sender>()) };
    *sender.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let _ = DISPATCHER.try_with(|cell| {
        if let Ok(mut d) = cell.try_borrow_mut() {
            *d = None;
        }
    });
}
