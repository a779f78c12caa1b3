//! The `gemhole` binary: the command line lives in the library ([`gemhole::cli`]); this only
//! picks the memory allocator, hands over and returns its exit code.
//!
//! The allocator is jemalloc, with its background thread on: pages that fall free stay free of
//! the process's memory about ten seconds later. A scan reads every source and building the
//! search index holds every word's list twice for a moment; glibc's malloc keeps most of what
//! that freed for good (at 100,000 posts, the server stayed 100 MiB above what it used).

#![forbid(unsafe_code)]

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    if let Err(err) = tikv_jemalloc_ctl::background_thread::write(true) {
        eprintln!("gemhole: memory freed will be given back only as the allocator sees fit: {err}");
    }
    gemhole::cli::main()
}
