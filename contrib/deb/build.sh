#!/usr/bin/env bash
# Builds the Debian package: the release binary, then the manual pages and the completion
# scripts written by that binary (so the clap definitions are their one source), then the
# package around them with cargo-deb. Prints the .deb's path last.
#
#   contrib/deb/build.sh          # needs cargo-deb: cargo install cargo-deb --locked
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if ! cargo deb --version >/dev/null 2>&1; then
    echo "build.sh: cargo-deb is missing; install it with: cargo install cargo-deb --locked" >&2
    exit 1
fi
# The changelog's newest entry names the version the package is built as.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if ! head -n 1 contrib/deb/changelog | grep -q "^gemhole ($version-[0-9]*) "; then
    echo "build.sh: contrib/deb/changelog does not begin with an entry for $version" >&2
    exit 1
fi

cargo build --release --locked
gemhole() { cargo run --release --locked --quiet -- "$@"; }
# The paths here are the ones the assets in Cargo.toml's [package.metadata.deb] name.
assets=target/deb-assets
rm -rf "$assets"
gemhole man --out "$assets/man" >/dev/null
gemhole completions bash >"$assets/gemhole.bash"
gemhole completions zsh >"$assets/_gemhole"
gemhole completions fish >"$assets/gemhole.fish"

cargo deb --no-build --locked | tail -n 1
