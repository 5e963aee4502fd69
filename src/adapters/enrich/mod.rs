//! The `Enricher` adapters: the deterministic analysis, and a language model behind any
//! OpenAI-compatible chat-completions API (OpenAI, Ollama, llama.cpp, vLLM …).

mod deterministic;
mod openai;
mod prompt;

pub use deterministic::DeterministicEnricher;
pub use openai::{OpenAiConfig, OpenAiEnricher, RequestPreview};
pub use prompt::POSTING_MAX_CHARS;
