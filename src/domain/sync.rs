//! Sync rules, pure: which (job, profile) fits go to a sink, the pages' property values,
//! and the property table (names and types the Python version used, so existing Notion
//! databases keep working).

use chrono::{DateTime, Utc};

/// Notion's limit on a text content or URL, in characters.
pub const TEXT_LIMIT: usize = 2000;

/// A property's type, as Notion names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropKind {
    Title,
    RichText,
    Number,
    Select,
    MultiSelect,
    Url,
    Date,
    Checkbox,
    Status,
}

impl PropKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PropKind::Title => "title",
            PropKind::RichText => "rich_text",
            PropKind::Number => "number",
            PropKind::Select => "select",
            PropKind::MultiSelect => "multi_select",
            PropKind::Url => "url",
            PropKind::Date => "date",
            PropKind::Checkbox => "checkbox",
            PropKind::Status => "status",
        }
    }
}

/// Which property a value is for; its name is [`PropSpec::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prop {
    JobTitle,
    JobUid,
    Profile,
    Company,
    JobUrl,
    FitScore,
    FitClass,
    FirstSeen,
    LastChecked,
    Source,
    Region,
    Status,
    Location,
    Workplace,
    Salary,
    Why,
    Closed,
}

/// Whether the sync needs a property, or writes it only when the data source has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Without it the profile's sync cannot run (title, key).
    Required,
    /// Written when present; reported once by name when missing.
    Owned,
    /// Written only when the data source has it; never reported.
    Optional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropSpec {
    pub prop: Prop,
    pub name: &'static str,
    pub kind: PropKind,
    pub need: Need,
}

/// The one table of property names and types.
pub const PROPERTIES: &[PropSpec] = &[
    spec(Prop::JobTitle, "Job Title", PropKind::Title, Need::Required),
    spec(Prop::JobUid, "Job UID", PropKind::RichText, Need::Required),
    spec(Prop::Profile, "Profile", PropKind::RichText, Need::Owned),
    spec(Prop::Company, "Company", PropKind::RichText, Need::Owned),
    spec(Prop::JobUrl, "Job URL", PropKind::Url, Need::Owned),
    spec(Prop::FitScore, "Fit score", PropKind::Number, Need::Owned),
    spec(Prop::FitClass, "Fit class", PropKind::Select, Need::Owned),
    spec(Prop::FirstSeen, "First seen", PropKind::Date, Need::Owned),
    spec(
        Prop::LastChecked,
        "Last checked",
        PropKind::Date,
        Need::Owned,
    ),
    spec(Prop::Source, "Source", PropKind::Select, Need::Owned),
    spec(Prop::Region, "Region", PropKind::MultiSelect, Need::Owned),
    spec(Prop::Status, "Status", PropKind::Status, Need::Owned),
    spec(
        Prop::Location,
        "Location",
        PropKind::RichText,
        Need::Optional,
    ),
    spec(
        Prop::Workplace,
        "Workplace",
        PropKind::Select,
        Need::Optional,
    ),
    spec(Prop::Salary, "Salary", PropKind::RichText, Need::Optional),
    spec(Prop::Why, "Why", PropKind::RichText, Need::Optional),
    spec(Prop::Closed, "Closed", PropKind::Checkbox, Need::Optional),
];

const fn spec(prop: Prop, name: &'static str, kind: PropKind, need: Need) -> PropSpec {
    PropSpec {
        prop,
        name,
        kind,
        need,
    }
}

impl Prop {
    pub fn spec(self) -> &'static PropSpec {
        PROPERTIES
            .iter()
            .find(|s| s.prop == self)
            .expect("every property is in the table")
    }

    /// The name the Python version used (the default of [`PropertyNames`]).
    pub fn default_name(self) -> &'static str {
        self.spec().name
    }
}

/// The name each property has in the user's data source: the Python version's names
/// unless settings rename some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyNames {
    /// Indexed like [`PROPERTIES`].
    names: Vec<String>,
}

impl Default for PropertyNames {
    fn default() -> Self {
        PropertyNames {
            names: PROPERTIES.iter().map(|s| s.name.to_string()).collect(),
        }
    }
}

/// Why a set of renamings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PropertyNamesError {
    #[error("{prop:?}: a property name cannot be empty")]
    Empty { prop: Prop },
    #[error("\"{name}\" would name both {first:?} and {second:?}")]
    Duplicate {
        name: String,
        first: Prop,
        second: Prop,
    },
}

impl PropertyNames {
    /// The defaults with some properties renamed. Names are trimmed; two properties
    /// can never share a name (Notion keys properties by name).
    pub fn renamed(
        renames: impl IntoIterator<Item = (Prop, String)>,
    ) -> Result<PropertyNames, Vec<PropertyNamesError>> {
        let mut out = PropertyNames::default();
        let mut problems = Vec::new();
        for (prop, name) in renames {
            let name = name.trim().to_string();
            if name.is_empty() {
                problems.push(PropertyNamesError::Empty { prop });
                continue;
            }
            out.names[Self::index(prop)] = name;
        }
        for (i, a) in PROPERTIES.iter().enumerate() {
            for b in &PROPERTIES[i + 1..] {
                let name = out.name(a.prop);
                if name == out.name(b.prop) {
                    problems.push(PropertyNamesError::Duplicate {
                        name: name.to_string(),
                        first: a.prop,
                        second: b.prop,
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    fn index(prop: Prop) -> usize {
        PROPERTIES
            .iter()
            .position(|s| s.prop == prop)
            .expect("every property is in the table")
    }

    pub fn name(&self, prop: Prop) -> &str {
        &self.names[Self::index(prop)]
    }

    /// The property a name stands for, if any.
    pub fn prop(&self, name: &str) -> Option<Prop> {
        PROPERTIES
            .iter()
            .zip(&self.names)
            .find(|(_, n)| n.as_str() == name)
            .map(|(s, _)| s.prop)
    }
}

/// One property value, independent of how a sink spells it.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    Title(String),
    RichText(String),
    Number(f64),
    Select(String),
    MultiSelect(Vec<String>),
    Url(String),
    /// A day, `YYYY-MM-DD`.
    Date(String),
    Checkbox(bool),
    Status(String),
}

/// What to do with one (job, profile) fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncAction {
    /// No page yet: create one (or adopt the one a crashed run created).
    Create,
    /// The page exists and something changed since the last sync.
    Update,
}

/// The link state and the times the eligibility rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncFacts {
    pub score: u8,
    pub fit_min: u8,
    pub has_page: bool,
    pub dismissed: bool,
    pub last_sync: Option<DateTime<Utc>>,
    /// Whether the last attempt failed (retried next run).
    pub last_failed: bool,
    pub fit_computed_at: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the last sync wrote the job as closed (`None`: not recorded).
    pub synced_closed: Option<bool>,
}

/// The eligibility rule: `None` means leave the pair alone.
///
/// A pair goes to the sink when its score reaches `fit_min` and it was never synced, or
/// the fit, the job's content or its closing is newer than the last sync, its open/closed
/// state differs from the one last written (a reopened job), or the last attempt failed. A dismissed page is never touched again; a closed job never synced is
/// not created.
pub fn eligibility(f: &SyncFacts) -> Option<SyncAction> {
    if f.dismissed || f.score < f.fit_min {
        return None;
    }
    let Some(last) = f.last_sync.filter(|_| f.has_page) else {
        return (f.closed_at.is_none()).then_some(SyncAction::Create);
    };
    let closed_changed = match f.synced_closed {
        Some(was_closed) => was_closed != f.closed_at.is_some(),
        None => f.closed_at.is_some_and(|c| c > last),
    };
    let newer = f.fit_computed_at > last || f.changed_at > last || closed_changed || f.last_failed;
    newer.then_some(SyncAction::Update)
}

/// The status a new page starts with; never written again.
pub fn initial_status(score: u8) -> &'static str {
    match score {
        75.. => "Shortlist",
        60.. => "New",
        _ => "Rejected",
    }
}

/// A select option name: commas are invalid there, so they become spaces; trimmed and
/// within the text limit.
pub fn select_name(raw: &str) -> String {
    let cleaned: String = raw.replace(',', " ");
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&collapsed, 100)
}

/// The regions of a location: split on `;` and `|`, each made a valid select name,
/// empties and repeats dropped.
pub fn regions(location: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in location.unwrap_or("").split([';', '|']) {
        let name = select_name(part);
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// At most `max` characters (not bytes).
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// A timestamp as a Notion date (the UTC day).
pub fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn facts() -> SyncFacts {
        SyncFacts {
            score: 80,
            fit_min: 60,
            has_page: false,
            dismissed: false,
            last_sync: None,
            last_failed: false,
            fit_computed_at: t(10),
            changed_at: t(5),
            closed_at: None,
            synced_closed: None,
        }
    }

    fn synced(at: i64) -> SyncFacts {
        SyncFacts {
            has_page: true,
            last_sync: Some(t(at)),
            ..facts()
        }
    }

    #[test]
    fn never_synced_above_the_threshold_is_created() {
        assert_eq!(eligibility(&facts()), Some(SyncAction::Create));
        assert_eq!(
            eligibility(&SyncFacts {
                score: 59,
                ..facts()
            }),
            None
        );
        assert_eq!(
            eligibility(&SyncFacts {
                score: 60,
                ..facts()
            }),
            Some(SyncAction::Create)
        );
    }

    #[test]
    fn unchanged_since_the_last_sync_is_left_alone() {
        assert_eq!(eligibility(&synced(20)), None);
    }

    #[test]
    fn a_newer_fit_content_or_closing_updates() {
        assert_eq!(eligibility(&synced(7)), Some(SyncAction::Update));
        let content = SyncFacts {
            changed_at: t(30),
            ..synced(20)
        };
        assert_eq!(eligibility(&content), Some(SyncAction::Update));
        let closed = SyncFacts {
            closed_at: Some(t(30)),
            ..synced(20)
        };
        assert_eq!(eligibility(&closed), Some(SyncAction::Update));
        let failed = SyncFacts {
            last_failed: true,
            ..synced(20)
        };
        assert_eq!(eligibility(&failed), Some(SyncAction::Update));
    }

    #[test]
    fn a_job_whose_open_state_differs_from_the_page_is_updated() {
        let reopened = SyncFacts {
            synced_closed: Some(true),
            closed_at: None,
            ..synced(20)
        };
        assert_eq!(eligibility(&reopened), Some(SyncAction::Update));
        let still_closed = SyncFacts {
            synced_closed: Some(true),
            closed_at: Some(t(10)),
            ..synced(20)
        };
        assert_eq!(eligibility(&still_closed), None);
        let closed_since = SyncFacts {
            synced_closed: Some(false),
            closed_at: Some(t(10)),
            ..synced(20)
        };
        assert_eq!(eligibility(&closed_since), Some(SyncAction::Update));
        let still_open = SyncFacts {
            synced_closed: Some(false),
            ..synced(20)
        };
        assert_eq!(eligibility(&still_open), None);
    }

    #[test]
    fn closed_and_never_synced_is_not_created_and_dismissed_is_never_touched() {
        let closed = SyncFacts {
            closed_at: Some(t(1)),
            ..facts()
        };
        assert_eq!(eligibility(&closed), None);
        let dismissed = SyncFacts {
            dismissed: true,
            changed_at: t(99),
            ..synced(20)
        };
        assert_eq!(eligibility(&dismissed), None);
    }

    #[test]
    fn statuses_and_names() {
        assert_eq!(initial_status(75), "Shortlist");
        assert_eq!(initial_status(74), "New");
        assert_eq!(initial_status(60), "New");
        assert_eq!(initial_status(59), "Rejected");
        assert_eq!(select_name(" Berlin, Germany "), "Berlin Germany");
        assert_eq!(
            regions(Some("Berlin, DE; Remote | Remote;  ")),
            vec!["Berlin DE".to_string(), "Remote".to_string()]
        );
        assert!(regions(None).is_empty());
        assert_eq!(truncate("héllo", 2), "hé");
        assert_eq!(Prop::JobUid.default_name(), "Job UID");
    }

    #[test]
    fn the_table_names_each_property_once() {
        for (i, a) in PROPERTIES.iter().enumerate() {
            for b in &PROPERTIES[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.prop, b.prop);
            }
        }
    }

    #[test]
    fn renaming_keeps_the_other_defaults_and_refuses_clashes() {
        let names = PropertyNames::renamed([
            (Prop::JobTitle, " Role ".to_string()),
            (Prop::FitScore, "Score".to_string()),
        ])
        .unwrap();
        assert_eq!(names.name(Prop::JobTitle), "Role");
        assert_eq!(names.name(Prop::FitScore), "Score");
        assert_eq!(names.name(Prop::JobUid), "Job UID");
        assert_eq!(names.prop("Role"), Some(Prop::JobTitle));
        assert_eq!(names.prop("Job Title"), None);
        assert_eq!(PropertyNames::default().name(Prop::Closed), "Closed");

        let clash = PropertyNames::renamed([(Prop::Company, "Job UID".to_string())]).unwrap_err();
        assert_eq!(
            clash,
            vec![PropertyNamesError::Duplicate {
                name: "Job UID".into(),
                first: Prop::JobUid,
                second: Prop::Company,
            }]
        );
        let empty = PropertyNames::renamed([(Prop::Why, "  ".to_string())]).unwrap_err();
        assert_eq!(empty, vec![PropertyNamesError::Empty { prop: Prop::Why }]);
    }

    proptest! {
        #[test]
        fn select_names_never_hold_commas_and_fit_the_limit(s in ".{0,300}") {
            let n = select_name(&s);
            prop_assert!(!n.contains(','));
            prop_assert!(n.chars().count() <= 100);
            for r in regions(Some(&s)) {
                prop_assert!(!r.contains(',') && !r.is_empty());
            }
        }

        #[test]
        fn truncate_keeps_a_prefix_within_the_limit(s in ".{0,50}", max in 0usize..60) {
            let out = truncate(&s, max);
            prop_assert!(out.chars().count() <= max);
            prop_assert!(s.starts_with(&out));
        }

        #[test]
        fn below_the_threshold_or_dismissed_is_never_synced(
            score in 0u8..=100, fit_min in 0u8..=100, dismissed: bool, page: bool,
            last in proptest::option::of(0i64..100), fit_at in 0i64..100, changed in 0i64..100,
        ) {
            let f = SyncFacts {
                score, fit_min, has_page: page, dismissed, last_sync: last.map(t),
                last_failed: false, fit_computed_at: t(fit_at), changed_at: t(changed),
                closed_at: None, synced_closed: None,
            };
            let action = eligibility(&f);
            if dismissed || score < fit_min {
                prop_assert_eq!(action, None);
            }
            if action == Some(SyncAction::Update) {
                prop_assert!(page);
            }
        }
    }
}
