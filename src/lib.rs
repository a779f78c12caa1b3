//! gemhole serves a markdown blog as a Gemini capsule and a Gopher hole, converted on the fly.
//!
//! The crate is the whole program; `main.rs` only reads the command line. [`content`] turns the
//! capsule folder into answers and knows no protocol framing; [`gemini`] and [`gopher`] speak
//! their protocols and know no markdown; [`server`] binds, limits and shuts down what they
//! share.

#![forbid(unsafe_code)]

pub mod config;
pub mod content;
pub mod gemini;
pub mod gopher;
pub mod server;

pub use config::{Config, Overrides};
pub use server::Server;
