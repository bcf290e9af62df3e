//! An example application on the ContainerPub persistence layer: [`DeployService`] deploys a
//! new version of a function in one transaction, and [`http_status`] says which HTTP status
//! answers each [`StoreError`](containerpub_ports::StoreError).

mod http;
mod service;

pub use http::http_status;
pub use service::{DeployError, DeployRequest, DeployService, Deployed};
