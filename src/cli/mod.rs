//! The `gemhole` command line: the arguments, then one file per command, each thin. Every
//! capability lives in the library; a command only reads its arguments, calls it and says what
//! happened. `serve` (the default) runs the server, `render` prints what one file becomes,
//! `check` reports what is wrong in the capsule, `cert` shows or remakes the certificate,
//! `new` begins a post; `man` and `completions` print what the definitions here make, and read
//! no configuration.

mod cert;
mod check;
mod completions;
mod man;
mod new;
mod render;
mod serve;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::{Config, ConfigError, Overrides};

/// Reads the command line and runs the command; what goes wrong is one line on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("gemhole: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Parser)]
#[command(
    name = "gemhole",
    version,
    about = "Serve a markdown blog as a Gemini capsule and a Gopher hole, converted on the fly",
    long_about = "Serve a markdown blog as a Gemini capsule and a Gopher hole, converted on the \
        fly.\n\n\
        The capsule is a folder of markdown posts and pages with YAML or TOML front matter; \
        each is converted to gemtext or Gopher text when it is asked for, and the folder is \
        followed as it changes. With no command, gemhole serves. The configuration file names \
        the capsule, the host name, the addresses and the limits; the options below override \
        it. SIGHUP rescans the capsule and reads the certificates again; SIGINT or SIGTERM \
        stops once the responses in flight are sent."
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
    /// Begin a post (or, with --page, a page) titled TITLE, and say where it is served
    New {
        /// The title
        title: String,
        /// A page at the top of the capsule instead of a dated post
        #[arg(long)]
        page: bool,
    },
    /// Print what a markdown or gemtext file becomes when served
    Render {
        /// The file to render
        file: PathBuf,
        /// The format to render to
        #[arg(long, value_enum, default_value_t = Target::Gemtext)]
        to: Target,
    },
    /// Print the manual page (roff), or write every page into a folder
    Man {
        /// Write gemhole.1 and a gemhole-COMMAND.1 for each command into DIR instead
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print the completion script for SHELL
    Completions {
        /// The shell to complete in
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    /// text/gemini, as served over Gemini
    Gemtext,
    /// A Gopher menu (type 1), as a post or page is served over Gopher
    Gopher,
    /// Gopher type 0 text, the plain-text form served at the page's selector plus `.txt`
    GopherText,
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        content: cli.content,
        hostname: cli.hostname,
        gemini_listen: cli.gemini_listen,
        gopher_listen: cli.gopher_listen,
    };
    let file = cli.config.as_deref();
    let load = || Config::load(file, &overrides);
    let done = |()| ExitCode::SUCCESS;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(&load()?).map(done),
        Command::Check => check::check(&load()?),
        Command::New { title, page } => new::new(&load()?, &title, page).map(done),
        Command::Cert { regenerate, force } => cert::cert(&load()?, regenerate, force),
        Command::Render { file: source, to } => {
            let config = render_config(file, &overrides, &source)?;
            render::render(&config, &source, to).map(done)
        }
        // What the command line says of itself needs no configuration and works anywhere.
        Command::Man { out } => man::man(Cli::command(), out.as_deref()).map(done),
        Command::Completions { shell } => completions::completions(Cli::command(), shell).map(done),
    }
}

/// The configuration `render` uses. Outside a capsule, a file renders with the defaults and its
/// own folder as the capsule: `gemhole render` works on any markdown file, from anywhere.
fn render_config(
    file: Option<&Path>,
    overrides: &Overrides,
    source: &Path,
) -> Result<Config, ConfigError> {
    match Config::load(file, overrides) {
        Err(ConfigError::Invalid { key, .. })
            if key == "site.content" && overrides.content.is_none() =>
        {
            let folder = source.parent().filter(|p| !p.as_os_str().is_empty());
            let overrides = Overrides {
                content: Some(folder.map_or_else(|| PathBuf::from("."), Path::to_path_buf)),
                ..overrides.clone()
            };
            Config::load(file, &overrides)
        }
        loaded => loaded,
    }
}
