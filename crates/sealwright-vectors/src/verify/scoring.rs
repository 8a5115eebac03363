//! Checks `scoring.json` cases (spec §6; the rule of spec §5 "Certainty").
//!
//! The label is decided here from exact integer comparisons, independently of the core
//! (`S = sum(RT)`, `Q = sum(RT^2)`: `a < mean` is `a*N < S`, `mean < b` is `S < b*N`, `std < c`
//! is `N*Q - S^2 < c^2*N^2`), and checked against the core's `score` as well. `mean` and `std`
//! are display doubles compared with a relative tolerance of 1e-12 (absolute at 0).

use super::{Case, CaseResult, same};
use sealwright::attendance::score::score;
use serde_json::Value;

/// The §6 fields of a `scoring.json` case (it has no negative operation).
pub(super) const FIELDS: &[&str] = &[
    "name",
    "expectedError",
    "operation",
    "rtsMs",
    "mean",
    "std",
    "certainty",
    "label",
    "status",
];

/// Nested lists and objects, by name, with the §6 fields of their entries.
pub(super) const NESTED: &[(&str, &[&str])] = &[];

/// The spec §5 table: `(c, a, b, certainty, label)` for `std < c and a < mean < b`.
const RULES: [(u128, u128, u128, u64, &str); 3] = [
    (500, 800, 3_000, 95, "PRESENTE"),
    (1_000, 500, 5_000, 70, "PROBABLE_PRESENTE"),
    (2_000, 300, 8_000, 50, "DUDOSO"),
];

/// What spec §5 derives from a list of RTs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scored {
    /// 95, 70, 50 or 20.
    pub certainty: u64,
    /// `PRESENTE`, `PROBABLE_PRESENTE`, `DUDOSO` or `AUSENTE`.
    pub label: &'static str,
    /// `PRESENTE` when certainty >= 70, else `AUSENTE`.
    pub status: &'static str,
    /// `S / N` as doubles.
    pub mean: f64,
    /// `sqrt(double(N*Q - S^2) / double(N^2))`.
    pub std: f64,
}

/// Spec §5 scoring of `rts` in exact 128-bit integers; `None` when the sums do not fit
/// (RTs near 2^64, or none at all), where the caller relies on the core's 256-bit rule.
pub(super) fn exact(rts: &[u64]) -> Option<Scored> {
    let n = u128::try_from(rts.len()).ok().filter(|&n| n > 0)?;
    let mut s: u128 = 0;
    let mut q: u128 = 0;
    for &rt in rts {
        let rt = u128::from(rt);
        s = s.checked_add(rt)?;
        q = q.checked_add(rt.checked_mul(rt)?)?;
    }
    // N*Q - S^2 = sum over pairs of (RT_i - RT_j)^2, never negative.
    let numerator = n.checked_mul(q)?.checked_sub(s.checked_mul(s)?)?;
    let n2 = n.checked_mul(n)?;
    let mut found = (20, "AUSENTE");
    for (c, a, b, certainty, label) in RULES {
        let std_below = numerator < c.checked_mul(c)?.checked_mul(n2)?;
        let mean_inside = a.checked_mul(n)? < s && s < b.checked_mul(n)?;
        if std_below && mean_inside {
            found = (certainty, label);
            break;
        }
    }
    let (certainty, label) = found;
    #[allow(clippy::cast_precision_loss)] // the display doubles of spec §5
    let (mean, std) = (s as f64 / n as f64, (numerator as f64 / n2 as f64).sqrt());
    Some(Scored {
        certainty,
        label,
        status: if certainty >= 70 {
            "PRESENTE"
        } else {
            "AUSENTE"
        },
        mean,
        std,
    })
}

/// Spec §5/§6: a display double matches with a relative tolerance of 1e-12, absolute when the
/// file's value is 0.
pub(super) fn close(field: &str, file: f64, got: f64) -> CaseResult {
    let ok = if file == 0.0 {
        got.abs() <= 1e-12
    } else {
        ((got - file) / file).abs() <= 1e-12
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{field}`: file has {file:?}, recomputed {got:?}"))
    }
}

/// Checks `certainty`, `label` and `status` of `case` against `rts` (exact integers, and the
/// core's `score` agreeing). Shared with `attendance.json`.
pub(super) fn check_verdict(case: &Case<'_>, rts: &[u64]) -> Result<Scored, String> {
    let core = score(rts).map_err(|e| format!("no score for {rts:?}: {}", e.code()))?;
    let scored = match exact(rts) {
        Some(scored) => scored,
        // Beyond 128 bits: the core's comparisons are exact in 256 bits.
        None => Scored {
            certainty: u64::from(core.certainty),
            label: core.label.as_str(),
            status: core.status.as_str(),
            mean: core.mean,
            std: core.std,
        },
    };
    if (
        u64::from(core.certainty),
        core.label.as_str(),
        core.status.as_str(),
    ) != (scored.certainty, scored.label, scored.status)
    {
        return Err(format!(
            "checker bug: the exact rule gives {} {} for {rts:?}, the core {} {}",
            scored.certainty,
            scored.label,
            core.certainty,
            core.label.as_str()
        ));
    }
    same("certainty", case.u64("certainty")?, scored.certainty)?;
    same("label", case.str("label")?, scored.label)?;
    same("status", case.str("status")?, scored.status)?;
    Ok(scored)
}

/// A required number field as a double.
fn f64_field(case: &Case<'_>, key: &str) -> Result<f64, String> {
    case.get(key)?
        .as_f64()
        .ok_or_else(|| format!("`{key}` is not a number"))
}

/// Checks one case of `scoring.json`.
pub(super) fn check(value: &Value) -> CaseResult {
    let case = Case::new(value, FIELDS)?;
    if case.opt("expectedError")?.is_some() || case.opt("operation")?.is_some() {
        return Err("scoring.json has no negative operation (spec §6)".to_string());
    }
    let rts = case
        .get("rtsMs")?
        .as_array()
        .ok_or("`rtsMs` is not a list")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_u64()
                .ok_or_else(|| format!("`rtsMs`[{i}] is not an unsigned integer"))
        })
        .collect::<Result<Vec<u64>, String>>()?;
    let scored = check_verdict(&case, &rts)?;
    close("mean", f64_field(&case, "mean")?, scored.mean)?;
    close("std", f64_field(&case, "std")?, scored.std)
}
