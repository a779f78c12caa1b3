//! Any bytes as a Gemini request line: `gemini::request::parse` refuses them with an error or
//! returns a request whose path is rooted and free of dot segments, backslashes and control
//! characters (see `invariants::gemini_request`). Never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    if let Err(why) = invariants::gemini_request(line) {
        panic!("{why}");
    }
});
