//! What the server process spent, read from Linux's `/proc`: CPU time from `/proc/PID/stat`
//! and memory from `/proc/PID/status`.
//!
//! CPU is sampled before and after the measured phase, so warm-up and start-up work are left
//! out; memory is read once at the end, where `VmHWM` already holds the peak of the whole run.

use std::fs;
use std::process::Command;

use anyhow::{bail, Context};

/// Used when `getconf CLK_TCK` cannot be asked; it is the value on every common Linux.
const DEFAULT_CLOCK_TICKS: u64 = 100;

/// CPU time of a process, in clock ticks (user + system).
#[derive(Debug, Clone, Copy)]
pub struct CpuTicks(u64);

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub peak_kib: u64,
    pub current_kib: u64,
}

/// Reads `utime + stime` of `pid`.
pub fn cpu_ticks(pid: u32) -> anyhow::Result<CpuTicks> {
    let path = format!("/proc/{pid}/stat");
    let stat = fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    parse_cpu_ticks(&stat).with_context(|| format!("unexpected contents in {path}"))
}

/// The process name (field 2) may hold spaces and parentheses, so fields are counted from the
/// last `)`: after it come state (field 3) ... utime (14) and stime (15).
fn parse_cpu_ticks(stat: &str) -> anyhow::Result<CpuTicks> {
    let Some((_, after_name)) = stat.rsplit_once(')') else {
        bail!("no ')' after the process name");
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |index: usize| -> anyhow::Result<u64> {
        let text = fields.get(index).context("too few fields")?;
        text.parse()
            .with_context(|| format!("field {text:?} is not a number"))
    };
    Ok(CpuTicks(field(11)? + field(12)?))
}

/// CPU seconds used between two samples.
pub fn cpu_seconds(before: CpuTicks, after: CpuTicks, ticks_per_second: u64) -> f64 {
    after.0.saturating_sub(before.0) as f64 / ticks_per_second as f64
}

/// The kernel's clock ticks per second, asked once of `getconf`.
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(DEFAULT_CLOCK_TICKS)
}

/// Reads `VmHWM` (peak resident set) and `VmRSS` of `pid`.
pub fn memory(pid: u32) -> anyhow::Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let kib = |key: &str| -> anyhow::Result<u64> {
        status_kib(&status, key).with_context(|| format!("no {key} line in {path}"))
    };
    Ok(Memory {
        peak_kib: kib("VmHWM")?,
        current_kib: kib("VmRSS")?,
    })
}

/// The number on a `Key:   1234 kB` line.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_fields_are_counted_after_the_name() {
        let stat = "42 (odd) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 4 0 1 2 3";
        assert_eq!(parse_cpu_ticks(stat).unwrap().0, 267);
        assert!(parse_cpu_ticks("42 (x) S 1").is_err());
    }

    #[test]
    fn memory_lines_are_read_in_kib() {
        let status = "Name:\tgemhole\nVmHWM:\t   10240 kB\nVmRSS:\t    8192 kB\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(10240));
        assert_eq!(status_kib(status, "VmRSS"), Some(8192));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let pid = std::process::id();
        assert!(cpu_ticks(pid).is_ok());
        assert!(memory(pid).unwrap().peak_kib > 0);
    }
}
