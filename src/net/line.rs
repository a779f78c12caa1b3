//! The one request line a Gemini or Gopher connection carries, read with a hard bound: at most
//! `max` bytes of line plus its line end are ever read, whatever the client sends.
//!
//! What counts as a proper line end is the protocol's call: Gemini wants CRLF, Gopher takes a
//! bare LF, or the connection's end after a selector. The reader says which it saw.

use tokio::io::{AsyncRead, AsyncReadExt};

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    CrLf,
    Lf,
    /// The client stopped sending (half-closed) after some bytes.
    Eof,
}

/// A line without its line end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub bytes: Vec<u8>,
    pub end: LineEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("the line is longer than allowed")]
    TooLong,
    #[error("the connection closed before a line was sent")]
    Closed,
    #[error("the connection failed while the line was read")]
    Unreadable,
}

/// Reads one line of at most `max` bytes (line end not counted).
pub async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> Result<Line, LineError> {
    let mut buffer = vec![0u8; max + 2];
    let mut filled = 0;
    loop {
        let Some(room) = buffer.get_mut(filled..).filter(|room| !room.is_empty()) else {
            return Err(LineError::TooLong);
        };
        let read = reader.read(room).await.map_err(|_| LineError::Unreadable)?;
        if read == 0 {
            return match filled {
                0 => Err(LineError::Closed),
                n if n > max => Err(LineError::TooLong),
                n => {
                    buffer.truncate(n);
                    Ok(Line {
                        bytes: buffer,
                        end: LineEnd::Eof,
                    })
                }
            };
        }
        let start = filled;
        filled += read;
        if let Some(offset) = buffer[start..filled].iter().position(|&b| b == b'\n') {
            let mut len = start + offset;
            let end = match len > 0 && buffer[len - 1] == b'\r' {
                true => {
                    len -= 1;
                    LineEnd::CrLf
                }
                false => LineEnd::Lf,
            };
            if len > max {
                return Err(LineError::TooLong);
            }
            buffer.truncate(len);
            return Ok(Line { bytes: buffer, end });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(bytes: &[u8], max: usize) -> Result<Line, LineError> {
        read_line(&mut &bytes[..], max).await
    }

    #[tokio::test]
    async fn line_ends_are_reported() {
        let line = |bytes: &[u8], end| {
            Ok(Line {
                bytes: bytes.to_vec(),
                end,
            })
        };
        assert_eq!(read(b"/x\r\nmore", 10).await, line(b"/x", LineEnd::CrLf));
        assert_eq!(read(b"/x\n", 10).await, line(b"/x", LineEnd::Lf));
        assert_eq!(read(b"/x", 10).await, line(b"/x", LineEnd::Eof));
        assert_eq!(read(b"", 10).await, Err(LineError::Closed));
    }

    #[tokio::test]
    async fn the_bound_holds_exactly() {
        let exact = [vec![b'a'; 10], b"\r\n".to_vec()].concat();
        assert!(read(&exact, 10).await.is_ok());
        let over = [vec![b'a'; 11], b"\r\n".to_vec()].concat();
        assert_eq!(read(&over, 10).await, Err(LineError::TooLong));
        assert_eq!(read(&[b'a'; 100_000], 10).await, Err(LineError::TooLong));
        assert_eq!(read(&[b'a'; 11], 10).await, Err(LineError::TooLong));
        assert!(read(&[b'a'; 10], 10).await.is_ok());
    }
}
