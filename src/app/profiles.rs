//! Candidate profiles: the profiles folder (`PROFILES_DIR`, default `profiles/`) holds one
//! folder per profile, named by its key, with the CV (`cv.docx`, `cv.pdf`, `cv.md` or
//! `cv.txt`) and an optional `profile.toml` of preferences:
//!
//! ```toml
//! target_titles = ["backend engineer", "platform engineer"]
//! seniority = "senior"          # junior | mid | senior | staff | principal
//! locations = ["Berlin", "Remote (EU)"]
//! remote = "preferred"          # required | preferred | any | onsite_ok
//! min_salary = { amount = 80000, currency = "EUR", period = "year" }  # hour|day|week|month|year
//! must_have = ["rust"]
//! nice_to_have = ["kubernetes"]
//! exclude_keywords = ["security clearance"]
//! exclude_companies = []
//! fit_min = 60                  # 0..=100; unset means FIT_MIN
//! notion_data_source_id = "…"   # unset means NOTION_DATA_SOURCE_ID
//! [skills.grpc]                 # extends the skills vocabulary: a skill and its aliases
//! aliases = ["protobuf", "grpc-web"]
//! ```
//!
//! Every key is optional; an unknown key or a bad value is a problem that names the key and
//! the file. [`discover`] lists the profiles; one broken profile does not stop the others.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::adapters::cv::{self, CvError};

/// The profiles folder when `PROFILES_DIR` is not set.
pub const DEFAULT_PROFILES_DIR: &str = "profiles";

/// The preferences file in a profile folder.
pub const PREFERENCES_FILE: &str = "profile.toml";

/// The values `seniority` accepts, lowest first.
pub const SENIORITY_LEVELS: [&str; 5] = ["junior", "mid", "senior", "staff", "principal"];

/// What is wrong with the profiles folder, a profile folder or its `profile.toml`; every
/// message names the folder, the file or the key.
#[derive(Debug, thiserror::Error)]
pub enum ProfilesError {
    #[error("cannot read profiles folder {path}: {source}")]
    ReadDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("profiles folder {path} is not a folder")]
    NotADirectory { path: PathBuf },
    #[error("PROFILE_ID {id:?} names no profile in {dir} (available: {})", list_or_none(.available))]
    UnknownProfile {
        id: String,
        dir: PathBuf,
        available: Vec<ProfileKey>,
    },
    #[error("profile folder {dir} is skipped: {source}")]
    InvalidFolderName {
        dir: PathBuf,
        source: InvalidProfileKey,
    },
    #[error("profile folders {} all give the key {key}: rename all but one", paths(.dirs))]
    DuplicateKey { key: ProfileKey, dirs: Vec<PathBuf> },
    #[error("cannot read {path}: {source}")]
    ReadPreferences {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is invalid:{}", bullets(.problems))]
    Preferences {
        path: PathBuf,
        problems: Vec<String>,
    },
}

fn list_or_none(keys: &[ProfileKey]) -> String {
    if keys.is_empty() {
        "none".into()
    } else {
        keys.iter()
            .map(ProfileKey::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn paths(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn bullets(problems: &[String]) -> String {
    problems.iter().map(|p| format!("\n  - {p}")).collect()
}

/// Why a name is not a profile key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a profile key: {reason}")]
pub struct InvalidProfileKey {
    pub input: String,
    pub reason: &'static str,
}

/// A profile's key: its folder name lowercased, 1–64 characters of `a-z`, `0-9`, `.`, `_`
/// and `-`, and not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ProfileKey(String);

impl ProfileKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, InvalidProfileKey> {
        let invalid = |reason| InvalidProfileKey {
            input: raw.to_string(),
            reason,
        };
        let key = raw.to_ascii_lowercase();
        if key.is_empty() {
            return Err(invalid("it is empty"));
        }
        if key.len() > Self::MAX_LEN {
            return Err(invalid("it is longer than 64 characters"));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !key.chars().all(allowed) {
            return Err(invalid(
                "use only letters a-z, digits, '.', '_' and '-' (no spaces)",
            ));
        }
        if key == "." || key == ".." {
            return Err(invalid("it is a dot segment"));
        }
        Ok(ProfileKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ProfileKey {
    type Err = InvalidProfileKey;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProfileKey::parse(s)
    }
}

// Remote preference, pay period and minimum salary are the domain's (the scorer reasons
// about them); this module only reads them from `profile.toml`.
pub use crate::domain::fit::{MinSalary, RemotePreference};
pub use crate::domain::salary::PayPeriod;

/// A profile's `profile.toml`, validated; strings are trimmed. `Serialize` gives the
/// canonical form that [`ProfilePreferences::preferences_hash`] hashes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ProfilePreferences {
    pub target_titles: Vec<String>,
    /// One of [`SENIORITY_LEVELS`], lowercase.
    pub seniority: Option<String>,
    pub locations: Vec<String>,
    pub remote: RemotePreference,
    pub min_salary: Option<MinSalary>,
    pub must_have: Vec<String>,
    pub nice_to_have: Vec<String>,
    pub exclude_keywords: Vec<String>,
    pub exclude_companies: Vec<String>,
    /// 0..=100; `None` means the `FIT_MIN` setting.
    pub fit_min: Option<u8>,
    /// `None` means the `NOTION_DATA_SOURCE_ID` setting.
    pub notion_data_source_id: Option<String>,
    /// `[skills.NAME] aliases = [...]`: skill name to its aliases, extending the skills
    /// vocabulary for this profile.
    pub extra_skills: BTreeMap<String, Vec<String>>,
}

/// The file as written: typed by serde, checked further in [`ProfilePreferences::parse`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferencesFile {
    #[serde(default)]
    target_titles: Vec<String>,
    seniority: Option<String>,
    #[serde(default)]
    locations: Vec<String>,
    #[serde(default)]
    remote: RemotePreference,
    min_salary: Option<MinSalaryFile>,
    #[serde(default)]
    must_have: Vec<String>,
    #[serde(default)]
    nice_to_have: Vec<String>,
    #[serde(default)]
    exclude_keywords: Vec<String>,
    #[serde(default)]
    exclude_companies: Vec<String>,
    fit_min: Option<i64>,
    notion_data_source_id: Option<String>,
    #[serde(default)]
    skills: BTreeMap<String, SkillFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MinSalaryFile {
    amount: f64,
    currency: String,
    #[serde(default = "yearly")]
    period: PayPeriod,
}

fn yearly() -> PayPeriod {
    PayPeriod::Year
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillFile {
    #[serde(default)]
    aliases: Vec<String>,
}

fn line_of(text: &str, span: Range<usize>) -> usize {
    text.get(..span.start)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// Trims each entry; an empty one is a problem naming `key[index]`.
fn clean_list(key: &str, items: Vec<String>, problems: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let item = item.trim();
        if item.is_empty() {
            problems.push(format!("`{key}[{i}]` is empty"));
        } else {
            out.push(item.to_string());
        }
    }
    out
}

impl ProfilePreferences {
    /// Reads `profile.toml` text; `path` is only used in messages. Reports every problem
    /// found, each naming its key (and its line where the TOML reader knows it).
    pub fn parse(path: &Path, text: &str) -> Result<Self, ProfilesError> {
        let invalid = |problems| ProfilesError::Preferences {
            path: path.to_path_buf(),
            problems,
        };
        let toml_problem = |e: &toml::de::Error, key: Option<String>| {
            let line = e.span().map(|s| line_of(text, s));
            let at = line.map_or_else(String::new, |l| format!("line {l}: "));
            let key = key.map_or_else(String::new, |k| format!("`{k}`: "));
            format!("{at}{key}{}", e.message().trim_end())
        };
        let deserializer = toml::de::Deserializer::parse(text).map_err(|e| {
            // A syntax error: quote the line, since toml's message may not name the key.
            let quoted = e
                .span()
                .and_then(|s| text.lines().nth(line_of(text, s) - 1))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map_or_else(String::new, |l| format!(" in `{l}`"));
            invalid(vec![format!("{}{quoted}", toml_problem(&e, None))])
        })?;
        let file: PreferencesFile =
            serde_path_to_error::deserialize(deserializer).map_err(|e| {
                // The path names the key whose value is wrong; for an unknown key, toml's own
                // message names it ("unknown field `x`, expected one of ...").
                let key = e.path().to_string();
                let key = (key != ".").then_some(key);
                invalid(vec![toml_problem(e.inner(), key)])
            })?;

        let mut problems = Vec::new();
        let seniority = file.seniority.and_then(|s| {
            let level = s.trim().to_ascii_lowercase();
            if SENIORITY_LEVELS.contains(&level.as_str()) {
                Some(level)
            } else {
                problems.push(format!(
                    "`seniority`: {s:?} is not one of {}",
                    SENIORITY_LEVELS.join(", ")
                ));
                None
            }
        });
        let fit_min = file.fit_min.and_then(|n| match u8::try_from(n) {
            Ok(n) if n <= 100 => Some(n),
            _ => {
                problems.push(format!("`fit_min`: {n} is not between 0 and 100"));
                None
            }
        });
        let min_salary = file.min_salary.and_then(|m| {
            let mut ok = true;
            if !(m.amount.is_finite() && m.amount > 0.0) {
                problems.push(format!(
                    "`min_salary.amount`: {} is not a positive number",
                    m.amount
                ));
                ok = false;
            }
            let currency = m.currency.trim().to_ascii_uppercase();
            if !(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase())) {
                problems.push(format!(
                    "`min_salary.currency`: {:?} is not a three-letter ISO 4217 code such as \"EUR\"",
                    m.currency
                ));
                ok = false;
            }
            ok.then_some(MinSalary {
                amount: m.amount,
                currency,
                period: m.period,
            })
        });
        let notion_data_source_id = file.notion_data_source_id.and_then(|id| {
            let id = id.trim();
            if id.is_empty() {
                problems.push(
                    "`notion_data_source_id` is empty: remove it to use NOTION_DATA_SOURCE_ID"
                        .into(),
                );
                None
            } else {
                Some(id.to_string())
            }
        });
        let mut extra_skills = BTreeMap::new();
        for (name, skill) in file.skills {
            let trimmed = name.trim();
            let aliases = clean_list(
                &format!("skills.{name}.aliases"),
                skill.aliases,
                &mut problems,
            );
            if trimmed.is_empty() {
                problems.push(format!("`skills.{name:?}`: the skill name is empty"));
            } else if extra_skills.insert(trimmed.to_string(), aliases).is_some() {
                problems.push(format!(
                    "`skills.{name:?}`: the skill {trimmed:?} is declared twice"
                ));
            }
        }
        let preferences = ProfilePreferences {
            target_titles: clean_list("target_titles", file.target_titles, &mut problems),
            seniority,
            locations: clean_list("locations", file.locations, &mut problems),
            remote: file.remote,
            min_salary,
            must_have: clean_list("must_have", file.must_have, &mut problems),
            nice_to_have: clean_list("nice_to_have", file.nice_to_have, &mut problems),
            exclude_keywords: clean_list("exclude_keywords", file.exclude_keywords, &mut problems),
            exclude_companies: clean_list(
                "exclude_companies",
                file.exclude_companies,
                &mut problems,
            ),
            fit_min,
            notion_data_source_id,
            extra_skills,
        };
        if problems.is_empty() {
            Ok(preferences)
        } else {
            Err(invalid(problems))
        }
    }

    /// Reads a profile's `profile.toml`; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Self, ProfilesError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, text.strip_prefix('\u{feff}').unwrap_or(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ProfilesError::ReadPreferences {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// SHA-256 (64 lowercase hex characters) of the canonical JSON form: fields in
    /// declaration order, skills sorted by name. The layout and key order of the TOML file do
    /// not change it; any value does.
    pub fn preferences_hash(&self) -> String {
        // Plain data (strings, numbers, maps with string keys): serializing cannot fail.
        let json = serde_json::to_vec(self).expect("preferences serialize to JSON");
        crate::domain::hex(&Sha256::digest(&json))
    }
}

/// One profile folder.
#[derive(Debug)]
pub struct ProfileDir {
    pub key: ProfileKey,
    pub dir: PathBuf,
    /// The CV found in the folder; a missing CV is not a discovery problem, the caller
    /// records it as the profile's last error.
    pub cv_path: Result<PathBuf, CvError>,
    pub preferences: ProfilePreferences,
}

/// What [`discover`] found: the usable profiles, sorted by key, and the problems of the
/// folders that could not be used (an invalid folder name, two folders with one key, an
/// unreadable or invalid `profile.toml`), in folder order. A problem stops only its own
/// profile.
#[derive(Debug, Default)]
pub struct Discovery {
    pub profiles: Vec<ProfileDir>,
    pub problems: Vec<ProfilesError>,
}

/// Lists the profiles in `profiles_dir`: one per sub-folder, skipping files and hidden
/// entries (names starting with `.`).
///
/// `only` is the `PROFILE_ID` setting (case-insensitive; blank means unset): it selects the
/// one profile with that key, and only that profile's problems are reported. An `only` that
/// names no valid profile folder is an error listing the available keys.
///
/// A missing `profiles_dir` gives an empty discovery (or the unknown-profile error when
/// `only` is set): whether that is fine (the default folder) or not (an explicit
/// `PROFILES_DIR`) is the caller's call.
pub fn discover(profiles_dir: &Path, only: Option<&str>) -> Result<Discovery, ProfilesError> {
    let only = only
        .map(|id| id.trim().to_ascii_lowercase())
        .filter(|id| !id.is_empty());
    let unknown = |id: &str, available: Vec<ProfileKey>| ProfilesError::UnknownProfile {
        id: id.to_string(),
        dir: profiles_dir.to_path_buf(),
        available,
    };
    let read_dir_error = |source| ProfilesError::ReadDir {
        path: profiles_dir.to_path_buf(),
        source,
    };

    let entries = match std::fs::read_dir(profiles_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match &only {
                Some(id) => Err(unknown(id, Vec::new())),
                None => Ok(Discovery::default()),
            };
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(ProfilesError::NotADirectory {
                path: profiles_dir.to_path_buf(),
            });
        }
        Err(e) => return Err(read_dir_error(e)),
    };
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(read_dir_error)?;
        let name = entry.file_name();
        let path = entry.path();
        // Follows symlinks: a linked profile folder is fine.
        if name.to_string_lossy().starts_with('.') || !path.is_dir() {
            continue;
        }
        folders.push((name, path));
    }
    folders.sort();

    let mut invalid = Vec::new();
    let mut by_key: BTreeMap<ProfileKey, Vec<PathBuf>> = BTreeMap::new();
    for (name, dir) in folders {
        let key = name.to_str().map_or_else(
            || {
                Err(InvalidProfileKey {
                    input: name.to_string_lossy().into_owned(),
                    reason: "it is not valid UTF-8",
                })
            },
            ProfileKey::parse,
        );
        match key {
            Ok(key) => by_key.entry(key).or_default().push(dir),
            Err(source) => invalid.push(ProfilesError::InvalidFolderName { dir, source }),
        }
    }

    let mut discovery = Discovery::default();
    if let Some(id) = &only {
        match by_key.keys().find(|k| k.as_str() == id).cloned() {
            Some(key) => by_key.retain(|k, _| *k == key),
            None => return Err(unknown(id, by_key.into_keys().collect())),
        }
    } else {
        discovery.problems = invalid;
    }
    for (key, mut dirs) in by_key {
        if dirs.len() > 1 {
            discovery
                .problems
                .push(ProfilesError::DuplicateKey { key, dirs });
            continue;
        }
        let Some(dir) = dirs.pop() else { continue };
        match ProfilePreferences::load(&dir.join(PREFERENCES_FILE)) {
            Ok(preferences) => discovery.profiles.push(ProfileDir {
                cv_path: cv::find_cv(&dir),
                key,
                dir,
                preferences,
            }),
            Err(problem) => discovery.problems.push(problem),
        }
    }
    Ok(discovery)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
target_titles = ["backend engineer", " platform engineer "]
seniority = "Senior"
locations = ["Berlin", "Remote (EU)"]
remote = "preferred"
min_salary = { amount = 80000, currency = "eur", period = "month" }
must_have = ["rust"]
nice_to_have = ["kubernetes"]
exclude_keywords = ["security clearance"]
exclude_companies = []
fit_min = 70
notion_data_source_id = "abc-123"

[skills.grpc]
aliases = ["protobuf", "grpc-web"]

[skills."c++"]
"#;

    fn parse(text: &str) -> Result<ProfilePreferences, ProfilesError> {
        ProfilePreferences::parse(Path::new("profiles/ana/profile.toml"), text)
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text) {
            Err(ProfilesError::Preferences { problems, .. }) => problems,
            other => panic!("expected problems for {text:?}, got {other:?}"),
        }
    }

    fn one_problem(text: &str) -> String {
        let problems = problems(text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems.into_iter().next().unwrap_or_default()
    }

    #[test]
    fn full_profile_parses() {
        let p = parse(FULL).unwrap();
        assert_eq!(p.target_titles, ["backend engineer", "platform engineer"]);
        assert_eq!(p.seniority.as_deref(), Some("senior"));
        assert_eq!(p.locations, ["Berlin", "Remote (EU)"]);
        assert_eq!(p.remote, RemotePreference::Preferred);
        assert_eq!(
            p.min_salary,
            Some(MinSalary {
                amount: 80000.0,
                currency: "EUR".into(),
                period: PayPeriod::Month
            })
        );
        assert_eq!(p.must_have, ["rust"]);
        assert_eq!(p.nice_to_have, ["kubernetes"]);
        assert_eq!(p.exclude_keywords, ["security clearance"]);
        assert!(p.exclude_companies.is_empty());
        assert_eq!(p.fit_min, Some(70));
        assert_eq!(p.notion_data_source_id.as_deref(), Some("abc-123"));
        assert_eq!(
            p.extra_skills,
            BTreeMap::from([
                ("c++".to_string(), vec![]),
                (
                    "grpc".to_string(),
                    vec!["protobuf".to_string(), "grpc-web".to_string()]
                ),
            ])
        );
    }

    #[test]
    fn empty_profile_is_the_defaults() {
        let p = parse("# nothing set\n").unwrap();
        assert_eq!(p, ProfilePreferences::default());
        assert_eq!(p.remote, RemotePreference::Any);
        assert_eq!(p.fit_min, None);
        let salary = parse("min_salary = { amount = 30.5, currency = \"USD\" }").unwrap();
        assert_eq!(salary.min_salary.unwrap().period, PayPeriod::Year);
    }

    #[test]
    fn unknown_keys_are_named() {
        let p = one_problem("fit_min = 50\nremote_ok = true\n");
        assert!(p.contains("line 2"), "{p}");
        assert!(p.contains("unknown field `remote_ok`"), "{p}");
        let p = one_problem("min_salary = { amount = 1, currency = \"EUR\", per = \"year\" }");
        assert!(p.contains("`per`"), "{p}");
        let p = one_problem("[skills.go]\nalias = [\"golang\"]\n");
        assert!(p.contains("`alias`"), "{p}");
        let err = parse("bogus = 1").unwrap_err().to_string();
        assert!(err.contains("profiles/ana/profile.toml"), "{err}");
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("remote = \"sometimes\"", "`remote`"),
            ("fit_min = 120", "`fit_min`"),
            ("fit_min = -1", "`fit_min`"),
            ("fit_min = \"sixty\"", "`fit_min`"),
            ("seniority = \"wizard\"", "`seniority`"),
            ("target_titles = \"backend\"", "`target_titles`"),
            ("must_have = [\"rust\", 3]", "`must_have[1]`"),
            ("nice_to_have = [\"  \"]", "`nice_to_have[0]`"),
            (
                "min_salary = { amount = 0, currency = \"EUR\" }",
                "`min_salary.amount`",
            ),
            (
                "min_salary = { amount = 5, currency = \"euro\" }",
                "`min_salary.currency`",
            ),
            (
                "min_salary = { amount = 5, currency = \"EUR\", period = \"fortnight\" }",
                "`min_salary.period`",
            ),
            ("min_salary = { amount = 5 }", "`min_salary`"),
            ("notion_data_source_id = \" \"", "`notion_data_source_id`"),
            ("[skills.go]\naliases = [\"\"]", "`skills.go.aliases[0]`"),
        ] {
            let p = one_problem(text);
            assert!(
                p.contains(key),
                "{text:?} gave {p:?}, which does not name {key}"
            );
        }
        let p = one_problem("remote = \"sometimes\"");
        assert!(p.contains("sometimes") && p.contains("onsite_ok"), "{p}");
        // Value problems are all reported at once.
        assert_eq!(
            problems("fit_min = 120\nseniority = \"wizard\"\nlocations = [\"\"]").len(),
            3
        );
        let p = one_problem("fit_min = ");
        assert!(p.contains("line 1") && p.contains("`fit_min =`"), "{p}");
        let p = one_problem("fit_min = 1\nfit_min = 2");
        assert!(p.contains("line 2") && p.contains("`fit_min = 2`"), "{p}");
    }

    #[test]
    fn hash_is_canonical() {
        let a = parse("fit_min = 70\nremote = \"required\"\nmust_have = [\"rust\"]\n[skills.a]\naliases=[\"x\"]\n[skills.b]\n").unwrap();
        let b = parse("[skills.b]\n[skills.a]\naliases = [ \"x\" ]\n").unwrap();
        let b = ProfilePreferences {
            fit_min: Some(70),
            remote: RemotePreference::Required,
            must_have: vec!["rust".into()],
            ..b
        };
        let c = parse("must_have = [\"rust\"]   # key order differs\nremote = \"required\"\nfit_min = 70\n[skills.b]\n[skills.a]\naliases = [\"x\"]\n").unwrap();
        assert_eq!(a.preferences_hash(), b.preferences_hash());
        assert_eq!(a.preferences_hash(), c.preferences_hash());
        assert_eq!(a.preferences_hash().len(), 64);
        assert!(
            a.preferences_hash()
                .chars()
                .all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        );
        let d = parse("must_have = [\"rust\"]\nremote = \"required\"\nfit_min = 71\n[skills.b]\n[skills.a]\naliases = [\"x\"]\n").unwrap();
        assert_ne!(a.preferences_hash(), d.preferences_hash());
        assert_ne!(
            ProfilePreferences::default().preferences_hash(),
            parse("remote = \"preferred\"").unwrap().preferences_hash()
        );
    }

    #[test]
    fn keys_are_validated_and_lowercased() {
        assert_eq!(
            ProfileKey::parse("Ana.B_2-x").unwrap().as_str(),
            "ana.b_2-x"
        );
        assert_eq!(
            ProfileKey::parse(&"a".repeat(64)).unwrap().as_str().len(),
            64
        );
        for bad in ["", "..", ".", "ana b", "ana/b", "anä", &"a".repeat(65)] {
            assert!(ProfileKey::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!("x".parse::<ProfileKey>().unwrap().to_string(), "x");
    }

    fn profile(root: &Path, name: &str, toml: Option<&str>, cv: Option<&str>) -> PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(toml) = toml {
            std::fs::write(dir.join(PREFERENCES_FILE), toml).unwrap();
        }
        if let Some(cv) = cv {
            std::fs::write(dir.join(cv), "Rust").unwrap();
        }
        dir
    }

    fn keys(d: &Discovery) -> Vec<&str> {
        d.profiles.iter().map(|p| p.key.as_str()).collect()
    }

    #[test]
    fn discover_lists_profiles_by_key_and_isolates_problems() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        let zed = profile(r, "zed", Some(FULL), Some("cv.pdf"));
        profile(r, "Ana", None, Some("cv.md"));
        profile(r, "bob", Some("remote = \"sometimes\""), Some("cv.txt"));
        profile(r, "no-cv", Some(""), None);
        profile(r, "bad name", None, Some("cv.txt"));
        profile(r, ".hidden", None, None);
        std::fs::write(r.join("README.md"), "profiles live here").unwrap();

        let d = discover(r, None).unwrap();
        assert_eq!(keys(&d), ["ana", "no-cv", "zed"]);
        assert_eq!(d.profiles[0].dir, r.join("Ana"));
        assert_eq!(
            d.profiles[0].cv_path.as_ref().unwrap(),
            &r.join("Ana/cv.md")
        );
        assert_eq!(
            d.profiles[1].cv_path,
            Err(CvError::NoCv {
                dir: r.join("no-cv")
            })
        );
        assert_eq!(d.profiles[2].cv_path.as_ref().unwrap(), &zed.join("cv.pdf"));
        assert_eq!(d.profiles[2].preferences.fit_min, Some(70));

        let problems: Vec<String> = d.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("bad name") && problems[0].contains("not a profile key"),
            "{problems:?}"
        );
        assert!(
            problems[1].contains("bob/profile.toml") && problems[1].contains("`remote`"),
            "{problems:?}"
        );
    }

    #[test]
    fn discover_reports_folders_sharing_a_key() {
        let root = tempfile::tempdir().unwrap();
        profile(root.path(), "Ana", None, None);
        profile(root.path(), "ana", None, None);
        profile(root.path(), "bob", None, None);
        let d = discover(root.path(), None).unwrap();
        assert_eq!(keys(&d), ["bob"]);
        assert_eq!(d.problems.len(), 1);
        let p = d.problems[0].to_string();
        assert!(p.contains("Ana") && p.contains("ana"), "{p}");
    }

    #[test]
    fn profile_id_selects_one() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        profile(r, "ana", None, None);
        profile(r, "bob", Some("fit_min = 80"), None);
        profile(r, "carl", Some("oops = 1"), None);
        profile(r, "bad name", None, None);

        let d = discover(r, Some(" BOB ")).unwrap();
        assert_eq!(keys(&d), ["bob"]);
        assert_eq!(d.profiles[0].preferences.fit_min, Some(80));
        assert!(d.problems.is_empty(), "{:?}", d.problems);

        let d = discover(r, Some("carl")).unwrap();
        assert!(d.profiles.is_empty());
        assert_eq!(d.problems.len(), 1);

        assert_eq!(keys(&discover(r, Some("")).unwrap()), ["ana", "bob"]);

        let err = discover(r, Some("dora")).unwrap_err();
        assert!(matches!(&err, ProfilesError::UnknownProfile { id, .. } if id == "dora"));
        let msg = err.to_string();
        assert!(msg.contains("\"dora\""), "{msg}");
        assert!(msg.contains("available: ana, bob, carl"), "{msg}");
    }

    #[test]
    fn missing_profiles_folder_is_empty_unless_a_profile_is_asked_for() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("profiles");
        let d = discover(&missing, None).unwrap();
        assert!(d.profiles.is_empty() && d.problems.is_empty());
        let err = discover(&missing, Some("ana")).unwrap_err().to_string();
        assert!(err.contains("available: none"), "{err}");

        let file = root.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(
            discover(&file, None),
            Err(ProfilesError::NotADirectory { .. })
        ));
    }
}
