//! ContainerPub schema migrations.
