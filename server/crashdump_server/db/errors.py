"""How each database says that it refused a statement, read from the
driver's exception behind SQLAlchemy's: the SQLSTATE of PostgreSQL
(psycopg: ``sqlstate``), the error number of MySQL and MariaDB (PyMySQL:
``args[0]``), SQLite's words.
"""

# A regular expression: SQLite runs Python's re in a user-defined
# function; PostgreSQL answers 2201B (invalid_regular_expression); MySQL
# and MariaDB errors 3685 and 1139.
_SQLITE_FUNCTION_FAILED = 'user-defined function raised exception'
_PG_INVALID_REGULAR_EXPRESSION = '2201B'
_MYSQL_REGEXP_ERRORS = frozenset([1139, 3685])

# A unique index: 23505 (unique_violation), error 1062 (ER_DUP_ENTRY).
_SQLITE_UNIQUE_FAILED = 'UNIQUE constraint failed'
_PG_UNIQUE_VIOLATION = '23505'
_MYSQL_DUPLICATE_ENTRY = frozenset([1062])


def _refused(exc, sqlstate, mysql_errors, sqlite_words):
    orig = exc.orig
    if getattr(orig, 'sqlstate', None) == sqlstate:
        return True
    if getattr(orig, 'args', None) and orig.args[0] in mysql_errors:
        return True
    return sqlite_words in str(orig)


def refused_pattern(exc):
    """True when ``exc`` (a DBAPIError) is the database refusing a
    regular expression."""
    return _refused(exc, _PG_INVALID_REGULAR_EXPRESSION,
                    _MYSQL_REGEXP_ERRORS, _SQLITE_FUNCTION_FAILED)


def duplicate_entry(exc):
    """True when ``exc`` (an IntegrityError) is a unique index refusing a
    duplicate, not another constraint."""
    return _refused(exc, _PG_UNIQUE_VIOLATION, _MYSQL_DUPLICATE_ENTRY,
                    _SQLITE_UNIQUE_FAILED)
