//! Gemini responses: a status line (`<status> <meta>` CRLF) and, for success, a body.
//!
//! A rendered body is shared with the cache and written as it is; the status line goes with it
//! in one vectored write, which rustls seals into one TLS record when it fits (a page of up to
//! 16 KiB), so a cached page costs one write and no copy of its body.

use std::io::IoSlice;

use bytes::Bytes;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::proto::gemini::Status;

/// What follows the status line.
#[derive(Debug)]
pub enum Body {
    Empty,
    /// Rendered bytes, shared with the cache.
    Bytes(Bytes),
    /// A capsule file, open, streamed from disk.
    File(tokio::fs::File),
}

#[derive(Debug)]
pub struct Response {
    pub status: Status,
    pub meta: String,
    pub body: Body,
}

impl Response {
    pub fn success(mime: &str, body: Body) -> Response {
        Response::new(Status::Success, mime, body)
    }

    pub fn input(prompt: &str) -> Response {
        Response::new(Status::Input, prompt, Body::Empty)
    }

    pub fn redirect(to: &str) -> Response {
        Response::new(Status::PermanentRedirect, to, Body::Empty)
    }

    /// Status 44: come back after `wait` (rounded up to whole seconds, as the meta must be).
    pub fn slow_down(wait: std::time::Duration) -> Response {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Response::new(Status::SlowDown, &seconds.max(1).to_string(), Body::Empty)
    }

    /// Status 40: not now, for `reason`.
    pub fn temporary_failure(reason: &str) -> Response {
        Response::new(Status::TemporaryFailure, reason, Body::Empty)
    }

    pub fn not_found() -> Response {
        Response::new(Status::NotFound, "Not found", Body::Empty)
    }

    pub fn proxy_refused(reason: &str) -> Response {
        Response::new(Status::ProxyRequestRefused, reason, Body::Empty)
    }

    pub fn bad_request(reason: &str) -> Response {
        Response::new(Status::BadRequest, reason, Body::Empty)
    }

    fn new(status: Status, meta: &str, body: Body) -> Response {
        // The meta ends at the first line break; nothing can inject a second header.
        let meta = meta.split(['\r', '\n']).next().unwrap_or("").to_string();
        Response { status, meta, body }
    }

    /// Writes the response and returns the bytes written. The caller closes the TLS session.
    pub async fn write_to<W: AsyncWrite + Unpin>(self, writer: &mut W) -> std::io::Result<u64> {
        let header = format!("{} {}\r\n", self.status, self.meta);
        let mut written = header.len() as u64;
        match self.body {
            Body::Empty => writer.write_all(header.as_bytes()).await?,
            Body::Bytes(bytes) => {
                write_both(writer, header.as_bytes(), &bytes).await?;
                written += bytes.len() as u64;
            }
            Body::File(mut file) => {
                writer.write_all(header.as_bytes()).await?;
                written += tokio::io::copy(&mut file, writer).await?;
            }
        }
        writer.flush().await?;
        Ok(written)
    }
}

/// Writes `first` then `second` as one stream of bytes, handing both to the writer at once.
async fn write_both<W: AsyncWrite + Unpin>(
    writer: &mut W,
    mut first: &[u8],
    mut second: &[u8],
) -> std::io::Result<()> {
    while !first.is_empty() || !second.is_empty() {
        let written = writer
            .write_vectored(&[IoSlice::new(first), IoSlice::new(second)])
            .await?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        let from_first = written.min(first.len());
        first = &first[from_first..];
        second = &second[written - from_first..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn status_line_then_body() {
        let mut out = Vec::new();
        let response = Response::success("text/gemini", Body::Bytes(Bytes::from_static(b"# hi\n")));
        let written = response.write_to(&mut out).await.unwrap();
        assert_eq!(out, b"20 text/gemini\r\n# hi\n");
        assert_eq!(written, out.len() as u64);
    }

    /// A writer that takes at most a few bytes per call, as a congested socket would.
    struct Trickle(Vec<u8>);

    impl AsyncWrite for Trickle {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            std::task::Poll::Ready(Ok(n))
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }

        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn partial_writes_lose_nothing() {
        let mut out = Trickle(Vec::new());
        let body = Bytes::from(vec![b'x'; 1000]);
        Response::success("text/gemini", Body::Bytes(body.clone()))
            .write_to(&mut out)
            .await
            .unwrap();
        assert_eq!(out.0, [b"20 text/gemini\r\n".as_slice(), &body].concat());
    }

    #[tokio::test]
    async fn meta_cannot_carry_a_second_line() {
        let mut out = Vec::new();
        Response::bad_request("bad\r\n20 text/gemini")
            .write_to(&mut out)
            .await
            .unwrap();
        assert_eq!(out, b"59 bad\r\n");
    }
}
