//! The skills vocabulary: canonical skills with aliases, loaded from TOML, and skill lookup in text.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::matcher::{self, Context, Terminal, Trie, term_key};
use super::sections::{REMARK_WORDS, YEAR_WORDS};
use super::tokens::{Interner, Token, tokenize};
use super::vocab_file::{self, SkillInfo, Term};

/// The vocabulary shipped with jobs-bot.
/// The shipped vocabulary file, as embedded (its text is part of the analyzer's identity).
pub const BUILTIN: &str = include_str!("../../../data/skills.toml");

/// A canonical skill name, lowercase ("kubernetes", "c++", "machine learning").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Skill(String);

impl Skill {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Skill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Skill {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// Lets sets of skills be queried with a plain name: `required.contains("rust")`.
impl Borrow<str> for Skill {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A skill mentioned in a text. `start..end` are byte offsets into that text, on char
/// boundaries, covering the mention as written ("K8s", "Node.js").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SkillHit {
    pub skill: Skill,
    pub start: usize,
    pub end: usize,
}

/// A skill mention by id: `Vocabulary::skill(id)` names it; spans as in `SkillHit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub id: u32,
    pub start: usize,
    pub end: usize,
}

/// Why a vocabulary could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    #[error("skills vocabulary is not valid: {0}")]
    Toml(String),
    #[error("{owner:?}: term {term:?} is empty, a link, or spans list or sentence punctuation")]
    BadTerm { owner: String, term: String },
    #[error("term {term:?} is claimed by both {first:?} and {second:?}")]
    Clash {
        term: String,
        first: String,
        second: String,
    },
    #[error("skill {skill:?}: `ambiguous` must be true, false or \"lowercase\"")]
    BadAmbiguity { skill: String },
    #[error("skill {skill:?}: `weight` must be a finite number >= 0")]
    BadWeight { skill: String },
}

/// Canonical skills and spoken languages with their aliases, compiled for fast matching.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    skills: BTreeMap<Skill, SkillInfo>,
    languages: BTreeMap<String, Vec<Term>>,
    /// How many vocabularies were merged in: later ones win terms claimed twice.
    generation: u32,
    compiled: Compiled,
}

#[derive(Debug, Clone, Default)]
struct Compiled {
    interner: Interner,
    context: Context,
    skills: Trie,
    skill_names: Vec<Skill>,
    languages: Trie,
    language_names: Vec<String>,
}

/// Builds one trie from (target, term, is canonical) entries; `names` name targets in errors.
fn build_trie<'a>(
    interner: &mut Interner,
    names: &[String],
    entries: impl Iterator<Item = (u32, &'a Term, bool)>,
    strict: bool,
) -> Result<Trie, VocabularyError> {
    let name = |target: u32| names.get(target as usize).cloned().unwrap_or_default();
    let mut trie = Trie::default();
    for (target, term, canonical) in entries {
        let key = term_key(&term.text, interner).map_err(|_| VocabularyError::BadTerm {
            owner: name(target),
            term: term.text.clone(),
        })?;
        let terminal = Terminal {
            target,
            ambiguity: term.ambiguity,
            generation: term.generation,
            canonical,
        };
        if let Err(clash) = trie.insert(&key, terminal)
            && strict
        {
            return Err(VocabularyError::Clash {
                term: term.text.clone(),
                first: name(clash.kept),
                second: name(clash.other),
            });
        }
    }
    Ok(trie)
}

impl Vocabulary {
    /// The vocabulary embedded from `data/skills.toml`.
    pub fn builtin() -> Result<Vocabulary, VocabularyError> {
        Vocabulary::from_toml(BUILTIN)
    }

    /// Parses a vocabulary; see `data/skills.toml` for the format.
    pub fn from_toml(text: &str) -> Result<Vocabulary, VocabularyError> {
        let (skills, languages) = vocab_file::parse(text)?;
        let skills = skills
            .into_iter()
            .map(|(name, info)| (Skill(name), info))
            .collect();
        let mut vocab = Vocabulary {
            skills,
            languages,
            generation: 0,
            compiled: Compiled::default(),
        };
        vocab.compiled = vocab.compile(true)?;
        Ok(vocab)
    }

    /// Adds the skills, aliases and languages of `extra` (a profile's own vocabulary).
    ///
    /// Aliases accumulate; `ambiguous`, `category` and `weight` set in `extra` override. A term
    /// that `extra` gives to a different skill than this vocabulary does goes to `extra`'s skill.
    pub fn extend(&mut self, extra: &Vocabulary) {
        self.generation += 1;
        let generation = self.generation;
        let fresh = |terms: &[Term]| -> Vec<Term> {
            terms
                .iter()
                .map(|t| Term {
                    generation,
                    ..t.clone()
                })
                .collect()
        };
        for (skill, add) in &extra.skills {
            let aliases = fresh(&add.aliases);
            match self.skills.get_mut(skill) {
                Some(info) => {
                    info.ambiguity = add.ambiguity.or(info.ambiguity);
                    info.category = add.category.clone().or(info.category.take());
                    info.weight = add.weight.or(info.weight);
                    info.aliases.extend(aliases);
                }
                None => {
                    let info = SkillInfo {
                        generation,
                        aliases,
                        ..add.clone()
                    };
                    self.skills.insert(skill.clone(), info);
                }
            }
        }
        for (name, terms) in &extra.languages {
            self.languages
                .entry(name.clone())
                .or_default()
                .extend(fresh(terms));
        }
        // Clashes cannot reach equal rank here (each side was validated); keep-first is the fallback.
        if let Ok(compiled) = self.compile(false) {
            self.compiled = compiled;
        }
    }

    fn compile(&self, strict: bool) -> Result<Compiled, VocabularyError> {
        let mut interner = Interner::default();
        let context = Context::new(&mut interner);
        for word in YEAR_WORDS.iter().chain(&REMARK_WORDS) {
            interner.intern(word);
        }
        let skill_names: Vec<Skill> = self.skills.keys().cloned().collect();
        let names: Vec<String> = skill_names.iter().map(|s| s.0.clone()).collect();
        let canonical: Vec<Term> = (self.skills.iter())
            .map(|(skill, info)| Term {
                text: skill.0.clone(),
                ambiguity: info.ambiguity.unwrap_or_default(),
                generation: info.generation,
            })
            .collect();
        let entries = (0u32..).zip(self.skills.values().zip(&canonical)).flat_map(
            |(target, (info, name))| {
                let aliases = info.aliases.iter().map(move |a| (target, a, false));
                std::iter::once((target, name, true)).chain(aliases)
            },
        );
        let skills = build_trie(&mut interner, &names, entries, strict)?;
        let language_names: Vec<String> = self.languages.keys().cloned().collect();
        let entries = (0u32..)
            .zip(self.languages.values())
            .flat_map(|(target, terms)| terms.iter().map(move |t| (target, t, true)));
        let languages = build_trie(&mut interner, &language_names, entries, strict)?;
        Ok(Compiled {
            interner,
            context,
            skills,
            skill_names,
            languages,
            language_names,
        })
    }

    /// Number of canonical skills.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    /// Canonical skills in name order.
    pub fn skills(&self) -> impl Iterator<Item = &Skill> {
        self.skills.keys()
    }

    /// The optional grouping from the vocabulary ("language", "cloud", …).
    pub fn category(&self, skill: &Skill) -> Option<&str> {
        self.skills.get(skill)?.category.as_deref()
    }

    /// Relative importance for scoring; 1.0 unless the vocabulary says otherwise.
    pub fn weight(&self, skill: &Skill) -> f32 {
        self.skills.get(skill).and_then(|i| i.weight).unwrap_or(1.0)
    }

    /// The canonical skill a term names: `"K8s"` → kubernetes, `"Golang"` → go. The whole term
    /// must match; context rules for ambiguous words do not apply to an explicit term.
    pub fn normalize(&self, term: &str) -> Option<Skill> {
        let tokens = tokenize(term, &self.compiled.interner);
        let (end, terminal) = self.compiled.skills.longest(&tokens, 0)?;
        (end == tokens.len())
            .then(|| self.skill(terminal.target))
            .flatten()
    }

    /// Skills mentioned in `text`, in text order; the longest term wins where terms overlap
    /// ("google cloud platform" over "google cloud"). See `data/skills.toml` for how ambiguous
    /// words ("go", "r", "c") are handled.
    pub fn find(&self, text: &str) -> Vec<SkillHit> {
        (self.found(text).into_iter())
            .filter_map(|f| {
                Some(SkillHit {
                    skill: self.skill(f.id)?,
                    start: f.start,
                    end: f.end,
                })
            })
            .collect()
    }

    /// Like `find`, with skills as ids (ordered like their names) to spare allocations.
    pub(crate) fn found(&self, text: &str) -> Vec<Found> {
        self.skills_in(&self.tokens(text))
    }

    /// Skill mentions among `tokens` of a text.
    pub(crate) fn skills_in(&self, tokens: &[Token]) -> Vec<Found> {
        let hits = matcher::scan(&self.compiled.skills, &self.compiled.context, tokens);
        (hits.into_iter())
            .map(|hit| Found {
                id: hit.term.target,
                start: tokens[hit.first].start,
                end: tokens[hit.end - 1].end,
            })
            .collect()
    }

    /// The skill with id `id` from `found`.
    pub(crate) fn skill(&self, id: u32) -> Option<Skill> {
        self.compiled.skill_names.get(id as usize).cloned()
    }

    /// Spoken languages among `tokens`: canonical lowercase name and byte offset.
    pub(crate) fn languages_in(&self, tokens: &[Token]) -> Vec<(&str, usize)> {
        let hits = matcher::scan(&self.compiled.languages, &self.compiled.context, tokens);
        (hits.into_iter())
            .filter_map(|hit| {
                let name = self.compiled.language_names.get(hit.term.target as usize)?;
                Some((name.as_str(), tokens[hit.first].start))
            })
            .collect()
    }

    pub(crate) fn tokens(&self, text: &str) -> Vec<Token> {
        tokenize(text, &self.compiled.interner)
    }

    /// The token id of `word` (lowercase): known for vocabulary words and `sections` signal words.
    pub(crate) fn word_id(&self, word: &str) -> u32 {
        self.compiled.interner.get(word)
    }
}

#[cfg(test)]
#[path = "skills_tests.rs"]
mod tests;
