//! gemhole serves a markdown blog as a Gemini capsule, converted on the fly.
//!
//! The crate is the whole program; `main.rs` only reads the command line. [`content`] turns the
//! capsule folder into answers and knows no protocol framing; [`gemini`] speaks the protocol
//! and knows no markdown; [`server`] binds, limits and shuts down what they share.

#![forbid(unsafe_code)]

pub mod config;
pub mod content;
pub mod gemini;
pub mod server;

pub use config::{Config, Overrides};
pub use server::Server;
