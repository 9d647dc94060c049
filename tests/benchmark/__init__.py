"""The benchmark of issue 6: what the engine costs, and how the ärende data behaves at the size of
a whole country's diaria. Run it with ``manage.py benchmark`` (see README, "Prestandamätning").

Every comparison is a ratio measured in the same run. The parts:

- :mod:`.transitions`: one ärende through the eight user transitions of the main path, each
  in its own committed transaction: the full engine, the bare libraries (django-fsm-2 and
  simple-history) and the floor (the same writes as raw SQL), on a SQLite file and on
  PostgreSQL.
- :mod:`.concurrency`: processes on PostgreSQL advancing distinct ärenden, fighting over the
  same ärende, and registering ärenden in one diarium series.
- :mod:`.synthetic` and :mod:`.scale`: a synthetic diarium (COPY on PostgreSQL) and the
  reads people do every day on it, as named measurements that go through the web page when it
  exists and through the same queries otherwise.

Each database is measured in its own process (:mod:`.worker`) with ``DATABASE_URL`` set, so
the project's settings are used unchanged; :mod:`.runner` starts those processes, creates and
drops the throwaway databases, and :mod:`.report` prints the table and judges the targets.
"""
