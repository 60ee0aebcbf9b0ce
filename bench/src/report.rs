//! Figures, their goals, the printed table and the JSON file.

use serde_json::{Value, json};

/// What a figure is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// At least this much.
    AtLeast(f64),
    /// At most this much.
    AtMost(f64),
    /// Informational: no goal.
    None,
}

impl Goal {
    fn text(self, unit: &str) -> String {
        match self {
            Goal::AtLeast(v) => format!(">= {} {unit}", number(v)),
            Goal::AtMost(v) => format!("<= {} {unit}", number(v)),
            Goal::None => String::new(),
        }
    }

    /// `Some(true)` when met, `None` when there is no goal.
    pub fn met(self, value: f64) -> Option<bool> {
        match self {
            Goal::AtLeast(g) => Some(value >= g),
            Goal::AtMost(g) => Some(value <= g),
            Goal::None => None,
        }
    }
}

/// One measured figure: a median over runs (with their min and max), or a
/// ratio to a reference measured in the same run.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    pub goal: Goal,
    /// The spread over repeated runs: (min, max), if repeated.
    pub spread: Option<(f64, f64)>,
    /// Anything else worth keeping in the JSON (query plans, raw runs).
    pub detail: Value,
}

impl Figure {
    pub fn new(name: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Figure {
            name: name.into(),
            value,
            unit,
            goal: Goal::None,
            spread: None,
            detail: Value::Null,
        }
    }

    /// The median of `runs`, with their min and max.
    pub fn median_of(name: impl Into<String>, runs: &[f64], unit: &'static str) -> Self {
        let mut figure = Figure::new(name, median(runs), unit);
        figure.spread = Some((min(runs), max(runs)));
        figure.detail = json!({ "runs": runs });
        figure
    }

    /// The ratio `numerator ÷ denominator`, run by run: each numerator run is
    /// paired with the denominator run made beside it (same load, moments
    /// apart), so a machine that slows both down leaves the ratio alone. The
    /// median of the paired ratios, with their spread.
    pub fn ratio_of(name: impl Into<String>, numerator: &[f64], denominator: &[f64]) -> Self {
        assert_eq!(numerator.len(), denominator.len(), "ratios pair runs");
        let ratios: Vec<f64> = numerator
            .iter()
            .zip(denominator)
            .map(|(n, d)| n / d)
            .collect();
        Figure::median_of(name, &ratios, "x").detail(json!({
            "numerator_runs": numerator,
            "denominator_runs": denominator,
        }))
    }

    pub fn goal(mut self, goal: Goal) -> Self {
        self.goal = goal;
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        match (&mut self.detail, detail) {
            (Value::Object(mine), Value::Object(more)) => mine.extend(more),
            (slot, more) => *slot = more,
        }
        self
    }

    fn verdict(&self) -> &'static str {
        match self.goal.met(self.value) {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        }
    }

    fn value_text(&self) -> String {
        let mut text = format!("{} {}", number(self.value), self.unit);
        if let Some((lo, hi)) = self.spread {
            text.push_str(&format!(" [{}–{}]", number(lo), number(hi)));
        }
        text
    }

    pub fn to_json(&self) -> Value {
        json!({
            "figure": self.name,
            "value": self.value,
            "unit": self.unit,
            "min": self.spread.map(|s| s.0),
            "max": self.spread.map(|s| s.1),
            "goal": self.goal.text(self.unit),
            "verdict": self.verdict(),
            "detail": self.detail,
        })
    }
}

/// A number with as many decimals as its size deserves.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The table: figure, value [min–max], goal, verdict.
pub fn table(figures: &[Figure]) -> String {
    let rows: Vec<[String; 4]> = figures
        .iter()
        .map(|f| {
            [
                f.name.clone(),
                f.value_text(),
                f.goal.text(f.unit),
                f.verdict().to_owned(),
            ]
        })
        .collect();
    let header = [
        "figure".to_owned(),
        "value [min–max]".to_owned(),
        "goal".to_owned(),
        "verdict".to_owned(),
    ];
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |row: &[String; 4]| {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&format!("|-{}-|\n", rule.join("-|-")));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// The nearest-rank percentile (`p` in 0..=100) of `values`; 0 if empty.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

pub fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&values, 100.0), 100.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }

    #[test]
    fn the_table_shows_value_spread_goal_and_verdict() {
        let figures = [
            Figure::median_of("view p99 @16", &[4.0, 3.0, 12.0], "ms").goal(Goal::AtMost(10.0)),
            Figure::new("idle RSS", 21.5, "MB"),
            Figure::new("ratio", 0.5, "x").goal(Goal::AtLeast(0.8)),
        ];
        let text = table(&figures);
        assert!(text.contains("| view p99 @16 | 4.00 ms [3.00–12.0] | <= 10.0 ms | ok"));
        assert!(text.contains("MISSED"));
        let json = figures[0].to_json();
        assert_eq!(json["verdict"], "ok");
        assert_eq!(json["max"], 12.0);
    }

    #[test]
    fn a_ratio_pairs_each_run_with_the_reference_run_beside_it() {
        // A machine twice as slow in the second pair leaves its ratio at 0.5.
        let ratio = Figure::ratio_of(
            "view ÷ health",
            &[500.0, 250.0, 600.0],
            &[1000.0, 500.0, 1000.0],
        )
        .goal(Goal::AtLeast(0.5));
        assert_eq!(ratio.value, 0.5);
        assert_eq!(ratio.spread, Some((0.5, 0.6)));
        assert_eq!(ratio.unit, "x");
        assert_eq!(ratio.goal.met(ratio.value), Some(true));
        let json = ratio.to_json();
        assert_eq!(json["detail"]["runs"][2], 0.6);
        assert_eq!(json["detail"]["denominator_runs"][1], 500.0);
    }
}
