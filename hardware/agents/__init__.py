"""The agents on machines beside the server: ``print_agent`` (a local printer) and ``speaker_agent`` (the PA system)."""
