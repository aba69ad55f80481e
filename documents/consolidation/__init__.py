"""A campaign's consolidated tables: computation, rules, page, files, Word report, charts."""
