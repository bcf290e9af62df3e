//! [`LogQuery`]: which logs of one function [`LogReader::for_function`] reads.
//!
//! [`LogReader::for_function`]: crate::LogReader::for_function

use containerpub_domain::{Function, FunctionId, LogLevel, Timestamp};

use crate::fields::LogField;
use crate::query::{Filter, Sort};
use crate::reference::Ref;

/// Which logs of one function to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The function, by id or uuid (a function that does not exist has no logs).
    pub function: Ref<Function>,
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
    /// Every log of the function (a [`FunctionId`], a function uuid or a [`Ref`]), oldest
    /// first.
    #[must_use]
    pub fn for_function(function: impl Into<Ref<Function>>) -> Self {
        Self {
            function: function.into(),
            from: None,
            until: None,
            level: None,
            newest_first: false,
        }
    }

    /// The query as a filter and a sort on `function_logs`, for the function whose internal
    /// id is `function` (what adapters run once they resolved [`LogQuery::function`]).
    #[must_use]
    pub fn to_filter_and_sort(
        &self,
        function: FunctionId,
    ) -> (Filter<LogField>, Vec<Sort<LogField>>) {
        (self.bounded(LogField::FunctionId.eq(function)), self.sort())
    }

    /// The query's time and level bounds (`Filter::All` without any) and its sort, without
    /// the function: for adapters that state the function condition themselves.
    #[must_use]
    pub fn bounds_and_sort(&self) -> (Filter<LogField>, Vec<Sort<LogField>>) {
        (self.bounded(Filter::All), self.sort())
    }

    fn bounded(&self, mut filter: Filter<LogField>) -> Filter<LogField> {
        if let Some(from) = self.from {
            filter = filter.and(LogField::Timestamp.ge(from));
        }
        if let Some(until) = self.until {
            filter = filter.and(LogField::Timestamp.lt(until));
        }
        if let Some(level) = self.level {
            filter = filter.and(LogField::Level.eq(level));
        }
        filter
    }

    fn sort(&self) -> Vec<Sort<LogField>> {
        if self.newest_first {
            vec![LogField::Timestamp.desc(), LogField::Id.desc()]
        } else {
            vec![LogField::Timestamp.asc(), LogField::Id.asc()]
        }
    }
}
