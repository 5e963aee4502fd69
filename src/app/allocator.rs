//! Process memory: glibc's malloc capped at two arenas, so freed memory is reused.

/// Caps glibc's malloc at two arenas unless `MALLOC_ARENA_MAX` already says how many.
///
/// glibc gives each thread that meets a locked arena a new one, up to 8 per core, and
/// keeps what is freed in each; the runtime's and the blocking pool's threads each ended
/// up holding their own. Two arenas halved peak RSS in the ingest benchmark (MariaDB,
/// 100k postings: 265 → 155 MB; SQLite: 158 → 78 MB). Call it first, before threads start.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes allocator tuning, for arenas created afterwards.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
