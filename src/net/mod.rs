//! What every listener shares, whatever protocol it speaks: binding, the accept loop and its
//! connection permits, deadlines, the bounded request-line reader, the PROXY protocol, the
//! per-client rate table, the access log, and watching a folder for changes.
//!
//! A protocol front end plugs in as a [`ConnectionHandler`]. This module imports nothing else
//! of gemhole's: it knows no protocol, no content and no configuration.

pub mod accept;
pub mod access;
pub mod client;
pub mod line;
pub mod listener;
pub mod outgoing;
pub mod proxy;
pub mod rate;
pub mod stream;
pub mod watch;

use std::sync::Arc;
use std::time::Duration;

pub use accept::{Connection, ConnectionHandler};
use rate::RateLimit;

/// Time limits every connection is held to.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For everything before the request is known, from accept: a PROXY header, the TLS
    /// handshake and the request line together.
    pub request: Duration,
    /// How long a client may accept no bytes of its response before it is cut off.
    pub send_idle: Duration,
}

/// What every connection of a front end is held to.
#[derive(Debug, Clone)]
pub struct Policy {
    pub timeouts: Timeouts,
    /// The per-client budget, when one is set.
    pub rate_limit: Option<Arc<RateLimit>>,
    /// Put client addresses in the access log.
    pub log_ips: bool,
}
