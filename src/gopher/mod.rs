//! The Gopher front end: plain TCP, one selector line, one answer, close.
//!
//! It parses the request, asks the content layer for the selector, and writes what comes back,
//! or a type 3 error; the routes only Gopher has (the search item, `caps.txt`) it answers
//! itself. It knows nothing about markdown or the capsule's files, and nothing about accepting
//! connections or limits, which [`crate::net`] owns.

mod handler;
pub mod request;
pub mod response;
mod routes;

pub use handler::Handler;
