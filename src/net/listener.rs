//! Listening sockets: one per configured address, ready for the accept loop.

use std::net::SocketAddr;

use socket2::{Domain, Socket, Type};
use tokio::net::TcpListener;

/// Connections the kernel may queue while every permit is taken.
const LISTEN_BACKLOG: i32 = 1024;

/// An address that could not be bound, and what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{addr}: {reason}")]
pub struct BindError {
    pub addr: SocketAddr,
    pub reason: String,
}

/// Binds every address, or says which one could not be bound and what to do about it.
pub fn bind_all(addrs: &[SocketAddr]) -> Result<Vec<TcpListener>, BindError> {
    addrs
        .iter()
        .map(|&addr| {
            bind(addr).map_err(|err| BindError {
                addr,
                reason: bind_advice(&err),
            })
        })
        .collect()
}

/// A listening socket. An IPv6 one takes IPv6 only, so `0.0.0.0` and `[::]` can both be bound
/// on one port; address reuse lets a restart bind while old connections linger in TIME_WAIT.
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(
        Domain::for_address(addr),
        Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    TcpListener::from_std(socket.into())
}

/// What went wrong binding, and what to do about it.
fn bind_advice(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("{err}; another server (or gemhole) is using it: stop it or change `listen`")
        }
        std::io::ErrorKind::PermissionDenied => format!(
            "{err}; ports below 1024 need CAP_NET_BIND_SERVICE (systemd AmbientCapabilities, or setcap) or use a higher port"
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            format!("{err}; this machine has no such address: check `listen`")
        }
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ipv6_listeners_take_ipv6_only() {
        // Without it, `[::]:70` would also take IPv4 and a `0.0.0.0:70` beside it could not bind.
        let listener = bind("[::1]:0".parse().unwrap()).unwrap();
        assert!(socket2::SockRef::from(&listener).only_v6().unwrap());
        let v4 = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        assert!(socket2::SockRef::from(&v4).reuse_address().unwrap());
    }
}
