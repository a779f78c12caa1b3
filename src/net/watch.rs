//! Watching a folder (the content, the certificates) by its path, and acting when it changes.
//!
//! The watch is registered before the folder is first read, so nothing saved in between is
//! missed. It follows the configured path, not the folder that path named at start: an atomic
//! deploy renames another folder into place (`mv capsule.next capsule`) or flips a symlink
//! (`ln -sfn releases/v2 capsule`), and the edits made after it must show too. So the path's
//! parent folder is watched as well, on its own (not below), which sees the path itself
//! renamed, replaced or linked anew; and before each reload the path is looked up again: when
//! it leads to another folder (device and inode, symlinks followed) than the one watched, the
//! watch moves there, and the rescan that follows reads it. A path missing for a moment keeps
//! its old watch until the next change. Events about the parent's other entries are dropped
//! before they count, so they neither cause a reload nor hold one back. A swap further up (a
//! symlinked ancestor flipped) is out of sight: SIGHUP asks the watch, through [`Reattach`], to
//! attach itself afresh before it reloads.
//!
//! Changes are debounced: a burst of events (an editor saving, `git pull`, `rsync`) becomes one
//! reload once the folder has been quiet for [`QUIET`], or after [`MOST_DELAY`] at the latest.
//! The reload runs off the async threads; for the content it builds a snapshot and swaps it in
//! atomically, so requests are answered from the old one until then. Where the system cannot
//! watch (no inotify, a limit reached) that is logged once and serving goes on; SIGHUP still
//! forces a reload.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long the folder must stay quiet before a rescan.
pub const QUIET: Duration = Duration::from_millis(250);

/// The longest a rescan waits for a busy folder to go quiet.
pub const MOST_DELAY: Duration = Duration::from_secs(1);

/// What a burst of events told the watch, for the reload that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    /// Every change was reported.
    Changes,
    /// The system dropped events (its queue overflowed): anything below the folder may have
    /// changed, unseen.
    EventsLost,
}

/// A registered watch on a folder's path and the changes it has seen.
pub struct FolderWatch {
    /// The watcher and what it holds. Dropping the last strong reference ends the watch;
    /// [`Reattach`] handles hold weak ones.
    attachment: Arc<Mutex<Attachment>>,
    /// One message means "something changed since the last rescan"; more would say no more.
    changes: mpsc::Receiver<()>,
}

/// A way to ask a [`FolderWatch`], from outside the loop that follows it, to watch afresh
/// whatever its path leads to now: SIGHUP's "look again", for the swaps the watch cannot see.
/// Does nothing once the watch has ended.
#[derive(Clone)]
pub struct Reattach(Weak<Mutex<Attachment>>);

/// The watcher and the two paths it holds.
struct Attachment {
    watcher: RecommendedWatcher,
    /// The configured path, watched with everything below it.
    folder: WatchedPath,
    /// The folder that holds it, watched on its own: that is where the configured path itself
    /// is renamed, replaced or linked anew. None for a root, or when it could not be watched.
    parent: Option<WatchedPath>,
    /// What the watcher's handler noted since the last look.
    flags: Flags,
}

/// A path, how it is watched, and which folder it led to when it was watched.
struct WatchedPath {
    path: PathBuf,
    mode: RecursiveMode,
    /// Recorded whether the watch then worked or not: a folder that cannot be watched is
    /// reported once, not at every change.
    leads_to: FolderId,
}

/// A folder as the file system knows it, whichever path leads there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FolderId {
    device: u64,
    inode: u64,
}

/// Why a path is not followed.
#[derive(Debug, thiserror::Error)]
enum Unfollowed {
    /// It leads nowhere now (removed, or between the two renames of a swap).
    #[error("cannot look it up: {0}")]
    Missing(io::Error),
    #[error("{0}")]
    Unwatchable(#[from] notify::Error),
}

impl FolderWatch {
    /// Starts watching `folder`, everything below it, and the folder that holds it; or says
    /// why it cannot (logged here, once).
    pub fn start(folder: &Path) -> Option<FolderWatch> {
        let (changed, changes) = mpsc::channel::<()>(1);
        match Attachment::start(folder, changed) {
            Ok(attachment) => Some(FolderWatch {
                attachment: Arc::new(Mutex::new(attachment)),
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

    /// A handle that makes this watch attach itself afresh, for as long as it lives.
    pub fn reattacher(&self) -> Reattach {
        Reattach(Arc::downgrade(&self.attachment))
    }

    /// Calls `reload` after each burst of changes, with what the burst told, for as long as
    /// the watch lives (the caller ends it by dropping the future). Before each reload the
    /// watch follows its path to the folder it leads to now, so the reload reads what will be
    /// watched from then on.
    pub async fn follow(mut self, reload: impl Fn(News) + Send + Sync + 'static) {
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
            let (attachment, reload) = (self.attachment.clone(), reload.clone());
            let _ = tokio::task::spawn_blocking(move || {
                let news = lock(&attachment).follow_path(false);
                reload(news);
            })
            .await;
        }
    }
}

impl Reattach {
    /// Watches afresh the folder the path leads to now, and its parent, dropping the old
    /// watches. Blocks while the folder is walked: call it off the async workers.
    pub fn reattach(&self) {
        if let Some(attachment) = self.0.upgrade() {
            lock(&attachment).follow_path(true);
        }
    }
}

fn lock(attachment: &Mutex<Attachment>) -> MutexGuard<'_, Attachment> {
    attachment.lock().unwrap_or_else(|e| e.into_inner())
}

impl Attachment {
    /// Watches the parent of `folder`, then `folder` itself: a swap between the two is seen
    /// by the parent's watch.
    fn start(folder: &Path, changed: mpsc::Sender<()>) -> Result<Attachment, Unfollowed> {
        let path = std::path::absolute(folder).map_err(Unfollowed::Missing)?;
        let flags = Flags::default();
        let mut watcher =
            notify::recommended_watcher(on_event(path.clone(), flags.clone(), changed))?;
        let parent = path.parent().and_then(|parent| {
            WatchedPath::start(
                &mut watcher,
                parent.to_path_buf(),
                RecursiveMode::NonRecursive,
            )
            .inspect_err(|err| warn_parent_unwatched(parent, &path, err))
            .ok()
        });
        let folder = WatchedPath::start(&mut watcher, path, RecursiveMode::Recursive)?;
        Ok(Attachment {
            watcher,
            folder,
            parent,
            flags,
        })
    }

    /// Moves each watch to the folder its path leads to now, when that is another one than
    /// before (or in any case, when `afresh`); says whether events were lost since the last
    /// look.
    fn follow_path(&mut self, afresh: bool) -> News {
        let news = match self.flags.events_lost.swap(false, Ordering::Relaxed) {
            true => News::EventsLost,
            false => News::Changes,
        };
        let path_changed = self.flags.path_changed.swap(false, Ordering::Relaxed);
        if let Some(parent) = &mut self.parent {
            if let Err(err) = parent.follow(&mut self.watcher, afresh) {
                warn_parent_unwatched(&parent.path, &self.folder.path, &err);
            }
        }
        let followed = self
            .folder
            .follow(&mut self.watcher, afresh || path_changed);
        let folder = &self.folder.path;
        match followed {
            Ok(false) => {}
            Ok(true) => tracing::info!(
                "{} leads to another folder now; watching that one",
                folder.display()
            ),
            Err(err @ Unfollowed::Missing(_)) => {
                // Not looked at yet: still to be watched afresh at the next look.
                if path_changed {
                    self.flags.path_changed.store(true, Ordering::Relaxed);
                }
                tracing::warn!(
                    "{}: {err}; looking again at the next change",
                    folder.display()
                );
            }
            Err(err @ Unfollowed::Unwatchable(_)) => tracing::warn!(
                "cannot watch {} for changes ({err}); send SIGHUP to pick up edits",
                folder.display()
            ),
        }
        news
    }
}

fn warn_parent_unwatched(parent: &Path, folder: &Path, err: &Unfollowed) {
    tracing::warn!(
        "cannot watch {} ({err}); a swap of {} is seen only after SIGHUP",
        parent.display(),
        folder.display()
    );
}

impl WatchedPath {
    fn start(
        watcher: &mut RecommendedWatcher,
        path: PathBuf,
        mode: RecursiveMode,
    ) -> Result<WatchedPath, Unfollowed> {
        let leads_to = FolderId::of(&path).map_err(Unfollowed::Missing)?;
        watcher.watch(&path, mode)?;
        Ok(WatchedPath {
            path,
            mode,
            leads_to,
        })
    }

    /// Looks the path up again and, when it leads to another folder than before (or in any
    /// case, when `afresh`), moves the watch there; says whether it was another folder. The
    /// lookup comes before the watch is made, so a swap in between shows as a difference at
    /// the next look instead of passing for a match.
    fn follow(
        &mut self,
        watcher: &mut RecommendedWatcher,
        afresh: bool,
    ) -> Result<bool, Unfollowed> {
        let now = FolderId::of(&self.path).map_err(Unfollowed::Missing)?;
        let moved = now != self.leads_to;
        if moved || afresh {
            self.leads_to = now;
            // Gone already when the watcher saw the path renamed or removed.
            let _ = watcher.unwatch(&self.path);
            watcher.watch(&self.path, self.mode)?;
        }
        Ok(moved)
    }
}

impl FolderId {
    /// The folder `path` leads to now, symlinks followed.
    fn of(path: &Path) -> io::Result<FolderId> {
        let metadata = std::fs::metadata(path)?;
        Ok(FolderId {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }
}

/// What the watcher's handler notes of the events, shared with the loop that follows it.
#[derive(Clone, Default)]
struct Flags {
    /// Set by an event about the configured path itself (renamed, removed, made): the watcher
    /// drops its watch below a path it sees renamed or removed, so the path is watched afresh
    /// even when it leads to the same folder again.
    path_changed: Arc<AtomicBool>,
    /// Set when the system said it dropped events.
    events_lost: Arc<AtomicBool>,
}

/// What the watcher does with each event, on its own thread: it passes on news of the folder
/// at `path` and notes when the path itself changed and when events were lost.
fn on_event(
    path: PathBuf,
    flags: Flags,
    changed: mpsc::Sender<()>,
) -> impl FnMut(notify::Result<Event>) + Send + 'static {
    move |event| {
        let Ok(event) = event else {
            // The watcher could not read its events: some may be gone.
            flags.events_lost.store(true, Ordering::Relaxed);
            let _ = changed.try_send(());
            return;
        };
        if !concerns(&event, &path) {
            return;
        }
        if event.need_rescan() {
            flags.events_lost.store(true, Ordering::Relaxed);
        }
        if event.paths.contains(&path) {
            flags.path_changed.store(true, Ordering::Relaxed);
        }
        let _ = changed.try_send(());
    }
}

/// Whether `event` is news of the folder at `path`: a change to the path itself or below it,
/// or word that events were lost. Reads are no news, nor are the parent folder's other
/// entries (`capsule.next` being written, a log file beside the capsule).
fn concerns(event: &Event, path: &Path) -> bool {
    !matches!(event.kind, EventKind::Access(_))
        && (event.need_rescan() || event.paths.iter().any(|p| p.starts_with(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, Flag, ModifyKind, RenameMode};

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn news_is_of_the_path_and_below_it_only() {
        let path = Path::new("/srv/capsule");
        let created = EventKind::Create(CreateKind::File);
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert!(concerns(&event(created, "/srv/capsule/posts/a.md"), path));
        assert!(concerns(&event(renamed, "/srv/capsule"), path));
        assert!(!concerns(&event(renamed, "/srv/capsule.next"), path));
        assert!(!concerns(&event(created, "/srv/capsule.log"), path));
        assert!(!concerns(&event(created, "/srv/certs/cert.pem"), path));
        assert!(!concerns(&event(renamed, "/srv"), path));
        let opened = EventKind::Access(AccessKind::Any);
        assert!(!concerns(&event(opened, "/srv/capsule/posts/a.md"), path));
        let lost = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert!(concerns(&lost, path));
    }

    #[tokio::test]
    async fn lost_events_are_told_to_the_next_reload_only() {
        let dir = tempfile::tempdir().unwrap();
        let watch = FolderWatch::start(dir.path()).unwrap();
        let flags = lock(&watch.attachment).flags.clone();
        // The watcher's own handler, given what the system says.
        let (changed, mut changes) = mpsc::channel(1);
        let mut handle = on_event(dir.path().to_path_buf(), flags, changed);
        handle(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)));
        assert!(changes.try_recv().is_ok(), "a lost event is news");
        assert_eq!(lock(&watch.attachment).follow_path(false), News::EventsLost);
        assert_eq!(lock(&watch.attachment).follow_path(false), News::Changes);
        handle(Err(notify::Error::generic("queue overflow")));
        assert_eq!(lock(&watch.attachment).follow_path(false), News::EventsLost);
    }

    /// Waits a while for a change to be reported.
    async fn changed(watch: &mut FolderWatch) -> bool {
        tokio::time::timeout(Duration::from_secs(5), watch.changes.recv())
            .await
            .is_ok()
    }

    /// Lets the events of what was just done arrive, then forgets them.
    async fn settle(watch: &mut FolderWatch) {
        tokio::time::sleep(QUIET).await;
        while watch.changes.try_recv().is_ok() {}
    }

    #[tokio::test]
    async fn a_symlink_made_anew_to_the_same_folder_stays_watched() {
        let dir = tempfile::tempdir().unwrap();
        let release = dir.path().join("v1");
        std::fs::create_dir(&release).unwrap();
        let link = dir.path().join("capsule");
        std::os::unix::fs::symlink(&release, &link).unwrap();
        let mut watch = FolderWatch::start(&link).unwrap();

        // `ln -sfn`: the old link removed, a new one made, leading to the same folder.
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&release, &link).unwrap();
        assert!(changed(&mut watch).await);
        settle(&mut watch).await;
        lock(&watch.attachment).follow_path(false);

        std::fs::write(release.join("new.md"), "# New\n").unwrap();
        assert!(changed(&mut watch).await, "the folder is no longer watched");
    }

    #[tokio::test]
    async fn reattach_follows_a_swap_above_the_parent() {
        let dir = tempfile::tempdir().unwrap();
        for release in ["v1", "v2"] {
            std::fs::create_dir_all(dir.path().join(release).join("capsule")).unwrap();
        }
        let current = dir.path().join("current");
        std::os::unix::fs::symlink("v1", &current).unwrap();
        let mut watch = FolderWatch::start(&current.join("capsule")).unwrap();
        let reattach = watch.reattacher();

        std::fs::remove_file(&current).unwrap();
        std::os::unix::fs::symlink("v2", &current).unwrap();
        reattach.reattach();
        settle(&mut watch).await;

        std::fs::write(dir.path().join("v2/capsule/new.md"), "# New\n").unwrap();
        assert!(changed(&mut watch).await, "the new folder is not watched");
        drop(watch);
        reattach.reattach();
    }
}
