"""Hardware behind small interfaces: the ticket printer (python-escpos) and its test double. No Flask here."""
