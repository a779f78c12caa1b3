//! gemhole serves a markdown blog as a Gemini capsule and a Gopher hole, converted on the fly.
//!
//! The tree is the architecture, and imports only go one way:
//! `cli → app → {config, net, gemini, gopher, content}`; the front ends [`gemini`] and
//! [`gopher`] use [`net`], [`content`] and [`proto`] and never each other; [`content`] serves
//! answers from a [`site`] snapshot rendered by [`render`]; [`render`] writes [`doc`] documents
//! with [`proto`]'s vocabulary; [`site`] reads the capsule into [`doc`] documents; [`files`]
//! opens files safely for [`site`] and [`gemini`]'s certificates; [`doc`], [`proto`], [`files`]
//! and [`net`] import nothing else of gemhole's. `tests/architecture.rs` keeps it so.

#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod content;
pub mod doc;
pub mod files;
pub mod gemini;
pub mod gopher;
pub mod net;
pub mod proto;
pub mod render;
pub mod site;

pub use app::Server;
pub use config::{Config, Overrides};
