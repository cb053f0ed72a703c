//! Owns [`FlexibleWindow`], the schedule's `FlexibleTimeWindow`: `OFF` (run at the
//! scheduled minute) or `FLEXIBLE` with a `MaximumWindowInMinutes` of 1-1440.

use super::error::ScheduleError;

/// Largest flexible window AWS accepts, in minutes (24 hours).
pub const MAX_FLEXIBLE_MINUTES: u32 = 1440;

/// EventBridge Scheduler's `FlexibleTimeWindow`.
///
/// ```
/// use cloud_cron_schedule::FlexibleWindow;
///
/// let window = FlexibleWindow::Flexible { maximum_minutes: 15 };
/// assert!(window.validate().is_ok());
/// assert_eq!(window.mode(), "FLEXIBLE");
/// assert_eq!(window.maximum_window_in_minutes(), Some(15));
///
/// let too_wide = FlexibleWindow::Flexible { maximum_minutes: 1441 };
/// assert!(too_wide.validate().unwrap_err().to_string().contains("1-1440"));
/// assert_eq!(FlexibleWindow::default(), FlexibleWindow::Off);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FlexibleWindow {
    /// `Mode: OFF`: invoke at the scheduled time.
    #[default]
    Off,
    /// `Mode: FLEXIBLE`: invoke at some point within `maximum_minutes` after the scheduled
    /// time (1-1440).
    Flexible {
        /// `MaximumWindowInMinutes`, 1-1440.
        maximum_minutes: u32,
    },
}

impl FlexibleWindow {
    /// Checks `MaximumWindowInMinutes` is 1-1440 when the mode is `FLEXIBLE`.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        match *self {
            FlexibleWindow::Off => Ok(()),
            FlexibleWindow::Flexible { maximum_minutes }
                if (1..=MAX_FLEXIBLE_MINUTES).contains(&maximum_minutes) =>
            {
                Ok(())
            }
            FlexibleWindow::Flexible { maximum_minutes } => Err(ScheduleError::FlexibleWindow {
                maximum_minutes,
                fix: if maximum_minutes == 0 {
                    "use `FlexibleWindow::Off` to run at the exact time, or a window of 1-1440 minutes".to_string()
                } else {
                    format!("use at most {MAX_FLEXIBLE_MINUTES} minutes (24 hours)")
                },
            }),
        }
    }

    /// The CloudFormation `Mode` value: `OFF` or `FLEXIBLE`.
    pub fn mode(&self) -> &'static str {
        match self {
            FlexibleWindow::Off => "OFF",
            FlexibleWindow::Flexible { .. } => "FLEXIBLE",
        }
    }

    /// The CloudFormation `MaximumWindowInMinutes` value; `None` when the mode is `OFF`.
    pub fn maximum_window_in_minutes(&self) -> Option<u32> {
        match self {
            FlexibleWindow::Off => None,
            FlexibleWindow::Flexible { maximum_minutes } => Some(*maximum_minutes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(FlexibleWindow::Off.validate().is_ok());
        for ok in [1, 60, 1440] {
            assert!(FlexibleWindow::Flexible {
                maximum_minutes: ok
            }
            .validate()
            .is_ok());
        }
        for bad in [0, 1441, u32::MAX] {
            let err = FlexibleWindow::Flexible {
                maximum_minutes: bad,
            }
            .validate()
            .expect_err("out of range");
            assert!(err.to_string().contains("1-1440"), "{err}");
        }
        let zero = FlexibleWindow::Flexible { maximum_minutes: 0 }.validate();
        assert!(zero.is_err_and(|e| e.to_string().contains("FlexibleWindow::Off")));
    }
}
