//! One Gemini connection from its first byte to close_notify: the TLS handshake, the request
//! line, the content layer's answer as a status line and body, and the access log line.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use tokio::io::AsyncWriteExt;
use tokio::time::timeout_at;

use super::request::{self, Request, RequestError};
use super::response::{Body, Response};
use super::tls::Certificates;
use crate::content::{Content, Resource};
use crate::net::outgoing::Outgoing;
use crate::net::{access, Connection, ConnectionHandler, Policy};
use crate::proto::{url, Protocol};

/// The first byte of every TLS connection: a handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

/// Everything a Gemini connection needs, shared by all of them.
pub struct Handler {
    content: Arc<Content>,
    /// Asked per connection for the TLS configuration, which changes with the certificates.
    certificates: Arc<Certificates>,
    /// The names requests may name: the host name and its aliases (`localhost` and the
    /// address dialled are accepted too).
    hostnames: Vec<String>,
    /// The port clients are told about; a request naming another port is not for us.
    public_port: u16,
    policy: Policy,
}

impl ConnectionHandler for Handler {
    async fn serve(&self, connection: Connection) {
        let started = Instant::now();
        let Connection {
            mut stream,
            client: peer,
            deadline,
        } = connection;
        let local = stream.local_addr().ok();
        // Plain text where a ClientHello belongs: close without writing a byte.
        match timeout_at(deadline, stream.first_byte()).await {
            Ok(Ok(Some(TLS_HANDSHAKE))) => {}
            _ => return,
        }
        let handshake_and_read = async {
            let mut tls = self.certificates.acceptor().accept(stream).await.ok()?;
            let line = request::read_line(&mut tls).await;
            Some((tls, line))
        };
        let Ok(Some((tls, line))) = timeout_at(deadline, handshake_and_read).await else {
            tracing::debug!("gemini: handshake or request timed out or failed");
            return;
        };
        let (line, response) = match line {
            Ok(line) => {
                let response = self.respond(request::parse(&line), peer, local).await;
                (line, response)
            }
            Err(err) => (b"-".to_vec(), refusal(&err)),
        };
        let status = response.status;
        let mut out = Outgoing::new(tls, self.policy.timeouts.send_idle);
        let sent = async {
            response.write_to(&mut out).await?;
            out.shutdown().await
        };
        let outcome = sent.await;
        if let Err(err) = &outcome {
            tracing::debug!("gemini: response cut: {err}");
        }
        access::log(access::Entry {
            protocol: Protocol::Gemini,
            route: &String::from_utf8_lossy(&line),
            status,
            bytes: out.sent(),
            complete: outcome.is_ok(),
            started,
            peer: self.policy.log_ips.then_some(peer),
        });
    }
}

impl Handler {
    /// A handler answering for `hostnames` on `public_port`, over TLS with `certificates`.
    pub fn new(
        content: Arc<Content>,
        certificates: Arc<Certificates>,
        hostnames: &[String],
        public_port: u16,
        policy: Policy,
    ) -> Handler {
        Handler {
            content,
            certificates,
            // Kept as requests spell them: IPv6 literals in brackets.
            hostnames: hostnames
                .iter()
                .map(|name| url::authority_host(name).into_owned())
                .collect(),
            public_port,
            policy,
        }
    }

    async fn respond(
        &self,
        request: Result<Request, RequestError>,
        peer: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Response {
        let request = match request {
            Ok(request) => request,
            Err(err) => return refusal(&err),
        };
        if !self.is_for_us(&request, local) {
            return Response::proxy_refused("this server does not serve that host and port");
        }
        if let Some(Err(wait)) = self
            .policy
            .rate_limit
            .as_ref()
            .map(|limit| limit.admit(peer.ip()))
        {
            return Response::slow_down(wait);
        }
        let query = match request.query.as_deref().map(decode_query) {
            Some(Ok(query)) => Some(query),
            Some(Err(reason)) => return Response::bad_request(reason),
            None => None,
        };
        let answer = self
            .content
            .answer(Protocol::Gemini, &request.path, query.as_deref())
            .await;
        match answer {
            Resource::Document { body, mime } => Response::success(&mime, Body::Bytes(body)),
            Resource::File { file, mime } => Response::success(&mime, Body::File(file)),
            Resource::Redirect(to) => Response::redirect(&to),
            Resource::Prompt(prompt) => Response::input(prompt),
            Resource::Unavailable {
                retry_after: Some(wait),
                ..
            } => Response::slow_down(wait),
            Resource::Unavailable { reason, .. } => Response::temporary_failure(reason),
            Resource::NotFound => Response::not_found(),
        }
    }

    /// A request is ours when it names our host name, `localhost`, or the very address it was
    /// sent to, and no port or one of ours.
    fn is_for_us(&self, request: &Request, local: Option<SocketAddr>) -> bool {
        let host = request.host.as_str();
        let dialled = local.map(|addr| addr.ip());
        let named_ip = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        let host_ok = self.hostnames.iter().any(|name| name == host)
            || host == "localhost"
            || (named_ip.is_some() && named_ip.map(canonical) == dialled.map(canonical));
        let port_ok = match request.port {
            None => true,
            Some(port) => port == self.public_port || Some(port) == local.map(|a| a.port()),
        };
        host_ok && port_ok
    }
}

/// An IPv4 address seen through an IPv6 socket is still that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A query as the reader typed it: percent-decoded (a `+` stays a `+`, as Gemini clients send
/// spaces as `%20`).
fn decode_query(raw: &str) -> Result<String, &'static str> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "query is not UTF-8 once decoded")?;
    if decoded.chars().any(|c| c.is_control()) {
        return Err("query contains control characters");
    }
    Ok(decoded.into_owned())
}

fn refusal(err: &RequestError) -> Response {
    match err {
        RequestError::Malformed(reason) => Response::bad_request(reason),
        RequestError::NotServed(reason) => Response::proxy_refused(reason),
    }
}
