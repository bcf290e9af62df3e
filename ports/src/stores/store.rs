//! [`Store`]: the reader and the writer of one entity.

use crate::entity::Entity;
use crate::stores::{Reader, Writer};

/// Reads and writes one entity's table: every [`Reader`] that is also a [`Writer`].
pub trait Store<E: Entity>: Reader<E> + Writer<E> {}

impl<E: Entity, T: Reader<E> + Writer<E> + ?Sized> Store<E> for T {}
