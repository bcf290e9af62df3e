//! Enums for every status, level and role column, stored as lowercase `VARCHAR` words.

macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal,
        { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("Stored as `", $word, "`.")]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored words, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The stored word.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::ValidationError::new(
                        $field,
                        $crate::Rule::UnknownVariant { expected: Self::WORDS },
                    )),
                }
            }
        }
    };
}

word_enum!(
    /// `functions.status` (default `active`).
    ///
    /// `init` is the word the Dart backend (HEAD, `init_handler.dart`) writes for a function
    /// that was created but never deployed (`docs/LEGACY-SCHEMA.md` §3).
    FunctionStatus, field = "status",
    {
        #[default]
        Active => "active",
        Inactive => "inactive",
        Building => "building",
        Failed => "failed",
        /// Written by the Dart backend for a created, never deployed function.
        Init => "init",
    }
);

word_enum!(
    /// `function_deployments.status` (default `pending`).
    ///
    /// `disabled` is the word the Dart backend (HEAD) writes for a superseded deployment
    /// (`docs/LEGACY-SCHEMA.md` §3).
    DeploymentStatus, field = "status",
    {
        #[default]
        Pending => "pending",
        Building => "building",
        Active => "active",
        Inactive => "inactive",
        Failed => "failed",
        /// Written by the Dart backend for a deployment that was superseded or rolled back from.
        Disabled => "disabled",
    }
);

word_enum!(
    /// `function_logs.level`.
    LogLevel, field = "level",
    {
        Debug => "debug",
        #[default]
        Info => "info",
        Warn => "warn",
        Error => "error",
    }
);

word_enum!(
    /// `function_invocations.status`.
    InvocationStatus, field = "status",
    {
        #[default]
        Success => "success",
        Error => "error",
        Timeout => "timeout",
    }
);

word_enum!(
    /// `user_information.role` (default `developer`).
    Role, field = "role",
    {
        #[default]
        Developer => "developer",
        Team => "team",
        SubTeamDeveloper => "sub_team_developer",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Rule, ValidationError};

    #[test]
    fn words_round_trip() {
        for s in FunctionStatus::ALL {
            assert_eq!(s.as_str().parse::<FunctionStatus>(), Ok(*s));
        }
        for s in DeploymentStatus::ALL {
            assert_eq!(s.as_str().parse::<DeploymentStatus>(), Ok(*s));
        }
        for s in LogLevel::ALL {
            assert_eq!(s.as_str().parse::<LogLevel>(), Ok(*s));
        }
        for s in InvocationStatus::ALL {
            assert_eq!(s.as_str().parse::<InvocationStatus>(), Ok(*s));
        }
        for s in Role::ALL {
            assert_eq!(s.as_str().parse::<Role>(), Ok(*s));
        }
    }

    #[test]
    fn unknown_words_name_field_and_choices() {
        assert_eq!(
            "Active".parse::<FunctionStatus>(),
            Err(ValidationError::new(
                "status",
                Rule::UnknownVariant {
                    expected: FunctionStatus::WORDS
                }
            ))
        );
        assert_eq!("loud".parse::<LogLevel>().expect_err("bad").field, "level");
        assert_eq!("admin".parse::<Role>().expect_err("bad").field, "role");
    }

    /// Every word `docs/LEGACY-SCHEMA.md` §3 lists as written by the Dart backend (seed era and
    /// HEAD) into a column this layer reads.
    #[test]
    fn every_word_the_dart_backend_writes_is_accepted() {
        for word in ["init", "building", "active"] {
            assert_eq!(word.parse::<FunctionStatus>().map(|s| s.as_str()), Ok(word));
        }
        for word in ["active", "disabled"] {
            assert_eq!(
                word.parse::<DeploymentStatus>().map(|s| s.as_str()),
                Ok(word)
            );
        }
        for word in ["success", "error"] {
            assert_eq!(
                word.parse::<InvocationStatus>().map(|s| s.as_str()),
                Ok(word)
            );
        }
        for word in ["info", "error"] {
            assert_eq!(word.parse::<LogLevel>().map(|s| s.as_str()), Ok(word));
        }
        for word in ["developer", "team", "sub_team_developer"] {
            assert_eq!(word.parse::<Role>().map(|s| s.as_str()), Ok(word));
        }
    }

    #[test]
    fn defaults_match_the_column_defaults() {
        assert_eq!(FunctionStatus::default(), FunctionStatus::Active);
        assert_eq!(DeploymentStatus::default(), DeploymentStatus::Pending);
        assert_eq!(Role::default(), Role::Developer);
        assert_eq!(Role::SubTeamDeveloper.as_str(), "sub_team_developer");
    }
}
