//! `function_deployments`
#![allow(missing_docs, unreachable_pub)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "function_deployments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub function_id: i32,
    pub version: i32,
    pub image_tag: Option<String>,
    pub s3_key: Option<String>,
    pub status: String,
    pub is_active: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub build_logs: Option<String>,
    pub deployed_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
