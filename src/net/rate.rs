//! A per-client request budget, off unless `rate_limit_per_minute` is set.
//!
//! Each client gets that many requests per minute, counted in fixed one-minute windows; one
//! budget covers both protocols. IPv6 clients are counted by their /64 network, since one host
//! usually holds a whole /64. The table is bounded: stale windows are swept when it grows, and
//! when it is full of live clients a new one is admitted uncounted rather than refused, so a
//! flood of addresses cannot lock everyone out or grow memory without end.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Clients tracked at most.
const MAX_CLIENTS: usize = 65_536;

/// How a client is counted: an IPv4 address, or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    V4(u32),
    V6Net(u64),
}

impl Client {
    fn of(ip: IpAddr) -> Client {
        match ip {
            IpAddr::V4(v4) => Client::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::V4(u32::from(v4)),
                None => Client::V6Net((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    used: u32,
}

#[derive(Debug)]
pub struct RateLimit {
    per_minute: u32,
    clients: Mutex<HashMap<Client, Window>>,
}

impl RateLimit {
    /// `None` when the limit is off (0).
    pub fn new(per_minute: u32) -> Option<RateLimit> {
        (per_minute > 0).then(|| RateLimit {
            per_minute,
            clients: Mutex::new(HashMap::new()),
        })
    }

    /// Counts one request from `ip`: `Err` with how long to wait when its budget is spent.
    pub fn admit(&self, ip: IpAddr) -> Result<(), Duration> {
        self.admit_at(ip, Instant::now())
    }

    fn admit_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-count; the counts are
        // still usable.
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let client = Client::of(ip);
        if !clients.contains_key(&client) && clients.len() >= MAX_CLIENTS {
            clients.retain(|_, window| now.duration_since(window.started) < WINDOW);
            if clients.len() >= MAX_CLIENTS {
                return Ok(());
            }
        }
        let window = clients.entry(client).or_insert(Window {
            started: now,
            used: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                used: 0,
            };
        }
        if window.used >= self.per_minute {
            return Err(WINDOW.saturating_sub(now.duration_since(window.started)));
        }
        window.used += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_per_minute_then_a_wait() {
        let limit = RateLimit::new(3).unwrap();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limit.admit_at(ip, start).is_ok());
        }
        let wait = limit
            .admit_at(ip, start + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        // Another client has its own budget; the first gets a new one after the window.
        assert!(limit.admit_at("192.0.2.2".parse().unwrap(), start).is_ok());
        assert!(limit.admit_at(ip, start + WINDOW).is_ok());
    }

    #[test]
    fn ipv6_counts_by_network_and_mapped_ipv4_as_ipv4() {
        let limit = RateLimit::new(1).unwrap();
        let now = Instant::now();
        assert!(limit.admit_at("2001:db8::1".parse().unwrap(), now).is_ok());
        assert!(limit.admit_at("2001:db8::2".parse().unwrap(), now).is_err());
        assert!(limit
            .admit_at("2001:db8:0:1::1".parse().unwrap(), now)
            .is_ok());
        assert!(limit.admit_at("192.0.2.9".parse().unwrap(), now).is_ok());
        assert!(limit
            .admit_at("::ffff:192.0.2.9".parse().unwrap(), now)
            .is_err());
        assert!(RateLimit::new(0).is_none());
    }
}
