//! Leftmost-longest term matching over tokens with a trie, plus the context rules for ambiguous terms.

use super::tokens::{FastMap, Gap, Interner, Kind, Token, UNKNOWN, tokenize};

/// How much context a term needs before a mention counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Ambiguity {
    /// Always counts ("kubernetes").
    #[default]
    Clear,
    /// Counts when capitalised ("React"), or in a list next to a confirmed skill ("react, vue").
    Lowercase,
    /// Counts in a list next to a confirmed skill ("Go, Python"), or when capitalised and either
    /// followed by a role word ("Go developer", "R 4.3"), preceded by "in/with/using/of"
    /// ("experience in Go"), or alone on its line ("- Go").
    Strict,
}

/// What a term resolves to. `generation` orders definitions: a later vocabulary extension wins
/// a term that two skills claim; within one generation a canonical name beats an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Terminal {
    pub target: u32,
    pub ambiguity: Ambiguity,
    pub generation: u32,
    pub canonical: bool,
}

/// A term's text is unusable (empty, or spans list/sentence punctuation, or is a link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadTerm;

/// Two different targets claim the same term in the same generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clash {
    pub kept: u32,
    pub other: u32,
}

/// A trie keyed by (node, token id, glued-to-previous).
#[derive(Debug, Clone, Default)]
pub(crate) struct Trie {
    edges: FastMap<u64, u32>,
    terminals: Vec<Option<Terminal>>,
}

fn edge(node: u32, id: u32, glued: bool) -> u64 {
    (u64::from(node) << 33) | (u64::from(id) << 1) | u64::from(glued)
}

/// The interned key of a term: token ids and whether each token is glued to the previous one.
pub(crate) fn term_key(text: &str, interner: &mut Interner) -> Result<Vec<(u32, bool)>, BadTerm> {
    let tokens = tokenize(text, &Interner::default());
    if tokens.is_empty() {
        return Err(BadTerm);
    }
    let mut key = Vec::with_capacity(tokens.len());
    for (n, t) in tokens.iter().enumerate() {
        if n > 0 && !matches!(t.gap, Gap::Glued | Gap::Soft) {
            return Err(BadTerm);
        }
        let lower: String = text[t.start..t.end]
            .chars()
            .flat_map(char::to_lowercase)
            .collect();
        key.push((interner.intern(&lower), n > 0 && t.gap == Gap::Glued));
    }
    Ok(key)
}

impl Trie {
    /// Adds a term; on a clash between targets the higher generation (then canonical) wins.
    pub(crate) fn insert(&mut self, key: &[(u32, bool)], term: Terminal) -> Result<(), Clash> {
        if self.terminals.is_empty() {
            self.terminals.push(None);
        }
        let mut node = 0u32;
        for &(id, glued) in key {
            let next = u32::try_from(self.terminals.len()).unwrap_or(u32::MAX);
            node = *self.edges.entry(edge(node, id, glued)).or_insert(next);
            if node == next {
                self.terminals.push(None);
            }
        }
        let Some(slot) = self.terminals.get_mut(node as usize) else {
            return Ok(());
        };
        let rank = |t: &Terminal| (t.generation, t.canonical);
        match slot {
            Some(old) if old.target != term.target && rank(old) == rank(&term) => {
                return Err(Clash {
                    kept: old.target,
                    other: term.target,
                });
            }
            // Also for one skill naming a term twice: its canonical entry keeps the ambiguity rule.
            Some(old) if rank(&term) > rank(old) => *old = term,
            Some(_) => {}
            None => *slot = Some(term),
        }
        Ok(())
    }

    /// The longest term starting at token `i` whose end is a word boundary.
    pub(crate) fn longest(&self, tokens: &[Token], i: usize) -> Option<(usize, Terminal)> {
        let mut node = 0u32;
        let mut best = None;
        for (j, t) in tokens.iter().enumerate().skip(i) {
            let glued = match t.gap {
                _ if j == i => false,
                Gap::Glued => true,
                Gap::Soft => false,
                Gap::List | Gap::Hard => break,
            };
            let Some(&next) = self.edges.get(&edge(node, t.id, glued)) else {
                break;
            };
            node = next;
            if let Some(Some(term)) = self.terminals.get(node as usize)
                && end_ok(tokens, j + 1)
            {
                best = Some((j + 1, *term));
            }
        }
        best
    }
}

/// A term may start after a gap, after a slash ("React/Redux"), or after glued symbols ("#rust", "(.NET").
fn start_ok(tokens: &[Token], i: usize) -> bool {
    if i == 0 || tokens[i].gap != Gap::Glued || tokens[i - 1].kind == Kind::Symbol('/') {
        return true;
    }
    tokens[..i]
        .iter()
        .rev()
        .zip(tokens[1..=i].iter().rev())
        .take_while(|(_, after)| after.gap == Gap::Glued)
        .all(|(t, _)| matches!(t.kind, Kind::Symbol(_)))
}

/// A term may end before a gap, a slash, or symbols only up to the next gap ("Rust.", "C++?").
fn end_ok(tokens: &[Token], end: usize) -> bool {
    match tokens.get(end) {
        Some(t) if t.gap == Gap::Glued && t.kind == Kind::Symbol('/') => true,
        _ => tokens[end..]
            .iter()
            .take_while(|t| t.gap == Gap::Glued)
            .all(|t| matches!(t.kind, Kind::Symbol(_))),
    }
}

/// A raw match: token range and what it resolved to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub first: usize,
    pub end: usize,
    pub term: Terminal,
}

/// Word ids that give ambiguous terms their context.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    connectors: Vec<u32>,
    role_next: Vec<u32>,
    prev: Vec<u32>,
}

const CONNECTORS: &str = "and or / plus as well";
const ROLE_NEXT: &str = "developer developers dev devs engineer engineers engineering \
    programmer programmers programming language code coding codebase backend frontend services \
    microservices stack skills experience knowledge expertise api apis application applications \
    apps framework ecosystem";
const PREV: &str = "in with using of use";

impl Context {
    pub(crate) fn new(interner: &mut Interner) -> Context {
        let mut ids = |words: &str| {
            words
                .split_whitespace()
                .map(|w| interner.intern(w))
                .collect()
        };
        Context {
            connectors: ids(CONNECTORS),
            role_next: ids(ROLE_NEXT),
            prev: ids(PREV),
        }
    }
}

/// Finds terms in `tokens`, leftmost-longest, then drops ambiguous mentions without context.
///
/// Cost: O(tokens × longest term) trie steps, each one hash lookup; unknown words stop at once.
pub(crate) fn scan(trie: &Trie, ctx: &Context, tokens: &[Token]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].id != UNKNOWN
            && start_ok(tokens, i)
            && let Some((end, term)) = trie.longest(tokens, i)
        {
            hits.push(Hit {
                first: i,
                end,
                term,
            });
            i = end;
            continue;
        }
        i += 1;
    }
    confirm(ctx, tokens, hits)
}

fn confirm(ctx: &Context, tokens: &[Token], hits: Vec<Hit>) -> Vec<Hit> {
    let own: Vec<bool> = hits
        .iter()
        .map(|h| self_confirmed(ctx, tokens, h))
        .collect();
    let mut keep = own.clone();
    // Runs of hits joined by list punctuation or connectors: one confirmed member confirms all.
    let mut run_start = 0;
    for n in 0..=hits.len() {
        let joined = n > 0 && n < hits.len() && listed(ctx, tokens, &hits[n - 1], &hits[n]);
        if !joined {
            if own[run_start..n].iter().any(|&c| c) {
                keep[run_start..n].iter_mut().for_each(|k| *k = true);
            }
            run_start = n;
        }
    }
    hits.into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(h, _)| h)
        .collect()
}

fn self_confirmed(ctx: &Context, tokens: &[Token], hit: &Hit) -> bool {
    let upper = tokens[hit.first..hit.end].iter().any(|t| t.upper);
    match hit.term.ambiguity {
        Ambiguity::Clear => true,
        Ambiguity::Lowercase => upper,
        Ambiguity::Strict => {
            let next = tokens.get(hit.end).filter(|t| t.gap == Gap::Soft);
            let role =
                next.is_some_and(|t| t.kind == Kind::Number || ctx.role_next.contains(&t.id));
            let prev = hit.first > 0
                && tokens[hit.first].gap == Gap::Soft
                && ctx.prev.contains(&tokens[hit.first - 1].id);
            let alone =
                tokens[hit.first].line_start && tokens.get(hit.end).is_none_or(|t| t.line_start);
            upper && (role || prev || alone)
        }
    }
}

/// Whether two consecutive hits are items of one inline list: at most three connector tokens
/// between them and no sentence or line break.
fn listed(ctx: &Context, tokens: &[Token], a: &Hit, b: &Hit) -> bool {
    let between = &tokens[a.end..b.first];
    between.len() <= 3
        && between.iter().all(|t| ctx.connectors.contains(&t.id))
        && tokens[a.end..=b.first].iter().all(|t| t.gap != Gap::Hard)
}
