//! Gemini responses: a status line (`<status> <meta>` CRLF) and, for success, a body.

use std::path::PathBuf;

use bytes::Bytes;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// What follows the status line.
#[derive(Debug)]
pub enum Body {
    Empty,
    /// Rendered bytes, shared with the cache.
    Bytes(Bytes),
    /// A capsule file, streamed from disk.
    File(PathBuf),
}

#[derive(Debug)]
pub struct Response {
    pub status: u8,
    pub meta: String,
    pub body: Body,
}

impl Response {
    pub fn success(mime: &str, body: Body) -> Response {
        Response::new(20, mime, body)
    }

    pub fn input(prompt: &str) -> Response {
        Response::new(10, prompt, Body::Empty)
    }

    pub fn redirect(to: &str) -> Response {
        Response::new(31, to, Body::Empty)
    }

    /// Status 44: come back after `wait` (rounded up to whole seconds, as the meta must be).
    pub fn slow_down(wait: std::time::Duration) -> Response {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Response::new(44, &seconds.max(1).to_string(), Body::Empty)
    }

    pub fn not_found() -> Response {
        Response::new(51, "Not found", Body::Empty)
    }

    pub fn proxy_refused(reason: &str) -> Response {
        Response::new(53, reason, Body::Empty)
    }

    pub fn bad_request(reason: &str) -> Response {
        Response::new(59, reason, Body::Empty)
    }

    fn new(status: u8, meta: &str, body: Body) -> Response {
        // The meta ends at the first line break; nothing can inject a second header.
        let meta = meta.split(['\r', '\n']).next().unwrap_or("").to_string();
        Response { status, meta, body }
    }

    /// Writes the response and returns the bytes written. The caller closes the TLS session.
    pub async fn write_to<W: AsyncWrite + Unpin>(self, writer: &mut W) -> std::io::Result<u64> {
        let header = format!("{} {}\r\n", self.status, self.meta);
        writer.write_all(header.as_bytes()).await?;
        let mut written = header.len() as u64;
        match self.body {
            Body::Empty => {}
            Body::Bytes(bytes) => {
                writer.write_all(&bytes).await?;
                written += bytes.len() as u64;
            }
            Body::File(path) => {
                let mut file = tokio::fs::File::open(path).await?;
                written += tokio::io::copy(&mut file, writer).await?;
            }
        }
        writer.flush().await?;
        Ok(written)
    }
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
