//! The typed filter and sort constructors on every field enum (`UserField::Email.eq(..)`,
//! `UserField::Id.desc()`, …).
//!
//! A macro, because they are inherent methods of each enum: as trait methods, `eq`, `ne`, `lt`,
//! … would be ambiguous with `PartialEq::eq` and `PartialOrd::lt`, which the enums derive.

/// Generates the typed filter constructors on a field enum: `UserField::Email.eq(..)` etc.
macro_rules! field_filter_methods {
    ($field:ty) => {
        impl $field {
            /// `self = value`.
            pub fn eq(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                $crate::query::Filter::eq(self, value)
            }
            /// `self <> value`.
            pub fn ne(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Ne, value)
            }
            /// `self < value`.
            pub fn lt(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Lt, value)
            }
            /// `self <= value`.
            pub fn le(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Le, value)
            }
            /// `self > value`.
            pub fn gt(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Gt, value)
            }
            /// `self >= value`.
            pub fn ge(self, value: impl Into<$crate::query::Value>) -> $crate::query::Filter<Self> {
                self.cmp_with($crate::query::CmpOp::Ge, value)
            }
            /// `self <op> value`.
            pub fn cmp_with(
                self,
                op: $crate::query::CmpOp,
                value: impl Into<$crate::query::Value>,
            ) -> $crate::query::Filter<Self> {
                $crate::query::Filter::Cmp {
                    field: self,
                    op,
                    value: value.into(),
                }
            }
            /// `self IN (values)`.
            pub fn is_in<V: Into<$crate::query::Value>>(
                self,
                values: impl IntoIterator<Item = V>,
            ) -> $crate::query::Filter<Self> {
                $crate::query::Filter::In {
                    field: self,
                    values: values.into_iter().map(Into::into).collect(),
                }
            }
            /// `self IS NULL`.
            #[must_use]
            pub fn is_null(self) -> $crate::query::Filter<Self> {
                $crate::query::Filter::IsNull(self)
            }
            /// `self IS NOT NULL`.
            #[must_use]
            pub fn is_not_null(self) -> $crate::query::Filter<Self> {
                $crate::query::Filter::IsNotNull(self)
            }
            /// The text contains `text` literally.
            pub fn contains(self, text: impl Into<String>) -> $crate::query::Filter<Self> {
                $crate::query::Filter::Contains {
                    field: self,
                    text: text.into(),
                }
            }
            /// The text starts with `text` literally.
            pub fn starts_with(self, text: impl Into<String>) -> $crate::query::Filter<Self> {
                $crate::query::Filter::StartsWith {
                    field: self,
                    text: text.into(),
                }
            }
            /// Ascending sort on this field.
            #[must_use]
            pub fn asc(self) -> $crate::query::Sort<Self> {
                $crate::query::Sort {
                    field: self,
                    direction: $crate::query::Direction::Asc,
                }
            }
            /// Descending sort on this field.
            #[must_use]
            pub fn desc(self) -> $crate::query::Sort<Self> {
                $crate::query::Sort {
                    field: self,
                    direction: $crate::query::Direction::Desc,
                }
            }
        }
    };
}
pub(crate) use field_filter_methods;
