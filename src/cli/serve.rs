//! `gemhole serve`: start the server, say what is served where, and run until a signal.

use std::io::IsTerminal;

use anyhow::Context;

use crate::app::{Reloader, Server};
use crate::config::Config;
use crate::gemini::tls;

/// Threads for the work done off the async workers (renders, searches, opening files), per
/// core, and at least [`MIN_BLOCKING_THREADS`]. That work is short and mostly CPU-bound, so
/// more threads than this only add memory: each keeps a stack and its own allocator cache (at
/// 100,000 posts, tokio's default of 512 let a fetch of every post grow to some 50 threads and
/// 13 MiB more).
const BLOCKING_THREADS_PER_CORE: usize = 8;
const MIN_BLOCKING_THREADS: usize = 16;

pub fn serve(config: &Config) -> anyhow::Result<()> {
    init_logging(&config.log.level);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads((cores * BLOCKING_THREADS_PER_CORE).max(MIN_BLOCKING_THREADS))
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = Server::bind(config).await?;
        announce(config, &server);
        reload_on_hangup(server.reloader());
        server.run(shutdown_signal()).await;
        Ok(())
    })
}

/// Says what is served where, and the fingerprint readers can compare with their pin.
fn announce(config: &Config, server: &Server) {
    let site = server.content().snapshot();
    tracing::info!(
        "gemhole {} serving \"{}\" from {} (posts: {}, pages: {})",
        env!("CARGO_PKG_VERSION"),
        config.site.title,
        config.site.content.display(),
        site.posts().count(),
        site.standalone_pages().len(),
    );
    if let (Some(url), Some(fingerprint)) = (server.gemini_url(), server.fingerprint()) {
        let addrs: Vec<String> = server
            .gemini_addrs()
            .iter()
            .map(|a| a.to_string())
            .collect();
        tracing::info!("Gemini: {url} (listening on {})", addrs.join(", "));
        if server.certificate_created {
            tracing::info!(
                "made a new certificate in {} for {}",
                config.gemini.certs.display(),
                config.site.hostname
            );
        }
        tracing::info!("certificate SHA-256 fingerprint: {fingerprint}");
        warn_unless_named(config);
    }
    if let Some(url) = server.gopher_url() {
        let addrs: Vec<String> = server
            .gopher_addrs()
            .iter()
            .map(|a| a.to_string())
            .collect();
        tracing::info!("Gopher: {url} (listening on {})", addrs.join(", "));
    }
    tracing::info!("ready; SIGHUP rescans, SIGINT or SIGTERM stops");
}

/// Warns when the default certificate does not name the host name: clients that check names
/// (Amfora, say) refuse it.
fn warn_unless_named(config: &Config) {
    let Ok(summaries) = tls::summaries(&config.gemini.certs) else {
        return;
    };
    let Some(default) = summaries.first() else {
        return;
    };
    let hostname = &config.site.hostname;
    if !default
        .names
        .iter()
        .any(|name| name.eq_ignore_ascii_case(hostname))
    {
        tracing::warn!(
            "the certificate in {} names {}, not {hostname}: clients will warn their readers; \
             `gemhole cert --regenerate --force` makes one that names it (and clients that \
             pinned the old one will warn once)",
            config.gemini.certs.display(),
            default.names.join(", ")
        );
    }
}

/// Rescans the content folder and reads the certificates again on every SIGHUP. The signal
/// loop never waits for a reload: it asks a task beside it for one, which runs them one after
/// another, and SIGHUPs that come during a reload make one more after it.
fn reload_on_hangup(reloader: Reloader) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        tracing::warn!("cannot listen for SIGHUP; restart to pick up changes");
        return;
    };
    let (wanted, mut wants) = tokio::sync::mpsc::channel::<()>(1);
    tokio::spawn(async move {
        while wants.recv().await.is_some() {
            let reloader = reloader.clone();
            let _ = tokio::task::spawn_blocking(move || reloader.reload_all()).await;
        }
    });
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match wanted.try_send(()) {
                Ok(()) => {
                    tracing::info!("SIGHUP: reloading the content folder and the certificates")
                }
                Err(_) => tracing::info!(
                    "SIGHUP: a reload is already waiting to start; it covers this one"
                ),
            }
        }
    });
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = interrupt => {},
                _ = terminate.recv() => {},
            }
        }
        Err(_) => {
            let _ = interrupt.await;
        }
    }
}

/// Logs to stderr: colours only on a terminal; under systemd (which sets JOURNAL_STREAM) no
/// timestamps either, since the journal adds its own.
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().init();
    } else {
        builder.init();
    }
}
