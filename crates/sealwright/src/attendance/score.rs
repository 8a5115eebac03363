//! Certainty after all rounds (spec §5), a pure function of the RT list.
//!
//! In IEEE double: `mean = (((rt_1 + rt_2) + ...) + rt_n) / n` summed left to right, and the
//! population standard deviation `std = sqrt((((rt_1 - mean)^2 + ...) + (rt_n - mean)^2) / n)`.
//!
//! | rule (first that holds) | certainty | label |
//! |---|---|---|
//! | `std < 500` and `800 < mean < 3000` | 95 | `PRESENTE` |
//! | `std < 1000` and `500 < mean < 5000` | 70 | `PROBABLE_PRESENTE` |
//! | `std < 2000` and `300 < mean < 8000` | 50 | `DUDOSO` |
//! | otherwise | 20 | `AUSENTE` |
//!
//! Final status `PRESENTE` when certainty >= 70, otherwise `AUSENTE`.

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

/// Scores an RT list (`INVALID_INPUT` when empty).
///
/// ```
/// use sealwright::attendance::score::{score, Label, Status};
/// let s = score(&[1200, 1500, 1800]).unwrap();
/// assert_eq!((s.certainty, s.label, s.status), (95, Label::Presente, Status::Presente));
/// assert_eq!(score(&[800, 800, 800]).unwrap().label, Label::ProbablePresente); // 800 < mean is strict
/// ```
pub fn score(rts_ms: &[u64]) -> Result<Score> {
    if rts_ms.is_empty() {
        return Err(Error::InvalidInput);
    }
    // Lossless for any count a round list can have.
    #[allow(clippy::cast_precision_loss)]
    let n = rts_ms.len() as f64;
    #[allow(clippy::cast_precision_loss)]
    let mean = rts_ms.iter().fold(0.0f64, |acc, &x| acc + x as f64) / n;
    #[allow(clippy::cast_precision_loss)]
    let var = rts_ms.iter().fold(0.0f64, |acc, &x| {
        let d = x as f64 - mean;
        acc + d * d
    }) / n;
    let std = var.sqrt();
    let label = if std < 500.0 && 800.0 < mean && mean < 3000.0 {
        Label::Presente
    } else if std < 1000.0 && 500.0 < mean && mean < 5000.0 {
        Label::ProbablePresente
    } else if std < 2000.0 && 300.0 < mean && mean < 8000.0 {
        Label::Dudoso
    } else {
        Label::Ausente
    };
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
