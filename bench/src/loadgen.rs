//! `loadgen`: a closed-loop load generator for Gemini and Gopher servers on this machine.
//!
//! `--concurrency` workers each make one request per new connection, as both protocols
//! require, and start the next as soon as the last is answered; so the request rate measures
//! the server (and the machine), not a schedule. An optional warm-up runs first and is not
//! counted. With `--pid`, the server's CPU time over the measured phase and its memory are
//! read from `/proc`. `--dump-body` instead makes one request and prints the answer's body,
//! which is how `run.sh` gives the ceiling servers the very bytes gemhole serves.
//!
//! One URL (or selector) is requested again and again, or with `--selectors-from` the lines of
//! a file in turn, every worker taking the next from one shared position: with `--requests`
//! equal to the number of lines (the default then), each is requested exactly once, which is
//! how `scale.sh` fetches every post of a capsule.
//!
//! Only loopback addresses are accepted: this is a tool for measuring one's own server, not
//! for loading anybody else's.

mod client;
mod procstat;
mod tally;

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use clap::{Parser, ValueEnum};
use rustls::pki_types::ServerName;

use client::{Protocol, Request};
use tally::{Report, ServerCost, Tally};

/// With `--requests` and no `--duration`, the run still stops after this long.
const REQUESTS_TIME_CAP: Duration = Duration::from_secs(3600);
/// The most of an answer `--dump-body` keeps; a bigger one is refused, not cut.
const DUMP_LIMIT: usize = 64 * 1024 * 1024;
/// Enough of an answer to read its status.
const STATUS_BYTES: usize = 2;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProtocolName {
    Gemini,
    Gopher,
}

/// Closed-loop load generator for Gemini and Gopher servers on loopback.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// gemini (TLS) or gopher (plain TCP).
    #[arg(long, value_enum)]
    protocol: ProtocolName,
    /// Server address; must be a loopback IP, e.g. 127.0.0.1:1965.
    #[arg(long)]
    addr: SocketAddr,
    /// Gemini request URL; its host is also the SNI name.
    #[arg(long, default_value = "gemini://localhost/")]
    url: String,
    /// Gopher selector.
    #[arg(long, default_value = "/")]
    selector: String,
    /// Request targets, one per line (Gemini: URLs all naming one host; Gopher: selectors),
    /// taken in turn by all clients; without --requests or --duration, each line once.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["url", "selector", "dump_body"])]
    selectors_from: Option<PathBuf>,
    /// Clients working at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    concurrency: u64,
    /// Seconds to measure (default 10; with --requests, a cap that defaults to an hour).
    #[arg(long)]
    duration: Option<f64>,
    /// Stop after this many requests in all.
    #[arg(long)]
    requests: Option<u64>,
    /// Seconds of load before measuring, not counted.
    #[arg(long, default_value_t = 0.0)]
    warmup: f64,
    /// Seconds one request may take, connection to end of answer.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Gemini: resume TLS sessions (IDs and tickets) instead of a full handshake each time.
    #[arg(long)]
    resume: bool,
    /// The server's process id, to report its CPU time and memory.
    #[arg(long)]
    pid: Option<u32>,
    /// Print one JSON object on one line instead of the table.
    #[arg(long)]
    json: bool,
    /// Make one request and print the answer's body (Gemini: after the header) to stdout.
    #[arg(long, conflicts_with_all = ["json", "pid", "requests", "warmup"])]
    dump_body: bool,
}

/// Errors end the program with one line (causes included) and exit status 1.
fn main() -> ExitCode {
    match start(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("loadgen: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn start(cli: Cli) -> anyhow::Result<()> {
    ensure!(
        cli.addr.ip().is_loopback(),
        "refusing {}: loadgen only loads servers on this machine (a loopback address such as 127.0.0.1)",
        cli.addr
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (request, lines) = build_request(&cli)?;
    if cli.dump_body {
        return dump_body(&request, lines.take()).await;
    }
    let report = measure(&cli, &request, lines).await?;
    if cli.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}

/// The server to ask, and the request lines to send it.
fn build_request(cli: &Cli) -> anyhow::Result<(Request, Arc<Lines>)> {
    let timeout = seconds("--timeout", cli.timeout)?;
    let targets = match (&cli.selectors_from, cli.protocol) {
        (Some(path), _) => read_targets(path)?,
        (None, ProtocolName::Gemini) => vec![cli.url.clone()],
        (None, ProtocolName::Gopher) => vec![cli.selector.clone()],
    };
    let protocol = match cli.protocol {
        ProtocolName::Gemini => {
            let host = sni_host(&targets)?;
            let server_name = ServerName::try_from(host.to_string())
                .with_context(|| format!("{} has no usable host name for SNI", targets[0]))?;
            let connector = client::tls_connector(cli.resume)?;
            Protocol::Gemini {
                connector,
                server_name,
            }
        }
        ProtocolName::Gopher => Protocol::Gopher,
    };
    let request = Request {
        addr: cli.addr,
        protocol,
        timeout,
    };
    Ok((request, Lines::new(&targets)))
}

/// The request targets in a `--selectors-from` file.
fn read_targets(path: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let targets = parse_targets(&text);
    ensure!(
        !targets.is_empty(),
        "{} holds no request target",
        path.display()
    );
    Ok(targets)
}

/// One target per line, without its line end (LF or CRLF); blank lines are skipped.
fn parse_targets(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The host the Gemini URLs name, the SNI name of every connection; they must all name the same.
fn sni_host(urls: &[String]) -> anyhow::Result<&str> {
    let first = urls.first().context("no URL to request")?;
    let host = client::url_host(first);
    if let Some(other) = urls.iter().find(|url| client::url_host(url) != host) {
        bail!("{other} names another host than {first}: every URL must name the same host");
    }
    Ok(host)
}

/// Request lines (CRLF included) that workers take in turn from one shared position, so that
/// as many requests as lines send each line exactly once.
#[derive(Debug)]
struct Lines {
    lines: Vec<Box<[u8]>>,
    next: AtomicUsize,
}

impl Lines {
    /// `targets` must not be empty.
    fn new(targets: &[String]) -> Arc<Self> {
        let lines = targets
            .iter()
            .map(|target| format!("{target}\r\n").into_bytes().into_boxed_slice())
            .collect();
        Arc::new(Lines {
            lines,
            next: AtomicUsize::new(0),
        })
    }

    fn count(&self) -> usize {
        self.lines.len()
    }

    /// The next line, starting over after the last.
    fn take(&self) -> &[u8] {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.lines.len();
        &self.lines[index]
    }
}

fn seconds(flag: &str, value: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value).with_context(|| format!("{flag} {value} is not a duration"))
}

/// One request; the body goes to stdout, and anything but a success is an error.
async fn dump_body(request: &Request, line: &[u8]) -> anyhow::Result<()> {
    let answer = request.send(line, DUMP_LIMIT).await?;
    ensure!(
        (answer.bytes as usize) <= DUMP_LIMIT,
        "the answer is larger than {DUMP_LIMIT} bytes"
    );
    if !answer.close_notify {
        eprintln!("loadgen: warning: the server closed without TLS close_notify");
    }
    let body = match request.protocol {
        Protocol::Gemini { .. } => gemini_body(&answer.head)?,
        Protocol::Gopher => gopher_body(&answer.head)?,
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(body)?;
    stdout.flush()?;
    Ok(())
}

fn gemini_body(answer: &[u8]) -> anyhow::Result<&[u8]> {
    let end = answer
        .windows(2)
        .position(|pair| pair == b"\r\n")
        .context("the answer has no CRLF-terminated header")?;
    let header = String::from_utf8_lossy(&answer[..end]);
    ensure!(header.starts_with('2'), "the server answered {header:?}");
    Ok(&answer[end + 2..])
}

fn gopher_body(answer: &[u8]) -> anyhow::Result<&[u8]> {
    match answer.first() {
        None => bail!("the server sent nothing"),
        Some(b'3') => bail!(
            "the server answered with an error item: {}",
            String::from_utf8_lossy(&answer[..answer.len().min(200)])
        ),
        Some(_) => Ok(answer),
    }
}

/// Warm-up (not counted), then the measured phase with the server's CPU read around it.
async fn measure(cli: &Cli, request: &Request, lines: Arc<Lines>) -> anyhow::Result<Report> {
    let warmup = seconds("--warmup", cli.warmup)?;
    if !warmup.is_zero() {
        let budget = Budget::new(warmup, None);
        load(request, &lines, cli.concurrency, budget).await?;
    }
    // A file of targets is gone through once unless told otherwise.
    let one_pass = cli.selectors_from.is_some() && cli.duration.is_none();
    let requests = cli
        .requests
        .or_else(|| one_pass.then_some(lines.count() as u64));
    let duration = match (cli.duration, requests) {
        (Some(secs), _) => seconds("--duration", secs)?,
        (None, Some(_)) => REQUESTS_TIME_CAP,
        (None, None) => Duration::from_secs(10),
    };
    let ticks_per_second = procstat::clock_ticks_per_second();
    let cpu_before = cli.pid.map(procstat::cpu_ticks).transpose()?;
    let started = Instant::now();
    let tally = load(
        request,
        &lines,
        cli.concurrency,
        Budget::new(duration, requests),
    )
    .await?;
    let elapsed = started.elapsed();
    let server = match (cli.pid, cpu_before) {
        (Some(pid), Some(before)) => Some(ServerCost {
            cpu_seconds: procstat::cpu_seconds(before, procstat::cpu_ticks(pid)?, ticks_per_second),
            memory: procstat::memory(pid)?,
        }),
        _ => None,
    };
    Ok(Report::new(tally, elapsed, server))
}

/// When workers stop: at the deadline, or once the request count is used up.
#[derive(Debug)]
struct Budget {
    deadline: Instant,
    remaining: Option<AtomicU64>,
}

impl Budget {
    fn new(duration: Duration, requests: Option<u64>) -> Arc<Self> {
        Arc::new(Budget {
            deadline: Instant::now() + duration,
            remaining: requests.map(AtomicU64::new),
        })
    }

    /// True when one more request may start.
    fn take(&self) -> bool {
        if Instant::now() >= self.deadline {
            return false;
        }
        match &self.remaining {
            None => true,
            Some(remaining) => remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// Runs `concurrency` workers until the budget is spent and merges what they counted.
async fn load(
    request: &Request,
    lines: &Arc<Lines>,
    concurrency: u64,
    budget: Arc<Budget>,
) -> anyhow::Result<Tally> {
    let workers: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(worker(request.clone(), lines.clone(), budget.clone())))
        .collect();
    let mut total = Tally::default();
    for handle in workers {
        total.merge(handle.await.context("a worker panicked")?);
    }
    Ok(total)
}

/// One client: a request, then the next, while the budget lasts.
async fn worker(request: Request, lines: Arc<Lines>, budget: Arc<Budget>) -> Tally {
    let mut tally = Tally::default();
    while budget.take() {
        let outcome = request
            .send(lines.take(), STATUS_BYTES)
            .await
            .map(|answer| {
                let status = request.status(&answer.head);
                (answer, status)
            });
        tally.record(outcome);
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_bodies_drop_the_gemini_header_only() {
        let answer = b"20 text/gemini\r\n# Hi\r\n";
        assert_eq!(gemini_body(answer).unwrap(), b"# Hi\r\n");
        assert!(gemini_body(b"51 Not found\r\n").is_err());
        assert!(gemini_body(b"20 no line end").is_err());
        assert_eq!(gopher_body(b"iHello\r\n").unwrap(), b"iHello\r\n");
        assert!(gopher_body(b"3Not found\r\n").is_err());
        assert!(gopher_body(b"").is_err());
    }

    #[test]
    fn target_files_hold_one_target_per_line() {
        let text = "/posts/a\r\n\n/posts/b\n  \n/search\tsmall web\n";
        assert_eq!(
            parse_targets(text),
            ["/posts/a", "/posts/b", "/search\tsmall web"]
        );
        assert!(parse_targets("\n \n").is_empty());
    }

    #[test]
    fn gemini_targets_share_one_host() {
        let urls = |list: &[&str]| list.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        let same = urls(&["gemini://localhost/a", "gemini://localhost:1965/b"]);
        assert_eq!(sni_host(&same).unwrap(), "localhost");
        assert!(sni_host(&urls(&["gemini://localhost/a", "gemini://example.org/b"])).is_err());
        assert!(sni_host(&[]).is_err());
    }

    #[test]
    fn lines_go_round_and_each_comes_once_per_round() {
        let lines = Lines::new(&["a".to_string(), "b".to_string(), "c".to_string()]);
        assert_eq!(lines.count(), 3);
        let mut taken: Vec<&[u8]> = (0..6).map(|_| lines.take()).collect();
        assert_eq!(&taken[..3], [b"a\r\n", b"b\r\n", b"c\r\n"]);
        taken.sort();
        assert_eq!(taken.len(), 6);
        assert_eq!(taken[0], taken[1]);
    }

    #[test]
    fn a_request_budget_runs_out() {
        let budget = Budget::new(Duration::from_secs(60), Some(2));
        assert!(budget.take());
        assert!(budget.take());
        assert!(!budget.take());
        assert!(!Budget::new(Duration::ZERO, None).take());
    }
}
