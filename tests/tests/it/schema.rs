//! Schema checks against the catalog (migration issue).
