//! A fixed-bucket log-linear histogram of delays in nanoseconds: exact
//! below 1,024 ns, then 512 buckets per power of two (a bucket is at most
//! 0.2 % wide), up to 2^41 ns (about 36 minutes). Recording never
//! allocates.

/// Values below this are counted exactly.
const LINEAR: u64 = 1024;
/// Buckets per power of two above [`LINEAR`].
const SUB: u64 = 512;
/// Powers of two covered above [`LINEAR`].
const OCTAVES: u64 = 31;

/// Counts of delays, in nanoseconds.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram.
    #[must_use]
    pub fn new() -> Self {
        Self { counts: vec![0; (LINEAR + SUB * OCTAVES) as usize], total: 0, max: 0 }
    }

    /// Counts one value (clamped to the largest bucket).
    pub fn record(&mut self, value: u64) {
        let index = bucket(value).min(self.counts.len() - 1);
        self.counts[index] += 1;
        self.total += 1;
        self.max = self.max.max(value);
    }

    /// How many values were recorded.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest value recorded (0 when empty).
    #[must_use]
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The lower bound of the bucket holding the `q` quantile (0..=1), or
    /// 0 when empty.
    #[must_use]
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return lower_bound(index as u64).min(self.max);
            }
        }
        self.max
    }
}

/// The bucket of `value`.
fn bucket(value: u64) -> usize {
    if value < LINEAR {
        return value as usize;
    }
    // 2^(shift + 9) <= value < 2^(shift + 10), shift >= 1.
    let shift = u64::from(63 - value.leading_zeros()) - 9;
    (LINEAR + (shift - 1) * SUB + ((value >> shift) - SUB)) as usize
}

/// The smallest value of bucket `index`.
fn lower_bound(index: u64) -> u64 {
    if index < LINEAR {
        return index;
    }
    let shift = (index - LINEAR) / SUB + 1;
    let sub = (index - LINEAR) % SUB + SUB;
    sub << shift
}
