//! A small deterministic pseudo-random generator for `gencapsule`: the same seed gives the
//! same capsule on every machine and every run, which a benchmark needs and a cryptographic
//! generator would not add anything to.
//!
//! [`Rng`] is xorshift64* seeded through splitmix64 (so that seeds 0, 1, 2 … start far apart);
//! [`Zipf`] draws ranks the way words occur in text: a few very often, most rarely.

/// xorshift64*: 64 bits of state, good enough statistics for shaping text.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for `seed`; every seed, 0 included, gives a usable non-zero state.
    pub fn new(seed: u64) -> Self {
        let mixed = splitmix64(seed);
        Rng {
            state: if mixed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                mixed
            },
        }
    }

    /// A generator for one item of a collection (post `index` of a capsule): independent of
    /// how much the other items drew, so changing one post's shape leaves the others alone.
    pub fn derive(seed: u64, stream: u64, index: u64) -> Self {
        Rng::new(splitmix64(seed ^ splitmix64(stream)).wrapping_add(index))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n`; `n` must not be 0. The modulo bias is below 2^-40 for the sizes used.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// Uniform in `[0, 1)`, with 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index into `weights`, each chosen in proportion to its weight (not all zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut target = self.next_u64() % total;
        for (index, &weight) in weights.iter().enumerate() {
            match target.checked_sub(u64::from(weight)) {
                Some(rest) => target = rest,
                None => return index,
            }
        }
        weights.len() - 1
    }
}

/// splitmix64's output function: spreads nearby inputs over the whole 64-bit range.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Ranks `0..n` drawn with probability proportional to `1 / (rank + 1 + offset)^exponent`
/// (Zipf–Mandelbrot: the offset flattens the head, so that rank 0 is not a third of all).
#[derive(Debug, Clone)]
pub struct Zipf {
    /// Running sums of the weights, the last one being the total.
    cumulative: Vec<f64>,
}

impl Zipf {
    /// A distribution over `n` ranks (`n` > 0).
    pub fn new(n: usize, exponent: f64, offset: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64 + offset).powf(exponent);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = rng.unit() * total;
        self.cumulative
            .partition_point(|&sum| sum <= target)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_one_sequence() {
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        assert!(draw(0).iter().all(|&x| x != 0));
        let mut a = Rng::derive(7, 1, 3);
        let mut b = Rng::derive(7, 1, 4);
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn draws_stay_in_range() {
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            let x = rng.between(3, 5);
            assert!((3..=5).contains(&x));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert!(!rng.chance(0.0));
        assert!(rng.chance(1.0));
    }

    #[test]
    fn weights_and_ranks_shape_the_draws() {
        let mut rng = Rng::new(2);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[rng.weighted(&[1, 0, 2])] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((18_000..22_000).contains(&counts[2]), "{counts:?}");

        let zipf = Zipf::new(100, 1.0, 0.0);
        let mut ranks = [0u32; 100];
        for _ in 0..50_000 {
            ranks[zipf.sample(&mut rng)] += 1;
        }
        // Rank 0 is about twice rank 1 and ten times rank 9.
        assert!(
            ranks[0] > ranks[1] * 3 / 2 && ranks[0] > ranks[9] * 6,
            "{:?}",
            &ranks[..10]
        );
        assert!(ranks[99] > 0);
    }
}
