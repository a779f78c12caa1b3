//! Who a client is, for limits: an IPv4 address, or an IPv6 /64 network, since one host
//! usually holds a whole /64 (and an IPv4 address seen through an IPv6 socket is that IPv4
//! address).

use std::net::IpAddr;

/// How a client is counted: an IPv4 address, or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    V4(u32),
    V6Net(u64),
}

impl Client {
    pub fn of(ip: IpAddr) -> Client {
        match ip {
            IpAddr::V4(v4) => Client::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::V4(u32::from(v4)),
                None => Client::V6Net((u128::from(v6) >> 64) as u64),
            },
        }
    }
}
