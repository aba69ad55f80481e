"""Backup and restore of the portal: its database and its files, described by a manifest.

A backup is a directory::

    manifest.json                 date, database vendor, migrations applied per app, rows per
                                  table, SHA-256 and size of every file below
    database/db.sqlite3           SQLite: a copy made with SQLite's online backup API
    database/database.dump        PostgreSQL: ``pg_dump --format=custom``
    files/<root>/<path>           the files of every storage of settings.STORAGES, on disk
                                  or on object storage, read through the storage API
                                  (``media`` for the default one, ``private`` for answers'
                                  files and Word templates, ``exports`` for the zips)

The manifest is written last: a directory without one is an unfinished backup. The row
counts are read in the same snapshot as the dump (the SQLite copy itself; the exported
snapshot pg_dump reads on PostgreSQL), so a restore can be compared with them exactly.

A restore goes only into an empty database and empty storages, and only when the
backup's migrations are all known to the code and the target is not ahead of the backup;
everything it refuses is refused before anything is written. It then compares the rows of
every table and the checksum of every file with the manifest.

The modules: ``manifest`` (the format, its facts and errors), ``files`` (the storages
saved and their checksums), ``database`` (SQLite and PostgreSQL copies, rows and
migrations), ``create`` (backup_create) and ``restore`` (backup_restore and its checks).
"""
