//! One Gopher connection: the selector line, the content layer's answer (or a type 3 line),
//! close, and the access log line.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout_at;

use super::request::{self, Request, RequestError};
use super::{response, routes};
use crate::content::{Content, Resource};
use crate::net::outgoing::Outgoing;
use crate::net::stream::Prefixed;
use crate::net::{access, Connection, ConnectionHandler, Policy};
use crate::proto::{gopher, Protocol};

/// How long an answer to a bad request waits for the client to stop sending, so the kernel
/// does not reset the connection (and lose the answer) over unread bytes.
const DRAIN_TIME: Duration = Duration::from_millis(500);

/// Everything a Gopher connection needs, shared by all of them.
pub struct Handler {
    content: Arc<Content>,
    /// The public host name and port: for the search item and the reply to web browsers.
    hostname: String,
    public_port: u16,
    policy: Policy,
}

/// How a request ended, as the access log shows it.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    Served,
    /// A type 3 answer.
    Refused,
    /// A web browser's request, answered in HTTP.
    Http,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Served => "0",
            Outcome::Refused => "3",
            Outcome::Http => "400",
        })
    }
}

/// What to send back.
enum Answer {
    Bytes(bytes::Bytes),
    /// A menu, which a Gopher+ client may have asked for with its items' attributes.
    Menu(bytes::Bytes),
    File(tokio::fs::File),
    /// An error or a refusal; the rest of the client's input is drained before closing.
    Refusal(Vec<u8>),
}

impl ConnectionHandler for Handler {
    async fn serve(&self, connection: Connection) {
        let started = Instant::now();
        let Connection {
            mut stream,
            client: peer,
            deadline,
        } = connection;
        let line = match timeout_at(deadline, request::read_line(&mut stream)).await {
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
            Ok(request) => match self
                .policy
                .rate_limit
                .as_ref()
                .map(|limit| limit.admit(peer.ip()))
            {
                Some(Err(wait)) => {
                    let message =
                        format!("Too many requests; try again in {}s", wait.as_secs().max(1));
                    (Outcome::Refused, Answer::Refusal(response::error(&message)))
                }
                _ => self.answer(request).await,
            },
            Err(err) => (
                Outcome::Refused,
                Answer::Refusal(response::error(&err.to_string())),
            ),
        };
        let mut out = Outgoing::new(stream, self.policy.timeouts.send_idle);
        let sent = async {
            match answer {
                Answer::Bytes(bytes) | Answer::Menu(bytes) => out.write_all(&bytes).await?,
                Answer::File(mut file) => {
                    tokio::io::copy(&mut file, &mut out).await?;
                }
                Answer::Refusal(bytes) => {
                    out.write_all(&bytes).await?;
                    out.shutdown().await?;
                    drain(out.get_mut()).await;
                    return Ok(());
                }
            }
            out.shutdown().await
        };
        let outcome = sent.await;
        if let Err(err) = &outcome {
            tracing::debug!("gopher: response cut: {err}");
        }
        access::log(access::Entry {
            protocol: Protocol::Gopher,
            route: &line.as_deref().map_or("-".into(), String::from_utf8_lossy),
            status,
            bytes: out.sent(),
            complete: outcome.is_ok(),
            started,
            peer: self.policy.log_ips.then_some(peer),
        });
    }
}

impl Handler {
    /// A handler whose menus name `hostname` and `public_port`.
    pub fn new(content: Arc<Content>, hostname: &str, public_port: u16, policy: Policy) -> Handler {
        Handler {
            content,
            hostname: hostname.to_string(),
            public_port,
            policy,
        }
    }

    /// The answer to a well-formed request, with how it ended for the log.
    async fn answer(&self, request: Request) -> (Outcome, Answer) {
        match request {
            Request::Selector {
                selector,
                query,
                with_attributes,
            } => {
                let (outcome, answer) = self.selector(&selector, query.as_deref()).await;
                match (with_attributes, answer) {
                    (true, Answer::Menu(menu)) => (
                        outcome,
                        Answer::Bytes(gopher::with_attributes(&menu).into()),
                    ),
                    (_, answer) => (outcome, answer),
                }
            }
            Request::Url(url) => match response::url_page(&url) {
                Some(page) => (Outcome::Served, Answer::Bytes(page.into())),
                None => (
                    Outcome::Refused,
                    Answer::Refusal(response::error(
                        "that URL's scheme is not followed from here",
                    )),
                ),
            },
            Request::Http => (
                Outcome::Http,
                Answer::Refusal(response::http_refusal(&self.hostname, self.public_port)),
            ),
        }
    }

    async fn selector(&self, selector: &str, query: Option<&str>) -> (Outcome, Answer) {
        let mut resource = self.content.answer(Protocol::Gopher, selector, query).await;
        // Gopher has no redirects: a folder selector without its slash (or a post's with one)
        // gets what it meant; a route that moved gets a menu pointing to where it is now.
        if let Resource::Redirect(to) = &resource {
            let moved = to.trim_end_matches('/') != selector.trim_end_matches('/');
            let target = self.content.answer(Protocol::Gopher, to, query).await;
            if !moved {
                resource = target;
            } else {
                let kind = match &target {
                    Resource::File { mime, .. } => gopher::ItemType::of_media_type(mime),
                    _ => gopher::ItemType::Menu,
                };
                let menu = routes::moved(to, kind, &self.hostname, self.public_port);
                return (Outcome::Served, Answer::Menu(menu.into()));
            }
        }
        let served = |bytes: String| (Outcome::Served, Answer::Bytes(bytes.into()));
        match resource {
            Resource::Document { body, mime } if &*mime == gopher::MENU_MEDIA_TYPE => {
                (Outcome::Served, Answer::Menu(body))
            }
            Resource::Document { body, .. } => (Outcome::Served, Answer::Bytes(body)),
            Resource::File { file, .. } => (Outcome::Served, Answer::File(file)),
            Resource::Unavailable {
                reason,
                retry_after,
            } => {
                let message = match retry_after {
                    Some(wait) => format!("Not now: {reason} ({}s)", wait.as_secs().max(1)),
                    None => format!("Not now: {reason}"),
                };
                (Outcome::Refused, Answer::Refusal(response::error(&message)))
            }
            Resource::Prompt(prompt) => served(routes::search_prompt(
                prompt,
                selector,
                &self.hostname,
                self.public_port,
            )),
            Resource::NotFound if selector == routes::CAPS => {
                served(routes::caps(env!("CARGO_PKG_VERSION")))
            }
            Resource::Redirect(_) | Resource::NotFound => (
                Outcome::Refused,
                Answer::Refusal(response::error(&format!("Not found: {selector}"))),
            ),
        }
    }
}

/// Reads and discards what the client still sends, briefly and boundedly.
async fn drain(stream: &mut Prefixed) {
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
