"""The ``antrean`` command, by group."""
