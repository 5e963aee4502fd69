//! The vocabulary file format (`data/skills.toml`): skills with aliases and rules, spoken languages.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::matcher::Ambiguity;
use super::skills::VocabularyError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    skills: BTreeMap<String, SkillToml>,
    #[serde(default)]
    languages: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillToml {
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    ambiguous_aliases: Vec<String>,
    ambiguous: Option<AmbiguityToml>,
    category: Option<String>,
    weight: Option<f32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AmbiguityToml {
    Flag(bool),
    Kind(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub text: String,
    pub ambiguity: Ambiguity,
    /// The vocabulary extension that added the term (0 for the base vocabulary).
    pub generation: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SkillInfo {
    /// Rule for the canonical name; `None` when never set, so an extension can leave it alone.
    pub ambiguity: Option<Ambiguity>,
    pub category: Option<String>,
    pub weight: Option<f32>,
    /// The vocabulary extension that added the skill.
    pub generation: u32,
    pub aliases: Vec<Term>,
}

/// A name trimmed, lowercased, with single spaces.
pub(crate) fn canonical(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Canonical skills (by canonical name) and spoken languages with all their terms.
type Parsed = (BTreeMap<String, SkillInfo>, BTreeMap<String, Vec<Term>>);

/// Reads and checks a vocabulary file; terms are validated when the vocabulary is compiled.
pub(crate) fn parse(text: &str) -> Result<Parsed, VocabularyError> {
    let file: FileToml = toml::from_str(text).map_err(|e| VocabularyError::Toml(e.to_string()))?;
    let term = |text: &String, ambiguity| Term {
        text: text.clone(),
        ambiguity,
        generation: 0,
    };
    let mut skills = BTreeMap::new();
    for (name, def) in file.skills {
        let skill = canonical(&name);
        let ambiguity = match def.ambiguous {
            None => None,
            Some(AmbiguityToml::Flag(false)) => Some(Ambiguity::Clear),
            Some(AmbiguityToml::Flag(true)) => Some(Ambiguity::Strict),
            Some(AmbiguityToml::Kind(k)) if k == "lowercase" => Some(Ambiguity::Lowercase),
            Some(AmbiguityToml::Kind(_)) => return Err(VocabularyError::BadAmbiguity { skill }),
        };
        if def.weight.is_some_and(|w| !w.is_finite() || w < 0.0) {
            return Err(VocabularyError::BadWeight { skill });
        }
        let aliases = (def.aliases.iter().map(|a| term(a, Ambiguity::Clear)))
            .chain(
                def.ambiguous_aliases
                    .iter()
                    .map(|a| term(a, Ambiguity::Strict)),
            )
            .collect();
        let info = SkillInfo {
            ambiguity,
            category: def.category,
            weight: def.weight,
            generation: 0,
            aliases,
        };
        skills.insert(skill, info);
    }
    let languages = (file.languages.into_iter())
        .map(|(name, aliases)| {
            let terms = std::iter::once(&name).chain(&aliases);
            (
                canonical(&name),
                terms.map(|t| term(t, Ambiguity::Clear)).collect(),
            )
        })
        .collect();
    Ok((skills, languages))
}
