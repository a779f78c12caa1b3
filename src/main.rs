//! The `gemhole` command: reads the command line and the configuration, then hands over to the
//! library. `serve` (the default) runs the server, `render` prints what one file becomes,
//! `check` reports what is wrong in the capsule, `cert` shows or remakes the certificate.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use gemhole::content::{self, Protocol, Site};
use gemhole::gemini::tls;
use gemhole::{server, Config, Overrides, Server};

#[derive(Parser)]
#[command(
    name = "gemhole",
    version,
    about = "Serve a markdown blog as a Gemini capsule and a Gopher hole, converted on the fly"
)]
struct Cli {
    /// Configuration file [default: ./config.toml, all defaults when it is missing]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The content folder (overrides [site] content)
    #[arg(long, global = true, value_name = "DIR")]
    content: Option<PathBuf>,
    /// The public host name (overrides [site] hostname)
    #[arg(long, global = true, value_name = "NAME")]
    hostname: Option<String>,
    /// Address for Gemini to listen on; repeat for several (overrides [gemini] listen)
    #[arg(long = "gemini-listen", global = true, value_name = "ADDR")]
    gemini_listen: Vec<SocketAddr>,
    /// Address for Gopher to listen on; repeat for several (overrides [gopher] listen)
    #[arg(long = "gopher-listen", global = true, value_name = "ADDR")]
    gopher_listen: Vec<SocketAddr>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the capsule (the default)
    Serve,
    /// Report problems in the capsule, one line each; exit 1 if there are errors
    Check,
    /// Show the Gemini certificate (fingerprint, names, validity), or make a new one
    Cert {
        /// Write a new self-signed certificate for the host names (use --hostname to set one)
        #[arg(long)]
        regenerate: bool,
        /// Replace an existing certificate (clients that pinned it will warn their readers)
        #[arg(long, requires = "regenerate")]
        force: bool,
    },
    /// Print what a markdown or gemtext file becomes when served
    Render {
        /// The file to render
        file: PathBuf,
        /// The format to render to
        #[arg(long, value_enum, default_value_t = Target::Gemtext)]
        to: Target,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    /// text/gemini, as served over Gemini
    Gemtext,
    /// Gopher type 0 text, as served over Gopher (CRLF, terminator included)
    Gopher,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("gemhole: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        content: cli.content,
        hostname: cli.hostname,
        gemini_listen: cli.gemini_listen,
        gopher_listen: cli.gopher_listen,
    };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).map(|()| ExitCode::SUCCESS),
        Command::Check => check(&config),
        Command::Cert { regenerate, force } => cert(&config, regenerate, force),
        Command::Render { file, to } => render(&config, &file, to).map(|()| ExitCode::SUCCESS),
    }
}

fn serve(config: &Config) -> anyhow::Result<()> {
    init_logging(&config.log.level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
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

/// Rescans the content folder and reads the certificates again on every SIGHUP.
fn reload_on_hangup(reloader: server::Reloader) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        tracing::warn!("cannot listen for SIGHUP; restart to pick up changes");
        return;
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the content folder and the certificates");
            let reloader = reloader.clone();
            let _ = tokio::task::spawn_blocking(move || reloader.reload_all()).await;
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

fn cert(config: &Config, regenerate: bool, force: bool) -> anyhow::Result<ExitCode> {
    let dir = &config.gemini.certs;
    if regenerate {
        tls::regenerate(dir, &server::host_names(config), force)?;
        println!("wrote a new certificate and key in {}", dir.display());
    }
    for summary in tls::summaries(dir)? {
        println!("{}", summary.path.display());
        println!("  SHA-256 fingerprint: {}", summary.fingerprint);
        println!("  names: {}", summary.names.join(", "));
        println!("  valid: {} to {}", summary.not_before, summary.not_after);
    }
    if regenerate {
        println!(
            "a running gemhole serves it to new connections once it sees the change (or on SIGHUP); \
             clients that pinned the old one will warn"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(config: &Config) -> anyhow::Result<ExitCode> {
    let site = Site::build(std::sync::Arc::new(server::configured_settings(config)))?;
    let problems = content::check::check(&site);
    let here = std::env::current_dir().unwrap_or_default();
    for problem in &problems {
        let mut shown = problem.clone();
        if let Ok(relative) = problem.path.strip_prefix(&here) {
            shown.path = relative.to_path_buf();
        }
        println!("{shown}");
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == content::Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    println!(
        "{}: {} pages and posts, {errors} errors, {warnings} warnings",
        config.site.content.display(),
        site.pages().len()
    );
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn render(config: &Config, file: &std::path::Path, to: Target) -> anyhow::Result<()> {
    let site = Site::build(std::sync::Arc::new(server::configured_settings(config)))?;
    let protocol = match to {
        Target::Gemtext => Protocol::Gemini,
        Target::Gopher => Protocol::Gopher,
    };
    let text = content::render_file(&site, file, protocol).map_err(|p| anyhow::anyhow!("{p}"))?;
    std::io::stdout()
        .write_all(&text)
        .context("cannot write to standard output")?;
    Ok(())
}
