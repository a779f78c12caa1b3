//! Criterion benchmark of the rate table under an address flood: what admitting a request
//! costs when the table is already full of other clients, for an address it has never seen
//! (admitted uncounted) and for one it counts.
//!
//! Run with `cargo bench --bench rate`; CI only builds it.

use std::hint::black_box;
use std::net::IpAddr;

use criterion::{criterion_group, criterion_main, Criterion};

use gemhole::net::rate::{RateLimit, MAX_CLIENTS};

/// A table holding `MAX_CLIENTS` clients (10.0.0.0 upwards), each with budget left.
fn full_table() -> RateLimit {
    let limit = RateLimit::new(1_000_000).expect("a limit above zero is on");
    for n in 0..MAX_CLIENTS as u32 {
        let _ = limit.admit(IpAddr::from((0x0a00_0000 + n).to_be_bytes()));
    }
    limit
}

fn admissions(c: &mut Criterion) {
    let limit = full_table();
    let mut group = c.benchmark_group("rate table, full");
    let mut next = 0xc000_0000u32;
    group.bench_function("unknown address", |b| {
        b.iter(|| {
            next = next.wrapping_add(1);
            let _ = limit.admit(black_box(IpAddr::from(next.to_be_bytes())));
        })
    });
    let known = IpAddr::from(0x0a00_0007u32.to_be_bytes());
    group.bench_function("known address", |b| {
        b.iter(|| {
            let _ = limit.admit(black_box(known));
        })
    });
    group.finish();
}

criterion_group!(benches, admissions);
criterion_main!(benches);
