//! Watching a folder (the content, the certificates) and acting when it changes.
//!
//! The watch is registered before the folder is first read, so nothing saved in between is
//! missed. Changes are debounced: a burst of events (an editor saving, `git pull`, `rsync`)
//! becomes one reload once the folder has been quiet for [`QUIET`], or after [`MOST_DELAY`] at
//! the latest. The reload runs off the async threads; for the content it builds a snapshot and
//! swaps it in atomically, so requests are answered from the old one until then. Where the
//! system cannot watch (no inotify, a limit reached) that is logged once and serving goes on;
//! SIGHUP still forces a reload.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long the folder must stay quiet before a rescan.
pub const QUIET: Duration = Duration::from_millis(250);

/// The longest a rescan waits for a busy folder to go quiet.
pub const MOST_DELAY: Duration = Duration::from_secs(1);

/// A registered watch on a folder and the changes it has seen.
pub struct FolderWatch {
    /// Dropping it ends the watch.
    _watcher: RecommendedWatcher,
    /// One message means "something changed since the last rescan"; more would say no more.
    changes: mpsc::Receiver<()>,
}

impl FolderWatch {
    /// Starts watching `folder` and everything below it, or says why it cannot (logged here,
    /// once).
    pub fn start(folder: &Path) -> Option<FolderWatch> {
        let (changed, changes) = mpsc::channel::<()>(1);
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                if !matches!(event.kind, EventKind::Access(_)) {
                    let _ = changed.try_send(());
                }
            }
        })
        .and_then(|mut watcher| {
            watcher.watch(folder, RecursiveMode::Recursive)?;
            Ok(watcher)
        });
        match watcher {
            Ok(watcher) => Some(FolderWatch {
                _watcher: watcher,
                changes,
            }),
            Err(err) => {
                tracing::warn!(
                    "cannot watch {} for changes ({err}); send SIGHUP to pick up edits",
                    folder.display()
                );
                None
            }
        }
    }

    /// Calls `reload` after each burst of changes, for as long as the watch lives (the
    /// caller ends it by dropping the future).
    pub async fn follow(mut self, reload: impl Fn() + Send + Sync + 'static) {
        let reload = Arc::new(reload);
        while self.changes.recv().await.is_some() {
            let first = Instant::now();
            loop {
                let deadline = (Instant::now() + QUIET).min(first + MOST_DELAY);
                tokio::select! {
                    () = tokio::time::sleep_until(deadline) => break,
                    change = self.changes.recv() => if change.is_none() { return },
                }
            }
            let reload = reload.clone();
            let _ = tokio::task::spawn_blocking(move || reload()).await;
        }
    }
}
