//! `gemhole completions SHELL`: the shell's completion script, made from the command line's own
//! definitions, so every command and option completes as the binary accepts it. The package
//! installs the bash, zsh and fish scripts this prints; a `cargo install` user asks the binary.
//! It knows the command line and nothing of the server.

use std::io::Write;

use anyhow::Context;
use clap_complete::Shell;

/// Prints the completion script for `shell` on standard output.
pub fn completions(mut command: clap::Command, shell: Shell) -> anyhow::Result<()> {
    // Written to memory first: clap_complete panics when its writer fails (a closed pipe,
    // a full disk), and here that is an error message instead.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "gemhole", &mut script);
    std::io::stdout()
        .lock()
        .write_all(&script)
        .with_context(|| format!("cannot write the {shell} completions"))
}
