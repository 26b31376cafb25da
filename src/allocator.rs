//! The allocator's settings that must be in place before the process allocates.
//!
//! mimalloc keeps memory a thread freed resident until that same thread calls into the
//! allocator again after its purge delay (10 ms). A blocking thread that verified a password
//! (argon2 allocates 19 MiB per hash) and then sat idle kept those pages: four logins left
//! the server at 118 MB instead of 50, and the visit load that followed peaked at 85-115 MB
//! instead of 58-78 (docs/performance.md, round 6). With `MIMALLOC_PURGE_DELAY=0` freed
//! memory goes back to the system at once. mimalloc reads the option from the environment
//! when it starts, before `main`, and sets no other way without `unsafe`; so when it is
//! unset, the process runs itself again, once, with it set (same pid, arguments and
//! environment). An operator's own value is kept.

use std::os::unix::process::CommandExt;

const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// Returns only when the option is already set, or the process could not run itself again
/// (then it goes on with mimalloc's default, and says so).
pub fn purge_freed_memory_at_once() {
    if std::env::var_os(PURGE_DELAY).is_some() {
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return warn(&error),
    };
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(PURGE_DELAY, "0")
        .exec();
    warn(&error);
}

fn warn(error: &std::io::Error) {
    eprintln!(
        "warning: {PURGE_DELAY} not set ({error}); freed memory is returned to the system late"
    );
}
