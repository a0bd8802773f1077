"""Durable state behind the core's store interface: the SQLite backend."""

from slackcase.store.sqlite import Store, StoreClosed, ThreadHasCase

__all__ = ["Store", "StoreClosed", "ThreadHasCase"]
