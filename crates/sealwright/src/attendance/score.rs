//! Certainty after all rounds (spec §5), a pure function of the RT list.
//!
//! | rule (first that holds) | certainty | label |
//! |---|---|---|
//! | `std < 500` and `800 < mean < 3000` | 95 | `PRESENTE` |
//! | `std < 1000` and `500 < mean < 5000` | 70 | `PROBABLE_PRESENTE` |
//! | `std < 2000` and `300 < mean < 8000` | 50 | `DUDOSO` |
//! | otherwise | 20 | `AUSENTE` |
//!
//! Final status `PRESENTE` when certainty >= 70, otherwise `AUSENTE`.
//!
//! The comparisons are exact, in integers (spec §5, version 2), so every implementation agrees
//! at the boundaries. With `N` the number of RTs, `S = sum(RT)` and `Q = sum(RT^2)`:
//!
//! * `a < mean` is `a*N < S`, and `mean < b` is `S < b*N`;
//! * `std < c` is `N*Q - S^2 < c^2*N^2` (`N*Q - S^2` is `N^2` times the population variance,
//!   never negative).
//!
//! `mean` and `std` are for display only and never decide a label: the IEEE doubles
//! `double(S) / double(N)` and `sqrt(double(N*Q - S^2) / double(N^2))`, each integer converted
//! to the nearest double (ties to even) from its exact value.
//!
//! Arithmetic width: `S < 2^128` and `N^2 < 2^128` for any slice (`N < 2^64`), but `Q` and
//! `N*Q` need up to 256 bits when RTs are near `u64::MAX`, so `Q`, `N*Q`, `S^2` and `c^2*N^2`
//! are kept in an unsigned 256-bit integer. [`score`] is therefore exact and panic-free for
//! every non-empty list of `u64` RTs; there is no overflow error. (RTs that pass validation
//! are below the RT window's upper end, 15,000 ms by default, where 128 bits would do.)
//!
//! Version 1 computed `mean` and a two-pass `std` in IEEE double and compared those. The two
//! differ only when the exact value sits on a threshold: for example the nine RTs
//! `[2164, 2057, 3073, 2216, 2551, 3202, 1665, 1878, 2734]` have `std` exactly 500 (so the
//! `std < 500` rule does not hold: 70, `PROBABLE_PRESENTE`), while the two-pass double gives
//! `499.99999999999994` (95). Such lists are in `test-vectors/scoring.json`.

use crate::error::{Error, Result};

/// The certainty label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// 95.
    Presente,
    /// 70.
    ProbablePresente,
    /// 50.
    Dudoso,
    /// 20.
    Ausente,
}

impl Label {
    /// `PRESENTE`, `PROBABLE_PRESENTE`, `DUDOSO` or `AUSENTE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Label::Presente => "PRESENTE",
            Label::ProbablePresente => "PROBABLE_PRESENTE",
            Label::Dudoso => "DUDOSO",
            Label::Ausente => "AUSENTE",
        }
    }

    /// The certainty of this label.
    pub const fn certainty(self) -> u8 {
        match self {
            Label::Presente => 95,
            Label::ProbablePresente => 70,
            Label::Dudoso => 50,
            Label::Ausente => 20,
        }
    }
}

/// The final attendance status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Certainty >= 70.
    Presente,
    /// Certainty < 70 (or the attendance failed).
    Ausente,
}

impl Status {
    /// `PRESENTE` or `AUSENTE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Presente => "PRESENTE",
            Status::Ausente => "AUSENTE",
        }
    }
}

/// Mean, standard deviation, certainty, label and status of an RT list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// Mean RT (ms).
    pub mean: f64,
    /// Population standard deviation (ms).
    pub std: f64,
    /// 95, 70, 50 or 20.
    pub certainty: u8,
    /// The rule that matched.
    pub label: Label,
    /// `PRESENTE` when certainty >= 70.
    pub status: Status,
}

/// The thresholds of spec §5 in table order: `(c, a, b, label)` for `std < c` and
/// `a < mean < b`.
const RULES: [(u128, u128, u128, Label); 3] = [
    (500, 800, 3_000, Label::Presente),
    (1_000, 500, 5_000, Label::ProbablePresente),
    (2_000, 300, 8_000, Label::Dudoso),
];

/// Scores an RT list (spec §5): exact integer comparisons decide the label; `mean` and `std`
/// are the display doubles. `INVALID_INPUT` when the list is empty; every other list scores.
///
/// ```
/// use sealwright::attendance::score::{score, Label, Status};
/// let s = score(&[1200, 1500, 1800]).unwrap();
/// assert_eq!((s.certainty, s.label, s.status), (95, Label::Presente, Status::Presente));
/// assert_eq!(score(&[800, 800, 800]).unwrap().label, Label::ProbablePresente); // 800 < mean is strict
/// // std exactly 500 (N*Q - S^2 = 500^2 * N^2) is not below 500.
/// let s = score(&[1500, 2500, 1500, 2500]).unwrap();
/// assert_eq!((s.std, s.label), (500.0, Label::ProbablePresente));
/// ```
pub fn score(rts_ms: &[u64]) -> Result<Score> {
    if rts_ms.is_empty() {
        return Err(Error::InvalidInput);
    }
    // N < 2^64 on every target Rust supports; the bounds below rely on it.
    let n = u128::from(u64::try_from(rts_ms.len()).map_err(|_| Error::InvalidInput)?);
    // S < N * 2^64 <= 2^128: each term is below 2^64 and there are fewer than 2^64 of them.
    let s = rts_ms
        .iter()
        .fold(0u128, |acc, &rt| acc.wrapping_add(u128::from(rt)));
    // Q < N * 2^128 < 2^192.
    let q = rts_ms.iter().fold(U256::ZERO, |acc, &rt| {
        acc.wrapping_add(U256::mul(u128::from(rt), u128::from(rt)))
    });
    let n_squared = n.wrapping_mul(n); // < 2^128
    // N*Q - S^2 = sum over pairs (RT_i - RT_j)^2 >= 0, and N*Q < 2^256.
    let numerator = q.wrapping_mul_small(n).wrapping_sub(U256::mul(s, s));

    let label = RULES
        .iter()
        .find(|&&(c, a, b, _)| {
            // a, b <= 8000 and N < 2^64: a*N, b*N < 2^77; c^2*N^2 < 2^22 * 2^128.
            numerator < U256::mul(c * c, n_squared) && a * n < s && s < b * n
        })
        .map_or(Label::Ausente, |&(_, _, _, label)| label);

    // Display values: exact integers converted to the nearest double, then IEEE operations.
    #[allow(clippy::cast_precision_loss)]
    let mean = s as f64 / n as f64;
    #[allow(clippy::cast_precision_loss)]
    let std = (numerator.to_f64() / n_squared as f64).sqrt();
    let certainty = label.certainty();
    Ok(Score {
        mean,
        std,
        certainty,
        label,
        status: if certainty >= 70 {
            Status::Presente
        } else {
            Status::Ausente
        },
    })
}

/// An unsigned 256-bit integer, `hi * 2^128 + lo`, with just the operations scoring needs.
/// Field order makes the derived ordering numeric. The `wrapping_` operations are modulo
/// 2^256; [`score`] uses them only where the exact result is below 2^256 (bounds stated
/// there), so they never wrap in practice and never panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct U256 {
    hi: u128,
    lo: u128,
}

impl U256 {
    const ZERO: Self = Self { hi: 0, lo: 0 };

    /// The full 256-bit product `a * b`.
    fn mul(a: u128, b: u128) -> Self {
        const MASK: u128 = u64::MAX as u128;
        let (a1, a0) = (a >> 64, a & MASK);
        let (b1, b0) = (b >> 64, b & MASK);
        // Each partial product of two values below 2^64 is below 2^128.
        let p00 = a0 * b0;
        let p01 = a0 * b1;
        let p10 = a1 * b0;
        let p11 = a1 * b1;
        // Three terms below 2^64 each: below 2^66.
        let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
        let lo = (p00 & MASK) | ((mid & MASK) << 64);
        // The product is below 2^256, so this sum (its high half) is below 2^128.
        let hi = p11
            .wrapping_add(p01 >> 64)
            .wrapping_add(p10 >> 64)
            .wrapping_add(mid >> 64);
        Self { hi, lo }
    }

    fn wrapping_add(self, other: Self) -> Self {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        let hi = self
            .hi
            .wrapping_add(other.hi)
            .wrapping_add(u128::from(carry));
        Self { hi, lo }
    }

    fn wrapping_sub(self, other: Self) -> Self {
        let (lo, borrow) = self.lo.overflowing_sub(other.lo);
        let hi = self
            .hi
            .wrapping_sub(other.hi)
            .wrapping_sub(u128::from(borrow));
        Self { hi, lo }
    }

    /// `self * k`, modulo 2^256.
    fn wrapping_mul_small(self, k: u128) -> Self {
        let low = Self::mul(self.lo, k);
        Self {
            hi: low.hi.wrapping_add(self.hi.wrapping_mul(k)),
            lo: low.lo,
        }
    }

    /// The double nearest to `self` (ties to even), like an `as f64` cast of a wider integer.
    fn to_f64(self) -> f64 {
        if self.hi == 0 {
            // Rust's integer-to-float casts round to nearest, ties to even.
            #[allow(clippy::cast_precision_loss)]
            return self.lo as f64;
        }
        // Bit length 129..=256; keep the top 64 bits and fold every lower bit into the last
        // one ("sticky"), which leaves rounding to 53 bits unchanged.
        let bits = 256 - self.hi.leading_zeros();
        let shift = bits - 64; // 65..=192
        let (top, rest_nonzero) = if shift >= 128 {
            let top = self.hi >> (shift - 128);
            let below = self.hi & ((1u128 << (shift - 128)) - 1);
            (top, below != 0 || self.lo != 0)
        } else {
            let top = (self.hi << (128 - shift)) | (self.lo >> shift);
            (top, self.lo & ((1u128 << shift) - 1) != 0)
        };
        #[allow(clippy::cast_possible_truncation)]
        let top = (top as u64) | u64::from(rest_nonzero);
        #[allow(clippy::cast_precision_loss)]
        let approx = top as f64;
        // 2^shift exactly (shift <= 192, far inside the exponent range).
        approx * f64::from_bits((1023 + u64::from(shift)) << 52)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// The version 1 computation (double, left-to-right sums, two-pass variance) that exact
    /// comparisons replaced, kept here to show where the two disagree.
    #[allow(clippy::cast_precision_loss)]
    fn float_label(rts: &[u64]) -> Label {
        let n = rts.len() as f64;
        let mean = rts.iter().fold(0.0f64, |acc, &x| acc + x as f64) / n;
        let var = rts.iter().fold(0.0f64, |acc, &x| {
            let d = x as f64 - mean;
            acc + d * d
        }) / n;
        let std = var.sqrt();
        RULES
            .iter()
            .find(|&&(c, a, b, _)| std < c as f64 && (a as f64) < mean && mean < b as f64)
            .map_or(Label::Ausente, |&(_, _, _, label)| label)
    }

    fn label(rts: &[u64]) -> Label {
        score(rts).unwrap().label
    }

    #[test]
    fn empty_is_invalid_input() {
        assert_eq!(score(&[]), Err(Error::InvalidInput));
    }

    /// Every mean threshold exactly, one below and one above (std 0).
    #[test]
    fn mean_thresholds_exact_and_both_sides() {
        use Label::*;
        for (mean, below, at, above) in [
            (300, Ausente, Ausente, Dudoso),
            (500, Dudoso, Dudoso, ProbablePresente),
            (800, ProbablePresente, ProbablePresente, Presente),
            (3_000, Presente, ProbablePresente, ProbablePresente),
            (5_000, ProbablePresente, Dudoso, Dudoso),
            (8_000, Dudoso, Ausente, Ausente),
        ] {
            assert_eq!(label(&[mean - 1; 3]), below, "mean {mean} - 1");
            assert_eq!(label(&[mean; 3]), at, "mean {mean}");
            assert_eq!(label(&[mean + 1; 3]), above, "mean {mean} + 1");
            // A third of a millisecond either side: S = 3*mean -+ 1.
            assert_eq!(label(&[mean, mean, mean - 1]), below, "mean {mean} - 1/3");
            assert_eq!(label(&[mean, mean, mean + 1]), above, "mean {mean} + 1/3");
            let s = score(&[mean; 3]).unwrap();
            assert_eq!((s.mean, s.std), (mean as f64, 0.0));
        }
    }

    /// Every std threshold exactly (`N*Q - S^2 = c^2 N^2`), and one integer step of the
    /// numerator either side.
    #[test]
    fn std_thresholds_exact_and_both_sides() {
        use Label::*;
        // Mean 2000 (or 3000 for c = 2000 so the mean rules keep holding), N = 4:
        // RTs m -+ d give N*Q - S^2 = 16 d^2, so std = d.
        for (c, m, below, at) in [
            (500u64, 2_000u64, Presente, ProbablePresente),
            (1_000, 2_000, ProbablePresente, Dudoso),
            (2_000, 3_000, Dudoso, Ausente),
        ] {
            let at_list = [m - c, m + c, m - c, m + c];
            let s = score(&at_list).unwrap();
            assert_eq!(
                (s.std, s.mean, s.label),
                (c as f64, m as f64, at),
                "std {c}"
            );
            assert_eq!(label(&[m - c + 1, m + c - 1, m - c, m + c]), below, "{c} -");
            assert_eq!(label(&[m - c - 1, m + c + 1, m - c, m + c]), at, "{c} +");
            // Smallest numerator steps: move one RT by one ms (mean stays inside its range).
            let nudged_in = [m - c + 1, m + c, m - c, m + c];
            let nudged_out = [m - c - 1, m + c, m - c, m + c];
            assert_eq!(label(&nudged_in), below, "{c}: one RT 1 ms closer");
            assert_eq!(label(&nudged_out), at, "{c}: one RT 1 ms further");
        }
    }

    /// Lists whose exact std sits on a threshold while the version 1 double computation
    /// lands just below it: the exact rule decides, and the display std is the exact value.
    #[test]
    fn exact_comparisons_differ_from_the_float_ones() {
        let std_500: [u64; 9] = [2164, 2057, 3073, 2216, 2551, 3202, 1665, 1878, 2734];
        let std_1000: [u64; 9] = [2193, 2674, 1212, 2040, 1322, 4082, 4137, 1981, 2907];
        let std_2000: Vec<u64> = std_1000.iter().map(|x| 2 * x).collect();
        for (rts, c, exact, float) in [
            (
                &std_500[..],
                500.0,
                Label::ProbablePresente,
                Label::Presente,
            ),
            (
                &std_1000[..],
                1000.0,
                Label::Dudoso,
                Label::ProbablePresente,
            ),
            (&std_2000[..], 2000.0, Label::Ausente, Label::Dudoso),
        ] {
            let s = score(rts).unwrap();
            assert_eq!((s.label, s.std), (exact, c), "{rts:?}");
            assert_eq!(float_label(rts), float, "{rts:?}");
        }
    }

    #[test]
    fn full_u64_range_scores_without_overflow() {
        // N*Q and S^2 need more than 128 bits here.
        let s = score(&[u64::MAX; 3]).unwrap();
        assert_eq!((s.std, s.label), (0.0, Label::Ausente));
        #[allow(clippy::cast_precision_loss)]
        let max = u64::MAX as f64;
        assert_eq!(s.mean, max);
        let s = score(&[0, u64::MAX]).unwrap();
        assert_eq!((s.mean, s.std), (max / 2.0, max / 2.0));
        let s = score(&vec![u64::MAX - 1; 1000]).unwrap();
        assert_eq!(s.std, 0.0);
        // Mixed huge and small RTs: std is half the spread for two values.
        let s = score(&[1_000, 1_000 + (1u64 << 63)]).unwrap();
        #[allow(clippy::cast_precision_loss)]
        let half = (1u64 << 62) as f64;
        assert_eq!(s.std, half);
    }

    #[test]
    fn u256_products_and_rounding() {
        let max = u128::MAX;
        // (2^128 - 1)^2 = 2^256 - 2^129 + 1.
        assert_eq!(U256::mul(max, max), U256 { hi: max - 1, lo: 1 });
        assert_eq!(U256::mul(1u128 << 127, 2), U256 { hi: 1, lo: 0 });
        for (a, b) in [
            (0u128, 5u128),
            (u128::from(u64::MAX), u128::from(u64::MAX)),
            (12_345, 678_910),
        ] {
            assert_eq!(U256::mul(a, b), U256 { hi: 0, lo: a * b });
        }
        let x = U256::mul(max, 3).wrapping_add(U256 { hi: 0, lo: 3 });
        assert_eq!(x, U256 { hi: 3, lo: 0 });
        assert_eq!(
            x.wrapping_sub(U256 { hi: 0, lo: 1 }),
            U256 { hi: 2, lo: max }
        );
        assert_eq!(
            U256 { hi: 1, lo: 7 }.wrapping_mul_small(1u128 << 64),
            U256 {
                hi: 1u128 << 64,
                lo: 7u128 << 64
            }
        );
        // Conversion to double: exact powers of two, ties to even, and the sticky bit.
        let two = |e: u64| f64::from_bits((1023 + e) << 52);
        assert_eq!(U256 { hi: 1, lo: 0 }.to_f64(), two(128));
        assert_eq!(
            U256 {
                hi: 1u128 << 64,
                lo: 0
            }
            .to_f64(),
            two(192)
        );
        // 2^192 + 2^139 is halfway between 2^192 and 2^192 + 2^140: ties to even (down).
        let half = U256 {
            hi: (1u128 << 64) | (1u128 << 11),
            lo: 0,
        };
        assert_eq!(half.to_f64(), two(192));
        // One more unit anywhere below rounds up.
        let above = U256 {
            hi: (1u128 << 64) | (1u128 << 11),
            lo: 1,
        };
        assert_eq!(above.to_f64(), two(192) + two(140));
        // 2^192 + 3 * 2^139 is halfway to the odd neighbour above: ties to even (up).
        let odd = U256 {
            hi: (1u128 << 64) | (3u128 << 11),
            lo: 0,
        };
        assert_eq!(odd.to_f64(), two(192) + two(141));
        // Just above 2^128 the ulp is 2^76: 2^128 + 2^75 is a tie (down to even), one more is not.
        assert_eq!(
            U256 {
                hi: 1,
                lo: 1u128 << 75
            }
            .to_f64(),
            two(128)
        );
        assert_eq!(
            U256 {
                hi: 1,
                lo: (1u128 << 75) + 1
            }
            .to_f64(),
            two(128) + two(76)
        );
        assert_eq!(U256 { hi: max, lo: max }.to_f64(), two(256));
        #[allow(clippy::cast_precision_loss)]
        let small = (max - 5) as f64;
        assert_eq!(U256 { hi: 0, lo: max - 5 }.to_f64(), small);
    }
}
