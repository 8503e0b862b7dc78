"""Realtime: the Socket.IO namespaces, the display feed and the print hub."""
