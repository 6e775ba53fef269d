"""Counting what a piece of work asks of Postgres, from the client side, for the benches.

Statements are counted where psycopg sends them: every cursor `execute`/`executemany` and every
command a connection sends itself (BEGIN, COMMIT, ROLLBACK, SAVEPOINT). Transactions are the BEGINs
plus the statements sent outside a transaction block (each of those commits on its own). Pool
checkouts are the pool's own `requests_num`. Installed only for the duration of a `with counter.installed():` block.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg._connection_base import BaseConnection
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool


class SqlCounter:
    def __init__(self) -> None:
        self.statements = 0
        self.transactions = 0

    def snapshot(self, pool: AsyncConnectionPool[Any]) -> tuple[int, int, int]:
        """(statements, transactions, pool checkouts) so far."""
        return self.statements, self.transactions, int(pool.get_stats().get("requests_num", 0))

    def _sent(self, conn: Any, count: int = 1) -> None:
        self.statements += count
        if conn.info.transaction_status == TransactionStatus.IDLE:
            self.transactions += count

    @contextmanager
    def installed(self) -> Iterator[SqlCounter]:
        counter = self
        execute, executemany = psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany
        command = BaseConnection._exec_command

        async def counted_execute(cur: Any, *args: Any, **kwargs: Any) -> Any:
            counter._sent(cur.connection)
            return await execute(cur, *args, **kwargs)

        async def counted_executemany(cur: Any, query: Any, params_seq: Any, **kwargs: Any) -> Any:
            params = list(params_seq)
            counter._sent(cur.connection, len(params))
            return await executemany(cur, query, params, **kwargs)

        def counted_command(conn: Any, command_: Any, *args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            counter.statements += 1
            counter.transactions += bytes(command_).startswith(b"BEGIN") if isinstance(command_, bytes) else 0
            return (yield from command(conn, command_, *args, **kwargs))

        psycopg.AsyncCursor.execute = counted_execute  # type: ignore[method-assign]
        psycopg.AsyncCursor.executemany = counted_executemany  # type: ignore[method-assign]
        BaseConnection._exec_command = counted_command  # type: ignore[method-assign]
        try:
            yield self
        finally:
            psycopg.AsyncCursor.execute = execute  # type: ignore[method-assign]
            psycopg.AsyncCursor.executemany = executemany  # type: ignore[method-assign]
            BaseConnection._exec_command = command  # type: ignore[method-assign]
