//! The notifiers' tests that change process-wide environment variables, in a
//! binary of their own: nothing else in the process reads the environment
//! while they write it, and [`lock_env`] runs them one at a time.

mod template_env;
mod template_s3_from_env;

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Held for the whole of a test that sets or removes environment variables.
fn lock_env() -> MutexGuard<'static, ()> {
    static ENV: Mutex<()> = Mutex::new(());
    ENV.lock().unwrap_or_else(PoisonError::into_inner)
}
