//! Time windows and the adaptive window sizer: how wide the next batch's window is.
//!
//! The rule, with `limit` records per batch and `[min, max]` window widths:
//!
//! * **Shrink**: a window holding more than `limit` records is halved (rounded down to whole
//!   seconds, never below `min`) and counted again, until it holds at most `limit` or is
//!   `min` wide. A `min`-wide window that still holds more than `limit` is taken anyway and
//!   **paged**: fetched in pages of at most `limit` records.
//! * **Grow**: after a batch, the next window starts from the width just used and, if the
//!   batch held no records, jumps to `max`; if it held fewer than `limit / 2`, doubles
//!   (capped at `max`); otherwise stays. Empty stretches are crossed in a few steps, busy
//!   periods keep the width that fit.
//! * A window never ends after the **horizon** (now minus the settle lag): the last window
//!   of a catch-up may be narrower than `min`.
//!
//! Widths are whole seconds, so window bounds stay on whole seconds (Odoo's `write_date`
//! resolution).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// A half-open time range `[start, end)` of record modification times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// First instant inside the window.
    #[serde(with = "chrono::serde::ts_seconds")]
    pub start: DateTime<Utc>,
    /// First instant after the window.
    #[serde(with = "chrono::serde::ts_seconds")]
    pub end: DateTime<Utc>,
}

impl Window {
    /// `[start, start + width_secs)`.
    pub fn starting_at(start: DateTime<Utc>, width_secs: i64) -> Window {
        Window {
            start,
            end: start + TimeDelta::seconds(width_secs),
        }
    }

    /// The width in whole seconds.
    pub fn width_secs(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }

    /// Whether `instant` falls inside the window.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

/// The sizer's knobs: records per batch and the window width bounds (whole seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSizer {
    /// Most records in one batch (and in one page of a paged batch).
    pub limit: u64,
    /// Narrowest window, in seconds (at least 1).
    pub min_secs: i64,
    /// Widest window, in seconds (at least `min_secs`).
    pub max_secs: i64,
}

/// What the sizer makes of a counted window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sizing {
    /// Take this window: it holds at most `limit` records, or it is `min` wide (or cut by the
    /// horizon) and is fetched in pages.
    Take {
        /// The window.
        window: Window,
        /// More than `limit` records: fetched in several pages.
        paged: bool,
    },
    /// Too many records: count this narrower window instead.
    Shrink(Window),
}

impl WindowSizer {
    /// The first window to count from `start`: `hint_secs` clamped to `[min, max]`, cut at
    /// `horizon`. `None` when `start` is not before the horizon (nothing to do).
    pub fn first(
        &self,
        start: DateTime<Utc>,
        horizon: DateTime<Utc>,
        hint_secs: i64,
    ) -> Option<Window> {
        let room = (horizon - start).num_seconds();
        if room <= 0 {
            return None;
        }
        let width = hint_secs.clamp(self.min_secs, self.max_secs).min(room);
        Some(Window::starting_at(start, width))
    }

    /// Decides on `window` holding `count` records.
    pub fn decide(&self, window: Window, count: u64) -> Sizing {
        let width = window.width_secs();
        if count <= self.limit {
            return Sizing::Take {
                window,
                paged: false,
            };
        }
        if width <= self.min_secs {
            return Sizing::Take {
                window,
                paged: true,
            };
        }
        Sizing::Shrink(Window::starting_at(
            window.start,
            (width / 2).max(self.min_secs),
        ))
    }

    /// The width hint for the window after a batch of `count` records in `width_secs`.
    pub fn next_hint(&self, width_secs: i64, count: u64) -> i64 {
        let next = if count == 0 {
            self.max_secs
        } else if count < self.limit / 2 {
            width_secs.saturating_mul(2)
        } else {
            width_secs
        };
        next.clamp(self.min_secs, self.max_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("in range")
    }

    const SIZER: WindowSizer = WindowSizer {
        limit: 200,
        min_secs: 1800,
        max_secs: 86_400,
    };

    #[test]
    fn first_window_is_clamped_and_cut_at_the_horizon() {
        assert_eq!(
            SIZER
                .first(at(0), at(1_000_000), 10)
                .map(|w| w.width_secs()),
            Some(1800)
        );
        assert_eq!(
            SIZER
                .first(at(0), at(1_000_000), 1_000_000)
                .map(|w| w.width_secs()),
            Some(86_400)
        );
        assert_eq!(
            SIZER.first(at(0), at(600), 86_400).map(|w| w.width_secs()),
            Some(600)
        );
        assert_eq!(SIZER.first(at(600), at(600), 86_400), None);
        assert_eq!(SIZER.first(at(700), at(600), 86_400), None);
    }

    #[test]
    fn halves_until_the_limit_or_the_minimum() {
        let window = Window::starting_at(at(0), 86_400);
        assert_eq!(
            SIZER.decide(window, 200),
            Sizing::Take {
                window,
                paged: false
            }
        );
        assert_eq!(
            SIZER.decide(window, 201),
            Sizing::Shrink(Window::starting_at(at(0), 43_200))
        );
        // 3375 s halves to 1687 s, below the minimum: the minimum is used.
        let odd = Window::starting_at(at(0), 3375);
        assert_eq!(
            SIZER.decide(odd, 500),
            Sizing::Shrink(Window::starting_at(at(0), 1800))
        );
        let min = Window::starting_at(at(0), 1800);
        assert_eq!(
            SIZER.decide(min, 5000),
            Sizing::Take {
                window: min,
                paged: true
            }
        );
        // A horizon-cut window narrower than the minimum is taken, paged.
        let tail = Window::starting_at(at(0), 60);
        assert_eq!(
            SIZER.decide(tail, 201),
            Sizing::Take {
                window: tail,
                paged: true
            }
        );
    }

    #[test]
    fn repeated_halving_ends_within_the_limit_or_at_the_minimum() {
        // 9000 records evenly over a day: halving stops at the first width holding <= 200.
        let per_sec = 9000.0 / 86_400.0;
        let mut window = Window::starting_at(at(0), 86_400);
        let mut counts = 0;
        let taken = loop {
            counts += 1;
            let count = (window.width_secs() as f64 * per_sec) as u64;
            match SIZER.decide(window, count) {
                Sizing::Take { window, paged } => break (window, paged, count),
                Sizing::Shrink(next) => window = next,
            }
        };
        assert_eq!(taken.0.width_secs(), 1800);
        assert_eq!(taken.2, 187);
        assert!(!taken.1, "187 records fit one page");
        assert_eq!(
            counts, 7,
            "86400 -> 43200 -> 21600 -> 10800 -> 5400 -> 2700 -> 1800"
        );
    }

    #[test]
    fn grows_after_small_windows_up_to_the_maximum() {
        assert_eq!(SIZER.next_hint(1800, 0), 86_400);
        assert_eq!(SIZER.next_hint(1800, 99), 3600);
        assert_eq!(SIZER.next_hint(1800, 100), 1800);
        assert_eq!(SIZER.next_hint(1800, 200), 1800);
        assert_eq!(SIZER.next_hint(1800, 5000), 1800);
        assert_eq!(SIZER.next_hint(60_000, 10), 86_400);
        assert_eq!(SIZER.next_hint(60, 300), 1800, "never below the minimum");
    }

    #[test]
    fn contains_is_half_open() {
        let window = Window::starting_at(at(0), 10);
        assert!(window.contains(at(0)));
        assert!(window.contains(at(9)));
        assert!(!window.contains(at(10)));
    }
}
