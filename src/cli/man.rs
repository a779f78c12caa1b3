//! `gemhole man`: the manual pages, made from the command line's own definitions so that they
//! say what the binary accepts and never drift from it. The package installs the pages this
//! writes; a `cargo install` user asks the binary for them. It knows the command line and
//! nothing of the server.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap_mangen::Man;

/// Prints gemhole(1) on standard output, or, given `out`, writes gemhole(1) and a
/// gemhole-COMMAND(1) page for each command into that folder and prints each page's path.
pub fn man(command: clap::Command, out: Option<&Path>) -> anyhow::Result<()> {
    // `help` is a command of clap's own, with nothing to say that a page would add.
    let mut command = command.disable_help_subcommand(true);
    // Built, the commands are named `gemhole-check` and so on, as their pages are.
    command.build();
    let Some(dir) = out else {
        let mut page = Vec::new();
        Man::new(command).render(&mut page)?;
        std::io::stdout()
            .lock()
            .write_all(&page)
            .context("cannot write the manual page")?;
        return Ok(());
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    // Every page's footer names the release it describes, as the top page's does.
    let source = format!("gemhole {}", command.get_version().unwrap_or_default());
    for page in std::iter::once(&command).chain(command.get_subcommands()) {
        let path = Man::new(page.clone())
            .source(&source)
            .generate_to(dir)
            .with_context(|| format!("cannot write a manual page in {}", dir.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}
