//! A per-client request budget, off unless `rate_limit_per_minute` is set.
//!
//! Each client gets that many requests per minute, counted in fixed one-minute windows; one
//! budget covers both protocols. IPv6 clients are counted by their /64 network, since one host
//! usually holds a whole /64. The table is bounded and every admission costs the same whatever
//! the table holds: when a window ends the whole table is emptied at once (its keys and counts
//! are plain numbers, so that is one sweep of its control bytes, not a walk of its entries), and
//! when it is full of clients a new one is admitted uncounted rather than refused, so a flood of
//! addresses can neither lock everyone out, nor grow memory, nor make admissions slow.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use super::client::Client;

const WINDOW: Duration = Duration::from_secs(60);

/// Clients tracked at most.
pub const MAX_CLIENTS: usize = 65_536;

/// The requests counted in the current window.
#[derive(Debug, Default)]
struct Window {
    /// When the window began: at the first request counted, and at each renewal after it.
    started: Option<Instant>,
    /// Keys come from client addresses, but the table is bounded and its hash only spreads
    /// them; a flood of colliding keys costs the flooder its own budget.
    used: FxHashMap<Client, u32>,
}

#[derive(Debug)]
pub struct RateLimit {
    per_minute: u32,
    window: Mutex<Window>,
}

impl RateLimit {
    /// `None` when the limit is off (0).
    pub fn new(per_minute: u32) -> Option<RateLimit> {
        (per_minute > 0).then(|| RateLimit {
            per_minute,
            window: Mutex::new(Window::default()),
        })
    }

    /// Counts one request from `ip`: `Err` with how long to wait when its budget is spent.
    pub fn admit(&self, ip: IpAddr) -> Result<(), Duration> {
        self.admit_at(ip, Instant::now())
    }

    fn admit_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-count; the counts are
        // still usable.
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let started = match window.started {
            Some(started) if now.saturating_duration_since(started) < WINDOW => started,
            _ => {
                window.used.clear();
                window.started = Some(now);
                now
            }
        };
        let client = Client::of(ip);
        let full = window.used.len() >= MAX_CLIENTS;
        let used = match window.used.get_mut(&client) {
            Some(used) => used,
            // Full of clients: this one goes uncounted rather than refused.
            None if full => return Ok(()),
            None => window.used.entry(client).or_insert(0),
        };
        if *used >= self.per_minute {
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(started)));
        }
        *used += 1;
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
    fn a_full_table_admits_newcomers_uncounted_and_empties_with_the_window() {
        let limit = RateLimit::new(1).unwrap();
        let start = Instant::now();
        for n in 0..MAX_CLIENTS as u32 {
            assert!(limit.admit_at(IpAddr::from(n.to_be_bytes()), start).is_ok());
        }
        let known = IpAddr::from(7u32.to_be_bytes());
        let newcomer: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(limit.admit_at(known, start).is_err());
        assert!(limit.admit_at(newcomer, start).is_ok());
        assert!(limit.admit_at(newcomer, start).is_ok());
        let next = start + WINDOW;
        assert!(limit.admit_at(newcomer, next).is_ok());
        assert!(limit.admit_at(newcomer, next).is_err());
        assert!(limit.admit_at(known, next).is_ok());
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
