//! The CPU and memory combinations Fargate accepts for a Linux task.

/// CPU units and the memory (MiB) each allows: from, to, step.
const SIZES: &[(u32, u32, u32, u32)] = &[
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16_384, 1024),
    (4096, 8192, 30_720, 1024),
    (8192, 16_384, 61_440, 4096),
    (16_384, 32_768, 122_880, 8192),
];

/// Whether Fargate runs a task of `cpu` units with `memory` MiB.
pub(super) fn is_valid(cpu: u32, memory: u32) -> bool {
    SIZES.iter().any(|&(c, from, to, step)| {
        c == cpu && (from..=to).contains(&memory) && (memory - from).is_multiple_of(step)
    })
}

/// The memory sizes Fargate allows with `cpu` units, if it knows them.
pub(super) fn memory_for(cpu: u32) -> Option<String> {
    SIZES
        .iter()
        .find(|&&(c, ..)| c == cpu)
        .map(|&(_, from, to, step)| format!("{from} to {to} MiB in steps of {step}"))
}

/// The CPU sizes, for fixes.
pub(super) fn cpus() -> Vec<u32> {
    SIZES.iter().map(|&(c, ..)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_combinations() {
        assert!(is_valid(256, 512));
        assert!(is_valid(256, 2048));
        assert!(!is_valid(256, 4096));
        assert!(is_valid(1024, 3072));
        assert!(!is_valid(1024, 2500));
        assert!(is_valid(8192, 20_480));
        assert!(!is_valid(8192, 17_408));
        assert!(is_valid(16_384, 122_880));
        assert!(!is_valid(300, 1024));
        assert_eq!(
            memory_for(512).as_deref(),
            Some("1024 to 4096 MiB in steps of 1024")
        );
        assert_eq!(memory_for(3), None);
    }
}
