//! Any bytes as a Gopher request line: `gopher::request::parse` refuses them with an error or
//! returns a selector that is rooted and free of dot segments, backslashes and control
//! characters, with clean search words and `URL:` targets (see `invariants::gopher_request`).
//! Never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    if let Err(why) = invariants::gopher_request(line) {
        panic!("{why}");
    }
});
