"""What the tests share: factories of data, the live server, the Socket.IO and browser clients,
test doubles, the ESC/POS reader and the environment checks.

Test modules import helpers from here only, never from one another (a test module is run, not a
library), and tests/conftest.py holds only fixtures built from these.
"""
