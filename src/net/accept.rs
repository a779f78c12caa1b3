//! Accepting connections and owning them until they end: one loop per bound address, each
//! connection a task that shutdown tracks, waits for, and ends when the grace runs out.
//!
//! A connection first takes a permit from the semaphore shared by every listener; while none is
//! free the loop stops accepting, so excess clients wait in the kernel's backlog instead of
//! costing memory here. One client (an address, or an IPv6 /64) may hold only so many of the
//! connections at once; past that its new ones are closed at once, so it cannot take every
//! slot. The connection's deadline starts at accept: the PROXY header (when the listener
//! expects one), and then whatever the protocol does before it knows the request, must all be
//! done by then.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustc_hash::FxHashMap;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::client::Client;
use super::proxy;
use super::stream::Prefixed;

/// How long to wait before accepting again after an accept error (out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// One accepted connection, handed to a protocol front end.
pub struct Connection {
    pub stream: Prefixed,
    /// Who the client is: the peer, or the client a PROXY header named.
    pub client: SocketAddr,
    /// Everything before the request is known (PROXY header, handshake, request line) must
    /// be done by this instant.
    pub deadline: Instant,
}

/// A protocol front end: what happens to one accepted connection.
pub trait ConnectionHandler: Send + Sync + 'static {
    /// Serves the connection from accept to close; never panics on anything the peer sends.
    fn serve(&self, connection: Connection) -> impl Future<Output = ()> + Send;
}

/// How a listener takes its connections.
#[derive(Debug, Clone, Copy)]
pub struct Intake {
    /// Time from accept until the request must be known.
    pub request_timeout: Duration,
    /// Every connection starts with a PROXY protocol header.
    pub proxy_protocol: bool,
}

/// Every connection of the server, across listeners: the permits that bound them, and the
/// tasks that serve them, owned so that shutdown can wait for them and end them.
#[derive(Clone)]
pub struct Connections {
    permits: Arc<Semaphore>,
    per_client: Arc<PerClient>,
    tasks: TaskTracker,
    /// Cancelled when shutdown starts: the accept loops stop.
    stop_accepting: CancellationToken,
    /// Cancelled when the grace is over: the connections still open are ended.
    end_all: CancellationToken,
}

impl Connections {
    /// Room for `max` connections at once, `per_client` of them from any one client.
    pub fn new(max: usize, per_client: usize) -> Connections {
        Connections {
            permits: Arc::new(Semaphore::new(max)),
            per_client: Arc::new(PerClient {
                max: per_client,
                open: Mutex::new(FxHashMap::default()),
            }),
            tasks: TaskTracker::new(),
            stop_accepting: CancellationToken::new(),
            end_all: CancellationToken::new(),
        }
    }

    /// Accepts on `listener` until shutdown, each connection served by `handler`.
    pub fn listen<H: ConnectionHandler>(
        &self,
        listener: TcpListener,
        handler: Arc<H>,
        intake: Intake,
    ) {
        let connections = self.clone();
        self.tasks
            .spawn(async move { connections.accept_loop(listener, handler, intake).await });
    }

    /// Runs `task` until shutdown (for the watchers that live as long as the server).
    pub fn until_shutdown(&self, task: impl Future<Output = ()> + Send + 'static) {
        let stop = self.stop_accepting.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = task => {},
                () = stop.cancelled() => {},
            }
        });
    }

    async fn accept_loop<H: ConnectionHandler>(
        self,
        listener: TcpListener,
        handler: Arc<H>,
        intake: Intake,
    ) {
        loop {
            let permit = tokio::select! {
                permit = self.permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => return,
                },
                () = self.stop_accepting.cancelled() => return,
            };
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = self.stop_accepting.cancelled() => return,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!("accept failed: {err}; retrying");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let deadline = Instant::now() + intake.request_timeout;
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            let end = self.end_all.clone();
            let per_client = self.per_client.clone();
            self.tasks.spawn(async move {
                let _permit = permit;
                tokio::select! {
                    () = open(stream, peer, deadline, intake, &per_client, &*handler) => {},
                    () = end.cancelled() => {},
                }
            });
        }
    }

    /// Stops accepting, waits up to `grace` for the connections in flight, then ends the rest.
    /// Returns how many were ended.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.stop_accepting.cancel();
        self.tasks.close();
        if tokio::time::timeout(grace, self.tasks.wait()).await.is_ok() {
            return 0;
        }
        let open = self.tasks.len();
        self.end_all.cancel();
        self.tasks.wait().await;
        open
    }
}

/// Reads the PROXY header when one is expected (dropping the connection without a valid one),
/// counts the connection against its client's share, then hands it to the front end.
async fn open<H: ConnectionHandler>(
    mut stream: TcpStream,
    peer: SocketAddr,
    deadline: Instant,
    intake: Intake,
    per_client: &Arc<PerClient>,
    handler: &H,
) {
    let (client, head) = match intake.proxy_protocol {
        false => (peer, Vec::new()),
        true => match tokio::time::timeout_at(deadline, proxy::read_header(&mut stream)).await {
            Ok(Ok(header)) => (header.client.unwrap_or(peer), header.rest),
            Ok(Err(err)) => {
                tracing::debug!("connection refused: {err}");
                return;
            }
            Err(_) => {
                tracing::debug!("connection refused: no PROXY header in time");
                return;
            }
        },
    };
    let Some(_share) = PerClient::take(per_client, client) else {
        tracing::debug!("connection refused: its client holds its share of connections already");
        return;
    };
    let connection = Connection {
        stream: Prefixed::new(stream, head),
        client,
        deadline,
    };
    handler.serve(connection).await;
}

/// How many connections each client holds open. Only clients with a connection open are in
/// the table, so it is no larger than the connection limit.
struct PerClient {
    max: usize,
    open: Mutex<FxHashMap<Client, usize>>,
}

/// One connection counted against its client; counted off when dropped.
struct Share {
    table: Arc<PerClient>,
    client: Client,
}

impl PerClient {
    /// Counts a connection of `client`'s, unless it holds its share already.
    fn take(table: &Arc<PerClient>, client: SocketAddr) -> Option<Share> {
        let client = Client::of(client.ip());
        // A poisoned lock only means another connection panicked mid-count.
        let mut open = table.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(client).or_insert(0);
        if *count >= table.max {
            return None;
        }
        *count += 1;
        Some(Share {
            table: table.clone(),
            client,
        })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}
