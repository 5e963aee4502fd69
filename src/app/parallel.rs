//! CPU-bound work split across the machine's cores with scoped threads, order kept.

use std::num::NonZeroUsize;

/// Below this many items per thread, a thread costs more than it saves.
const MIN_ITEMS_PER_THREAD: usize = 32;

/// `items.iter().map(f).collect()`, computed in contiguous chunks on up to one thread per
/// core. The result is in the order of `items`. Blocks the calling thread until done.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = cores.min(items.len() / MIN_ITEMS_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                // A panic in `f` is a bug; carry it to the caller as if it ran here.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_result_and_order_as_a_plain_map(items in prop::collection::vec(any::<u32>(), 0..500)) {
            let parallel = super::map(&items, |x| u64::from(*x) * 3 + 1);
            let plain: Vec<u64> = items.iter().map(|x| u64::from(*x) * 3 + 1).collect();
            prop_assert_eq!(parallel, plain);
        }
    }
}
