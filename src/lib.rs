//! gemhole serves a markdown blog as a Gemini capsule, converted on the fly.
//!
//! [`content`] turns the capsule folder into answers and knows no protocol framing.

#![forbid(unsafe_code)]

pub mod content;
