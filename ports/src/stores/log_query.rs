//! [`LogQuery`]: which logs of one function [`LogReader::for_function`] reads.
//!
//! [`LogReader::for_function`]: crate::LogReader::for_function

use containerpub_domain::{FunctionId, LogLevel, Timestamp};

use crate::fields::LogField;
use crate::query::{Filter, Sort};

/// Which logs of one function to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The function.
    pub function_id: FunctionId,
    /// Only logs at or after this time.
    pub from: Option<Timestamp>,
    /// Only logs strictly before this time.
    pub until: Option<Timestamp>,
    /// Only logs of this level.
    pub level: Option<LogLevel>,
    /// Newest first (`timestamp` desc, id desc) instead of oldest first.
    pub newest_first: bool,
}

impl LogQuery {
    /// Every log of the function, oldest first.
    #[must_use]
    pub fn for_function(function_id: FunctionId) -> Self {
        Self {
            function_id,
            from: None,
            until: None,
            level: None,
            newest_first: false,
        }
    }

    /// The query as a filter and a sort on `function_logs` (what adapters run).
    #[must_use]
    pub fn to_filter_and_sort(&self) -> (Filter<LogField>, Vec<Sort<LogField>>) {
        let mut filter = LogField::FunctionId.eq(self.function_id);
        if let Some(from) = self.from {
            filter = filter.and(LogField::Timestamp.ge(from));
        }
        if let Some(until) = self.until {
            filter = filter.and(LogField::Timestamp.lt(until));
        }
        if let Some(level) = self.level {
            filter = filter.and(LogField::Level.eq(level));
        }
        let sort = if self.newest_first {
            vec![LogField::Timestamp.desc(), LogField::Id.desc()]
        } else {
            vec![LogField::Timestamp.asc(), LogField::Id.asc()]
        };
        (filter, sort)
    }
}
