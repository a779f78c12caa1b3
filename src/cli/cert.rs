//! `gemhole cert`: show the certificate clients pin, or make a new one.

use std::process::ExitCode;

use crate::config::Config;
use crate::gemini::tls;

pub fn cert(config: &Config, regenerate: bool, force: bool) -> anyhow::Result<ExitCode> {
    let dir = &config.gemini.certs;
    if !regenerate && !dir.join(tls::CERT_FILE).exists() && !dir.join(tls::KEY_FILE).exists() {
        anyhow::bail!(
            "no certificate in {} yet: the server makes one on its first start, or \
             `gemhole cert --regenerate` makes one now",
            dir.display()
        );
    }
    if regenerate {
        tls::regenerate(dir, &config.host_names(), force)?;
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
