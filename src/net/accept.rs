//! Accepting connections: one loop per bound address, each connection served on its own task.
//!
//! A connection first takes a permit from the semaphore shared by every listener; while none is
//! free the loop stops accepting, so excess clients wait in the kernel's backlog instead of
//! costing memory here. The loop ends when shutdown is signalled.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

/// How long to wait before accepting again after an accept error (out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

pub async fn accept_loop<S, F>(
    listener: TcpListener,
    connections: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
    serve: S,
) where
    S: Fn(TcpStream, SocketAddr) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = stop.changed() => return,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let connection = serve(stream, peer);
                tokio::spawn(async move {
                    connection.await;
                    drop(permit);
                });
            }
            Err(err) => {
                tracing::warn!("accept failed: {err}; retrying");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
}
