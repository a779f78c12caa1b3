//! The `gemhole` binary: the command line lives in the library ([`gemhole::cli`]); this only
//! hands over and returns its exit code.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    gemhole::cli::main()
}
