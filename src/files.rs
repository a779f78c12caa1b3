//! Opening files so that what is opened is what was meant: regular files only, reached
//! without following any symlink below a folder, opened without blocking, and read only up to
//! a bound.
//!
//! A name checked at one moment can be swapped for something else the next (a symlink to a
//! secret, a FIFO that would hang the reader): so the checks are made on the open handle, not
//! on the name. Opening with `O_NONBLOCK` means a FIFO or a device is never waited on, and
//! `fstat` on the handle then refuses it. This module knows nothing of capsules or
//! certificates, and imports nothing else of gemhole's.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{FileType, Mode, OFlags, CWD};
use rustix::io::Errno;

/// A folder held open: files are found below it by name, one component at a time, never
/// through a symlink, and never above it.
#[derive(Debug)]
pub struct Folder {
    fd: OwnedFd,
}

impl Folder {
    /// Opens the folder at `path` (itself found the usual way: a symlinked folder is fine).
    pub fn open(path: &Path) -> io::Result<Folder> {
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Folder { fd })
    }

    /// Opens the regular file at `rel` (`/`-separated, below this folder). Fails when any
    /// component is a symlink, `.` or `..`, or when the file is not a regular one.
    pub fn open_file(&self, rel: &str) -> io::Result<File> {
        let mut parts = rel.split('/').peekable();
        let mut dir: Option<OwnedFd> = None;
        while let Some(part) = parts.next() {
            if part.is_empty() || part == "." || part == ".." {
                return Err(refused(&format!(
                    "{rel:?} is not a plain path below the folder"
                )));
            }
            let at = dir.as_ref().unwrap_or(&self.fd);
            let flags = match parts.peek() {
                Some(_) => OFlags::DIRECTORY,
                None => OFlags::NONBLOCK,
            };
            let flags = flags | OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(at, part, flags, Mode::empty()).map_err(|errno| {
                match errno {
                    // What O_NOFOLLOW answers for a symlink.
                    Errno::LOOP => refused("a symlink, which is not followed here"),
                    errno => io::Error::from(errno),
                }
            })?;
            match parts.peek() {
                Some(_) => dir = Some(fd),
                None => return regular(fd),
            }
        }
        Err(refused("an empty path"))
    }
}

/// Opens the regular file at `path` without blocking (symlinks followed, as an administrator's
/// certificates often are).
pub fn open_regular(path: &Path) -> io::Result<File> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    regular(rustix::fs::openat(CWD, path, flags, Mode::empty())?)
}

/// The handle as a file, if it is a regular one.
fn regular(fd: OwnedFd) -> io::Result<File> {
    let kind = FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode);
    if kind != FileType::RegularFile {
        return Err(refused(&format!(
            "not a regular file but a {}",
            describe(kind)
        )));
    }
    Ok(File::from(fd))
}

/// The error for a file that is there but must not be served: kind `InvalidInput`.
fn refused(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why.to_string())
}

fn describe(kind: FileType) -> &'static str {
    match kind {
        FileType::Directory => "folder",
        FileType::Fifo => "FIFO",
        FileType::Socket => "socket",
        FileType::CharacterDevice | FileType::BlockDevice => "device",
        FileType::Symlink => "symlink",
        _ => "special file",
    }
}

/// Why a file was not read whole.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{len} bytes, more than the {max} allowed")]
    TooLarge { len: u64, max: u64 },
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Reads all of `file` when it holds at most `max` bytes: the size is asked of the handle
/// first, so a huge (or sparse) file costs nothing, and the read itself stops at the bound
/// should the file grow meanwhile.
pub fn read_bounded(file: File, max: u64) -> Result<Vec<u8>, ReadError> {
    let len = file.metadata()?.len();
    if len > max {
        return Err(ReadError::TooLarge { len, max });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            len: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn regular_files_below_the_folder_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "a").unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        symlink(outside.path().join("secret"), dir.path().join("leak")).unwrap();
        symlink(dir.path().join("sub/a.txt"), dir.path().join("alias")).unwrap();
        symlink(outside.path(), dir.path().join("away")).unwrap();
        rustix::fs::mkfifoat(CWD, dir.path().join("fifo"), Mode::from_raw_mode(0o600)).unwrap();

        let folder = Folder::open(dir.path()).unwrap();
        let mut text = String::new();
        folder
            .open_file("sub/a.txt")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "a");
        for refused in [
            "leak",
            "alias",
            "away/secret",
            "fifo",
            "sub",
            "../x",
            "sub/../sub/a.txt",
            "",
        ] {
            assert!(folder.open_file(refused).is_err(), "{refused}");
        }
        // The FIFO is refused at once, with no writer on the other end.
        let err = open_regular(&dir.path().join("fifo")).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        assert!(open_regular(&dir.path().join("alias")).is_ok());
    }

    #[test]
    fn reads_stop_at_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        assert_eq!(
            read_bounded(open_regular(&path).unwrap(), 100)
                .unwrap()
                .len(),
            100
        );
        assert!(matches!(
            read_bounded(open_regular(&path).unwrap(), 99),
            Err(ReadError::TooLarge { len: 100, max: 99 })
        ));
        // A sparse file of a terabyte is refused by its size, not read.
        let sparse = File::create(dir.path().join("sparse")).unwrap();
        sparse.set_len(1 << 40).unwrap();
        assert!(matches!(
            read_bounded(open_regular(&dir.path().join("sparse")).unwrap(), 1 << 20),
            Err(ReadError::TooLarge { .. })
        ));
    }
}
