//! What the listeners share: binding, the connection limit, timeouts, graceful shutdown and the
//! access log. Protocol front ends plug in as per-connection handlers; this module knows
//! nothing of what they speak.

pub mod access;
mod listener;
pub mod proxy;
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
use crate::gemini::{self, tls, tls::Certificates};
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
    /// The Gemini certificates, reloadable while serving.
    certificates: Option<Arc<Certificates>>,
    /// True when this start made the default certificate.
    pub certificate_created: bool,
    /// Watches on the content folder and the certificates folder, when followed.
    content_watch: Option<FolderWatch>,
    certs_watch: Option<FolderWatch>,
}

/// What SIGHUP (or a change on disk) reloads: the site, and the certificates.
#[derive(Clone)]
pub struct Reloader {
    content: Arc<Content>,
    certificates: Option<Arc<Certificates>>,
}

impl Reloader {
    /// Rescans the content folder and reads the certificates again; what fails is logged and
    /// the last good state keeps serving.
    pub fn reload_all(&self) {
        self.content.reload();
        if let Some(certificates) = &self.certificates {
            reload_certificates(certificates);
        }
    }
}

fn reload_certificates(certificates: &Certificates) {
    let before = certificates.fingerprint();
    match certificates.reload() {
        Ok(()) if certificates.fingerprint() != before => tracing::info!(
            "new certificate for new connections; SHA-256 fingerprint: {}",
            certificates.fingerprint()
        ),
        Ok(()) => tracing::debug!("certificates read again; unchanged"),
        Err(err) => tracing::error!("certificate not replaced, the old one stays in use: {err}"),
    }
}

/// One protocol's listeners and the handler they share.
struct Front<H> {
    listeners: Vec<TcpListener>,
    handler: Arc<H>,
    public_port: u16,
    /// Every connection starts with a PROXY protocol header, read (within this time) before
    /// the handler sees the connection.
    proxy_header: Option<Duration>,
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

/// Every name the capsule answers to: the host name first, then its aliases.
pub fn host_names(config: &Config) -> Vec<String> {
    std::iter::once(config.site.hostname.clone())
        .chain(config.site.aliases.iter().cloned())
        .collect()
}

impl Server {
    /// Loads (or makes) the certificates, binds every listener and reads the site. Nothing is
    /// served until [`Server::run`].
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let timeouts = Timeouts {
            request: config.limits.request_timeout,
            write: WRITE_TIMEOUT,
        };
        let names = host_names(config);
        let (certificates, certificate_created) = match config.gemini.enabled {
            true => {
                let (certificates, created) =
                    Certificates::load_or_create(&config.gemini.certs, &names)?;
                (Some(Arc::new(certificates)), created)
            }
            false => (None, false),
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
        // Watch before the first read, so a change made meanwhile is not missed.
        let content_watch = match config.site.watch {
            true => FolderWatch::start(&config.site.content),
            false => None,
        };
        let certs_watch = certificates
            .as_ref()
            .and_then(|_| FolderWatch::start(&config.gemini.certs));
        let content = Arc::new(Content::load(site_settings(
            config,
            gemini_port,
            gopher_port,
        ))?);

        let rate_limit = RateLimit::new(config.limits.rate_limit_per_minute).map(Arc::new);
        let proxy_header = |enabled: bool| enabled.then_some(config.limits.request_timeout);
        let gemini = match (&certificates, gemini_port) {
            (Some(certificates), Some(public_port)) => {
                let handler = gemini::Handler {
                    content: content.clone(),
                    acceptor: TlsAcceptor::from(certificates.server_config()?),
                    hostnames: names,
                    public_port,
                    timeouts,
                    rate_limit: rate_limit.clone(),
                    log_ips: config.log.log_ips,
                };
                Some(Front {
                    listeners: gemini_listeners,
                    handler: Arc::new(handler),
                    public_port,
                    proxy_header: proxy_header(config.gemini.proxy_protocol),
                })
            }
            _ => None,
        };
        let gopher = gopher_port.map(|public_port| {
            let handler = gopher::Handler {
                content: content.clone(),
                hostname: config.site.hostname.clone(),
                public_port,
                timeouts,
                rate_limit,
                log_ips: config.log.log_ips,
            };
            Front {
                listeners: gopher_listeners,
                handler: Arc::new(handler),
                public_port,
                proxy_header: proxy_header(config.gopher.proxy_protocol),
            }
        });
        Ok(Server {
            content,
            hostname: config.site.hostname.clone(),
            gemini,
            gopher,
            connections: Arc::new(Semaphore::new(config.limits.max_connections)),
            max_connections: config.limits.max_connections,
            certificates,
            certificate_created,
            content_watch,
            certs_watch,
        })
    }

    /// SHA-256 of the default Gemini certificate, as clients pin it.
    pub fn fingerprint(&self) -> Option<String> {
        self.certificates.as_ref().map(|c| c.fingerprint())
    }

    /// A handle that reloads the site and the certificates, for SIGHUP.
    pub fn reloader(&self) -> Reloader {
        Reloader {
            content: self.content.clone(),
            certificates: self.certificates.clone(),
        }
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
        if let Some(watch) = self.content_watch {
            let content = self.content.clone();
            loops.spawn(watch.follow(stopped.clone(), move || content.reload()));
        }
        if let (Some(watch), Some(certificates)) = (self.certs_watch, self.certificates.clone()) {
            loops.spawn(watch.follow(stopped.clone(), move || reload_certificates(&certificates)));
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
            let proxy_header = self.proxy_header;
            loops.spawn(listener::accept_loop(
                listener,
                connections.clone(),
                stopped.clone(),
                move |mut stream, peer| {
                    let handler = handler.clone();
                    async move {
                        let client = match proxy_header {
                            None => peer,
                            Some(limit) => match proxied_client(&mut stream, limit).await {
                                Some(client) => client.unwrap_or(peer),
                                None => return,
                            },
                        };
                        handler.serve(stream, client).await
                    }
                },
            ));
        }
    }
}

/// The client a PROXY header names (`Some(None)`: the balancer itself), or `None` when the
/// connection must be dropped for want of a valid header.
async fn proxied_client(stream: &mut TcpStream, limit: Duration) -> Option<Option<SocketAddr>> {
    match tokio::time::timeout(limit, proxy::read_header(stream)).await {
        Ok(Ok(client)) => Some(client),
        Ok(Err(err)) => {
            tracing::debug!("connection refused: {err}");
            None
        }
        Err(_) => {
            tracing::debug!("connection refused: no PROXY header in time");
            None
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
