//! The Gemini front end: TLS, one request line, one response, close_notify.
//!
//! It parses and checks the request, asks the content layer for the route, and writes the
//! Gemini status line and body. It knows nothing about markdown or the filesystem layout, and
//! nothing about accepting connections or limits, which [`crate::net`] owns.

mod handler;
pub mod request;
pub mod response;
pub mod tls;

pub use handler::Handler;
