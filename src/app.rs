//! The composition root: from a checked [`Config`] to a running server. It loads (or makes) the
//! certificates, binds the listeners, loads the content, builds both front ends, starts the
//! watchers and owns reload and shutdown.
//!
//! This is the only module that names the network layer, both front ends and the content layer
//! together; each of them is built here from what it needs and nothing more.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::content::{Content, Rescan};
use crate::gemini::{self, tls, tls::Certificates};
use crate::gopher;
use crate::net::accept::{Connections, Intake};
use crate::net::listener::{bind_all, BindError};
use crate::net::rate::RateLimit;
use crate::net::watch::{FolderWatch, News, Reattach};
use crate::net::{ConnectionHandler, Policy, Timeouts};
use crate::proto::url;
use crate::site::SiteError;

/// How long in-flight responses may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Content(#[from] SiteError),
    #[error("cannot listen on {} for {protocol}: {}", .source.addr, .source.reason)]
    Bind {
        protocol: &'static str,
        source: BindError,
    },
}

/// A server with its sockets bound and its site loaded, not yet accepting.
pub struct Server {
    content: Arc<Content>,
    hostname: String,
    gemini: Option<Front<gemini::Handler>>,
    gopher: Option<Front<gopher::Handler>>,
    connections: Connections,
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
    /// The watches on both folders, re-attached first: a swap they could not see (a symlink
    /// flipped above the folder's parent) is followed from then on.
    watches: Vec<Reattach>,
}

impl Reloader {
    /// Re-attaches the watches to the folders their paths lead to now, then rescans the
    /// content folder and reads the certificates again; what fails is logged and the last good
    /// state keeps serving.
    pub fn reload_all(&self) {
        self.watches.iter().for_each(Reattach::reattach);
        self.content.reload(Rescan::Everything);
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
    intake: Intake,
}

/// The listeners of one protocol, when it is served.
fn listeners(
    enabled: bool,
    addrs: &[SocketAddr],
    protocol: &'static str,
) -> Result<Vec<TcpListener>, StartError> {
    match enabled {
        true => bind_all(addrs).map_err(|source| StartError::Bind { protocol, source }),
        false => Ok(Vec::new()),
    }
}

/// The port clients are told about: the configured public one, else the first bound (a
/// configured port 0 becomes a real one once bound).
fn public_port(enabled: bool, configured: Option<u16>, listeners: &[TcpListener]) -> Option<u16> {
    enabled.then(|| {
        configured.unwrap_or_else(|| {
            listeners
                .first()
                .and_then(|l| l.local_addr().ok())
                .map_or(0, |addr| addr.port())
        })
    })
}

impl Server {
    /// Loads (or makes) the certificates, binds every listener and reads the site. Nothing is
    /// served until [`Server::run`].
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let names = config.host_names();
        let (certificates, certificate_created) = match config.gemini.enabled {
            true => {
                let (certificates, created) =
                    Certificates::load_or_create(&config.gemini.certs, &names)?;
                (Some(Arc::new(certificates)), created)
            }
            false => (None, false),
        };
        let gemini_listeners = listeners(config.gemini.enabled, &config.gemini.listen, "Gemini")?;
        let gopher_listeners = listeners(config.gopher.enabled, &config.gopher.listen, "Gopher")?;
        let gemini_port = public_port(config.gemini.enabled, config.gemini.port, &gemini_listeners);
        let gopher_port = public_port(config.gopher.enabled, config.gopher.port, &gopher_listeners);
        // Watch before the first read, so a change made meanwhile is not missed.
        let content_watch = match config.site.watch {
            true => FolderWatch::start(&config.site.content),
            false => None,
        };
        let certs_watch = certificates
            .as_ref()
            .and_then(|_| FolderWatch::start(&config.gemini.certs));
        let content = Arc::new(Content::load(
            config.content_settings(gemini_port, gopher_port),
        )?);

        let policy = Policy {
            timeouts: Timeouts {
                request: config.limits.request_timeout,
                send_idle: config.limits.send_idle,
            },
            rate_limit: RateLimit::new(config.limits.rate_limit_per_minute).map(Arc::new),
            log_ips: config.log.log_ips,
        };
        let intake = |proxy_protocol: bool| Intake {
            request_timeout: config.limits.request_timeout,
            proxy_protocol,
        };
        let gemini = match (&certificates, gemini_port) {
            (Some(certificates), Some(public_port)) => {
                let handler = gemini::Handler::new(
                    content.clone(),
                    certificates.clone(),
                    &names,
                    public_port,
                    policy.clone(),
                );
                Some(Front {
                    listeners: gemini_listeners,
                    handler: Arc::new(handler),
                    public_port,
                    intake: intake(config.gemini.proxy_protocol),
                })
            }
            _ => None,
        };
        let gopher = gopher_port.map(|public_port| Front {
            listeners: gopher_listeners,
            handler: Arc::new(gopher::Handler::new(
                content.clone(),
                &config.site.hostname,
                public_port,
                policy,
            )),
            public_port,
            intake: intake(config.gopher.proxy_protocol),
        });
        Ok(Server {
            content,
            hostname: config.site.hostname.clone(),
            gemini,
            gopher,
            connections: Connections::new(
                config.limits.max_connections,
                config.limits.max_connections_per_client,
            ),
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
            watches: [&self.content_watch, &self.certs_watch]
                .into_iter()
                .flatten()
                .map(FolderWatch::reattacher)
                .collect(),
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
        Some(url::gemini(&self.hostname, front.public_port, "/"))
    }

    /// The hole's public Gopher URL.
    pub fn gopher_url(&self) -> Option<String> {
        let front = self.gopher.as_ref()?;
        Some(url::gopher_root(&self.hostname, front.public_port))
    }

    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// Serves (and follows changes to the content folder) until `shutdown` completes, then
    /// stops accepting and gives in-flight responses up to [`SHUTDOWN_GRACE`] to finish; the
    /// connections still open then are closed.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let connections = self.connections;
        if let Some(watch) = self.content_watch {
            let content = self.content.clone();
            connections.until_shutdown(watch.follow(move |news| {
                content.reload(match news {
                    News::Changes => Rescan::Changed,
                    News::EventsLost => Rescan::Everything,
                })
            }));
        }
        if let (Some(watch), Some(certificates)) = (self.certs_watch, self.certificates.clone()) {
            connections.until_shutdown(watch.follow(move |_| reload_certificates(&certificates)));
        }
        if let Some(front) = self.gemini {
            front.listen(&connections);
        }
        if let Some(front) = self.gopher {
            front.listen(&connections);
        }
        shutdown.await;
        tracing::info!("shutting down: no new connections");
        match connections.shutdown(SHUTDOWN_GRACE).await {
            0 => tracing::info!("all connections finished; bye"),
            open => tracing::warn!(
                "{open} connections still open after {}s; closed them",
                SHUTDOWN_GRACE.as_secs()
            ),
        }
    }
}

impl<H: ConnectionHandler> Front<H> {
    /// Starts an accept loop for each listener.
    fn listen(self, connections: &Connections) {
        for listener in self.listeners {
            connections.listen(listener, self.handler.clone(), self.intake);
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
