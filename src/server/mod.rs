//! What the listeners share: binding, the connection limit, timeouts, graceful shutdown and the
//! access log. Protocol front ends plug in as per-connection handlers; this module knows
//! nothing of what they speak.

pub mod access;
mod listener;
pub mod rate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Socket, Type};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::config::Config;
use crate::content::watch::FolderWatch;
use crate::content::{Content, GopherSettings, Settings, SiteError};
use crate::gemini::{self, tls};
use crate::gopher;
use rate::RateLimit;

/// How long in-flight responses may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Connections the kernel may queue while every permit is taken.
const LISTEN_BACKLOG: i32 = 1024;

/// How long a client may take to read a response.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Time limits every connection is held to.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For everything before the request is known: the TLS handshake and the request line.
    pub request: Duration,
    /// For writing the response and closing.
    pub write: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Content(#[from] SiteError),
    #[error("cannot listen on {addr} for {protocol}: {reason}")]
    Bind {
        addr: SocketAddr,
        protocol: &'static str,
        reason: String,
    },
}

/// A server with its sockets bound and its site loaded, not yet accepting.
pub struct Server {
    content: Arc<Content>,
    hostname: String,
    gemini: Option<Front<gemini::Handler>>,
    gopher: Option<Front<gopher::Handler>>,
    connections: Arc<Semaphore>,
    max_connections: usize,
    /// The watch on the content folder, when it is followed.
    watch: Option<FolderWatch>,
    /// SHA-256 of the Gemini certificate, for the start-up message.
    pub fingerprint: Option<String>,
    /// True when this start made the certificate.
    pub certificate_created: bool,
}

/// One protocol's listeners and the handler they share.
struct Front<H> {
    listeners: Vec<TcpListener>,
    handler: Arc<H>,
    public_port: u16,
}

/// What the content layer needs from the configuration, given the public ports (`None` for
/// a protocol that is not served).
pub fn site_settings(
    config: &Config,
    gemini_port: Option<u16>,
    gopher_port: Option<u16>,
) -> Settings {
    Settings {
        title: config.site.title.clone(),
        author: config.site.author.clone(),
        description: config.site.description.clone(),
        lang: config.site.lang.clone(),
        hostname: config.site.hostname.clone(),
        content: config.site.content.clone(),
        excluded: vec![config.gemini.certs.clone()],
        cache_bytes: config.limits.cache_bytes,
        gemini_port,
        gopher: gopher_port.map(|port| GopherSettings {
            port,
            wrap: config.gopher.wrap,
        }),
    }
}

/// The public ports as configured, before anything is bound (for `gemhole render`).
pub fn configured_settings(config: &Config) -> Settings {
    let port = |enabled: bool, port: Option<u16>, listen: &[SocketAddr]| {
        enabled.then(|| port.or(listen.first().map(SocketAddr::port)).unwrap_or(0))
    };
    site_settings(
        config,
        port(
            config.gemini.enabled,
            config.gemini.port,
            &config.gemini.listen,
        ),
        port(
            config.gopher.enabled,
            config.gopher.port,
            &config.gopher.listen,
        ),
    )
}

impl Server {
    /// Loads (or makes) the certificate, binds every listener and reads the site. Nothing is
    /// served until [`Server::run`].
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let timeouts = Timeouts {
            request: config.limits.request_timeout,
            write: WRITE_TIMEOUT,
        };
        let identity = match config.gemini.enabled {
            true => Some(tls::load_or_create(
                &config.gemini.certs,
                &config.site.hostname,
            )?),
            false => None,
        };
        let gemini_listeners = match config.gemini.enabled {
            true => bind_all(&config.gemini.listen, "Gemini").await?,
            false => Vec::new(),
        };
        let gopher_listeners = match config.gopher.enabled {
            true => bind_all(&config.gopher.listen, "Gopher").await?,
            false => Vec::new(),
        };
        // Public ports are known once bound (a configured port 0 becomes a real one).
        let gemini_port = config.gemini.enabled.then(|| {
            config
                .gemini
                .port
                .unwrap_or_else(|| first_port(&gemini_listeners))
        });
        let gopher_port = config.gopher.enabled.then(|| {
            config
                .gopher
                .port
                .unwrap_or_else(|| first_port(&gopher_listeners))
        });
        // Watch before the first scan, so a change made during it is not missed.
        let watch = match config.site.watch {
            true => FolderWatch::start(&config.site.content),
            false => None,
        };
        let content = Arc::new(Content::load(site_settings(
            config,
            gemini_port,
            gopher_port,
        ))?);

        let rate_limit = RateLimit::new(config.limits.rate_limit_per_minute).map(Arc::new);
        let mut server = Server {
            content: content.clone(),
            hostname: config.site.hostname.clone(),
            gemini: None,
            gopher: None,
            connections: Arc::new(Semaphore::new(config.limits.max_connections)),
            max_connections: config.limits.max_connections,
            watch,
            fingerprint: None,
            certificate_created: false,
        };
        if let (Some(identity), Some(public_port)) = (identity, gemini_port) {
            let handler = gemini::Handler {
                content: content.clone(),
                acceptor: TlsAcceptor::from(tls::server_config(&identity)?),
                hostname: config.site.hostname.clone(),
                public_port,
                timeouts,
                rate_limit: rate_limit.clone(),
                log_ips: config.log.log_ips,
            };
            server.fingerprint = Some(identity.fingerprint);
            server.certificate_created = identity.created;
            server.gemini = Some(Front {
                listeners: gemini_listeners,
                handler: Arc::new(handler),
                public_port,
            });
        }
        if let Some(public_port) = gopher_port {
            let handler = gopher::Handler {
                content,
                hostname: config.site.hostname.clone(),
                public_port,
                timeouts,
                rate_limit,
                log_ips: config.log.log_ips,
            };
            server.gopher = Some(Front {
                listeners: gopher_listeners,
                handler: Arc::new(handler),
                public_port,
            });
        }
        Ok(server)
    }

    /// The addresses the Gemini listeners are bound to.
    pub fn gemini_addrs(&self) -> Vec<SocketAddr> {
        self.gemini
            .as_ref()
            .map_or_else(Vec::new, Front::local_addrs)
    }

    /// The addresses the Gopher listeners are bound to.
    pub fn gopher_addrs(&self) -> Vec<SocketAddr> {
        self.gopher
            .as_ref()
            .map_or_else(Vec::new, Front::local_addrs)
    }

    /// The capsule's public Gemini URL.
    pub fn gemini_url(&self) -> Option<String> {
        let front = self.gemini.as_ref()?;
        Some(crate::content::gemini_url(
            &self.hostname,
            front.public_port,
        ))
    }

    /// The hole's public Gopher URL.
    pub fn gopher_url(&self) -> Option<String> {
        let front = self.gopher.as_ref()?;
        Some(format!("gopher://{}:{}/", self.hostname, front.public_port))
    }

    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// Serves (and follows changes to the content folder) until `shutdown` completes, then
    /// stops accepting and gives in-flight responses up to [`SHUTDOWN_GRACE`] to finish.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let (stop, stopped) = watch::channel(false);
        let mut loops = JoinSet::new();
        if let Some(watch) = self.watch {
            loops.spawn(watch.follow(self.content.clone(), stopped.clone()));
        }
        if let Some(front) = self.gemini {
            front.spawn(&mut loops, &self.connections, &stopped);
        }
        if let Some(front) = self.gopher {
            front.spawn(&mut loops, &self.connections, &stopped);
        }
        shutdown.await;
        tracing::info!("shutting down: no new connections");
        let _ = stop.send(true);
        while loops.join_next().await.is_some() {}
        let all = u32::try_from(self.max_connections).unwrap_or(u32::MAX);
        match tokio::time::timeout(SHUTDOWN_GRACE, self.connections.acquire_many(all)).await {
            Ok(_) => tracing::info!("all connections finished; bye"),
            Err(_) => tracing::warn!(
                "{} connections still open after {}s; closing them",
                all as usize - self.connections.available_permits(),
                SHUTDOWN_GRACE.as_secs()
            ),
        }
    }
}

/// Runs a response's write under the write timeout and returns the bytes it wrote. A client
/// that goes away or reads too slowly is its own doing: logged at debug, counted as 0 bytes.
pub async fn write_within(
    protocol: &str,
    limit: Duration,
    write: impl Future<Output = std::io::Result<u64>>,
) -> u64 {
    match tokio::time::timeout(limit, write).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            tracing::debug!("{protocol}: write failed: {err}");
            0
        }
        Err(_) => {
            tracing::debug!("{protocol}: client too slow to read; dropped");
            0
        }
    }
}

/// A protocol front end: what happens to one accepted connection.
pub trait ConnectionHandler: Send + Sync + 'static {
    /// Serves the connection from accept to close; never panics on anything the peer sends.
    fn serve(&self, stream: TcpStream, peer: SocketAddr) -> impl Future<Output = ()> + Send;
}

impl<H: ConnectionHandler> Front<H> {
    /// Starts an accept loop for each listener.
    fn spawn(
        self,
        loops: &mut JoinSet<()>,
        connections: &Arc<Semaphore>,
        stopped: &watch::Receiver<bool>,
    ) {
        for listener in self.listeners {
            let handler = self.handler.clone();
            loops.spawn(listener::accept_loop(
                listener,
                connections.clone(),
                stopped.clone(),
                move |stream, peer| {
                    let handler = handler.clone();
                    async move { handler.serve(stream, peer).await }
                },
            ));
        }
    }
}

impl<H> Front<H> {
    fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }
}

fn first_port(listeners: &[TcpListener]) -> u16 {
    listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .map_or(0, |addr| addr.port())
}

async fn bind_all(
    addrs: &[SocketAddr],
    protocol: &'static str,
) -> Result<Vec<TcpListener>, StartError> {
    addrs
        .iter()
        .map(|&addr| {
            bind(addr).map_err(|err| StartError::Bind {
                addr,
                protocol,
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
