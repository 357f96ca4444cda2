"""DataLoaders, one per access pattern, created per request.

Each module registers its batch functions with `@batch_loader("name")`; a resolver calls
`info.context.loaders.load("name", key)`. A batch runs one query on its own short-lived
connection, because one AsyncSession cannot serve concurrent resolvers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from api.container import Container

BatchFn = Callable[["Container", Sequence[Any]], Awaitable[Sequence[Any]]]
_batch_functions: dict[str, BatchFn] = {}


def batch_loader(name: str) -> Callable[[BatchFn], BatchFn]:
    def register(fn: BatchFn) -> BatchFn:
        _batch_functions[name] = fn
        return fn

    return register


class Loaders:
    def __init__(self, container: Container) -> None:
        self._container = container
        self._loaders: dict[str, DataLoader[Any, Any]] = {}

    def get(self, name: str) -> DataLoader[Any, Any]:
        loader = self._loaders.get(name)
        if loader is None:
            fn = _batch_functions[name]
            container = self._container

            async def load_batch(keys: list[Any]) -> Sequence[Any]:
                return await fn(container, keys)

            loader = DataLoader(load_fn=load_batch)
            self._loaders[name] = loader
        return loader

    async def load(self, name: str, key: Hashable) -> Any:
        return await self.get(name).load(key)

    async def load_many(self, name: str, keys: Sequence[Hashable]) -> list[Any]:
        return await self.get(name).load_many(keys)

    async def batch(self, name: str, keys: Sequence[Hashable]) -> Sequence[Any]:
        """One batch of `keys` straight away, aligned with them: for a caller that already
        holds the whole batch (a page's prefetch), without a DataLoader future per key."""
        return await _batch_functions[name](self._container, keys)

    def prime(self, name: str, key: Hashable, value: Any) -> None:
        self.get(name).prime(key, value)
