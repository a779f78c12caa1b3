//! Counting outcomes and turning them into the final report, as a table for people or as one
//! line of JSON for `run.sh`.
//!
//! Each worker keeps its own [`Tally`] (no locks on the hot path); they are merged once the
//! phase is over. Percentiles are nearest-rank over every latency, sorted: exact, and cheap
//! enough for the few hundred thousand samples one run makes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::client::{Answer, Failure, FailureKind};
use crate::procstat::Memory;

/// The outcomes of one worker, or of all of them once merged.
#[derive(Debug, Default)]
pub struct Tally {
    latencies: Vec<Duration>,
    bytes: u64,
    resumed: u64,
    statuses: BTreeMap<String, u64>,
    failures: BTreeMap<FailureKind, u64>,
    /// The first reason seen for each kind of failure, to say why in the human report.
    first_reasons: BTreeMap<FailureKind, String>,
}

impl Tally {
    /// Counts one answer under `status`, or one failure.
    pub fn record(&mut self, outcome: Result<(Answer, String), Failure>) {
        match outcome {
            Ok((answer, status)) => {
                if !answer.close_notify {
                    self.fail(
                        FailureKind::NoCloseNotify,
                        "closed without TLS close_notify",
                    );
                }
                self.latencies.push(answer.latency);
                self.bytes += answer.bytes;
                self.resumed += u64::from(answer.resumed);
                *self.statuses.entry(status).or_default() += 1;
            }
            Err(failure) => self.fail(failure.kind, &failure.reason),
        }
    }

    fn fail(&mut self, kind: FailureKind, reason: &str) {
        *self.failures.entry(kind).or_default() += 1;
        self.first_reasons
            .entry(kind)
            .or_insert_with(|| reason.to_string());
    }

    /// Adds another worker's counts to these.
    pub fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.bytes += other.bytes;
        self.resumed += other.resumed;
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        for (kind, count) in other.failures {
            *self.failures.entry(kind).or_default() += count;
        }
        for (kind, reason) in other.first_reasons {
            self.first_reasons.entry(kind).or_insert(reason);
        }
    }
}

/// What the server spent during the measured phase, when its pid was given.
#[derive(Debug, Clone, Copy)]
pub struct ServerCost {
    pub cpu_seconds: f64,
    pub memory: Memory,
}

/// The numbers of one measured phase.
#[derive(Debug)]
pub struct Report {
    tally: Tally,
    elapsed: Duration,
    server: Option<ServerCost>,
}

impl Report {
    /// Sorts the latencies once, so that every percentile is an index.
    pub fn new(mut tally: Tally, elapsed: Duration, server: Option<ServerCost>) -> Self {
        tally.latencies.sort_unstable();
        Report {
            tally,
            elapsed,
            server,
        }
    }

    /// Answers read to the end, whatever their status; failures are not in it.
    fn requests(&self) -> u64 {
        self.tally.latencies.len() as u64
    }

    fn errors(&self) -> u64 {
        self.tally.failures.values().sum()
    }

    fn rps(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// Nearest-rank percentile, in milliseconds; `None` when nothing was answered.
    fn percentile_ms(&self, fraction: f64) -> Option<f64> {
        let sorted = &self.tally.latencies;
        let rank = (fraction * sorted.len() as f64).ceil() as usize;
        let index = rank.clamp(1, sorted.len().max(1)) - 1;
        sorted.get(index).map(|latency| latency.as_secs_f64() * 1e3)
    }

    fn max_ms(&self) -> Option<f64> {
        self.percentile_ms(1.0)
    }

    /// Server CPU seconds per 1,000 answers.
    fn cpu_per_1k(&self) -> Option<f64> {
        let server = self.server?;
        (self.requests() > 0).then(|| server.cpu_seconds * 1000.0 / self.requests() as f64)
    }

    /// One JSON object on one line; absent numbers are `null`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        let memory = self.server.map(|server| server.memory);
        let fields = [
            ("requests", self.requests().to_string()),
            ("errors", self.errors().to_string()),
            ("rps", format!("{:.1}", self.rps())),
            ("p50_ms", json_number(self.percentile_ms(0.50), 2)),
            ("p90_ms", json_number(self.percentile_ms(0.90), 2)),
            ("p99_ms", json_number(self.percentile_ms(0.99), 2)),
            ("max_ms", json_number(self.max_ms(), 2)),
            ("bytes", self.tally.bytes.to_string()),
            ("statuses", json_counts(&self.tally.statuses)),
            ("error_kinds", json_counts(&self.failure_counts())),
            ("resumed", self.tally.resumed.to_string()),
            ("elapsed_s", format!("{:.3}", self.elapsed.as_secs_f64())),
            ("cpu_s_per_1k", json_number(self.cpu_per_1k(), 4)),
            (
                "rss_peak_kib",
                json_number(memory.map(|m| m.peak_kib as f64), 0),
            ),
            (
                "rss_kib",
                json_number(memory.map(|m| m.current_kib as f64), 0),
            ),
        ];
        for (index, (key, value)) in fields.iter().enumerate() {
            let comma = if index == 0 { "" } else { "," };
            let _ = write!(out, "{comma}{}:{value}", json_string(key));
        }
        out.push('}');
        out
    }

    fn failure_counts(&self) -> BTreeMap<String, u64> {
        self.tally
            .failures
            .iter()
            .map(|(kind, count)| (kind.name().to_string(), *count))
            .collect()
    }

    /// The report as a short table.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let ms = |value: Option<f64>| value.map_or("-".to_string(), |v| format!("{v:.2}"));
        let _ = writeln!(
            out,
            "requests     {} in {:.2} s ({:.1}/s)",
            self.requests(),
            self.elapsed.as_secs_f64(),
            self.rps()
        );
        let _ = writeln!(
            out,
            "latency ms   p50 {}  p90 {}  p99 {}  max {}",
            ms(self.percentile_ms(0.50)),
            ms(self.percentile_ms(0.90)),
            ms(self.percentile_ms(0.99)),
            ms(self.max_ms())
        );
        let _ = writeln!(out, "bytes        {}", self.tally.bytes);
        let _ = writeln!(out, "resumed      {}", self.tally.resumed);
        let _ = writeln!(out, "statuses     {}", counts_line(&self.tally.statuses));
        let _ = writeln!(out, "errors       {}", self.errors());
        for (kind, count) in &self.tally.failures {
            let reason = self
                .tally
                .first_reasons
                .get(kind)
                .map_or("", String::as_str);
            let _ = writeln!(out, "  {:<16}{count}  (first: {reason})", kind.name());
        }
        self.write_server_lines(&mut out);
        out
    }

    fn write_server_lines(&self, out: &mut String) {
        let Some(server) = self.server else {
            return;
        };
        let cpu = self
            .cpu_per_1k()
            .map_or("-".to_string(), |v| format!("{v:.4}"));
        let _ = writeln!(
            out,
            "server cpu   {:.2} s in all, {cpu} s per 1,000 requests",
            server.cpu_seconds
        );
        let _ = writeln!(
            out,
            "server rss   peak {} KiB, now {} KiB",
            server.memory.peak_kib, server.memory.current_kib
        );
    }
}

fn counts_line(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "-".to_string();
    }
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    parts.join(", ")
}

fn json_number(value: Option<f64>, decimals: usize) -> String {
    value.map_or("null".to_string(), |v| format!("{v:.decimals$}"))
}

fn json_counts(counts: &BTreeMap<String, u64>) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(key, count)| format!("{}:{count}", json_string(key)))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// A JSON string literal; keys come from the network (status codes), so they are escaped.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(ms: u64, close_notify: bool) -> Result<(Answer, String), Failure> {
        let answer = Answer {
            latency: Duration::from_millis(ms),
            bytes: 10,
            head: b"20".to_vec(),
            close_notify,
            resumed: false,
        };
        Ok((answer, "20".to_string()))
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut tally = Tally::default();
        for ms in (1..=100).rev() {
            tally.record(answer(ms, true));
        }
        let report = Report::new(tally, Duration::from_secs(2), None);
        assert_eq!(report.percentile_ms(0.50), Some(50.0));
        assert_eq!(report.percentile_ms(0.99), Some(99.0));
        assert_eq!(report.max_ms(), Some(100.0));
        assert_eq!(report.rps(), 50.0);
    }

    #[test]
    fn a_missing_close_notify_is_an_error_but_the_answer_counts() {
        let mut tally = Tally::default();
        tally.record(answer(1, false));
        tally.record(Err(Failure {
            kind: FailureKind::Connect,
            reason: "refused".to_string(),
        }));
        let json = Report::new(tally, Duration::from_secs(1), None).to_json();
        assert!(json.starts_with(r#"{"requests":1,"errors":2,"#), "{json}");
        assert!(json.contains(r#""statuses":{"20":1}"#), "{json}");
        assert!(
            json.contains(r#""error_kinds":{"connect":1,"no_close_notify":1}"#),
            "{json}"
        );
        assert!(json.ends_with(r#""cpu_s_per_1k":null,"rss_peak_kib":null,"rss_kib":null}"#));
    }

    #[test]
    fn nothing_answered_gives_nulls() {
        let json = Report::new(Tally::default(), Duration::from_secs(1), None).to_json();
        assert!(json.contains(r#""p50_ms":null"#), "{json}");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n"), r#""a\"b\\c\u000a""#);
    }
}
