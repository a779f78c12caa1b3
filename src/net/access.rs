//! The access log: one line per request, written so that nothing a client sends can forge a
//! line or a field (control characters, quotes and backslashes are escaped).
//!
//! The front end names its protocol and its status with its own types; the log only shows
//! them.

use std::fmt::Display;
use std::net::SocketAddr;
use std::time::Instant;

/// One answered request.
pub struct Entry<'a, P: Display, S: Display> {
    pub protocol: P,
    /// What the client asked for, as it sent it.
    pub route: &'a str,
    pub status: S,
    /// What the client accepted.
    pub bytes: u64,
    /// False when the response was cut short (the client stopped reading, went away).
    pub complete: bool,
    pub started: Instant,
    /// Only when `log_ips` is on.
    pub peer: Option<SocketAddr>,
}

pub fn log<P: Display, S: Display>(entry: Entry<'_, P, S>) {
    // Under load with the access log filtered out, skip even the escaping.
    if !tracing::enabled!(target: "gemhole::access", tracing::Level::INFO) {
        return;
    }
    let millis = entry.started.elapsed().as_secs_f64() * 1000.0;
    let route = escape(entry.route);
    let cut = if entry.complete { "" } else { " cut" };
    match entry.peer {
        Some(peer) => tracing::info!(
            target: "gemhole::access",
            "{} \"{route}\" {} {}B{cut} {millis:.1}ms from {peer}",
            entry.protocol,
            entry.status,
            entry.bytes
        ),
        None => tracing::info!(
            target: "gemhole::access",
            "{} \"{route}\" {} {}B{cut} {millis:.1}ms",
            entry.protocol,
            entry.status,
            entry.bytes
        ),
    }
}

/// Text safe to put between quotes on one log line.
pub fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '"' | '\\' => c.escape_default().collect::<Vec<_>>(),
            c if c.is_control() => c.escape_default().collect(),
            c => vec![c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn nothing_can_end_the_line_or_the_quotes() {
        assert_eq!(
            escape("a\r\nb\"c\\d\u{1b}[31m"),
            "a\\r\\nb\\\"c\\\\d\\u{1b}[31m"
        );
        assert_eq!(escape("café/日本"), "café/日本");
    }
}
