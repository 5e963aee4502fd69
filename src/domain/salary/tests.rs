//! Salary normalization tests: real-world phrasings and traps, provider figures, properties.

use proptest::prelude::*;

use super::*;
use PayPeriod::{Day, Hour, Month, Week, Year};

type Expected = Option<(f64, f64, &'static str, PayPeriod)>;

/// Real-world phrasings, traps included, with what they should normalize to.
const CASES: &[(&str, Expected)] = &[
    // Ranges in the common shapes.
    (
        "$120k–$150k + equity",
        Some((120_000.0, 150_000.0, "USD", Year)),
    ),
    (
        "Salary: £55,000 - £65,000 per annum",
        Some((55_000.0, 65_000.0, "GBP", Year)),
    ),
    (
        "€60.000 – €75.000 brutto/Jahr",
        Some((60_000.0, 75_000.0, "EUR", Year)),
    ),
    (
        "CHF 120'000 – 140'000",
        Some((120_000.0, 140_000.0, "CHF", Year)),
    ),
    (
        "CA$90,000–110,000 CAD",
        Some((90_000.0, 110_000.0, "CAD", Year)),
    ),
    ("$45 - $55 per hour", Some((45.0, 55.0, "USD", Hour))),
    (
        "USD 150000 - 190000 yearly",
        Some((150_000.0, 190_000.0, "USD", Year)),
    ),
    (
        "The base pay range for this role is $152,000—$228,000 USD",
        Some((152_000.0, 228_000.0, "USD", Year)),
    ),
    (
        "between $100,000 and $130,000",
        Some((100_000.0, 130_000.0, "USD", Year)),
    ),
    (
        "$150,000 - 190,000",
        Some((150_000.0, 190_000.0, "USD", Year)),
    ),
    ("$120-150k", Some((120_000.0, 150_000.0, "USD", Year))),
    ("120K–150K USD", Some((120_000.0, 150_000.0, "USD", Year))),
    (
        "5,000 - 6,000 EUR monthly",
        Some((5_000.0, 6_000.0, "EUR", Month)),
    ),
    (
        "$100,000 to $130,000 per year",
        Some((100_000.0, 130_000.0, "USD", Year)),
    ),
    (
        "Compensation: $95K - $115K annually",
        Some((95_000.0, 115_000.0, "USD", Year)),
    ),
    (
        "SGD 6,000 - 8,000 per month",
        Some((6_000.0, 8_000.0, "SGD", Month)),
    ),
    (
        "SEK 45 000 - 55 000 per month",
        Some((45_000.0, 55_000.0, "SEK", Month)),
    ),
    (
        "A$120,000 - A$140,000 + super",
        Some((120_000.0, 140_000.0, "AUD", Year)),
    ),
    (
        "NZD 90,000–110,000",
        Some((90_000.0, 110_000.0, "NZD", Year)),
    ),
    ("£30-£35 per hour", Some((30.0, 35.0, "GBP", Hour))),
    ("€45–60/h", Some((45.0, 60.0, "EUR", Hour))),
    ("45-60 €/h", Some((45.0, 60.0, "EUR", Hour))),
    ("USD 80–100k", Some((80_000.0, 100_000.0, "USD", Year))),
    ("€50k - €60k", Some((50_000.0, 60_000.0, "EUR", Year))),
    (
        "¥5,000,000 - ¥7,000,000",
        Some((5_000_000.0, 7_000_000.0, "JPY", Year)),
    ),
    (
        "$100,000.00 - $120,000.00 per year",
        Some((100_000.0, 120_000.0, "USD", Year)),
    ),
    (
        "USD 120,000–150,000 per year",
        Some((120_000.0, 150_000.0, "USD", Year)),
    ),
    (
        "60.000 - 75.000 Euro",
        Some((60_000.0, 75_000.0, "EUR", Year)),
    ),
    ("₹18-25 LPA", Some((1_800_000.0, 2_500_000.0, "INR", Year))),
    ("$45/hour - $55/hour", Some((45.0, 55.0, "USD", Hour))),
    ("$18.75-$22.00/hr DOE", Some((18.75, 22.0, "USD", Hour))),
    (
        "CAD $90,000 - $110,000",
        Some((90_000.0, 110_000.0, "CAD", Year)),
    ),
    (
        "$90,000 - $110,000 CAD",
        Some((90_000.0, 110_000.0, "CAD", Year)),
    ),
    (
        "€ 45.000,- bis € 55.000,- brutto",
        Some((45_000.0, 55_000.0, "EUR", Year)),
    ),
    (
        "45.000,00 € - 55.000,00 €",
        Some((45_000.0, 55_000.0, "EUR", Year)),
    ),
    (
        "年収600万円〜900万円",
        Some((6_000_000.0, 9_000_000.0, "JPY", Year)),
    ),
    (
        "INR 18,00,000 - 24,00,000 per annum",
        Some((1_800_000.0, 2_400_000.0, "INR", Year)),
    ),
    (
        "Pay: USD 70k–90k + 10% bonus + $5k relocation",
        Some((70_000.0, 90_000.0, "USD", Year)),
    ),
    // Single figures.
    ("$28.50/hr", Some((28.5, 28.5, "USD", Hour))),
    ("up to $200k", Some((200_000.0, 200_000.0, "USD", Year))),
    ("from 70k EUR", Some((70_000.0, 70_000.0, "EUR", Year))),
    (
        "USD from 70,000 per year",
        Some((70_000.0, 70_000.0, "USD", Year)),
    ),
    (
        "₹25,00,000 per annum",
        Some((2_500_000.0, 2_500_000.0, "INR", Year)),
    ),
    (
        "¥8,000,000 per year",
        Some((8_000_000.0, 8_000_000.0, "JPY", Year)),
    ),
    ("120 000 EUR", Some((120_000.0, 120_000.0, "EUR", Year))),
    ("80k EUR", Some((80_000.0, 80_000.0, "EUR", Year))),
    ("$50 an hour", Some((50.0, 50.0, "USD", Hour))),
    ("Pay rate: $22/hour", Some((22.0, 22.0, "USD", Hour))),
    ("£450 per day", Some((450.0, 450.0, "GBP", Day))),
    ("$2,000 a week", Some((2_000.0, 2_000.0, "USD", Week))),
    ("€4,500 per month", Some((4_500.0, 4_500.0, "EUR", Month))),
    (
        "HK$40,000 per month",
        Some((40_000.0, 40_000.0, "HKD", Month)),
    ),
    ("C$75/hr", Some((75.0, 75.0, "CAD", Hour))),
    ("US$95,000", Some((95_000.0, 95_000.0, "USD", Year))),
    ("$60K+", Some((60_000.0, 60_000.0, "USD", Year))),
    ("GBP 70,000", Some((70_000.0, 70_000.0, "GBP", Year))),
    (
        "DKK 50.000 pr. måned",
        Some((50_000.0, 50_000.0, "DKK", Month)),
    ),
    (
        "Salary: 1.234,56 EUR/Monat",
        Some((1_234.56, 1_234.56, "EUR", Month)),
    ),
    (
        "Rate: $800/day outside IR35",
        Some((800.0, 800.0, "USD", Day)),
    ),
    (
        "$150K base | $200K OTE",
        Some((150_000.0, 150_000.0, "USD", Year)),
    ),
    ("Hourly rate: $45", Some((45.0, 45.0, "USD", Hour))),
    ("$35", Some((35.0, 35.0, "USD", Hour))),
    ("€60k p.a.", Some((60_000.0, 60_000.0, "EUR", Year))),
    (
        "Salary $120k–$150k, 401(k) match",
        Some((120_000.0, 150_000.0, "USD", Year)),
    ),
    (
        "$120,000 base salary plus $20,000 signing bonus",
        Some((120_000.0, 120_000.0, "USD", Year)),
    ),
    // Long descriptions: the figure next to a salary cue, past the traps.
    (
        "Acme raised $40M last year and serves 2,000 customers. You will own the billing \
         platform end to end and mentor two engineers. The salary range for this role is \
         $140,000 – $170,000. We also offer a $5,000 relocation bonus.",
        Some((140_000.0, 170_000.0, "USD", Year)),
    ),
    (
        "Join us! $10,000 sign-on bonus. Base salary: $90,000 - $110,000 per year.",
        Some((90_000.0, 110_000.0, "USD", Year)),
    ),
    (
        "We are a Series B startup ($30M raised from top investors) building tools for 500+ \
         teams. Our stack is Rust and Postgres, and we ship daily. Benefits include a $1,500 \
         learning budget and 401(k) matching up to 4%. Pay: $65 – $80 per hour, 40 hours per week.",
        Some((65.0, 80.0, "USD", Hour)),
    ),
    (
        "Annual Salary Range\n$152,000—$228,000 USD\nThis role is also eligible for equity.",
        Some((152_000.0, 228_000.0, "USD", Year)),
    ),
    (
        "Our clients saved $50,000-$100,000 per year with our product. We have offices in \
         Berlin and Lisbon and hire globally.\n\nCompensation\n\n€60.000 – €75.000",
        Some((60_000.0, 75_000.0, "EUR", Year)),
    ),
    // Traps: not pay.
    ("We raised $50M Series B", None),
    ("ARR of $10M", None),
    ("401(k) matching", None),
    ("401k plan with 4% match", None),
    ("2026 roadmap, 40 hours per week", None),
    ("$10,000 sign-on bonus", None),
    ("Relocation bonus: $5,000", None),
    ("We offer $50,000 in equity", None),
    ("RSU grant worth $200,000", None),
    ("Series B company with $30,000,000 in funding", None),
    ("$2B valuation", None),
    ("Revenue of $5,000,000", None),
    ("MRR of $80k", None),
    ("$500k ARR", None),
    ("We serve over 10,000 customers", None),
    ("10% annual bonus", None),
    ("Call us at +1 (555) 123-4567", None),
    ("Founded in 2015, we have 200 employees", None),
    ("$1 billion in assets under management", None),
    ("$5 million", None),
    ("$1-2M", None),
    ("Salary: competitive", None),
    ("Salary: 50,000 - 60,000 per year", None),
    ("$3/hr", None),
    ("Salary $1,500,000,000", None),
    ("$2,500 home office stipend", None),
    ("Options worth $200k", None),
    ("$200k in stock options over 4 years", None),
    ("Annual bonus up to $20,000", None),
    ("$3,000 per month housing allowance", None),
    ("$5,000 one-time payment", None),
    ("Must be able to lift 50 pounds", None),
    ("Our customers saved $3,000,000 last year", None),
    ("", None),
];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

#[test]
fn table_of_phrasings() {
    let mut failures = Vec::new();
    for (text, expected) in CASES {
        let got = parse_salary_text(text);
        let ok = match (&got, expected) {
            (None, None) => true,
            (Some(s), Some((min, max, currency, period))) => {
                close(s.min, *min)
                    && close(s.max, *max)
                    && s.currency == *currency
                    && s.period == *period
                    && s.provenance == SalaryProvenance::Parsed
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(CASES.len() >= 45);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn annual_figures_and_display() {
    let s = parse_salary_text("$150,000 - 190,000").unwrap();
    assert_eq!((s.annual_min, s.annual_max), (150_000.0, 190_000.0));
    assert_eq!(s.display, "USD 150,000–190,000 / year");

    let s = parse_salary_text("€45–60/h").unwrap();
    assert_eq!((s.annual_min, s.annual_max), (93_600.0, 124_800.0));
    assert_eq!(s.display, "EUR 45–60 / hour");

    let s = parse_salary_text("$45.50/hr").unwrap();
    assert_eq!(s.annual_min, 94_640.0);
    assert_eq!(s.display, "USD 45.50 / hour");

    let s = parse_salary_text("$45.50 - $55 per hour").unwrap();
    assert_eq!(s.display, "USD 45.50–55.00 / hour");

    let s = parse_salary_text("GBP 70,000").unwrap();
    assert_eq!(s.display, "GBP 70,000 / year");

    let s = parse_salary_text("5,000 - 6,000 EUR monthly").unwrap();
    assert_eq!((s.annual_min, s.annual_max), (60_000.0, 72_000.0));
    assert_eq!(s.display, "EUR 5,000–6,000 / month");

    let s = parse_salary_text("₹25,00,000 per annum").unwrap();
    assert_eq!(s.display, "INR 2,500,000 / year");
}

#[test]
fn salary_round_trips_through_json() {
    let s = parse_salary_text("$45 - $55 per hour").unwrap();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["period"], "hour");
    assert_eq!(json["provenance"], "parsed");
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["annual_max"], 114_400.0);
    let back: Salary = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn lever_per_hour_wage() {
    let f = SalaryFigures {
        min: Some(40.0),
        max: Some(52.5),
        currency: Some("USD".into()),
        period: PayPeriod::parse_loose("per-hour-wage"),
    };
    let s = Salary::from_figures(&f, SalaryProvenance::Structured).unwrap();
    assert_eq!((s.min, s.max, s.period), (40.0, 52.5, Hour));
    assert_eq!((s.annual_min, s.annual_max), (83_200.0, 109_200.0));
    assert_eq!(s.provenance, SalaryProvenance::Structured);
    assert_eq!(s.display, "USD 40.00–52.50 / hour");
}

#[test]
fn ashby_one_year_with_currency_code() {
    let f = SalaryFigures {
        min: Some(140_000.0),
        max: Some(175_000.0),
        currency: Some("eur".into()),
        period: PayPeriod::parse_loose("1 YEAR"),
    };
    let s = Salary::from_figures(&f, SalaryProvenance::Structured).unwrap();
    assert_eq!(s.currency, "EUR");
    assert_eq!(s.period, Year);
    assert_eq!(s.display, "EUR 140,000–175,000 / year");
}

#[test]
fn greenhouse_cents_converted() {
    // pay_input_ranges: min_cents 15200000, max_cents 22800000, divided by 100 by the caller.
    let f = SalaryFigures {
        min: Some(15_200_000.0 / 100.0),
        max: Some(22_800_000.0 / 100.0),
        currency: Some("USD".into()),
        period: None,
    };
    let s = Salary::from_figures(&f, SalaryProvenance::Structured).unwrap();
    assert_eq!((s.min, s.max, s.period), (152_000.0, 228_000.0, Year));
    assert_eq!(s.display, "USD 152,000–228,000 / year");
}

#[test]
fn figures_edge_cases() {
    let figures = |min, max, currency: Option<&str>, period| SalaryFigures {
        min,
        max,
        currency: currency.map(String::from),
        period,
    };
    let structured = SalaryProvenance::Structured;
    // Swapped ends, a single end, a symbol for a currency.
    let s = Salary::from_figures(
        &figures(Some(90.0), Some(70.0), Some("$"), Some(Hour)),
        structured,
    )
    .unwrap();
    assert_eq!((s.min, s.max), (70.0, 90.0));
    let s = Salary::from_figures(
        &figures(None, Some(80_000.0), Some("GBP"), None),
        structured,
    )
    .unwrap();
    assert_eq!((s.min, s.max, s.period), (80_000.0, 80_000.0, Year));
    assert_eq!(s.display, "GBP 80,000 / year");
    // A zero end counts as missing.
    let s = Salary::from_figures(
        &figures(Some(0.0), Some(100_000.0), Some("USD"), Some(Year)),
        structured,
    )
    .unwrap();
    assert_eq!((s.min, s.max), (100_000.0, 100_000.0));
    // No amount, no currency, unknown currency.
    assert!(
        Salary::from_figures(&figures(None, None, Some("USD"), Some(Year)), structured).is_none()
    );
    assert!(
        Salary::from_figures(&figures(Some(1e5), None, None, Some(Year)), structured).is_none()
    );
    assert!(
        Salary::from_figures(
            &figures(Some(1e5), None, Some("XYZ"), Some(Year)),
            structured
        )
        .is_none()
    );
    // Inferred provenance is kept as given.
    let s = Salary::from_figures(
        &figures(Some(1e5), None, Some("USD"), None),
        SalaryProvenance::Inferred,
    )
    .unwrap();
    assert_eq!(s.provenance, SalaryProvenance::Inferred);
}

#[test]
fn band_discards() {
    let f = |min: f64, currency: &str, period| SalaryFigures {
        min: Some(min),
        max: None,
        currency: Some(currency.into()),
        period: Some(period),
    };
    let ok = |min, currency, period| {
        Salary::from_figures(&f(min, currency, period), SalaryProvenance::Structured)
    };
    // Too small: a $5,000 "salary" is a bonus or a stipend.
    assert!(ok(5_000.0, "USD", Year).is_none());
    // Too large: funding read as pay.
    assert!(ok(2_000_000.0, "USD", Year).is_none());
    assert!(ok(2_000.0, "USD", Hour).is_none());
    // The band is in rough dollars: ¥8M is fine, $8M is not.
    assert!(ok(8_000_000.0, "JPY", Year).is_some());
    assert!(ok(8_000_000.0, "USD", Year).is_none());
    // ₹600,000 a year (~$7,200) is just under the band; ₹700,000 is in it.
    assert!(ok(600_000.0, "INR", Year).is_none());
    assert!(ok(700_000.0, "INR", Year).is_some());
    // Monthly figures are annualized before the check.
    assert!(ok(5_000.0, "EUR", Month).is_some());
    assert!(parse_salary_text("$500 - $600 per year").is_none());
}

#[test]
fn period_spellings() {
    let cases = [
        ("per-year-salary", Some(Year)),
        ("per-hour-wage", Some(Hour)),
        ("per-month-salary", Some(Month)),
        ("per-week-salary", Some(Week)),
        ("per-day-wage", Some(Day)),
        ("bi-week-salary", None),
        ("one-time-payment", None),
        ("1 YEAR", Some(Year)),
        ("1 HOUR", Some(Hour)),
        ("1 MONTH", Some(Month)),
        ("hour", Some(Hour)),
        ("Hourly", Some(Hour)),
        ("annual", Some(Year)),
        ("yearly", Some(Year)),
        ("year", Some(Year)),
        ("yr", Some(Year)),
        ("pa", Some(Year)),
        ("p.a.", Some(Year)),
        ("per annum", Some(Year)),
        ("month", Some(Month)),
        ("mo", Some(Month)),
        ("week", Some(Week)),
        ("day", Some(Day)),
        ("daily", Some(Day)),
        ("", None),
        ("salary", None),
        ("fortnight", None),
    ];
    for (s, expected) in cases {
        assert_eq!(PayPeriod::parse_loose(s), expected, "{s:?}");
    }
    assert_eq!(PayPeriod::parse_interval("bi-week-salary"), Some((Week, 2)));
    assert_eq!(PayPeriod::parse_interval("biweekly"), Some((Week, 2)));
    assert_eq!(PayPeriod::parse_interval("2 WEEK"), Some((Week, 2)));
    assert_eq!(PayPeriod::parse_interval("1 YEAR"), Some((Year, 1)));
    assert_eq!(PayPeriod::parse_interval("0 YEAR"), None);
    for p in [Hour, Day, Week, Month, Year] {
        assert_eq!(PayPeriod::parse_loose(p.as_str()), Some(p));
        assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
    }
    assert_eq!(Hour.per_year(), 2080.0);
    assert_eq!(Day.per_year(), 260.0);
}

#[test]
fn currency_spellings() {
    assert_eq!(currency_code("usd"), Some("USD"));
    assert_eq!(currency_code(" € "), Some("EUR"));
    assert_eq!(currency_code("CA$"), Some("CAD"));
    assert_eq!(currency_code("Euro"), Some("EUR"));
    assert_eq!(currency_code("dollars"), None);
    assert_eq!(currency_code("XYZ"), None);
}

fn salary_like() -> impl Strategy<Value = String> {
    let currency = prop::sample::select(vec!["$", "€", "£", "USD ", "CHF ", "¥", "₹", ""]);
    let period = prop::sample::select(vec![
        "",
        " per hour",
        "/yr",
        " monthly",
        " a day",
        " per week",
    ]);
    let sep = prop::sample::select(vec![" - ", "–", " to ", " and "]);
    (
        currency,
        1u32..500_000,
        1u32..500_000,
        sep,
        prop::bool::ANY,
        period,
    )
        .prop_map(|(cur, a, b, sep, k, period)| {
            let k = if k { "k" } else { "" };
            format!("{cur}{a}{k}{sep}{cur}{b}{k}{period}")
        })
}

proptest! {
    #[test]
    fn parsed_salaries_are_ordered_and_in_band(text in salary_like()) {
        if let Some(s) = parse_salary_text(&text) {
            prop_assert!(s.min <= s.max);
            prop_assert!(s.annual_min <= s.annual_max);
            prop_assert!(s.annual_min > 0.0);
        }
    }

    #[test]
    fn parse_is_deterministic(text in "\\PC{0,120}") {
        prop_assert_eq!(parse_salary_text(&text), parse_salary_text(&text));
    }

    #[test]
    fn parse_never_panics(text in "(\\PC|[0-9$€£.,' kK-]){0,200}") {
        let _ = parse_salary_text(&text);
    }

    #[test]
    fn figures_are_ordered_and_in_band(
        min in proptest::option::of(-1e7f64..1e8),
        max in proptest::option::of(-1e7f64..1e8),
        period in proptest::option::of(prop::sample::select(vec![Hour, Day, Week, Month, Year])),
    ) {
        let f = SalaryFigures { min, max, currency: Some("USD".into()), period };
        if let Some(s) = Salary::from_figures(&f, SalaryProvenance::Structured) {
            prop_assert!(s.min <= s.max);
            prop_assert!(s.annual_min <= s.annual_max);
            prop_assert!(s.annual_min >= 8_000.0 && s.annual_max <= 1_500_000.0);
        }
    }
}
