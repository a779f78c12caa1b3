//! The protocols' vocabulary, with no I/O: Gemini statuses, Gopher item types and menu lines,
//! the URLs of both, and how many columns text takes on a reader's terminal.
//!
//! Everything here is a fact of the specifications (or of terminals), shared by the front ends
//! that speak the protocols and the renderers that write for them. It knows nothing of sockets,
//! markdown, the capsule or the configuration, and imports nothing else of gemhole's.

pub mod columns;
pub mod gemini;
pub mod gopher;
pub mod markup;
pub mod url;

/// Which protocol a request came over; what is rendered differs, the words do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Gemini,
    Gopher,
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Gemini => "gemini",
            Protocol::Gopher => "gopher",
        })
    }
}
