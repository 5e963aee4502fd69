//! Salary normalization: provider figures or free text become one annualized, comparable salary.

mod parse;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use parse::parse_salary_text;

/// How often the stated amount is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayPeriod {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl PayPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            PayPeriod::Hour => "hour",
            PayPeriod::Day => "day",
            PayPeriod::Week => "week",
            PayPeriod::Month => "month",
            PayPeriod::Year => "year",
        }
    }

    /// Periods in a full-time year: 40 hours × 52 weeks, 5 days × 52 weeks.
    pub fn per_year(self) -> f64 {
        match self {
            PayPeriod::Hour => 2080.0,
            PayPeriod::Day => 260.0,
            PayPeriod::Week => 52.0,
            PayPeriod::Month => 12.0,
            PayPeriod::Year => 1.0,
        }
    }

    /// Provider spellings: Lever `per-year-salary`, `per-hour-wage`, `per-month-salary`,
    /// `per-week-salary`, `per-day-wage`; Ashby `1 YEAR`, `1 HOUR`, `1 MONTH`; plain words such as
    /// `hour`, `hourly`, `annual`, `yearly`, `year`, `yr`, `pa`, `p.a.`, `per annum`, `month`, `mo`,
    /// `week`, `day`, `daily`.
    ///
    /// Intervals of several periods (Lever `bi-week-salary`, Ashby `2 WEEK`) give `None` here,
    /// because no single period states them: use [`PayPeriod::parse_interval`] and divide.
    pub fn parse_loose(s: &str) -> Option<PayPeriod> {
        match PayPeriod::parse_interval(s) {
            Some((period, 1)) => Some(period),
            _ => None,
        }
    }

    /// A provider interval as `(period, count)`: the amount is paid once every `count` periods, so
    /// the per-period amount is the stated one divided by `count`. `bi-week-salary` and
    /// `biweekly` give `(Week, 2)`, Ashby `1 YEAR` gives `(Year, 1)`, `2 WEEK` gives `(Week, 2)`.
    /// `one-time-payment` and unknown words give `None`.
    pub fn parse_interval(s: &str) -> Option<(PayPeriod, u32)> {
        let lower = s.to_lowercase();
        // Dots go first so `p.a.` reads as `pa`; any other punctuation separates words.
        let cleaned: String = lower
            .chars()
            .filter(|&c| c != '.')
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let mut count: u32 = 1;
        let mut unit = None;
        for word in cleaned.split_whitespace() {
            if let Ok(n) = word.parse::<u32>() {
                // A count only stands before the unit, as in Ashby's `1 YEAR`.
                if unit.is_some() || !(1..=366).contains(&n) || count != 1 {
                    return None;
                }
                count = n;
                continue;
            }
            match word {
                "per" | "a" | "an" | "every" | "each" | "salary" | "wage" | "pay" | "rate" => {}
                "bi" => count = count.saturating_mul(2),
                _ if unit.replace(word).is_some() => return None,
                _ => {}
            }
        }
        let unit = unit?;
        if matches!(unit, "biweekly" | "fortnight" | "fortnightly") {
            return Some((PayPeriod::Week, count.saturating_mul(2)));
        }
        period_word(unit).map(|period| (period, count))
    }
}

impl fmt::Display for PayPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One lowercase word naming a period, in English, German or a Nordic language (common on the
/// European boards we read).
fn period_word(word: &str) -> Option<PayPeriod> {
    Some(match word {
        "hour" | "hours" | "hourly" | "hr" | "hrs" | "h" | "stunde" | "std" | "stündlich" => {
            PayPeriod::Hour
        }
        "day" | "days" | "daily" | "d" | "tag" | "täglich" => PayPeriod::Day,
        "week" | "weeks" | "weekly" | "wk" | "wks" | "w" | "woche" | "wöchentlich" => {
            PayPeriod::Week
        }
        "month" | "months" | "monthly" | "mo" | "mos" | "mth" | "mths" | "m" | "pcm" | "monat"
        | "monatlich" | "måned" | "månad" | "mån" | "md" => PayPeriod::Month,
        "year" | "years" | "yearly" | "yr" | "yrs" | "y" | "annual" | "annually" | "annum"
        | "pa" | "jahr" | "jährlich" | "år" => PayPeriod::Year,
        _ => return None,
    })
}

/// Where a salary came from: a provider's structured field, our text parser, or a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SalaryProvenance {
    Structured,
    Parsed,
    Inferred,
}

/// Figures as a provider's structured field states them (Lever salaryRange, Ashby compensation
/// component, Greenhouse pay_input_ranges after dividing cents by 100).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SalaryFigures {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub currency: Option<String>,
    pub period: Option<PayPeriod>,
}

/// A normalized salary, as stored in job_enrichment.salary (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    /// In `period` units, rounded to cents; `min <= max`; a single figure gives `min == max`.
    pub min: f64,
    pub max: f64,
    /// ISO 4217 code, uppercase.
    pub currency: String,
    pub period: PayPeriod,
    /// `min`/`max` × [`PayPeriod::per_year`], rounded to whole units.
    pub annual_min: f64,
    pub annual_max: f64,
    pub provenance: SalaryProvenance,
    /// `USD 150,000–190,000 / year`, `EUR 45–60 / hour`, `GBP 70,000 / year`.
    pub display: String,
}

/// Annual pay outside this band, in rough US dollars, is a misread figure (a bonus, a budget,
/// funding) rather than a salary.
const BAND_MIN_USD: f64 = 8_000.0;
const BAND_MAX_USD: f64 = 1_500_000.0;

/// With no period stated, an amount under this (in rough US dollars) is an hourly rate: nobody
/// states a yearly or monthly salary that small, and day rates are rarer than hourly ones.
const HOURLY_BELOW_USD: f64 = 500.0;

/// Rough US dollars per unit, for the sanity band and the period guess only: never shown or
/// stored, so a stale rate only moves the band edges a little. Also the list of currencies we
/// accept: the band cannot be applied to one that is missing.
const USD_PER_UNIT: &[(&str, f64)] = &[
    ("USD", 1.0),
    ("EUR", 1.08),
    ("GBP", 1.27),
    ("CHF", 1.13),
    ("CAD", 0.73),
    ("AUD", 0.66),
    ("NZD", 0.60),
    ("JPY", 0.0067),
    ("INR", 0.012),
    ("SEK", 0.095),
    ("NOK", 0.093),
    ("DKK", 0.145),
    ("PLN", 0.25),
    ("SGD", 0.74),
    ("HKD", 0.128),
    ("CNY", 0.14),
    ("BRL", 0.18),
    ("MXN", 0.055),
    ("ZAR", 0.054),
    ("CZK", 0.043),
    ("HUF", 0.0027),
    ("RON", 0.22),
    ("ILS", 0.27),
    ("AED", 0.27),
    ("KRW", 0.00073),
    ("TWD", 0.031),
    ("PHP", 0.017),
    ("THB", 0.028),
    ("MYR", 0.22),
    ("IDR", 0.000063),
    ("TRY", 0.03),
    ("ISK", 0.0072),
];

/// Currency symbols and the code each stands for. A bare `$` is read as USD and `¥` as JPY;
/// a code next to them wins (see `parse`).
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("NZ$", "NZD"),
    ("SG$", "SGD"),
    ("S$", "SGD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("R$", "BRL"),
    ("$", "USD"),
    ("£", "GBP"),
    ("€", "EUR"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("円", "JPY"),
    ("Rs.", "INR"),
    ("Rs", "INR"),
];

/// A rough rate to US dollars, for comparing amounts across currencies (bands, minimums).
pub fn usd_per_unit(code: &str) -> Option<f64> {
    USD_PER_UNIT
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, rate)| *rate)
}

/// The ISO 4217 code for a code in any case, a symbol (`$`, `€`, `CA$`) or `euro`; `None` for
/// anything we have no rough rate for.
pub fn currency_code(s: &str) -> Option<&'static str> {
    let s = s.trim();
    if let Some((_, code)) = SYMBOLS.iter().find(|(sym, _)| *sym == s) {
        return Some(code);
    }
    let upper = s.to_ascii_uppercase();
    if upper == "EURO" || upper == "EUROS" {
        return Some("EUR");
    }
    USD_PER_UNIT
        .iter()
        .find(|(c, _)| *c == upper)
        .map(|(c, _)| *c)
}

/// The period for an amount that states none: see [`HOURLY_BELOW_USD`].
fn infer_period(amount: f64, usd_per_unit: f64) -> PayPeriod {
    if amount * usd_per_unit < HOURLY_BELOW_USD {
        PayPeriod::Hour
    } else {
        PayPeriod::Year
    }
}

fn round_cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// `150000.0` → `150,000`; with `cents`, `28.5` → `28.50`.
fn format_amount(value: f64, cents: bool) -> String {
    // Saturating cast: absurd values were turned away by the band before display.
    let total_cents = (value * 100.0).round() as u64;
    let whole = if cents {
        total_cents / 100
    } else {
        (total_cents + 50) / 100
    };
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if cents {
        out.push_str(&format!(".{:02}", total_cents % 100));
    }
    out
}

fn has_cents(value: f64) -> bool {
    !((value * 100.0).round() as u64).is_multiple_of(100)
}

/// `USD 150,000–190,000 / year`; cents only for hourly and daily rates that have them.
fn display(min: f64, max: f64, currency: &str, period: PayPeriod) -> String {
    let cents =
        matches!(period, PayPeriod::Hour | PayPeriod::Day) && (has_cents(min) || has_cents(max));
    let (lo, hi) = (format_amount(min, cents), format_amount(max, cents));
    let amounts = if lo == hi { lo } else { format!("{lo}–{hi}") };
    format!("{currency} {amounts} / {period}")
}

impl Salary {
    /// From structured figures; None when there is no amount, no currency can be determined, or
    /// the annualized figures fall outside the sane band. A single figure gives `min == max`;
    /// zero or negative figures count as missing. Without a period, one is inferred (an amount
    /// under 500 rough US dollars is hourly, anything else yearly).
    pub fn from_figures(f: &SalaryFigures, provenance: SalaryProvenance) -> Option<Salary> {
        let usable = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
        let (min, max) = match (usable(f.min), usable(f.max)) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) | (None, Some(a)) => (a, a),
            (None, None) => return None,
        };
        let currency = currency_code(f.currency.as_deref()?)?;
        Salary::build(min, max, currency, f.period, provenance)
    }

    /// Orders, rounds and annualizes the figures, and applies the sane band.
    fn build(
        min: f64,
        max: f64,
        currency: &'static str,
        period: Option<PayPeriod>,
        provenance: SalaryProvenance,
    ) -> Option<Salary> {
        if !(min.is_finite() && max.is_finite() && min > 0.0 && max > 0.0) {
            return None;
        }
        let (min, max) = if max < min { (max, min) } else { (min, max) };
        let usd = usd_per_unit(currency)?;
        let period = period.unwrap_or_else(|| infer_period(max, usd));
        let (min, max) = (round_cents(min), round_cents(max));
        let annual_min = (min * period.per_year()).round();
        let annual_max = (max * period.per_year()).round();
        let in_band = |annual: f64| (BAND_MIN_USD..=BAND_MAX_USD).contains(&(annual * usd));
        if !(in_band(annual_min) && in_band(annual_max)) {
            return None;
        }
        Some(Salary {
            min,
            max,
            currency: currency.to_string(),
            period,
            annual_min,
            annual_max,
            provenance,
            display: display(min, max, currency, period),
        })
    }
}
