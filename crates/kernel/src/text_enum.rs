//! [`text_enum!`](crate::text_enum): the one way a crate declares a closed set
//! of names stored as SQL `text` (with a CHECK constraint listing them) and sent
//! as JSON strings.

/// Declares a closed set of `snake_case` names stored as SQL `text` and sent as
/// JSON strings, with `ALL`, `as_str`, `Display`, `FromStr`, serde, an OpenAPI
/// schema named `$schema`, and Diesel mapping.
///
/// The calling crate depends on `serde`, `utoipa` and `diesel`.
///
/// ```ignore
/// kernel::text_enum!(
///     /// What a pet is.
///     Species as PetSpecies {
///         /// A dog.
///         Dog = "dog",
///         /// A cat.
///         Cat = "cat",
///     }
/// );
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident as $schema:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[schema(as = $schema)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        $crate::__text_enum_names!($name { $($variant = $text,)+ });
        $crate::__text_enum_sql!($name);
    };
}

/// The names part of [`text_enum!`]: `ALL`, `as_str`, `Display`, `FromStr`.
#[doc(hidden)]
#[macro_export]
macro_rules! __text_enum_names {
    ($name:ident { $($variant:ident = $text:literal,)+ }) => {
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The stored and serialized name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!("unknown {} `{other}`", stringify!($name))),
                }
            }
        }
    };
}

/// The SQL part of [`text_enum!`]: stored as `text` by its name.
#[doc(hidden)]
#[macro_export]
macro_rules! __text_enum_sql {
    ($name:ident) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text =
                    <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)?;
                Ok(text.parse()?)
            }
        }
    };
}
