//! The Gopher front end: plain TCP, one selector line, one answer, close.
//!
//! It parses the request, asks the content layer for the selector, and writes what comes back,
//! or a type 3 error. It knows nothing about markdown or the capsule's files, and nothing about
//! accepting connections or limits, which the server module owns.

pub mod request;
pub mod response;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::content::{Content, Protocol, Resource};
use crate::server::rate::RateLimit;
use crate::server::{access, write_within, ConnectionHandler, Timeouts};
use request::{Request, RequestError};

/// How long an answer to a bad request waits for the client to stop sending, so the kernel
/// does not reset the connection (and lose the answer) over unread bytes.
const DRAIN_TIME: Duration = Duration::from_millis(500);

/// Everything a Gopher connection needs, shared by all of them.
pub struct Handler {
    pub content: std::sync::Arc<Content>,
    /// The public host name and port, for the reply to web browsers.
    pub hostname: String,
    pub public_port: u16,
    pub timeouts: Timeouts,
    /// The per-client budget, when one is set.
    pub rate_limit: Option<std::sync::Arc<RateLimit>>,
    pub log_ips: bool,
}

/// What to send back.
enum Answer {
    Bytes(bytes::Bytes),
    File(std::path::PathBuf),
    /// An error or a refusal; the rest of the client's input is drained before closing.
    Refusal(Vec<u8>),
}

impl ConnectionHandler for Handler {
    async fn serve(&self, mut stream: TcpStream, peer: SocketAddr) {
        let started = Instant::now();
        let line = match tokio::time::timeout(
            self.timeouts.request,
            request::read_line(&mut stream),
        )
        .await
        {
            Ok(Err(RequestError::Closed)) => return,
            Err(_) => {
                tracing::debug!("gopher: no request before the timeout; closed");
                return;
            }
            Ok(line) => line,
        };
        let parsed = match &line {
            Ok(line) => request::parse(line),
            Err(err) => Err(err.clone()),
        };
        let (status, answer) = match parsed {
            Ok(request) => match self.rate_limit.as_ref().map(|limit| limit.admit(peer.ip())) {
                Some(Err(wait)) => {
                    let message =
                        format!("Too many requests; try again in {}s", wait.as_secs().max(1));
                    (3, Answer::Refusal(response::error(&message)))
                }
                _ => self.answer(request),
            },
            Err(err) => (3, Answer::Refusal(response::error(&err.to_string()))),
        };
        let write = async {
            let written = match answer {
                Answer::Bytes(bytes) => {
                    stream.write_all(&bytes).await?;
                    bytes.len() as u64
                }
                Answer::File(path) => {
                    let mut file = tokio::fs::File::open(path).await?;
                    tokio::io::copy(&mut file, &mut stream).await?
                }
                Answer::Refusal(bytes) => {
                    stream.write_all(&bytes).await?;
                    stream.shutdown().await?;
                    drain(&mut stream).await;
                    return Ok(bytes.len() as u64);
                }
            };
            stream.shutdown().await?;
            Ok::<u64, std::io::Error>(written)
        };
        let bytes = write_within("gopher", self.timeouts.write, write).await;
        access::log(access::Entry {
            protocol: "gopher",
            route: &line.as_deref().map_or("-".into(), String::from_utf8_lossy),
            status,
            bytes,
            started,
            peer: self.log_ips.then_some(peer),
        });
    }
}

impl Handler {
    /// The answer to a well-formed request, with its status for the log (0 served, 3 error,
    /// 400 for a web browser).
    fn answer(&self, request: Request) -> (u16, Answer) {
        match request {
            Request::Selector { selector, query } => self.selector(&selector, query.as_deref()),
            Request::Url(url) => match response::url_page(&url) {
                Some(page) => (0, Answer::Bytes(page.into())),
                None => (
                    3,
                    Answer::Refusal(response::error(
                        "that URL's scheme is not followed from here",
                    )),
                ),
            },
            Request::Http => (
                400,
                Answer::Refusal(response::http_refusal(&self.hostname, self.public_port)),
            ),
        }
    }

    fn selector(&self, selector: &str, query: Option<&str>) -> (u16, Answer) {
        let mut resource = self.content.resolve(Protocol::Gopher, selector, query);
        // Gopher has no redirects: a folder selector without its slash gets the folder.
        if let Resource::Redirect(to) = &resource {
            resource = self.content.resolve(Protocol::Gopher, to, query);
        }
        match resource {
            Resource::Document { body, .. } => (0, Answer::Bytes(body)),
            Resource::File { path, .. } => (0, Answer::File(path)),
            Resource::Redirect(_) | Resource::Prompt(_) | Resource::NotFound => (
                3,
                Answer::Refusal(response::error(&format!("Not found: {selector}"))),
            ),
        }
    }
}

/// Reads and discards what the client still sends, briefly and boundedly.
async fn drain(stream: &mut TcpStream) {
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        let mut total = 0;
        while total < 64 * 1024 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    })
    .await;
}
