"""Hand-written SELECTs for the hottest reads, with the values converted as the ORM converts them.

Building and compiling the feed's ORM query took 0.6 to 1 ms of Python per request, more than
PostgreSQL took to run it (timeit in one process on a 2-core VM). The reads that every
request or every feed page makes therefore write their SQL once per database vendor, and
convert their rows with the fields' own converters through these helpers.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col

Converters = list[tuple[int, list[Callable[..., Any]], Col]]


def column_list(columns: Sequence[Col], connection: BaseDatabaseWrapper) -> str:
    """Return `alias.column, ...` for a SELECT, quoted for the connection's vendor."""
    quote = connection.ops.quote_name
    return ", ".join(f"{column.alias}.{quote(column.target.column)}" for column in columns)


def converters(columns: Sequence[Col], connection: BaseDatabaseWrapper) -> Converters:
    """Return the index and converters of each column whose raw values need converting on this connection.

    The converters are bound to one thread's connection, so look them up on each call.
    """
    found = []
    for index, column in enumerate(columns):
        functions = connection.ops.get_db_converters(column) + column.field.get_db_converters(connection)
        if functions:
            found.append((index, functions, column))
    return found


def convert(row: Sequence[Any], found: Converters, connection: BaseDatabaseWrapper) -> list[Any]:
    """Return the row's values converted as the ORM would convert them."""
    values = list(row)
    for index, functions, column in found:
        for function in functions:
            values[index] = function(values[index], column, connection)
    return values
