//! A seeded generator for the generated-input tests, so every failure
//! reproduces from the seed in the test.

/// Deterministic xorshift64*.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// 32 random bits.
    pub fn u32(&mut self) -> u32 {
        self.next() as u32
    }

    /// Between `min` and `max` random bytes.
    pub fn bytes(&mut self, min: usize, max: usize) -> Vec<u8> {
        let n = min + self.below((max - min + 1) as u64) as usize;
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// Up to `max` printable ASCII characters.
    pub fn text(&mut self, max: usize) -> String {
        let n = self.below(max as u64 + 1) as usize;
        (0..n)
            .map(|_| (b' ' + self.below(95) as u8) as char)
            .collect()
    }
}
