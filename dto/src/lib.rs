//! Skeleton; filled in by the foundation issue.
